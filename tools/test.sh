#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine (run as root):
#   bash tools/test.sh
# 1. set-up (tools/bootstrap.sh): Debian packages, .venv, collections, images;
# 2. lint: yamllint, ansible-lint (production profile), ruff;
# 3. pytest: filter and app unit tests, collection build/install;
# 4. every molecule scenario on every Debian release (create → converge →
#    idempotence → side effects → verify → destroy), two at a time.
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
STAGES=${WSGISTACK_STAGES:-"lint unit molecule"}
JOBS=${WSGISTACK_JOBS:-2}
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

# One scenario on one release, logged to its own file (printed once it ends,
# so parallel runs do not interleave).
run_scenario() {
  local scenario=$1 distro=$2 log_file=$LOGS/molecule-$1-$2.log start
  start=$(date +%s)
  # Molecule keys its working directory on the scenario alone; the two releases
  # of one scenario may run at once, so each run gets its own.
  MOLECULE_DISTRO=$distro \
    MOLECULE_EPHEMERAL_DIRECTORY=$WSGISTACK_ROOT/.cache/molecule/$scenario-$distro \
    molecule test -s "$scenario" >"$log_file" 2>&1
  local status=$?
  echo "$status $(($(date +%s) - start))" >"$log_file.status"
  return "$status"
}
export -f run_scenario
export LOGS

stage_molecule() {
  mkdir -p "$LOGS"
  rm -f "$LOGS"/molecule-*.log "$LOGS"/molecule-*.status
  local runs=()
  for scenario in $(scenarios); do
    for distro in $WSGISTACK_DISTROS; do runs+=("$scenario $distro"); done
  done
  log "molecule: ${#runs[@]} scenario runs, $JOBS at a time"
  printf '%s\n' "${runs[@]}" | xargs -P "$JOBS" -L1 bash -c '
    run_scenario "$0" "$1"
    read -r status seconds <"$LOGS/molecule-$0-$1.log.status"
    printf "==> molecule %s on %s: %s in %ss\n" "$0" "$1" \
      "$([ "$status" -eq 0 ] && echo passed || echo FAILED)" "$seconds" >&2'
  for run in "${runs[@]}"; do
    set -- $run
    local log_file=$LOGS/molecule-$1-$2.log status seconds
    read -r status seconds <"$log_file.status"
    echo "::group::molecule $1 on $2 (exit $status, ${seconds}s)"
    cat "$log_file"
    echo "::endgroup::"
    record "molecule:$1@$2" "$status"
  done
}

main() {
  local start=$SECONDS
  if ! "$WSGISTACK_ROOT/tools/bootstrap.sh"; then
    echo "set-up failed"; echo "summary: 0 passed, 1 failed"; exit 1
  fi
  for stage in $STAGES; do "stage_$stage"; done
  echo
  echo "==== wsgistack.deploy test summary ($((SECONDS - start))s) ===="
  for name in "${PASSED[@]}"; do echo "  passed  $name"; done
  for name in "${FAILED[@]}"; do echo "  FAILED  $name"; done
  echo "summary: ${#PASSED[@]} passed, ${#FAILED[@]} failed"
  [ ${#FAILED[@]} -eq 0 ]
}

main "$@"
