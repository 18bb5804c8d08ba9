# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wsgistack.deploy.nginx_gunicorn_check filter."""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.nginx_gunicorn_schema import (
    check,
)

DOCUMENTATION = r"""
name: nginx_gunicorn_check
short_description: Check the nginx_gunicorn role's apps and resolve each app's settings
version_added: 0.1.0
author: wsgistack.deploy developers
description:
  - The input check of the P(wsgistack.deploy.nginx_gunicorn#role) role. Each key an app of
    C(nginx_gunicorn_apps) leaves unset (or null) takes the role-wide C(nginx_gunicorn_<key>);
    every value is then checked against its rule, and the rules between values (a unix socket in
    C(/run/<name>/), C(tls_cert) and C(tls_key) together, no C(threads) above 1 with C(sync) or
    C(gevent) workers, C(forwarded_allow_ips) C(*) only behind a loopback or unix bind, names and
    server names unique, no writable path that is, or is above, the app's venv or code, nor a
    directory of the system such as C(/), C(/etc), C(/usr) or C(/var/lib) itself) are applied.
  - >-
    Every problem is reported at once, never only the first, one line each in the form
    C(<variable>: <problem>; <fix>), naming the variable the value came from - the app's key
    when the app set it, the role-wide variable otherwise - for example
    "nginx_gunicorn_apps[0].workers: 0 is below 1; set a number >= 1 (or leave it unset: CPU
    cores + 1 with gthread, else 2 * CPU cores + 1)" or "nginx_gunicorn_workers: -2 is below 1;
    ...".
  - Nothing reaches nginx, systemd or gunicorn's configuration unless it is inert there - server
    names are host names (lower-cased; C(_) allowed), URL and file paths of a fixed alphabet,
    user and group names valid and not system accounts (root, www-data...), the module a Python
    C(module:callable) (or an app factory, the same with empty parentheses), gunicorn
    C(settings) Python names whose values are written as Python literals,
    C(extra_nginx_directives) one simple directive each. No text holds a line break or another
    control character.
  - The environment is checked (names; each value one line) but never returned or shown in a
    message, since it may hold secrets.
positional: role_wide, vcpus
options:
  _input:
    description: The apps, C(nginx_gunicorn_apps); see the role's argument specs for their keys.
    type: list
    elements: dict
    required: true
  role_wide:
    description:
      - >-
        The role's variables by name without the C(nginx_gunicorn_) prefix, as in
        C({"workers": null, "worker_class": "sync", "gunicorn_version": "27.0.1"}); the app keys'
        role-wide defaults and the role's own settings (C(gunicorn_version), C(gevent_version),
        C(remove_default_site), C(health_check_timeout)). One left out has the role's default.
    type: dict
    required: true
  vcpus:
    description: The host's CPU count (C(ansible_facts.processor_vcpus)), for the default number
      of workers.
    type: int
    default: 1
seealso:
  - module: wsgistack.deploy.venv_facts
  - plugin: wsgistack.deploy.app_server_packages
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Check the apps, reporting every problem at once
  ansible.builtin.assert:
    that: __checked.errors | length == 0
    fail_msg: "{{ __checked.errors }}"
    quiet: true
  vars:
    __checked: >-
      {{ nginx_gunicorn_apps | wsgistack.deploy.nginx_gunicorn_check(
           {'workers': nginx_gunicorn_workers, 'worker_class': nginx_gunicorn_worker_class},
           ansible_facts.processor_vcpus | default(1)) }}

# With nginx_gunicorn_apps: [{name: shop, venv: /srv/shop/venv, module: "shop:app",
# workers: 0, server_names: ["shop.example; return 200 x; #"]}], the errors are:
#   nginx_gunicorn_apps[0].workers: 0 is below 1; set a number >= 1 (or leave it unset: ...)
#   nginx_gunicorn_apps[0].server_names[0]: 'shop.example; return 200 x; #' is not a host name...
"""

RETURN = r"""
_value:
  description: The outcome of the check.
  type: dict
  contains:
    errors:
      description: >-
        One line per problem, C(<variable>: <problem>; <fix>); empty when the apps are fine.
      type: list
      elements: str
    apps:
      description:
        - Each app with every key resolved (the app's value, else the role-wide one, else the
          derived default - C(user) the name, C(group) the user, C(bind)
          C(unix:/run/<name>/gunicorn.sock), C(workers) 2 * vcpus + 1 or vcpus + 1 with
          C(gthread), C(threads) 4 with C(gthread) else 1, C(proxy_read_timeout) timeout + 5)
          and in its normal form (host names lower-cased, paths normalised), without
          C(environment).
        - C(settings_lines), the gunicorn settings as the configuration file holds them
          (C(name = <Python literal>)).
        - Empty when there are errors.
      type: list
      elements: dict
    venv_requests:
      description: For M(wsgistack.deploy.venv_facts) - each app's C(name), venv (C(path)) and
        code directory (C(sources), its C(chdir)). Empty when there are errors.
      type: list
      elements: dict
    wanted_packages:
      description: By app name, the app server packages the role installs and their version
        (C(gunicorn), and C(gevent) for every app whose venv a gevent app shares). Empty when
        there are errors.
      type: dict
    health_checks:
      description: >-
        The C(checks) of M(wsgistack.deploy.health_check) for the apps that have a health
        check - C(name); C(url), the health check's path on this host through nginx (HTTPS on
        C(tls_listen) when the app has TLS, else HTTP on C(listen)); C(host), its first server
        name; C(log_command) and C(log_title), the end of its gunicorn unit's journal. Empty
        when there are errors.
      type: list
      elements: dict
"""


def nginx_gunicorn_check(apps: Any, role_wide: Any, vcpus: Any = 1) -> dict[str, Any]:
    """Every problem of the apps, and the apps resolved (see nginx_gunicorn_schema.check)."""
    if not isinstance(role_wide, dict):
        raise AnsibleFilterError(
            "nginx_gunicorn_check: role_wide: expected a mapping of the role's variables, "
            f"got a {type(role_wide).__name__}"
        )
    try:
        return check(apps, role_wide, vcpus)
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError(f"nginx_gunicorn_check: {exc}") from None


class FilterModule:
    """wsgistack.deploy nginx_gunicorn_check filter."""

    def filters(self) -> dict[str, Any]:
        return {"nginx_gunicorn_check": nginx_gunicorn_check}
