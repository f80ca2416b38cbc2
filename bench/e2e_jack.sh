#!/bin/sh
# SPDX-License-Identifier: MIT
# e2e_jack.sh: the end-to-end comparison on one private JACK dummy server at 48000 Hz / 64 frames: the engine's
# JACK backend (mixx stability, latency meter off), the native C client (mixx-jack-native, run by mixx stability
# as its back-to-back baseline), and MixxEngineHost (JUCE) in engine and native modes, one after the other in
# the same server session. Writes one table (callback p50/p99/p99.9, interval jitter) to docs/report/e2e.md.
#
# usage: bench/e2e_jack.sh [--duration SECONDS] [--build DIR] [--host PATH] [--out FILE]
#   --build DIR   where mixx and mixx-jack-native are (default build; DIR/tools/...)
#   --host PATH   MixxEngineHost (default: DIR/host/juce/MixxEngineHost_artefacts/*/MixxEngineHost); if absent
#                 the JUCE rows say so
# The server is started through tests/jack_server.sh under a unique name and always stopped by its PID.
set -u
DURATION=30
BUILD=build
HOST=
OUT=docs/report/e2e.md
while [ $# -gt 0 ]; do
    case $1 in
        --duration) DURATION=$2; shift 2 ;;
        --build) BUILD=$2; shift 2 ;;
        --host) HOST=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        *) echo "usage: $0 [--duration SECONDS] [--build DIR] [--host PATH] [--out FILE]" >&2; exit 2 ;;
    esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MIXX=$BUILD/tools/mixx
NATIVE=$BUILD/tools/mixx-jack-native
if [ -z "$HOST" ]; then
    for h in "$BUILD"/host/juce/MixxEngineHost_artefacts/*/MixxEngineHost; do [ -x "$h" ] && HOST=$h; done
fi
command -v jackd >/dev/null 2>&1 || { echo "e2e_jack.sh: jackd not installed" >&2; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "e2e_jack.sh: python3 needed to build the table" >&2; exit 77; }
[ -x "$MIXX" ] || { echo "e2e_jack.sh: no $MIXX (build first)" >&2; exit 2; }
[ -x "$NATIVE" ] || echo "e2e_jack.sh: warning: no $NATIVE: the native row will be empty" >&2

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mixx-e2e.XXXXXX") || exit 1
STATE=$TMP/jack.state
cleanup() {
    [ -f "$STATE" ] && sh "$ROOT/tests/jack_server.sh" stop "$STATE"
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

NAME=$(sh "$ROOT/tests/jack_server.sh" start "$STATE" "mixx-e2e-$$-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')" 64) ||
    { echo "e2e_jack.sh: could not start a private jackd" >&2; exit 1; }
export JACK_DEFAULT_SERVER="$NAME" JACK_NO_START_SERVER=1
read -r JACKD_PID _ <"$STATE"
JACKD_CMD=$(tr '\0' ' ' <"/proc/$JACKD_PID/cmdline" 2>/dev/null)
echo "e2e_jack.sh: jackd $NAME (pid $JACKD_PID): $JACKD_CMD; $DURATION s per run" >&2

# 1+2: the engine on its JACK backend, then (back-to-back) the native client, by the stability tooling
echo "e2e_jack.sh: mixx stability (engine, then mixx-jack-native)" >&2
"$MIXX" stability --backend jack --duration "${DURATION}s" --no-latency --baseline --out "$TMP/stability" \
    --note "bench/e2e_jack.sh: private jackd $NAME" >"$TMP/stability.log" 2>&1 ||
    echo "e2e_jack.sh: mixx stability failed (see below)" >&2
# 3+4: the JUCE host, engine mode then native mode
for mode in engine native; do
    if [ -n "$HOST" ] && [ -x "$HOST" ]; then
        echo "e2e_jack.sh: MixxEngineHost ($mode)" >&2
        flag=
        [ $mode = native ] && flag=--native
        timeout $((DURATION + 60)) "$HOST" --headless --json --seconds "$DURATION" $flag \
            >"$TMP/juce_$mode.json" 2>"$TMP/juce_$mode.err" || echo "e2e_jack.sh: MixxEngineHost $mode failed" >&2
    fi
done

mkdir -p "$(dirname "$OUT")"
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
python3 - "$TMP" "$OUT" "$DURATION" "$JACKD_CMD" "$CPU" "$MIXX" "$HOST" "$*" <<'EOF'
import json, os, sys, datetime
tmp, out, duration, jackd, cpu, mixx, host, _ = sys.argv[1:9]
period = 64 / 48000 * 1e9

def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except Exception as exc:  # missing or not JSON: the row says so
        return {"error": f"{os.path.basename(path)}: {exc}"}

rep = load(os.path.join(tmp, "stability", "report.json"))
rows = []
def row(name, scope, d, cb, iv, err=None):
    rows.append((name, scope, d, cb or {}, iv or {}, err))

if "error" in rep:
    row("engine, JACK backend (mixx)", "", {}, None, None, rep["error"])
else:
    row("engine, JACK backend (mixx)", "engine cycle (copy + record), port buffers fetched before", rep, rep.get("callback_ns"),
        rep.get("interval_ns"))
    b = rep.get("baseline") or {}
    row("native C client (mixx-jack-native)", "4 × jack_port_get_buffer + copy", b, b.get("callback_ns"),
        b.get("interval_ns"), b.get("error"))
for mode in ("engine", "native"):
    j = load(os.path.join(tmp, f"juce_{mode}.json"))
    if not host:
        j = {"error": "MixxEngineHost not built (-DMIXX_BUILD_JUCE_HOST=ON) or --host not given"}
    row(f"JUCE host, {mode} mode (MixxEngineHost)", "host callback body: process() or copy", j, j.get("callback_ns"),
        j.get("interval_ns"), j.get("error"))
    if mode == "engine" and "engine" in j:
        e = j["engine"]
        row("  the same run, engine's own timing", "engine cycle inside process()", e,
            e.get("callback_ns"), e.get("interval_ns"))

def us(v):
    return "–" if v is None else f"{v / 1000:.1f}"

lines = []
lines.append("# End to end on JACK: engine, native client, JUCE host\n")
lines.append(f"Generated {datetime.datetime.now().isoformat(timespec='seconds')} by `bench/e2e_jack.sh "
             f"--duration {duration}` on {cpu} ({os.cpu_count()} CPUs), one private JACK dummy server "
             f"(`{jackd.strip()}`), {duration} s per run, run one after the other in the order of the table.\n")
lines.append("Times in µs. Callback = time inside the measured scope per cycle; interval = start-to-start of "
             f"consecutive callbacks (period {period / 1000:.1f} µs); jitter = interval percentile − period.\n")
lines.append("| client | scope | callbacks | xruns | misses | cb p50 | cb p99 | cb p99.9 | cb max | iv p50 | iv p99 | "
             "iv max | jitter p99 | jitter max |")
lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for name, scope, d, cb, iv, err in rows:
    if err:
        lines.append(f"| {name} | not measured: {err} |" + " |" * 12)
        continue
    xr = d.get("xruns_backend", d.get("xruns"))
    p99, mx = iv.get("p99"), iv.get("max")
    lines.append(f"| {name} | {scope} | {d.get('callbacks', '–')} | {'–' if xr is None else xr} | "
                 f"{d.get('deadline_misses', '–')} | {us(cb.get('p50'))} | {us(cb.get('p99'))} | "
                 f"{us(cb.get('p999'))} | {us(cb.get('max'))} | {us(iv.get('p50'))} | {us(p99)} | {us(mx)} | "
                 f"{us(None if p99 is None else p99 - period)} | {us(None if mx is None else mx - period)} |")
lines.append("")
lines.append("Each client takes two `CLOCK_MONOTONIC` reads per cycle inside its JACK process callback; what lies "
             "between them differs: the engine's JACK backend times its cycle (copy, instrumentation, record push) "
             "after it fetched the port buffers; the native client also times its four `jack_port_get_buffer` "
             "calls; the JUCE host times the body of its `audioDeviceIOCallback` (JUCE's own JACK callback and "
             "buffer handling lie outside), i.e. `mixx_engine_process` in engine mode (whose own cycle time is the "
             "indented row) or a plain copy in native mode. Intervals come from each client's own start "
             "timestamps, so they carry the JACK dummy driver's wake-up jitter; runs are sequential, so the rows "
             "saw different moments of a shared machine.\n")
lines.append("Command:\n")
lines.append("```sh\nbench/e2e_jack.sh --duration " + duration + " --build " + os.path.dirname(os.path.dirname(mixx))
             + (" --host " + host if host else "") + "\n```\n")
with open(out, "w") as f:
    f.write("\n".join(lines))
print("\n".join(lines))
EOF
status=$?
grep -E "^mixx: (stability|bench)" "$TMP/stability.log" >&2
exit $status
