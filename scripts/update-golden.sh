#!/usr/bin/env bash
# Rewrites tests/data/golden_fingerprints.txt from the current build. Run it
# only when a behaviour change is intended, and say why in the commit.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build --target golden_test
DISPATCHLAB_UPDATE_GOLDEN=1 build/tests/golden_test
git --no-pager diff --stat tests/data/golden_fingerprints.txt || true
