"""wsgistack.deploy.venv_facts: what a venv holds, read by the venv's own interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from ansible_collections.wsgistack.deploy.plugins.modules import venv_facts


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A real venv (with pip, whose vendored packaging reads requirements)."""
    path = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    return path


def site_packages(venv: Path) -> Path:
    return next(venv.glob("lib/python3*/site-packages"))


def add_dist(venv: Path, name: str, version: str, *, requires=(), record="", direct_url=None):
    """A distribution as pip leaves it: NAME-VERSION.dist-info with METADATA and RECORD."""
    info = site_packages(venv) / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {requirement}" for requirement in requires]
    (info / "METADATA").write_text("\n".join(lines) + "\n")
    (info / "RECORD").write_text(record)
    if direct_url:
        (info / "direct_url.json").write_text(json.dumps({"url": direct_url, "dir_info": {}}))
    return info


def facts(run_module, **args):
    return run_module(venv_facts.main, args)


def test_a_missing_venv_is_reported_as_not_there(run_module, tmp_path):
    result = facts(run_module, venvs=[{"name": "app", "path": str(tmp_path / "nothing")}])
    assert result["changed"] is False
    assert result["venvs"]["app"] == {
        "path": str(tmp_path / "nothing"),
        "exists": False,
        "python": None,
        "packages": {},
        "fingerprint": None,
        "requirements": {},
        "sources": {},
        "state": {},
    }


def test_versions_requirements_and_state(run_module, venv):
    add_dist(venv, "Zope.Interface", "7.1", record="zope/__init__.py,sha256=abc,10\n")
    add_dist(
        venv,
        "pyramid",
        "2.1",
        requires=[
            "setuptools<82",
            "setuptools!=70.0; python_version < '3'",  # a marker that does not hold
            "WebTest>=1.3.1; extra == 'testing'",
            "zope.interface>=5.0",
        ],
    )
    state = venv / ".wsgistack"
    state.mkdir()
    (state / "nginx_gunicorn.json").write_text('{"installed": {"gunicorn": "27.0.1"}}')
    (state / "local-abc.sha256").write_text("not json, not read")
    result = facts(
        run_module,
        venvs=[{"name": "app", "path": str(venv)}],
        requirements_on=["setuptools", "Zope_Interface", "wheel"],
    )["venvs"]["app"]
    assert result["exists"] is True
    assert result["python"] == "{}.{}".format(*sys.version_info[:2])
    assert result["packages"]["zope-interface"] == "7.1"
    assert result["packages"]["pyramid"] == "2.1"
    assert "pip" in result["packages"]
    assert result["requirements"] == {
        "setuptools": [{"specifier": "<82", "by": "pyramid 2.1"}],
        "wheel": [],
        "zope-interface": [{"specifier": ">=5.0", "by": "pyramid 2.1"}],
    }
    assert result["state"] == {"nginx_gunicorn": {"installed": {"gunicorn": "27.0.1"}}}
    assert len(result["fingerprint"]) == 64


def test_the_fingerprint_follows_what_is_installed_and_the_sources(run_module, venv, tmp_path):
    source = tmp_path / "src"
    (source / "pkg").mkdir(parents=True)
    (source / "pkg" / "app.ini").write_text("[app:main]\n")
    (source / "build").mkdir()  # build output: not part of the digest
    (source / "build" / "junk").write_text("1")
    args = {"venvs": [{"name": "app", "path": str(venv), "sources": [str(source)]}]}

    def read():
        return facts(run_module, **args)["venvs"]["app"]

    first = read()
    assert read() == first  # reading changes nothing
    assert first["sources"][str(source)]["installed"] is False
    (source / "build" / "junk").write_text("2")
    assert read()["fingerprint"] == first["fingerprint"]
    (source / "pkg" / "app.ini").write_text("[app:main]\nuse = egg:other\n")
    edited = read()
    assert edited["fingerprint"] != first["fingerprint"]
    assert edited["sources"][str(source)]["digest"] != first["sources"][str(source)]["digest"]
    add_dist(venv, "app", "1.0", record="app.py,sha256=1,1\n", direct_url=source.as_uri())
    installed = read()
    assert installed["sources"][str(source)]["installed"] is True
    assert installed["fingerprint"] != edited["fingerprint"]


def test_an_interpreter_that_fails_is_named(run_module, tmp_path):
    broken = tmp_path / "broken"
    (broken / "bin").mkdir(parents=True)
    (broken / "pyvenv.cfg").write_text("home = /nowhere\n")
    python = broken / "bin" / "python"
    python.write_text("#!/bin/sh\necho 'no such interpreter' >&2\nexit 3\n")
    python.chmod(0o755)
    result = facts(run_module, venvs=[{"name": "app", "path": str(broken)}])
    assert result["failed"] is True
    assert result["msg"] == (
        f"venv_facts: venvs[app]: {python} could not describe its venv (exit code 3): "
        "no such interpreter"
    )


def test_an_unreadable_record_is_named(run_module, venv):
    state = venv / ".wsgistack"
    state.mkdir(exist_ok=True)
    (state / "broken.json").write_text("{not json")
    try:
        result = facts(run_module, venvs=[{"name": "app", "path": str(venv)}])
    finally:
        (state / "broken.json").unlink()
    assert result["failed"] is True
    broken = state / "broken.json"
    assert result["msg"].startswith(f"venv_facts: venvs[app]: cannot read {broken}: ")


def test_a_name_given_twice_is_refused(run_module, tmp_path):
    result = facts(
        run_module,
        venvs=[{"name": "app", "path": str(tmp_path)}, {"name": "app", "path": str(tmp_path)}],
    )
    assert result["failed"] is True
    assert result["msg"] == "venv_facts: venvs: the name app is given twice"
