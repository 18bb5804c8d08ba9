"""wsgistack.deploy.apache_modwsgi_config_set: what apache_modwsgi hands config_transaction.

The expected lists are the ones the Jinja of roles/apache_modwsgi/tasks/config.yml produced
before the derivation moved into Python (rendered with ansible-core's templar for each case,
with the stale sites and the catch-all vars/main.yml then decided), written out in full.
config_set now decides those two as well, from what the role hands it: apache_modwsgi_catchall,
the default app's site name and the platform's site prefix.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import jinja2
import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.filter.apache_modwsgi_config_set import (
    FilterModule,
    apache_modwsgi_config_set,
)
from ansible_collections.wsgistack.deploy.plugins.plugin_utils import apache_modwsgi_schema as ams
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.apache_modwsgi_schema import (
    config_set,
)

ROLE = Path(__file__).resolve().parents[4] / "roles" / "apache_modwsgi"
# What vars/main.yml gives every platform.
ROLE_VARS = {
    "conf_files": [
        {"name": "wsgistack-modwsgi", "template": "modwsgi.conf.j2"},
        {"name": "wsgistack-hardening", "template": "hardening.conf.j2"},
    ],
    "catchall_name": "000-wsgistack-catchall",
    "default_site_name": "000-wsgistack-default",
}
# The platforms' layouts, as vars/Debian.yml and vars/RedHat.yml give them.
DEBIAN = {
    "conf_dir": "/etc/apache2/conf-available",
    "conf_enabled_dir": "/etc/apache2/conf-enabled",
    "site_dir": "/etc/apache2/sites-available",
    "site_enabled_dir": "/etc/apache2/sites-enabled",
    "default_site_links": ["/etc/apache2/sites-enabled/000-default.conf"],
    "default_site_files": [],
}
REDHAT = {
    "conf_dir": "/etc/httpd/conf.d",
    "conf_enabled_dir": "",
    "site_dir": "/etc/httpd/conf.d",
    "site_enabled_dir": "",
    "default_site_links": [],
    "default_site_files": ["/etc/httpd/conf.d/welcome.conf"],
}
# Resolved apps stand in by the keys the derivation reads (site: the check derives it, with
# RedHat's wsgistack- prefix); the rest goes to the template.
SHOP = {"name": "shop", "default_server": False, "site": "shop"}
BLOG = {"name": "blog", "default_server": True, "site": "000-wsgistack-default"}
RH_SHOP = {**SHOP, "site": "wsgistack-shop"}
# An app that was the default server in an earlier run and is not now.
RH_BLOG = {**BLOG, "default_server": False, "site": "wsgistack-blog"}

ROOT_0644 = {"owner": "root", "group": "root", "mode": "0644"}
NOT_LOADED = "# Not loaded: wsgistack.deploy.apache_modwsgi no longer serves this site.\n"
DISABLED = "# Disabled by wsgistack.deploy.apache_modwsgi (apache_modwsgi_default_site: false).\n"


def templated(path, template, app=None):
    file = {"path": path, "template": template}
    if app is not None:
        file["template_vars"] = {"__apache_modwsgi_app": app}
    return {**file, **ROOT_0644}


def emptied(path, content):
    return {"path": path, "content": content, **ROOT_0644}


def site_prefix(layout):
    """The platform's site_prefix, as vars/main.yml's __apache_modwsgi_platform makes it."""
    main = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())
    expression = main["__apache_modwsgi_platform"]["site_prefix"]
    variables = {"__apache_modwsgi_site_enabled_dir": layout["site_enabled_dir"]}
    return jinja2.Template(expression).render(variables)


def run(apps, layout, *, catchall, default_site):
    return config_set(
        apps,
        **ROLE_VARS,
        **layout,
        site_prefix=site_prefix(layout),
        catchall=catchall,
        default_site=default_site,
    )


DEBIAN_CONF_FILES = [
    templated("/etc/apache2/conf-available/wsgistack-modwsgi.conf", "modwsgi.conf.j2"),
    templated("/etc/apache2/conf-available/wsgistack-hardening.conf", "hardening.conf.j2"),
]
DEBIAN_CONF_LINKS = [
    {
        "src": "../conf-available/wsgistack-modwsgi.conf",
        "path": "/etc/apache2/conf-enabled/wsgistack-modwsgi.conf",
    },
    {
        "src": "../conf-available/wsgistack-hardening.conf",
        "path": "/etc/apache2/conf-enabled/wsgistack-hardening.conf",
    },
]
REDHAT_CONF_FILES = [
    templated("/etc/httpd/conf.d/wsgistack-modwsgi.conf", "modwsgi.conf.j2"),
    templated("/etc/httpd/conf.d/wsgistack-hardening.conf", "hardening.conf.j2"),
]


def test_layouts_are_the_roles_variables():
    main = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())
    assert main["__apache_modwsgi_conf_files"] == ROLE_VARS["conf_files"]
    assert main["__apache_modwsgi_catchall_name"] == ROLE_VARS["catchall_name"]
    assert main["__apache_modwsgi_default_site_name"] == ROLE_VARS["default_site_name"]
    assert ROLE_VARS["default_site_name"] == ams.DEFAULT_SITE
    for platform, layout in (("Debian", DEBIAN), ("RedHat", REDHAT)):
        given = yaml.safe_load((ROLE / "vars" / f"{platform}.yml").read_text())
        assert {key: given[f"__apache_modwsgi_{key}"] for key in layout} == layout
    # Debian's site names are the apps' names; RedHat's are marked (conf.d holds others too).
    assert (site_prefix(DEBIAN), site_prefix(REDHAT)) == ("", "wsgistack-")
    # The two decisions are config_set's now, not Jinja's.
    assert "__apache_modwsgi_catchall_enabled" not in main
    assert "__apache_modwsgi_stale_sites" not in main


# ---------------------------------------------------------------- Debian: links


def test_debian_catchall_loaded_and_the_default_site_removed():
    result = run(
        [SHOP],
        DEBIAN,
        catchall=True,
        default_site=False,
    )
    assert result == {
        "files": [
            *DEBIAN_CONF_FILES,
            templated(
                "/etc/apache2/sites-available/000-wsgistack-catchall.conf", "catchall.conf.j2"
            ),
            templated("/etc/apache2/sites-available/shop.conf", "vhost.conf.j2", SHOP),
        ],
        "links": [
            *DEBIAN_CONF_LINKS,
            {
                "src": "../sites-available/000-wsgistack-catchall.conf",
                "path": "/etc/apache2/sites-enabled/000-wsgistack-catchall.conf",
            },
            {
                "src": "../sites-available/shop.conf",
                "path": "/etc/apache2/sites-enabled/shop.conf",
            },
        ],
        "absent": [
            "/etc/apache2/sites-enabled/000-wsgistack-default.conf",
            "/etc/apache2/sites-enabled/000-default.conf",
        ],
    }


def test_debian_default_site_kept():
    result = run(
        [SHOP],
        DEBIAN,
        catchall=True,
        default_site=True,
    )
    assert result["absent"] == ["/etc/apache2/sites-enabled/000-wsgistack-default.conf"]
    assert len(result["files"]) == 4
    assert len(result["links"]) == 4


def test_debian_default_server_instead_of_the_catchall():
    result = run(
        [SHOP, BLOG],
        DEBIAN,
        catchall=True,
        default_site=False,
    )
    assert result == {
        "files": [
            *DEBIAN_CONF_FILES,
            templated("/etc/apache2/sites-available/shop.conf", "vhost.conf.j2", SHOP),
            templated(
                "/etc/apache2/sites-available/000-wsgistack-default.conf", "vhost.conf.j2", BLOG
            ),
        ],
        "links": [
            *DEBIAN_CONF_LINKS,
            {
                "src": "../sites-available/shop.conf",
                "path": "/etc/apache2/sites-enabled/shop.conf",
            },
            {
                "src": "../sites-available/000-wsgistack-default.conf",
                "path": "/etc/apache2/sites-enabled/000-wsgistack-default.conf",
            },
        ],
        "absent": [
            "/etc/apache2/sites-enabled/000-wsgistack-catchall.conf",
            "/etc/apache2/sites-enabled/blog.conf",
            "/etc/apache2/sites-enabled/000-default.conf",
        ],
    }


def test_debian_without_catchall_nor_default_server():
    result = run(
        [SHOP],
        DEBIAN,
        catchall=False,
        default_site=True,
    )
    assert result == {
        "files": [
            *DEBIAN_CONF_FILES,
            templated("/etc/apache2/sites-available/shop.conf", "vhost.conf.j2", SHOP),
        ],
        "links": [
            *DEBIAN_CONF_LINKS,
            {
                "src": "../sites-available/shop.conf",
                "path": "/etc/apache2/sites-enabled/shop.conf",
            },
        ],
        "absent": [
            "/etc/apache2/sites-enabled/000-wsgistack-catchall.conf",
            "/etc/apache2/sites-enabled/000-wsgistack-default.conf",
        ],
    }


# ---------------------------------------------------------------- RedHat: conf.d, emptied files


def test_redhat_catchall_loaded_stale_site_and_welcome_emptied():
    result = run(
        [RH_SHOP],
        REDHAT,
        catchall=True,
        default_site=False,
    )
    assert result == {
        "files": [
            *REDHAT_CONF_FILES,
            templated("/etc/httpd/conf.d/000-wsgistack-catchall.conf", "catchall.conf.j2"),
            templated("/etc/httpd/conf.d/wsgistack-shop.conf", "vhost.conf.j2", RH_SHOP),
            emptied("/etc/httpd/conf.d/000-wsgistack-default.conf", NOT_LOADED),
            emptied("/etc/httpd/conf.d/welcome.conf", DISABLED),
        ],
        "links": [],
        "absent": [],
    }


def test_redhat_default_server_and_the_default_site_kept():
    result = run(
        [RH_SHOP, BLOG],
        REDHAT,
        catchall=True,
        default_site=True,
    )
    assert result == {
        "files": [
            *REDHAT_CONF_FILES,
            templated("/etc/httpd/conf.d/wsgistack-shop.conf", "vhost.conf.j2", RH_SHOP),
            templated("/etc/httpd/conf.d/000-wsgistack-default.conf", "vhost.conf.j2", BLOG),
            emptied("/etc/httpd/conf.d/000-wsgistack-catchall.conf", NOT_LOADED),
            emptied("/etc/httpd/conf.d/wsgistack-blog.conf", NOT_LOADED),
        ],
        "links": [],
        "absent": [],
    }


def test_redhat_default_server_and_the_default_site_removed():
    result = run(
        [RH_SHOP, BLOG],
        REDHAT,
        catchall=True,
        default_site=False,
    )
    assert result["files"][-1] == emptied("/etc/httpd/conf.d/welcome.conf", DISABLED)
    assert (
        result["files"][:-1]
        == run(
            [RH_SHOP, BLOG],
            REDHAT,
            catchall=True,
            default_site=True,
        )["files"]
    )
    assert (result["links"], result["absent"]) == ([], [])


def test_redhat_without_catchall_nor_default_server():
    result = run([RH_SHOP], REDHAT, catchall=False, default_site=True)
    assert result == {
        "files": [
            *REDHAT_CONF_FILES,
            templated("/etc/httpd/conf.d/wsgistack-shop.conf", "vhost.conf.j2", RH_SHOP),
            emptied("/etc/httpd/conf.d/000-wsgistack-catchall.conf", NOT_LOADED),
            emptied("/etc/httpd/conf.d/000-wsgistack-default.conf", NOT_LOADED),
        ],
        "links": [],
        "absent": [],
    }


@pytest.mark.parametrize("enabled_dir", ["", None])
def test_no_enabled_directory_is_empty_or_null(enabled_dir):
    layout = {**REDHAT, "conf_enabled_dir": enabled_dir, "site_enabled_dir": enabled_dir}
    given = {"catchall": True, "default_site": False}
    assert run([RH_SHOP], layout, **given) == run([RH_SHOP], REDHAT, **given)


@pytest.mark.parametrize("layout", [DEBIAN, REDHAT])
def test_no_apps_only_the_default_apps_site_is_stale_and_the_default_site_off(layout):
    # The catch-all and the default app's site are always known: with the catch-all loaded
    # and no app, the default app's site alone is stale.
    result = run([], layout, catchall=True, default_site=False)
    stale = "000-wsgistack-default.conf"
    contents = [(f["path"], f["content"]) for f in result["files"] if "content" in f]
    if layout["site_enabled_dir"]:
        assert contents == []
        assert result["absent"] == [
            f"{layout['site_enabled_dir']}/{stale}",
            *layout["default_site_links"],
        ]
    else:
        assert contents == [
            (f"{layout['site_dir']}/{stale}", NOT_LOADED),
            *((path, DISABLED) for path in layout["default_site_files"]),
        ]
        assert result["absent"] == []


# ---------------------------------------------------------------- the stale sites


def stale(result, layout):
    """The stale sites of a result: removed links (Debian) or emptied site files (RedHat)."""
    if layout["site_enabled_dir"]:
        paths = [p for p in result["absent"] if p not in layout["default_site_links"]]
        directory = layout["site_enabled_dir"]
    else:
        paths = [f["path"] for f in result["files"] if f.get("content") == NOT_LOADED]
        directory = layout["site_dir"]
    assert all(p.startswith(f"{directory}/") and p.endswith(".conf") for p in paths)
    return [p[len(directory) + 1 : -len(".conf")] for p in paths]


def loaded(result, layout):
    """The sites a result loads (a template for a site file)."""
    directory = layout["site_dir"]
    return [
        f["path"][len(directory) + 1 : -len(".conf")]
        for f in result["files"]
        if f.get("template") in ("catchall.conf.j2", "vhost.conf.j2")
    ]


@pytest.mark.parametrize(
    ("layout", "shop", "blog"),
    [(DEBIAN, SHOP, "blog"), (REDHAT, RH_SHOP, "wsgistack-blog")],
)
def test_a_default_server_app_disables_the_catchall_and_makes_it_stale(layout, shop, blog):
    result = run([shop, BLOG], layout, catchall=True, default_site=True)
    assert loaded(result, layout) == [shop["site"], "000-wsgistack-default"]
    assert stale(result, layout) == ["000-wsgistack-catchall", blog]
    # The role's apache_modwsgi_catchall makes no difference then.
    assert run([shop, BLOG], layout, catchall=False, default_site=True) == result
    # The default server alone.
    result = run([BLOG], layout, catchall=True, default_site=True)
    assert loaded(result, layout) == ["000-wsgistack-default"]
    assert stale(result, layout) == ["000-wsgistack-catchall", blog]


@pytest.mark.parametrize(
    ("layout", "shop", "blog"),
    [(DEBIAN, SHOP, {**BLOG, "default_server": False, "site": "blog"}), (REDHAT, RH_SHOP, RH_BLOG)],
)
def test_an_app_under_a_site_name_it_no_longer_has_is_stale(layout, shop, blog):
    # blog is the default server now: its site under its own name (an earlier run's) is stale.
    result = run([shop, BLOG], layout, catchall=True, default_site=True)
    assert stale(result, layout)[1:] == [blog["site"]]
    # blog is not the default server now: the default app's site (an earlier run's) is stale.
    result = run([shop, blog], layout, catchall=True, default_site=True)
    assert loaded(result, layout) == ["000-wsgistack-catchall", shop["site"], blog["site"]]
    assert stale(result, layout) == ["000-wsgistack-default"]


@pytest.mark.parametrize(("layout", "shop"), [(DEBIAN, SHOP), (REDHAT, RH_SHOP)])
def test_catchall_false_the_catchall_is_stale(layout, shop):
    result = run([shop], layout, catchall=False, default_site=True)
    assert loaded(result, layout) == [shop["site"]]
    assert stale(result, layout) == ["000-wsgistack-catchall", "000-wsgistack-default"]
    assert not any(f.get("template") == "catchall.conf.j2" for f in result["files"])
    assert all("catchall" not in link["path"] for link in result["links"])
    # Without apps too.
    assert stale(run([], layout, catchall=False, default_site=True), layout) == [
        "000-wsgistack-catchall",
        "000-wsgistack-default",
    ]


def test_the_site_prefix_marks_the_known_sites_of_the_apps():
    # The apps' names under the prefix the role hands (the check's own prefix made their site).
    result = config_set(
        [{**SHOP, "site": "x-shop"}],
        **ROLE_VARS,
        **REDHAT,
        site_prefix="x-",
        catchall=True,
        default_site=True,
    )
    assert stale(result, REDHAT) == ["000-wsgistack-default"]
    result = config_set(
        [{**SHOP, "site": "x-shop"}],
        **ROLE_VARS,
        **REDHAT,
        site_prefix="y-",
        catchall=True,
        default_site=True,
    )
    assert stale(result, REDHAT) == ["000-wsgistack-default", "y-shop"]


def test_the_vhost_gets_the_app_the_check_resolved_under_its_site():
    platform = {
        "apache_user": "apache",
        "apache_group": "apache",
        "log_dir": "/var/log/httpd",
        "site_prefix": "wsgistack-",
    }
    wide = {spec.name: spec.default for spec in ams.ROLE_FIELDS}
    given = {
        "name": "shop",
        "server_name": "shop.test",
        "venv": "/srv/shop/venv",
        "entry": {"type": "module", "callable": "shop.wsgi:application"},
    }
    checked = ams.check([given], {**wide, "processes": 2}, platform)
    assert checked["errors"] == []
    app = checked["apps"][0]
    result = run([app], REDHAT, catchall=True, default_site=True)
    assert result["files"][3] == templated(
        "/etc/httpd/conf.d/wsgistack-shop.conf", "vhost.conf.j2", app
    )


# ---------------------------------------------------------------- the filter


def test_filter_is_registered_and_is_config_set():
    assert FilterModule().filters() == {"apache_modwsgi_config_set": apache_modwsgi_config_set}
    given = {"catchall": True, "default_site": False}
    assert apache_modwsgi_config_set([SHOP], **ROLE_VARS, **DEBIAN, site_prefix="", **given) == run(
        [SHOP], DEBIAN, **given
    )


def test_the_filters_enabled_directories_are_empty_by_default():
    layout = {k: v for k, v in REDHAT.items() if k not in ("conf_enabled_dir", "site_enabled_dir")}
    given = {"catchall": True, "default_site": False}
    assert apache_modwsgi_config_set(
        [RH_SHOP], **ROLE_VARS, **layout, site_prefix="wsgistack-", **given
    ) == run([RH_SHOP], REDHAT, **given)


@pytest.mark.parametrize(
    ("apps", "changes", "message"),
    [
        ({"name": "shop"}, {}, "apps: expected a list, got {'name': 'shop'}"),
        ([{"name": "shop"}], {}, "apps[0].site: expected a string, got None"),
        (
            [SHOP],
            {"conf_files": [{"name": "x"}]},
            "conf_files[0].template: expected a string, got None",
        ),
        ([SHOP], {"conf_files": ["x"]}, "conf_files: [0] expected a mapping, got 'x'"),
        ([SHOP], {"site_dir": None}, "site_dir: expected a string, got None"),
        ([{"site": "shop"}], {}, "apps[0].name: expected a string, got None"),
        ([SHOP], {"catchall": "yes"}, "catchall: expected true or false, got 'yes'"),
        ([SHOP], {"default_site_name": None}, "default_site_name: expected a string, got None"),
        ([SHOP], {"site_prefix": None}, "site_prefix: expected a string, got None"),
        ([SHOP], {"default_site": 0}, "default_site: expected true or false, got 0"),
        (
            [SHOP],
            {"default_site_links": [None]},
            "default_site_links: [0] expected a string, got None",
        ),
    ],
)
def test_a_wrong_argument_names_the_filter_and_the_argument(apps, changes, message):
    arguments = {
        **ROLE_VARS,
        **DEBIAN,
        "site_prefix": "",
        "catchall": True,
        "default_site": False,
        **changes,
    }
    with pytest.raises(AnsibleFilterError) as caught:
        apache_modwsgi_config_set(apps, **arguments)
    assert str(caught.value) == f"apache_modwsgi_config_set: {message}"


def test_the_role_passes_the_filter_and_decides_nothing_in_jinja():
    text = (ROLE / "tasks" / "config.yml").read_text()
    assert "{%" not in text
    task = yaml.safe_load(text)[0]
    arguments = task["wsgistack.deploy.config_transaction"]
    for option in ("files", "links", "absent"):
        assert arguments[option] == f"{{{{ __apache_modwsgi_config_set.{option} }}}}"
    called = task["vars"]["__apache_modwsgi_config_set"]
    parameters = list(inspect.signature(apache_modwsgi_config_set).parameters)[1:]
    assert all(f"{name}=" in called for name in parameters)
