# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side model of pg_hba.conf rules, shared by the pg_hba_* filters.

The module does three things:

* ``parse_rules`` validates rule mappings and turns them into ``Rule`` objects
  (raising ``HbaError`` with a message that names the rule, its rendered line
  and the offending field);
* every ``Rule`` carries two ``Region`` objects describing which connection
  attempts it matches: ``sure`` (matched whatever the facts outside the file
  are) and ``possible`` (might be matched under some facts).  They are equal
  for rules whose matching the text alone decides;
* ``find_shadowed`` / ``covering_positions`` decide whether a rule is
  unreachable because earlier rules already match every connection attempt it
  could match (PostgreSQL uses the first matching line and never falls
  through).

Connection attempts are modelled exactly as PostgreSQL's ``check_hba`` sees
them: a kind (Unix socket, or TCP that is plain, SSL-encrypted or
GSSAPI-encrypted -- a GSS-encrypted connection is not SSL), a database name or
``None`` for a physical replication connection (which only the
``replication`` keyword matches; ``all`` does not), a user name, and a client
IP address for TCP.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CONNECTION_TYPES",
    "DEFAULT_METHOD",
    "METHODS",
    "HbaError",
    "Region",
    "Rule",
    "Shadowing",
    "covering_positions",
    "find_shadowed",
    "parse_rule",
    "parse_rules",
    "refuse_trust",
    "render_aligned",
    "role_name_problem",
]

CONNECTION_TYPES = ("local", "host", "hostssl", "hostnossl", "hostgssenc", "hostnogssenc")
DEFAULT_METHOD = "scram-sha-256"
METHODS = (
    "scram-sha-256",
    "md5",
    "password",
    "peer",
    "ident",
    "gss",
    "sspi",
    "ldap",
    "radius",
    "cert",
    "pam",
    "bsd",
    "oauth",
    "reject",
    "trust",
)
FIELDS = ("type", "databases", "users", "address", "netmask", "method", "options", "comment")

# Connection kinds.  Every TCP connection is exactly one of plain, SSL or GSS.
LOCAL = "local"
TCP_PLAIN = "tcp-plain"
TCP_SSL = "tcp-ssl"
TCP_GSS = "tcp-gss"
KINDS_BY_TYPE = {
    "local": frozenset({LOCAL}),
    "host": frozenset({TCP_PLAIN, TCP_SSL, TCP_GSS}),
    "hostssl": frozenset({TCP_SSL}),
    "hostnossl": frozenset({TCP_PLAIN, TCP_GSS}),
    "hostgssenc": frozenset({TCP_GSS}),
    "hostnogssenc": frozenset({TCP_PLAIN, TCP_SSL}),
}

# Address blocks are (family, first, last) with inclusive integer bounds;
# family 0 is the single "no address" of a Unix-socket connection.
Block = tuple[int, int, int]
NO_ADDRESS: Block = (0, 0, 0)
ALL_IPV4: Block = (4, 0, 2**32 - 1)
ALL_IPV6: Block = (6, 0, 2**128 - 1)
ALL_IPS = (ALL_IPV4, ALL_IPV6)

NAME_MAX_BYTES = 63  # NAMEDATALEN - 1: longer names are truncated by PostgreSQL
DATABASE_KEYWORDS = ("all", "sameuser", "samerole", "replication")
ADDRESS_KEYWORDS = ("all", "samehost", "samenet")
_NEEDS_QUOTES = re.compile(r'[\s,"#]|[\x00-\x1f\x7f]')
_OPTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


class HbaError(ValueError):
    """A problem with the rules; ``str()`` is the message without the filter name."""


_TYPE_NAMES = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "float"),
    (str, "string"),
    (Mapping, "mapping"),
    (Sequence, "list"),
)


def _type_name(value: Any) -> str:
    """YAML-ish name of a value's type (Ansible passes tagged subclasses of these)."""
    if value is None:
        return "null"
    for cls, name in _TYPE_NAMES:
        if isinstance(value, cls):
            return name
    return type(value).__name__


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


# --------------------------------------------------------------------------
# Matching model
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class NameSet:
    """Database or user names a rule matches.

    ``every_name`` is ``all`` (for databases: every database but not physical
    replication); ``replication`` and ``sameuser`` only occur for databases.
    """

    names: frozenset[str] = frozenset()
    every_name: bool = False
    replication: bool = False
    sameuser: bool = False

    def matches_database(self, database: str | None, user: str) -> bool:
        if database is None:  # physical replication connection
            return self.replication
        return self.every_name or database in self.names or (self.sameuser and database == user)

    def matches_user(self, user: str) -> bool:
        return self.every_name or user in self.names


@dataclass(frozen=True)
class Region:
    """A set of connection attempts: kinds x addresses x (database, user) pairs."""

    kinds: frozenset[str]
    addresses: tuple[Block, ...]
    databases: NameSet
    users: NameSet

    def holds_address(self, family: int, address: int) -> bool:
        return any(f == family and lo <= address <= hi for f, lo, hi in self.addresses)

    def holds_pair(self, database: str | None, user: str) -> bool:
        return self.databases.matches_database(database, user) and self.users.matches_user(user)

    def literal_names(self) -> frozenset[str]:
        return self.databases.names | self.users.names


@dataclass(frozen=True)
class Rule:
    """A validated rule, with its rendered columns and its matching regions."""

    index: int
    type: str
    databases: tuple[str, ...]
    users: tuple[str, ...]
    address: str | None
    netmask: str | None
    method: str
    options: tuple[str, ...]
    comment: tuple[str, ...]
    sure: Region
    possible: Region

    def columns(self) -> list[str]:
        return [
            self.type,
            ",".join(self.databases),
            ",".join(self.users),
            self.address or "",
            self.netmask or "",
            self.method,
            " ".join(self.options),
        ]

    @property
    def line(self) -> str:
        return " ".join(column for column in self.columns() if column)


# --------------------------------------------------------------------------
# Parsing and validation
# --------------------------------------------------------------------------


def _raw_text(value: Any) -> str:
    if _is_list(value):
        return ",".join(str(item) for item in value)
    return str(value)


def _raw_line(raw: Any) -> str:
    """Render as much of an unvalidated rule as possible, for error messages."""
    if not isinstance(raw, Mapping):
        return str(raw)
    parts = [
        _raw_text(raw[key])
        for key in ("type", "databases", "users", "address", "netmask")
        if raw.get(key) is not None
    ]
    method = raw.get("method")
    parts.append(DEFAULT_METHOD if method is None else str(method))
    options = raw.get("options")
    if isinstance(options, Mapping):
        parts.extend(f"{name}={value}" for name, value in options.items())
    elif _is_list(options):
        parts.extend(str(option) for option in options)
    elif options is not None:
        parts.append(str(options))
    return " ".join(part for part in parts if part)


class _Problem(Exception):
    """Raised inside the parser; turned into HbaError with the rule's context."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(field, problem)
        self.field = field
        self.problem = problem


def _check_name(field: str, token: str, keywords: Sequence[str]) -> None:
    """Validate a literal role or database name (also the part after +)."""
    if _NEEDS_QUOTES.search(token):
        raise _Problem(
            field,
            f"{token!r} contains whitespace, a comma, a quote, '#' or a control character; "
            "names that need quoting in pg_hba.conf are not supported",
        )
    if token.startswith("/"):
        raise _Problem(
            field,
            f"{token!r} would be read as a regular expression; "
            "regular expressions are not supported, list the names instead",
        )
    if len(token.encode("utf-8")) > NAME_MAX_BYTES:
        raise _Problem(
            field,
            f"{token!r} is longer than {NAME_MAX_BYTES} bytes; "
            "PostgreSQL truncates longer names, so it could never match",
        )
    lowered = token.lower()
    if lowered in keywords and token != lowered:
        raise _Problem(
            field,
            f"{token!r} is not the keyword {lowered} (keywords are case-sensitive); "
            f"write {lowered}",
        )


def role_name_problem(name: Any) -> str | None:
    """Why ``name`` cannot stand for a single role in the users column, or None."""
    if not isinstance(name, str):
        return f"expected a role name, got {_type_name(name)}"
    if not name or name != name.strip():
        return f"{name!r} is not a role name: it is empty or has surrounding spaces"
    if name in ("all", *DATABASE_KEYWORDS, "samegroup") or name[0] in "+@":
        return f"{name!r} is a keyword or pattern, not a single role name"
    try:
        _check_name("superuser", name, ("all",))
    except _Problem as problem:
        return problem.problem
    return None


def _split_tokens(field: str, value: Any, what: str) -> list[str]:
    if value is None:
        raise _Problem(field, f"missing; give {what}")
    if isinstance(value, str):
        tokens = [token.strip() for token in value.split(",")]
    elif _is_list(value):
        tokens = []
        for position, item in enumerate(value):
            if not isinstance(item, str):
                raise _Problem(
                    field, f"element {position} must be a string, got {_type_name(item)}"
                )
            tokens.append(item.strip())
    else:
        raise _Problem(field, f"expected a string or a list of strings, got {_type_name(value)}")
    if not tokens or tokens == [""]:
        raise _Problem(field, f"empty; give {what}")
    if "" in tokens:
        raise _Problem(field, f"empty name in {_raw_text(value)!r}; remove the extra comma")
    return tokens


def _parse_file_token(field: str, entry: str) -> None:
    path = entry[1:]
    if not path:
        raise _Problem(field, "'@' needs a file name, as in @admins.txt")
    if _NEEDS_QUOTES.search(path):
        raise _Problem(field, f"file name in {entry!r} contains characters that need quoting")


def _parse_databases(value: Any) -> tuple[tuple[str, ...], NameSet, NameSet]:
    entries = _split_tokens("databases", value, "a database name, a list of names, or all")
    names: set[str] = set()
    sure: dict[str, bool] = {"every_name": False, "replication": False, "sameuser": False}
    possible = dict(sure)
    for entry in entries:
        if entry in ("all", "replication", "sameuser"):
            key = {"all": "every_name", "replication": "replication", "sameuser": "sameuser"}
            sure[key[entry]] = possible[key[entry]] = True
        elif entry == "samerole":  # membership of the user in a role named like the database
            possible["every_name"] = True
        elif entry == "samegroup":
            raise _Problem(
                "databases", "'samegroup' is the obsolete spelling of samerole; write samerole"
            )
        elif entry.startswith("@"):  # the file may hold any names or keywords
            _parse_file_token("databases", entry)
            possible["every_name"] = possible["replication"] = True
        elif entry.startswith("+"):
            raise _Problem(
                "databases",
                f"{entry!r}: group membership (+role) applies to users, not databases; "
                "use samerole or list the databases",
            )
        else:
            _check_name("databases", entry, (*DATABASE_KEYWORDS, "samegroup"))
            names.add(entry)
    frozen = frozenset(names)
    return tuple(entries), NameSet(frozen, **sure), NameSet(frozen, **possible)


def _parse_users(value: Any) -> tuple[tuple[str, ...], NameSet, NameSet]:
    entries = _split_tokens("users", value, "a user name, a list of names, or all")
    names: set[str] = set()
    every_sure = every_possible = False
    for entry in entries:
        if entry == "all":
            every_sure = every_possible = True
        elif entry in (*DATABASE_KEYWORDS, "samegroup"):
            raise _Problem("users", f"{entry!r} is a database keyword and is not valid in users")
        elif entry.startswith("@"):
            _parse_file_token("users", entry)
            every_possible = True
        elif entry.startswith("+"):
            # Membership is not in the file: +role may match no one (the role
            # may not exist) or anyone.
            if len(entry) == 1:
                raise _Problem("users", "'+' needs a role name, as in +admins")
            _check_name("users", entry[1:], ("all",))
            every_possible = True
        else:
            _check_name("users", entry, ("all",))
            names.add(entry)
    frozen = frozenset(names)
    return (
        tuple(entries),
        NameSet(frozen, every_name=every_sure),
        NameSet(frozen, every_name=every_possible),
    )


def _block(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> Block:
    return (
        network.version,
        int(network.network_address),
        int(network.broadcast_address),
    )


def _parse_ip(field: str, text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if "%" in text:
        raise _Problem(field, f"{text!r}: IPv6 zone identifiers are not supported")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        raise _Problem(field, f"{text!r} is not a valid IP address") from None


def _parse_cidr(text: str) -> tuple[str, Block]:
    host, _sep, prefix = text.partition("/")
    if "%" in host:
        raise _Problem("address", f"{host!r}: IPv6 zone identifiers are not supported")
    try:
        ip = _parse_ip("address", host)
    except _Problem:
        raise _Problem("address", f"{text!r}: {host!r} is not a valid IP address") from None
    limit = ip.max_prefixlen
    if not prefix.isascii() or not prefix.isdigit():
        raise _Problem("address", f"{text!r}: the prefix length must be a number from 0 to {limit}")
    if int(prefix) > limit:
        raise _Problem(
            "address",
            f"{text!r}: prefix length {int(prefix)} is out of range for IPv{ip.version} "
            f"(0 to {limit})",
        )
    network = ipaddress.ip_network(f"{ip}/{int(prefix)}", strict=False)
    if network.network_address != ip:
        raise _Problem("address", f"{text!r} has host bits set; use {network}")
    return str(network), _block(network)


def _parse_netmask(address: str, netmask: Any) -> tuple[str, str, Block]:
    if not isinstance(netmask, str):
        raise _Problem("netmask", f"expected a string, got {_type_name(netmask)}")
    if "/" in address:
        raise _Problem(
            "netmask",
            f"give either a CIDR address or a netmask, not both; drop the netmask or the "
            f"prefix length of {address!r}",
        )
    if address in ADDRESS_KEYWORDS or not _looks_like_ip(address):
        raise _Problem("netmask", f"a netmask needs an IP address, not {address!r}")
    ip = _parse_ip("address", address)
    try:
        mask = ipaddress.ip_address(netmask)
    except ValueError:
        raise _Problem("netmask", f"{netmask!r} is not a valid netmask") from None
    if mask.version != ip.version:
        raise _Problem(
            "netmask",
            f"{netmask!r} is IPv{mask.version} but the address {address!r} is IPv{ip.version}",
        )
    full = (1 << ip.max_prefixlen) - 1
    inverted = ~int(mask) & full
    if inverted & (inverted + 1):
        raise _Problem(
            "netmask",
            f"{netmask!r} is not contiguous (one bits must be followed only by zero bits); "
            "use a CIDR address instead",
        )
    prefix = ip.max_prefixlen - inverted.bit_length()
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    if network.network_address != ip:
        raise _Problem(
            "address",
            f"{address!r} has host bits set for netmask {mask}; use {network.network_address}",
        )
    return str(ip), str(mask), _block(network)


def _looks_like_ip(text: str) -> bool:
    """True for text that can only be meant as an IP address (not a host name)."""
    return ":" in text or all(part.isdigit() for part in text.split("."))


def _check_hostname(text: str) -> None:
    name = text[1:] if text.startswith(".") else text  # .example.com matches a suffix
    labels = name.split(".")
    if len(name) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise _Problem(
            "address",
            f"{text!r} is not a CIDR address, all, samehost, samenet or a valid host name",
        )


def _parse_address(
    rule_type: str, raw: Mapping[str, Any]
) -> tuple[str | None, str | None, tuple[Block, ...], tuple[Block, ...]]:
    """Return (address column, netmask column, sure blocks, possible blocks)."""
    address = raw.get("address")
    netmask = raw.get("netmask")
    if rule_type == "local":
        if address is not None:
            raise _Problem(
                "address",
                "local rules match Unix-socket connections and take no address; "
                "remove it or use type host",
            )
        if netmask is not None:
            raise _Problem("netmask", "local rules take no netmask; remove it")
        return None, None, (NO_ADDRESS,), (NO_ADDRESS,)
    if address is None:
        raise _Problem(
            "address",
            f"missing; {rule_type} rules need a CIDR address such as 10.0.0.0/24, "
            "all, samehost, samenet or a host name",
        )
    if not isinstance(address, str):
        raise _Problem("address", f"expected a string, got {_type_name(address)}")
    address = address.strip()
    if netmask is not None:
        text, mask, block = _parse_netmask(address, netmask)
        return text, mask, (block,), (block,)
    if address == "all":
        return address, None, ALL_IPS, ALL_IPS
    if address in ("samehost", "samenet"):  # the server's own addresses or subnets
        return address, None, (), ALL_IPS
    if address.lower() in ADDRESS_KEYWORDS:
        raise _Problem(
            "address",
            f"{address!r} would be read as a host name (keywords are case-sensitive); "
            f"write {address.lower()}",
        )
    if "/" in address:
        text, block = _parse_cidr(address)
        return text, None, (block,), (block,)
    if _looks_like_ip(address):
        ip = _parse_ip("address", address)
        raise _Problem(
            "address",
            f"{address!r} has no prefix length; use {ip}/{ip.max_prefixlen} or give a netmask",
        )
    _check_hostname(address)  # resolved by DNS at connection time
    return address, None, (), ALL_IPS


def _parse_method(rule_type: str, method: Any) -> str:
    if method is None:
        return DEFAULT_METHOD
    if not isinstance(method, str):
        raise _Problem("method", f"expected a string, got {_type_name(method)}")
    if method not in METHODS:
        raise _Problem("method", f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if method == "peer" and rule_type != "local":
        raise _Problem(
            "method", f"peer works only on local rules; use scram-sha-256 for {rule_type} rules"
        )
    if method in ("gss", "sspi") and rule_type == "local":
        raise _Problem(
            "method", f"{method} is not supported on local rules; use peer or scram-sha-256"
        )
    if method == "cert" and rule_type != "hostssl":
        raise _Problem("method", "cert works only on hostssl rules; use type hostssl")
    return method


def _option_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, str)):
        text = str(value)
    else:
        raise _Problem(
            "options",
            f"value of {name!r} must be a string, number or boolean, got {_type_name(value)}",
        )
    if not text:
        raise _Problem("options", f"{name!r} has an empty value")
    if '"' in text or re.search(r"[\x00-\x1f\x7f]", text):
        raise _Problem(
            "options",
            f"value of {name!r} contains a double quote or a control character, "
            "which pg_hba.conf cannot express",
        )
    if re.search(r"[\s,#]", text):
        return f'"{text}"'
    return text


def _parse_options(options: Any) -> tuple[str, ...]:
    if options is None:
        return ()
    if isinstance(options, Mapping):
        pairs = list(options.items())
    elif _is_list(options):
        pairs = []
        for option in options:
            if not isinstance(option, str) or "=" not in option:
                raise _Problem("options", f"{option!r} is not in name=value form")
            name, _sep, value = option.partition("=")
            pairs.append((name, value))
    else:
        raise _Problem(
            "options",
            f"expected a mapping or a list of name=value strings, got {_type_name(options)}",
        )
    rendered = []
    seen = set()
    for name, value in pairs:
        if not isinstance(name, str) or not _OPTION_NAME.fullmatch(name):
            raise _Problem(
                "options",
                f"option name {name!r} must consist of letters, digits and underscores",
            )
        if name in seen:
            raise _Problem("options", f"{name!r} is given twice")
        seen.add(name)
        rendered.append(f"{name}={_option_value(name, value)}")
    return tuple(rendered)


def _parse_comment(comment: Any) -> tuple[str, ...]:
    if comment is None:
        return ()
    if not isinstance(comment, str):
        raise _Problem("comment", f"expected a string, got {_type_name(comment)}")
    return tuple(f"# {line}".rstrip() for line in comment.splitlines())


def _parse_fields(raw: Any, index: int) -> Rule:
    if not isinstance(raw, Mapping):
        raise _Problem(
            "rule", f"expected a mapping with type, databases, users, ..., got {_type_name(raw)}"
        )
    unknown = sorted(str(key) for key in raw if key not in FIELDS)
    if unknown:
        raise _Problem(unknown[0], f"unknown field; use {', '.join(FIELDS)}")
    rule_type = raw.get("type")
    if rule_type is None:
        raise _Problem("type", f"missing; use one of {', '.join(CONNECTION_TYPES)}")
    if not isinstance(rule_type, str):
        raise _Problem("type", f"expected a string, got {_type_name(rule_type)}")
    if rule_type not in CONNECTION_TYPES:
        raise _Problem(
            "type",
            f"unknown connection type {rule_type!r}; use one of {', '.join(CONNECTION_TYPES)}",
        )
    databases, sure_dbs, possible_dbs = _parse_databases(raw.get("databases"))
    users, sure_users, possible_users = _parse_users(raw.get("users"))
    address, netmask, sure_blocks, possible_blocks = _parse_address(rule_type, raw)
    method = _parse_method(rule_type, raw.get("method"))
    options = _parse_options(raw.get("options"))
    comment = _parse_comment(raw.get("comment"))
    kinds = KINDS_BY_TYPE[rule_type]
    return Rule(
        index=index,
        type=rule_type,
        databases=databases,
        users=users,
        address=address,
        netmask=netmask,
        method=method,
        options=options,
        comment=comment,
        sure=Region(kinds, sure_blocks, sure_dbs, sure_users),
        possible=Region(kinds, possible_blocks, possible_dbs, possible_users),
    )


def parse_rule(raw: Any, index: int, label: str = "rule") -> Rule:
    """Validate one rule mapping; errors read ``<label> <index> (<line>): <field>: ...``."""
    try:
        return _parse_fields(raw, index)
    except _Problem as problem:
        raise HbaError(
            f"{label} {index} ({_raw_line(raw)}): {problem.field}: {problem.problem}"
        ) from None


def parse_rules(value: Any, field: str = "rules", label: str = "rule") -> list[Rule]:
    """Validate a list of rule mappings, numbering them from 0."""
    if not _is_list(value):
        raise HbaError(f"{field}: expected a list of rule mappings, got {_type_name(value)}")
    return [parse_rule(raw, index, label) for index, raw in enumerate(value)]


def refuse_trust(rules: Sequence[Rule], allow_trust: bool) -> None:
    """Raise HbaError for the first trust rule unless trust is allowed."""
    if allow_trust:
        return
    for rule in rules:
        if rule.method == "trust":
            raise HbaError(
                f"rule {rule.index} ({rule.line}): method: trust lets anyone who can "
                "connect log in as any matched user without a password; use scram-sha-256 "
                "(or peer on local rules), or pass allow_trust=true if this is intended"
            )


# --------------------------------------------------------------------------
# Reachability
# --------------------------------------------------------------------------

_FRESH = ("\x00fresh-1", "\x00fresh-2")  # names no rule can mention (control characters)


def _address_pieces(block: Block, earlier: Sequence[tuple[int, Region]]) -> list[tuple[int, int]]:
    """Split ``block`` at every boundary of the earlier regions' networks.

    Returns (family, representative address) pairs; every earlier region holds
    either all or none of the addresses of a piece.
    """
    family, first, last = block
    cuts = {first, last + 1}
    for _position, region in earlier:
        for other_family, lo, hi in region.addresses:
            if other_family == family and lo <= last and hi >= first:
                cuts.add(max(lo, first))
                cuts.add(min(hi, last) + 1)
    starts = sorted(cuts)[:-1]
    return [(family, start) for start in starts]


def _cover_pairs(target: Region, holders: Sequence[tuple[int, Region]]) -> frozenset[int] | None:
    """Positions of the first holder for every (database, user) class of target.

    ``None`` when some class of the target is held by no holder.  Classes are
    represented by concrete names: every literal name in play, plus fresh names
    standing for "any other name" (two of them, so that both database == user
    and database != user are represented for sameuser).
    """
    names = set(target.literal_names())
    for _position, region in holders:
        names |= region.literal_names()
    users = [*sorted(names), *_FRESH]
    databases: list[str | None] = [None, *sorted(names), _FRESH[0]]
    firsts: set[int] = set()
    for database in databases:
        for user in users:
            if not target.holds_pair(database, user):
                continue
            holder = next(
                (position for position, region in holders if region.holds_pair(database, user)),
                None,
            )
            if holder is None:
                return None
            firsts.add(holder)
    return frozenset(firsts)


def covering_positions(target: Region, earlier: Sequence[Region]) -> list[int] | None:
    """Decide whether the ``earlier`` regions together hold all of ``target``.

    Returns the positions (in ``earlier``) of the regions that would receive the
    connection attempts first, sorted, or ``None`` when some attempt of
    ``target`` is held by none of them.  Pass ``rule.possible`` as target and
    the earlier rules' ``sure`` regions so that unknown facts never lead to a
    report.
    """
    culprits: set[int] = set()
    memo: dict[frozenset[int], frozenset[int] | None] = {}
    indexed = list(enumerate(earlier))
    for kind in sorted(target.kinds):
        by_kind = [(position, region) for position, region in indexed if kind in region.kinds]
        for block in target.addresses:
            for family, address in _address_pieces(block, by_kind):
                holders = [
                    (position, region)
                    for position, region in by_kind
                    if region.holds_address(family, address)
                ]
                key = frozenset(position for position, _region in holders)
                if key not in memo:
                    memo[key] = _cover_pairs(target, holders) if holders else None
                found = memo[key]
                if found is None:
                    return None
                culprits |= found
    return sorted(culprits)


@dataclass(frozen=True)
class Shadowing:
    """``rule`` can never match: ``culprits`` receive every attempt it would match."""

    rule: Rule
    culprits: tuple[Rule, ...]

    def message(self) -> str:
        rule = self.rule
        named = [f"rule {c.index} ({c.line})" for c in self.culprits]
        first = self.culprits[0].index
        if len(named) == 1:
            who = f"{named[0]} already matches"
            narrow = f"rule {first}"
        else:
            who = f"{', '.join(named[:-1])} and {named[-1]} already match"
            numbers = [str(c.index) for c in self.culprits]
            narrow = f"one of rules {', '.join(numbers[:-1])} and {numbers[-1]}"
        return (
            f"rule {rule.index} ({rule.line}) can never match: {who} every connection it "
            f"would match; move rule {rule.index} above rule {first} or narrow {narrow}"
        )


def find_shadowed(rules: Sequence[Rule]) -> list[Shadowing]:
    """Every rule that no connection attempt can reach, in order.

    A rule is reported only when, under any facts outside the file (group
    membership, included files, DNS, the server's addresses), the earlier rules
    match every connection attempt it could match.
    """
    found = []
    for position, rule in enumerate(rules):
        positions = covering_positions(rule.possible, [r.sure for r in rules[:position]])
        if positions:  # an empty list would mean the rule matches nothing at all
            found.append(Shadowing(rule, tuple(rules[p] for p in positions)))
    return found


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def render_aligned(rules: Sequence[Rule]) -> list[str]:
    """pg_hba.conf lines with aligned columns; comments go above their rule."""
    rows = [rule.columns() for rule in rules]
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(7)]
    lines = []
    for rule, row in zip(rules, rows):
        lines.extend(rule.comment)
        cells = [cell.ljust(width) for cell, width in zip(row, widths) if width]
        lines.append("  ".join(cells).rstrip())
    return lines
