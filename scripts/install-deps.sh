#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Installs everything the suite needs on Debian 12: the Debian packages listed in
# scripts/packages.txt (only the missing ones; needs root or sudo when something is missing) and
# the npm packages of every folder under tests/ and hmi/ that has a package-lock.json.
# Usage: scripts/install-deps.sh [--debs-only|--npm-only]
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/deps.sh
source "$EMS_ROOT/scripts/lib/deps.sh"

case "${1:-}" in
  --debs-only) ems_install_debs ;;
  --npm-only) ems_npm_ci_all ;;
  "")
    ems_install_debs
    ems_npm_ci_all
    ;;
  *) ems_die "usage: scripts/install-deps.sh [--debs-only|--npm-only]" ;;
esac
