"""The test containers' connection: containers.podman.podman, pipelined.

containers.podman.podman runs three ``podman exec`` per module (make a temporary
directory, make the module executable, run it) because it never passes standard
input to ``podman exec``. Given ``--interactive``, ``podman exec`` forwards
standard input like any other transport, so Ansible can pipe the module into the
interpreter: one ``podman exec`` per module, which takes about a third off a
scenario's time on this project's 2-core CI machines. Everything else (file transfer through
the container's mount, fetch, close) is the maintained plugin's.
"""

from __future__ import annotations

import shlex

from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.connection import ConnectionBase, ensure_connect
from ansible_collections.containers.podman.plugins.connection.podman import (
    Connection as PodmanConnection,
)

DOCUMENTATION = r"""
name: podman_pipelined
short_description: Run tasks in a podman container, one podman exec per module
description:
  - C(containers.podman.podman) with pipelining. Modules are piped into the
    container's interpreter through C(podman exec --interactive) instead of being
    copied in and run in three C(podman exec) calls.
  - Used by this project's molecule scenarios; see
    C(.config/molecule/config.yml).
extends_documentation_fragment:
  - ansible.builtin.connection_pipelining
options:
  remote_addr:
    description: The name or ID of the container.
    default: inventory_hostname
    vars:
      - name: ansible_host
      - name: inventory_hostname
      - name: ansible_podman_host
  remote_user:
    description: The user (name or UID) commands run as inside the container.
    ini:
      - section: defaults
        key: remote_user
    env:
      - name: ANSIBLE_REMOTE_USER
    vars:
      - name: ansible_user
  podman_extra_args:
    description: Extra arguments to the podman command line.
    default: ''
    ini:
      - section: defaults
        key: podman_extra_args
    env:
      - name: ANSIBLE_PODMAN_EXTRA_ARGS
    vars:
      - name: ansible_podman_extra_args
  podman_executable:
    description: The podman executable.
    default: podman
    env:
      - name: ANSIBLE_PODMAN_EXECUTABLE
    vars:
      - name: ansible_podman_executable
"""


class Connection(PodmanConnection):
    """containers.podman.podman whose ``podman exec`` forwards standard input."""

    transport = "podman_pipelined"
    has_pipelining = True

    @ensure_connect
    def exec_command(self, cmd, in_data=None, sudoable=False):
        # The base class's bookkeeping, not containers.podman's exec_command.
        ConnectionBase.exec_command(self, cmd, in_data=in_data, sudoable=sudoable)
        args = ["exec"]
        if in_data is not None:
            args.append("--interactive")
        if self.user:
            args += ["--user", self.user]
        command = shlex.split(to_native(cmd, errors="surrogate_or_strict"))
        return self._podman(args, command, in_data)
