#!/bin/sh
# SPDX-License-Identifier: MIT
# dsp_smoke.sh MIXX: `mixx bench dsp --json --quick` prints the documented JSON (docs/dsp.md): isa_selected, and
# one result per kernel x supported ISA x n with every key, numbers where they apply and null where they do not.
# Timing is not checked (shared machine).
set -u
out=$(mktemp /tmp/mixx-bench-dsp-XXXXXX)
trap 'rm -f "$out"' EXIT
"$1" bench dsp --json --quick >"$out" || { echo "FAIL: mixx bench dsp --json exited $?"; cat "$out"; exit 1; }
python3 - "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
fails = []
def need(c, msg):
    if not c:
        fails.append(msg)
kernels = ["gain", "gain_ramp", "mix", "biquad", "peak_sumsq", "interleave", "deinterleave", "f32_to_s16",
           "s16_to_f32", "f32_to_s32"]
sizes = [64, 256, 1024, 4096, 1048576]
keys = {"kernel", "isa", "n", "channels", "ns_per_sample", "ns_per_sample_p99", "speedup_vs_scalar",
        "speedup_vs_autovec", "bandwidth_pct"}
need(d.get("isa_selected") in ("scalar", "sse2", "avx2", "avx512", "neon"), "isa_selected %r" % d.get("isa_selected"))
res = d.get("results", [])
isas = sorted({r.get("isa") for r in res})
need(d.get("isa_selected") in isas, "selected ISA %r has no results" % d.get("isa_selected"))
need("scalar" in isas, "no scalar rows")
for r in res:
    need(set(r) == keys, "keys %s" % sorted(r))
    for k in ("ns_per_sample", "ns_per_sample_p99", "speedup_vs_scalar"):
        need(isinstance(r.get(k), (int, float)) and r[k] > 0, "%s %s n=%s: %s = %r" % (r.get("kernel"), r.get("isa"), r.get("n"), k, r.get(k)))
    bw = r.get("bandwidth_pct")
    need((bw is None) == (r.get("n") != 1048576), "%s %s n=%s: bandwidth_pct %r" % (r.get("kernel"), r.get("isa"), r.get("n"), bw))
    need(r.get("channels") == {"biquad": 8, "interleave": 2, "deinterleave": 2}.get(r.get("kernel"), 1), "channels %r" % r)
for k in kernels:
    for n in sizes:
        for i in isas:
            need(sum(1 for r in res if (r["kernel"], r["n"], r["isa"]) == (k, n, i)) == 1, "missing or duplicate %s n=%d %s" % (k, n, i))
need(len(res) == len(kernels) * len(sizes) * len(isas), "%d results" % len(res))
dd = d.get("denormal_decay", {})
need(isinstance(dd.get("ratio_ftz"), (int, float)), "denormal_decay %r" % dd)
for f in fails[:20]:
    print("FAIL:", f)
print("%d results, ISAs %s, %d failures" % (len(res), ",".join(isas), len(fails)))
sys.exit(1 if fails else 0)
PY
