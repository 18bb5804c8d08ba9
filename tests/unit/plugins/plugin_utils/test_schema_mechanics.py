"""plugin_utils/schema.py: the mechanics the three schemas share, and the rules they share.

resolve (fixes from hints, '' as unset, rules over a value's parts), the role-wide variables,
one app being checked (Entry), text on one line, pattern rules, and the account, host name,
pip requirement and writable directory rules with each of their messages.
"""

from __future__ import annotations

import re
from functools import partial

import pytest
from ansible_collections.wsgistack.deploy.plugins.plugin_utils import schema
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.schema import (
    REQUIRED,
    Field,
    Invalid,
    Problems,
)

ONE_LINE = "contains a line break or another control character; give it on one line"


def refused(rule, value, *args, **kwargs):
    with pytest.raises(Invalid) as caught:
        rule(value, *args, **kwargs)
    return str(caught.value)


def resolved(given, fields, fallback=None):
    problems = Problems()
    out = schema.resolve(given, fields, "apps[0]", problems, fallback)
    return out, problems.lines


# ---------------------------------------------------------------- text is one line


@pytest.mark.parametrize(
    "value", ["a\n", "\na", "a\rb", "a\0", "a\tb", "a\x7f", "a\x85", "a\u2028", "a\u2029"]
)
def test_text_with_a_control_character_is_refused_by_type(value):
    assert refused(schema.typed, value, "str") == f"{value!r} {ONE_LINE}"


def test_list_elements_of_text_are_one_line_too():
    assert refused(schema.typed, ["ok", "b\n"], "list", "str") == f"[1] 'b\\n' {ONE_LINE}"


def test_a_plugins_argument_is_typed_and_named():
    assert schema.argument("sites", ["a", "b"], "list", "str") == ["a", "b"]
    assert schema.argument("remove", False, "bool") is False
    assert refused(schema.argument, "sites_dir", None, "str") == (
        "sites_dir: expected a string, got None"
    )
    assert refused(schema.argument, "remove", "false", "bool") == (
        "remove: expected true or false, got 'false'"
    )
    assert refused(schema.argument, "sites", ["ok", 1], "list", "str") == (
        "sites: [1] expected a string, got 1"
    )


def test_text_of_any_other_printable_character_is_text():
    assert schema.typed("é ü 日本 \U0001f600 ;{}", "str") == "é ü 日本 \U0001f600 ;{}"


def test_the_one_line_rule_comes_before_the_fields_rule():
    fields = [Field("path", "str", "", rule=schema.absolute_path)]
    assert resolved({"path": "/srv\n"}, fields) == (
        {"path": None},
        [f"apps[0].path: '/srv\\n' {ONE_LINE}"],
    )


# ---------------------------------------------------------------- pattern


def test_a_pattern_rule_matches_the_whole_value():
    rule = schema.pattern(r"[a-z]+", "is not a word; give one such as abc")
    assert rule("abc") == "abc"
    assert refused(rule, "ab1") == "'ab1' is not a word; give one such as abc"
    # fullmatch: a final line break is not taken for the end (``$`` with match would).
    assert refused(rule, "abc\n") == "'abc\\n' is not a word; give one such as abc"
    assert refused(rule, "") == "'' is not a word; give one such as abc"


def test_a_pattern_rule_takes_flags():
    unicode = schema.pattern(r"\w+", "is not a word")
    ascii_only = schema.pattern(r"\w+", "is not an ASCII word", re.ASCII)
    assert unicode("été") == "été"
    assert refused(ascii_only, "été") == "'été' is not an ASCII word"


# ---------------------------------------------------------------- resolve: fixes, optional


def test_a_rules_message_gets_the_fields_hint_as_its_fix():
    fields = [Field("venv", "str", "", rule=schema.absolute_path, hint="give /srv/app/venv")]
    assert resolved({"venv": "venv"}, fields)[1] == [
        "apps[0].venv: " + refused(schema.absolute_path, "venv") + "; give /srv/app/venv"
    ]


def test_a_message_that_tells_a_fix_keeps_its_own():
    assert schema.with_fix("x is bad; give y", "give z") == "x is bad; give y"
    assert schema.with_fix("x is bad, such as y", "give z") == "x is bad, such as y"
    assert schema.with_fix("x is bad", "") == "x is bad"
    assert schema.with_fix("x is bad", "give z") == "x is bad; give z"


def test_a_type_problem_gets_no_fix():
    fields = [Field("venv", "str", "", rule=schema.absolute_path, hint="give /srv/app/venv")]
    assert resolved({"venv": 1}, fields)[1] == ["apps[0].venv: expected a string, got 1"]


def test_an_optional_fields_empty_text_is_unset():
    fields = [
        Field("venv", "str", "", rule=schema.absolute_path, optional=True),
        Field("home", "str", "", "", schema.absolute_path, optional=True),
        Field("mode", "str", "", "daemon", optional=True),
        Field("path", "str", "", "/", schema.absolute_path),
    ]
    assert resolved({"venv": "", "home": "", "mode": ""}, fields) == (
        {"venv": None, "home": "", "mode": "daemon", "path": "/"},
        [],
    )
    # '' of a field that is not optional is a value, which its rule reads.
    assert resolved({"path": ""}, fields)[1] == [
        "apps[0].path: " + refused(schema.absolute_path, "")
    ]


def test_an_optional_field_left_empty_takes_the_role_wide_value():
    fields = [Field("venv", "str", "", rule=schema.absolute_path, optional=True)]
    fallback = {"venv": ("role_venv", "/opt/venv")}
    assert resolved({"venv": ""}, fields, fallback) == ({"venv": "/opt/venv"}, [])


# ---------------------------------------------------------------- Each


def test_each_element_of_a_list_is_checked_and_named():
    fields = [
        Field("ports", "list", "", [], schema.Each(schema.port), "int", hint="give 1 to 65535")
    ]
    assert resolved({"ports": [80, 0, "x", 70000]}, fields) == (
        {"ports": None},
        [
            "apps[0].ports[1]: 0 is not a TCP port (1 to 65535); give 1 to 65535",
            "apps[0].ports[2]: expected a whole number, got 'x'",
            "apps[0].ports[3]: 70000 is not a TCP port (1 to 65535); give 1 to 65535",
        ],
    )
    assert resolved({"ports": ["80", 443]}, fields) == ({"ports": [80, 443]}, [])


def test_each_needs_the_fields_container():
    fields = [Field("names", "list", "", [], schema.Each(schema.app_name), "str")]
    assert resolved({"names": "app"}, fields)[1] == ["apps[0].names: expected a list, got 'app'"]
    assert resolved({"names": ["a\n"]}, fields)[1] == [f"apps[0].names[0]: 'a\\n' {ONE_LINE}"]


def test_each_keyed_entry_of_a_mapping_is_named_by_its_plain_key():
    def option(key, value):
        if key != "size" or not isinstance(value, int):
            raise Invalid(f"{key!r}: {value!r} is not allowed")
        return value

    fields = [Field("options", "dict", "", {}, schema.Each(option, keyed=True))]
    assert resolved({"options": {"size": 1}}, fields) == ({"options": {"size": 1}}, [])
    assert resolved({"options": {"size": "x", "a b": 1, 3: 1, "k\n": 1}}, fields)[1] == [
        "apps[0].options.size: 'size': 'x' is not allowed",
        "apps[0].options: 'a b': 1 is not allowed",
        "apps[0].options: 3: 1 is not allowed",
        f"apps[0].options: 'k\\n' {ONE_LINE}",
    ]


def test_the_environment_reports_every_variable_and_shows_no_value():
    fields = [Field("environment", "dict", "", {}, schema.ENVIRONMENT)]
    out, problems = resolved({"environment": {"A": 1, "B-C": "s3cret", "D": "s3cret\n"}}, fields)
    assert out == {"environment": None}
    assert problems == [
        "apps[0].environment: " + refused(schema.env_name, "B-C"),
        "apps[0].environment: D contains a line break or NUL; an environment value is one line "
        "of text",
    ]
    assert resolved({"environment": {"A": 1, "B": True}}, fields)[0] == {
        "environment": {"A": "1", "B": "true"}
    }
    assert resolved({"environment": "A=s3cret"}, fields)[1] == [
        "apps[0].environment: expected a mapping of variable names to values, got a str (not "
        "shown: it may hold secrets)"
    ]


# ---------------------------------------------------------------- Entries


def test_entries_are_each_resolved_against_their_fields():
    fields = [
        Field(
            "static",
            "list",
            "",
            [],
            schema.Entries(
                (
                    Field("url", "str", "", REQUIRED, schema.url_path, hint="give /static"),
                    Field("path", "str", "", REQUIRED, schema.absolute_path, hint="give /srv"),
                )
            ),
            "dict",
        )
    ]
    good = [{"url": "/static/", "path": "/srv/s/"}]
    assert resolved({"static": good}, fields) == (
        {"static": [{"url": "/static", "path": "/srv/s"}]},
        [],
    )
    assert resolved({"static": [{"url": "/s"}, {"url": "/t", "path": "t", "x": 1}]}, fields) == (
        {"static": None},
        [
            "apps[0].static[0].path: required: give /srv",
            "apps[0].static[1]: unknown keys ['x']; the known keys are ['path', 'url']",
            "apps[0].static[1].path: " + refused(schema.absolute_path, "t") + "; give /srv",
        ],
    )
    assert resolved({"static": ["/s"]}, fields)[1] == [
        "apps[0].static: [0] expected a mapping, got '/s'"
    ]


# ---------------------------------------------------------------- role-wide variables, Entry

FIELDS = [
    Field("name", "str", "", REQUIRED, schema.app_name),
    Field("workers", "int", "", 2, schema.at_least(1, "; set 1 or more")),
    Field("venv", "str", "", rule=schema.absolute_path, optional=True),
]


def test_role_wide_variables_are_named_by_their_variable():
    problems = Problems()
    wide = schema.resolve_variables({"workers": 0}, FIELDS[1:], "web_", problems)
    assert wide == {"workers": None, "venv": None}
    assert problems.lines == ["web_workers: 0 is below 1; set 1 or more"]
    problems = Problems()
    assert schema.resolve_variables({}, FIELDS[1:], "web_", problems) == {
        "workers": 2,
        "venv": None,
    }
    assert not problems


def test_an_entry_names_where_each_value_came_from():
    problems = Problems()
    fallback = {"workers": ("web_workers", 4)}
    app = schema.Entry("apps[1]", {"name": "blog", "venv": ""}, FIELDS, problems, fallback)
    assert (app["name"], app["workers"], app["venv"]) == ("blog", 4, None)
    assert app.given == {"name": "blog"}  # '' of an optional field is not given
    assert app.source("workers") == "web_workers"
    assert app.source("name") == "apps[1].name"
    assert app.source("venv") == "apps[1].venv"
    app.add("workers", "too many")
    app.add("", "no good")
    assert problems.lines == ["web_workers: too many", "apps[1]: no good"]
    app = schema.Entry("apps[2]", {"name": "shop", "workers": 3}, FIELDS, problems, fallback)
    assert (app["workers"], app.source("workers")) == (3, "apps[2].workers")


# ---------------------------------------------------------------- accounts, host names


def test_an_existing_account_may_be_a_system_ones():
    assert schema.account("adm", system=True) == "adm"
    assert schema.account("root", system=True) == "root"
    assert refused(schema.account, "adm") == refused(schema.account, "root").replace("root", "adm")
    assert refused(schema.account, "Bad Name", system=True) == (
        "'Bad Name' is not a user or group name: a lower-case letter or _, then up to 31 of "
        "a-z 0-9 _ -"
    )


def test_a_host_name_without_a_wildcard():
    assert schema.host_name("App.Example.com", wildcard=False) == "app.example.com"
    assert refused(schema.host_name, "*.example.com", wildcard=False) == (
        "'*.example.com' is a wildcard; ServerName is one host name (such as app.example.com), "
        "put wildcards in server_aliases"
    )
    assert refused(schema.host_name, "a b", wildcard=False) == refused(schema.host_name, "a b")
    assert schema.host_name("*.example.com") == "*.example.com"


# ---------------------------------------------------------------- pip requirements


@pytest.mark.parametrize(
    ("form", "value"),
    [
        ("version", "27.0.1"),
        ("version", "24.1rc1"),
        ("version", "1.0.post2.dev3"),
        ("name", "mod_wsgi"),
        ("name", "mod_wsgi==5.0.2"),
        ("name", "mod-wsgi[extra]>=5,<6"),
        ("specifier", "guestbook==1.2.0"),
        ("specifier", "guestbook @ https://example.com/g.tar.gz"),
        ("specifier", "guestbook; python_version < '3.13'"),
    ],
)
def test_pip_requirements_of_each_form(form, value):
    assert schema.pip_requirement(value, form=form) == value


PIP_REFUSED = {
    "version": "is not a release version; give one such as 27.0.1",
    "name": "is not a pip requirement of a name and optional versions, such as mod_wsgi==5.0.2",
    "specifier": "is not a pip requirement specifier such as 'guestbook==1.2.0' (options such "
    "as --index-url belong in the virtualenv role's variables)",
}


@pytest.mark.parametrize(
    ("form", "value"),
    [("version", "latest"), ("version", "==27.0.1"), ("version", "24.2.1; rm -rf /"),
     ("name", "--index-url=http://evil/ mod_wsgi"), ("name", "mod_wsgi @ https://example.com/m"),
     ("specifier", "-r requirements.txt"), ("specifier", "guestbook\n--index-url=http://evil/")],
)  # fmt: skip
def test_pip_requirements_refused(form, value):
    assert refused(schema.pip_requirement, value, form=form) == f"{value!r} {PIP_REFUSED[form]}"


def test_the_default_pip_form_is_a_name_with_versions():
    assert refused(schema.pip_requirement, "27.0.1 x") == refused(
        partial(schema.pip_requirement, form="name"), "27.0.1 x"
    )


# ---------------------------------------------------------------- writable directories

CODE = [
    ("venv", "/srv/app/venv", False, False),
    ("the code directory", "/srv/app/src", True, True),
]
DATA = "/var/lib/app"
OWN = "its own code or venv"


def writable(path):
    return schema.writable_dir(path, CODE, DATA, OWN)


@pytest.mark.parametrize(
    "path",
    ["/var/lib/app", "/srv/app/src", "/srv/app/src/uploads", "/srv/app/data", "/opt/app/cache",
     "/run/app", "/var/log/app", "/var/www/app", "/home/app", "/tmp/app"],
)  # fmt: skip
def test_a_directory_of_the_apps_data(path):
    assert writable(path) == path


@pytest.mark.parametrize("path", ["/srv/app/venv", "/srv/app/venv/lib", "/srv/app", "/srv", "/"])
def test_never_the_apps_code(path):
    assert refused(writable, path) == (
        f"{path} would let the app write venv /srv/app/venv; the app never writes its own code "
        "or venv - give a directory of its data, such as /var/lib/app"
    )


@pytest.mark.parametrize(
    ("path", "system"),
    [
        ("/etc", "/etc"),
        ("/etc/app", "/etc"),
        ("/usr", "/usr"),
        ("/usr/local/lib/app", "/usr"),
        ("/bin", "/bin"),
        ("/boot/grub", "/boot"),
        ("/proc/sys", "/proc"),
        ("/sys", "/sys"),
        ("/dev/shm", "/dev"),
        ("/root", "/root"),
        ("/root/.ssh", "/root"),
        ("/var/spool/cron", "/var/spool"),
        ("/var/lib", "/var/lib"),
        ("/var", "/var"),
        ("/var/log", "/var/log"),
        ("/opt", "/opt"),
        ("/run", "/run"),
        ("/tmp", "/tmp"),
        ("/home", "/home"),
    ],
)
def test_never_a_directory_of_the_system(path, system):
    assert refused(writable, path) == (
        f"{path} would let the app write the system directory {system}; the app never writes "
        "the system's directories - give a directory of its data, such as /var/lib/app"
    )


def test_the_root_directory_is_refused_without_code_to_name():
    assert refused(schema.writable_dir, "/", [], DATA, OWN).startswith(
        "/ would let the app write the system directory /;"
    )


def test_within():
    assert schema.within("/srv/app", "/srv")
    assert schema.within("/srv", "/srv")
    assert schema.within("/srv", "/")
    assert not schema.within("/srvx", "/srv")
