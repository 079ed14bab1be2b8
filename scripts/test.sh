#!/usr/bin/env bash
# Installs the Debian packages, builds, and runs the whole CTest suite (all labels but bench).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
export QT_QPA_PLATFORM=offscreen
export STUDIO_FIXTURES_DIR=${STUDIO_FIXTURES_DIR:-$(pwd)/../shared/fixtures}
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -LE bench -j2 --timeout 900
