"""Shadow detection against a brute-force model of PostgreSQL's first-match rule.

The model below is written from PostgreSQL's documentation and ``check_hba()``
independently of the plugin: it enumerates concrete connection attempts over a
small universe and finds, for each attempt, the first rule that matches it.

* For rules the text decides (no host names, samehost, samenet, +group,
  @file, samerole) a rule is reported exactly when no attempt reaches it, and
  the rules named as culprits are exactly the first matches of the attempts
  the rule would match.
* With undecidable entries the unknown facts (group members, file contents,
  DNS, the server's addresses, role memberships) form a "world"; the filter
  must never report a rule that some attempt reaches in some world.

The universe is exact for the generated rules: every name a rule can mention
plus two names none can, and an address in every piece the generated networks
cut the address space into.
"""

from __future__ import annotations

import ipaddress
import itertools
from dataclasses import dataclass, field

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.filter.pg_hba_lines import pg_hba_lines
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.pg_hba import (
    find_shadowed,
    parse_rules,
)
from hypothesis import given, settings
from hypothesis import strategies as st

# ---------------------------------------------------------------- the universe

NAMES = ("app", "bob")  # names rules may mention
UNMENTIONED = ("x", "y")  # stand for every other name
REPLICATION = None  # the database of a physical replication connection
DATABASES = (REPLICATION, *NAMES, *UNMENTIONED)
USERS = (*NAMES, *UNMENTIONED)

V4_NETWORKS = (
    "10.0.0.0/30",
    "10.0.0.0/31",
    "10.0.0.2/31",
    "10.0.0.0/32",
    "10.0.0.1/32",
    "10.0.0.3/32",
    "0.0.0.0/0",
)
V6_NETWORKS = ("fd00::/127", "fd00::/128", "fd00::1/128", "::/0")
NETMASK_FORMS = (("10.0.0.0", "255.255.255.252"), ("10.0.0.2", "255.255.255.254"))
ADDRESSES = tuple(
    ipaddress.ip_address(a)
    for a in (
        "10.0.0.0",
        "10.0.0.1",
        "10.0.0.2",
        "10.0.0.3",
        "192.0.2.1",
        "fd00::",
        "fd00::1",
        "2001:db8::1",
    )
)

# One name a line: ansible-lint reads files under plugins/ for their documentation and warns
# about a tuple assignment at the top level.
LOCAL = "local"
PLAIN = "tcp"
SSL = "tcp+ssl"
GSS = "tcp+gssenc"
TCP_KINDS = (PLAIN, SSL, GSS)

# Which connections each type accepts (PostgreSQL docs, section "The pg_hba.conf File").
TYPE_ACCEPTS = {
    "local": {LOCAL},
    "host": {PLAIN, SSL, GSS},
    "hostssl": {SSL},
    "hostnossl": {PLAIN, GSS},
    "hostgssenc": {GSS},
    "hostnogssenc": {PLAIN, SSL},
}

UNDECIDED_DATABASES = ("samerole", "@dbs.txt")
UNDECIDED_USERS = ("+bob", "@users.txt")  # +bob: role bob and its members
UNDECIDED_ADDRESSES = ("samehost", "samenet", "db.example.com")


# A connection attempt is a place (how and from where it connects) and a pair
# (the database it asks for, the user it logs in as).  check_hba() tests the
# connection type and the address against the place and the database and
# role columns against the pair, so a rule matches a product of the two.
PLACES = ((LOCAL, None), *((kind, address) for kind in TCP_KINDS for address in ADDRESSES))
PAIRS = tuple((database, user) for database in DATABASES for user in USERS)
ATTEMPTS = tuple((place, pair) for place in PLACES for pair in PAIRS)


@dataclass
class World:
    """Facts pg_hba.conf does not hold."""

    # Users +bob matches: bob itself if the role exists, and its members.
    bob_members: frozenset = frozenset()
    role_members: frozenset = frozenset()  # (user, role) pairs, for samerole
    files: dict[str, tuple[str, ...]] = field(default_factory=dict)  # @file contents
    samehost: frozenset = frozenset()
    samenet: frozenset = frozenset()
    dns: frozenset = frozenset()  # addresses that resolve to db.example.com and back


# ---------------------------------------------------------------- the model


def database_matches(entries, database: str | None, user: str, world: World) -> bool:
    return any(database_entry_matches(entry, database, user, world) for entry in entries)


def database_entry_matches(entry: str, database: str | None, user: str, world: World) -> bool:
    if entry.startswith("@"):
        return database_matches(world.files.get(entry, ()), database, user, world)
    if database is REPLICATION:
        return entry == "replication"  # nothing else matches physical replication
    if entry == "all":
        return True
    if entry == "sameuser":
        return database == user
    if entry == "samerole":
        return (user, database) in world.role_members
    return entry != "replication" and entry == database


def user_matches(entries, user: str, world: World) -> bool:
    return any(user_entry_matches(entry, user, world) for entry in entries)


def user_entry_matches(entry: str, user: str, world: World) -> bool:
    if entry.startswith("@"):
        return user_matches(world.files.get(entry, ()), user, world)
    if entry == "+bob":
        return user in world.bob_members
    return entry in ("all", user)


def address_matches(rule: dict, address, world: World) -> bool:
    if rule["type"] == "local":
        return True
    entry = rule["address"]
    if entry == "all":
        return True
    if entry in ("samehost", "samenet", "db.example.com"):
        known = {"samehost": world.samehost, "samenet": world.samenet}.get(entry, world.dns)
        return address in known
    if "netmask" in rule:
        entry = f"{entry}/{rule['netmask']}"
    return address in ipaddress.ip_network(entry)


def entries(value) -> list[str]:
    return value.split(",") if isinstance(value, str) else list(value)


def matched(rule: dict, world: World) -> tuple[set, set]:
    """The places and the pairs a rule matches; it matches every combination of them."""
    places = {
        (kind, address)
        for kind, address in PLACES
        if kind in TYPE_ACCEPTS[rule["type"]] and address_matches(rule, address, world)
    }
    pairs = {
        (database, user)
        for database, user in PAIRS
        if database_matches(entries(rule["databases"]), database, user, world)
        and user_matches(entries(rule["users"]), user, world)
    }
    return places, pairs


def matches(rule: dict, attempt, world: World) -> bool:
    places, pairs = matched(rule, world)
    return attempt[0] in places and attempt[1] in pairs


def first_matches(rules: list[dict], world: World) -> dict:
    """For every attempt some rule matches, the index of the first such rule."""
    winners: dict = {}
    for index, rule in enumerate(rules):
        places, pairs = matched(rule, world)
        for attempt in itertools.product(places, pairs):
            winners.setdefault(attempt, index)
    return winners


def unreachable(rules: list[dict], world: World) -> set[int]:
    return set(range(len(rules))) - set(first_matches(rules, world).values())


def reported(rules: list[dict]) -> dict[int, set[int]]:
    """Shadowed rule index -> indexes of the rules named as already matching."""
    return {s.rule.index: {c.index for c in s.culprits} for s in find_shadowed(parse_rules(rules))}


# ---------------------------------------------------------------- the model itself


def test_model_reproduces_the_seed_pitfall():
    rules = [
        {"type": "local", "databases": "all", "users": "all", "method": "peer"},
        {"type": "local", "databases": "app", "users": "bob", "method": "md5"},
    ]
    assert unreachable(rules, World()) == {1}
    assert unreachable(rules[::-1], World()) == set()


def test_model_knows_replication_and_encryption():
    rules = [
        {"type": "host", "databases": "all", "users": "all", "address": "all"},
        {"type": "hostgssenc", "databases": "replication", "users": "bob", "address": "::/0"},
        {"type": "hostnossl", "databases": "app", "users": "bob", "address": "10.0.0.0/31"},
    ]
    assert unreachable(rules, World()) == {2}


def test_model_uses_the_world():
    rules = [
        {"type": "local", "databases": "all", "users": "+bob"},
        {"type": "local", "databases": "app", "users": "bob"},
    ]
    assert unreachable(rules, World()) == {0}  # no role bob: +bob matches no one
    assert unreachable(rules, World(bob_members=frozenset({"app"}))) == set()
    assert unreachable(rules, World(bob_members=frozenset({"bob"}))) == {1}


# ---------------------------------------------------------------- generated rules

METHODS = ("scram-sha-256", "md5", "reject")
FIELDS = ("type", "databases", "users", "address", "method")


def pools(undecided: bool) -> dict[str, list]:
    """Entries rules are drawn from; broad entries come first (hypothesis shrinks to them)."""
    found: dict[str, list] = {
        "type": sorted(TYPE_ACCEPTS),
        "databases": ["all", "replication", "sameuser", *NAMES],
        "users": ["all", *NAMES],
        "address": ["all", *V4_NETWORKS, *V6_NETWORKS, *NETMASK_FORMS],
        "method": list(METHODS),
    }
    if undecided:  # repeated so that they are drawn about as often as the rest
        found["databases"] += 2 * UNDECIDED_DATABASES
        found["users"] += 2 * UNDECIDED_USERS
        found["address"] += 3 * UNDECIDED_ADDRESSES
    return found


def field_strategies(undecided: bool) -> dict[str, st.SearchStrategy]:
    pool = pools(undecided)
    return {
        "type": st.sampled_from(pool["type"]),
        "databases": st.lists(st.sampled_from(pool["databases"]), min_size=1, max_size=2),
        "users": st.lists(st.sampled_from(pool["users"]), min_size=1, max_size=2),
        "address": st.sampled_from(pool["address"]),
        "method": st.sampled_from(pool["method"]),
    }


STRATEGIES = {False: field_strategies(False), True: field_strategies(True)}
CHANGES = st.lists(st.sampled_from(FIELDS), min_size=1, max_size=1)


def set_field(draw, rule: dict, name: str, strategies: dict[str, st.SearchStrategy]) -> None:
    if name != "address":
        rule[name] = draw(strategies[name])
    if rule["type"] == "local":
        rule.pop("address", None)
        rule.pop("netmask", None)
    elif name == "address" or "address" not in rule:
        rule.pop("netmask", None)
        address = draw(strategies["address"])
        if isinstance(address, tuple):
            rule["address"], rule["netmask"] = address
        else:
            rule["address"] = address


@st.composite
def rule_lists(draw, undecided: bool) -> list[dict]:
    """Up to six rules; most are variations of an earlier rule, so shadowing is common."""
    strategies = STRATEGIES[undecided]
    rules: list[dict] = []
    for _index in range(draw(st.integers(min_value=1, max_value=6))):
        if rules and draw(st.integers(min_value=0, max_value=3)):
            rule = dict(rules[draw(st.integers(min_value=0, max_value=len(rules) - 1))])
            changes = draw(CHANGES)
        else:
            rule = {"type": "local"}
            changes = list(FIELDS)
        for name in changes:
            set_field(draw, rule, name, strategies)
        rules.append(rule)
    return rules


def subsets(items) -> st.SearchStrategy[frozenset]:
    """Any subset of ``items``, drawn as one bit mask (cheap for hypothesis)."""
    items = tuple(items)
    return st.integers(min_value=0, max_value=2 ** len(items) - 1).map(
        lambda mask: frozenset(item for bit, item in enumerate(items) if mask >> bit & 1)
    )


@st.composite
def worlds(draw) -> World:
    return World(
        bob_members=draw(subsets(USERS)),
        role_members=draw(subsets((u, d) for u in USERS for d in DATABASES if d is not None)),
        files={
            "@dbs.txt": tuple(sorted(draw(subsets(["all", "replication", "sameuser", *NAMES])))),
            "@users.txt": tuple(sorted(draw(subsets(["all", *NAMES])))),
        },
        samehost=draw(subsets(ADDRESSES)),
        samenet=draw(subsets(ADDRESSES)),
        dns=draw(subsets(ADDRESSES)),
    )


EVERYTHING = World(
    bob_members=frozenset(USERS),
    role_members=frozenset((u, d) for u in USERS for d in DATABASES[1:]),
    files={"@dbs.txt": ("all", "replication"), "@users.txt": ("all",)},
    samehost=frozenset(ADDRESSES),
    samenet=frozenset(ADDRESSES),
    dns=frozenset(ADDRESSES),
)
NOTHING = World()


@settings(max_examples=400, deadline=None, derandomize=True)
@given(rule_lists(undecided=False))
def test_decided_rules_are_reported_exactly_when_unreachable(rules):
    winners = first_matches(rules, NOTHING)
    shadowed = reported(rules)
    assert set(shadowed) == set(range(len(rules))) - set(winners.values())
    for index, culprits in shadowed.items():
        # The named rules are the ones that take the rule's connections.
        places, pairs = matched(rules[index], NOTHING)
        taken_by = {winners[place, pair] for place in places for pair in pairs}
        assert culprits == taken_by
        assert all(culprit < index for culprit in culprits)


@settings(max_examples=600, deadline=None, derandomize=True)
@given(rule_lists(undecided=True), worlds())
def test_rules_that_might_match_are_never_reported(rules, world):
    shadowed = set(reported(rules))
    for facts in (world, EVERYTHING, NOTHING):
        assert shadowed <= unreachable(rules, facts)


DECIDED_NEIGHBOURS = [
    {"type": "host", "databases": ["all"], "users": ["all"], "address": "all"},
    {"type": "host", "databases": ["all", "replication"], "users": ["all"], "address": "all"},
    {"type": "hostssl", "databases": ["app"], "users": ["bob"], "address": "10.0.0.0/30"},
    {"type": "host", "databases": ["sameuser"], "users": ["all"], "address": "fd00::/127"},
    {"type": "local", "databases": ["all"], "users": ["all"]},
    {"type": "local", "databases": ["bob", "replication"], "users": ["bob"]},
]


def with_unknown(column: str, entry: str, base: dict) -> dict | None:
    """``base`` with one column replaced by an undecidable entry (None if impossible)."""
    if column == "address" and base["type"] == "local":
        return None
    return {**base, column: entry if column == "address" else [entry]}


@pytest.mark.parametrize(
    ("column", "entry"),
    [("databases", e) for e in UNDECIDED_DATABASES]
    + [("users", e) for e in UNDECIDED_USERS]
    + [("address", e) for e in UNDECIDED_ADDRESSES],
)
def test_every_unknown_next_to_decided_rules(column, entry):
    """Each kind of unknown, before and after rules it could or could not cover."""
    facts = (NOTHING, EVERYTHING, World(bob_members=frozenset({"app"})))
    for base in DECIDED_NEIGHBOURS:
        unknown = with_unknown(column, entry, base)
        if unknown is None:
            continue
        for other in DECIDED_NEIGHBOURS:
            for rules in ([unknown, other], [other, unknown]):
                shadowed = set(reported(rules))
                for world in facts:
                    assert shadowed <= unreachable(rules, world), rules


@settings(max_examples=60, deadline=None, derandomize=True)
@given(rule_lists(undecided=True))
def test_filter_raises_for_the_first_reported_rule(rules):
    shadowed = sorted(reported(rules))
    if not shadowed:
        assert len(pg_hba_lines(rules)) == len(rules)
        return
    with pytest.raises(AnsibleFilterError) as caught:
        pg_hba_lines(rules)
    assert str(caught.value).startswith(f"pg_hba_lines: rule {shadowed[0]} (")
    assert "can never match" in str(caught.value)
