# shellcheck shell=bash
# Shared by the launcher (./ems) and scripts/*.sh: repository paths, the state directory layout,
# logging, root/sudo handling and process helpers. Sourced, never executed.

EMS_ROOT="${EMS_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

# The state directory holds everything `ems up` creates at run time (logs, pid files, the API
# token, the database password; as an ordinary user also the database cluster and broker data).
# Relative values are taken from the repository root so that the launcher behaves the same from
# any working directory.
#
# EMS_SERVER_DATA_DIR is where the private PostgreSQL cluster and mosquitto's persistence live.
# As an ordinary user both servers run as that user, so it is the state directory itself. As root
# they run as the `postgres` and `mosquitto` users, which cannot reach a state directory inside a
# private folder (a clone under root's home, mode 700); it is then /var/lib/ems/<id>, where <id>
# is the first 16 hex digits of the SHA-256 of the state directory's canonical path: the same on
# every run, its own for each state directory, and removed by nothing but the user. The file
# `state-dir` in it names the state directory it belongs to.
EMS_SERVER_DATA_ROOT=/var/lib/ems

ems_init_state() {
  local dir="${EMS_STATE_DIR:-.state}"
  [[ "$dir" == /* ]] || dir="$EMS_ROOT/$dir"
  EMS_STATE_DIR="$dir"
  EMS_LOG_DIR="$EMS_STATE_DIR/logs"
  EMS_PID_DIR="$EMS_STATE_DIR/pids"
  if ems_is_root; then
    EMS_SERVER_DATA_DIR="$EMS_SERVER_DATA_ROOT/$(readlink -m "$EMS_STATE_DIR" | tr -d '\n' |
      sha256sum | cut -c1-16)"
  else
    EMS_SERVER_DATA_DIR="$EMS_STATE_DIR"
  fi
  export EMS_STATE_DIR
}

ems_make_state_dirs() {
  mkdir -p "$EMS_STATE_DIR" "$EMS_LOG_DIR" "$EMS_PID_DIR"
  [[ "$EMS_SERVER_DATA_DIR" == "$EMS_STATE_DIR" ]] && return 0
  local owner_file="$EMS_SERVER_DATA_DIR/state-dir" canonical
  canonical="$(readlink -m "$EMS_STATE_DIR")"
  install -d -m 755 "$EMS_SERVER_DATA_ROOT" "$EMS_SERVER_DATA_DIR"
  if [[ -s "$owner_file" && "$(cat "$owner_file")" != "$canonical" ]]; then
    ems_die "$EMS_SERVER_DATA_DIR belongs to the state directory $(cat "$owner_file"), not to" \
      "$canonical; move it away or remove it"
  fi
  printf '%s\n' "$canonical" >"$owner_file"
}

ems_log() { printf '[ems] %s\n' "$*" >&2; }
ems_warn() { printf '[ems] warning: %s\n' "$*" >&2; }
ems_die() {
  printf '[ems] error: %s\n' "$*" >&2
  exit 1
}

ems_is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Runs a command as root: directly when we are root, through sudo otherwise.
ems_as_root() {
  if ems_is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    ems_die "this step needs root: run as root or install sudo (command: $*)"
  fi
}

# Seconds since the epoch, for step timings.
ems_now() { date +%s; }

# True when something accepts TCP connections on 127.0.0.1:<port>.
ems_port_open() {
  local port="$1"
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null
}

# Prints the pid stored in <pidfile> when that process is alive and its executable is <exe>
# (guards against a stale pid file whose pid was reused by an unrelated process).
ems_pid_alive() {
  local pidfile="$1" exe="$2" pid actual
  [[ -r "$pidfile" ]] || return 1
  pid="$(cat "$pidfile" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  actual="$(readlink "/proc/$pid/exe" 2>/dev/null || true)"
  actual="${actual% (deleted)}"
  if [[ -n "$exe" && -n "$actual" && "$actual" != "$(readlink -f "$exe")" ]]; then
    return 1
  fi
  printf '%s\n' "$pid"
}

# Starts <command...> detached in its own session with output appended to <logfile>; the pid of
# the command itself (not of a wrapper) is written to <pidfile>.
ems_spawn() {
  local pidfile="$1" logfile="$2"
  shift 2
  # shellcheck disable=SC2016 # $$ and $@ expand in the child shell, on purpose.
  nohup setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" >>"$logfile" 2>&1 </dev/null &
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s "$pidfile" ]] && return 0
    sleep 0.1
  done
  ems_die "could not start $1 (no pid written to $pidfile)"
}

# Stops the process in <pidfile>: SIGTERM, up to <timeout> seconds of grace, then SIGKILL.
ems_stop_pid() {
  local name="$1" pidfile="$2" exe="$3" timeout="${4:-15}" pid i
  if ! pid="$(ems_pid_alive "$pidfile" "$exe")"; then
    rm -f "$pidfile"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    ems_warn "$name (pid $pid) ignored SIGTERM for ${timeout}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -f "$pidfile"
  ems_log "stopped $name (pid $pid)"
}

# Extracts "host port" from a URL like scheme://[user[:pw]@]host[:port][/path].
ems_url_host_port() {
  local url="$1" default_port="$2" rest hostport host port
  rest="${url#*://}"
  rest="${rest%%/*}"
  hostport="${rest##*@}"
  host="${hostport%%:*}"
  port="${hostport##*:}"
  [[ "$port" == "$hostport" ]] && port="$default_port"
  printf '%s %s\n' "${host:-127.0.0.1}" "$port"
}
