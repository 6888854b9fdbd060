#!/usr/bin/env bash
# Regenerates the PNGs in docs/: every view of dispatchlab-gui, each grabbed
# from a real window (1400x820) on a virtual X display (Xvfb, via
# xvfb-run; Debian: apt-get install -y xvfb xauth). Without xvfb-run it
# falls back to the offscreen platform (same pixels, drawn without a
# display). Uses a scratch store so the user's store is untouched.
#
#   BUILD=build docs/make_screenshots.sh     (BUILD: the CMake build folder)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BUILD:-build}/app
DB=$(mktemp -d)/docs.db
SIZE=1400x820
if [ -z "${DISPLAY:-}" ] && [ -z "${DISPATCHLAB_IN_XVFB:-}" ] && command -v xvfb-run > /dev/null; then
  DISPATCHLAB_IN_XVFB=1 exec xvfb-run -a -s "-screen 0 1600x1000x24" "$0" "$@"
fi
export QT_QPA_PLATFORM=${DISPLAY:+xcb}
[ -n "$QT_QPA_PLATFORM" ] || export QT_QPA_PLATFORM=offscreen
echo "platform: $QT_QPA_PLATFORM"
# Learning curves for the results view, when a training store exists
# (dispatchlab train --db FILE; TRAIN_DB names it).
TRAIN_DB=${TRAIN_DB:-runs/train.db}
[ -f "$TRAIN_DB" ] && cp "$TRAIN_DB" "$DB"
UAM_POLICY=greedy
JS_POLICY=mwkr
shot() { "$B/dispatchlab-gui" --db "$DB" --size "$SIZE" --screenshot "$@"; }
# Results of every policy on ft06 at p = 0.1 and on the UAM default day.
"$B/dispatchlab" eval --db "$DB" --domain jobshop --scenarios ft06 --policies all --seeds 30 \
  --shutdown-p 0.1 --quiet > /dev/null
"$B/dispatchlab" eval --db "$DB" --domain uam --scenarios default --policies random,greedy \
  --seeds 5 --quiet > /dev/null || true
# Schedule: Gantt with per-machine KPIs, breakdowns, gap to the best known.
shot docs/gantt_ft06_mwkr_p01.png --scenario ft06 --policy $JS_POLICY --p 0.1 --seed 3
if [ -f assets/jobshop_gat.safetensors ] || [ -f assets/jobshop_gat.pt ]; then
  shot docs/gantt_ft06_gat_p01.png --scenario ft06 --policy gat --p 0.1 --seed 3
fi
# A large instance (100 jobs x 20 machines): collapsed legend, thinned markers.
shot docs/gantt_ta71_mwkr_p005.png --scenario ta71 --policy $JS_POLICY --p 0.05 --seed 1
# UAM: map at the morning peak and the fleet timeline.
shot docs/uam_map_default.png --scenario default --domain uam --policy $UAM_POLICY --p 1 \
  --view map --time 8.25
shot docs/uam_timeline_default.png --scenario default --domain uam --policy $UAM_POLICY --p 1 \
  --view timeline
shot docs/uam_timeline_zoom_7_10.png --scenario default --domain uam --policy $UAM_POLICY --p 1 \
  --view timeline --range 7-10
# Results: runs table of the scenario, comparison from zero, training curves.
shot docs/results_ft06.png --scenario ft06 --view results
# The whole window: scenario browser, view and the run panel of each domain.
shot docs/window_jobshop.png --scenario ft06 --policy $JS_POLICY --p 0.1 --seed 3 --window
shot docs/window_uam.png --scenario default --domain uam --policy $UAM_POLICY --p 1 --view map \
  --time 17.5 --window
echo "screenshots written to docs/"
