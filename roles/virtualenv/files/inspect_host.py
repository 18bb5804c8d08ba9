"""Everything the virtualenv role must know about the host before it changes anything.

Usage: python inspect_host.py REQUEST_JSON   (run with the interpreter Ansible uses)
REQUEST_JSON: {"files": {VAR: PATH}, "local_packages": [PATH], "users": {VAR: NAME},
"groups": {VAR: NAME}, "python": PATH, "venv": PATH}
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


def main():
    request = json.loads(sys.argv[1])
    files = {
        var: {"path": path, "exists": os.path.isfile(path), "executable": os.access(path, os.X_OK)}
        for var, path in request["files"].items()
    }
    venv = request["venv"]
    entries = os.listdir(venv) if os.path.isdir(venv) else []
    # ansible.builtin.pip imports packaging (or pkg_resources) in this interpreter.
    pip_module_ready = any(importlib.util.find_spec(m) for m in ("packaging", "pkg_resources"))
    result = {
        "files": files,
        "missing_local_packages": [p for p in request["local_packages"] if not os.path.exists(p)],
        "missing_users": [v for v, n in request["users"].items() if not account(pwd.getpwnam, n)],
        "missing_groups": [v for v, n in request["groups"].items() if not account(grp.getgrnam, n)],
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
