#!/usr/bin/env bash
# Runs every test of the workspace against real services started here:
# a private PostgreSQL cluster (fsync off) that is removed afterwards.
# Installs what a fresh Debian machine lacks. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh

ensure_packages test
log "installing the Socket.IO test client (npm ci)"
(cd tests/sio && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
log "installing schemathesis (tests/schemathesis/requirements.txt)"
venv=tests/schemathesis/.venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/schemathesis/requirements.txt
log "installing the third-party test servers: pysiaalarm, aiosmtpd (tests/py-requirements.txt)"
venv=tests/.venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/py-requirements.txt

work=$(mktemp -d /tmp/argus-test.XXXXXX)
chmod 755 "$work"
cleanup() {
  pg_stop
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pg_start "$work/pg" test
log "PostgreSQL is up at $PGHOST"

export RUST_BACKTRACE=1
cargo build --workspace --bins
log "building the Debian package from these binaries (scripts/package.sh --from-debug)"
scripts/package.sh --from-debug >/dev/null
cargo test --workspace --all-targets --no-fail-fast "$@"
