#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh: the main job. Sets up a fresh Debian 12 machine (when run as root), builds MixxEngine, and runs a
# one-minute stability + latency run on the simulated loopback device (with the native baseline beside it in
# the same window), writing a report to out/report-sim/.
# Usage: scripts/run.sh [duration]      (MIXX_SKIP_SETUP=1 to skip apt-get)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
duration=${1:-60s}
if [ "$(id -u)" -eq 0 ] && [ "${MIXX_SKIP_SETUP:-0}" != 1 ]; then
    MIXX_SETUP_JUCE=0 "$here/scripts/setup-debian.sh"
fi
cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build" -j"$(nproc)" --target mixx >/dev/null
out=$here/out/report-sim
"$here/build/tools/mixx" stability --backend sim --rate 48000 --buffer 64 --duration "$duration" \
    --baseline-concurrent --force --out "$out"
echo "The report is in $out/report.md (data: report.json, timeline.jsonl; plots: *.png, *.svg)"
