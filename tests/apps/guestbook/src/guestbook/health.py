"""Endpoints for monitoring and for the deploy tests: is the database usable, who serves us."""

from __future__ import annotations

import os
import platform
import pwd
import sys
from typing import Any

import flask
from flask import Blueprint, request

from . import db, release

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> tuple[dict[str, Any], int]:
    """Run a real query; 503 with the database's error when that fails."""
    try:
        [(count,)] = db.query("SELECT count(*) FROM entries")
    except db.Error as exc:
        return {"status": "error", "error": db.describe(exc)}, 503
    return {"status": "ok", "database": db.get_database().kind, "entries": count}, 200


@bp.get("/info")
def info() -> dict[str, Any]:
    """Which interpreter, process and user serve this request."""
    uid = os.getuid()
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid without a passwd entry, as in some containers
        user = None
    environ = request.environ
    return {
        # The code that answers: a new deploy is live once its release answers.
        "release": release.RELEASE,
        "python_version": platform.python_version(),
        "sys_prefix": sys.prefix,
        # The interpreter's installation (the prefix the venv was made from).
        "sys_base_prefix": sys.base_prefix,
        # Where the libraries come from (a venv's site-packages, or the sys.path block
        # of a .wsgi that adds one).
        "flask_file": flask.__file__,
        "sys_executable": sys.executable,
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "uid": uid,
        "user": user,
        "server_software": environ.get("SERVER_SOFTWARE"),
        "wsgi_multithread": environ.get("wsgi.multithread"),
        "wsgi_multiprocess": environ.get("wsgi.multiprocess"),
        "mod_wsgi_process_group": environ.get("mod_wsgi.process_group"),
    }


@bp.get("/info/libraries")
def libraries() -> dict[str, Any]:
    """The shared objects this process has mapped: which libpython and which mod_wsgi.

    The process reads its own maps (always allowed); another user, even root in a
    container without CAP_SYS_PTRACE, may not read a daemon's. A separate page so that
    /info stays the cheapest one (the benchmark's dynamic page).
    """
    paths = set()
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            for line in maps:
                fields = line.split(None, 5)  # address perms offset dev inode [path]
                if len(fields) == 6 and ".so" in os.path.basename(fields[5].strip()):
                    paths.add(fields[5].strip())
    except OSError:  # not Linux
        pass
    return {"pid": os.getpid(), "libraries": sorted(paths)}
