"""plugin_utils/schema.py: the rules every input check is made of, with their exact messages."""

import pytest
from ansible_collections.wsgistack.deploy.plugins.plugin_utils import schema
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.schema import (
    REQUIRED,
    Field,
    Invalid,
    Problems,
    resolve,
    typed,
)


def refused(rule, value, *args, **kwargs):
    with pytest.raises(Invalid) as caught:
        rule(value, *args, **kwargs)
    return str(caught.value)


@pytest.mark.parametrize(
    ("value", "kind", "message"),
    [
        ("false", "bool", "expected true or false, got 'false'"),
        (1, "bool", "expected true or false, got 1"),
        (True, "int", "expected a whole number, got True"),
        ("3 workers", "int", "expected a whole number, got '3 workers'"),
        (3, "str", "expected a string, got 3"),
        ("a", "list", "expected a list, got 'a'"),
        ([], "dict", "expected a mapping, got []"),
    ],
)
def test_types_are_strict(value, kind, message):
    assert refused(typed, value, kind) == message


def test_types_accept_and_convert():
    assert typed("12", "int") == 12
    assert typed(False, "bool") is False
    assert typed(["a"], "list", "str") == ["a"]
    assert refused(typed, ["a", 2], "list", "str") == "[1] expected a string, got 2"


def test_resolve_reports_every_problem_with_its_field():
    fields = [
        Field("name", "str", "", REQUIRED, schema.app_name, hint="such as blog"),
        Field("port", "int", "", 80, schema.port),
        Field("root", "str", "", "/srv", schema.absolute_path),
    ]
    problems = Problems()
    out = resolve({"port": 0, "colour": "blue"}, fields, "apps[0]", problems)
    assert problems.lines == [
        "apps[0]: unknown keys ['colour']; the known keys are ['name', 'port', 'root']",
        "apps[0].name: required: such as blog",
        "apps[0].port: 0 is not a TCP port (1 to 65535)",
    ]
    assert out == {"name": None, "port": None, "root": "/srv"}


def test_resolve_names_the_role_wide_variable_a_value_came_from():
    fields = [Field("workers", "int", "", None, schema.at_least(1, "; set 1 or more"))]
    problems = Problems()
    fallback = {"workers": ("web_workers", 0)}
    assert resolve({}, fields, "apps[0]", problems, fallback) == {"workers": None}
    assert problems.lines == ["web_workers: 0 is below 1; set 1 or more"]
    problems = Problems()
    assert resolve({"workers": 3}, fields, "apps[0]", problems, fallback) == {"workers": 3}
    assert not problems
    assert resolve("x", fields, "apps[1]", problems) == {}
    assert problems.lines == ["apps[1]: expected a mapping, got 'x'"]


@pytest.mark.parametrize("value", ["root", "www-data", "postgres", "nobody", "systemd-network"])
def test_system_accounts_are_refused(value):
    assert refused(schema.account, value) == (
        f"{value!r} is not allowed: it is a system account; the app must run as its own "
        "unprivileged user and group (leave them unset for the app's name)"
    )


@pytest.mark.parametrize("value", ["a b:c", "0", "Guest", "-x", "x" * 33, "", "bob\n"])
def test_account_names_are_refused(value):
    assert refused(schema.account, value) == (
        f"{value!r} is not a user or group name: a lower-case letter or _, then up to 31 of "
        "a-z 0-9 _ -"
    )


@pytest.mark.parametrize("value", ["blog", "_svc", "a-b_c9"])
def test_account_names_accepted(value):
    assert schema.account(value) == value


@pytest.mark.parametrize("value", ["Guest", "a-b", "1a", "a" * 33, "", "app\n"])
def test_app_names_refused(value):
    assert refused(schema.app_name, value) == (
        f"{value!r} is not an app name: a lower-case letter, then up to 31 of a-z 0-9 _ "
        "(it names the app's user, unit, site and directories)"
    )


@pytest.mark.parametrize(
    ("value", "normal"),
    [("App.Example.COM", "app.example.com"), ("*.example.com", "*.example.com"),
     ("localhost", "localhost"), ("xn--bcher-kva.example", "xn--bcher-kva.example"),
     ("example.com.", "example.com")],
)  # fmt: skip
def test_host_names_lower_cased(value, normal):
    assert schema.host_name(value) == normal


@pytest.mark.parametrize(
    "value",
    ["x.example; return 200 owned; #", "a b", "_", "*", "a.*.com", "-a.com", "a..com", "",
     "bücher.example", "a" * 64 + ".com", "x{y}", "~^.*$", ".", "a/b", "a.test\n"],
)  # fmt: skip
def test_host_names_refused(value):
    assert refused(schema.host_name, value) == (
        f"{value!r} is not a host name: dot-separated labels of a-z 0-9 and inner -, "
        "optionally starting with '*.' (such as app.example.com or *.example.com)"
    )


def test_nginx_catch_all_only_where_allowed():
    assert schema.host_name("_", catch_all=True) == "_"


@pytest.mark.parametrize(("value", "normal"), [("/", "/"), ("/static/", "/static"),
                                               ("/a/b.c~d-e_f", "/a/b.c~d-e_f")])  # fmt: skip
def test_url_paths(value, normal):
    assert schema.url_path(value) == normal


@pytest.mark.parametrize(
    "value", ["static", "/s/ { } location /x", "/a b", "/a/../etc", "/./a", "//a", "/a;b",
              "/a\nb", "/%2e%2e", "", "/a\n"],
)  # fmt: skip
def test_url_paths_refused(value):
    assert refused(schema.url_path, value) == (
        f"{value!r} is not a URL path: '/' or '/' followed by segments of A-Z a-z 0-9 . _ ~ - "
        "(no '.' or '..' segment, no //), such as /static"
    )


def test_health_paths():
    assert schema.health_path("") == ""
    assert schema.health_path("/health?full=1") == "/health?full=1"
    assert refused(schema.health_path, "/h?x=<b>") == (
        "'/h?x=<b>' has a query of other characters than A-Z a-z 0-9 . _ ~ = & % + -"
    )
    assert refused(schema.health_path, "health") == (
        "'health' is not a URL path starting with / (such as /health), or '' for none"
    )


@pytest.mark.parametrize("value", ["srv/app", "/srv/a b", "/srv/../etc", '/x"y', "/x;y",
                                   "/x{y}", "/x\ny", "", "/x\n"])  # fmt: skip
def test_absolute_paths_refused(value):
    assert refused(schema.absolute_path, value) == (
        f"{value!r} is not an absolute path of A-Z a-z 0-9 . _ + @ ~ - / only "
        "(no spaces, quotes or '..' segments)"
    )


def test_absolute_paths_normalised():
    assert schema.absolute_path("/srv//app/./static/") == "/srv/app/static"


def test_inside():
    assert schema.inside("static", "/srv/a/src") == "/srv/a/src/static"
    assert schema.inside("/srv/a/venv/lib", "/srv/a") == "/srv/a/venv/lib"
    assert refused(schema.inside, "../../etc", "/srv/a/src") == (
        "'../../etc' leads outside /srv/a/src; give a path inside it"
    )
    assert refused(schema.inside, "/srv/ab", "/srv/a") == (
        "'/srv/ab' leads outside /srv/a; give a path inside it"
    )


def test_environment():
    assert schema.environment({"A": 1, "B": True, "C": "x y"}) == {"A": "1", "B": "true",
                                                                   "C": "x y"}  # fmt: skip
    assert refused(schema.environment, {"A-B": "x"}) == (
        "'A-B' is not an environment variable name: letters, digits and _, not starting with "
        "a digit"
    )
    message = refused(schema.environment, {"SECRET": "hunter2\nEVIL=1"})
    assert message == (
        "SECRET contains a line break or NUL; an environment value is one line of text"
    )
    assert "hunter2" not in message
    assert refused(schema.environment, {"A": "x\0"}).startswith("A contains")
    assert refused(schema.environment, {"A": {"b": 1}}) == (
        "A: expected a string or number, got a dict"
    )


@pytest.mark.parametrize("value", ["pkg.wsgi:app", "pkg:create_app()", "a_b.c1:make_app"])
def test_callables(value):
    assert schema.python_callable(value) == value


@pytest.mark.parametrize("value", ["pkg.wsgi", "pkg:app(1)", "pkg:app; import os", "1x:app",
                                   "pkg:app()()", "päkg:app", "pkg:app\n"])  # fmt: skip
def test_callables_refused(value):
    assert refused(schema.python_callable, value) == (
        f"{value!r} is not 'package.module:callable' (such as 'guestbook.wsgi:application') "
        "or an app factory 'package.module:create_app()'"
    )


def test_small_rules():
    assert refused(schema.dotted, "my-site") == (
        "'my-site' is not a dotted Python module name such as 'mysite.settings'"
    )
    assert refused(schema.one_of("a", "b"), "c") == "'c' is not one of a, b"
    assert refused(schema.at_least(1, " (or leave it unset)"), 0) == (
        "0 is below 1 (or leave it unset)"
    )
    assert refused(schema.port, 65536) == "65536 is not a TCP port (1 to 65535)"
    assert refused(schema.env_name, "A\n").startswith("'A\\n' is not an environment")
    assert refused(schema.dotted, "a.b\n").startswith("'a.b\\n' is not a dotted")
    assert refused(schema.env_name, "1A") == (
        "'1A' is not an environment variable name: letters, digits and _, not starting with a digit"
    )
