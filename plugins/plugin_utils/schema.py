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
by its field, so that a check reports them all at once. Text is one line everywhere
(:func:`typed`); a rule whose message tells no fix gets its field's ``hint`` as the fix; a
rule over a value's parts (:class:`Each`, :class:`Entries`) names each bad part.
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
    rule: Callable[[Any], Any] | Parts | None = None
    elements: str | None = None  # the type of a list's elements
    # What to give: the message for a required field left out, and the fix of a message of
    # the rule that tells none.
    hint: str = ""
    # '' is no value: the field is unset (its role-wide value or its default applies), as
    # when a template gives default('').
    optional: bool = False

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def unset(self, value: Any) -> bool:
        return value is None or (self.optional and value == "")


def with_fix(message: str, fix: str) -> str:
    """``message`` ending in ``; <fix>``, unless it tells a fix itself ('; ', 'such as')."""
    if not fix or "; " in message or "such as" in message:
        return message
    return f"{message}; {fix}"


@dataclass
class Problems:
    """Every problem found, in order, each as '<field>: <message>'."""

    lines: list[str] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.lines.append(f"{where}: {message}")

    def check(
        self, where: str, rule: Callable[..., Any], value: Any, *args: Any, fix: str = ""
    ) -> Any:
        """``rule(value, *args)``, or None with the problem (and ``fix``) recorded."""
        try:
            return rule(value, *args)
        except Invalid as problem:
            self.add(where, with_fix(str(problem), fix))
            return None

    def __bool__(self) -> bool:
        return bool(self.lines)


# A line break or another control character (C0, DEL, C1) and the Unicode line and paragraph
# separators: never in a value that reaches a configuration file.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


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
    if not isinstance(value, str):
        raise Invalid(f"expected a string, got {value!r}")
    if CONTROL_RE.search(value):
        raise Invalid(
            f"{value!r} contains a line break or another control character; give it on one line"
        )
    return value


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
    is refused, not taken as true); an int is an int or a string of digits, never a bool; a
    str is one line, without a control character.
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


def argument(name: str, value: Any, kind: str, elements: str | None = None) -> Any:
    """A value a role hands a plugin (not the operator's input), as :func:`typed` takes it,
    or :class:`Invalid` naming the argument: ``sites_dir: expected a string, got None``."""
    try:
        return typed(value, kind, elements)
    except Invalid as problem:
        raise Invalid(f"{name}: {problem}") from None


class Parts:
    """A rule over the parts of a value (a list's elements, a mapping's entries).

    :func:`resolve` hands it the field's whole value, untyped: :meth:`apply` checks the type
    and every part, names each problem by its part and returns the normal form, or None when
    a part is bad.
    """

    def apply(self, value: Any, spec: Field, name: str, problems: Problems) -> Any:
        raise NotImplementedError


# A mapping's key that may be part of a problem's name (field.key).
PLAIN_KEY_RE = re.compile(r"[a-z][a-z0-9-]{0,63}")


@dataclass(frozen=True)
class Each(Parts):
    """``rule`` for every element of a list, or every entry of a mapping, each on its own.

    A list's element is typed as the field's ``elements`` and named ``field[index]``. A
    ``keyed`` mapping's entry is ``rule(key, value)``, named ``field.key`` (``field`` when the
    key is no plain name); another mapping's entry is ``rule({key: value})``, which returns its
    normal entries, named ``field``. ``expected``, what the value must be, makes a value of
    another type named by its type only: the value may hold secrets.
    """

    rule: Callable[..., Any]
    keyed: bool = False
    expected: str = ""

    def apply(self, value: Any, spec: Field, name: str, problems: Problems) -> Any:
        container = {"dict": dict, "list": list}.get(spec.type, object)
        if self.expected and not isinstance(value, container):
            problems.add(
                name,
                f"expected {self.expected}, got a {type(value).__name__} (not shown: it may hold "
                "secrets)",
            )
            return None
        value = problems.check(name, typed, value, spec.type)
        if value is None:
            return None
        before = len(problems.lines)
        if isinstance(value, list):
            out: Any = [
                self._element(f"{name}[{index}]", item, spec, problems)
                for index, item in enumerate(value)
            ]
        elif self.keyed:
            out = {
                key: problems.check(
                    f"{name}.{key}"
                    if isinstance(key, str) and PLAIN_KEY_RE.fullmatch(key)
                    else name,
                    self._keyed,
                    key,
                    item,
                    fix=spec.hint,
                )
                for key, item in value.items()
            }
        else:
            out = {}
            for key, item in value.items():
                out.update(problems.check(name, self.rule, {key: item}, fix=spec.hint) or {})
        return out if len(problems.lines) == before else None

    def _keyed(self, key: Any, item: Any) -> Any:
        """``rule(key, item)``, a key of text on one line as any text."""
        return self.rule(typed(key, "str") if isinstance(key, str) else key, item)

    def _element(self, where: str, item: Any, spec: Field, problems: Problems) -> Any:
        before = len(problems.lines)
        item = problems.check(where, typed, item, spec.elements or "raw")
        if len(problems.lines) > before:
            return None
        return problems.check(where, self.rule, item, fix=spec.hint)


@dataclass(frozen=True)
class Entries(Parts):
    """A list of mappings, each resolved against ``fields`` and named ``field[index]``."""

    fields: tuple[Field, ...]

    def apply(self, value: Any, spec: Field, name: str, problems: Problems) -> Any:
        entries = self.entries(value, name, problems)
        return None if entries is None or None in entries else entries

    def entries(self, value: Any, name: str, problems: Problems) -> list[dict | None] | None:
        """Each entry resolved, or None where it has a problem (None if ``value`` is no list of
        mappings)."""
        value = problems.check(name, typed, value, "list", "dict")
        if value is None:
            return None
        out: list[dict | None] = []
        for index, item in enumerate(value):
            before = len(problems.lines)
            entry = resolve(item, list(self.fields), f"{name}[{index}]", problems)
            out.append(entry if len(problems.lines) == before else None)
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
        if spec.unset(value) and fallback and spec.name in fallback:
            name, value = fallback[spec.name]
        if spec.unset(value):
            if spec.required:
                problems.add(name, f"required: {spec.hint}" if spec.hint else "required")
                out[spec.name] = None
                continue
            value = spec.default
            if spec.unset(value):
                out[spec.name] = value
                continue
        if isinstance(spec.rule, Parts):
            out[spec.name] = spec.rule.apply(value, spec, name, problems)
            continue
        value = problems.check(name, typed, value, spec.type, spec.elements)
        if value is not None and spec.rule is not None:
            value = problems.check(name, spec.rule, value, fix=spec.hint)
        out[spec.name] = value
    return out


def resolve_variables(
    values: dict[str, Any], fields: list[Field], prefix: str, problems: Problems
) -> dict[str, Any]:
    """A role's variables ``<prefix><field>``, ``values`` by field name: each checked and
    normalised (its default where it is unset), a problem named by its variable."""
    fallback = {spec.name: (prefix + spec.name, values.get(spec.name)) for spec in fields}
    return resolve({}, fields, prefix, problems, fallback)


class Entry:
    """One entry of a list variable being checked (an app): what it gives, its values resolved
    against ``fields`` - a key it leaves unset takes the role-wide value of ``fallback`` - and
    the variable each value came from, which a problem names."""

    def __init__(
        self,
        where: str,
        given: dict,
        fields: list[Field],
        problems: Problems,
        fallback: dict[str, tuple[str, Any]] | None = None,
    ) -> None:
        self.where = where
        self.problems = problems
        self.fallback = fallback or {}
        specs = {spec.name: spec for spec in fields}
        # The keys the entry sets (not null; not '' where '' is unset).
        self.given = {
            key: value
            for key, value in given.items()
            if value is not None and not (key in specs and specs[key].unset(value))
        }
        self.values = resolve(given, fields, where, problems, self.fallback)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def source(self, key: str) -> str:
        """The variable ``key``'s value came from: the entry's own, or the role-wide one."""
        if key not in self.given and key in self.fallback:
            return self.fallback[key][0]
        return f"{self.where}.{key}"

    def add(self, key: str, message: str) -> None:
        self.problems.add(self.source(key) if key else self.where, message)

    def check_writable(self, key: str, code: list[tuple[str, str, bool, bool]], own: str) -> None:
        """Every directory of the list ``key`` that the app may write, by :func:`writable_dir`
        (``code`` and ``own`` as it takes them), each problem named by its index."""
        data = f"/var/lib/{self.values.get('name') or 'app'}"
        for index, path in enumerate(self.values.get(key) or []):
            where = f"{self.source(key)}[{index}]"
            self.problems.check(where, writable_dir, path, code, data, own)


# Rules. Each takes the typed value and returns its normal form, or raises Invalid.


def pattern(regex: str, message: str, flags: int = 0) -> Callable[[str], str]:
    """A rule: the whole value matches ``regex``, else ``'<value>' <message>``.

    Compiled once, read with ``fullmatch``: a ``^...$`` pattern read with ``re.match`` would
    take 'x\\n' for 'x' (``$`` also matches before a final line break).
    """
    compiled = re.compile(regex, flags)

    def rule(value: str) -> str:
        if not compiled.fullmatch(value):
            raise Invalid(f"{value!r} {message}")
        return value

    return rule


LABEL_RE = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
URL_PATH_RE = re.compile(r"/[A-Za-z0-9._~/-]*")
PATH_RE = re.compile(r"/[A-Za-z0-9._+@~/-]*")

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


# An app's identifier: its user, unit, vhost, directory and database names derive from it.
app_name = pattern(
    r"[a-z][a-z0-9_]{0,31}",
    "is not an app name: a lower-case letter, then up to 31 of a-z 0-9 _ "
    "(it names the app's user, unit, site and directories)",
)
_account_name = pattern(
    r"[a-z_][a-z0-9_-]{0,31}",
    "is not a user or group name: a lower-case letter or _, then up to 31 of a-z 0-9 _ -",
)


def account(value: str, *, system: bool = False) -> str:
    """A user or group name, valid for useradd: for an app, never a system account.

    ``system`` lets a system account pass: the name of an existing account the role only
    names (an admin's login, the admins' group), which no app runs as.
    """
    _account_name(value)
    if not system and (value in SYSTEM_ACCOUNTS or value.startswith("systemd-")):
        raise Invalid(
            f"{value!r} is not allowed: it is a system account; the app must run as its own "
            "unprivileged user and group (leave them unset for the app's name)"
        )
    return value


def host_name(value: str, *, catch_all: bool = False, wildcard: bool = True) -> str:
    """A host name as nginx's server_name and Apache's ServerName/ServerAlias read it.

    Lower-cased (DNS names are not case-sensitive, so neither is uniqueness); a leading
    ``*.`` wildcard is kept, unless ``wildcard`` is false (Apache's ServerName: one host);
    ``_`` (nginx's "no name") only where ``catch_all`` allows it.
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
    if not wildcard and name.startswith("*."):
        raise Invalid(
            f"{value!r} is a wildcard; ServerName is one host name (such as app.example.com), "
            "put wildcards in server_aliases"
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


def within(path: str, root: str) -> bool:
    """``path`` is ``root`` or below it (both normalised)."""
    return path == root or path.startswith(root.rstrip("/") + "/")


def inside(path: str, root: str) -> str:
    """``path`` (relative to ``root``, or absolute) normalised, refused when it leaves ``root``."""
    joined = posixpath.normpath(posixpath.join(root, path))
    if not within(joined, root):
        raise Invalid(f"{path!r} leads outside {root}; give a path inside it")
    return absolute_path(joined)


# Directories of the system an app never writes (the roles create a writable directory owned
# by the app's user): these and every directory above them ...
SYSTEM_DIRS = frozenset(
    [
        *("/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32"),
        *("/media", "/mnt", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/usr"),
        *("/var", "/var/cache", "/var/lib", "/var/log", "/var/spool", "/var/www"),
        *("/tmp", "/var/tmp"),  # noqa: S108 - refused, not used
    ]
)
# ... and, for these, every directory below them too (an app's data goes below the others,
# such as /var/lib/<name>).
SYSTEM_TREES = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32",
                "/proc", "/root", "/sbin", "/sys", "/usr", "/var/spool")  # fmt: skip


def writable_dir(path: str, code: list[tuple[str, str, bool, bool]], data: str, own: str) -> str:
    """A directory an app may write: never its own code, nor a directory of the system.

    ``code`` holds ``(what, directory, itself, below)`` for what the app runs from (its venv,
    its code directories): refused is a directory above it, the directory itself unless
    ``itself``, and one below it unless ``below``. ``data`` is the directory the fix suggests
    (/var/lib/<name>), ``own`` what the app never writes ("its own code or venv").
    """
    for what, protected, itself, below in code:
        above = within(protected, path) and (path != protected or not itself)
        if above or (not below and within(path, protected)):
            raise Invalid(
                f"{path} would let the app write {what} {protected}; the app never writes "
                f"{own} - give a directory of its data, such as {data}"
            )
    system = next((tree for tree in SYSTEM_TREES if within(path, tree)), None)
    if system or path in SYSTEM_DIRS:
        raise Invalid(
            f"{path} would let the app write the system directory {system or path}; the app "
            f"never writes the system's directories - give a directory of its data, such as {data}"
        )
    return path


env_name = pattern(
    r"[A-Za-z_][A-Za-z0-9_]*",
    "is not an environment variable name: letters, digits and _, not starting with a digit",
)


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


# An environment field's rule: every variable checked on its own, none shown.
ENVIRONMENT = Each(environment, expected="a mapping of variable names to values")

# A WSGI callable: 'package.module:app', or an app factory 'package.module:create_app()'.
python_callable = pattern(
    r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\(\))?",
    "is not 'package.module:callable' (such as 'guestbook.wsgi:application') "
    "or an app factory 'package.module:create_app()'",
    re.ASCII,
)
dotted = pattern(
    r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*",
    "is not a dotted Python module name such as 'mysite.settings'",
    re.ASCII,
)


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


# What pip installs, by the form a role takes it in. None starts with '-': pip would read an
# option (--index-url, -r, -e).
PIP_FORMS = {
    # A release version alone: the role names the project (gunicorn==<version>).
    "version": pattern(
        r"[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?",
        "is not a release version; give one such as 27.0.1",
    ),
    # A project's name, its extras and version clauses: never a URL or a path.
    "name": pattern(
        r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:\[[A-Za-z0-9._,-]+\])?"
        r"(?:(?:===|==|!=|~=|>=|<=|>|<)[A-Za-z0-9.*+!_-]+"
        r"(?:,(?:===|==|!=|~=|>=|<=|>|<)[A-Za-z0-9.*+!_-]+)*)?",
        "is not a pip requirement of a name and optional versions, such as mod_wsgi==5.0.2",
        re.ASCII,
    ),
    # Any requirement specifier: also a URL after '@' and environment markers after ';'.
    "specifier": pattern(
        r"[A-Za-z0-9][A-Za-z0-9._\-\[\],<>=!~*;:@/+ '\"]*",
        "is not a pip requirement specifier such as 'guestbook==1.2.0' "
        "(options such as --index-url belong in the virtualenv role's variables)",
    ),
}


def pip_requirement(value: str, *, form: str = "name") -> str:
    """A requirement pip installs, in ``form`` (a key of :data:`PIP_FORMS`); never an option."""
    return PIP_FORMS[form](value)
