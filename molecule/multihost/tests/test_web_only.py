"""A web tier of its own: the nginx stack on a host with no database tier (project issue 18).

The outsider - in neither group of this scenario's inventory - is the one web host of a
second, web-only inventory (an empty wsgistack_db group) whose app, a Django project
(``entry: {type: django}``), has no database. Deployed by the stack playbook as a user would,
twice: it serves through nginx, the rerun changes nothing, and no database server, database
URL or warning comes with it. Runs after test_multihost.py (the outsider as a mere client).
"""

import os

import web_only


def test_a_web_only_inventory_serves_a_django_app_without_a_database(host, http, tmp_path):
    name = f"wsgistack-multihost-{os.environ.get('MOLECULE_DISTRO', 'bookworm')}-outsider"
    first, rerun = web_only.deploy(tmp_path, name, "nginx_gunicorn")
    assert first.rc == 0, first.summary()
    assert first.changed > 0, first.summary()  # it did deploy: a rerun of nothing proves nothing
    assert (rerun.rc, rerun.changed) == (0, 0), rerun.summary()
    assert first.warnings == [] and rerun.warnings == [], first.warnings + rerun.warnings

    answer = http("GET", "http://127.0.0.1/", web_only.SERVER_NAME)
    assert answer.status == 200, answer.text
    assert answer.json()["app"] == "djangoapp"
    assert answer.json()["greeting"] == web_only.GREETING
    assert answer.json()["user"] == "djangoapp"
    wildcard = http("GET", "http://127.0.0.1/", "any.django.localhost")
    assert wildcard.status == 200 and wildcard.json()["greeting"] == web_only.GREETING
    static = http("GET", "http://127.0.0.1/static.files~v1_0-a/urls.py", web_only.SERVER_NAME)
    assert static.status == 200 and "urlpatterns" in static.text
    verify = host.run("systemd-analyze verify /etc/systemd/system/gunicorn-djangoapp.service")
    assert verify.rc == 0 and "gunicorn-djangoapp" not in verify.stderr, verify.stderr
    # Django's own WSGI handler through gunicorn, with the settings module the entry names.
    config = host.file("/etc/gunicorn/djangoapp.conf.py").content_string
    assert "django.core.wsgi:get_wsgi_application()" in config
    environment = host.file("/etc/gunicorn/djangoapp.env").content_string
    assert 'DJANGO_SETTINGS_MODULE="djangoproj.settings"' in environment
    assert "DATABASE_URL" not in environment
    # No database server was made here (prepare.yml gave the outsider a psql only).
    assert host.package("postgresql-client").is_installed  # the package list answers
    assert not host.package("postgresql").is_installed
    assert not host.file("/etc/postgresql").exists
