"""Unit tests for the wsgistack.deploy.pg_hba_layout filter."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.filter.pg_hba_layout import (
    FilterModule,
    pg_hba_layout,
)
from ansible_collections.wsgistack.deploy.plugins.filter.pg_hba_lines import pg_hba_lines

SUPERUSER = {"type": "local", "databases": "all", "users": "postgres", "method": "peer"}

# Debian's pg_hba.conf as installed by initdb (comments dropped).
DEBIAN_DEFAULTS = [
    {"type": "local", "databases": "all", "users": "postgres", "method": "peer"},
    {"type": "local", "databases": "all", "users": "all", "method": "peer"},
    {"type": "host", "databases": "all", "users": "all", "address": "127.0.0.1/32"},
    {"type": "host", "databases": "all", "users": "all", "address": "::1/128"},
    {"type": "local", "databases": "replication", "users": "all", "method": "peer"},
    {"type": "host", "databases": "replication", "users": "all", "address": "127.0.0.1/32"},
    {"type": "host", "databases": "replication", "users": "all", "address": "::1/128"},
]

FLASK_RULES = [
    {"type": "local", "databases": "flasktestdb", "users": "flasktest", "method": "md5"},
    {"type": "host", "databases": "flasktestdb", "users": "flasktest", "address": "10.0.0.0/24"},
]


def error_of(*args, **kwargs) -> str:
    with pytest.raises(AnsibleFilterError) as caught:
        pg_hba_layout(*args, **kwargs)
    return str(caught.value)


def test_filter_is_registered():
    assert FilterModule().filters() == {"pg_hba_layout": pg_hba_layout}


def test_superuser_then_app_rules_then_defaults():
    layout = pg_hba_layout(FLASK_RULES, DEBIAN_DEFAULTS)
    assert layout == [SUPERUSER, *FLASK_RULES, *DEBIAN_DEFAULTS[1:]]


def test_seed_pitfall_is_avoided_and_renders():
    lines = pg_hba_lines(pg_hba_layout(FLASK_RULES, DEBIAN_DEFAULTS))
    assert lines == [
        "local  all          postgres                 peer",
        "local  flasktestdb  flasktest                md5",
        "host   flasktestdb  flasktest  10.0.0.0/24   scram-sha-256",
        "local  all          all                      peer",
        "host   all          all        127.0.0.1/32  scram-sha-256",
        "host   all          all        ::1/128       scram-sha-256",
        "local  replication  all                      peer",
        "host   replication  all        127.0.0.1/32  scram-sha-256",
        "host   replication  all        ::1/128       scram-sha-256",
    ]


def test_the_same_rules_in_distribution_order_are_shadowed():
    with pytest.raises(AnsibleFilterError) as caught:
        pg_hba_lines(DEBIAN_DEFAULTS + FLASK_RULES)
    assert str(caught.value) == (
        "pg_hba_lines: rule 7 (local flasktestdb flasktest md5) can never match: rule 1 (local "
        "all all peer) already matches every connection it would match; move rule 7 above rule "
        "1 or narrow rule 1"
    )


def test_default_duplicating_the_superuser_line_is_dropped():
    layout = pg_hba_layout([], [SUPERUSER, {**SUPERUSER, "comment": "admin"}])
    assert layout == [SUPERUSER]


def test_default_for_the_superuser_with_another_method_is_dropped_too():
    # It could never match below the superuser line, so dropping it changes nothing.
    default = {"type": "local", "databases": "all", "users": "postgres", "method": "md5"}
    assert pg_hba_layout([], [default]) == [SUPERUSER]


def test_default_that_the_superuser_line_only_partly_covers_is_kept():
    defaults = [
        {"type": "local", "databases": ["all", "replication"], "users": "postgres"},
        {"type": "host", "databases": "all", "users": "postgres", "address": "::1/128"},
    ]
    assert pg_hba_layout([], defaults) == [SUPERUSER, *defaults]


def test_custom_superuser():
    layout = pg_hba_layout(FLASK_RULES, DEBIAN_DEFAULTS, superuser="pgadmin")
    assert layout[0] == {"type": "local", "databases": "all", "users": "pgadmin", "method": "peer"}
    # Debian's postgres line is no longer a duplicate.
    assert layout[3:] == DEBIAN_DEFAULTS


def test_defaults_overridden_by_app_rules_are_dropped():
    app = [{"type": "host", "databases": "all", "users": "all", "address": "127.0.0.0/8"}]
    defaults = [
        {"type": "host", "databases": "all", "users": "all", "address": "127.0.0.1/32"},
        {"type": "host", "databases": "all", "users": "all", "address": "::1/128"},
        {"type": "host", "databases": "replication", "users": "all", "address": "127.0.0.1/32"},
    ]
    assert pg_hba_layout(app, defaults) == [SUPERUSER, app[0], *defaults[1:]]


def test_defaults_shadowed_by_earlier_defaults_are_dropped():
    defaults = [
        {"type": "hostssl", "databases": "all", "users": "all", "address": "all"},
        {"type": "hostnossl", "databases": "all", "users": "all", "address": "all"},
        {"type": "host", "databases": "all", "users": "all", "address": "10.0.0.0/8"},
    ]
    assert pg_hba_layout([], defaults) == [SUPERUSER, *defaults[:2]]


def test_defaults_that_might_still_match_are_kept():
    app = [{"type": "local", "databases": "all", "users": "+admins", "method": "peer"}]
    defaults = [{"type": "local", "databases": "all", "users": "all", "method": "peer"}]
    assert pg_hba_layout(app, defaults) == [SUPERUSER, *app, *defaults]


def test_app_rules_are_never_dropped_or_reordered():
    app = [
        {"type": "local", "databases": "all", "users": "all", "method": "peer"},
        {"type": "local", "databases": "app", "users": "app"},
        {"type": "local", "databases": "all", "users": "postgres", "method": "peer"},
    ]
    assert pg_hba_layout(app, []) == [SUPERUSER, *app]


def test_result_holds_copies():
    app = [{"type": "local", "databases": "app", "users": "app"}]
    layout = pg_hba_layout(app, [])
    layout[1]["users"] = "changed"
    assert app[0]["users"] == "app"


ERRORS = [
    (
        ("not a list", []),
        "pg_hba_layout: app_rules: expected a list of rule mappings, got string",
    ),
    (
        ([], None),
        "pg_hba_layout: default_rules: expected a list of rule mappings, got null",
    ),
    (
        ([{"type": "local", "databases": "app", "users": "app", "address": "10.0.0.0/8"}], []),
        "pg_hba_layout: app rule 0 (local app app 10.0.0.0/8 scram-sha-256): address: local "
        "rules match Unix-socket connections and take no address; remove it or use type host",
    ),
    (
        ([], [SUPERUSER, {"type": "local", "databases": "all", "users": "ALL", "method": "peer"}]),
        "pg_hba_layout: default rule 1 (local all ALL peer): users: 'ALL' is not the keyword "
        "all (keywords are case-sensitive); write all",
    ),
]


@pytest.mark.parametrize(("args", "message"), ERRORS)
def test_rule_errors_name_the_list(args, message):
    assert error_of(*args) == message


@pytest.mark.parametrize(
    ("superuser", "message"),
    [
        (None, "expected a role name, got null"),
        (5, "expected a role name, got integer"),
        ("", "'' is not a role name: it is empty or has surrounding spaces"),
        (" postgres", "' postgres' is not a role name: it is empty or has surrounding spaces"),
        ("all", "'all' is a keyword or pattern, not a single role name"),
        ("replication", "'replication' is a keyword or pattern, not a single role name"),
        ("+admins", "'+admins' is a keyword or pattern, not a single role name"),
        ("@admins", "'@admins' is a keyword or pattern, not a single role name"),
        (
            "pg,admin",
            "'pg,admin' contains whitespace, a comma, a quote, '#' or a control character; "
            "names that need quoting in pg_hba.conf are not supported",
        ),
        (
            "ALL",
            "'ALL' is not the keyword all (keywords are case-sensitive); write all",
        ),
    ],
)
def test_invalid_superuser(superuser, message):
    assert error_of([], [], superuser=superuser) == f"pg_hba_layout: superuser: {message}"


def test_trust_policy_is_left_to_pg_hba_lines():
    app = [{"type": "local", "databases": "app", "users": "app", "method": "trust"}]
    layout = pg_hba_layout(app, [])
    with pytest.raises(AnsibleFilterError, match="method: trust lets anyone"):
        pg_hba_lines(layout)
    assert pg_hba_lines(layout, allow_trust=True) == [
        "local  all  postgres  peer",
        "local  app  app       trust",
    ]
