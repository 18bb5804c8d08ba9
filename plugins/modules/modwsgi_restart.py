#!/usr/bin/python
# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wsgistack.deploy.modwsgi_restart module."""

DOCUMENTATION = r"""
module: modwsgi_restart
short_description: Restart mod_wsgi daemon process groups gracefully, and wait for the new processes
version_added: 0.1.0
author: wsgistack.deploy developers (@wsgistack)
description:
  - Sends C(SIGUSR1) to every daemon process of each named mod_wsgi process group. mod_wsgi then
    lets each process finish the requests it has (up to the group's C(eviction-timeout), else its
    C(graceful-timeout)) before it exits, and Apache starts a new one, which loads the app's
    code, venv and C(.wsgi) afresh. Other process groups, and Apache itself, keep running.
  - Waits until none of the signalled processes is left and the group has at least as many
    processes as before, so that a request after the task reaches the new code.
  - This is mod_wsgi's own graceful drain. Apache's graceful restart is not graceful for daemon
    processes (Apache sends them C(SIGTERM) and only C(shutdown-timeout) applies), nor is the
    restart on a changed C(.wsgi) file (C(SIGINT), the same); set C(WSGIScriptReloading Off) on
    the groups this module restarts.
  - A daemon process is found by its title, C((wsgi:<group>)), which C(display-name=%{GROUP})
    gives it; mod_wsgi cuts the title to the length of Apache's own command name, so the
    process's user must be O(groups[].user) too.
attributes:
  check_mode:
    support: full
    description: Reports the groups it would restart, signals nothing.
  diff_mode:
    support: none
    description: Restarts processes; there is no file to show.
options:
  groups:
    description: The daemon process groups to restart.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The group's name (the first argument of its C(WSGIDaemonProcess)).
        type: str
        required: true
      user:
        description: The user its processes run as (C(user=) of its C(WSGIDaemonProcess)).
        type: str
        required: true
  timeout:
    description: Seconds to wait for every group's old processes to be replaced; the task fails
      naming the processes left after that. Give at least the groups' graceful timeout plus
      their shutdown timeout and the time a new process takes to start.
    type: int
    default: 60
notes:
  - A group without a running process has nothing to restart (its processes load the new code
    when Apache starts them); it is reported unchanged.
  - Linux only (it reads C(/proc)).
"""

EXAMPLES = r"""
- name: Restart the daemons of the apps whose code changed
  wsgistack.deploy.modwsgi_restart:
    groups:
      - name: guestbook
        user: guestbook
    timeout: 45
"""

RETURN = r"""
groups:
  description: For each group, by name, its daemon processes before and after the restart.
  returned: always
  type: dict
  sample: {guestbook: {before: [1201, 1202], after: [1310, 1311]}}
"""

import contextlib
import os
import pwd
import signal
import time

from ansible.module_utils.basic import AnsibleModule

PREFIX = "(wsgi:"


def daemon_title(cmdline):
    """The process title from /proc/<pid>/cmdline: mod_wsgi pads it with spaces."""
    return cmdline.split(b"\0", 1)[0].decode("utf-8", "replace").rstrip(" ")


def is_daemon_of(title, group):
    """Whether a process title is that of a daemon of ``group`` (maybe cut short)."""
    full = PREFIX + group + ")"
    return len(title) > len(PREFIX) and full.startswith(title)


def processes(proc, group, uid):
    """PIDs of the group's daemon processes, read from ``proc`` (``/proc``)."""
    found = []
    for entry in os.listdir(proc):
        if not entry.isdigit():
            continue
        try:
            with open(os.path.join(proc, entry, "cmdline"), "rb") as handle:
                title = daemon_title(handle.read())
            owner = os.stat(os.path.join(proc, entry)).st_uid
        except OSError:  # the process ended meanwhile
            continue
        if owner == uid and is_daemon_of(title, group):
            found.append(int(entry))
    return sorted(found)


def replaced(before, now):
    """Whether the processes ``now`` replace all of ``before``: none of them left, as many."""
    return not set(before) & set(now) and len(now) >= len(before)


def restart(module, groups, timeout, proc="/proc"):
    """Signal every group's daemons, then wait for the new ones; the result per group."""
    result = {}
    for group in groups:
        try:
            uid = pwd.getpwnam(group["user"]).pw_uid
        except KeyError:
            module.fail_json(
                msg=f"modwsgi_restart: groups[{group['name']}].user: "
                f"no user {group['user']} on this host"
            )
        result[group["name"]] = {"uid": uid, "before": processes(proc, group["name"], uid)}
    signalled = [name for name, found in result.items() if found["before"]]
    if module.check_mode:
        return signalled, result
    for name in signalled:
        for pid in result[name]["before"]:
            # A process that ended by itself meanwhile is replaced all the same.
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + timeout
    waiting = list(signalled)
    while waiting:
        for name in list(waiting):
            found = result[name]
            found["after"] = processes(proc, name, found["uid"])
            if replaced(found["before"], found["after"]):
                waiting.remove(name)
        if not waiting:
            break
        if time.monotonic() >= deadline:
            left = "; ".join(
                f"group {name} still has {sorted(set(found['before']) & set(found['after']))}"
                f" of its processes {found['before']} (now {found['after']})"
                for name, found in result.items()
                if name in waiting
            )
            module.fail_json(msg=f"modwsgi_restart: after {timeout}s, {left}", groups=result)
        time.sleep(0.2)
    return signalled, result


def main():
    module = AnsibleModule(
        argument_spec={
            "groups": {
                "type": "list",
                "elements": "dict",
                "required": True,
                "options": {
                    "name": {"type": "str", "required": True},
                    "user": {"type": "str", "required": True},
                },
            },
            "timeout": {"type": "int", "default": 60},
        },
        supports_check_mode=True,
    )
    if module.params["timeout"] < 1:
        module.fail_json(msg="modwsgi_restart: timeout: give a number of seconds >= 1")
    signalled, result = restart(module, module.params["groups"], module.params["timeout"])
    groups = {
        name: {"before": found["before"], "after": found.get("after", found["before"])}
        for name, found in result.items()
    }
    module.exit_json(changed=bool(signalled), groups=groups)


if __name__ == "__main__":
    main()
