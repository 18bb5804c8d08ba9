"""Minimal PasteDeploy app: ``use = egg:pasteapp`` in an ini file builds it."""

from __future__ import annotations

import json
import os
import pwd
from collections.abc import Callable, Iterable
from typing import Any

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def make_app(global_config: dict[str, str], **settings: str) -> WSGIApp:
    """``paste.app_factory`` entry point: settings come from the ``[app:…]`` section."""
    greeting = settings.get("greeting", "hello")

    def application(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        body = json.dumps(
            {
                "app": "pasteapp",
                "greeting": greeting,
                "environment": os.environ.get("PASTEAPP_GREETING"),
                "authorization": "HTTP_AUTHORIZATION" in environ,
                "user": pwd.getpwuid(os.getuid()).pw_name,
                "pid": os.getpid(),
                "path": environ.get("PATH_INFO", ""),
                "script_name": environ.get("SCRIPT_NAME", ""),
                "mod_wsgi_process_group": environ.get("mod_wsgi.process_group"),
            }
        ).encode()
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("X-Pasteapp", "1"),
            ],
        )
        return [body]

    return application
