#!/usr/bin/env bash
# Installs the Debian packages, builds, and launches the studio on the embedded demo model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
exec ./"${BUILD_DIR:-build}"/app/precision-studio --model resources/models/newbie-demo "$@"
