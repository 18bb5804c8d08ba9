"""The test containers' connection: containers.podman.podman, pipelined, through nsenter.

containers.podman.podman runs three ``podman exec`` per module (make a temporary
directory, make the module executable, run it) because it never passes standard
input to ``podman exec``, and a ``podman mount`` per task for file transfers. Each
``podman`` call costs a Go binary's start and a look-up in podman's state, and ``podman
exec`` the start of an OCI runtime on top: about 0.37 s on this project's 2-core CI
machines, against 0.02 s for ``nsenter`` into the container's namespaces.

So, when the controller runs as root (as the suite does) and nsenter is there, this
plugin asks podman once for the container's init PID and ID (kept in a per-user cache
file and checked against /proc before each use), then runs each command with ``nsenter
--target PID --all`` in the container's namespaces, root and working directory, with the
environment podman gave the container, the module piped into the interpreter's standard
input; files go in and out through ``/proc/PID/root``. The command runs with the
controller's capabilities and cgroup rather than the container's (a real host's root has
every capability, so no task passes here that would fail there for want of one).
Otherwise it falls back to ``podman exec --interactive``: one per module.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tempfile
from urllib.parse import quote

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_native
from ansible.plugins.connection import ConnectionBase, ensure_connect
from ansible.utils.display import Display
from ansible_collections.containers.podman.plugins.connection.podman import (
    Connection as PodmanConnection,
)

DOCUMENTATION = r"""
name: podman_pipelined
short_description: Run tasks in a podman container, through nsenter or one podman exec per module
description:
  - C(containers.podman.podman) with pipelining. Modules are piped into the
    container's interpreter instead of being copied in and run in three
    C(podman exec) calls.
  - As root with C(nsenter) on the controller, commands enter the container's
    namespaces with C(nsenter) (the container's init PID asked of podman once, then
    checked against /proc), and files go through C(/proc/PID/root); otherwise each
    command is one C(podman exec --interactive).
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
    description: >-
      The user (name or UID) commands run as inside the container. Any user but root
      is reached with C(podman exec --user), not nsenter.
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

display = Display()


def is_container_init(pid: int, container_id: str, proc: str = "/proc") -> bool:
    """Whether ``pid`` is still a process of container ``container_id`` (its cgroup names it)."""
    if pid <= 0 or not container_id:
        return False
    try:
        with open(f"{proc}/{pid}/cgroup", encoding="utf-8") as cgroup:
            return container_id in cgroup.read()
    except OSError:
        return False


def parse_inspect(output: str) -> tuple[int, str] | None:
    """``podman inspect --format '{{.State.Pid}} {{.Id}}'``: (PID, ID) of a running container."""
    fields = output.split()
    if len(fields) != 2 or not fields[0].isdigit() or int(fields[0]) <= 0:
        return None
    return int(fields[0]), fields[1]


def read_environment(pid: int, proc: str = "/proc") -> dict[str, str]:
    """The environment of process ``pid``: for a container's init, what podman gave it."""
    with open(f"{proc}/{pid}/environ", "rb") as environ:
        entries = environ.read().split(b"\0")
    pairs = (
        entry.decode("utf-8", "surrogateescape").partition("=")
        for entry in entries
        if b"=" in entry
    )
    return {name: value for name, _sep, value in pairs}


class Connection(PodmanConnection):
    """containers.podman.podman, pipelined, through nsenter when the controller can."""

    transport = "podman_pipelined"
    has_pipelining = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pid = None
        self._environment = None

    def _nsenter_possible(self) -> bool:
        return (
            os.geteuid() == 0
            and shutil.which("nsenter") is not None
            and self.user in (None, "", "root", "0")
        )

    def _cache_file(self) -> str:
        folder = os.path.join(tempfile.gettempdir(), f"wsgistack-podman-pids-{os.getuid()}")
        os.makedirs(folder, mode=0o700, exist_ok=True)
        return os.path.join(folder, quote(self._container_id, safe="") + ".json")

    def _container_pid(self) -> int | None:
        """The container's init PID: from the cache when /proc still agrees, else from podman."""
        cache = self._cache_file()
        try:
            with open(cache, encoding="utf-8") as known_file:
                known = json.load(known_file)
            if is_container_init(known["pid"], known["id"]):
                return known["pid"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        rc, stdout, _stderr = self._podman(["inspect", "--format", "{{.State.Pid}} {{.Id}}"])
        found = parse_inspect(to_native(stdout)) if rc == 0 else None
        if found is None or not is_container_init(*found):
            return None
        pid, container_id = found
        with tempfile.NamedTemporaryFile("w", dir=os.path.dirname(cache), delete=False) as fresh:
            json.dump({"pid": pid, "id": container_id}, fresh)
        os.replace(fresh.name, cache)
        return pid

    def _connect(self):
        if self._connected:
            return self
        self._pid = self._container_pid() if self._nsenter_possible() else None
        if self._pid is None:
            display.vvv("nsenter not usable: podman exec", host=self._container_id)
            return super()._connect()
        self._environment = read_environment(self._pid)
        ConnectionBase._connect(self)
        self._connected = True
        return self

    @ensure_connect
    def exec_command(self, cmd, in_data=None, sudoable=False):
        # The base class's bookkeeping, not containers.podman's exec_command.
        ConnectionBase.exec_command(self, cmd, in_data=in_data, sudoable=sudoable)
        command = shlex.split(to_native(cmd, errors="surrogate_or_strict"))
        if self._pid is None:
            args = ["exec"]
            if in_data is not None:
                args.append("--interactive")
            if self.user:
                args += ["--user", self.user]
            return self._podman(args, command, in_data)
        local = ["nsenter", "--target", str(self._pid), "--all", "--root", "--wd", "--", *command]
        display.vvv(f"RUN {local}", host=self._container_id)
        process = subprocess.Popen(
            [to_bytes(arg, errors="surrogate_or_strict") for arg in local],
            stdin=subprocess.PIPE if in_data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self._environment,
        )
        stdout, stderr = process.communicate(input=in_data)
        return process.returncode, stdout, stderr

    def _copy(self, source: bytes, destination: bytes, what: str) -> None:
        """Copy one file across /proc/PID/root; ``what`` names the transfer in the error."""
        try:
            shutil.copyfile(source, destination)
        except OSError as error:
            raise AnsibleError(f"Failed to {what} ({self._container_id}): {error}") from error

    def _inside(self, path: str) -> bytes:
        return to_bytes(f"/proc/{self._pid}/root", errors="surrogate_or_strict") + to_bytes(
            path, errors="surrogate_or_strict"
        )

    @ensure_connect
    def put_file(self, in_path, out_path):
        if self._pid is None:
            return super().put_file(in_path, out_path)
        ConnectionBase.put_file(self, in_path, out_path)
        display.vvv(f"PUT {in_path} TO {out_path}", host=self._container_id)
        source = to_bytes(in_path, errors="surrogate_or_strict")
        self._copy(source, self._inside(out_path), f"copy {in_path} to {out_path} in the container")
        return None

    @ensure_connect
    def fetch_file(self, in_path, out_path):
        if self._pid is None:
            return super().fetch_file(in_path, out_path)
        ConnectionBase.fetch_file(self, in_path, out_path)
        display.vvv(f"FETCH {in_path} TO {out_path}", host=self._container_id)
        destination = to_bytes(out_path, errors="surrogate_or_strict")
        self._copy(
            self._inside(in_path), destination, f"fetch {in_path} from the container to {out_path}"
        )
        return None
