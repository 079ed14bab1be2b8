#!/usr/bin/env bash
# Renders the hicolor PNG sizes of resources/icons/precision-studio.svg (committed, so that a
# build needs no SVG renderer). Needs rsvg-convert (Debian: librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/../resources/icons"
for s in 16 22 24 32 48 64 128 256 512; do
  mkdir -p "hicolor/${s}x${s}/apps"
  rsvg-convert -w "$s" -h "$s" precision-studio.svg -o "hicolor/${s}x${s}/apps/precision-studio.png"
done
