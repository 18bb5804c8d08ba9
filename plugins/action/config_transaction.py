# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of wsgistack.deploy.config_transaction: templates rendered on the controller."""

from __future__ import annotations

import os

# What ansible.builtin.template's action adds to the variables (template_host, template_path...,
# and ansible_managed unless the play sets it): the same function, so that a template renders
# here exactly as it would there.
from ansible._internal._templating import _template_vars
from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible.template import trust_as_template

MODULE = "wsgistack.deploy.config_transaction"

# ansible.builtin.template's defaults (its trim_blocks is on, unlike Jinja's).
TEMPLATE_OVERRIDES = {"trim_blocks": True, "lstrip_blocks": False, "newline_sequence": "\n"}


def normalise_entry(entry, index, render):
    """One ``files`` entry as the module takes it: a ``template`` (and its ``template_vars``)
    replaced by the ``content`` that ``render(template, path, template_vars)`` gives.

    Raises AnsibleActionFail on a bad entry, naming it.
    """
    where = f"files[{index}]"
    if not isinstance(entry, dict):
        raise AnsibleActionFail(
            f"{where}: each entry is a dict (path, content or template, mode, owner, group)"
        )
    has_content, has_template = entry.get("content") is not None, entry.get("template") is not None
    if has_content == has_template:
        raise AnsibleActionFail(
            f"{where} ({entry.get('path')}): give exactly one of content and template"
        )
    if entry.get("template_vars") is not None and not has_template:
        raise AnsibleActionFail(
            f"{where} ({entry.get('path')}): template_vars is for a template only"
        )
    if not isinstance(entry.get("path"), str) or not entry["path"]:
        raise AnsibleActionFail(f"{where}: path is required")
    out = {key: value for key, value in entry.items() if key not in ("template", "template_vars")}
    if has_template:
        template_vars = entry.get("template_vars") or {}
        if not isinstance(template_vars, dict):
            raise AnsibleActionFail(f"{where} ({entry['path']}): template_vars is a dict")
        out["content"] = render(entry["template"], entry["path"], template_vars)
    return out


class ActionModule(ActionBase):
    """Render the files' templates, then run the module once with every file's content."""

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp  # unused, as in every action since 2.x

        args = dict(self._task.args)
        files = args.get("files") or []
        if not isinstance(files, list):
            raise AnsibleActionFail("files is a list of dicts")

        def render(template, path, template_vars):
            return self._render(template, path, template_vars, task_vars)

        try:
            args["files"] = [
                normalise_entry(entry, index, render) for index, entry in enumerate(files)
            ]
            result.update(
                self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars)
            )
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _render(self, template, path, template_vars, task_vars):
        """The template's text, rendered as ansible.builtin.template renders a src for ``path``."""
        try:
            source = self._find_needle("templates", template)
        except AnsibleError as error:
            raise AnsibleActionFail(to_text(error)) from error

        # Includes and imports are looked up where the template action looks: each search path
        # and its templates/ directory, the play's directory and the template's own.
        searchpath = [
            *task_vars.get("ansible_search_path", []),
            self._loader._basedir,
            os.path.dirname(source),
        ]
        searchpath = [
            candidate
            for base in searchpath
            for candidate in (os.path.join(base, "templates"), base)
        ]

        variables = dict(task_vars)
        variables.update(template_vars)
        variables.update(
            _template_vars.generate_ansible_template_vars(
                path=template,
                fullpath=source,
                dest_path=path,
                include_ansible_managed="ansible_managed" not in variables,
            )
        )
        data = trust_as_template(self._loader.get_text_file_contents(source))
        templar = self._templar.copy_with_new_env(
            searchpath=searchpath, available_variables=variables
        )
        try:
            rendered = templar.template(
                data, escape_backslashes=False, overrides=TEMPLATE_OVERRIDES
            )
        except AnsibleError as error:
            raise AnsibleActionFail(f"rendering {template} for {path}: {to_text(error)}") from error
        return "" if rendered is None else to_text(rendered)
