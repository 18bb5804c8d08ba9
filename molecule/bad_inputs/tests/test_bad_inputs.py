"""Bad input is rejected before anything on any host changes (project issue 8).

Each case runs what a user runs - ``ansible-playbook -i <inventory> playbooks/<stack>.yml``
on the controller - against this scenario's container (in both tiers), from an inventory
whose group_vars describe the guestbook app as inventories/local does, with one bad value:
in the app description (``wsgistack_apps``) or in a role variable. Each case asserts that

- the run fails and stops in the check of playbooks/parts/check.yml (after the facts of
  parts/addresses.yml, which only reads): no later play started, on any host;
- the failure message names the variable (or the field of the app description) and the fix;
- the host is untouched: the same packages (dpkg-query), the same users and groups (getent),
  and no file created, changed or removed under the directories a deployment writes.

Two controls show that these assertions can fail: the detector reports changes made on
purpose (a file, a user, a package), and the check play passes the good inventory on every
stack without changing anything, so each case fails because of its one bad value.

A checksum mismatch needs the tarball's download and is covered on a real tarball by the
python_build scenario (molecule/python_build/side_effect.yml, "wrong checksum").
"""

from __future__ import annotations

import copy
import os
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import evidence
import pytest
import yaml
from playbook_run import ansible_playbook, words

REPO = Path(__file__).resolve().parents[3]
GUESTBOOK = REPO / "tests" / "apps" / "guestbook"
STACKS = ("nginx_gunicorn", "apache_modwsgi", "shared_host")
CHECK_PLAY = "Check every input before anything changes"
# The check play's first part: the network facts of a database tier apart from the web tier
# (gathered, never changed; parts/addresses.yml).
ADDRESS_PLAY = "Learn the addresses of a database tier apart from the web tier"
STAMP = "/run/wsgistack-bad-inputs.stamp"
# Where a deployment writes: packages, configuration, accounts, apps, venvs, data, the
# built CPython, caches. /var itself shows a new directory there, such as /var/www.
WATCHED = ("/etc", "/opt", "/srv", "/home", "/usr", "/var/lib", "/var/cache", "/var/www")
PACKAGES = "dpkg-query -W -f '${Package} ${Version} ${Status}\\n'"
PIP_OPTION = "--index-url=http://pypi.invalid/ guestbook"
BUILT_PYTHON = "/opt/python/3.13.5/bin/python3.13"  # shared_host's wsgistack_python

# The guestbook as inventories/local/group_vars/all/apps.yml describes it.
APP = {
    "name": "guestbook",
    "source": str(GUESTBOOK),
    "extras": ["postgres"],
    "entry": {"type": "module", "callable": "guestbook.wsgi:application"},
    "server_name": "guestbook.localhost",
    "default_server": True,
    "static": [{"url": "/static", "dir": "src/guestbook/static"}],
    "environment": {"GUESTBOOK_TITLE": "Guestbook"},
    "database": {"password": "bad-inputs-db-password", "url_env": "GUESTBOOK_DATABASE_URL"},
}


def good_vars() -> dict[str, Any]:
    """The inventory's variables: the app, and the CPython the shared_host stack builds."""
    python = REPO / "inventories" / "local" / "group_vars" / "all" / "python.yml"
    return {"wsgistack_apps": [copy.deepcopy(APP)], **yaml.safe_load(python.read_text())}


@dataclass(frozen=True)
class Case:
    id: str
    stack: str
    expect: tuple[str, ...]  # every one must be in the failure message
    app: dict = field(default_factory=dict)  # changes to wsgistack_apps[0]; None removes a key
    set: dict = field(default_factory=dict)  # inventory variables set
    drop: tuple[str, ...] = ()  # inventory variables removed

    def inventory_vars(self) -> dict[str, Any]:
        variables = good_vars()
        for key in self.drop:
            del variables[key]
        variables.update(copy.deepcopy(self.set))
        app = variables["wsgistack_apps"][0]
        for key, value in copy.deepcopy(self.app).items():
            if value is None:
                app.pop(key, None)
            else:
                app[key] = value
        return variables


def rule(**fields: str) -> dict[str, str]:
    return {"type": "host", "databases": "guestbook", "users": "guestbook", **fields}


CASES = [
    # python_build (shared_host): argument_specs, then tasks/validate.yml
    Case(
        "python_build-sha256-missing",
        "shared_host",
        ("missing required arguments: python_build_source_sha256",),
        drop=("python_build_source_sha256",),
    ),
    Case(
        "python_build-sha256-short",
        "shared_host",
        (
            "python_build_source_sha256 must be the sha256 of the tarball, 64 hex digits",
            "got '2411c74bda5bbcfc'",
            "run sha256sum on the file",
        ),
        set={"python_build_source_sha256": "2411c74bda5bbcfc"},
    ),
    Case(
        "python_build-prefix-relative",
        "shared_host",
        ("python_build_prefix must be an absolute directory", "e.g. /opt/python/3.13.5"),
        set={"python_build_prefix": "opt/python/3.13.5"},
    ),
    # postgres_pghba: the pg_hba rules, rendered by the filters before any change
    Case(
        "pg_hba-host-bits-set",
        "nginx_gunicorn",
        ("postgres_pghba_app_rules", "'10.0.1.5/24' has host bits set; use 10.0.1.0/24"),
        set={"postgres_pghba_app_rules": [rule(address="10.0.1.5/24")]},
    ),
    Case(
        "pg_hba-netmask-not-contiguous",
        "apache_modwsgi",
        (
            "postgres_pghba_app_rules",
            "netmask: '255.0.255.0' is not contiguous",
            "use a CIDR address instead",
        ),
        set={"postgres_pghba_app_rules": [rule(address="10.0.1.0", netmask="255.0.255.0")]},
    ),
    Case(
        "pg_hba-rule-shadowed",
        "shared_host",
        (
            "postgres_pghba_app_rules",
            "rule 2 (host guestbook guestbook 10.0.1.0/24 scram-sha-256) can never match",
            "move rule 2 above rule 1 or narrow rule 1",
        ),
        set={
            "postgres_pghba_app_rules": [
                rule(databases="all", users="all", address="10.0.0.0/8"),
                rule(address="10.0.1.0/24"),
            ]
        },
    ),
    Case(
        "pg_hba-trust-not-allowed",
        "nginx_gunicorn",
        (
            "postgres_pghba_app_rules",
            "method: trust lets anyone who can connect log in",
            "use scram-sha-256",
            "set postgres_pghba_allow_trust: true",
        ),
        set={"postgres_pghba_app_rules": [rule(type="local", method="trust")]},
    ),
    # The app description (the wsgi_app_plan filter and the check of the sources)
    Case(
        "app-entry-type-unknown",
        "apache_modwsgi",
        ("wsgistack_apps[0].entry.type: 'uwsgi' is not one of module, django, paste",),
        app={"entry": {"type": "uwsgi", "callable": "guestbook.wsgi:application"}},
    ),
    Case(
        "app-entry-without-callable",
        "nginx_gunicorn",
        (
            "wsgistack_apps[0].entry.callable: 'guestbook.wsgi' is not 'package.module:callable'",
            "(such as 'guestbook.wsgi:application') or an app factory",
        ),
        app={"entry": {"type": "module", "callable": "guestbook.wsgi"}},
    ),
    Case(
        "app-requirements-missing",
        "nginx_gunicorn",
        (
            f"wsgistack_apps[0].requirements: {GUESTBOOK}/requirements/prod.txt is not a file "
            "on the controller",
            "add it to the project",
            "or remove requirements",
        ),
        app={"requirements": "requirements/prod.txt"},
    ),
    Case(
        "app-source-missing",
        "apache_modwsgi",
        (
            f"wsgistack_apps[0].source: {GUESTBOOK}-gone is not a directory on the controller",
            "give the absolute path of the project",
        ),
        app={"source": f"{GUESTBOOK}-gone"},
    ),
    Case(
        "app-user-root",
        "apache_modwsgi",
        (
            "wsgistack_apps[0].user: 'root' is not allowed",
            "the app must run as its own unprivileged user",
        ),
        app={"user": "root"},
    ),
    Case(
        "app-server-user-root",
        "shared_host",
        ("wsgistack_apps[0].app_server.user: set by the plan", "set wsgistack_apps[0].user"),
        app={"app_server": {"user": "root"}},
    ),
    # Strings that reached nginx, Apache or systemd before the app schema proved them inert
    # (project issue 18), and values that meant something else than they said.
    Case(
        "app-server-name-injection",
        "nginx_gunicorn",
        ("wsgistack_apps[0].server_name: 'x.example; return 200 owned; #' is not a host name",),
        app={"server_name": "x.example; return 200 owned; #"},
    ),
    Case(
        "app-static-url-injection",
        "apache_modwsgi",
        ("wsgistack_apps[0].static[0].url: '/s/ { } location /x' is not a URL path",),
        app={"static": [{"url": "/s/ { } location /x", "dir": "src/guestbook/static"}]},
    ),
    Case(
        "app-static-dir-outside-source",
        "shared_host",
        (
            "wsgistack_apps[0].static[0].dir: '../../../../etc' leads outside "
            "/srv/guestbook/src; give a path inside it",
        ),
        app={"static": [{"url": "/static", "dir": "../../../../etc"}]},
    ),
    Case(
        "app-default-server-string",
        "nginx_gunicorn",
        ("wsgistack_apps[0].default_server: expected true or false, got 'false'",),
        app={"default_server": "false"},
    ),
    Case(
        "app-server-environment",
        "apache_modwsgi",
        (
            "wsgistack_apps[0].app_server.environment: set by the plan",
            "set wsgistack_apps[0].environment instead",
        ),
        app={"app_server": {"environment": {"GUESTBOOK_TITLE": "x"}}},
    ),
    Case(
        "app-server-server-names",
        "nginx_gunicorn",
        (
            "wsgistack_apps[0].app_server.server_names: set by the plan",
            "set wsgistack_apps[0].server_name and wsgistack_apps[0].server_aliases instead",
        ),
        app={"app_server": {"server_names": ["guestbook.localhost", "other.localhost"]}},
    ),
    Case(
        "app-host-names-differ-in-case",
        "nginx_gunicorn",
        (
            "wsgistack_apps[1].server_name: 'guestbook.localhost' is already used by "
            "wsgistack_apps[0]; each app needs its own",
        ),
        set={
            "wsgistack_apps": [
                APP,
                {
                    **APP,
                    "name": "notes",
                    "server_name": "GuestBook.localhost",
                    "default_server": False,
                    "database": {**APP["database"], "name": "notes", "user": "notes"},
                },
            ]
        },
    ),
    Case(
        "app-user-www-data",
        "apache_modwsgi",
        ("wsgistack_apps[0].user: 'www-data' is not allowed: it is a system account",),
        app={"user": "www-data"},
    ),
    Case(
        "app-user-malformed",
        "shared_host",
        ("wsgistack_apps[0].user: 'a b:c' is not a user or group name",),
        app={"user": "a b:c"},
    ),
    Case(
        "app-group-root",
        "nginx_gunicorn",
        ("wsgistack_apps[0].group: 'root' is not allowed: it is a system account",),
        app={"group": "root"},
    ),
    Case(
        "app-environment-newline",
        "nginx_gunicorn",
        (
            "wsgistack_apps[0].environment: GUESTBOOK_TITLE contains a line break or NUL; "
            "an environment value is one line of text",
        ),
        app={"environment": {"GUESTBOOK_TITLE": "Guestbook\nExecStart=/bin/sh"}},
    ),
    Case(
        "app-package-is-a-pip-option",
        "apache_modwsgi",
        (f"wsgistack_apps[0].package: {PIP_OPTION!r} is not a pip requirement specifier",),
        app={"source": None, "static": None, "package": PIP_OPTION},
    ),
    Case(
        "app-root-relative",
        "apache_modwsgi",
        ("app_root: 'srv' must be an absolute path (wsgistack_app_root",),
        set={"wsgistack_app_root": "srv"},
    ),
    # virtualenv, nginx_gunicorn, apache_modwsgi: role variables and app server options
    Case(
        "virtualenv-pip-version",
        "nginx_gunicorn",
        ("virtualenv_pip_version: use 'latest', a version such as 25.1.1",),
        set={"virtualenv_pip_version": "newest"},
    ),
    Case(
        "gunicorn-workers-zero",
        "nginx_gunicorn",
        ("nginx_gunicorn_apps[0].workers: 0 is below 1; set a number >= 1",),
        app={"app_server": {"workers": 0}},
    ),
    Case(
        "gunicorn-workers-negative",
        "nginx_gunicorn",
        (
            "nginx_gunicorn_workers: -2 is below 1; set a number >= 1",
            "or leave it unset: CPU cores + 1 with gthread, else 2 * CPU cores + 1",
        ),
        set={"nginx_gunicorn_workers": -2},
    ),
    Case(
        "gunicorn-worker-class-unknown",
        "nginx_gunicorn",
        ("nginx_gunicorn_worker_class must be one of: sync, gthread, gevent, got: eventlet",),
        set={"nginx_gunicorn_worker_class": "eventlet"},
    ),
    Case(
        "gunicorn-tls-cert-relative",
        "nginx_gunicorn",
        ("nginx_gunicorn_tls_cert: 'certs/guestbook.pem' is not an absolute path",),
        set={
            "nginx_gunicorn_tls_cert": "certs/guestbook.pem",
            "nginx_gunicorn_tls_key": "/etc/ssl/private/guestbook.key",
        },
    ),
    Case(
        "modwsgi-processes-zero",
        "apache_modwsgi",
        ("apache_modwsgi_apps[0].processes: 0 is below 1; give at least 1 daemon process",),
        app={"app_server": {"processes": 0}},
    ),
    Case(
        "modwsgi-daemon-options-group",
        "apache_modwsgi",
        (
            "apache_modwsgi_apps[0].daemon_options.group: group is set by the role from the "
            "app's group",
        ),
        app={"app_server": {"daemon_options": {"group": "root"}}},
    ),
    Case(
        "modwsgi-wsgi-dir-relative",
        "shared_host",
        (
            "apache_modwsgi_wsgi_dir: 'wsgi' is not an absolute path",
            "give an absolute path such as /var/www/wsgi-scripts",
        ),
        set={"apache_modwsgi_wsgi_dir": "wsgi"},
    ),
]


# ------------------------------------------------------------------ the inventory


@pytest.fixture
def inventory(tmp_path):
    """inventory(variables) -> a copy of molecule's inventory with these group_vars/all."""

    def make(variables: dict[str, Any]) -> Path:
        directory = tmp_path / "inventory"
        (directory / "group_vars" / "all").mkdir(parents=True)
        shutil.copy(os.environ["MOLECULE_INVENTORY_FILE"], directory / "hosts.yml")
        text = yaml.safe_dump(variables, sort_keys=False, default_flow_style=False)
        (directory / "group_vars" / "all" / "main.yml").write_text("---\n" + text)
        return directory

    return make


# ------------------------------------------------------------------ the host's state


def output(host, command: str) -> str:
    result = host.run(command)
    assert result.rc == 0, f"{command}: {result.stderr}"
    return result.stdout


def state(host) -> dict[str, set[str]]:
    """The installed packages and the accounts (never none: two empty reads are equal)."""
    found = {
        "packages": set(output(host, PACKAGES).splitlines()),
        "users": set(output(host, "getent passwd").splitlines()),
        "groups": set(output(host, "getent group").splitlines()),
    }
    assert all(found.values()), (
        f"nothing read: {[key for key, lines in found.items() if not lines]}"
    )
    return found


def snapshot(host) -> dict[str, set[str]]:
    """Stamp the time (for the files), then record the packages and accounts."""
    output(host, f"touch {STAMP}")
    return state(host)


def changed_files(host) -> list[str]:
    """What was created, changed or removed (its directory) under WATCHED since the stamp."""
    script = (
        f"for d in {' '.join(WATCHED)}; do"
        f" if [ -e $d ]; then find $d -xdev -cnewer {STAMP} -print || exit 1; fi; done;"
        f" find /var -maxdepth 0 -cnewer {STAMP} -print"
    )
    return output(host, f"sh -c {shlex.quote(script)}").splitlines()


def changes(host, before: dict[str, set[str]]) -> dict[str, Any]:
    """Everything that differs from the snapshot; empty when the host is untouched."""
    after = state(host)
    found: dict[str, Any] = {}
    for key, lines in before.items():
        added, removed = sorted(after[key] - lines), sorted(lines - after[key])
        if added or removed:
            found[key] = {"added": added, "removed": removed}
    files = changed_files(host)
    if files:
        found["files"] = files
    return found


# ------------------------------------------------------------------ the cases


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in CASES])
def test_bad_input_is_rejected_before_any_change(host, inventory, case):
    before = snapshot(host)
    run = ansible_playbook(inventory(case.inventory_vars()), f"playbooks/{case.stack}.yml")
    assert run.rc != 0, f"the {case.stack} stack accepted {case.id}:\n{run.summary()}"
    assert run.plays == [ADDRESS_PLAY, CHECK_PLAY], (
        f"{case.id}: the run went past the check play:\n{run.summary()}"
    )
    # evidence.missing refuses an empty expectation, which any message (even none) meets.
    missing = evidence.missing([words(text) for text in case.expect], run.message)
    assert not missing, f"{case.id}: {missing} not in the failure message:\n{run.summary()}"
    assert changes(host, before) == {}, f"{case.id}: the rejected run changed the host"


# ------------------------------------------------------------------ the controls


def test_the_detector_sees_a_file_a_user_and_a_package(host):
    before = snapshot(host)
    make = (
        "set -e; mkdir /srv/bad-inputs-probe; useradd --system bad-inputs-probe;"
        " d=$(mktemp -d); mkdir $d/DEBIAN; printf '%s\\n' 'Package: bad-inputs-probe'"
        " 'Version: 1.0' 'Architecture: all' 'Maintainer: wsgistack <ci@example.invalid>'"
        " 'Description: probe' > $d/DEBIAN/control; dpkg-deb --build $d /run/probe.deb >/dev/null;"
        " dpkg -i /run/probe.deb >/dev/null; rm -r $d /run/probe.deb"
    )
    try:
        output(host, f"sh -c {shlex.quote(make)}")
        found = changes(host, before)
    finally:
        host.run(
            "dpkg --purge bad-inputs-probe; userdel bad-inputs-probe; rmdir /srv/bad-inputs-probe"
        )
    assert "/srv/bad-inputs-probe" in found.get("files", [])
    assert any(line.startswith("bad-inputs-probe:") for line in found["users"]["added"])
    assert any(line.startswith("bad-inputs-probe 1.0 ") for line in found["packages"]["added"])


@pytest.mark.parametrize("stack", STACKS)
def test_the_check_play_passes_good_input_and_changes_nothing(host, inventory, stack):
    before = snapshot(host)
    extra = ["-e", f"wsgistack_stack={stack}"]
    if stack == "shared_host":
        extra += ["-e", f"wsgistack_python={BUILT_PYTHON}"]
    run = ansible_playbook(inventory(good_vars()), "playbooks/parts/check.yml", *extra)
    assert run.rc == 0, run.summary()
    assert run.plays == [ADDRESS_PLAY, CHECK_PLAY]
    # Every role's checks ran (not skipped).
    app_server = "apache_modwsgi" if stack == "shared_host" else stack
    expected = {
        f"wsgistack.deploy.{role} : {task}"
        for role, task in [
            ("postgres_pghba", "Check the variables that argument_specs cannot check"),
            (
                "postgres_pghba",
                "Render pg_hba rules with the pg_hba_layout and pg_hba_lines filters",
            ),
            ("virtualenv", "Check the variables"),
            ("nginx_gunicorn", "Check each app's settings"),
            ("apache_modwsgi", "Check the apps and the server-wide settings"),
            ("python_build", "Check the variables"),
            ("python_build", "Inspect the prefix in one read-only call"),
            ("selinux", "Check the variables that argument_specs cannot check"),
        ]
        if role not in STACKS or role == app_server
        if role != "python_build" or stack == "shared_host"
    }
    assert expected <= set(run.tasks_run), run.tasks_run
    assert changes(host, before) == {}
