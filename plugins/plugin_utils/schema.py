# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fields, rules and problem reports: what every input check of the collection is made of.

A field is defined once - its type, its default, the rule its value must follow and the text
that documents it - and read by the filter that checks it (``wsgi_app_plan``, each role's own
input check) and by the test that keeps ``meta/argument_specs.yml`` and the filters'
DOCUMENTATION in step with it.

The rules do more than check types: nothing from an inventory reaches nginx, Apache, systemd
or pg_hba syntax unless a rule here has proven it inert there. Each rule returns the value in
its one normal form (host names lower-cased, paths normalised) or raises :class:`Invalid`
with the problem and the fix; :func:`resolve` collects every problem of a mapping, each named
by its field, so that a check reports them all at once.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Callable

REQUIRED = object()  # a field's default when the field must be given


class Invalid(ValueError):
    """A value a rule refuses; the message says what is wrong and what to give instead."""


@dataclass(frozen=True)
class Field:
    """One input: its name, type, default, rule and documentation."""

    name: str
    type: str  # str, int, bool, list, dict, raw (argument_specs' names)
    doc: str
    default: Any = None
    rule: Callable[[Any], Any] | None = None
    elements: str | None = None  # the type of a list's elements
    hint: str = ""  # what to give, in the message for a required field left out

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass
class Problems:
    """Every problem found, in order, each as '<field>: <message>'."""

    lines: list[str] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.lines.append(f"{where}: {message}")

    def check(self, where: str, rule: Callable[..., Any], value: Any, *args: Any) -> Any:
        """``rule(value, *args)``, or None with the problem recorded."""
        try:
            return rule(value, *args)
        except Invalid as problem:
            self.add(where, str(problem))
            return None

    def __bool__(self) -> bool:
        return bool(self.lines)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise Invalid(f"expected true or false, got {value!r}")


def _int(value: Any) -> int:
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise Invalid(f"expected a whole number, got {value!r}")


def _str(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise Invalid(f"expected a string, got {value!r}")


def _dict(value: Any) -> dict:
    if isinstance(value, dict):
        return dict(value)
    raise Invalid(f"expected a mapping, got {value!r}")


TYPES: dict[str, Callable[[Any], Any]] = {
    "raw": lambda value: value,
    "bool": _bool,
    "int": _int,
    "str": _str,
    "dict": _dict,
}


def typed(value: Any, kind: str, elements: str | None = None) -> Any:
    """``value`` as a value of argument_specs type ``kind``, or :class:`Invalid`.

    Strict where YAML and Jinja are loose: a bool is only true or false (the string 'false'
    is refused, not taken as true); an int is an int or a string of digits, never a bool.
    """
    if kind != "list":
        return TYPES[kind](value)
    if not isinstance(value, list):
        raise Invalid(f"expected a list, got {value!r}")
    out = []
    for index, item in enumerate(value):
        try:
            out.append(TYPES[elements or "raw"](item))
        except Invalid as problem:
            raise Invalid(f"[{index}] {problem}") from None
    return out


def resolve(
    given: Any,
    fields: list[Field],
    where: str,
    problems: Problems,
    fallback: dict[str, tuple[str, Any]] | None = None,
) -> dict[str, Any]:
    """Every field of ``given`` checked and normalised; problems recorded, never raised.

    ``fallback`` maps a field to ``(variable, value)``: the role-wide variable whose value
    an entry that leaves the field unset (or null) gets; a problem with it names that
    variable. Otherwise the field's own default applies. A field that fails its rule is
    None in the result.
    """
    if not isinstance(given, dict):
        problems.add(where, f"expected a mapping, got {given!r}")
        return {}
    known = {f.name for f in fields}
    unknown = sorted(str(key) for key in given if key not in known)
    if unknown:
        problems.add(where, f"unknown keys {unknown}; the known keys are {sorted(known)}")
    out: dict[str, Any] = {}
    for spec in fields:
        value, name = given.get(spec.name), f"{where}.{spec.name}"
        if value is None and fallback and spec.name in fallback:
            name, value = fallback[spec.name]
        if value is None:
            if spec.required:
                problems.add(name, f"required: {spec.hint}" if spec.hint else "required")
                out[spec.name] = None
                continue
            value = spec.default
            if value is None:
                out[spec.name] = None
                continue
        value = problems.check(name, typed, value, spec.type, spec.elements)
        if value is not None and spec.rule is not None:
            value = problems.check(name, spec.rule, value)
        out[spec.name] = value
    return out


# Rules. Each takes the typed value and returns its normal form, or raises Invalid.

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
ACCOUNT_RE = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
LABEL_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
URL_PATH_RE = re.compile(r"^/[A-Za-z0-9._~/-]*$")
PATH_RE = re.compile(r"^/[A-Za-z0-9._+@~/-]*$")
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DOTTED_RE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$", re.ASCII)
CALLABLE_RE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\(\))?$", re.ASCII)

# Accounts of the distributions and of the daemons the collection runs: an app that ran as one
# of them would share its files and processes (www-data's: every site's). Names of the form
# systemd-* are refused too.
SYSTEM_ACCOUNTS = frozenset(
    [
        "root",
        "daemon",
        "bin",
        "sys",
        "sync",
        "games",
        "man",
        "lp",
        "mail",
        "news",
        "uucp",
        "proxy",
        "www-data",
        "backup",
        "list",
        "irc",
        "gnats",
        "nobody",
        "nogroup",
        "_apt",
        "messagebus",
        "sshd",
        "postgres",
        "apache",
        "nginx",
        "http",
        "adm",
        "sudo",
        "wheel",
        "shadow",
        "staff",
        "users",
        "disk",
        "tty",
        "kmem",
        "utmp",
        "operator",
        "ftp",
        "halt",
        "shutdown",
        "dbus",
        "polkitd",
        "tss",
        "ssl-cert",
        "redis",
        "input",
        "kvm",
        "render",
        "sgx",
        "audio",
        "video",
        "plugdev",
        "netdev",
        "crontab",
    ]
)


def app_name(value: str) -> str:
    """An app's identifier: its user, unit, vhost, directory and database names derive from it."""
    if not NAME_RE.fullmatch(value):
        raise Invalid(
            f"{value!r} is not an app name: a lower-case letter, then up to 31 of a-z 0-9 _ "
            "(it names the app's user, unit, site and directories)"
        )
    return value


def account(value: str) -> str:
    """A user or group name for an app: valid for useradd and not a system account."""
    if value == "0" or not ACCOUNT_RE.fullmatch(value):
        raise Invalid(
            f"{value!r} is not a user or group name: a lower-case letter or _, then up to 31 "
            "of a-z 0-9 _ -"
        )
    if value in SYSTEM_ACCOUNTS or value.startswith("systemd-"):
        raise Invalid(
            f"{value!r} is not allowed: it is a system account; the app must run as its own "
            "unprivileged user and group (leave them unset for the app's name)"
        )
    return value


def host_name(value: str, *, catch_all: bool = False) -> str:
    """A host name as nginx's server_name and Apache's ServerName/ServerAlias read it.

    Lower-cased (DNS names are not case-sensitive, so neither is uniqueness); a leading
    ``*.`` wildcard is kept; ``_`` (nginx's "no name") only where ``catch_all`` allows it.
    """
    name = value.lower().rstrip(".") if value not in ("", ".") else value
    if catch_all and name == "_":
        return name
    labels = name[2:].split(".") if name.startswith("*.") else name.split(".")
    if not name or len(name) > 253 or not all(LABEL_RE.fullmatch(label) for label in labels):
        raise Invalid(
            f"{value!r} is not a host name: dot-separated labels of a-z 0-9 and inner -, "
            "optionally starting with '*.' (such as app.example.com or *.example.com)"
        )
    return name


def url_path(value: str) -> str:
    """A URL path a front server matches on: '/' or '/a/b', without a trailing slash."""
    segments = value.split("/")[1:]
    if (
        not URL_PATH_RE.fullmatch(value)
        or any(segment in (".", "..") for segment in segments)
        or "//" in value
    ):
        raise Invalid(
            f"{value!r} is not a URL path: '/' or '/' followed by segments of "
            "A-Z a-z 0-9 . _ ~ - (no '.' or '..' segment, no //), such as /static"
        )
    return value.rstrip("/") or "/"


def health_path(value: str) -> str:
    """The path a health check requests: a URL path with an optional query, or '' for none."""
    if value == "":
        return value
    path, query = [*value.split("?", 1), ""][:2]
    if query and not re.fullmatch(r"[A-Za-z0-9._~=&%+-]*", query):
        raise Invalid(f"{value!r} has a query of other characters than A-Z a-z 0-9 . _ ~ = & % + -")
    try:
        url_path(path)
    except Invalid:
        raise Invalid(
            f"{value!r} is not a URL path starting with / (such as /health), or '' for none"
        ) from None
    return value


def absolute_path(value: str) -> str:
    """An absolute path on the host, written into config files unquoted: normalised."""
    if not PATH_RE.fullmatch(value) or ".." in value.split("/") or not posixpath.isabs(value):
        raise Invalid(
            f"{value!r} is not an absolute path of A-Z a-z 0-9 . _ + @ ~ - / only "
            "(no spaces, quotes or '..' segments)"
        )
    return posixpath.normpath(value)


def inside(path: str, root: str) -> str:
    """``path`` (relative to ``root``, or absolute) normalised, refused when it leaves ``root``."""
    joined = posixpath.normpath(posixpath.join(root, path))
    if joined != root and not joined.startswith(root.rstrip("/") + "/"):
        raise Invalid(f"{path!r} leads outside {root}; give a path inside it")
    return absolute_path(joined)


def env_name(value: str) -> str:
    if not ENV_NAME_RE.fullmatch(value):
        raise Invalid(
            f"{value!r} is not an environment variable name: letters, digits and _, "
            "not starting with a digit"
        )
    return value


def environment(value: dict) -> dict[str, str]:
    """Environment variables: names checked, values one line of text each.

    A value's own text is never shown in a message: it may be a secret.
    """
    out = {}
    for key, given in value.items():
        name = env_name(str(key))
        if isinstance(given, (dict, list)) or given is None:
            raise Invalid(f"{name}: expected a string or number, got a {type(given).__name__}")
        text = str(given).lower() if isinstance(given, bool) else str(given)
        if any(char in text for char in "\n\r\0"):
            raise Invalid(
                f"{name} contains a line break or NUL; an environment value is one line of text"
            )
        out[name] = text
    return out


def python_callable(value: str) -> str:
    """A WSGI callable: 'package.module:app', or an app factory 'package.module:create_app()'."""
    if not CALLABLE_RE.fullmatch(value):
        raise Invalid(
            f"{value!r} is not 'package.module:callable' (such as 'guestbook.wsgi:application') "
            "or an app factory 'package.module:create_app()'"
        )
    return value


def dotted(value: str) -> str:
    if not DOTTED_RE.fullmatch(value):
        raise Invalid(f"{value!r} is not a dotted Python module name such as 'mysite.settings'")
    return value


def one_of(*choices: str) -> Callable[[Any], Any]:
    def rule(value: Any) -> Any:
        if value not in choices:
            raise Invalid(f"{value!r} is not one of {', '.join(choices)}")
        return value

    return rule


def at_least(minimum: int, hint: str = "") -> Callable[[int], int]:
    def rule(value: int) -> int:
        if value < minimum:
            raise Invalid(f"{value} is below {minimum}{hint}")
        return value

    return rule


def port(value: int) -> int:
    if not 0 < value < 65536:
        raise Invalid(f"{value} is not a TCP port (1 to 65535)")
    return value


def each(rule: Callable[[Any], Any]) -> Callable[[list], list]:
    """A rule for every element of a list; the message names the element's index."""

    def rules(values: list) -> list:
        out = []
        for index, value in enumerate(values):
            try:
                out.append(rule(value))
            except Invalid as problem:
                raise Invalid(f"[{index}] {problem}") from None
        return out

    return rules
