#!/usr/bin/env bash
# Issue 13's held-out UAM tables, reproducible.
#   1. 20 generated 8-vertiport / 40-aircraft scenarios that no training run
#      or validation saw (generator seeds 70000-70019, demand level 0.7-1.3),
#      uncertainty on, DAYS days each: paired comparison (same seeds for
#      every policy, 95% CI over scenario-days) of gat, rollout, the oracle
#      ceiling and the GA against greedy.
#   2. Scaling: one generated scenario per size (8/40, 16/100, 32/200,
#      64/400; seeds 71000+), one day, seconds per simulated day and profit
#      for random, greedy, gat, GA with --ga-time-limit 10, and rollout (at
#      32+ vertiports with 4 candidate destinations and 2 futures).
# Usage: scripts/eval_uam_policy.sh [--policy NAME] [--days N] [--skip-compare] [--skip-scaling]
set -euo pipefail
cd "$(dirname "$0")/.."
policy=gat days=2 compare=1 scaling=1
while [ $# -gt 0 ]; do
  case $1 in
    --policy) policy=$2; shift 2 ;;
    --days) days=$2; shift 2 ;;
    --skip-compare) compare=0; shift ;;
    --skip-scaling) scaling=0; shift ;;
    *) echo "usage: $0 [--policy NAME] [--days N] [--skip-compare] [--skip-scaling]" >&2; exit 2 ;;
  esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp build/app/dispatchlab "$tmp/dispatchlab"  # immune to rebuilds while it runs
B="$tmp/dispatchlab --data-dir $PWD/build/share/dispatchlab"
DB=$tmp/uam.db
if [ $compare = 1 ]; then
  for i in $(seq 0 19); do
    demand=$(python3 -c "print(round(0.7 + 0.6 * (($i * 7) % 20) / 19, 3))")
    $B uam generate --vertiports 8 --aircraft 40 --demand "$demand" --seed $((70000 + i)) \
      --out "$tmp/heldout_$i.json" > /dev/null
    $B scenarios import "$tmp/heldout_$i.json" --domain uam --name "heldout_$i" --db "$DB" > /dev/null
  done
  echo "== 20 held-out 8/40 scenarios x $days days, uncertainty on, paired vs greedy"
  $B compare --db "$DB" --domain uam --scenarios 'heldout_*' \
    --policies "greedy,$policy,rollout,oracle,ga" --seeds "$days" --uncertainty on \
    --no-per-scenario --quiet
  echo "== the same days: oracle (the ceiling) vs $policy"
  $B compare --db "$DB" --domain uam --scenarios 'heldout_*' \
    --policies "$policy,oracle" --baseline "$policy" --seeds "$days" --uncertainty on \
    --no-per-scenario --quiet
  $B results --db "$DB" --domain uam --scenarios 'heldout_*' --group-by policy --format table
  echo
fi
if [ $scaling = 1 ]; then
  echo "== scaling: one generated scenario per size, 1 day, uncertainty on"
  printf '%-8s %-10s %14s %10s\n' size policy profit s/day
  i=0
  for size in "8 40" "16 100" "32 200" "64 400"; do
    read -r v a <<< "$size"
    $B uam generate --vertiports "$v" --aircraft "$a" --seed $((71000 + i)) --out "$tmp/s$v.json" > /dev/null
    i=$((i + 1))
    policies=(random greedy "$policy" ga rollout)
    for p in "${policies[@]}"; do
      extra=()
      [ "$p" = ga ] && extra=(--ga-time-limit 10)
      # At 32+ vertiports rollout scores 4 candidate destinations (plus
      # greedy's and staying) on 2 futures, on both cores: every vertiport
      # on 4 futures would take hours per day.
      [ "$p" = rollout ] && [ "$v" -ge 32 ] &&
        extra=(--rollout-candidates 4 --rollout-samples 2 --rollout-threads 2)
      $B uam run --scenario "$tmp/s$v.json" --policy "$p" "${extra[@]}" --json |
        python3 -c "
import json, sys
j = json.load(sys.stdin)
print(f\"{'$v/$a':<8} {'$p':<10} {j['profit_mean']:14.0f} {j['wall_s_per_episode']:10.2f}\")"
    done
  done
fi
