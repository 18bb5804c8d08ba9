# shellcheck shell=bash
# Common environment for the project's tools; sourced, not executed.
# Everything that lives between runs on one machine (images are in podman's own
# store) sits under WSGISTACK_CACHE, keyed on what built it.

WSGISTACK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export WSGISTACK_ROOT
export WSGISTACK_CACHE=${WSGISTACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wsgistack-deploy}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$WSGISTACK_ROOT/containers/containers.conf}
# The Debian releases the test images are built for (MOLECULE_DISTRO picks one).
export WSGISTACK_DISTROS=${WSGISTACK_DISTROS:-"bookworm trixie"}
# The compiler cache of the scenarios that build CPython, one per release (their molecule.yml
# bind-mounts it, so it must exist before molecule creates the containers).
for __distro in $WSGISTACK_DISTROS; do mkdir -p "$WSGISTACK_CACHE/ccache/$__distro"; done
unset __distro
export WSGISTACK_IMAGE_REPO=${WSGISTACK_IMAGE_REPO:-localhost/wsgistack/debian-systemd}
# The collection is used from this checkout through a symlink, as an installed one would be.
export ANSIBLE_COLLECTIONS_PATH=$WSGISTACK_ROOT/.cache/collections
export PATH=$WSGISTACK_ROOT/.venv/bin:$PATH

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

link_collection() {
  local link=$WSGISTACK_ROOT/.cache/collections/ansible_collections/wsgistack/deploy
  if [ ! -L "$link" ]; then
    mkdir -p "$(dirname "$link")"
    ln -sfn "$WSGISTACK_ROOT" "$link"
  fi
}

# Scenarios live in the design card's top-level molecule/ (not extensions/molecule).
export MOLECULE_GLOB='molecule/*/molecule.yml'
export PYTHONDONTWRITEBYTECODE=1
