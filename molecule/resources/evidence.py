"""Checks for the scenarios' tests that fail when there is nothing to check (project issue 16).

A broken host answers a check with 0, an empty list or an empty string: systemd shows
MainPID 0 while a unit is stopped or restarting, a listing of nothing has no bad line in it,
and a command that cannot run at all also "fails to write". Each helper here turns such an
answer into a failure: it asserts the evidence is there (a positive PID of a process that
exists, a non-empty list of expectations, a refusal for the reason the test is about) before
it draws a conclusion from it.

The parsers are pure functions; the helpers that take ``host`` need only its ``run``,
``check_output`` and ``file`` (testinfra's). molecule/conftest.py puts this directory on
sys.path, so the scenarios' tests ``import evidence``; tests/unit/molecule/test_evidence.py
tests it with fake hosts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

PID = re.compile(r"[1-9][0-9]*")
BOOLEAN = re.compile(r"(\S+)\s+\(\s*(on|off)\s*,\s*(on|off)\s*\)")


def positive_pid(value: Any, what: str = "process") -> int:
    """``value`` (a PID as text or int) as an int; an AssertionError unless it is > 0.

    0 is what ``systemctl show -p MainPID`` reports for a unit that has no main process
    (stopped, or being restarted), and an empty string what a failed read leaves: neither
    names a process, and either compared with another PID looks like a new one.
    """
    text = str(value).strip()
    if not PID.fullmatch(text):
        raise AssertionError(f"{what}: {value!r} is not the PID of a process")
    return int(text)


def main_pid(host: Any, unit: str) -> int:
    """The MainPID of systemd ``unit`` on ``host``: a positive PID of a process that exists."""
    shown = host.check_output("systemctl show %s --property=MainPID --value", unit)
    pid = positive_pid(shown, f"MainPID of {unit}")
    assert host.file(f"/proc/{pid}").is_directory, f"MainPID {pid} of {unit} is no process"
    return pid


def missing(expected: Iterable[str], text: str) -> list[str]:
    """The strings of ``expected`` that are not in ``text``.

    An empty ``expected``, a plain string (whose characters would be the expectations) or an
    empty string in it is a ValueError: each would let any text pass.
    """
    if isinstance(expected, str):
        raise ValueError(f"expected must be a list of strings, not the string {expected!r}")
    wanted = list(expected)
    if not wanted:
        raise ValueError("expected is empty: any text would pass")
    blank = [item for item in wanted if not isinstance(item, str) or not item.strip()]
    if blank:
        raise ValueError(f"expected holds {blank!r}, which any text contains")
    return [item for item in wanted if item not in text]


def assert_refused(result: Any, reason: str, what: str = "the command") -> None:
    """``result`` (a testinfra CommandResult) failed, and for ``reason`` (in its stderr).

    A bare ``rc != 0`` passes just as well when the command cannot run at all: a user, a
    path or a program that does not exist.
    """
    if not reason.strip():
        raise ValueError("reason is empty: any stderr contains it")
    assert result.rc != 0, f"{what} succeeded: {result.stdout!r}"
    assert reason in result.stderr, (
        f"{what} failed (rc {result.rc}) but not for {reason!r}: {result.stderr!r}"
    )


def cannot_write(host: Any, user: str, path: str) -> None:
    """``user`` can read ``path`` but not write it.

    The read is the control: it succeeds only when the user, runuser and the path all exist,
    so the failed ``test -w`` (rc 1, nothing on stderr) is about the permission, not about a
    user or a path that is not there.
    """
    readable = host.run("runuser -u %s -- test -r %s", user, path)
    assert readable.rc == 0, f"{user} cannot even read {path}: rc {readable.rc} {readable.stderr}"
    writable = host.run("runuser -u %s -- test -w %s", user, path)
    assert (writable.rc, writable.stderr) == (1, ""), (
        f"{user} can write {path}" if writable.rc == 0 else f"test -w failed: {writable.stderr}"
    )


def fcontext_types(listing: str) -> dict[str, set[str]]:
    """``semanage fcontext -l [-C]`` -> {path regex: the SELinux types of its rules}.

    Lines that are no rule (headers, blank lines, equivalences ``/a = /b``, ``<<None>>``
    contexts) are left out; a rule for several file types gives several entries.
    """
    rules: dict[str, set[str]] = {}
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) < 2 or not fields[0].startswith("/"):
            continue
        context = fields[-1].split(":")
        if len(context) < 3:
            continue
        rules.setdefault(fields[0], set()).add(context[2])
    return rules


def boolean_states(listing: str) -> dict[str, tuple[str, str]]:
    """``semanage boolean -l [-C]`` -> {boolean: (current state, persistent default)}."""
    states = {}
    for line in listing.splitlines():
        found = BOOLEAN.match(line)
        if found:
            states[found[1]] = (found[2], found[3])
    return states
