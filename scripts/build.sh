#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Builds the suite. Usage: scripts/build.sh [--services|--fuzz]
#   (none)      gcc build in $EMS_BUILD_DIR (default build/) with services, tests and benchmarks
#   --services  gcc build without tests and benchmarks (what `ems up` needs)
#   --fuzz      clang libFuzzer build in $EMS_FUZZ_BUILD_DIR (default build-fuzz/)
# Full output: $EMS_STATE_DIR/logs/build*.log; EMS_VERBOSE=1 also streams it. EMS_JOBS (default 2).
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/build.sh
source "$EMS_ROOT/scripts/lib/build.sh"
ems_init_state
mkdir -p "$EMS_LOG_DIR"

case "${1:-}" in
  "") ems_build_main ON ;;
  --services) ems_build_main OFF ;;
  --fuzz) ems_build_fuzz ;;
  *) ems_die "usage: scripts/build.sh [--services|--fuzz]" ;;
esac
