# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The apache_modwsgi role's input: every field, rule and derivation, in one tested place.

``check(apps, role_wide, platform)`` is what the role's ``tasks/validate.yml`` asserts on
(through the ``wsgistack.deploy.apache_modwsgi_check`` filter) and what ``vars/main.yml``
reads the resolved apps from. It reports every problem at once, one line each, in the form
``<variable>: <problem>; <fix>``, where the variable is the one the value came from:
``apache_modwsgi_apps[0].processes`` when the app set it, ``apache_modwsgi_processes`` when
the app left it to the role-wide value.

Nothing from the inventory reaches Apache's configuration or a ``.wsgi`` file unless a rule
has proven it inert there: names, paths and URLs by the rules of
:mod:`~ansible_collections.wsgistack.deploy.plugins.plugin_utils.schema`,
``daemon_options`` by an allow-list of ``WSGIDaemonProcess`` options with numeric values,
``extra_directives`` (the operator's deliberate escape hatch) as single lines that open no
section. The apps' environment is checked (names; values one line, no NUL) but never
returned nor shown: a value may be a secret.

The mechanics - resolving the fields (a field's ``hint`` as the fix of a message that tells
none, '' as unset where a field is ``optional``, each element of a list named), text on one
line, the app being checked (``schema.Entry``), the writable directories - are schema's;
the rules only this role needs are here: :func:`proxy_upstream`, :func:`directive`,
:func:`revision`, :func:`paste_app_name`, :func:`locale_name`, :func:`tls_protocols` and
:func:`daemon_option`.

:func:`config_set` derives from the resolved apps what the role puts into Apache's
configuration (the files, links and removals of wsgistack.deploy.config_transaction, through
the ``wsgistack.deploy.apache_modwsgi_config_set`` filter); the templates only present them.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import posixpath
import re
from functools import partial
from typing import Any

from ansible_collections.wsgistack.deploy.plugins.plugin_utils.app_server import (
    LOG_LINES_READ,
    health_check,
)
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.schema import (
    CONTROL_RE,
    ENVIRONMENT,
    REQUIRED,
    Each,
    Entries,
    Entry,
    Field,
    Invalid,
    Problems,
    absolute_path,
    account,
    app_name,
    argument,
    at_least,
    dotted,
    health_path,
    host_name,
    one_of,
    pattern,
    pip_requirement,
    port,
    python_callable,
    resolve,
    resolve_variables,
    url_path,
    within,
)

PREFIX = "apache_modwsgi_"
APPS = "apache_modwsgi_apps"
MODES = ("daemon", "embedded", "proxy")
ENTRY_TYPES = ("module", "django", "paste")
# The loaded name of the default app's site: it sorts before every app's (app names start
# with a letter), so Apache takes its virtual host as the port's default.
DEFAULT_SITE = "000-wsgistack-default"


# ---------------------------------------------------------------- rules this module adds

UPSTREAM_RE = re.compile(
    r"(?:unix:(?P<socket>/[^|]*)\|)?(?P<scheme>https?)://"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?(?P<path>/[^?#]*)?",
    re.ASCII,
)


def proxy_upstream(value: str) -> str:
    """The upstream of a proxy app: http(s)://host[:port][/path], optionally over a Unix socket.

    Written into ``ProxyPass`` (quoted) and ``ProxyPassReverse``: no spaces, quotes,
    query or fragment; the host an IP address or a host name.
    """
    problem = Invalid(
        f"{value!r} is not an upstream URL: http://host[:port][/path] (or https://), such as "
        "http://127.0.0.1:8000/, or a Unix socket as unix:/run/app/gunicorn.sock|http://localhost/"
    )
    found = UPSTREAM_RE.fullmatch(value)
    if not found:
        raise problem
    try:
        if found["socket"]:
            absolute_path(found["socket"])
        host = found["host"]
        if host.startswith("["):
            ipaddress.IPv6Address(host[1:-1])
        elif not re.fullmatch(r"[0-9.]+", host):
            host_name(host, wildcard=False)
        else:
            ipaddress.IPv4Address(host)
        if found["port"]:
            port(int(found["port"]))
        if found["path"] and found["path"] != "/":
            url_path(found["path"])
    except (Invalid, ValueError):
        raise problem from None
    return value


def directive(value: Any) -> str:
    """One line of Apache configuration inside the app's <VirtualHost>, opening no section."""
    if not isinstance(value, str):
        raise Invalid(
            f"expected a line of text, got a {type(value).__name__}; give each directive "
            "as a string"
        )
    if CONTROL_RE.search(value.replace("\t", " ")):
        raise Invalid(
            "contains a line break or another control character; give each directive as "
            "a list item of its own"
        )
    if value.lstrip().startswith("<"):
        raise Invalid(
            "opens or closes a section (<...>); extra_directives are single directives "
            "inside the app's <VirtualHost>, never sections"
        )
    if value.rstrip().endswith("\\"):
        raise Invalid(
            "ends with \\, which would join the virtual host's next line to it; "
            "remove the backslash"
        )
    return value


class Directives(Each):
    """extra_directives: one line or a list of lines, each a :func:`directive` (which tells
    more about line breaks than the one-line rule of text: the field's type is raw)."""

    def apply(self, value: Any, spec: Field, name: str, problems: Problems) -> Any:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            problems.add(
                name,
                f"expected a list of directives (or one directive), got a {type(value).__name__}",
            )
            return None
        return super().apply(value, spec, name, problems)


# The deployed code's revision, written into a comment of the .wsgi.
revision = pattern(
    r"[A-Za-z0-9._+:@/~-]{0,128}",
    "is not a revision: up to 128 of A-Z a-z 0-9 . _ + : @ / ~ - (such as a commit id or v1.4.2)",
    re.ASCII,
)
paste_app_name = pattern(
    r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}",
    "is not a PasteDeploy app name: up to 64 of A-Z a-z 0-9 _ . - "
    "(the NAME of an [app:NAME] section, such as main)",
    re.ASCII,
)
locale_name = pattern(
    r"[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}",
    "is not a locale name such as C.UTF-8 or en_US.UTF-8",
    re.ASCII,
)


TLS_PROTOCOL_RE = re.compile(r"[+-]?(?:all|SSLv3|TLSv1|TLSv1\.1|TLSv1\.2|TLSv1\.3)")


def tls_protocols(value: str) -> str:
    """SSLProtocol's arguments: protocols, each optionally + or -, separated by spaces."""
    words = value.split(" ")
    if not value or not all(TLS_PROTOCOL_RE.fullmatch(word) for word in words):
        raise Invalid(
            f"{value!r} is not an SSLProtocol list: all, TLSv1.2, TLSv1.3 (or TLSv1, TLSv1.1, "
            "SSLv3), each optionally prefixed with + or -, separated by single spaces, such as "
            "'-all +TLSv1.2 +TLSv1.3'"
        )
    return value


# ---------------------------------------------------------------- WSGIDaemonProcess options

# The options daemon_options may set, by the kind of their value. Everything else is refused:
# what the vhost sets from the app's own fields (below), and what would change who the
# daemon runs as, where, or with what code (chroot, supplementary-groups, python-path, ...).
DAEMON_OPTIONS = {
    "maximum-requests": "requests",
    "inactivity-timeout": "seconds",
    "deadlock-timeout": "seconds",
    "shutdown-timeout": "seconds",
    "restart-interval": "seconds",
    "eviction-timeout": "seconds",
    "connect-timeout": "seconds",
    "response-socket-timeout": "seconds",
    "cpu-time-limit": "seconds",
    "header-buffer-size": "bytes",
    "response-buffer-size": "bytes",
    "receive-buffer-size": "bytes",
    "send-buffer-size": "bytes",
    "stack-size": "bytes",
    "memory-limit": "bytes",
    "virtual-memory-limit": "bytes",
    "listen-backlog": "connections",
    "cpu-priority": "priority",
    "umask": "umask",
}
# What templates/vhost.conf.j2 sets on WSGIDaemonProcess itself, and where it comes from.
DAEMON_OPTIONS_SET = {
    "user": "the app's user",
    "group": "the app's group",
    "processes": "the app's processes",
    "threads": "the app's threads",
    "python-home": "the app's python_home",
    "home": "the app's app_dir",
    "request-timeout": "the app's request_timeout",
    "graceful-timeout": "the app's graceful_timeout",
    "socket-timeout": "the app's socket_timeout",
    "queue-timeout": "the app's queue_timeout",
    "startup-timeout": "the app's startup_timeout",
    "lang": "apache_modwsgi_locale",
    "locale": "apache_modwsgi_locale",
}


def daemon_option(key: Any, value: Any) -> Any:
    """One ``option: value`` of daemon_options, or :class:`Invalid`."""
    if key == "display-name":
        raise Invalid(
            "display-name is set by the role (display-name=%{GROUP} is how it finds the app's "
            "daemon processes to restart them); remove it"
        )
    if key in DAEMON_OPTIONS_SET:
        source = DAEMON_OPTIONS_SET[key]
        raise Invalid(f"{key} is set by the role from {source}; set that instead, not {key}")
    kind = DAEMON_OPTIONS.get(key) if isinstance(key, str) else None
    if kind is None:
        raise Invalid(
            f"{key!r} is not an option daemon_options may set; remove it, or use one of "
            + ", ".join(sorted(DAEMON_OPTIONS))
        )
    if kind == "umask":
        if isinstance(value, str) and re.fullmatch(r"0?[0-7]{3}", value):
            return "0" + value[-3:]
        raise Invalid(
            f"{value!r} is not a umask; give it as a quoted string of octal digits such as "
            "'0027' (unquoted, YAML reads 0027 as the number 23)"
        )
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,12}", value):
        number = int(value)
    if kind == "priority":
        if number is None or not -20 <= number <= 20:
            raise Invalid(f"{value!r} is not a priority; give a whole number from -20 to 20")
        return number
    if number is None or number < 0:
        raise Invalid(f"{value!r} is not a whole number of 0 or more; give a number of {kind}")
    return number


# ---------------------------------------------------------------- the fields

SECONDS = "; give a number of seconds (0 or more)"

ENTRY_FIELDS = [
    Field(
        "type",
        "str",
        "The kind of entry point.",
        REQUIRED,
        one_of(*ENTRY_TYPES),
        hint="give module, django or paste",
    ),
    Field(
        "callable",
        "str",
        "module - package.module:attribute or package.module:factory().",
        rule=python_callable,
    ),
    Field("settings", "str", "django - the settings module.", rule=dotted),
    Field(
        "project_dir",
        "str",
        "django - directory put first on sys.path (where the settings package is).",
        rule=absolute_path,
        hint="give the directory's absolute path, such as /srv/app/src",
    ),
    Field(
        "ini",
        "str",
        "paste - absolute path of the PasteDeploy ini file.",
        rule=absolute_path,
        hint="give the file's absolute path, such as /srv/app/production.ini",
    ),
    Field("app_name", "str", "paste - the [app:NAME] section to load.", rule=paste_app_name),
]
# What each entry type reads; a field of another type is refused.
ENTRY_NEEDS = {"module": ("callable",), "django": ("settings",), "paste": ("ini",)}
ENTRY_TAKES = {
    "module": ("callable",),
    "django": ("settings", "project_dir"),
    "paste": ("ini", "app_name"),
}
ENTRY_EXAMPLES = {
    "callable": "'package.module:application'",
    "settings": "'project.settings'",
    "ini": "the absolute path of the PasteDeploy ini file",
}

STATIC_FIELDS = [
    Field(
        "url",
        "str",
        "URL path, such as /static.",
        REQUIRED,
        url_path,
        hint="give a URL path such as /static",
    ),
    Field(
        "path",
        "str",
        "Directory on the host Apache serves it from.",
        REQUIRED,
        absolute_path,
        hint="give the absolute path of the directory Apache serves",
    ),
]

PATHS = Each(absolute_path)

APP_FIELDS = [
    Field(
        "name",
        "str",
        "The app's name, unique on the host.",
        REQUIRED,
        app_name,
        hint="give the app's name, such as guestbook",
    ),
    Field("mode", "str", "daemon, embedded or proxy.", rule=one_of(*MODES)),
    Field("user", "str", "User of the daemon processes; the app's name.", rule=account),
    Field("group", "str", "Group of the daemon processes and the .wsgi; the user.", rule=account),
    Field("create_user", "bool", "Create the user and group as system accounts."),
    Field(
        "venv",
        "str",
        "The app's virtualenv (not in proxy mode).",
        rule=absolute_path,
        hint="give the virtualenv's absolute path, such as /srv/app/venv",
        optional=True,
    ),
    Field(
        "python_home",
        "str",
        "The daemon's python-home; the venv.",
        rule=absolute_path,
        hint="give the interpreter's prefix, such as /opt/python/3.13.5, or leave it unset",
        optional=True,
    ),
    Field("entry", "dict", "How the .wsgi obtains the WSGI app (not in proxy mode)."),
    Field(
        "app_dir",
        "str",
        "The app's directory: sys.path and working dir.",
        rule=absolute_path,
        hint="give the directory's absolute path, such as /var/www/apps/app",
        optional=True,
    ),
    Field(
        "site_dirs",
        "list",
        "Extra site directories.",
        [],
        PATHS,
        "str",
        hint="give an absolute path such as /opt/shared-site",
    ),
    Field("environment", "dict", "os.environ of the app (never shown).", {}, ENVIRONMENT),
    Field(
        "writable_dirs",
        "list",
        "Directories the app may write.",
        [],
        PATHS,
        "str",
        hint="give an absolute path such as /var/lib/app",
    ),
    Field(
        "server_name",
        "str",
        "ServerName of the app's virtual host.",
        REQUIRED,
        partial(host_name, wildcard=False),
        hint="give the host name the app is served at, such as app.example.com",
    ),
    Field("server_aliases", "list", "ServerAlias names.", [], Each(host_name), "str"),
    Field("default_server", "bool", "Answer the host names no app claims.", False),
    Field("mount", "str", "URL path the app is mounted at.", "/", url_path),
    Field(
        "static",
        "list",
        "Directories Apache serves itself.",
        [],
        Entries(tuple(STATIC_FIELDS)),
        elements="dict",
    ),
    Field("pass_authorization", "bool", "WSGIPassAuthorization On."),
    Field(
        "processes",
        "int",
        "Daemon processes.",
        rule=at_least(1, "; give at least 1 daemon process"),
    ),
    Field(
        "threads",
        "int",
        "Threads per daemon process.",
        rule=at_least(1, "; give at least 1 thread per daemon process"),
    ),
    Field("request_timeout", "int", "request-timeout, seconds.", rule=at_least(0, SECONDS)),
    Field("graceful_timeout", "int", "graceful-timeout, seconds.", rule=at_least(0, SECONDS)),
    Field("socket_timeout", "int", "socket-timeout, seconds.", rule=at_least(0, SECONDS)),
    Field("queue_timeout", "int", "queue-timeout, seconds.", rule=at_least(0, SECONDS)),
    Field("startup_timeout", "int", "startup-timeout, seconds.", rule=at_least(0, SECONDS)),
    Field(
        "daemon_options",
        "dict",
        "Further WSGIDaemonProcess options (an allow-list).",
        {},
        Each(daemon_option, keyed=True),
    ),
    Field(
        "tls_cert",
        "str",
        "Certificate (chain) file.",
        rule=absolute_path,
        hint="give the file's absolute path, such as /etc/ssl/certs/app.pem",
        optional=True,
    ),
    Field(
        "tls_key",
        "str",
        "Private key of tls_cert.",
        rule=absolute_path,
        hint="give the file's absolute path, such as /etc/ssl/private/app.key",
        optional=True,
    ),
    Field("tls_redirect", "bool", "With TLS, redirect plain HTTP to HTTPS."),
    Field(
        "proxy_upstream",
        "str",
        "Proxy mode - the upstream URL.",
        rule=proxy_upstream,
        optional=True,
    ),
    Field(
        "proxy_retry",
        "int",
        "Proxy mode - seconds before a failed upstream is tried again.",
        rule=at_least(0, SECONDS),
    ),
    Field(
        "extra_directives",
        "raw",
        "Single directive lines added to the app's virtual host(s).",
        [],
        Directives(directive),
    ),
    Field("health_check", "str", "URL path requested after each run; the mount.", rule=health_path),
    Field("revision", "str", "The deployed code's revision.", "", revision),
]
SUBFIELDS = {"entry": ENTRY_FIELDS, "static": STATIC_FIELDS}
_APP = {spec.name: spec for spec in APP_FIELDS}

# The app fields an app may leave to a role-wide apache_modwsgi_<field>, with its default.
INHERITED = {
    "mode": "daemon",
    "create_user": True,
    # The role passes the value Ansible computes from this expression.
    "processes": "{{ (ansible_facts['processor_vcpus'] | default(2, true) | int) * 2 + 1 }}",
    "threads": 1,
    "request_timeout": 60,
    "graceful_timeout": 15,
    "socket_timeout": 60,
    "queue_timeout": 45,
    "startup_timeout": 15,
    "pass_authorization": False,
    "tls_redirect": True,
    "proxy_retry": 5,
}

ROLE_FIELDS = [
    Field(
        "python",
        "str",
        "Interpreter mod_wsgi runs; '' for the distribution's mod_wsgi.",
        "",
        absolute_path,
        hint="give the interpreter's absolute path, such as /opt/python/3.13.5/bin/python3.13, "
        "or '' for the system's",
        optional=True,
    ),
    Field(
        "pip_venv",
        "str",
        "Venv mod_wsgi is compiled in.",
        "/opt/wsgistack/mod_wsgi",
        absolute_path,
        hint="give an absolute path such as /opt/wsgistack/mod_wsgi",
    ),
    Field(
        "pip_spec",
        "str",
        "pip requirement of the compiled mod_wsgi.",
        "mod_wsgi==5.0.2",
        pip_requirement,
    ),
    *(
        dataclasses.replace(_APP[name], doc=f"Default of {APPS}[].{name}.", default=default)
        for name, default in INHERITED.items()
    ),
    Field(
        "health_check_timeout",
        "int",
        "Seconds each app has to pass its health check.",
        30,
        at_least(1, "; give a number of seconds (1 or more)"),
    ),
    Field("locale", "str", "lang and locale of the daemon processes.", "C.UTF-8", locale_name),
    Field(
        "socket_prefix",
        "str",
        "WSGISocketPrefix; '' for the platform's.",
        "",
        absolute_path,
        hint="give an absolute path such as /run/apache2/wsgi, or '' for the platform's",
        optional=True,
    ),
    Field("restrict_embedded", "bool", "WSGIRestrictEmbedded On.", True),
    Field(
        "python_home",
        "str",
        "Server-wide WSGIPythonHome; '' for none.",
        "",
        absolute_path,
        hint="give the interpreter's prefix, such as /opt/python/3.13.5, or '' for none",
        optional=True,
    ),
    Field(
        "wsgi_dir",
        "str",
        "Directory of the .wsgi files.",
        "/var/www/wsgi-scripts",
        absolute_path,
        hint="give an absolute path such as /var/www/wsgi-scripts",
    ),
    Field(
        "apps_dir",
        "str",
        "Directory for the apps' code.",
        "/var/www/apps",
        absolute_path,
        hint="give an absolute path such as /var/www/apps",
    ),
    Field(
        "admin_group",
        "str",
        "Group of the admins who deploy; '' for none.",
        "",
        partial(account, system=True),
        hint="give the group of the people who deploy, or '' for none",
        optional=True,
    ),
    Field(
        "admin_users",
        "list",
        "Existing users added to the admin group.",
        [],
        Each(partial(account, system=True)),
        "str",
        hint="give the login name of an existing user",
    ),
    Field(
        "server_tokens",
        "str",
        "ServerTokens.",
        "Prod",
        one_of("Prod", "ProductOnly", "Major", "Minor", "Min", "Minimal", "OS", "Full"),
    ),
    Field("server_signature", "bool", "ServerSignature.", False),
    Field("trace_enable", "bool", "TraceEnable.", False),
    Field("directory_indexes", "bool", "Directory listings.", False),
    Field("default_site", "bool", "Keep the distribution's default site.", False),
    Field("catchall", "bool", "A first virtual host answering 403 to unknown names.", True),
    Field("tls_protocols", "str", "SSLProtocol.", "-all +TLSv1.2 +TLSv1.3", tls_protocols),
    Field("http_port", "int", "Port of the plain HTTP virtual hosts.", 80, port),
    Field("https_port", "int", "Port of the TLS virtual hosts.", 443, port),
]


def argument_spec_type(spec: Field) -> tuple[str, str | None]:
    """``(type, elements)`` as meta/argument_specs.yml writes them: a str or list of str
    that must be an absolute path is argument_specs' ``path`` (a str where '' is its default:
    '' is no path)."""
    if spec.rule is absolute_path and spec.default != "":
        return "path", None
    if spec.rule is PATHS:
        return "list", "path"
    return spec.type, spec.elements


# ---------------------------------------------------------------- the check

# Directories any user can create files in: never for the daemons' sockets.
WORLD_WRITABLE = ("/tmp", "/var/tmp")  # noqa: S108 - refused, not used


def _check_entry(app: Entry) -> dict | None:
    given = app.given.get("entry")
    mode = app["mode"]
    if given is None:
        if mode in ("daemon", "embedded"):
            app.add(
                "entry",
                f"mode {mode} needs entry (how the .wsgi loads the app); give "
                "{type: module, callable: 'package.module:application'} "
                "or a django or paste entry",
            )
        return None
    if not isinstance(given, dict):
        return None  # the app's check named it: expected a mapping
    where = f"{app.where}.entry"
    entry = resolve(given, ENTRY_FIELDS, where, app.problems)
    kind = entry.get("type")
    if kind not in ENTRY_NEEDS:
        return entry
    for key in ENTRY_NEEDS[kind]:
        if given.get(key) is None:
            app.problems.add(
                f"{where}.{key}", f"entry type {kind} needs {key}; give {ENTRY_EXAMPLES[key]}"
            )
    for spec in ENTRY_FIELDS[1:]:
        if spec.name not in ENTRY_TAKES[kind] and given.get(spec.name) is not None:
            users = [t for t, keys in ENTRY_TAKES.items() if spec.name in keys]
            app.problems.add(
                f"{where}.{spec.name}",
                f"only entry type {' or '.join(users)} reads {spec.name}; remove it "
                f"(this entry's type is {kind})",
            )
    return entry


def _check_identity(app: Entry, platform: dict) -> tuple[str | None, str | None]:
    """The daemon's user and group: given, or the app's name; never root or Apache's."""
    name = app["name"]
    user = app["user"] if app.given.get("user") is not None else name
    group = app["group"] if app.given.get("group") is not None else user
    if app["mode"] != "daemon":
        return user, group
    if app.given.get("user") is None and user is not None:
        # The group follows the user when unset: one problem, named at the user.
        try:
            account(user)
        except Invalid:
            app.add(
                "user",
                f"unset, so the app's name {user!r}, which is a system account; give the app "
                "a user of its own",
            )
            return None, None
    refused = False
    for key, value, apache in (
        ("user", user, platform.get("apache_user")),
        ("group", group, platform.get("apache_group")),
    ):
        if key == "group" and refused and app.given.get("group") is None:
            break  # the user's name, refused already
        if value is not None and value in ("root", apache):
            refused = True
            app.add(
                key,
                f"the daemon may not run as {value} (root and Apache's own {key} are refused); "
                f"give the app a {key} of its own",
            )
    return user, group


def _check_mode(app: Entry, wide: dict) -> None:
    mode = app["mode"]
    if mode in ("daemon", "embedded") and app.given.get("venv") is None:
        app.add(
            "venv",
            f"mode {mode} needs venv; give the absolute path of the app's virtualenv "
            "(wsgistack.deploy.virtualenv makes it), or use mode proxy",
        )
    if mode == "proxy" and app.given.get("proxy_upstream") is None:
        app.add(
            "proxy_upstream",
            "mode proxy needs proxy_upstream; give the app server's URL, such as "
            "http://127.0.0.1:8000/ or unix:/run/app/gunicorn.sock|http://localhost/",
        )
    if mode == "embedded" and wide.get("restrict_embedded") is True:
        app.add(
            "mode",
            "embedded mode runs the app inside Apache's own processes, which "
            "apache_modwsgi_restrict_embedded: true forbids; set "
            "apache_modwsgi_restrict_embedded: false to choose it, or use mode daemon",
        )
    cert, key = app.given.get("tls_cert"), app.given.get("tls_key")
    if (cert is None) != (key is None):
        missing, present = ("tls_key", "tls_cert") if key is None else ("tls_cert", "tls_key")
        app.add(
            missing,
            f"{present} is given without {missing}; give both (the certificate chain and its "
            "private key) or neither",
        )


def _python_paths(values: dict) -> list[str]:
    """The app's code directories, on sys.path: app_dir and a Django entry's project_dir."""
    entry = values.get("entry") or {}
    return [path for path in (values.get("app_dir"), entry.get("project_dir")) if path]


def _check_writable(app: Entry, wide: dict) -> None:
    """The app never writes its own code, venv or .wsgi, nor a directory of the system."""
    # (what, path, the writable directory may be it, may be below it). A code directory may be
    # writable itself: the stacks make the data directory the working directory (app_dir) of an
    # app installed from a package, which has no code directory of its own.
    code = [(key, app[key], False, False) for key in ("venv", "python_home") if app[key]]
    code += [("the code directory", path, True, True) for path in _python_paths(app.values)]
    if wide.get("wsgi_dir"):
        code.append(("apache_modwsgi_wsgi_dir", wide["wsgi_dir"], False, False))
    if wide.get("apps_dir"):
        code.append(("apache_modwsgi_apps_dir", wide["apps_dir"], False, True))
    app.check_writable("writable_dirs", code, "its own code, venv or .wsgi")


def _derive(app: Entry, wide: dict, platform: dict, user: str | None, group: str | None) -> dict:
    a = dict(app.values)
    a.pop("environment", None)
    paths = _python_paths(a)
    venv = a.get("venv")
    python_home = a.get("python_home") or venv or ""
    mode = a.get("mode")
    a.update(
        user=user,
        group=group,
        python_home=python_home,
        python_paths=paths,
        home=[*paths, "/"][0],
        wsgi_file=posixpath.join(wide.get("wsgi_dir") or "/", f"{a.get('name')}.wsgi"),
        wsgi_group=platform.get("apache_group") if mode == "embedded" else group,
        syspath_block=mode == "embedded" or bool(a.get("site_dirs")) or python_home != (venv or ""),
        tls=bool(a.get("tls_cert")),
        health_check=a["health_check"] if a.get("health_check") is not None else a.get("mount"),
        site=DEFAULT_SITE
        if a.get("default_server")
        else f"{platform.get('site_prefix') or ''}{a.get('name')}",
    )
    return a


def _check_role_wide(role_wide: Any, platform: dict, problems: Problems) -> dict:
    # Every field comes from its role-wide variable, named as such.
    values = role_wide if isinstance(role_wide, dict) else {}
    wide = resolve_variables(values, ROLE_FIELDS, PREFIX, problems)
    prefix = wide.get("socket_prefix")
    if prefix and any(within(prefix, tmp) for tmp in WORLD_WRITABLE):
        default = platform.get("socket_prefix_default") or "/run/apache2/wsgi"
        problems.add(
            "apache_modwsgi_socket_prefix",
            f"{prefix} is under /tmp or /var/tmp, where any user can create files; give a "
            f"directory outside them, such as {default} (or '' for that)",
        )
    group = wide.get("admin_group")
    if group == "root":
        problems.add(
            "apache_modwsgi_admin_group",
            "root is the superuser's group; give a group of the people who deploy",
        )
    if group and group == platform.get("apache_group"):
        problems.add(
            "apache_modwsgi_admin_group",
            f"{group} is Apache's group, whose processes could then replace the .wsgi files; "
            "give a group of the people who deploy",
        )
    if wide.get("admin_users") and wide.get("admin_group") == "":
        problems.add(
            "apache_modwsgi_admin_users",
            "the admins need apache_modwsgi_admin_group; set the group they share, or leave "
            "apache_modwsgi_admin_users empty",
        )
    return wide


def _check_together(apps: list[Entry], wide: dict, problems: Problems) -> None:
    names: dict[str, str] = {}
    hosts: dict[str, str] = {}
    default: str | None = None
    for app in apps:
        name = app["name"]
        if name is not None:
            if name in names:
                problems.add(
                    f"{app.where}.name",
                    f"{name!r} is already the name of {names[name]}; each app needs a name "
                    "of its own",
                )
            else:
                names[name] = app.where
        claimed = [(f"{app.where}.server_name", app["server_name"])]
        claimed += [
            (f"{app.where}.server_aliases[{i}]", alias)
            for i, alias in enumerate(app["server_aliases"] or [])
        ]
        for where, host in claimed:
            if host is None:
                continue
            if host in hosts:
                problems.add(
                    where,
                    f"{host!r} is already served by {hosts[host]}; a host name belongs to one "
                    "app (names are not case-sensitive)",
                )
            else:
                hosts[host] = where
        if app["default_server"]:
            where = f"{app.where}.default_server"
            if default is not None:
                problems.add(
                    where,
                    f"{default} is already the default server; only one app can answer the host "
                    "names no app claims",
                )
            else:
                default = app.where
            if wide.get("default_site") is True:
                problems.add(
                    where,
                    "the distribution's default site (apache_modwsgi_default_site: true) answers "
                    "the host names no app claims; set apache_modwsgi_default_site: false, or "
                    "remove default_server",
                )


def _health_checks(apps: list[dict], wide: dict, platform: dict) -> list[dict]:
    """What wsgistack.deploy.health_check asks of each app that has a health check: its path
    through Apache (HTTPS with TLS), its host name, and the end of its error log on failure."""
    checks = []
    for a in apps:
        if a["health_check"]:
            log = f"{platform.get('log_dir')}/{a['name']}_error.log"
            checks.append(
                health_check(
                    a["name"],
                    tls=a["tls"],
                    port=wide["https_port"] if a["tls"] else wide["http_port"],
                    path=a["health_check"],
                    host=a["server_name"],
                    log_command=["tail", "--lines", LOG_LINES_READ, log],
                    log_title=log,
                )
            )
    return checks


def check(apps: Any, role_wide: Any, platform: Any) -> dict[str, Any]:
    """Every problem of the role's input, and the apps resolved when there is none.

    ``apps`` is ``apache_modwsgi_apps``; ``role_wide`` maps each of :data:`ROLE_FIELDS`' names
    to the value of ``apache_modwsgi_<name>``; ``platform`` holds ``apache_user``,
    ``apache_group``, ``socket_prefix_default``, ``log_dir`` (vars/<os_family>.yml) and
    ``site_prefix`` (what precedes an app's name in its site file's name).

    Returns ``errors`` (one line each, ``<variable>: <problem>; <fix>``), ``apps`` (each with
    every field resolved and the derived values; without the environment; empty when there
    are errors), ``venv_requests`` (what venv_facts reads for each app that has a venv) and
    ``health_checks`` (what wsgistack.deploy.health_check asks after a run).
    """
    problems = Problems()
    platform = platform if isinstance(platform, dict) else {}
    wide = _check_role_wide(role_wide, platform, problems)
    if not isinstance(apps, list):
        problems.add(APPS, f"expected a list of apps, got a {type(apps).__name__}")
        apps = []
    fallback = {name: (PREFIX + name, wide.get(name)) for name in INHERITED}
    checked = []
    resolved = []
    for index, given in enumerate(apps):
        where = f"{APPS}[{index}]"
        if not isinstance(given, dict):
            # Its type only: shown, a list or text could hold the environment's secrets.
            problems.add(
                where, f"expected a mapping describing one app, got a {type(given).__name__}"
            )
            continue
        app = Entry(where, given, APP_FIELDS, problems, fallback)
        app.values["entry"] = _check_entry(app)
        user, group = _check_identity(app, platform)
        _check_mode(app, wide)
        _check_writable(app, wide)
        checked.append(app)
        resolved.append(_derive(app, wide, platform, user, group))
    _check_together(checked, wide, problems)
    if any(a["tls"] for a in resolved) and wide.get("http_port") == wide.get("https_port"):
        problems.add(
            "apache_modwsgi_https_port",
            f"{wide.get('https_port')} is apache_modwsgi_http_port too, and an app has TLS; "
            "give TLS a port of its own, such as 443",
        )
    if problems:
        return {
            "errors": list(problems.lines),
            "apps": [],
            "venv_requests": [],
            "health_checks": [],
        }
    return {
        "errors": [],
        "apps": resolved,
        "venv_requests": [
            {"name": a["name"], "path": a["venv"], "sources": a["python_paths"]}
            for a in resolved
            if a["mode"] != "proxy"
        ],
        "health_checks": _health_checks(resolved, wide, platform),
    }


# ---------------------------------------------------------------- Apache's configuration

# Every file the role writes into Apache's configuration.
CONFIG_FILE = {"owner": "root", "group": "root", "mode": "0644"}
# What a site file the role no longer loads holds where Apache loads every file of the
# directory (RedHat's conf.d), and what the distribution's default site files hold there.
NOT_LOADED = "# Not loaded: wsgistack.deploy.apache_modwsgi no longer serves this site.\n"
DEFAULT_SITE_OFF = (
    "# Disabled by wsgistack.deploy.apache_modwsgi (apache_modwsgi_default_site: false).\n"
)


def config_set(
    apps: Any,
    *,
    conf_files: Any,
    conf_dir: Any,
    conf_enabled_dir: Any = "",
    site_dir: Any,
    site_enabled_dir: Any = "",
    catchall_name: Any,
    catchall: Any,
    default_site_name: Any,
    site_prefix: Any,
    default_site: Any,
    default_site_links: Any,
    default_site_files: Any,
) -> dict[str, list]:
    """What wsgistack.deploy.config_transaction puts in place for Apache (apachectl configtest
    checks it).

    ``apps`` are the apps :func:`check` resolved (each loaded as its ``site``). ``conf_files``
    are the role's server-wide files (``name``, ``template``) in ``conf_dir``; the sites go
    to ``site_dir``. ``conf_enabled_dir`` and ``site_enabled_dir`` are Debian's
    conf-enabled and sites-enabled, '' (or None) where Apache loads the whole directory
    (RedHat's conf.d). ``catchall_name`` is the catch-all virtual host's site, loaded when
    ``catchall`` (apache_modwsgi_catchall) and no app is the default server.
    ``default_site_name`` is the site of the app with default_server (:data:`DEFAULT_SITE`),
    ``site_prefix`` what precedes the name of every other app in its site's name (the
    platform's, as :func:`check` takes it): from them come the stale sites, those an earlier
    run may have loaded that this one does not (removed or emptied). ``default_site`` keeps
    the distribution's default site, else its ``default_site_links`` are removed and its
    ``default_site_files`` emptied.

    Returns config_transaction's ``files``, ``links`` and ``absent``. A wrong argument is
    :class:`Invalid` (a ValueError) naming it.
    """
    apps = argument("apps", apps, "list", "dict")
    confs = argument("conf_files", conf_files, "list", "dict")
    conf_names = [
        argument(f"conf_files[{i}].name", c.get("name"), "str") for i, c in enumerate(confs)
    ]
    conf_templates = [
        argument(f"conf_files[{i}].template", c.get("template"), "str") for i, c in enumerate(confs)
    ]
    conf_dir = argument("conf_dir", conf_dir, "str")
    conf_enabled_dir = (
        argument("conf_enabled_dir", conf_enabled_dir, "str") if conf_enabled_dir else ""
    )
    site_dir = argument("site_dir", site_dir, "str")
    site_enabled_dir = (
        argument("site_enabled_dir", site_enabled_dir, "str") if site_enabled_dir else ""
    )
    catchall_name = argument("catchall_name", catchall_name, "str")
    catchall = argument("catchall", catchall, "bool")
    default_site_name = argument("default_site_name", default_site_name, "str")
    site_prefix = argument("site_prefix", site_prefix, "str")
    keep_default = argument("default_site", default_site, "bool")
    default_links = argument("default_site_links", default_site_links, "list", "str")
    default_files = argument("default_site_files", default_site_files, "list", "str")
    sites = [argument(f"apps[{i}].site", app.get("site"), "str") for i, app in enumerate(apps)]
    names = [argument(f"apps[{i}].name", app.get("name"), "str") for i, app in enumerate(apps)]
    # The sites this run loads: the catch-all virtual host (unknown Host headers get 403), not
    # when an app is the default server (default_server): its site (default_site_name) sorts
    # before every other, so its virtual host is the first Apache loads on the port, the one
    # that answers the host names no app claims; the catch-all is then not loaded.
    catchall = catchall and not any(app.get("default_server") for app in apps)
    loaded = ([catchall_name] if catchall else []) + sites
    # Sites an earlier run may have loaded that this one does not: the catch-all, the default
    # app's site, an app's site under the name it does not have now (default_server changed).
    known = [catchall_name, default_site_name] + [f"{site_prefix}{name}" for name in names]
    stale = [site for site in known if site not in loaded]

    # The server-wide configuration; the catch-all; the apps' virtual hosts (the template
    # reads its app as __apache_modwsgi_app).
    files: list[dict] = [
        {"path": f"{conf_dir}/{name}.conf", "template": template}
        for name, template in zip(conf_names, conf_templates)
    ]
    if catchall:
        files.append({"path": f"{site_dir}/{catchall_name}.conf", "template": "catchall.conf.j2"})
    files += [
        {
            "path": f"{site_dir}/{site}.conf",
            "template": "vhost.conf.j2",
            "template_vars": {"__apache_modwsgi_app": app},
        }
        for site, app in zip(sites, apps)
    ]
    # Then the files emptied rather than removed (RedHat loads every file of conf.d): the
    # catch-all or the default app's site of an earlier run that this one does not load, and
    # the distribution's default site files (an rpm's config file: emptied, so updates keep it
    # empty).
    if not site_enabled_dir:
        files += [{"path": f"{site_dir}/{site}.conf", "content": NOT_LOADED} for site in stale]
    if not keep_default:
        files += [{"path": path, "content": DEFAULT_SITE_OFF} for path in default_files]

    # Debian: the links a2enconf/a2ensite make, for the configuration and the loaded sites.
    links = [
        {"src": f"../conf-available/{name}.conf", "path": f"{conf_enabled_dir}/{name}.conf"}
        for name in (conf_names if conf_enabled_dir else [])
    ]
    links += [
        {"src": f"../sites-available/{site}.conf", "path": f"{site_enabled_dir}/{site}.conf"}
        for site in (loaded if site_enabled_dir else [])
    ]
    # Debian: the links of the sites an earlier run loaded and this one does not, and the
    # distribution's default site.
    absent = [f"{site_enabled_dir}/{site}.conf" for site in (stale if site_enabled_dir else [])]
    absent += [] if keep_default else default_links
    return {"files": [{**f, **CONFIG_FILE} for f in files], "links": links, "absent": absent}
