"""The filters through Ansible itself: ansible-doc, and a template in a playbook.

The playbook runs on localhost with the local connection and the collection
found through ``.cache/collections`` (the symlink tests/conftest.py creates).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
REPO = HERE.parents[3]
COLLECTIONS = REPO / ".cache" / "collections"

OPTIONS = {
    "pg_hba_lines": {"_input", "allow_trust"},
    "pg_hba_layout": {"_input", "default_rules", "superuser"},
    "wsgi_syspath_block": {"_input", "python_version", "site_dirs", "app_dir", "egg_cache"},
}
PG_HBA_FIELDS = {"type", "databases", "users", "address", "netmask", "method", "options", "comment"}


def tool(name: str) -> str:
    """An Ansible CLI from the running interpreter's environment, else from PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} not found next to {sys.executable} or on PATH"
    return found


@pytest.fixture(scope="module")
def ansible_env(tmp_path_factory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("ansible")
    config = home / "ansible.cfg"
    config.write_text("")  # isolate from any ansible.cfg in the environment
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env.update(
        ANSIBLE_CONFIG=str(config),
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        ANSIBLE_HOME=str(home),
        ANSIBLE_LOCAL_TEMP=str(home / "tmp"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_STDOUT_CALLBACK="default",
    )
    return env


# ---------------------------------------------------------------- ansible-doc


def ansible_doc(env: dict, *args: str) -> str:
    names = [f"wsgistack.deploy.{name}" for name in OPTIONS]
    result = subprocess.run(
        [tool("ansible-doc"), "-t", "filter", *args, *names],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "[ERROR]" not in result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def doc_text(ansible_env) -> dict[str, str]:
    """ansible-doc's text output for each filter (one run for all of them)."""
    sections = ansible_doc(ansible_env).split("> FILTER ")[1:]
    return {section.split()[0].rpartition(".")[2]: section for section in sections}


@pytest.fixture(scope="module")
def doc_json(ansible_env) -> dict:
    return json.loads(ansible_doc(ansible_env, "--json"))


@pytest.mark.parametrize("name", list(OPTIONS))
def test_ansible_doc_shows_the_filter(name, doc_text):
    text = doc_text[name]
    assert text.startswith(f"wsgistack.deploy.{name} (")
    for heading in ("OPTIONS", "EXAMPLES", "RETURN VALUES"):
        assert heading in text
    for option in OPTIONS[name]:
        assert f"{option} " in text


@pytest.mark.parametrize("name", list(OPTIONS))
def test_ansible_doc_json_has_options_examples_and_return(name, doc_json):
    entry = doc_json[f"wsgistack.deploy.{name}"]
    assert entry["doc"]["name"] == name
    assert set(entry["doc"]["options"]) == OPTIONS[name]
    assert entry["examples"].strip()
    assert set(entry["return"]) == {"_value"}


def test_ansible_doc_documents_every_pg_hba_rule_field(doc_json):
    rule = doc_json["wsgistack.deploy.pg_hba_lines"]["doc"]["options"]["_input"]
    assert set(rule["suboptions"]) == PG_HBA_FIELDS


# ---------------------------------------------------------------- template in a playbook


def run_playbook(env: dict, out_dir: Path, *vars_files: str) -> subprocess.CompletedProcess:
    out_dir.mkdir()
    command = [
        tool("ansible-playbook"),
        "-i",
        "localhost,",
        "-e",
        f"ansible_python_interpreter={sys.executable}",
        "-e",
        f"out_dir={out_dir}",
    ]
    for name in vars_files:
        command += ["-e", f"@{FIXTURES / name}"]
    command.append(str(FIXTURES / "render_filters.yml"))
    return subprocess.run(
        command, env=env, cwd=out_dir, capture_output=True, text=True, check=False
    )


EXPECTED_PG_HBA = """\
local    all          postgres                                                     peer
# the application over the Unix socket
local    flasktestdb  flasktest                                                    md5
host     flasktestdb  flasktest,flasktest_ro  10.0.0.0/24                          scram-sha-256
hostssl  flasktestdb  flasktest               2001:db8::    ffff:ffff:ffff:ffff::  scram-sha-256  \
clientcert=verify-ca
local    all          all                                                          peer
host     all          all                     127.0.0.1/32                         scram-sha-256
host     all          all                     ::1/128                              scram-sha-256
local    replication  all                                                          peer
"""

EXPECTED_WSGI = """\
# sys.path set-up generated by wsgistack.deploy.wsgi_syspath_block (Python 3.11)
import os
import site
import sys

os.environ['PYTHON_EGG_CACHE'] = '/srv/flaskapp/.egg-cache'

prev_sys_path = list(sys.path)
for site_dir in (
    '/srv/flaskapp/venv/lib/python3.11/site-packages',
):
    site.addsitedir(site_dir)
new_sys_path = [item for item in sys.path if item not in prev_sys_path]
sys.path[:] = new_sys_path + [item for item in sys.path if item in prev_sys_path]

sys.path[:] = ['/srv/flaskapp'] + [item for item in sys.path if item != '/srv/flaskapp']
"""


def test_template_renders_both_filters(ansible_env, tmp_path):
    result = run_playbook(ansible_env, tmp_path / "out", "vars_ok.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    rendered = (tmp_path / "out" / "stack.conf").read_text()
    assert rendered == (
        "#\n# Ansible managed\n#\n"
        f"# --- pg_hba.conf ---\n{EXPECTED_PG_HBA}"
        f"# --- app.wsgi ---\n{EXPECTED_WSGI}"
    )
    wsgi = rendered.split("# --- app.wsgi ---\n", 1)[1]
    compile(wsgi, "app.wsgi", "exec")


def test_shadowed_rule_fails_the_play_with_the_filter_message(ansible_env, tmp_path):
    result = run_playbook(ansible_env, tmp_path / "out", "vars_ok.yml", "vars_shadowed.yml")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert (
        "pg_hba_lines: rule 2 (local flasktestdb flasktest md5) can never match: rule 1 "
        "(local all all peer) already matches every connection it would match; move rule 2 "
        "above rule 1 or narrow rule 1"
    ) in output
    assert not (tmp_path / "out" / "stack.conf").exists()
