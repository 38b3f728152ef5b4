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
  cargo build --release --bins "${target[@]}"
  cargo deb -p argus-server --no-build --quiet "${target[@]}" --output target/debian/
fi
