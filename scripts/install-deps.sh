#!/usr/bin/env bash
# Installs the Debian 12 packages dispatchlab builds against. A no-op when
# every package is already installed: no apt-get, no network, no root needed.
#
#   scripts/install-deps.sh           install what is missing (root or sudo)
#   scripts/install-deps.sh --check   only report: exit 0 when nothing is
#                                     missing, 1 with the list otherwise;
#                                     never calls apt-get
#   scripts/install-deps.sh --list    print the package names, one a line
#   DISPATCHLAB_EXTRA_PKGS="..."      more packages to add
#
# Every name below is a real package, never a virtual one: dpkg reports a
# virtual name (libqt6svg6-dev, say) as not installed forever, so the script
# would run apt-get on every call (tests/install_deps_test.sh checks this).
set -euo pipefail

pkgs=(
  build-essential cmake ninja-build ccache pkg-config
  dpkg-dev                  # dpkg-shlibdeps: Depends of `cpack -G DEB`
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
  # package, which qt6-base-dev only recommends). qt6-svg-dev is the real
  # package behind the virtual libqt6svg6-dev.
  qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev
  xvfb                      # GUI tests can run under a virtual display too
  # the Python module (python/): pybind11, numpy, its pytest tests, and
  # PyTorch for the REINFORCE example (Debian's /usr/bin/python3)
  pybind11-dev python3-dev python3-numpy python3-pytest python3-torch
  # reliability (make fuzz / soak): libFuzzer from clang, the soak checks'
  # sqlite3 and the big-input runs' peak RSS (GNU time -v)
  clang-14 libclang-rt-14-dev sqlite3 time
)
# shellcheck disable=SC2206
pkgs+=(${DISPATCHLAB_EXTRA_PKGS:-})

mode=install
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  --list) printf '%s\n' "${pkgs[@]}"; exit 0 ;;
  -h|--help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
  *) echo "install-deps: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

# One dpkg-query for all: "name status" per known package; unknown names
# print nothing (and count as missing).
declare -A installed=()
while read -r name status; do
  [ "$status" = "installed" ] && installed["$name"]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${pkgs[@]}" 2>/dev/null || true)

missing=()
for p in "${pkgs[@]}"; do
  [ -n "${installed[$p]:-}" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  [ "$mode" = check ] && echo "install-deps: all ${#pkgs[@]} packages are installed"
  exit 0
fi

install_line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$mode" = check ]; then
  echo "install-deps: missing: ${missing[*]}"
  echo "install-deps: install them with: $install_line"
  exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo DEBIAN_FRONTEND=noninteractive)  # sudo resets the environment
  else
    echo "install-deps: error: missing Debian packages: ${missing[*]}" >&2
    echo "install-deps: not root and no sudo: as root, run: $install_line" >&2
    exit 1
  fi
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update
"${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
