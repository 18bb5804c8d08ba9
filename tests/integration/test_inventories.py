"""The example inventories parse, and their app descriptions pass the plan filter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ENV = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".cache/collections")}


def ansible(*args, vault=None, tmp_path=None):
    extra = []
    if vault:
        secret = tmp_path / "vault-pass"
        secret.write_text(vault + "\n", encoding="utf-8")
        extra = ["--vault-password-file", str(secret)]
    result = subprocess.run(
        [str(BIN / args[0]), *extra, *args[1:]],
        capture_output=True,
        text=True,
        check=False,
        env=ENV,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


INVENTORIES = {
    "local": ("wsgistack-demo", {"wsgistack_demo_db_password": "a-long-demo-password"}, None),
    "production": ("web1.example.com", {}, "wsgistack-example"),
}


@pytest.mark.parametrize("inventory", sorted(INVENTORIES))
@pytest.mark.parametrize("stack", ["nginx_gunicorn", "apache_modwsgi"])
def test_app_descriptions_plan_cleanly(inventory, stack, tmp_path):
    host, extra_vars, vault = INVENTORIES[inventory]
    listing = ansible(
        "ansible-inventory", "-i", f"inventories/{inventory}", "--list", vault=vault,
        tmp_path=tmp_path,
    )  # fmt: skip
    groups = json.loads(listing)
    assert host in groups["wsgistack_web"]["hosts"]
    assert groups["wsgistack_db"]["hosts"]
    # The debug action runs on the controller: no connection to the host is made.
    out = ansible(
        "ansible",
        "-i",
        f"inventories/{inventory}",
        host,
        "-e",
        json.dumps(extra_vars),
        "-m",
        "ansible.builtin.debug",
        "-a",
        "msg={{ (wsgistack_apps | wsgistack.deploy.wsgi_app_plan('"
        + stack
        + "')).apps | map(attribute='name') | join(',') }}",
        vault=vault,
        tmp_path=tmp_path,
    )
    assert "SUCCESS" in out
    assert '"msg": "guestbook' in out


def test_production_secrets_are_encrypted():
    vault = REPO / "inventories/production/group_vars/all/vault.yml"
    assert vault.read_text(encoding="utf-8").startswith("$ANSIBLE_VAULT;1.1;AES256")
    plain = (REPO / "inventories/production/group_vars/all/apps.yml").read_text(encoding="utf-8")
    assert 'password: "{{ vault_' in plain
