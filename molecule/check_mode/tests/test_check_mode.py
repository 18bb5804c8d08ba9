"""Check mode on a fresh host (project issue 8).

Each stack playbook runs as a user runs it - ``ansible-playbook -i <inventory>
playbooks/<stack>.yml --check --diff`` on the controller - against this scenario's fresh
container (in both tiers; the local inventory's two apps). Each run must

- end with rc 0 and, in the recap, failed=0 and unreachable=0;
- predict the changes it can (the packages, the venvs, the CPython build...);
- still run the checks that can run (argument specs, validate.yml, the venvs' preflight);
- print one ``check mode: ..., so ... are not predicted.`` line per role that cannot predict
  everything (one per venv for the virtualenv role, which runs once per app), naming why;
- change nothing on the host: the same packages, users and groups, and no file created,
  changed or removed under the directories a deployment writes.

The roles on their own are run the same way (standalone.yml). Two controls show that these
assertions can fail: check mode did not stop checking (missing_venv.yml: an app's venv that
nothing would make is still refused, before anything else), and the detector of changes reports
changes made on purpose (a file, a user, a directory in /var).
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path
from typing import Any

import evidence
import pytest
from playbook_run import Run, ansible_playbook

SCENARIO = Path(__file__).resolve().parents[1]
REPO = SCENARIO.parents[1]
STAMP = "/run/wsgistack-check-mode.stamp"
# Where a deployment writes: packages, configuration, accounts, apps, venvs, data, the built
# CPython, caches; and the entries of /var (a new directory such as /var/www). Not /var/log:
# apt logs its solver's input there even when it only simulates (trixie), which check mode does.
WATCHED = ("/etc", "/opt", "/srv", "/home", "/usr", "/var/lib", "/var/cache", "/var/www")
PACKAGES = "dpkg-query -W -f '${Package} ${Version} ${Status}\\n'"
APPS = ("guestbook", "notes")

# Per stack: role -> words its one "check mode:" line must hold (virtualenv: one per app).
LINES = {
    "postgres_pghba": ("PostgreSQL is not installed yet", "pg_hba.conf"),
    "virtualenv": ("does not exist yet", "the packages"),
    "nginx_gunicorn": ("nginx -t", "starting nginx", "gunicorn-guestbook, gunicorn-notes"),
    "apache_modwsgi": ("Apache is not installed yet", "apachectl configtest", ".wsgi files"),
    "python_build": ("would build CPython 3.13.5 into /opt/python/3.13.5", "make"),
}
STACKS = {
    "nginx_gunicorn": {
        "roles": ("postgres_pghba", "virtualenv", "nginx_gunicorn"),
        # Predicted changes (a real run makes them on this host).
        "changed": (
            "wsgistack.deploy.postgres_pghba : Install the PostgreSQL server (Debian)",
            "wsgistack.deploy.virtualenv : Create the venv",
            "wsgistack.deploy.nginx_gunicorn : Install nginx (Debian)",
            "wsgistack.deploy.nginx_gunicorn : Write each app's systemd service",
        ),
        # Checks that must still run in check mode (not skipped).
        "ran": (
            "wsgistack.deploy.postgres_pghba : Render pg_hba rules with the pg_hba_layout and "
            "pg_hba_lines filters",
            "wsgistack.deploy.virtualenv : Fail when a file does not exist",
            "wsgistack.deploy.nginx_gunicorn : Check each app's settings",
            "wsgistack.deploy.nginx_gunicorn : Check that each app's virtualenv exists",
        ),
    },
    "apache_modwsgi": {
        "roles": ("postgres_pghba", "virtualenv", "apache_modwsgi"),
        "changed": (
            "wsgistack.deploy.postgres_pghba : Install the PostgreSQL server (Debian)",
            "wsgistack.deploy.virtualenv : Create the venv",
            "wsgistack.deploy.apache_modwsgi : Install Apache, mod_wsgi and TLS support (Debian)",
        ),
        "ran": (
            "wsgistack.deploy.virtualenv : Fail when the interpreter does not run",
            "wsgistack.deploy.apache_modwsgi : Check the apps and the server-wide settings",
            "wsgistack.deploy.apache_modwsgi : Find the Python version mod_wsgi runs",
            "wsgistack.deploy.apache_modwsgi : Check that each venv exists and matches mod_wsgi's "
            "Python",
        ),
    },
    "shared_host": {
        "roles": ("python_build", "postgres_pghba", "virtualenv", "apache_modwsgi"),
        "changed": (
            "wsgistack.deploy.python_build : Report what a real run would do (check mode)",
            "wsgistack.deploy.postgres_pghba : Install the PostgreSQL server (Debian)",
            "wsgistack.deploy.virtualenv : Create the venv",
            "wsgistack.deploy.apache_modwsgi : Install Apache, mod_wsgi and TLS support (Debian)",
        ),
        "ran": (
            "wsgistack.deploy.python_build : Check the variables",
            "wsgistack.deploy.python_build : Inspect the prefix in one read-only call",
            "wsgistack.deploy.virtualenv : Fail when a file does not exist",
            "wsgistack.deploy.apache_modwsgi : Check that each venv exists and matches mod_wsgi's "
            "Python",
        ),
    },
}


# ------------------------------------------------------------------ running a playbook


def check_run(playbook: Path, *args: str, tmp_path: Path) -> Run:
    """Run a playbook against this scenario's inventory, from a copy of it in tmp_path."""
    inventory = tmp_path / "inventory"
    shutil.copytree(Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "inventory"), inventory)
    return ansible_playbook(inventory, playbook, *args, timeout=2400)


# ------------------------------------------------------------------ the host's state


def output(host, command: str) -> str:
    result = host.run(command)
    assert result.rc == 0, f"{command}: {result.stderr}"
    return result.stdout


def state(host) -> dict[str, set[str]]:
    """The installed packages, the accounts and /var (never none: two empty reads are equal)."""
    found = {
        "packages": set(output(host, PACKAGES).splitlines()),
        "users": set(output(host, "getent passwd").splitlines()),
        "groups": set(output(host, "getent group").splitlines()),
        "var": set(output(host, "ls -A /var").splitlines()),
    }
    assert all(found.values()), (
        f"nothing read: {[key for key, lines in found.items() if not lines]}"
    )
    return found


def snapshot(host) -> dict[str, set[str]]:
    """Stamp the time (for the files), then record the packages and accounts."""
    output(host, f"touch {STAMP}")
    return state(host)


def changes(host, before: dict[str, set[str]]) -> dict[str, Any]:
    """Everything that differs from the snapshot; empty when the host is untouched."""
    after = state(host)
    found: dict[str, Any] = {}
    for key, lines in before.items():
        added, removed = sorted(after[key] - lines), sorted(lines - after[key])
        if added or removed:
            found[key] = {"added": added, "removed": removed}
    script = (
        f"for d in {' '.join(WATCHED)}; do"
        f" if [ -e $d ]; then find $d -xdev -cnewer {STAMP} -print || exit 1; fi; done"
    )
    files = output(host, f"sh -c {shlex.quote(script)}").splitlines()
    if files:
        found["files"] = files
    return found


# ------------------------------------------------------------------ the cases


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_check_mode_on_a_fresh_host_runs_to_the_end(host, tmp_path, stack):
    expected = STACKS[stack]
    before = snapshot(host)
    run = check_run(REPO / "playbooks" / f"{stack}.yml", "--check", "--diff", tmp_path=tmp_path)
    assert run.rc == 0, run.summary()
    assert run.stats, run.summary()
    for name, stats in run.stats.items():
        assert stats["failures"] == 0 and stats["unreachable"] == 0, f"{name}: {run.summary()}"
    missing = [task for task in expected["changed"] if task not in run.changed_tasks]
    assert not missing, f"not predicted as changes: {missing}\n{run.summary()}"
    skipped = [task for task in expected["ran"] if task not in run.tasks_run]
    assert not skipped, f"checks that did not run in check mode: {skipped}\n{run.summary()}"
    # One line per role (per venv for virtualenv), naming what is not predicted and why.
    assert sorted(run.check_lines) == sorted(expected["roles"]), run.summary()
    for role, lines in run.check_lines.items():
        assert len(lines) == (len(APPS) if role == "virtualenv" else 1), (role, lines)
        for line in lines:
            assert "not predicted" in line, (role, line)
            missing = evidence.missing(LINES[role], line)
            assert not missing, (role, missing, line)
    assert changes(host, before) == {}, f"check mode changed the host: {run.summary()}"


def test_the_roles_on_their_own_run_in_check_mode(host, tmp_path):
    before = snapshot(host)
    run = check_run(SCENARIO / "standalone.yml", "--check", "--diff", tmp_path=tmp_path)
    assert run.rc == 0, run.summary()
    assert run.stats, run.summary()  # the loop below checks every host of the recap: not none
    for name, stats in run.stats.items():
        assert stats["failures"] == 0 and stats["unreachable"] == 0, f"{name}: {run.summary()}"
    assert sorted(run.check_lines) == ["postgres_pghba", "virtualenv"], run.summary()
    assert "PostgreSQL is not installed yet" in run.check_lines["postgres_pghba"][0]
    assert "/opt/standalone/venv does not exist yet" in run.check_lines["virtualenv"][0]
    assert "wsgistack.deploy.virtualenv : Create the venv" in run.changed_tasks, run.summary()
    assert changes(host, before) == {}, f"check mode changed the host: {run.summary()}"


def test_check_mode_still_refuses_a_venv_nothing_would_make(host, tmp_path):
    before = snapshot(host)
    run = check_run(SCENARIO / "missing_venv.yml", "--check", tmp_path=tmp_path)
    assert run.rc != 0, run.summary()
    message = " ".join(" ".join(failure.split()) for failure in run.failures)
    assert (
        "nginx_gunicorn_apps[0].venv: /srv/orphan/venv is not a virtualenv (no pyvenv.cfg and "
        "bin/python). Create the virtualenv with the app installed first" in message
    ), run.summary()
    # Refused in the preflight: nothing was even predicted.
    assert "wsgistack.deploy.nginx_gunicorn : Install nginx (Debian)" not in run.tasks_run, (
        run.summary()
    )
    assert changes(host, before) == {}


def test_the_detector_sees_a_file_a_user_and_a_new_directory_in_var(host):
    before = snapshot(host)
    make = (
        "set -e; mkdir /srv/check-mode-probe; useradd --system check-mode-probe;"
        " mkdir /var/check-mode-probe"
    )
    try:
        output(host, f"sh -c {shlex.quote(make)}")
        found = changes(host, before)
    finally:
        host.run("userdel check-mode-probe; rmdir /srv/check-mode-probe /var/check-mode-probe")
    assert "/srv/check-mode-probe" in found.get("files", [])
    assert any(line.startswith("check-mode-probe:") for line in found["users"]["added"])
    assert found["var"]["added"] == ["check-mode-probe"]
