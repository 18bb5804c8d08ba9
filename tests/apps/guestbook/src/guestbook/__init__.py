"""Guestbook: the Flask app that wsgistack.deploy deploys in its tests and demo."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app
from flask.typing import ResponseReturnValue

from . import config, db, health, views


def create_app(settings: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from ``GUESTBOOK_*`` environment variables, then ``settings``."""
    app = Flask(__name__)
    app.config.update(config.from_environ())
    app.config.update(settings or {})
    if "DATABASE_URL" not in app.config:
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "guestbook.db")
    if not app.config.get("SECRET_KEY"):
        app.logger.warning("GUESTBOOK_SECRET_KEY is not set: using a key private to this process")
        app.config["SECRET_KEY"] = secrets.token_hex(32)

    db.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(health.bp)
    for error in db.Error:
        app.register_error_handler(error, database_unavailable)
    app.after_request(mark_response)
    return app


def database_unavailable(exc: Exception) -> ResponseReturnValue:
    current_app.logger.error("database error: %s", db.describe(exc))
    return "The database is unavailable.\n", 503, {"Content-Type": "text/plain; charset=utf-8"}


def mark_response(response: Response) -> Response:
    """Let the deploy tests tell what the app served from what the front server did."""
    response.headers["X-Guestbook-App"] = "1"
    return response
