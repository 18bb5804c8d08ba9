"""wsgistack.deploy.apache_modwsgi_check: the apache_modwsgi role's input, every rule and message.

Messages this collection's schema rules make (plugin_utils/schema.py, tested with their exact
text in tests/unit/plugins/plugin_utils/test_schema.py) are expected here as that rule's own
message for the value (``refused(rule, value)``), after the exact variable name; messages the
role's schema makes (plugin_utils/apache_modwsgi_schema.py) are written out in full.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.filter import (
    apache_modwsgi_check as filter_module,
)
from ansible_collections.wsgistack.deploy.plugins.filter.apache_modwsgi_check import (
    FilterModule,
    apache_modwsgi_check,
)
from ansible_collections.wsgistack.deploy.plugins.plugin_utils import apache_modwsgi_schema as ams
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.schema import (
    REQUIRED,
    Invalid,
    absolute_path,
    account,
    app_name,
    dotted,
    env_name,
    health_path,
    host_name,
    one_of,
    port,
    python_callable,
    typed,
    url_path,
)

ROLE = Path(__file__).resolve().parents[4] / "roles" / "apache_modwsgi"
PLATFORM = {
    "apache_user": "www-data",
    "apache_group": "www-data",
    "socket_prefix_default": "/run/apache2/wsgi",
    "site_prefix": "",
    "log_dir": "/var/log/apache2",
}
SECRET = "s3cret-Value-never-shown"  # noqa: S105 - a test value that must never be printed
APPS = "apache_modwsgi_apps"

GUESTBOOK = {
    "name": "guestbook",
    "server_name": "guestbook.test",
    "venv": "/opt/venvs/guestbook",
    "entry": {"type": "module", "callable": "guestbook.wsgi:application"},
    "environment": {"GUESTBOOK_SECRET_KEY": SECRET},
    "writable_dirs": ["/var/lib/guestbook"],
    "static": [{"url": "/static", "path": "/var/www/apps/guestbook/static"}],
}


def refused(rule, value, *args):
    with pytest.raises(Invalid) as caught:
        rule(value, *args)
    return str(caught.value)


def fixed(message, fix):
    """A schema rule's message that tells no fix, with the field's (its hint) after '; '."""
    return message if "; " in message or "such as" in message else f"{message}; {fix}"


NAME_FIX = "give the app's name, such as guestbook"
VENV_FIX = "give the virtualenv's absolute path, such as /srv/app/venv"
HOME_FIX = "give the interpreter's prefix, such as /opt/python/3.13.5, or leave it unset"
DIR_FIX = "give the directory's absolute path, such as /var/www/apps/app"
WSGI_DIR_FIX = "give an absolute path such as /var/www/wsgi-scripts"
SITE_DIRS_FIX = "give an absolute path such as /opt/shared-site"
WRITABLE_FIX = "give an absolute path such as /var/lib/app"
STATIC_PATH_FIX = "give the absolute path of the directory Apache serves"
CERT_FIX = "give the file's absolute path, such as /etc/ssl/certs/app.pem"
KEY_FIX = "give the file's absolute path, such as /etc/ssl/private/app.key"
PROJECT_DIR_FIX = "give the directory's absolute path, such as /srv/app/src"
INI_FIX = "give the file's absolute path, such as /srv/app/production.ini"
PYTHON_FIX = (
    "give the interpreter's absolute path, such as /opt/python/3.13.5/bin/python3.13, "
    "or '' for the system's"
)
PIP_VENV_FIX = "give an absolute path such as /opt/wsgistack/mod_wsgi"
SOCKET_PREFIX_FIX = "give an absolute path such as /run/apache2/wsgi, or '' for the platform's"
PYTHON_HOME_FIX = "give the interpreter's prefix, such as /opt/python/3.13.5, or '' for none"
APPS_DIR_FIX = "give an absolute path such as /var/www/apps"


def role_wide(**changes):
    """Every role-wide value as the role passes them (processes as Ansible computes it)."""
    values = {spec.name: copy.deepcopy(spec.default) for spec in ams.ROLE_FIELDS}
    values["processes"] = 5
    values.update(changes)
    return values


def app(**changes):
    """The guestbook app with ``changes``; a change to None removes the key."""
    result = copy.deepcopy(GUESTBOOK)
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def run(apps, platform=None, **wide):
    return ams.check(apps, role_wide(**wide), {**PLATFORM, **(platform or {})})


def errors(apps, platform=None, **wide):
    return run(apps, platform, **wide)["errors"]


def error(apps, platform=None, **wide):
    """The one problem of this input."""
    found = errors(apps, platform, **wide)
    assert len(found) == 1, found
    return found[0]


def resolved(apps, platform=None, **wide):
    result = run(apps, platform, **wide)
    assert result["errors"] == [], result["errors"]
    return result["apps"]


def test_filter_is_registered_and_is_the_check():
    assert FilterModule().filters() == {"apache_modwsgi_check": apache_modwsgi_check}
    assert apache_modwsgi_check([app()], role_wide(), PLATFORM) == ams.check(
        [app()], role_wide(), PLATFORM
    )


@pytest.mark.parametrize(("wide", "platform"), [("x", PLATFORM), ({}, ["www-data"])])
def test_filter_refuses_arguments_of_the_wrong_type(wide, platform):
    with pytest.raises(AnsibleFilterError, match=r"apache_modwsgi_check: (role_wide|platform)"):
        apache_modwsgi_check([], wide, platform)


def test_the_filter_documentation_is_yaml_and_documents_the_platform():
    docs = yaml.safe_load(filter_module.DOCUMENTATION)
    assert sorted(docs["options"]) == ["_input", "platform", "role_wide"]
    assert sorted(docs["options"]["platform"]["suboptions"]) == sorted(PLATFORM)
    assert yaml.safe_load(filter_module.EXAMPLES)
    assert sorted(yaml.safe_load(filter_module.RETURN)["_value"]["contains"]) == sorted(
        run([app()])
    )


def test_a_valid_app_has_no_problem():
    assert run([app()])["errors"] == []


# ---------------------------------------------------------------- each app field's rule


def _app_field_cases():
    where = f"{APPS}[0]"
    modes = one_of(*ams.MODES)
    return [
        # name: schema.app_name, no hyphens
        ({"name": "my-app"}, f"{where}.name: {fixed(refused(app_name, 'my-app'), NAME_FIX)}"),
        (
            {"name": "Guestbook"},
            f"{where}.name: {fixed(refused(app_name, 'Guestbook'), NAME_FIX)}",
        ),
        ({"name": None}, f"{where}.name: required: give the app's name, such as guestbook"),
        ({"mode": "fast"}, f"{where}.mode: {refused(modes, 'fast')}"),
        ({"user": "root"}, f"{where}.user: {refused(account, 'root')}"),
        ({"user": "www-data"}, f"{where}.user: {refused(account, 'www-data')}"),
        ({"user": "Bad User"}, f"{where}.user: {refused(account, 'Bad User')}"),
        ({"group": "root"}, f"{where}.group: {refused(account, 'root')}"),
        ({"create_user": "yes"}, f"{where}.create_user: {refused(typed, 'yes', 'bool')}"),
        (
            {"venv": "venvs/app"},
            f"{where}.venv: " + fixed(refused(absolute_path, "venvs/app"), VENV_FIX),
        ),
        (
            {"python_home": "/opt/py 3"},
            f"{where}.python_home: " + fixed(refused(absolute_path, "/opt/py 3"), HOME_FIX),
        ),
        (
            {"app_dir": "/srv/../etc"},
            f"{where}.app_dir: " + fixed(refused(absolute_path, "/srv/../etc"), DIR_FIX),
        ),
        (
            {"site_dirs": ["/ok", "lib"]},
            f"{where}.site_dirs[1]: " + fixed(refused(absolute_path, "lib"), SITE_DIRS_FIX),
        ),
        (
            {"writable_dirs": ["data"]},
            f"{where}.writable_dirs[0]: " + fixed(refused(absolute_path, "data"), WRITABLE_FIX),
        ),
        ({"server_name": "bad host"}, f"{where}.server_name: {refused(host_name, 'bad host')}"),
        (
            {"server_name": "*.example.com"},
            f"{where}.server_name: '*.example.com' is a wildcard; ServerName is one host name "
            "(such as app.example.com), put wildcards in server_aliases",
        ),
        (
            {"server_name": None},
            f"{where}.server_name: required: give the host name the app is served at, "
            "such as app.example.com",
        ),
        (
            {"server_aliases": "a.test"},
            f"{where}.server_aliases: {refused(typed, 'a.test', 'list')}",
        ),
        ({"default_server": "yes"}, f"{where}.default_server: {refused(typed, 'yes', 'bool')}"),
        ({"mount": "app"}, f"{where}.mount: {refused(url_path, 'app')}"),
        ({"mount": "/a/../b"}, f"{where}.mount: {refused(url_path, '/a/../b')}"),
        (
            {"static": [{"url": "static", "path": "/srv/static"}]},
            f"{where}.static[0].url: {refused(url_path, 'static')}",
        ),
        (
            {"static": [{"url": "/static", "path": "/srv/my static"}]},
            f"{where}.static[0].path: "
            + fixed(refused(absolute_path, "/srv/my static"), STATIC_PATH_FIX),
        ),
        (
            {"static": [{"url": "/static"}]},
            f"{where}.static[0].path: required: give the absolute path of the directory Apache "
            "serves",
        ),
        ({"static": ["/static"]}, f"{where}.static: {refused(typed, ['/static'], 'list', 'dict')}"),
        (
            {"pass_authorization": "on"},
            f"{where}.pass_authorization: {refused(typed, 'on', 'bool')}",
        ),
        ({"processes": 0}, f"{where}.processes: 0 is below 1; give at least 1 daemon process"),
        (
            {"threads": 0},
            f"{where}.threads: 0 is below 1; give at least 1 thread per daemon process",
        ),
        ({"processes": "five"}, f"{where}.processes: {refused(typed, 'five', 'int')}"),
        (
            {"request_timeout": -1},
            f"{where}.request_timeout: -1 is below 0; give a number of seconds (0 or more)",
        ),
        (
            {"graceful_timeout": -1},
            f"{where}.graceful_timeout: -1 is below 0; give a number of seconds (0 or more)",
        ),
        (
            {"socket_timeout": -5},
            f"{where}.socket_timeout: -5 is below 0; give a number of seconds (0 or more)",
        ),
        (
            {"queue_timeout": -1},
            f"{where}.queue_timeout: -1 is below 0; give a number of seconds (0 or more)",
        ),
        (
            {"startup_timeout": -1},
            f"{where}.startup_timeout: -1 is below 0; give a number of seconds (0 or more)",
        ),
        ({"daemon_options": ["a"]}, f"{where}.daemon_options: {refused(typed, ['a'], 'dict')}"),
        (
            {"tls_cert": "cert.pem", "tls_key": "/k.key"},
            f"{where}.tls_cert: " + fixed(refused(absolute_path, "cert.pem"), CERT_FIX),
        ),
        (
            {"tls_cert": "/c.pem", "tls_key": "key.pem"},
            f"{where}.tls_key: " + fixed(refused(absolute_path, "key.pem"), KEY_FIX),
        ),
        ({"tls_redirect": "no"}, f"{where}.tls_redirect: {refused(typed, 'no', 'bool')}"),
        (
            {"mode": "proxy", "proxy_upstream": "localhost:8000"},
            f"{where}.proxy_upstream: 'localhost:8000' is not an upstream URL: "
            "http://host[:port][/path] (or https://), such as http://127.0.0.1:8000/, or a Unix "
            "socket as unix:/run/app/gunicorn.sock|http://localhost/",
        ),
        (
            {"mode": "proxy", "proxy_upstream": "http://127.0.0.1:8000/", "proxy_retry": -1},
            f"{where}.proxy_retry: -1 is below 0; give a number of seconds (0 or more)",
        ),
        ({"health_check": "health"}, f"{where}.health_check: {refused(health_path, 'health')}"),
        ({"health_check": "/h?a b"}, f"{where}.health_check: {refused(health_path, '/h?a b')}"),
        (
            {"revision": "v1 final"},
            f"{where}.revision: 'v1 final' is not a revision: up to 128 of A-Z a-z 0-9 . _ + : @ "
            "/ ~ - (such as a commit id or v1.4.2)",
        ),
        ({"revision": 42}, f"{where}.revision: {refused(typed, 42, 'str')}"),
        (
            {"colour": "blue"},
            f"{where}: unknown keys ['colour']; the known keys are "
            f"{sorted(spec.name for spec in ams.APP_FIELDS)}",
        ),
    ]


@pytest.mark.parametrize(("changes", "message"), _app_field_cases())
def test_each_app_field_rule(changes, message):
    assert error([app(**changes)]) == message


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BAD-NAME": SECRET}, refused(env_name, "BAD-NAME")),
        ({"1ST": SECRET}, refused(env_name, "1ST")),
        (
            {"KEY": f"{SECRET}\nEXTRA=1"},
            "KEY contains a line break or NUL; an environment value is one line of text",
        ),
        (
            {"KEY": f"{SECRET}\0"},
            "KEY contains a line break or NUL; an environment value is one line of text",
        ),
        ({"KEY": [SECRET]}, "KEY: expected a string or number, got a list"),
    ],
)
def test_environment_is_checked_and_never_shown(env, message):
    result = run([app(environment=env)])
    assert result["errors"] == [f"{APPS}[0].environment: {message}"]
    assert SECRET not in str(result)


def test_environment_that_is_no_mapping_is_not_shown():
    result = run([app(environment=f"KEY={SECRET}")])
    assert result["errors"] == [
        f"{APPS}[0].environment: expected a mapping of variable names to values, got a str "
        "(not shown: it may hold secrets)"
    ]
    assert SECRET not in str(result)


def test_an_app_that_is_no_mapping_is_not_shown():
    result = run([[SECRET]])
    assert result["errors"] == [f"{APPS}[0]: expected a mapping describing one app, got a list"]
    assert SECRET not in str(result)


def test_every_bad_environment_entry_is_reported():
    result = run([app(environment={"A-B": SECRET, "OK": "fine", "C": f"{SECRET}\r"})])
    assert result["errors"] == [
        f"{APPS}[0].environment: {refused(env_name, 'A-B')}",
        f"{APPS}[0].environment: C contains a line break or NUL; an environment value is one "
        "line of text",
    ]
    assert SECRET not in str(result)


@pytest.mark.parametrize(
    ("changes", "variable", "value"),
    [
        ({"name": "guestbook\n"}, "name", "guestbook\n"),
        ({"user": "gb\n"}, "user", "gb\n"),
        ({"venv": "/opt/venvs/guestbook\n"}, "venv", "/opt/venvs/guestbook\n"),
        ({"server_name": "guestbook.test\n"}, "server_name", "guestbook.test\n"),
        ({"server_aliases": ["b.test\n"]}, "server_aliases[0]", "b.test\n"),
        ({"site_dirs": ["/opt/s\n"]}, "site_dirs[0]", "/opt/s\n"),
        ({"mount": "/app\n"}, "mount", "/app\n"),
        ({"health_check": "/h\n"}, "health_check", "/h\n"),
        ({"static": [{"url": "/s\n", "path": "/srv/s"}]}, "static[0].url", "/s\n"),
        (
            {"entry": {"type": "module", "callable": "a.b:app\n"}},
            "entry.callable",
            "a.b:app\n",
        ),
        ({"entry": {"type": "django", "settings": "a.b\n"}}, "entry.settings", "a.b\n"),
        ({"mode": "daemon\u2028"}, "mode", "daemon\u2028"),
    ],
)
def test_a_trailing_line_break_is_refused_everywhere(changes, variable, value):
    # schema's ^...$ patterns read with re.match take 'x\n' for 'x'; this module does not.
    assert error([app(**changes)]) == (
        f"{APPS}[0].{variable}: {value!r} contains a line break or another control character; "
        "give it on one line"
    )


def test_a_trailing_line_break_in_an_environment_name_is_refused():
    assert error([app(environment={"KEY\n": SECRET})]) == (
        f"{APPS}[0].environment: 'KEY\\n' is not an environment variable name: letters, digits "
        "and _, not starting with a digit"
    )


def test_a_trailing_line_break_in_a_role_wide_path_is_refused():
    assert error([app()], wsgi_dir="/var/www/wsgi\n") == (
        "apache_modwsgi_wsgi_dir: '/var/www/wsgi\\n' contains a line break or another control "
        "character; give it on one line"
    )


def test_every_bad_alias_is_reported_by_its_index():
    assert errors([app(server_aliases=["ok.test", "bad host", "also_bad!"])]) == [
        f"{APPS}[0].server_aliases[1]: {refused(host_name, 'bad host')}",
        f"{APPS}[0].server_aliases[2]: {refused(host_name, 'also_bad!')}",
    ]


# ---------------------------------------------------------------- the entry point


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"type": "uwsgi"},
            f"{APPS}[0].entry.type: "
            + fixed(
                refused(one_of("module", "django", "paste"), "uwsgi"),
                "give module, django or paste",
            ),
        ),
        ({"callable": "a:b"}, f"{APPS}[0].entry.type: required: give module, django or paste"),
        (
            {"type": "module"},
            f"{APPS}[0].entry.callable: entry type module needs callable; give "
            "'package.module:application'",
        ),
        (
            {"type": "module", "callable": "guestbook.wsgi"},
            f"{APPS}[0].entry.callable: {refused(python_callable, 'guestbook.wsgi')}",
        ),
        (
            {"type": "module", "callable": "os:system('id')"},
            f"{APPS}[0].entry.callable: " + refused(python_callable, "os:system('id')"),
        ),
        (
            {"type": "django"},
            f"{APPS}[0].entry.settings: entry type django needs settings; give 'project.settings'",
        ),
        (
            {"type": "django", "settings": "proj.settings; import os"},
            f"{APPS}[0].entry.settings: {refused(dotted, 'proj.settings; import os')}",
        ),
        (
            {"type": "django", "settings": "p.settings", "project_dir": "src"},
            f"{APPS}[0].entry.project_dir: "
            + fixed(refused(absolute_path, "src"), PROJECT_DIR_FIX),
        ),
        (
            {"type": "paste"},
            f"{APPS}[0].entry.ini: entry type paste needs ini; give the absolute path of the "
            "PasteDeploy ini file",
        ),
        (
            {"type": "paste", "ini": "/srv/app/prod ini"},
            f"{APPS}[0].entry.ini: " + fixed(refused(absolute_path, "/srv/app/prod ini"), INI_FIX),
        ),
        (
            {"type": "paste", "ini": "/srv/app/production.ini", "app_name": "main app"},
            f"{APPS}[0].entry.app_name: 'main app' is not a PasteDeploy app name: up to 64 of "
            "A-Z a-z 0-9 _ . - (the NAME of an [app:NAME] section, such as main)",
        ),
        (
            {"type": "module", "callable": "a:b", "settings": "p.settings"},
            f"{APPS}[0].entry.settings: only entry type django reads settings; remove it (this "
            "entry's type is module)",
        ),
        (
            {"type": "django", "settings": "p.settings", "ini": "/a.ini"},
            f"{APPS}[0].entry.ini: only entry type paste reads ini; remove it (this entry's type "
            "is django)",
        ),
        (
            {"type": "module", "callable": "a:b", "module": "x"},
            f"{APPS}[0].entry: unknown keys ['module']; the known keys are "
            "['app_name', 'callable', 'ini', 'project_dir', 'settings', 'type']",
        ),
    ],
)
def test_entry_rules(entry, message):
    assert error([app(entry=entry)]) == message


def test_entry_factory_form_and_every_type_are_accepted():
    apps = [
        app(entry={"type": "module", "callable": "pkg.mod:create_app()"}),
        app(
            name="dj",
            server_name="dj.test",
            entry={"type": "django", "settings": "proj.settings", "project_dir": "/srv/dj/src"},
        ),
        app(
            name="pa",
            server_name="pa.test",
            entry={"type": "paste", "ini": "/srv/pa/production.ini", "app_name": "main"},
        ),
    ]
    entries = [a["entry"] for a in resolved(apps)]
    assert entries[0]["callable"] == "pkg.mod:create_app()"
    assert entries[1]["project_dir"] == "/srv/dj/src"
    assert entries[2]["app_name"] == "main"


# ---------------------------------------------------------------- daemon_options


DAEMON_SET = [
    ("user", "the app's user"),
    ("group", "the app's group"),
    ("processes", "the app's processes"),
    ("threads", "the app's threads"),
    ("python-home", "the app's python_home"),
    ("home", "the app's app_dir"),
    ("request-timeout", "the app's request_timeout"),
    ("graceful-timeout", "the app's graceful_timeout"),
    ("socket-timeout", "the app's socket_timeout"),
    ("queue-timeout", "the app's queue_timeout"),
    ("startup-timeout", "the app's startup_timeout"),
    ("lang", "apache_modwsgi_locale"),
    ("locale", "apache_modwsgi_locale"),
]
ALLOWED = (
    "connect-timeout, cpu-priority, cpu-time-limit, deadlock-timeout, eviction-timeout, "
    "header-buffer-size, inactivity-timeout, listen-backlog, maximum-requests, memory-limit, "
    "receive-buffer-size, response-buffer-size, response-socket-timeout, restart-interval, "
    "send-buffer-size, shutdown-timeout, stack-size, umask, virtual-memory-limit"
)


@pytest.mark.parametrize(("option", "source"), DAEMON_SET)
def test_daemon_options_never_set_what_the_vhost_sets(option, source):
    assert error([app(daemon_options={option: "root"})]) == (
        f"{APPS}[0].daemon_options.{option}: {option} is set by the role from {source}; "
        f"set that instead, not {option}"
    )


def test_daemon_options_never_set_the_display_name():
    assert error([app(daemon_options={"display-name": "x"})]) == (
        f"{APPS}[0].daemon_options.display-name: display-name is set by the role "
        "(display-name=%{GROUP} is how it finds the app's daemon processes to restart them); "
        "remove it"
    )


@pytest.mark.parametrize(
    "option",
    ["chroot", "python-path", "supplementary-groups", "script-user", "socket-user", "python-eggs"],
)
def test_daemon_options_refuse_what_is_not_allowed(option):
    assert error([app(daemon_options={option: "/"})]) == (
        f"{APPS}[0].daemon_options.{option}: {option!r} is not an option daemon_options may set; "
        f"remove it, or use one of {ALLOWED}"
    )


def test_daemon_option_names_that_are_no_option_name_are_not_in_the_variable_name():
    assert error([app(daemon_options={"x y=1": 1})]) == (
        f"{APPS}[0].daemon_options: 'x y=1' is not an option daemon_options may set; "
        f"remove it, or use one of {ALLOWED}"
    )
    assert error([app(daemon_options={"umask\nuser": 1})]) == (
        f"{APPS}[0].daemon_options: 'umask\\nuser' contains a line break or another control "
        "character; give it on one line"
    )


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (
            "maximum-requests",
            "10 user=root",
            "'10 user=root' is not a whole number of 0 or more; give a number of requests",
        ),
        (
            "maximum-requests",
            -1,
            "-1 is not a whole number of 0 or more; give a number of requests",
        ),
        (
            "maximum-requests",
            True,
            "True is not a whole number of 0 or more; give a number of requests",
        ),
        (
            "inactivity-timeout",
            1.5,
            "1.5 is not a whole number of 0 or more; give a number of seconds",
        ),
        ("stack-size", "512K", "'512K' is not a whole number of 0 or more; give a number of bytes"),
        (
            "listen-backlog",
            None,
            "None is not a whole number of 0 or more; give a number of connections",
        ),
        ("cpu-priority", 21, "21 is not a priority; give a whole number from -20 to 20"),
        ("cpu-priority", "x", "'x' is not a priority; give a whole number from -20 to 20"),
        (
            "umask",
            23,
            "23 is not a umask; give it as a quoted string of octal digits such as "
            "'0027' (unquoted, YAML reads 0027 as the number 23)",
        ),
        (
            "umask",
            "0089",
            "'0089' is not a umask; give it as a quoted string of octal digits such "
            "as '0027' (unquoted, YAML reads 0027 as the number 23)",
        ),
    ],
)
def test_daemon_option_values(option, value, message):
    assert error([app(daemon_options={option: value})]) == (
        f"{APPS}[0].daemon_options.{option}: {message}"
    )


def test_daemon_options_every_problem_and_normal_forms():
    options = {"group": "root", "user": "root", "maximum-requests": "x", "chroot": "/"}
    assert len(errors([app(daemon_options=options)])) == 4
    (ok,) = resolved(
        [
            app(
                daemon_options={
                    "maximum-requests": "10000",
                    "inactivity-timeout": 300,
                    "cpu-priority": "-5",
                    "umask": "027",
                }
            )
        ]
    )
    assert ok["daemon_options"] == {
        "maximum-requests": 10000,
        "inactivity-timeout": 300,
        "cpu-priority": -5,
        "umask": "0027",
    }


# ---------------------------------------------------------------- extra_directives


@pytest.mark.parametrize(
    ("lines", "index", "message"),
    [
        (
            ["Header set X 1", "Header set Y 2\nInclude /etc/shadow"],
            1,
            "contains a line break or another control character; give each directive as a list "
            "item of its own",
        ),
        (
            ["Header set X 1\r"],
            0,
            "contains a line break or another control character; give each directive as a list "
            "item of its own",
        ),
        (
            ["<Directory />"],
            0,
            "opens or closes a section (<...>); extra_directives are single directives inside the "
            "app's <VirtualHost>, never sections",
        ),
        (
            ["  </VirtualHost>"],
            0,
            "opens or closes a section (<...>); extra_directives are single directives inside the "
            "app's <VirtualHost>, never sections",
        ),
        (
            ["Header set X \\"],
            0,
            "ends with \\, which would join the virtual host's next line to it; remove the "
            "backslash",
        ),
        (
            [{"Header": "x"}],
            0,
            "expected a line of text, got a dict; give each directive as a string",
        ),
    ],
)
def test_extra_directives_are_single_lines(lines, index, message):
    assert error([app(extra_directives=lines)]) == (
        f"{APPS}[0].extra_directives[{index}]: {message}"
    )


def test_extra_directives_of_another_type():
    assert error([app(extra_directives={"a": 1})]) == (
        f"{APPS}[0].extra_directives: expected a list of directives (or one directive), got a dict"
    )


def test_extra_directives_one_string_is_one_line():
    (ok,) = resolved([app(extra_directives="Header set X-Frame-Options DENY")])
    assert ok["extra_directives"] == ["Header set X-Frame-Options DENY"]


# ---------------------------------------------------------------- the proxy upstream


@pytest.mark.parametrize(
    "upstream",
    [
        "http://127.0.0.1:8000",
        "http://127.0.0.1:8000/",
        "https://backend.internal:8443/app/",
        "http://[::1]:8000/",
        "unix:/run/app/gunicorn.sock|http://localhost/",
    ],
)
def test_proxy_upstreams_accepted(upstream):
    (ok,) = resolved([app(mode="proxy", venv=None, entry=None, proxy_upstream=upstream)])
    assert ok["proxy_upstream"] == upstream


@pytest.mark.parametrize(
    "upstream",
    [
        'http://127.0.0.1:8000/" retry=0',
        "http://127.0.0.1:8000/ nocanon",
        "ftp://127.0.0.1/",
        "http://127.0.0.1:99999/",
        "http://user@host/",
        "http://host/?q=1",
        "http://host/a/../b",
        "http://[zz::1]/",
        "http://999.1.1.1/",
        "unix:/run/my sock|http://localhost/",
        "unix:relative.sock|http://localhost/",
        "http://-bad-.example/",
    ],
)
def test_proxy_upstreams_refused(upstream):
    assert error([app(mode="proxy", venv=None, entry=None, proxy_upstream=upstream)]) == (
        f"{APPS}[0].proxy_upstream: {refused(ams.proxy_upstream, upstream)}"
    )
    assert refused(ams.proxy_upstream, upstream).startswith(f"{upstream!r} is not an upstream URL")


# ---------------------------------------------------------------- role-wide variables


def _role_wide_cases():
    tokens = one_of("Prod", "ProductOnly", "Major", "Minor", "Min", "Minimal", "OS", "Full")
    return [
        (
            {"python": "python3"},
            "apache_modwsgi_python: " + fixed(refused(absolute_path, "python3"), PYTHON_FIX),
        ),
        (
            {"pip_venv": "venv"},
            "apache_modwsgi_pip_venv: " + fixed(refused(absolute_path, "venv"), PIP_VENV_FIX),
        ),
        (
            {"pip_spec": "--index-url=http://evil/ mod_wsgi"},
            "apache_modwsgi_pip_spec: '--index-url=http://evil/ mod_wsgi' is not a pip "
            "requirement of a name and optional versions, such as mod_wsgi==5.0.2",
        ),
        ({"mode": "fast"}, f"apache_modwsgi_mode: {refused(one_of(*ams.MODES), 'fast')}"),
        ({"create_user": "yes"}, f"apache_modwsgi_create_user: {refused(typed, 'yes', 'bool')}"),
        (
            {"processes": 0},
            "apache_modwsgi_processes: 0 is below 1; give at least 1 daemon process",
        ),
        (
            {"threads": 0},
            "apache_modwsgi_threads: 0 is below 1; give at least 1 thread per daemon process",
        ),
        (
            {"request_timeout": -1},
            "apache_modwsgi_request_timeout: -1 is below 0; give a number of seconds (0 or more)",
        ),
        (
            {"graceful_timeout": -1},
            "apache_modwsgi_graceful_timeout: -1 is below 0; give a number of seconds (0 or more)",
        ),
        (
            {"socket_timeout": -1},
            "apache_modwsgi_socket_timeout: -1 is below 0; give a number of seconds (0 or more)",
        ),
        (
            {"queue_timeout": -1},
            "apache_modwsgi_queue_timeout: -1 is below 0; give a number of seconds (0 or more)",
        ),
        (
            {"startup_timeout": -1},
            "apache_modwsgi_startup_timeout: -1 is below 0; give a number of seconds (0 or more)",
        ),
        (
            {"pass_authorization": "no"},
            f"apache_modwsgi_pass_authorization: {refused(typed, 'no', 'bool')}",
        ),
        ({"tls_redirect": 1}, f"apache_modwsgi_tls_redirect: {refused(typed, 1, 'bool')}"),
        (
            {"proxy_retry": -1},
            "apache_modwsgi_proxy_retry: -1 is below 0; give a number of seconds (0 or more)",
        ),
        (
            {"health_check_timeout": 0},
            "apache_modwsgi_health_check_timeout: 0 is below 1; give a number of seconds "
            "(1 or more)",
        ),
        (
            {"locale": "en_US.UTF-8 lang=C"},
            "apache_modwsgi_locale: 'en_US.UTF-8 lang=C' is not a locale name such as C.UTF-8 or "
            "en_US.UTF-8",
        ),
        (
            {"socket_prefix": "run/wsgi"},
            "apache_modwsgi_socket_prefix: "
            + fixed(refused(absolute_path, "run/wsgi"), SOCKET_PREFIX_FIX),
        ),
        (
            {"restrict_embedded": "true"},
            f"apache_modwsgi_restrict_embedded: {refused(typed, 'true', 'bool')}",
        ),
        (
            {"python_home": "/opt/py home"},
            "apache_modwsgi_python_home: "
            + fixed(refused(absolute_path, "/opt/py home"), PYTHON_HOME_FIX),
        ),
        (
            {"wsgi_dir": "wsgi"},
            "apache_modwsgi_wsgi_dir: " + fixed(refused(absolute_path, "wsgi"), WSGI_DIR_FIX),
        ),
        ({"apps_dir": "/var/www/"}, None),
        (
            {"apps_dir": "apps"},
            "apache_modwsgi_apps_dir: " + fixed(refused(absolute_path, "apps"), APPS_DIR_FIX),
        ),
        (
            {"admin_group": "root"},
            "apache_modwsgi_admin_group: root is the superuser's group; give a group of the "
            "people who deploy",
        ),
        (
            {"admin_group": "Admins"},
            "apache_modwsgi_admin_group: "
            + fixed(
                refused(account, "Admins"),
                "give the group of the people who deploy, or '' for none",
            ),
        ),
        # An existing group or login the role only names may be a system account's.
        ({"admin_group": "adm", "admin_users": ["daemon"]}, None),
        (
            {"admin_group": "www", "admin_users": ["alice", "Bob"]},
            "apache_modwsgi_admin_users[1]: "
            + fixed(refused(account, "Bob"), "give the login name of an existing user"),
        ),
        (
            {"server_tokens": "Full OS"},
            f"apache_modwsgi_server_tokens: {refused(tokens, 'Full OS')}",
        ),
        (
            {"server_tokens": "Prod\nInclude /x"},
            "apache_modwsgi_server_tokens: 'Prod\\nInclude /x' contains a line break or another "
            "control character; give it on one line",
        ),
        (
            {"server_signature": "Off"},
            f"apache_modwsgi_server_signature: {refused(typed, 'Off', 'bool')}",
        ),
        ({"trace_enable": None}, None),
        (
            {"directory_indexes": 0},
            f"apache_modwsgi_directory_indexes: {refused(typed, 0, 'bool')}",
        ),
        ({"default_site": "no"}, f"apache_modwsgi_default_site: {refused(typed, 'no', 'bool')}"),
        ({"catchall": "yes"}, f"apache_modwsgi_catchall: {refused(typed, 'yes', 'bool')}"),
        (
            {"tls_protocols": "-all +TLSv1.2;"},
            "apache_modwsgi_tls_protocols: '-all +TLSv1.2;' is not an SSLProtocol list: all, "
            "TLSv1.2, TLSv1.3 (or TLSv1, TLSv1.1, SSLv3), each optionally prefixed with + or -, "
            "separated by single spaces, such as '-all +TLSv1.2 +TLSv1.3'",
        ),
        ({"http_port": 0}, f"apache_modwsgi_http_port: {refused(port, 0)}"),
        ({"https_port": 70000}, f"apache_modwsgi_https_port: {refused(port, 70000)}"),
    ]


@pytest.mark.parametrize(("wide", "message"), _role_wide_cases())
def test_each_role_wide_rule(wide, message):
    found = errors([app()], **wide)
    assert found == ([message] if message else [])


def test_role_wide_optional_values_may_be_empty():
    assert errors([app()], python="", python_home="", socket_prefix="", admin_group="") == []


@pytest.mark.parametrize("prefix", ["/tmp/wsgi", "/tmp", "/var/tmp/apache/wsgi"])
def test_socket_prefix_never_under_tmp(prefix):
    assert error([app()], socket_prefix=prefix) == (
        f"apache_modwsgi_socket_prefix: {prefix} is under /tmp or /var/tmp, where any user can "
        "create files; give a directory outside them, such as /run/apache2/wsgi (or '' for that)"
    )


def test_socket_prefix_beside_tmp_is_fine():
    assert errors([app()], socket_prefix="/tmpfs/wsgi") == []


def test_admin_users_need_the_admin_group():
    assert error([app()], admin_users=["alice"]) == (
        "apache_modwsgi_admin_users: the admins need apache_modwsgi_admin_group; set the group "
        "they share, or leave apache_modwsgi_admin_users empty"
    )


def test_admin_group_is_not_apaches():
    assert error([app()], admin_group="www-data") == (
        "apache_modwsgi_admin_group: www-data is Apache's group, whose processes could then "
        "replace the .wsgi files; give a group of the people who deploy"
    )


def test_apps_must_be_a_list():
    assert error({"name": "guestbook"}) == f"{APPS}: expected a list of apps, got a dict"


# ---------------------------------------------------------------- role-wide vs the app's own


def test_a_role_wide_value_is_named_once_as_the_role_wide_variable():
    apps = [app(), app(name="two", server_name="two.test", writable_dirs=[])]
    assert errors(apps, processes=0) == [
        "apache_modwsgi_processes: 0 is below 1; give at least 1 daemon process"
    ]


def test_the_apps_own_value_is_named_as_the_apps():
    apps = [app(), app(name="two", server_name="two.test", writable_dirs=[], processes=0)]
    assert errors(apps) == [f"{APPS}[1].processes: 0 is below 1; give at least 1 daemon process"]


def test_embedded_mode_is_named_where_it_was_chosen():
    message = (
        "embedded mode runs the app inside Apache's own processes, which "
        "apache_modwsgi_restrict_embedded: true forbids; set apache_modwsgi_restrict_embedded: "
        "false to choose it, or use mode daemon"
    )
    assert error([app(mode="embedded")]) == f"{APPS}[0].mode: {message}"
    assert error([app()], mode="embedded") == f"apache_modwsgi_mode: {message}"
    assert errors([app(mode="embedded")], restrict_embedded=False) == []


def test_inherited_values_come_from_the_role_wide_variables():
    (ok,) = resolved(
        [app()],
        processes=7,
        threads=3,
        request_timeout=30,
        graceful_timeout=10,
        socket_timeout=20,
        queue_timeout=5,
        startup_timeout=9,
        pass_authorization=True,
        tls_redirect=False,
        proxy_retry=2,
        create_user=False,
    )
    assert {key: ok[key] for key in ams.INHERITED} == {
        "mode": "daemon",
        "create_user": False,
        "processes": 7,
        "threads": 3,
        "request_timeout": 30,
        "graceful_timeout": 10,
        "socket_timeout": 20,
        "queue_timeout": 5,
        "startup_timeout": 9,
        "pass_authorization": True,
        "tls_redirect": False,
        "proxy_retry": 2,
    }
    (own,) = resolved([app(processes="2", threads=4)], processes=7)
    assert (own["processes"], own["threads"]) == (2, 4)


# ---------------------------------------------------------------- cross-field rules


@pytest.mark.parametrize("mode", ["daemon", "embedded"])
def test_wsgi_modes_need_a_venv_and_an_entry(mode):
    assert errors([app(mode=mode, venv=None, entry=None)], restrict_embedded=False) == [
        f"{APPS}[0].entry: mode {mode} needs entry (how the .wsgi loads the app); give "
        "{type: module, callable: 'package.module:application'} or a django or paste entry",
        f"{APPS}[0].venv: mode {mode} needs venv; give the absolute path of the app's virtualenv "
        "(wsgistack.deploy.virtualenv makes it), or use mode proxy",
    ]


def test_the_mode_need_is_named_at_the_role_wide_mode_when_unset_there():
    assert errors([app(venv="")]) == [
        f"{APPS}[0].venv: mode daemon needs venv; give the absolute path of the app's virtualenv "
        "(wsgistack.deploy.virtualenv makes it), or use mode proxy"
    ]


def test_proxy_mode_needs_an_upstream():
    assert error([app(mode="proxy", venv=None, entry=None)]) == (
        f"{APPS}[0].proxy_upstream: mode proxy needs proxy_upstream; give the app server's URL, "
        "such as http://127.0.0.1:8000/ or unix:/run/app/gunicorn.sock|http://localhost/"
    )


@pytest.mark.parametrize(
    ("tls", "message"),
    [
        (
            {"tls_cert": "/etc/ssl/certs/a.pem"},
            f"{APPS}[0].tls_key: tls_cert is given without tls_key; give both (the certificate "
            "chain and its private key) or neither",
        ),
        (
            {"tls_key": "/etc/ssl/private/a.key"},
            f"{APPS}[0].tls_cert: tls_key is given without tls_cert; give both (the certificate "
            "chain and its private key) or neither",
        ),
    ],
)
def test_tls_cert_and_key_together(tls, message):
    assert error([app(**tls)]) == message


def test_app_names_are_unique():
    apps = [app(), app(server_name="other.test", writable_dirs=[])]
    assert error(apps) == (
        f"{APPS}[1].name: 'guestbook' is already the name of {APPS}[0]; each app needs a name "
        "of its own"
    )


def test_host_names_are_unique_across_apps_whatever_their_case():
    apps = [
        app(server_aliases=["www.guestbook.test"]),
        app(name="two", server_name="Two.Test", server_aliases=["WWW.Guestbook.Test."]),
        app(name="three", server_name="guestbook.TEST", writable_dirs=[]),
    ]
    apps[1]["writable_dirs"] = []
    assert errors(apps) == [
        f"{APPS}[1].server_aliases[0]: 'www.guestbook.test' is already served by "
        f"{APPS}[0].server_aliases[0]; a host name belongs to one app (names are not "
        "case-sensitive)",
        f"{APPS}[2].server_name: 'guestbook.test' is already served by {APPS}[0].server_name; "
        "a host name belongs to one app (names are not case-sensitive)",
    ]


def test_a_host_name_twice_in_one_app():
    assert error([app(server_aliases=["Guestbook.test"])]) == (
        f"{APPS}[0].server_aliases[0]: 'guestbook.test' is already served by "
        f"{APPS}[0].server_name; a host name belongs to one app (names are not case-sensitive)"
    )


def test_the_daemon_never_runs_as_a_system_account_by_default():
    assert error([app(name="postgres", server_name="pg.test", writable_dirs=[])]) == (
        f"{APPS}[0].user: unset, so the app's name 'postgres', which is a system account; give "
        "the app a user of its own"
    )
    # Not a daemon: the name is only the name.
    assert (
        errors(
            [
                app(
                    name="postgres",
                    mode="proxy",
                    venv=None,
                    entry=None,
                    writable_dirs=[],
                    proxy_upstream="http://127.0.0.1:8000/",
                )
            ]
        )
        == []
    )


@pytest.mark.parametrize("key", ["user", "group"])
def test_the_daemon_never_runs_as_apaches_own_account(key):
    platform = {"apache_user": "webd", "apache_group": "webd"}
    assert error([app(**{key: "webd"})], platform) == (
        f"{APPS}[0].{key}: the daemon may not run as webd (root and Apache's own {key} are "
        f"refused); give the app a {key} of its own"
    )


def test_the_daemon_never_runs_as_apache_even_when_named_after_it():
    platform = {"apache_user": "webd", "apache_group": "webd"}
    assert error([app(name="webd", server_name="w.test", writable_dirs=[])], platform) == (
        f"{APPS}[0].user: the daemon may not run as webd (root and Apache's own user are "
        "refused); give the app a user of its own"
    )


@pytest.mark.parametrize(
    ("writable", "what", "protected"),
    [
        ("/opt/venvs/guestbook", "venv", "/opt/venvs/guestbook"),
        ("/opt/venvs", "venv", "/opt/venvs/guestbook"),
        ("/opt/venvs/guestbook/lib", "venv", "/opt/venvs/guestbook"),
        ("/srv/guestbook", "the code directory", "/srv/guestbook/src"),
        ("/var/www", "apache_modwsgi_wsgi_dir", "/var/www/wsgi-scripts"),
        ("/var/www/wsgi-scripts/x", "apache_modwsgi_wsgi_dir", "/var/www/wsgi-scripts"),
        ("/var/www/apps", "apache_modwsgi_apps_dir", "/var/www/apps"),
        ("/", "venv", "/opt/venvs/guestbook"),
    ],
)
def test_the_app_never_writes_its_code(writable, what, protected):
    assert error([app(app_dir="/srv/guestbook/src", writable_dirs=[writable])]) == (
        f"{APPS}[0].writable_dirs[0]: {writable} would let the app write {what} {protected}; "
        "the app never writes its own code, venv or .wsgi - give a directory of its data, such "
        "as /var/lib/guestbook"
    )


def test_the_app_may_write_below_its_code_directory():
    apps = [app(app_dir="/srv/guestbook/src", writable_dirs=["/srv/guestbook/src/uploads"])]
    assert errors(apps) == []
    apps = [app(app_dir="/var/www/apps/guestbook", writable_dirs=["/var/www/apps/guestbook/db"])]
    assert errors(apps) == []


def test_the_working_directory_of_a_package_install_may_be_its_data_directory():
    # wsgi_app_plan: an app installed from a package runs in its data directory.
    assert errors([app(app_dir="/var/lib/guestbook", writable_dirs=["/var/lib/guestbook"])]) == []


def test_at_most_one_default_server():
    apps = [
        app(default_server=True),
        app(name="two", server_name="two.test", writable_dirs=[], default_server=True),
    ]
    assert error(apps) == (
        f"{APPS}[1].default_server: {APPS}[0] is already the default server; only one app can "
        "answer the host names no app claims"
    )


def test_default_server_not_with_the_distributions_default_site():
    assert error([app(default_server=True)], default_site=True) == (
        f"{APPS}[0].default_server: the distribution's default site (apache_modwsgi_default_site: "
        "true) answers the host names no app claims; set apache_modwsgi_default_site: false, or "
        "remove default_server"
    )


def test_tls_needs_its_own_port():
    tls = {"tls_cert": "/etc/ssl/certs/a.pem", "tls_key": "/etc/ssl/private/a.key"}
    assert error([app(**tls)], https_port=80) == (
        "apache_modwsgi_https_port: 80 is apache_modwsgi_http_port too, and an app has TLS; "
        "give TLS a port of its own, such as 443"
    )
    assert errors([app()], https_port=80) == []


def test_every_problem_is_reported_at_once_in_order():
    apps = [
        app(
            user="root",
            processes=0,
            mount="flask",
            daemon_options={"group": "root"},
            entry={"type": "module", "callable": "not a callable"},
            tls_cert="/c.pem",
        ),
        app(name="guestbook", server_name="GUESTBOOK.test", environment={"BAD-NAME": SECRET}),
    ]
    result = run(apps, socket_prefix="/tmp/wsgi", wsgi_dir="wsgi")
    assert result["errors"] == [
        "apache_modwsgi_wsgi_dir: " + fixed(refused(absolute_path, "wsgi"), WSGI_DIR_FIX),
        "apache_modwsgi_socket_prefix: /tmp/wsgi is under /tmp or /var/tmp, where any user can "
        "create files; give a directory outside them, such as /run/apache2/wsgi (or '' for that)",
        f"{APPS}[0].user: {refused(account, 'root')}",
        f"{APPS}[0].mount: {refused(url_path, 'flask')}",
        f"{APPS}[0].processes: 0 is below 1; give at least 1 daemon process",
        f"{APPS}[0].daemon_options.group: group is set by the role from the app's group; set "
        "that instead, not group",
        f"{APPS}[0].entry.callable: {refused(python_callable, 'not a callable')}",
        f"{APPS}[0].tls_key: tls_cert is given without tls_key; give both (the certificate chain "
        "and its private key) or neither",
        f"{APPS}[1].environment: {refused(env_name, 'BAD-NAME')}",
        f"{APPS}[1].name: 'guestbook' is already the name of {APPS}[0]; each app needs a name of "
        "its own",
        f"{APPS}[1].server_name: 'guestbook.test' is already served by {APPS}[0].server_name; a "
        "host name belongs to one app (names are not case-sensitive)",
    ]
    assert result["apps"] == []
    assert result["venv_requests"] == []
    assert SECRET not in str(result)


def test_every_line_names_a_variable_and_a_fix():
    apps = [app(user="root", processes=0, mount="x", tls_cert="/c.pem", revision="a b")]
    for line in errors(apps, socket_prefix="/tmp/w", admin_users=["a"]):
        variable, separator, rest = line.partition(": ")
        assert re.fullmatch(r"apache_modwsgi_\w+(\[\d+\])?(\.[\w-]+(\[\d+\])?)*", variable), line
        assert separator and rest, line


# ---------------------------------------------------------------- derivations


def test_derived_values_of_a_daemon_app():
    (ok,) = resolved([app(server_name="GuestBook.Test.", server_aliases=["WWW.GuestBook.Test"])])
    assert "environment" not in ok
    assert ok["user"] == ok["group"] == "guestbook"
    assert ok["server_name"] == "guestbook.test"
    assert ok["server_aliases"] == ["www.guestbook.test"]
    assert ok["python_home"] == "/opt/venvs/guestbook"
    assert ok["python_paths"] == []
    assert ok["home"] == "/"
    assert ok["wsgi_file"] == "/var/www/wsgi-scripts/guestbook.wsgi"
    assert ok["wsgi_group"] == "guestbook"
    assert ok["syspath_block"] is False
    assert ok["tls"] is False
    assert ok["mount"] == "/"
    assert ok["health_check"] == "/"
    assert ok["site"] == "guestbook"
    assert ok["default_server"] is False
    assert ok["extra_directives"] == []
    assert ok["revision"] == ""


def test_group_follows_the_user():
    (ok,) = resolved([app(user="gbtwo")])
    assert (ok["user"], ok["group"]) == ("gbtwo", "gbtwo")
    (ok,) = resolved([app(user="gbtwo", group="gbgroup")])
    assert (ok["user"], ok["group"], ok["wsgi_group"]) == ("gbtwo", "gbgroup", "gbgroup")


def test_mount_is_normalised_and_is_the_default_health_check():
    (ok,) = resolved([app(mount="/flasktest/")])
    assert (ok["mount"], ok["health_check"]) == ("/flasktest", "/flasktest")
    (ok,) = resolved([app(mount="/flasktest", health_check="/flasktest/health")])
    assert ok["health_check"] == "/flasktest/health"
    (ok,) = resolved([app(health_check="")])
    assert ok["health_check"] == ""


def test_python_home_other_than_the_venv_and_site_dirs_need_the_syspath_block():
    (ok,) = resolved([app(python_home="/opt/python/3.13.5")])
    assert (ok["python_home"], ok["syspath_block"]) == ("/opt/python/3.13.5", True)
    (ok,) = resolved([app(site_dirs=["/opt/shared-site/"])])
    assert (ok["site_dirs"], ok["syspath_block"]) == (["/opt/shared-site"], True)


def test_code_directories_are_on_sys_path_and_the_first_is_home():
    (ok,) = resolved(
        [
            app(
                app_dir="/var/www/apps/dj/",
                entry={"type": "django", "settings": "proj.settings", "project_dir": "/srv/dj"},
            )
        ]
    )
    assert ok["python_paths"] == ["/var/www/apps/dj", "/srv/dj"]
    assert ok["home"] == "/var/www/apps/dj"


def test_embedded_apps_are_apaches():
    (ok,) = resolved([app(mode="embedded")], restrict_embedded=False)
    assert (ok["wsgi_group"], ok["syspath_block"]) == ("www-data", True)


def test_tls_and_wsgi_dir():
    (ok,) = resolved(
        [app(tls_cert="/etc/ssl/certs/a.pem", tls_key="/etc/ssl/private/a.key")],
        wsgi_dir="/srv/wsgi/",
    )
    assert ok["tls"] is True
    assert ok["wsgi_file"] == "/srv/wsgi/guestbook.wsgi"


def test_empty_optional_paths_are_unset():
    (ok,) = resolved([app(python_home="", app_dir="", tls_cert="", tls_key="")])
    assert (ok["python_home"], ok["app_dir"], ok["tls_cert"], ok["tls"]) == (
        "/opt/venvs/guestbook",
        None,
        None,
        False,
    )


def test_static_entries_are_normalised():
    (ok,) = resolved([app(static=[{"url": "/static/", "path": "/srv/static/"}])])
    assert ok["static"] == [{"url": "/static", "path": "/srv/static"}]


def test_venv_requests_are_the_apps_with_a_venv():
    apps = [
        app(app_dir="/srv/gb"),
        app(
            name="proxied",
            server_name="p.test",
            mode="proxy",
            venv=None,
            entry=None,
            writable_dirs=[],
            proxy_upstream="http://127.0.0.1:8001",
        ),
    ]
    result = run(apps)
    assert result["errors"] == []
    assert result["venv_requests"] == [
        {"name": "guestbook", "path": "/opt/venvs/guestbook", "sources": ["/srv/gb"]}
    ]
    assert [a["python_home"] for a in result["apps"]] == ["/opt/venvs/guestbook", ""]


# ---------------------------------------------------------------- default_server


def test_the_default_app_site_loads_first():
    apps = [
        app(),
        app(name="notes", server_name="notes.test", writable_dirs=[], default_server=True),
    ]
    sites = [a["site"] for a in resolved(apps)]
    assert sites == ["guestbook", ams.DEFAULT_SITE]
    # Apache loads the sites in the order of their names: the default's before every app's
    # (names start with a letter) and before the catch-all's.
    assert ams.DEFAULT_SITE < "a" and ams.DEFAULT_SITE.startswith("000-")


def test_the_site_prefix_of_the_platform():
    (ok,) = resolved([app()], {"site_prefix": "wsgistack-"})
    assert ok["site"] == "wsgistack-guestbook"
    (ok,) = resolved([app(default_server=True)], {"site_prefix": "wsgistack-"})
    assert ok["site"] == ams.DEFAULT_SITE


# ---------------------------------------------------------------- hostile values


@pytest.mark.parametrize(
    ("changes", "variable"),
    [
        ({"server_name": "a.test\nInclude /etc/shadow"}, "server_name"),
        ({"server_name": 'a.test" x'}, "server_name"),
        ({"server_aliases": ["b.test c.test"]}, "server_aliases[0]"),
        ({"mount": "/ x"}, "mount"),
        ({"mount": "/a\n</VirtualHost>"}, "mount"),
        ({"static": [{"url": "/s", "path": '/var/www" />'}]}, "static[0].path"),
        ({"venv": "/opt/venv\nWSGIRestrictEmbedded Off"}, "venv"),
        ({"python_home": "/opt/x python-path=/tmp"}, "python_home"),
        ({"user": "app user=root"}, "user"),
        ({"group": "root"}, "group"),
        (
            {"daemon_options": {"maximum-requests": "1 user=root"}},
            "daemon_options.maximum-requests",
        ),
        ({"daemon_options": {"group": "root"}}, "daemon_options.group"),
        ({"daemon_options": {"user": "root"}}, "daemon_options.user"),
        ({"extra_directives": ["</VirtualHost>"]}, "extra_directives[0]"),
        ({"extra_directives": ["Foo\n<VirtualHost *:80>"]}, "extra_directives[0]"),
        ({"revision": "r1\nimport os; os.system('id')"}, "revision"),
        ({"entry": {"type": "module", "callable": "os:system"}}, None),
        ({"entry": {"type": "module", "callable": "x:y\nimport os"}}, "entry.callable"),
        ({"entry": {"type": "django", "settings": "s'); import os"}}, "entry.settings"),
        ({"entry": {"type": "paste", "ini": '/a.ini"); import os'}}, "entry.ini"),
        ({"tls_cert": "/c.pem\nSSLEngine off", "tls_key": "/k"}, "tls_cert"),
        ({"health_check": "/h\nHost: evil"}, "health_check"),
        (
            {
                "mode": "proxy",
                "venv": None,
                "entry": None,
                "proxy_upstream": 'http://x/" retry=0 keepalive=On',
            },
            "proxy_upstream",
        ),
    ],
)
def test_hostile_values_are_refused_naming_the_field(changes, variable):
    found = errors([app(**changes)])
    if variable is None:
        # os:system is a callable name like any other: the .wsgi imports it (inert text).
        assert found == []
        return
    assert found, changes
    assert all(line.startswith(f"{APPS}[0].{variable}: ") for line in found), found


# ---------------------------------------------------------------- argument_specs in step


def _specs():
    data = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))
    return data["argument_specs"]


def _assert_in_step(fields, options, where):
    assert sorted(options) == sorted(spec.name for spec in fields), where
    for spec in fields:
        option = options[spec.name] or {}
        kind, elements = ams.argument_spec_type(spec)
        assert option.get("type", "str") == kind, f"{where}.{spec.name}: type"
        assert option.get("elements") == elements, f"{where}.{spec.name}: elements"
        assert bool(option.get("required", False)) == (spec.default is REQUIRED), (
            f"{where}.{spec.name}: required"
        )
        default = None if spec.default is REQUIRED else spec.default
        assert option.get("default") == default, f"{where}.{spec.name}: default"
        for choice in option.get("choices", []):
            assert spec.rule(choice) == choice, f"{where}.{spec.name}: choice {choice}"
        if option.get("choices"):
            with pytest.raises(Invalid):
                spec.rule("not-a-choice")


def test_argument_specs_app_options_are_the_schemas_fields():
    apps = _specs()["main"]["options"]["apache_modwsgi_apps"]
    assert (apps["type"], apps["elements"], apps["default"]) == ("list", "dict", [])
    _assert_in_step(ams.APP_FIELDS, apps["options"], "apache_modwsgi_apps[]")
    for name, fields in ams.SUBFIELDS.items():
        _assert_in_step(fields, apps["options"][name]["options"], f"apache_modwsgi_apps[].{name}")


def test_argument_specs_role_wide_options_are_the_schemas_fields():
    options = dict(_specs()["main"]["options"])
    del options["apache_modwsgi_apps"]
    assert all(name.startswith(ams.PREFIX) for name in options)
    unprefixed = {name[len(ams.PREFIX) :]: spec for name, spec in options.items()}
    _assert_in_step(ams.ROLE_FIELDS, unprefixed, "apache_modwsgi_<option>")


def test_the_validate_entry_point_has_the_same_options():
    specs = _specs()
    assert specs["validate"]["options"] == specs["main"]["options"]


def test_defaults_are_the_schemas():
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text(encoding="utf-8"))
    expected = {ams.PREFIX + spec.name: spec.default for spec in ams.ROLE_FIELDS}
    expected["apache_modwsgi_apps"] = []
    assert defaults == expected


def test_the_role_passes_every_role_wide_variable_and_the_default_site_name():
    role_vars = yaml.safe_load((ROLE / "vars" / "main.yml").read_text(encoding="utf-8"))
    assert role_vars["__apache_modwsgi_role_wide"] == {
        spec.name: "{{ apache_modwsgi_" + spec.name + " }}" for spec in ams.ROLE_FIELDS
    }
    assert role_vars["__apache_modwsgi_default_site_name"] == ams.DEFAULT_SITE


def test_inherited_app_fields_share_the_role_wide_rule():
    app_fields = {spec.name: spec for spec in ams.APP_FIELDS}
    for spec in ams.ROLE_FIELDS:
        if spec.name in ams.INHERITED:
            assert spec.rule is app_fields[spec.name].rule
            assert spec.type == app_fields[spec.name].type
            assert app_fields[spec.name].default is None  # the role-wide value applies
