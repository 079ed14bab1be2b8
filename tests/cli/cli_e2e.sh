#!/usr/bin/env bash
# precision-cli end to end on a tiny random model: init-random, inspect, generate, compare,
# metadata, and the failures users hit (missing component, bad precision, unwritable output).
set -euo pipefail
CLI=$1
HAVE_IMAGEIO=$2
FIXTURES=${STUDIO_FIXTURES_DIR:-$3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$CLI" init-random --preset tiny --out "$work/tiny" --seed 3
for d in transformer text_encoder clip_model vae; do [ -d "$work/tiny/$d" ] || fail "missing $d"; done

"$CLI" inspect "$work/tiny" > "$work/inspect.txt"
grep -q "transformer" "$work/inspect.txt" || fail "inspect table lacks the transformer"
grep -q "bf16/fp16" "$work/inspect.txt" || fail "inspect table lacks memory columns"
"$CLI" inspect "$work/tiny" --json > "$work/inspect.json"
python3 -c "import json,sys; j=json.load(open('$work/inspect.json')); assert len(j['components'])==4, j; assert all(c['parameters']>0 for c in j['components'])"
if [ -d "$FIXTURES/dit/transformer" ]; then
  "$CLI" inspect "$FIXTURES/dit/transformer/diffusion_pytorch_model.safetensors" | grep -q "F32" || fail "single-file inspect"
fi

ext=ppm; [ "$HAVE_IMAGEIO" = 1 ] && ext=png
"$CLI" generate --model "$work/tiny" --prompt "<character_1><appearance>blue_hair</appearance></character_1>" --seed 5 \
  --steps 3 --width 64 --height 64 --precision mixed --out "$work/out.$ext" --report "$work/run.json" --no-progress
[ -s "$work/out.$ext" ] || fail "no image written"
python3 - "$work/run.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
mods = {m["module"]: m for m in r["modules"]}
assert mods["text"]["numerics"] == "fp32", mods
assert mods["dit"]["numerics"] == "bf16 emulated", mods
assert r["params"]["precision"] == "text=fp32,clip=fp32,dit=bf16,vae=bf16", r["params"]
assert any(c["stage"] == "latent step 3" for c in r["checks"])
PY

"$CLI" compare --model "$work/tiny" --prompt "1girl, red_eyes" --seed 5 --steps 3 --width 64 --height 64 \
  --a fp32 --b bf16 --out-dir "$work/cmp" --no-progress > "$work/compare.txt"
for f in a b diff; do [ -s "$work/cmp/$f.$ext" ] || fail "compare did not write $f.$ext"; done
grep -q "PSNR" "$work/compare.txt" || fail "compare printed no metrics"
python3 -c "import json; j=json.load(open('$work/cmp/report.json')); m=j['metrics']; assert m['max_abs']>0 and m['ssim']<=1, m; assert j['a']['params']['seed']==j['b']['params']['seed']"

if [ "$HAVE_IMAGEIO" = 1 ]; then
  "$CLI" metadata "$work/out.png" > "$work/meta.txt"
  grep -q "seed 5" "$work/meta.txt" || fail "metadata lacks the seed"
  grep -q "dit: ran bf16 emulated" "$work/meta.txt" || fail "metadata lacks the effective precision"
  grep -q "^model:     tiny$" "$work/meta.txt" || fail "the record should name the model folder, not its path"
  "$CLI" --version | grep -q "Precision Studio" || fail "--version"
  # The same pixels with an AUTOMATIC1111 record instead of ours: shown as foreign, nothing invented.
  python3 - "$work/out.png" "$work/a1111.png" <<'PY'
import struct, sys, zlib
src = open(sys.argv[1], "rb").read()
text = b"parameters\0a cat\nSteps: 28, Sampler: DPM++ 2M, CFG scale: 7, Seed: 31, Size: 512x768, Version: v1.10.1"
chunk = struct.pack(">I", len(text)) + b"tEXt" + text + struct.pack(">I", zlib.crc32(b"tEXt" + text) & 0xFFFFFFFF)
out, pos, added = src[:8], 8, False
while pos < len(src):
    n = struct.unpack(">I", src[pos:pos + 4])[0]
    kind = src[pos + 4:pos + 8]
    if kind == b"IDAT" and not added:
        out, added = out + chunk, True
    if kind not in (b"tEXt", b"iTXt"):
        out += src[pos:pos + 12 + n]
    pos += 12 + n
open(sys.argv[2], "wb").write(out)
PY
  "$CLI" metadata "$work/a1111.png" > "$work/meta2.txt"
  grep -q "another tool (AUTOMATIC1111 WebUI v1.10.1)" "$work/meta2.txt" || fail "foreign record not labelled"
  grep -q "Sampler: DPM++ 2M" "$work/meta2.txt" || fail "foreign record not shown as it is"
  if grep -qi "sampler euler\|requested:" "$work/meta2.txt"; then fail "foreign record shown with invented defaults"; fi
fi

# Failures: clear message and the documented exit code, never a crash.
set +e
"$CLI" generate --model "$work/nope" --prompt x --out "$work/x.$ext" --no-progress 2> "$work/err1.txt"; rc=$?
[ $rc -eq 1 ] || fail "missing model: exit $rc"; grep -q "does not exist" "$work/err1.txt" || fail "missing model message"
"$CLI" generate --model "$work/tiny" --prompt x --precision dit=fp8 --out "$work/x.$ext" --no-progress 2> "$work/err2.txt"; rc=$?
[ $rc -eq 2 ] || fail "bad precision: exit $rc"; grep -q "fp8" "$work/err2.txt" || fail "bad precision message"
"$CLI" generate --model "$work/tiny" --prompt x --steps 2 --width 64 --height 64 --out /nonexistent/dir/x.$ext --no-progress 2> "$work/err3.txt"; rc=$?
[ $rc -eq 1 ] || fail "unwritable output: exit $rc"; grep -qi "nonexistent" "$work/err3.txt" || fail "unwritable message"
set -e
echo "cli e2e: all checks passed"
