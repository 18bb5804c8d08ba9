"""wsgistack.deploy.nginx_gunicorn_check: the nginx_gunicorn role's input, checked in Python.

Messages of the rules the role takes from plugin_utils/schema.py are compared with what the
rule itself says (``said``), so that each line is asserted exactly - the variable, then the
rule's words - while schema.py owns those words; the role's own rules and the rules between
fields are spelled out here.
"""

from __future__ import annotations

import ast
import copy

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.filter import (
    nginx_gunicorn_check as filter_plugin,
)
from ansible_collections.wsgistack.deploy.plugins.filter.nginx_gunicorn_check import (
    FilterModule,
    nginx_gunicorn_check,
)
from ansible_collections.wsgistack.deploy.plugins.plugin_utils import schema
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.nginx_gunicorn_schema import (
    APP_FIELDS,
    WORKERS_UNSET,
    check,
    gunicorn_bind,
    ip_list,
    nginx_directive,
    nginx_size,
    python_name,
    python_value,
)

APP = {"name": "guestbook", "venv": "/opt/guestbook/venv", "module": "guestbook.wsgi:application"}
SECRET = "s3cret-PASSWORD-value"  # noqa: S105 - a test value that must never be shown


def app(**changes):
    result = copy.deepcopy(APP)
    result.update(changes)
    return result


def errors(apps, vcpus=2, **role_wide):
    return check(apps, role_wide, vcpus)["errors"]


def resolved(apps, vcpus=2, **role_wide):
    result = check(apps, role_wide, vcpus)
    assert result["errors"] == []
    return result["apps"]


def said(rule, value, *args, fix=""):
    """What a rule of schema.py says about a value it refuses (with the field's fix, its hint,
    when the rule tells none)."""
    with pytest.raises(schema.Invalid) as caught:
        rule(value, *args)
    return schema.with_fix(str(caught.value), fix)


def one_line(value):
    """What schema says about text with a line break, whatever the field."""
    return said(schema.typed, value, "str")


NAME_FIX = "give the app's name, such as guestbook"
VENV_FIX = "give the absolute path of the app's virtualenv, such as /srv/guestbook/venv"
STATIC_PATH_FIX = "give the absolute directory nginx serves it from, such as /srv/app/static"


def test_registered():
    assert FilterModule().filters() == {"nginx_gunicorn_check": nginx_gunicorn_check}


def test_the_documentation_is_yaml_and_names_the_filters_arguments():
    documentation = yaml.safe_load(filter_plugin.DOCUMENTATION)
    assert documentation["name"] == "nginx_gunicorn_check"
    assert sorted(documentation["options"]) == ["_input", "role_wide", "vcpus"]
    assert documentation["positional"] == "role_wide, vcpus"
    assert yaml.safe_load(filter_plugin.EXAMPLES)
    returned = yaml.safe_load(filter_plugin.RETURN)["_value"]["contains"]
    assert sorted(returned) == sorted(check([], {}, 1))


def test_the_filter_refuses_role_wide_that_is_not_a_mapping():
    with pytest.raises(AnsibleFilterError) as caught:
        nginx_gunicorn_check([app()], ["workers"])
    assert str(caught.value) == (
        "nginx_gunicorn_check: role_wide: expected a mapping of the role's variables, got a list"
    )


def test_the_filter_refuses_an_unknown_role_variable():
    with pytest.raises(AnsibleFilterError) as caught:
        nginx_gunicorn_check([app()], {"wrokers": 3})
    assert str(caught.value) == "nginx_gunicorn_check: role_wide: unknown options ['wrokers']"


def test_no_apps_is_fine():
    assert check([], {}, 2) == {
        "errors": [],
        "apps": [],
        "venv_requests": [],
        "wanted_packages": {},
        "health_checks": [],
    }


# ---------------------------------------------------------------- derived defaults


def test_an_app_with_only_the_required_keys_gets_the_roles_defaults():
    (got,) = resolved([app()])
    assert got == {
        "name": "guestbook",
        "venv": "/opt/guestbook/venv",
        "module": "guestbook.wsgi:application",
        "user": "guestbook",
        "group": "guestbook",
        "create_user": True,
        "chdir": None,
        "writable_paths": [],
        "sandbox": True,
        "socket_activation": False,
        "bind": "unix:/run/guestbook/gunicorn.sock",
        "workers": 5,
        "worker_class": "sync",
        "threads": 1,
        "timeout": 30,
        "graceful_timeout": 30,
        "keepalive": 5,
        "max_requests": 10000,
        "max_requests_jitter": 1000,
        "forwarded_allow_ips": "127.0.0.1,::1",
        "access_log": False,
        "loglevel": "info",
        "settings": {},
        "server_names": ["_"],
        "listen": 80,
        "default_server": False,
        "listen_ipv6": True,
        "tls_listen": 443,
        "tls_cert": None,
        "tls_key": None,
        "static": [],
        "client_max_body_size": "10m",
        "proxy_connect_timeout": 5,
        "proxy_read_timeout": 35,
        "upstream_keepalive": 16,
        "extra_nginx_directives": [],
        "health_check": "/",
        "settings_lines": [],
    }


@pytest.mark.parametrize(
    ("worker_class", "vcpus", "workers", "threads"),
    [("sync", 1, 3, 1), ("sync", 4, 9, 1), ("gthread", 4, 5, 4), ("gevent", 2, 5, 1)],
)
def test_workers_and_threads_follow_the_cpus_and_the_worker_class(
    worker_class, vcpus, workers, threads
):
    (got,) = resolved([app(worker_class=worker_class)], vcpus=vcpus)
    assert (got["workers"], got["threads"]) == (workers, threads)


def test_a_role_wide_gthread_makes_the_same_defaults():
    (got,) = resolved([app()], vcpus=2, worker_class="gthread")
    assert (got["worker_class"], got["workers"], got["threads"]) == ("gthread", 3, 4)


def test_a_cpu_count_that_is_not_a_number_counts_as_one():
    (got,) = resolved([app()], vcpus="unknown")
    assert got["workers"] == 3


def test_set_workers_and_threads_win_over_the_derived_ones():
    (got,) = resolved([app(workers=7, threads=2, worker_class="gthread")])
    assert (got["workers"], got["threads"]) == (7, 2)
    (got,) = resolved([app()], workers=6, worker_class="gthread", threads=8)
    assert (got["workers"], got["threads"]) == (6, 8)


def test_user_is_the_name_and_group_the_user():
    (by_name, by_user, both) = resolved(
        [
            app(name="a", server_names=["a"]),
            app(name="b", server_names=["b"], user="bee"),
            app(name="c", server_names=["c"], user="cee", group="web_c"),
        ]
    )
    assert (by_name["user"], by_name["group"]) == ("a", "a")
    assert (by_user["user"], by_user["group"]) == ("bee", "bee")
    assert (both["user"], both["group"]) == ("cee", "web_c")


def test_proxy_read_timeout_is_the_apps_timeout_plus_5():
    (own, wide, given) = resolved(
        [
            app(name="a", server_names=["a"], timeout=60),
            app(name="b", server_names=["b"]),
            app(name="c", server_names=["c"], proxy_read_timeout=9),
        ],
        timeout=40,
    )
    assert own["proxy_read_timeout"] == 65
    assert wide["proxy_read_timeout"] == 45
    assert given["proxy_read_timeout"] == 9


def test_the_apps_value_wins_over_the_role_wide_and_null_falls_back():
    (got,) = resolved([app(keepalive=9, loglevel=None)], keepalive=3, loglevel="debug")
    assert (got["keepalive"], got["loglevel"]) == (9, "debug")


def test_values_come_out_in_their_normal_form():
    (got,) = resolved(
        [
            app(
                venv="/opt//guestbook/venv/",
                chdir="/srv/app/./src",
                server_names=["App.Example.COM.", "*.Example.com"],
                static=[{"url": "/static/", "path": "/srv/app/static/"}],
                bind="[0:0::1]:8000",
                forwarded_allow_ips="127.0.0.1, ::1",
                client_max_body_size="1G",
                extra_nginx_directives=["  add_header X-Frame-Options DENY;  "],
            )
        ]
    )
    assert got["venv"] == "/opt/guestbook/venv"
    assert got["chdir"] == "/srv/app/src"
    assert got["server_names"] == ["app.example.com", "*.example.com"]
    assert got["static"] == [{"url": "/static", "path": "/srv/app/static"}]
    assert got["bind"] == "[::1]:8000"
    assert got["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert got["client_max_body_size"] == "1g"
    assert got["extra_nginx_directives"] == ["add_header X-Frame-Options DENY;"]


def test_numbers_given_as_text_are_numbers_and_a_size_may_be_a_number():
    (got,) = resolved([app(workers="4", client_max_body_size=0)])
    assert (got["workers"], got["client_max_body_size"]) == (4, "0")


def test_the_environment_is_checked_but_never_returned():
    result = check([app(environment={"DB_URL": SECRET})], {"environment": {"OTHER": SECRET}}, 2)
    assert result["errors"] == []
    assert "environment" not in result["apps"][0]
    assert SECRET not in repr(result)


def test_venv_requests_and_wanted_packages():
    result = check(
        [
            app(name="a", venv="/srv/shared/venv", chdir="/srv/a"),
            app(name="b", venv="/srv/shared/venv/", worker_class="gevent", server_names=["b"]),
            app(name="c", venv="/srv/c/venv", server_names=["c"]),
        ],
        {"gunicorn_version": "23.0.0", "gevent_version": "24.2.1"},
        2,
    )
    assert result["venv_requests"] == [
        {"name": "a", "path": "/srv/shared/venv", "sources": ["/srv/a"]},
        {"name": "b", "path": "/srv/shared/venv", "sources": []},
        {"name": "c", "path": "/srv/c/venv", "sources": []},
    ]
    # Apps that share a venv want the same packages: gevent for a too.
    assert result["wanted_packages"] == {
        "a": {"gunicorn": "23.0.0", "gevent": "24.2.1"},
        "b": {"gunicorn": "23.0.0", "gevent": "24.2.1"},
        "c": {"gunicorn": "23.0.0"},
    }


def test_with_errors_nothing_is_resolved():
    result = check([app(workers=0)], {}, 2)
    assert result == {
        "errors": [
            f"nginx_gunicorn_apps[0].workers: 0 is below 1; set a number >= 1{WORKERS_UNSET}"
        ],
        "apps": [],
        "venv_requests": [],
        "wanted_packages": {},
        "health_checks": [],
    }


# ---------------------------------------------------------------- naming: app or role-wide


def test_a_value_the_app_set_is_named_by_the_apps_key():
    assert errors([app(workers=0)]) == [
        "nginx_gunicorn_apps[0].workers: 0 is below 1; set a number >= 1 (or leave it unset: "
        "CPU cores + 1 with gthread, else 2 * CPU cores + 1)"
    ]


def test_a_role_wide_value_is_named_by_its_variable_once_for_all_apps():
    assert errors([app(name="a"), app(name="b", server_names=["b"])], workers=-2) == [
        "nginx_gunicorn_workers: -2 is below 1; set a number >= 1 (or leave it unset: "
        "CPU cores + 1 with gthread, else 2 * CPU cores + 1)"
    ]


def test_a_role_wide_value_an_app_overrides_is_still_checked():
    assert errors([app(workers=3)], workers=0) == [
        f"nginx_gunicorn_workers: 0 is below 1; set a number >= 1{WORKERS_UNSET}"
    ]


def test_a_rule_between_fields_names_where_each_value_came_from():
    assert errors([app(worker_class="sync")], threads=4) == [
        "nginx_gunicorn_threads: 4 with worker_class sync (nginx_gunicorn_apps[0].worker_class); "
        "set nginx_gunicorn_apps[0].worker_class to gthread (gunicorn would switch silently) or "
        "threads to 1"
    ]
    assert errors([app(threads=4)]) == [
        "nginx_gunicorn_apps[0].threads: 4 with worker_class sync (nginx_gunicorn_worker_class); "
        "set nginx_gunicorn_apps[0].worker_class to gthread (gunicorn would switch silently) or "
        "threads to 1"
    ]


def test_every_problem_is_reported_at_once():
    """The side effect of molecule/nginx_gunicorn: every line, in order."""
    apps = [
        app(name="badapp", module="guestbook.wsgi", user="root"),
        app(
            name="exposed",
            venv="opt/venv",
            bind="0.0.0.0:8000",
            forwarded_allow_ips="*",
            worker_class="sync",
            threads=4,
            server_names=["exposed.example"],
        ),
    ]
    assert errors(apps, workers=0) == [
        f"nginx_gunicorn_workers: 0 is below 1; set a number >= 1{WORKERS_UNSET}",
        "nginx_gunicorn_apps[0].module: " + said(schema.python_callable, "guestbook.wsgi"),
        "nginx_gunicorn_apps[0].user: " + said(schema.account, "root"),
        "nginx_gunicorn_apps[1].venv: " + said(schema.absolute_path, "opt/venv", fix=VENV_FIX),
        "nginx_gunicorn_apps[1].threads: 4 with worker_class sync "
        "(nginx_gunicorn_apps[1].worker_class); set nginx_gunicorn_apps[1].worker_class to "
        "gthread (gunicorn would switch silently) or threads to 1",
        "nginx_gunicorn_apps[1].forwarded_allow_ips: '*' trusts every address while gunicorn "
        "listens on 0.0.0.0:8000 (nginx_gunicorn_apps[1].bind), which others than nginx can "
        "reach; list nginx's address(es) instead, or bind to 127.0.0.1 or a unix socket",
    ]


def test_problems_within_lists_and_mappings_come_in_the_order_of_the_fields():
    assert errors(
        [
            app(
                workers=0,
                extra_nginx_directives=["gzip on"],
                static=[{"url": "/", "path": "/srv"}],
                server_names=["a b"],
                settings={"a b": 1},
                writable_paths=["tmp"],
            )
        ]
    ) == [
        "nginx_gunicorn_apps[0].writable_paths[0]: " + said(schema.absolute_path, "tmp"),
        f"nginx_gunicorn_apps[0].workers: 0 is below 1; set a number >= 1{WORKERS_UNSET}",
        "nginx_gunicorn_apps[0].settings: 'a b' is not a gunicorn setting name; give a Python "
        "name of A-Z a-z 0-9 _ (such as preload_app or worker_connections)",
        "nginx_gunicorn_apps[0].server_names[0]: " + said(schema.host_name, "a b"),
        "nginx_gunicorn_apps[0].static[0].url: '/' is where nginx passes requests to the app; "
        "serve static files under a prefix such as /static",
        "nginx_gunicorn_apps[0].extra_nginx_directives[0]: 'gzip on' is not one directive "
        "ending with ;; give one directive per list item, such as add_header X-Frame-Options "
        "DENY;",
    ]


def test_every_bad_element_of_a_list_is_reported():
    assert errors([app(server_names=["ok.example", "bad name", "also;bad"])]) == [
        "nginx_gunicorn_apps[0].server_names[1]: " + said(schema.host_name, "bad name"),
        "nginx_gunicorn_apps[0].server_names[2]: " + said(schema.host_name, "also;bad"),
    ]


# ---------------------------------------------------------------- each field's rule


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("name", "Guestbook", said(schema.app_name, "Guestbook", fix=NAME_FIX)),
        ("name", "guestbook-tls", said(schema.app_name, "guestbook-tls", fix=NAME_FIX)),
        ("venv", "opt/venv", said(schema.absolute_path, "opt/venv", fix=VENV_FIX)),
        ("venv", "/opt/../etc", said(schema.absolute_path, "/opt/../etc", fix=VENV_FIX)),
        ("module", "guestbook.wsgi", said(schema.python_callable, "guestbook.wsgi")),
        ("module", "os:system('x')", said(schema.python_callable, "os:system('x')")),
        ("user", "www-data", said(schema.account, "www-data")),
        ("user", "0", said(schema.account, "0")),
        ("group", "root", said(schema.account, "root")),
        ("group", "Bad Group", said(schema.account, "Bad Group")),
        ("create_user", "false", "expected true or false, got 'false'"),
        ("chdir", "src", said(schema.absolute_path, "src")),
        ("sandbox", "yes", "expected true or false, got 'yes'"),
        ("socket_activation", 1, "expected true or false, got 1"),
        (
            "bind",
            "localhost",
            "'localhost' is neither unix:/run/<app name>/<file> nor host:port; give one such as "
            "unix:/run/<app name>/gunicorn.sock, 127.0.0.1:8000 or [::1]:8000",
        ),
        (
            "bind",
            "127.0.0.1:70000",
            "'127.0.0.1:70000' is neither unix:/run/<app name>/<file> nor host:port; give one "
            "such as unix:/run/<app name>/gunicorn.sock, 127.0.0.1:8000 or [::1]:8000",
        ),
        (
            "bind",
            "unix:/run/guestbook/a b.sock",
            "'unix:/run/guestbook/a b.sock' is neither unix:/run/<app name>/<file> nor "
            "host:port; give one such as unix:/run/<app name>/gunicorn.sock, 127.0.0.1:8000 or "
            "[::1]:8000",
        ),
        ("workers", 0, f"0 is below 1; set a number >= 1{WORKERS_UNSET}"),
        ("workers", True, "expected a whole number, got True"),
        ("worker_class", "eventlet", said(schema.one_of("sync", "gthread", "gevent"), "eventlet")),
        ("threads", 0, "0 is below 1; set a number >= 1"),
        ("timeout", 0, "0 is below 1; set a number >= 1"),
        ("graceful_timeout", -1, "-1 is below 1; set a number >= 1"),
        ("keepalive", 0, "0 is below 1; set a number >= 1"),
        ("max_requests", -1, "-1 is below 0; set a number >= 0 (0 turns it off)"),
        ("max_requests_jitter", -5, "-5 is below 0; set a number >= 0 (0 turns it off)"),
        (
            "forwarded_allow_ips",
            "127.0.0.1,nginx.local",
            "'127.0.0.1,nginx.local' is not a comma-separated list of IP addresses; give "
            "nginx's address(es), such as 127.0.0.1,::1",
        ),
        ("access_log", "on", "expected true or false, got 'on'"),
        (
            "loglevel",
            "verbose",
            said(schema.one_of("debug", "info", "warning", "error", "critical"), "verbose"),
        ),
        ("settings", "preload_app=True", "expected a mapping, got 'preload_app=True'"),
        ("server_names", "app.example.com", "expected a list, got 'app.example.com'"),
        ("listen", 0, said(schema.port, 0)),
        ("default_server", "true", "expected true or false, got 'true'"),
        ("listen_ipv6", None, None),
        ("tls_listen", 65536, said(schema.port, 65536)),
        ("static", {"url": "/s"}, "expected a list, got {'url': '/s'}"),
        (
            "client_max_body_size",
            "10 MB",
            "'10 MB' is not an nginx size; give a number of bytes with an optional k, m or g "
            "(such as 10m or 1g; 0 for no limit)",
        ),
        ("proxy_connect_timeout", 0, "0 is below 1; set a number >= 1"),
        ("proxy_read_timeout", 0, "0 is below 1; set a number >= 1"),
        ("upstream_keepalive", -1, "-1 is below 0; set a number >= 0 (0 turns it off)"),
        ("extra_nginx_directives", "add_header X 1;", "expected a list, got 'add_header X 1;'"),
        ("health_check", "health", said(schema.health_path, "health")),
        ("health_check", "/health?a=<b>", said(schema.health_path, "/health?a=<b>")),
    ],
)
def test_each_fields_rule(key, value, message):
    given = app(**{key: value})
    if key == "name":
        given["server_names"] = ["x.example"]
    expected = [] if message is None else [f"nginx_gunicorn_apps[0].{key}: {message}"]
    assert errors([given]) == expected


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("writable_paths", "var/lib/app", said(schema.absolute_path, "var/lib/app")),
        ("server_names", "x.example; return 200 owned; #", None),
        (
            "extra_nginx_directives",
            "add_header X 1",
            "'add_header X 1' is not one directive ending with ;; give one directive per list "
            "item, such as add_header X-Frame-Options DENY;",
        ),
    ],
)
def test_each_element_of_a_list_field_has_its_rule(key, value, message):
    if message is None:
        message = said(schema.host_name, value)
    good = {
        "writable_paths": "/ok",
        "server_names": "a.example",
        "extra_nginx_directives": "gzip on;",
    }
    assert errors([app(**{key: [good[key], value]})]) == [
        f"nginx_gunicorn_apps[0].{key}[1]: {message}"
    ]


def test_required_keys():
    assert errors([{"name": "guestbook"}]) == [
        "nginx_gunicorn_apps[0].venv: required: give the absolute path of the app's virtualenv, "
        "such as /srv/guestbook/venv",
        "nginx_gunicorn_apps[0].module: required: give the WSGI entry point, such as "
        "guestbook.wsgi:application",
    ]
    assert errors([{}]) == [
        "nginx_gunicorn_apps[0].name: required: give the app's name, such as guestbook",
        "nginx_gunicorn_apps[0].venv: required: give the absolute path of the app's virtualenv, "
        "such as /srv/guestbook/venv",
        "nginx_gunicorn_apps[0].module: required: give the WSGI entry point, such as "
        "guestbook.wsgi:application",
    ]


def test_an_unknown_key_is_named():
    known = sorted(field.name for field in APP_FIELDS)
    assert errors([app(wrokers=3)]) == [
        f"nginx_gunicorn_apps[0]: unknown keys ['wrokers']; the known keys are {known}"
    ]


def test_the_apps_and_each_app_must_be_of_the_right_kind():
    assert errors("guestbook") == ["nginx_gunicorn_apps: expected a list of apps, got a str"]
    assert errors([["guestbook"]]) == [
        "nginx_gunicorn_apps[0]: expected a mapping (one app), got a list"
    ]


def test_the_factory_form_of_the_module_is_accepted():
    (got,) = resolved([app(module="guestbook.wsgi:create_app()")])
    assert got["module"] == "guestbook.wsgi:create_app()"


def test_role_only_variables():
    assert errors(
        [app()],
        gunicorn_version="latest",
        gevent_version="24.2.1; rm -rf /",
        remove_default_site="yes",
        health_check_timeout=0,
    ) == [
        "nginx_gunicorn_gunicorn_version: 'latest' is not a release version; give one such as "
        "27.0.1",
        "nginx_gunicorn_gevent_version: '24.2.1; rm -rf /' is not a release version; give one "
        "such as 27.0.1",
        "nginx_gunicorn_remove_default_site: expected true or false, got 'yes'",
        "nginx_gunicorn_health_check_timeout: 0 is below 1; set a number >= 1",
    ]


# ---------------------------------------------------------------- static locations


def test_static_entries_need_a_url_path_and_an_absolute_path():
    assert errors(
        [
            app(
                static=[
                    {"url": "/s/ { } location /x", "path": "/etc"},
                    {"url": "/media"},
                    {"url": "/files", "path": "files"},
                    {"url": "/a", "path": "/a", "expires": "1h"},
                ]
            )
        ]
    ) == [
        "nginx_gunicorn_apps[0].static[0].url: " + said(schema.url_path, "/s/ { } location /x"),
        "nginx_gunicorn_apps[0].static[1].path: required: give the absolute directory nginx "
        "serves it from, such as /srv/app/static",
        "nginx_gunicorn_apps[0].static[2].path: "
        + said(schema.absolute_path, "files", fix=STATIC_PATH_FIX),
        "nginx_gunicorn_apps[0].static[3]: unknown keys ['expires']; the known keys are "
        "['path', 'url']",
    ]


def test_static_url_is_not_the_apps_location_and_not_twice():
    assert errors(
        [
            app(
                static=[
                    {"url": "/", "path": "/srv/www"},
                    {"url": "/static", "path": "/srv/a"},
                    {"url": "/static/", "path": "/srv/b"},
                ]
            )
        ]
    ) == [
        "nginx_gunicorn_apps[0].static[0].url: '/' is where nginx passes requests to the app; "
        "serve static files under a prefix such as /static",
        "nginx_gunicorn_apps[0].static[2].url: '/static' is the url of [1] too; give each "
        "static location a url of its own",
    ]


def test_a_role_wide_static_entry_is_named_by_its_variable():
    assert errors([app()], static=[{"url": "static", "path": "/srv/static"}]) == [
        "nginx_gunicorn_static[0].url: " + said(schema.url_path, "static")
    ]


# ---------------------------------------------------------------- gunicorn settings


def test_settings_are_written_as_python_literals():
    settings = {
        "preload_app": True,
        "worker_connections": 500,
        "raw_env": ["A=1", "B=x'\"\n"],
        "secure_scheme_headers": {"X-Forwarded-Proto": "https"},
        "proc_name": None,
        "graceful_ratio": 0.5,
    }
    (got,) = resolved([app(settings=settings)])
    assert got["settings_lines"] == [
        "graceful_ratio = 0.5",
        "preload_app = True",
        "proc_name = None",
        "raw_env = ['A=1', 'B=x\\'\"\\n']",
        "secure_scheme_headers = {'X-Forwarded-Proto': 'https'}",
        "worker_connections = 500",
    ]
    for line in got["settings_lines"]:
        name, literal = line.split(" = ", 1)
        assert ast.literal_eval(literal) == settings[name]


def test_a_value_cannot_break_out_of_its_literal():
    hostile = '"\nimport os; os.system("id")\n#'
    (got,) = resolved([app(settings={"proc_name": hostile})])
    (line,) = got["settings_lines"]
    module = ast.parse(line)
    assert len(module.body) == 1
    assert ast.literal_eval(line.partition(" = ")[2]) == hostile


def test_setting_names_and_values():
    assert errors(
        [
            app(
                settings={
                    "preload app": True,
                    "import": 1,
                    "x=1\nimport os\ny": 2,
                    "nan": float("nan"),
                    "when": object(),
                    "text": "\ud800",
                }
            )
        ]
    ) == [
        "nginx_gunicorn_apps[0].settings: 'preload app' is not a gunicorn setting name; give a "
        "Python name of A-Z a-z 0-9 _ (such as preload_app or worker_connections)",
        "nginx_gunicorn_apps[0].settings: 'import' is not a gunicorn setting name; give a "
        "Python name of A-Z a-z 0-9 _ (such as preload_app or worker_connections)",
        "nginx_gunicorn_apps[0].settings: 'x=1\\nimport os\\ny' is not a gunicorn setting name; "
        "give a Python name of A-Z a-z 0-9 _ (such as preload_app or worker_connections)",
        "nginx_gunicorn_apps[0].settings.nan: nan is not a finite number; give a number, text "
        "or true/false",
        "nginx_gunicorn_apps[0].settings.when: a object is not a value gunicorn's "
        "configuration can hold; give text, a number, true/false, null, or a list or mapping "
        "of them",
        "nginx_gunicorn_apps[0].settings.text: the text holds a lone surrogate, which no file "
        "can hold; fix the text",
    ]


# ---------------------------------------------------------------- extra nginx directives


@pytest.mark.parametrize(
    "directive",
    [
        "add_header X-Frame-Options DENY;",
        'add_header X-Unicode "\u00e9t\u00e9";',
        "add_header Content-Security-Policy \"default-src 'self'; img-src *\";",
        "set $x 'a\\'b;';",
        "gzip on;",
    ],
)
def test_simple_directives_pass(directive):
    (got,) = resolved([app(extra_nginx_directives=[directive])])
    assert got["extra_nginx_directives"] == [directive]


@pytest.mark.parametrize(
    ("directive", "message"),
    [
        ("add_header X 1;\nlocation /x { }", one_line("add_header X 1;\nlocation /x { }")),
        ("add_header X 1;\r", one_line("add_header X 1;\r")),
        (
            "} location /x { return 200 owned;",
            "'} location /x { return 200 owned;' contains { or }; give one simple directive per "
            "list item (such as add_header X-Frame-Options DENY;), not a block",
        ),
        (
            "add_header X 1; return 200 owned;",
            "'add_header X 1; return 200 owned;' is not one directive ending with ;; give one "
            "directive per list item, such as add_header X-Frame-Options DENY;",
        ),
        (
            "add_header X 1",
            "'add_header X 1' is not one directive ending with ;; give one directive per list "
            "item, such as add_header X-Frame-Options DENY;",
        ),
        (
            'add_header X "1;',
            "'add_header X \"1;' has an unclosed quote; close it before the final ;",
        ),
        (
            "add_header X 1; # note;",
            "'add_header X 1; # note;' holds a comment (#); give the directive alone, such as "
            "add_header X-Frame-Options DENY;",
        ),
    ],
)
def test_anything_but_one_simple_directive_is_refused(directive, message):
    assert errors([app(extra_nginx_directives=[directive])]) == [
        f"nginx_gunicorn_apps[0].extra_nginx_directives[0]: {message}"
    ]


# ---------------------------------------------------------------- the environment


def test_environment_problems_never_show_a_value():
    result = check(
        [app(environment={"1BAD": SECRET, "GOOD": SECRET + "\n", "NUL": "a\0b", "D": {"a": 1}})],
        {},
        2,
    )
    assert result["errors"] == [
        "nginx_gunicorn_apps[0].environment: " + said(schema.env_name, "1BAD"),
        "nginx_gunicorn_apps[0].environment: GOOD contains a line break or NUL; an environment "
        "value is one line of text",
        "nginx_gunicorn_apps[0].environment: NUL contains a line break or NUL; an environment "
        "value is one line of text",
        "nginx_gunicorn_apps[0].environment: D: expected a string or number, got a dict",
    ]
    assert SECRET not in repr(result)


def test_an_environment_that_is_not_a_mapping_is_not_shown():
    assert errors([app(environment=f"DB_URL={SECRET}")]) == [
        "nginx_gunicorn_apps[0].environment: expected a mapping of variable names to values, "
        "got a str (not shown: it may hold secrets)"
    ]
    assert errors([app()], environment=[SECRET]) == [
        "nginx_gunicorn_environment: expected a mapping of variable names to values, got a list "
        "(not shown: it may hold secrets)"
    ]


def test_the_role_wide_environment_is_named_by_its_variable():
    assert errors([app()], environment={"A B": "x"}) == [
        "nginx_gunicorn_environment: " + said(schema.env_name, "A B")
    ]


# ---------------------------------------------------------------- rules between fields


def test_threads_with_gevent():
    assert errors([app(worker_class="gevent", threads=2)]) == [
        "nginx_gunicorn_apps[0].threads: 2 with worker_class gevent "
        "(nginx_gunicorn_apps[0].worker_class); gevent ignores threads, set threads to 1"
    ]


@pytest.mark.parametrize(
    "bind", ["unix:/tmp/gunicorn.sock", "unix:/run/other/gunicorn.sock", "unix:/run/guestbook"]
)
def test_a_unix_socket_belongs_in_the_apps_run_directory(bind):
    assert errors([app(bind=bind)]) == [
        f"nginx_gunicorn_apps[0].bind: {bind!r} is a unix socket outside /run/guestbook/ (the "
        "unit's RuntimeDirectory); use unix:/run/guestbook/gunicorn.sock, or host:port"
    ]


@pytest.mark.parametrize(
    "bind", ["unix:/run/guestbook/gunicorn.sock", "unix:/run/guestbook/app.socket"]
)
def test_a_unix_socket_in_the_apps_run_directory_is_fine(bind):
    (got,) = resolved([app(bind=bind)])
    assert got["bind"] == bind


@pytest.mark.parametrize("bind", ["127.0.0.1:8000", "127.1.2.3:8000", "[::1]:8000", "localhost:80"])
def test_forwarded_allow_ips_star_is_fine_behind_loopback(bind):
    (got,) = resolved([app(bind=bind, forwarded_allow_ips="*")])
    assert got["forwarded_allow_ips"] == "*"


@pytest.mark.parametrize("bind", ["0.0.0.0:8000", "10.0.0.5:8000", "[::]:8000", "app.local:80"])
def test_forwarded_allow_ips_star_is_refused_on_a_reachable_bind(bind):
    (normal,) = [gunicorn_bind(bind)]
    assert errors([app(bind=bind)], forwarded_allow_ips="127.0.0.1,*") == [
        "nginx_gunicorn_forwarded_allow_ips: '*' trusts every address while gunicorn listens "
        f"on {normal} (nginx_gunicorn_apps[0].bind), which others than nginx can reach; list "
        "nginx's address(es) instead, or bind to 127.0.0.1 or a unix socket"
    ]


def test_server_names_must_not_be_empty():
    assert errors([app(server_names=[])]) == [
        "nginx_gunicorn_apps[0].server_names: empty; give at least one name (_ matches any)"
    ]
    assert errors([app()], server_names=[]) == [
        "nginx_gunicorn_server_names: empty; give at least one name (_ matches any)"
    ]


def test_tls_cert_and_key_go_together():
    assert errors([app(tls_cert="/etc/ssl/app.pem")]) == [
        "nginx_gunicorn_tls_key: unset while nginx_gunicorn_apps[0].tls_cert is set; set both "
        "(TLS) or neither (plain HTTP)"
    ]
    assert errors([app()], tls_key="/etc/ssl/app.key") == [
        "nginx_gunicorn_tls_cert: unset while nginx_gunicorn_tls_key is set; set both (TLS) or "
        "neither (plain HTTP)"
    ]


def test_tls_paths_are_absolute_and_a_bad_one_still_counts_as_set():
    assert errors(
        [app()], tls_cert="certs/guestbook.pem", tls_key="/etc/ssl/private/guestbook.key"
    ) == ["nginx_gunicorn_tls_cert: " + said(schema.absolute_path, "certs/guestbook.pem")]
    assert errors([app(tls_cert="/c.pem", tls_key="c.key")]) == [
        "nginx_gunicorn_apps[0].tls_key: " + said(schema.absolute_path, "c.key")
    ]


def test_tls_listen_is_not_the_http_port():
    assert errors([app(tls_cert="/c.pem", tls_key="/c.key", tls_listen=8080)], listen=8080) == [
        "nginx_gunicorn_apps[0].tls_listen: 8080 is the port of nginx_gunicorn_listen too; the "
        "HTTP port redirects to the HTTPS one, use two ports"
    ]
    # Without TLS the TLS port is not used.
    assert errors([app(tls_listen=80)]) == []


def test_names_are_unique():
    assert errors([app(server_names=["a"]), app(server_names=["b"]), app(server_names=["c"])]) == [
        "nginx_gunicorn_apps[1].name: 'guestbook' is the name of nginx_gunicorn_apps[0] too; "
        "give every app a name of its own",
        "nginx_gunicorn_apps[2].name: 'guestbook' is the name of nginx_gunicorn_apps[0] too; "
        "give every app a name of its own",
    ]


def test_a_server_name_belongs_to_one_app_per_port_whatever_its_case():
    assert errors(
        [
            app(name="a", server_names=["shop.example.com"]),
            app(name="b", server_names=["SHOP.example.com."]),
            app(name="c", server_names=["shop.example.com"], listen=8080),
        ]
    ) == [
        "nginx_gunicorn_apps[1].server_names: 'shop.example.com' is a server name of "
        "nginx_gunicorn_apps[0] too, on port 80; nginx would send both apps' requests to one of "
        "them, give each app names of its own (or another port)"
    ]


def test_the_tls_port_counts_for_server_names():
    tls = {"tls_cert": "/c.pem", "tls_key": "/c.key"}
    assert errors(
        [
            app(name="a", server_names=["x.example"], listen=8080, **tls),
            app(name="b", server_names=["x.example"], listen=443),
        ]
    ) == [
        "nginx_gunicorn_apps[1].server_names: 'x.example' is a server name of "
        "nginx_gunicorn_apps[0] too, on port 443; nginx would send both apps' requests to one "
        "of them, give each app names of its own (or another port)"
    ]


def test_two_apps_on_the_role_wide_catch_all_name():
    assert errors([app(name="a"), app(name="b")]) == [
        "nginx_gunicorn_server_names: '_' is a server name of nginx_gunicorn_apps[0] too, on "
        "port 80; nginx would send both apps' requests to one of them, give each app names of "
        "its own (or another port)"
    ]


def test_a_server_name_listed_twice():
    assert errors([app(server_names=["a.example", "A.example"])]) == [
        "nginx_gunicorn_apps[0].server_names: 'a.example' is listed twice; list it once"
    ]


def test_one_default_server_per_port():
    assert errors(
        [
            app(name="a", server_names=["a"], default_server=True),
            app(name="b", server_names=["b"], default_server=True),
            app(name="c", server_names=["c"], default_server=True, listen=8080),
        ]
    ) == [
        "nginx_gunicorn_apps[1].default_server: nginx_gunicorn_apps[0] is the default server on "
        "port 80 already; make at most one app per port the default server"
    ]


def test_one_tcp_bind_per_port():
    assert errors(
        [
            app(name="a", server_names=["a"], bind="127.0.0.1:8000"),
            app(name="b", server_names=["b"], bind="0.0.0.0:8000"),
            app(name="c", server_names=["c"], bind="127.0.0.2:8000"),
            app(name="d", server_names=["d"], bind="127.0.0.2:8001"),
        ]
    ) == [
        "nginx_gunicorn_apps[1].bind: 0.0.0.0:8000 takes the port of nginx_gunicorn_apps[0]'s "
        "bind 127.0.0.1:8000 too; give each app a port of its own, or a unix socket",
        "nginx_gunicorn_apps[2].bind: 127.0.0.2:8000 takes the port of nginx_gunicorn_apps[1]'s "
        "bind 0.0.0.0:8000 too; give each app a port of its own, or a unix socket",
    ]


def test_an_app_named_after_a_system_account_needs_a_user():
    assert errors([app(name="postgres")]) == [
        "nginx_gunicorn_apps[0].user: unset, so the app's name 'postgres', which is a system "
        "account; give the app a user of its own"
    ]
    (got,) = resolved([app(name="postgres", user="pg_app")])
    assert (got["user"], got["group"]) == ("pg_app", "pg_app")


# ---------------------------------------------------------------- hostile values (measured)


def test_a_server_name_cannot_add_directives():
    """Measured before: this name passed nginx -t and the site answered "owned"."""
    hostile = "x.example; return 200 owned; #"
    assert errors([app(server_names=[hostile])]) == [
        "nginx_gunicorn_apps[0].server_names[0]: " + said(schema.host_name, hostile)
    ]


def test_a_static_url_cannot_open_a_location():
    """Measured before: this entry served /x/passwd from /etc."""
    assert errors([app(static=[{"url": "/s/ { } location /x", "path": "/etc"}])]) == [
        "nginx_gunicorn_apps[0].static[0].url: " + said(schema.url_path, "/s/ { } location /x")
    ]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("chdir", "/srv/app\nExecStartPre=/bin/sh"),
        ("venv", "/srv/venv %h"),
        ("tls_cert", "/etc/ssl/a.pem;\n  include /etc/passwd"),
        ("tls_key", "/etc/ssl/$x.key"),
    ],
)
def test_a_path_cannot_reach_into_a_unit_or_server(key, value):
    given = app(**{key: value})
    if key.startswith("tls_"):
        given.setdefault("tls_cert", "/c.pem")
        given.setdefault("tls_key", "/c.key")
        given[key] = value
    if "\n" in value:
        message = one_line(value)
    else:
        message = said(schema.absolute_path, value, fix=VENV_FIX if key == "venv" else "")
    assert errors([given]) == [f"nginx_gunicorn_apps[0].{key}: {message}"]


def test_user_and_module_cannot_reach_into_the_unit():
    assert errors([app(user="app\nUser=root", module="m:app\nExecStartPre=/bin/sh")]) == [
        "nginx_gunicorn_apps[0].module: " + one_line("m:app\nExecStartPre=/bin/sh"),
        "nginx_gunicorn_apps[0].user: " + one_line("app\nUser=root"),
    ]


def test_a_size_and_an_address_list_cannot_add_directives():
    assert errors(
        [app(client_max_body_size="1m; return 200 x", forwarded_allow_ips='127.0.0.1"\nx="')]
    ) == [
        "nginx_gunicorn_apps[0].forwarded_allow_ips: " + one_line('127.0.0.1"\nx="'),
        "nginx_gunicorn_apps[0].client_max_body_size: " + said(nginx_size, "1m; return 200 x"),
    ]


# ---------------------------------------------------------------- the role's own rules alone


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "forwarded_allow_ips",
            'fe80::1%eth0";x',
            "'fe80::1%eth0\";x' is not a comma-separated list of IP addresses; give nginx's "
            "address(es), such as 127.0.0.1,::1",
        ),
        (
            "bind",
            "[fe80::1%x;y]:8000",
            "'[fe80::1%x;y]:8000' is neither unix:/run/<app name>/<file> nor host:port; give one "
            "such as unix:/run/<app name>/gunicorn.sock, 127.0.0.1:8000 or [::1]:8000",
        ),
    ],
)
def test_an_ipv6_scope_of_any_text_is_refused(key, value, message):
    assert errors([app(**{key: value})]) == [f"nginx_gunicorn_apps[0].{key}: {message}"]


def test_own_rules_return_the_normal_form():
    assert nginx_size("512K") == "512k"
    assert ip_list(" 10.0.0.1 ,::1") == "10.0.0.1,::1"
    assert gunicorn_bind("unix:/run/app//gunicorn.sock") == "unix:/run/app/gunicorn.sock"
    assert gunicorn_bind("LOCALHOST:8000") == "localhost:8000"
    assert nginx_directive(" gzip on; ") == "gzip on;"
    assert python_name("preload_app") == "preload_app"
    assert python_value((1, "a", {"k": [True, None]})) == [1, "a", {"k": [True, None]}]
    assert schema.pip_requirement("27.0.1", form="version") == "27.0.1"
    assert schema.pip_requirement("24.1rc1", form="version") == "24.1rc1"
