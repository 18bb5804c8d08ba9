# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wsgistack.deploy.nginx_gunicorn_config_set filter."""

from __future__ import annotations

from typing import Any

from ansible_collections.wsgistack.deploy.plugins.plugin_utils.filters import as_filter
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.nginx_gunicorn_schema import (
    config_set,
)

DOCUMENTATION = r"""
name: nginx_gunicorn_config_set
short_description: The nginx configuration the nginx_gunicorn role puts in place
version_added: 0.1.0
author: wsgistack.deploy developers
description:
  - What the P(wsgistack.deploy.nginx_gunicorn#role) role hands
    M(wsgistack.deploy.config_transaction) - the options C(files), C(links) and C(absent) -
    derived from the apps the P(wsgistack.deploy.nginx_gunicorn_check#filter) filter resolved
    and the platform's layout (C(plugins/plugin_utils/nginx_gunicorn_schema.py), C(config_set)).
  - One server file per app, C(<sites_dir>/<name>.conf) from the role's template
    C(nginx-site.conf.j2), which reads its app as C(item); owned by root, mode C(0644).
  - Where the platform links the servers from a directory nginx loads (Debian's
    C(sites-enabled)), one link per app to its server file; none where nginx loads the
    servers' directory itself (RedHat's C(conf.d)).
  - The distribution's default server files removed when O(remove_default_site) is true.
  - >-
    A wrong argument fails naming the filter and the argument, as in
    C(nginx_gunicorn_config_set: sites_dir: expected a string, got None).
options:
  _input:
    description: The resolved apps (the C(apps) of P(wsgistack.deploy.nginx_gunicorn_check#filter));
      each app's C(name) names its files.
    type: list
    elements: dict
    required: true
  sites_dir:
    description: The directory of the server files (C(/etc/nginx/sites-available),
      C(/etc/nginx/conf.d)).
    type: str
    required: true
  sites_enabled_dir:
    description: The directory the server files are linked from (C(/etc/nginx/sites-enabled));
      null or empty where there is none.
    type: str
  default_sites:
    description: The distribution's default server files (or their links).
    type: list
    elements: str
    required: true
  remove_default_site:
    description: Remove O(default_sites) (C(nginx_gunicorn_remove_default_site)).
    type: bool
    required: true
seealso:
  - module: wsgistack.deploy.config_transaction
  - plugin: wsgistack.deploy.nginx_gunicorn_check
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Install the nginx servers and check them with nginx -t
  wsgistack.deploy.config_transaction:
    files: "{{ __config_set.files }}"
    links: "{{ __config_set.links }}"
    absent: "{{ __config_set.absent }}"
    validate: [nginx, -t]
    validate_name: nginx -t
  vars:
    __config_set: >-
      {{ __nginx_gunicorn_apps | wsgistack.deploy.nginx_gunicorn_config_set(
           sites_dir='/etc/nginx/sites-available', sites_enabled_dir='/etc/nginx/sites-enabled',
           default_sites=['/etc/nginx/sites-enabled/default'], remove_default_site=true) }}

# With one app named shop, __config_set is
#   files: [{path: /etc/nginx/sites-available/shop.conf, template: nginx-site.conf.j2,
#            template_vars: {item: <the app>}, owner: root, group: root, mode: "0644"}]
#   links: [{path: /etc/nginx/sites-enabled/shop.conf, src: /etc/nginx/sites-available/shop.conf}]
#   absent: [/etc/nginx/sites-enabled/default]
"""

RETURN = r"""
_value:
  description: The options of M(wsgistack.deploy.config_transaction).
  type: dict
  contains:
    files:
      description: Each app's server file - C(path), C(template), C(template_vars) (C(item),
        the app), C(owner), C(group), C(mode).
      type: list
      elements: dict
    links:
      description: Each app's link in O(sites_enabled_dir) - C(path), C(src); empty without
        O(sites_enabled_dir).
      type: list
      elements: dict
    absent:
      description: O(default_sites) when O(remove_default_site), else empty.
      type: list
      elements: str
"""


nginx_gunicorn_config_set = as_filter("nginx_gunicorn_config_set", config_set)


class FilterModule:
    """wsgistack.deploy nginx_gunicorn_config_set filter."""

    def filters(self) -> dict[str, Any]:
        return {"nginx_gunicorn_config_set": nginx_gunicorn_config_set}
