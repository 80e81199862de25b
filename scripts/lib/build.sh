# shellcheck shell=bash
# CMake + Ninja builds of the suite. Full output goes to a log file in $EMS_LOG_DIR; the terminal
# gets one line per step, and on failure the compiler errors. Needs common.sh.

EMS_BUILD_DIR="${EMS_BUILD_DIR:-$EMS_ROOT/build}"
EMS_FUZZ_BUILD_DIR="${EMS_FUZZ_BUILD_DIR:-$EMS_ROOT/build-fuzz}"
EMS_JOBS="${EMS_JOBS:-2}"

# Prints what matters from a failed build log: each failed command with the errors below it.
ems_print_build_errors() {
  local log="$1"
  if grep -q '^FAILED:' "$log"; then
    grep -A 40 '^FAILED:' "$log" | head -n 200 >&2
  else
    tail -n 60 "$log" >&2
  fi
}

# ems_cmake_build <label> <build dir> <log> [cmake args...]: configure (every time: the tree is
# globbed at configure time, so new folders are picked up) and build with ninja; EMS_BUILD_TARGETS
# (space-separated ninja targets) limits what is built.
ems_cmake_build() {
  local label="$1" dir="$2" log="$3" start
  shift 3
  start="$(ems_now)"
  mkdir -p "$(dirname "$log")"
  : >"$log"
  ems_log "build ($label): configuring $dir"
  if ! cmake -S "$EMS_ROOT" -B "$dir" -G Ninja "$@" >>"$log" 2>&1; then
    ems_print_build_errors "$log"
    ems_log "build ($label): cmake failed (full log $log)"
    return 1
  fi
  ems_log "build ($label): ninja -j$EMS_JOBS"
  local rc=0 targets=()
  [[ -n "${EMS_BUILD_TARGETS:-}" ]] && read -ra targets <<<"$EMS_BUILD_TARGETS"
  if [[ "${EMS_VERBOSE:-0}" == 1 ]]; then
    { ninja -C "$dir" -j "$EMS_JOBS" "${targets[@]}" 2>&1 | tee -a "$log"; } || rc=$?
  else
    ninja -C "$dir" -j "$EMS_JOBS" "${targets[@]}" >>"$log" 2>&1 || rc=$?
  fi
  if ((rc != 0)); then
    ems_print_build_errors "$log"
    ems_log "build ($label): FAILED after $(($(ems_now) - start))s (full log $log)"
    return 1
  fi
  ems_log "build ($label): ok in $(($(ems_now) - start))s (log $log)"
}

# The gcc build used by `ems up` (services only) and `ems test` (with tests and benchmarks).
ems_build_main() {
  local with_tests="$1"
  ems_cmake_build gcc "$EMS_BUILD_DIR" "$EMS_LOG_DIR/build.log" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMS_BUILD_TESTS="$with_tests" \
    -DEMS_BUILD_BENCH="$with_tests" -DEMS_BUILD_SERVICES=ON
}

# The clang build of the libFuzzer targets (fuzz/fuzz_*.cpp) with ASan and UBSan. Only fuzz/ and
# the libraries its targets link are built, not every library.
ems_build_fuzz() {
  EMS_BUILD_TARGETS=fuzz/all CC=clang CXX=clang++ ems_cmake_build fuzz "$EMS_FUZZ_BUILD_DIR" "$EMS_LOG_DIR/build-fuzz.log" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMS_BUILD_FUZZ=ON -DEMS_BUILD_TESTS=OFF \
    -DEMS_BUILD_BENCH=OFF -DEMS_BUILD_SERVICES=OFF
}
