#!/usr/bin/env bash
# Build the systemd-capable Debian test images the molecule scenarios boot.
#
#   tools/images.sh [SUITE ...]      default: $WSGISTACK_DISTROS (bookworm trixie)
#
# An image is rebuilt only when its recipe changes: the recipe hash covers this
# script, the package list, containers.conf and the CA certificates carried into
# the image. The hash is stored as a label; a matching image is reused.
# Extra CA certificates: every certificate of the machine's bundle that Debian's
# bundle in the image lacks (a local CA in front of PyPI), plus the PEM files
# listed in WSGISTACK_EXTRA_CA_CERTS (space separated; corporate proxies).
set -euo pipefail
# shellcheck source=tools/env.sh
source "$(dirname "$0")/env.sh"

PACKAGES=python3,python3-apt,systemd,systemd-sysv,dbus,sudo,ca-certificates,procps,iproute2
HOST_BUNDLE=${WSGISTACK_HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
read -r -a EXTRA_PEMS <<<"${WSGISTACK_EXTRA_CA_CERTS:-}"
mkdir -p "$WSGISTACK_CACHE/debootstrap"

recipe_hash() {
  local suite=$1
  {
    echo "suite=$suite packages=$PACKAGES"
    cat "$0" "$WSGISTACK_ROOT/tools/extra-ca-certs.py" "$CONTAINERS_CONF"
    python3 "$WSGISTACK_ROOT/tools/extra-ca-certs.py" "$HOST_BUNDLE" /usr/share/ca-certificates \
      "${EXTRA_PEMS[@]}"
  } | sha256sum | cut -c1-16
}

build() {
  local suite=$1 hash=$2 image=$3 rootfs
  rootfs=$(mktemp -d "${TMPDIR:-/var/tmp}/wsgistack-rootfs-$suite.XXXXXX")
  log "debootstrap $suite (packages cached in $WSGISTACK_CACHE/debootstrap/$suite)"
  mkdir -p "$WSGISTACK_CACHE/debootstrap/$suite"
  debootstrap --variant=minbase --include="$PACKAGES" \
    --cache-dir="$WSGISTACK_CACHE/debootstrap/$suite" "$suite" "$rootfs" >"$rootfs.log" 2>&1 \
    || { tail -n 30 "$rootfs.log" >&2; die "debootstrap $suite failed (log: $rootfs.log)"; }
  rm -f "$rootfs.log"

  local extra
  extra=$(python3 "$WSGISTACK_ROOT/tools/extra-ca-certs.py" "$HOST_BUNDLE" \
    /usr/share/ca-certificates "${EXTRA_PEMS[@]}")
  if [ -n "$extra" ]; then
    mkdir -p "$rootfs/usr/local/share/ca-certificates/wsgistack"
    # update-ca-certificates wants one certificate per .crt file.
    awk -v dir="$rootfs/usr/local/share/ca-certificates/wsgistack" '
      /BEGIN CERTIFICATE/ { n++; file = sprintf("%s/extra-%02d.crt", dir, n) }
      { print > file }' <<<"$extra"
    chroot "$rootfs" update-ca-certificates >/dev/null 2>&1 \
      || die "update-ca-certificates failed in the $suite image"
    log "$suite: trusting $(grep -c 'BEGIN CERTIFICATE' <<<"$extra") extra CA certificate(s)"
  fi

  # A container's hostname and machine id come from podman and systemd at boot.
  : >"$rootfs/etc/machine-id"
  rm -f "$rootfs/var/lib/dbus/machine-id"
  # No console to log in on; these units only spin in a container.
  for unit in getty@tty1.service console-getty.service systemd-firstboot.service; do
    ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
  done
  chroot "$rootfs" apt-get clean
  # apt lists stay, as on any installed host (apt cache_valid_time relies on them).
  rm -rf "$rootfs"/tmp/* "$rootfs"/var/tmp/*

  log "importing $image"
  tar -C "$rootfs" --numeric-owner -c . | podman import --quiet \
    --change 'CMD ["/sbin/init"]' \
    --change "LABEL org.wsgistack.recipe=$hash" \
    --change "LABEL org.wsgistack.suite=$suite" \
    - "$image" >/dev/null
  rm -rf "$rootfs"
}

main() {
  local suites=("$@")
  [ ${#suites[@]} -gt 0 ] || read -r -a suites <<<"$WSGISTACK_DISTROS"
  [ "$(id -u)" -eq 0 ] || die "building images needs root (debootstrap, chroot, podman)"
  for suite in "${suites[@]}"; do
    local image=$WSGISTACK_IMAGE_REPO:$suite hash current
    hash=$(recipe_hash "$suite")
    current=$(podman image inspect --format '{{ index .Labels "org.wsgistack.recipe" }}' \
      "$image" 2>/dev/null || true)
    if [ "$current" = "$hash" ]; then
      log "reused image $image (recipe $hash)"
      continue
    fi
    log "building image $image (recipe $hash${current:+, replacing $current})"
    local old_id
    old_id=$(podman image inspect --format '{{ .Id }}' "$image" 2>/dev/null || true)
    build "$suite" "$hash" "$image"
    # The replaced image is dead weight unless a container still uses it.
    [ -z "$old_id" ] || podman rmi "$old_id" >/dev/null 2>&1 || true
    log "built image $image (recipe $hash)"
  done
}

main "$@"
