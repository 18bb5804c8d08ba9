"""The decisions of the test containers' connection (molecule/resources/plugins/connection).

A PID read as 0, a stale PID or a PID of another container must never be entered: the
plugin then asks podman again, or falls back to podman exec.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

PLUGIN = (
    Path(__file__).resolve().parents[3]
    / "molecule"
    / "resources"
    / "plugins"
    / "connection"
    / "podman_pipelined.py"
)
spec = importlib.util.spec_from_file_location("podman_pipelined", PLUGIN)
plugin = importlib.util.module_from_spec(spec)
spec.loader.exec_module(plugin)

CONTAINER = "b2a5266ea5fde890797cb1a5a5600a68ea55afafdf68ee72004e41d72f7ea7ef"


@pytest.mark.parametrize(
    ("output", "found"),
    [
        (f"14297 {CONTAINER}\n", (14297, CONTAINER)),
        (f"0 {CONTAINER}\n", None),  # a container that is not running
        ("", None),
        ("14297\n", None),
        (f"-1 {CONTAINER}\n", None),
        (f"abc {CONTAINER}\n", None),
    ],
)
def test_parse_inspect_takes_only_a_running_containers_pid(output, found):
    assert plugin.parse_inspect(output) == found


def fake_proc(tmp_path, pid, cgroup=None, environ=None):
    folder = tmp_path / str(pid)
    folder.mkdir()
    if cgroup is not None:
        (folder / "cgroup").write_text(cgroup)
    if environ is not None:
        (folder / "environ").write_bytes(environ)
    return str(tmp_path)


def test_a_pid_whose_cgroup_names_the_container_is_its_init(tmp_path):
    proc = fake_proc(tmp_path, 14297, cgroup=f"0::/libpod_parent/libpod-{CONTAINER}\n")
    assert plugin.is_container_init(14297, CONTAINER, proc)


@pytest.mark.parametrize(
    ("pid", "container", "cgroup"),
    [
        (14297, CONTAINER, "0::/user.slice/session-1.scope\n"),  # reused by a host process
        (14297, CONTAINER, "0::/libpod_parent/libpod-0123abcd\n"),  # another container
        (14297, "", f"0::/libpod_parent/libpod-{CONTAINER}\n"),  # no ID to check against
        (0, CONTAINER, f"0::/libpod_parent/libpod-{CONTAINER}\n"),
        (14297, CONTAINER, None),  # the process is gone
    ],
)
def test_anything_else_is_not(tmp_path, pid, container, cgroup):
    proc = fake_proc(tmp_path, 14297, cgroup=cgroup)
    assert not plugin.is_container_init(pid, container, proc)


def test_the_environment_is_the_init_process_own(tmp_path):
    proc = fake_proc(
        tmp_path,
        7,
        environ=b"PATH=/usr/sbin:/usr/bin\0container=podman\0EMPTY=\0A=b=c\0noequals\0",
    )
    assert plugin.read_environment(7, proc) == {
        "PATH": "/usr/sbin:/usr/bin",
        "container": "podman",
        "EMPTY": "",
        "A": "b=c",
    }
