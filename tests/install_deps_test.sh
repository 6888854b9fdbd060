#!/usr/bin/env bash
# scripts/install-deps.sh against fake dpkg-query / apt-get / sudo / id, so
# the outcome does not depend on what this machine has installed:
#   1. everything present: --check and a plain run both exit 0, and neither
#      calls apt-get or sudo (a plain `make` must stay offline);
#   2. one package missing, --check: exit 1, names it, no apt-get;
#   3. missing, not root, no sudo: exit 1 with the apt-get line to run as
#      root, no apt-get;
#   4. missing, root: apt-get update, then install of exactly that package;
# and, on the real package database: every listed name is a real package
# (installed, or with an install candidate), none virtual.
#
#   install_deps_test.sh <repo root>
set -uo pipefail
root=${1:?usage: install_deps_test.sh <repo root>}
script=$root/scripts/install-deps.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

fake=$tmp/bin
mkdir -p "$fake"
# dpkg-query -W -f=FORMAT name...: "name installed" for each name except
# those in $FAKE_MISSING.
cat >"$fake/dpkg-query" <<'EOF'
#!/bin/bash
shift 2
for p in "$@"; do
  case " ${FAKE_MISSING:-} " in *" $p "*) continue ;; esac
  echo "$p installed"
done
EOF
cat >"$fake/apt-get" <<'EOF'
#!/bin/bash
echo "apt-get $*" >>"$CALLS"
EOF
cat >"$fake/id" <<'EOF'
#!/bin/bash
echo "${FAKE_UID:-0}"
EOF
chmod +x "$fake"/*
# Only the fakes are on PATH (no real sudo, apt-get or dpkg-query); bash
# runs the script directly.
run() {  # run <expected rc> <args...>; output in $tmp/out
  local want=$1
  shift
  : >"$tmp/calls"
  env -i PATH="$fake" CALLS="$tmp/calls" FAKE_MISSING="${FAKE_MISSING:-}" \
    FAKE_UID="${FAKE_UID:-0}" /bin/bash "$script" "$@" >"$tmp/out" 2>&1
  local rc=$?
  [ "$rc" -eq "$want" ] || fail "install-deps.sh $* (missing='${FAKE_MISSING:-}' uid=${FAKE_UID:-0}): exit $rc, want $want: $(cat "$tmp/out")"
}

# 1. everything present
FAKE_UID=1000 run 0 --check
grep -q "all .* packages are installed" "$tmp/out" || fail "--check with all present: $(cat "$tmp/out")"
[ -s "$tmp/calls" ] && fail "--check with all present called: $(cat "$tmp/calls")"
FAKE_UID=1000 run 0
[ -s "$tmp/out" ] && fail "plain run with all present printed: $(cat "$tmp/out")"
[ -s "$tmp/calls" ] && fail "plain run with all present called: $(cat "$tmp/calls")"

# 2. missing, --check
FAKE_MISSING=qt6-svg-dev run 1 --check
grep -q "missing: qt6-svg-dev" "$tmp/out" || fail "--check does not name the missing package: $(cat "$tmp/out")"
[ -s "$tmp/calls" ] && fail "--check called: $(cat "$tmp/calls")"

# 3. missing, not root, no sudo
FAKE_MISSING=qt6-svg-dev FAKE_UID=1000 run 1
grep -q "not root and no sudo.*apt-get install .*qt6-svg-dev" "$tmp/out" ||
  fail "no clear message for a non-root user without sudo: $(cat "$tmp/out")"
[ -s "$tmp/calls" ] && fail "non-root without sudo called: $(cat "$tmp/calls")"

# 4. missing, root
FAKE_MISSING="qt6-svg-dev xvfb" run 0
printf 'apt-get update\napt-get install -y --no-install-recommends qt6-svg-dev xvfb\n' >"$tmp/want"
diff -u "$tmp/want" "$tmp/calls" >/dev/null || fail "root install calls: $(cat "$tmp/calls")"

# Real names: each is installed here or has an install candidate; a purely
# virtual package has neither. Skipped without an apt cache.
if command -v apt-cache >/dev/null && [ -n "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v -e lock -e partial -e auxfiles)" ]; then
  while read -r p; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = installed ] && continue
    cand=$(apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: //p')
    [ -n "$cand" ] && [ "$cand" != "(none)" ] || fail "'$p' is not a real package (virtual or unknown)"
  done < <(bash "$script" --list)
else
  echo "note: no apt package lists; real-name check skipped"
fi

[ "$fails" -eq 0 ] && echo "install_deps_test: all checks passed"
exit $((fails > 0))
