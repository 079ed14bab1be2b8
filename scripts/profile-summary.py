#!/usr/bin/env python3
"""Summarises a Kineto trace (chrome JSON from precision-dit-bench --profile): GPU kernel time
per category, per step, and the share of the step the GPU was idle (launch gaps, host syncs).
Usage: scripts/profile-summary.py trace.json [steps-in-trace]"""
import json
import re
import sys
from collections import defaultdict

CATEGORIES = [
    ("attention (SDPA)", r"flash|fmha|attention|sdpa|cudnn.*(mha|sdpa)|efficient"),
    ("matmul (GEMM)", r"gemm|sm90_xmma|sm80_xmma|cutlass|nvjet|ampere_|hopper|cublas|splitK"),
    ("norm / reductions", r"reduce|norm|welford|rms"),
    ("copies / casts / cat", r"copy|cat|CatArray|direct_copy|to_copy|transpose|permute|index"),
    ("elementwise", r"elementwise|vectorized|unrolled|Functor|silu|tanh|mul|add"),
]


def category(name):
    for label, pattern in CATEGORIES:
        if re.search(pattern, name, re.IGNORECASE):
            return label
    return "other"


def main():
    trace = json.load(open(sys.argv[1]))
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    kernels = [e for e in events if e.get("cat") == "kernel" and "dur" in e]
    if not kernels:
        sys.exit("no GPU kernels in the trace")
    per_cat, per_name = defaultdict(float), defaultdict(float)
    for k in kernels:
        per_cat[category(k["name"])] += k["dur"]
        per_name[k["name"]] += k["dur"]
    busy = sum(per_cat.values())
    start = min(k["ts"] for k in kernels)
    end = max(k["ts"] + k["dur"] for k in kernels)
    span = end - start
    print(f"kernels: {len(kernels)} in {steps} steps; GPU busy {busy / 1e3 / steps:.1f} ms per step of "
          f"{span / 1e3 / steps:.1f} ms spanned ({100 * (1 - busy / span):.1f} % idle)\n")
    print("| category | ms per step | share of GPU time |\n|---|---|---|")
    for label, us in sorted(per_cat.items(), key=lambda kv: -kv[1]):
        print(f"| {label} | {us / 1e3 / steps:.2f} | {100 * us / busy:.1f} % |")
    print("\nTop kernels:\n\n| kernel | ms per step |\n|---|---|")
    for name, us in sorted(per_name.items(), key=lambda kv: -kv[1])[:15]:
        short = name if len(name) < 90 else name[:87] + "..."
        print(f"| `{short}` | {us / 1e3 / steps:.2f} |")


if __name__ == "__main__":
    main()
