#!/usr/bin/env bash
# One training invocation of the demo model on a CUDA machine: build train-demo, unpack a carried
# checkpoint, train within a time budget, pack the results into <= 15 MiB parts.
#
# Usage (from the repository root, gpu-build/ present as described in its README):
#   scripts/train-demo-gpu.sh STAGE SECONDS CKPT_DIR [OUT_DIR] [train-demo options...]
#     STAGE     vae | text+dit | all | export
#     SECONDS   wall-clock budget of the training command (the build is not counted)
#     CKPT_DIR  checkpoint folder; resumed when it holds a checkpoint. Parts ckpt.tar.part-* found
#               in it (a checkpoint carried back from an earlier machine) are unpacked first.
#     OUT_DIR   where the packed results go (default: $OUT, else CKPT_DIR/out):
#                 model.tar.part-*  the exported model folder, when `--export DIR` was given
#                 ckpt.tar.part-*   otherwise the checkpoint without optimizer moments
#                 train.log         the run's log (with the probe accuracies of 200 samples after an export)
#   Reassemble with: cat ckpt.tar.part-* | tar -x -C CKPT_DIR   (or model.tar.part-* into the model folder)
#
# How the shipped model was made (two invocations on one machine, 480 s and 427 s; the build takes 64 s
# on 16 cores; the checkpoint stays in /tmp in between, the packed parts are the fallback):
#   scripts/train-demo-gpu.sh all 420 /tmp/demo-ckpt "$OUT" --vae-plan-seconds 170 --dit-plan-seconds 640
#   scripts/train-demo-gpu.sh all 470 /tmp/demo-ckpt "$OUT" --vae-plan-seconds 170 --dit-plan-seconds 640 \
#       --bf16 --export /tmp/demo-model
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 3 ]; then
  sed -n '2,21p' "$0"
  exit 2
fi
STAGE=$1
SECONDS_BUDGET=$2
CKPT=$3
shift 3
OUTDIR=${OUT:-$CKPT/out}
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
  OUTDIR=$1
  shift
fi
BUILD=${BUILD:-/tmp/studio-demo-build}
mkdir -p "$CKPT" "$OUTDIR"
LOG="$OUTDIR/train.log"

# Build: core + train-demo only, no Qt / OpenImageIO / tests.
if [ -z "${CMAKE_PREFIX_PATH:-}" ] && [ -f gpu-build/prepare.sh ]; then
  eval "$(bash gpu-build/prepare.sh)"
  export CMAKE_PREFIX_PATH="$STUDIO_PREFIX_PATH"
fi
t0=$(date +%s)
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTUDIO_BUILD_GUI=OFF -DSTUDIO_BUILD_IMAGEIO=OFF \
  -DSTUDIO_BUILD_TESTS=OFF -DSTUDIO_USE_CCACHE=OFF -DCMAKE_PREFIX_PATH="${CMAKE_PREFIX_PATH:-}" > "$OUTDIR/configure.log" 2>&1 \
  || { tail -40 "$OUTDIR/configure.log"; exit 1; }
cmake --build "$BUILD" --target train-demo -j"$(nproc)" 2>&1 | tail -3
echo "build: $(( $(date +%s) - t0 )) s" | tee "$LOG"

# A checkpoint carried from an earlier machine arrives as parts.
if compgen -G "$CKPT/ckpt.tar.part-*" > /dev/null; then
  cat "$CKPT"/ckpt.tar.part-* | tar -x -C "$CKPT"
  rm -f "$CKPT"/ckpt.tar.part-*
  echo "unpacked the carried checkpoint into $CKPT" | tee -a "$LOG"
fi

EXPORT_DIR=""
args=("$@")
for ((i = 0; i < ${#args[@]}; ++i)); do
  [ "${args[$i]}" = "--export" ] && EXPORT_DIR=${args[$((i + 1))]:-}
done

set +e
if [ "$STAGE" = "export" ]; then
  "$BUILD/tools/train-demo/train-demo" export --checkpoints "$CKPT" "$@" 2>&1 | tee -a "$LOG"
else
  nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null | tee -a "$LOG"
  "$BUILD/tools/train-demo/train-demo" "$STAGE" --checkpoints "$CKPT" --device cuda --seconds "$SECONDS_BUDGET" \
    --resume "$@" 2>&1 | tee -a "$LOG"
fi
rc=${PIPESTATUS[0]}
# Score the exported model right away: 200 random scenes on the GPU, probe accuracies in the log.
if [ "$rc" = 0 ] && [ -n "$EXPORT_DIR" ] && [ -f "$EXPORT_DIR/model_index.json" ]; then
  "$BUILD/tools/train-demo/train-demo" sample --model "$EXPORT_DIR" --device cuda --samples 200 --batch 50 \
    --steps 20 --cfg 4 2>&1 | grep -v "^\[" | tee -a "$LOG"
fi
set -e

# Pack what the next step needs, in parts small enough to come back from the machine.
rm -f "$OUTDIR"/ckpt.tar.part-* "$OUTDIR"/model.tar.part-*
if [ -n "$EXPORT_DIR" ] && [ -f "$EXPORT_DIR/model_index.json" ]; then
  cp "$CKPT"/*_loss.csv "$EXPORT_DIR"/ 2>/dev/null || true
  tar -c -C "$EXPORT_DIR" . | split -b 15M -d - "$OUTDIR/model.tar.part-"
  rm -f "$EXPORT_DIR"/*_loss.csv
else
  tar -c -C "$CKPT" --exclude='*.optim.safetensors' --exclude='./out' --exclude='*.tmp' . \
    | split -b 15M -d - "$OUTDIR/ckpt.tar.part-"
fi
ls -l "$OUTDIR" | tee -a "$LOG"
exit "$rc"
