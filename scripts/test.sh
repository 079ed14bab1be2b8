#!/usr/bin/env bash
# Installs the Debian packages, builds, runs the whole CTest suite (all labels but bench), then
# builds the Debian package and checks it (scripts/package-check.sh; SKIP_PACKAGE_CHECK=1 skips).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
export QT_QPA_PLATFORM=offscreen
export STUDIO_FIXTURES_DIR=${STUDIO_FIXTURES_DIR:-$(pwd)/../shared/fixtures}
(cd "${BUILD_DIR:-build}" && ctest --output-on-failure -LE bench -j2 --timeout 900)
if [ "${SKIP_PACKAGE_CHECK:-0}" != 1 ]; then bash scripts/package-check.sh; fi
