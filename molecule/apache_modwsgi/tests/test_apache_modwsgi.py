"""What a user of the apache_modwsgi scenario's host sees, asked through Apache with curl."""

from __future__ import annotations

import json
import uuid
from typing import Any

import evidence
import pytest

WSGI_DIR = "/var/www/wsgi-scripts"
GUESTBOOK = "guestbook.test"
GUESTBOOK2 = "guestbook2.test"
CSS = "/var/www/apps/guestbook/src/guestbook/static/style.css"
CSS2 = "/var/www/apps/guestbook2/src/guestbook/static/style.css"


class Response:
    def __init__(self, raw: str) -> None:
        head, _sep, self.body = raw.partition("\r\n\r\n")
        status_line, *lines = head.split("\r\n")
        self.status = int(status_line.split()[1])
        self.headers = {}
        for line in lines:
            key, _sep, value = line.partition(":")
            self.headers[key.strip().lower()] = value.strip()

    def json(self) -> Any:
        return json.loads(self.body)


def fetch(
    host: Any,
    name: str,
    path: str,
    *,
    https: bool = False,
    method: str | None = None,
    form: dict[str, str] | None = None,
    headers: tuple[str, ...] = (),
) -> Response:
    """One request through Apache on 127.0.0.1, for the virtual host ``name``."""
    args = ["curl", "-sS", "-i", "--max-time", "60"]
    if https:
        args += ["-k", "--resolve", f"{name}:443:127.0.0.1"]
        url = f"https://{name}{path}"
    else:
        args += ["-H", f"Host: {name}"]
        url = f"http://127.0.0.1{path}"
    for header in headers:
        args += ["-H", header]
    for key, value in (form or {}).items():
        args += ["--data-urlencode", f"{key}={value}"]
    if method:
        args += ["-X", method]
    result = host.run(" ".join(["%s"] * (len(args) + 1)), *args, url)
    assert result.rc == 0, result.stderr
    return Response(result.stdout)


def default_processes(host: Any) -> int:
    """The role's default daemon processes on ``host``: 2 x its vCPUs (as Ansible counts) + 1."""
    return 2 * int(host.check_output("grep -c ^processor /proc/cpuinfo")) + 1


def owner_and_mode(host: Any, path: str) -> tuple[str, str, int]:
    """``(user, group, mode)`` of ``path`` in one command."""
    user, group, mode = host.check_output("stat -c '%%U %%G %%a' %s", path).split()
    return user, group, int(mode, 8)


def daemon_processes(host: Any, app: str) -> list[str]:
    """Users of the processes whose display name is mod_wsgi's ``(wsgi:<app>)``."""
    ps = host.check_output("ps -eo user:32,args")
    return [line.split()[0] for line in ps.splitlines() if f"(wsgi:{app})" in line.split()]


# guestbook: POST writes a row, GET shows it (SQLite in a directory only the app user writes).
def test_post_through_apache_writes_a_row_and_get_shows_it(host: Any) -> None:
    message = f"signed through Apache {uuid.uuid4().hex}"
    posted = fetch(host, GUESTBOOK, "/", form={"name": "Molecule", "message": message})
    assert posted.status == 303, posted.body
    page = fetch(host, GUESTBOOK, "/")
    assert page.status == 200
    assert message in page.body
    count = host.check_output(
        "/opt/venvs/guestbook/bin/python -c %s %s %s",
        "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("
        "'SELECT count(*) FROM entries WHERE message = ?', (sys.argv[2],)).fetchone()[0])",
        "/var/lib/guestbook/guestbook.db",
        message,
    )
    assert count == "1"
    assert owner_and_mode(host, "/var/lib/guestbook") == ("guestbook", "guestbook", 0o750)


@pytest.mark.parametrize(
    ("name", "prefix", "https"), [(GUESTBOOK, "", False), (GUESTBOOK2, "/flasktest", True)]
)
def test_health(host: Any, name: str, prefix: str, https: bool) -> None:
    response = fetch(host, name, f"{prefix}/health", https=https)
    assert response.status == 200, response.body
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "sqlite"


@pytest.mark.parametrize(
    "case",
    [
        ("guestbook", GUESTBOOK, "", False, "guestbook", "/opt/venvs/guestbook", None),
        ("guestbook2", GUESTBOOK2, "/flasktest", True, "gbtwo", "/opt/venvs/guestbook2", 1),
    ],
    ids=["guestbook", "guestbook2"],
)
def test_daemon_processes_run_as_the_app_user(host: Any, case: tuple[Any, ...]) -> None:
    app, name, prefix, https, user, venv, processes = case
    info = fetch(host, name, f"{prefix}/info", https=https).json()
    assert info["user"] == user
    assert info["mod_wsgi_process_group"] == app
    assert info["sys_prefix"] == venv
    expected = default_processes(host) if processes is None else processes
    assert daemon_processes(host, app) == [user] * expected
    assert host.process.get(pid=info["pid"]).user == user


def test_static_file_comes_from_apache_not_the_app(host: Any) -> None:
    page = fetch(host, GUESTBOOK, "/")
    assert page.headers.get("x-guestbook-app") == "1"
    css = fetch(host, GUESTBOOK, "/static/style.css")
    assert css.status == 200
    assert "x-guestbook-app" not in css.headers
    assert css.body == host.file(CSS).content_string
    css2 = fetch(host, GUESTBOOK2, "/flasktest/static/style.css", https=True)
    assert css2.status == 200
    assert "x-guestbook-app" not in css2.headers
    assert css2.body == host.file(CSS2).content_string


def test_second_app_is_independent(host: Any) -> None:
    one = fetch(host, GUESTBOOK, "/info").json()
    two = fetch(host, GUESTBOOK2, "/flasktest/info", https=True).json()
    assert (one["user"], two["user"]) == ("guestbook", "gbtwo")
    assert (one["sys_prefix"], two["sys_prefix"]) == (
        "/opt/venvs/guestbook",
        "/opt/venvs/guestbook2",
    )
    assert evidence.positive_pid(one["pid"]) != evidence.positive_pid(two["pid"])
    message = f"only in the second guestbook {uuid.uuid4().hex}"
    posted = fetch(
        host, GUESTBOOK2, "/flasktest/", https=True, form={"name": "Two", "message": message}
    )
    assert posted.status == 303
    assert posted.headers["location"].endswith("/flasktest/")
    assert message in fetch(host, GUESTBOOK2, "/flasktest/", https=True).body
    # The first guestbook's own page (not an error page, which would lack the message too).
    first = fetch(host, GUESTBOOK, "/")
    assert first.status == 200
    assert "Guestbook one" in first.body
    assert message not in first.body
    assert "Guestbook two" in fetch(host, GUESTBOOK2, "/flasktest/", https=True).body


def test_plain_http_redirects_to_tls(host: Any) -> None:
    response = fetch(host, GUESTBOOK2, "/flasktest/health")
    assert response.status == 301
    assert response.headers["location"] == f"https://{GUESTBOOK2}/flasktest/health"


def test_paste_app_served_by_the_generated_wsgi(host: Any) -> None:
    response = fetch(host, "paste.test", "/hello", headers=("Authorization: Basic bW9sOmVjdWxl",))
    assert response.status == 200, response.body
    data = response.json()
    assert data["app"] == "pasteapp"
    assert data["greeting"] == "hello from production.ini"
    assert data["environment"] == "set by the generated .wsgi"
    assert data["authorization"] is True  # WSGIPassAuthorization On
    assert data["user"] == "pasteapp"
    assert data["mod_wsgi_process_group"] == "pasteapp"
    wsgi = host.file(f"{WSGI_DIR}/pasteapp.wsgi").content_string
    assert 'loadapp("config:/var/www/apps/pasteapp/production.ini")' in wsgi
    # PasteDeploy lives only in the shared site dir, which the sys.path block adds.
    assert "site.addsitedir(site_dir)" in wsgi
    assert "'/opt/shared-site'," in wsgi
    evidence.assert_refused(
        host.run("/opt/venvs/pasteapp/bin/python -c 'import paste.deploy'"),
        "ModuleNotFoundError: No module named 'paste'",
        "import paste.deploy in the venv",
    )


def test_django_app_served_by_the_generated_wsgi(host: Any) -> None:
    response = fetch(host, "django.test", "/some/page/")
    assert response.status == 200, response.body
    data = response.json()
    assert data["app"] == "djangoapp"
    assert data["greeting"] == "hello from django"
    assert data["user"] == "djangoapp"
    assert data["mod_wsgi_process_group"] == "djangoapp"
    wsgi = host.file(f"{WSGI_DIR}/djangoapp.wsgi").content_string
    assert 'os.environ["DJANGO_SETTINGS_MODULE"] = "djangoproj.settings"' in wsgi


def test_reverse_proxy_mode(host: Any) -> None:
    data = fetch(host, "proxy.test", "/some/path?x=1").json()
    assert data["upstream"] is True
    assert data["host"] == "proxy.test"  # ProxyPreserveHost On
    assert data["path"] == "/some/path"
    assert data["forwarded_for"] == "127.0.0.1"
    css = fetch(host, "proxy.test", "/static/style.css")
    assert css.status == 200
    assert css.body == host.file(CSS).content_string
    assert "retry=5" in host.file("/etc/apache2/sites-available/proxied.conf").content_string


@pytest.mark.parametrize(
    ("app", "group"),
    [("guestbook", "guestbook"), ("guestbook2", "gbtwo"), ("pasteapp", "pasteapp")],
)
def test_wsgi_file_is_root_owned_and_readable_by_the_app_group_only(
    host: Any, app: str, group: str
) -> None:
    wsgi = f"{WSGI_DIR}/{app}.wsgi"
    assert owner_and_mode(host, wsgi) == ("root", group, 0o640)
    evidence.assert_refused(
        host.run("runuser -u www-data -- cat %s", wsgi),
        "Permission denied",
        f"www-data: cat {wsgi}",
    )


def test_app_cannot_write_its_code_or_venv(host: Any) -> None:
    for path in ("/opt/venvs/guestbook", "/var/www/apps/guestbook", WSGI_DIR):
        evidence.cannot_write(host, "guestbook", path)


def test_hardening(host: Any) -> None:
    page = fetch(host, GUESTBOOK, "/static/missing.css")
    assert page.status == 404
    assert page.headers["server"] == "Apache"  # ServerTokens Prod
    assert "Apache/" not in page.body  # ServerSignature Off
    assert fetch(host, GUESTBOOK, "/", method="TRACE").status == 405  # TraceEnable Off
    listing = fetch(host, GUESTBOOK, "/static/")  # a directory without index: no listing
    assert listing.status in {403, 404}
    assert "Index of" not in listing.body
    assert fetch(host, "unknown.example", "/").status == 403  # catch-all, not the first app
    assert not host.file("/etc/apache2/sites-enabled/000-default.conf").exists
    assert not host.file("/etc/apache2/mods-enabled/autoindex.load").exists


def test_mod_wsgi_daemon_configuration(host: Any) -> None:
    vhost = host.file("/etc/apache2/sites-available/guestbook.conf").content_string
    for option in (
        "WSGIDaemonProcess guestbook user=guestbook group=guestbook "
        f"processes={default_processes(host)} threads=1",
        "python-home=/opt/venvs/guestbook",
        "display-name=%{GROUP}",
        "request-timeout=60 graceful-timeout=15 socket-timeout=60 queue-timeout=45",
        "startup-timeout=15",
        "WSGIProcessGroup guestbook",
        "WSGIApplicationGroup %{GLOBAL}",
    ):
        assert option in vhost
    server = host.file("/etc/apache2/conf-enabled/wsgistack-modwsgi.conf").content_string
    assert "WSGIRestrictEmbedded On" in server
    assert "WSGISocketPrefix /run/apache2/wsgi" in server
    sockets = host.check_output("find /run/apache2 -maxdepth 1 -name 'wsgi.*.sock'")
    assert len(sockets.splitlines()) == 4  # one per daemon app
    assert host.run("apache2ctl configtest").rc == 0


def test_shared_layout_for_several_admins(host: Any) -> None:
    for path in (WSGI_DIR, "/var/www/apps"):
        assert owner_and_mode(host, path) == ("root", "www", 0o2775)
    assert "www" in host.user("deployer").groups
    probe = "/var/www/apps/.deployer-probe"
    assert host.run("runuser -u deployer -- touch %s", probe).rc == 0
    try:
        assert owner_and_mode(host, probe)[1] == "www"
    finally:
        host.run("rm -f %s", probe)
