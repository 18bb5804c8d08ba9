"""The action plugin of wsgistack.deploy.config_transaction: its entries, and a real run.

The run is ansible-playbook on localhost with the local connection, the collection found
through ``.cache/collections`` (tests/conftest.py), a role with a template in a temp directory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from ansible.errors import AnsibleActionFail
from ansible_collections.wsgistack.deploy.plugins.action.config_transaction import normalise_entry

REPO = Path(__file__).resolve().parents[4]
COLLECTIONS = REPO / ".cache" / "collections"


def fake_render(template, path, template_vars):
    return f"rendered {template} for {path} with {sorted(template_vars.items())}"


def test_content_passes_through():
    entry = {"path": "/etc/x.conf", "content": "x\n", "mode": "0644", "owner": "root"}
    assert normalise_entry(entry, 0, fake_render) == entry


def test_a_template_becomes_content():
    entry = {
        "path": "/etc/x.conf",
        "template": "x.j2",
        "template_vars": {"item": 1},
        "mode": "0644",
    }
    assert normalise_entry(entry, 0, fake_render) == {
        "path": "/etc/x.conf",
        "content": "rendered x.j2 for /etc/x.conf with [('item', 1)]",
        "mode": "0644",
    }


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            {"path": "/x", "content": "a", "template": "x.j2"},
            "files[3] (/x): give exactly one of content and template",
        ),
        ({"path": "/x"}, "files[3] (/x): give exactly one of content and template"),
        (
            {"path": "/x", "content": "a", "template_vars": {"a": 1}},
            "template_vars is for a template only",
        ),
        ({"path": "/x", "template": "x.j2", "template_vars": ["a"]}, "template_vars is a dict"),
        ({"template": "x.j2"}, "files[3]: path is required"),
        ("/x", "files[3]: each entry is a dict"),
    ],
)
def test_bad_entries_are_refused(entry, expected):
    with pytest.raises(
        AnsibleActionFail,
        match=expected.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)"),
    ):
        normalise_entry(entry, 3, fake_render)


def tool(name):
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} not found"
    return found


@pytest.fixture
def playbook(tmp_path):
    """run(check=False) -> (rc, the task's result) of a play whose role renders a template."""
    role = tmp_path / "roles" / "site"
    (role / "templates").mkdir(parents=True)
    (role / "tasks").mkdir()
    (role / "templates" / "site.conf.j2").write_text(
        "{{ ansible_managed | comment }}\n# {{ item.name }} on {{ port }}\n"
        "{% if item.tls %}tls\n{% endif %}end\n"
        "{% if broken | default(false) %}{{ no_such_variable }}{% endif %}"
    )
    out = tmp_path / "out"
    out.mkdir()
    (role / "tasks" / "main.yml").write_text(
        textwrap.dedent(f"""\
        - name: The transaction
          wsgistack.deploy.config_transaction:
            files:
              - path: {out}/site.conf
                template: site.conf.j2
                template_vars:
                  item: {{name: guestbook, tls: true}}
                mode: "0600"
              - path: {out}/plain.conf
                content: "plain\\n"
            links:
              - path: {out}/enabled.conf
                src: site.conf
            validate:
              - {sys.executable}
              - -c
              - "import sys; sys.exit(open(sys.argv[1]).read().count('guestbook') != 1)"
              - {out}/site.conf
            validate_name: the test check
          register: transaction

        - name: Show the result
          ansible.builtin.copy:
            content: "{{{{ transaction | to_json }}}}"
            dest: {tmp_path}/result.json
          check_mode: false
        """)
    )
    (tmp_path / "play.yml").write_text(
        "- hosts: localhost\n  gather_facts: false\n  vars: {port: 8080}\n  roles: [site]\n"
    )
    home = tmp_path / "ansible"
    home.mkdir()
    (home / "ansible.cfg").write_text("")
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env.update(
        ANSIBLE_CONFIG=str(home / "ansible.cfg"),
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        ANSIBLE_HOME=str(home),
        ANSIBLE_LOCAL_TEMP=str(home / "tmp"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_ROLES_PATH=str(tmp_path / "roles"),
    )

    def run(*options, rc=0):
        argv = [
            tool("ansible-playbook"),
            "-i",
            "localhost,",
            "-c",
            "local",
            "-e",
            f"ansible_python_interpreter={sys.executable}",
            *options,
            str(tmp_path / "play.yml"),
        ]
        done = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == rc, done.stdout + done.stderr
        if rc:
            return done.stdout, out
        return json.loads((tmp_path / "result.json").read_text()), out

    return run


def test_a_template_renders_as_with_ansible_builtin_template(playbook):
    result, out = playbook("--check", "--diff")
    assert result["changed"] is True
    assert not list(out.iterdir())  # check mode wrote nothing
    assert len(result["diff"]) == 3

    result, out = playbook()
    assert result["changed"] is True, result
    assert result["validated"] is True
    # ansible_managed and the comment filter, the template_vars and the play's vars, trim_blocks
    assert (
        out / "site.conf"
    ).read_text() == "#\n# Ansible managed\n#\n# guestbook on 8080\ntls\nend\n"
    assert oct((out / "site.conf").stat().st_mode & 0o777) == "0o600"
    assert (out / "plain.conf").read_text() == "plain\n"
    assert os.readlink(out / "enabled.conf") == "site.conf"

    result, out = playbook()
    assert result["changed"] is False
    assert result["validated"] is False

    # A template that does not render fails as that, before anything on the host is touched.
    before = (out / "site.conf").read_bytes()
    output, out = playbook("-e", "broken=true", rc=2)
    assert "rendering site.conf.j2 for" in output
    assert "no_such_variable" in output
    assert "rejected" not in output
    assert (out / "site.conf").read_bytes() == before
