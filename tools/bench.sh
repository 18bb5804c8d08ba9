#!/usr/bin/env bash
# Serving benchmark (figures, not a test; project issue 8). In one run on this machine:
#   - requests/s, p50 and p99 latency of a small dynamic page (GET /info: no database) through
#     gunicorn alone (sync, 2 * cores + 1 workers: the baseline), our nginx_gunicorn stack and our
#     apache_modwsgi stack with their defaults, and the literal configurations of seed 004 (nginx ->
#     gunicorn gevent on 127.0.0.1:9000, max_requests=1000), seed 001 (mod_wsgi embedded mode,
#     WSGIScriptAlias only) and seed 003 (WSGIDaemonProcess threads=5);
#   - requests/s of a static file (GET /static/style.css) through nginx, Apache and the app;
#   - the converge time of each stack on a fresh container and of its idempotent rerun (also
#     through the molecule scenarios' pipelined podman connection), then, over real SSH (project
#     issue 18: users reach their hosts over SSH), the idempotent rerun and a code-only deploy (one
#     file of guestbook's code changed, `--skip-tags database`), with the task results (module
#     calls) of every phase and where its time goes (profile_tasks);
#   - candidate defaults: our stacks with one setting changed (gunicorn gthread, gunicorn's own
#     access log on, other mod_wsgi processes/threads), measured in the same rounds.
# Prints the tables and writes them to docs/benchmarks.md. About 20 minutes on a quiet 2-core
# machine, most of it the converges (the measuring rounds take about 6).
#
#   bash tools/bench.sh          (make bench)
#   WSGISTACK_BENCH_ONLY=converge WSGISTACK_BENCH_STACKS=nginx_gunicorn bash tools/bench.sh
#                                (deploy speed alone: one stack's converge phases, no wrk rounds)
#
# Method: two systemd containers from the test image, one per stack, each deployed with
# playbooks/<stack>.yml and inventories/local exactly as tools/demo.sh does (timed). The baselines
# are written by this script as literal config files on other ports of the same containers and run
# the guestbook app from its deployed venv. wrk (Debian's package, installed by tools/bootstrap.sh)
# runs on this machine inside each container's network namespace (nsenter) against 127.0.0.1, so
# every configuration is measured the same way on the loopback with no port published. Each round
# measures every configuration once (wrk -t2 -c32 --timeout 10s, bounded), the order rotated from
# one round to the next; a 2 s warm-up per configuration is not counted. The report gives medians
# and each round's ratio to gunicorn alone (median and min-max); tools/bench_report.py writes it.
#
# The SSH phases are test scaffolding, not the product: openssh-server is installed in each bench
# container (apt, through podman), a throw-away ed25519 key made in the run's directory is
# authorized for root, and the stack playbook runs against the container's bridge address
# (rootful podman: reachable from this machine) with inventories/local's variables plus
# group_vars/all/bench_ssh.yml (ansible_connection ssh, pipelining, ansible's default ssh_args
# -C -o ControlMaster=auto -o ControlPersist=60s, host key checking off for the throw-away host).
# The rerun over SSH must report changed=0 and the code-only deploy must serve the new code
# (guestbook's /info `release`), else the bench fails. The code-only deploy points guestbook's
# `source` at a copy of tests/apps/guestbook in the run's directory whose release.py says
# another release; the repository's tree is never edited.
#
# Knobs (environment):
#   WSGISTACK_BENCH_SECONDS      seconds of each measured wrk run (default 5)
#   WSGISTACK_BENCH_ROUNDS       rounds (default 5)
#   WSGISTACK_BENCH_CONNECTIONS  wrk connections (default 32)
#   WSGISTACK_BENCH_OUT          where the markdown goes; default docs/benchmarks.md for a run with
#                                the default seconds and rounds, else .cache/bench/benchmarks.md
#                                (a short smoke run never overwrites the published figures)
#   WSGISTACK_BENCH_CANDIDATES=0 measure our defaults and the baselines only
#   WSGISTACK_BENCH_ONLY=converge the converge phases only (no baselines, no wrk rounds): deploy
#                                speed alone; the report goes to .cache/bench/benchmarks.md unless
#                                WSGISTACK_BENCH_OUT says otherwise
#   WSGISTACK_BENCH_STACKS       the stacks deployed (default "nginx_gunicorn apache_modwsgi"; fewer
#                                only with WSGISTACK_BENCH_ONLY=converge: the wrk rounds need both)
#   WSGISTACK_BENCH_KEEP=1       leave the containers running (remove them with podman rm -f)
#   MOLECULE_DISTRO              Debian release of the containers (default bookworm)
# A smoke run: WSGISTACK_BENCH_SECONDS=2 WSGISTACK_BENCH_ROUNDS=1 bash tools/bench.sh
#
# Needs root (podman, nsenter). Raw figures and ansible logs stay in .cache/bench/<date>/;
# `python3 tools/bench_report.py .cache/bench/<date>` rewrites the report from them.
set -euo pipefail
# shellcheck source=tools/env.sh
source "$(dirname "$0")/env.sh"
cd "$WSGISTACK_ROOT"

DEFAULT_SECONDS=5
DEFAULT_ROUNDS=5
RUN_SECONDS=${WSGISTACK_BENCH_SECONDS:-$DEFAULT_SECONDS}
ROUNDS=${WSGISTACK_BENCH_ROUNDS:-$DEFAULT_ROUNDS}
CONNECTIONS=${WSGISTACK_BENCH_CONNECTIONS:-32}
WARMUP_SECONDS=2
DISTRO=${MOLECULE_DISTRO:-bookworm}
IMAGE=$WSGISTACK_IMAGE_REPO:$DISTRO
NGINX=wsgistack-bench-nginx
APACHE=wsgistack-bench-apache
# The app of inventories/local that is measured (the inventory's second app, notes, is deployed
# too, as a user of that inventory gets it, and stays idle).
APP=guestbook
APP_HOST=guestbook.localhost
DYNAMIC=/info
STATIC=/static/style.css
STARTED=$EPOCHSECONDS
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
WORK=$WSGISTACK_ROOT/.cache/bench/$STAMP
ONLY=${WSGISTACK_BENCH_ONLY:-all}
ALL_STACKS="nginx_gunicorn apache_modwsgi"
BENCH_STACKS=${WSGISTACK_BENCH_STACKS:-$ALL_STACKS}
case "$ONLY" in
  all|converge) ;;
  *) die "WSGISTACK_BENCH_ONLY=$ONLY: say converge (the converge phases only), or leave it unset" ;;
esac
for __stack in $BENCH_STACKS; do
  case " $ALL_STACKS " in
    *" $__stack "*) ;;
    *) die "WSGISTACK_BENCH_STACKS: $__stack is not a stack of the bench ($ALL_STACKS)" ;;
  esac
done
unset __stack
[ -n "${BENCH_STACKS// /}" ] || die "WSGISTACK_BENCH_STACKS is empty: name nginx_gunicorn and/or apache_modwsgi"
if [ "$ONLY" = all ] && [ "$(tr ' ' '\n' <<<"$BENCH_STACKS" | sort -u | xargs)" != "apache_modwsgi nginx_gunicorn" ]; then
  die "WSGISTACK_BENCH_STACKS=$BENCH_STACKS: the wrk rounds measure both stacks; add WSGISTACK_BENCH_ONLY=converge"
fi
if [ -n "${WSGISTACK_BENCH_OUT:-}" ]; then
  OUT=$WSGISTACK_BENCH_OUT
elif [ "$ONLY" = all ] && [ "$RUN_SECONDS" = "$DEFAULT_SECONDS" ] && [ "$ROUNDS" = "$DEFAULT_ROUNDS" ]; then
  OUT=$WSGISTACK_ROOT/docs/benchmarks.md
else
  OUT=$WSGISTACK_ROOT/.cache/bench/benchmarks.md
fi
export NO_COLOR=1 ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
export ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks
# Every task's time in the recap (where a phase's time goes), not only the 20 slowest.
export PROFILE_TASKS_TASK_OUTPUT_LIMIT=all

# id | container | port | path: the rows of the report (tools/bench_report.py names them).
CONFIGS=(
  "gunicorn_alone|$NGINX|8000|$DYNAMIC"
  "nginx_stack|$NGINX|80|$DYNAMIC"
  "seed004|$NGINX|8004|$DYNAMIC"
  "apache_stack|$APACHE|80|$DYNAMIC"
  "seed003|$APACHE|8003|$DYNAMIC"
  "seed001|$APACHE|8001|$DYNAMIC"
  "static_nginx|$NGINX|80|$STATIC"
  "static_apache|$APACHE|80|$STATIC"
  "static_app|$NGINX|8000|$STATIC"
)
# Candidate defaults: our stack with one setting changed, what a default would be chosen from.
# nginx_gunicorn: gunicorn with our rendered config plus the overrides, behind a copy of our nginx
# site; apache_modwsgi: a copy of our vhost with other processes/threads, in the same Apache.
CANDIDATES=${WSGISTACK_BENCH_CANDIDATES:-1}
CORES=$(nproc)
# id | port | gunicorn settings (Python lines, ;-separated) | what the report calls it
NGINX_CANDIDATES=(
  "nginx_gthread|8101|worker_class = 'gthread'; workers = $((CORES + 1)); threads = 4|gunicorn gthread, $((CORES + 1)) workers × 4 threads (keep-alive from nginx)"
  "nginx_accesslog|8102|accesslog = '/var/log/gunicorn/$APP/access.log'|gunicorn writing its own access log too (nginx logs every request anyway)"
)
# id | port | processes | threads
APACHE_CANDIDATES=(
  "apache_p${CORES}t5|8105|$CORES|5"
  "apache_p${CORES}t15|8106|$CORES|15"
)
if [ "$CANDIDATES" = 1 ]; then
  for candidate in "${NGINX_CANDIDATES[@]}"; do
    IFS='|' read -r id port _ <<<"$candidate"
    CONFIGS+=("$id|$NGINX|$port|$DYNAMIC")
  done
  for candidate in "${APACHE_CANDIDATES[@]}"; do
    IFS='|' read -r id port _ <<<"$candidate"
    CONFIGS+=("$id|$APACHE|$port|$DYNAMIC")
  done
fi

CREATED=()
cleanup() {
  if [ "${WSGISTACK_BENCH_KEEP:-0}" = 1 ] && [ ${#CREATED[@]} -gt 0 ]; then
    log "leaving ${CREATED[*]} running (WSGISTACK_BENCH_KEEP=1)"
  elif [ ${#CREATED[@]} -gt 0 ]; then
    podman rm -f -t 0 "${CREATED[@]}" >/dev/null 2>&1 || true
  fi
  [ -z "${WORK:-}" ] || [ ! -d "$WORK/ssh/cp" ] || close_ssh_masters
}
trap cleanup EXIT

meta() { printf '%s\t%s\n' "$1" "$2" >>"$WORK/meta.tsv"; }
load1() { cut -d' ' -f1 /proc/loadavg; }

machine() {
  meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
  meta distro "$(sed -nE 's/^PRETTY_NAME="?([^"]*)"?$/\1/p' /etc/os-release)"
  meta kernel "$(uname -r)"
  meta cpu "$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1)"
  meta cores "$(nproc)"
  meta memory_gib "$(awk '/^MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"
  meta load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
  meta wrk "$(dpkg-query -W -f='${Version}' wrk)"
  meta podman "$(podman version --format '{{.Client.Version}}')"
  meta image "$IMAGE"
  meta seconds "$RUN_SECONDS"
  meta rounds "$ROUNDS"
  meta connections "$CONNECTIONS"
  meta warmup_seconds "$WARMUP_SECONDS"
  meta dynamic "$DYNAMIC"
  meta static "$STATIC"
  meta static_bytes "$(wc -c <tests/apps/guestbook/src/guestbook/static/style.css)"
  meta command "$(command_line)"
  meta only "$ONLY"
  meta stacks "$BENCH_STACKS"
  meta commit "$(git -C "$WSGISTACK_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
  # Tracked files that differ from that commit, the bench's own files aside: the code measured
  # is the commit's only when this is empty.
  meta uncommitted "$(git -C "$WSGISTACK_ROOT" status --porcelain --untracked-files=no 2>/dev/null \
    | awk '{ print $NF }' | grep -vxE 'tools/bench\.sh|tools/bench_report\.py|docs/benchmarks\.md' \
    | paste -sd ' ' - || true)"
}

command_line() { # how to reproduce this run
  local knobs=()
  [ "$RUN_SECONDS" = "$DEFAULT_SECONDS" ] || knobs+=("WSGISTACK_BENCH_SECONDS=$RUN_SECONDS")
  [ "$ROUNDS" = "$DEFAULT_ROUNDS" ] || knobs+=("WSGISTACK_BENCH_ROUNDS=$ROUNDS")
  [ "$CONNECTIONS" = 32 ] || knobs+=("WSGISTACK_BENCH_CONNECTIONS=$CONNECTIONS")
  [ "$CANDIDATES" = 1 ] || knobs+=("WSGISTACK_BENCH_CANDIDATES=$CANDIDATES")
  [ "$DISTRO" = bookworm ] || knobs+=("MOLECULE_DISTRO=$DISTRO")
  [ "$ONLY" = all ] || knobs+=("WSGISTACK_BENCH_ONLY=$ONLY")
  [ "$BENCH_STACKS" = "$ALL_STACKS" ] || knobs+=("WSGISTACK_BENCH_STACKS=\"$BENCH_STACKS\"")
  if [ ${#knobs[@]} -eq 0 ]; then echo "make bench"; else echo "${knobs[*]} bash tools/bench.sh"; fi
}

secrets() { # a random database password for this run, kept out of the repo and of the output
  (umask 077; printf 'wsgistack_demo_db_password: "%s"\n' \
    "$(head -c 18 /dev/urandom | base64 | tr -d '+/=')" >"$WORK/secrets.yml")
}

start_container() { # start_container NAME STACK
  podman container exists "$1" \
    && die "container $1 exists (another bench running, or left by WSGISTACK_BENCH_KEEP=1): podman rm -f $1"
  podman run -d --name "$1" --hostname "$1" --systemd=always --cap-add SYS_ADMIN \
    --label "org.wsgistack.stack=$2" --label org.wsgistack.bench=1 "$IMAGE" /sbin/init >/dev/null
  CREATED+=("$1")
  local state=
  for _ in $(seq 1 60); do
    state=$(podman exec "$1" systemctl is-system-running 2>/dev/null || true)
    case "$state" in running|degraded) return ;; esac
    sleep 1
  done
  die "systemd in $1 did not come up (state: ${state:-unknown})"
}

# CPU seconds (user + system) of the processes this shell has waited for, in CPU_CHILDREN: `times`
# runs in this shell (a command substitution would be a fresh process with none).
CPU_CHILDREN=
children_cpu() {
  times >"$WORK/times.txt"
  CPU_CHILDREN=$(awk 'NR == 2 {
    for (i = 1; i <= 2; i++) { split($i, part, "m"); sub(/s$/, "", part[2]); total += part[1] * 60 + part[2] }
    printf "%.2f", total }' "$WORK/times.txt")
}

container_cpu() { # CPU seconds CONTAINER has used so far (its cgroup, v1 or v2); empty if unknown
  local path
  path=$(podman inspect --format '{{.State.CgroupPath}}' "$1" 2>/dev/null) || return 0
  if [ -r "/sys/fs/cgroup/cpuacct$path/cpuacct.usage" ]; then
    awk '{ printf "%.2f", $1 / 1e9 }' "/sys/fs/cgroup/cpuacct$path/cpuacct.usage"
  elif [ -r "/sys/fs/cgroup$path/cpu.stat" ]; then
    awk '$1 == "usage_usec" { printf "%.2f", $2 / 1e6 }' "/sys/fs/cgroup$path/cpu.stat"
  fi
}

# converge STACK CONTAINER PHASE [INVENTORY [ANSIBLE-PLAYBOOK ARGUMENTS...]]: time
# playbooks/STACK.yml as tools/demo.sh runs it. One line of converge.tsv: the recap's counts (ok
# counts the changed tasks too; a looped task is one result), the 1-minute load at the end and at
# the start, and the CPU seconds the phase cost on the controller (ansible-playbook, its workers
# and the ssh/podman/nsenter processes they ran, with the module's own Python for the pipelined
# connection, which runs it from here) and in the container (through podman exec and sshd: the
# modules and what they ran); every task's time (profile_tasks) in profile-STACK-PHASE.tsv; the
# counts also in RECAP[...] for the caller.
declare -A RECAP=()
converge() {
  local stack=$1 container=$2 phase=$3 inventory=${4:-inventories/local}
  shift $(($# < 4 ? $# : 4))
  local logfile=$WORK/$stack-$phase.log profile=$WORK/profile-$stack-$phase.tsv start end recap key
  local rc=0 load_start
  local cpu_start host_start host_end
  load_start=$(load1)
  log "$stack: $phase converge of $container (1-minute load $load_start)"
  host_start=$(container_cpu "$container")
  children_cpu
  cpu_start=$CPU_CHILDREN
  start=$EPOCHREALTIME
  ansible-playbook -i "$inventory" -e "wsgistack_local_container=$container" -e "@$WORK/secrets.yml" \
    "$@" "playbooks/$stack.yml" >"$logfile" 2>&1 || rc=$?
  end=$EPOCHREALTIME
  children_cpu
  host_end=$(container_cpu "$container")
  # The SSH phases' ControlMaster outlives ansible-playbook, unwaited for: its CPU read, then closed
  # (the next phase opens its own).
  CPU_CHILDREN=$(awk -v c="$CPU_CHILDREN" -v m="$(ssh_masters_cpu)" 'BEGIN { printf "%.2f", c + m }')
  close_ssh_masters
  if [ "$rc" -ne 0 ]; then
    grep -E -A 3 '^(fatal|failed):' "$logfile" | cut -c1-2000 >&2 || tail -n 40 "$logfile" >&2
    die "$stack: $phase converge failed (log: $logfile)"
  fi
  recap=$(grep -A1 '^PLAY RECAP' "$logfile" | tail -n1)
  for key in ok changed unreachable failed skipped rescued ignored; do
    RECAP[$key]=$(sed -nE "s/.* $key=([0-9]+).*/\1/p" <<<"$recap")
    [ -n "${RECAP[$key]}" ] || die "$stack: $phase: no $key= in the recap line '$recap' (log: $logfile)"
  done
  # Every task's seconds, slowest first (profile_tasks): "name<TAB>seconds".
  sed -n '/^TASKS RECAP/,$p' "$logfile" | grep -E -- ' -{2,} [0-9.]+s$' \
    | sed -E 's/^wsgistack\.deploy\.//; s/ -{2,} ([0-9.]+)s$/\t\1/' >"$profile" || true
  # The three slowest tasks, as "name (seconds)".
  meta "slowest_${phase}_$stack" "$(head -n 3 "$profile" | sed -E 's/\t([0-9.]+)$/ (\1 s)/' \
    | paste -sd ';' - | sed 's/;/; /g')"
  printf '%s\t%s\t%.1f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$stack" "$phase" \
    "$(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }')" "${RECAP[ok]}" "${RECAP[changed]}" \
    "${RECAP[skipped]}" "$(load1)" "${RECAP[failed]}" "${RECAP[rescued]}" "${RECAP[ignored]}" \
    "$load_start" "$(awk -v s="$cpu_start" -v e="$CPU_CHILDREN" 'BEGIN { printf "%.1f", e - s }')" \
    "$(awk -v s="$host_start" -v e="$host_end" 'BEGIN { if (s != "" && e != "") printf "%.1f", e - s }')" \
    >>"$WORK/converge.tsv"
}

podman_exec_cost() { # seconds of one `podman exec` (an ansible task through the podman connection needs several)
  local start end
  start=$EPOCHREALTIME
  for _ in 1 2 3 4 5; do podman exec "$1" true; done
  end=$EPOCHREALTIME
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", (e - s) / 5 }'
}

# inventories/local with its connection swapped for the pipelined one, once per run (not
# -e ansible_connection: extra vars would also take over the tasks the plays delegate to
# the controller).
write_pipelined_inventory() {
  mkdir -p "$WORK/inventory-pipelined"
  cp -r inventories/local/. "$WORK/inventory-pipelined/"
  sed -i 's/^\( *\)ansible_connection: containers\.podman\.podman$/\1ansible_connection: podman_pipelined\n\1ansible_pipelining: true/' \
    "$WORK/inventory-pipelined/hosts.yml"
  grep -q 'ansible_connection: podman_pipelined' "$WORK/inventory-pipelined/hosts.yml" \
    || die "could not swap the connection in $WORK/inventory-pipelined/hosts.yml"
}

# inventories/local reached over SSH: its own variables and hosts.yml untouched, plus a
# group_vars file of the bench's (group_vars files take precedence over the inventory file's
# group variables; the implicit localhost keeps its own local connection). The address comes per
# stack as -e wsgistack_bench_ssh_address. guestbook's `source` becomes
# `wsgistack_bench_guestbook_source`, by default the same path as before, so the code-only deploy
# can point it at a copy of the sources.
write_ssh_inventory() {
  local dir=$WORK/inventory-ssh
  local from='source: "{{ wsgistack_local_repo }}/tests/apps/guestbook"'
  local to="source: \"{{ wsgistack_bench_guestbook_source | default(wsgistack_local_repo ~ '/tests/apps/guestbook') }}\""
  mkdir -p "$dir" "$WORK/ssh/cp"
  chmod 0700 "$WORK/ssh"
  cp -r inventories/local/. "$dir/"
  cat >"$dir/group_vars/all/bench_ssh.yml" <<VARS
---
# Written by tools/bench.sh for its SSH phases (test scaffolding): the container's bridge address,
# root with a throw-away key, pipelining, ansible's default ssh_args (ControlMaster=auto,
# ControlPersist=60s) with the control sockets in the run's directory, no host key checking
# for the throw-away host.
ansible_connection: ssh
ansible_host: "{{ wsgistack_bench_ssh_address }}"
ansible_port: 22
ansible_user: root
ansible_pipelining: true
ansible_ssh_private_key_file: "$WORK/ssh/id_ed25519"
ansible_control_path_dir: "$WORK/ssh/cp"
ansible_host_key_checking: false
ansible_ssh_common_args: -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o LogLevel=ERROR
VARS
  awk -v from="$from" -v to="$to" '
    /^  - name: / { in_guestbook = ($0 == "  - name: guestbook") }
    in_guestbook && index($0, from) { sub(/source: .*/, ""); $0 = $0 to; swapped++ }
    { print }
    END { exit swapped != 1 }' "$dir/group_vars/all/apps.yml" >"$dir/apps.yml.new" \
    || die "could not find guestbook's source ($from) in inventories/local/group_vars/all/apps.yml"
  mv "$dir/apps.yml.new" "$dir/group_vars/all/apps.yml"
  ssh-keygen -q -t ed25519 -N '' -C "wsgistack-bench-$STAMP" -f "$WORK/ssh/id_ed25519"
}

SSH_OPTIONS=()
ssh_options() { # how this script itself reaches the containers (its checks; ansible has its inventory)
  SSH_OPTIONS=(-i "$WORK/ssh/id_ed25519" -o BatchMode=yes -o UserKnownHostsFile=/dev/null
    -o StrictHostKeyChecking=no -o LogLevel=ERROR -o ConnectTimeout=5 -l root)
}

# start_sshd CONTAINER: openssh-server in the container (test scaffolding, installed through
# podman) with the run's key authorized for root; waits until it answers; prints the address.
start_sshd() {
  local address=
  podman exec -i --env "KEY=$(cat "$WORK/ssh/id_ed25519.pub")" "$1" bash -euo pipefail -s \
    >"$WORK/sshd-$1.log" 2>&1 <<'SCRIPT' || { tail -n 30 "$WORK/sshd-$1.log" >&2; die "installing sshd in $1 failed"; }
export DEBIAN_FRONTEND=noninteractive
install_sshd() { apt-get install -y -q --no-install-recommends openssh-server; }
dpkg-query -W -f='${Status}' openssh-server 2>/dev/null | grep -q 'ok installed' \
  || install_sshd || { apt-get update -q && install_sshd; }
install -d -m 0700 /root/.ssh
printf '%s\n' "$KEY" >/root/.ssh/authorized_keys
chmod 0600 /root/.ssh/authorized_keys
systemctl enable --now ssh.service
systemctl is-active ssh.service
SCRIPT
  address=$(podman inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$1" | awk '{ print $1 }')
  [ -n "$address" ] || die "$1 has no address on a podman network"
  ssh_options
  for _ in $(seq 1 30); do
    ssh "${SSH_OPTIONS[@]}" "$address" true 2>/dev/null && { echo "$address"; return; }
    sleep 1
  done
  ssh "${SSH_OPTIONS[@]}" "$address" true || true
  die "sshd in $1 does not answer at $address:22 (log: $WORK/sshd-$1.log)"
}

ssh_command_cost() { # seconds of one command over an open SSH connection (a ControlMaster, as ansible's)
  local start end control=$WORK/ssh/probe
  ssh "${SSH_OPTIONS[@]}" -o ControlMaster=yes -o ControlPersist=30s -o ControlPath="$control" -fN "$1"
  start=$EPOCHREALTIME
  for _ in 1 2 3 4 5; do ssh "${SSH_OPTIONS[@]}" -o ControlPath="$control" "$1" true; done
  end=$EPOCHREALTIME
  ssh "${SSH_OPTIONS[@]}" -o ControlPath="$control" -O exit "$1" 2>/dev/null || true
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) / 5 }'
}

ssh_logins() { # root logins sshd accepted in CONTAINER so far (a run that went over SSH adds some)
  podman exec "$1" journalctl -u ssh.service -o cat --no-pager 2>/dev/null \
    | grep -c '^Accepted publickey for root' || true
}

ssh_masters_cpu() { # CPU seconds of the ControlPersist masters ansible left in the run's directory
  local socket pid total=0 hz
  hz=$(getconf CLK_TCK)
  for socket in "$WORK"/ssh/cp/*; do
    [ -S "$socket" ] || continue
    pid=$(ssh -o ControlPath="$socket" -O check wsgistack-bench 2>&1 | sed -nE 's/.*pid=([0-9]+).*/\1/p')
    { [ -n "$pid" ] && [ -r "/proc/$pid/stat" ]; } || continue
    # utime and stime: fields 14 and 15 of stat, 12 and 13 after "pid (comm) ".
    total=$(awk -v t="$total" -v hz="$hz" '{ sub(/^.*\) /, ""); print t + ($12 + $13) / hz }' "/proc/$pid/stat")
  done
  echo "$total"
}

close_ssh_masters() { # the ControlPersist masters ansible left in the run's directory
  local socket
  for socket in "$WORK"/ssh/cp/*; do
    [ -S "$socket" ] || continue
    ssh -o ControlPath="$socket" -O exit wsgistack-bench >/dev/null 2>&1 || true
  done
}

served_release() { # served_release CONTAINER HOST: the release HOST's /info answers with (front server)
  nsenter -t "$(netns_pid "$1")" -n curl -fsS --max-time 10 -H "Host: $2" http://127.0.0.1/info \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["release"])'
}

# A copy of guestbook's sources with one file changed (release.py: a value only the new code
# answers with), times and modes kept, so the deploy has one changed file to unpack.
RELEASE_BEFORE=
RELEASE_NEXT=guestbook-bench-$STAMP
write_next_release() {
  local release=$WORK/guestbook-next/src/guestbook/release.py
  RELEASE_BEFORE=$(sed -nE 's/^RELEASE = "(.*)"$/\1/p' tests/apps/guestbook/src/guestbook/release.py)
  [ -n "$RELEASE_BEFORE" ] || die "no RELEASE = \"...\" in tests/apps/guestbook/src/guestbook/release.py"
  cp -a tests/apps/guestbook "$WORK/guestbook-next"
  sed -i -E "s/^RELEASE = .*$/RELEASE = \"$RELEASE_NEXT\"/" "$release"
  grep -qx "RELEASE = \"$RELEASE_NEXT\"" "$release" || die "could not give $release its release"
}

# deploy_ssh STACK CONTAINER: sshd in the container; the idempotent rerun over SSH (must be
# changed=0); a code-only deploy over SSH (guestbook's release.py changed, `--skip-tags
# database`) after which guestbook must answer with the new release.
deploy_ssh() {
  local stack=$1 container=$2 address logins release=
  address=$(start_sshd "$container")
  ssh_options
  meta "ssh_address_$stack" "$address"
  meta "ssh_command_seconds_$stack" "$(ssh_command_cost "$address")"
  release=$(served_release "$container" "$APP_HOST") \
    || die "$stack: guestbook's /info does not answer through the front server of $container"
  [ "$release" = "$RELEASE_BEFORE" ] \
    || die "$stack: guestbook answers with '$release' before the code-only deploy, not $RELEASE_BEFORE"
  logins=$(ssh_logins "$container")
  converge "$stack" "$container" rerun_ssh "$WORK/inventory-ssh" -e "wsgistack_bench_ssh_address=$address"
  [ "$(ssh_logins "$container")" -gt "$logins" ] \
    || die "$stack: sshd in $container logged no login during the rerun over SSH: it went another way"
  if [ "${RECAP[changed]}" != 0 ]; then
    awk '/^TASK \[/ { task = $0 } /^changed:/ { print task; print }' "$WORK/$stack-rerun_ssh.log" >&2
    die "$stack: the idempotent rerun over SSH reported changed=${RECAP[changed]} (log: $WORK/$stack-rerun_ssh.log)"
  fi
  converge "$stack" "$container" deploy_code_ssh "$WORK/inventory-ssh" \
    -e "wsgistack_bench_ssh_address=$address" -e "wsgistack_bench_guestbook_source=$WORK/guestbook-next" \
    --skip-tags database
  [ "${RECAP[changed]}" != 0 ] \
    || die "$stack: the code-only deploy over SSH changed nothing (log: $WORK/$stack-deploy_code_ssh.log)"
  for _ in $(seq 1 10); do
    release=$(served_release "$container" "$APP_HOST" || true)
    [ "$release" = "$RELEASE_NEXT" ] && break
    sleep 1
  done
  meta "release_after_deploy_$stack" "$release"
  [ "$release" = "$RELEASE_NEXT" ] \
    || die "$stack: after the code-only deploy guestbook answers with '$release', not $RELEASE_NEXT"
  release=$(served_release "$container" notes.localhost || true)
  meta "release_notes_after_deploy_$stack" "$release"
  [ "$release" = "$RELEASE_BEFORE" ] \
    || log "WARNING: $stack: notes (its code unchanged) answers with '$release', not $RELEASE_BEFORE"
  close_ssh_masters
}

# deploy STACK CONTAINER: fresh converge, then the idempotent rerun, both through
# inventories/local's containers.podman.podman (three `podman exec` per module), then
# the rerun again through the molecule scenarios' pipelined connection (one per module;
# molecule/resources/plugins/connection), then the SSH phases (deploy_ssh).
deploy() {
  start_container "$2" "$1"
  converge "$1" "$2" fresh
  converge "$1" "$2" rerun
  ANSIBLE_CONNECTION_PLUGINS=$WSGISTACK_ROOT/molecule/resources/plugins/connection \
    converge "$1" "$2" rerun_pipelined "$WORK/inventory-pipelined"
  meta "podman_exec_seconds_$1" "$(podman_exec_cost "$2")"
  deploy_ssh "$1" "$2"
}

container_of() { # container_of STACK
  case "$1" in
    nginx_gunicorn) echo "$NGINX" ;;
    apache_modwsgi) echo "$APACHE" ;;
  esac
}

# gunicorn alone (the baseline) and seed 004 in the nginx stack's container.
setup_nginx_baselines() {
  local gunicorn gevent
  gunicorn=$(sed -nE 's/^nginx_gunicorn_gunicorn_version: *"?([^"]+)"?.*/\1/p' roles/nginx_gunicorn/defaults/main.yml)
  gevent=$(sed -nE 's/^nginx_gunicorn_gevent_version: *"?([^"]+)"?.*/\1/p' roles/nginx_gunicorn/defaults/main.yml)
  log "baselines in $NGINX: gunicorn alone on :8000, seed 004 (nginx :8004 -> gunicorn gevent 127.0.0.1:9000)"
  podman exec -i --env "APP=$APP" --env "GUNICORN=$gunicorn" --env "GEVENT=$gevent" "$NGINX" \
    bash -euo pipefail -s >"$WORK/baselines-nginx.log" 2>&1 <<'EOF' \
    || { tail -n 30 "$WORK/baselines-nginx.log" >&2; die "setting up the baselines in $NGINX failed"; }
venv=/srv/$APP/venv
static=$(sed -nE 's/^ *alias (.*)\/;$/\1/p' /etc/nginx/sites-available/$APP.conf | head -n1)
test -f "$static/style.css"

# gunicorn alone: plain gunicorn (sync, 2 * cores + 1 workers, its other defaults) on TCP.
cat >/etc/systemd/system/bench-gunicorn-alone.service <<UNIT
[Unit]
Description=bench baseline: gunicorn alone (sync, 2 * cores + 1 workers) on 127.0.0.1:8000
After=network.target
[Service]
User=$APP
Group=$APP
EnvironmentFile=/etc/gunicorn/$APP.env
WorkingDirectory=/srv/$APP/src
ExecStart=$venv/bin/gunicorn --bind 127.0.0.1:8000 --workers $((2 * $(nproc) + 1)) guestbook.wsgi:application
UNIT

# Seed 004: its virtualenv has gunicorn and gevent (pip install gunicorn gevent); here a copy of
# the app's venv with gevent added, so the measured stack's venv stays as deployed.
rm -rf /opt/seed004
cp -a "$venv" /opt/seed004
PIP_CERT=/etc/ssl/certs/ca-certificates.crt /opt/seed004/bin/python -m pip install -q \
  --disable-pip-version-check "gunicorn[gevent]==$GUNICORN" "gevent==$GEVENT"
mkdir -p /etc/gunicorn.d
# Seed 004's /etc/gunicorn.d/gunicorn.py, literally (name: the app's).
cat >/etc/gunicorn.d/gunicorn.py <<'CONF'
"""gunicorn WSGI server configuration."""
from multiprocessing import cpu_count
from os import environ

def max_workers():
    return cpu_count() * 2 + 1

max_requests = 1000
worker_class = 'gevent'
workers = max_workers()

name = 'guestbook'
bind = '127.0.0.1:9000'
pidfile = 'gunicorn_from_upstart.pid'

accesslog = 'gunicorn_access.log'
errorlog = 'gunicorn_error.log'
CONF
# Its upstart job (respawn, setuid/setgid, cd to the project, exec gunicorn --config) as a unit;
# the project folder, where the relative pid and log files go, is /var/lib/seed004.
install -d -o "$APP" -g "$APP" -m 0750 /var/lib/seed004
cat >/etc/systemd/system/seed004-gunicorn.service <<UNIT
[Unit]
Description=seed 004: gunicorn gevent on 127.0.0.1:9000 (its upstart job)
After=network.target
[Service]
User=$APP
Group=$APP
EnvironmentFile=/etc/gunicorn/$APP.env
WorkingDirectory=/var/lib/seed004
ExecStart=/opt/seed004/bin/python -m gunicorn --config /etc/gunicorn.d/gunicorn.py guestbook.wsgi:application
Restart=always
UNIT
# Seed 004's nginx site, literally, on port 8004 (IPv4 only; static: the app's directory).
cat >/etc/nginx/sites-available/seed004 <<SITE
upstream app_server {
    server 127.0.0.1:9000 fail_timeout=0;
}

server {
    listen 8004 default_server;

    client_max_body_size 4G;
    server_name _;

    keepalive_timeout 5;

    # your Flask project's static files - amend as required
    location /static {
        alias $static;
    }

    location / {
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_set_header Host \$http_host;
        proxy_redirect off;
        proxy_pass http://app_server;
    }
}
SITE
ln -sfn ../sites-available/seed004 /etc/nginx/sites-enabled/seed004
nginx -t
systemctl daemon-reload
systemctl start bench-gunicorn-alone.service seed004-gunicorn.service
systemctl reload nginx
EOF
}

# Seeds 001 and 003 in the Apache stack's container: a second Apache instance (Debian's
# apache2@.service, config in /etc/apache2-seeds) with the distribution's modules and MPM, without
# our role's server-wide WSGIRestrictEmbedded On (which forbids seed 001's embedded mode).
setup_apache_baselines() {
  log "baselines in $APACHE: seed 001 (embedded) on :8001, seed 003 (daemon threads=5) on :8003"
  podman exec -i --env "APP=$APP" "$APACHE" bash -euo pipefail -s >"$WORK/baselines-apache.log" 2>&1 <<'EOF' \
    || { tail -n 30 "$WORK/baselines-apache.log" >&2; die "setting up the baselines in $APACHE failed"; }
wsgi=/var/www/wsgi-scripts/$APP.wsgi
test -f "$wsgi"
rm -rf /etc/apache2-seeds
cp -a /etc/apache2 /etc/apache2-seeds
rm -f /etc/apache2-seeds/sites-enabled/*
grep -l '^ *WSGI' /etc/apache2-seeds/conf-enabled/* 2>/dev/null | xargs -r rm -f
printf 'Listen 8001\nListen 8003\n' >/etc/apache2-seeds/ports.conf
cat >/etc/apache2-seeds/conf-enabled/seeds-wsgi.conf <<CONF
# Both seeds' Python: the app's venv (the seeds' virtualenv; seed 003's "virtual python").
WSGIPythonHome /srv/$APP/venv
WSGIRestrictEmbedded Off
WSGISocketPrefix \${APACHE_RUN_DIR}/wsgi
CONF
# The seeds' .wsgi files: the one our role generated (imports the app, sets its environment),
# readable by whoever runs the app: Apache's user in embedded mode, the app's user in daemon mode.
install -d -m 0755 /var/www/seed001 /var/www/seed003
install -o root -g www-data -m 0640 "$wsgi" /var/www/seed001/flask-db-test.wsgi
install -o root -g "$APP" -m 0640 "$wsgi" /var/www/seed003/yourapplication.wsgi
# Seed 001: the two lines it adds to httpd.conf, alone on their port.
cat >/etc/apache2-seeds/sites-enabled/seed001.conf <<'SITE'
<VirtualHost *:8001>
WSGIScriptAlias / /var/www/seed001/flask-db-test.wsgi

<Directory /var/www/seed001>
    Require all granted
</Directory>
</VirtualHost>
SITE
# Seed 003: Flask's mod_wsgi example (user1/group1: the app's user and group).
cat >/etc/apache2-seeds/sites-enabled/seed003.conf <<SITE
<VirtualHost *:8003>
    WSGIDaemonProcess yourapplication user=$APP group=$APP threads=5
    WSGIScriptAlias / /var/www/seed003/yourapplication.wsgi

    <Directory /var/www/seed003>
        WSGIProcessGroup yourapplication
        WSGIApplicationGroup %{GLOBAL}
        Order deny,allow
        Allow from all
    </Directory>
</VirtualHost>
SITE
install -d -m 0750 -o root -g adm /var/log/apache2-seeds
APACHE_CONFDIR=/etc/apache2-seeds apache2ctl configtest
systemctl start apache2@seeds.service
EOF
}

# The candidates: our deployed configuration with one setting changed (see CANDIDATES above).
setup_candidates() {
  [ "$CANDIDATES" = 1 ] || return 0
  local candidate id port settings description nginx_specs=() apache_specs=()
  for candidate in "${NGINX_CANDIDATES[@]}"; do
    IFS='|' read -r id port settings description <<<"$candidate"
    meta "label_$id" "$description"
    nginx_specs+=("$port|$settings")
  done
  for candidate in "${APACHE_CANDIDATES[@]}"; do
    IFS='|' read -r id port settings description <<<"$candidate"
    meta "label_$id" "mod_wsgi daemon processes=$settings threads=$description"
    apache_specs+=("$port|$settings|$description")
  done
  log "candidates: ${#nginx_specs[@]} in $NGINX, ${#apache_specs[@]} in $APACHE"
  podman exec -i --env "APP=$APP" "$NGINX" bash -euo pipefail -s -- "${nginx_specs[@]}" \
    >"$WORK/candidates-nginx.log" 2>&1 <<'EOF' \
    || { tail -n 30 "$WORK/candidates-nginx.log" >&2; die "setting up the candidates in $NGINX failed"; }
unit=$(systemctl show -P FragmentPath "gunicorn-$APP.service")
for spec in "$@"; do
  port=${spec%%|*} settings=${spec#*|}
  conf=/etc/gunicorn/bench-$port.conf.py
  sock=/run/bench-$port/gunicorn.sock
  { echo "# bench candidate on :$port: the app's rendered settings, then the candidate's."
    echo "exec(open('/etc/gunicorn/$APP.conf.py').read())"
    tr ';' '\n' <<<"$settings" | sed 's/^ *//'
    echo "bind = ['unix:$sock']"; } >"$conf"
  sed -e "s|/etc/gunicorn/$APP.conf.py|$conf|" -e "s|^RuntimeDirectory=$APP\$|RuntimeDirectory=bench-$port|" \
    -e "s|/run/$APP/gunicorn.sock|$sock|" -e "s|^Description=.*|Description=bench candidate on :$port|" \
    "$unit" >"/etc/systemd/system/bench-$port.service"
  grep -q "^RuntimeDirectory=bench-$port$" "/etc/systemd/system/bench-$port.service"
  sed -e "s/gunicorn_$APP\b/bench_$port/g" -e "s|unix:/run/$APP/gunicorn.sock|unix:$sock|" \
    -e "s/^\( *\)listen [0-9][0-9]*\( default_server\)\{0,1\};/\1listen $port;/" -e '/listen \[::\]/d' \
    -e "s/^\( *\)server_name .*/\1server_name _;/" \
    "/etc/nginx/sites-available/$APP.conf" >"/etc/nginx/sites-available/bench-$port"
  grep -q "listen $port;" "/etc/nginx/sites-available/bench-$port"
  ln -sfn "../sites-available/bench-$port" "/etc/nginx/sites-enabled/bench-$port"
  systemctl daemon-reload
  systemctl start "bench-$port.service"
done
nginx -t
systemctl reload nginx
EOF
  podman exec -i --env "APP=$APP" "$APACHE" bash -euo pipefail -s -- "${apache_specs[@]}" \
    >"$WORK/candidates-apache.log" 2>&1 <<'EOF' \
    || { tail -n 30 "$WORK/candidates-apache.log" >&2; die "setting up the candidates in $APACHE failed"; }
: >/etc/apache2/conf-available/bench-ports.conf
for spec in "$@"; do
  IFS='|' read -r port processes threads <<<"$spec"
  echo "Listen $port" >>/etc/apache2/conf-available/bench-ports.conf
  sed -e "s/^<VirtualHost \*:80>/<VirtualHost *:$port>/" \
    -e "s/WSGIDaemonProcess $APP /WSGIDaemonProcess bench$port /" \
    -e "s/ processes=[0-9]* threads=[0-9]* / processes=$processes threads=$threads /" \
    -e "s/process-group=$APP /process-group=bench$port /" -e "s/WSGIProcessGroup $APP$/WSGIProcessGroup bench$port/" \
    "/etc/apache2/sites-available/$APP.conf" >"/etc/apache2/sites-available/bench-$port.conf"
  grep -q "WSGIDaemonProcess bench$port .* processes=$processes threads=$threads " \
    "/etc/apache2/sites-available/bench-$port.conf"
  ln -sfn "../sites-available/bench-$port.conf" "/etc/apache2/sites-enabled/bench-$port.conf"
done
ln -sfn ../conf-available/bench-ports.conf /etc/apache2/conf-enabled/bench-ports.conf
apache2ctl configtest
systemctl reload apache2
EOF
}

declare -A PIDS=()
netns_pid() { # the PID whose network namespace is the container's
  [ -n "${PIDS[$1]:-}" ] || PIDS[$1]=$(podman inspect --format '{{.State.Pid}}' "$1")
  echo "${PIDS[$1]}"
}

check_config() { # check_config ID CONTAINER PORT PATH: answers 200; the app serves dynamic, not static
  local headers=
  for _ in $(seq 1 60); do
    headers=$(nsenter -t "$(netns_pid "$2")" -n curl -fsS -o /dev/null -D - -H "Host: $APP_HOST" \
      "http://127.0.0.1:$3$4" 2>/dev/null) && break
    sleep 1
  done
  [ -n "$headers" ] || die "$1: http://127.0.0.1:$3$4 in $2 does not answer 200"
  local from_app=no
  grep -qi '^X-Guestbook-App: 1' <<<"$headers" && from_app=yes
  meta "served_by_app_$1" "$from_app"
  case "$1" in
    static_nginx|static_apache) [ "$from_app" = no ] || log "WARNING: $1: the app served $4" ;;
    *) [ "$from_app" = yes ] || die "$1: $4 on port $3 of $2 was not answered by the app" ;;
  esac
}

wrk_run() { # wrk_run SECONDS CONTAINER PORT PATH -> one "WRK key=value ..." line
  nsenter -t "$(netns_pid "$2")" -n wrk -t2 -c"$CONNECTIONS" -d"$1s" --timeout 10s \
    -H "Host: $APP_HOST" -s "$WORK/report.lua" "http://127.0.0.1:$3$4" | grep '^WRK '
}

write_lua() {
  cat >"$WORK/report.lua" <<'EOF'
-- One machine-readable line at the end of a wrk run (latency in microseconds).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d p50_us=%d p99_us=%d connect=%d read=%d write=%d timeout=%d status=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.timeout, e.status))
end
EOF
}

measure() {
  local config id container port path line round i n=${#CONFIGS[@]}
  for config in "${CONFIGS[@]}"; do
    IFS='|' read -r id container port path <<<"$config"
    check_config "$id" "$container" "$port" "$path"
    wrk_run "$WARMUP_SECONDS" "$container" "$port" "$path" >/dev/null
  done
  meta load_measure_start "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'round\tid\trequests\tduration_us\tp50_us\tp99_us\tconnect\tread\twrite\ttimeout\tstatus\tload1\n' \
    >"$WORK/results.tsv"
  for round in $(seq 1 "$ROUNDS"); do
    log "round $round/$ROUNDS ($n configurations, ${RUN_SECONDS}s each; load $(load1))"
    for i in $(seq 0 $((n - 1))); do
      config=${CONFIGS[$(((i + round - 1) % n))]}
      IFS='|' read -r id container port path <<<"$config"
      line=$(wrk_run "$RUN_SECONDS" "$container" "$port" "$path")
      printf '%s\t%s\t%s\t%s\n' "$round" "$id" \
        "$(sed -E 's/^WRK //; s/[a-z0-9_]+=//g; s/ /\t/g' <<<"$line")" "$(load1)" >>"$WORK/results.tsv"
    done
  done
  meta load_measure_end "$(cut -d' ' -f1-3 /proc/loadavg)"
}

facts() { # what the report explains the figures with
  meta restarts_nginx_stack "$(podman exec "$NGINX" sh -c \
    "journalctl -u gunicorn-$APP.service -o cat | grep -c 'Autorestarting worker' || true")"
  meta restarts_seed004 "$(podman exec "$NGINX" sh -c \
    "grep -c 'Autorestarting worker' /var/lib/seed004/gunicorn_error.log || true")"
  meta defaults_nginx_gunicorn "$(podman exec "$NGINX" sh -c \
    "grep -E '^(worker_class|workers|threads|max_requests|max_requests_jitter|keepalive|accesslog) ' /etc/gunicorn/$APP.conf.py | tr '\n' ';'")"
  meta defaults_nginx_upstream "$(podman exec "$NGINX" sh -c \
    "sed -n '/^upstream/,/^}/p' /etc/nginx/sites-available/$APP.conf | grep -E '^ *(server|keepalive) ' | sed 's/^ *//' | tr '\n' ' '")"
  meta defaults_apache_modwsgi "$(podman exec "$APACHE" sh -c \
    "grep -o 'WSGIDaemonProcess .*' /etc/apache2/sites-available/$APP.conf | sed -E 's/ (python-home|home|display-name|lang|locale|user|group)=[^ ]*//g'")"
  meta apache_mpm "$(podman exec "$APACHE" sh -c 'ls /etc/apache2/mods-enabled/ | sed -n "s/^mpm_\(.*\)\.load$/\1/p"')"
  meta nginx_version "$(podman exec "$NGINX" sh -c 'nginx -v 2>&1 | sed "s/.*nginx\///"')"
  meta apache_version "$(podman exec "$APACHE" sh -c 'apache2 -v | sed -n "s/^Server version: Apache\///p"')"
  meta app_packages "$(podman exec "$NGINX" "/srv/$APP/venv/bin/python" -m pip list --format freeze \
    --disable-pip-version-check 2>/dev/null | grep -iE '^(flask|gunicorn|werkzeug)==' | tr '\n' ' ')"
  meta gevent "$(podman exec "$NGINX" /opt/seed004/bin/python -c 'import gevent; print(gevent.__version__)')"
  finish_facts
}

finish_facts() {
  meta load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
  meta run_minutes "$(((EPOCHSECONDS - STARTED + 30) / 60))"
}

main() {
  [ "$(id -u)" -eq 0 ] || die "tools/bench.sh needs root (podman, nsenter)"
  mkdir -p "$WORK"
  : >"$WORK/meta.tsv"
  printf 'stack\tphase\tseconds\tok\tchanged\tskipped\tload1\tfailed\trescued\tignored\tload1_start\tcpu_controller\tcpu_host\n' \
    >"$WORK/converge.tsv"
  machine
  WSGISTACK_DISTROS=$DISTRO "$WSGISTACK_ROOT/tools/bootstrap.sh"
  command -v wrk >/dev/null || die "wrk is missing: tools/bootstrap.sh installs it"
  if ! command -v ssh >/dev/null || ! command -v ssh-keygen >/dev/null; then
    die "the SSH phases need the OpenSSH client (apt-get install openssh-client)"
  fi
  secrets
  write_lua
  write_pipelined_inventory
  write_ssh_inventory
  write_next_release
  local stack
  for stack in $BENCH_STACKS; do
    deploy "$stack" "$(container_of "$stack")"
  done
  if [ "$ONLY" = all ]; then
    setup_nginx_baselines
    setup_apache_baselines
    setup_candidates
    measure
    facts
  else
    finish_facts
  fi
  mkdir -p "$(dirname "$OUT")"
  python3 tools/bench_report.py "$WORK" | tee "$OUT"
  ln -sfn "$STAMP" "$WSGISTACK_ROOT/.cache/bench/last"
  log "report: $OUT; raw figures and logs: $WORK"
}

main "$@"
