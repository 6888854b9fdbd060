#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang into build-fuzz/ and
# runs each for a bounded time. Fails on any crash, leak, timeout or
# out-of-memory; the input that did it is left in
# build-fuzz/artifacts/<target>/ (make it a regression: tests/fuzz/README.md).
#
#   scripts/fuzz.sh [target...]     all targets when none is named
#   FUZZ_SECONDS=60                 time per target (default 60)
#   FUZZ_RUNS=N                     or a fixed number of executions instead
#   FUZZ_JOBS=1                     targets run at once (nice'd)
#   FUZZ_BUILD=build-fuzz           build folder
#
# Each target's final libFuzzer line (executions, cov, ft) goes to
# $FUZZ_BUILD/fuzz-summary.txt. The working corpus ($FUZZ_BUILD/corpus/) is
# kept between runs and starts from the seeds in tests/fuzz/corpus/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${FUZZ_BUILD:-build-fuzz}
seconds=${FUZZ_SECONDS:-60}
runs=${FUZZ_RUNS:-}
jobs=${FUZZ_JOBS:-1}
cc=$(command -v clang-14 || command -v clang || true)
cxx=$(command -v clang++-14 || command -v clang++ || true)
if [ -z "$cc" ] || [ -z "$cxx" ]; then
  echo "fuzz: clang not found (apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 2
fi

flags="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=$cc CXX=$cxx cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    "-DCMAKE_CXX_FLAGS=$flags" "-DCMAKE_C_FLAGS=$flags" \
    "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined" \
    -DDISPATCHLAB_FUZZ=ON -DDISPATCHLAB_WITH_TORCH=OFF -DDISPATCHLAB_WITH_GUI=OFF -DDISPATCHLAB_WITH_PYTHON=OFF \
    -DDISPATCHLAB_BUILD_BENCH=OFF >/dev/null
fi
nice -n 15 cmake --build "$build" --target fuzzers

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for d in tests/fuzz/corpus/*/; do
    t=$(basename "$d")
    [ -x "$build/tests/fuzz/${t}_fuzzer" ] && targets+=("$t")
  done
fi

summary=$build/fuzz-summary.txt
: >"$summary"
run_one() {
  local t=$1 exe=$build/tests/fuzz/${1}_fuzzer
  local work=$build/corpus/$t art=$build/artifacts/$t/ log=$build/logs/$t.log
  mkdir -p "$work" "$art" "$build/logs"
  local limit=(-max_total_time="$seconds")
  [ -n "$runs" ] && limit=(-runs="$runs")
  local dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  # A target's known, reported bug may be silenced by a UBSan suppressions
  # file beside it (tests/fuzz/<target>.ubsan_supp says which and why).
  local ubsan=halt_on_error=1:print_stacktrace=1
  [ -f "tests/fuzz/$t.ubsan_supp" ] && ubsan="$ubsan:suppressions=$root/tests/fuzz/$t.ubsan_supp"
  local rc=0
  # -timeout: one input may take at most 10 s; -rss_limit_mb: no input may
  # make the process grow past 2 GB; leaks are reported by ASan.
  UBSAN_OPTIONS=$ubsan nice -n 15 "$exe" "${limit[@]}" "${dict[@]}" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$art" "$work" "tests/fuzz/corpus/$t" \
    >"$log" 2>&1 || rc=$?
  local last
  last=$(grep -E '^#[0-9]+' "$log" | tail -n1 || true)
  local execs
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
  printf '%-18s rc=%d execs=%s %s\n' "$t" "$rc" "${execs:-?}" "$last" >>"$summary"
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $t FAILED (rc $rc); log $log; input in $art" >&2
    grep -E 'ERROR|SUMMARY|FUZZ_CHECK|runtime error' "$log" | head -n 5 >&2 || true
  fi
  return "$rc"
}

# Targets run in the background, at most $jobs at once; the verdict comes
# from the summary (one line per target with its exit status).
for t in "${targets[@]}"; do
  run_one "$t" &
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
done
wait || true
sort -o "$summary" "$summary"
cat "$summary"
if grep -qv ' rc=0 ' "$summary"; then exit 1; fi
