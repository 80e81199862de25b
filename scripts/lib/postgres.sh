# shellcheck shell=bash
# The private PostgreSQL 15 cluster `ems up` runs when EMS_DATABASE_URL is not set: data in
# $EMS_SERVER_DATA_DIR/pg/data, unix socket in .../pg/run, log .../pg/postgres.log, TCP on
# 127.0.0.1:$EMS_PG_PORT, database `ems` owned by role `ems` with the password in
# $EMS_STATE_DIR/pg-password (scram-sha-256 over TCP; set again at every start, so the file is
# the truth even when it was removed and regenerated). PostgreSQL refuses to run as root, so as
# root every server command runs as the `postgres` user from `/` and the cluster folder, under
# /var/lib/ems/<id> (common.sh), belongs to it. Needs common.sh.

EMS_PG_PORT="${EMS_PG_PORT:-5433}"

ems_pg_bindir() {
  local dir
  for dir in "${EMS_PG_BINDIR:-}" /usr/lib/postgresql/15/bin; do
    [[ -n "$dir" && -x "$dir/pg_ctl" ]] && {
      printf '%s\n' "$dir"
      return 0
    }
  done
  dir="$(command -v pg_ctl 2>/dev/null)" || ems_die "PostgreSQL 15 server not found (package postgresql)"
  dirname "$(readlink -f "$dir")"
}

ems_pg_paths() {
  EMS_PG_DIR="$EMS_SERVER_DATA_DIR/pg"
  # As root, a cluster an earlier launcher created inside the state directory stays in use there.
  [[ -f "$EMS_STATE_DIR/pg/data/PG_VERSION" ]] && EMS_PG_DIR="$EMS_STATE_DIR/pg"
  EMS_PG_DATA="$EMS_PG_DIR/data"
  EMS_PG_SOCKET="$EMS_PG_DIR/run"
  EMS_PG_LOG="$EMS_PG_DIR/postgres.log"
  EMS_PG_PASSWORD_FILE="$EMS_STATE_DIR/pg-password"
}

# Runs a PostgreSQL server command as the cluster's owner. As root it runs as `postgres` from `/`:
# the caller's working directory may be one that user cannot enter.
ems_pg_as_owner() {
  if ems_is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

ems_pg_running() {
  ems_pg_paths
  [[ -f "$EMS_PG_DATA/PG_VERSION" ]] || return 1
  ems_pg_as_owner "$(ems_pg_bindir)/pg_ctl" status -D "$EMS_PG_DATA" >/dev/null 2>&1
}

ems_pg_url() {
  printf 'postgresql://ems:%s@127.0.0.1:%s/ems\n' "$(cat "$EMS_PG_PASSWORD_FILE")" "$EMS_PG_PORT"
}

ems_pg_init() {
  local bindir="$1" pwfile
  ems_log "postgres: creating the cluster in $EMS_PG_DATA"
  mkdir -p "$EMS_PG_DIR"
  pwfile="$EMS_PG_DIR/.pwfile"
  (umask 077 && cat "$EMS_PG_PASSWORD_FILE" >"$pwfile")
  if ems_is_root; then
    id postgres >/dev/null 2>&1 || ems_die "user postgres missing (package postgresql)"
    chown -R postgres:postgres "$EMS_PG_DIR"
  fi
  chmod 700 "$EMS_PG_DIR"
  if ems_is_root && ! ems_pg_as_owner test -w "$EMS_PG_DIR"; then
    ems_die "user postgres cannot reach $EMS_PG_DIR; every folder above it must be searchable by" \
      "others (chmod o+x)"
  fi
  if ! ems_pg_as_owner "$bindir/initdb" -D "$EMS_PG_DATA" -U ems --pwfile="$pwfile" -E UTF8 \
    --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 >"$EMS_STATE_DIR/logs/initdb.log" 2>&1; then
    rm -f "$pwfile"
    cat "$EMS_STATE_DIR/logs/initdb.log" >&2
    ems_die "postgres: initdb failed"
  fi
  rm -f "$pwfile"
}

ems_pg_start() {
  ems_pg_paths
  local bindir
  bindir="$(ems_pg_bindir)"
  if [[ ! -s "$EMS_PG_PASSWORD_FILE" ]]; then
    (umask 077 && openssl rand -hex 24 >"$EMS_PG_PASSWORD_FILE")
  fi
  if ems_pg_running; then
    ems_log "postgres: already running on 127.0.0.1:$EMS_PG_PORT"
  else
    [[ -f "$EMS_PG_DATA/PG_VERSION" ]] || ems_pg_init "$bindir"
    if ems_port_open "$EMS_PG_PORT"; then
      ems_die "port $EMS_PG_PORT is taken by another process; set EMS_PG_PORT or EMS_DATABASE_URL"
    fi
    mkdir -p "$EMS_PG_SOCKET"
    ems_is_root && chown postgres:postgres "$EMS_PG_SOCKET"
    ems_log "postgres: starting on 127.0.0.1:$EMS_PG_PORT (log $EMS_PG_LOG)"
    if ! ems_pg_as_owner "$bindir/pg_ctl" start -D "$EMS_PG_DATA" -l "$EMS_PG_LOG" -w -t 60 \
      -o "-p $EMS_PG_PORT -k $EMS_PG_SOCKET -c listen_addresses=127.0.0.1" >/dev/null; then
      tail -n 20 "$EMS_PG_LOG" >&2 || true
      ems_die "postgres: start failed"
    fi
  fi
  ems_pg_prepare_db
}

# Over the unix socket (trusted): creates database `ems` when missing and sets role `ems`'s
# password from $EMS_PG_PASSWORD_FILE (through stdin, so it never shows in a process list).
ems_pg_prepare_db() {
  local psql=(psql -X -q -h "$EMS_PG_SOCKET" -p "$EMS_PG_PORT" -U ems -d postgres -v ON_ERROR_STOP=1)
  local password
  if [[ "$(ems_pg_as_owner "${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'ems'")" != 1 ]]; then
    ems_pg_as_owner "${psql[@]}" -c 'CREATE DATABASE ems OWNER ems' >/dev/null ||
      ems_die "postgres: could not create database ems"
    ems_log "postgres: created database ems"
  fi
  password="$(cat "$EMS_PG_PASSWORD_FILE")"
  printf "ALTER ROLE ems PASSWORD '%s';\n" "${password//\'/\'\'}" |
    ems_pg_as_owner "${psql[@]}" -f - >/dev/null ||
    ems_die "postgres: could not set the password of role ems"
}

ems_pg_stop() {
  ems_pg_paths
  [[ -f "$EMS_PG_DATA/PG_VERSION" ]] || return 0
  if ems_pg_running; then
    ems_pg_as_owner "$(ems_pg_bindir)/pg_ctl" stop -D "$EMS_PG_DATA" -m fast -w -t 60 >/dev/null ||
      ems_die "postgres: stop failed"
    ems_log "stopped postgres"
  fi
}

# Health of the database the services use: the private cluster or EMS_DATABASE_URL.
ems_pg_status() {
  local url="${EMS_DATABASE_URL:-}"
  if [[ -z "$url" ]]; then
    ems_pg_paths
    [[ -f "$EMS_PG_DATA/PG_VERSION" ]] || return 1
    pg_isready -q -h 127.0.0.1 -p "$EMS_PG_PORT" -t 3
  else
    pg_isready -q -d "$url" -t 3
  fi
}
