"""Fixtures for the guestbook's tests; the app is imported from ``src`` without installing it.

Every test that takes ``database_url`` runs on SQLite, and on PostgreSQL too when
``GUESTBOOK_TEST_POSTGRES_URL`` holds a ``postgresql://`` URL of a role that may create
schemas: each test then gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from guestbook import create_app

POSTGRES_URL = os.environ.get("GUESTBOOK_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep GUESTBOOK_* settings of the calling shell out of the tests."""
    for name in list(os.environ):
        if name.startswith("GUESTBOOK_") and name != "GUESTBOOK_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'guestbook.db'}"


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url
        return
    schema = f"guestbook_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def app(database_url: str):
    return create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test", "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()
