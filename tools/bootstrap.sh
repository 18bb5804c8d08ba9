#!/usr/bin/env bash
# Set up everything the tests and the demo need on a Debian machine, as root:
# Debian packages (podman, runc, debootstrap, ...), the pinned Python tooling
# (.venv), the collections, this checkout as the wsgistack.deploy collection,
# ansible-test's sanity venvs and the test images. Safe to run again: each step
# is skipped when what it would make is already there, keyed on what built it.
set -euo pipefail
# shellcheck source=tools/env.sh
source "$(dirname "$0")/env.sh"

# The lint stage's ansible-test sanity runs shellcheck on tools/*.sh (skipped without it).
# make bench reaches its containers over SSH too (openssh-client), and loads them with wrk.
APT_PACKAGES=(podman runc debootstrap python3-venv ca-certificates curl tar xz-utils wrk openssh-client shellcheck)

apt_packages() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "Debian packages present"
    return
  fi
  [ "$(id -u)" -eq 0 ] || die "installing ${missing[*]} needs root"
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The venv lives in the machine cache under a key made of the requirements and
# the interpreter, so a fresh clone (CI) reuses it; .venv links to it.
python_venv() {
  local key venv
  key=$({ cat "$WSGISTACK_ROOT/requirements/dev.txt"; python3 -VV; } | sha256sum | cut -c1-16)
  venv=$WSGISTACK_CACHE/venv-$key
  if [ -x "$venv/bin/ansible-playbook" ] && [ -f "$venv/.complete" ]; then
    log "reused venv $venv"
  else
    log "creating venv $venv from requirements/dev.txt"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -qq --upgrade pip
    "$venv/bin/pip" install -qq -r "$WSGISTACK_ROOT/requirements/dev.txt"
    touch "$venv/.complete"
  fi
  ln -sfn "$venv" "$WSGISTACK_ROOT/.venv"
}

collections() {
  link_collection
  # The `ansible` package in the venv carries the collections galaxy.yml depends
  # on; check that each one is there in a version our ranges accept.
  ansible-galaxy collection list --format json 2>/dev/null | python3 -c '
import json, sys
have = {}
for path in json.load(sys.stdin).values():
    have.update(path)
for name in ("ansible.posix", "community.general", "community.postgresql", "containers.podman"):
    if name not in have:
        sys.exit(f"collection {name} is missing")
    version = have[name]["version"]
    print(f"==> collection {name} {version}", file=sys.stderr)
'
}

main() {
  apt_packages
  python_venv
  collections
  "$WSGISTACK_ROOT/tools/sanity.sh" --setup
  "$WSGISTACK_ROOT/tools/images.sh"
}

main "$@"
