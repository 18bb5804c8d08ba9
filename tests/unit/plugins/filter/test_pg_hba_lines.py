"""Unit tests for the wsgistack.deploy.pg_hba_lines filter."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.filter.pg_hba_lines import (
    FilterModule,
    pg_hba_lines,
)

FIELDS = "type, databases, users, address, netmask, method, options, comment"
TYPES = "local, host, hostssl, hostnossl, hostgssenc, hostnogssenc"
METHODS = (
    "scram-sha-256, md5, password, peer, ident, gss, sspi, ldap, radius, cert, pam, bsd, "
    "oauth, reject, trust"
)


_DEFAULT = object()


def rule(rule_type="host", databases="all", users="all", address=_DEFAULT, **fields):
    """A rule mapping; TCP rules default to 10.0.0.0/24, ``address=None`` leaves it out."""
    if address is _DEFAULT:
        address = None if rule_type == "local" else "10.0.0.0/24"
    if address is not None:
        fields["address"] = address
    return {"type": rule_type, "databases": databases, "users": users, **fields}


def local(databases="all", users="all", **fields):
    return rule("local", databases, users, **fields)


def error_of(rules, **kwargs) -> str:
    with pytest.raises(AnsibleFilterError) as caught:
        pg_hba_lines(rules, **kwargs)
    return str(caught.value)


def test_filter_is_registered():
    assert FilterModule().filters() == {"pg_hba_lines": pg_hba_lines}


# ---------------------------------------------------------------- rendering


def test_renders_aligned_columns_in_given_order():
    lines = pg_hba_lines(
        [
            local(users="postgres", method="peer"),
            rule(databases="flaskdb", users=["flask", "flask_ro"], comment="app servers"),
            rule("hostssl", address="2001:db8::/32", options={"clientcert": "verify-full"}),
        ]
    )
    assert lines == [
        "local    all      postgres                       peer",
        "# app servers",
        "host     flaskdb  flask,flask_ro  10.0.0.0/24    scram-sha-256",
        "hostssl  all      all             2001:db8::/32  scram-sha-256  clientcert=verify-full",
    ]


def test_method_defaults_to_scram_never_md5():
    assert pg_hba_lines([local(), rule()]) == [
        "local  all  all               scram-sha-256",
        "host   all  all  10.0.0.0/24  scram-sha-256",
    ]
    assert pg_hba_lines([local(method=None)]) == ["local  all  all  scram-sha-256"]


def test_only_local_rules_have_no_address_column():
    assert pg_hba_lines([local("app", "app", method="peer")]) == ["local  app  app  peer"]


def test_empty_rule_list_gives_no_lines():
    assert pg_hba_lines([]) == []


def test_netmask_is_its_own_column():
    lines = pg_hba_lines(
        [
            rule(databases="a", address="10.1.0.0", netmask="255.255.0.0"),
            rule(databases="b", address="2001:db8::", netmask="ffff:ffff::"),
            local("c"),
        ]
    )
    assert lines == [
        "host   a  all  10.1.0.0    255.255.0.0  scram-sha-256",
        "host   b  all  2001:db8::  ffff:ffff::  scram-sha-256",
        "local  c  all                           scram-sha-256",
    ]


def test_netmask_full_and_zero_masks():
    assert pg_hba_lines(
        [
            rule(databases="a", address="10.0.0.7", netmask="255.255.255.255"),
            rule(databases="b", address="::", netmask="::"),
        ]
    ) == [
        "host  a  all  10.0.0.7  255.255.255.255  scram-sha-256",
        "host  b  all  ::        ::               scram-sha-256",
    ]


def test_lists_and_comma_strings_are_comma_joined():
    lines = pg_hba_lines(
        [
            rule(databases="app, app_ro", users=["web", "worker"]),
            rule(databases=["other"], users="web,worker"),
        ]
    )
    assert lines == [
        "host  app,app_ro  web,worker  10.0.0.0/24  scram-sha-256",
        "host  other       web,worker  10.0.0.0/24  scram-sha-256",
    ]


def test_options_mapping_list_quoting_and_booleans():
    lines = pg_hba_lines(
        [
            rule(
                "hostssl",
                method="ldap",
                options={
                    "ldapserver": "ldap.example.com",
                    "ldapprefix": "cn=",
                    "ldapsuffix": ", dc=example, dc=com",
                    "ldapport": 389,
                },
            ),
            rule(databases="k", method="gss", options=["include_realm=0", "krb_realm=EXAMPLE"]),
            rule(databases="t", method="gss", options={"include_realm": True}),
            rule(databases="f", method="gss", options={"include_realm": False}),
            rule(databases="r", method="radius", options=["radiusservers=a.example,b.example"]),
        ]
    )
    assert lines == [
        "hostssl  all  all  10.0.0.0/24  ldap    ldapserver=ldap.example.com ldapprefix=cn= "
        'ldapsuffix=", dc=example, dc=com" ldapport=389',
        "host     k    all  10.0.0.0/24  gss     include_realm=0 krb_realm=EXAMPLE",
        "host     t    all  10.0.0.0/24  gss     include_realm=1",
        "host     f    all  10.0.0.0/24  gss     include_realm=0",
        'host     r    all  10.0.0.0/24  radius  radiusservers="a.example,b.example"',
    ]


def test_multiline_comment_becomes_several_comment_lines():
    assert pg_hba_lines([local(comment="first\n\nthird  ")]) == [
        "# first",
        "#",
        "# third",
        "local  all  all  scram-sha-256",
    ]


def test_ipv6_networks_are_rendered_canonically():
    lines = pg_hba_lines(
        [
            rule(databases="a", address="2001:DB8:0:0::/64"),
            rule(databases="b", address="::1/128"),
            rule(databases="c", address="::/0"),
            rule(databases="d", address="fe80::/10"),
            rule(databases="e", address="::ffff:10.0.0.0/104"),
        ]
    )
    assert [line.split()[3] for line in lines] == [
        "2001:db8::/64",
        "::1/128",
        "::/0",
        "fe80::/10",
        "::ffff:a00:0/104",
    ]


def test_ipv4_prefix_bounds():
    lines = pg_hba_lines(
        [
            rule(databases="a", address="0.0.0.0/0"),
            rule(databases="b", address="192.0.2.7/32"),
        ]
    )
    assert [line.split()[3] for line in lines] == ["0.0.0.0/0", "192.0.2.7/32"]


# ---------------------------------------------------------------- keywords


@pytest.mark.parametrize(
    ("databases", "users", "rendered"),
    [
        ("all", "all", "all all"),
        ("sameuser", "all", "sameuser all"),
        ("samerole", "all", "samerole all"),
        ("replication", "replicator", "replication replicator"),
        ("@databases.txt", "@users.txt", "@databases.txt @users.txt"),
        ("app", "+admins", "app +admins"),
        (["replication", "all"], ["+admins", "ops"], "replication,all +admins,ops"),
    ],
)
def test_database_and_user_keywords(databases, users, rendered):
    (line,) = pg_hba_lines([rule("hostssl", databases, users)])
    assert line == f"hostssl {rendered} 10.0.0.0/24 scram-sha-256".replace(" ", "  ")


@pytest.mark.parametrize(
    "address",
    ["all", "samehost", "samenet", "db.example.com", ".example.com", "localhost", "a-1.b2.c"],
)
def test_address_keywords_and_host_names(address):
    assert pg_hba_lines([rule(address=address)]) == [f"host  all  all  {address}  scram-sha-256"]


@pytest.mark.parametrize(
    "rule_type", ["host", "hostssl", "hostnossl", "hostgssenc", "hostnogssenc"]
)
def test_every_tcp_connection_type(rule_type):
    (line,) = pg_hba_lines([rule(rule_type, method="reject")])
    assert line.split() == [rule_type, "all", "all", "10.0.0.0/24", "reject"]


@pytest.mark.parametrize(
    ("rule_type", "method"),
    [
        ("local", "peer"),
        ("local", "ident"),
        ("local", "md5"),
        ("local", "password"),
        ("local", "pam"),
        ("local", "bsd"),
        ("local", "ldap"),
        ("local", "radius"),
        ("local", "reject"),
        ("host", "ident"),
        ("host", "gss"),
        ("host", "sspi"),
        ("host", "oauth"),
        ("hostssl", "cert"),
    ],
)
def test_methods_accepted_where_postgresql_accepts_them(rule_type, method):
    (line,) = pg_hba_lines([rule(rule_type, method=method)])
    assert line.split()[-1] == method


def test_trust_is_accepted_only_when_allowed():
    assert pg_hba_lines([local(method="trust")], allow_trust=True) == ["local  all  all  trust"]


# ---------------------------------------------------------------- validation errors

ERRORS = [
    # --- whole rule
    (
        ["local all all peer"],
        "pg_hba_lines: rule 0 (local all all peer): rule: expected a mapping with type, "
        "databases, users, ..., got string",
    ),
    (
        [{"type": "local", "database": "app", "users": "all"}],
        f"pg_hba_lines: rule 0 (local all scram-sha-256): database: unknown field; use {FIELDS}",
    ),
    # --- type
    (
        [{"databases": "all", "users": "app", "address": "10.0.0.0/24"}],
        f"pg_hba_lines: rule 0 (all app 10.0.0.0/24 scram-sha-256): type: missing; use one of "
        f"{TYPES}",
    ),
    (
        [rule(4)],
        "pg_hba_lines: rule 0 (4 all all 10.0.0.0/24 scram-sha-256): type: expected a string, "
        "got integer",
    ),
    (
        [local(), rule("hosts")],
        "pg_hba_lines: rule 1 (hosts all all 10.0.0.0/24 scram-sha-256): type: unknown "
        f"connection type 'hosts'; use one of {TYPES}",
    ),
    (
        [rule("HOST")],
        "pg_hba_lines: rule 0 (HOST all all 10.0.0.0/24 scram-sha-256): type: unknown "
        f"connection type 'HOST'; use one of {TYPES}",
    ),
    # --- databases
    (
        [{"type": "local", "users": "app"}],
        "pg_hba_lines: rule 0 (local app scram-sha-256): databases: missing; give a database "
        "name, a list of names, or all",
    ),
    (
        [local(databases=None)],
        "pg_hba_lines: rule 0 (local all scram-sha-256): databases: missing; give a database "
        "name, a list of names, or all",
    ),
    (
        [local(databases="")],
        "pg_hba_lines: rule 0 (local all scram-sha-256): databases: empty; give a database "
        "name, a list of names, or all",
    ),
    (
        [local(databases=[])],
        "pg_hba_lines: rule 0 (local all scram-sha-256): databases: empty; give a database "
        "name, a list of names, or all",
    ),
    (
        [local(databases={"app": 1})],
        "pg_hba_lines: rule 0 (local {'app': 1} all scram-sha-256): databases: expected a "
        "string or a list of strings, got mapping",
    ),
    (
        [local(databases=["app", 7])],
        "pg_hba_lines: rule 0 (local app,7 all scram-sha-256): databases: element 1 must be a "
        "string, got integer",
    ),
    (
        [local(databases="app,,web")],
        "pg_hba_lines: rule 0 (local app,,web all scram-sha-256): databases: empty name in "
        "'app,,web'; remove the extra comma",
    ),
    (
        [local(databases="app,")],
        "pg_hba_lines: rule 0 (local app, all scram-sha-256): databases: empty name in 'app,'; "
        "remove the extra comma",
    ),
    (
        [local(databases="samegroup")],
        "pg_hba_lines: rule 0 (local samegroup all scram-sha-256): databases: 'samegroup' is "
        "the obsolete spelling of samerole; write samerole",
    ),
    (
        [local(databases="+admins")],
        "pg_hba_lines: rule 0 (local +admins all scram-sha-256): databases: '+admins': group "
        "membership (+role) applies to users, not databases; use samerole or list the databases",
    ),
    (
        [local(databases="@")],
        "pg_hba_lines: rule 0 (local @ all scram-sha-256): databases: '@' needs a file name, "
        "as in @admins.txt",
    ),
    (
        [local(databases=["@db#1.txt"])],
        "pg_hba_lines: rule 0 (local @db#1.txt all scram-sha-256): databases: file name in "
        "'@db#1.txt' contains characters that need quoting",
    ),
    (
        [local(databases=["my db"])],
        "pg_hba_lines: rule 0 (local my db all scram-sha-256): databases: 'my db' contains "
        "whitespace, a comma, a quote, '#' or a control character; names that need quoting in "
        "pg_hba.conf are not supported",
    ),
    (
        [local(databases=['"all"'])],
        'pg_hba_lines: rule 0 (local "all" all scram-sha-256): databases: \'"all"\' contains '
        "whitespace, a comma, a quote, '#' or a control character; names that need quoting in "
        "pg_hba.conf are not supported",
    ),
    (
        [local(databases="/^app_.*$")],
        "pg_hba_lines: rule 0 (local /^app_.*$ all scram-sha-256): databases: '/^app_.*$' "
        "would be read as a regular expression; regular expressions are not supported, list "
        "the names instead",
    ),
    (
        [local(databases="d" * 64)],
        f"pg_hba_lines: rule 0 (local {'d' * 64} all scram-sha-256): databases: '{'d' * 64}' "
        "is longer than 63 bytes; PostgreSQL truncates longer names, so it could never match",
    ),
    (
        [local(databases="ALL")],
        "pg_hba_lines: rule 0 (local ALL all scram-sha-256): databases: 'ALL' is not the "
        "keyword all (keywords are case-sensitive); write all",
    ),
    (
        [local(databases="Replication")],
        "pg_hba_lines: rule 0 (local Replication all scram-sha-256): databases: 'Replication' "
        "is not the keyword replication (keywords are case-sensitive); write replication",
    ),
    # --- users
    (
        [{"type": "local", "databases": "app"}],
        "pg_hba_lines: rule 0 (local app scram-sha-256): users: missing; give a user name, a "
        "list of names, or all",
    ),
    (
        [local(users=" ")],
        "pg_hba_lines: rule 0 (local all   scram-sha-256): users: empty; give a user name, a "
        "list of names, or all",
    ),
    (
        [local(users=True)],
        "pg_hba_lines: rule 0 (local all True scram-sha-256): users: expected a string or a "
        "list of strings, got boolean",
    ),
    (
        [local(users="sameuser")],
        "pg_hba_lines: rule 0 (local all sameuser scram-sha-256): users: 'sameuser' is a "
        "database keyword and is not valid in users",
    ),
    (
        [local(users=["app", "replication"])],
        "pg_hba_lines: rule 0 (local all app,replication scram-sha-256): users: 'replication' "
        "is a database keyword and is not valid in users",
    ),
    (
        [local(users="samerole")],
        "pg_hba_lines: rule 0 (local all samerole scram-sha-256): users: 'samerole' is a "
        "database keyword and is not valid in users",
    ),
    (
        [local(users="+")],
        "pg_hba_lines: rule 0 (local all + scram-sha-256): users: '+' needs a role name, as in "
        "+admins",
    ),
    (
        [local(users="@")],
        "pg_hba_lines: rule 0 (local all @ scram-sha-256): users: '@' needs a file name, as in "
        "@admins.txt",
    ),
    (
        [local(users=["+db admins"])],
        "pg_hba_lines: rule 0 (local all +db admins scram-sha-256): users: 'db admins' "
        "contains whitespace, a comma, a quote, '#' or a control character; names that need "
        "quoting in pg_hba.conf are not supported",
    ),
    (
        [local(users="All")],
        "pg_hba_lines: rule 0 (local all All scram-sha-256): users: 'All' is not the keyword "
        "all (keywords are case-sensitive); write all",
    ),
    (
        [local(users=["ann\tbob"])],
        "pg_hba_lines: rule 0 (local all ann\tbob scram-sha-256): users: 'ann\\tbob' contains "
        "whitespace, a comma, a quote, '#' or a control character; names that need quoting in "
        "pg_hba.conf are not supported",
    ),
    # --- address
    (
        [local(address="10.0.0.0/8")],
        "pg_hba_lines: rule 0 (local all all 10.0.0.0/8 scram-sha-256): address: local rules "
        "match Unix-socket connections and take no address; remove it or use type host",
    ),
    (
        [local(netmask="255.0.0.0")],
        "pg_hba_lines: rule 0 (local all all 255.0.0.0 scram-sha-256): netmask: local rules "
        "take no netmask; remove it",
    ),
    (
        [rule("hostssl", address=None)],
        "pg_hba_lines: rule 0 (hostssl all all scram-sha-256): address: missing; hostssl rules "
        "need a CIDR address such as 10.0.0.0/24, all, samehost, samenet or a host name",
    ),
    (
        [rule(address=["10.0.0.0/8"])],
        "pg_hba_lines: rule 0 (host all all 10.0.0.0/8 scram-sha-256): address: expected a "
        "string, got list",
    ),
    (
        [rule(address="10.0.0.1/24")],
        "pg_hba_lines: rule 0 (host all all 10.0.0.1/24 scram-sha-256): address: '10.0.0.1/24' "
        "has host bits set; use 10.0.0.0/24",
    ),
    (
        [rule(users="app", address="10.0.0.1/24")],
        "pg_hba_lines: rule 0 (host all app 10.0.0.1/24 scram-sha-256): address: '10.0.0.1/24' "
        "has host bits set; use 10.0.0.0/24",
    ),
    (
        [rule(address="2001:db8::1/64")],
        "pg_hba_lines: rule 0 (host all all 2001:db8::1/64 scram-sha-256): address: "
        "'2001:db8::1/64' has host bits set; use 2001:db8::/64",
    ),
    (
        [rule(address="10.0.0.0/33")],
        "pg_hba_lines: rule 0 (host all all 10.0.0.0/33 scram-sha-256): address: "
        "'10.0.0.0/33': prefix length 33 is out of range for IPv4 (0 to 32)",
    ),
    (
        [rule(address="2001:db8::/129")],
        "pg_hba_lines: rule 0 (host all all 2001:db8::/129 scram-sha-256): address: "
        "'2001:db8::/129': prefix length 129 is out of range for IPv6 (0 to 128)",
    ),
    (
        [rule(address="10.0.0.0/-1")],
        "pg_hba_lines: rule 0 (host all all 10.0.0.0/-1 scram-sha-256): address: "
        "'10.0.0.0/-1': the prefix length must be a number from 0 to 32",
    ),
    (
        [rule(address="10.0.0.0/")],
        "pg_hba_lines: rule 0 (host all all 10.0.0.0/ scram-sha-256): address: '10.0.0.0/': "
        "the prefix length must be a number from 0 to 32",
    ),
    (
        [rule(address="10.0.0.0/255.255.255.0")],
        "pg_hba_lines: rule 0 (host all all 10.0.0.0/255.255.255.0 scram-sha-256): address: "
        "'10.0.0.0/255.255.255.0': the prefix length must be a number from 0 to 32",
    ),
    (
        [rule(address="10.0.0.300/24")],
        "pg_hba_lines: rule 0 (host all all 10.0.0.300/24 scram-sha-256): address: "
        "'10.0.0.300/24': '10.0.0.300' is not a valid IP address",
    ),
    (
        [rule(address="db.example.com/24")],
        "pg_hba_lines: rule 0 (host all all db.example.com/24 scram-sha-256): address: "
        "'db.example.com/24': 'db.example.com' is not a valid IP address",
    ),
    (
        [rule(address="fe80::1%eth0/128")],
        "pg_hba_lines: rule 0 (host all all fe80::1%eth0/128 scram-sha-256): address: "
        "'fe80::1%eth0': IPv6 zone identifiers are not supported",
    ),
    (
        [rule(address="10.0.0.1")],
        "pg_hba_lines: rule 0 (host all all 10.0.0.1 scram-sha-256): address: '10.0.0.1' has "
        "no prefix length; use 10.0.0.1/32 or give a netmask",
    ),
    (
        [rule(address="::1")],
        "pg_hba_lines: rule 0 (host all all ::1 scram-sha-256): address: '::1' has no prefix "
        "length; use ::1/128 or give a netmask",
    ),
    (
        [rule(address="10.0.0.256")],
        "pg_hba_lines: rule 0 (host all all 10.0.0.256 scram-sha-256): address: '10.0.0.256' "
        "is not a valid IP address",
    ),
    (
        [rule(address="2001:db8:::1")],
        "pg_hba_lines: rule 0 (host all all 2001:db8:::1 scram-sha-256): address: "
        "'2001:db8:::1' is not a valid IP address",
    ),
    (
        [rule(address="db_1.example.com")],
        "pg_hba_lines: rule 0 (host all all db_1.example.com scram-sha-256): address: "
        "'db_1.example.com' is not a CIDR address, all, samehost, samenet or a valid host name",
    ),
    (
        [rule(address="-db.example.com")],
        "pg_hba_lines: rule 0 (host all all -db.example.com scram-sha-256): address: "
        "'-db.example.com' is not a CIDR address, all, samehost, samenet or a valid host name",
    ),
    (
        [rule(address="SameNet")],
        "pg_hba_lines: rule 0 (host all all SameNet scram-sha-256): address: 'SameNet' would be "
        "read as a host name (keywords are case-sensitive); write samenet",
    ),
    # --- netmask
    (
        [rule(address="10.0.0.0", netmask=24)],
        "pg_hba_lines: rule 0 (host all all 10.0.0.0 24 scram-sha-256): netmask: expected a "
        "string, got integer",
    ),
    (
        [rule(address="10.0.0.0/24", netmask="255.255.255.0")],
        "pg_hba_lines: rule 0 (host all all 10.0.0.0/24 255.255.255.0 scram-sha-256): netmask: "
        "give either a CIDR address or a netmask, not both; drop the netmask or the prefix "
        "length of '10.0.0.0/24'",
    ),
    (
        [rule(address="all", netmask="255.255.255.0")],
        "pg_hba_lines: rule 0 (host all all all 255.255.255.0 scram-sha-256): netmask: a "
        "netmask needs an IP address, not 'all'",
    ),
    (
        [rule(address="db.example.com", netmask="255.255.255.0")],
        "pg_hba_lines: rule 0 (host all all db.example.com 255.255.255.0 scram-sha-256): "
        "netmask: a netmask needs an IP address, not 'db.example.com'",
    ),
    (
        [rule(address="10.0.0.999", netmask="255.255.255.0")],
        "pg_hba_lines: rule 0 (host all all 10.0.0.999 255.255.255.0 scram-sha-256): address: "
        "'10.0.0.999' is not a valid IP address",
    ),
    (
        [rule(address="10.0.0.0", netmask="255.255.255.")],
        "pg_hba_lines: rule 0 (host all all 10.0.0.0 255.255.255. scram-sha-256): netmask: "
        "'255.255.255.' is not a valid netmask",
    ),
    (
        [rule(address="10.0.0.0", netmask="ffff:ff00::")],
        "pg_hba_lines: rule 0 (host all all 10.0.0.0 ffff:ff00:: scram-sha-256): netmask: "
        "'ffff:ff00::' is IPv6 but the address '10.0.0.0' is IPv4",
    ),
    (
        [rule(address="10.0.0.0", netmask="255.0.255.0")],
        "pg_hba_lines: rule 0 (host all all 10.0.0.0 255.0.255.0 scram-sha-256): netmask: "
        "'255.0.255.0' is not contiguous (one bits must be followed only by zero bits); use a "
        "CIDR address instead",
    ),
    (
        [rule(address="10.0.0.0", netmask="0.0.0.255")],
        "pg_hba_lines: rule 0 (host all all 10.0.0.0 0.0.0.255 scram-sha-256): netmask: "
        "'0.0.0.255' is not contiguous (one bits must be followed only by zero bits); use a "
        "CIDR address instead",
    ),
    (
        [rule(address="2001:db8::", netmask="ffff::ffff")],
        "pg_hba_lines: rule 0 (host all all 2001:db8:: ffff::ffff scram-sha-256): netmask: "
        "'ffff::ffff' is not contiguous (one bits must be followed only by zero bits); use a "
        "CIDR address instead",
    ),
    (
        [rule(address="10.0.0.1", netmask="255.255.255.0")],
        "pg_hba_lines: rule 0 (host all all 10.0.0.1 255.255.255.0 scram-sha-256): address: "
        "'10.0.0.1' has host bits set for netmask 255.255.255.0; use 10.0.0.0",
    ),
    # --- method
    (
        [local(method=5)],
        "pg_hba_lines: rule 0 (local all all 5): method: expected a string, got integer",
    ),
    (
        [local(method="MD5")],
        f"pg_hba_lines: rule 0 (local all all MD5): method: unknown method 'MD5'; use one of "
        f"{METHODS}",
    ),
    (
        [rule(method="crypt")],
        f"pg_hba_lines: rule 0 (host all all 10.0.0.0/24 crypt): method: unknown method "
        f"'crypt'; use one of {METHODS}",
    ),
    (
        [rule("hostssl", method="peer")],
        "pg_hba_lines: rule 0 (hostssl all all 10.0.0.0/24 peer): method: peer works only on "
        "local rules; use scram-sha-256 for hostssl rules",
    ),
    (
        [local(method="gss")],
        "pg_hba_lines: rule 0 (local all all gss): method: gss is not supported on local rules; "
        "use peer or scram-sha-256",
    ),
    (
        [local(method="sspi")],
        "pg_hba_lines: rule 0 (local all all sspi): method: sspi is not supported on local "
        "rules; use peer or scram-sha-256",
    ),
    (
        [rule(method="cert")],
        "pg_hba_lines: rule 0 (host all all 10.0.0.0/24 cert): method: cert works only on "
        "hostssl rules; use type hostssl",
    ),
    # --- options
    (
        [local(options="map=omicron")],
        "pg_hba_lines: rule 0 (local all all scram-sha-256 map=omicron): options: expected a "
        "mapping or a list of name=value strings, got string",
    ),
    (
        [local(method="peer", options=["map"])],
        "pg_hba_lines: rule 0 (local all all peer map): options: 'map' is not in name=value form",
    ),
    (
        [local(method="peer", options=[{"map": "x"}])],
        "pg_hba_lines: rule 0 (local all all peer {'map': 'x'}): options: {'map': 'x'} is not "
        "in name=value form",
    ),
    (
        [local(method="peer", options=["=x"])],
        "pg_hba_lines: rule 0 (local all all peer =x): options: option name '' must consist of "
        "letters, digits and underscores",
    ),
    (
        [local(method="peer", options={"map name": "x"})],
        "pg_hba_lines: rule 0 (local all all peer map name=x): options: option name 'map name' "
        "must consist of letters, digits and underscores",
    ),
    # A trailing line break would end the line in pg_hba.conf ($ matches before it).
    (
        [local(method="peer", options={"map\n": "x"})],
        "pg_hba_lines: rule 0 (local all all peer map\n=x): options: option name 'map\\n' "
        "must consist of letters, digits and underscores",
    ),
    (
        [local(method="peer", options={1: "x"})],
        "pg_hba_lines: rule 0 (local all all peer 1=x): options: option name 1 must consist of "
        "letters, digits and underscores",
    ),
    (
        [local(method="peer", options=["map=a", "map=b"])],
        "pg_hba_lines: rule 0 (local all all peer map=a map=b): options: 'map' is given twice",
    ),
    (
        [local(method="peer", options={"map": ""})],
        "pg_hba_lines: rule 0 (local all all peer map=): options: 'map' has an empty value",
    ),
    (
        [local(method="peer", options=["map="])],
        "pg_hba_lines: rule 0 (local all all peer map=): options: 'map' has an empty value",
    ),
    (
        [local(method="peer", options={"map": None})],
        "pg_hba_lines: rule 0 (local all all peer map=None): options: value of 'map' must be a "
        "string, number or boolean, got null",
    ),
    (
        [local(method="peer", options={"map": ["a"]})],
        "pg_hba_lines: rule 0 (local all all peer map=['a']): options: value of 'map' must be a "
        "string, number or boolean, got list",
    ),
    (
        [local(method="ldap", options={"ldapprefix": 'cn="x"'})],
        'pg_hba_lines: rule 0 (local all all ldap ldapprefix=cn="x"): options: value of '
        "'ldapprefix' contains a double quote or a control character, which pg_hba.conf "
        "cannot express",
    ),
    (
        [local(method="ldap", options=["ldapprefix=a\nb"])],
        "pg_hba_lines: rule 0 (local all all ldap ldapprefix=a\nb): options: value of "
        "'ldapprefix' contains a double quote or a control character, which pg_hba.conf "
        "cannot express",
    ),
    # --- comment
    (
        [local(comment=["a"])],
        "pg_hba_lines: rule 0 (local all all scram-sha-256): comment: expected a string, got list",
    ),
    # --- list itself
    (
        "local all all peer",
        "pg_hba_lines: rules: expected a list of rule mappings, got string",
    ),
    (
        {"type": "local"},
        "pg_hba_lines: rules: expected a list of rule mappings, got mapping",
    ),
    (None, "pg_hba_lines: rules: expected a list of rule mappings, got null"),
]


@pytest.mark.parametrize(("rules", "message"), ERRORS)
def test_validation_error_messages(rules, message):
    assert error_of(rules) == message


def test_first_invalid_rule_is_reported_by_index():
    rules = [local(), rule(databases="a"), rule(databases="b", address="10.0.0.1/8")]
    assert error_of(rules) == (
        "pg_hba_lines: rule 2 (host b all 10.0.0.1/8 scram-sha-256): address: '10.0.0.1/8' "
        "has host bits set; use 10.0.0.0/8"
    )


def test_trust_is_refused_by_default():
    rules = [local("app", "app", method="peer"), rule(users="app", method="trust")]
    assert error_of(rules) == (
        "pg_hba_lines: rule 1 (host all app 10.0.0.0/24 trust): method: trust lets anyone who "
        "can connect log in as any matched user without a password; use scram-sha-256 (or "
        "peer on local rules), or pass allow_trust=true if this is intended"
    )
    assert error_of(rules, allow_trust=False) == error_of(rules)


def test_allow_trust_must_be_a_boolean():
    assert error_of([local()], allow_trust="yes") == (
        "pg_hba_lines: allow_trust: expected a boolean, got 'yes'"
    )


def test_validation_comes_before_trust_and_trust_before_shadowing():
    shadowed_and_trust = [local(method="trust"), local("app", method="trust")]
    assert "method: trust lets anyone" in error_of(shadowed_and_trust)
    assert "can never match" in error_of(shadowed_and_trust, allow_trust=True)
    invalid_later = [local(method="trust"), local("APP", users="+")]
    assert "users: '+' needs a role name" in error_of(invalid_later)


# ---------------------------------------------------------------- shadowing


def test_seed_pitfall_is_reported_with_both_lines_and_the_fix():
    rules = [
        local(method="peer"),
        local("flasktestdb", "flasktest", method="md5"),
    ]
    assert error_of(rules) == (
        "pg_hba_lines: rule 1 (local flasktestdb flasktest md5) can never match: rule 0 "
        "(local all all peer) already matches every connection it would match; move rule 1 "
        "above rule 0 or narrow rule 0"
    )


def test_seed_pitfall_in_the_right_order_is_fine():
    rules = [local("flasktestdb", "flasktest", method="md5"), local(method="peer")]
    assert pg_hba_lines(rules) == [
        "local  flasktestdb  flasktest  md5",
        "local  all          all        peer",
    ]


def test_union_of_two_half_networks_shadows_the_whole():
    rules = [
        rule(address="10.0.0.0/25"),
        rule(address="10.0.0.128/25"),
        rule("hostssl", "app", "app", address="10.0.0.0/24"),
    ]
    assert error_of(rules) == (
        "pg_hba_lines: rule 2 (hostssl app app 10.0.0.0/24 scram-sha-256) can never match: "
        "rule 0 (host all all 10.0.0.0/25 scram-sha-256) and rule 1 (host all all "
        "10.0.0.128/25 scram-sha-256) already match every connection it would match; move "
        "rule 2 above rule 0 or narrow one of rules 0 and 1"
    )


def test_only_the_rules_that_win_are_named():
    rules = [
        rule(databases="app", address="10.0.0.0/24", method="reject"),  # not covering alone
        rule(address="10.0.0.0/26"),
        rule(address="10.0.0.0/24"),
        local(),
        rule(address="10.0.0.0/25"),
    ]
    assert error_of(rules) == (
        "pg_hba_lines: rule 4 (host all all 10.0.0.0/25 scram-sha-256) can never match: "
        "rule 0 (host app all 10.0.0.0/24 reject), rule 1 (host all all 10.0.0.0/26 "
        "scram-sha-256) and rule 2 (host all all 10.0.0.0/24 scram-sha-256) already match "
        "every connection it would match; move rule 4 above rule 0 or narrow one of rules 0, 1 "
        "and 2"
    )


SHADOWED = {
    "duplicate": (
        [local("app", "app"), local("app", "app", method="peer")],
        "rule 1 (local app app peer) can never match: rule 0 (local app app scram-sha-256)",
    ),
    "ipv6 broader first": (
        [rule(address="2001:db8::/32"), rule(address="2001:db8:1::/48")],
        "rule 1 (host all all 2001:db8:1::/48 scram-sha-256) can never match: rule 0",
    ),
    "ipv6 halves": (
        [
            rule(address="2001:db8::/33"),
            rule(address="2001:db8:8000::/33"),
            rule(address="2001:db8::/32"),
        ],
        "rule 2 (host all all 2001:db8::/32 scram-sha-256) can never match: rule 0 (host all "
        "all 2001:db8::/33 scram-sha-256) and rule 1 (host all all 2001:db8:8000::/33 "
        "scram-sha-256)",
    ),
    "address all covers both families": (
        [rule(address="all", method="reject"), rule(address="::1/128")],
        "rule 1 (host all all ::1/128 scram-sha-256) can never match: rule 0",
    ),
    "netmask form equals cidr": (
        [
            rule(address="10.0.0.0", netmask="255.255.255.0"),
            rule(address="10.0.0.128/25"),
        ],
        "rule 1 (host all all 10.0.0.128/25 scram-sha-256) can never match: rule 0 (host all "
        "all 10.0.0.0 255.255.255.0 scram-sha-256)",
    ),
    "ssl plus nossl cover host": (
        [rule("hostssl"), rule("hostnossl"), rule(databases="app")],
        "rule 2 (host app all 10.0.0.0/24 scram-sha-256) can never match: rule 0 (hostssl all "
        "all 10.0.0.0/24 scram-sha-256) and rule 1 (hostnossl",
    ),
    "gssenc plus nogssenc cover host": (
        [rule("hostgssenc"), rule("hostnogssenc"), rule()],
        "rule 2 (host all all 10.0.0.0/24 scram-sha-256) can never match: rule 0 (hostgssenc",
    ),
    "host covers hostssl": (
        [rule(), rule("hostssl", "app")],
        "rule 1 (hostssl app all 10.0.0.0/24 scram-sha-256) can never match: rule 0",
    ),
    "hostnossl covers hostgssenc (gss is not ssl)": (
        [rule("hostnossl"), rule("hostgssenc")],
        "rule 1 (hostgssenc all all 10.0.0.0/24 scram-sha-256) can never match: rule 0",
    ),
    "hostnogssenc covers hostssl": (
        [rule("hostnogssenc"), rule("hostssl")],
        "rule 1 (hostssl all all 10.0.0.0/24 scram-sha-256) can never match: rule 0",
    ),
    "database lists combine": (
        [local("a"), local("b"), local(["a", "b"])],
        "rule 2 (local a,b all scram-sha-256) can never match: rule 0 (local a all "
        "scram-sha-256) and rule 1 (local b all scram-sha-256)",
    ),
    "user lists combine": (
        [local(users="ann"), local(users=["bob", "ann"]), local(users="bob")],
        "rule 2 (local all bob scram-sha-256) can never match: rule 1 (local all bob,ann",
    ),
    "replication rule covers replication": (
        [local("replication", method="peer"), local("replication", "rep")],
        "rule 1 (local replication rep scram-sha-256) can never match: rule 0",
    ),
    "all plus replication cover everything": (
        [local(), local("replication"), local(["all", "replication"], "bob")],
        "rule 2 (local all,replication bob scram-sha-256) can never match: rule 0 (local all "
        "all scram-sha-256) and rule 1 (local replication all scram-sha-256)",
    ),
    "sameuser covers the database named like the user": (
        [local("sameuser"), local("ann", "ann")],
        "rule 1 (local ann ann scram-sha-256) can never match: rule 0 (local sameuser all",
    ),
    "sameuser plus names cover all": (
        [local("sameuser", "ann"), local("other", "ann"), local(["ann", "other"], "ann")],
        "rule 2 (local ann,other ann scram-sha-256) can never match: rule 0 (local sameuser "
        "ann scram-sha-256) and rule 1",
    ),
    "all covers sameuser": (
        [local(), local("sameuser")],
        "rule 1 (local sameuser all scram-sha-256) can never match: rule 0",
    ),
    "reject counts as a match": (
        [rule(users="mallory", method="reject"), rule(users="mallory", address="10.0.0.0/25")],
        "rule 1 (host all mallory 10.0.0.0/25 scram-sha-256) can never match: rule 0 (host all "
        "mallory 10.0.0.0/24 reject)",
    ),
    "host name rule is covered by a reject for all": (
        [rule(address="all", method="reject"), rule("host", "app", "app", "db.example.com")],
        "rule 1 (host app app db.example.com scram-sha-256) can never match: rule 0",
    ),
    "samenet rule is covered by all addresses": (
        [rule(address="all"), rule(address="samenet")],
        "rule 1 (host all all samenet scram-sha-256) can never match: rule 0",
    ),
    "group rule is covered by all users": (
        [local(), local(users="+admins")],
        "rule 1 (local all +admins scram-sha-256) can never match: rule 0",
    ),
    "file rule is covered by all plus replication": (
        [local(), local("replication"), local("@dbs", "@users")],
        "rule 2 (local @dbs @users scram-sha-256) can never match: rule 0",
    ),
    "samerole rule is covered by all databases": (
        [local(users="ann"), local("samerole", "ann")],
        "rule 1 (local samerole ann scram-sha-256) can never match: rule 0",
    ),
    "decided parts of a mixed list still cover": (
        [local(["app", "@more"], ["ann", "+admins"]), local("app", "ann")],
        "rule 1 (local app ann scram-sha-256) can never match: rule 0 (local app,@more "
        "ann,+admins scram-sha-256)",
    ),
}


@pytest.mark.parametrize("case", list(SHADOWED))
def test_shadowed_rules_are_reported(case):
    rules, fragment = SHADOWED[case]
    message = error_of(rules)
    assert message.startswith(f"pg_hba_lines: {fragment}"), message


NOT_SHADOWED = {
    "hostssl after host reject for another user": [
        rule(users="mallory", method="reject"),
        rule("hostssl", users="app"),
    ],
    "narrower cidr after broader one for another database": [
        rule("host", "db1", address="10.0.0.0/8"),
        rule("host", "db2", address="10.1.0.0/16"),
    ],
    "broader cidr after narrower one": [
        rule(address="10.1.0.0/16"),
        rule(address="10.0.0.0/8"),
    ],
    "adjacent networks": [rule(address="10.0.0.0/25"), rule(address="10.0.1.0/25")],
    "half a network does not cover it": [
        rule(address="10.0.0.0/25"),
        rule(address="10.0.0.128/26"),
        rule(address="10.0.0.0/24"),
    ],
    "ipv4 all-zero network does not cover ipv6": [
        rule(address="0.0.0.0/0"),
        rule(address="::/0"),
    ],
    "ipv6 does not cover ipv4-mapped entries": [
        rule(address="::ffff:0.0.0.0/96"),
        rule(address="10.0.0.0/8"),
    ],
    "host after hostssl": [rule("hostssl"), rule("host")],
    "hostssl after hostnossl": [rule("hostnossl"), rule("hostssl")],
    "hostgssenc after hostssl": [rule("hostssl"), rule("hostgssenc")],
    "hostssl after hostgssenc": [rule("hostgssenc"), rule("hostssl")],
    "hostnossl after hostgssenc": [rule("hostgssenc"), rule("hostnossl")],
    "hostnogssenc after hostssl": [rule("hostssl"), rule("hostnogssenc")],
    "hostnossl after hostnogssenc": [rule("hostnogssenc"), rule("hostnossl")],
    "host after local": [local(), rule(address="all")],
    "local after host all": [rule(address="all"), local()],
    "replication after all": [local(), local("replication")],
    "all after replication": [local("replication"), local()],
    "same databases for another user": [local("app", "ann"), local("app", "bob")],
    "sameuser does not cover another user's database": [local("sameuser"), local("ann", "bob")],
    "sameuser does not cover all": [local("sameuser"), local("all", "ann")],
    "sameuser and every named database and user leave other users on other databases": [
        local("sameuser"),
        local("all", ["ann", "bob"]),
        local(["ann", "bob"]),
        local(),
    ],
    "sameuser for some users does not cover sameuser for all": [
        local("sameuser", "ann"),
        local("sameuser"),
    ],
    "group membership is unknown": [local(users="+admins"), local(users="ann")],
    "file contents are unknown (databases)": [local("@dbs"), local("app")],
    "file contents are unknown (users)": [local(users="@admins"), local(users="ann")],
    "samerole is unknown": [local("samerole"), local("app", "ann")],
    "samehost is unknown": [rule(address="samehost"), rule(address="127.0.0.1/32")],
    "samenet is unknown": [rule(address="samenet"), rule(address="10.0.0.0/24")],
    "host names are unknown": [rule(address="db.example.com"), rule(address="10.0.0.5/32")],
    "unknown later rule not fully covered": [
        rule(address="10.0.0.0/8"),
        rule("host", "app", "app", "samenet"),
    ],
    "group rule partly covered": [local(users="ann"), local(users="+admins")],
    "samerole rule not covered without replication-free all": [
        local("app"),
        local("samerole"),
    ],
    "file rule needs replication covered too": [local(), local("@dbs")],
    "database file rule partly covered": [local(users="ann"), local("@dbs", "bob")],
}


@pytest.mark.parametrize("case", list(NOT_SHADOWED))
def test_similar_rules_that_do_not_shadow(case):
    rules = NOT_SHADOWED[case]
    assert len(pg_hba_lines(rules)) == len(rules)
