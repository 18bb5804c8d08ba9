# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The app description (``wsgistack_apps``): every field defined once, checked once.

``wsgi_app_plan`` reads an app through :func:`normalize_apps`, which reports every problem of
every app at once; the stack playbooks then hand each role the values derived here. The
field list is also what ``tests/unit/plugins/filter/test_app_schema_docs.py`` holds the
filter's DOCUMENTATION to.
"""

from __future__ import annotations

import posixpath
from functools import partial
from typing import Any

from ansible_collections.wsgistack.deploy.plugins.plugin_utils.schema import (
    ENVIRONMENT,
    REQUIRED,
    Each,
    Field,
    Invalid,
    Problems,
    absolute_path,
    account,
    app_name,
    dotted,
    env_name,
    health_path,
    host_name,
    inside,
    one_of,
    pattern,
    pip_requirement,
    port,
    python_callable,
    resolve,
    typed,
    url_path,
)

ENTRY_TYPES = ("module", "django", "paste")
SSLMODES = ("disable", "require", "verify-ca", "verify-full")
DJANGO_WSGI = "django.core.wsgi:get_wsgi_application()"


def controller_dir(value: str) -> str:
    """A directory on the controller: absolute; only the tar on the controller reads it."""
    if not posixpath.isabs(value):
        raise Invalid(f"{value!r} must be an absolute path on the controller")
    return posixpath.normpath(value)


extra = pattern(r"[A-Za-z0-9][A-Za-z0-9._-]*", "is not the name of an extra such as 'postgres'")


def relative(value: str) -> str:
    """A path relative to the app's source directory, staying inside it."""
    if posixpath.isabs(value):
        raise Invalid(f"{value!r} must be a path relative to 'source' (the project directory)")
    normal = posixpath.normpath(value)
    if normal == ".":
        raise Invalid(f"{value!r} is not a file inside 'source'; give its path, such as "
                      "requirements.txt")  # fmt: skip
    if normal == ".." or normal.startswith("../"):
        raise Invalid(
            f"{value!r} is outside 'source'; only the project directory is copied to the "
            "host, so give a path inside it"
        )
    return inside(normal, "/")[1:]


def mount(value: str) -> str:
    normal = url_path(value)
    if normal != value:
        raise Invalid(f"{value!r} must be '/' or '/path' without a trailing /")
    return value


FIELDS = [
    Field(
        "name",
        "str",
        "Identifier of the app - system user, paths, unit, site and database "
        "names; 1 to 32 characters C([a-z0-9_]), starting with a letter.",
        REQUIRED,
        app_name,
        hint="give the app's identifier, such as guestbook",
    ),
    Field(
        "source",
        "str",
        "Absolute path, on the controller, of the app's project directory "
        "(with a C(pyproject.toml) or C(setup.py)); copied to the host and installed into "
        "the venv. One of O(_input[].source) and O(_input[].package) is required.",
        rule=controller_dir,
    ),
    Field(
        "package",
        "str",
        "A pip requirement specifier to install instead of a copied source tree.",
        rule=partial(pip_requirement, form="specifier"),
    ),
    Field(
        "extras",
        "list",
        "Extras of the project to install (C(postgres) gives C(.[postgres])).",
        [],
        Each(extra),
        elements="str",
    ),
    Field(
        "requirements",
        "str",
        "A requirements file, relative to O(_input[].source) and "
        "inside it, installed first. The stack playbooks check that it exists on the "
        "controller before anything changes.",
        rule=relative,
    ),
    Field(
        "entry",
        "dict",
        "The WSGI entry point (see the filter's description).",
        REQUIRED,
        hint="a mapping such as {type: module, callable: 'package.module:app'}",
    ),
    Field(
        "user",
        "str",
        "The unprivileged user the app runs as; created as a system user. "
        "Never root or another system account.",
        rule=account,
    ),
    Field("group", "str", "The app's group.", rule=account),
    Field("python", "str", "The interpreter the venv is made from.", rule=absolute_path),
    Field("server_name", "str", "The virtual host name (lower-cased).", rule=host_name),
    Field("server_aliases", "list", "More host names.", [], Each(host_name), elements="str"),
    Field("default_server", "bool", "Answer requests for host names no app claims.", False),
    Field("mount", "str", "URL path the app is mounted at.", "/", mount),
    Field("static", "list", "Directories the front server serves itself.", [], elements="dict"),
    Field("environment", "dict", "Environment variables for the app.", {}, ENVIRONMENT),
    Field("database", "raw", "The app's PostgreSQL database."),
    Field(
        "health_check",
        "str",
        "URL path requested through the front server after every run.",
        rule=health_path,
    ),
    Field("app_server", "dict", "Options passed to the app's entry in the app server role.", {}),
]

ENTRY_FIELDS = {
    "module": [
        Field("type", "str", "", "module"),
        Field("callable", "str", "", REQUIRED, python_callable),
    ],
    "django": [
        Field("type", "str", ""),
        Field("settings", "str", "", REQUIRED, dotted),
    ],
    "paste": [
        Field("type", "str", ""),
        Field("ini", "str", "", REQUIRED),
        Field("app_name", "str", "", rule=dotted),
    ],
}

DATABASE_FIELDS = [
    Field("name", "str", "", rule=app_name),
    Field("user", "str", "", rule=app_name),
    Field("password", "raw", ""),  # checked by _database, which never shows it
    Field("url_env", "str", "", "DATABASE_URL", env_name),
    Field("host", "str", ""),
    Field("port", "int", "", rule=port),
    Field("sslmode", "str", "", rule=one_of(*SSLMODES)),
    Field("sslrootcert", "str", "", rule=absolute_path),
]

# Keys of the app server entry that the plan derives from the description, and what to do
# instead ({app} is the app's field path).
PLAN_OWNED = {
    "name": "set {app}.name instead",
    "user": "set {app}.user instead",
    "group": "set {app}.group instead",
    "create_user": "remove it",
    "venv": "set wsgistack_app_root (the venv is <app_root>/<name>/venv) instead",
    "environment": "set {app}.environment instead",
    "module": "set {app}.entry instead",
    "entry": "set {app}.entry instead",
    "chdir": "remove it (the code is in <app_root>/<name>/src)",
    "app_dir": "remove it (the code is in <app_root>/<name>/src)",
    "python_home": "set {app}.python instead",
    "server_name": "set {app}.server_name instead",
    "server_names": "set {app}.server_name and {app}.server_aliases instead",
    "server_aliases": "set {app}.server_aliases instead",
    "default_server": "set {app}.default_server instead",
    "mount": "set {app}.mount instead",
    "static": "set {app}.static instead",
    "health_check": "set {app}.health_check instead",
    "writable_paths": "remove it (the app writes /var/lib/<name>)",
    "writable_dirs": "remove it (the app writes /var/lib/<name>)",
}


def _entry(given: Any, where: str, src_dir: str | None, problems: Problems) -> dict | None:
    if not isinstance(given, dict):
        if given is not None:
            problems.add(where, "expected a mapping such as {type: module, callable: "
                         "'package.module:app'}")  # fmt: skip
        return None
    kind = given.get("type", "module")
    if kind not in ENTRY_FIELDS:
        problems.add(f"{where}.type", f"{kind!r} is not one of {', '.join(ENTRY_TYPES)}")
        return None
    entry = resolve(given, ENTRY_FIELDS[kind], where, problems)
    entry["type"] = kind
    if kind == "paste" and entry["ini"] is not None:
        ini = entry["ini"]
        if not ini.endswith(".ini"):
            problems.add(f"{where}.ini", f"{ini!r} is not a PasteDeploy .ini file")
        elif posixpath.isabs(ini):
            entry["ini"] = problems.check(f"{where}.ini", absolute_path, ini)
        elif src_dir is None:
            problems.add(f"{where}.ini", "a relative path needs 'source'; give an absolute path")
        else:
            entry["ini"] = problems.check(f"{where}.ini", inside, ini, src_dir)
    return entry


def _static(entries: list, where: str, src_dir: str | None, home: str, problems: Problems):
    """Static directories: inside the copied source, or absolute inside the app's home."""
    out = []
    for index, given in enumerate(entries):
        field = f"{where}[{index}]"
        if not isinstance(given, dict) or not {"url", "dir"} <= set(given) or len(given) != 2:
            problems.add(field, "expected a mapping with exactly 'url' and 'dir'")
            continue
        url = problems.check(f"{field}.url", lambda v: url_path(typed(v, "str")), given["url"])
        directory = given["dir"]
        if not isinstance(directory, str) or not directory:
            problems.add(f"{field}.dir", f"expected a directory's path, got {directory!r}")
            continue
        if posixpath.isabs(directory):
            path = problems.check(f"{field}.dir", inside, directory, home)
        elif src_dir is None:
            problems.add(f"{field}.dir", "a relative path needs 'source'; give an absolute "
                         f"path inside {home}")  # fmt: skip
            continue
        else:
            path = problems.check(f"{field}.dir", inside, directory, src_dir)
        if url is not None and path is not None:
            out.append({"url": url, "path": path})
    return out


def _database(given: Any, where: str, name: str, problems: Problems) -> dict | None:
    if given is None:
        return None
    if not isinstance(given, dict):
        problems.add(where, "expected a mapping with at least 'password'")
        return None
    database = resolve(given, DATABASE_FIELDS, where, problems)
    database["name"] = database["name"] or name
    database["user"] = database["user"] or name
    if not isinstance(database["password"], str) or len(database["password"]) < 12:
        # The value itself is never echoed: it is a secret.
        problems.add(
            f"{where}.password",
            "required: a string of at least 12 characters (keep it in ansible-vault)",
        )
    host = database["host"]
    database["external"] = host is not None
    if host is not None and (not host.strip() or "/" in host or any(c.isspace() for c in host)):
        problems.add(f"{where}.host", f"{host!r} is not a host name or IP address")
    return database


def _app_server(given: dict, where: str, problems: Problems) -> dict:
    for key in sorted(key for key in given if key in PLAN_OWNED):
        problems.add(
            f"{where}.{key}",
            "set by the plan, which the stack acts on (it creates the app's user, group, venv "
            "and site from the description); "
            + PLAN_OWNED[key].format(app=where.rsplit(".", 1)[0])
            + " - app_server is for app server options such as workers",
        )
    return {key: value for key, value in given.items() if key not in PLAN_OWNED}


def normalize_app(given: Any, index: int, app_root: str, python: str, problems: Problems):
    """One app's description, normalised and with its host paths; problems recorded."""
    where = f"wsgistack_apps[{index}]"
    if not isinstance(given, dict):
        problems.add(where, f"expected a mapping describing one app, got {given!r}")
        return None
    app = resolve(given, FIELDS, where, problems)
    name = app["name"] or f"app{index}"
    if (app["source"] is None) == (given.get("package") is None):
        problems.add(
            where, "give exactly one of 'source' (a project directory) or 'package' (a pip spec)"
        )
    home = posixpath.join(app_root, name)
    src_dir = posixpath.join(home, "src") if given.get("source") is not None else None
    if app["requirements"] is not None and src_dir is None:
        problems.add(f"{where}.requirements", "must be a path relative to 'source' (the "
                     "project dir); a package brings its own requirements")  # fmt: skip
    user = app["user"]
    if given.get("user") is None and app["name"]:
        user = problems.check(f"{where}.name (the default user)", account, app["name"])
    group = app["group"] if given.get("group") is not None else user
    database = _database(app["database"], f"{where}.database", name, problems)
    env = app["environment"] or {}
    entry = _entry(given.get("entry"), f"{where}.entry", src_dir, problems)
    if entry and entry["type"] == "django" and "DJANGO_SETTINGS_MODULE" in env:
        problems.add(f"{where}.environment.DJANGO_SETTINGS_MODULE",
                     "set from entry.settings; remove it from environment")  # fmt: skip
    if database and database["url_env"] in env:
        problems.add(f"{where}.environment.{database['url_env']}",
                     "set from database (its URL); remove it from environment, or name "
                     "another variable in database.url_env")  # fmt: skip
    extras = app["extras"] or []
    return {
        "name": name,
        "user": user,
        "group": group,
        "home": home,
        "source": app["source"],
        "src_dir": src_dir,
        "package_spec": (src_dir + (f"[{','.join(extras)}]" if extras else ""))
        if src_dir
        else app["package"],
        # On the host (the copy), and on the controller (checked before anything changes).
        "requirements": app["requirements"]
        and src_dir
        and posixpath.join(src_dir, app["requirements"]),
        "requirements_source": app["requirements"]
        and app["source"]
        and posixpath.join(app["source"], app["requirements"]),
        "venv": posixpath.join(home, "venv"),
        "data_dir": posixpath.join("/var/lib", name),
        "python": app["python"] or python,
        "entry": entry,
        "server_name": app["server_name"] or f"{name}.localhost",
        "server_aliases": app["server_aliases"] or [],
        "default_server": app["default_server"],
        "mount": app["mount"],
        "health_check": app["mount"] if given.get("health_check") is None else app["health_check"],
        "static": _static(app["static"] or [], f"{where}.static", src_dir, home, problems),
        "environment": env,
        "database": database,
        "app_server": _app_server(app["app_server"] or {}, f"{where}.app_server", problems),
    }


def check_unique(apps: list[dict], problems: Problems) -> None:
    """Names, host names and databases: each app's own; at most one default server."""
    seen: dict[tuple[str, str], int] = {}
    for index, app in enumerate(apps):
        keys = [("name", app["name"])]
        keys += [("server_name", app["server_name"])]
        keys += [("server_aliases", alias) for alias in app["server_aliases"]]
        if app["database"] and not app["database"]["external"]:
            keys.append(("database.name", app["database"]["name"]))
        for field, value in keys:
            key = ("host" if field.startswith("server") else field, value)
            if key in seen:
                problems.add(
                    f"wsgistack_apps[{index}].{field}",
                    f"{value!r} is already used by wsgistack_apps[{seen[key]}]; "
                    "each app needs its own",
                )
            seen.setdefault(key, index)
    defaults = [i for i, app in enumerate(apps) if app["default_server"]]
    if len(defaults) > 1:
        problems.add(
            f"wsgistack_apps[{defaults[1]}].default_server",
            f"only one app can be the default server; wsgistack_apps[{defaults[0]}] already is",
        )


def django_on_gunicorn(app: dict) -> tuple[str, dict]:
    """gunicorn's entry and environment for an app: Django's own WSGI factory for Django."""
    if app["entry"]["type"] == "django":
        return DJANGO_WSGI, {
            **app["environment"],
            "DJANGO_SETTINGS_MODULE": app["entry"]["settings"],
        }
    return app["entry"]["callable"], app["environment"]
