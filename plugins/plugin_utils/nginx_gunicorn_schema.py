# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The input of the nginx_gunicorn role: its app fields, their rules, and the check of the apps.

Each key of an entry of ``nginx_gunicorn_apps`` is a :class:`Field` below, defined once: its
type, its default, the rule its value must follow and its documentation. Most of them have a
role-wide variable ``nginx_gunicorn_<key>`` that an app which leaves the key unset (or null)
takes; :data:`ROLE_WIDE` names them. :func:`check` resolves every app against those variables,
applies the rules of each field and the rules between fields, and reports every problem at
once, each naming the variable it came from - ``nginx_gunicorn_apps[0].workers`` when the app
set it, ``nginx_gunicorn_workers`` when the role-wide value was used - and the fix.

Nothing from the inventory reaches nginx, systemd or gunicorn's configuration unless a rule
here has made it inert there: host names, URL paths and file paths are of a fixed alphabet,
gunicorn settings are written as Python literals (:func:`python_value`), and the raw nginx
lines an operator adds (``extra_nginx_directives``) are one simple directive each.

The mechanics - resolving the fields and the role-wide variables, each element of a list
named, text on one line, the app being checked (``schema.Entry``), the writable directories -
are schema's; the rules only this role needs are here: :func:`nginx_size`, :func:`ip_list`,
:func:`gunicorn_bind`, :func:`nginx_directive`, :func:`python_name` and :func:`python_value`.

:func:`config_set` derives from the resolved apps what the role puts into nginx's
configuration (the files, links and removals of wsgistack.deploy.config_transaction, through
the ``wsgistack.deploy.nginx_gunicorn_config_set`` filter); the templates only present them.
"""

from __future__ import annotations

import ipaddress
import keyword
import math
import posixpath
import re
from functools import partial
from typing import Any

from ansible_collections.wsgistack.deploy.plugins.plugin_utils.app_server import (
    LOG_LINES_READ,
    health_check,
)
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.schema import (
    ENVIRONMENT,
    REQUIRED,
    Each,
    Entries,
    Entry,
    Field,
    Invalid,
    Parts,
    Problems,
    absolute_path,
    account,
    app_name,
    argument,
    at_least,
    health_path,
    host_name,
    one_of,
    pattern,
    pip_requirement,
    port,
    python_callable,
    resolve_variables,
    typed,
    url_path,
)

__all__ = [
    "APPS_VARIABLE",
    "APP_FIELDS",
    "APP_ONLY",
    "LOGLEVELS",
    "PATH_FIELDS",
    "PREFIX",
    "ROLE_FIELDS",
    "ROLE_WIDE",
    "STATIC_FIELDS",
    "WORKER_CLASSES",
    "check",
    "config_set",
    "gunicorn_bind",
    "ip_list",
    "nginx_directive",
    "nginx_size",
    "python_name",
    "python_value",
    "settings_lines",
]

PREFIX = "nginx_gunicorn_"
APPS_VARIABLE = "nginx_gunicorn_apps"
WORKER_CLASSES = ("sync", "gthread", "gevent")
LOGLEVELS = ("debug", "info", "warning", "error", "critical")
WORKERS_UNSET = " (or leave it unset: CPU cores + 1 with gthread, else 2 * CPU cores + 1)"
LOOPBACK_NAMES = ("localhost",)

BIND_TCP_RE = re.compile(r"(\[(?P<v6>[^\]]*)\]|(?P<host>[^:\[\]]+)):(?P<port>[0-9]{1,5})")
SOCKET_FILE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")

POSITIVE = at_least(1, "; set a number >= 1")
ZERO_OR_MORE = at_least(0, "; set a number >= 0 (0 turns it off)")


# Rules this role needs that schema does not have. Each takes the typed value and returns
# its normal form, or raises Invalid with the problem and the fix.

_size = pattern(
    r"[0-9]+[kKmMgG]?",
    "is not an nginx size; give a number of bytes with an optional k, m or g "
    "(such as 10m or 1g; 0 for no limit)",
)


def nginx_size(value: str) -> str:
    """A size as nginx reads it (client_max_body_size): digits and an optional k, m or g."""
    return _size(value).lower()


def ip_list(value: str) -> str:
    """gunicorn's forwarded_allow_ips: IP addresses, or *, separated by commas."""
    items = [item.strip() for item in value.split(",")]
    for item in items:
        if item == "*":
            continue
        try:
            if "%" in item:  # an IPv6 scope, of any text
                raise ValueError(item)
            ipaddress.ip_address(item)
        except ValueError:
            raise Invalid(
                f"{value!r} is not a comma-separated list of IP addresses; give nginx's "
                "address(es), such as 127.0.0.1,::1"
            ) from None
    return ",".join(items)


def _bind_host(text: str, bracketed: bool) -> str | None:
    """A bind's host in its normal form: an IPv6 address in brackets, IPv4, or a host name."""
    if "%" in text:  # an IPv6 scope, of any text
        return None
    try:
        if bracketed:
            return f"[{ipaddress.IPv6Address(text).compressed}]"
        return str(ipaddress.IPv4Address(text))
    except ValueError:
        pass
    try:
        return None if bracketed else host_name(text)
    except Invalid:
        return None


def _tcp_bind(value: str) -> tuple[str, int] | None:
    """``(host, port)`` of a host:port bind, the host in its normal form; None if it is not one."""
    match = BIND_TCP_RE.fullmatch(value)
    if not match or not 0 < int(match["port"]) < 65536:
        return None
    bracketed = match["v6"] is not None
    host = _bind_host(match["v6"] if bracketed else match["host"], bracketed)
    return (host, int(match["port"])) if host else None


def gunicorn_bind(value: str) -> str:
    """Where gunicorn listens: ``unix:<absolute path>`` or ``host:port``.

    That a unix socket is in the app's own /run/<name>/ is a rule between fields, in check().
    """
    if value.startswith("unix:"):
        try:
            return "unix:" + absolute_path(value[len("unix:") :])
        except Invalid:
            pass
    else:
        tcp = _tcp_bind(value)
        if tcp:
            return f"{tcp[0]}:{tcp[1]}"
    raise Invalid(
        f"{value!r} is neither unix:/run/<app name>/<file> nor host:port; give one such as "
        "unix:/run/<app name>/gunicorn.sock, 127.0.0.1:8000 or [::1]:8000"
    )


def nginx_directive(value: str) -> str:
    """One simple nginx directive, such as ``add_header X-Frame-Options DENY;``.

    The operator's deliberate escape hatch into the server block: what the directive does is
    the operator's choice (and nginx -t checks it), but it stays one directive - one line, no
    block, balanced quotes, one ';' at the end (one line: the element is text).
    """
    text = value.strip(" ")
    if "{" in text or "}" in text:
        raise Invalid(
            f"{value!r} contains {{ or }}; give one simple directive per list item (such as "
            "add_header X-Frame-Options DENY;), not a block"
        )
    quote, ends, index = None, [], 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == ";":
            ends.append(index)
        elif char == "#":
            raise Invalid(
                f"{value!r} holds a comment (#); give the directive alone, "
                "such as add_header X-Frame-Options DENY;"
            )
        index += 1
    if quote:
        raise Invalid(f"{value!r} has an unclosed quote; close it before the final ;")
    if ends != [len(text) - 1]:
        raise Invalid(
            f"{value!r} is not one directive ending with ;; give one directive per list item, "
            "such as add_header X-Frame-Options DENY;"
        )
    return text


# A gunicorn setting's name, written as a Python assignment: an identifier, no keyword.
python_name = pattern(
    rf"(?!(?:{'|'.join(keyword.kwlist)})\Z)[A-Za-z_][A-Za-z0-9_]*",
    "is not a gunicorn setting name; give a Python name of A-Z a-z 0-9 _ "
    "(such as preload_app or worker_connections)",
)


def python_value(value: Any) -> Any:
    """A gunicorn setting's value as plain Python data, which ``repr`` writes as a literal.

    Text, whole and finite numbers, true/false, null, and lists and mappings of them; the
    literal reads back as the same value (ast.literal_eval), whatever the text holds.
    """
    if value is None or isinstance(value, bool):
        return None if value is None else bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Invalid(f"{value!r} is not a finite number; give a number, text or true/false")
        return float(value)
    if isinstance(value, str):
        text = str.__str__(value)
        if any(0xD800 <= ord(char) <= 0xDFFF for char in text):
            raise Invalid("the text holds a lone surrogate, which no file can hold; fix the text")
        return text
    if isinstance(value, (list, tuple)):
        return [python_value(item) for item in value]
    if isinstance(value, dict):
        return {python_value(key): python_value(item) for key, item in value.items()}
    raise Invalid(
        f"a {type(value).__name__} is not a value gunicorn's configuration can hold; give text, "
        "a number, true/false, null, or a list or mapping of them"
    )


def settings_lines(settings: dict[str, Any]) -> list[str]:
    """The lines ``name = literal`` of gunicorn settings, as gunicorn.conf.py holds them."""
    return [f"{name} = {settings[name]!r}" for name in sorted(settings)]


class Settings(Parts):
    """gunicorn's settings: each name a :func:`python_name` (a problem named ``field``), each
    value a :func:`python_value` (named ``field.<name>``)."""

    def apply(self, value: Any, spec: Field, name: str, problems: Problems) -> Any:
        settings = problems.check(name, typed, value, "dict")
        if settings is None:
            return None
        before = len(problems.lines)
        out: dict[str, Any] = {}
        for key, item in settings.items():
            setting = problems.check(name, python_name, key if isinstance(key, str) else str(key))
            if setting is not None:
                out[setting] = problems.check(f"{name}.{setting}", python_value, item)
        return out if len(problems.lines) == before else None


class StaticLocations(Entries):
    """Static locations: each a url and a path, never the app's own '/', each url once."""

    def apply(self, value: Any, spec: Field, name: str, problems: Problems) -> Any:
        locations = self.entries(value, name, problems)
        if locations is None:
            return None
        before = len(problems.lines)
        seen: dict[str, int] = {}
        for index, location in enumerate(locations):
            if location is None:
                continue
            where = f"{name}[{index}].url"
            if location["url"] == "/":
                problems.add(
                    where,
                    "'/' is where nginx passes requests to the app; serve static files under a "
                    "prefix such as /static",
                )
            elif location["url"] in seen:
                problems.add(
                    where,
                    f"{location['url']!r} is the url of [{seen[location['url']]}] too; give each "
                    "static location a url of its own",
                )
            seen.setdefault(location["url"], index)
        return locations if None not in locations and len(problems.lines) == before else None


# The fields. APP_FIELDS are the keys of an app; those in ROLE_WIDE have a role-wide
# variable nginx_gunicorn_<key> (whose default is the field's); the others are the app's own.

STATIC_FIELDS = [
    Field(
        "url",
        "str",
        "URL prefix nginx serves, such as /static.",
        REQUIRED,
        url_path,
        hint="give the URL prefix, such as /static",
    ),
    Field(
        "path",
        "str",
        "Absolute directory on the host.",
        REQUIRED,
        absolute_path,
        hint="give the absolute directory nginx serves it from, such as /srv/app/static",
    ),
]

APP_FIELDS = [
    Field(
        "name",
        "str",
        "The app's name: its unit, user, /run directory and files.",
        REQUIRED,
        app_name,
        hint="give the app's name, such as guestbook",
    ),
    Field(
        "venv",
        "str",
        "Absolute path of the app's virtualenv.",
        REQUIRED,
        absolute_path,
        hint="give the absolute path of the app's virtualenv, such as /srv/guestbook/venv",
    ),
    Field(
        "module",
        "str",
        "WSGI entry point, module:callable or module:factory().",
        REQUIRED,
        python_callable,
        hint="give the WSGI entry point, such as guestbook.wsgi:application",
    ),
    Field("user", "str", "System user gunicorn runs as; default the app's name.", None, account),
    Field("group", "str", "The user's primary group; default the user's name.", None, account),
    Field("create_user", "bool", "Create the group and system user.", True),
    Field("chdir", "str", "Directory gunicorn changes to; null leaves /.", None, absolute_path),
    Field(
        "environment", "dict", "Environment variables of the app (never shown).", {}, ENVIRONMENT
    ),
    Field(
        "writable_paths",
        "list",
        "Directories the app may write to.",
        [],
        Each(absolute_path),
        elements="str",
    ),
    Field("sandbox", "bool", "systemd sandboxing of the service.", True),
    Field("socket_activation", "bool", "systemd owns the listening socket.", False),
    Field(
        "bind",
        "str",
        "Where gunicorn listens; default unix:/run/<name>/gunicorn.sock.",
        None,
        gunicorn_bind,
    ),
    Field(
        "workers",
        "int",
        "Worker processes; null: 2 * cores + 1, cores + 1 with gthread.",
        None,
        at_least(1, "; set a number >= 1" + WORKERS_UNSET),
    ),
    Field("worker_class", "str", "sync, gthread or gevent.", "sync", one_of(*WORKER_CLASSES)),
    Field("threads", "int", "Threads per worker; null: 4 with gthread, else 1.", None, POSITIVE),
    Field("timeout", "int", "Seconds a silent worker lives.", 30, POSITIVE),
    Field("graceful_timeout", "int", "Seconds workers get to finish on reload/stop.", 30, POSITIVE),
    Field("keepalive", "int", "Seconds gunicorn keeps an idle connection.", 5, POSITIVE),
    Field(
        "max_requests",
        "int",
        "Requests after which a worker is replaced; 0 never.",
        10000,
        ZERO_OR_MORE,
    ),
    Field("max_requests_jitter", "int", "Random 0..N added to max_requests.", 1000, ZERO_OR_MORE),
    Field(
        "forwarded_allow_ips",
        "str",
        "Addresses trusted with X-Forwarded-*.",
        "127.0.0.1,::1",
        ip_list,
    ),
    Field("access_log", "bool", "gunicorn's own access log.", False),
    Field("loglevel", "str", "gunicorn's error log level.", "info", one_of(*LOGLEVELS)),
    Field(
        "settings", "dict", "More gunicorn settings, written as Python literals.", {}, Settings()
    ),
    Field(
        "server_names",
        "list",
        "nginx server_names; _ for none.",
        ["_"],
        Each(partial(host_name, catch_all=True)),
        elements="str",
    ),
    Field("listen", "int", "HTTP port of the nginx server.", 80, port),
    Field("default_server", "bool", "The server for host names no server claims.", False),
    Field("listen_ipv6", "bool", "Listen on IPv6 too.", True),
    Field("tls_listen", "int", "HTTPS port when tls_cert is set.", 443, port),
    Field("tls_cert", "str", "Certificate (chain) file on the host.", None, absolute_path),
    Field("tls_key", "str", "Private key file on the host.", None, absolute_path),
    Field(
        "static",
        "list",
        "Static locations nginx serves: url and path.",
        [],
        StaticLocations(tuple(STATIC_FIELDS)),
        elements="dict",
    ),
    Field("client_max_body_size", "str", "Largest request body nginx accepts.", "10m", nginx_size),
    Field("proxy_connect_timeout", "int", "Seconds nginx waits to connect.", 5, POSITIVE),
    Field(
        "proxy_read_timeout",
        "int",
        "Seconds nginx waits for gunicorn; null: timeout + 5.",
        None,
        POSITIVE,
    ),
    Field(
        "upstream_keepalive", "int", "Idle upstream connections per nginx worker.", 16, ZERO_OR_MORE
    ),
    Field(
        "extra_nginx_directives",
        "list",
        "Raw simple directives in the server block.",
        [],
        Each(nginx_directive),
        elements="str",
    ),
    Field(
        "health_check",
        "str",
        "URL path checked through nginx after each run; '' none.",
        "/",
        health_path,
    ),
]

# The app's own keys; every other app key has a role-wide variable.
APP_ONLY = frozenset({"name", "venv", "module", "user", "group", "bind", "default_server"})
ROLE_WIDE = frozenset(f.name for f in APP_FIELDS) - APP_ONLY

# Variables of the role that are not app keys.
PIP_VERSION = partial(pip_requirement, form="version")
ROLE_FIELDS = [
    Field("gunicorn_version", "str", "gunicorn version pip installs.", "27.0.1", PIP_VERSION),
    Field("gevent_version", "str", "gevent version for gevent workers.", "26.9.0", PIP_VERSION),
    Field("remove_default_site", "bool", "Remove the distribution's default site.", True),
    Field(
        "health_check_timeout",
        "int",
        "Seconds an app has to pass its health check.",
        30,
        POSITIVE,
    ),
]

# Fields whose value is an absolute path on the host (argument_specs' type path).
PATH_FIELDS = frozenset({"venv", "chdir", "writable_paths", "tls_cert", "tls_key"})

FIELDS = {f.name: f for f in APP_FIELDS}


# The check.


def _coerce(given: dict) -> dict:
    """Values YAML gives as numbers where the field is text (client_max_body_size: 0)."""
    size = given.get("client_max_body_size")
    if isinstance(size, int) and not isinstance(size, bool):
        return {**given, "client_max_body_size": str(size)}
    return given


def _role_wide(role_wide: dict, problems: Problems) -> dict[str, Any]:
    fields = [f for f in APP_FIELDS if f.name in ROLE_WIDE] + ROLE_FIELDS
    unknown = sorted(set(role_wide) - {f.name for f in fields})
    if unknown:
        raise ValueError(f"role_wide: unknown options {unknown}")
    return resolve_variables(_coerce(role_wide), fields, PREFIX, problems)


def _loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _unspecified(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def _defaults(app: Entry, vcpus: int) -> None:
    """The defaults that depend on other fields (or on the host)."""
    values, name = app.values, app["name"]
    gthread = app["worker_class"] == "gthread"
    if values["user"] is None and "user" not in app.given and name is not None:
        try:
            values["user"] = account(name)
        except Invalid:
            app.add(
                "user",
                f"unset, so the app's name {name!r}, which is a system account; give the app "
                "a user of its own",
            )
    if values["group"] is None and "group" not in app.given:
        values["group"] = values["user"]
    if values["bind"] is None and "bind" not in app.given and name is not None:
        values["bind"] = f"unix:/run/{name}/gunicorn.sock"
    if values["workers"] is None and app["worker_class"] is not None:
        values["workers"] = vcpus * (1 if gthread else 2) + 1
    if values["threads"] is None and app["worker_class"] is not None:
        values["threads"] = 4 if gthread else 1
    if values["proxy_read_timeout"] is None and app["timeout"] is not None:
        values["proxy_read_timeout"] = app["timeout"] + 5


def _gunicorn_rules(app: Entry) -> None:
    """The rules between the gunicorn fields of one app."""
    threads, name = app["threads"], app["name"]
    if threads is not None and threads > 1 and app["worker_class"] == "sync":
        app.add(
            "threads",
            f"{threads} with worker_class sync ({app.source('worker_class')}); set "
            f"{app.where}.worker_class to gthread (gunicorn would switch silently) or threads "
            "to 1",
        )
    if threads is not None and threads > 1 and app["worker_class"] == "gevent":
        app.add(
            "threads",
            f"{threads} with worker_class gevent ({app.source('worker_class')}); gevent ignores "
            "threads, set threads to 1",
        )
    bind = app["bind"]
    if bind is not None and name is not None and bind.startswith("unix:"):
        directory, file = posixpath.split(bind[len("unix:") :])
        if directory != f"/run/{name}" or not SOCKET_FILE_RE.fullmatch(file):
            app.add(
                "bind",
                f"{bind!r} is a unix socket outside /run/{name}/ (the unit's "
                f"RuntimeDirectory); use unix:/run/{name}/gunicorn.sock, or host:port",
            )
    tcp = _tcp_bind(bind) if bind is not None and not bind.startswith("unix:") else None
    allowed = app["forwarded_allow_ips"]
    if tcp and allowed is not None and "*" in allowed.split(",") and not _loopback(tcp[0]):
        app.add(
            "forwarded_allow_ips",
            f"'*' trusts every address while gunicorn listens on {bind} ({app.source('bind')}), "
            "which others than nginx can reach; list nginx's address(es) instead, or bind to "
            "127.0.0.1 or a unix socket",
        )


def _nginx_rules(app: Entry, role_given: set[str]) -> None:
    """The rules between the nginx fields of one app."""
    if app["server_names"] == []:
        app.add("server_names", "empty; give at least one name (_ matches any)")
    # Whether the app or the role-wide variable gives the key (valid or not).
    cert_set, key_set = (
        key in app.given or (key in ROLE_WIDE and key in role_given)
        for key in ("tls_cert", "tls_key")
    )
    if cert_set != key_set:
        missing, present = ("tls_key", "tls_cert") if cert_set else ("tls_cert", "tls_key")
        app.add(
            missing,
            f"unset while {app.source(present)} is set; set both (TLS) or neither (plain HTTP)",
        )
    listen, tls_listen = app["listen"], app["tls_listen"]
    if app["tls_cert"] is not None and listen is not None and listen == tls_listen:
        app.add(
            "tls_listen",
            f"{tls_listen} is the port of {app.source('listen')} too; the HTTP port redirects to "
            "the HTTPS one, use two ports",
        )


def _writable_rules(app: Entry) -> None:
    """The app never writes its own venv or code, nor a directory of the system."""
    code = [("venv", app["venv"], False, False)] if app["venv"] else []
    if app["chdir"]:
        code.append(("the code directory", app["chdir"], True, True))
    app.check_writable("writable_paths", code, "its own code or venv")


def _ports(app: Entry) -> set[int]:
    ports = {app["listen"]}
    if app["tls_cert"] is not None:
        ports.add(app["tls_listen"])
    return {p for p in ports if p is not None}


def _unique_names(apps: list[Entry]) -> None:
    names: dict[str, Entry] = {}
    for app in apps:
        name = app["name"]
        if name is not None and name in names:
            app.add(
                "name",
                f"{name!r} is the name of {names[name].where} too; give every app a name of "
                "its own",
            )
        names.setdefault(name, app)


def _unique_servers(apps: list[Entry]) -> None:
    """A server name, and the default server, belong to one app per port."""
    servers: dict[tuple[int, str], Entry] = {}
    defaults: dict[int, Entry] = {}
    for app in apps:
        ports = sorted(_ports(app))
        seen: set[str] = set()
        for server_name in app["server_names"] or []:
            if server_name in seen:
                app.add("server_names", f"{server_name!r} is listed twice; list it once")
                continue
            seen.add(server_name)
            for number in ports:
                other = servers.setdefault((number, server_name), app)
                if other is not app:
                    app.add(
                        "server_names",
                        f"{server_name!r} is a server name of {other.where} too, on port "
                        f"{number}; nginx would send both apps' requests to one of them, give "
                        "each app names of its own (or another port)",
                    )
        for number in ports if app["default_server"] else []:
            other = defaults.setdefault(number, app)
            if other is not app:
                app.add(
                    "default_server",
                    f"{other.where} is the default server on port {number} already; make at "
                    "most one app per port the default server",
                )


def _unique_binds(apps: list[Entry]) -> None:
    binds: list[tuple[tuple[str, int], Entry]] = []
    for app in apps:
        bind = app["bind"]
        tcp = _tcp_bind(bind) if bind and not bind.startswith("unix:") else None
        if not tcp:
            continue
        for (host, number), other in binds:
            same_host = host == tcp[0] or _unspecified(host) or _unspecified(tcp[0])
            if number == tcp[1] and same_host:
                app.add(
                    "bind",
                    f"{bind} takes the port of {other.where}'s bind {other['bind']} too; give "
                    "each app a port of its own, or a unix socket",
                )
                break
        binds.append((tcp, app))


def _health_checks(apps: list[dict]) -> list[dict]:
    """What wsgistack.deploy.health_check asks of each app that has a health check: its path
    through nginx (HTTPS with TLS), its first server name, and its journal on failure."""
    checks = []
    for app in apps:
        if app["health_check"]:
            tls = app["tls_cert"] is not None
            unit = f"gunicorn-{app['name']}"
            checks.append(
                health_check(
                    app["name"],
                    tls=tls,
                    port=app["tls_listen"] if tls else app["listen"],
                    path=app["health_check"],
                    host=app["server_names"][0],
                    log_command=[
                        "journalctl",
                        "--unit",
                        f"{unit}.service",
                        "--lines",
                        LOG_LINES_READ,
                        "--no-pager",
                        "--output",
                        "short-iso",
                    ],
                    log_title=f"journalctl --unit {unit}",
                )
            )
    return checks


def check(apps: Any, role_wide: dict, vcpus: Any = 1) -> dict[str, Any]:
    """Every problem of ``apps`` (nginx_gunicorn_apps), and the apps resolved.

    ``role_wide`` maps a role variable's name without the ``nginx_gunicorn_`` prefix
    (``workers``, ``gunicorn_version``) to its value; one left out has its default.
    ``vcpus`` is the host's CPU count, for the default number of workers.

    The result: ``errors``, one line per problem, ``<variable>: <problem>; <fix>``; and when
    there are none, ``apps`` (each app with every key resolved, without the environment, plus
    ``settings_lines``), ``venv_requests`` (for venv_facts) and ``wanted_packages`` (the app
    server packages and versions for each app's venv) and ``health_checks`` (what
    wsgistack.deploy.health_check asks after a run). With errors, those are empty.
    """
    if not isinstance(role_wide, dict):
        raise TypeError(f"role_wide: expected a mapping, got a {type(role_wide).__name__}")
    try:
        cpus = max(1, typed(vcpus, "int"))
    except Invalid:
        cpus = 1
    problems = Problems()
    role = _role_wide(role_wide, problems)
    role_given = {key for key, value in role_wide.items() if value is not None}
    checked: list[Entry] = []
    if apps is None:
        apps = []
    if not isinstance(apps, list):
        problems.add(APPS_VARIABLE, f"expected a list of apps, got a {type(apps).__name__}")
        apps = []
    fallback = {name: (PREFIX + name, role[name]) for name in ROLE_WIDE}
    for index, given in enumerate(apps):
        where = f"{APPS_VARIABLE}[{index}]"
        if not isinstance(given, dict):
            problems.add(where, f"expected a mapping (one app), got a {type(given).__name__}")
            continue
        app = Entry(where, _coerce(given), APP_FIELDS, problems, fallback)
        _defaults(app, cpus)
        _gunicorn_rules(app)
        _nginx_rules(app, role_given)
        _writable_rules(app)
        checked.append(app)
    _unique_names(checked)
    _unique_servers(checked)
    _unique_binds(checked)
    if problems:
        return {
            "errors": problems.lines,
            "apps": [],
            "venv_requests": [],
            "wanted_packages": {},
            "health_checks": [],
        }

    resolved = []
    for app in checked:
        values = {key: value for key, value in app.values.items() if key != "environment"}
        values["settings_lines"] = settings_lines(values["settings"])
        resolved.append(values)
    gevent_venvs = {app["venv"] for app in resolved if app["worker_class"] == "gevent"}
    return {
        "errors": [],
        "apps": resolved,
        "venv_requests": [
            {
                "name": app["name"],
                "path": app["venv"],
                "sources": [app["chdir"]] if app["chdir"] else [],
            }
            for app in resolved
        ],
        "wanted_packages": {
            app["name"]: {
                "gunicorn": role["gunicorn_version"],
                **({"gevent": role["gevent_version"]} if app["venv"] in gevent_venvs else {}),
            }
            for app in resolved
        },
        "health_checks": _health_checks(resolved),
    }


# ---------------------------------------------------------------- nginx's configuration

# Every server file the role writes.
SITE_FILE = {"owner": "root", "group": "root", "mode": "0644"}


def config_set(
    apps: Any,
    *,
    sites_dir: Any,
    sites_enabled_dir: Any = None,
    default_sites: Any,
    remove_default_site: Any,
) -> dict[str, list]:
    """What wsgistack.deploy.config_transaction puts in place for nginx (nginx -t checks it).

    ``apps`` are the apps :func:`check` resolved. ``sites_dir`` is the directory of the server
    files; ``sites_enabled_dir`` the one that links them (Debian's sites-enabled), None or ''
    where the platform has none (RedHat: nginx.conf includes every file of conf.d);
    ``default_sites`` the distribution's default server files, removed when
    ``remove_default_site`` (a bool).

    Returns config_transaction's ``files`` (one server per app, ``<sites_dir>/<name>.conf``
    from nginx-site.conf.j2), ``links`` and ``absent``. A wrong argument is :class:`Invalid`
    (a ValueError) naming it.
    """
    apps = argument("apps", apps, "list", "dict")
    sites_dir = argument("sites_dir", sites_dir, "str")
    enabled_dir = (
        argument("sites_enabled_dir", sites_enabled_dir, "str") if sites_enabled_dir else ""
    )
    default_sites = argument("default_sites", default_sites, "list", "str")
    remove = argument("remove_default_site", remove_default_site, "bool")
    names = [argument(f"apps[{i}].name", app.get("name"), "str") for i, app in enumerate(apps)]
    return {
        # The template reads its app as `item`, as it did when a loop wrote the servers.
        "files": [
            {
                "path": f"{sites_dir}/{name}.conf",
                "template": "nginx-site.conf.j2",
                "template_vars": {"item": app},
                **SITE_FILE,
            }
            for name, app in zip(names, apps)
        ],
        # Debian: each server linked from sites-enabled (RedHat's conf.d has no links).
        "links": [
            {"path": f"{enabled_dir}/{name}.conf", "src": f"{sites_dir}/{name}.conf"}
            for name in (names if enabled_dir else [])
        ],
        "absent": default_sites if remove else [],
    }
