#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The whole test suite, as `ems test` and CI run it:
#   1. dependencies (Debian packages, npm ci of the test tools),
#   2. gcc build with tests and benchmarks,
#   3. ctest (unit and integration tests; integration tests start their own PostgreSQL and
#      mosquitto through tests/support, nothing needs to be running),
#   4. clang libFuzzer build and a bounded run of every fuzz target (EMS_FUZZ_SECONDS each).
# Ends with one summary line and exits non-zero when any step failed. Full logs are kept in
# $EMS_STATE_DIR/logs; the terminal shows step lines, failures and ctest's own summary.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/deps.sh
source "$EMS_ROOT/scripts/lib/deps.sh"
# shellcheck source=lib/build.sh
source "$EMS_ROOT/scripts/lib/build.sh"
# shellcheck source=lib/fuzz.sh
source "$EMS_ROOT/scripts/lib/fuzz.sh"
# shellcheck source=lib/hmi.sh
source "$EMS_ROOT/scripts/lib/hmi.sh"
ems_init_state
mkdir -p "$EMS_LOG_DIR"

EMS_TEST_TIMEOUT="${EMS_TEST_TIMEOUT:-900}"
results=()
failed=()
ctest_summary="ctest not run"
t0="$(ems_now)"

record() { # record <step> <ok|FAILED|skipped> <seconds> [detail]
  results+=("$(printf '%-10s %-8s %5ss  %s' "$1" "$2" "$3" "${4:-}")")
  [[ "$2" == FAILED ]] && failed+=("$1")
  return 0
}

# 1. dependencies
s="$(ems_now)"
ems_install_debs
# The HMI's tests (ctest hmi_*) need Node >= 20.19; say so up front, they fail loudly otherwise.
ems_hmi_check_node || true
ems_npm_ci_all tests hmi
record deps ok $(($(ems_now) - s))

# 2. gcc build
s="$(ems_now)"
if ems_build_main ON; then build_ok=1; else build_ok=0; fi
record build "$( ((build_ok)) && echo ok || echo FAILED)" $(($(ems_now) - s)) "log $EMS_LOG_DIR/build.log"

# 3. ctest: passing tests are left out of the terminal (they are in the log); failures print with
# their output, and ctest's summary line stays visible.
s="$(ems_now)"
if ((build_ok)); then
  ctest_log="$EMS_LOG_DIR/ctest.log"
  ems_log "ctest: running (log $ctest_log)"
  rm -f "$EMS_BUILD_DIR"/eval/*.txt
  rc=0
  ctest --test-dir "$EMS_BUILD_DIR" --output-on-failure -j "$EMS_JOBS" --no-tests=error \
    --timeout "$EMS_TEST_TIMEOUT" >"$ctest_log" 2>&1 || rc=$?
  grep -vE '^ *Start +[0-9]+: |^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed +[0-9.]+ sec$' \
    "$ctest_log" | cat -s || true
  # Evaluation figures the tests write (e.g. the analyst's chat evaluation), shown every run.
  for figure in "$EMS_BUILD_DIR"/eval/*.txt; do
    [[ -f "$figure" ]] && cat "$figure"
  done
  ctest_summary="$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$ctest_log" | tail -n 1)"
  [[ -n "$ctest_summary" ]] || ctest_summary="$(grep -m1 -iE 'no tests were found' "$ctest_log" || echo "ctest exit $rc")"
  record ctest "$( ((rc == 0)) && echo ok || echo FAILED)" $(($(ems_now) - s)) "$ctest_summary"
else
  record ctest skipped 0 "build failed"
fi

# 4. fuzz build and bounded runs
s="$(ems_now)"
if ems_build_fuzz; then
  record fuzz-build ok $(($(ems_now) - s)) "log $EMS_LOG_DIR/build-fuzz.log"
  s="$(ems_now)"
  mapfile -t targets < <(ems_fuzz_targets)
  bad=()
  for bin in "${targets[@]}"; do
    ems_fuzz_run_one "$bin" || bad+=("$(basename "$bin")")
  done
  if ((${#bad[@]})); then
    record fuzz FAILED $(($(ems_now) - s)) "${#targets[@]} targets x ${EMS_FUZZ_SECONDS}s; failing: ${bad[*]}"
  else
    record fuzz ok $(($(ems_now) - s)) "${#targets[@]} targets x ${EMS_FUZZ_SECONDS}s, no crash"
  fi
else
  record fuzz-build FAILED $(($(ems_now) - s)) "log $EMS_LOG_DIR/build-fuzz.log"
  record fuzz skipped 0 "fuzz build failed"
fi

echo
echo "== ems test summary =="
printf '%s\n' "${results[@]}"
total=$(($(ems_now) - t0))
if ((${#failed[@]})); then
  echo "ems test: FAILED (${failed[*]}) in ${total}s - $ctest_summary"
  exit 1
fi
echo "ems test: PASSED in ${total}s - $ctest_summary"
