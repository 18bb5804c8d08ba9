"""What both app server roles' checks share: the directories an app may write (schema's
writable_dir, over each role's code directories) and the health checks they derive for
wsgistack.deploy.health_check (the tasks/health.yml of each role passes them on as they are).
"""

from __future__ import annotations

import copy

import pytest
from ansible_collections.wsgistack.deploy.plugins.plugin_utils import apache_modwsgi_schema as ams
from ansible_collections.wsgistack.deploy.plugins.plugin_utils import nginx_gunicorn_schema as ngs

NGINX_APP = {"name": "guestbook", "venv": "/srv/guestbook/venv", "module": "guestbook.wsgi:app"}
APACHE_APP = {
    "name": "guestbook",
    "server_name": "guestbook.test",
    "venv": "/srv/guestbook/venv",
    "entry": {"type": "module", "callable": "guestbook.wsgi:app"},
}
# What vars/main.yml hands the check on Debian.
PLATFORM = dict(apache_user="www-data", apache_group="www-data", log_dir="/var/log/apache2",
                socket_prefix_default="/run/apache2/wsgi", site_prefix="")  # fmt: skip
JOURNAL = ["--lines", "300", "--no-pager", "--output", "short-iso"]
OWN_DATA = "give a directory of its data, such as /var/lib/guestbook"


def nginx(apps, **role_wide):
    return ngs.check(apps, role_wide, 2)


def apache(apps, **changes):
    wide = {spec.name: copy.deepcopy(spec.default) for spec in ams.ROLE_FIELDS}
    wide["processes"] = 3
    wide.update(changes)
    return ams.check(apps, wide, PLATFORM)


# ---------------------------------------------------------------- nginx_gunicorn writable_paths


@pytest.mark.parametrize(
    ("path", "system"),
    [("/etc", "/etc"), ("/etc/guestbook", "/etc"), ("/usr/lib", "/usr"), ("/bin", "/bin"),
     ("/boot", "/boot"), ("/proc", "/proc"), ("/sys/fs", "/sys"), ("/dev", "/dev"),
     ("/root", "/root"), ("/var/lib", "/var/lib"), ("/var", "/var")],
)  # fmt: skip
def test_nginx_never_lets_an_app_write_a_system_directory(path, system):
    assert nginx([{**NGINX_APP, "writable_paths": ["/var/lib/guestbook", path]}])["errors"] == [
        f"nginx_gunicorn_apps[0].writable_paths[1]: {path} would let the app write the system "
        f"directory {system}; the app never writes the system's directories - {OWN_DATA}"
    ]


VENV = "venv /srv/guestbook/venv"
CODE = "the code directory /srv/guestbook/code/src"


@pytest.mark.parametrize(
    ("path", "written"),
    [("/", VENV), ("/srv/guestbook", VENV), ("/srv/guestbook/venv", VENV),
     ("/srv/guestbook/venv/lib", VENV), ("/srv/guestbook/code", CODE)],
)  # fmt: skip
def test_nginx_never_lets_an_app_write_its_venv_or_code(path, written):
    app = {**NGINX_APP, "venv": NGINX_APP["venv"] if written == VENV else "/opt/other/venv"}
    app.update(chdir="/srv/guestbook/code/src", writable_paths=[path])
    assert nginx([app])["errors"] == [
        f"nginx_gunicorn_apps[0].writable_paths[0]: {path} would let the app write {written}; "
        f"the app never writes its own code or venv - {OWN_DATA}"
    ]


def test_nginx_lets_an_app_write_its_data_and_below_its_code():
    app = {**NGINX_APP, "chdir": "/srv/guestbook/src"}
    app["writable_paths"] = ["/var/lib/guestbook", "/srv/guestbook/src/uploads", "/run/guestbook"]
    result = nginx([app])
    assert result["errors"] == []
    assert result["apps"][0]["writable_paths"] == app["writable_paths"]


def test_nginx_names_a_role_wide_writable_path_by_its_variable():
    assert nginx([NGINX_APP], writable_paths=["/etc"])["errors"] == [
        "nginx_gunicorn_writable_paths[0]: /etc would let the app write the system directory "
        f"/etc; the app never writes the system's directories - {OWN_DATA}"
    ]


# ---------------------------------------------------------------- apache_modwsgi writable_dirs


@pytest.mark.parametrize(
    ("path", "system"),
    [("/etc", "/etc"), ("/usr/local", "/usr"), ("/var/lib", "/var/lib"), ("/root/x", "/root")],
)
def test_apache_never_lets_an_app_write_a_system_directory(path, system):
    assert apache([{**APACHE_APP, "writable_dirs": [path]}])["errors"] == [
        f"apache_modwsgi_apps[0].writable_dirs[0]: {path} would let the app write the system "
        f"directory {system}; the app never writes the system's directories - {OWN_DATA}"
    ]


# ---------------------------------------------------------------- health checks


def test_nginx_health_checks():
    result = nginx(
        [
            {**NGINX_APP, "server_names": ["Guestbook.example", "www.guestbook.example"]},
            {
                **NGINX_APP,
                "name": "shop",
                "server_names": ["shop.example"],
                "tls_cert": "/etc/ssl/shop.pem",
                "tls_key": "/etc/ssl/shop.key",
                "tls_listen": 8443,
                "health_check": "/health?deep=1",
            },
            {**NGINX_APP, "name": "quiet", "server_names": ["quiet.example"], "health_check": ""},
        ],
        listen=8080,
    )
    assert result["errors"] == []
    assert result["health_checks"] == [
        {
            "name": "guestbook",
            "url": "http://127.0.0.1:8080/",
            "host": "guestbook.example",
            "log_command": ["journalctl", "--unit", "gunicorn-guestbook.service", *JOURNAL],
            "log_title": "journalctl --unit gunicorn-guestbook",
        },
        {
            "name": "shop",
            "url": "https://127.0.0.1:8443/health?deep=1",
            "host": "shop.example",
            "log_command": ["journalctl", "--unit", "gunicorn-shop.service", *JOURNAL],
            "log_title": "journalctl --unit gunicorn-shop",
        },
    ]


def test_apache_health_checks():
    result = apache(
        [
            {**APACHE_APP, "mount": "/gb"},
            {
                **APACHE_APP,
                "name": "shop",
                "server_name": "Shop.test",
                "tls_cert": "/etc/ssl/shop.pem",
                "tls_key": "/etc/ssl/shop.key",
                "health_check": "/health",
            },
            {**APACHE_APP, "name": "quiet", "server_name": "quiet.test", "health_check": ""},
            {
                "name": "proxied",
                "mode": "proxy",
                "proxy_upstream": "http://127.0.0.1:8000/",
                "server_name": "proxied.test",
            },
        ],
        http_port=8080,
        https_port=8443,
    )
    assert result["errors"] == []
    tail = ["tail", "--lines", "300"]
    assert result["health_checks"] == [
        {
            "name": "guestbook",
            "url": "http://127.0.0.1:8080/gb",
            "host": "guestbook.test",
            "log_command": [*tail, "/var/log/apache2/guestbook_error.log"],
            "log_title": "/var/log/apache2/guestbook_error.log",
        },
        {
            "name": "shop",
            "url": "https://127.0.0.1:8443/health",
            "host": "shop.test",
            "log_command": [*tail, "/var/log/apache2/shop_error.log"],
            "log_title": "/var/log/apache2/shop_error.log",
        },
        {
            "name": "proxied",
            "url": "http://127.0.0.1:8080/",
            "host": "proxied.test",
            "log_command": [*tail, "/var/log/apache2/proxied_error.log"],
            "log_title": "/var/log/apache2/proxied_error.log",
        },
    ]


def test_no_health_checks_with_errors():
    assert nginx([{**NGINX_APP, "workers": 0}])["health_checks"] == []
    assert apache([{**APACHE_APP, "processes": 0}])["health_checks"] == []
