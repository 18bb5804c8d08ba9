"""Kill an app server's processes with SIGKILL; wait until new ones exist and serve.

Run on the host under test (the stack side effect copies it there):

    python3 kill_and_wait.py PIDS_COMMAND_JSON URL HOST SERVED_BY [TIMEOUT]

PIDS_COMMAND_JSON: the argv (JSON list) that prints the app server's PIDs, one per line
(``systemctl show -p MainPID --value gunicorn-app.service``: the master; ``pgrep -f
'^\\(wsgi:app\\)'``: mod_wsgi's daemons). URL: a page of the app that reports the serving
process (the guestbook's /info: ``pid``, ``ppid``). SERVED_BY: ``parent`` when the listed
PIDs are the parents of the serving processes (gunicorn's master), ``self`` when they serve.

A PID read as 0 (systemd's MainPID while the unit restarts), an empty list or a PID of the
killed processes is never taken for a new process, and the app's answer counts only when a
new process serves it (killed gunicorn workers may go on answering for a moment); the app
is back when one new process serves, not only once every killed process is gone. Prints
JSON {"killed": [...], "new": [...], "seconds": s}; exits 1 with the last reading when the
new processes do not serve within TIMEOUT seconds (default 60).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request


def parse_pids(text: str) -> list[int]:
    """The running processes among the lines of ``text``: positive integers only."""
    pids = []
    for line in text.split():
        if line.isdigit() and int(line) > 0:
            pids.append(int(line))
    return sorted(set(pids))


def new_processes(killed: list[int], now: list[int]) -> list[int]:
    """The processes of ``now`` that were not killed (none while only killed ones are listed).

    Killed processes may stay listed for a moment (not yet reaped); what counts is that a
    process that was not there before serves the app, which ``served_by`` then checks.
    """
    return [pid for pid in now if pid not in killed]


def served_by(info: dict, pids: list[int], mode: str) -> bool:
    """Whether the process that answered (``info``: pid, ppid) is one of the new ones."""
    key = {"parent": "ppid", "self": "pid"}[mode]
    value = info.get(key)
    return isinstance(value, int) and value > 0 and value in pids


def read_pids(command: list[str]) -> list[int]:
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    return [pid for pid in parse_pids(run.stdout) if os.path.exists(f"/proc/{pid}")]


def ask(url: str, host: str) -> dict:
    request = urllib.request.Request(url, headers={"Host": host})  # noqa: S310 - a test URL
    with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
        return json.loads(response.read()) if response.status == 200 else {}


def main() -> int:
    command, url, host, mode = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 60.0
    killed = read_pids(command)
    if not killed:
        print(f"no process to kill: {command} listed none", file=sys.stderr)
        return 1
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    start = time.monotonic()
    new: list[int] = []
    while time.monotonic() - start < timeout:
        new = new_processes(killed, read_pids(command))
        if new:
            try:
                if served_by(ask(url, host), new, mode):
                    seconds = round(time.monotonic() - start, 2)
                    print(json.dumps({"killed": killed, "new": new, "seconds": seconds}))
                    return 0
            except (OSError, ValueError):
                pass
        time.sleep(0.1)
    print(f"killed {killed}; after {timeout}s new processes {new} did not serve", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
