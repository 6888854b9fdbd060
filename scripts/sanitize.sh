#!/usr/bin/env bash
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer
# (GCC) in its own build folder. LibTorch and Qt are off: LibTorch is not
# built with ASan (its own allocations and threads give false reports and
# the torch build triples CI time), and Qt under ASan is slow; everything
# else -- parsers, simulators, planner, store, CLI, weights files -- runs.
# The Python module is off too (an ASan extension needs the ASan runtime
# preloaded into python).
# Any sanitizer report fails the run (halt_on_error).
#
#   scripts/sanitize.sh            build and run ctest
#   SANITIZE_BUILD=build-asan      build folder
#   SANITIZE_JOBS=$(nproc)         ctest parallelism
set -euo pipefail
cd "$(dirname "$0")/.."
build=${SANITIZE_BUILD:-build-asan}
jobs=${SANITIZE_JOBS:-$(nproc)}
flags="-O1 -g1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS=$flags" \
    "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined" \
    -DDISPATCHLAB_WITH_TORCH=OFF -DDISPATCHLAB_WITH_GUI=OFF -DDISPATCHLAB_WITH_PYTHON=OFF \
    -DDISPATCHLAB_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$build" -j "$jobs"
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The install tests copy and relocate a tree: nothing sanitizer-specific and
# slow under ASan; the Python tests need the (here disabled) module under an
# uninstrumented python. `make test` runs both.
# LeakSanitizer cannot run under ptrace, which the torch-free test uses to
# read its child's memory maps: that one test runs without leak checking.
traced='^TorchFree\.ShippedPoliciesRunWithoutLoadingLibtorch$'
ctest --test-dir "$build" --output-on-failure -j "$jobs" -E "^(install|python)\.|$traced" \
  --timeout 600
ASAN_OPTIONS=${ASAN_OPTIONS/detect_leaks=1/detect_leaks=0} \
  ctest --test-dir "$build" --output-on-failure -R "$traced" --timeout 600
