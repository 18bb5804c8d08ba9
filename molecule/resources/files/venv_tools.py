"""The versions of pip, setuptools and wheel in each venv given, as JSON (null: not installed).

    python3 venv_tools.py VENV...

Runs each venv's own interpreter, so that what is read is what that venv would import.
"""

from __future__ import annotations

import json
import subprocess
import sys

READ = """if True:
    import json
    from importlib.metadata import PackageNotFoundError, version
    def have(name):
        try:
            return version(name)
        except PackageNotFoundError:
            return None
    print(json.dumps({name: have(name) for name in ("pip", "setuptools", "wheel")}))
"""


def tools(venv: str) -> dict:
    """pip, setuptools and wheel as ``venv``'s interpreter sees them."""
    run = subprocess.run(
        [f"{venv}/bin/python", "-c", READ], capture_output=True, text=True, check=True
    )
    return json.loads(run.stdout)


def main() -> None:
    print(json.dumps({venv: tools(venv) for venv in sys.argv[1:]}, sort_keys=True))


if __name__ == "__main__":
    main()
