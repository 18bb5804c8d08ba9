"""A stack playbook end to end, through the front door: front server -> app -> PostgreSQL.

Shared by the stack scenarios (molecule/<stack>_stack/tests/test_stack.py links here); what
differs between the stacks is in STACKS, keyed by the scenario's name.
"""

import os
import re
import shlex
import subprocess
import uuid
from pathlib import Path

import pytest

APPS = {"guestbook": "guestbook.localhost", "notes": "notes.localhost"}
FRONT = "http://127.0.0.1/"
STACKS = {
    "nginx_gunicorn_stack": {
        "server": "nginx",
        "software": "gunicorn",
        "process": "gunicorn",
        "service": "gunicorn-{app}",
        "python": "/usr/bin/python3",
        "sys_prefix": "/srv/{app}/venv",
        # Shared objects the app's processes must (not) have mapped.
        "maps": [],
        "not_maps": [],
        # guestbook's requirements pin gunicorn 23, which it keeps; notes gets the role's pin.
        "app_server": {"guestbook": "gunicorn/23.", "notes": "gunicorn/27.0.1"},
        "venvs": [],
    },
    "apache_modwsgi_stack": {
        "server": "Apache",
        "software": "Apache",
        "process": "(wsgi:{app})",
        "service": "apache2",
        "python": "/usr/bin/python3",
        "sys_prefix": "/srv/{app}/venv",
        # Debian's mod_wsgi, built for the system python3.
        "maps": ["/usr/lib/apache2/modules/mod_wsgi.so"],
        "not_maps": [],
        "app_server": {"guestbook": "Apache", "notes": "Apache"},
        "venvs": [],
    },
    "shared_host_stack": {
        "server": "Apache",
        "software": "Apache",
        "process": "(wsgi:{app})",
        "service": "apache2",
        # Seed 000's point: an interpreter the distribution does not ship (3.13 on Debian 12,
        # whose python3 is 3.11), built into its own prefix.
        "python": "/opt/python/3.13.5/bin/python3.13",
        # Seed 000: the daemon runs the built interpreter (python-home = its prefix) and
        # the .wsgi puts the app's venv first on sys.path.
        "sys_prefix": "/opt/python/3.13.5",
        # mod_wsgi compiled by pip against the built interpreter, and that
        # interpreter's shared libpython (not the system's).
        "maps": [
            "/opt/wsgistack/mod_wsgi/lib/python3.13/site-packages/mod_wsgi/server/mod_wsgi-py313",
            "/opt/python/3.13.5/lib/libpython3.13.so.1.0",
        ],
        "not_maps": [
            "/usr/lib/apache2/modules/mod_wsgi.so",
            "/usr/lib/x86_64-linux-gnu/libpython3",
        ],
        "app_server": {"guestbook": "Apache", "notes": "Apache"},
        # The venv mod_wsgi is compiled in.
        "venvs": ["/opt/wsgistack/mod_wsgi"],
    },
}
STACK = STACKS[os.environ["MOLECULE_SCENARIO_NAME"]]


def test_post_through_the_front_server_writes_postgresql_and_get_lists_it(host, http):
    marker = f"molecule-{uuid.uuid4()}"
    posted = http("POST", FRONT, APPS["guestbook"], {"name": "molecule", "message": marker})
    assert posted.status == 303
    listed = http("GET", FRONT, APPS["guestbook"])
    assert listed.status == 200
    assert marker in listed.text
    # The row is in guestbook's own PostgreSQL database, and only there.
    # psql quotes the value itself (:'marker'); variables are interpolated on stdin.
    query = "SELECT count(*) FROM entries WHERE message = :'marker'"
    rows = host.check_output(
        f"echo {shlex.quote(query)} | sudo -u postgres psql -d guestbook -tA -v marker={marker}"
    )
    assert rows.strip() == "1"
    assert marker not in http("GET", FRONT, APPS["notes"]).text


@pytest.mark.parametrize("app", sorted(APPS))
def test_health_runs_a_query_on_postgresql(http, app):
    response = http("GET", FRONT + "health", APPS[app])
    assert response.status == 200
    health = response.json()
    assert health["status"] == "ok"
    assert health["database"] == "postgresql"


@pytest.mark.parametrize("app", sorted(APPS))
def test_each_app_runs_as_its_own_user_from_its_own_venv(http, app):
    info = http("GET", FRONT + "info", APPS[app]).json()
    assert info["user"] == app
    assert info["uid"] != 0
    assert info["sys_prefix"] == STACK["sys_prefix"].format(app=app)
    assert info["flask_file"].startswith(f"/srv/{app}/venv/lib/")
    assert STACK["software"] in info["server_software"]


@pytest.mark.parametrize("app", sorted(APPS))
def test_the_app_runs_on_the_intended_interpreter(host, http, app):
    """Version and installation prefix reported by the app are those of STACK["python"]."""
    info = http("GET", FRONT + "info", APPS[app]).json()
    expected = host.check_output(
        STACK["python"] + " -c 'import platform, sys; print(platform.python_version(), sys.prefix)'"
    ).split()
    assert [info["python_version"], info["sys_base_prefix"]] == expected
    # A process of the app lists its own mappings: they are not readable from outside (mod_wsgi's
    # daemons are not dumpable, and the container has no CAP_SYS_PTRACE).
    maps = http("GET", FRONT + "info/libraries", APPS[app]).json()
    loaded = "\n".join(maps["libraries"])
    for library in STACK["maps"]:
        assert library in loaded, f"{library} is not loaded by {app}'s process: {maps['libraries']}"
    for library in STACK["not_maps"]:
        assert library not in loaded, f"{library} is loaded by {app}'s process: {maps['libraries']}"


@pytest.mark.parametrize("app", sorted(APPS))
def test_a_built_interpreter_is_not_the_systems(host, http, app):
    """Where the stack builds CPython, the app answers from another minor than /usr/bin/python3.

    On Debian 12 the shared host builds 3.13 while the system has 3.11, so a stack that fell
    back to the system interpreter fails here; the other stacks run the system's own.
    """
    code = "import platform; print(platform.python_version())"
    system = host.check_output(f"/usr/bin/python3 -c {code!r}").split(".")[:2]
    served = http("GET", FRONT + "info", APPS[app]).json()["python_version"].split(".")[:2]
    if STACK["python"] == "/usr/bin/python3":
        assert served == system
    else:
        assert served != system, f"{app} runs Python {served}, the system's minor"


@pytest.mark.parametrize("app", sorted(APPS))
def test_each_app_keeps_its_own_app_server_pin(http, app):
    """guestbook's requirements pin gunicorn 23: the stack serves it with that, not its own."""
    software = http("GET", FRONT + "info", APPS[app]).json()["server_software"]
    assert software.startswith(STACK["app_server"][app]), software


@pytest.mark.parametrize("venv", [f"/srv/{app}/venv" for app in sorted(APPS)] + STACK["venvs"])
def test_pip_check_passes_in_every_venv(host, venv):
    result = host.run(f"{venv}/bin/python -m pip check")
    assert result.rc == 0, result.stdout + result.stderr
    assert "No broken requirements found." in result.stdout


def test_unknown_host_names(http):
    # guestbook is described with default_server: true, which every stack honours (the
    # Apache stacks load its site first instead of the catch-all that answers 403).
    response = http("GET", FRONT, "")
    assert response.status == 200
    assert "Guestbook (wsgistack.deploy demo)" in response.text


@pytest.mark.parametrize("app", sorted(APPS))
def test_static_files_come_from_the_front_server_not_the_app(http, app):
    static = http("GET", FRONT + "static/style.css", APPS[app])
    assert static.status == 200
    assert "x-guestbook-app" not in static.headers
    assert static.headers["server"] == STACK["server"]
    dynamic = http("GET", FRONT + "health", APPS[app])
    assert dynamic.headers["x-guestbook-app"] == "1"


@pytest.mark.parametrize("app", sorted(APPS))
def test_the_app_server_runs_as_the_app_user(host, app):
    marker = STACK["process"].format(app=app)
    processes = [p for p in host.process.filter(user=app) if marker in p.args]
    assert processes, f"no {marker} process runs as {app}"
    assert host.service(STACK["service"].format(app=app)).is_running


@pytest.mark.parametrize("app", sorted(APPS))
def test_the_app_cannot_write_its_code_or_venv(host, app):
    for path in (f"/srv/{app}/src", f"/srv/{app}/venv", f"/srv/{app}/venv/bin"):
        attempt = host.run(f"sudo -u {app} touch {path}/written-by-app")
        assert attempt.rc != 0, f"{app} could write to {path}"
    assert host.run(f"sudo -u {app} touch /var/lib/{app}/written-by-app").rc == 0


def test_check_mode_on_the_converged_host_predicts_no_change():
    """`ansible-playbook --check --diff` of the stack playbook: no change, no failure."""
    stack = os.environ["MOLECULE_SCENARIO_NAME"].removesuffix("_stack")
    result = subprocess.run(
        [
            "ansible-playbook",
            "-i",
            str(Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "inventory")),
            str(Path(os.environ["MOLECULE_PROJECT_DIRECTORY"], "playbooks", f"{stack}.yml")),
            "--check",
            "--diff",
        ],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    # molecule forces Ansible's colours on unless told otherwise (tools/test.sh does).
    stdout = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    tail = stdout[-4000:] + result.stderr[-2000:]
    assert result.returncode == 0, tail
    recap = re.findall(
        r"^(\S+)\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)",
        stdout,
        re.MULTILINE,
    )
    assert recap, tail
    # Each task that would change, with its diff: the tail alone may not reach back to it.
    changes = [
        block
        for block in re.split(r"(?m)^(?=TASK \[|RUNNING HANDLER \[)", stdout)
        if re.search(r"(?m)^changed: ", block)
    ]
    assert [(host, "0", "0", "0") for host, *_counts in recap] == recap, "\n".join(changes) or tail
