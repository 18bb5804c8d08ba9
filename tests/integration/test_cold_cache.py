"""The machine cache starts empty on a fresh machine: every step that writes into it makes it.

A step that writes into a directory it did not create passes wherever the directory is left
over from earlier runs and fails on a new machine. This runs the scenarios' CPython download
(molecule/resources/tasks/cpython_tarball.yml) against an empty WSGISTACK_CACHE, with a
tarball served on the loopback, then again with the server gone: the second run takes the
cached copy (checked against its sha256) and downloads nothing.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PLAYBOOK = """\
- name: Fetch the tarball as the scenarios' prepare playbooks do
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Copy the tarball from the machine cache
      ansible.builtin.import_tasks: {tasks}
      vars:
        cpython_tarball_dest: {dest}
        cpython_tarball_vars: {vars_file}
"""


def run_playbook(playbook: Path, cache: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env.update(
        WSGISTACK_CACHE=str(cache),
        ANSIBLE_COLLECTIONS_PATH=str(REPO / ".cache" / "collections"),
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_NOCOLOR="1",
    )
    return subprocess.run(
        [str(BIN / "ansible-playbook"), str(playbook)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_the_cpython_download_works_with_an_empty_cache(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    tarball = served / "python3.99_3.99.0.orig.tar.xz"
    tarball.write_bytes(b"not really a tarball, but checksummed like one\n")
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    vars_file = tmp_path / "python.yml"
    vars_file.write_text(
        "python_build_version: '3.99.0'\n"
        f"python_build_source_url: http://127.0.0.1:{server.server_port}/{tarball.name}\n"
        f"python_build_source_sha256: {digest}\n"
    )
    playbook = tmp_path / "fetch.yml"
    playbook.write_text(
        PLAYBOOK.format(
            tasks=REPO / "molecule/resources/tasks/cpython_tarball.yml",
            dest=tmp_path / "dest",
            vars_file=vars_file,
        )
    )
    cache = tmp_path / "cache-that-does-not-exist-yet"
    try:
        first = run_playbook(playbook, cache)
    finally:
        server.shutdown()
        server.server_close()
    assert first.returncode == 0, first.stdout + first.stderr
    assert (cache / "downloads" / tarball.name).read_bytes() == tarball.read_bytes()
    assert (tmp_path / "dest" / tarball.name).read_bytes() == tarball.read_bytes()

    # The server is gone: only the cached copy can serve the second run.
    (tmp_path / "dest" / tarball.name).unlink()
    second = run_playbook(playbook, cache)
    assert second.returncode == 0, second.stdout + second.stderr
    assert (tmp_path / "dest" / tarball.name).read_bytes() == tarball.read_bytes()
