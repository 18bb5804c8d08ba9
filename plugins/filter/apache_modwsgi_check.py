# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wsgistack.deploy.apache_modwsgi_check filter."""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.apache_modwsgi_schema import check

DOCUMENTATION = r"""
name: apache_modwsgi_check
short_description: Check the apache_modwsgi role's input and resolve its apps
version_added: 0.1.0
author: wsgistack.deploy developers
description:
  - The input check of the C(wsgistack.deploy.apache_modwsgi) role, which its
    C(tasks/validate.yml) asserts on and its C(vars/main.yml) reads the resolved apps from.
    The fields, their rules and what is derived from them are defined once, in
    C(plugins/plugin_utils/apache_modwsgi_schema.py); the role's C(meta/argument_specs.yml)
    documents them (a unit test keeps the two in step).
  - >-
    Every problem is reported at once, one line each, as C(<variable>: <problem>; <fix>), naming
    the variable the value came from - C(apache_modwsgi_apps[0].processes) when the app set it,
    C(apache_modwsgi_processes) when the app left it to the role-wide value. For example
    "apache_modwsgi_apps[0].processes: 0 is below 1; give at least 1 daemon process".
  - Nothing reaches Apache's configuration or a C(.wsgi) file unless a rule has proven it inert
    there - host names (lower-cased), URL paths, absolute paths, user and group names (never
    root, Apache's or another system account), Python callables and modules, the proxy
    upstream URL; C(daemon_options) only from an allow-list of C(WSGIDaemonProcess) options
    with numeric values (octal for C(umask)), never what the virtual host sets itself (C(user),
    C(group), C(python-home), C(home), C(display-name)...) nor C(chroot) or C(python-path);
    C(extra_directives), the operator's deliberate escape hatch, as single lines without a
    line break, a trailing backslash or a section (C(<...>)). No text holds a line break or
    another control character.
  - The cross-field rules - what each mode needs (C(daemon) and C(embedded) a venv and an entry,
    C(proxy) an upstream), each entry type's fields, C(tls_cert) with C(tls_key), unique app
    names, host names unique across the apps (not case-sensitive), C(embedded) only with
    O(role_wide.restrict_embedded=false), the daemon never as root or Apache's user or group,
    no writable directory over the app's code, venv or C(.wsgi) nor a directory of the system
    (C(/), C(/etc), C(/usr), C(/var/lib) itself...), at most one C(default_server).
  - The apps' environment is checked (names; values one line of text without NUL) but neither
    returned nor shown in a message - a value may be a secret.
positional: role_wide, platform
options:
  _input:
    description:
      - The apps (C(apache_modwsgi_apps)); see the role's argument specs for each key.
    type: list
    elements: dict
    required: true
  role_wide:
    description:
      - >-
        The role-wide variables without their C(apache_modwsgi_) prefix, each with its value -
        C({mode: daemon, processes: 5, wsgi_dir: /var/www/wsgi-scripts, ...}); every one the
        role documents (C(vars/main.yml) passes them all). An app that leaves a field unset gets
        the role-wide value of the same name, where there is one.
    type: dict
    required: true
  platform:
    description:
      - What the check needs from the role's platform variables.
    type: dict
    required: true
    suboptions:
      apache_user:
        description: Apache's user, which no daemon may run as.
        type: str
        required: true
      apache_group:
        description: Apache's group, which no daemon may run as; the group of embedded apps' files.
        type: str
        required: true
      socket_prefix_default:
        description: The platform's C(WSGISocketPrefix), named in the message for one under C(/tmp).
        type: str
      log_dir:
        description: Apache's log directory, where each app's C(<name>_error.log) is, which the
          health check shows the end of when the app fails it.
        type: str
        required: true
      site_prefix:
        description: What precedes an app's name in its site file's name.
        type: str
        default: ""
"""

EXAMPLES = r"""
- name: Check the apps and the server-wide settings
  ansible.builtin.assert:
    that: __checked.errors | length == 0
    quiet: true
    fail_msg: "{{ ['apache_modwsgi: invalid input:'] + __checked.errors }}"
  vars:
    __checked: >-
      {{ apache_modwsgi_apps | wsgistack.deploy.apache_modwsgi_check(
           {'mode': 'daemon', 'processes': 5, 'wsgi_dir': '/var/www/wsgi-scripts'},
           {'apache_user': 'www-data', 'apache_group': 'www-data',
            'log_dir': '/var/log/apache2'}) }}

# apache_modwsgi_apps:
#   - {name: shop, user: root, server_name: Shop.Example.com, venv: /srv/shop/venv,
#      entry: {type: module, callable: shop.wsgi:application}, processes: 0,
#      daemon_options: {group: root}}
# gives the errors
#   apache_modwsgi_apps[0].user: 'root' is not allowed: it is a system account; the app must
#     run as its own unprivileged user and group (leave them unset for the app's name)
#   apache_modwsgi_apps[0].processes: 0 is below 1; give at least 1 daemon process
#   apache_modwsgi_apps[0].daemon_options.group: group is set by the role from the app's group;
#     set that instead, not group
"""

RETURN = r"""
_value:
  description: The problems, and the apps resolved when there is none.
  type: dict
  contains:
    errors:
      description: >-
        Every problem, one line each, C(<variable>: <problem>; <fix>); empty when the input is
        valid.
      type: list
      elements: str
    apps:
      description:
        - Each app with every field resolved (the role-wide value or the default where the app
          left it unset; host names lower-cased, paths normalised) and the derived C(user),
          C(group), C(python_home), C(python_paths), C(home), C(wsgi_file), C(wsgi_group),
          C(syspath_block), C(tls), C(health_check) (the mount when unset) and C(site) (the
          name of its site file). Without C(environment). Empty when there are errors.
      type: list
      elements: dict
    venv_requests:
      description: >-
        What M(wsgistack.deploy.venv_facts) reads for each app that has a venv - C(name), C(path)
        (the venv) and C(sources) (the code directories).
      type: list
      elements: dict
    health_checks:
      description: >-
        The C(checks) of M(wsgistack.deploy.health_check) for the apps that have a health
        check - C(name); C(url), the health check's path on this host through Apache (HTTPS on
        C(https_port) when the app has TLS, else HTTP on C(http_port)); C(host), its
        C(server_name); C(log_command) and C(log_title), the end of its error log in
        O(platform.log_dir). Empty when there are errors.
      type: list
      elements: dict
"""


def apache_modwsgi_check(apps: Any, role_wide: Any, platform: Any) -> dict[str, Any]:
    """Every problem of the role's input, and the resolved apps when there is none."""
    if not isinstance(role_wide, dict):
        raise AnsibleFilterError(
            f"apache_modwsgi_check: role_wide: expected a mapping, got a {type(role_wide).__name__}"
        )
    if not isinstance(platform, dict):
        raise AnsibleFilterError(
            f"apache_modwsgi_check: platform: expected a mapping, got a {type(platform).__name__}"
        )
    return check(apps, role_wide, platform)


class FilterModule:
    """wsgistack.deploy apache_modwsgi_check filter."""

    def filters(self) -> dict[str, Any]:
        return {"apache_modwsgi_check": apache_modwsgi_check}
