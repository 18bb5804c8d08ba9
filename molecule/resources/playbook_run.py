"""Running a playbook of this checkout as a user would, from a scenario's tests.

``ansible_playbook(inventory, playbook)`` runs ``ansible-playbook -i <inventory> <playbook>``
on the controller, with the ansible.posix.json callback, and returns a :class:`Run`: the
return code, the plays that started, the tasks that ran, the changed count, the failure
messages and stderr. molecule/conftest.py puts this directory on sys.path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def tool(name: str) -> str:
    """An Ansible CLI from the running interpreter's environment, else from PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} not found next to {sys.executable} or on PATH"
    return found


def words(text: str) -> str:
    return " ".join(text.split())


class Run:
    """One ansible-playbook run, read from the ansible.posix.json callback's report.

    ``plays``: the plays that started; ``tasks_run``: the tasks that ran (not skipped), in
    order; ``changed_tasks``: the tasks that changed (or, in check mode, would); ``changed``:
    the changed count of the recap; ``stats``: the recap per host; ``failures``: each failed
    task's name and message; ``check_lines``: each role's "check mode: ..." messages.
    """

    def __init__(self, process: subprocess.CompletedProcess) -> None:
        self.rc = process.returncode
        self.stderr = process.stderr
        try:
            self.report = json.loads(process.stdout)
        except ValueError:
            self.report = {"plays": [], "stats": {}, "raw_stdout": process.stdout[-4000:]}
        self.plays = [play["play"]["name"] for play in self.report["plays"]]
        self.stats = self.report.get("stats", {})
        self.failures: list[str] = []
        self.tasks_run: list[str] = []
        self.changed_tasks: set[str] = set()
        self.check_lines: dict[str, list[str]] = {}
        for play in self.report["plays"]:
            for task in play["tasks"]:
                name = task["task"]["name"]
                for result in task["hosts"].values():
                    if not result.get("skipped"):
                        self.tasks_run.append(name)
                    if result.get("changed"):
                        self.changed_tasks.add(name)
                    self._collect(name, result)
                    msg = result.get("msg")
                    if isinstance(msg, str) and msg.startswith("check mode:"):
                        role = name.split(" : ")[0].removeprefix("wsgistack.deploy.")
                        self.check_lines.setdefault(role, []).append(msg)
        self.message = words(" ".join(self.failures))
        self.changed = sum(stats.get("changed", 0) for stats in self.stats.values())
        self.warnings = [line for line in self.stderr.splitlines() if "[WARNING]" in line]

    def _collect(self, name: str, result: Any) -> None:
        """The failure messages of a result and of its loop items."""
        if isinstance(result, dict):
            if result.get("failed") or result.get("unreachable"):
                msg = result.get("msg", "")
                text = " ".join(map(str, msg)) if isinstance(msg, list) else str(msg)
                self.failures.append(f"{name}: {text}")
            for item in result.get("results", []):
                self._collect(name, item)

    def summary(self) -> str:
        return (
            f"rc={self.rc} plays={self.plays} stats={self.stats}\nfailures:\n"
            + "\n".join(self.failures or ["(none)"])
            + ("\ncheck-mode lines:\n" + json.dumps(self.check_lines, indent=1))
            + f"\nstderr (end):\n{self.stderr[-2000:]}"
            + "\nstdout (end):\n"
            + self.report.get("raw_stdout", "(the JSON report)")
        )


def ansible_playbook(inventory: Path, playbook: str | Path, *args: str, timeout: int = 900) -> Run:
    """Run a playbook of this checkout as a user would, reporting in JSON.

    ``playbook`` is relative to the checkout, or absolute; the run's ansible.cfg is written
    beside the inventory.
    """
    config = inventory.parent / "ansible.cfg"
    config.write_text(
        "[defaults]\n"
        "stdout_callback = ansible.posix.json\n"
        "interpreter_python = auto_silent\n"
        "retry_files_enabled = False\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "ANSIBLE_CALLBACKS_ENABLED"}
    env.update(ANSIBLE_CONFIG=str(config), ANSIBLE_NOCOLOR="1")
    command = [tool("ansible-playbook"), "-i", str(inventory), str(REPO / playbook), *args]
    # A play of ours that warns is a defect: the runs keep stderr for the tests to read.
    process = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    return Run(process)
