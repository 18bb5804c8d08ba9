"""wsgistack.deploy.health_check against real HTTP servers on the loopback."""

from __future__ import annotations

import http.server
import socket
import sys
import threading

import pytest
from ansible_collections.wsgistack.deploy.plugins.modules import health_check


class Handler(http.server.BaseHTTPRequestHandler):
    """Answers with the status the server was told; records each request's Host header."""

    def do_GET(self):
        server = self.server
        server.hosts.append(self.headers.get("Host"))
        status = server.statuses.pop(0) if len(server.statuses) > 1 else server.statuses[0]
        body = server.body.encode()
        self.send_response(status)
        if status in (301, 302):
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def serve():
    """serve(statuses, body) -> the URL of a server answering those statuses in turn."""
    servers = []

    def start(statuses, body="ok"):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.statuses, server.body, server.hosts = list(statuses), body, []
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server, f"http://127.0.0.1:{server.server_address[1]}/health"

    yield start
    for server in servers:
        server.shutdown()


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_every_app_answers(run_module, serve):
    first, url1 = serve([200])
    second, url2 = serve([503, 503, 302])  # starting, then a redirect (3xx is an answer)
    result = run_module(health_check.main, {"checks": [
        {"name": "a", "url": url1, "host": "a.test"},
        {"name": "b", "url": url2, "host": "b.test"},
    ], "timeout": 10})  # fmt: skip
    assert not result.get("failed"), result
    assert result["changed"] is False
    assert {name: app["status"] for name, app in result["apps"].items()} == {"a": 200, "b": 302}
    assert first.hosts == ["a.test"]
    assert second.hosts == ["b.test"] * 3  # retried until it answered; the redirect not followed


def test_a_failing_app_is_named_with_its_answer_and_its_log(run_module, serve):
    good = serve([200])[1]
    bad = serve([500], body='password authentication failed for user "notes"')[1]
    refused = f"http://127.0.0.1:{closed_port()}/"
    result = run_module(health_check.main, {"via": "nginx", "timeout": 2, "checks": [
        {"name": "guestbook", "url": good, "host": "guestbook.test"},
        {"name": "notes", "url": bad, "host": "notes.test",
         "log_command": [sys.executable, "-c", "print('line 1'); print('line 2')"],
         "log_title": "journalctl --unit gunicorn-notes"},
        {"name": "down", "url": refused},
    ]})  # fmt: skip
    assert result["failed"] is True
    assert result["msg"].startswith(
        "notes: GET /health through nginx (Host: notes.test) answered 500: password "
        'authentication failed for user "notes". down: GET / through nginx answered nothing ('
    )
    assert "Connection refused" in result["msg"]
    assert result["msg"].endswith("The end of each app's log is in 'logs'.")
    assert result["logs"] == {"notes": ["journalctl --unit gunicorn-notes:", "line 1", "line 2"]}
    assert result["apps"]["guestbook"]["ok"] is True
    assert result["apps"]["notes"] == {"status": 500, "seconds": result["apps"]["notes"]["seconds"],
                                       "ok": False}  # fmt: skip
    assert result["apps"]["notes"]["seconds"] >= 1.5  # retried until the timeout


def test_a_long_answer_is_cut(run_module, serve):
    url = serve([502], body="x" * 5000)[1]
    result = run_module(health_check.main, {"timeout": 0, "checks": [{"name": "a", "url": url}]})
    came = result["msg"].split("answered 502: ", 1)[1]
    assert came == "x" * 597 + "...."


def test_an_unreadable_log_says_so(run_module, serve):
    url = serve([500])[1]
    result = run_module(health_check.main, {"timeout": 0, "checks": [
        {"name": "a", "url": url, "log_command": [sys.executable, "-c", "raise SystemExit('no')"]},
    ]})  # fmt: skip
    assert result["logs"]["a"][1] == "(could not read it: no)"


def test_check_mode_requests_nothing(run_module, serve):
    server, url = serve([200])
    result = run_module(health_check.main, {"checks": [{"name": "a", "url": url}]},
                        check_mode=True)  # fmt: skip
    assert result["changed"] is False and result["apps"] == {}
    assert server.hosts == []


def test_poll_stops_at_the_deadline_without_real_time(monkeypatch):
    now = [0.0]
    answers = iter([(None, "refused"), (503, "starting"), (503, "starting")])
    monkeypatch.setattr(health_check, "_ask", lambda check, timeout: next(answers))
    result = health_check.poll({"url": "http://x/"}, deadline=2.0, request_timeout=1,
                               clock=lambda: now[0],
                               pause=lambda s: now.__setitem__(0, now[0] + s))  # fmt: skip
    assert result == {"status": 503, "answer": "starting", "ok": False, "seconds": 2.0}


# A gunicorn that keeps failing to start: the line that says why, then a traceback longer than
# the lines shown, repeated at each restart.
GUNICORN_LOG = (
    ["[INFO] Booting worker with pid: 7"]
    + ["[ERROR] Failed to find attribute 'no_such_app' in 'guestbook.wsgi'."]
    + ["[INFO] Worker exiting (pid: 7)", "Reason: App failed to load."]
    + ["Traceback (most recent call last):"]
    + [f'  File "/srv/guestbook/venv/lib/gunicorn/arbiter.py", line {n}, in run' for n in range(30)]
    + ["gunicorn.errors.HaltServer: <HaltServer 'App failed to load.' 4>"]
)


def test_the_error_line_above_the_last_lines_is_shown_before_them(run_module, serve):
    url = serve([502])[1]
    script = "print(" + repr("\n".join(GUNICORN_LOG)) + ")"
    result = run_module(health_check.main, {"timeout": 0, "log_lines": 5, "checks": [
        {"name": "guestbook", "url": url, "log_command": [sys.executable, "-c", script],
         "log_title": "journalctl --unit gunicorn-guestbook"},
    ]})  # fmt: skip
    assert result["logs"]["guestbook"] == [
        "journalctl --unit gunicorn-guestbook, earlier error lines:",
        "[ERROR] Failed to find attribute 'no_such_app' in 'guestbook.wsgi'.",
        "Reason: App failed to load.",
        "Traceback (most recent call last):",
        "journalctl --unit gunicorn-guestbook, last lines:",
        *GUNICORN_LOG[-5:],
    ]


@pytest.mark.parametrize(
    ("lines", "last", "expected"),
    [
        # A short log: all of it, under the plain title.
        (["a", "b error"], 5, ["log:", "a", "b error"]),
        # No error line above the last lines: only the last lines.
        (["a", "b", "c", "d"], 2, ["log:", "c", "d"]),
        # At most `last` earlier error lines, the latest ones; Apache's codes count.
        (
            ["x error 1", "x error 2", "AH00526: Syntax error", "y", "z"],
            2,
            ["log, earlier error lines:", "x error 2", "AH00526: Syntax error",
             "log, last lines:", "y", "z"],
        ),
        (["AH01630: client denied", "ok"], 1, ["log, earlier error lines:",
                                               "AH01630: client denied", "log, last lines:", "ok"]),
        ([], 3, ["log:"]),
    ],
)  # fmt: skip
def test_excerpt(lines, last, expected):
    assert health_check.excerpt("log", lines, last) == expected


def test_log_lines_below_one_is_refused(run_module, serve):
    url = serve([200])[1]
    result = run_module(health_check.main, {"log_lines": 0, "checks": [{"name": "a", "url": url}]})
    assert result["failed"] is True
    assert result["msg"] == "health_check: log_lines must be 1 or more"
