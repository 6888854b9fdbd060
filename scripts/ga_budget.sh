#!/usr/bin/env bash
# Does the GA get better with more search? Mean profit and wall time per day
# of the GA at several (population, generations) budgets on the 20 unseen
# UAM scenarios of scripts/eval_quality.sh (seed 0, uncertainty on).
# Usage: scripts/ga_budget.sh ["POP GEN [SAMPLES]" ...]
#   (default: 12x15 24x30 48x60 96x120 with 2 forecast samples, 24x30 with 8)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp build/app/dispatchlab "$tmp/dispatchlab"  # immune to rebuilds while it runs
B=$tmp/dispatchlab
for i in $(seq 0 19); do
  v=$((6 + i % 5)); a=$((24 + (i * 7) % 17))
  $B uam generate --vertiports $v --aircraft $a --seed $((50000 + i)) --out "$tmp/test_$i.json" > /dev/null
done
budgets=("$@")
[ ${#budgets[@]} -eq 0 ] && budgets=("12 15" "24 30" "48 60" "96 120" "24 30 8")
printf '%-16s %14s %12s\n' "pop x gen x smp" "profit/day" "wall s/day"
for b in "${budgets[@]}"; do
  read -r pop gen smp <<< "$b"
  smp=${smp:-2}
  for i in $(seq 0 19); do
    $B uam run --scenario "$tmp/test_$i.json" --policy ga --ga-population "$pop" \
      --ga-generations "$gen" --ga-forecast-samples "$smp" --json
  done | python3 -c "
import json, sys
rows = [json.loads(l) for l in sys.stdin]
p = sum(r['profit_mean'] for r in rows) / len(rows)
w = sum(r['wall_s'] for r in rows) / len(rows)
print(f'{\"$pop x $gen x $smp\":<16} {p:14,.0f} {w:12.2f}')"
done
