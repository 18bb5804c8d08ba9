#!/usr/bin/env bash
# `ansible-test sanity` on this checkout, as the lint stage runs it:
#   bash tools/sanity.sh [OPTION|TEST ...]   all the sanity tests; e.g. `--test pylint` for one
#   bash tools/sanity.sh --setup             what set-up (tools/bootstrap.sh) runs: ansible-test's
#                                            venvs, made once, so that the lint stage needs no network
# ansible-test runs only inside a tree laid out as ansible_collections/<namespace>/<name>
# and resolves the working directory, so the symlink in .cache/collections does not do:
# the files git tracks or would track (untracked, not ignored) are copied to such a tree
# in a temporary directory, with their modes and symlinks, and tested there.
# The tests run on Python 3.11, the controller's; the collection's plugins are controller
# side (filters, plugin_utils), so no other Python is asked for.
set -euo pipefail
# shellcheck source=tools/env.sh
source "$(dirname "$0")/env.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/wsgistack-sanity.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ansible-test keeps its venvs and its pip bootstrap under ~/.ansible/test: a home of its
# own in the machine cache, keyed on what decides them (its pins come with ansible-core).
sanity_home() {
  local key
  key=$({ cat "$WSGISTACK_ROOT/requirements/sanity.txt" "$WSGISTACK_ROOT/requirements/dev.txt"; python3 -VV; } \
    | sha256sum | cut -c1-16)
  echo "$WSGISTACK_CACHE/sanity-$key"
}

setup() {
  local home pip_version
  home=$(sanity_home)
  if [ -f "$home/.complete" ]; then
    log "reused ansible-test sanity venvs $home"
    return
  fi
  log "creating ansible-test sanity venvs in $home"
  rm -rf "$home"
  mkdir -p "$home/.ansible/test/cache"
  pip download -qq --no-deps --require-hashes -r "$WSGISTACK_ROOT/requirements/sanity.txt" -d "$home/wheels"
  python3 -m zipfile -e "$home"/wheels/pip-*.whl "$home/pip"
  pip_version=$(sed -n 's/^pip==\([0-9.]*\).*/\1/p' "$WSGISTACK_ROOT/requirements/sanity.txt")
  # ansible-test runs its cached get-pip.py when there is one: this stand-in does what that
  # script does (pip install --upgrade --force-reinstall the given pip), with the pinned pip.
  cat >"$home/.ansible/test/cache/get_pip_${pip_version//./_}.py" <<PY
import sys

sys.path.insert(0, "$home/pip")
from pip._internal.cli.main import main

args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install", "--upgrade", "--force-reinstall", *args]))
PY
  sanity --prime-venvs >"$home/prime.log" 2>&1 \
    || { tail -n 30 "$home/prime.log" >&2; die "ansible-test --prime-venvs failed (log: $home/prime.log)"; }
  touch "$home/.complete"
}

sanity() {
  local home tree
  home=$(sanity_home)
  # Without shellcheck, ansible-test skips its shellcheck test with a mere warning.
  command -v shellcheck >/dev/null || die "shellcheck is missing (tools/bootstrap.sh installs it)"
  tree=$(mktemp -d "$WORK/tree.XXXXXX")/ansible_collections/wsgistack/deploy
  mkdir -p "$tree"
  git -C "$WSGISTACK_ROOT" ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' path; do
      # A file deleted but not yet staged is still in git's list, not in the tree.
      if [ -e "$WSGISTACK_ROOT/$path" ] || [ -L "$WSGISTACK_ROOT/$path" ]; then printf '%s\0' "$path"; fi
    done \
    | tar -C "$WSGISTACK_ROOT" --null --no-recursion -T - -cf - | tar -C "$tree" -xf -
  (cd "$tree" && HOME=$home ansible-test sanity --python 3.11 --color no "$@")
}

if [ "${1:-}" = --setup ]; then
  setup
else
  [ -f "$(sanity_home)/.complete" ] || setup
  sanity "$@"
fi
