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
# 5. every molecule scenario on every Debian release (create → converge →
#    idempotence → side effects → verify → destroy), two at a time; see
#    EVERY_RELEASE and LAST_RELEASE for the releases each runs on.
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
# The releases each scenario runs on. The stack scenarios run on every release: they deploy
# every role there (the venvs with that release's Python, Apache and mod_wsgi, nginx,
# PostgreSQL). python_build runs on the last release (trixie builds 3.11.2, a minor it does
# not ship) and shared_host_stack (seed 000's stack) builds CPython 3.13.5 on the first, so
# a CPython build runs once on each release. The other scenarios test what does not change
# with the release (a role's own options, bad inputs, check mode on a fresh host, the
# multi-host wiring): on the first release only. WSGISTACK_EVERY_RELEASE=all runs every
# scenario on every release.
EVERY_RELEASE=${WSGISTACK_EVERY_RELEASE-"apache_modwsgi_stack nginx_gunicorn_stack"}
LAST_RELEASE=${WSGISTACK_LAST_RELEASE-"python_build"}
# The pool starts the longest jobs first (measured on a 2-core machine), so that the
# last ones to end are short and both slots stay busy to the end; the others follow
# in name order.
LONGEST_FIRST="python_build shared_host_stack nginx_gunicorn_stack apache_modwsgi_stack multihost
  apache_modwsgi nginx_gunicorn check_mode demo"
LOGS=$WSGISTACK_ROOT/.cache/logs
declare -a PASSED=() FAILED=()

record() { # record NAME STATUS
  if [ "$2" -eq 0 ]; then PASSED+=("$1"); else FAILED+=("$1"); fi
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
  local runs=() stage scenario distro
  for stage in "$@"; do
    case $stage in
      demo) runs+=("demo ${WSGISTACK_DISTROS%% *}") ;;
      molecule)
        for scenario in $(scenarios); do
          if [ "$EVERY_RELEASE" = all ] || [[ " $EVERY_RELEASE " == *" $scenario "* ]]; then
            for distro in $WSGISTACK_DISTROS; do runs+=("$scenario $distro"); done
          elif [[ " $LAST_RELEASE " == *" $scenario "* ]]; then
            runs+=("$scenario ${WSGISTACK_DISTROS##* }")
          else
            runs+=("$scenario ${WSGISTACK_DISTROS%% *}")
          fi
        done ;;
    esac
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
  local job
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
    record "$([ "$job" = demo ] && echo demo || echo "molecule:$job")@$distro" "$status"
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
  for name in "${FAILED[@]}"; do echo "  FAILED  $name"; done
  echo "summary: ${#PASSED[@]} passed, ${#FAILED[@]} failed"
  [ ${#FAILED[@]} -eq 0 ]
}

main "$@"
