# shellcheck shell=bash
# Shared by the stages of tools/test (tools/stages/<stage>): sourced, not run. Creates .venv with the
# pinned test tools (again only when the pins change), a work directory removed on exit, real
# python3.X interpreters on PATH, and the helpers every stage uses. A stage ends with
# `stage_done "<what ran>"`, which records its line of the summary that tools/test prints.
set -euo pipefail
shopt -s inherit_errexit
# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

export STAGE_NAME
STAGE_NAME="$(basename "$0")"
STAGE_T0=$SECONDS
ensure_venv "$ROOT/requirements/test.txt"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/wolkvox-$STAGE_NAME.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export ANSIBLE_LOCAL_TEMP="$WORK/ansible-tmp" ANSIBLE_HOME="$WORK/ansible-home"
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"
PYDIR="$WORK/pythons"
link_pythons "$PYDIR" > /dev/null
export PATH="$PYDIR:$PATH"
offline_get_pip

fail() { echo "FAILED: $*" >&2; exit 1; }

# The line of this stage in the summary of tools/test (WOLKVOX_SUMMARY: the file it reads).
stage_done() {
  local line
  line="$(printf '%-12s ok  %4ss  %s' "$STAGE_NAME" $((SECONDS - STAGE_T0)) "${1:-}")"
  echo "$line" >&2
  if [ -n "${WOLKVOX_SUMMARY:-}" ]; then echo "$line" >> "$WOLKVOX_SUMMARY"; fi
}

# The collection staged where ansible-test wants it (outside the repository); sets COLL.
stage_here() {
  COLL="$(stage_collection "$WORK/stage")"
  export COLLECTIONS_ROOT="$WORK/stage"
}

# The ansible-core version of the active venv.
core_version() { python -c 'from ansible.release import __version__; print(__version__)'; }

# ansible-test prints this and exits 0 when it finds nothing to test: treat it as a failure.
no_silent_skip() { if grep -q "All targets skipped" "$1"; then fail "ansible-test skipped every target ($1)"; fi; }

# Run an ansible-test command in the staged collection: output live (minus pip's noise) and in LOG.
ansible_test() {
  local log="$1"; shift
  { (cd "$COLL" && ansible-test "$@" --color no 2>&1) || echo "ansible-test exited with status $?"; } \
    | tee "$log" | grep --line-buffered -vE "^WARNING: Location 'file://" >&2 || true
  if grep -q "^ansible-test exited with status" "$log"; then fail "ansible-test $* (see above)"; fi
  no_silent_skip "$log"
}

# sanity LOG [PYTHON]: every expected Python (or only PYTHON) was compiled and imported, and no
# ignore file has entries. Sets COVERED to the Pythons checked.
run_sanity() {
  local log="$1" py test
  COVERED="${2:-$(expected_pythons "$PYDIR")}"
  [ -n "$COVERED" ] || fail "no Python that ansible-core $(core_version) supports was found"
  if cat "$COLL"/tests/sanity/ignore-*.txt 2>/dev/null | grep -q .; then
    fail "sanity ignore files must be empty: fix the finding instead"
  fi
  # shellcheck disable=SC2086 # one word per Python
  ansible_test "$log" sanity --venv ${2:+--python "$2"}
  for py in $COVERED; do
    for test in compile import; do
      grep -q "Running sanity test \"$test\" on Python $py\$" "$log" || fail "sanity $test did not run on Python $py"
    done
  done
  grep -q 'Running sanity test "validate-modules"' "$log" || fail "validate-modules did not run"
}

# units LOG PYTHONS: unit tests ran and passed on each of PYTHONS (one ansible-test run each).
# Sets COVERED.
run_units() {
  local log="$1" py
  COVERED="$2"
  : > "$log"
  for py in $COVERED; do
    ansible_test "$log.$py" units --venv --python "$py"
    cat "$log.$py" >> "$log"
  done
  grep -qE "[0-9]+ passed" "$log" || fail "no unit test passed"
  if grep -qE "[0-9]+ (failed|errors?)[ ,]" "$log"; then fail "unit tests failed"; fi
  for py in $COVERED; do
    grep -qE "Unit test [a-z_]+ with Python $py\$" "$log" || fail "units did not run on Python $py"
  done
}

# run_pytest LOG ARGS...: the e2e suite's pytest (tests/e2e/pytest.ini) with the collection given by
# WOLKVOX_COLLECTIONS_PATH; fails unless tests ran and passed.
run_pytest() {
  local log="$1"; shift
  python -m pytest -c "$ROOT/tests/e2e/pytest.ini" "$@" 2>&1 | tee "$log" || fail "pytest $* (see above)"
  grep -qE "^=+ [0-9]+ passed" "$log" || fail "no test passed ($log)"
}
