#!/usr/bin/env bash
# The quality comparisons reported for the shipped policies, reproducible:
#   job shop: every rule and the learned policy on la01-la20, p in
#             {0, 0.05, 0.1}, 30 seeds (mean makespan, gap to best known BWS);
#   UAM:      random, greedy, GA and the learned policy on 20 generated
#             scenarios no training run has seen, uncertainty on.
# Usage: scripts/eval_quality.sh [STORE]   (default: a fresh temporary store)
set -euo pipefail
cd "$(dirname "$0")/.."
B=build/app/dispatchlab
DB=${1:-$(mktemp -d)/quality.db}
echo "== job shop: la01-la20, 30 seeds, p = 0, 0.05, 0.1 (store $DB)"
$B eval --db "$DB" --domain jobshop --scenarios 'la*' --policies all --seeds 30 \
  --shutdown-p 0,0.05,0.1 --keep-schedules none --quiet
echo
echo "== UAM: 20 unseen generated scenarios, uncertainty on"
tmp=$(mktemp -d)
for i in $(seq 0 19); do
  v=$((6 + i % 5)); a=$((24 + (i * 7) % 17))
  $B uam generate --vertiports $v --aircraft $a --seed $((50000 + i)) --out "$tmp/test_$i.json" > /dev/null
  $B scenarios import "$tmp/test_$i.json" --domain uam --name "test_$i" --db "$DB" > /dev/null 2>&1 || true
done
$B eval --db "$DB" --domain uam --scenarios 'test_*' --policies all --seeds 1 --uncertainty on \
  --keep-schedules none --quiet
echo
$B results --db "$DB" --domain uam --group-by policy --format table
