"""The guestbook itself: a form that adds an entry and the list of entries."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from . import db

bp = Blueprint("entries", __name__)

MAX_LENGTH = {"name": 100, "message": 1000}
LIST_LIMIT = 50


class Entry(NamedTuple):
    id: int
    name: str
    message: str
    created_at: datetime


def recent_entries() -> list[Entry]:
    rows = db.query(
        "SELECT id, name, message, created_at FROM entries ORDER BY id DESC LIMIT ?",
        (LIST_LIMIT,),
    )
    # psycopg returns datetimes; sqlite3 returns the text CURRENT_TIMESTAMP wrote (UTC).
    return [
        Entry(*row[:3], row[3] if isinstance(row[3], datetime) else datetime.fromisoformat(row[3]))
        for row in rows
    ]


def validate(form: dict[str, str]) -> list[str]:
    errors = []
    for field, limit in MAX_LENGTH.items():
        if not form[field]:
            errors.append(f"{field.capitalize()} is required.")
        elif len(form[field]) > limit:
            errors.append(f"{field.capitalize()} is longer than {limit} characters.")
    return errors


def render_page(
    form: dict[str, str], errors: list[str] | None = None, status: int = 200
) -> ResponseReturnValue:
    page = render_template(
        "index.html",
        form=form,
        errors=errors or [],
        entries=recent_entries(),
        database=db.get_database().kind,
        max_length=MAX_LENGTH,
    )
    return page, status


@bp.get("/")
def index() -> ResponseReturnValue:
    return render_page({})


@bp.post("/")
def add() -> ResponseReturnValue:
    form = {field: request.form.get(field, "").strip() for field in MAX_LENGTH}
    errors = validate(form)
    if errors:
        return render_page(form, errors, 400)
    db.execute_and_commit(
        "INSERT INTO entries (name, message) VALUES (?, ?)", (form["name"], form["message"])
    )
    flash("Thank you for signing the guestbook.")
    return redirect(url_for(".index"), 303)
