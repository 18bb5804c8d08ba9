"""What users of the builder and the target see after the python_build scenario."""

import hashlib
import os
from pathlib import Path

import evidence
import pytest

PREFIX = "/opt/python/3.11.2"
PY = f"{PREFIX}/bin/python3.11"
MODULES = ["ssl", "sqlite3", "ctypes", "lzma", "bz2", "zlib", "uuid", "_uuid", "readline"]


@pytest.fixture(scope="module")
def builder(platform):
    return platform("builder")


@pytest.fixture(scope="module")
def target(platform):
    return platform("target")


def test_interpreter_version(host):
    assert host.check_output(f"{PY} -c 'import platform; print(platform.python_version())'") == (
        "3.11.2"
    )


def test_required_modules_import(host):
    host.check_output(f"{PY} -c 'import {', '.join(MODULES)}'")


def test_libpython_is_shared_and_found_through_the_rpath(host):
    assert "Py_ENABLE_SHARED 1" in host.check_output(
        f'{PY} -c \'import sysconfig; print("Py_ENABLE_SHARED", '
        f'sysconfig.get_config_var("Py_ENABLE_SHARED"))\''
    )
    ldd = host.check_output(f"env -u LD_LIBRARY_PATH ldd {PY}")
    assert f"libpython3.11.so.1.0 => {PREFIX}/lib/libpython3.11.so.1.0" in ldd
    # No ld.so tweaks: grep read the files (rc 2 is an error) and found no line (rc 1).
    grep = host.run("grep -rs /opt/python /etc/ld.so.conf /etc/ld.so.conf.d")
    assert (grep.rc, grep.stdout) == (1, ""), (grep.rc, grep.stdout, grep.stderr)


def test_altinstall_left_the_system_python3_alone(host):
    before = host.file("/root/system-python3.before").content_string.strip()
    now = host.check_output(
        "/usr/bin/python3 -c 'import os, sys; print(os.path.realpath(sys.executable), sys.version)'"
    )
    assert now == before
    assert host.file(PY).is_file  # the build is there, and
    assert not host.file(f"{PREFIX}/bin/python3").exists  # altinstall: no unversioned names
    assert host.check_output("ls /usr/local/bin") == ""
    minor = host.check_output(
        "/usr/bin/python3 -c 'import sys; print(\"%d.%d\" % sys.version_info[:2])'"
    )
    # dpkg --verify prints every file of the packages that differs from what was installed.
    assert (
        host.check_output(f"dpkg --verify python3-minimal python3.{minor.split('.')[1]}-minimal")
        == ""
    )


def test_manifest_records_a_verified_build(host):
    manifest = host.file(f"{PREFIX}/.python_build.yml").content_string
    assert "verified: true" in manifest
    assert "--disable-test-modules" in manifest
    assert "2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849" in manifest


def test_builder_fetched_a_checksummed_archive(builder):
    release = builder.system_info.release.split(".")[0]
    artifacts = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "artifacts")
    archives = list(artifacts.glob(f"cpython-3.11.2-debian-{release}-x86_64-*.tar.gz"))
    assert len(archives) == 1
    digest = hashlib.sha256(archives[0].read_bytes()).hexdigest()
    sidecar = archives[0].with_name(archives[0].name + ".sha256").read_text()
    assert sidecar == f"{digest}  {archives[0].name}\n"


def test_builder_compiles_c_extensions_against_the_new_interpreter(builder):
    so = builder.check_output(
        "/srv/build-check/venv/bin/python -c 'import markupsafe._speedups as s; print(s.__file__)'"
    )
    assert so.endswith(".cpython-311-x86_64-linux-gnu.so")
    # Built here from the sdist, not taken from a wheel on PyPI.
    code = "from importlib.metadata import distribution; print(distribution('markupsafe')"
    code += ".read_text('WHEEL'))"
    wheel = builder.check_output(f"/srv/build-check/venv/bin/python -c {code!r}")
    assert "Tag: cp311-cp311-linux_x86_64" in wheel


def test_target_has_no_compiler(target):
    for tool in ("gcc", "cc", "make", "x86_64-linux-gnu-gcc"):
        assert target.run(f"command -v {tool}").rc != 0, tool
    assert not target.package("build-essential").is_installed


def test_target_venv_from_the_installed_archive_runs_the_app_and_a_c_extension(target):
    venv_py = "/srv/guestbook/venv/bin/python"
    assert target.check_output(f"{venv_py} -c 'import sys; print(sys.base_prefix)'") == PREFIX
    so = target.check_output(f"{venv_py} -c 'import psycopg2._psycopg as p; print(p.__file__)'")
    assert so.endswith(".cpython-311-x86_64-linux-gnu.so")
    assert target.check_output(
        f"{venv_py} -c 'import psycopg2; print(psycopg2.__libpq_version__ > 0)'"
    ) == ("True")
    db = "GUESTBOOK_DATABASE_URL=sqlite:////tmp/guestbook-test.db"
    out = target.check_output(
        f"sudo -u guestbook env {db} {venv_py} -c 'import guestbook.wsgi; print(1)'"
    )
    assert out == "1"
    evidence.assert_refused(
        target.run("sudo -u guestbook touch /srv/guestbook/venv/x"),
        "Permission denied",
        "guestbook: touch /srv/guestbook/venv/x",
    )
