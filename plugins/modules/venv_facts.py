#!/usr/bin/python
# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wsgistack.deploy.venv_facts module."""

DOCUMENTATION = r"""
module: venv_facts
short_description: Read what Python virtual environments hold, changing nothing
version_added: 0.1.0
author: wsgistack.deploy developers (@wsgistack)
description:
  - For each venv, runs the venv's own interpreter once (isolated, C(python -I)) and reports the
    installed distributions with their versions, a fingerprint of everything installed, and the
    version requirements that the installed distributions place on the packages named in
    O(requirements_on).
  - For each local project named in O(venvs[].sources), a digest of its files (build output
    such as C(build/), C(*.egg-info) and C(__pycache__) left out, see O(ignore)) and whether a
    distribution in the venv was installed from it.
  - The roles of this collection write the fingerprint into an app server's configuration, so
    that new code or new dependencies in a venv change that file and the app is restarted
    gracefully; they read the versions to keep an app's own pin of its app server, and the
    requirements to upgrade packaging tools no further than the installed packages allow.
  - A venv that does not exist (yet) is reported with RV(venvs.exists=false) and no other data.
attributes:
  check_mode:
    support: full
    description: Only reads; the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is nothing to show.
options:
  venvs:
    description: The venvs to read.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The key of this venv in RV(venvs), for example the app's name.
        type: str
        required: true
      path:
        description: The venv's directory (the one with C(pyvenv.cfg)).
        type: path
        required: true
      sources:
        description: Local projects (directories or files) to digest; their digests are part of
          the fingerprint, so a change to a file the venv does not hold (a PasteDeploy C(.ini))
          changes it too.
        type: list
        elements: path
        default: []
  requirements_on:
    description: Package names whose version requirements by the installed distributions are
      reported in RV(venvs.requirements) (for example C(setuptools), which some packages cap).
    type: list
    elements: str
    default: []
  state_dir:
    description: A directory in each venv, relative to it, where this collection's roles record
      what they did to the venv (for example which app server version a role installed), as
      C(<role>.json) files; RV(venvs.state) holds them.
    type: str
    default: .wsgistack
  ignore:
    description: Glob patterns of file and directory names left out of the sources' digests.
    type: list
    elements: str
    default: [.git, .hg, .svn, __pycache__, build, dist, .tox, .nox, .venv, .pytest_cache,
              .mypy_cache, .ruff_cache, "*.egg-info", "*.pyc"]
notes:
  - The venv's interpreter must be Python 3.8 or newer (C(importlib.metadata)). Requirements are
    read with the C(packaging) library that pip vendors; a venv without pip reports none.
"""

EXAMPLES = r"""
- name: Read each app's venv
  wsgistack.deploy.venv_facts:
    venvs:
      - name: guestbook
        path: /srv/guestbook/venv
        sources: [/srv/guestbook/src]
    requirements_on: [pip, setuptools, wheel]
  register: venvs

- name: The app pins its own gunicorn
  ansible.builtin.debug:
    msg: "gunicorn {{ venvs.venvs.guestbook.packages.gunicorn | default('is not installed') }}"
"""

RETURN = r"""
venvs:
  description: One entry per venv, by O(venvs[].name).
  returned: always
  type: dict
  contains:
    path:
      description: The venv's directory.
      type: str
      sample: /srv/guestbook/venv
    exists:
      description: Whether the venv is there (its C(pyvenv.cfg) and interpreter).
      type: bool
      sample: true
    python:
      description: The venv's Python version, C(major.minor); C(null) without a venv.
      type: str
      sample: "3.11"
    packages:
      description: Installed distributions, by normalized name (PEP 503), and their versions.
      type: dict
      sample: {flask: 3.1.3, gunicorn: 23.0.0}
    fingerprint:
      description: sha256 of every installed distribution's name, version and C(RECORD) (the
        hashes of its files), and of the sources' digests; C(null) without a venv.
      type: str
    requirements:
      description: For each of O(requirements_on), the requirements the installed
        distributions place on it (whose markers hold in this venv), each as
        C(specifier) and C(by) (the distribution that requires it).
      type: dict
      sample: {setuptools: [{specifier: "<82", by: pyramid 2.1}]}
    sources:
      description: For each of O(venvs[].sources), C(digest) (sha256 of the relative paths,
        executable bits and contents of its files) and C(installed) (a distribution in the
        venv was installed from that path, per its C(direct_url.json)).
      type: dict
      sample: {/srv/guestbook/src: {digest: 3f2a..., installed: true}}
    state:
      description: The C(*.json) files of O(state_dir), by file name without C(.json), parsed.
      type: dict
      sample: {nginx_gunicorn: {installed: {gunicorn: 27.0.1}}}
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule

# Run by the venv's own interpreter: its distributions are what that interpreter imports.
# Python 3.8+ (importlib.metadata); only the standard library and pip's vendored packaging.
INTROSPECT = r"""
import fnmatch, hashlib, json, os, re, sys
from importlib import metadata

request = json.loads(sys.argv[1])


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def digest(path):
    found = hashlib.sha256()
    ignored = request["ignore"]
    if os.path.isfile(path):
        files = [(os.path.basename(path), path)]
    else:
        files = []
        for root, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not any(fnmatch.fnmatch(d, p) for p in ignored))
            for name in sorted(names):
                if not any(fnmatch.fnmatch(name, p) for p in ignored):
                    full = os.path.join(root, name)
                    files.append((os.path.relpath(full, path), full))
    for relative, full in files:
        mode = os.stat(full).st_mode & 0o111
        found.update(("%s\0%o\0" % (relative.replace(os.sep, "/"), mode)).encode())
        with open(full, "rb") as handle:
            found.update(handle.read())
        found.update(b"\0")
    return found.hexdigest()


try:
    from pip._vendor.packaging.requirements import Requirement
except ImportError:  # a venv without pip: no requirements to read
    Requirement = None

wanted = {canonical(name) for name in request["requirements_on"]}
dists = []
for dist in metadata.distributions():
    name = dist.metadata["Name"]
    if name:
        dists.append((canonical(name), name, dist))
dists.sort(key=lambda item: (item[0], item[2].version or ""))

fingerprint = hashlib.sha256()
packages, requirements, direct_urls = {}, {name: [] for name in sorted(wanted)}, set()
for key, name, dist in dists:
    packages.setdefault(key, dist.version)
    fingerprint.update(("%s %s\n" % (name, dist.version)).encode())
    fingerprint.update((dist.read_text("RECORD") or "").encode())
    direct_url = dist.read_text("direct_url.json")
    if direct_url:
        direct_urls.add(json.loads(direct_url).get("url"))
    if Requirement is None or not wanted:
        continue
    for line in dist.requires or []:
        try:
            requirement = Requirement(line)
        except ValueError:  # InvalidRequirement: metadata pip itself would not install by
            continue
        target = canonical(requirement.name)
        if target in wanted and target != key and (
            requirement.marker is None or requirement.marker.evaluate({"extra": ""})
        ):
            requirements[target].append(
                {"specifier": str(requirement.specifier), "by": "%s %s" % (name, dist.version)}
            )

sources = {}
for path in request["sources"]:
    resolved = os.path.realpath(path)
    uri = "file://" + resolved
    sources[path] = {"digest": digest(resolved), "installed": uri in direct_urls}
    fingerprint.update(("%s %s\n" % (path, sources[path]["digest"])).encode())

print(json.dumps({
    "python": "%d.%d" % sys.version_info[:2],
    "packages": packages,
    "fingerprint": fingerprint.hexdigest(),
    "requirements": requirements,
    "sources": sources,
}))
"""


def read_state(module, venv, directory):
    """The roles' records in a venv: {name: parsed JSON} of directory/*.json."""
    state = {}
    if not os.path.isdir(directory):
        return state
    for entry in sorted(os.listdir(directory)):
        if not entry.endswith(".json"):
            continue
        path = os.path.join(directory, entry)
        try:
            with open(path) as handle:
                state[entry[: -len(".json")]] = json.load(handle)
        except (OSError, ValueError) as exc:
            module.fail_json(msg=f"venv_facts: venvs[{venv['name']}]: cannot read {path}: {exc}")
    return state


def read_venv(module, venv, requirements_on, ignore, state_dir):
    """What one venv holds, from its own interpreter; exists=False when it is not there."""
    python = os.path.join(venv["path"], "bin", "python")
    result = {
        "path": venv["path"],
        "exists": os.path.isfile(os.path.join(venv["path"], "pyvenv.cfg"))
        and os.access(python, os.X_OK),
        "python": None,
        "packages": {},
        "fingerprint": None,
        "requirements": {},
        "sources": {},
        "state": {},
    }
    if not result["exists"]:
        return result
    result["state"] = read_state(module, venv, os.path.join(venv["path"], state_dir))
    request = {"sources": venv["sources"], "requirements_on": requirements_on, "ignore": ignore}
    rc, out, err = module.run_command([python, "-I", "-c", INTROSPECT, json.dumps(request)])
    if rc != 0:
        module.fail_json(
            msg=f"venv_facts: venvs[{venv['name']}]: {python} could not describe its venv "
            f"(exit code {rc}): {(err or out).strip()[-1000:]}"
        )
    result.update(json.loads(out))
    return result


def main():
    module = AnsibleModule(
        argument_spec={
            "venvs": {
                "type": "list",
                "elements": "dict",
                "required": True,
                "options": {
                    "name": {"type": "str", "required": True},
                    "path": {"type": "path", "required": True},
                    "sources": {"type": "list", "elements": "path", "default": []},
                },
            },
            "requirements_on": {"type": "list", "elements": "str", "default": []},
            "state_dir": {"type": "str", "default": ".wsgistack"},
            "ignore": {
                "type": "list",
                "elements": "str",
                "default": [
                    ".git", ".hg", ".svn", "__pycache__", "build", "dist", ".tox", ".nox",
                    ".venv", ".pytest_cache", ".mypy_cache", ".ruff_cache", "*.egg-info", "*.pyc",
                ],
            },
        },
        supports_check_mode=True,
    )  # fmt: skip
    names = [venv["name"] for venv in module.params["venvs"]]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        module.fail_json(msg=f"venv_facts: venvs: the name {repeated[0]} is given twice")
    venvs = {
        venv["name"]: read_venv(
            module,
            venv,
            module.params["requirements_on"],
            module.params["ignore"],
            module.params["state_dir"],
        )
        for venv in module.params["venvs"]
    }
    module.exit_json(changed=False, venvs=venvs)


if __name__ == "__main__":
    main()
