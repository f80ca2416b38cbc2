#!/bin/sh
# SPDX-License-Identifier: MIT
# dsp_plot.sh: runs `mixx bench dsp --json` (or takes its output), keeps it as docs/data/bench_dsp.json, writes
# docs/data/bench_dsp.tsv (one block per kernel: n, then ns/sample of novec, autovec and each ISA) and the plot
# docs/img/bench_dsp.png (gnuplot, ns/sample against n per ISA), and prints the markdown tables of docs/dsp.md.
# usage: bench/dsp_plot.sh [path/to/mixx | file.json]      (run from the source root; default build/tools/mixx)
set -eu
SRC=${1:-build/tools/mixx}
mkdir -p docs/data docs/img
if [ -x "$SRC" ] && [ ! -d "$SRC" ] && ! head -c1 "$SRC" | grep -q '{'; then
    "$SRC" bench dsp --json > docs/data/bench_dsp.json
elif [ "$SRC" != docs/data/bench_dsp.json ]; then
    cp "$SRC" docs/data/bench_dsp.json
fi
python3 - docs/data/bench_dsp.json docs/data/bench_dsp.tsv <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
res = d["results"]
kernels = []
for r in res:
    if r["kernel"] not in kernels:
        kernels.append(r["kernel"])
isas = [i for i in ("scalar", "sse2", "avx2", "avx512", "neon") if any(r["isa"] == i for r in res)]
sizes = sorted({r["n"] for r in res})
row = {(r["kernel"], r["isa"], r["n"]): r for r in res}
with open(sys.argv[2], "w") as f:
    for k in kernels:
        f.write("# %s\nn\tnovec\tautovec\t%s\n" % (k, "\t".join(isas)))
        for n in sizes:
            r0 = row[(k, isas[0], n)]
            novec = r0["ns_per_sample"] * r0["speedup_vs_scalar"]
            auto = r0["ns_per_sample"] * r0["speedup_vs_autovec"] if r0["speedup_vs_autovec"] else float("nan")
            f.write("%d\t%.5g\t%.5g\t%s\n" % (n, novec, auto, "\t".join("%.5g" % row[(k, i, n)]["ns_per_sample"] for i in isas)))
        f.write("\n\n")
best = isas[-1]
print("ISA selected: %s; triad %.1f GB/s; denormal decay (biquad 8 ch, n=256, %s): %.2f x with FTZ/DAZ, %.2f x without"
      % (d["isa_selected"], d.get("triad_bytes_per_ns", 0), d["isa_selected"], d["denormal_decay"]["ratio_ftz"],
         d["denormal_decay"]["ratio_no_ftz"]))
print()
print("Speedup against the scalar reference built without vectorisation (against the auto-vectorised build), n = 256:")
print()
print("| kernel | ch | novec ns/sample | " + " | ".join(isas) + " |")
print("|---|---|---|" + "---|" * len(isas))
for k in kernels:
    r0 = row[(k, isas[0], 256)]
    cells = ["%.2f (%.2f)" % (row[(k, i, 256)]["speedup_vs_scalar"], row[(k, i, 256)]["speedup_vs_autovec"] or float("nan")) for i in isas]
    print("| %s | %d | %.3f | %s |" % (k, r0["channels"], r0["ns_per_sample"] * r0["speedup_vs_scalar"], " | ".join(cells)))
print()
print("n = 1048576: ns/sample (share of the triad's bytes/ns):")
print()
print("| kernel | " + " | ".join(isas) + " |")
print("|---|" + "---|" * len(isas))
for k in kernels:
    cells = ["%.3f (%.0f %%)" % (row[(k, i, 1048576)]["ns_per_sample"], row[(k, i, 1048576)]["bandwidth_pct"]) for i in isas]
    print("| %s | %s |" % (k, " | ".join(cells)))
PY
n_isa=$(head -2 docs/data/bench_dsp.tsv | tail -1 | awk -F'\t' '{print NF}')
gnuplot -e "data='docs/data/bench_dsp.tsv'; out='docs/img/bench_dsp.png'; ncol=$n_isa" bench/dsp_plot.gp
echo "wrote docs/data/bench_dsp.json docs/data/bench_dsp.tsv docs/img/bench_dsp.png"
