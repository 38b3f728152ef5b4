#!/usr/bin/env bash
# Installs argus on Raspberry Pi OS / Debian from this checkout, idempotently:
# the argus user and its groups, PostgreSQL, nginx and mosquitto from the distribution,
# release binaries in /usr/local/bin, /etc/argus/{config,secrets}.env (secrets
# generated once, never printed), the database (init-db, migrate, seed prod on
# an empty one), a per-installation self-signed TLS certificate, the systemd
# units and the nginx site; then starts the services.
#
#   scripts/install.sh              install or bring an installation up to date
#   scripts/install.sh --check      report what is missing, change nothing
#                                   (exit 0: complete, 3: something is missing)
#   scripts/install.sh --uninstall  remove units and binaries; keep data and configuration
#   scripts/install.sh --from-arpi [HOME]
#                                   replace an ArPI installation (HOME: /home/argus): stop and
#                                   disable its services, carry its SECRET and settings over
#                                   (manage adopt-arpi), keep its database; then install
#                                   (docs/MIGRATING-FROM-ARPI.md, which also says how to go back)
#
# ARGUS_ROOT (default /) prefixes every path, so --check can look at a staged tree.
set -euo pipefail
cd "$(dirname "$0")/.."

root=${ARGUS_ROOT:-}
root=${root%/}
etc="$root/etc/argus"
bin="$root/usr/local/bin"
units="$root/etc/systemd/system"
site="$root/etc/nginx/sites-available/argus.conf"
tls="$root/etc/argus/tls"
binaries=(argus-server argus-monitor argus-sim manage)
packages=(postgresql nginx mosquitto)

say() { printf '%-8s %s\n' "$1" "$2"; }

# Runs a database command as the argus role: on a real installation, as the
# argus user (PostgreSQL's peer authentication), from / so no checkout's
# development cluster is picked up.
as_argus() {
  if [ -z "$root" ] && [ "$(id -u)" = 0 ] && getent passwd argus >/dev/null; then
    (cd / && runuser -u argus -- "$@")
  else
    (cd / && "$@")
  fi
}

# This installation's configuration and secrets, exported to a subshell's commands.
load_env() {
  set -a
  # shellcheck disable=SC1091 # this installation's own files
  . "$etc/config.env"
  # shellcheck disable=SC1091
  . "$etc/secrets.env"
  set +a
}

check() {
  local missing=0
  item() { # item OK? WHAT
    if [ "$1" = yes ]; then say ok "$2"; else say missing "$2"; missing=1; fi
  }
  yes_if() { if "$@" >/dev/null 2>&1; then echo yes; else echo no; fi }
  installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
  migrated() {
    local out
    out=$(as_argus env -i PATH="$PATH" bash -c "set -a; . '$etc/config.env'; . '$etc/secrets.env'; '$bin/manage' migration-status") &&
      ! grep -q pending <<<"$out"
  }
  item "$(yes_if getent passwd argus)" "user argus"
  for p in "${packages[@]}"; do
    item "$(yes_if installed "$p")" "package $p"
  done
  for b in "${binaries[@]}"; do item "$(yes_if test -x "$bin/$b")" "binary $bin/$b"; done
  item "$(yes_if test -s "$etc/config.env")" "configuration $etc/config.env"
  item "$(yes_if grep -q '^SECRET=.' "$etc/secrets.env")" "secrets $etc/secrets.env (SECRET)"
  item "$(yes_if test -s "$tls/argus.crt" -a -s "$tls/argus.key")" "TLS certificate $tls/argus.crt (this installation's own)"
  for u in argus-monitor.service argus-server.service; do
    item "$(yes_if test -s "$units/$u")" "unit $units/$u"
  done
  item "$(yes_if test -s "$root/etc/tmpfiles.d/argus.conf")" "tmpfiles $root/etc/tmpfiles.d/argus.conf"
  item "$(yes_if test -s "$site")" "nginx site $site"
  if [ -z "$root" ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    for u in argus-monitor argus-server; do
      item "$(yes_if systemctl is-enabled --quiet "$u")" "service $u enabled"
    done
  else
    say skipped "services enabled (no running systemd here)"
  fi
  if [ -x "$bin/manage" ] && [ -s "$etc/config.env" ]; then
    item "$(yes_if migrated)" "database migrated"
  else
    say missing "database (needs the binaries and the configuration first)"
    missing=1
  fi
  return $((missing * 3))
}

install_all() {
  [ "$(id -u)" = 0 ] || { echo "run as root (sudo scripts/install.sh)" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" openssl >/dev/null
  getent group gpio >/dev/null || groupadd --system gpio
  getent passwd argus >/dev/null ||
    useradd --system --home-dir /var/lib/argus --shell /usr/sbin/nologin argus
  # ArPI's argus user, kept on --from-arpi, may lack some of these.
  usermod -a -G gpio,dialout,www-data argus
  if [ ! -x target/release/argus-server ]; then cargo build --release --bins; fi
  install -d "$bin"
  for b in "${binaries[@]}"; do install -m 755 "target/release/$b" "$bin/$b"; done
  install -d -m 750 -o root -g argus "$etc"
  [ -s "$etc/config.env" ] || install -m 640 -o root -g argus deploy/config.env.example "$etc/config.env"
  if ! grep -q '^SECRET=.' "$etc/secrets.env" 2>/dev/null; then
    umask 077
    printf 'SECRET=%s\nMCP_SECRET=%s\n' "$(openssl rand -hex 32)" "$(openssl rand -hex 32)" >"$etc/secrets.env"
    chgrp argus "$etc/secrets.env" && chmod 640 "$etc/secrets.env"
  fi
  if [ ! -s "$tls/argus.crt" ]; then
    install -d -m 750 -o root -g www-data "$tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
      -subj "/CN=$(hostname).local" -keyout "$tls/argus.key" -out "$tls/argus.crt" 2>/dev/null
    chgrp www-data "$tls/argus.key" && chmod 640 "$tls/argus.key"
  fi
  install -m 644 deploy/systemd/argus-monitor.service deploy/systemd/argus-server.service "$units/"
  install -D -m 644 deploy/tmpfiles.d/argus.conf "$root/etc/tmpfiles.d/argus.conf"
  install -D -m 644 deploy/nginx/argus.conf "$site"
  install -D -m 644 deploy/nginx/argus-locations.conf "$root/etc/nginx/snippets/argus-locations.conf"
  ln -sf "$site" "$root/etc/nginx/sites-enabled/argus.conf"
  if [ -n "$arpi_home" ]; then
    "$bin/manage" adopt-arpi --arpi-home "$arpi_home" --etc "$etc" --files-only
  fi
  (
    load_env
    (cd / && runuser -u postgres -- "$bin/manage" init-db)
    if [ -n "$arpi_home" ]; then as_argus "$bin/manage" adopt-arpi; fi
    as_argus "$bin/manage" migrate
    as_argus "$bin/manage" seed prod --if-empty
  )
  systemd-tmpfiles --create "$root/etc/tmpfiles.d/argus.conf"
  systemctl daemon-reload
  systemctl enable --now argus-monitor argus-server
  # The distribution's welcome page would answer plain HTTP in argus's place.
  rm -f "$root/etc/nginx/sites-enabled/default"
  nginx -t && systemctl enable nginx && systemctl reload-or-restart nginx
  echo "argus is installed; the admin's registration code is printed by: manage user list"
}

# ArPI's services stopped and disabled before anything is installed (its
# nginx holds ports 80 and 443). ArPI's own nginx unit, which shadows the
# distribution's, is moved aside as nginx.service.arpi for a rollback.
stop_arpi() {
  [ "$(id -u)" = 0 ] || { echo "run as root (sudo scripts/install.sh --from-arpi)" >&2; exit 1; }
  [ -s "$arpi_home/secrets.env" ] || { echo "$arpi_home/secrets.env not found: is ArPI installed for this user?" >&2; exit 1; }
  local u
  for u in argus_server argus_monitor argus_mcp; do
    if systemctl cat "$u.service" >/dev/null 2>&1; then
      systemctl disable --now "$u.service"
      echo "stopped and disabled ArPI's $u"
    fi
  done
  local arpi_nginx=/etc/systemd/system/nginx.service
  if grep -qs /usr/local/nginx "$arpi_nginx"; then
    systemctl disable --now nginx.service || true
    mv "$arpi_nginx" "$arpi_nginx.arpi"
    systemctl daemon-reload
    echo "ArPI's nginx stopped; its unit is kept as $arpi_nginx.arpi"
  fi
}

uninstall() {
  [ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
  systemctl disable --now argus-server argus-monitor 2>/dev/null || true
  rm -f "$units/argus-monitor.service" "$units/argus-server.service" "$root/etc/nginx/sites-enabled/argus.conf"
  for b in "${binaries[@]}"; do rm -f "$bin/$b"; done
  systemctl daemon-reload 2>/dev/null || true
  echo "units and binaries removed; kept: $etc, /var/lib/argus and the database"
}

arpi_home=
case "${1:-}" in
  --check) check ;;
  --uninstall) uninstall ;;
  --from-arpi)
    arpi_home=${2:-/home/argus}
    stop_arpi
    install_all
    ;;
  "") install_all ;;
  *) echo "usage: scripts/install.sh [--check|--uninstall|--from-arpi [HOME]]" >&2; exit 2 ;;
esac
