"""wsgi_app_plan: what the stack playbooks' up-front check relies on.

The requirements file is checked on the controller before anything changes
(playbooks/parts/check.yml reads ``requirements_source``), so it must lie inside the
source directory that is copied; app_server may not replace what the stack creates
(the user, group and venv); a relative app_root names the stack's variable.
"""

import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.filter.wsgi_app_plan import wsgi_app_plan

GUESTBOOK = {
    "name": "guestbook",
    "source": "/controller/apps/guestbook",
    "entry": {"type": "module", "callable": "guestbook.wsgi:application"},
}


def app(**changes):
    return {**copy.deepcopy(GUESTBOOK), **changes}


def error(apps, stack="nginx_gunicorn", **kwargs):
    with pytest.raises(AnsibleFilterError) as caught:
        wsgi_app_plan(apps, stack, **kwargs)
    return str(caught.value)


@pytest.mark.parametrize(
    ("requirements", "on_host", "on_controller"),
    [
        ("requirements.txt", "/srv/guestbook/src/requirements.txt",
         "/controller/apps/guestbook/requirements.txt"),
        ("./req/../requirements/prod.txt", "/srv/guestbook/src/requirements/prod.txt",
         "/controller/apps/guestbook/requirements/prod.txt"),
    ],
)  # fmt: skip
def test_requirements_on_the_host_and_on_the_controller(requirements, on_host, on_controller):
    plan = wsgi_app_plan([app(requirements=requirements)], "nginx_gunicorn")
    (normalized,) = plan["apps"]
    assert normalized["requirements"] == on_host
    assert normalized["requirements_source"] == on_controller
    assert plan["virtualenvs"][0]["virtualenv_requirements"] == on_host


def test_no_requirements_file():
    (normalized,) = wsgi_app_plan([app()], "apache_modwsgi")["apps"]
    assert normalized["requirements"] is None
    assert normalized["requirements_source"] is None
    packaged = app(source=None, package="guestbook==1.0")
    (normalized,) = wsgi_app_plan([packaged], "apache_modwsgi")["apps"]
    assert normalized["requirements_source"] is None


@pytest.mark.parametrize("requirements", ["../req.txt", "src/../../req.txt", ".."])
def test_requirements_outside_the_source_are_rejected(requirements):
    assert error([app(requirements=requirements)]) == (
        f"wsgi_app_plan: wsgistack_apps[0].requirements: {requirements!r} is outside 'source'; "
        "only the project directory is copied to the host, so give a path inside it"
    )


@pytest.mark.parametrize(
    ("key", "instead"),
    [
        ("user", "set wsgistack_apps[0].user instead"),
        ("group", "set wsgistack_apps[0].group instead"),
        ("name", "set wsgistack_apps[0].name instead"),
        ("venv", "set wsgistack_app_root (the venv is <app_root>/<name>/venv) instead"),
        ("create_user", "remove it"),
        ("environment", "set wsgistack_apps[0].environment instead"),
        (
            "server_names",
            "set wsgistack_apps[0].server_name and wsgistack_apps[0].server_aliases instead",
        ),
        ("daemon_options", None),
    ],
)
@pytest.mark.parametrize("stack", ["nginx_gunicorn", "apache_modwsgi", "shared_host"])
def test_app_server_cannot_replace_what_the_stack_creates(stack, key, instead):
    described = app(app_server={"workers": 2, key: "root"})
    if instead is None:  # an app server option: the role checks it
        assert wsgi_app_plan([described], stack)["app_server_apps"][0][key] == "root"
        return
    assert error([described], stack) == (
        f"wsgi_app_plan: wsgistack_apps[0].app_server.{key}: set by the plan, which the stack "
        f"acts on (it creates the app's user, group, venv and site from the description); "
        f"{instead} - app_server is for app server options such as workers"
    )


def test_app_server_options_still_pass_through():
    plan = wsgi_app_plan([app(app_server={"workers": 0, "threads": 4})], "nginx_gunicorn")
    # The role checks the values (workers >= 1) with its own message; the plan passes them on.
    assert plan["app_server_apps"][0]["workers"] == 0
    assert plan["app_server_apps"][0]["threads"] == 4
    assert plan["app_server_apps"][0]["user"] == "guestbook"


@pytest.mark.parametrize("app_root", ["srv", "", None])
def test_relative_app_root_names_the_stack_variable(app_root):
    assert error([app()], app_root=app_root) == (
        f"wsgi_app_plan: app_root: {app_root!r} must be an absolute path "
        "(wsgistack_app_root in the stacks)"
    )
