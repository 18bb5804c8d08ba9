# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A function of plugin_utils made a Jinja filter."""

from __future__ import annotations

import functools
from typing import Any, Callable

from ansible.errors import AnsibleFilterError


def as_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` as the filter ``name``: the same arguments (``inspect.signature`` reads
    them through ``__wrapped__``); a ValueError it raises (the schema's ``Invalid``) becomes an
    AnsibleFilterError that starts with the filter's name."""

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except ValueError as exc:
            raise AnsibleFilterError(f"{name}: {exc}") from None

    run.__name__ = run.__qualname__ = name
    return run
