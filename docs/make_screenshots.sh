#!/usr/bin/env bash
# Regenerates the PNGs in docs/ with dispatchlab-gui --screenshot (no display
# needed). Uses a scratch store so the user's store is untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
B=build/app
DB=$(mktemp -d)/docs.db
# Learning curves for the results view, when a training store exists.
[ -f runs/train.db ] && cp runs/train.db "$DB"
UAM_POLICY=greedy
[ -f assets/uam_gat.pt ] && UAM_POLICY=gat
JS_POLICY=mwkr
$B/dispatchlab eval --db "$DB" --domain jobshop --scenarios ft06 --policies all --seeds 30 \
  --shutdown-p 0.1 --quiet > /dev/null
$B/dispatchlab-gui --db "$DB" --screenshot docs/gantt_ft06_mwkr_p01.png --scenario ft06 \
  --policy $JS_POLICY --p 0.1 --seed 3 --size 1500x640
if [ -f assets/jobshop_gat.pt ]; then
  $B/dispatchlab-gui --db "$DB" --screenshot docs/gantt_ft06_gat_p01.png --scenario ft06 \
    --policy gat --p 0.1 --seed 3 --size 1500x640
fi
$B/dispatchlab-gui --db "$DB" --screenshot docs/uam_map_default.png --scenario default \
  --domain uam --policy $UAM_POLICY --p 1 --view map --time 8.25 --size 1150x780
$B/dispatchlab-gui --db "$DB" --screenshot docs/uam_timeline_default.png --scenario default \
  --domain uam --policy $UAM_POLICY --p 1 --view timeline --size 1400x900
$B/dispatchlab-gui --db "$DB" --screenshot docs/results_ft06.png --scenario ft06 \
  --view results --size 1500x800
echo "screenshots written to docs/"
