# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wsgistack.deploy.pg_hba_layout filter."""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.pg_hba import (
    HbaError,
    covering_positions,
    parse_rule,
    parse_rules,
    role_name_problem,
)

DOCUMENTATION = r"""
name: pg_hba_layout
short_description: Order application pg_hba rules above the distribution's defaults
version_added: 0.1.0
author: wsgistack.deploy developers
description:
  - Builds one ordered rule list from the application's rules and the distribution's default
    rules, for P(wsgistack.deploy.pg_hba_lines#filter). PostgreSQL uses the first matching rule,
    so a default such as C(local all all peer) above C(local flasktestdb flasktest md5) makes
    the application's rule unreachable; this filter removes the need to order them by hand.
  - "The order is: C(local all <superuser> peer) first (the database superuser keeps
    administrative access over the Unix socket), then O(_input) in the order given, then
    O(default_rules) in the order given."
  - A default rule that can never match after the rules above it is dropped. This covers a
    default that duplicates the superuser line (Debian ships C(local all postgres peer)) and
    defaults the application deliberately overrides (an application
    C(host all all 127.0.0.1/32 md5) drops a default C(host all all 127.0.0.1/32 ident)).
    Dropping such a rule does not change which rule matches any connection. The check is the
    conservative one of P(wsgistack.deploy.pg_hba_lines#filter), so a default that might still
    match is kept.
  - Application rules are never dropped or reordered; an application rule that the superuser
    line or an earlier application rule shadows is reported by
    P(wsgistack.deploy.pg_hba_lines#filter).
  - >-
    Every rule is validated as P(wsgistack.deploy.pg_hba_lines#filter) validates it; errors
    name the list, as in "pg_hba_layout: default rule 1 (local all ALL peer): users: ...", with
    rules numbered from 0 within their list. The C(trust) policy is left to
    P(wsgistack.deploy.pg_hba_lines#filter).
positional: default_rules, superuser
options:
  _input:
    description: The application's rules (see P(wsgistack.deploy.pg_hba_lines#filter)).
    type: list
    elements: dict
    required: true
  default_rules:
    description: The distribution's default rules, in their original order.
    type: list
    elements: dict
    required: true
  superuser:
    description: Role that gets the leading C(local all <superuser> peer) rule.
    type: str
    default: postgres
seealso:
  - plugin: wsgistack.deploy.pg_hba_lines
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Application rules above Debian's defaults
  ansible.builtin.copy:
    dest: /etc/postgresql/16/main/pg_hba.conf
    content: >-
      {{ app_rules
         | wsgistack.deploy.pg_hba_layout(debian_defaults)
         | wsgistack.deploy.pg_hba_lines
         | join('\n') }}
    mode: "0640"
  vars:
    app_rules:
      - {type: local, databases: flasktestdb, users: flasktest}
      - {type: host, databases: flasktestdb, users: flasktest, address: 10.0.0.0/24}
    debian_defaults:
      - {type: local, databases: all, users: postgres, method: peer}
      - {type: local, databases: all, users: all, method: peer}
      - {type: host, databases: all, users: all, address: 127.0.0.1/32}
      - {type: host, databases: all, users: all, address: "::1/128"}
      - {type: local, databases: replication, users: all, method: peer}

# Result:
#   local  all          postgres                 peer
#   local  flasktestdb  flasktest                scram-sha-256
#   host   flasktestdb  flasktest  10.0.0.0/24   scram-sha-256
#   local  all          all                      peer
#   host   all          all        127.0.0.1/32  scram-sha-256
#   host   all          all        ::1/128       scram-sha-256
#   local  replication  all                      peer
"""

RETURN = r"""
_value:
  description:
    - The rule mappings in pg_hba order, ready for P(wsgistack.deploy.pg_hba_lines#filter).
    - >-
      The superuser rule is C({type: local, databases: all, users: <superuser>, method: peer});
      the other rules are copies of the mappings given.
  type: list
  elements: dict
"""


def superuser_rule(superuser: str) -> dict[str, str]:
    return {"type": "local", "databases": "all", "users": superuser, "method": "peer"}


def pg_hba_layout(
    app_rules: Any, default_rules: Any, superuser: Any = "postgres"
) -> list[dict[str, Any]]:
    """Superuser line, then the app rules, then the defaults that can still match."""
    problem = role_name_problem(superuser)
    if problem:
        raise AnsibleFilterError(f"pg_hba_layout: superuser: {problem}")
    try:
        apps = parse_rules(app_rules, field="app_rules", label="app rule")
        defaults = parse_rules(default_rules, field="default_rules", label="default rule")
    except HbaError as exc:
        raise AnsibleFilterError(f"pg_hba_layout: {exc}") from None

    leader = parse_rule(superuser_rule(superuser), 0)
    above = [leader.sure] + [rule.sure for rule in apps]
    layout = [superuser_rule(superuser)] + [dict(raw) for raw in app_rules]
    for rule, raw in zip(defaults, default_rules):
        if not covering_positions(rule.possible, above):
            above.append(rule.sure)
            layout.append(dict(raw))
    return layout


class FilterModule:
    """wsgistack.deploy pg_hba_layout filter."""

    def filters(self) -> dict[str, Any]:
        return {"pg_hba_layout": pg_hba_layout}
