#!/bin/sh
# SPDX-License-Identifier: MIT
# cold_lines.sh: the audio thread's per-cycle working set as stable counts (issue 13): instructions and distinct
# data cache lines of one cold 64-frame engine block. Runs mixx-bench-cold under callgrind's cache simulator with
# a 512 KiB last-level cache (the walk of 4 MiB of lines before each block flushes it) and collection only inside
# mixx_engine_process, so every line the block touches is a simulated miss, once per block.
# usage: bench/cold_lines.sh [path/to/mixx-bench-cold] [blocks (100)]      (needs valgrind)
# Prints per block: Ir, data lines read-missed, write-missed and their sum, for the engine with the latency meter
# on, with it off, and with it and the instrumentation off. (Code lines are not counted: the walk is data only and
# the simulated I1 keeps the code, so callgrind's I1 misses say nothing about a cold callback.)
set -eu
COLD=${1:-build/bench/mixx-bench-cold}
BLOCKS=${2:-100}
command -v valgrind >/dev/null 2>&1 || { echo "cold_lines.sh: valgrind not installed (apt-get install valgrind)" >&2; exit 77; }
[ -x "$COLD" ] || { echo "cold_lines.sh: $COLD not found" >&2; exit 2; }
TMP=$(mktemp -d /tmp/mixx-coldlines.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
printf '# cold 64-frame block, 2 channels, %s blocks per configuration (callgrind --cache-sim, LL 512 KiB flushed)\n' "$BLOCKS"
printf '%-28s %10s %10s %10s %10s\n' configuration Ir D_lines_rd D_lines_wr D_lines
for conf in "meter+instrument" "no-latency" "no-latency+no-instrument"; do
    case $conf in
        meter+instrument) args="" ;;
        no-latency) args="--no-latency" ;;
        *) args="--no-latency --no-instrument" ;;
    esac
    # shellcheck disable=SC2086
    if ! valgrind --tool=callgrind --cache-sim=yes --LL=524288,8,64 --collect-atstart=no \
        --toggle-collect=mixx_engine_process --callgrind-out-file="$TMP/cg.out" \
        "$COLD" --blocks "$BLOCKS" $args >"$TMP/log" 2>&1; then
        echo "cold_lines.sh: valgrind run failed ($conf):" >&2
        cat "$TMP/log" >&2
        exit 1
    fi
    # "Collected : Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw"
    line=$(grep 'Collected :' "$TMP/log" | tail -1)
    [ -n "$line" ] || { echo "cold_lines.sh: no totals in callgrind's output ($conf):" >&2; cat "$TMP/log" >&2; exit 1; }
    echo "$line" | awk -v b="$BLOCKS" -v c="$conf" '{
        n = split($0, f, " "); k = 0
        for (i = 1; i <= n; i++) if (f[i] == ":") k = i
        ir = f[k + 1]; d1r = f[k + 5]; d1w = f[k + 6]
        printf "%-28s %10.1f %10.2f %10.2f %10.2f\n", c, ir / b, d1r / b, d1w / b, (d1r + d1w) / b
    }'
done
