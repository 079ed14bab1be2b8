#!/usr/bin/env bash
# The bad-input catalogue: malformed and hostile files, impossible requests, failing exports and
# cancellation, each through precision-cli. Every case asserts the exit code, that the message
# names the file / tensor / line, and that nothing is lost: the prompt file is unchanged and no
# output or temporary file is left behind.
set -uo pipefail
CLI=$1
work=$(mktemp -d)
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
cases=0 failures=0
fail() { echo "FAIL [$name]: $*"; failures=$((failures + 1)); }

# expect RC PATTERN -- command...: runs it (stderr+stdout to $work/out.txt) and checks both.
expect() {
  local want=$1 pattern=$2; shift 3
  cases=$((cases + 1))
  "$@" > "$work/out.txt" 2>&1
  local rc=$?
  [ "$rc" -eq "$want" ] || fail "exit $rc, expected $want: $(head -c 400 "$work/out.txt")"
  grep -qE -- "$pattern" "$work/out.txt" || fail "message lacks /$pattern/: $(head -c 400 "$work/out.txt")"
  if grep -q "internal error\|Segmentation\|Aborted\|AddressSanitizer" "$work/out.txt"; then fail "crash: $(head -c 400 "$work/out.txt")"; fi
}
no_leftovers() {  # no output image, no temporary file next to it
  local out=$1
  [ ! -e "$out" ] || fail "partial output left: $out"
  ls "$(dirname "$out")" | grep -q '\.tmp' && fail "temporary file left in $(dirname "$out")"
  true
}

# A safetensors file from a raw header and a number of data bytes ($3 = declared length, optional).
st() { python3 - "$@" <<'PY'
import struct, sys
path, header, nbytes = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
declared = int(sys.argv[4]) if len(sys.argv) > 4 else len(header)
open(path, "wb").write(struct.pack("<Q", declared) + header + b"\0" * nbytes)
PY
}

"$CLI" init-random --preset tiny --out "$work/tiny" --seed 3 > /dev/null || { echo "init-random failed"; exit 1; }
model="$work/tiny"
copy_model() { rm -rf "$work/$1"; cp -r "$model" "$work/$1"; echo "$work/$1"; }
gen() { "$CLI" generate --no-progress --steps 2 --width 64 --height 64 "$@"; }
mkdir -p "$work/out"
out="$work/out/x.ppm"

# ---- safetensors files (inspect) ------------------------------------------------------------
name=header-length-zero;   st "$work/a.safetensors" '{}' 0 0
expect 1 "header length 0.*a.safetensors" -- "$CLI" inspect "$work/a.safetensors"
name=header-past-eof;      st "$work/b.safetensors" '{}' 0 999999
expect 1 "past the end.*b.safetensors" -- "$CLI" inspect "$work/b.safetensors"
name=count-overflow;       st "$work/c.safetensors" '{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}' 0
expect 1 "overflows.*tensor 'w'.*c.safetensors" -- "$CLI" inspect "$work/c.safetensors"
name=metadata-not-string;  st "$work/d.safetensors" '{"__metadata__":{"epoch":3}}' 0
expect 1 "'epoch' has JSON type number.*d.safetensors" -- "$CLI" inspect "$work/d.safetensors"
name=unknown-dtype;        st "$work/e.safetensors" '{"w":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}}' 1
expect 1 "unknown dtype 'Q4'.*tensor 'w'" -- "$CLI" inspect "$work/e.safetensors"
name=overlap;              st "$work/f.safetensors" '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}' 12
expect 1 "overlaps tensor 'a'.*tensor 'b'" -- "$CLI" inspect "$work/f.safetensors"
name=range-outside-data;   st "$work/g.safetensors" '{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}' 4
expect 1 "outside the data section.*g.safetensors" -- "$CLI" inspect "$work/g.safetensors"
name=header-not-json;      st "$work/h.safetensors" '{"w": [1, 2' 0
expect 1 "not valid JSON.*h.safetensors" -- "$CLI" inspect "$work/h.safetensors"
name=truncated-file;       printf 'abc' > "$work/i.safetensors"
expect 1 "too small.*i.safetensors" -- "$CLI" inspect "$work/i.safetensors"
name=shape-not-integer;    st "$work/j.safetensors" '{"w":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}' 8
expect 1 "not a non-negative integer.*tensor 'w'" -- "$CLI" inspect "$work/j.safetensors"

# ---- model folders ---------------------------------------------------------------------------
name=missing-shard; m=$(copy_model shard)
echo '{"weight_map":{"x":"model-00002-of-00002.safetensors"}}' > "$m/transformer/diffusion_pytorch_model.safetensors.index.json"
expect 1 "shard 'model-00002-of-00002.safetensors'.*missing.*index.json" -- "$CLI" inspect "$m"
name=shard-escapes-folder; m=$(copy_model escape)
echo '{"weight_map":{"x":"../../tiny/vae/diffusion_pytorch_model.safetensors"}}' > "$m/transformer/diffusion_pytorch_model.safetensors.index.json"
expect 1 "outside the component folder.*index.json" -- "$CLI" inspect "$m"
name=index-not-json; m=$(copy_model badindex)
echo '{ nope' > "$m/vae/diffusion_pytorch_model.safetensors.index.json"
expect 1 "invalid JSON.*index.json" -- "$CLI" inspect "$m"
name=not-a-model-folder; mkdir -p "$work/empty"
expect 1 "no NewBie components.*empty" -- "$CLI" inspect "$work/empty"
name=model-folder-missing
expect 1 "does not exist.*nope" -- gen --model "$work/nope" --prompt x --out "$out"; no_leftovers "$out"
name=wrong-shape-vs-config; m=$(copy_model shape)
python3 - "$m/transformer/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["n_layers"] = c["n_layers"] + 1; json.dump(c, open(sys.argv[1], "w"))
PY
expect 1 "tensor 'layers\.[0-9]+\..*\]" -- gen --model "$m" --prompt x --out "$out"; no_leftovers "$out"
name=missing-tensor; m=$(copy_model missing)
python3 - "$m/vae" <<'PY'
import json, struct, sys, glob
f = glob.glob(sys.argv[1] + "/*.safetensors")[0]
b = open(f, "rb").read(); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n]); data = b[8 + n:]
drop = sorted(k for k in h if k.startswith("decoder.conv_out"))[0]
out, blob, off = {}, b"", 0
for k, v in h.items():
    if k in ("__metadata__", drop): continue
    s, e = v["data_offsets"]; blob += data[s:e]; v["data_offsets"] = [off, off + e - s]; off += e - s; out[k] = v
hdr = json.dumps(out).encode(); open(f, "wb").write(struct.pack("<Q", len(hdr)) + hdr + blob)
print(drop, file=open(sys.argv[1] + "/../dropped.txt", "w"))
PY
expect 1 "missing.*tensor '$(cat "$m/dropped.txt")'" -- gen --model "$m" --prompt x --out "$out"; no_leftovers "$out"
name=nan-weights; m=$(copy_model nan)
python3 - "$m/transformer" <<'PY'
import json, struct, sys, glob
f = glob.glob(sys.argv[1] + "/*.safetensors")[0]
b = bytearray(open(f, "rb").read()); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n])
k = sorted(k for k, v in h.items() if k != "__metadata__" and v["dtype"] in ("F32", "BF16") and k.endswith("weight"))[0]
s = 8 + n + h[k]["data_offsets"][0]
b[s:s + 4] = struct.pack("<f", float("nan")) if h[k]["dtype"] == "F32" else b"\xc0\x7f\xc0\x7f"
open(f, "wb").write(b); print(k, file=open(sys.argv[1] + "/../nan.txt", "w"))
PY
expect 1 "NaN.*tensor '$(cat "$m/nan.txt" | sed 's/\./\\./g')'" -- gen --model "$m" --prompt x --out "$out"; no_leftovers "$out"
name=unreadable-folder
if [ "$(id -u)" -ne 0 ]; then
  m=$(copy_model locked); chmod 000 "$m/vae"
  expect 1 "vae" -- gen --model "$m" --prompt x --out "$out"; no_leftovers "$out"; chmod 755 "$m/vae"
else
  m=$(copy_model locked); rm -rf "$m/vae"; mkdir "$m/vae"  # root reads anything: an empty folder instead
  expect 1 "no \*\.safetensors weight files in .*vae" -- gen --model "$m" --prompt x --out "$out"; no_leftovers "$out"
fi

# ---- prompts -----------------------------------------------------------------------------------
printf '<character_1><n>miku</n></character_1>\n' > "$work/good.xml"
name=prompt-file-missing-xml
expect 2 "--prompt file 'missing\.xml' does not exist" -- gen --model "$model" --prompt missing.xml --out "$out"; no_leftovers "$out"
name=prompt-file-missing-path
expect 2 "--prompt file '$work/no/such' does not exist" -- gen --model "$model" --prompt "$work/no/such" --out "$out"; no_leftovers "$out"
name=prompt-not-utf8; printf '<character_1>\n<n>mi\xffku</n>\n</character_1>\n' > "$work/latin1.xml"
expect 2 "latin1\.xml: line 2, column 6: .*not valid UTF-8" -- gen --model "$model" --prompt "$work/latin1.xml" --out "$out"; no_leftovers "$out"
name=prompt-nul-byte; printf '1girl,\nblue\0hair\n' > "$work/nul.txt"
expect 2 "nul\.txt: line 2, column 5: .*NUL" -- gen --model "$model" --prompt "$work/nul.txt" --out "$out"; no_leftovers "$out"
name=prompt-doctype; printf '<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY a "aaaa">]>\n<general_tags><other>&a;</other></general_tags>\n' > "$work/dtd.xml"
expect 2 "dtd\.xml: line 2, column 1: .*DOCTYPE" -- gen --model "$model" --prompt "$work/dtd.xml" --out "$out"; no_leftovers "$out"
name=prompt-malformed-xml; printf '<character_1>\n  <n>miku</n>\n  <gender>1girl\n</character_1>\n' > "$work/bad.xml"
expect 2 "bad\.xml: line 3, column 3: .*--allow-invalid-prompt" -- gen --model "$model" --prompt "$work/bad.xml" --out "$out"; no_leftovers "$out"
name=prompt-malformed-allowed; cases=$((cases + 1))
gen --model "$model" --prompt "$work/bad.xml" --allow-invalid-prompt --out "$out" > "$work/out.txt" 2>&1 || fail "exit $? with --allow-invalid-prompt"
grep -q "warning: .*bad\.xml: line 3" "$work/out.txt" || fail "no warning for the invalid prompt"
[ -s "$out" ] || fail "no image with --allow-invalid-prompt"; rm -f "$out"
name=prompt-deep-nesting; python3 -c "print('<a>' * 20000 + 'x' + '</a>' * 20000)" > "$work/deep.xml"
expect 2 "deep\.xml: line 1, column [0-9]+: elements are nested more than" -- gen --model "$model" --prompt "$work/deep.xml" --out "$out"; no_leftovers "$out"
name=prompt-too-large; python3 -c "print('1girl, ' * 200000)" > "$work/huge.txt"
expect 2 "huge\.txt' is [0-9]+ bytes; the limit" -- gen --model "$model" --prompt "$work/huge.txt" --out "$out"; no_leftovers "$out"
name=prompt-is-a-folder
expect 2 "is a folder" -- gen --model "$model" --prompt "$work/out" --out "$out"; no_leftovers "$out"
name=negative-not-utf8; printf 'bad\xc3' > "$work/neg.txt"
expect 2 "neg\.txt: line 1, column 4" -- gen --model "$model" --prompt "$work/good.xml" --negative "$work/neg.txt" --out "$out"; no_leftovers "$out"
name=compare-refuses-invalid-xml
expect 2 "bad\.xml: line 3" -- "$CLI" compare --no-progress --model "$model" --prompt "$work/bad.xml" --steps 2 --width 64 --height 64 --out-dir "$work/cmp"
[ ! -e "$work/cmp/a.ppm" ] && [ ! -e "$work/cmp/a.png" ] || fail "compare wrote images for an invalid prompt"

# ---- requests the machine cannot serve -------------------------------------------------------
name=huge-image
expect 2 "16384x16384.*GiB.*available" -- "$CLI" generate --no-progress --model "$model" --prompt x --width 16384 --height 16384 --out "$out"; no_leftovers "$out"
name=too-many-steps
expect 2 "steps.*10000" -- "$CLI" generate --no-progress --model "$model" --prompt x --steps 10000 --out "$out"; no_leftovers "$out"
name=nan-cfg
expect 2 "CFG scale must be a finite number" -- gen --model "$model" --prompt x --cfg nan --out "$out"; no_leftovers "$out"
name=negative-cfg
expect 2 "CFG scale must be >= 0" -- gen --model "$model" --prompt x --cfg -3 --out "$out"; no_leftovers "$out"
name=seed-past-2-64
expect 2 "seed" -- gen --model "$model" --prompt x --seed 99999999999999999999 --out "$out"; no_leftovers "$out"
name=more-memory-than-free; m=$(copy_model bigdim)
python3 - "$m/transformer/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["dim"] = 10**9; json.dump(c, open(sys.argv[1], "w"))
PY
expect 2 "needs more memory than the machine has free: about [0-9.]+ GiB" -- gen --model "$m" --prompt x --out "$out"; no_leftovers "$out"
name=cuda-missing
if ! nvidia-smi > /dev/null 2>&1; then
  expect 2 "CUDA was requested" -- gen --model "$model" --prompt x --device cuda --out "$out"; no_leftovers "$out"
fi

# ---- exports -----------------------------------------------------------------------------------
name=output-folder-missing
expect 1 "cannot write '$work/none/x.ppm'" -- gen --model "$model" --prompt x --out "$work/none/x.ppm"
name=output-is-a-folder; mkdir -p "$work/out/dir.ppm"
expect 1 "dir\.ppm" -- gen --model "$model" --prompt x --out "$work/out/dir.ppm"
[ -d "$work/out/dir.ppm" ] || fail "the folder was replaced"; rmdir "$work/out/dir.ppm"
name=file-size-limit   # a full disk as far as this process can tell: writes past 4 KiB fail with EFBIG
expect 1 "write failed for '$out'" -- bash -c "ulimit -f 4; exec \"\$@\"" _ "$CLI" generate --no-progress --steps 2 --width 128 --height 128 --model "$model" --prompt x --out "$out"
no_leftovers "$out"
name=report-size-limit
expect 1 "write failed for '$work/out/r.json'" -- bash -c "ulimit -f 1; exec \"\$@\"" _ "$CLI" generate --no-progress --steps 2 --width 16 --height 16 --model "$model" --prompt x --out "$work/out/small.ppm" --report "$work/out/r.json"
no_leftovers "$work/out/r.json"; rm -f "$work/out/small.ppm"

# ---- cancel mid-step ---------------------------------------------------------------------------
name=cancel-mid-step; cases=$((cases + 1))
cp "$work/good.xml" "$work/good.before"
"$CLI" generate --model "$model" --prompt "$work/good.xml" --steps 1000 --width 64 --height 64 --out "$out" > "$work/out.txt" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q "sample [1-9]" "$work/out.txt" && break; sleep 0.2; done
kill -INT "$pid"; wait "$pid"; rc=$?
[ "$rc" -eq 130 ] || fail "exit $rc after Ctrl-C, expected 130"
grep -q "cancelled" "$work/out.txt" || fail "no 'cancelled' message"
no_leftovers "$out"
cmp -s "$work/good.xml" "$work/good.before" || fail "the prompt file changed"

echo "hostile inputs: $cases cases, $failures failures"
[ "$cases" -ge 30 ] || { echo "FAIL: only $cases cases"; exit 1; }
[ "$failures" -eq 0 ]
