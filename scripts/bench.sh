#!/usr/bin/env bash
# Benchmarks (not tests) for docs/BENCHMARKS.md. Release build, private
# PostgreSQL cluster, demo data, simulated board; everything on loopback.
#   engine decision latency (in process), sensor change -> Socket.IO event
#   latency at a real client, monitor and server RSS at idle.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh
ensure_packages test
(cd tests/sio && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

log "building (release)"
cargo build --release --quiet --bins
cargo build --release --quiet -p argus-monitor --example engine_latency
bin=target/release

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
echo "== engine"
"$bin/examples/engine_latency"
echo "== live"
token=$(python3 - "$secret" <<'PY'
import base64, hashlib, hmac, json, sys
b = lambda x: base64.urlsafe_b64encode(x).rstrip(b"=").decode()
h = b(b'{"alg":"HS256","typ":"JWT"}')
p = b(json.dumps({"ip": "127.0.0.1", "origin": "http://localhost:4200", "user_id": 1}).encode())
print(h + "." + p + "." + b(hmac.new(sys.argv[1].encode(), (h + "." + p).encode(), hashlib.sha256).digest()))
PY
)
timeout 60 node tests/sio/latency.mjs http://127.0.0.1:18581 "$token" http://localhost:4200/ "$MONITOR_INPUT_SOCKET" CH03 500 2>&1 || { tail -20 "$work/monitor.log"; die "the live benchmark failed"; }
[ -n "${BENCH_LOGS:-}" ] && cat "$work/monitor.log"
echo "== memory at idle (after the run settles)"
sleep 2
echo "argus-monitor RSS $(awk '/VmRSS/ {print $2, $3}' /proc/$monitor_pid/status)"
echo "argus-server  RSS $(awk '/VmRSS/ {print $2, $3}' /proc/$server_pid/status)"
