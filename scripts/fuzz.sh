#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang (build-fuzz/, -fsanitize=fuzzer,address,undefined) and
# runs each for SECONDS (default 60) on a copy of its seed corpus (tests/fuzz/corpus/<name>).
# Crashing inputs are kept in build-fuzz/findings/<name>/; copy each one into
# tests/fuzz/regressions/<name>/ once fixed, where a CTest replays it.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   FUZZ_RUNS=N stops a target after N executions (whichever of time and runs comes first).
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
shift || true
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(safetensors shard_index prompt tokenizer_json config_json image_metadata)
command -v clang++ > /dev/null || { echo "clang++ is needed (apt-get install clang)"; exit 2; }

export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DSTUDIO_BUILD_FUZZERS=ON -DSTUDIO_BUILD_TESTS=OFF -DSTUDIO_BUILD_GUI=OFF > "$BUILD_DIR.configure.log" 2>&1 ||
  { cat "$BUILD_DIR.configure.log"; exit 1; }
cmake --build "$BUILD_DIR" -j"$(nproc)" --target "${TARGETS[@]/#/fuzz_}" || exit 1

status=0
for t in "${TARGETS[@]}"; do
  corpus="$BUILD_DIR/corpus/$t" findings="$BUILD_DIR/findings/$t"
  mkdir -p "$corpus" "$findings"
  cp -n tests/fuzz/corpus/"$t"/* "$corpus"/ 2> /dev/null
  [ -d tests/fuzz/regressions/"$t" ] && cp -n tests/fuzz/regressions/"$t"/* "$corpus"/ 2> /dev/null
  log="$BUILD_DIR/fuzz-$t.log"
  stamp=$(mktemp)  # findings of earlier runs stay in the folder; count only this run's
  echo "== fuzz_$t for ${SECONDS_PER_TARGET}s (log $log)"
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$BUILD_DIR/tests/fuzz/fuzz_$t" -max_total_time="$SECONDS_PER_TARGET" -runs="${FUZZ_RUNS:--1}" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$findings/" -print_final_stats=1 "$corpus" > "$log" 2>&1
  rc=$?
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  cov=$(grep -E '#[0-9]+.*(DONE|pulse|NEW|REDUCE).*cov:' "$log" | tail -1 | sed -E 's/.*cov: ([0-9]+) ft: ([0-9]+).*/cov \1 ft \2/')
  crashes=$(find "$findings" -type f -newer "$stamp" | wc -l)
  rm -f "$stamp"
  echo "   executions ${execs:-?}, ${cov:-cov ?}, corpus $(ls "$corpus" | wc -l) files, new findings $crashes, exit $rc"
  [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ] || status=1
done
exit $status
