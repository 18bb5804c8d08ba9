#!/usr/bin/python
# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wsgistack.deploy.config_transaction module."""

DOCUMENTATION = r"""
module: config_transaction
short_description: Put configuration files and links in place, check them, undo it all on failure
version_added: 0.1.0
author: wsgistack.deploy developers (@wsgistack)
description:
  - Puts a server's configuration in place as one transaction. Files are written (each
    atomically, from a temporary file in its own directory), links made, paths removed; then
    the O(validate) command checks the configuration as a whole (C(nginx -t),
    C(apachectl configtest)), as the server would load it.
  - When the check fails, or any step before it, every path the task touched is put back
    exactly as it was (content, mode, owner, group, link target, absence) and the task fails,
    saying which step failed and what the check said. A server that is only reloaded when this
    task reports a change never loads a configuration that failed its check.
  - Only what differs is touched. When nothing differs the check is not run and the task is
    not changed.
  - The action plugin of the same name renders O(files[].template) on the controller first, as
    M(ansible.builtin.template) does, so the module gets every file's content.
attributes:
  action:
    support: full
    description: Templates are rendered on the controller by the action plugin.
  check_mode:
    support: full
    description: Reports what would change, with the diff; touches nothing and runs no check.
  diff_mode:
    support: full
    description: The content of each file before and after, a link's target, an absence.
options:
  files:
    description: Regular files to have, with their content. A link or file at the path is replaced.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path of the file; its directory must exist.
        type: path
        required: true
      content:
        description: The file's content. Exactly one of O(files[].content) and O(files[].template).
        type: str
      template:
        description:
          - A template, found and rendered on the controller as M(ansible.builtin.template)
            finds and renders its C(src) (C(templates/) of the role first), with the task's
            variables and O(files[].template_vars). The action plugin replaces it with
            O(files[].content).
        type: str
      template_vars:
        description: Variables for this file's template only (a loop variable), over the task's.
        type: dict
      mode:
        description:
          - The file's permissions, as an octal string (V("0644")). Unset, an existing file keeps
            its mode and a new one gets the default of the umask.
        type: raw
      owner:
        description:
          - User that owns the file (name or number). Unset, it stays as it is (a new file gets
            the task's user).
        type: str
      group:
        description: Group of the file (name or number). Unset, it stays as it is.
        type: str
  links:
    description: Symbolic links to have. A file or another link at the path is replaced.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path of the link; its directory must exist.
        type: path
        required: true
      src:
        description:
          - What the link points to, as written (relative to the link's directory if not absolute).
        type: str
        required: true
  absent:
    description: Files or links to remove. A directory is refused (before anything changes).
    type: list
    elements: path
    default: []
  validate:
    description:
      - The command (an argument list, no shell) that checks the configuration once everything
        is in place; a non-zero exit status rolls the task back. Run only when something changed.
      - Unset, nothing is checked and only a failing step rolls back.
    type: list
    elements: str
  validate_name:
    description:
      - How the failure message names the check (V(nginx -t) gives "nginx -t rejected the new
        configuration..."). Defaults to O(validate) joined with spaces.
    type: str
notes:
  - Each path may appear once across O(files), O(links) and O(absent).
  - The previous state is kept in memory for the rollback, so the files should be
    configuration-sized.
  - A step that fails is undone together with the ones before it; should the rollback itself
    fail for a path, the message names it and why.
"""

EXAMPLES = r"""
- name: Install the nginx server of an app, checked with nginx -t
  wsgistack.deploy.config_transaction:
    files:
      - path: /etc/nginx/sites-available/guestbook.conf
        template: nginx-site.conf.j2
        template_vars:
          item: "{{ app }}"
        owner: root
        group: root
        mode: "0644"
    links:
      - path: /etc/nginx/sites-enabled/guestbook.conf
        src: /etc/nginx/sites-available/guestbook.conf
    absent:
      - /etc/nginx/sites-enabled/default
    validate: [nginx, -t]
    validate_name: nginx -t
  notify: Reload nginx

- name: Empty a file a package owns, keep it checked
  wsgistack.deploy.config_transaction:
    files:
      - path: /etc/httpd/conf.d/welcome.conf
        content: "# Disabled.\n"
        mode: "0644"
    validate: [/usr/sbin/apachectl, configtest]
    validate_name: apachectl configtest
"""

RETURN = r"""
changed_paths:
  description: The paths that were changed (in check mode, would be), in the order they were given.
  returned: always
  type: list
  elements: str
  sample: [/etc/nginx/sites-available/guestbook.conf, /etc/nginx/sites-enabled/default]
validated:
  description: Whether the O(validate) command ran (and passed, as the task did not fail).
  returned: always
  type: bool
  sample: true
validate_stdout:
  description: What the O(validate) command wrote to its standard output.
  returned: when the check ran
  type: str
  sample: ""
validate_stderr:
  description: What the O(validate) command wrote to its standard error.
  returned: when the check ran
  type: str
  sample: "nginx: configuration file /etc/nginx/nginx.conf test is successful"
"""

import grp
import os
import pwd
import re
import stat
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_text

ABSENT = ("absent",)


def read_state(path):
    """What is at ``path`` now: ('absent',), ('link', target) or ('file', bytes, mode, uid, gid)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return ABSENT
    if stat.S_ISLNK(info.st_mode):
        return ("link", os.readlink(path))
    if not stat.S_ISREG(info.st_mode):
        return ("other", stat.S_IFMT(info.st_mode))
    with open(path, "rb") as handle:
        return ("file", handle.read(), stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid)


def parse_mode(value, where):
    """An octal mode (``"0644"``, ``"644"``, or an int as YAML read it) -> int, else ValueError."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        # An unquoted 0644 in YAML is the int 420 already; a 644 would be decimal: refused.
        if value > 0o7777:
            raise ValueError(f'{where}: mode {value} is not an octal mode; quote it ("0644")')
        return value
    text = str(value)
    if not re.fullmatch(r"0?[0-7]{3,4}", text):
        raise ValueError(f'{where}: mode {text!r} is not an octal mode such as "0644"')
    return int(text, 8)


def numeric_id(kind, name, where):
    """A user's or group's number (``kind``: "user" or "group") from its name or number."""
    if name is None:
        return None
    if str(name).isdigit():
        return int(name)
    try:
        return pwd.getpwnam(name).pw_uid if kind == "user" else grp.getgrnam(name).gr_gid
    except KeyError:
        raise ValueError(f"{where}: no {kind} {name} on this host") from None


def wanted_changes(files, links, absent):
    """Every path with what it should be, checked: [(path, want)], want as read_state gives.

    A file's mode/uid/gid may be None (keep what is there). Raises ValueError on bad input.
    """
    wanted, seen = [], set()
    entries = (
        [("files", i, entry["path"]) for i, entry in enumerate(files)]
        + [("links", i, entry["path"]) for i, entry in enumerate(links)]
        + [("absent", i, path) for i, path in enumerate(absent)]
    )
    for kind, index, given in entries:
        where = f"{kind}[{index}]"
        if not os.path.isabs(given):
            raise ValueError(f"{where}: {given} is not an absolute path")
        path = os.path.normpath(given)
        if path in seen:
            raise ValueError(f"{where}: {path} is given more than once")
        seen.add(path)
        if kind == "files":
            entry = files[index]
            if entry.get("content") is None:
                raise ValueError(
                    f"{where}: {path} has no content (a template is rendered by the action plugin)"
                )
            want = (
                "file",
                to_bytes(entry["content"], errors="surrogate_or_strict"),
                parse_mode(entry.get("mode"), where),
                numeric_id("user", entry.get("owner"), where),
                numeric_id("group", entry.get("group"), where),
            )
        elif kind == "links":
            want = ("link", links[index]["src"])
        else:
            want = ABSENT
        wanted.append((path, want))
    return wanted


def differs(have, want):
    """Whether what is there (read_state) is not what is wanted."""
    if want[0] != "file":
        return have != want
    if have[0] != "file" or have[1] != want[1]:
        return True
    return any(w is not None and w != h for h, w in zip(have[2:], want[2:]))


def describe(path, state):
    """A diff header and text for one state of a path."""
    if state[0] == "absent":
        return f"{path} (absent)", ""
    if state[0] == "link":
        return f"{path} (link)", f"-> {state[1]}\n"
    if state[0] == "file":
        owner = ":".join("-" if v is None else str(v) for v in state[3:])
        mode = "-" if state[2] is None else f"{state[2]:04o}"
        return f"{path} (file {mode} uid:gid {owner})", to_text(
            state[1], errors="surrogate_then_replace"
        )
    return f"{path} (not a file or link)", ""


def temp_path(path):
    """A new temporary file's path next to ``path`` (same directory, hidden name)."""
    fd, name = tempfile.mkstemp(
        prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=os.path.dirname(path)
    )
    os.close(fd)
    return name


def put_file(module, path, state):
    """Write a ('file', data, mode, uid, gid) state to ``path`` atomically, then set the
    attributes that are not None."""
    _kind, data, mode, uid, gid = state
    tmp = temp_path(path)
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        # Keeps the SELinux context of what was there (or the directory's default).
        module.atomic_move(tmp, path)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
    if uid is not None or gid is not None:
        os.lchown(path, -1 if uid is None else uid, -1 if gid is None else gid)
    if mode is not None:
        os.chmod(path, mode)


def put_link(path, src):
    """Make ``path`` a link to ``src``, replacing what is there in one rename."""
    tmp = temp_path(path)
    os.unlink(tmp)
    os.symlink(src, tmp)
    try:
        os.rename(tmp, path)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def remove(path):
    if os.path.lexists(path):
        os.unlink(path)


def apply(module, path, state):
    """Make ``path`` what ``state`` says (a state read_state gave is restored exactly)."""
    if state[0] == "file":
        put_file(module, path, state)
    elif state[0] == "link":
        put_link(path, state[1])
    else:
        remove(path)


def step_name(path, want):
    if want[0] == "file":
        return f"writing {path}"
    if want[0] == "link":
        return f"linking {path} to {want[1]}"
    return f"removing {path}"


def roll_back(module, touched):
    """Put every touched path back as it was, last first; the paths that could not be, with why."""
    problems = []
    for path, before in reversed(touched):
        try:
            apply(module, path, before)
        except Exception as error:
            problems.append(f"{path}: {error}")
    return problems


def plan(module, wanted):
    """What differs: ([(path, want, before)], the result so far, with the diff in diff mode)."""
    todo = []
    for path, want in wanted:
        try:
            before = read_state(path)
        except OSError as error:
            module.fail_json(
                msg=f"config_transaction: cannot read {path}: {error}; nothing was changed"
            )
        if before[0] == "other":
            module.fail_json(
                msg=f"config_transaction: {path} is neither a file nor a link; nothing was changed"
            )
        if differs(before, want):
            todo.append((path, want, before))
    result = {"changed": bool(todo), "changed_paths": [path for path, _w, _b in todo]}
    if module._diff:
        result["diff"] = []
        for path, want, before in todo:
            before_header, before_text = describe(path, before)
            after_header, after_text = describe(path, want)
            result["diff"].append(
                {
                    "before_header": before_header,
                    "before": before_text,
                    "after_header": after_header,
                    "after": after_text,
                }
            )
    return todo, result


def run_steps(module, todo, touched):
    """Apply each change, recording in ``touched`` what to put back; the failed step's message."""
    for path, want, before in todo:
        touched.append((path, before))  # before the step: a half-done step is undone too
        try:
            apply(module, path, want)
        except Exception as error:  # whatever failed, the rollback follows
            return (
                f"config_transaction: {step_name(path, want)} failed ({error}),"
                " so this task's changes were rolled back"
            )
    return None


def check(module, validate, validate_name, result):
    """Run the check; (the failure message, what the check said) when it rejects."""
    try:
        rc, out, err = module.run_command(
            validate, expand_user_and_vars=False, handle_exceptions=False
        )
    except OSError as error:  # not found, not executable: a failed check all the same
        rc, out, err = 127, "", str(error)
    result.update(validated=True, validate_stdout=out, validate_stderr=err)
    if rc == 0:
        return None, None
    said = "\n".join(part.strip() for part in (err, out) if part.strip()) or "(nothing)"
    return (
        f"{validate_name} rejected the new configuration (exit status {rc}), so it was rolled back",
        said,
    )


def transact(module, wanted, validate, validate_name):
    """Apply what differs, check it, roll back on failure. Returns the result dict or fails."""
    todo, result = plan(module, wanted)
    result["validated"] = False
    if not todo or module.check_mode:
        return result

    touched = []
    failure, said = run_steps(module, todo, touched), None
    if failure is None and validate:
        failure, said = check(module, validate, validate_name, result)
    if failure is None:
        return result

    problems = roll_back(module, touched)
    if problems:
        failure += ", BUT THE ROLLBACK FAILED for " + "; ".join(problems)
    else:
        failure += (
            ": every path this task changed is as it was before and nothing was notified, so the"
            " running server keeps its configuration"
        )
    if said is not None:
        failure += f". {validate_name} said: {said}"
    result.update(changed=bool(problems), rolled_back=[path for path, _before in touched])
    module.fail_json(msg=failure, **result)


def main():
    module = AnsibleModule(
        argument_spec={
            "files": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {
                    "path": {"type": "path", "required": True},
                    "content": {"type": "str"},
                    "template": {"type": "str"},
                    "template_vars": {"type": "dict"},
                    "mode": {"type": "raw"},
                    "owner": {"type": "str"},
                    "group": {"type": "str"},
                },
            },
            "links": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {
                    "path": {"type": "path", "required": True},
                    "src": {"type": "str", "required": True},
                },
            },
            "absent": {"type": "list", "elements": "path", "default": []},
            "validate": {"type": "list", "elements": "str"},
            "validate_name": {"type": "str"},
        },
        supports_check_mode=True,
    )
    params = module.params
    validate = params["validate"] or []
    validate_name = params["validate_name"] or " ".join(validate) or "the check"
    try:
        wanted = wanted_changes(params["files"], params["links"], params["absent"])
    except ValueError as error:
        module.fail_json(msg=f"config_transaction: {error}; nothing was changed")
    module.exit_json(**transact(module, wanted, validate, validate_name))


if __name__ == "__main__":
    main()
