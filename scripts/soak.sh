#!/usr/bin/env bash
# Soak tests: processes killed with SIGKILL at random moments and restarted
# (DESIGN: resume; the store is the record).
#
#  1. `dispatchlab train` (tiny config, tests/soak/train_tiny.json) killed at
#     5 random moments, resumed with --resume each time. After every kill the
#     checkpoint (if any) must load (`train export`), a resumed run must go on
#     from its checkpoint (its first step is after the last step printed
#     before the kill, at most two iterations later), and at the end the
#     curve in the store has exactly one row per iteration: no duplicate, no
#     gap.
#  2. Two `eval --shard 0/2` and `--shard 1/2` processes killed and restarted
#     together several times, then run to completion: exactly one stored
#     result per cell, and PRAGMA integrity_check is ok.
#
#   SOAK_BUILD=build      build folder with app/dispatchlab
#   SOAK_SEED=N           seed of the kill moments (default: from the clock,
#                         printed so a failure can be repeated)
#   SOAK_ONLY=train|eval  one part only
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${SOAK_BUILD:-build}
bin=$root/$build/app/dispatchlab
[ -x "$bin" ] || { echo "soak: $bin not built" >&2; exit 2; }
seed=${SOAK_SEED:-$(date +%s)}
RANDOM=$seed
echo "soak: seed $seed (SOAK_SEED=$seed repeats the kill moments)"
work=$(mktemp -d "${TMPDIR:-/tmp}/dl_soak.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "soak: FAIL: $*" >&2; exit 1; }
# A random delay in [lo, hi) milliseconds, as seconds for sleep.
rand_sleep() { local ms=$(( $1 + RANDOM % ($2 - $1) )); sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"; }
q() { sqlite3 -batch -noheader "$1" "$2"; }

soak_train() {
  if ! "$bin" train --help >/dev/null 2>&1 || "$bin" train --help 2>&1 | grep -q "without LibTorch"; then
    echo "soak: train: this build has no LibTorch; skipped"
    return 0
  fi
  local db=$work/train.db out=$work/run cfg=$root/tests/soak/train_tiny.json
  # Steps per iteration (envs x rollout) and in total, from the config.
  local envs rollout total
  envs=$(sed -n 's/.*"envs": *\([0-9]*\).*/\1/p' "$cfg")
  rollout=$(sed -n 's/.*"rollout": *\([0-9]*\).*/\1/p' "$cfg")
  total=$(sed -n 's/.*"steps": *\([0-9]*\).*/\1/p' "$cfg")
  local unit=$((envs * rollout)) last=0 kills=0 t0=$SECONDS
  local args=(train --config "$cfg" --out "$out" --db "$db" --name soak --threads 1)
  for i in 1 2 3 4 5; do
    local log=$work/train_$i.log resume=()
    [ -f "$out/checkpoint.pt" ] && resume=(--resume)
    "$bin" "${args[@]}" "${resume[@]}" >"$log" 2>&1 &
    local pid=$!
    # Kill only once it is past start-up (a first progress line), then at a
    # random moment.
    local waited=0
    while ! grep -q '^step ' "$log" && kill -0 "$pid" 2>/dev/null && [ $waited -lt 600 ]; do
      sleep 0.1; waited=$((waited + 1))
    done
    rand_sleep 200 2500
    if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
    wait "$pid" 2>/dev/null || true
    local first
    first=$(grep -o '^step [0-9]*' "$log" | head -n1 | awk '{print $2}')
    if [ "${#resume[@]}" -gt 0 ] && [ -n "$first" ]; then
      { [ "$first" -gt "$last" ] && [ "$first" -le $((last + 2 * unit)) ]; } ||
        fail "train: resumed at step $first after step $last was printed (log $log)"
    fi
    last=$(grep -o '^step [0-9]*' "$log" | tail -n1 | awk '{print $2}')
    last=${last:-0}
    if [ -f "$out/checkpoint.pt" ]; then
      "$bin" train export --checkpoint "$out/checkpoint.pt" --out "$work/check.safetensors" \
        >"$work/export.log" 2>&1 || fail "train: unreadable checkpoint after kill $i: $(cat "$work/export.log")"
    fi
    if ls "$out"/*.tmp* >/dev/null 2>&1; then
      echo "soak: note: temporary files left after kill $i: $(cd "$out" && ls -- *.tmp* | tr '\n' ' ')"
    fi
    echo "soak: train kill $i: last step printed $last"
  done
  "$bin" "${args[@]}" --resume >"$work/train_final.log" 2>&1 ||
    fail "train: the final resume failed: $(tail -n 3 "$work/train_final.log")"
  "$bin" train export --checkpoint "$out/checkpoint.pt" --out "$work/final.safetensors" >/dev/null ||
    fail "train: final checkpoint unreadable"
  # The curve: one mean_return row per iteration, steps unit, 2 unit, ...
  local run_id rows distinct min max
  run_id=$(q "$db" "SELECT id FROM training_runs WHERE name = 'soak'")
  read -r rows distinct min max < <(q "$db" "SELECT COUNT(*), COUNT(DISTINCT step), MIN(step), MAX(step)
      FROM training_metrics WHERE training_run_id = $run_id AND name = 'mean_return'" | tr '|' ' ')
  local expect=$(( (total + unit - 1) / unit ))
  [ "$rows" -eq "$distinct" ] || fail "train: duplicated iterations in the curve ($rows rows, $distinct steps)"
  if ! { [ "$min" -eq "$unit" ] && [ "$max" -eq $((expect * unit)) ] && [ "$rows" -eq "$expect" ]; }; then
    local missing
    missing=$(q "$db" "WITH RECURSIVE s(x) AS (SELECT $unit UNION ALL SELECT x + $unit FROM s
        WHERE x < $((expect * unit))) SELECT group_concat(x, ' ') FROM s WHERE x NOT IN
        (SELECT step FROM training_metrics WHERE training_run_id = $run_id AND name = 'mean_return')")
    local msg="train: curve has $rows iterations, steps $min..$max; expected $expect, $unit..$((expect * unit)); missing steps: $missing; resumed runs' first steps: $(for f in "$work"/train_*.log; do grep -o '^step [0-9]*' "$f" | head -n1 | awk '{printf "%s ", $2}'; done)"
    # The trainer stores an iteration's metrics before its checkpoint, so a
    # gap is a regression. SOAK_ALLOW_CURVE_GAPS=1 reports it without failing
    # (for bisecting old builds only).
    if [ "${SOAK_ALLOW_CURVE_GAPS:-0}" = 1 ]; then
      echo "soak: KNOWN BUG: $msg"
    else
      fail "$msg"
    fi
  fi
  local bad
  bad=$(q "$db" "SELECT COUNT(*) FROM training_metrics WHERE training_run_id = $run_id AND step % $unit != 0")
  [ "$bad" -eq 0 ] || fail "train: $bad metric rows at steps that are not iteration ends"
  [ "$(q "$db" 'PRAGMA integrity_check')" = ok ] || fail "train: store integrity_check"
  echo "soak: train OK: $kills kills, every checkpoint readable, every resume went on from its" \
       "checkpoint, $rows of $expect iterations in the curve, no duplicate, $((SECONDS - t0)) s"
}

soak_eval() {
  local db=$work/eval.db t0=$SECONDS
  # 25 instances (la01-la20, ta01-ta05) x 5 rules x 100 seeds x 3 levels.
  local args=(eval --db "$db" --domain jobshop --scenarios 'la*,ta0*'
              --policies fifo,spt,mwkr,lwkr,random --seeds 100 --shutdown-p 0,0.05,0.1 --threads 1)
  local cells=$((25 * 5 * 100 * 3))
  for round in 1 2 3 4 5 6; do
    "$bin" "${args[@]}" --shard 0/2 >"$work/e0_$round.log" 2>&1 & local p0=$!
    "$bin" "${args[@]}" --shard 1/2 >"$work/e1_$round.log" 2>&1 & local p1=$!
    rand_sleep 100 900
    kill -9 "$p0" 2>/dev/null || true
    rand_sleep 0 400
    kill -9 "$p1" 2>/dev/null || true
    wait "$p0" 2>/dev/null || true
    wait "$p1" 2>/dev/null || true
    local n=0
    [ -f "$db" ] && n=$(q "$db" "SELECT COUNT(*) FROM runs" 2>/dev/null || echo '?')
    echo "soak: eval round $round: $n of $cells cells stored"
  done
  "$bin" "${args[@]}" --shard 0/2 >"$work/e0_final.log" 2>&1 & local p0=$!
  "$bin" "${args[@]}" --shard 1/2 >"$work/e1_final.log" 2>&1 & local p1=$!
  wait "$p0" || fail "eval: shard 0 failed: $(tail -n 3 "$work/e0_final.log")"
  wait "$p1" || fail "eval: shard 1 failed: $(tail -n 3 "$work/e1_final.log")"
  [ "$(q "$db" 'PRAGMA integrity_check')" = ok ] || fail "eval: integrity_check"
  local runs distinct results orphans
  runs=$(q "$db" "SELECT COUNT(*) FROM runs")
  distinct=$(q "$db" "SELECT COUNT(*) FROM (SELECT DISTINCT scenario_id, policy_id, seed, disruption, mode FROM runs)")
  results=$(q "$db" "SELECT COUNT(*) FROM results")
  orphans=$(q "$db" "SELECT COUNT(*) FROM runs WHERE id NOT IN (SELECT run_id FROM results) AND status = 'done'")
  [ "$runs" -eq "$cells" ] && [ "$distinct" -eq "$cells" ] ||
    fail "eval: $runs runs ($distinct distinct cells), expected exactly $cells"
  [ "$orphans" -eq 0 ] || fail "eval: $orphans done runs without a result"
  echo "soak: eval OK: 6 kill rounds, $cells cells each stored once ($results results), integrity ok, $((SECONDS - t0)) s"
}

case "${SOAK_ONLY:-all}" in
  train) soak_train ;;
  eval) soak_eval ;;
  *) soak_train; soak_eval ;;
esac
