"""A web tier without a database tier, serving a Django project (project issue 18).

Users run web hosts whose apps have no database, or whose database is run elsewhere; their
inventory has web hosts and an empty ``wsgistack_db`` group. :func:`deploy` runs a stack
playbook as such a user would, against one container of a scenario that already converges
it (with the scenario's own connection variables), with ``tests/apps/djangoapp`` described
as ``entry: {type: django}`` - the description every stack serves alike. The scenarios'
thin tests (multihost for nginx, apache_modwsgi_stack for Apache) assert what it returns.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from playbook_run import REPO, Run, ansible_playbook

NAME = "djangoapp"
SERVER_NAME = "django.localhost"
# Any one line of text is a valid environment value, and the templates must carry it as it
# is: quotes, $, backquotes, backslashes, %, config syntax and non-ASCII, read back from the
# app's own answer (systemd's environment file on the nginx stack, the .wsgi on Apache's).
GREETING = 'it\'s "quoted" $HOME ${X} `id` \\n %s %% ; { } # <b> é 日本'
APPS = [
    {
        "name": NAME,
        "source": str(REPO / "tests" / "apps" / "djangoapp"),
        "entry": {"type": "django", "settings": "djangoproj.settings"},
        "server_name": SERVER_NAME,
        # A wildcard alias and a static URL of every character the schema lets through.
        "server_aliases": ["*.django.localhost"],
        "static": [{"url": "/static.files~v1_0-a", "dir": "djangoproj"}],
        "environment": {
            "DJANGOAPP_SECRET_KEY": "molecule-only-web-tier-secret",
            "DJANGOAPP_ALLOWED_HOSTS": f"{SERVER_NAME},.{SERVER_NAME}",
            "DJANGOAPP_GREETING": GREETING,
        },
        "health_check": "/health",
    }
]


def inventory(scratch: Path, host: str) -> Path:
    """A web-only inventory in ``scratch``: ``host`` (as molecule reaches it) in
    wsgistack_web, no database host."""
    directory = scratch / "inventory"
    molecule = yaml.safe_load(Path(os.environ["MOLECULE_INVENTORY_FILE"]).read_text())
    connection = molecule["all"]["hosts"][host]
    (directory / "group_vars" / "all").mkdir(parents=True)
    hosts = {
        "all": {
            "children": {
                "wsgistack_web": {"hosts": {host: connection}},
                # Declared and empty: the database tier is not ours to run here.
                "wsgistack_db": {"hosts": {}},
            }
        }
    }
    (directory / "hosts.yml").write_text(yaml.safe_dump(hosts))
    (directory / "group_vars" / "all" / "apps.yml").write_text(
        yaml.safe_dump({"wsgistack_apps": APPS})
    )
    return directory


def deploy(scratch: Path, host: str, stack: str) -> tuple[Run, Run]:
    """The stack deployed to the web-only inventory twice: the first run and the rerun."""
    where = inventory(scratch, host)
    playbook = f"playbooks/{stack}.yml"
    return ansible_playbook(where, playbook), ansible_playbook(where, playbook)
