#!/usr/bin/env bash
# Builds the core, CLI, bench and the numeric test suites against a CUDA libtorch (no Qt, no
# OpenImageIO) and runs the fixture tests on the GPU. Usage:
#   CMAKE_PREFIX_PATH=<libtorch + deps prefixes> STUDIO_FIXTURES_DIR=<fixtures> scripts/cuda-check.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-/tmp/studio-cuda}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTUDIO_BUILD_GUI=OFF -DSTUDIO_BUILD_IMAGEIO=OFF \
  -DSTUDIO_USE_CCACHE=OFF -DCMAKE_PREFIX_PATH="${CMAKE_PREFIX_PATH:-}"
cmake --build "$BUILD" -j"$(nproc)" --target precision-cli precision-bench test_base test_tokenizers test_dit test_text test_vae test_pipeline test_pipeline_e2e
cd "$BUILD"
echo "== fixture + unit tests on CPU"
ctest -L "unit|fixtures" --output-on-failure -j4 --timeout 600
echo "== fixture tests on CUDA"
STUDIO_TEST_DEVICE=cuda ctest -L "fixtures|e2e" -LE bench --output-on-failure -j1 --timeout 600
