"""The policy store after roles/selinux, read with semanage and matchpathcon.

The kernel in the test containers does not enforce SELinux: these tests show the labels,
booleans and ports in the policy store, not enforcement (tested only on SELinux hosts).
"""

import evidence
import pytest

APP = "/var/www/apps/guestbook"
SO = f"{APP}/venv/lib/python3.11/site-packages/psycopg2/_psycopg.cpython-3-x86_64-linux-gnu.so"
VENDORED = f"{APP}/venv/lib/python3.11/site-packages/numpy.libs/libopenblas-ab12.so.0.3"


@pytest.fixture(scope="module")
def store(platform):
    """The host with the policy store installed and the role forced to manage it."""
    return platform("store")


@pytest.fixture(scope="module")
def plain(platform):
    """A stock host without SELinux: the role must leave it alone."""
    return platform("plain")


LABELS = [
    (SO, "httpd_sys_script_exec_t"),
    (VENDORED, "httpd_sys_script_exec_t"),
    (f"{APP}/venv/lib/python3.11/site-packages/psycopg2/__init__.py", "httpd_sys_content_t"),
    (f"{APP}/guestbook/app.py", "httpd_sys_content_t"),
    ("/var/www/wsgi-scripts/guestbook.wsgi", "httpd_sys_content_t"),
    (f"{APP}/instance/guestbook.sqlite", "httpd_sys_rw_content_t"),
    (f"{APP}/instance/uploads/a.so", "httpd_sys_rw_content_t"),
]


def test_matchpathcon_labels(store):
    """The venv's compiled extensions (also vendored .so.N) get httpd_sys_script_exec_t."""
    paths = [path for path, _label in LABELS]
    output = store.check_output("matchpathcon" + " %s" * len(paths), *paths)
    got = {line.split("\t")[0]: line.split("\t")[1].split(":")[2] for line in output.splitlines()}
    assert got == dict(LABELS)


def test_local_file_contexts(store):
    # Each rule must be there with its type (a check of the lines that happen to be there
    # passes on a listing without them).
    local = evidence.fcontext_types(store.check_output("semanage fcontext -l -C"))
    assert local[r"/var/www/apps/guestbook/venv/.+\.so(\.[0-9]+)*"] == {"httpd_sys_script_exec_t"}
    assert local["/var/www/apps/guestbook/instance(/.*)?"] == {"httpd_sys_rw_content_t"}


def test_booleans_persistent(store):
    local = evidence.boolean_states(store.check_output("semanage boolean -l -C"))
    for name in ("httpd_can_network_connect_db", "httpd_can_network_connect"):
        assert local[name][1] == "on", (name, local)  # the persistent default


def test_gunicorn_port(store):
    ports = store.check_output("semanage port -l -C")
    assert any(line.split()[:3] == ["http_port_t", "tcp", "8000"] for line in ports.splitlines())


def test_selinux_config_untouched(store):
    assert store.run("sha256sum -c /root/selinux-config.sha256").rc == 0
    assert "SELINUX=disabled" not in store.file("/etc/selinux/config").content_string


def test_plain_host_untouched(plain):
    assert not plain.package("policycoreutils").is_installed
    assert not plain.exists("semanage")
    assert not plain.file("/etc/selinux/config").exists
