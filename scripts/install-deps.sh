#!/usr/bin/env bash
# Installs the Debian 12 packages dispatchlab builds against. Idempotent: when
# every package is already installed it does nothing (no network, no root).
#
#   scripts/install-deps.sh            build + test dependencies
#   DISPATCHLAB_EXTRA_PKGS="..."      more packages to add
set -euo pipefail

pkgs=(
  build-essential cmake ninja-build ccache pkg-config
  libboost-graph-dev        # waits-for graphs, vertiport network
  libsqlite3-dev            # the store
  libgtest-dev libgmock-dev # tests
  libbenchmark-dev          # bench/
  libcli11-dev              # command line
  libfmt-dev                # formatting
  nlohmann-json3-dev        # scenario files, --json output
  # learned policies: LibTorch 1.13 (CPU) with an optimised BLAS -- on the
  # reference BLAS LibTorch trains about 4-5x slower
  libtorch-dev libopenblas0-openmp libgloo-dev
  # desktop explorer (Qt6 Widgets, Charts, Svg; Charts needs the OpenGL dev
  # package, which qt6-base-dev only recommends)
  qt6-base-dev qt6-charts-dev libqt6svg6-dev qt6-svg-dev libqt6opengl6-dev
  xvfb                      # GUI tests can run under a virtual display too
)
# shellcheck disable=SC2206
pkgs+=(${DISPATCHLAB_EXTRA_PKGS:-})

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
