"""Unit tests for molecule/resources/evidence.py: each check fails on no evidence (issue 16)."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[3] / "molecule" / "resources" / "evidence.py"
SPEC = importlib.util.spec_from_file_location("evidence", PATH)
evidence = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(evidence)


@dataclass
class Result:
    rc: int
    stdout: str = ""
    stderr: str = ""


@dataclass
class File:
    is_directory: bool


class FakeHost:
    """Answers commands from a table: {(command with its arguments filled in): Result}."""

    def __init__(self, answers, dirs=()):
        self.answers = answers
        self.dirs = set(dirs)
        self.commands = []

    def run(self, command, *args):
        command = command % args
        self.commands.append(command)
        return self.answers[command]

    def check_output(self, command, *args):
        result = self.run(command, *args)
        assert result.rc == 0
        return result.stdout.strip()

    def file(self, path):
        return File(path in self.dirs)


# ------------------------------------------------------------------ PIDs


@pytest.mark.parametrize(("value", "pid"), [("1234", 1234), (" 42\n", 42), (7, 7), ("1", 1)])
def test_positive_pid_accepts_a_pid(value, pid):
    assert evidence.positive_pid(value) == pid


@pytest.mark.parametrize("value", ["0", 0, "", "\n", "00", "012", "-1", "12 13", "abc", None])
def test_positive_pid_refuses_what_names_no_process(value):
    with pytest.raises(AssertionError, match="is not the PID of a process"):
        evidence.positive_pid(value)


SHOW = "systemctl show gunicorn-x.service --property=MainPID --value"


def test_main_pid_of_a_running_unit():
    host = FakeHost({SHOW: Result(0, "4321\n")}, dirs=["/proc/4321"])
    assert evidence.main_pid(host, "gunicorn-x.service") == 4321


def test_main_pid_refuses_the_0_of_a_restarting_unit():
    """The case of issue 16: read while systemd restarted the unit, MainPID was 0."""
    host = FakeHost({SHOW: Result(0, "0\n")}, dirs=["/proc/0"])
    with pytest.raises(AssertionError, match="'0' is not the PID"):
        evidence.main_pid(host, "gunicorn-x.service")


def test_main_pid_refuses_a_pid_of_a_process_that_is_gone():
    host = FakeHost({SHOW: Result(0, "4321\n")})
    with pytest.raises(AssertionError, match=r"MainPID 4321 of gunicorn-x\.service is no process"):
        evidence.main_pid(host, "gunicorn-x.service")


# ------------------------------------------------------------------ expected messages


def test_missing_lists_what_the_text_lacks():
    text = "nginx -t rejected: unknown directive"
    assert evidence.missing(["nginx -t", "unknown directive"], text) == []
    assert evidence.missing(("nginx -t", "no such thing"), text) == ["no such thing"]


@pytest.mark.parametrize(
    "expected", [[], (), "nginx -t", ["nginx -t", ""], ["  "], [None], iter([])]
)
def test_missing_refuses_expectations_any_text_meets(expected):
    with pytest.raises(ValueError, match="expected"):
        evidence.missing(expected, "")


# ------------------------------------------------------------------ refusals


def test_assert_refused_passes_a_refusal_for_the_reason():
    denied = Result(1, stderr="touch: cannot touch '/srv/x': Permission denied\n")
    evidence.assert_refused(denied, "Permission denied")


@pytest.mark.parametrize(
    "result",
    [
        Result(0),  # it worked
        Result(1, stderr="sudo: unknown user guestbook\n"),  # it could not run
        Result(1, stderr="touch: cannot touch '/srv/x': No such file or directory\n"),
        Result(127, stderr="sh: 1: touch: not found\n"),
        Result(125, stderr="Error: no container with name or ID\n"),  # no host at all
    ],
)
def test_assert_refused_fails_on_anything_else(result):
    with pytest.raises(AssertionError):
        evidence.assert_refused(result, "Permission denied")


def test_assert_refused_needs_a_reason():
    with pytest.raises(ValueError, match="reason is empty"):
        evidence.assert_refused(Result(1, stderr="anything"), "")


READ = "runuser -u app -- test -r /srv/app"
WRITE = "runuser -u app -- test -w /srv/app"


def test_cannot_write_passes_a_readable_unwritable_path():
    host = FakeHost({READ: Result(0), WRITE: Result(1)})
    evidence.cannot_write(host, "app", "/srv/app")
    assert host.commands == [READ, WRITE]


@pytest.mark.parametrize(
    ("read", "write"),
    [
        (Result(0), Result(0)),  # writable
        (Result(1), Result(1)),  # the path does not exist (test -r is false too)
        (Result(1, stderr="runuser: user app does not exist\n"), Result(1, stderr="x\n")),
        (Result(0), Result(1, stderr="runuser: cannot set groups\n")),
        (Result(125, stderr="no container\n"), Result(125, stderr="no container\n")),
    ],
)
def test_cannot_write_fails_without_evidence(read, write):
    host = FakeHost({READ: read, WRITE: write})
    with pytest.raises(AssertionError):
        evidence.cannot_write(host, "app", "/srv/app")


# ------------------------------------------------------------------ SELinux listings

SO = r"/var/www/apps/guestbook/venv/.+\.so(\.[0-9]+)*"
# What semanage prints: a header, then one rule a line in columns, then the equivalences.
FCONTEXT = (
    "\n".join(
        f"{regex:<50} {kind:<18} {context}"
        for regex, kind, context in [
            ("SELinux fcontext", "type", "Context"),
            ("", "", ""),
            (
                "/var/www/apps/guestbook(/.*)?",
                "all files",
                "system_u:object_r:httpd_sys_content_t:s0",
            ),
            (
                "/var/www/apps/guestbook/instance(/.*)?",
                "all files",
                "system_u:object_r:httpd_sys_rw_content_t:s0",
            ),
            (SO, "regular file", "system_u:object_r:httpd_sys_script_exec_t:s0"),
            (SO, "symbolic link", "system_u:object_r:httpd_sys_script_exec_t:s0"),
            ("/srv/nolabel", "all files", "<<None>>"),
            ("", "", ""),
        ]
    )
    + "\nSELinux Local fcontext Equivalence\n\n/srv/web = /var/www\n"
)


def test_fcontext_types():
    assert evidence.fcontext_types(FCONTEXT) == {
        "/var/www/apps/guestbook(/.*)?": {"httpd_sys_content_t"},
        "/var/www/apps/guestbook/instance(/.*)?": {"httpd_sys_rw_content_t"},
        SO: {"httpd_sys_script_exec_t"},
    }


def test_fcontext_types_of_nothing_is_empty():
    assert evidence.fcontext_types("") == {}
    assert evidence.fcontext_types("SELinux fcontext   type   Context\n\n") == {}


BOOLEANS = """\
SELinux boolean                State  Default Description

httpd_can_network_connect      (on   ,   on)  Allow httpd to can network connect
httpd_can_network_connect_db   (off  ,   on)  Allow httpd to can network connect db
httpd_enable_cgi               (on   ,  off)  Allow httpd to enable cgi
"""


def test_boolean_states():
    assert evidence.boolean_states(BOOLEANS) == {
        "httpd_can_network_connect": ("on", "on"),
        "httpd_can_network_connect_db": ("off", "on"),
        "httpd_enable_cgi": ("on", "off"),
    }
    assert evidence.boolean_states("") == {}
