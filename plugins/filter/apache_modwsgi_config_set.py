# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wsgistack.deploy.apache_modwsgi_config_set filter."""

from __future__ import annotations

from typing import Any

from ansible_collections.wsgistack.deploy.plugins.plugin_utils.apache_modwsgi_schema import (
    config_set,
)
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.filters import as_filter

DOCUMENTATION = r"""
name: apache_modwsgi_config_set
short_description: The Apache configuration the apache_modwsgi role puts in place
version_added: 0.1.0
author: wsgistack.deploy developers
description:
  - What the P(wsgistack.deploy.apache_modwsgi#role) role hands
    M(wsgistack.deploy.config_transaction) - the options C(files), C(links) and C(absent) -
    derived from the apps the P(wsgistack.deploy.apache_modwsgi_check#filter) filter resolved
    and the platform's layout (C(plugins/plugin_utils/apache_modwsgi_schema.py), C(config_set)).
  - >-
    The files, in this order, each owned by root with mode C(0644): the server-wide
    configuration (O(conf_files), in O(conf_dir)); the catch-all virtual host
    (C(catchall.conf.j2)) when O(catchall) and no app is the default server (C(default_server));
    each app's virtual host (C(<site_dir>/<site>.conf) from C(vhost.conf.j2), which reads its app
    as C(__apache_modwsgi_app)). Then the files emptied rather than removed: those of the stale
    sites where Apache loads every file of the directory (no O(site_enabled_dir), RedHat's
    C(conf.d)), and O(default_site_files) unless O(default_site) (RedHat's C(welcome.conf), an
    rpm's config file: emptied, updates keep it empty).
  - >-
    The stale sites are those an earlier run may have loaded that this one does not: of the
    catch-all (O(catchall_name)), the default app's site (O(default_site_name)) and each app's
    site under the name it has without C(default_server) (O(site_prefix) and its name), those
    this run does not load (the apps' C(site)s, and the catch-all when it is loaded).
  - Where Apache loads what is linked (Debian's C(conf-enabled) and C(sites-enabled)), the links
    C(a2enconf) and C(a2ensite) make, for the configuration and the loaded sites (the catch-all
    first); and the links of the stale sites and O(default_site_links) (unless O(default_site))
    removed.
  - >-
    A wrong argument fails naming the filter and the argument, as in
    C(apache_modwsgi_config_set: catchall: expected true or false, got 'yes').
options:
  _input:
    description: The resolved apps (the C(apps) of P(wsgistack.deploy.apache_modwsgi_check#filter));
      each app's C(site) names its site file; its C(name) and C(default_server) are read too.
    type: list
    elements: dict
    required: true
  conf_files:
    description: The role's server-wide configuration files, each C(name) (the file is
      C(<name>.conf)) and C(template).
    type: list
    elements: dict
    required: true
  conf_dir:
    description: The directory of the server-wide files (C(/etc/apache2/conf-available),
      C(/etc/httpd/conf.d)).
    type: str
    required: true
  conf_enabled_dir:
    description: Where they are linked from (C(/etc/apache2/conf-enabled)); empty where there
      is no such directory.
    type: str
    default: ""
  site_dir:
    description: The directory of the sites (C(/etc/apache2/sites-available),
      C(/etc/httpd/conf.d)).
    type: str
    required: true
  site_enabled_dir:
    description: Where they are linked from (C(/etc/apache2/sites-enabled)); empty where there
      is no such directory.
    type: str
    default: ""
  catchall_name:
    description: The catch-all virtual host's site name.
    type: str
    required: true
  catchall:
    description: Load the catch-all virtual host (C(apache_modwsgi_catchall)); it is not loaded
      when an app is the default server.
    type: bool
    required: true
  default_site_name:
    description: The site of the app with C(default_server) (C(000-wsgistack-default)).
    type: str
    required: true
  site_prefix:
    description: What precedes an app's name in its site's name when it is not the default
      server (the platform's C(site_prefix) the check takes; C(wsgistack-) on RedHat, empty on
      Debian).
    type: str
    required: true
  default_site:
    description: Keep the distribution's default site (C(apache_modwsgi_default_site)).
    type: bool
    required: true
  default_site_links:
    description: The distribution's default site's links, removed unless O(default_site).
    type: list
    elements: str
    required: true
  default_site_files:
    description: The distribution's default site's files, emptied unless O(default_site).
    type: list
    elements: str
    required: true
seealso:
  - module: wsgistack.deploy.config_transaction
  - plugin: wsgistack.deploy.apache_modwsgi_check
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Put the configuration in place and check it (apachectl configtest)
  wsgistack.deploy.config_transaction:
    files: "{{ __config_set.files }}"
    links: "{{ __config_set.links }}"
    absent: "{{ __config_set.absent }}"
    validate: [/usr/sbin/apachectl, configtest]
    validate_name: apachectl configtest
  vars:
    __config_set: >-
      {{ __apache_modwsgi_apps | wsgistack.deploy.apache_modwsgi_config_set(
           conf_files=[{'name': 'wsgistack-modwsgi', 'template': 'modwsgi.conf.j2'}],
           conf_dir='/etc/httpd/conf.d', conf_enabled_dir='',
           site_dir='/etc/httpd/conf.d', site_enabled_dir='',
           catchall_name='000-wsgistack-catchall', catchall=true,
           default_site_name='000-wsgistack-default', site_prefix='wsgistack-', default_site=false,
           default_site_links=[], default_site_files=['/etc/httpd/conf.d/welcome.conf']) }}

# With one app, shop (not the default server: its site is wsgistack-shop), the catch-all is
# loaded and the default app's site of an earlier run is stale: __config_set.files are (each
# also with owner: root, group: root, mode: "0644")
#   {path: /etc/httpd/conf.d/wsgistack-modwsgi.conf, template: modwsgi.conf.j2}
#   {path: /etc/httpd/conf.d/000-wsgistack-catchall.conf, template: catchall.conf.j2}
#   {path: /etc/httpd/conf.d/wsgistack-shop.conf, template: vhost.conf.j2,
#    template_vars: {__apache_modwsgi_app: <the app>}}
#   {path: /etc/httpd/conf.d/000-wsgistack-default.conf, content: "# Not loaded: ..."}
#   {path: /etc/httpd/conf.d/welcome.conf, content: "# Disabled by ..."}
# and links and absent are empty.
"""

RETURN = r"""
_value:
  description: The options of M(wsgistack.deploy.config_transaction).
  type: dict
  contains:
    files:
      description: C(path), C(template) (with C(template_vars) for a virtual host) or
        C(content), C(owner), C(group), C(mode).
      type: list
      elements: dict
    links:
      description: C(src) (relative, as C(a2enconf) and C(a2ensite) make it) and C(path);
        empty without O(conf_enabled_dir) and O(site_enabled_dir).
      type: list
      elements: dict
    absent:
      description: The paths removed.
      type: list
      elements: str
"""


apache_modwsgi_config_set = as_filter("apache_modwsgi_config_set", config_set)


class FilterModule:
    """wsgistack.deploy apache_modwsgi_config_set filter."""

    def filters(self) -> dict[str, Any]:
        return {"apache_modwsgi_config_set": apache_modwsgi_config_set}
