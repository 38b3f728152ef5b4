#!/usr/bin/env bash
# Runs the whole argus system on this machine, in the foreground:
#   a private PostgreSQL cluster (Unix socket only) under $ARGUS_DATA_DIR/pg,
#   database argus migrated and seeded with the demo dataset (only when empty),
#   argus-monitor with the simulated board, argus-server on 127.0.0.1:$ARGUS_HTTP_PORT.
# Installs what a fresh Debian machine lacks. A crashed monitor or server is
# restarted after a second, as systemd would. Ctrl-C or SIGTERM stops everything.
# $ARGUS_DATA_DIR/dev.env holds the settings other terminals need (source it).
#
#   ARGUS_DATA_DIR   where the cluster, sockets, state and secrets live (default ./var)
#   ARGUS_HTTP_PORT  REST API port (default 8080)
#   ARGUS_LIVE_PORT  Socket.IO port (default 8081)
#   ARGUS_MQTT_DEV_PORT  the private mosquitto's port (default 1883)
#   ARGUS_REDIS_DEV_PORT the private Redis's port for telemetry (default 6380)
#   ARGUS_DEV_NOTIFY=1  also a fake GSM modem and a local SMTP server, with the
#                    demo's notifications pointed at them (see notify_dev below)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh

data_dir=$(realpath -m "${ARGUS_DATA_DIR:-./var}")
http_port=${ARGUS_HTTP_PORT:-8080}
live_port=${ARGUS_LIVE_PORT:-8081}

ensure_packages
mkdir -p "$data_dir/run" "$data_dir/state"
chmod 755 "$data_dir"

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pg_stop
  log "stopped"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "building (cargo build --bins)"
cargo build --quiet --bins
bin=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug

pg_start "$data_dir/pg" dev

# Secrets: generated once per data directory, never printed.
if [ ! -s "$data_dir/secrets.env" ]; then
  umask 077
  printf 'SECRET=%s\nSALT=%s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" \
    "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" >"$data_dir/secrets.env"
  umask 022
fi
# Added later than the first two: appended to existing files too.
if ! grep -q '^MCP_SECRET=' "$data_dir/secrets.env"; then
  printf 'MCP_SECRET=%s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >>"$data_dir/secrets.env"
fi
set -a
# shellcheck disable=SC1091
source "$data_dir/secrets.env"
set +a

export DB_USER=argus DB_SCHEMA=argus
unset DATABASE_URL
"$bin/manage" init-db
"$bin/manage" migrate
"$bin/manage" seed demo --if-empty

export MONITOR_INPUT_SOCKET="$data_dir/run/argus_monitor.sock"
export USE_SIMULATOR=true BOARD_VERSION=3 INPUT_NUMBER=15 OUTPUT_NUMBER=8
export ARGUS_LIVE_BIND="127.0.0.1:$live_port" ARGUS_STATE_DIR="$data_dir/state"
export ARGUS_BIND="127.0.0.1:$http_port"
# Development never touches the machine's SSH keys or certificates.
export ARGUS_AUTHORIZED_KEYS="$data_dir/ssh/authorized_keys" ARGUS_PUBLIC_CERT="$data_dir/certs/fullchain.pem"

# On request, somewhere for notifications to go: the fake SIM900 modem of the
# tests on a pseudo-terminal (its SMS and calls in $data_dir/modem.log; write
# {"incoming": {"number": "+36301112222", "text": "1234 STATUS"}} to
# $data_dir/run/modem.ctl to text the alarm) and aiosmtpd on 127.0.0.1:2525
# (mail in $data_dir/mail.log). Sections already saved are left alone.
notify_dev() {
  local venv=tests/.venv ctl="$data_dir/run/modem.ctl"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/py-requirements.txt
  rm -f "$ctl" && mkfifo "$ctl"
  # Held open read-write, so the modem never sees the end of its control input.
  exec 3<>"$ctl"
  python3 tests/modem/fake_modem.py --link "$data_dir/run/modem" <&3 >"$data_dir/modem.log" &
  pids+=($!)
  for _ in $(seq 1 50); do [ -e "$data_dir/run/modem" ] && break; sleep 0.1; done
  "$venv/bin/python" tests/smtp/sink.py --port 2525 >"$data_dir/mail.log" &
  pids+=($!)
  export GSM_PORT="$data_dir/run/modem" ARGUS_SMS_POLL_MS=2000
  local subs='{"sms1": {"alert_started": true, "alert_stopped": true, "power_outage_started": true, "power_outage_stopped": true}, "email1": {"alert_started": true, "alert_stopped": true}}'
  psql -q -d argus -v ON_ERROR_STOP=1 <<SQL
INSERT INTO option (name, section, value)
SELECT n, s, v FROM (VALUES
  ('notifications', 'gsm', '{"enabled": true, "phone_number_1": "+36301112222"}'),
  ('notifications', 'smtp', '{"enabled": true, "smtp_hostname": "127.0.0.1", "smtp_port": 2525, "email_address_1": "owner@example.org"}'),
  ('notifications', 'subscriptions', '$subs'),
  ('system', 'location', '{"name": "Demo house"}')
) AS d(n, s, v)
WHERE NOT EXISTS (SELECT 1 FROM option o WHERE o.name = d.n AND o.section = d.s);
SQL
}
if [ "${ARGUS_DEV_NOTIFY:-0}" = 1 ]; then
  log "starting the fake modem and the SMTP server (ARGUS_DEV_NOTIFY=1)"
  notify_dev
fi

# A private mosquitto for the internal broker (user argus, the generated
# ARGUS_MQTT_PASSWORD) on 127.0.0.1:$ARGUS_MQTT_DEV_PORT, when it is installed
# or installable; without it argus runs without MQTT.
mqtt_port=${ARGUS_MQTT_DEV_PORT:-1883}
mqtt_dev() {
  command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || {
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends mosquitto >/dev/null 2>&1 || true
  }
  [ -x /usr/sbin/mosquitto ] || { log "mosquitto is not installable here: running without MQTT"; return; }
  mkdir -p "$data_dir/mqtt"
  if ! grep -q '^ARGUS_MQTT_PASSWORD=.' "$data_dir/secrets.env"; then
    sed -i '/^ARGUS_MQTT_PASSWORD=/d' "$data_dir/secrets.env"
    printf 'ARGUS_MQTT_PASSWORD=%s\n' "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" >>"$data_dir/secrets.env"
  fi
  ARGUS_MQTT_PASSWORD=$(sed -n 's/^ARGUS_MQTT_PASSWORD=//p' "$data_dir/secrets.env")
  rm -f "$data_dir/mqtt/passwd" && touch "$data_dir/mqtt/passwd" && chmod 600 "$data_dir/mqtt/passwd"
  mosquitto_passwd -b "$data_dir/mqtt/passwd" argus "$ARGUS_MQTT_PASSWORD"
  # Started as root, mosquitto drops to its own user, which must read the file.
  if [ "$(id -u)" = 0 ] && id mosquitto >/dev/null 2>&1; then chown mosquitto "$data_dir/mqtt/passwd"; fi
  cat >"$data_dir/mqtt/mosquitto.conf" <<CONF
listener $mqtt_port 127.0.0.1
allow_anonymous false
password_file $data_dir/mqtt/passwd
persistence false
# Without it mosquitto's small writes wait for the peer's delayed ACK: 40 ms per reading.
set_tcp_nodelay true
CONF
  /usr/sbin/mosquitto -c "$data_dir/mqtt/mosquitto.conf" >"$data_dir/mqtt/mosquitto.log" 2>&1 &
  pids+=($!)
  export ARGUS_MQTT_HOST=127.0.0.1 ARGUS_MQTT_PORT="$mqtt_port" ARGUS_MQTT_TLS=false ARGUS_MQTT_PASSWORD
  mqtt_up=1
}
mqtt_up=0
mqtt_dev

# A private Redis for telemetry (sensorhub's channel sensor_stream) on
# 127.0.0.1:$ARGUS_REDIS_DEV_PORT, when installed or installable, with
# telemetry/redis pointed at it unless that section is already saved.
redis_port=${ARGUS_REDIS_DEV_PORT:-6380}
redis_dev() {
  command -v redis-server >/dev/null 2>&1 || {
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends redis-server >/dev/null 2>&1 || true
  }
  command -v redis-server >/dev/null 2>&1 || { log "Redis is not installable here: running without it"; return; }
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$data_dir/redis.log" 2>&1 &
  pids+=($!)
  psql -q -d argus -v ON_ERROR_STOP=1 <<SQL
INSERT INTO option (name, section, value)
SELECT 'telemetry', 'redis', '{"enabled": true, "url": "redis://127.0.0.1:$redis_port", "channel": "sensor_stream"}'
WHERE NOT EXISTS (SELECT 1 FROM option WHERE name = 'telemetry' AND section = 'redis');
SQL
  redis_up=1
}
redis_up=0
redis_dev

# Restarts a process that exits, as systemd's Restart=always would, until
# this script stops it (SIGTERM to the supervisor stops its child first).
supervise() {
  local name=$1 child
  trap 'kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM
  while true; do
    "$bin/$name" &
    child=$!
    wait "$child" && rc=0 || rc=$?
    log "$name exited (status $rc); restarting it in 1 s"
    sleep 1
  done
}
supervise argus-monitor &
pids+=($!)
supervise argus-server &
pids+=($!)

# What another terminal needs for argus-sim, manage and psql.
cat >"$data_dir/dev.env" <<ENV
export ARGUS_DATA_DIR="$data_dir"
export MONITOR_INPUT_SOCKET="$MONITOR_INPUT_SOCKET"
export PGHOST="$PGHOST" PGPORT="$PGPORT" DB_USER=argus DB_SCHEMA=argus
export PATH="$bin:\$PATH"
export API="http://127.0.0.1:$http_port"
ENV

api="http://127.0.0.1:$http_port"
for _ in $(seq 1 150); do
  if curl -fsS "$api/api/health" >/dev/null 2>&1; then break; fi
  sleep 0.2
done
curl -fsS "$api/api/health" >/dev/null 2>&1 || die "the system did not become healthy"

cat <<TXT

  argus is running (data in $data_dir)
    REST API      $api/api/version   $api/api/health   $api/api/openapi.json
    Socket.IO     http://127.0.0.1:$live_port/socket.io/  (?token=<device token>)
    IPC socket    $MONITOR_INPUT_SOCKET  (argus-sim input CH03 active)
    PostgreSQL    psql -h $PGHOST -U argus argus
    Demo login    registration code ABCD1234, PIN 1234 (Administrator); PIN 1111 (Chuck Norris)

  In another terminal:  source $data_dir/dev.env   (then argus-sim, manage, psql, \$API)
TXT
if [ "$mqtt_up" = 1 ]; then
  cat <<TXT
  MQTT          mosquitto on 127.0.0.1:$mqtt_port, user argus, password in $data_dir/secrets.env
                Home Assistant: MQTT integration, broker 127.0.0.1:$mqtt_port, user argus
TXT
fi
if [ "$redis_up" = 1 ]; then
  cat <<TXT
  Telemetry     Redis on 127.0.0.1:$redis_port, channel sensor_stream; or: argus-sim reading cellar 2.5 --unit °C
                readings: curl -H "Authorization: Bearer <user token>" \$API/api/telemetry/latest
TXT
fi
if [ "${ARGUS_DEV_NOTIFY:-0}" = 1 ]; then
  cat <<TXT
  Notifications  SMS and calls: tail -f $data_dir/modem.log    e-mail: tail -f $data_dir/mail.log
                 text the alarm: echo '{"incoming": {"number": "+36301112222", "text": "1234 STATUS"}}' > $data_dir/run/modem.ctl
TXT
fi
cat <<TXT
  A crashed monitor or server is restarted (try: pkill -9 argus-monitor). Ctrl-C stops everything.

TXT

# Stay in the foreground until Ctrl-C or SIGTERM.
wait "${pids[@]}" || true
