#!/usr/bin/env bash
# Mutation testing of argus's pure modules with cargo-mutants: every mutant
# (a small change to the code) must make a test fail. Not part of
# scripts/test.sh: the engine takes about 25 minutes on 2 cores.
#
#   scripts/mutants.sh          the alarm engine (crates/monitor/src/engine*)
#   scripts/mutants.sh pure     the other pure modules (wiring classifier,
#                               Wiegand decoder, AT parser, NDJSON framing,
#                               keypad keys, lock-out counters, trusted proxies)
#
# Lib tests only, one job, the target directory copied so dependencies are not
# rebuilt. The report is in mutants.out/ (missed.txt, timeout.txt, ...);
# docs/TESTING.md lists the score and every mutant accepted as equivalent.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh

ensure_packages
if ! cargo mutants --version >/dev/null 2>&1; then
  log "installing cargo-mutants"
  cargo install --locked cargo-mutants@27.1.0
fi

case "${1:-engine}" in
  engine)
    package=argus-monitor
    files=(-f 'crates/monitor/src/engine.rs' -f 'crates/monitor/src/engine/*.rs')
    ;;
  pure)
    package=""
    files=(-f crates/monitor/src/devices/board/wiring.rs -f crates/monitor/src/devices/board/wiegand.rs
      -f crates/monitor/src/devices/gsm/at.rs -f crates/monitor/src/devices/keypad.rs
      -f crates/protocol/src/framing.rs -f crates/protocol/src/lockout.rs
      -f crates/protocol/src/peer.rs)
    ;;
  *) die "usage: scripts/mutants.sh [engine|pure]" ;;
esac

log "building once so the copies start warm"
cargo test --quiet --workspace --lib --no-run
args=("${files[@]}" -e 'crates/monitor/src/engine/tests/*' -e 'crates/monitor/src/engine/tests.rs'
  --copy-target=true -j 1 --cargo-test-arg=--lib --timeout 20 -o . ${ITERATE:+--iterate})
if [ -n "$package" ]; then args+=(-p "$package"); else args+=(--workspace); fi
status=0
cargo mutants "${args[@]}" || status=$?
echo "== outcome (mutants.out/)"
for f in caught missed timeout unviable; do
  printf '%-9s %s\n' "$f" "$(wc -l <"mutants.out/$f.txt" 2>/dev/null || echo 0)"
done
if [ -s mutants.out/missed.txt ]; then echo "== missed"; cat mutants.out/missed.txt; fi
exit "$status"
