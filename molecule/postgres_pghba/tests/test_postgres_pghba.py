"""What an application and an operator see of roles/postgres_pghba after converge."""

from pathlib import Path

import pytest
import yaml

VARS = yaml.safe_load((Path(__file__).parent.parent / "vars" / "main.yml").read_text())
DATABASES = {db["name"]: db for db in VARS["postgres_pghba_databases"]}
SOCKET = "/var/run/postgresql"


def psql(
    host, user, password, database, *, sql="SELECT current_user", server=SOCKET, sslmode="prefer"
):
    """Connect like the application: libpq with a password (never peer)."""
    conninfo = f"host={server} user={user} dbname={database} sslmode={sslmode}"
    return host.run("PGPASSWORD=%s psql -X -A -t -w %s -c %s", password, conninfo, sql)


def as_postgres(host, sql):
    return host.run("sudo -u postgres psql -X -A -t -c %s", sql)


@pytest.fixture(scope="module")
def hba_file(host):
    return as_postgres(host, "SHOW hba_file").stdout.strip()


def test_server_running_and_enabled(host):
    service = host.service("postgresql")
    assert service.is_running
    assert service.is_enabled


def test_app_role_connects_over_socket_with_password(host):
    db = DATABASES["guestbook"]
    result = psql(host, db["owner"], db["password"], db["name"])
    assert result.rc == 0, result.stderr
    assert result.stdout.strip() == "guestbook"


def test_wrong_password_is_refused(host):
    result = psql(host, "guestbook", "wrong-password", "guestbook")
    assert result.rc != 0
    assert 'password authentication failed for user "guestbook"' in result.stderr


def test_app_role_cannot_connect_to_another_database(host):
    db = DATABASES["guestbook"]
    over_socket = psql(host, db["owner"], db["password"], "otherdb")
    assert over_socket.rc != 0
    assert (
        'pg_hba.conf rejects connection for host "[local]", user "guestbook", database "otherdb"'
        in over_socket.stderr
    )
    over_tcp = psql(
        host, db["owner"], db["password"], "otherdb", server="127.0.0.1", sslmode="require"
    )
    assert over_tcp.rc != 0
    assert (
        'rejects connection for host "127.0.0.1", user "guestbook", database "otherdb"'
        in over_tcp.stderr
    )


def test_postgres_still_connects_by_peer(host):
    result = as_postgres(host, "SELECT current_user")
    assert result.rc == 0, result.stderr
    assert result.stdout.strip() == "postgres"


def test_tcp_scram_over_tls(host):
    db = DATABASES["guestbook"]
    result = psql(
        host,
        db["owner"],
        db["password"],
        db["name"],
        sql="SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        server="127.0.0.1",
        sslmode="require",
    )
    assert result.rc == 0, result.stderr
    assert result.stdout.strip() == "t"


def test_hostssl_only_loopback_refuses_plain_tcp(host):
    db = DATABASES["guestbook"]
    result = psql(
        host, db["owner"], db["password"], db["name"], server="127.0.0.1", sslmode="disable"
    )
    assert result.rc != 0
    assert "no encryption" in result.stderr


def test_passwords_are_scram_and_roles_unprivileged(host):
    result = as_postgres(
        host,
        "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, left(rolpassword, 14)"
        " FROM pg_authid WHERE rolname IN ('guestbook', 'otherapp') ORDER BY 1",
    )
    assert result.stdout.split() == [
        "guestbook|f|f|f|SCRAM-SHA-256$",
        "otherapp|f|f|f|SCRAM-SHA-256$",
    ]
    assert as_postgres(host, "SHOW password_encryption").stdout.strip() == "scram-sha-256"


def test_databases_owned_by_their_roles_with_extensions(host):
    result = as_postgres(
        host,
        "SELECT datname, pg_get_userbyid(datdba) FROM pg_database"
        " WHERE datname IN ('guestbook', 'otherdb') ORDER BY 1",
    )
    assert result.stdout.split() == ["guestbook|guestbook", "otherdb|otherapp"]
    ext = host.run(
        "sudo -u postgres psql -X -A -t -d guestbook -c %s",
        "SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'",
    )
    assert ext.stdout.strip() == "pg_trgm"


def test_listens_on_all_addresses_for_remote_web_hosts(host):
    assert host.socket("tcp://0.0.0.0:5432").is_listening


def test_pg_hba_order(host, hba_file):
    rules = [
        line.split()
        for line in host.file(hba_file).content_string.splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0] == ["local", "all", "postgres", "peer"]
    assert rules[1] == ["hostssl", "guestbook", "guestbook", "10.89.0.0/24", "scram-sha-256"]
    assert rules[2] == ["local", "guestbook", "guestbook", "scram-sha-256"]
    assert ["local", "all", "guestbook,otherapp", "reject"] in rules
    # the distribution's defaults come after the application's rules
    assert rules.index(["local", "all", "all", "peer"]) > rules.index(
        ["local", "all", "guestbook,otherapp", "reject"]
    )
    assert host.file(hba_file).user == "postgres"
    assert not host.file(hba_file).mode & 0o007
    # every line of the live file parses
    errors = as_postgres(host, "SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL")
    assert errors.stdout.strip() == "0"
