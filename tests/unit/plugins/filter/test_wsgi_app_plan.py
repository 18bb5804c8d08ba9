"""wsgistack.deploy.wsgi_app_plan: one app description, every role's variables."""

import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.filter.pg_hba_lines import pg_hba_lines
from ansible_collections.wsgistack.deploy.plugins.filter.wsgi_app_plan import (
    FilterModule,
    wsgi_app_plan,
)

PASSWORD = "s3cret/with:odd@chars"  # noqa: S105 - a test value, URL-quoted in the output

GUESTBOOK = {
    "name": "guestbook",
    "source": "/controller/apps/guestbook",
    "extras": ["postgres"],
    "entry": {"type": "module", "callable": "guestbook.wsgi:application"},
    "server_name": "guestbook.example.com",
    "static": [{"url": "/static/", "dir": "src/guestbook/static"}],
    "environment": {"GUESTBOOK_TITLE": "Hello"},
    "database": {"password": PASSWORD, "url_env": "GUESTBOOK_DATABASE_URL"},
}


def app(**changes):
    result = copy.deepcopy(GUESTBOOK)
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def error(apps, stack="nginx_gunicorn", **kwargs):
    with pytest.raises(AnsibleFilterError) as caught:
        wsgi_app_plan(apps, stack, **kwargs)
    return str(caught.value)


def test_registered():
    assert FilterModule().filters()["wsgi_app_plan"] is wsgi_app_plan


def test_layout_and_derived_paths():
    plan = wsgi_app_plan([app()], "nginx_gunicorn")
    (normalized,) = plan["apps"]
    assert normalized["user"] == normalized["group"] == "guestbook"
    assert normalized["src_dir"] == "/srv/guestbook/src"
    assert normalized["venv"] == "/srv/guestbook/venv"
    assert normalized["data_dir"] == "/var/lib/guestbook"
    assert normalized["package_spec"] == "/srv/guestbook/src[postgres]"
    assert normalized["static"] == [
        {"url": "/static", "path": "/srv/guestbook/src/src/guestbook/static"}
    ]
    assert plan["virtualenvs"] == [
        {
            "virtualenv_path": "/srv/guestbook/venv",
            "virtualenv_python": "/usr/bin/python3",
            "virtualenv_app_user": "guestbook",
            "virtualenv_packages": ["/srv/guestbook/src[postgres]"],
            "virtualenv_requirements": "",
            # gunicorn's role works with gunicorn >= 20.1.0 and gevent >= 1.4.0: an app's own
            # older pin fails in pip's resolver, before its venv changes.
            "virtualenv_constraint_specifiers": ["gunicorn>=20.1.0", "gevent>=1.4.0"],
        }
    ]


@pytest.mark.parametrize("stack", ["apache_modwsgi", "shared_host"])
def test_the_apache_stacks_constrain_nothing(stack):
    plan = wsgi_app_plan([app()], stack)
    assert plan["virtualenvs"][0]["virtualenv_constraint_specifiers"] == []


def test_database_url_goes_to_the_named_variable_quoted_over_the_socket():
    plan = wsgi_app_plan([app()], "nginx_gunicorn")
    env = plan["apps"][0]["environment"]
    assert env == {
        "GUESTBOOK_TITLE": "Hello",
        "GUESTBOOK_DATABASE_URL": "postgresql://guestbook:s3cret%2Fwith%3Aodd%40chars@/guestbook"
        "?host=/var/run/postgresql",
    }
    assert plan["postgres_pghba_databases"] == [
        {"name": "guestbook", "owner": "guestbook", "password": PASSWORD}
    ]
    assert plan["selinux_apps"] == [
        {
            "name": "guestbook",
            "code_dirs": ["/srv/guestbook"],
            "writable_dirs": ["/var/lib/guestbook"],
            "venvs": ["/srv/guestbook/venv"],
            "booleans": ["httpd_can_network_connect_db"],
        }
    ]


def test_default_interpreter_for_apps_that_name_none():
    built = "/opt/python/3.11.2/bin/python3.11"
    plan = wsgi_app_plan([app(), app(name="b", server_name="b.test", python="/usr/bin/python3",
                                     database=None)], "shared_host", python=built)  # fmt: skip
    assert [v["virtualenv_python"] for v in plan["virtualenvs"]] == [built, "/usr/bin/python3"]
    homes = [entry["python_home"] for entry in plan["app_server_apps"]]
    assert homes == ["/opt/python/3.11.2", "/usr"]
    assert error([app()], python="python3") == (
        "wsgi_app_plan: python: 'python3' must be an absolute path"
    )


def test_remote_database_host_uses_tcp():
    plan = wsgi_app_plan([app()], "nginx_gunicorn", database_host="10.0.0.5")
    url = plan["apps"][0]["environment"]["GUESTBOOK_DATABASE_URL"]
    assert url == "postgresql://guestbook:s3cret%2Fwith%3Aodd%40chars@10.0.0.5/guestbook"


def test_remote_database_over_tls_with_the_servers_ca():
    plan = wsgi_app_plan([app()], "nginx_gunicorn", database_host="10.0.0.5", database_tls=True,
                         database_sslrootcert="/etc/ssl/db ca.crt")  # fmt: skip
    url = plan["apps"][0]["environment"]["GUESTBOOK_DATABASE_URL"]
    assert url == (
        "postgresql://guestbook:s3cret%2Fwith%3Aodd%40chars@10.0.0.5/guestbook"
        "?sslmode=verify-full&sslrootcert=/etc/ssl/db%20ca.crt"
    )
    plain = wsgi_app_plan([app()], "nginx_gunicorn", database_host="db.internal",
                          database_tls=True, database_port=5433)  # fmt: skip
    assert plain["apps"][0]["environment"]["GUESTBOOK_DATABASE_URL"].endswith(
        "@db.internal:5433/guestbook?sslmode=require"
    )
    ipv6 = wsgi_app_plan([app()], "nginx_gunicorn", database_host="2001:db8::5")
    assert ipv6["apps"][0]["environment"]["GUESTBOOK_DATABASE_URL"].endswith(
        "@[2001:db8::5]/guestbook"
    )


def test_tls_settings_do_not_change_the_local_socket_url():
    plan = wsgi_app_plan([app()], "nginx_gunicorn", database_tls=True, database_port=5433)
    assert plan["apps"][0]["environment"]["GUESTBOOK_DATABASE_URL"].endswith(
        "@/guestbook?host=/var/run/postgresql&port=5433"
    )
    assert plan["apps"][0]["database"]["host"] == "/var/run/postgresql"


def test_no_web_addresses_no_rules():
    assert wsgi_app_plan([app()], "nginx_gunicorn")["postgres_pghba_app_rules"] == []


@pytest.mark.parametrize(("tls", "kind"), [(False, "host"), (True, "hostssl")])
def test_web_addresses_give_one_scram_rule_per_database_and_web_host(tls, kind):
    other = app(name="notes", server_name="notes.test",
                database={"password": "another-long-secret", "user": "scribe"})  # fmt: skip
    web = {"web1": "10.89.0.11", "web2": "10.89.0.12/32", "web3": "2001:db8::13",
           "web4": "10.89.0.11"}  # fmt: skip
    rules = wsgi_app_plan([app(), other, app(name="nodb", server_name="n.test", database=None)],
                          "nginx_gunicorn", web_addresses=web,
                          database_tls=tls)["postgres_pghba_app_rules"]  # fmt: skip
    assert [(r["type"], r["databases"], r["users"], r["address"], r["method"]) for r in rules] == [
        (kind, ["guestbook"], ["guestbook"], "10.89.0.11/32", "scram-sha-256"),
        (kind, ["guestbook"], ["guestbook"], "10.89.0.12/32", "scram-sha-256"),
        (kind, ["guestbook"], ["guestbook"], "2001:db8::13/128", "scram-sha-256"),
        (kind, ["notes"], ["scribe"], "10.89.0.11/32", "scram-sha-256"),
        (kind, ["notes"], ["scribe"], "10.89.0.12/32", "scram-sha-256"),
        (kind, ["notes"], ["scribe"], "2001:db8::13/128", "scram-sha-256"),
    ]
    assert [r.get("comment") for r in rules[:4]] == [
        "guestbook from the web hosts",
        None,
        None,
        "notes from the web hosts",
    ]


def test_web_rules_pass_the_pg_hba_filters():
    web = ["10.89.0.11", "10.89.0.12"]
    plan = wsgi_app_plan([app()], "nginx_gunicorn", database_tls=True, web_addresses=web)
    rules = plan["postgres_pghba_app_rules"]
    assert [line.split() for line in pg_hba_lines(rules)] == [
        ["#", "guestbook", "from", "the", "web", "hosts"],
        ["hostssl", "guestbook", "guestbook", "10.89.0.11/32", "scram-sha-256"],
        ["hostssl", "guestbook", "guestbook", "10.89.0.12/32", "scram-sha-256"],
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"web_addresses": {"web1": "10.89.0.0/24"}}, "wsgi_app_plan: web_addresses[web1]: "
         "'10.89.0.0/24' is a network; pg_hba gets one rule per web host (/32), never a wider "
         "one; set wsgistack_address of web1 to its IP address on the database network"),
        ({"web_addresses": {"web1": "10.89.0.5/24"}}, "wsgi_app_plan: web_addresses[web1]: "
         "'10.89.0.5/24' is a network"),
        ({"web_addresses": ["2001:db8::/64"]}, "wsgi_app_plan: web_addresses[0]: "
         "'2001:db8::/64' is a network; pg_hba gets one rule per web host (/128)"),
        ({"web_addresses": {"web1": "web1.example.com"}}, "wsgi_app_plan: web_addresses[web1]: "
         "'web1.example.com' is not an IP address; set wsgistack_address of web1"),
        ({"web_addresses": {"web2": None}}, "wsgi_app_plan: web_addresses[web2]: no address "
         "known; set wsgistack_address of web2"),
        ({"web_addresses": "10.0.0.1"}, "wsgi_app_plan: web_addresses: expected a mapping of "
         "web host to address"),
        ({"database_host": "/var/run/postgresql"}, "wsgi_app_plan: database_host: "
         "'/var/run/postgresql' is not a host name or IP address"),
        ({"database_port": 0}, "wsgi_app_plan: database_port: 0 is not a TCP port"),
        ({"database_tls": "yes"}, "wsgi_app_plan: database_tls: expected a boolean, got 'yes'"),
        ({"database_tls": True, "database_sslmode": "prefer"}, "wsgi_app_plan: "
         "database_sslmode: 'prefer' is not one of require, verify-ca, verify-full"),
        ({"database_tls": True, "database_sslmode": "verify-full"}, "wsgi_app_plan: "
         "database_sslmode: verify-full checks the server's certificate against "
         "database_sslrootcert; give that CA certificate's path on the web hosts"),
        ({"database_sslrootcert": "ca.crt"}, "wsgi_app_plan: database_sslrootcert: 'ca.crt' "
         "must be an absolute path"),
    ],
)  # fmt: skip
def test_bad_connection_settings_name_the_parameter(kwargs, message):
    assert error([app()], **kwargs).startswith(message)


def test_app_server_entries_per_stack():
    (gunicorn,) = wsgi_app_plan([app(app_server={"workers": 3})], "nginx_gunicorn")[
        "app_server_apps"
    ]
    assert gunicorn["module"] == "guestbook.wsgi:application"
    assert gunicorn["chdir"] == "/srv/guestbook/src"
    assert gunicorn["workers"] == 3
    assert gunicorn["writable_paths"] == ["/var/lib/guestbook"]
    assert gunicorn["server_names"] == ["guestbook.example.com"]
    assert gunicorn["create_user"] is False
    assert gunicorn["environment"]["GUESTBOOK_DATABASE_URL"].startswith("postgresql://")
    (modwsgi,) = wsgi_app_plan([app(mount="/guestbook", server_aliases=["gb.test"])],
                               "apache_modwsgi")["app_server_apps"]  # fmt: skip
    assert modwsgi["entry"] == {"type": "module", "callable": "guestbook.wsgi:application"}
    assert modwsgi["mount"] == "/guestbook"
    assert modwsgi["app_dir"] == "/srv/guestbook/src"
    assert (modwsgi["server_name"], modwsgi["server_aliases"]) == ("guestbook.example.com",
                                                                   ["gb.test"])  # fmt: skip
    assert modwsgi["writable_dirs"] == ["/var/lib/guestbook"]
    assert "module" not in modwsgi
    assert "python_home" not in modwsgi  # the daemon's python-home is the venv
    # The health check defaults to the mount point; the app description can name one.
    assert (gunicorn["health_check"], modwsgi["health_check"]) == ("/", "/guestbook")
    (checked,) = wsgi_app_plan([app(health_check="/health")], "apache_modwsgi")["app_server_apps"]
    assert checked["health_check"] == "/health"
    (unchecked,) = wsgi_app_plan([app(health_check="")], "nginx_gunicorn")["app_server_apps"]
    assert unchecked["health_check"] == ""


def test_entry_types_for_mod_wsgi():
    django = app(name="site", server_name="site.test", database=None,
                 entry={"type": "django", "settings": "mysite.settings"})  # fmt: skip
    paste = app(name="pylons", server_name="pylons.test", database=None,
                entry={"type": "paste", "ini": "production.ini"})  # fmt: skip
    plan = wsgi_app_plan([django, paste], "apache_modwsgi")
    assert plan["apps"][0]["entry"] == {"type": "django", "settings": "mysite.settings"}
    assert plan["apps"][1]["entry"] == {
        "type": "paste",
        "ini": "/srv/pylons/src/production.ini",
        "app_name": None,
    }
    assert plan["postgres_pghba_databases"] == []
    assert [entry["booleans"] for entry in plan["selinux_apps"]] == [[], []]


def test_package_instead_of_source():
    described = app(source=None, static=None, package="guestbook==1.0.0")
    plan = wsgi_app_plan([described], "apache_modwsgi")
    assert plan["apps"][0]["src_dir"] is None
    assert plan["virtualenvs"][0]["virtualenv_packages"] == ["guestbook==1.0.0"]
    # The code is in the venv; the app's working directory is its root-owned home, never
    # the one directory it may write (which would put a writable directory on sys.path).
    assert plan["app_server_apps"][0]["app_dir"] == "/srv/guestbook"
    gunicorn = wsgi_app_plan([described], "nginx_gunicorn")["app_server_apps"][0]
    assert gunicorn["chdir"] == "/srv/guestbook"
    assert gunicorn["writable_paths"] == ["/var/lib/guestbook"]


def test_two_apps_are_independent():
    other = app(name="blog", server_name="blog.test", user="blogger",
                database={"password": "another-long-secret"})  # fmt: skip
    plan = wsgi_app_plan([app(), other], "nginx_gunicorn")
    assert [a["user"] for a in plan["apps"]] == ["guestbook", "blogger"]
    assert [d["name"] for d in plan["postgres_pghba_databases"]] == ["guestbook", "blog"]
    assert plan["apps"][1]["environment"]["DATABASE_URL"].startswith("postgresql://blog:")


@pytest.mark.parametrize(
    ("apps", "kwargs", "message"),
    [
        ([], {}, "wsgi_app_plan: wsgistack_apps: expected a non-empty list of app descriptions"),
        (["guestbook"], {}, "wsgi_app_plan: wsgistack_apps[0]: expected a mapping describing "
         "one app, got 'guestbook'"),
        ([app(colour="blue")], {}, "wsgi_app_plan: wsgistack_apps[0]: unknown keys ['colour']"),
        ([app(name="Guest-Book")], {}, "wsgi_app_plan: wsgistack_apps[0].name: 'Guest-Book' "
         "is not an app name: a lower-case letter, then up to 31 of a-z 0-9 _ (it names the "
         "app's user, unit, site and directories)"),
        ([app(name=None)], {}, "wsgi_app_plan: wsgistack_apps[0].name: required: give the app's "
         "identifier, such as guestbook"),
        ([app(user="root")], {}, "wsgi_app_plan: wsgistack_apps[0].user: 'root' is not allowed: "
         "it is a system account; the app must run as its own unprivileged user and group "
         "(leave them unset for the app's name)"),
        ([app(user="www-data")], {}, "wsgi_app_plan: wsgistack_apps[0].user: 'www-data' is not "
         "allowed: it is a system account"),
        ([app(user="a b:c")], {}, "wsgi_app_plan: wsgistack_apps[0].user: 'a b:c' is not a user "
         "or group name: a lower-case letter or _, then up to 31 of a-z 0-9 _ -"),
        ([app(group="root")], {}, "wsgi_app_plan: wsgistack_apps[0].group: 'root' is not "
         "allowed: it is a system account"),
        ([app(name="nginx")], {}, "wsgi_app_plan: wsgistack_apps[0].name (the default user): "
         "'nginx' is not allowed: it is a system account"),
        ([app(group="")], {}, "wsgi_app_plan: wsgistack_apps[0].group: '' is not a user or "
         "group name"),
        ([app(source=None)], {}, "wsgi_app_plan: wsgistack_apps[0]: give exactly one of "
         "'source' (a project directory) or 'package' (a pip spec)"),
        ([app(package="guestbook")], {}, "wsgi_app_plan: wsgistack_apps[0]: give exactly one "
         "of 'source'"),
        ([app(source="apps/guestbook")], {}, "wsgi_app_plan: wsgistack_apps[0].source: "
         "'apps/guestbook' must be an absolute path"),
        ([app(extras="postgres")], {}, "wsgi_app_plan: wsgistack_apps[0].extras: expected a "
         "list, got 'postgres'"),
        ([app(requirements="/abs/requirements.txt")], {}, "wsgi_app_plan: "
         "wsgistack_apps[0].requirements: '/abs/requirements.txt' must be a path relative to "
         "'source' (the project directory)"),
        ([app(entry=None)], {}, "wsgi_app_plan: wsgistack_apps[0].entry: required: a mapping "
         "such as {type: module, callable: 'package.module:app'}"),
        ([app(entry={"callable": "guestbook.wsgi"})], {}, "wsgi_app_plan: "
         "wsgistack_apps[0].entry.callable: 'guestbook.wsgi' is not 'package.module:callable' "
         "(such as 'guestbook.wsgi:application') or an app factory "
         "'package.module:create_app()'"),
        ([app(entry={"type": "django", "settings": "my-site"})], {}, "wsgi_app_plan: "
         "wsgistack_apps[0].entry.settings: 'my-site' is not a dotted Python module name such as "
         "'mysite.settings'"),
        ([app(entry={"type": "paste", "ini": "prod.cfg"})], {}, "wsgi_app_plan: "
         "wsgistack_apps[0].entry.ini: 'prod.cfg' is not a PasteDeploy .ini file"),
        ([app(source=None, static=None, package="p", entry={"type": "paste", "ini": "a.ini"})],
         {}, "wsgi_app_plan: wsgistack_apps[0].entry.ini: a relative path needs 'source'"),
        ([app(entry={"type": "cgi"})], {}, "wsgi_app_plan: wsgistack_apps[0].entry.type: "
         "'cgi' is not one of module, django, paste"),
        ([app(database="guestbook")], {}, "wsgi_app_plan: wsgistack_apps[0].database: expected "
         "a mapping with at least 'password'"),
        ([app(database={"password": PASSWORD, "host": "db.example.com/x"})], {},
         "wsgi_app_plan: wsgistack_apps[0].database.host: 'db.example.com/x' is not a host "
         "name or IP address"),
        ([app(database={"password": PASSWORD, "sslmode": "prefer"})], {},
         "wsgi_app_plan: wsgistack_apps[0].database.sslmode: 'prefer' is not one of disable, "
         "require, verify-ca, verify-full"),
        ([app(database={"password": "short"})], {}, "wsgi_app_plan: "
         "wsgistack_apps[0].database.password: required: a string of at least 12 characters "
         "(keep it in ansible-vault)"),
        ([app(database={"password": PASSWORD, "name": "guest book"})], {}, "wsgi_app_plan: "
         "wsgistack_apps[0].database.name: 'guest book' is not an app name"),
        ([app(database={"password": PASSWORD, "url_env": "DATABASE-URL"})], {}, "wsgi_app_plan: "
         "wsgistack_apps[0].database.url_env: 'DATABASE-URL' is not an environment variable "
         "name"),
        ([app(static={"url": "/static"})], {}, "wsgi_app_plan: wsgistack_apps[0].static: "
         "expected a list, got {'url': '/static'}"),
        ([app(static=[{"url": "/static"}])], {}, "wsgi_app_plan: wsgistack_apps[0].static[0]: "
         "expected a mapping with exactly 'url' and 'dir'"),
        ([app(static=[{"url": "static", "dir": "s"}])], {}, "wsgi_app_plan: "
         "wsgistack_apps[0].static[0].url: 'static' is not a URL path: '/' or '/' followed by "
         "segments of A-Z a-z 0-9 . _ ~ - (no '.' or '..' segment, no //), such as /static"),
        # What reached nginx and Apache before: a location block of the user's, /etc served.
        ([app(static=[{"url": "/s/ { } location /x", "dir": "s"}])], {}, "wsgi_app_plan: "
         "wsgistack_apps[0].static[0].url: '/s/ { } location /x' is not a URL path"),
        ([app(static=[{"url": "/s", "dir": "../../../../etc"}])], {}, "wsgi_app_plan: "
         "wsgistack_apps[0].static[0].dir: '../../../../etc' leads outside "
         "/srv/guestbook/src; give a path inside it"),
        ([app(static=[{"url": "/s", "dir": "/etc"}])], {}, "wsgi_app_plan: "
         "wsgistack_apps[0].static[0].dir: '/etc' leads outside /srv/guestbook; give a path "
         "inside it"),
        ([app(static=[{"url": "/s", "dir": "s", "index": "on"}])], {}, "wsgi_app_plan: "
         "wsgistack_apps[0].static[0]: expected a mapping with exactly 'url' and 'dir'"),
        ([app(source=None, package="p", static=[{"url": "/s", "dir": "s"}])], {},
         "wsgi_app_plan: wsgistack_apps[0].static[0].dir: a relative path needs 'source'"),
        ([app(environment={"BAD-NAME": "x"})], {}, "wsgi_app_plan: "
         "wsgistack_apps[0].environment: 'BAD-NAME' is not an environment variable name: "
         "letters, digits and _, not starting with a digit"),
        ([app(environment={"TITLE": "a\nb"})], {}, "wsgi_app_plan: "
         "wsgistack_apps[0].environment: TITLE contains a line break or NUL; an environment "
         "value is one line of text"),
        ([app(environment={"GUESTBOOK_DATABASE_URL": "x"})], {}, "wsgi_app_plan: "
         "wsgistack_apps[0].environment.GUESTBOOK_DATABASE_URL: set from database (its URL); "
         "remove it from environment, or name another variable in database.url_env"),
        ([app(server_name="x.example; return 200 owned; #")], {}, "wsgi_app_plan: "
         "wsgistack_apps[0].server_name: 'x.example; return 200 owned; #' is not a host name"),
        ([app(server_aliases=["ok.test", "_"])], {}, "wsgi_app_plan: "
         "wsgistack_apps[0].server_aliases[1]: '_' is not a host name"),
        ([app(default_server="false")], {}, "wsgi_app_plan: wsgistack_apps[0].default_server: "
         "expected true or false, got 'false'"),
        ([app(package="--index-url=http://evil/ guestbook", source=None, static=None)], {},
         "wsgi_app_plan: wsgistack_apps[0].package: '--index-url=http://evil/ guestbook' is "
         "not a pip requirement specifier"),
        ([app(mount="/sub/")], {}, "wsgi_app_plan: wsgistack_apps[0].mount: '/sub/' must be "
         "'/' or '/path' without a trailing /"),
        ([app(health_check="health")], {}, "wsgi_app_plan: wsgistack_apps[0].health_check: "
         "'health' is not a URL path starting with / (such as /health), or '' for none"),
        ([app(health_check=8000)], {}, "wsgi_app_plan: wsgistack_apps[0].health_check: "
         "expected a string, got 8000"),
        ([app(health_check="/a b")], {}, "wsgi_app_plan: wsgistack_apps[0].health_check: "
         "'/a b' is not a URL path"),
        ([app(server_aliases="www.example.com")], {}, "wsgi_app_plan: "
         "wsgistack_apps[0].server_aliases: expected a list, got 'www.example.com'"),
        ([app(app_server=["workers=3"])], {}, "wsgi_app_plan: wsgistack_apps[0].app_server: "
         "expected a mapping, got ['workers=3']"),
        ([app(python="python3.12")], {}, "wsgi_app_plan: wsgistack_apps[0].python: "
         "'python3.12' is not an absolute path"),
        ([app(), app(server_name="other.test")], {}, "wsgi_app_plan: wsgistack_apps[1].name: "
         "'guestbook' is already used by wsgistack_apps[0]; each app needs its own"),
        ([app(), app(name="other")], {}, "wsgi_app_plan: wsgistack_apps[1].server_name: "
         "'guestbook.example.com' is already used by wsgistack_apps[0]"),
        # Host names are not case-sensitive; an alias is a host name like any other.
        ([app(), app(name="other", server_name="GuestBook.Example.com")], {}, "wsgi_app_plan: "
         "wsgistack_apps[1].server_name: 'guestbook.example.com' is already used by "
         "wsgistack_apps[0]"),
        ([app(), app(name="other", server_name="o.test", server_aliases=["guestbook.example.com"])],
         {}, "wsgi_app_plan: wsgistack_apps[1].server_aliases: 'guestbook.example.com' is "
         "already used by wsgistack_apps[0]"),
        ([app(), app(name="other", server_name="o.test",
                     database={"password": PASSWORD, "name": "guestbook"})], {},
         "wsgi_app_plan: wsgistack_apps[1].database.name: 'guestbook' is already used"),
        ([app(default_server=True), app(name="b", server_name="b.test", default_server=True)],
         {}, "wsgi_app_plan: wsgistack_apps[1].default_server: only one app can be the "
         "default server; wsgistack_apps[0] already is"),
        ([app(entry={"type": "paste", "ini": "production.ini"})], {},
         "wsgi_app_plan: wsgistack_apps[0].entry.type: gunicorn serves 'module' and 'django' "
         "entry points; a PasteDeploy app needs the apache_modwsgi stack"),
        ([app(mount="/guestbook")], {}, "wsgi_app_plan: wsgistack_apps[0].mount: the "
         "nginx_gunicorn stack mounts apps at '/'; use a server name per app"),
        ([app()], {"app_root": "srv"}, "wsgi_app_plan: app_root: 'srv' must be an absolute path"),
    ],
)  # fmt: skip
def test_bad_descriptions_name_the_field(apps, kwargs, message):
    assert error(apps, **kwargs).startswith(message)


def test_unknown_stack():
    assert error([app()], stack="uwsgi") == (
        "wsgi_app_plan: stack: 'uwsgi' is not one of nginx_gunicorn, apache_modwsgi, shared_host"
    )


def test_password_never_in_errors():
    message = error([app(database={"password": "tiny"})])
    assert "tiny" not in message
