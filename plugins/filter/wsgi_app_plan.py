# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wsgistack.deploy.wsgi_app_plan filter."""

from __future__ import annotations

import ipaddress
import posixpath
import re
from typing import Any
from urllib.parse import quote

from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.app_server import constraints

DOCUMENTATION = r"""
name: wsgi_app_plan
short_description: Turn the inventory's description of each app into every role's variables
version_added: 0.1.0
author: wsgistack.deploy developers
description:
  - The stack playbooks describe each application once, in C(wsgistack_apps), and compose the
    roles from that description. This filter validates the descriptions and derives what each
    role needs - the virtualenv, the database and its pg_hba rule, the app server or mod_wsgi
    daemon, the SELinux labels - so the derivation lives in one tested place.
  - >-
    Every problem raises an error naming the field, for example
    "wsgi_app_plan: wsgistack_apps[1].user: 'root' is not allowed; the app must run as its own
    unprivileged user (default: the app's name)".
  - Paths on the host follow one layout per app under O(app_root) - C(<app_root>/<name>/src) for
    the code (a copy of O(_input[].source)), C(<app_root>/<name>/venv) for the virtualenv
    (owned by root, read-only to the app), and C(/var/lib/<name>) as the one directory the app
    may write.
positional: stack
options:
  _input:
    description: The apps (C(wsgistack_apps)).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Identifier of the app - system user, paths, unit and vhost names; 1 to 32
          characters C([a-z0-9_]), starting with a letter.
        type: str
        required: true
      source:
        description: Absolute path, on the controller, of the app's project directory (with a
          C(pyproject.toml) or C(setup.py)); copied to the host and installed into the venv.
          One of O(_input[].source) and O(_input[].package) is required.
        type: path
      package:
        description: A pip requirement specifier to install instead of a copied source tree.
        type: str
      extras:
        description: Extras of the project to install (C(postgres) gives C(.[postgres])).
        type: list
        elements: str
        default: []
      requirements:
        description: A requirements file, relative to O(_input[].source) and inside it,
          installed first. The stack playbooks check that it exists on the controller before
          anything changes.
        type: str
      entry:
        description:
          - The WSGI entry point. C(type=module) with C(callable) (C(package.module:app)) for
            Flask, Pyramid's C(make_wsgi_app) modules or any WSGI callable; C(type=django) with
            C(settings) (the settings module); C(type=paste) with C(ini) (a PasteDeploy file,
            relative to the source or absolute) and optional C(app_name).
        type: dict
        required: true
      user:
        description: The unprivileged user the app runs as; created as a system user. Never
          C(root).
        type: str
        default: the app's name
      group:
        description: The app's group.
        type: str
        default: O(_input[].user)
      python:
        description: The interpreter the venv is made from (for example one built by the
          P(wsgistack.deploy.python_build#role) role).
        type: path
        default: /usr/bin/python3
      server_name:
        description: The virtual host name.
        type: str
        default: C(<name>.localhost)
      server_aliases:
        description: More host names.
        type: list
        elements: str
        default: []
      default_server:
        description: Answer requests for host names no app claims (one app per host at most).
        type: bool
        default: false
      mount:
        description: URL path the app is mounted at (C(/) or C(/sub)).
        type: str
        default: /
      static:
        description: Directories the front server serves itself - C(url) and C(dir) (relative
          to the source directory, or absolute).
        type: list
        elements: dict
        default: []
      environment:
        description: Environment variables for the app. Values may be secrets; the files that
          carry them are readable by root and the app's group only.
        type: dict
        default: {}
      database:
        description:
          - The app's PostgreSQL database - C(name) (default the app's name), C(user) (default
            the app's name), C(password) (required), C(url_env) (the environment variable that
            carries the connection URL, default C(DATABASE_URL)).
          - The URL is C(postgresql://user:password@/name?host=/var/run/postgresql) (the local
            socket) unless O(database_host) names a database server; then it is
            C(postgresql://user:password@host/name), with C(sslmode) (and C(sslrootcert)) when
            O(database_tls) is on.
        type: dict
      health_check:
        description: URL path the app server role requests through the front server (with
          O(_input[].server_name) as C(Host)) at the end of every run; the run fails unless it
          answers 2xx or 3xx, showing the answer and the end of the app server's log. An empty
          string skips it. A path that queries the database (C(/health)) also proves the
          database credentials.
        type: str
        default: O(_input[].mount)
      app_server:
        description: Options passed unchanged to the app's entry in the app server role
          (C(nginx_gunicorn_apps) or C(apache_modwsgi_apps)), such as C(workers) or C(threads).
          Not C(name), C(user), C(group), C(create_user) or C(venv) - the plan sets those from
          the description, and the stack creates that user, group and venv.
        type: dict
        default: {}
  stack:
    description: The stack the plan is for.
    type: str
    required: true
    choices: [nginx_gunicorn, apache_modwsgi, shared_host]
  app_root:
    description: Directory under which each app gets its code and venv.
    type: path
    default: /srv
  database_host:
    description: The database server's address when it is not this host (multi-host); the
      apps then connect over TCP. An IPv6 address is written in brackets in the URL.
    type: str
  database_port:
    description: The database server's port (C(postgres_pghba_port)); written into the URL
      only when it is not 5432.
    type: int
    default: 5432
  database_tls:
    description:
      - The database server has TLS on (C(postgres_pghba_ssl)). Apps on other hosts then
        connect with TLS (O(database_sslmode)) and the rules for O(web_addresses) are
        C(hostssl), so a connection without TLS finds no rule.
    type: bool
    default: false
  database_sslmode:
    description:
      - libpq C(sslmode) of the apps' connections to a O(database_host) with O(database_tls);
        by default C(verify-full) with O(database_sslrootcert) and C(require) without.
      - C(require) encrypts but does not check the server's certificate; C(verify-ca) and
        C(verify-full) (which also checks that the certificate names O(database_host)) need
        O(database_sslrootcert).
    type: str
    choices: [require, verify-ca, verify-full]
  database_sslrootcert:
    description: Path, on the web hosts, of the CA certificate (PEM) that signed the database
      server's certificate; passed to libpq as C(sslrootcert).
    type: path
  web_addresses:
    description:
      - The addresses the database server sees the web hosts connect from, as a mapping of
        host name to address (or a list of addresses), for the database host of a split
        tier. Each address is one host - C(10.0.1.21), C(10.0.1.21/32), C(2001:db8::21) or
        C(2001:db8::21/128); nothing wider.
      - Gives RV(_value.postgres_pghba_app_rules) - for each app with a database and each
        address, C(host) (C(hostssl) with O(database_tls)) C(<database> <user> <address>/32)
        C(scram-sha-256).
    type: raw
    default: {}
  python:
    description: The interpreter for apps that do not name one in O(_input[].python) (the
      shared-host stack passes the one it builds).
    type: path
    default: /usr/bin/python3
"""

EXAMPLES = r"""
- name: Derive every role's variables from the app descriptions
  ansible.builtin.set_fact:
    __plan: "{{ wsgistack_apps | wsgistack.deploy.wsgi_app_plan('nginx_gunicorn') }}"
  no_log: true  # the plan carries the database passwords
  vars:
    wsgistack_apps:
      - name: guestbook
        source: /home/me/src/guestbook
        extras: [postgres]
        entry: {type: module, callable: "guestbook.wsgi:application"}
        server_name: guestbook.example.com
        static: [{url: /static, dir: src/guestbook/static}]
        database: {password: "{{ vault_guestbook_db_password }}", url_env: GUESTBOOK_DATABASE_URL}
"""

RETURN = r"""
_value:
  description: The plan - one key per consumer.
  type: dict
  contains:
    apps:
      description: The normalized app descriptions, with C(src_dir), C(venv), C(data_dir),
        C(static), C(requirements) as absolute host paths, C(requirements_source) the
        requirements file on the controller, and C(environment) including the database URL.
      type: list
      elements: dict
    virtualenvs:
      description: One set of P(wsgistack.deploy.virtualenv#role) variables per app; on the
        nginx_gunicorn stack with C(virtualenv_constraint_specifiers) that keep an app's own
        gunicorn (and gevent) at versions the app server role works with.
      type: list
      elements: dict
    postgres_pghba_databases:
      description: Databases and roles for P(wsgistack.deploy.postgres_pghba#role).
      type: list
      elements: dict
    postgres_pghba_app_rules:
      description: pg_hba rules (for P(wsgistack.deploy.pg_hba_lines#filter)) that let each
        app's role into its database from each of O(web_addresses), with scram-sha-256; empty
        without O(web_addresses).
      type: list
      elements: dict
    app_server_apps:
      description: The entries for C(nginx_gunicorn_apps) or C(apache_modwsgi_apps).
      type: list
      elements: dict
    selinux_apps:
      description: The entries for C(selinux_apps).
      type: list
      elements: dict
"""

FILTER = "wsgi_app_plan"
NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
CALLABLE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
STACKS = ("nginx_gunicorn", "apache_modwsgi", "shared_host")
SOCKET_DIR = "/var/run/postgresql"
DEFAULT_PORT = 5432
SSLMODES = ("require", "verify-ca", "verify-full")
# What every install into an app's venv must keep to on each stack: the oldest app server
# versions its role works with (an app's own older pin fails in pip, before anything changes).
STACK_CONSTRAINTS = {
    "nginx_gunicorn": constraints(["gunicorn", "gevent"]),
    "apache_modwsgi": [],
    "shared_host": [],
}
KNOWN = {
    "name", "source", "package", "extras", "requirements", "entry", "user", "group", "python",
    "server_name", "server_aliases", "default_server", "mount", "static", "environment",
    "database", "app_server", "health_check",
}  # fmt: skip
# Keys of the app server entry that the plan derives from the description, and the field to
# set instead; the stack acts on them (it creates that user, group and venv), so app_server
# may not replace them.
PLAN_OWNED = {
    "name": "{where}.name",
    "user": "{where}.user",
    "group": "{where}.group",
    "create_user": None,
    "venv": "wsgistack_app_root (the venv is <app_root>/<name>/venv)",
}


class PlanError(AnsibleFilterError):
    """An invalid app description, reported with the path of the field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{FILTER}: {field}: {problem}")


def _text(app: dict, key: str, where: str, default: str | None = None) -> str | None:
    value = app.get(key, default)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise PlanError(f"{where}.{key}", f"expected a non-empty string, got {value!r}")
    return value


def _absolute(path: str, field: str) -> str:
    if not posixpath.isabs(path):
        raise PlanError(field, f"{path!r} must be an absolute path")
    return posixpath.normpath(path)


def _in_source(path: str, src_dir: str | None, field: str) -> str:
    """An absolute path as given, a relative one resolved in the app's source directory."""
    if not posixpath.isabs(path):
        if src_dir is None:
            raise PlanError(field, "a relative path needs 'source'; give an absolute path")
        path = posixpath.join(src_dir, path)
    return posixpath.normpath(path)


def _entry(app: dict, where: str, src_dir: str | None) -> dict:
    entry = app.get("entry")
    if not isinstance(entry, dict):
        raise PlanError(
            f"{where}.entry",
            "required: a mapping such as {type: module, callable: 'package.module:app'}",
        )
    kind = entry.get("type", "module")
    if kind == "module":
        target = entry.get("callable")
        if not isinstance(target, str) or not CALLABLE.match(target):
            raise PlanError(
                f"{where}.entry.callable",
                f"{target!r} is not 'package.module:callable' (for example "
                "'guestbook.wsgi:application')",
            )
        return {"type": "module", "callable": target}
    if kind == "django":
        settings = entry.get("settings")
        if not isinstance(settings, str) or not DOTTED.match(settings):
            raise PlanError(
                f"{where}.entry.settings",
                f"{settings!r} is not a dotted settings module such as 'mysite.settings'",
            )
        return {"type": "django", "settings": settings}
    if kind == "paste":
        ini = entry.get("ini")
        if not isinstance(ini, str) or not ini.endswith(".ini"):
            raise PlanError(f"{where}.entry.ini", f"{ini!r} is not a PasteDeploy .ini file")
        ini = _in_source(ini, src_dir, f"{where}.entry.ini")
        return {"type": "paste", "ini": ini, "app_name": entry.get("app_name")}
    raise PlanError(f"{where}.entry.type", f"{kind!r} is not one of module, django, paste")


def _database(app: dict, where: str, name: str, server: dict) -> dict | None:
    database = app.get("database")
    if database is None:
        return None
    if not isinstance(database, dict):
        raise PlanError(f"{where}.database", "expected a mapping with at least 'password'")
    db_where = f"{where}.database"
    db_name = _text(database, "name", db_where, name)
    db_user = _text(database, "user", db_where, name)
    for key, value in (("name", db_name), ("user", db_user)):
        if not NAME.match(value):
            raise PlanError(f"{db_where}.{key}", f"{value!r} must match {NAME.pattern}")
    password = database.get("password")
    if not isinstance(password, str) or len(password) < 12:
        # The value itself is never echoed: it is a secret.
        raise PlanError(
            f"{db_where}.password",
            "required: a string of at least 12 characters (keep it in ansible-vault)",
        )
    url_env = _text(database, "url_env", db_where, "DATABASE_URL")
    if not ENV_NAME.match(url_env):
        raise PlanError(f"{db_where}.url_env", f"{url_env!r} is not an environment variable name")
    host = server["host"] or SOCKET_DIR
    credentials = f"{quote(db_user, safe='')}:{quote(password, safe='')}"
    if server["host"]:
        url = f"postgresql://{credentials}@{server['netloc']}/{db_name}{server['query']}"
    else:
        url = f"postgresql://{credentials}@/{db_name}{server['query']}"
    return {
        "name": db_name,
        "user": db_user,
        "password": password,
        "host": host,
        "url_env": url_env,
        "url": url,
    }


def _static(app: dict, where: str, src_dir: str | None) -> list[dict]:
    entries = app.get("static", [])
    if not isinstance(entries, list):
        raise PlanError(f"{where}.static", "expected a list of {url, dir} mappings")
    result = []
    for index, item in enumerate(entries):
        field = f"{where}.static[{index}]"
        if not isinstance(item, dict) or not {"url", "dir"} <= set(item):
            raise PlanError(field, "expected a mapping with 'url' and 'dir'")
        url, directory = item["url"], item["dir"]
        if not isinstance(url, str) or not url.startswith("/"):
            raise PlanError(f"{field}.url", f"{url!r} must start with '/'")
        path = _in_source(directory, src_dir, f"{field}.dir")
        result.append({"url": url.rstrip("/") or "/", "path": path})
    return result


def _identity(app: Any, where: str) -> tuple[str, str, str]:
    if not isinstance(app, dict):
        raise PlanError(where, f"expected a mapping describing one app, got {app!r}")
    unknown = sorted(set(app) - KNOWN)
    if unknown:
        raise PlanError(where, f"unknown keys {unknown}; known keys are {sorted(KNOWN)}")
    name = _text(app, "name", where)
    if name is None or not NAME.match(name):
        raise PlanError(f"{where}.name", f"{name!r} must match {NAME.pattern}")
    user = _text(app, "user", where, name)
    if user == "root":
        raise PlanError(
            f"{where}.user",
            "'root' is not allowed; the app must run as its own unprivileged user "
            "(default: the app's name)",
        )
    return name, user, _text(app, "group", where, user)


def _install(app: dict, where: str, home: str) -> dict:
    """Where the code comes from and what pip installs into the venv."""
    source, package = app.get("source"), app.get("package")
    if (source is None) == (package is None):
        raise PlanError(
            where, "give exactly one of 'source' (a project directory) or 'package' (a pip spec)"
        )
    extras = app.get("extras", [])
    if not isinstance(extras, list) or not all(
        isinstance(e, str) and DOTTED.match(e) for e in extras
    ):
        raise PlanError(f"{where}.extras", f"expected a list of extra names, got {extras!r}")
    src_dir = posixpath.join(home, "src") if source is not None else None
    requirements = _text(app, "requirements", where)
    if requirements is not None:
        if src_dir is None or posixpath.isabs(requirements):
            raise PlanError(
                f"{where}.requirements", "must be a path relative to 'source' (the project dir)"
            )
        requirements = posixpath.normpath(requirements)
        if requirements == ".." or requirements.startswith("../"):
            raise PlanError(
                f"{where}.requirements",
                f"{app['requirements']!r} is outside 'source'; only the project dir is copied "
                "to the host, so give a file inside it",
            )
    if source is None:
        return {
            "source": None,
            "src_dir": None,
            "package_spec": _text(app, "package", where),
            "requirements": None,
            "requirements_source": None,
        }
    source = _absolute(_text(app, "source", where), f"{where}.source")
    return {
        "source": source,
        "src_dir": src_dir,
        "package_spec": src_dir + (f"[{','.join(extras)}]" if extras else ""),
        # On the host (the copy), and on the controller (checked before anything changes).
        "requirements": requirements and posixpath.join(src_dir, requirements),
        "requirements_source": requirements and posixpath.join(source, requirements),
    }


def _environment(app: dict, where: str, database: dict | None) -> dict:
    environment = app.get("environment", {})
    if not isinstance(environment, dict) or not all(ENV_NAME.match(str(k)) for k in environment):
        raise PlanError(f"{where}.environment", "expected a mapping of variable names to values")
    environment = {str(k): str(v) for k, v in environment.items()}
    if database:
        environment[database["url_env"]] = database["url"]
    return environment


def _front(app: dict, where: str, name: str) -> dict:
    """What the front server needs: host names and the mount point."""
    mount = _text(app, "mount", where, "/")
    if not mount.startswith("/") or (mount != "/" and mount.endswith("/")):
        raise PlanError(f"{where}.mount", f"{mount!r} must be '/' or '/path' without a trailing /")
    aliases = app.get("server_aliases", [])
    if not isinstance(aliases, list):
        raise PlanError(f"{where}.server_aliases", "expected a list of host names")
    app_server = app.get("app_server", {})
    if not isinstance(app_server, dict):
        raise PlanError(f"{where}.app_server", "expected a mapping of role options")
    owned = sorted(key for key in app_server if key in PLAN_OWNED)
    if owned:
        instead = PLAN_OWNED[owned[0]]
        raise PlanError(
            f"{where}.app_server.{owned[0]}",
            "set by the plan, which the stack acts on (it creates the app's user, group and "
            "venv); "
            + (f"set {instead.format(where=where)} instead" if instead else "remove it")
            + " - app_server is for app server options such as workers",
        )
    health_check = app.get("health_check", mount)
    if not isinstance(health_check, str) or (
        health_check and not re.fullmatch(r"/\S*", health_check)
    ):
        raise PlanError(
            f"{where}.health_check",
            f"{health_check!r} must be a URL path starting with / (such as /health), "
            "or '' for none",
        )
    return {
        "server_name": _text(app, "server_name", where, f"{name}.localhost"),
        "server_aliases": aliases,
        "default_server": bool(app.get("default_server", False)),
        "mount": mount,
        "health_check": health_check,
        "app_server": app_server,
    }


def _normalize(app: Any, index: int, app_root: str, server: dict, python: str) -> dict:
    where = f"wsgistack_apps[{index}]"
    name, user, group = _identity(app, where)
    home = posixpath.join(app_root, name)
    install = _install(app, where, home)
    database = _database(app, where, name, server)
    return {
        "name": name,
        "user": user,
        "group": group,
        "home": home,
        **install,
        "venv": posixpath.join(home, "venv"),
        "data_dir": posixpath.join("/var/lib", name),
        "python": _absolute(_text(app, "python", where, python), f"{where}.python"),
        "entry": _entry(app, where, install["src_dir"]),
        **_front(app, where, name),
        "static": _static(app, where, install["src_dir"]),
        "environment": _environment(app, where, database),
        "database": database,
    }


def _check_unique(apps: list[dict]) -> None:
    seen: dict[tuple[str, str], int] = {}
    for index, app in enumerate(apps):
        keys = [("name", app["name"]), ("server_name", app["server_name"])]
        if app["database"]:
            keys.append(("database.name", app["database"]["name"]))
        for key in keys:
            if key in seen:
                raise PlanError(
                    f"wsgistack_apps[{index}].{key[0]}",
                    f"{key[1]!r} is already used by wsgistack_apps[{seen[key]}]; "
                    "each app needs its own",
                )
            seen[key] = index
    defaults = [i for i, app in enumerate(apps) if app["default_server"]]
    if len(defaults) > 1:
        raise PlanError(
            f"wsgistack_apps[{defaults[1]}].default_server",
            f"only one app can be the default server; wsgistack_apps[{defaults[0]}] already is",
        )


def _tls_params(tls: Any, sslmode: str | None, sslrootcert: str | None) -> list[str]:
    """The URL parameters of a TCP connection: sslmode and sslrootcert with TLS."""
    if not isinstance(tls, bool):
        raise AnsibleFilterError(f"{FILTER}: database_tls: expected a boolean, got {tls!r}")
    if sslrootcert is not None:
        sslrootcert = _absolute(sslrootcert, "database_sslrootcert")
    if sslmode is None:
        sslmode = "verify-full" if sslrootcert else "require"
    if sslmode not in SSLMODES:
        raise AnsibleFilterError(
            f"{FILTER}: database_sslmode: {sslmode!r} is not one of {', '.join(SSLMODES)}"
        )
    if sslmode != "require" and sslrootcert is None:
        raise AnsibleFilterError(
            f"{FILTER}: database_sslmode: {sslmode} checks the server's certificate against "
            "database_sslrootcert; give that CA certificate's path on the web hosts"
        )
    if not tls:
        return []
    params = [f"sslmode={sslmode}"]
    if sslrootcert:
        params.append(f"sslrootcert={quote(sslrootcert, safe='/')}")
    return params


def _server(host: str | None, port: Any, tls_params: list[str]) -> dict:
    """How the apps reach PostgreSQL: the URL's host part and query string."""
    if host is not None and (not isinstance(host, str) or not host.strip() or "/" in host):
        raise AnsibleFilterError(
            f"{FILTER}: database_host: {host!r} is not a host name or IP address"
        )
    if isinstance(port, str) and port.isdigit():
        port = int(port)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise AnsibleFilterError(f"{FILTER}: database_port: {port!r} is not a TCP port")
    netloc = None
    if host:
        netloc = f"[{host}]" if ":" in host else quote(host, safe="")
        if port != DEFAULT_PORT:
            netloc += f":{port}"
        params = tls_params
    else:
        params = [f"host={quote(SOCKET_DIR, safe='/')}"]
        if port != DEFAULT_PORT:
            params.append(f"port={port}")
    return {
        "host": host or None,
        "netloc": netloc,
        "query": ("?" + "&".join(params)) if params else "",
    }


def _web_addresses(addresses: Any) -> list[str]:
    """The web hosts' addresses as single-host networks, in order, without repeats."""
    if isinstance(addresses, dict):
        items = [(f"web_addresses[{host}]", host, value) for host, value in addresses.items()]
    elif isinstance(addresses, list):
        items = [(f"web_addresses[{i}]", None, value) for i, value in enumerate(addresses)]
    else:
        raise AnsibleFilterError(
            f"{FILTER}: web_addresses: expected a mapping of web host to address, got {addresses!r}"
        )
    networks: list[str] = []
    for field, host, value in items:
        fix = (
            f"set wsgistack_address of {host} to its IP address on the database network"
            if host
            else "give the web host's IP address"
        )
        if value is None or value == "":
            raise AnsibleFilterError(f"{FILTER}: {field}: no address known; {fix}")
        try:
            network = ipaddress.ip_network(str(value), strict=False)
        except ValueError:
            raise AnsibleFilterError(
                f"{FILTER}: {field}: {value!r} is not an IP address; {fix}"
            ) from None
        if network.num_addresses != 1:
            raise AnsibleFilterError(
                f"{FILTER}: {field}: {value!r} is a network; pg_hba gets one rule per web host "
                f"(/{network.max_prefixlen}), never a wider one; {fix}"
            )
        text = network.with_prefixlen
        if text not in networks:
            networks.append(text)
    return networks


def _web_rules(apps: list[dict], networks: list[str], tls: bool) -> list[dict]:
    """One scram-sha-256 rule per app database and web host address."""
    rules = []
    for app in apps:
        for index, network in enumerate(networks):
            rule = {
                "type": "hostssl" if tls else "host",
                "databases": [app["database"]["name"]],
                "users": [app["database"]["user"]],
                "address": network,
                "method": "scram-sha-256",
            }
            if index == 0:
                rule["comment"] = f"{app['name']} from the web hosts"
            rules.append(rule)
    return rules


def _app_server_entry(app: dict, index: int, stack: str) -> dict:
    """The app's entry in nginx_gunicorn_apps or apache_modwsgi_apps."""
    entry = {
        "name": app["name"],
        "user": app["user"],
        "group": app["group"],
        # The stack playbooks create users and groups (tasks/app_code.yml).
        "create_user": False,
        "venv": app["venv"],
        "static": app["static"],
        "environment": app["environment"],
        "health_check": app["health_check"],
    }
    if stack == "nginx_gunicorn":
        if app["entry"]["type"] != "module":
            raise PlanError(
                f"wsgistack_apps[{index}].entry.type",
                f"gunicorn serves 'module' entry points; {app['entry']['type']!r} apps need "
                "the apache_modwsgi stack (or a module:callable wrapper)",
            )
        if app["mount"] != "/":
            raise PlanError(
                f"wsgistack_apps[{index}].mount",
                "the nginx_gunicorn stack mounts apps at '/'; use a server name per app",
            )
        entry.update(
            module=app["entry"]["callable"],
            chdir=app["src_dir"] or app["data_dir"],
            server_names=[app["server_name"], *app["server_aliases"]],
            default_server=app["default_server"],
            writable_paths=[app["data_dir"]],
        )
    else:
        entry.update(
            entry=app["entry"],
            app_dir=app["src_dir"] or app["data_dir"],
            server_name=app["server_name"],
            server_aliases=app["server_aliases"],
            mount=app["mount"],
            writable_dirs=[app["data_dir"]],
        )
    if stack == "shared_host":
        # Seed 000: the daemon runs the built interpreter itself (python-home = its
        # prefix) and the venv's site-packages are put first on sys.path by the .wsgi.
        entry["python_home"] = posixpath.dirname(posixpath.dirname(app["python"]))
    entry.update(app["app_server"])
    return entry


def wsgi_app_plan(
    apps: Any,
    stack: str,
    app_root: str = "/srv",
    database_host: str | None = None,
    python: str | None = None,
    *,
    database_port: int = DEFAULT_PORT,
    database_tls: bool = False,
    database_sslmode: str | None = None,
    database_sslrootcert: str | None = None,
    web_addresses: Any = None,
) -> dict:
    """Validate the app descriptions and derive every role's variables."""
    if stack not in STACKS:
        raise AnsibleFilterError(f"{FILTER}: stack: {stack!r} is not one of {', '.join(STACKS)}")
    if not isinstance(apps, list) or not apps:
        raise PlanError("wsgistack_apps", "expected a non-empty list of app descriptions")
    if not isinstance(app_root, str) or not posixpath.isabs(app_root):
        raise PlanError(
            "app_root", f"{app_root!r} must be an absolute path (wsgistack_app_root in the stacks)"
        )
    app_root = posixpath.normpath(app_root)
    python = _absolute(python or "/usr/bin/python3", "python")
    server = _server(
        database_host,
        database_port,
        _tls_params(database_tls, database_sslmode, database_sslrootcert),
    )
    networks = _web_addresses({} if web_addresses is None else web_addresses)
    normalized = [_normalize(app, i, app_root, server, python) for i, app in enumerate(apps)]
    _check_unique(normalized)
    with_db = [app for app in normalized if app["database"]]
    return {
        "apps": normalized,
        "virtualenvs": [
            {
                "virtualenv_path": app["venv"],
                "virtualenv_python": app["python"],
                "virtualenv_app_user": app["user"],
                "virtualenv_packages": [app["package_spec"]],
                "virtualenv_requirements": app["requirements"] or "",
                "virtualenv_constraint_specifiers": STACK_CONSTRAINTS[stack],
            }
            for app in normalized
        ],
        "postgres_pghba_databases": [
            {
                "name": app["database"]["name"],
                "owner": app["database"]["user"],
                "password": app["database"]["password"],
            }
            for app in with_db
        ],
        "postgres_pghba_app_rules": _web_rules(with_db, networks, database_tls),
        "app_server_apps": [
            _app_server_entry(app, index, stack) for index, app in enumerate(normalized)
        ],
        "selinux_apps": [
            {
                "name": app["name"],
                "code_dirs": [app["home"]],
                "writable_dirs": [app["data_dir"]],
                "venvs": [app["venv"]],
                # Seed 001's boolean: the app's daemon reaches PostgreSQL.
                "booleans": ["httpd_can_network_connect_db"] if app["database"] else [],
            }
            for app in normalized
        ],
    }


class FilterModule:
    """wsgistack.deploy wsgi_app_plan filter."""

    def filters(self) -> dict[str, Any]:
        return {"wsgi_app_plan": wsgi_app_plan}
