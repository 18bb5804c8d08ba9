# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wsgistack.deploy.app_server_packages filter."""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.app_server import (
    PackagePlanError,
    package_plan,
)

DOCUMENTATION = r"""
name: app_server_packages
short_description: Decide which app server packages a role installs into each app's venv
version_added: 0.1.0
author: wsgistack.deploy developers
description:
  - An app may name its app server in its own requirements (C(gunicorn<24)); the venv then
    holds that version, and the role keeps it. The role installs its own pinned version only
    where the venv lacks the package, or where the role itself installed the version that is
    there (recorded in the venv, see O(role)), so that a new pin of the role reaches those venvs.
  - >-
    A version the app brought that is older than the role can work with (gunicorn 20.1.0, gevent
    1.4.0) is an error naming the app, both versions and the fix, raised before the role changes
    anything, for example "app_server_packages: nginx_gunicorn_apps (guestbook): its venv
    /srv/guestbook/venv has gunicorn 19.9.0, from the app's own requirements, older than 20.1.0,
    the oldest this role works with; require gunicorn>=20.1.0 there, or drop gunicorn from them
    to get 27.0.1".
positional: wanted, role
options:
  _input:
    description: The venvs by app name, as M(wsgistack.deploy.venv_facts) reports them.
    type: dict
    required: true
  wanted:
    description: >-
      For each app name, the packages the role installs and the version of each, as in
      C({"guestbook": {"gunicorn": "27.0.1"}}).
    type: dict
    required: true
  role:
    description: >-
      The role's name, under which its record of what it installed is kept in each venv, the
      file C(<venv>/.wsgistack/<role>.json) holding C({"installed": {"<package>": "<version>"}}).
    type: str
    required: true
  variable:
    description: The variable the apps come from, named in errors.
    type: str
    default: apps
"""

EXAMPLES = r"""
- name: Decide what goes into each venv
  ansible.builtin.set_fact:
    __plan: >-
      {{ venvs.venvs | wsgistack.deploy.app_server_packages({'guestbook': {'gunicorn': '27.0.1'}},
         'nginx_gunicorn', variable='nginx_gunicorn_apps') }}
"""

RETURN = r"""
_value:
  description: By app name - C(install), the pip specifiers to install (C(gunicorn==27.0.1)),
    empty where the venv already has what it needs; C(record), the packages the role owns in
    that venv afterwards, with their versions.
  type: dict
"""


def app_server_packages(
    venvs: Any, wanted: Any, role: str, variable: str = "apps"
) -> dict[str, dict[str, Any]]:
    """Which app server packages to install into each app's venv."""
    if not isinstance(venvs, dict):
        raise AnsibleFilterError(
            f"app_server_packages: _input: expected venv_facts' venvs (a mapping), got {venvs!r}"
        )
    if not isinstance(wanted, dict) or not all(
        isinstance(packages, dict) for packages in wanted.values()
    ):
        raise AnsibleFilterError(
            "app_server_packages: wanted: expected a mapping of app name to {package: version}, "
            f"got {wanted!r}"
        )
    try:
        return package_plan(venvs, wanted, role)
    except PackagePlanError as exc:
        raise AnsibleFilterError(
            "; ".join(
                f"app_server_packages: {variable} ({app}): {text}" for app, text in exc.problems
            )
        ) from None


class FilterModule:
    """wsgistack.deploy app_server_packages filter."""

    def filters(self) -> dict[str, Any]:
        return {"app_server_packages": app_server_packages}
