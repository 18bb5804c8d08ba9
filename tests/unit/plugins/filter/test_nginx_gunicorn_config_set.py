"""wsgistack.deploy.nginx_gunicorn_config_set: what nginx_gunicorn hands config_transaction.

The expected lists are the ones the Jinja of roles/nginx_gunicorn/tasks/nginx.yml produced
before the derivation moved into Python (rendered with ansible-core's templar for each case),
written out in full.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.filter.nginx_gunicorn_config_set import (
    FilterModule,
    nginx_gunicorn_config_set,
)
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.nginx_gunicorn_schema import (
    check,
    config_set,
)

ROLE = Path(__file__).resolve().parents[4] / "roles" / "nginx_gunicorn"
# The platforms' layouts, as vars/Debian.yml and vars/RedHat.yml give them.
DEBIAN = {
    "sites_dir": "/etc/nginx/sites-available",
    "sites_enabled_dir": "/etc/nginx/sites-enabled",
    "default_sites": ["/etc/nginx/sites-enabled/default"],
}
REDHAT = {
    "sites_dir": "/etc/nginx/conf.d",
    "sites_enabled_dir": None,
    "default_sites": ["/etc/nginx/conf.d/default.conf"],
}
# Resolved apps stand in by the keys the derivation reads; the rest goes to the template.
SHOP = {"name": "shop", "listen": 80, "default_server": False}
BLOG = {"name": "blog", "listen": 80, "default_server": True}
ROOT_0644 = {"owner": "root", "group": "root", "mode": "0644"}


def server(path, app):
    return {
        "path": path,
        "template": "nginx-site.conf.j2",
        "template_vars": {"item": app},
        **ROOT_0644,
    }


def test_layouts_are_the_roles_platform_variables():
    for platform, layout in (("Debian", DEBIAN), ("RedHat", REDHAT)):
        given = yaml.safe_load((ROLE / "vars" / f"{platform}.yml").read_text())
        assert {key: given[f"__nginx_gunicorn_{key}"] for key in layout} == layout


def test_debian_servers_linked_from_sites_enabled_and_the_default_site_removed():
    assert config_set([SHOP, BLOG], **DEBIAN, remove_default_site=True) == {
        "files": [
            server("/etc/nginx/sites-available/shop.conf", SHOP),
            server("/etc/nginx/sites-available/blog.conf", BLOG),
        ],
        "links": [
            {
                "path": "/etc/nginx/sites-enabled/shop.conf",
                "src": "/etc/nginx/sites-available/shop.conf",
            },
            {
                "path": "/etc/nginx/sites-enabled/blog.conf",
                "src": "/etc/nginx/sites-available/blog.conf",
            },
        ],
        "absent": ["/etc/nginx/sites-enabled/default"],
    }


def test_debian_default_site_kept():
    assert config_set([SHOP], **DEBIAN, remove_default_site=False) == {
        "files": [server("/etc/nginx/sites-available/shop.conf", SHOP)],
        "links": [
            {
                "path": "/etc/nginx/sites-enabled/shop.conf",
                "src": "/etc/nginx/sites-available/shop.conf",
            }
        ],
        "absent": [],
    }


@pytest.mark.parametrize("enabled_dir", [None, ""])
def test_redhat_servers_in_conf_d_without_links(enabled_dir):
    layout = {**REDHAT, "sites_enabled_dir": enabled_dir}
    assert config_set([SHOP, BLOG], **layout, remove_default_site=True) == {
        "files": [
            server("/etc/nginx/conf.d/shop.conf", SHOP),
            server("/etc/nginx/conf.d/blog.conf", BLOG),
        ],
        "links": [],
        "absent": ["/etc/nginx/conf.d/default.conf"],
    }
    assert config_set([SHOP], **layout, remove_default_site=False) == {
        "files": [server("/etc/nginx/conf.d/shop.conf", SHOP)],
        "links": [],
        "absent": [],
    }


@pytest.mark.parametrize("layout", [DEBIAN, REDHAT])
def test_no_apps_no_servers(layout):
    assert config_set([], **layout, remove_default_site=True) == {
        "files": [],
        "links": [],
        "absent": layout["default_sites"],
    }


def test_the_template_gets_the_app_the_check_resolved():
    apps = check([{"name": "shop", "venv": "/srv/shop/venv", "module": "shop:app"}], {})["apps"]
    files = config_set(apps, **DEBIAN, remove_default_site=True)["files"]
    assert files == [server("/etc/nginx/sites-available/shop.conf", apps[0])]


def test_filter_is_registered_and_is_config_set():
    assert FilterModule().filters() == {"nginx_gunicorn_config_set": nginx_gunicorn_config_set}
    given = {**DEBIAN, "remove_default_site": True}
    assert nginx_gunicorn_config_set([SHOP], **given) == config_set([SHOP], **given)


def test_the_filters_sites_enabled_dir_is_none_by_default():
    given = {key: value for key, value in REDHAT.items() if key != "sites_enabled_dir"}
    assert nginx_gunicorn_config_set([SHOP], **given, remove_default_site=True) == (
        config_set([SHOP], **REDHAT, remove_default_site=True)
    )


@pytest.mark.parametrize(
    ("apps", "changes", "message"),
    [
        ("shop", {}, "apps: expected a list, got 'shop'"),
        (["shop"], {}, "apps: [0] expected a mapping, got 'shop'"),
        ([{"listen": 80}], {}, "apps[0].name: expected a string, got None"),
        ([SHOP], {"sites_dir": None}, "sites_dir: expected a string, got None"),
        ([SHOP], {"sites_enabled_dir": ["x"]}, "sites_enabled_dir: expected a string, got ['x']"),
        (
            [SHOP],
            {"default_sites": "/etc/nginx/sites-enabled/default"},
            "default_sites: expected a list, got '/etc/nginx/sites-enabled/default'",
        ),
        (
            [SHOP],
            {"remove_default_site": "false"},
            "remove_default_site: expected true or false, got 'false'",
        ),
    ],
)
def test_a_wrong_argument_names_the_filter_and_the_argument(apps, changes, message):
    arguments = {**DEBIAN, "remove_default_site": True, **changes}
    with pytest.raises(AnsibleFilterError) as caught:
        nginx_gunicorn_config_set(apps, **arguments)
    assert str(caught.value) == f"nginx_gunicorn_config_set: {message}"


def test_the_role_passes_the_filter_and_decides_nothing_in_jinja():
    text = (ROLE / "tasks" / "nginx.yml").read_text()
    assert "{%" not in text
    task = yaml.safe_load(text)[0]
    assert task["wsgistack.deploy.config_transaction"]["files"] == (
        "{{ __nginx_gunicorn_config_set.files }}"
    )
    assert (
        "wsgistack.deploy.nginx_gunicorn_config_set(" in task["vars"]["__nginx_gunicorn_config_set"]
    )
