"""What a user of the virtualenv scenario's host sees."""

import evidence
import pytest

VENV = "/srv/guestbook/venv"
PY = f"{VENV}/bin/python"
# Without a database URL the app would make its instance folder inside the venv.
DB = "GUESTBOOK_DATABASE_URL=sqlite:////tmp/guestbook-test.db"


def venv_python(host, code):
    return host.check_output(f"env {DB} {PY} -c {code!r}")


def test_app_imports_with_the_venv_python(host):
    assert venv_python(host, "import guestbook.wsgi; print('ok')") == "ok"


def test_venv_is_made_by_the_system_python(host):
    code = "import platform; print(platform.python_version())"
    assert venv_python(host, code) == host.check_output(f"/usr/bin/python3 -c {code!r}")
    assert venv_python(host, "import sys; print(sys.base_prefix)") == "/usr"
    cfg = host.file(f"{VENV}/pyvenv.cfg").content_string
    assert "include-system-site-packages = false" in cfg


@pytest.mark.parametrize(
    ("dist", "version"),
    [
        ("pip", "25.3"),  # pinned
        ("gunicorn", "23.0.0"),  # requirements file
        ("flask", "3.1.3"),  # requirements file
        ("werkzeug", "3.1.3"),  # constraints file
        ("markupsafe", "3.0.2"),  # constraints file
        ("guestbook", "1.0.0"),  # local project
    ],
)
def test_versions(host, dist, version):
    code = f"from importlib.metadata import version; print(version({dist!r}))"
    assert venv_python(host, code) == version


def test_latest_tools_are_installed(host):
    for dist in ("setuptools", "wheel"):
        venv_python(host, f"from importlib.metadata import version; version({dist!r})")


def test_owned_by_root_and_not_writable_by_others(host):
    venv = host.file(VENV)
    assert venv.user == "root"
    assert venv.group == "root"
    # The walk covers the venv's files (an empty or other directory would have no bad file).
    walked = host.check_output(f"find {VENV} ! -type l -print").splitlines()
    assert {f"{VENV}/pyvenv.cfg", f"{VENV}/bin/activate", f"{VENV}/bin/pip"} <= set(walked)
    writable = host.check_output(f"find {VENV} ! -type l \\( -perm -g+w -o -perm -o+w \\) -print")
    assert writable == ""
    foreign = host.check_output(f"find {VENV} \\( ! -user root -o ! -group root \\) -print")
    assert foreign == ""


@pytest.mark.parametrize(
    "path",
    [f"{VENV}/x", f"{VENV}/bin/x", "SITE/guestbook/x", "SITE/guestbook/__init__.py"],
)
def test_app_user_cannot_write(host, path):
    site = venv_python(host, "import sysconfig; print(sysconfig.get_path('purelib'))")
    path = path.replace("SITE", site)
    evidence.assert_refused(
        host.run(f"sudo -u guestbook touch {path}"), "Permission denied", f"guestbook: touch {path}"
    )


def test_app_user_can_read_and_run(host):
    out = host.check_output(f"sudo -u guestbook env {DB} {PY} -c 'import guestbook.wsgi; print(1)'")
    assert out == "1"


def test_system_python_untouched(host):
    # The venv's packages are not in the system interpreter (which runs, and says so).
    evidence.assert_refused(
        host.run("/usr/bin/python3 -c 'import flask'"),
        "ModuleNotFoundError: No module named 'flask'",
        "import flask in /usr/bin/python3",
    )
