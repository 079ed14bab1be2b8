#!/usr/bin/env bash
# Installs the Debian packages, builds, runs the whole CTest suite (all labels but bench), then
# builds the Debian package and checks it (scripts/package-check.sh; SKIP_PACKAGE_CHECK=1 skips).
#   --sanitize address,undefined   build into build-asan/ with those sanitizers (GUI off) and run
#                                  the unit, fixtures and e2e labels
#   --sanitize thread              build into build-tsan/ and run the worker/queue/cancel UI tests
set -euo pipefail
cd "$(dirname "$0")/.."
SANITIZE=""
if [ "${1:-}" = "--sanitize" ]; then SANITIZE=${2:?"--sanitize needs a list, e.g. address,undefined"}; fi
bash scripts/install-deps.sh
export QT_QPA_PLATFORM=offscreen
export STUDIO_FIXTURES_DIR=${STUDIO_FIXTURES_DIR:-$(pwd)/../shared/fixtures}

if [ -z "$SANITIZE" ]; then
  bash scripts/build.sh
  (cd "${BUILD_DIR:-build}" && ctest --output-on-failure -LE bench -j2 --timeout 900)
  if [ "${SKIP_PACKAGE_CHECK:-0}" != 1 ]; then bash scripts/package-check.sh; fi
  exit
fi
# Sanitizer builds: Debug-level checks, optimised enough to finish (-O1), one folder per kind.
case "$SANITIZE" in
  *thread*)
    dir=${BUILD_DIR:-build-tsan}
    # Only the worker/queue/cancel tests: the rest of the studio is single-threaded Qt code.
    export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTUDIO_SANITIZE="$SANITIZE" \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g"
    cmake --build "$dir" -j"$(nproc)" --target test_ui_workbench
    export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(pwd)/tests/sanitizers/tsan.supp"
    "$dir/tests/ui/workbench/test_ui_workbench" --gtest_filter='GenerationWorker*:*Cancel*:*Queue*'
    # The canary: with the same suppressions, a plain two-thread race in our own code is reported.
    printf '#include <thread>\nint shared;\nint main() { std::thread t([] { ++shared; }); ++shared; t.join(); }\n' > "$dir/canary.cpp"
    g++ -std=c++17 -fsanitize=thread -g -O1 -pthread "$dir/canary.cpp" -o "$dir/canary"
    if "$dir/canary" 2> "$dir/canary.log"; then echo "TSan did not report the canary race" >&2; exit 1; fi
    grep -q "data race" "$dir/canary.log" && echo "TSan canary: race reported, as it must be"
    ;;
  *)
    dir=${BUILD_DIR:-build-asan}
    BUILD_DIR=$dir bash scripts/build.sh -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTUDIO_SANITIZE="$SANITIZE" \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DSTUDIO_BUILD_GUI=OFF
    export ASAN_OPTIONS="detect_leaks=1:suppressions=$(pwd)/tests/sanitizers/asan.supp:detect_odr_violation=0"
    export LSAN_OPTIONS="suppressions=$(pwd)/tests/sanitizers/lsan.supp"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$(pwd)/tests/sanitizers/ubsan.supp"
    cd "$dir"
    # Corrupt PNGs make OIIO 2.4 leak a string (libpng's longjmp skips its destructor, a
    # third-party leak suppressed in lsan.supp); those tests run with full malloc stacks so the
    # suppression can see the OIIO frame, the rest with the fast unwinder.
    ctest --output-on-failure -L "unit|fixtures|e2e" -LE bench -E '^PngMetadata\.' -j2 --timeout 1800
    ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0" ctest --output-on-failure -R '^PngMetadata\.' --timeout 1800
    ;;
esac
