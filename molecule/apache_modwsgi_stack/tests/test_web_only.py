"""The same Django description on the Apache stack, from a web-only inventory (issue 18).

The scenario's second container, in no group of its own inventory, is the one web host of a
second, web-only inventory (an empty wsgistack_db group) whose app, the Django project of
molecule/multihost's test_web_only.py described the same way (``entry: {type: django}``),
has no database. Deployed twice by the stack playbook: it serves through Apache in its own
mod_wsgi daemon, the rerun changes nothing, no database URL or warning comes with it.
"""

import os

import web_only


def test_a_web_only_inventory_serves_a_django_app_without_a_database(platform, http_from, tmp_path):
    web = platform("web")
    name = f"wsgistack-apache_modwsgi_stack-{os.environ.get('MOLECULE_DISTRO', 'bookworm')}-web"
    first, rerun = web_only.deploy(tmp_path, name, "apache_modwsgi")
    assert first.rc == 0, first.summary()
    assert first.changed > 0, first.summary()
    assert (rerun.rc, rerun.changed) == (0, 0), rerun.summary()
    assert first.warnings == [] and rerun.warnings == [], first.warnings + rerun.warnings

    http = http_from(web)
    answer = http("GET", "http://127.0.0.1/", web_only.SERVER_NAME)
    assert answer.status == 200, answer.text
    assert answer.json()["app"] == "djangoapp"
    assert answer.json()["greeting"] == web_only.GREETING
    assert answer.json()["user"] == "djangoapp"
    assert answer.json()["mod_wsgi_process_group"] == "djangoapp"
    wildcard = http("GET", "http://127.0.0.1/", "any.django.localhost")
    assert wildcard.status == 200 and wildcard.json()["greeting"] == web_only.GREETING
    static = http("GET", "http://127.0.0.1/static.files~v1_0-a/urls.py", web_only.SERVER_NAME)
    assert static.status == 200 and "urlpatterns" in static.text
    script = web.file("/var/www/wsgi-scripts/djangoapp.wsgi").content_string
    assert '"DJANGO_SETTINGS_MODULE"' in script
    assert "DATABASE_URL" not in script
    # No database server was made here.
    assert web.package("apache2").is_installed  # the package list answers
    assert not web.package("postgresql").is_installed
