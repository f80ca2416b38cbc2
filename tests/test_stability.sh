#!/bin/sh
# SPDX-License-Identifier: MIT
# test_stability.sh MIXX BACKEND [extra mixx options]: a 20-second stability run with its native baseline,
# checked by check_report.py (files, schema, consistent counts, real images); then the report is re-rendered
# from its JSON alone; then an interrupted run (SIGINT) must still write a complete report marked interrupted;
# and an unwritable output directory must fail before the run starts.
set -u
MIXX=$1; BACKEND=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/mixx-stab-XXXXXX)
trap 'rm -rf "$work"' EXIT
fails=0; passes=0
ok() { passes=$((passes + 1)); echo "ok - $1"; }
bad() { fails=$((fails + 1)); echo "FAIL - $1"; }

"$MIXX" stability --backend "$BACKEND" --duration 20s --out "$work/run" --baseline-concurrent "$@" >"$work/out.txt" 2>&1
rc=$?
cat "$work/out.txt"
[ $rc -eq 0 ] && ok "20 s $BACKEND run exits 0" || bad "20 s $BACKEND run exit code $rc"
/usr/bin/python3 "$here/check_report.py" "$work/run" --expect-duration 20 && ok "report checks" || bad "report checks"
python3 - "$work/run/report.json" <<'PY' && ok "latency meter measured the loop" || bad "latency meter"
import json, sys
r = json.load(open(sys.argv[1]))["rtl"]
assert r["active"] and r["measurements"] >= 10 and r["ok"] >= 10, r
assert abs(r["mean_frames"] - r["expected_frames"]) < 0.05, r
PY
python3 - "$work/run/report.json" <<'PY' && ok "baseline present" || bad "baseline missing"
import json, sys
b = json.load(open(sys.argv[1]))["baseline"]
assert b and "error" not in b and b["callbacks"] > 1000, b
PY
if [ "$BACKEND" = sim ]; then
    # the two loops trade CPUs every 5 s (tools/placement.h): 20 s give 3 swaps, half the time on each CPU
    python3 - "$work/run/report.json" "$work/run/report.md" <<'PY' && ok "placement: loops swapped CPUs" || bad "placement"
import json, os, sys
p = json.load(open(sys.argv[1]))["baseline"]["placement"]
if len(os.sched_getaffinity(0)) < 2:
    assert p["mode"] == "scheduler" and "CPU" in p["why"], p
else:
    assert p["mode"] == "swap", p
    assert p["cpus"][0] != p["cpus"][1], p
    assert p["swaps"] >= 3, p
    assert p["pin_failures"] == 0, p
    e = p["engine_s"]
    # accounting starts once both loops are found (at most 5 s in, on a loaded machine)
    assert 14.5 < sum(e) < 20.5 and min(e) > 5, p
    md = open(sys.argv[2]).read()
    assert "traded CPUs" in md, "report.md does not say where the loops ran"
PY
    err=$("$MIXX" stability --backend sim --duration 1s --out "$work/bad" --baseline-concurrent --placement sideways 2>&1 >/dev/null); rc=$?
    [ $rc -eq 2 ] && echo "$err" | grep -q -- "--placement" && ok "bad --placement refused: $err" || bad "bad --placement (rc $rc): $err"
    err=$("$MIXX" stability --backend sim --duration 1s --out "$work/bad" --placement free 2>&1 >/dev/null); rc=$?
    [ $rc -eq 2 ] && echo "$err" | grep -q -- "--baseline-concurrent" && ok "--placement without a concurrent baseline refused: $err" || bad "--placement without baseline (rc $rc): $err"
fi
rm -f "$work/run/report.md" "$work/run"/*.png
"$MIXX" report "$work/run" && [ -s "$work/run/report.md" ] && [ -s "$work/run/rtl.png" ] \
    && ok "mixx report re-renders from JSON" || bad "mixx report"

# interrupted: SIGINT after 3 s of a 60 s run
"$MIXX" stability --backend "$BACKEND" --duration 60s --out "$work/int" "$@" >"$work/int.txt" 2>&1 &
pid=$!
sleep 3
kill -INT $pid
wait $pid
rc=$?
[ $rc -ne 0 ] && ok "interrupted run exits non-zero ($rc)" || { bad "interrupted run exit $rc"; cat "$work/int.txt"; }
if /usr/bin/python3 "$here/check_report.py" "$work/int" --allow-interrupted >"$work/int-check.txt" 2>&1; then
    ok "interrupted report complete"
else
    bad "interrupted report: check_report.py says:"
    cat "$work/int-check.txt"
    echo "--- the interrupted run printed:"
    cat "$work/int.txt"
fi
grep -q '"interrupted":\s*true' "$work/int/report.json" && ok "marked interrupted" || bad "not marked interrupted"

# unwritable output: fails at once, with one line on stderr
start=$(date +%s)
err=$("$MIXX" stability --backend "$BACKEND" --duration 30m --out /proc/mixx-no-such-dir "$@" 2>&1 >/dev/null); rc=$?
[ $rc -ne 0 ] && [ $(( $(date +%s) - start )) -lt 5 ] && ok "unwritable dir refused at once: $err" || bad "unwritable dir (rc $rc)"

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
