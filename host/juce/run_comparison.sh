#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-only
# run_comparison.sh: the JUCE rows of the stability comparison. On one private JACK dummy server (48000/64,
# started and stopped by PID through tests/jack_server.sh) it runs concurrently, for SECONDS each:
# MixxEngineHost in engine mode, in engine mode with --latency, in --native mode, and `mixx stability --backend
# jack --self-loop --baseline-concurrent` (the engine's own JACK backend + the bare JACK client); then renders
# OUT/README.md with juce_report.py.
#   run_comparison.sh BUILD_DIR [SECONDS (600)] [OUT (docs/report/juce)]     (NOTE=... overrides the report note)
# BUILD_DIR must be configured with -DMIXX_BUILD_JUCE_HOST=ON and built. Run from the source tree's root.
set -u
BUILD=${1:?usage: run_comparison.sh BUILD_DIR [SECONDS] [OUT]}
DUR=${2:-600}
OUT=${3:-docs/report/juce}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HOST=$BUILD/host/juce/MixxEngineHost_artefacts/RelWithDebInfo/MixxEngineHost
MIXX=$BUILD/tools/mixx
[ -x "$HOST" ] || { echo "run_comparison.sh: no $HOST (configure with -DMIXX_BUILD_JUCE_HOST=ON)" >&2; exit 2; }
[ -x "$MIXX" ] || { echo "run_comparison.sh: no $MIXX" >&2; exit 2; }
mkdir -p "$OUT" || exit 1
rm -rf "$OUT/jack-backend" "$OUT"/engine-via-juce*.json* "$OUT/native-juce.json" "$OUT/README.md"

STATE=$(mktemp -u "${TMPDIR:-/tmp}/mixx-juce-cmp.XXXXXX")
PIDS=
cleanup() {
    for p in $PIDS; do
        kill -TERM "$p" 2>/dev/null
    done
    sh "$ROOT/tests/jack_server.sh" stop "$STATE"
    rm -f "$STATE.log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
name=$(sh "$ROOT/tests/jack_server.sh" start "$STATE" "mixx-juce-cmp-$$" 64) || exit 1
export JACK_DEFAULT_SERVER="$name" JACK_NO_START_SERVER=1
echo "run_comparison.sh: server $name, $DUR s, into $OUT"

# the --latency instance first: its self-loop connects the unrenamed client MixxEngineHost's ports
"$HOST" --headless --seconds "$DUR" --json --latency >"$OUT/engine-via-juce-latency.json" &
P0=$!
sleep 1
"$HOST" --headless --seconds "$DUR" --json --log "$OUT/engine-via-juce.timeline.jsonl" >"$OUT/engine-via-juce.json" &
P1=$!
"$HOST" --native --headless --seconds "$DUR" --json >"$OUT/native-juce.json" &
P2=$!
"$MIXX" stability --backend jack --self-loop --duration "$DUR" --baseline-concurrent --out "$OUT/jack-backend" \
    --note "${NOTE:-concurrent with three MixxEngineHost clients (engine, engine --latency, --native) on the same private jackd dummy server, 48000/64}" &
P3=$!
PIDS="$P0 $P1 $P2 $P3"
rc=0
for p in $P0 $P1 $P2 $P3; do
    wait "$p" || rc=1
done
PIDS=
[ $rc -eq 0 ] || { echo "run_comparison.sh: a run failed" >&2; exit 1; }
python3 "$ROOT/host/juce/juce_report.py" "$OUT" --command "host/juce/run_comparison.sh $BUILD $DUR"
