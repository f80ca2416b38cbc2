#!/bin/sh
# SPDX-License-Identifier: MIT
# callgrind.sh: instruction counts per block (stable on shared machines, unlike wall time) for the floor, the
# floor with timestamps, the ring push and the hosted engine with instrumentation on and off.
# usage: bench/callgrind.sh [path/to/mixx] [frames] [channels] [blocks]     (needs valgrind)
# Each kind runs `mixx bench --callgrind-mode KIND --blocks N` under callgrind with --toggle-collect on the one
# function that is a block of that kind, so exactly N blocks of this thread are counted (not the monitor thread,
# not set-up); the per-block count is the total divided by N. Under valgrind clock_gettime is a real syscall
# (no vDSO): its count is the libc wrapper's, the kernel's instructions are not counted.
set -eu
MIXX=${1:-build/tools/mixx}
FRAMES=${2:-64}
CHANNELS=${3:-2}
BLOCKS=${4:-2000}
command -v valgrind >/dev/null 2>&1 || { echo "callgrind.sh: valgrind not installed (apt-get install valgrind)" >&2; exit 77; }
[ -x "$MIXX" ] || { echo "callgrind.sh: $MIXX not found" >&2; exit 2; }
TMP=$(mktemp -d /tmp/mixx-callgrind.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
# callgrind.h compiled in: instrumentation only around the counted loop (much faster set-up)
INSTR=""
if "$MIXX" bench --callgrind-info | grep -q 'yes'; then INSTR="--instr-atstart=no"; fi
printf '# callgrind instructions per block, %s frames x %s channels, %s blocks per kind\n' "$FRAMES" "$CHANNELS" "$BLOCKS"
printf '%-16s %-26s %14s %12s\n' kind function Ir_total Ir_per_block
for kind in floor floor_ts ring_push engine engine_no_instr; do
    case $kind in
        floor) fn=mixx_bench_cg_floor ;;
        floor_ts) fn=mixx_bench_cg_floor_ts ;;
        ring_push) fn=mixx_bench_cg_ring_push ;;
        *) fn=mixx_engine_process ;;
    esac
    valgrind --tool=callgrind $INSTR --toggle-collect="$fn" --callgrind-out-file="$TMP/cg.$kind" \
        "$MIXX" bench --callgrind-mode "$kind" --blocks "$BLOCKS" --frames "$FRAMES" --channels "$CHANNELS" \
        >"$TMP/log.$kind" 2>&1 || { cat "$TMP/log.$kind" >&2; exit 1; }
    # "Collected" in valgrind's own report (the file's summary line is written before toggled costs are added)
    total=$(sed -n 's/^==[0-9]*== Collected : *\([0-9]*\).*/\1/p' "$TMP/log.$kind" | head -n 1)
    printf '%-16s %-26s %14s %12s\n' "$kind" "$fn" "$total" "$(awk -v t="$total" -v n="$BLOCKS" 'BEGIN { printf "%.1f", t / n }')"
done
