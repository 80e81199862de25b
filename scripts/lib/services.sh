# shellcheck shell=bash
# The suite's own services as `ems up` runs them: one binary per service at
# $EMS_BUILD_DIR/services/<name>/ems-<name>, started in a fixed order (device-api first: the others
# fetch the contract from it), each detached with its log in $EMS_LOG_DIR/<name>.log and its pid in
# $EMS_PID_DIR/<name>.pid, and considered up when GET /healthz on its port answers 2xx.
# Needs common.sh.

EMS_SERVICES=(device-api fixtures gateway historian line-controller analyst mcp hmi)
EMS_BUILD_DIR="${EMS_BUILD_DIR:-$EMS_ROOT/build}"
EMS_HEALTH_TIMEOUT="${EMS_HEALTH_TIMEOUT:-60}"

# Default ports (ARCHITECTURE.md); each is overridable by EMS_<NAME>_PORT.
ems_service_default_port() {
  case "$1" in
    device-api) echo 8400 ;;
    historian) echo 8410 ;;
    analyst) echo 8420 ;;
    mcp) echo 8430 ;;
    gateway) echo 8440 ;;
    line-controller) echo 8450 ;;
    fixtures) echo 8460 ;;
    hmi) echo 8480 ;;
    *) ems_die "unknown service $1" ;;
  esac
}

# device-api -> EMS_DEVICE_API
ems_service_var_prefix() {
  local upper="${1^^}"
  printf 'EMS_%s\n' "${upper//-/_}"
}

# Exports EMS_<NAME>_PORT and EMS_<NAME>_URL of every service, so each service finds the others.
ems_export_service_addresses() {
  local name prefix port_var url_var host_var
  for name in "${EMS_SERVICES[@]}"; do
    prefix="$(ems_service_var_prefix "$name")"
    port_var="${prefix}_PORT"
    url_var="${prefix}_URL"
    host_var="${prefix}_HOST"
    [[ -n "${!port_var:-}" ]] || printf -v "$port_var" '%s' "$(ems_service_default_port "$name")"
    [[ -n "${!url_var:-}" ]] || printf -v "$url_var" 'http://127.0.0.1:%s' "${!port_var}"
    # The demo suite listens on loopback only; set EMS_<NAME>_HOST=0.0.0.0 to expose a service.
    [[ -n "${!host_var:-}" ]] || printf -v "$host_var" '%s' 127.0.0.1
    # shellcheck disable=SC2163 # exporting the variables whose names are in *_var
    export "$port_var" "$url_var" "$host_var"
  done
}

# The browser runs the HMI from its own origin and calls device-api (and the other HTTP services)
# from there: unless EMS_CORS_ORIGINS is set, services allow the HMI's origins.
ems_export_cors() {
  local port
  port="$(ems_service_port hmi)"
  export EMS_CORS_ORIGINS="${EMS_CORS_ORIGINS:-http://127.0.0.1:$port,http://localhost:$port}"
}

ems_service_port() {
  local var
  var="$(ems_service_var_prefix "$1")_PORT"
  printf '%s\n' "${!var:-$(ems_service_default_port "$1")}"
}

ems_service_bin() { printf '%s/services/%s/ems-%s\n' "$EMS_BUILD_DIR" "$1" "$1"; }
ems_service_pidfile() { printf '%s/%s.pid\n' "$EMS_PID_DIR" "$1"; }

ems_service_healthy() {
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$(ems_service_port "$1")/healthz" 2>/dev/null
}

# Waits up to EMS_HEALTH_TIMEOUT seconds for /healthz; fails early when the process exits.
ems_service_wait_healthy() {
  local name="$1" bin pidfile deadline
  bin="$(ems_service_bin "$name")"
  pidfile="$(ems_service_pidfile "$name")"
  deadline=$(($(ems_now) + EMS_HEALTH_TIMEOUT))
  while (($(ems_now) < deadline)); do
    ems_service_healthy "$name" && return 0
    if ! ems_pid_alive "$pidfile" "$bin" >/dev/null; then
      ems_warn "$name exited during start; last lines of $EMS_LOG_DIR/$name.log:"
      tail -n 20 "$EMS_LOG_DIR/$name.log" >&2 || true
      return 1
    fi
    sleep 0.5
  done
  ems_warn "$name: no healthy /healthz within ${EMS_HEALTH_TIMEOUT}s (log $EMS_LOG_DIR/$name.log)"
  return 1
}

# Starts one service unless it runs already. Returns 0 when it is healthy, 2 when not built.
ems_service_start() {
  local name="$1" bin pidfile pid port
  bin="$(ems_service_bin "$name")"
  pidfile="$(ems_service_pidfile "$name")"
  [[ -x "$bin" ]] || return 2
  port="$(ems_service_port "$name")"
  if pid="$(ems_pid_alive "$pidfile" "$bin")" && [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == *" (deleted)" ]]; then
    ems_log "$name: binary rebuilt since it started, restarting"
    ems_stop_pid "$name" "$pidfile" "$bin" 20
  fi
  if pid="$(ems_pid_alive "$pidfile" "$bin")"; then
    ems_log "$name: already running (pid $pid)"
  else
    if ems_port_open "$port"; then
      ems_warn "$name: port $port is taken by another process; set $(ems_service_var_prefix "$name")_PORT"
      return 1
    fi
    ems_log "$name: starting on 127.0.0.1:$port"
    if [[ "$name" == device-api ]]; then
      local dtm="${BOOT_DTM_PATH:-$EMS_ROOT/deploy/demo/dtm.json}"
      if [[ -r "$dtm" ]]; then
        BOOT_DTM_PATH="$dtm" ems_spawn "$pidfile" "$EMS_LOG_DIR/$name.log" "$bin"
      else
        ems_warn "device-api: boot DTM $dtm not found; starting it with its stored topology only"
        ems_spawn "$pidfile" "$EMS_LOG_DIR/$name.log" "$bin"
      fi
    else
      ems_spawn "$pidfile" "$EMS_LOG_DIR/$name.log" "$bin"
    fi
  fi
  ems_service_wait_healthy "$name"
}

# Starts every built service in order. Prints nothing for services that are not built; the
# caller's table reports them. Returns non-zero when a built service did not come up.
ems_services_start() {
  local name rc failed=0
  for name in "${EMS_SERVICES[@]}"; do
    rc=0
    ems_service_start "$name" || rc=$?
    ((rc == 1)) && failed=1
  done
  return "$failed"
}

ems_services_stop() {
  local i name
  for ((i = ${#EMS_SERVICES[@]} - 1; i >= 0; i--)); do
    name="${EMS_SERVICES[i]}"
    ems_stop_pid "$name" "$(ems_service_pidfile "$name")" "$(ems_service_bin "$name")" 20
  done
}

# One word for a service's state: up, unhealthy, down or not-built.
ems_service_state() {
  local name="$1" bin
  bin="$(ems_service_bin "$name")"
  if ems_pid_alive "$(ems_service_pidfile "$name")" "$bin" >/dev/null; then
    if ems_service_healthy "$name"; then echo up; else echo unhealthy; fi
  elif [[ -x "$bin" ]]; then
    echo down
  else
    echo not-built
  fi
}
