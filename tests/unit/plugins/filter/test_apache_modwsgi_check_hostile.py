"""Hostile strings in every string field of the apache_modwsgi role's input (hypothesis).

Each string field of an app (and each role-wide string variable) gets generated text made
of what breaks Apache's configuration, a .wsgi file or a shell - ``; { } < > " ' \\n # $``,
spaces, control characters, ``..``, non-ASCII letters (some of which lower-case to ASCII) -
mixed with ordinary characters. The check must either refuse it, with a line naming that
field's variable, or let through only a value that matches a strict inert pattern (the
value the role renders: the resolved one for an app's field, the variable's own for a
role-wide one). Every message is one line, and an environment value is never shown.
"""

from __future__ import annotations

import copy
import re

import pytest
from ansible_collections.wsgistack.deploy.plugins.plugin_utils import apache_modwsgi_schema as ams
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PLATFORM = {
    "apache_user": "www-data",
    "apache_group": "www-data",
    "socket_prefix_default": "/run/apache2/wsgi",
    "site_prefix": "",
}
APP = {
    "name": "guestbook",
    "server_name": "guestbook.test",
    "venv": "/opt/venvs/guestbook",
    "entry": {"type": "module", "callable": "guestbook.wsgi:application"},
}

HOSTILE = [
    *";{}<>\"'\n# $\r\t\0\x0b\\%|&*?!=,()[]@+~:",
    "..",
    "../",
    "é",
    "\u212a",  # KELVIN SIGN, lower-cases to k
    "\u0130",  # LATIN CAPITAL I WITH DOT ABOVE
    "\u2028",
    "\ufeff",
    "\U0001f600",
]
ORDINARY = list("abcxyzAZ019._-/")
TEXT = st.lists(st.sampled_from(HOSTILE + ORDINARY * 2), min_size=0, max_size=24).map("".join)
# Prefixes that get a value past a rule's first test, so the rest of it is exercised too.
PREFIXES = ["", "/", "/srv/", "a", "app.", "http://127.0.0.1:8000/", "pkg.mod:", "-all +"]
HOSTILE_TEXT = st.builds(lambda prefix, text: prefix + text, st.sampled_from(PREFIXES), TEXT)

PATH = r"/[A-Za-z0-9._+@~/-]*"
URL = r"/[A-Za-z0-9._~/-]*"
HOST = r"(\*\.)?[a-z0-9.-]+"
ACCOUNT = r"[a-z_][a-z0-9_-]*"
DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*"


# (variable after apache_modwsgi_apps[0]., how to set it, where the resolved value is, pattern)
APP_CASES = [
    ("name", lambda a, v: a.update(name=v), lambda r: r["name"], r"[a-z][a-z0-9_]*"),
    ("mode", lambda a, v: a.update(mode=v), lambda r: r["mode"], r"daemon|embedded|proxy"),
    ("user", lambda a, v: a.update(user=v), lambda r: r["user"], ACCOUNT),
    ("group", lambda a, v: a.update(group=v), lambda r: r["group"], ACCOUNT),
    ("venv", lambda a, v: a.update(venv=v), lambda r: r["venv"], PATH),
    ("python_home", lambda a, v: a.update(python_home=v), lambda r: r["python_home"], PATH),
    ("app_dir", lambda a, v: a.update(app_dir=v), lambda r: r["app_dir"], PATH),
    ("site_dirs[0]", lambda a, v: a.update(site_dirs=[v]), lambda r: r["site_dirs"][0], PATH),
    (
        "writable_dirs[0]",
        lambda a, v: a.update(writable_dirs=[v]),
        lambda r: r["writable_dirs"][0],
        PATH,
    ),
    ("server_name", lambda a, v: a.update(server_name=v), lambda r: r["server_name"], HOST),
    (
        "server_aliases[0]",
        lambda a, v: a.update(server_aliases=[v]),
        lambda r: r["server_aliases"][0],
        HOST,
    ),
    ("mount", lambda a, v: a.update(mount=v), lambda r: r["mount"], URL),
    (
        "static[0].url",
        lambda a, v: a.update(static=[{"url": v, "path": "/srv/static"}]),
        lambda r: r["static"][0]["url"],
        URL,
    ),
    (
        "static[0].path",
        lambda a, v: a.update(static=[{"url": "/static", "path": v}]),
        lambda r: r["static"][0]["path"],
        PATH,
    ),
    (
        "tls_cert",
        lambda a, v: a.update(tls_cert=v, tls_key="/etc/ssl/private/k.key"),
        lambda r: r["tls_cert"],
        PATH,
    ),
    (
        "tls_key",
        lambda a, v: a.update(tls_cert="/etc/ssl/certs/c.pem", tls_key=v),
        lambda r: r["tls_key"],
        PATH,
    ),
    (
        "proxy_upstream",
        lambda a, v: a.update(mode="proxy", proxy_upstream=v),
        lambda r: r["proxy_upstream"],
        r"(unix:/[A-Za-z0-9._+@~/-]*\|)?https?://[A-Za-z0-9.:\[\]-]+(/[A-Za-z0-9._~/-]*)?",
    ),
    (
        "health_check",
        lambda a, v: a.update(health_check=v),
        lambda r: r["health_check"],
        r"(/[A-Za-z0-9._~/-]*(\?[A-Za-z0-9._~=&%+-]*)?)?",
    ),
    (
        "revision",
        lambda a, v: a.update(revision=v),
        lambda r: r["revision"],
        r"[A-Za-z0-9._+:@/~-]*",
    ),
    (
        "extra_directives[0]",
        lambda a, v: a.update(extra_directives=[v]),
        lambda r: r["extra_directives"][0],
        # The escape hatch: any one line of printable text that opens no section and joins
        # no next line.
        r"(?![ \t]*<)[^\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]*(?<!\\)[ \t]*",
    ),
    (
        "entry.callable",
        lambda a, v: a.update(entry={"type": "module", "callable": v}),
        lambda r: r["entry"]["callable"],
        DOTTED + r":[A-Za-z_][A-Za-z0-9_]*(\(\))?",
    ),
    (
        "entry.settings",
        lambda a, v: a.update(entry={"type": "django", "settings": v}),
        lambda r: r["entry"]["settings"],
        DOTTED,
    ),
    (
        "entry.project_dir",
        lambda a, v: a.update(entry={"type": "django", "settings": "p.settings", "project_dir": v}),
        lambda r: r["entry"]["project_dir"],
        PATH,
    ),
    (
        "entry.ini",
        lambda a, v: a.update(entry={"type": "paste", "ini": v}),
        lambda r: r["entry"]["ini"],
        PATH,
    ),
    (
        "entry.app_name",
        lambda a, v: a.update(entry={"type": "paste", "ini": "/srv/p.ini", "app_name": v}),
        lambda r: r["entry"]["app_name"],
        r"[A-Za-z0-9_.-]+",
    ),
    (
        "daemon_options.maximum-requests",
        lambda a, v: a.update(daemon_options={"maximum-requests": v}),
        lambda r: str(r["daemon_options"]["maximum-requests"]),
        r"[0-9]+",
    ),
    (
        "daemon_options.umask",
        lambda a, v: a.update(daemon_options={"umask": v}),
        lambda r: r["daemon_options"]["umask"],
        r"0[0-7]{3}",
    ),
    (
        "daemon_options",  # a hostile option name: never in the output
        lambda a, v: a.update(daemon_options={v: 1}),
        lambda r: " ".join(r["daemon_options"]),
        r"[a-z-]*",
    ),
]

# Role-wide variables: the role renders the variable itself, so the value given must be inert.
ROLE_PATTERNS = {
    "python": f"({PATH})?",
    "pip_venv": PATH,
    "pip_spec": r"[A-Za-z0-9._\-\[\],=!~<>*+]+",
    "mode": r"daemon|embedded|proxy",
    "locale": r"[A-Za-z0-9_.@-]+",
    "socket_prefix": f"({PATH})?",
    "python_home": f"({PATH})?",
    "wsgi_dir": PATH,
    "apps_dir": PATH,
    "admin_group": f"({ACCOUNT})?",
    "server_tokens": r"Prod|ProductOnly|Major|Minor|Min|Minimal|OS|Full",
    "tls_protocols": r"[+-]?[A-Za-z0-9.]+( [+-]?[A-Za-z0-9.]+)*",
    "admin_users": ACCOUNT,  # a list: the value is its one element
}


def test_every_string_field_is_covered():
    """A new string field of the schema needs a case here."""
    app_strings = {
        spec.name
        for spec in ams.APP_FIELDS
        if spec.type in ("str", "raw") or spec.elements == "str"
    }
    variables = {case[0] for case in APP_CASES}
    assert app_strings <= {re.split(r"[\[.]", variable, maxsplit=1)[0] for variable in variables}
    entry_strings = {f"entry.{spec.name}" for spec in ams.ENTRY_FIELDS if spec.name != "type"}
    assert entry_strings <= variables
    role_strings = {
        spec.name for spec in ams.ROLE_FIELDS if spec.type == "str" or spec.elements == "str"
    }
    assert role_strings == set(ROLE_PATTERNS)


def _one_line_and_secret_free(result, secret=None):
    for line in result["errors"]:
        assert "\n" not in line and "\r" not in line and "\0" not in line, line
    if secret:
        assert secret not in str(result)


@pytest.mark.parametrize(
    ("variable", "put", "get", "pattern"),
    APP_CASES,
    ids=[case[0] for case in APP_CASES],
)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=HOSTILE_TEXT)
def test_hostile_app_values_are_refused_by_name_or_come_out_inert(
    variable, put, get, pattern, value
):
    app = copy.deepcopy(APP)
    put(app, value)
    wide = {spec.name: copy.deepcopy(spec.default) for spec in ams.ROLE_FIELDS}
    wide["processes"] = 2
    result = ams.check([app], wide, PLATFORM)
    _one_line_and_secret_free(result)
    name = f"apache_modwsgi_apps[0].{variable}"
    if result["errors"]:
        assert any(
            line.startswith((f"{name}: ", f"{name}[", f"{name}.")) for line in result["errors"]
        ), (value, result["errors"])
    else:
        out = get(result["apps"][0])  # None: '' left the optional field unset
        assert out is None or re.fullmatch(pattern, out), (value, result["apps"][0])


@pytest.mark.parametrize("field", sorted(ROLE_PATTERNS))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=HOSTILE_TEXT)
def test_hostile_role_wide_values_are_refused_by_name_or_are_inert(field, value):
    wide = {spec.name: copy.deepcopy(spec.default) for spec in ams.ROLE_FIELDS}
    wide["processes"] = 2
    wide[field] = value
    if field == "admin_users":
        wide.update(admin_users=[value], admin_group="www")
    result = ams.check([copy.deepcopy(APP)], wide, PLATFORM)
    _one_line_and_secret_free(result)
    name = f"apache_modwsgi_{field}"
    if result["errors"]:
        assert any(line.startswith((f"{name}: ", f"{name}[")) for line in result["errors"]), (
            value,
            result["errors"],
        )
    else:
        assert re.fullmatch(ROLE_PATTERNS[field], value), value


@settings(max_examples=200, deadline=None)
@given(key=HOSTILE_TEXT, value=HOSTILE_TEXT)
def test_hostile_environment_is_refused_by_name_and_never_shown(key, value):
    secret = f"SECRET-{value}-END"
    app = copy.deepcopy(APP)
    app["environment"] = {key: secret}
    wide = {spec.name: copy.deepcopy(spec.default) for spec in ams.ROLE_FIELDS}
    wide["processes"] = 2
    result = ams.check([app], wide, PLATFORM)
    _one_line_and_secret_free(result, secret)
    assert all("environment" not in resolved for resolved in result["apps"])
    valid = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) and not re.search(r"[\n\r\0]", secret)
    if valid:
        assert result["errors"] == []
    else:
        assert result["errors"]
        assert all(
            line.startswith("apache_modwsgi_apps[0].environment: ") for line in result["errors"]
        )
