"""wsgistack.deploy.modwsgi_restart: SIGUSR1 to a group's daemons, then wait for new ones."""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
import sys
import time
import uuid

import pytest
from ansible_collections.wsgistack.deploy.plugins.modules import modwsgi_restart
from ansible_collections.wsgistack.deploy.plugins.modules.modwsgi_restart import (
    daemon_title,
    is_daemon_of,
    processes,
    replaced,
)

USER = pwd.getpwuid(os.getuid()).pw_name

# A stand-in for Apache's parent: keeps N children titled like mod_wsgi daemons of a group
# (argv[0] padded with spaces, as mod_wsgi writes it), starting a new one when one ends.
SUPERVISOR = r"""
import subprocess, sys, time
title, count = sys.argv[1], int(sys.argv[2])
children = []
while True:
    children = [child for child in children if child.poll() is None]
    while len(children) < count:
        children.append(subprocess.Popen(["bash", "-c", 'exec -a "$0" sleep 600', title]))
    time.sleep(0.05)
"""


@pytest.fixture
def group():
    """A group name of its own, 2 daemons kept running for it; stopped afterwards."""
    name = "t" + uuid.uuid4().hex[:8]
    title = f"(wsgi:{name})".ljust(24)
    supervisor = subprocess.Popen([sys.executable, "-c", SUPERVISOR, title, "2"])
    deadline = time.monotonic() + 10
    while len(processes("/proc", name, os.getuid())) < 2:
        assert time.monotonic() < deadline, "the stand-in daemons did not start"
        time.sleep(0.05)
    yield name
    supervisor.kill()
    supervisor.wait()
    for pid in processes("/proc", name, os.getuid()):
        os.kill(pid, signal.SIGKILL)


def test_titles_as_mod_wsgi_writes_them():
    assert daemon_title(b"(wsgi:guestbook)     \x00") == "(wsgi:guestbook)"
    assert daemon_title(b"/usr/sbin/apache2\x00-k\x00start\x00") == "/usr/sbin/apache2"
    assert daemon_title(b"") == ""


@pytest.mark.parametrize(
    ("title", "group", "matches"),
    [
        ("(wsgi:guestbook)", "guestbook", True),
        ("(wsgi:a_long_app_", "a_long_app_name", True),  # cut to Apache's command length
        ("(wsgi:guestbook)", "guest", False),
        ("(wsgi:guest)", "guestbook", False),
        ("(wsgi:", "guestbook", False),
        ("", "guestbook", False),
        ("/usr/sbin/apache2", "guestbook", False),
    ],
)
def test_which_titles_belong_to_a_group(title, group, matches):
    assert is_daemon_of(title, group) is matches


def test_replaced_needs_every_old_process_gone_and_as_many_new_ones():
    assert replaced([1, 2], [3, 4])
    assert replaced([1, 2], [3, 4, 5])
    assert not replaced([1, 2], [2, 3])
    assert not replaced([1, 2], [3])
    assert not replaced([1, 2], [])


def test_the_group_is_restarted_and_the_task_waits_for_new_processes(run_module, group):
    before = processes("/proc", group, os.getuid())
    result = run_module(
        modwsgi_restart.main, {"groups": [{"name": group, "user": USER}], "timeout": 20}
    )
    assert result["changed"] is True
    assert result["groups"][group]["before"] == before
    after = result["groups"][group]["after"]
    assert len(after) == 2
    assert not set(after) & set(before)
    assert all(os.path.exists(f"/proc/{pid}") for pid in after)


def test_check_mode_signals_nothing(run_module, group):
    before = processes("/proc", group, os.getuid())
    result = run_module(
        modwsgi_restart.main, {"groups": [{"name": group, "user": USER}]}, check_mode=True
    )
    assert result["changed"] is True
    assert processes("/proc", group, os.getuid()) == before


def test_a_group_without_processes_is_unchanged(run_module):
    result = run_module(modwsgi_restart.main, {"groups": [{"name": "nosuchgroup", "user": USER}]})
    assert result["changed"] is False
    assert result["groups"] == {"nosuchgroup": {"before": [], "after": []}}


def test_processes_that_stay_fail_the_task_naming_them(run_module):
    name = "t" + uuid.uuid4().hex[:8]
    # A daemon that ignores SIGUSR1 (as a wedged one would) and is never replaced.
    stubborn = subprocess.Popen(
        ["bash", "-c", 'trap "" USR1; exec -a "$0" sleep 600', f"(wsgi:{name})"]
    )
    try:
        deadline = time.monotonic() + 10
        while not processes("/proc", name, os.getuid()):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        result = run_module(
            modwsgi_restart.main, {"groups": [{"name": name, "user": USER}], "timeout": 1}
        )
    finally:
        stubborn.kill()
        stubborn.wait()
    assert result["failed"] is True
    assert result["msg"] == (
        f"modwsgi_restart: after 1s, group {name} still has [{stubborn.pid}] of its processes "
        f"[{stubborn.pid}] (now [{stubborn.pid}])"
    )


def test_an_unknown_user_is_named(run_module):
    result = run_module(
        modwsgi_restart.main, {"groups": [{"name": "app", "user": "no-such-user-here"}]}
    )
    assert result["failed"] is True
    assert result["msg"] == (
        "modwsgi_restart: groups[app].user: no user no-such-user-here on this host"
    )


def test_a_timeout_below_one_second_is_refused(run_module):
    result = run_module(modwsgi_restart.main, {"groups": [], "timeout": 0})
    assert result["failed"] is True
    assert result["msg"] == "modwsgi_restart: timeout: give a number of seconds >= 1"
