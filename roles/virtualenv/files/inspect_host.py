"""Everything the virtualenv role must know about the host before it changes anything.

Usage: python inspect_host.py REQUEST_JSON   (run with the interpreter Ansible uses)
REQUEST_JSON: {"files": {VAR: PATH}, "local_packages": [PATH], "users": {VAR: NAME},
"groups": {VAR: NAME}, "python": PATH, "venv": PATH, "pending": PENDING}
PENDING (check mode only, else {}): {"paths": [PATH], "users": [NAME], "groups": [NAME]},
what earlier tasks of this check-mode run would have made or changed. A file or local
project at or under a pending path is reported as pending (and not as missing): the host
does not show it as a real run would find it.
Prints one JSON object; one remote call instead of a dozen tasks. Only reads.
"""

import grp
import importlib.util
import json
import os
import pwd
import subprocess
import sys

PROBE = """
import importlib.util, json, os, platform, sys
print(json.dumps({
    "version": platform.python_version(),
    "base_prefix": os.path.realpath(sys.base_prefix),
    "in_venv": sys.prefix != sys.base_prefix,
    "venv": importlib.util.find_spec("venv") is not None,
    "ensurepip": importlib.util.find_spec("ensurepip") is not None,
}))
"""


def probe(python):
    """Ask an interpreter what it is: {"ok": bool, "info": {...}, "error": str}."""
    try:
        run = subprocess.run(  # noqa: S603 - the interpreter is the one the user named
            [python, "-c", PROBE], capture_output=True, text=True, timeout=60, check=False
        )
    except OSError as exc:
        return {"ok": False, "error": str(exc)}
    try:
        return {"ok": run.returncode == 0, "info": json.loads(run.stdout)}
    except ValueError:
        output = (run.stderr + run.stdout).strip()[-400:]
        return {"ok": False, "error": f"exit code {run.returncode}, {output or 'no output'}"}


def account(lookup, name):
    try:
        lookup(name)
    except KeyError:
        return False
    return True


def under(path, parents):
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in parents)


def main():
    request = json.loads(sys.argv[1])
    pending = request.get("pending") or {}
    pending_paths = pending.get("paths", [])
    files = {}
    for var, path in request["files"].items():
        files[var] = {
            "path": path,
            "exists": os.path.isfile(path),
            "executable": os.access(path, os.X_OK),
            "pending": under(path, pending_paths),
        }
    local_missing = [p for p in request["local_packages"] if not os.path.exists(p)]
    users = {v: n for v, n in request["users"].items() if not account(pwd.getpwnam, n)}
    groups = {v: n for v, n in request["groups"].items() if not account(grp.getgrnam, n)}
    venv = request["venv"]
    entries = os.listdir(venv) if os.path.isdir(venv) else []
    # ansible.builtin.pip imports packaging (or pkg_resources) in this interpreter.
    pip_module_ready = any(importlib.util.find_spec(m) for m in ("packaging", "pkg_resources"))
    result = {
        "files": files,
        "missing_local_packages": [p for p in local_missing if not under(p, pending_paths)],
        "missing_users": [v for v, n in users.items() if n not in pending.get("users", [])],
        "missing_groups": [v for v, n in groups.items() if n not in pending.get("groups", [])],
        # An earlier task of this check-mode run would have made (or changed) these.
        "pending_local_packages": [p for p in request["local_packages"] if under(p, pending_paths)],
        "pending_users": [v for v, n in users.items() if n in pending.get("users", [])],
        "pending_groups": [v for v, n in groups.items() if n in pending.get("groups", [])],
        # Groups this process may give files to (without root: its own groups only).
        "own_groups": sorted(
            {g.gr_name for g in grp.getgrall() if g.gr_gid in {os.getgid(), *os.getgroups()}}
        ),
        "venv": {
            "exists": os.path.lexists(venv),
            "isdir": os.path.isdir(venv),
            "empty": not entries,
            "is_venv": "pyvenv.cfg" in entries,
        },
        "pip_module_ready": pip_module_ready,
        "interpreter": None,
        "existing": None,
    }
    if files["virtualenv_python"]["exists"] and files["virtualenv_python"]["executable"]:
        result["interpreter"] = probe(request["python"])
    if "pyvenv.cfg" in entries:
        result["existing"] = probe(os.path.join(venv, "bin", "python"))
    print(json.dumps(result))


main()
