#!/usr/bin/env bash
# precision-cli sweep and the model-declared defaults, end to end on a tiny random model and (when
# its weights are in the checkout) the demo model: files written, resume, refusals, divergence.
set -euo pipefail
CLI=$1
HAVE_IMAGEIO=$2
SOURCE=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$CLI" init-random --preset tiny --out "$work/tiny" --seed 3
# The tiny model declares 64x64, 3 steps, so nothing below needs size options.
python3 - "$work/tiny/model_index.json" <<'PY'
import json, sys
p = sys.argv[1]; j = json.load(open(p))
j.setdefault("_precision_studio", {}).update({"width": 64, "height": 64, "steps": 3, "cfg": 4.0})
json.dump(j, open(p, "w"))
PY

"$CLI" sweep --model "$work/tiny" --prompt "1girl, red_eyes" --grid one-at-a-time --modules dit,vae --dtypes fp32,bf16 \
  --seeds 1,2 --out-dir "$work/sw" --no-progress > "$work/sweep.txt" 2> "$work/sweep.err"
grep -q "settings: 64x64 (model), steps 3 (model), cfg 4 (model), sampler euler (built-in)" "$work/sweep.err" \
  || fail "sweep did not print the settings and their source: $(cat "$work/sweep.err")"
for f in sweep.csv sweep.json sweep.md; do [ -s "$work/sw/$f" ] || fail "sweep did not write $f"; done
[ "$HAVE_IMAGEIO" = 1 ] && { [ -s "$work/sw/sweep.png" ] || fail "sweep did not write sweep.png"; }
grep -q "## Time and memory per precision" "$work/sw/sweep.md" || fail "sweep.md lacks the time table"
python3 - "$work/sw" <<'PY'
import json, sys, csv
d = sys.argv[1]
j = json.load(open(d + "/sweep.json"))
assert j["complete"], j
names = [c["name"] for c in j["configurations"]]
assert names == ["fp32", "dit=bf16", "vae=bf16"], names
assert len(j["rows"]) == 6, len(j["rows"])
ref = [r for r in j["rows"] if r["reference"]]
assert all(r["psnr_db"] == "inf" and r["max_abs"] == 0 for r in ref), ref
dit = [r for r in j["rows"] if r["config"] == "dit=bf16"]
assert all(r["max_abs"] > 0 for r in dit), dit
assert all(len(r["divergence_per_step"]) == 3 for r in dit), dit
assert all(r["divergence_per_step"][-1]["latent"] > 0 for r in dit), dit
vae = [r for r in j["rows"] if r["config"] == "vae=bf16"]
assert all(r["divergence_per_step"][-1]["latent"] == 0 for r in vae), vae   # the VAE runs after sampling
assert all(r["numerics"]["dit"] == "bf16 emulated" for r in dit), dit
rows = list(csv.DictReader(open(d + "/sweep.csv")))
assert len(rows) == 6 and rows[0]["config"] == "fp32", rows
PY

# A second sweep into the same folder is refused unless resumed; resuming a complete one runs nothing new.
set +e
"$CLI" sweep --model "$work/tiny" --prompt "1girl, red_eyes" --modules dit,vae --dtypes fp32,bf16 --seeds 1,2 \
  --out-dir "$work/sw" --no-progress 2> "$work/err1.txt"; rc=$?
[ $rc -eq 2 ] || fail "sweep into a used folder: exit $rc"; grep -q -- "--resume" "$work/err1.txt" || fail "no --resume hint"
"$CLI" sweep --model "$work/tiny" --dtypes fp32,fp64 --out-dir "$work/sw2" --no-progress 2> "$work/err2.txt"; rc=$?
[ $rc -eq 2 ] || fail "unknown dtype: exit $rc"
grep -q "unknown dtype 'fp64' (expected fp32, tf32, bf16, fp16" "$work/err2.txt" || fail "unknown dtype message: $(cat "$work/err2.txt")"
set -e
# Resume after a partial record: drop the last row and the completion mark, resume, get it back.
python3 - "$work/sw/sweep.json" <<'PY'
import json, sys
p = sys.argv[1]; j = json.load(open(p)); j["rows"] = j["rows"][:-1]; j["complete"] = False; json.dump(j, open(p, "w"))
PY
"$CLI" sweep --model "$work/tiny" --prompt "1girl, red_eyes" --modules dit,vae --dtypes fp32,bf16 --seeds 1,2 \
  --out-dir "$work/sw" --resume --no-progress > /dev/null 2> "$work/resume.err"
grep -q "resuming after 5 rows" "$work/resume.err" || fail "resume did not pick up the record: $(cat "$work/resume.err")"
python3 -c "import json; j=json.load(open('$work/sw/sweep.json')); assert j['complete'] and len(j['rows'])==6, len(j['rows'])"

# compare records the divergence over the steps.
"$CLI" compare --model "$work/tiny" --prompt "1girl" --seed 2 --a fp32 --b dit=bf16 --out-dir "$work/cmp" --no-progress > /dev/null 2>&1
python3 -c "import json; j=json.load(open('$work/cmp/report.json')); d=j['divergence_per_step']; assert len(d)==3 and d[-1]['latent']>0, d"

# The demo model: generate without size/steps draws at its declared 256x256, 20 steps.
DEMO="$SOURCE/resources/models/newbie-demo"
if [ -s "$DEMO/transformer/diffusion_pytorch_model.safetensors" ]; then
  ext=ppm; [ "$HAVE_IMAGEIO" = 1 ] && ext=png
  "$CLI" generate --model "$DEMO" --prompt "$SOURCE/examples/prompts/demo-one-character.xml" --seed 1 \
    --out "$work/demo.$ext" --report "$work/demo.json" --no-progress 2> "$work/demo.err"
  grep -q "256x256 (model), steps 20 (model), cfg 4 (model)" "$work/demo.err" || fail "demo settings line: $(cat "$work/demo.err")"
  python3 -c "import json; p=json.load(open('$work/demo.json'))['params']; assert (p['width'],p['height'],p['steps'])==(256,256,20), p"
  "$CLI" generate --model "$DEMO" --prompt "$SOURCE/examples/prompts/demo-one-character.xml" --steps 1 --width 576 \
    --height 576 --out "$work/big.ppm" --no-progress 2> "$work/big.err" || true
  grep -q "warning: 576x576 is far from the 256x256" "$work/big.err" || fail "no size warning: $(cat "$work/big.err")"
fi
echo "cli sweep e2e: all checks passed"
