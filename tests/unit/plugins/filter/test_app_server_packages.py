"""app_server_packages: the app's own app server stays; the role's follows the role's pin."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.filter.app_server_packages import (
    FilterModule,
    app_server_packages,
)
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.app_server import (
    MINIMUM_VERSIONS,
    constraints,
)

ROLE = "nginx_gunicorn"


def venv(packages=None, recorded=None, path="/srv/app/venv"):
    state = {ROLE: {"installed": recorded}} if recorded is not None else {}
    return {"path": path, "exists": True, "packages": packages or {}, "state": state}


def plan(venvs, wanted=None):
    wanted = wanted or {app: {"gunicorn": "27.0.1"} for app in venvs}
    return app_server_packages(venvs, wanted, ROLE, variable="nginx_gunicorn_apps")


def test_a_venv_without_the_package_gets_the_roles_pin():
    assert plan({"app": venv({"flask": "3.1.3"})}) == {
        "app": {"install": ["gunicorn==27.0.1"], "record": {"gunicorn": "27.0.1"}}
    }


def test_the_apps_own_pin_is_kept():
    assert plan({"app": venv({"gunicorn": "23.0.0"})}) == {"app": {"install": [], "record": {}}}


def test_the_roles_own_version_follows_a_new_pin_of_the_role():
    venvs = {"app": venv({"gunicorn": "26.0.0"}, recorded={"gunicorn": "26.0.0"})}
    assert plan(venvs) == {
        "app": {"install": ["gunicorn==27.0.1"], "record": {"gunicorn": "27.0.1"}}
    }


def test_the_roles_current_version_needs_no_install():
    venvs = {"app": venv({"gunicorn": "27.0.1"}, recorded={"gunicorn": "27.0.1"})}
    assert plan(venvs) == {"app": {"install": [], "record": {"gunicorn": "27.0.1"}}}


def test_a_version_the_app_changed_after_the_role_installed_is_the_apps():
    venvs = {"app": venv({"gunicorn": "23.0.0"}, recorded={"gunicorn": "27.0.1"})}
    assert plan(venvs) == {"app": {"install": [], "record": {}}}


def test_names_compare_as_pip_does():
    venvs = {"app": venv({"gunicorn": "23.0.0", "zope-interface": "7.0"})}
    wanted = {"app": {"Zope.Interface": "8.0", "gunicorn": "27.0.1"}}
    assert plan(venvs, wanted) == {"app": {"install": [], "record": {}}}


def test_a_venv_not_there_yet_gets_everything():
    venvs = {"app": {"path": "/srv/app/venv", "exists": False, "packages": {}, "state": {}}}
    wanted = {"app": {"gunicorn": "27.0.1", "gevent": "26.9.0"}}
    # gunicorn's gevent extra brings what its gevent worker imports besides gevent (packaging).
    assert plan(venvs, wanted)["app"]["install"] == ["gunicorn[gevent]==27.0.1", "gevent==26.9.0"]


def test_an_app_missing_from_the_facts_gets_everything():
    assert plan({}, {"app": {"gunicorn": "27.0.1"}})["app"]["install"] == ["gunicorn==27.0.1"]


def test_a_too_old_app_pin_names_app_both_versions_and_the_fix():
    with pytest.raises(AnsibleFilterError) as caught:
        plan({"guestbook": venv({"gunicorn": "19.9.0"}, path="/srv/guestbook/venv")})
    assert str(caught.value) == (
        "app_server_packages: nginx_gunicorn_apps (guestbook): its venv /srv/guestbook/venv has "
        "gunicorn 19.9.0, from the app's own requirements, older than 20.1.0, the oldest this "
        "role works with; require gunicorn>=20.1.0 there, or drop gunicorn from them to get 27.0.1"
    )


def test_every_app_with_a_problem_is_named_at_once():
    venvs = {"a": venv({"gunicorn": "19.9.0"}), "b": venv({"gunicorn": "23.0.0"})}
    venvs["c"] = venv({"gunicorn": "not-a-version"})
    with pytest.raises(AnsibleFilterError) as caught:
        plan(venvs)
    message = str(caught.value)
    assert "nginx_gunicorn_apps (a): " in message
    assert "nginx_gunicorn_apps (c): " in message and "gunicorn not-a-version" in message
    assert "(b)" not in message


def test_a_too_old_gevent_is_refused_too():
    installed = {"gunicorn": "27.0.1", "gevent": "1.3.7"}
    venvs = {"app": venv(installed, recorded={"gunicorn": "27.0.1"})}
    with pytest.raises(AnsibleFilterError, match=r"gevent 1\.3\.7, .* older than 1\.4\.0"):
        plan(venvs, {"app": {"gunicorn": "27.0.1", "gevent": "26.9.0"}})


@pytest.mark.parametrize(
    ("venvs", "wanted", "field"),
    [
        (["not", "a", "mapping"], {}, "_input"),
        ({}, ["gunicorn"], "wanted"),
        ({}, {"app": "gunicorn==27.0.1"}, "wanted"),
    ],
)
def test_input_of_the_wrong_shape_names_the_field(venvs, wanted, field):
    with pytest.raises(AnsibleFilterError, match=rf"^app_server_packages: {field}: expected"):
        app_server_packages(venvs, wanted, ROLE)


def test_constraints_keep_the_minimums():
    assert constraints(["gunicorn", "gevent"]) == ["gunicorn>=20.1.0", "gevent>=1.4.0"]
    assert set(MINIMUM_VERSIONS) == {"gunicorn", "gevent"}


def test_the_filter_is_registered():
    assert FilterModule().filters() == {"app_server_packages": app_server_packages}


@pytest.mark.parametrize(
    ("version", "too_old"),
    [
        ("20.1.0", False),
        ("20.1", False),
        ("20.1.0rc1", False),  # a pre-release of the minimum: its release segment is there
        ("20.0.4", True),
        ("19.10.0", True),
        ("1!1.0", False),  # an epoch outranks any version without one
        ("23.0.0.post1", False),
        ("", True),
        ("unknown", True),
    ],
)
def test_versions_compare_by_release(version, too_old):
    venvs = {"app": venv({"gunicorn": version})}
    if too_old:
        with pytest.raises(AnsibleFilterError, match=r"older than 20\.1\.0"):
            plan(venvs)
    else:
        assert plan(venvs) == {"app": {"install": [], "record": {}}}
