#!/bin/sh
# SPDX-License-Identifier: MIT
# test_report_format_jack.sh MIXX JACK_SERVER_SH: issue 14 (5): the JACK buffer size changes mid-run
# (jack_bufsize 64 -> 256 on a private dummy server). The change must be in the timeline (buffer_size per second)
# and in report.json (format_changes, formats), expected callbacks are summed per format, and report.md shows a
# per-format table instead of one latency difference computed against the wrong format. check_report.py then
# checks the whole directory. Then (issue 18) `mixx run` across a jack_bufsize shows the change in --json and
# in text. Skips (77) without jackd/jack_bufsize or a JACK-enabled mixx.
set -u
MIXX=$1; JS=$2
here=$(cd "$(dirname "$0")" && pwd)
for t in jackd jack_bufsize; do
    command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
"$MIXX" devices --backend jack 2>&1 | grep -q 'not compiled' && { echo "SKIP: mixx built without JACK"; exit 77; }
work=$(mktemp -d /tmp/mixx-fmt-XXXXXX)
state="$work/jack.state"
cleanup() { sh "$JS" stop "$state" >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT
name=$(sh "$JS" start "$state" "mixxfmt-$$" 64) || { echo "FAIL - could not start a private jackd"; exit 1; }
export JACK_DEFAULT_SERVER="$name" JACK_NO_START_SERVER=1
fails=0; passes=0
ok() { passes=$((passes + 1)); echo "ok - $1"; }
bad() { fails=$((fails + 1)); echo "FAIL - $1"; }

"$MIXX" stability --backend jack --self-loop --duration 5s --out "$work/r" >"$work/run.out" 2>&1 &
p=$!
sleep 2.5
jack_bufsize 256 >"$work/bufsize.out" 2>&1 || { bad "jack_bufsize 256"; cat "$work/bufsize.out"; }
wait $p; rc=$?
[ $rc -eq 0 ] && ok "run across the change exits 0" || { bad "run exit $rc"; cat "$work/run.out"; }
python3 - "$work/r" <<'PY' && ok "format change recorded, figures per format" || bad "format change"
import json, sys
d = sys.argv[1]; r = json.load(open(d + "/report.json")); md = open(d + "/report.md").read()
secs = [json.loads(l) for l in open(d + "/timeline.jsonl") if '"second"' in l]
sizes = sorted({s["buffer_size"] for s in secs if s["callbacks"]})
assert sizes == [64, 256], "timeline buffer sizes %r" % sizes
assert r["format_changes"] >= 1 and [f["buffer_size"] for f in r["formats"]][:2] == [64, 256], r["formats"]
exp = r["expected_callbacks"]; cb = r["callbacks"]
# the second in which the size changes counts with its last callback's format (docs/report-schema.md): up to
# one second's worth of the smaller buffer's callbacks off per change, the slack check_report.py allows too
slack = r["format_changes"] * max(f["sample_rate"] / f["buffer_size"] for f in r["formats"])
assert abs(cb - exp) <= max(0.05 * exp, 50) + slack, "callbacks %d vs expected (per format) %.0f (+- %.0f)" % (
    cb, exp, max(0.05 * exp, 50) + slack)
assert "### Formats" in md and "so the engine adds" not in md, "report.md has no per-format table or a wrong RTL claim"
PY
/usr/bin/python3 "$here/check_report.py" "$work/r" >"$work/check.out" 2>&1 && ok "check_report.py" \
    || { bad "check_report.py:"; cat "$work/check.out"; }

# issue 18: mixx run shows a change while running, in --json and in text (the server is at 256 now)
"$MIXX" run --backend jack --self-loop --duration 3s --json >"$work/run.json" 2>"$work/run.err" &
p=$!
sleep 1.5
jack_bufsize 128 >"$work/bufsize.out" 2>&1 || { bad "jack_bufsize 128"; cat "$work/bufsize.out"; }
wait $p; rc=$?
python3 - "$work/run.json" <<'PY' && ok "mixx run --json: format_changes 1, from 256 frames" \
    || { bad "mixx run --json (exit $rc)"; cat "$work/run.json" "$work/run.err"; }
import json, sys
r = json.load(open(sys.argv[1]))
assert r["format_changes"] == 1, "format_changes %r" % r["format_changes"]
assert r["buffer_size"] == 128 and r["format_prev"]["buffer_size"] == 256, (r["buffer_size"], r["format_prev"])
assert 0 < r["format_prev"]["at_callback"] <= r["callbacks"], (r["format_prev"], r["callbacks"])
PY
"$MIXX" run --backend jack --self-loop --duration 3s >"$work/run.txt" 2>&1 &
p=$!
sleep 1.5
jack_bufsize 64 >"$work/bufsize.out" 2>&1 || { bad "jack_bufsize 64"; cat "$work/bufsize.out"; }
wait $p; rc=$?
grep -q '^format change   1 while running; the last from [0-9]* Hz, 128 frames' "$work/run.txt" \
    && ok "mixx run text: the format change line" || { bad "mixx run text (exit $rc)"; cat "$work/run.txt"; }
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
