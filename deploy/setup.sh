#!/bin/sh
# What every installation does, whether from the Debian package (its postinst)
# or from source (scripts/install.sh), idempotently: the argus user and its
# groups; /etc/argus with the configuration from the example, SECRET and
# MCP_SECRET and this board's own TLS certificate, each made once and never
# printed; ArPI's files carried over when moving from ArPI; the database
# (init-db, adopt-arpi when moving, migrate, seed prod on an empty one, whose
# administrator gets a random registration code, printed once).
#
#   setup.sh MANAGE EXAMPLE_CONFIG [ARPI_HOME]
#
# ARGUS_SETUP_DATABASE=if-running (the package) skips the database with a
# note when PostgreSQL does not answer; the default fails instead.
set -eu

manage=$1
example=$2
arpi_home=${3:-}
etc=/etc/argus
tls=$etc/tls

user_and_groups() {
  getent group gpio >/dev/null || groupadd --system gpio
  getent passwd argus >/dev/null ||
    useradd --system --user-group --home-dir /var/lib/argus --shell /usr/sbin/nologin argus
  # ArPI's argus user, kept when moving from ArPI, may lack some of these.
  usermod -a -G gpio,dialout,www-data argus
}

configuration() {
  install -d -m 750 -o root -g argus "$etc"
  [ -s "$etc/config.env" ] || install -m 640 -o root -g argus "$example" "$etc/config.env"
  if ! grep -q '^SECRET=.' "$etc/secrets.env" 2>/dev/null; then
    (
      umask 077
      printf 'SECRET=%s\nMCP_SECRET=%s\n' "$(openssl rand -hex 32)" "$(openssl rand -hex 32)" >"$etc/secrets.env"
    )
    chgrp argus "$etc/secrets.env"
    chmod 640 "$etc/secrets.env"
  fi
  if [ -n "$arpi_home" ]; then
    "$manage" adopt-arpi --arpi-home "$arpi_home" --etc "$etc" --files-only
  fi
}

certificate() {
  [ -s "$tls/argus.crt" ] && return 0
  install -d -m 750 -o root -g www-data "$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=$(hostname).local" -keyout "$tls/argus.key" -out "$tls/argus.crt" 2>/dev/null
  chgrp www-data "$tls/argus.key"
  chmod 640 "$tls/argus.key"
}

# A manage command with this installation's environment, as USER, from /
# (so no checkout's development cluster is picked up).
manage_as() {
  who=$1
  shift
  (
    cd /
    set -a
    # shellcheck disable=SC1091 # this installation's own files
    . "$etc/config.env"
    # shellcheck disable=SC1091
    . "$etc/secrets.env"
    set +a
    runuser -u "$who" -- "$manage" "$@"
  )
}

database() {
  if [ "${ARGUS_SETUP_DATABASE:-required}" = if-running ] &&
    ! runuser -u postgres -- psql -tAc 'SELECT 1' >/dev/null 2>&1; then
    echo "argus: PostgreSQL does not answer; once it runs: $manage init-db (as postgres), then migrate (as argus)" >&2
    return 0
  fi
  manage_as postgres init-db
  if [ -n "$arpi_home" ]; then manage_as argus adopt-arpi; fi
  manage_as argus migrate
  seeded=$(manage_as argus seed prod --if-empty)
  echo "$seeded"
  case $seeded in
    *"not seeded"*) ;;
    *)
      # Not ArPI's well-known ABCD1234: this installation's own, shown once here.
      code=$(openssl rand -hex 6 | tr a-f A-F)
      manage_as argus user registration-code 1 "$code" >/dev/null
      echo "argus: register the web application with the code $code (user Administrator, PIN 1234: change it)"
      ;;
  esac
}

user_and_groups
configuration
certificate
systemd-tmpfiles --create argus.conf 2>/dev/null || install -d -m 770 -o argus -g www-data /run/argus
database
