# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the two app server roles share: the app server packages a role puts into an app's
venv, next to the app's own, and the shape of an app's health check.

An app that names its app server in its own requirements (``gunicorn<24``) keeps that
version: the role installs its own pinned version only where the venv lacks the package, or
where the role itself put the version that is there (it then follows the role's pin). A
version older than the role can work with is refused, naming both.
"""

from __future__ import annotations

import re
from typing import Any

# The oldest version of each package the roles' configuration works with, and why. Also the
# stacks' pip constraints (wsgi_app_plan), so that an app's requirements asking for an older
# one fail in pip's resolver, before anything is installed.
MINIMUM_VERSIONS = {
    # The role's gunicorn.conf.py names the app with `wsgi_app`, a setting since 20.1.0
    # (which also tells systemd when the master is ready: the units are Type=notify).
    "gunicorn": "20.1.0",
    # gunicorn's own `gevent` extra requires gevent>=1.4.0.
    "gevent": "1.4.0",
}


class PackagePlanError(ValueError):
    """Apps whose venv holds an app server package the role cannot work with."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{app}: {text}" for app, text in problems))
        self.problems = problems


def canonical(name: str) -> str:
    """A distribution name as pip compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def constraints(packages: list[str]) -> list[str]:
    """pip constraints that keep each of ``packages`` at or above its minimum version."""
    return [f"{name}>={MINIMUM_VERSIONS[name]}" for name in packages]


def _release(version: str) -> tuple[int, tuple[int, ...]] | None:
    """The epoch and release segment of a PEP 440 version (20.1.0rc1: (0, (20, 1))).

    None when it is not a version. The standard library only: controller plugins may not
    import what ansible-core does not promise (``packaging`` is not in ansible-test's import
    sanity environment).
    """
    match = re.match(r"^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*)", version)
    if not match:
        return None
    numbers = [int(part) for part in match.group(2).split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return int(match.group(1) or 0), tuple(numbers)


def _too_old(version: str, minimum: str) -> bool:
    """Whether ``version`` is below ``minimum`` (or not a version at all)."""
    have = _release(version)
    return have is None or have < _release(minimum)


def _extras(name: str, packages: dict[str, str]) -> str:
    """The extras of ``name`` that the other ``packages`` call for.

    gunicorn's gevent worker imports more than gevent (``packaging`` since gunicorn 22),
    which only its ``gevent`` extra brings.
    """
    return "[gevent]" if canonical(name) == "gunicorn" and "gevent" in packages else ""


def package_plan(venvs: dict[str, Any], wanted: dict[str, dict[str, str]], role: str) -> dict:
    """What to install into each app's venv, and what the role then owns there.

    ``venvs`` is venv_facts' result by app name; ``wanted`` maps each app to the packages
    the role installs and their versions; ``role`` names the record the role keeps in the
    venv (venv_facts' ``state``). Returns, by app, ``install`` (pip specifiers) and
    ``record`` (the packages the role owns afterwards, with their versions).
    """
    plan, problems = {}, []
    for app, packages in wanted.items():
        facts = venvs.get(app) or {}
        installed = facts.get("packages") or {}
        recorded = ((facts.get("state") or {}).get(role) or {}).get("installed") or {}
        install, record = [], {}
        for name, version in packages.items():
            have = installed.get(canonical(name))
            if have is None or recorded.get(name) == have:
                # Missing, or the role's own: the role's pin.
                record[name] = version
                if have != version:
                    install.append(f"{name}{_extras(name, packages)}=={version}")
            elif name in MINIMUM_VERSIONS and _too_old(have, MINIMUM_VERSIONS[name]):
                problems.append(
                    (
                        app,
                        f"its venv {facts.get('path', '')} has {name} {have}, from the app's "
                        f"own requirements, older than {MINIMUM_VERSIONS[name]}, the oldest this "
                        f"role works with; require {name}>={MINIMUM_VERSIONS[name]} there, or drop "
                        f"{name} from them to get {version}",
                    )
                )
        plan[app] = {"install": install, "record": record}
    if problems:
        raise PackagePlanError(problems)
    return plan


# How many lines of a failed app's log the roles read: wsgistack.deploy.health_check shows the
# last 25 and the error lines above them (a server that keeps failing to start repeats a long
# traceback after the line that says why).
LOG_LINES_READ = "300"


def health_check(
    name: str, *, tls: bool, port: int, path: str, host: str, log_command: list, log_title: str
) -> dict[str, Any]:
    """What wsgistack.deploy.health_check asks of one app: ``path`` on this host through the
    front server's ``port`` (HTTPS with ``tls``), as ``host``; ``log_command`` on failure."""
    scheme = "https" if tls else "http"
    return {
        "name": name,
        "url": f"{scheme}://127.0.0.1:{port}{path}",
        "host": host,
        "log_command": log_command,
        "log_title": log_title,
    }
