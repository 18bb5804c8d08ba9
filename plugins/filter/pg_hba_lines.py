# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wsgistack.deploy.pg_hba_lines filter."""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.pg_hba import (
    HbaError,
    find_shadowed,
    parse_rules,
    refuse_trust,
    render_aligned,
)

DOCUMENTATION = r"""
name: pg_hba_lines
short_description: Validate pg_hba.conf rules and render them as aligned lines
version_added: 0.1.0
author: wsgistack.deploy developers
description:
  - Turns a list of rule mappings into the lines of a C(pg_hba.conf), aligned in columns and in
    the order given. PostgreSQL uses the first rule that matches a connection attempt and never
    falls through to later rules, so the order is part of the meaning.
  - >-
    Every field is validated; the first problem raises an error such as
    "pg_hba_lines: rule 2 (host all app 10.0.0.1/24 scram-sha-256): address: '10.0.0.1/24' has
    host bits set; use 10.0.0.0/24". Rules are numbered from 0, so C(rule 2) is C(rules[2]).
  - Rules are checked in three passes, each stopping at the first problem - validation of every
    rule, then the O(allow_trust) policy, then reachability.
  - >-
    A rule that can never match because earlier rules already match every connection attempt it
    could match is an error naming both rules, for example "rule 1 (local flasktestdb flasktest
    md5) can never match: rule 0 (local all all peer) already matches every connection it would
    match; move rule 1 above rule 0 or narrow rule 0". Several earlier rules together can shadow
    a rule (two C(/25) networks cover a C(/24)).
  - >-
    The check follows PostgreSQL's matching exactly - C(host) matches SSL, GSSAPI-encrypted and
    plain TCP connections, C(hostssl) only SSL, C(hostnossl) plain and GSSAPI-encrypted,
    C(hostgssenc) only GSSAPI-encrypted, C(hostnogssenc) plain and SSL; C(all) in databases does
    not match physical replication connections and C(replication) matches only those;
    C(sameuser) matches the database named like the user; addresses compare as networks, and
    IPv4 and IPv6 entries never match each other's connections.
  - Matching that depends on facts outside the file (host names, C(samehost), C(samenet),
    C(+group), C(@file), C(samerole)) is treated conservatively - such a rule never counts as
    covering a later one, and a rule using them is only reported when earlier rules match every
    connection it could match whatever those facts are.
  - Use P(wsgistack.deploy.pg_hba_layout#filter) to put application rules above the
    distribution's default rules.
positional: allow_trust
options:
  _input:
    description: The rules, in pg_hba order (first match wins).
    type: list
    elements: dict
    required: true
    suboptions:
      type:
        description: Connection type.
        type: str
        required: true
        choices: [local, host, hostssl, hostnossl, hostgssenc, hostnogssenc]
      databases:
        description:
          - Database names, as a list or a comma-separated string; rendered comma-joined.
          - Keywords C(all), C(sameuser), C(samerole), C(replication) and C(@file) are
            recognised. Keywords are case-sensitive; C(ALL) is refused as a likely typo.
          - Names that would need quoting (whitespace, commas, C("), C(#)), regular expressions
            (C(/...)) and names longer than 63 bytes are refused.
        type: list
        elements: str
        required: true
      users:
        description:
          - User (role) names, as a list or a comma-separated string; rendered comma-joined.
          - Keywords C(all), C(+group) (members of a role) and C(@file) are recognised; database
            keywords such as C(sameuser) are refused here.
        type: list
        elements: str
        required: true
      address:
        description:
          - Client address, required for every type but C(local) and refused on C(local).
          - An IPv4 or IPv6 network in CIDR form (C(10.0.0.0/24), C(2001:db8::/32)); host bits
            must be zero and the prefix length in range. Rendered in canonical form.
          - An IP address without prefix, together with O(_input[].netmask).
          - A host name (C(db.example.com)) or suffix (C(.example.com)), or one of the keywords
            C(all), C(samehost), C(samenet).
        type: str
      netmask:
        description:
          - Netmask for an address given as a bare IP address (the IP-address/IP-mask form).
            Must be contiguous and of the address's family; rendered as its own column, as
            PostgreSQL writes it.
        type: str
      method:
        description:
          - Authentication method. C(peer) only on C(local), C(gss) and C(sspi) not on
            C(local), C(cert) only on C(hostssl).
          - C(trust) is refused unless O(allow_trust=true).
        type: str
        default: scram-sha-256
        choices: [scram-sha-256, md5, password, peer, ident, gss, sspi, ldap, radius, cert, pam,
                  bsd, oauth, reject, trust]
      options:
        description:
          - Authentication options, as a mapping or a list of C(name=value) strings; rendered
            in the order given. Values containing whitespace, C(,) or C(#) are double-quoted;
            booleans become C(1)/C(0). Values with a double quote or a line break are refused.
        type: raw
      comment:
        description: Text rendered as C(# ...) lines directly above the rule.
        type: str
  allow_trust:
    description: Allow the C(trust) method (no password at all). Without it a C(trust) rule is
      an error.
    type: bool
    default: false
seealso:
  - plugin: wsgistack.deploy.pg_hba_layout
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Write pg_hba.conf
  ansible.builtin.copy:
    dest: /etc/postgresql/16/main/pg_hba.conf
    content: "{{ pg_hba_rules | wsgistack.deploy.pg_hba_lines | join('\n') }}\n"
    mode: "0640"
  vars:
    pg_hba_rules:
      - {type: local, databases: all, users: postgres, method: peer}
      - type: host
        databases: flaskdb
        users: [flask, flask_ro]
        address: 10.0.0.0/24
        comment: application servers
      - {type: hostssl, databases: all, users: all, address: "2001:db8::/32",
         options: {clientcert: verify-full}}

# Result (method defaults to scram-sha-256):
#   local    all      postgres                       peer
#   # application servers
#   host     flaskdb  flask,flask_ro  10.0.0.0/24    scram-sha-256
#   hostssl  all      all             2001:db8::/32  scram-sha-256  clientcert=verify-full

- name: Same, inside a template, with trust allowed for a throw-away test cluster
  ansible.builtin.debug:
    msg: "{{ test_rules | wsgistack.deploy.pg_hba_lines(allow_trust=true) }}"
  vars:
    test_rules:
      - {type: local, databases: all, users: all, method: trust}
"""

RETURN = r"""
_value:
  description:
    - The pg_hba.conf lines, one string per line without newline, comment lines included.
    - Columns are type, databases, users, address, netmask, method, options, each padded to its
      widest entry and separated by two spaces; columns empty in every rule are left out and
      trailing spaces removed.
  type: list
  elements: str
"""


def pg_hba_lines(rules: Any, allow_trust: bool = False) -> list[str]:
    """Validate ``rules`` and return the aligned pg_hba.conf lines."""
    if not isinstance(allow_trust, bool):
        raise AnsibleFilterError(
            f"pg_hba_lines: allow_trust: expected a boolean, got {allow_trust!r}"
        )
    try:
        parsed = parse_rules(rules)
        refuse_trust(parsed, allow_trust)
    except HbaError as exc:
        raise AnsibleFilterError(f"pg_hba_lines: {exc}") from None
    shadowed = find_shadowed(parsed)
    if shadowed:
        raise AnsibleFilterError(f"pg_hba_lines: {shadowed[0].message()}")
    return render_aligned(parsed)


class FilterModule:
    """wsgistack.deploy pg_hba_lines filter."""

    def filters(self) -> dict[str, Any]:
        return {"pg_hba_lines": pg_hba_lines}
