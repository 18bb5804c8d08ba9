"""The collection as users get it: built to a tarball, installed, used from outside the repo."""

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml
from ansible.release import __version__ as ansible_core_version
from packaging.specifiers import SpecifierSet
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(*args, cwd, env=None):
    result = subprocess.run(
        [str(BIN / args[0]), *args[1:]],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    run("ansible-galaxy", "collection", "build", "--output-path", str(out), str(REPO), cwd=out)
    (path,) = out.glob("wsgistack-deploy-*.tar.gz")
    return path


def test_tarball_carries_the_collection_not_its_tests(tarball):
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("MANIFEST.json"))
    info = manifest["collection_info"]
    assert (info["namespace"], info["name"], info["version"]) == ("wsgistack", "deploy", "0.1.0")
    assert set(info["dependencies"]) == {
        "ansible.posix",
        "community.general",
        "community.postgresql",
    }
    assert "meta/runtime.yml" in names
    assert "plugins/filter/pg_hba_lines.py" in names
    assert "roles" in names and "playbooks" in names
    for ignored in ("molecule", "tests", "tools", ".ci", "requirements", "containers"):
        assert not any(n == ignored or n.startswith(ignored + "/") for n in names), ignored


def test_installed_collection_is_usable_from_a_playbook_outside_the_repo(tarball, tmp_path):
    collections = tmp_path / "collections"
    # --offline: Galaxy is not reachable from CI; the dependencies are already
    # installed (they come with the `ansible` package), which --offline accepts.
    run(
        "ansible-galaxy",
        "collection",
        "install",
        "--offline",
        str(tarball),
        "-p",
        str(collections),
        cwd=tmp_path,
        env={"ANSIBLE_COLLECTIONS_PATH": str(collections)},
    )
    assert (collections / "ansible_collections/wsgistack/deploy/MANIFEST.json").is_file()

    playbook = tmp_path / "site.yml"
    playbook.write_text(
        """---
- name: Use wsgistack.deploy as an installed collection
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Render pg_hba lines with the collection's filter
      ansible.builtin.copy:
        dest: "{{ out }}"
        content: "{{ rules | wsgistack.deploy.pg_hba_lines | join('\\n') }}\\n"
        mode: "0644"
      vars:
        rules:
          - {type: local, databases: guestbook, users: guestbook}
          - {type: local, databases: all, users: all, method: peer}
""",
        encoding="utf-8",
    )
    out = tmp_path / "pg_hba.conf"
    run(
        "ansible-playbook",
        "-i",
        "localhost,",
        "-c",
        "local",
        "-e",
        f"out={out}",
        "-e",
        f"ansible_python_interpreter={sys.executable}",
        str(playbook),
        cwd=tmp_path,
        env={"ANSIBLE_COLLECTIONS_PATH": str(collections)},
    )
    lines = [line.split() for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines == [
        ["local", "guestbook", "guestbook", "scram-sha-256"],
        ["local", "all", "all", "peer"],
    ]


def test_declared_ranges_agree_and_admit_what_the_tests_run():
    """galaxy.yml, requirements/collections.yml and meta/runtime.yml against the pinned tooling."""
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))["dependencies"]
    requirements = yaml.safe_load(
        (REPO / "requirements/collections.yml").read_text(encoding="utf-8")
    )["collections"]
    ranges = {entry["name"]: entry["version"] for entry in requirements}
    assert {name: ranges.get(name) for name in galaxy} == galaxy

    listing = run("ansible-galaxy", "collection", "list", "--format", "json", cwd=REPO)
    installed = {}
    for path in json.loads(listing.stdout).values():
        installed.update(path)
    for name, spec in ranges.items():
        version = installed[name]["version"]
        assert Version(version) in SpecifierSet(spec), f"{name} {version} is outside {spec}"

    runtime = yaml.safe_load((REPO / "meta/runtime.yml").read_text(encoding="utf-8"))
    assert Version(ansible_core_version) in SpecifierSet(runtime["requires_ansible"])
