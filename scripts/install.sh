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
#   scripts/install.sh --deb FILE   install the Debian package scripts/package.sh built
#                                   (and its dependencies) instead of building here
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
tmpfiles="$root/etc/tmpfiles.d/argus.conf"
binaries=(argus-server argus-monitor argus-sim manage)
manage=manage
packages=(postgresql nginx mosquitto)
# An installation from the Debian package has the package's layout.
if [ -x "$root/usr/bin/argus-manage" ]; then
  bin="$root/usr/bin"
  units="$root/usr/lib/systemd/system"
  tmpfiles="$root/usr/lib/tmpfiles.d/argus.conf"
  binaries=(argus-server argus-monitor argus-sim argus-manage)
  manage=argus-manage
fi

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

check() {
  local missing=0
  item() { # item OK? WHAT
    if [ "$1" = yes ]; then say ok "$2"; else say missing "$2"; missing=1; fi
  }
  yes_if() { if "$@" >/dev/null 2>&1; then echo yes; else echo no; fi }
  installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
  migrated() {
    local out
    out=$(as_argus env -i PATH="$PATH" bash -c "set -a; . '$etc/config.env'; . '$etc/secrets.env'; '$bin/$manage' migration-status") &&
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
  item "$(yes_if test -s "$tmpfiles")" "tmpfiles $tmpfiles"
  item "$(yes_if test -s "$site")" "nginx site $site"
  if [ -z "$root" ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    for u in argus-monitor argus-server; do
      item "$(yes_if systemctl is-enabled --quiet "$u")" "service $u enabled"
    done
  else
    say skipped "services enabled (no running systemd here)"
  fi
  if [ -x "$bin/$manage" ] && [ -s "$etc/config.env" ]; then
    item "$(yes_if migrated)" "database migrated"
  else
    say missing "database (needs the binaries and the configuration first)"
    missing=1
  fi
  return $((missing * 3))
}

install_all() {
  [ "$(id -u)" = 0 ] || { echo "run as root (sudo scripts/install.sh)" >&2; exit 1; }
  if [ "$manage" = argus-manage ]; then
    echo "argus is installed from the Debian package: upgrade it with --deb FILE" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" openssl >/dev/null
  if [ ! -x target/release/argus-server ]; then cargo build --release --bins; fi
  install -d "$bin"
  for b in "${binaries[@]}"; do install -m 755 "target/release/$b" "$bin/$b"; done
  install -m 644 deploy/systemd/argus-monitor.service deploy/systemd/argus-server.service "$units/"
  install -D -m 644 deploy/tmpfiles.d/argus.conf "$root/etc/tmpfiles.d/argus.conf"
  install -D -m 644 deploy/nginx/argus.conf "$site"
  install -D -m 644 deploy/nginx/argus-locations.conf "$root/etc/nginx/snippets/argus-locations.conf"
  ln -sf "$site" "$root/etc/nginx/sites-enabled/argus.conf"
  sh deploy/setup.sh "$bin/manage" deploy/config.env.example "$arpi_home"
  systemctl daemon-reload
  systemctl enable --now argus-monitor argus-server
  # The distribution's welcome page would answer plain HTTP in argus's place.
  rm -f "$root/etc/nginx/sites-enabled/default"
  nginx -t && systemctl enable nginx && systemctl reload-or-restart nginx
  echo "argus is installed: https://$(hostname).local/"
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

# The Debian package (scripts/package.sh) installed with its dependencies;
# its postinst does what install_all does after the files.
install_deb() {
  [ "$(id -u)" = 0 ] || { echo "run as root (sudo scripts/install.sh --deb FILE)" >&2; exit 1; }
  [ -s "$1" ] || { echo "$1: no such package (scripts/package.sh builds one)" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$(realpath "$1")"
  echo "argus is installed: https://$(hostname).local/"
}

uninstall() {
  [ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
  if [ "$manage" = argus-manage ]; then
    apt-get remove -y -qq argus
    echo "package removed; kept: $etc, /var/lib/argus and the database (apt purge argus also removes $etc)"
    return
  fi
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
  --deb) install_deb "${2:?--deb needs the package file}" ;;
  --from-arpi)
    arpi_home=${2:-/home/argus}
    stop_arpi
    install_all
    ;;
  "") install_all ;;
  *) echo "usage: scripts/install.sh [--check|--uninstall|--deb FILE|--from-arpi [HOME]]" >&2; exit 2 ;;
esac
