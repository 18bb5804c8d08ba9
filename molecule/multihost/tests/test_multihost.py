"""The multi-host tier: one database host, two web hosts, one host in neither group.

testinfra's ``host`` is the outsider: the client that reaches each web host's nginx over the
private network, and the host that pg_hba refuses. The other hosts come from ``platform``.
"""

import json
import shlex
import uuid
from pathlib import Path

import pytest
import yaml

SCENARIO = Path(__file__).resolve().parent.parent
# The database password of the guestbook app (inventories/local/group_vars/all/apps.yml).
PASSWORD = yaml.safe_load((SCENARIO / "group_vars/all/secrets.yml").read_text())[
    "wsgistack_demo_db_password"
]
TIER = yaml.safe_load((SCENARIO / "group_vars/wsgistack_web/database.yml").read_text())
CA = TIER["wsgistack_database_sslrootcert"]
APPS = {"guestbook": "guestbook.localhost", "notes": "notes.localhost"}
WEB = ("web1", "web2")

# Runs on a web host as root: connects with the app's own URL (from its environment file) and
# driver, optionally with another sslmode; prints what the server saw, or the error.
CONNECT = r"""
import json, shlex, sys
import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
env = dict(shlex.split(line)[0].split("=", 1) for line in open(sys.argv[1])
           if line.strip() and not line.startswith("#"))
params = conninfo_to_dict(env["GUESTBOOK_DATABASE_URL"])
shown = {k: v for k, v in params.items() if k != "password"}
if sys.argv[2]:
    params["sslmode"] = sys.argv[2]
try:
    with psycopg.connect(make_conninfo(**params), connect_timeout=10) as conn:
        row = conn.execute(
            "SELECT s.ssl, host(inet_client_addr()), current_user"
            " FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()").fetchone()
    print(json.dumps({"url": shown, "ssl": row[0], "client": row[1], "user": row[2]}))
except psycopg.OperationalError as error:
    print(json.dumps({"url": shown, "error": str(error)}))
"""


@pytest.fixture(scope="module")
def address(platform):
    """address(suffix) -> the host's default IPv4 address (the one its facts report)."""
    known = {}

    def get(suffix):
        if suffix not in known:
            route = platform(suffix).check_output("ip -4 -o route get 8.8.8.8").split()
            known[suffix] = route[route.index("src") + 1]
        return known[suffix]

    return get


@pytest.fixture(scope="module")
def db(platform):
    return platform("db")


def as_postgres(db, sql):
    return db.check_output("sudo -u postgres psql -X -A -t -F '|' -c %s", sql)


@pytest.mark.parametrize(("writer", "reader"), [("web1", "web2"), ("web2", "web1")])
def test_a_row_posted_through_one_web_host_is_listed_through_the_other(
    http, address, db, writer, reader
):
    marker = f"multihost-{writer}-{uuid.uuid4()}"
    posted = http(
        "POST", f"http://{address(writer)}/", APPS["guestbook"], {"name": writer, "message": marker}
    )
    assert posted.status == 303
    listed = http("GET", f"http://{address(reader)}/", APPS["guestbook"])
    assert listed.status == 200
    assert marker in listed.text
    # One row, in the one database on the database host.
    query = "SELECT count(*) FROM entries WHERE message = :'marker'"
    rows = db.check_output(
        f"echo {shlex.quote(query)} | sudo -u postgres psql -d guestbook -tA -v marker={marker}"
    )
    assert rows.strip() == "1"


@pytest.mark.parametrize("web", WEB)
@pytest.mark.parametrize("app", sorted(APPS))
def test_each_web_host_serves_each_app_from_postgresql(http, address, web, app):
    response = http("GET", f"http://{address(web)}/health", APPS[app])
    assert response.status == 200
    assert response.headers["x-guestbook-app"] == "1"
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "postgresql"


@pytest.mark.parametrize("web", WEB)
def test_the_app_reaches_the_database_host_over_verified_tls(platform, address, web):
    host = platform(web)
    assert not host.package("postgresql").is_installed
    command = "/srv/guestbook/venv/bin/python -c %s /etc/gunicorn/guestbook.env %s"
    seen = json.loads(host.check_output(command, CONNECT, ""))
    assert seen["url"] == {
        "user": "guestbook",
        "host": address("db"),
        "dbname": "guestbook",
        "sslmode": "verify-full",
        "sslrootcert": CA,
    }
    assert seen.get("error") is None
    assert (seen["ssl"], seen["client"], seen["user"]) == (True, address(web), "guestbook")
    # Without TLS the same role, password and host find no rule that admits them.
    plain = json.loads(host.check_output(command, CONNECT, "disable"))
    assert (
        f'pg_hba.conf rejects connection for host "{address(web)}", user "guestbook", '
        'database "guestbook", no encryption'
    ) in plain["error"]


def test_pg_hba_admits_exactly_the_web_hosts_one_address_each(db, address):
    rules = as_postgres(
        db,
        "SELECT type, database, user_name, address, netmask, auth_method"
        " FROM pg_hba_file_rules WHERE type <> 'local' AND auth_method <> 'reject'"
        " AND address NOT IN ('127.0.0.1', '::1') ORDER BY line_number",
    ).splitlines()
    assert rules == [
        f"hostssl|{{{app}}}|{{{app}}}|{address(web)}|255.255.255.255|scram-sha-256"
        for app in sorted(APPS)
        for web in WEB
    ]
    assert as_postgres(db, "SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL") == "0"


def test_postgresql_listens_on_its_address_with_tls(db, address):
    listen = as_postgres(db, "SHOW listen_addresses")
    assert [part.strip() for part in listen.split(",")] == ["localhost", address("db")]
    assert as_postgres(db, "SHOW ssl") == "on"
    assert db.socket(f"tcp://{address('db')}:5432").is_listening


def test_a_host_outside_the_web_group_is_refused_by_pg_hba(host, address):
    """The outsider has the right password and reaches the port; pg_hba.conf turns it away."""
    assert host.run("timeout 5 bash -c %s", f"exec 3<>/dev/tcp/{address('db')}/5432").rc == 0
    outsider = address("outsider")
    for sslmode, encryption in (("require", "SSL encryption"), ("disable", "no encryption")):
        conninfo = f"host={address('db')} user=guestbook dbname=guestbook sslmode={sslmode}"
        result = host.run("PGPASSWORD=%s psql -X -w -A -t %s -c 'SELECT 1'", PASSWORD, conninfo)
        assert result.rc != 0
        # The owner-confinement rule (roles/postgres_pghba) rejects the app's role from anywhere
        # not listed above it.
        assert (
            f'pg_hba.conf rejects connection for host "{outsider}", user "guestbook", '
            f'database "guestbook", {encryption}'
        ) in result.stderr
    # Any other role finds no rule at all for this host.
    conninfo = f"host={address('db')} user=postgres dbname=postgres sslmode=require"
    result = host.run("psql -X -w -A -t %s -c 'SELECT 1'", conninfo)
    assert result.rc != 0
    assert (
        f'no pg_hba.conf entry for host "{outsider}", user "postgres", database "postgres", '
        "SSL encryption"
    ) in result.stderr
