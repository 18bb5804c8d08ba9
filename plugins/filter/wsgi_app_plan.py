# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wsgistack.deploy.wsgi_app_plan filter."""

from __future__ import annotations

import ipaddress
import posixpath
from typing import Any
from urllib.parse import quote

from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.app_schema import (
    check_unique,
    django_on_gunicorn,
    normalize_app,
)
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.app_server import constraints
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.schema import Problems

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
    Every problem of every app is reported at once, one line each, naming the field and the
    fix, for example "wsgi_app_plan: wsgistack_apps[1].user: 'root' is not allowed: it is a
    system account; the app must run as its own unprivileged user and group (leave them unset
    for the app's name)".
  - Each field is defined once, with its rule, in C(plugins/plugin_utils/app_schema.py); the
    options below are held to it by a unit test. Nothing reaches nginx, Apache, systemd or
    pg_hba syntax that a rule there has not proven inert (host names, URL paths, host paths,
    user and group names, environment names and values).
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
        description: Identifier of the app - system user, paths, unit, site and database names;
          1 to 32 characters C([a-z0-9_]), starting with a letter.
        type: str
        required: true
      source:
        description: Absolute path, on the controller, of the app's project directory (with a
          C(pyproject.toml) or C(setup.py)); copied to the host and installed into the venv.
          One of O(_input[].source) and O(_input[].package) is required.
        type: str
      package:
        description: A pip requirement specifier to install instead of a copied source tree
          (never a pip option such as C(--index-url)).
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
            Flask, Pyramid's C(make_wsgi_app) modules or any WSGI callable, or an app factory
            C(package.module:create_app()) (called once per process); C(type=django) with
            C(settings) (the settings module; gunicorn and mod_wsgi then load Django's own
            C(get_wsgi_application()) with C(DJANGO_SETTINGS_MODULE) set); C(type=paste) with
            C(ini) (a PasteDeploy file, inside the source or absolute) and optional C(app_name),
            on the Apache stacks.
          - The same description serves on every stack, except C(paste) (mod_wsgi only).
        type: dict
        required: true
      user:
        description: The unprivileged user the app runs as; created as a system user. Never
          C(root), C(www-data) or another system account.
        type: str
        default: the app's name
      group:
        description: The app's group; not a system group.
        type: str
        default: O(_input[].user)
      python:
        description: The interpreter the venv is made from (for example one built by the
          P(wsgistack.deploy.python_build#role) role).
        type: str
        default: /usr/bin/python3
      server_name:
        description: The virtual host name, lower-cased; C(*.example.com) is a wildcard. Unique
          across the apps, as are the aliases.
        type: str
        default: C(<name>.localhost)
      server_aliases:
        description: More host names.
        type: list
        elements: str
        default: []
      default_server:
        description: Answer requests for host names no app claims (one app per host at most),
          on every stack. Only C(true) or C(false).
        type: bool
        default: false
      mount:
        description: URL path the app is mounted at (C(/) or C(/sub)).
        type: str
        default: /
      static:
        description: Directories the front server serves itself - C(url) (a URL path) and
          C(dir), relative to the source directory and inside it, or absolute inside the app's
          directory C(<app_root>/<name>) (a packaged app's files in its venv).
        type: list
        elements: dict
        default: []
      environment:
        description: Environment variables for the app, each value one line of text. Values
          may be secrets; the files that carry them are readable by root and the app's group
          only, and no message shows them.
        type: dict
        default: {}
      database:
        description:
          - The app's PostgreSQL database - C(name) (default the app's name), C(user) (default
            the app's name), C(password) (required), C(url_env) (the environment variable that
            carries the connection URL, default C(DATABASE_URL)).
          - C(host) (and C(port), C(sslmode), C(sslrootcert)) name a database run elsewhere; the
            stack then creates no database or role for it and needs no C(wsgistack_db) host.
            Without C(host), an inventory without a C(wsgistack_db) group is an error.
          - The URL is C(postgresql://user:password@/name?host=/var/run/postgresql) (the local
            socket) unless O(database_host) names a database server; then it is
            C(postgresql://user:password@host/name), with C(sslmode) (and C(sslrootcert)) when
            O(database_tls) is on.
        type: raw
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
          Not what the plan sets from the description (C(name), C(user), C(group), C(venv),
          C(environment), the entry, the host names, C(mount), C(static), C(health_check) and
          the paths); the error names the field to set instead.
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
  database_tier:
    description: Whether the inventory has a database tier (a C(wsgistack_db) host) to create
      the apps' databases on.
    type: bool
    default: true
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


class PlanError(AnsibleFilterError):
    """An invalid app description, reported with the path of the field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{FILTER}: {field}: {problem}")


def _absolute(path: str, field: str) -> str:
    if not posixpath.isabs(path):
        raise PlanError(field, f"{path!r} must be an absolute path")
    return posixpath.normpath(path)


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


def _url(database: dict, server: dict, tls: list[str]) -> str:
    """The app's connection URL: its own server when it names one, else the plan's."""
    if database["external"]:
        own = {"host": database["host"], "port": database["port"] or DEFAULT_PORT}
        params = [] if database["sslmode"] is None else [f"sslmode={database['sslmode']}"]
        if database["sslrootcert"]:
            params.append(f"sslrootcert={quote(database['sslrootcert'], safe='/')}")
        server = _server(own["host"], own["port"], params)
    credentials = f"{quote(database['user'], safe='')}:{quote(database['password'], safe='')}"
    return (
        f"postgresql://{credentials}@{server['netloc'] or ''}/{database['name']}{server['query']}"
    )


def _app_server_entry(app: dict, index: int, stack: str, problems: Problems) -> dict:
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
        "default_server": app["default_server"],
    }
    where = f"wsgistack_apps[{index}]"
    if stack == "nginx_gunicorn":
        if app["entry"]["type"] == "paste":
            problems.add(
                f"{where}.entry.type",
                "gunicorn serves 'module' and 'django' entry points; a PasteDeploy app needs "
                "the apache_modwsgi stack (or a module:callable wrapper)",
            )
        if app["mount"] != "/":
            problems.add(
                f"{where}.mount",
                "the nginx_gunicorn stack mounts apps at '/'; use a server name per app",
            )
        if problems:
            return entry
        module, environment = django_on_gunicorn(app)
        entry.update(
            module=module,
            environment=environment,
            chdir=app["src_dir"] or app["home"],
            server_names=[app["server_name"], *app["server_aliases"]],
            writable_paths=[app["data_dir"]],
        )
    else:
        entry.update(
            entry=app["entry"],
            app_dir=app["src_dir"] or app["home"],
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
    database_tier: bool = True,
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
    tls = _tls_params(database_tls, database_sslmode, database_sslrootcert)
    server = _server(database_host, database_port, tls)
    networks = _web_addresses({} if web_addresses is None else web_addresses)
    problems = Problems()
    normalized = [normalize_app(app, i, app_root, python, problems) for i, app in enumerate(apps)]
    if not problems:
        check_unique(normalized, problems)
    for index, app in enumerate(normalized):
        if app and app["database"] and not app["database"]["external"] and not database_tier:
            problems.add(
                f"wsgistack_apps[{index}].database",
                "the inventory has no wsgistack_db group to create it on; add the database "
                "host to wsgistack_db, or give database.host (a database run elsewhere)",
            )
    if problems:
        raise AnsibleFilterError("\n".join(f"{FILTER}: {line}" for line in problems.lines))
    for app in normalized:
        if app["database"]:
            app["database"]["url"] = _url(app["database"], server, tls)
            if not app["database"]["external"]:
                app["database"]["host"] = server["host"] or SOCKET_DIR
            app["environment"] = {
                **app["environment"],
                app["database"]["url_env"]: app["database"]["url"],
            }
    app_servers = [_app_server_entry(app, i, stack, problems) for i, app in enumerate(normalized)]
    if problems:
        raise AnsibleFilterError("\n".join(f"{FILTER}: {line}" for line in problems.lines))
    # Databases the database tier creates: those not run elsewhere (database.host).
    with_db = [app for app in normalized if app["database"] and not app["database"]["external"]]
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
        "app_server_apps": app_servers,
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
