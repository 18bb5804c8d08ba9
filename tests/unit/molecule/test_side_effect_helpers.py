"""The logic of the helpers the stack side effects run on the host (molecule/resources/files).

A check that takes 0, an empty list or an old PID for "a new process" passes on no evidence;
these tests pin down that the helpers never do.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

FILES = Path(__file__).resolve().parents[3] / "molecule" / "resources" / "files"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, FILES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


kill_and_wait = load("kill_and_wait")
http_load = load("http_load")


@pytest.mark.parametrize(
    ("text", "pids"),
    [
        ("0\n", []),  # systemd's MainPID while the unit restarts
        ("", []),
        ("\n\n", []),
        ("1234\n", [1234]),
        ("1234\n1235\n1234\n", [1234, 1235]),
        ("-1\nabc\n 77 \n", [77]),
    ],
)
def test_parse_pids_keeps_positive_integers_only(text, pids):
    assert kill_and_wait.parse_pids(text) == pids


@pytest.mark.parametrize(
    ("killed", "now", "new"),
    [
        ([100], [], []),  # nothing yet
        ([100], [100], []),  # the killed one still listed
        ([100, 101], [101], []),  # only a killed one, not yet reaped
        ([100, 101], [101, 200], [200]),  # one new, one killed not yet reaped
        ([100], [200], [200]),
        ([100, 101], [200, 201, 202], [200, 201, 202]),
    ],
)
def test_new_processes_need_evidence(killed, now, new):
    assert kill_and_wait.new_processes(killed, now) == new


def test_a_pid_read_as_zero_is_not_a_new_process():
    assert kill_and_wait.new_processes([4321], kill_and_wait.parse_pids("0")) == []


@pytest.mark.parametrize(
    ("info", "pids", "mode", "served"),
    [
        ({"pid": 300, "ppid": 200}, [200], "parent", True),
        ({"pid": 300, "ppid": 100}, [200], "parent", False),  # an orphaned old worker
        ({"pid": 300, "ppid": 0}, [200], "parent", False),
        ({"pid": 200, "ppid": 1}, [200, 201], "self", True),
        ({"pid": 100, "ppid": 1}, [200, 201], "self", False),
        ({}, [200], "self", False),
        ({"pid": "200"}, [200], "self", False),
    ],
)
def test_served_by_a_new_process(info, pids, mode, served):
    assert kill_and_wait.served_by(info, pids, mode) is served


def test_load_summary_counts_failures_and_releases():
    results = [
        (10.0, 200, "old"),
        (11.0, 502, None),
        (12.0, "ConnectionResetError: reset", None),
        (13.0, 200, "old"),
        (14.0, 200, "new"),
        (15.0, 200, "new"),
    ]
    summary = http_load.summarize(results)
    assert summary["requests"] == 6
    assert summary["failed"] == 2
    assert summary["failures"] == [
        {"time": 11.0, "cause": "502"},
        {"time": 12.0, "cause": "ConnectionResetError: reset"},
    ]
    assert summary["releases"] == {
        "old": {"count": 2, "first": 10.0, "last": 13.0},
        "new": {"count": 2, "first": 14.0, "last": 15.0},
    }


def test_an_empty_load_summary_is_not_a_success():
    summary = http_load.summarize([])
    assert summary == {"requests": 0, "failed": 0, "failures": [], "releases": {}}


def test_fake_wheels_install_with_pip(tmp_path):
    """The simulated upstream release is a wheel pip accepts (its RECORD hashes check out)."""
    pip_conf = tmp_path / "pip.conf"
    fake_wheels = FILES / "fake_wheels.py"
    folder = tmp_path / "wheelhouse"
    subprocess.run(
        [sys.executable, str(fake_wheels), str(folder), "999.0.0", str(pip_conf), "demo-tool"],
        check=True,
    )
    assert pip_conf.read_text() == f"[global]\nfind-links = {folder}\n"
    (wheel,) = folder.iterdir()
    assert wheel.name == "demo_tool-999.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        assert sorted(archive.namelist()) == [
            "demo_tool-999.0.0.dist-info/METADATA",
            "demo_tool-999.0.0.dist-info/RECORD",
            "demo_tool-999.0.0.dist-info/WHEEL",
        ]
    target = tmp_path / "target"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--target"]
    subprocess.run([*pip, str(target), str(wheel)], check=True)
    metadata = (target / "demo_tool-999.0.0.dist-info" / "METADATA").read_text()
    assert "Version: 999.0.0" in metadata


def test_venv_tools_reads_each_venvs_own_tools(tmp_path):
    """Each venv's interpreter is asked: a venv made without pip says null for it."""
    with_pip, without_pip = tmp_path / "with-pip", tmp_path / "without-pip"
    subprocess.run([sys.executable, "-m", "venv", str(with_pip)], check=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(without_pip)], check=True)
    run = subprocess.run(
        [sys.executable, str(FILES / "venv_tools.py"), str(with_pip), str(without_pip)],
        capture_output=True,
        text=True,
        check=True,
    )
    tools = json.loads(run.stdout)
    assert list(tools) == sorted([str(with_pip), str(without_pip)])
    assert tools[str(without_pip)] == {"pip": None, "setuptools": None, "wheel": None}
    assert tools[str(with_pip)]["pip"] is not None
    assert tools[str(with_pip)]["pip"][0].isdigit()


def test_venv_tools_fails_on_a_path_that_is_not_a_venv(tmp_path):
    run = subprocess.run(
        [sys.executable, str(FILES / "venv_tools.py"), str(tmp_path / "nothing")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
