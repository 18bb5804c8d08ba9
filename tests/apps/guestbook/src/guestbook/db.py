"""A thin layer over sqlite3 and psycopg 3: one connection per request, kept in ``flask.g``.

SQL is written with ``?`` placeholders; :meth:`Database.execute` adapts them for psycopg.
A new connection per request means nothing stale survives a database restart.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from typing import Any

import click
from flask import Flask, current_app, g
from flask.cli import with_appcontext

try:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict
except ImportError:  # the "postgres" extra is not installed: SQLite only
    psycopg = None

Error: tuple[type[Exception], ...] = (sqlite3.Error,) + ((psycopg.Error,) if psycopg else ())
"""What a broken or unreachable database raises, whichever the backend."""

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")
CONNECT_TIMEOUT = 5  # seconds; libpq would otherwise wait for as long as TCP does

SCHEMA = {
    "sqlite": """CREATE TABLE IF NOT EXISTS entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        message TEXT NOT NULL,
        created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)""",
    "postgresql": """CREATE TABLE IF NOT EXISTS entries (
        id SERIAL PRIMARY KEY,
        name TEXT NOT NULL,
        message TEXT NOT NULL,
        created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'))""",
}
# Workers starting together would race in CREATE TABLE IF NOT EXISTS (it can fail with a
# unique violation in the catalog); a transaction-level advisory lock serialises them.
SCHEMA_LOCK_KEY = 0x6775657374  # "guest"


class Database:
    """Where the data lives, parsed from ``GUESTBOOK_DATABASE_URL``."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith(SQLITE_PREFIX):
            self.kind = "sqlite"
            self.path = url[len(SQLITE_PREFIX) :]  # sqlite:////abs/path, sqlite:///rel/path
        elif url.startswith(POSTGRES_PREFIXES):
            if psycopg is None:
                raise RuntimeError("PostgreSQL needs psycopg: install guestbook[postgres]")
            self.kind = "postgresql"
        else:
            raise ValueError(f"unsupported database URL (sqlite:/// or postgresql://): {url}")
        self.schema_ready = False
        self._schema_lock = threading.Lock()

    def connect(self) -> Any:
        if self.kind == "sqlite":
            return sqlite3.connect(self.path, timeout=CONNECT_TIMEOUT)
        params = conninfo_to_dict(self.url)
        params.setdefault("connect_timeout", CONNECT_TIMEOUT)
        params.setdefault("application_name", "guestbook")
        return psycopg.connect(**params)

    def execute(self, conn: Any, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement; return its rows (none for statements that return none)."""
        if self.kind == "postgresql":
            sql = sql.replace("?", "%s")
        with closing(conn.cursor()) as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def create_schema(self, conn: Any) -> None:
        if self.kind == "postgresql":
            self.execute(conn, "SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK_KEY,))
        self.execute(conn, SCHEMA[self.kind])
        conn.commit()

    def ensure_schema(self, conn: Any) -> None:
        """Create the table once per process, on the first connection that works."""
        with self._schema_lock:
            if not self.schema_ready:
                self.create_schema(conn)
                self.schema_ready = True


def describe(exc: BaseException) -> str:
    """The error on one line (psycopg's span several), for logs and JSON."""
    return " ".join(str(exc).split()) or type(exc).__name__


def get_database() -> Database:
    return current_app.extensions["guestbook.db"]


def get_connection() -> Any:
    """The request's connection, opened on first use."""
    if "db" not in g:
        database = get_database()
        conn = database.connect()
        try:
            database.ensure_schema(conn)
        except Exception:
            conn.close()
            raise
        g.db = conn
    return g.db


def query(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return get_database().execute(get_connection(), sql, params)


def execute_and_commit(sql: str, params: tuple[Any, ...] = ()) -> None:
    conn = get_connection()
    get_database().execute(conn, sql, params)
    conn.commit()


def close_connection(_exc: BaseException | None = None) -> None:
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the entries table if it does not exist."""
    database = get_database()
    try:
        with closing(database.connect()) as conn:
            database.create_schema(conn)
    except Error as exc:
        raise click.ClickException(describe(exc)) from exc
    click.echo(f"entries table ready ({database.kind})")


def init_app(app: Flask) -> None:
    """Attach the database to ``app`` and try to create the table now.

    A database that is down at start-up is logged, not fatal: the table is then created by
    the first request that gets a connection.
    """
    database = Database(app.config["DATABASE_URL"])
    app.extensions["guestbook.db"] = database
    app.teardown_appcontext(close_connection)
    app.cli.add_command(init_db_command)
    try:
        with closing(database.connect()) as conn:
            database.ensure_schema(conn)
    except Error as exc:
        app.logger.warning(
            "database not ready at start-up (will retry on first use): %s", describe(exc)
        )
