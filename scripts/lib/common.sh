# Shared helpers for scripts/dev.sh and scripts/test.sh. Source, do not run.
# shellcheck shell=bash

log() { printf '\033[1m[argus]\033[0m %s\n' "$*" >&2; }
die() { printf '[argus] error: %s\n' "$*" >&2; exit 1; }

# Debian packages argus needs on a fresh machine, by the command that proves them.
# `ensure_packages test` adds what the tests need (Node.js for a real Socket.IO client,
# ssh-keygen for the SSH key routes, nginx in front of argus, mosquitto and Redis, shellcheck and
# dpkg-deb for the Debian package's test); `ensure_packages bench`
# adds wrk to that.
ensure_packages() {
  local missing=()
  pg_bindir >/dev/null 2>&1 || missing+=(postgresql)
  [ -e /usr/include/postgresql/libpq-fe.h ] || missing+=(libpq-dev)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
  command -v cc >/dev/null 2>&1 || missing+=(gcc)
  command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  if [ "${1:-}" = test ] || [ "${1:-}" = bench ]; then
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    [ -e /usr/share/zoneinfo/Europe/Budapest ] || missing+=(tzdata)
    command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
    [ -x /usr/sbin/nginx ] || missing+=(nginx)
    [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
    python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
    command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
    command -v dpkg-deb >/dev/null 2>&1 || missing+=(dpkg)
  fi
  if [ "${1:-}" = bench ]; then
    command -v wrk >/dev/null 2>&1 || missing+=(wrk)
    [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
    python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  command -v cargo >/dev/null 2>&1 || die "cargo is missing: install Rust (rustup) first"
}

# The directory holding initdb/pg_ctl/postgres.
pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

# Runs a command as the owner of the cluster: `postgres` when we are root
# (initdb refuses root), ourselves otherwise.
as_pg_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# pg_start DIR MODE: create (if needed) and start a private cluster in DIR that
# listens only on a Unix socket in DIR/sock. MODE=test turns fsync off.
# Exports PGHOST, PGPORT and PGUSER for everything started afterwards.
pg_start() {
  local dir=$1 mode=${2:-dev} bin
  bin=$(pg_bindir) || die "PostgreSQL server binaries not found"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chown postgres: "$dir"
    runuser -u postgres -- test -x "$dir" \
      || die "the postgres user cannot reach $dir; set ARGUS_DATA_DIR to a directory it can traverse"
  fi
  if [ ! -s "$dir/data/PG_VERSION" ]; then
    log "creating a private PostgreSQL cluster in $dir/data"
    as_pg_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
  as_pg_owner mkdir -p "$dir/sock"
  local opts="-c listen_addresses='' -c unix_socket_directories='$dir/sock' -c port=5432"
  if [ "$mode" = test ]; then
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
  fi
  as_pg_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -o "$opts" -w -t 60 start >/dev/null \
    || { tail -20 "$dir/postgres.log" >&2; die "PostgreSQL did not start"; }
  export PGHOST="$dir/sock" PGPORT=5432 PGUSER=postgres
  PG_DIR=$dir
}

pg_stop() {
  local bin
  [ -n "${PG_DIR:-}" ] || return 0
  bin=$(pg_bindir) || return 0
  as_pg_owner "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
}
