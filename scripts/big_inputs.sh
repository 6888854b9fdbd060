#!/usr/bin/env bash
# Big inputs run to completion with bounded memory, and absurd headers are
# refused before any large allocation. Prints time and peak RSS of each run
# (GNU time -v) and fails when a run fails or exceeds its memory bound.
#
#   BIG_BUILD=build   build folder with app/dispatchlab
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BIG_BUILD:-build}
bin=$PWD/$build/app/dispatchlab
[ -x "$bin" ] || { echo "big: $bin not built" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "big: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/dl_big.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "big: FAIL: $*" >&2; exit 1; }

# measure <label> <max RSS MB> <expected exit> <command...>
measure() {
  local label=$1 max_mb=$2 want=$3
  shift 3
  local rc=0
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || rc=$?
  local kb wall
  kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/time.txt")
  wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$work/time.txt")
  printf 'big: %-44s exit %d  wall %8s  peak RSS %6d MB\n' "$label" "$rc" "$wall" $((kb / 1024))
  [ "$rc" -eq "$want" ] || fail "$label: exit $rc, expected $want: $(head -c 300 "$work/err.txt")"
  [ $((kb / 1024)) -le "$max_mb" ] || fail "$label: peak RSS $((kb / 1024)) MB > $max_mb MB"
}

"$bin" jobshop generate --jobs 100 --machines 20 --seed 1 --out "$work/j100x20.txt" >/dev/null
"$bin" jobshop generate --jobs 2000 --machines 50 --seed 1 --out "$work/j2000x50.txt" >/dev/null
measure "jobshop 100x20, spt, BWS, p=0.1" 200 0 \
  "$bin" jobshop run --instance "$work/j100x20.txt" --policy spt --shutdown-p 0.1 --episodes 1
measure "jobshop 100x20, spt, BNS" 200 0 \
  "$bin" jobshop run --instance "$work/j100x20.txt" --policy spt --mode bns --episodes 1
measure "jobshop 2000x50, fifo, BWS, p=0.1" 1024 0 \
  "$bin" jobshop run --instance "$work/j2000x50.txt" --policy fifo --shutdown-p 0.1 --episodes 1
measure "jobshop 2000x50 validate (schedule out)" 1024 0 \
  "$bin" jobshop run --instance "$work/j2000x50.txt" --policy mwkr --episodes 1 \
  --schedule-out "$work/s.csv"
measure "jobshop 2000x50 validate" 1024 0 \
  "$bin" jobshop validate --instance "$work/j2000x50.txt" --schedule "$work/s.csv"

"$bin" uam generate --vertiports 64 --aircraft 400 --seed 1 --out "$work/uam64.json" >/dev/null
measure "uam 64 vertiports / 400 aircraft, greedy" 1024 0 \
  "$bin" uam run --scenario "$work/uam64.json" --policy greedy --episodes 1
measure "uam 64 vertiports / 400 aircraft, random" 1024 0 \
  "$bin" uam run --scenario "$work/uam64.json" --policy random --episodes 1

# Absurd headers: refused (exit 2, a message with the limit) in little memory.
printf '1000000000 1000000000\n0 1\n' >"$work/absurd.txt"
measure "absurd header 1000000000 x 1000000000" 64 2 \
  "$bin" jobshop run --instance "$work/absurd.txt"
grep -q "absurd.txt:1: at most 100000 jobs, found 1000000000" "$work/err.txt" ||
  fail "absurd header message: $(cat "$work/err.txt")"
printf 'Nb of jobs, Nb of Machines\n99999 9999 1 1\nTimes\n' >"$work/absurd_tai.txt"
measure "absurd Taillard header 99999 x 9999" 64 2 \
  "$bin" jobshop run --instance "$work/absurd_tai.txt"
grep -q "at most 10000000 operations" "$work/err.txt" || fail "Taillard limit message: $(cat "$work/err.txt")"
echo "big: OK"
