#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tail_figures.py: the callback-tail figures of one stability report, engine beside its native baseline.

Usage: bench/tail_figures.py DIR [DIR...]   prints, per report: engine and native callback p99.9 (us), their
ratio, and the share of callbacks >= 5 us (the engine's from its histogram, the native's from `ge_5us`)."""
import json
import sys

for d in sys.argv[1:]:
    r = json.load(open(d + "/report.json"))
    cb = r["callback_ns"]
    n = sum(c for _, _, c in r["histograms"]["callback_ns"])
    ge5 = sum(c for lo, _, c in r["histograms"]["callback_ns"] if lo >= 5000)
    b = r.get("baseline") or {}
    bcb = b.get("callback_ns") or {}
    bp = bcb.get("p999")
    bge = bcb.get("ge_5us")
    line = f"{d}: backend {r['backend']} engine p99.9 {cb['p999'] / 1000:.2f} us, >=5us {100.0 * ge5 / max(n, 1):.3f} %"
    line += f" ({ge5}/{n}), xruns {r['xruns_backend']}"
    if bp:
        line += f" | native p99.9 {bp / 1000:.2f} us"
        if bge is not None:
            line += f", >=5us {100.0 * bge / max(bcb['count'], 1):.3f} %"
        line += f", xruns {b.get('xruns')} | ratio p99.9 {cb['p999'] / bp:.2f}"
    print(line)
