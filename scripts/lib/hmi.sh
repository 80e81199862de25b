# shellcheck shell=bash
# The HMI's bundle as `ems up` builds it: Node.js new enough for Vite (checked first, with a clear
# message), `npm ci` (deps.sh, keyed by the lock file), then `npm run build` into hmi/dist only
# when the sources changed since the last build (a hash of hmi/src, index.html, the configs and
# the lock file, kept in hmi/dist/.ems-build.sha256). ems-hmi serves hmi/dist. Needs common.sh.

EMS_HMI_DIR="$EMS_ROOT/hmi"
EMS_HMI_NODE_MIN="20.19.0" # vite 8 (and vitest 4) need Node 20.19+ or 22.12+

# Returns 0 when node is at least EMS_HMI_NODE_MIN; else says what is there and what is needed.
ems_hmi_check_node() {
  local have
  if ! command -v node >/dev/null 2>&1; then
    ems_warn "hmi: node not found; the HMI needs Node.js >= $EMS_HMI_NODE_MIN (and npm): install it (e.g. from NodeSource) and run ./ems up again"
    return 1
  fi
  have="$(node -p 'process.versions.node' 2>/dev/null || echo 0)"
  if [[ "$(printf '%s\n%s\n' "$EMS_HMI_NODE_MIN" "$have" | sort -V | head -n1)" != "$EMS_HMI_NODE_MIN" ]]; then
    ems_warn "hmi: Node.js $have is too old; the HMI's build (Vite 8) needs Node.js >= $EMS_HMI_NODE_MIN (Debian 12's nodejs is 18: install Node 20 LTS or 22, e.g. from NodeSource)"
    return 1
  fi
}

ems_hmi_sources_hash() {
  (
    cd "$EMS_HMI_DIR" &&
      find src index.html package.json package-lock.json vite.config.ts tsconfig.json -type f -print0 2>/dev/null |
      sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
  )
}

# Builds hmi/dist when the sources changed (or it is missing). Returns non-zero on failure, with
# the build's output in $EMS_LOG_DIR/hmi-build.log.
ems_hmi_build() {
  [[ -f "$EMS_HMI_DIR/package.json" ]] || return 0
  ems_hmi_check_node || return 1
  local stamp="$EMS_HMI_DIR/dist/.ems-build.sha256" sum log="$EMS_LOG_DIR/hmi-build.log"
  sum="$(ems_hmi_sources_hash)"
  if [[ -r "$stamp" && "$(cat "$stamp")" == "$sum" && -f "$EMS_HMI_DIR/dist/index.html" ]]; then
    ems_log "hmi: bundle up to date"
    return 0
  fi
  ems_log "hmi: building the bundle (npm run build, log $log)"
  mkdir -p "$EMS_LOG_DIR"
  if ! (cd "$EMS_HMI_DIR" && npm run build) >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    ems_warn "hmi: bundle build failed (full log $log)"
    return 1
  fi
  printf '%s\n' "$sum" >"$stamp"
}
