"""Simulate an upstream release: offer empty wheels of newer versions to every pip on the host.

    python3 fake_wheels.py FOLDER VERSION PIP_CONF NAME...

Writes FOLDER/NAME-VERSION-py3-none-any.whl for each NAME (metadata only, no code: a venv
that took one would break, which is the point) and PIP_CONF (/etc/pip.conf: every pip on
the host reads it) with ``find-links = FOLDER``, so that pip finds them beside the index.
"""

from __future__ import annotations

import base64
import hashlib
import os
import sys
import zipfile


def wheel_files(name: str, version: str) -> dict[str, str]:
    """The files of an empty wheel, RECORD included (with the hashes pip checks)."""
    info = f"{name.replace('-', '_')}-{version}.dist-info"
    files = {
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: wsgistack-test\nRoot-Is-Purelib: true\n"
            "Tag: py3-none-any\n"
        ),
    }
    lines = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        lines.append(f"{path},sha256={digest.decode()},{len(text.encode())}\n")
    files[f"{info}/RECORD"] = "".join(lines) + f"{info}/RECORD,,\n"
    return files


def main() -> None:
    folder, version, pip_conf, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    os.makedirs(folder, exist_ok=True)
    for name in names:
        filename = f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
        with zipfile.ZipFile(os.path.join(folder, filename), "w") as wheel:
            for path, text in wheel_files(name, version).items():
                wheel.writestr(path, text)
    with open(pip_conf, "w", encoding="utf-8") as config:
        config.write(f"[global]\nfind-links = {folder}\n")


if __name__ == "__main__":
    main()
