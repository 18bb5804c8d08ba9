#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine (run as root):
#   bash tools/test.sh
# 1. set-up (tools/bootstrap.sh): Debian packages, .venv, collections, ansible-test's
#    sanity venvs, images;
# 2. lint: yamllint, ansible-lint (production profile), ruff, ansible-test sanity
#    (tools/sanity.sh; its shellcheck test covers tools/*.sh);
# 3. pytest: filter and app unit tests, collection build/install;
# 4. the README's main job: tools/demo.sh deploys the default stack to a local
#    container and shows a round trip, then tools/demo.sh down removes it;
# 5. every molecule scenario (create → converge → idempotence → side effects →
#    verify → destroy), each on one Debian release (LAST_RELEASE below says which),
#    two jobs at a time.
# Exits non-zero when anything fails; ends with a summary.
#
# Narrow a run while developing (CI runs everything):
#   WSGISTACK_SCENARIOS="virtualenv postgres_pghba" WSGISTACK_DISTROS=trixie bash tools/test.sh
#   WSGISTACK_STAGES="lint unit" bash tools/test.sh
set -uo pipefail
# shellcheck source=tools/env.sh
source "$(dirname "$0")/env.sh"
cd "$WSGISTACK_ROOT" || exit 1

# Logs go to files and CI: no colour codes.
export NO_COLOR=1 PY_COLORS=0 ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
STAGES=${WSGISTACK_STAGES:-"lint unit demo molecule"}
JOBS=${WSGISTACK_JOBS:-2}
# The release each job runs on. Every role is deployed on each release, each job once:
# Debian 13 (the current stable) runs the README's main job (the nginx_gunicorn stack),
# the apache_modwsgi stack (Apache with Debian's mod_wsgi for Python 3.13, PostgreSQL 17,
# a web-only host), the nginx_gunicorn role's own options, and python_build (a CPython 3.11
# built where the release ships 3.13); Debian 12 runs every other job: the nginx_gunicorn
# stack (PostgreSQL 15), shared_host_stack (Apache, CPython 3.13.5 built from source and
# mod_wsgi compiled against it), the multi-host wiring, the other roles' scenarios, bad
# inputs and check mode. A job runs on the last release of WSGISTACK_DISTROS when it is in
# LAST_RELEASE, else on the first. WSGISTACK_EVERY_RELEASE=all runs every job on every
# release.
EVERY_RELEASE=${WSGISTACK_EVERY_RELEASE-}
LAST_RELEASE=${WSGISTACK_LAST_RELEASE-"demo apache_modwsgi_stack nginx_gunicorn python_build"}
# The pool starts the longest jobs first (measured on a 2-core machine), so that the
# last ones to end are short and both slots stay busy to the end; the others follow
# in name order.
LONGEST_FIRST="python_build shared_host_stack nginx_gunicorn_stack apache_modwsgi_stack multihost
  apache_modwsgi nginx_gunicorn check_mode demo"
LOGS=$WSGISTACK_ROOT/.cache/logs
declare -a PASSED=() FAILED=() WHY=()

record() { # record NAME STATUS [SECONDS LOG]: a container job's seconds and log file
  local name=$1${3:+ (${3}s)}
  if [ "$2" -eq 0 ]; then PASSED+=("$name"); else FAILED+=("$name"); WHY+=("${4:-}"); fi
}

# The lines of a failed job's log that say why, in the summary at the end of the output.
why() { # why LOG
  grep -E -A3 '^fatal: |^failed: |^\[ERROR\]|^E +|Executed: Failed' "$1" | head -n 60 |
    sed 's/\x1b\[[0-9;]*m//g; s/^/      /' | cut -c1-400
}

stage_lint() {
  log "lint: yamllint"
  yamllint --strict . ; record yamllint $?
  log "lint: ansible-lint (production profile)"
  ansible-lint --profile production ; record ansible-lint $?
  log "lint: ruff"
  { ruff check . && ruff format --check . ; } ; record ruff $?
  log "lint: ansible-test sanity (Python 3.11)"
  bash tools/sanity.sh ; record ansible-test-sanity $?
}

stage_unit() {
  log "pytest: unit, app and collection tests"
  pytest ; record pytest $?
}

scenarios() {
  if [ -n "${WSGISTACK_SCENARIOS:-}" ]; then
    echo "$WSGISTACK_SCENARIOS"
  else
    find molecule -mindepth 2 -maxdepth 2 -name molecule.yml -printf '%h\n' | xargs -rn1 basename | sort
  fi
}

# One container job, logged to its own file (printed once it ends, so parallel
# jobs do not interleave), its exit status and seconds in <log>.status.
#   run_job demo DISTRO       the README's main job, as a user runs it, under its
#                             own container name and port (a demo the user left
#                             running is never touched), then demo.sh down;
#   run_job SCENARIO DISTRO   molecule test of one scenario on one release.
log_of() { # log_of JOB DISTRO -> the job's log file
  if [ "$1" = demo ]; then echo "$LOGS/demo-$2.log"; else echo "$LOGS/molecule-$1-$2.log"; fi
}

run_job() {
  local job=$1 distro=$2 log_file start status
  log_file=$(log_of "$job" "$distro")
  start=$(date +%s)
  if [ "$job" = demo ]; then
    (
      export WSGISTACK_DEMO_NAME=wsgistack-ci-demo WSGISTACK_DEMO_PORT=18080 MOLECULE_DISTRO=$distro
      bash tools/demo.sh down && bash tools/demo.sh
      status=$?
      bash tools/demo.sh down || status=1
      if podman container exists "$WSGISTACK_DEMO_NAME"; then
        echo "demo.sh down left $WSGISTACK_DEMO_NAME behind"; status=1
      fi
      exit "$status"
    ) >"$log_file" 2>&1
  else
    # Molecule keys its working directory on the scenario alone; the two releases
    # of one scenario may run at once, so each run gets its own.
    MOLECULE_DISTRO=$distro \
      MOLECULE_EPHEMERAL_DIRECTORY=$WSGISTACK_ROOT/.cache/molecule/$job-$distro \
      molecule test -s "$job" >"$log_file" 2>&1
  fi
  status=$?
  echo "$status $(($(date +%s) - start))" >"$log_file.status"
  return "$status"
}
export -f run_job log_of
export LOGS

# The demo and the molecule scenarios share one pool of $JOBS parallel jobs.
stage_containers() { # stage_containers demo|molecule...
  mkdir -p "$LOGS"
  local jobs=() runs=() stage job distro
  for stage in "$@"; do
    case $stage in
      demo) jobs+=(demo) ;;
      molecule) for job in $(scenarios); do jobs+=("$job"); done ;;
    esac
  done
  for job in "${jobs[@]}"; do
    if [ "$EVERY_RELEASE" = all ]; then
      for distro in $WSGISTACK_DISTROS; do runs+=("$job $distro"); done
    elif [[ " $LAST_RELEASE " == *" $job "* ]]; then
      runs+=("$job ${WSGISTACK_DISTROS##* }")
    else
      runs+=("$job ${WSGISTACK_DISTROS%% *}")
    fi
  done
  local ordered=() name
  for name in $LONGEST_FIRST; do
    for run in "${runs[@]}"; do [ "${run%% *}" != "$name" ] || ordered+=("$run"); done
  done
  for run in "${runs[@]}"; do
    # LONGEST_FIRST spans lines: every blank becomes a space, so each name is matched whole.
    [[ " ${LONGEST_FIRST//[[:space:]]/ } " == *" ${run%% *} "* ]] || ordered+=("$run")
  done
  runs=("${ordered[@]}")
  for run in "${runs[@]}"; do
    read -r job distro <<<"$run"
    rm -f "$(log_of "$job" "$distro")" "$(log_of "$job" "$distro").status"
  done
  log "containers: ${#runs[@]} jobs (the demo and the molecule scenarios), $JOBS at a time"
  # The single quotes are meant: $0 and $1 are the job and release xargs hands to that bash.
  # shellcheck disable=SC2016
  printf '%s\n' "${runs[@]}" | xargs -P "$JOBS" -L1 bash -c '
    run_job "$0" "$1"
    read -r status seconds <"$(log_of "$0" "$1").status"
    printf "==> %s on %s: %s in %ss\n" "$0" "$1" \
      "$([ "$status" -eq 0 ] && echo passed || echo FAILED)" "$seconds" >&2'
  local log_file status seconds
  for run in "${runs[@]}"; do
    read -r job distro <<<"$run"
    log_file=$(log_of "$job" "$distro")
    read -r status seconds <"$log_file.status"
    echo "::group::$job on $distro (exit $status, ${seconds}s)"
    cat "$log_file"
    echo "::endgroup::"
    record "$([ "$job" = demo ] && echo demo || echo "molecule:$job")@$distro" "$status" \
      "$seconds" "$log_file"
  done
}

main() {
  local start=$SECONDS
  if ! "$WSGISTACK_ROOT/tools/bootstrap.sh"; then
    echo "set-up failed"; echo "summary: 0 passed, 1 failed"; exit 1
  fi
  local containers=()
  for stage in $STAGES; do
    case $stage in
      lint | unit) "stage_$stage" ;;
      demo | molecule) containers+=("$stage") ;;
      *) echo "unknown stage $stage (lint, unit, demo, molecule)"; record "stage:$stage" 1 ;;
    esac
  done
  [ ${#containers[@]} -eq 0 ] || stage_containers "${containers[@]}"
  echo
  echo "==== wsgistack.deploy test summary ($((SECONDS - start))s) ===="
  for name in "${PASSED[@]}"; do echo "  passed  $name"; done
  local i
  for i in "${!FAILED[@]}"; do
    echo "  FAILED  ${FAILED[$i]}"
    [ -z "${WHY[$i]}" ] || why "${WHY[$i]}"
  done
  echo "summary: ${#PASSED[@]} passed, ${#FAILED[@]} failed"
  [ ${#FAILED[@]} -eq 0 ]
}

main "$@"
