"""Functional tests of the guestbook through Flask's test client."""

from __future__ import annotations

import _ctypes
import logging
import os
import platform
import sys
import threading
from contextlib import closing
from pathlib import Path

import flask
import pytest
from guestbook import create_app
from guestbook.db import Database


def sign(client, name: str, message: str):
    return client.post("/", data={"name": name, "message": message})


def count(client) -> int:
    response = client.get("/health")
    assert response.status_code == 200, response.json
    return response.json["entries"]


def test_form_renders(client, database_url):
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<form method="post" action="/">' in page
    assert 'name="name"' in page
    assert 'name="message"' in page
    assert 'href="/static/style.css"' in page
    assert "No entries yet." in page
    assert f"Stored in {database_url.split(':')[0]}." in page


def test_post_writes_and_get_lists_newest_first(client):
    first = sign(client, "Ada", "First!")
    assert first.status_code == 303
    assert first.headers["Location"] == "/"
    sign(client, "Grace", "Second")

    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Thank you for signing the guestbook." in page
    assert page.index("Second") < page.index("First!")
    assert "Ada, " in page
    assert " UTC" in page
    assert count(client) == 2


def test_mounted_under_a_prefix(client):
    """As with ``WSGIScriptAlias /guestbook``: links and redirects keep the prefix."""
    prefix = {"SCRIPT_NAME": "/guestbook"}
    page = client.get("/", environ_overrides=prefix).get_data(as_text=True)
    assert 'action="/guestbook/"' in page
    assert 'href="/guestbook/static/style.css"' in page
    response = client.post("/", data={"name": "Ada", "message": "Hi"}, environ_overrides=prefix)
    assert response.headers["Location"] == "/guestbook/"


def test_flash_shows_once(client):
    response = sign(client, "Ada", "Hello")
    assert "Thank you" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you" not in client.get("/").get_data(as_text=True)


def test_html_is_escaped(client):
    sign(client, "<b>Mallory</b>", "<script>alert(1)</script>")
    page = client.get("/").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in page
    assert "<script>" not in page


@pytest.mark.parametrize(
    ("name", "message", "error"),
    [
        ("", "Hello", "Name is required."),
        ("Ada", "", "Message is required."),
        ("   ", "Hello", "Name is required."),
        ("A" * 101, "Hello", "Name is longer than 100 characters."),
        ("Ada", "x" * 1001, "Message is longer than 1000 characters."),
    ],
)
def test_invalid_input_is_rejected(client, name, message, error):
    response = sign(client, name, message)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error in page
    assert '<form method="post"' in page
    assert count(client) == 0


def test_rejected_input_is_kept_in_the_form(client):
    page = sign(client, "Ada <3", "").get_data(as_text=True)
    assert 'value="Ada &lt;3"' in page


def test_longest_valid_input_is_accepted(client):
    assert sign(client, "A" * 100, "x" * 1000).status_code == 303
    assert count(client) == 1


def test_health_runs_a_query(client, database_url):
    assert client.get("/health").json == {
        "status": "ok",
        "database": database_url.split(":")[0],
        "entries": 0,
    }
    sign(client, "Ada", "Hello")
    assert count(client) == 1


def test_unusable_database_at_start_then_recovery(tmp_path, caplog):
    directory = tmp_path / "not-yet"
    with caplog.at_level(logging.WARNING):
        app = create_app({"DATABASE_URL": f"sqlite:///{directory}/guestbook.db"})
    assert "database not ready at start-up" in caplog.text
    client = app.test_client()

    response = client.get("/health")
    assert response.status_code == 503
    assert response.json["status"] == "error"
    assert "unable to open database file" in response.json["error"]
    assert client.get("/").status_code == 503
    assert sign(client, "Ada", "Hello").status_code == 503

    directory.mkdir()  # the database becomes usable: the table is created on first use
    assert client.get("/health").json == {"status": "ok", "database": "sqlite", "entries": 0}
    assert sign(client, "Ada", "Hello").status_code == 303
    assert count(client) == 1


def test_unreachable_postgresql_gives_503():
    app = create_app({"DATABASE_URL": "postgresql://guestbook@127.0.0.1:1/guestbook"})
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.json["status"] == "error"
    assert "127.0.0.1" in response.json["error"]


def test_unsupported_database_url_is_refused():
    with pytest.raises(ValueError, match="unsupported database URL"):
        create_app({"DATABASE_URL": "mysql://guestbook@localhost/guestbook"})


def test_info_tells_who_serves(client):
    response = client.get("/info", environ_overrides={"SERVER_SOFTWARE": "probe/1.0"})
    info = response.json
    assert response.status_code == 200
    assert info["release"] == "guestbook-1.0.0"
    assert info["python_version"] == platform.python_version()
    assert info["sys_prefix"] == sys.prefix
    assert info["sys_base_prefix"] == sys.base_prefix
    assert info["flask_file"] == flask.__file__
    assert info["sys_executable"] == sys.executable
    assert info["pid"] == os.getpid()
    assert info["ppid"] == os.getppid()
    assert info["uid"] == os.getuid()
    assert isinstance(info["user"], str)
    assert info["server_software"] == "probe/1.0"
    assert info["wsgi_multithread"] is False
    assert info["wsgi_multiprocess"] is False
    assert info["mod_wsgi_process_group"] is None


def test_info_libraries_lists_the_shared_objects_of_the_process(client):
    response = client.get("/info/libraries")
    assert response.status_code == 200
    info = response.json
    assert info["pid"] == os.getpid()
    if sys.platform == "linux":
        # The interpreter's C extensions are shared objects mapped into this process.
        assert _ctypes.__file__ in info["libraries"]
        assert all(".so" in os.path.basename(path) for path in info["libraries"])


def test_static_file_is_served_in_development(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert b"font-family" in response.data
    response.close()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/health"),
        ("GET", "/info"),
        ("GET", "/static/style.css"),
        ("GET", "/missing"),
        ("POST", "/"),
        ("DELETE", "/"),
    ],
)
def test_every_response_is_marked(client, method, path):
    response = client.open(path, method=method, data={"name": "Ada", "message": "Hi"})
    assert response.headers["X-Guestbook-App"] == "1"
    response.close()


def test_configuration_from_environment(monkeypatch, tmp_path: Path):
    database = tmp_path / "from-env.db"
    monkeypatch.setenv("GUESTBOOK_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("GUESTBOOK_SECRET_KEY", "s3cret")
    monkeypatch.setenv("GUESTBOOK_TITLE", "Visitors of <Example>")
    app = create_app()
    assert app.secret_key == os.environ["GUESTBOOK_SECRET_KEY"]
    assert database.exists()
    page = app.test_client().get("/").get_data(as_text=True)
    assert "<title>Visitors of &lt;Example&gt;</title>" in page


def test_secret_key_defaults_to_a_random_one(sqlite_url, caplog):
    with caplog.at_level(logging.WARNING):
        first = create_app({"DATABASE_URL": sqlite_url})
    assert "GUESTBOOK_SECRET_KEY is not set" in caplog.text
    second = create_app({"DATABASE_URL": sqlite_url})
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] != second.config["SECRET_KEY"]


def test_wsgi_entry_point(monkeypatch, sqlite_url):
    monkeypatch.setenv("GUESTBOOK_DATABASE_URL", sqlite_url)
    monkeypatch.delitem(sys.modules, "guestbook.wsgi", raising=False)
    from guestbook.wsgi import application  # noqa: PLC0415 - reads the environment on import

    response = application.test_client().get("/health")
    assert response.json == {"status": "ok", "database": "sqlite", "entries": 0}


def test_init_db_command(app, database_url):
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert f"entries table ready ({database_url.split(':')[0]})" in result.output


def test_init_db_command_reports_an_unusable_database(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/missing/guestbook.db"})
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 1
    assert "Error: unable to open database file" in result.output


def test_concurrent_schema_creation(database_url):
    """Workers starting together must all get the table (PostgreSQL: advisory lock)."""
    workers = 8
    barrier = threading.Barrier(workers)
    errors: list[Exception] = []

    def start() -> None:
        database = Database(database_url)
        with closing(database.connect()) as conn:
            barrier.wait()
            try:
                database.create_schema(conn)
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=start) for _worker in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
