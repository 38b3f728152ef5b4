#!/usr/bin/env bash
# Builds the Debian package (cargo-deb, from crates.io if missing) into
# target/debian/: the binaries, the units (deploy/systemd with /usr/bin paths),
# tmpfiles, the nginx site, the configuration examples and the maintainer
# scripts (deploy/debian, deploy/setup.sh). Prints the package's path.
#
#   scripts/package.sh                      release build for this machine
#   scripts/package.sh --target TRIPLE      cross-build, e.g. aarch64-unknown-linux-gnu
#                                           (needs the target's std, linker and libpq)
#   scripts/package.sh --from-debug         package the debug binaries that
#                                           `cargo build --workspace --bins` left
#                                           (what scripts/test.sh checks: same files,
#                                           no second build)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh

mode=release
target=()
case "${1:-}" in
  --from-debug) mode=debug ;;
  --target) target=(--target "${2:?--target needs a triple}") ;;
  "") ;;
  *) die "usage: scripts/package.sh [--from-debug | --target TRIPLE]" ;;
esac

# The cross linker and the target's libpq (Debian's, by multiarch) for TRIPLE.
cross_toolchain() {
  local triple=$1 gnu arch
  case "$triple" in
    aarch64-unknown-linux-gnu) gnu=aarch64-linux-gnu arch=arm64 ;;
    armv7-unknown-linux-gnueabihf) gnu=arm-linux-gnueabihf arch=armhf ;;
    *) die "no cross set-up for $triple (aarch64-unknown-linux-gnu, armv7-unknown-linux-gnueabihf)" ;;
  esac
  rustup target list --installed | grep -qx "$triple" || rustup target add "$triple"
  if ! command -v "$gnu-gcc" >/dev/null 2>&1 || [ ! -e "/usr/lib/$gnu/libpq.so.5" ]; then
    log "installing gcc-$gnu and libpq5:$arch"
    dpkg --add-architecture "$arch"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "gcc-$gnu" "libc6-dev-$arch-cross" "libpq5:$arch" >/dev/null
  fi
  # pq-sys links against libpq.so, which only libpq-dev (not multiarch) provides.
  local libs=target/deb/cross/$triple
  mkdir -p "$libs"
  ln -sf "/usr/lib/$gnu/libpq.so.5" "$libs/libpq.so"
  local var=${triple^^}
  var=${var//-/_}
  export "CARGO_TARGET_${var}_LINKER=$gnu-gcc"
  export "CARGO_TARGET_${var}_RUSTFLAGS=-C link-arg=-Wl,-rpath-link,/usr/lib/$gnu"
  export "CC_${triple//-/_}=$gnu-gcc"
  export "PQ_LIB_DIR_${triple//-/_}=$PWD/$libs" PQ_LIB_DIR="$PWD/$libs"
}

if ! command -v cargo-deb >/dev/null 2>&1; then
  log "installing cargo-deb from crates.io"
  cargo install --locked --quiet cargo-deb
fi

# The packaged units run the binaries from /usr/bin.
units=target/deb/units
mkdir -p "$units"
for u in argus-monitor argus-server; do
  sed 's|/usr/local/bin/|/usr/bin/|g' "deploy/systemd/$u.service" >"$units/$u.service"
done

if [ "$mode" = debug ]; then
  # cargo-deb takes binaries from <target dir>/release; give it the debug ones there.
  stage=target/deb/from-debug
  mkdir -p "$stage/release"
  for b in argus-server argus-monitor argus-sim manage; do
    cp -f "target/debug/$b" "$stage/release/$b"
  done
  CARGO_TARGET_DIR=$stage cargo deb -p argus-server --no-build --quiet --output target/debian/
else
  if [ ${#target[@]} -gt 0 ]; then cross_toolchain "${target[1]}"; fi
  cargo build --release --bins "${target[@]}"
  cargo deb -p argus-server --no-build --quiet "${target[@]}" --output target/debian/
fi
