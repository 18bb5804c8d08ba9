#!/usr/bin/env bash
# The main job: deploy a stack to a local systemd container and show it serving.
#
#   bash tools/demo.sh           STACK=nginx_gunicorn (default) | apache_modwsgi | shared_host
#   bash tools/demo.sh down      remove the demo container
#
# Runs the same set-up as the test suite (Debian packages, .venv, collections,
# the test image), starts a container, deploys playbooks/$STACK.yml with the
# inventory in inventories/local, waits for the app, then prints the URL
# published on this machine's loopback and a real round trip: a row POSTed
# through the front server into PostgreSQL and read back. The container stays up.
set -euo pipefail
# shellcheck source=tools/env.sh
source "$(dirname "$0")/env.sh"

STACK=${STACK:-nginx_gunicorn}
DISTRO=${MOLECULE_DISTRO:-trixie}
NAME=${WSGISTACK_DEMO_NAME:-wsgistack-demo}
PORT=${WSGISTACK_DEMO_PORT:-8080}
# The apps of inventories/local answer to <name>.localhost; curl and browsers
# resolve every *.localhost name to the loopback address.
APP_HOST=${WSGISTACK_DEMO_HOST:-guestbook.localhost}
STATE=$WSGISTACK_ROOT/.cache/demo

down() {
  if podman container exists "$NAME"; then
    podman rm -f "$NAME" >/dev/null
    log "removed container $NAME"
  else
    log "no container $NAME"
  fi
}

secrets() { # a random database password, kept out of the repo and of the output
  mkdir -p "$STATE"
  if [ ! -s "$STATE/secrets.yml" ]; then
    (umask 077; printf 'wsgistack_demo_db_password: "%s"\n' \
      "$(head -c 18 /dev/urandom | base64 | tr -d '+/=')" >"$STATE/secrets.yml")
  fi
}

container() {
  if podman container exists "$NAME"; then
    local stack
    stack=$(podman container inspect --format '{{ index .Config.Labels "org.wsgistack.stack" }}' "$NAME")
    [ "$stack" = "$STACK" ] || die "container $NAME runs the $stack stack; run 'bash tools/demo.sh down' first"
    podman start "$NAME" >/dev/null
    log "reusing container $NAME"
  else
    log "starting container $NAME ($WSGISTACK_IMAGE_REPO:$DISTRO), port 127.0.0.1:$PORT"
    podman run -d --name "$NAME" --hostname "$NAME" --systemd=always \
      --label "org.wsgistack.stack=$STACK" \
      --cap-add SYS_ADMIN \
      -p "127.0.0.1:$PORT:80" "$WSGISTACK_IMAGE_REPO:$DISTRO" /sbin/init >/dev/null
  fi
  for _ in $(seq 1 30); do
    state=$(podman exec "$NAME" systemctl is-system-running 2>/dev/null || true)
    case "$state" in running|degraded) return ;; esac
    sleep 1
  done
  die "systemd in $NAME did not come up (state: ${state:-unknown})"
}

round_trip() {
  local url=http://$APP_HOST:$PORT message
  message="hello from tools/demo.sh at $(date -u +%H:%M:%S)"
  for _ in $(seq 1 30); do
    curl -fsS "$url/health" >/dev/null 2>&1 && break
    sleep 1
  done
  echo
  echo "URL: $url/"
  echo "GET  $url/health -> $(curl -fsS "$url/health")"
  curl -fsS -o /dev/null -w "POST $url/ -> HTTP %{http_code}\n" \
    --data-urlencode "name=demo" --data-urlencode "message=$message" "$url/"
  if curl -fsS "$url/" | grep -qF "$message"; then
    echo "GET  $url/ -> the new row is listed: \"$message\""
  else
    die "the row POSTed through the front server is not listed by GET $url/"
  fi
  echo "GET  $url/health -> $(curl -fsS "$url/health")"
  echo "The second app of the inventory: http://notes.localhost:$PORT/"
  echo
  echo "The container $NAME keeps running; remove it with: bash tools/demo.sh down"
}

main() {
  if [ "${1:-}" = down ]; then down; exit 0; fi
  [ -f "$WSGISTACK_ROOT/playbooks/$STACK.yml" ] || die "unknown STACK=$STACK (see playbooks/)"
  WSGISTACK_DISTROS=$DISTRO "$WSGISTACK_ROOT/tools/bootstrap.sh"
  secrets
  container
  log "deploying playbooks/$STACK.yml"
  ansible-playbook -i "$WSGISTACK_ROOT/inventories/local" \
    -e "@$STATE/secrets.yml" -e "wsgistack_local_container=$NAME" \
    "$WSGISTACK_ROOT/playbooks/$STACK.yml"
  round_trip
}

main "$@"
