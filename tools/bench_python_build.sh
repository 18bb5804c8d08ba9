#!/usr/bin/env bash
# Benchmark (figures, not a test) of python_build's build once, install many:
# the role builds CPython from source on a fresh container and fetches the archive
# (build_and_fetch), then installs that archive on another fresh container (install).
# Prints the seconds of each role run and their ratio.
#
#   tools/bench_python_build.sh [DISTRO]      default: bookworm
#
# Same build as the python_build molecule scenario (molecule/python_build/vars/build.yml,
# the tarball served by its prepare.yml). Needs root and the test images (tools/images.sh).
set -euo pipefail
# shellcheck source=tools/env.sh
source "$(dirname "$0")/env.sh"
cd "$WSGISTACK_ROOT"

DISTRO=${1:-bookworm}
IMAGE=$WSGISTACK_IMAGE_REPO:$DISTRO
RUN=bench-python_build-$DISTRO-$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/$RUN.XXXXXX")
BUILDER=$RUN-builder
TARGET=$RUN-target
export NO_COLOR=1 ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
export ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks
export MOLECULE_PROJECT_DIRECTORY=$WSGISTACK_ROOT MOLECULE_EPHEMERAL_DIRECTORY=$WORK

cleanup() {
  podman rm -f "$BUILDER" "$TARGET" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

podman image exists "$IMAGE" || die "no image $IMAGE: run tools/images.sh $DISTRO"
for name in "$BUILDER" "$TARGET"; do
  podman run -d --name "$name" --systemd=always "$IMAGE" /sbin/init >/dev/null
done

cat >"$WORK/inventory.yml" <<EOF
all:
  children:
    containers:
      vars: {ansible_connection: containers.podman.podman, ansible_python_interpreter: /usr/bin/python3}
      children:
        builder: {hosts: {$BUILDER: {}}}
        target: {hosts: {$TARGET: {}}}
EOF
cat >"$WORK/bench.yml" <<EOF
- name: Run python_build
  hosts: "{{ bench_hosts }}"
  vars_files: [$WSGISTACK_ROOT/molecule/python_build/vars/build.yml]
  tasks:
    - name: Run python_build
      ansible.builtin.include_role:
        name: wsgistack.deploy.python_build
EOF

log "preparing $BUILDER and $TARGET (tarball served on the builder, as in the scenario)"
ansible-playbook -i "$WORK/inventory.yml" molecule/python_build/prepare.yml >"$WORK/prepare.log" 2>&1 \
  || { tail -n 40 "$WORK/prepare.log"; die "prepare failed"; }

timed_role() { # timed_role HOSTS LOG -> seconds on stdout
  local start=$SECONDS
  ansible-playbook -i "$WORK/inventory.yml" -e bench_hosts="$1" "$WORK/bench.yml" >"$WORK/$2" 2>&1 \
    || { tail -n 40 "$WORK/$2" >&2; die "python_build on $1 failed"; }
  echo $((SECONDS - start))
}

log "building CPython from source on $BUILDER ($(nproc) cores)"
build=$(timed_role builder build.log)
log "installing the archive on $TARGET"
install=$(timed_role target install.log)
podman exec "$TARGET" sh -c '! command -v gcc && ! command -v make' >/dev/null \
  || die "the target has a compiler: the install did not prove anything"

printf '\npython_build benchmark: Debian %s, %s cores, %s\n' "$DISTRO" "$(nproc)" "$(date -u +%Y-%m-%dT%H:%MZ)"
printf '| %-72s | %7s |\n' "role run on a fresh container" "seconds"
printf '|%s|%s|\n' "$(printf -- '-%.0s' {1..74})" "$(printf -- '-%.0s' {1..9})"
printf '| %-72s | %7d |\n' "build_and_fetch: build deps, configure, make, altinstall, archive, fetch" "$build"
printf '| %-72s | %7d |\n' "install: runtime libs, copy, sha256 check, unpack (no compiler on host)" "$install"
printf '| %-72s | %6.1f%% |\n' "install / build" "$(awk -v i="$install" -v b="$build" 'BEGIN { print 100 * i / b }')"
slowest() { # the slowest tasks of a run, from profile_tasks
  sed -n '/^TASKS RECAP/,$p' "$WORK/$1" | grep -E -- ' -{2,} ' | head -n "$2" \
    | sed -E 's/^wsgistack\.deploy\.python_build : //; s/ -{2,} / /; s/^/    /'
}
printf 'slowest tasks of the build:\n'; slowest build.log 4
printf 'slowest tasks of the install:\n'; slowest install.log 4
printf 'reproduce: tools/bench_python_build.sh %s\n' "$DISTRO"
