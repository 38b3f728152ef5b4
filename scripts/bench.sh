#!/usr/bin/env bash
# Benchmarks (not tests) for docs/BENCHMARKS.md. Release build, private
# PostgreSQL cluster, demo data, simulated board; everything on loopback.
#   engine decision latency (in process), sensor change -> Socket.IO event
#   latency at a real client, monitor and server RSS at idle, REST throughput
#   and latency with wrk (100 000 stored arm sessions), REST latency while 50
#   wrong PINs are being checked, server RSS after the load, alert -> SMS
#   at the fake modem and alert -> webhook received, sensor change -> MQTT
#   state at a subscriber, node event intake at concurrency 20, telemetry
#   readings per second into PostgreSQL from Redis and MQTT and their latency.
# BENCH_RUNS (default 3) sets how many 10-second wrk runs each endpoint gets;
# BENCH_ALERTS (default 200) how many alerts the notification benchmark raises;
# BENCH_CHANGES (default 500) how many trips and resets the MQTT one makes;
# BENCH_ONLY (e.g. "nodes rest") runs only those sections of: engine live rest
# nodes pins notify mqtt telemetry. BENCH_READINGS (default 200 000) sets how
# many readings each telemetry source publishes.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh
ensure_packages bench
(cd tests/sio && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

log "building (release)"
cargo build --release --quiet --bins
cargo build --release --quiet -p argus-monitor --example engine_latency
bin=target/release
# want SECTION: whether BENCH_ONLY asks for it (all when unset).
want() { [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" $1 "* ]]; }

work=$(mktemp -d /tmp/argus-bench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pg_stop
  rm -rf "$work"
}
trap cleanup EXIT
pg_start "$work/pg" test
export DATABASE_URL="postgresql:///argus_bench"
"$bin/manage" init-db >/dev/null
"$bin/manage" migrate >/dev/null
"$bin/manage" seed demo --if-empty >/dev/null
log "storing 100 000 arm sessions (3 sensors each, an alert every 50th)"
psql -q -d argus_bench -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO arm (type, time, user_id)
SELECT (CASE WHEN g % 2 = 0 THEN 'AWAY' ELSE 'STAY' END)::armstates,
       now() - g * interval '1 hour', 1 + g % 2
FROM generate_series(1, 100000) g;
INSERT INTO disarm (time, user_id, arm_id)
SELECT a.time + interval '30 minutes', a.user_id, a.id FROM arm a
WHERE a.id <> (SELECT max(id) FROM arm);
INSERT INTO arm_sensor (arm_id, sensor_id, channel, type_id, name, description, timestamp, delay, enabled)
SELECT a.id, s.id, coalesce(s.channel, 0), s.type_id, s.name, coalesce(s.description, ''), a.time, 0, true
FROM arm a CROSS JOIN (SELECT * FROM sensor WHERE NOT deleted ORDER BY id LIMIT 3) s;
WITH closed AS (SELECT id, time FROM disarm WHERE id % 50 = 0),
     made AS (INSERT INTO alert (start_time, end_time, silent)
              SELECT time - interval '10 minutes', time, false FROM closed RETURNING id, end_time)
UPDATE disarm d SET alert_id = made.id FROM made WHERE d.time = made.end_time AND d.id % 50 = 0;
VACUUM ANALYZE; -- a history that grew over years is vacuumed; a fresh bulk load is not
SQL

secret=bench-secret
export SECRET=$secret MONITOR_INPUT_SOCKET="$work/argus_monitor.sock" USE_SIMULATOR=true BOARD_VERSION=3
export ARGUS_LIVE_BIND=127.0.0.1:18581 ARGUS_STATE_DIR="$work/state" ARGUS_BIND=127.0.0.1:18580 RUST_LOG=info
"$bin/argus-monitor" >"$work/monitor.log" 2>&1 & pids+=($!)
monitor_pid=$!
"$bin/argus-server" >"$work/server.log" 2>&1 & pids+=($!)
server_pid=$!
for _ in $(seq 1 100); do curl -fsS http://127.0.0.1:18580/api/health >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS http://127.0.0.1:18580/api/health >/dev/null || { cat "$work/monitor.log" "$work/server.log" >&2; die "the system did not come up"; }

echo "== machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
if want engine; then
  echo "== engine"
  "$bin/examples/engine_latency"
fi
token=$(python3 - "$secret" <<'PY'
import base64, hashlib, hmac, json, sys
b = lambda x: base64.urlsafe_b64encode(x).rstrip(b"=").decode()
h = b(b'{"alg":"HS256","typ":"JWT"}')
p = b(json.dumps({"ip": "127.0.0.1", "origin": "http://localhost:4200", "user_id": 1}).encode())
print(h + "." + p + "." + b(hmac.new(sys.argv[1].encode(), (h + "." + p).encode(), hashlib.sha256).digest()))
PY
)
if want live; then
echo "== live"
timeout 60 node tests/sio/latency.mjs http://127.0.0.1:18581 "$token" http://localhost:4200/ "$MONITOR_INPUT_SOCKET" CH03 500 2>&1 || { tail -20 "$work/monitor.log"; die "the live benchmark failed"; }
[ -n "${BENCH_LOGS:-}" ] && cat "$work/monitor.log"
echo "== memory at idle (after the run settles)"
sleep 2
echo "argus-monitor RSS $(awk '/VmRSS/ {print $2, $3}' /proc/$monitor_pid/status)"
echo "argus-server  RSS $(awk '/VmRSS/ {print $2, $3}' /proc/$server_pid/status)"
fi

api=http://127.0.0.1:18580
device=$(curl -fsS -H 'Origin: http://localhost:4200' -H 'Content-Type: application/json' \
  -d '{"registration_code":"ABCD1234"}' "$api/api/user/register_device" | python3 -c 'import json,sys; print(json.load(sys.stdin)["device_token"])')
user=$(curl -fsS -H 'Origin: http://localhost:4200' -H 'Content-Type: application/json' -H "Authorization: Bearer $device" \
  -d "{\"device_token\":\"$device\",\"access_code\":\"1234\"}" "$api/api/user/authenticate" | python3 -c 'import json,sys; print(json.load(sys.stdin)["user_token"])')
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $user" "$api/api/arms?limit=10")" = 200 ] || die "no user token"
# rest NAME PATH [TOKEN]: one line per run with requests/s, p50 and p99.
rest() {
  local name=$1 path=$2 auth=() out
  [ -n "${3:-}" ] && auth=(-H "Authorization: Bearer $3")
  wrk -t2 -c8 -d2s "${auth[@]}" "$api$path" >/dev/null # warm-up, not reported
  for run in $(seq 1 "${BENCH_RUNS:-3}"); do
    out=$(wrk -t2 -c8 -d10s --latency "${auth[@]}" "$api$path")
    grep -q 'Non-2xx' <<<"$out" && { echo "$out"; die "$name: non-2xx answers"; }
    printf '%-28s run %s: %8.0f req/s  p50 %-9s p99 %s\n' "$name" "$run" \
      "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
      "$(awk '$1 == "50%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")"
  done
}
if want rest; then
echo "== REST (wrk -t2 -c8 -d10s --latency, ${BENCH_RUNS:-3} runs each; loopback, same machine)"
rest "/api/version" /api/version
rest "/api/sensors/ (user token)" /api/sensors/ "$user"
rest "/api/monitoring/state" /api/monitoring/state "$token"
rest "/api/arms?limit=10 (100k)" "/api/arms?limit=10" "$user"
fi

if want nodes; then
echo "== node event intake (POST /api/nodes/{id}/events, wrk -t2 -c20 -d10s, one new change per request:"
echo "   the answer follows the commit of the event row and its job; the monitor applies the jobs meanwhile)"
psql -q -d argus_bench -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO sensor (channel, channel_type, sensor_contact_type, sensor_eol_count, alert, error, enabled,
    deleted, name, zone_id, area_id, type_id, ui_hidden)
SELECT NULL, channel_type, sensor_contact_type, sensor_eol_count, false, false, true, false,
    'Bench door', zone_id, area_id, type_id, false FROM sensor WHERE name = 'Test room 2';
SQL
door=$(psql -qtA -d argus_bench -c "SELECT id FROM sensor WHERE name = 'Bench door'")
read -r node_id NODE_TOKEN < <(curl -fsS -H "Authorization: Bearer $user" -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench\",\"inputs\":{\"door\":$door}}" "$api/api/nodes" |
  python3 -c 'import json,sys; n=json.load(sys.stdin); print(n["id"], n["token"])')
export NODE_TOKEN
for run in $(seq 1 "${BENCH_RUNS:-3}"); do
  out=$(wrk -t2 -c20 -d10s --latency -s tests/bench/node_events.lua "$api/api/nodes/$node_id/events")
  # 503s are the intake shedding while the monitor is behind (the node sends again).
  printf '%-28s run %s: %8.0f req/s  p50 %-9s p99 %-9s refused (503) %s\n' "node events (c20)" "$run" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1 == "50%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")" \
    "$(awk '/Non-2xx/ {print $NF}' <<<"$out" | grep . || echo 0)"
done
stored=$(psql -qtA -d argus_bench -c "SELECT count(*) FROM argus_node_event")
for _ in $(seq 1 600); do
  pending=$(psql -qtA -d argus_bench -c "SELECT count(*) FROM argus_job WHERE state <> 'done'")
  [ "$pending" = 0 ] && break
  sleep 0.1
done
echo "stored $stored changes, each once; jobs not yet applied after the runs: $pending"
fi

if want pins; then
echo "== /api/sensors/ while 50 wrong PINs arrive at once (each from its own device and address;"
echo "   the lock-out charges the user's counter first, so five reach bcrypt)"
python3 - "$secret" "$api" >"$work/pins.log" 2>&1 <<'PY' &
import base64, hashlib, hmac, json, sys, threading, urllib.request
secret, api = sys.argv[1].encode(), sys.argv[2]
b = lambda x: base64.urlsafe_b64encode(x).rstrip(b"=").decode()
def token(i):
    h = b(b'{"alg":"HS256","typ":"JWT"}')
    p = b(json.dumps({"ip": f"10.1.0.{i}", "origin": "http://localhost:4200", "user_id": 1}).encode())
    return h + "." + p + "." + b(hmac.new(secret, (h + "." + p).encode(), hashlib.sha256).digest())
answers = []
def attempt(i):
    t = token(i)
    req = urllib.request.Request(api + "/api/user/authenticate", method="POST",
        data=json.dumps({"device_token": t, "access_code": "9999"}).encode(),
        headers={"Content-Type": "application/json", "Origin": "http://localhost:4200",
                 "Authorization": "Bearer " + t, "X-Real-IP": f"10.1.0.{i}"})
    answers.append(urllib.request.urlopen(req, timeout=120).read())
threads = [threading.Thread(target=attempt, args=(i,)) for i in range(50)]
for t in threads: t.start()
for t in threads: t.join()
print("wrong PINs answered:", len(answers), set(answers))
PY
pins=$!
out=$(wrk -t2 -c8 -d5s --latency -H "Authorization: Bearer $user" "$api/api/sensors/")
wait $pins
printf '%-28s        %8.0f req/s  p50 %-9s p99 %s\n' "/api/sensors/ under 50 PINs" \
  "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1 == "50%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")"
cat "$work/pins.log"
echo "argus-server  RSS after the load $(awk '/VmRSS/ {print $2, $3}' /proc/$server_pid/status)"
fi

# The last two start their own monitor on the same database.
kill -TERM "$monitor_pid" 2>/dev/null || true
wait "$monitor_pid" 2>/dev/null || true
if want notify; then
echo "== notifications (their own monitor on the same database, the first one stopped;"
echo "   the fake modem on a pseudo-terminal, a webhook receiver on loopback)"
BENCH_DB=argus_bench python3 tests/bench/notify_latency.py "$bin/argus-monitor" "${BENCH_ALERTS:-200}"
fi

venv=tests/.venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/py-requirements.txt
if want mqtt; then
echo "== MQTT (a private mosquitto, paho-mqtt subscribing; their own monitor again)"
BENCH_DB=argus_bench "$venv/bin/python" tests/bench/mqtt_latency.py "$bin/argus-monitor" "${BENCH_CHANGES:-500}"
fi
if want telemetry; then
echo "== telemetry (a private Redis and mosquitto; redis-py and paho-mqtt publishing; their own monitor)"
BENCH_DB=argus_bench "$venv/bin/python" tests/bench/telemetry.py "$bin/argus-monitor" "${BENCH_READINGS:-200000}" 500
fi
