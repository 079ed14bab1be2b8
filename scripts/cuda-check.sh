#!/usr/bin/env bash
# Builds the core, CLI, tools and every test suite that needs no Qt / OpenImageIO against a CUDA
# libtorch and runs them with STUDIO_TEST_DEVICE=cuda (fixture and end-to-end tests on the GPU,
# the rest on the CPU of that machine). Usage, from the repository root on the GPU machine:
#   eval "$(bash gpu-build/prepare.sh)"
#   CMAKE_PREFIX_PATH=$STUDIO_PREFIX_PATH STUDIO_FIXTURES_DIR=$PWD/gpu-build/fixtures scripts/cuda-check.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-/tmp/studio-cuda}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTUDIO_BUILD_GUI=OFF -DSTUDIO_BUILD_IMAGEIO=OFF \
  -DSTUDIO_BUILD_TESTS=ON -DSTUDIO_USE_CCACHE=OFF -DCMAKE_PREFIX_PATH="${CMAKE_PREFIX_PATH:-}" > "$BUILD.configure.log" 2>&1 \
  || { tail -40 "$BUILD.configure.log"; exit 1; }
t0=$(date +%s)
cmake --build "$BUILD" -j"$(nproc)" -- -k 0
echo "build: $(( $(date +%s) - t0 )) s"
cd "$BUILD"
STUDIO_TEST_DEVICE=cuda ctest -LE bench --output-on-failure -j"${CUDA_CHECK_JOBS:-4}" --timeout 600
