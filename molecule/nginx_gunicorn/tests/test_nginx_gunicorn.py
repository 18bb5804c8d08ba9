"""What a user of the nginx_gunicorn role sees: requests through nginx, processes, units, files."""

import json
import time
import uuid

import evidence
import pytest

APP = "guestbook"
TLS_APP = "guestbook_tls"
WORKERS = 3
NGINX_GROUP = "www-data"
DB_URL = "sqlite:////var/lib/guestbook/guestbook.db"


def curl(host, *args):
    """Run curl on the host; return (status line + headers as dict, body)."""
    cmd = host.run("curl -sS --max-time 10 -D - " + " ".join(args))
    assert cmd.rc == 0, cmd.stderr
    head, _sep, body = cmd.stdout.replace("\r\n", "\n").partition("\n\n")
    lines = head.split("\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    return status, headers, body


def show(host, unit, prop):
    return host.check_output(f"systemctl show {unit} --property={prop} --value")


def uid_of(host, pid):
    """Real uid of a process (ps may cut long user names)."""
    status = host.file(f"/proc/{pid}/status").content_string
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Uid:")))


def master_pid(host, app=APP):
    """The running master's PID (never the 0 systemd shows for a unit without one)."""
    return evidence.main_pid(host, f"gunicorn-{app}.service")


def children(host, pid):
    """The PIDs of pid's children; pgrep's 1 is "none", anything else is an error."""
    result = host.run(f"pgrep -P {evidence.positive_pid(pid)}")
    assert result.rc in (0, 1) and not result.stderr, result.stderr
    return sorted(int(p) for p in result.stdout.split())


def wait_for(predicate, timeout=15.0, step=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


# --- the app through nginx ---------------------------------------------------------------


def test_post_then_get_shows_the_entry(host):
    message = f"hello-{uuid.uuid4().hex}"
    status, headers, _body = curl(
        host,
        "-X POST",
        "--data-urlencode name=molecule",
        f"--data-urlencode message={message}",
        "http://127.0.0.1/",
    )
    assert status == 303
    assert headers["x-guestbook-app"] == "1"
    status, headers, body = curl(host, "http://127.0.0.1/")
    assert status == 200
    assert message in body
    assert "Stored in sqlite" in body


def test_health(host):
    status, _headers, body = curl(host, "http://127.0.0.1/health")
    assert status == 200
    assert json.loads(body)["status"] == "ok"
    assert json.loads(body)["database"] == "sqlite"


def test_nginx_hides_its_version(host):
    _status, headers, _body = curl(host, "http://127.0.0.1/health")
    assert headers["server"] == "nginx"


def test_static_file_served_by_nginx_never_reaches_the_app(host):
    marker = uuid.uuid4().hex
    status, headers, body = curl(host, f"'http://127.0.0.1/static/style.css?{marker}'")
    assert status == 200
    assert "x-guestbook-app" not in headers
    assert headers["content-type"].startswith("text/css")
    assert body == host.file("/opt/guestbook/static/style.css").content_string
    # The app's own requests are in gunicorn's access log (turned on for this app); this one is not.
    curl(host, f"'http://127.0.0.1/health?{marker}'")
    log = host.file(f"/var/log/gunicorn/{APP}/access.log")
    assert wait_for(lambda: f"/health?{marker}" in log.content_string, timeout=5)
    assert f"/static/style.css?{marker}" not in log.content_string


def test_default_site_removed(host):
    assert not host.file("/etc/nginx/sites-enabled/default").exists
    link = host.file(f"/etc/nginx/sites-enabled/{APP}.conf")
    assert link.linked_to == f"/etc/nginx/sites-available/{APP}.conf"
    assert host.run("nginx -t").rc == 0


# --- gunicorn: user, workers, unit ---------------------------------------------------------


def test_gunicorn_runs_as_app_user_with_configured_workers(host):
    pid = master_pid(host)
    uid = host.user(APP).uid
    assert uid_of(host, pid) == uid
    workers = children(host, pid)
    assert len(workers) == WORKERS
    assert {uid_of(host, w) for w in workers} == {uid}
    _status, _headers, body = curl(host, "http://127.0.0.1/info")
    info = json.loads(body)
    assert info["user"] == APP
    assert info["ppid"] == pid
    assert info["pid"] in workers
    assert info["sys_prefix"] == "/opt/guestbook/venv"


def test_unit_is_notify_and_running(host):
    unit = f"gunicorn-{APP}.service"
    assert show(host, unit, "Type") == "notify"
    assert show(host, unit, "ActiveState") == "active"
    assert show(host, unit, "SubState") == "running"
    assert show(host, unit, "Restart") == "on-failure"
    assert show(host, unit, "KillMode") == "mixed"
    assert show(host, unit, "UnitFileState") == "enabled"
    assert host.service("nginx").is_enabled


def test_sandbox(host):
    unit = f"gunicorn-{APP}.service"
    assert show(host, unit, "ProtectSystem") == "strict"
    assert show(host, unit, "ProtectHome") == "yes"
    assert show(host, unit, "PrivateTmp") == "yes"
    assert show(host, unit, "NoNewPrivileges") == "yes"
    assert "/var/lib/guestbook" in show(host, unit, "ReadWritePaths").split()
    pid = master_pid(host)
    assert "NoNewPrivs:\t1" in host.file(f"/proc/{pid}/status").content_string
    # The root file system is read-only for the service; its data directory is not.
    mountinfo = host.file(f"/proc/{pid}/mountinfo").content_string
    mounts = [line.split() for line in mountinfo.splitlines()]
    options = {m[4]: m[5].split(",") for m in mounts}
    assert "ro" in options["/"]
    assert "rw" in options["/var/lib/guestbook"]


def test_files_and_permissions(host):
    env = host.file(f"/etc/gunicorn/{APP}.env")
    assert (env.user, env.group, env.mode) == ("root", APP, 0o640)
    assert f'GUESTBOOK_DATABASE_URL="{DB_URL}"' in env.content_string
    conf = host.file(f"/etc/gunicorn/{APP}.conf.py")
    assert (conf.user, conf.group, conf.mode) == ("root", "root", 0o644)
    assert "workers = 3" in conf.content_string
    # The role's default worker class; threads only for gthread.
    assert 'worker_class = "sync"' in conf.content_string
    assert "threads =" not in conf.content_string
    venv = host.file("/opt/guestbook/venv/lib")
    assert venv.user == "root"
    evidence.cannot_write(host, APP, "/opt/guestbook/venv/lib")
    user = host.user(APP)
    assert user.shell == "/usr/sbin/nologin"
    assert user.uid < 1000
    sock = host.file(f"/run/{APP}/gunicorn.sock")
    assert sock.is_socket
    assert (sock.user, sock.group, sock.mode) == (APP, NGINX_GROUP, 0o660)
    assert host.file(f"/run/{APP}").user == APP
    # Another local user can reach neither the socket nor the directory; nginx's user, with
    # the same request, can (so the refusal is not a socket that does not answer anyone).
    ask = f"runuser -u %s -- curl -sS --unix-socket /run/{APP}/gunicorn.sock http://x/health"
    allowed = host.run(ask, NGINX_GROUP)
    assert allowed.rc == 0, allowed.stderr
    assert json.loads(allowed.stdout)["status"] == "ok"
    sneak = host.run(ask, "nobody")
    assert sneak.rc == 7, (sneak.rc, sneak.stderr)  # curl: could not connect
    assert sneak.stdout == ""


# --- graceful reload -----------------------------------------------------------------------


def test_reload_keeps_master_and_replaces_workers(host):
    pid = master_pid(host)
    before = children(host, pid)
    assert len(before) == WORKERS
    host.check_output(f"systemctl reload gunicorn-{APP}.service")

    def replaced():
        now = children(host, pid)
        return now if len(now) == WORKERS and not set(now) & set(before) else None

    after = wait_for(replaced)
    assert after, f"workers not replaced: before {before}, now {children(host, pid)}"
    assert master_pid(host) == pid
    assert show(host, f"gunicorn-{APP}.service", "ActiveState") == "active"
    status, _headers, _body = curl(host, "http://127.0.0.1/health")
    assert status == 200


# --- the second app: gevent, socket activation on TCP, TLS ----------------------------------


def test_tls_app_redirects_http_to_https(host):
    status, headers, _body = curl(host, "'http://localhost:8080/some/path?q=1'")
    assert status == 301
    assert headers["location"] == "https://localhost:8443/some/path?q=1"


@pytest.mark.parametrize("path", ["/health", "/info", "/"])
def test_tls_app_serves_over_https(host, path):
    status, headers, body = curl(
        host,
        "--cacert /etc/ssl/guestbook-tls/cert.pem",
        "--resolve guestbook-tls.test:8443:127.0.0.1",
        f"https://guestbook-tls.test:8443{path}",
    )
    assert status == 200
    assert headers["x-guestbook-app"] == "1"
    if path == "/info":
        assert json.loads(body)["user"] == TLS_APP
    if path == "/":
        # The environment file's quoting kept quotes, $, \ and ` as they were.
        assert "<title>Guestbook &#34;TLS&#34; $HOME \\ `x`</title>" in body


def test_tls_app_socket_activation_and_gevent(host):
    assert show(host, f"gunicorn-{TLS_APP}.socket", "ActiveState") == "active"
    assert show(host, f"gunicorn-{TLS_APP}.socket", "UnitFileState") == "enabled"
    assert show(host, f"gunicorn-{TLS_APP}.socket", "Listen") == "127.0.0.1:8001 (Stream)"
    assert 'worker_class = "gevent"' in host.file(f"/etc/gunicorn/{TLS_APP}.conf.py").content_string
    assert host.run("/opt/guestbook/venv/bin/python -c 'import gevent'").rc == 0
    pid = master_pid(host, TLS_APP)
    assert uid_of(host, pid) == host.user(TLS_APP).uid
    assert len(children(host, pid)) == 1


def test_tls_app_requests_logged_by_nginx_only_by_default(host):
    """access_log left at its default: nginx logs the request, gunicorn writes no log of its own."""
    marker = uuid.uuid4().hex
    status, _headers, _body = curl(
        host,
        "--cacert /etc/ssl/guestbook-tls/cert.pem",
        f"'https://localhost:8443/health?{marker}'",
    )
    assert status == 200
    nginx_log = host.file(f"/var/log/nginx/{TLS_APP}.access.log")
    assert wait_for(lambda: f"/health?{marker}" in nginx_log.content_string, timeout=5)
    assert "accesslog = None" in host.file(f"/etc/gunicorn/{TLS_APP}.conf.py").content_string
    assert host.check_output(f"ls -A /var/log/gunicorn/{TLS_APP}") == ""


def test_tls_app_is_started_by_its_socket(host):
    """Stopped, the service is started again by the next connection; nothing is refused."""
    host.check_output(f"systemctl stop gunicorn-{TLS_APP}.service")
    assert show(host, f"gunicorn-{TLS_APP}.service", "ActiveState") == "inactive"
    status, _headers, _body = curl(
        host, "--cacert /etc/ssl/guestbook-tls/cert.pem", "https://localhost:8443/health"
    )
    assert status == 200
    assert show(host, f"gunicorn-{TLS_APP}.service", "ActiveState") == "active"
