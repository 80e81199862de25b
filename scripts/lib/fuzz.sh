# shellcheck shell=bash
# Bounded libFuzzer runs of every fuzz_* binary of the fuzz build. Each target runs for
# EMS_FUZZ_SECONDS (default 30) on a fresh corpus in a temporary folder, seeded read-only from
# fuzz/corpus/<target>/ and using fuzz/<target>.dict when those exist. A crash, leak, sanitizer
# report or timeout fails the run; the reproducer is kept in $EMS_LOG_DIR/fuzz/. Needs common.sh.

EMS_FUZZ_SECONDS="${EMS_FUZZ_SECONDS:-30}"
EMS_FUZZ_BUILD_DIR="${EMS_FUZZ_BUILD_DIR:-$EMS_ROOT/build-fuzz}"

# Lists the fuzz binaries, one path per line.
ems_fuzz_targets() {
  [[ -d "$EMS_FUZZ_BUILD_DIR/fuzz" ]] || return 0
  find "$EMS_FUZZ_BUILD_DIR/fuzz" -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x | sort
}

# ems_fuzz_run_one <binary>: returns non-zero when the fuzzer found a problem.
ems_fuzz_run_one() {
  local bin="$1" name work log args rc=0
  name="$(basename "$bin")"
  work="$(mktemp -d "${TMPDIR:-/tmp}/ems-fuzz-$name.XXXXXX")"
  mkdir -p "$work/corpus" "$EMS_LOG_DIR/fuzz"
  log="$EMS_LOG_DIR/fuzz/$name.log"
  args=(-max_total_time="$EMS_FUZZ_SECONDS" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$EMS_LOG_DIR/fuzz/$name-")
  [[ -r "$EMS_ROOT/fuzz/$name.dict" ]] && args+=(-dict="$EMS_ROOT/fuzz/$name.dict")
  args+=("$work/corpus")
  [[ -d "$EMS_ROOT/fuzz/corpus/$name" ]] && args+=("$EMS_ROOT/fuzz/corpus/$name")
  # The outer timeout bounds a fuzzer that stops honouring -max_total_time (e.g. a hang in a
  # sanitizer report); 120 s is generous for start-up and corpus loading.
  timeout -k 10 $((EMS_FUZZ_SECONDS + 120)) "$bin" "${args[@]}" >"$log" 2>&1 || rc=$?
  local runs
  runs="$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)"
  rm -rf "$work"
  if ((rc != 0)); then
    ems_log "fuzz: $name FAILED (exit $rc); log $log; report:"
    # The sanitizer or libFuzzer report (stack, input, artifact path), else the end of the log.
    if grep -qE '^==[0-9]+== ?ERROR' "$log"; then
      sed -n '/^==[0-9]*== \{0,1\}ERROR/,$p' "$log" | grep -v '^stat::' | head -n 60 >&2
    else
      tail -n 30 "$log" >&2
    fi
    return 1
  fi
  ems_log "fuzz: $name ok (${runs:-?} runs in ${EMS_FUZZ_SECONDS}s)"
}
