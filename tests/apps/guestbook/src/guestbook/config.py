"""Configuration read from ``GUESTBOOK_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping

PREFIX = "GUESTBOOK_"
KEYS = ("DATABASE_URL", "SECRET_KEY", "TITLE")
DEFAULTS = {"TITLE": "Guestbook"}


def from_environ(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the settings found in ``environ`` (default ``os.environ``): ``GUESTBOOK_TITLE``
    becomes ``TITLE``."""
    if environ is None:
        environ = os.environ
    settings = dict(DEFAULTS)
    settings.update({key: environ[PREFIX + key] for key in KEYS if environ.get(PREFIX + key)})
    return settings
