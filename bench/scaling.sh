#!/bin/sh
# SPDX-License-Identifier: MIT
# scaling.sh: engine cost per block over buffer size (16..4096 frames) x channel count (1..64): writes the data
# (docs/data/bench_scaling.tsv), the plot (docs/img/bench_scaling.png, gnuplot) and prints a markdown table.
# usage: bench/scaling.sh [path/to/mixx] [reps]      (run from the source root)
set -eu
MIXX=${1:-build/tools/mixx}
REPS=${2:-500}
mkdir -p docs/data docs/img
"$MIXX" bench --scaling --tsv --reps "$REPS" > docs/data/bench_scaling.tsv
gnuplot -e "data='docs/data/bench_scaling.tsv'; out='docs/img/bench_scaling.png'" bench/scaling.gp
# markdown: engine ns (ratio to floor+timestamps), rows = frames, columns = channels
awk -F'\t' '
    /^#/ || $1 == "frames" { next }
    { v[$1, $2] = sprintf("%.0f (%.2f)", $6, $9); f[$1] = 1; c[$2] = 1 }
    END {
        nf = split("16 32 64 128 256 512 1024 2048 4096", F, " "); nc = split("1 2 4 8 16 32 64", C, " ")
        printf "| frames \\ channels |"; for (j = 1; j <= nc; j++) printf " %s |", C[j]; printf "\n|---|"
        for (j = 1; j <= nc; j++) printf "---|"; printf "\n"
        for (i = 1; i <= nf; i++) { printf "| %s |", F[i]; for (j = 1; j <= nc; j++) printf " %s |", v[F[i], C[j]]; printf "\n" }
    }' docs/data/bench_scaling.tsv
