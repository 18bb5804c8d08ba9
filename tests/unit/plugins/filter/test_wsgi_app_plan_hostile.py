"""Hostile strings in every string field of the app description (project issue 18).

Whatever a string field of ``wsgistack_apps`` holds, the plan either refuses it with a
message that names that field, or hands on a value that is inert where the roles write it:
one token of the characters nginx, Apache, systemd and pg_hba read as part of a word - no
space, quote, ``;``, ``{``, ``}``, ``#``, ``$``, backslash, line break or NUL - and, for paths
inside the source, still inside it. Environment values are the exception by design: any one
line of text is accepted, and the templates quote it (the stack scenarios read the values
back through systemd and mod_wsgi).

Hypothesis draws the strings from an alphabet weighted towards config syntax, alone and
appended to or prefixed by a valid value (the way an injection hides in a real name).
"""

from __future__ import annotations

import copy
import re

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.filter.wsgi_app_plan import wsgi_app_plan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BASE = {
    "name": "guestbook",
    "source": "/controller/apps/guestbook",
    "extras": ["postgres"],
    "requirements": "requirements.txt",
    "entry": {"type": "module", "callable": "guestbook.wsgi:application"},
    "user": "gbuser",
    "group": "gbgroup",
    "python": "/usr/bin/python3",
    "server_name": "guestbook.example.com",
    "server_aliases": ["www.guestbook.example.com"],
    "mount": "/",
    "static": [{"url": "/static", "dir": "src/guestbook/static"}],
    "environment": {"TITLE": "x"},
    "database": {"password": "a-long-enough-secret", "url_env": "GUESTBOOK_DATABASE_URL"},
    "health_check": "/health",
}

# field path -> (setter, getter of the value as the plan hands it on)
FIELDS = {
    "name": (lambda a, v: a.update(name=v), lambda p: p["apps"][0]["name"]),
    "user": (lambda a, v: a.update(user=v), lambda p: p["apps"][0]["user"]),
    "group": (lambda a, v: a.update(group=v), lambda p: p["apps"][0]["group"]),
    "python": (lambda a, v: a.update(python=v), lambda p: p["apps"][0]["python"]),
    "server_name": (lambda a, v: a.update(server_name=v), lambda p: p["apps"][0]["server_name"]),
    "server_aliases": (
        lambda a, v: a.update(server_aliases=[v]),
        lambda p: p["apps"][0]["server_aliases"][0],
    ),
    "mount": (lambda a, v: a.update(mount=v), lambda p: p["apps"][0]["mount"]),
    "health_check": (
        lambda a, v: a.update(health_check=v),
        lambda p: p["apps"][0]["health_check"],
    ),
    "static[0].url": (
        lambda a, v: a["static"][0].update(url=v),
        lambda p: p["apps"][0]["static"][0]["url"],
    ),
    "static[0].dir": (
        lambda a, v: a["static"][0].update(dir=v),
        lambda p: p["apps"][0]["static"][0]["path"],
    ),
    "requirements": (
        lambda a, v: a.update(requirements=v),
        lambda p: p["apps"][0]["requirements"],
    ),
    "entry.callable": (
        lambda a, v: a["entry"].update(callable=v),
        lambda p: p["apps"][0]["entry"]["callable"],
    ),
    "extras": (
        lambda a, v: a.update(extras=[v]),
        lambda p: p["virtualenvs"][0]["virtualenv_packages"][0],
    ),
    "database.name": (
        lambda a, v: a["database"].update(name=v),
        lambda p: p["postgres_pghba_databases"][0]["name"],
    ),
    "database.user": (
        lambda a, v: a["database"].update(user=v),
        lambda p: p["postgres_pghba_databases"][0]["owner"],
    ),
    "database.url_env": (
        lambda a, v: a["database"].update(url_env=v),
        lambda p: p["apps"][0]["database"]["url_env"],
    ),
    "environment": (
        lambda a, v: a.update(environment={v: "x"}),
        lambda p: next(k for k in p["apps"][0]["environment"] if k != "GUESTBOOK_DATABASE_URL"),
    ),
}
# A word in nginx, Apache, systemd unit and pg_hba syntax, unquoted.
INERT = re.compile(r"^[A-Za-z0-9._~/*:@+=,()\[\]-]*$")
SYNTAX = list(" \t\n\r\0;{}#$\"'\\`<>|&%!?^/*:()ü\u2028")
# Pieces: config syntax, word characters, and the sequences that climb or call.
hostile = st.lists(
    st.one_of(
        st.sampled_from(SYNTAX),
        st.sampled_from(list("aZ09._-")),
        st.sampled_from(["..", "../", "()", "*.", "//"]),
    ),
    max_size=12,
).map("".join)


def valid_value(field: str) -> str:
    app = copy.deepcopy(BASE)
    return FIELDS[field][1](wsgi_app_plan([app], "nginx_gunicorn"))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    field=st.sampled_from(sorted(FIELDS)),
    text=hostile,
    placement=st.sampled_from(["alone", "after", "before"]),
    stack=st.sampled_from(["nginx_gunicorn", "apache_modwsgi"]),
)
def test_a_hostile_string_is_refused_by_name_or_inert(field, text, placement, stack):
    base = (
        str(valid_value(field)).rsplit("/", maxsplit=1)[-1]
        if field == "static[0].dir"
        else valid_value(field)
    )
    value = {"alone": text, "after": f"{base}{text}", "before": f"{text}{base}"}[placement]
    app = copy.deepcopy(BASE)
    FIELDS[field][0](app, value)
    try:
        plan = wsgi_app_plan([app], stack)
    except AnsibleFilterError as error:
        head = field.split("[")[0].split(".")[0]
        assert f"wsgistack_apps[0].{head}" in str(error) or "wsgistack_apps[0]:" in str(error), str(
            error
        )
        assert "a-long-enough-secret" not in str(error)
        return
    handed_on = FIELDS[field][1](plan)
    assert INERT.match(handed_on), (field, value, handed_on)
    assert ".." not in handed_on.split("/"), (field, value, handed_on)
    if field in ("static[0].dir", "requirements"):
        assert f"{handed_on}/".startswith("/srv/guestbook/src/"), handed_on


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\0b"])
def test_environment_values_are_one_line(value):
    app = copy.deepcopy(BASE)
    app["environment"] = {"TITLE": value}
    with pytest.raises(AnsibleFilterError, match=r"wsgistack_apps\[0\]\.environment: TITLE"):
        wsgi_app_plan([app], "nginx_gunicorn")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="\n\r\0"), max_size=40))
def test_any_one_line_environment_value_is_handed_on_unchanged(value):
    app = copy.deepcopy(BASE)
    app["environment"] = {"TITLE": value}
    plan = wsgi_app_plan([app], "nginx_gunicorn")
    assert plan["apps"][0]["environment"]["TITLE"] == value
