"""Hostile text in every string of an nginx_gunicorn app: refused by name, or inert.

Each string field of an app (and each element of a list of strings, a static entry's url and
path, a gunicorn setting's name and value, an environment variable) gets generated text made
of what breaks out of nginx, systemd and Python syntax - ``; { } " ' # $ %``, line breaks,
spaces, ``..``, ``/``, NUL, non-ASCII letters and line separators - around plausible values.
The check must either refuse the app with every problem naming that field, or hand back a
value that matches the field's strict inert pattern (the alphabet its template can write
unquoted, or a Python literal that reads back as the same value).
"""

from __future__ import annotations

import ast
import copy
import re

from ansible_collections.wsgistack.deploy.plugins.plugin_utils.nginx_gunicorn_schema import (
    LOGLEVELS,
    WORKER_CLASSES,
    check,
)
from hypothesis import given, settings
from hypothesis import strategies as st

APP = {
    "name": "guestbook",
    "venv": "/opt/guestbook/venv",
    "module": "guestbook.wsgi:application",
    "tls_cert": "/etc/ssl/app.pem",
    "tls_key": "/etc/ssl/app.key",
}
WHERE = "nginx_gunicorn_apps[0]"

PATH = re.compile(r"^/[A-Za-z0-9._+@~/-]*$")
INERT = {
    "name": re.compile(r"^[a-z][a-z0-9_]{0,31}$"),
    "venv": PATH,
    "module": re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_]*(\(\))?$"),
    "user": re.compile(r"^[a-z_][a-z0-9_-]{0,31}$"),
    "group": re.compile(r"^[a-z_][a-z0-9_-]{0,31}$"),
    "chdir": PATH,
    "writable_paths": PATH,
    "bind": re.compile(
        r"^(unix:/run/guestbook/[A-Za-z0-9_][A-Za-z0-9._-]*"
        r"|(\[[0-9a-f:.]+\]|[0-9.]+|[a-z0-9.-]+):[0-9]{1,5})$"
    ),
    "worker_class": re.compile("^(" + "|".join(WORKER_CLASSES) + ")$"),
    "forwarded_allow_ips": re.compile(r"^[0-9A-Fa-f:.*]+(,[0-9A-Fa-f:.*]+)*$"),
    "loglevel": re.compile("^(" + "|".join(LOGLEVELS) + ")$"),
    "server_names": re.compile(r"^(_|(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?)$"),
    "tls_cert": PATH,
    "tls_key": PATH,
    "client_max_body_size": re.compile(r"^[0-9]+[kmg]?$"),
    # One line of a simple directive: no control character, no block, ';' last.
    "extra_nginx_directives": re.compile(r"^[^\x00-\x1f\x7f{}]*;$"),
    "health_check": re.compile(r"^(/[A-Za-z0-9._~/-]*(\?[A-Za-z0-9._~=&%+-]*)?)?$"),
}
URL = re.compile(r"^/[A-Za-z0-9._~/-]*$")
SETTING_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
LISTS = {"writable_paths", "server_names", "extra_nginx_directives"}

# Text that breaks out of nginx, systemd or Python syntax, around plausible values.
PIECES = st.sampled_from(
    [
        ";", "{", "}", '"', "'", "#", "$", "%", "\\", "\n", "\r", "\0", "\t", " ", "..", "/",
        ".", ":", "*", "_", "-", "=", "?", "&", "(", ")", "[", "]", ",", "@", "~", "+",
        "\u2028", "\u0085", "é", "Ü", "ß", "日本", "\U0001f600", "unix:", "/run/guestbook/",
        "127.0.0.1", "::1", "8000", "guestbook", "app.example.com", "/srv/app", "m.wsgi:app",
        "add_header X 1", "return 200 owned", "location /x", "ExecStartPre=", "import os",
        "10m", "/health", "gthread", "info", "${HOME}", "%h", "A", "0",
    ]
)  # fmt: skip
HOSTILE = st.lists(PIECES, min_size=1, max_size=8).map("".join) | st.text(max_size=20)


def problems_of(result: dict) -> list[str]:
    return result["errors"]


def only_about(errors: list[str], *names: str) -> bool:
    """Every error names one of the fields: WHERE.<name>, .<name>[i], .<name>.<key>."""
    prefixes = tuple(f"{WHERE}.{name}" for name in names)
    return bool(errors) and all(line.startswith(prefixes) for line in errors)


@settings(max_examples=60, deadline=None)
@given(field=st.sampled_from(sorted(INERT)), text=HOSTILE)
def test_a_hostile_string_is_refused_by_name_or_inert(field, text):
    app = copy.deepcopy(APP)
    app[field] = [text] if field in LISTS else text
    result = check([app], {}, 2)
    if result["errors"]:
        # An app named after a system account is refused on its default user.
        names = (field, "user") if field == "name" else (field,)
        assert only_about(result["errors"], *names), result["errors"]
        return
    (resolved,) = result["apps"]
    values = resolved[field] if field in LISTS else [resolved[field]]
    for value in values:
        assert INERT[field].match(value), (field, value)
        if INERT[field] is PATH:
            assert ".." not in value.split("/"), value


@settings(max_examples=60, deadline=None)
@given(url=HOSTILE, path=HOSTILE)
def test_a_hostile_static_entry_is_refused_by_name_or_inert(url, path):
    app = copy.deepcopy(APP)
    app["static"] = [{"url": url, "path": path}]
    result = check([app], {}, 2)
    if result["errors"]:
        assert only_about(result["errors"], "static[0].url", "static[0].path"), result["errors"]
        return
    (entry,) = result["apps"][0]["static"]
    assert URL.match(entry["url"]) and entry["url"] != "/", entry
    assert ".." not in entry["url"].split("/"), entry
    assert PATH.match(entry["path"]) and ".." not in entry["path"].split("/"), entry


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(HOSTILE, inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=80, deadline=None)
@given(name=HOSTILE | st.sampled_from(["preload_app", "raw_env", "import", "x"]), value=VALUES)
def test_a_hostile_gunicorn_setting_is_refused_by_name_or_reads_back(name, value):
    app = copy.deepcopy(APP)
    app["settings"] = {name: value}
    result = check([app], {}, 2)
    if result["errors"]:
        assert only_about(result["errors"], "settings"), result["errors"]
        return
    (line,) = result["apps"][0]["settings_lines"]
    assert SETTING_NAME.match(name)
    module = ast.parse(line)  # one statement, an assignment of a literal to the name
    assert len(module.body) == 1 and isinstance(module.body[0], ast.Assign)
    assert [target.id for target in module.body[0].targets] == [name]
    read = ast.literal_eval(line.partition(" = ")[2])
    assert read == value or repr(read) == repr(value), (line, value)


@settings(max_examples=60, deadline=None)
@given(name=HOSTILE | st.just("DB_URL"), text=HOSTILE)
def test_a_hostile_environment_is_refused_by_name_and_never_shown(name, text):
    secret = f"SECRET<{text}>"
    app = copy.deepcopy(APP)
    app["environment"] = {name: secret}
    result = check([app], {}, 2)
    assert secret not in repr(result)
    assert "environment" not in result["apps"][0] if result["apps"] else True
    if result["errors"]:
        assert only_about(result["errors"], "environment"), result["errors"]
