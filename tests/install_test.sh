#!/usr/bin/env bash
# The installed tree is self-contained and relocatable: install the build to
# a temporary prefix, move the prefix, and run the shipped learned policies
# of both domains from the moved tree -- from an unrelated directory, with a
# fresh HOME and XDG_DATA_HOME and no DISPATCHLAB_DATA_DIR. Where strace is
# available, also check that nothing under the source or build tree is
# opened (as if both were deleted).
#
#   install_test.sh <build dir> <source dir>
set -uo pipefail
build=$(cd "${1:?usage: install_test.sh <build dir> <source dir>}" && pwd)
src=$(cd "${2:?usage: install_test.sh <build dir> <source dir>}" && pwd)

# The policies run from the moved tree, one per domain.
JOBSHOP_POLICY=gat
UAM_POLICY=gat

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cmake --install "$build" --prefix "$tmp/first" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log"; echo "FAIL: cmake --install"; exit 1; }
mv "$tmp/first" "$tmp/moved"
P=$tmp/moved

for f in bin/dispatchlab share/dispatchlab/assets/train_jobshop.json \
         share/dispatchlab/scenarios/jobshop/instances/ft06.txt \
         share/dispatchlab/scenarios/uam/default.json share/doc/dispatchlab/README.md; do
  [ -e "$P/$f" ] || fail "not installed: $f"
done
if [ -e "$P/bin/dispatchlab-gui" ]; then
  for f in share/applications/dispatchlab.desktop share/icons/hicolor/scalable/apps/dispatchlab.svg; do
    [ -e "$P/$f" ] || fail "not installed with the GUI: $f"
  done
fi

# No run-time path into the trees that will be gone, no missing library.
for exe in "$P"/bin/*; do
  rpath=$(readelf -d "$exe" 2>/dev/null | grep -E 'R(UN)?PATH' || true)
  case "$rpath" in *"$build"* | *"$src"*) fail "$(basename "$exe") keeps a build/source RPATH: $rpath" ;; esac
  missing=$(ldd "$exe" 2>&1 | grep 'not found' || true)
  [ -z "$missing" ] || fail "$(basename "$exe"): $missing"
done

mkdir -p "$tmp/home" "$tmp/xdg" "$tmp/cwd"
run() {  # run <name> <command...>: must exit 0
  local name=$1
  shift
  (cd "$tmp/cwd" && env -u DISPATCHLAB_DATA_DIR -u DISPLAY -u WAYLAND_DISPLAY \
     HOME="$tmp/home" XDG_DATA_HOME="$tmp/xdg" "$@") >"$tmp/$name.out" 2>&1
  local rc=$?
  [ "$rc" -eq 0 ] || fail "$name: exit $rc: $(tail -5 "$tmp/$name.out")"
}

run version "$P/bin/dispatchlab" --version
run jobshop "$P/bin/dispatchlab" jobshop run --instance ft06 --policy "$JOBSHOP_POLICY"
run uam "$P/bin/dispatchlab" uam run --policy "$UAM_POLICY" --episodes 1
[ -x "$P/bin/dispatchlab-gui" ] && run gui_version "$P/bin/dispatchlab-gui" --version
# `train` execs the dispatchlab-train beside the running executable.
[ -x "$P/bin/dispatchlab-train" ] && run train_help "$P/bin/dispatchlab" train --help

# As if the source and build trees were deleted: the learned-policy runs
# open no file below either (only $tmp and system paths).
if command -v strace >/dev/null 2>&1 && strace -qq -o /dev/null true 2>/dev/null; then
  for cmd in "jobshop run --instance ft06 --policy $JOBSHOP_POLICY" \
             "uam run --policy $UAM_POLICY --episodes 1"; do
    # shellcheck disable=SC2086
    run strace strace -f -qq -e trace=open,openat,execve,stat,newfstatat,access \
      -o "$tmp/trace" "$P/bin/dispatchlab" $cmd
    hits=$(grep -v ENOENT "$tmp/trace" | grep -F -e "\"$build/" -e "\"$src/" | head -3 || true)
    [ -z "$hits" ] || fail "'$cmd' reads the build/source tree: $hits"
  done
else
  echo "note: strace not usable here; the no-source-tree check is skipped"
fi

[ "$fails" -eq 0 ] && echo "install_test: all checks passed ($P)"
exit $((fails > 0))
