#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-only
# strip_callgrind.sh: instructions per block of the engine's strip and of NativeStrip (the same strip in plain JUCE),
# 2 channels, 64 and 256 frames, defaults and all bands active, counted by callgrind (stable on a shared machine).
# usage: sh host/juce/strip_callgrind.sh [path/to/MixxStripCompare] [blocks (2000)]          (needs valgrind)
# Each figure runs `MixxStripCompare cg SIDE SETTING FRAMES BLOCKS` under callgrind with --toggle-collect on the one
# function that runs the counted blocks (mixxhost_cg_engine_blocks: mixx_engine_process, hosted, instrument=0;
# mixxhost_cg_native_blocks: memcpy in->out + NativeStrip::process), after uncounted warm-up blocks that settle the
# ramps; per block = the total divided by BLOCKS.
set -eu
BIN=${1:-build/host/juce/MixxStripCompare_artefacts/RelWithDebInfo/MixxStripCompare}
BLOCKS=${2:-2000}
command -v valgrind >/dev/null 2>&1 || { echo "strip_callgrind.sh: valgrind not installed (apt-get install valgrind)" >&2; exit 77; }
[ -x "$BIN" ] || { echo "strip_callgrind.sh: $BIN not found" >&2; exit 2; }
TMP=$(mktemp -d /tmp/mixx-strip-cg.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
printf '# callgrind instructions per block, 2 channels, %s blocks per figure\n' "$BLOCKS"
printf '%-6s %-10s %12s %12s %7s\n' frames setting engine juce ratio
for frames in 64 256; do
    for setting in defaults all-bands; do
        for side in engine native; do
            valgrind --tool=callgrind --toggle-collect="mixxhost_cg_${side}_blocks" \
                --callgrind-out-file="$TMP/cg.$side" "$BIN" cg "$side" "$setting" "$frames" "$BLOCKS" \
                >"$TMP/log.$side" 2>&1 || { cat "$TMP/log.$side" >&2; exit 1; }
            total=$(sed -n 's/^==[0-9]*== Collected : *\([0-9]*\).*/\1/p' "$TMP/log.$side" | head -n 1)
            [ -n "$total" ] || { cat "$TMP/log.$side" >&2; echo "strip_callgrind.sh: no count" >&2; exit 1; }
            eval "ir_$side=\$(awk -v t=\"\$total\" -v n=\"\$BLOCKS\" 'BEGIN { printf \"%.0f\", t / n }')"
        done
        printf '%-6s %-10s %12s %12s %7s\n' "$frames" "$setting" "$ir_engine" "$ir_native" \
            "$(awk -v a="$ir_engine" -v b="$ir_native" 'BEGIN { printf "%.2f", a / b }')"
    done
done
