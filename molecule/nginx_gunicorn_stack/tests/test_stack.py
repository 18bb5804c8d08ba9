"""A stack playbook end to end, through the front door: front server -> app -> PostgreSQL.

Shared by the stack scenarios (molecule/<stack>_stack/tests/test_stack.py links here); what
differs between the stacks is in STACKS, keyed by the scenario's name.
"""

import os
import shlex
import uuid

import pytest

APPS = {"guestbook": "guestbook.localhost", "notes": "notes.localhost"}
FRONT = "http://127.0.0.1/"
STACKS = {
    "nginx_gunicorn_stack": {
        "server": "nginx",
        "software": "gunicorn",
        "process": "gunicorn",
        "service": "gunicorn-{app}",
        # The first app is nginx's default server: unknown host names reach it.
        "unknown_host": (200, "Guestbook (wsgistack.deploy demo)"),
    },
    "apache_modwsgi_stack": {
        "server": "Apache",
        "software": "Apache",
        "process": "(wsgi:{app})",
        "service": "apache2",
        # Apache's catch-all vhost refuses names no app claims.
        "unknown_host": (403, ""),
    },
}
STACK = STACKS[os.environ["MOLECULE_SCENARIO_NAME"]]


def test_post_through_nginx_writes_postgresql_and_get_lists_it(host, http):
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
    assert info["sys_prefix"] == f"/srv/{app}/venv"
    assert STACK["software"] in info["server_software"]


def test_unknown_host_names(http):
    status, text = STACK["unknown_host"]
    response = http("GET", FRONT, "")
    assert response.status == status
    assert text in response.text


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
