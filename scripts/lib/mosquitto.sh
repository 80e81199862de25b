# shellcheck shell=bash
# The private mosquitto broker `ems up` runs when EMS_MQTT_URL is not set: MQTT on
# 127.0.0.1:$EMS_MQTT_PORT, WebSockets on 127.0.0.1:$EMS_MQTT_WS_PORT, configuration generated
# from deploy/mosquitto/mosquitto.conf.in into $EMS_STATE_DIR/mosquitto (read while still root),
# persistence in $EMS_SERVER_DATA_DIR/mosquitto/data (written after the switch to the `mosquitto`
# user when run as root, so under /var/lib/ems/<id>, see common.sh). Needs common.sh.

EMS_MQTT_PORT="${EMS_MQTT_PORT:-1883}"
EMS_MQTT_WS_PORT="${EMS_MQTT_WS_PORT:-9001}"

ems_mqtt_paths() {
  EMS_MQTT_DIR="$EMS_STATE_DIR/mosquitto"
  EMS_MQTT_CONF="$EMS_MQTT_DIR/mosquitto.conf"
  EMS_MQTT_DATA="$EMS_SERVER_DATA_DIR/mosquitto/data"
  EMS_MQTT_PIDFILE="$EMS_PID_DIR/mosquitto.pid"
  EMS_MQTT_LOG="$EMS_LOG_DIR/mosquitto.log"
  EMS_MQTT_BIN="$(command -v mosquitto 2>/dev/null || echo /usr/sbin/mosquitto)"
}

ems_mqtt_write_config() {
  local user
  user="$(id -un)"
  # mosquitto refuses to keep running as root; it switches to the `mosquitto` user.
  if ems_is_root; then
    id mosquitto >/dev/null 2>&1 || ems_die "user mosquitto missing (package mosquitto)"
    user=mosquitto
  fi
  mkdir -p "$EMS_MQTT_DIR" "$EMS_MQTT_DATA"
  sed -e "s|@USER@|$user|" -e "s|@MQTT_PORT@|$EMS_MQTT_PORT|" \
    -e "s|@MQTT_WS_PORT@|$EMS_MQTT_WS_PORT|" -e "s|@DATA_DIR@|$EMS_MQTT_DATA|" \
    "$EMS_ROOT/deploy/mosquitto/mosquitto.conf.in" >"$EMS_MQTT_CONF"
  ems_is_root && chown -R mosquitto:mosquitto "$EMS_MQTT_DATA"
  chmod 700 "$EMS_MQTT_DATA"
}

ems_mqtt_start() {
  ems_mqtt_paths
  local pid port i
  if pid="$(ems_pid_alive "$EMS_MQTT_PIDFILE" "$EMS_MQTT_BIN")"; then
    ems_log "mosquitto: already running (pid $pid)"
    return 0
  fi
  [[ -x "$EMS_MQTT_BIN" ]] || ems_die "mosquitto not found (package mosquitto)"
  for port in "$EMS_MQTT_PORT" "$EMS_MQTT_WS_PORT"; do
    if ems_port_open "$port"; then
      ems_die "port $port is taken by another process (a system mosquitto? stop it with" \
        "'systemctl disable --now mosquitto'), or set EMS_MQTT_PORT/EMS_MQTT_WS_PORT or EMS_MQTT_URL"
    fi
  done
  ems_mqtt_write_config
  ems_log "mosquitto: starting on 127.0.0.1:$EMS_MQTT_PORT (mqtt) and :$EMS_MQTT_WS_PORT (websockets)"
  ems_spawn "$EMS_MQTT_PIDFILE" "$EMS_MQTT_LOG" "$EMS_MQTT_BIN" -c "$EMS_MQTT_CONF"
  for ((i = 0; i < 100; i++)); do
    if ems_port_open "$EMS_MQTT_PORT" && ems_port_open "$EMS_MQTT_WS_PORT"; then
      return 0
    fi
    ems_pid_alive "$EMS_MQTT_PIDFILE" "$EMS_MQTT_BIN" >/dev/null || break
    sleep 0.1
  done
  tail -n 20 "$EMS_MQTT_LOG" >&2 || true
  ems_die "mosquitto: did not come up (log $EMS_MQTT_LOG)"
}

ems_mqtt_stop() {
  ems_mqtt_paths
  ems_stop_pid mosquitto "$EMS_MQTT_PIDFILE" "$EMS_MQTT_BIN" 15
}

# Health of the broker the services use: subscribes to the broker's uptime ($SYS, retained) with
# a bounded wait. Works for the private broker and for EMS_MQTT_URL (host and port taken from it).
ems_mqtt_status() {
  local host="127.0.0.1" port="$EMS_MQTT_PORT"
  if [[ -n "${EMS_MQTT_URL:-}" ]]; then
    read -r host port < <(ems_url_host_port "$EMS_MQTT_URL" 1883)
  fi
  # shellcheck disable=SC2016 # $SYS is a topic name, not a variable.
  mosquitto_sub -h "$host" -p "$port" -t '$SYS/broker/uptime' -C 1 -W 2 >/dev/null 2>&1
}
