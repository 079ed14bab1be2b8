#!/usr/bin/env bash
# Installs the Debian packages, builds, and launches the studio on the embedded demo model
# (resources/models/newbie-demo). Without its weights, a random tiny model folder is
# written once and used instead, so the whole workflow still runs (its images are noise).
# Extra arguments go to the studio: files to open (exports, .xml prompts), --screenshot PATH,
# --quit-after-ms N (exit status 3 when the screenshot or --compare had not completed by then).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
BUILD=${BUILD_DIR:-build}
MODEL=resources/models/newbie-demo
if ! ls "$MODEL"/transformer/*.safetensors >/dev/null 2>&1; then
  MODEL="$BUILD/random-tiny-model"
  [ -f "$MODEL/model_index.json" ] || "$BUILD"/tools/cli/precision-cli init-random --preset tiny --out "$MODEL"
  echo "note: the embedded demo model has no weights in this checkout; using a random tiny model ($MODEL)"
fi
exec "$BUILD"/app/precision-studio --model "$MODEL" "$@"
