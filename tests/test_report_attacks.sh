#!/bin/sh
# SPDX-License-Identifier: MIT
# test_report_attacks.sh MIXX: issue 14's attacks on `mixx stability --out` and `mixx report` (sim, 2-3 s runs).
# Reuse of --out (refused unless --force; a concurrent run is locked out; --force leaves nothing stale), SIGKILL
# mid-run (rendered as INCOMPLETE), SIGINT during the --baseline phase (marked, never compared), the
# interpretation derived from the data, runs without data to plot, non-regular and corrupt timelines, planted
# symlinks, --out validated before the run, --log refused, a long JACK client name. Each check prints why it
# failed. The full-disk case is test_report_fulldisk.sh (needs a tmpfs), the JACK format change
# test_report_format_jack.sh.
set -u
MIXX=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/mixx-attack-XXXXXX)
trap 'rm -rf "$work"' EXIT
fails=0; passes=0
ok() { passes=$((passes + 1)); echo "ok - $1"; }
bad() { fails=$((fails + 1)); echo "FAIL - $1"; }
check() { # DIR [check_report options]: check_report.py, its output shown on failure
    d=$1; shift
    /usr/bin/python3 "$here/check_report.py" "$d" "$@" >"$work/check.out" 2>&1 && return 0
    cat "$work/check.out"; return 1
}
no_tmp() { # DIR: no temporary file left anywhere in the report directory
    left=$(find "$1" -name '*.tmp' -o -name '*.part' 2>/dev/null | head -3)
    [ -z "$left" ] || { echo "  left behind: $left"; return 1; }
}
run() { "$MIXX" stability --duration 2s "$@"; }

# ---- (2) reusing --out: refused when not empty, a second concurrent run is locked out, --force replaces all ----
run --out "$work/a" >"$work/a1.out" 2>&1 && check "$work/a" && ok "first run into a" || { bad "first run"; cat "$work/a1.out"; }
start=$(date +%s)
err=$(run --out "$work/a" 2>&1 >/dev/null); rc=$?
[ $rc -ne 0 ] && [ $(( $(date +%s) - start )) -lt 2 ] && echo "$err" | grep -q 'not empty.*--force' \
    && ok "non-empty --out refused at once: $err" || bad "non-empty --out: rc $rc, '$err'"
"$MIXX" stability --duration 3s --out "$work/b" >"$work/b1.out" 2>&1 &
p1=$!
sleep 1
err=$(run --out "$work/b" --force 2>&1 >/dev/null); rc=$?
echo "$err" | grep -q 'another mixx' && [ $rc -ne 0 ] && ok "concurrent run on the same --out refused: $err" \
    || bad "concurrent run: rc $rc, '$err'"
err=$("$MIXX" report "$work/b" 2>&1); rc=$?
echo "$err" | grep -q 'another mixx' && [ $rc -ne 0 ] && ok "mixx report refused while a run writes the directory" \
    || bad "mixx report during a run: rc $rc, '$err'"
wait $p1; rc=$?
[ $rc -eq 0 ] && check "$work/b" --expect-duration 3 && ok "the first run's report is whole and its own" \
    || { bad "first of two runs: rc $rc"; cat "$work/b1.out"; }
python3 - "$work/b" <<'PY' && ok "report.md and report.json agree" || bad "report.md and report.json disagree"
import json, sys
r = json.load(open(sys.argv[1] + "/report.json")); md = open(sys.argv[1] + "/report.md").read()
assert r["command"] in md and "| callbacks | %d |" % r["callbacks"] in md, "md lacks this run's command/callbacks"
PY
touch -d '2000-01-01' "$work/a"/* "$work/a/data"/*
echo keep >"$work/a/notes.txt"
run --out "$work/a" --force --no-latency >"$work/a2.out" 2>&1 && ok "--force replaces the report" || { bad "--force"; cat "$work/a2.out"; }
stale=$(find "$work/a" -type f ! -newermt '2001-01-01' ! -name notes.txt ! -name .mixx.lock)
[ -z "$stale" ] && ok "--force: no file of the old report survives" || bad "--force left stale files: $stale"
[ -f "$work/a/notes.txt" ] && ok "--force leaves files that are not the report's alone" || bad "--force removed notes.txt"
grep -q '"active":[[:space:]]*false' "$work/a/report.json" && ok "the report is the new run's (--no-latency)" \
    || bad "report.json is not the second run's"

# ---- (3) SIGKILL mid-run: mixx report renders what is left, marked INCOMPLETE; no stale report in a reused dir ----
"$MIXX" stability --duration 30s --out "$work/a" --force >/dev/null 2>&1 &
p=$!
sleep 3
kill -KILL $p; wait $p 2>/dev/null
[ ! -e "$work/a/report.json" ] && [ ! -e "$work/a/report.md" ] && ok "killed run: the old report is gone, none looks current" \
    || bad "killed run in a reused dir: an old report.json/report.md is still there"
"$MIXX" report "$work/a" >"$work/k.out" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q 'INCOMPLETE' "$work/a/report.md" && ok "mixx report renders the killed run, marked INCOMPLETE" \
    || { bad "killed run: mixx report rc $rc"; cat "$work/k.out"; }
grep -Eq '\| callbacks \| [1-9][0-9]* \|' "$work/a/report.md" && ok "killed run: counts from its partial timeline" \
    || bad "killed run: no callbacks in report.md"

# ---- (4) SIGINT while the --baseline (after) phase runs: marked interrupted, windows never compared as equal ----
"$MIXX" stability --duration 2s --baseline --out "$work/bl" >"$work/bl.out" 2>&1 &
p=$!
child=""; i=0
while [ -z "$child" ] && [ $i -lt 100 ]; do # the baseline is the only child; it starts after the 2 s engine run
    child=$(pgrep -P $p -f native | head -1); sleep 0.1; i=$((i + 1))
done
sleep 0.5
kill -INT $p; wait $p; rc=$?
[ -n "$child" ] && [ $rc -eq 130 ] && ok "SIGINT during the baseline: exit 130" || { bad "SIGINT during the baseline: child '$child', exit $rc"; cat "$work/bl.out"; }
python3 - "$work/bl" <<'PY' && ok "baseline interruption recorded, no equal-window verdict" || bad "baseline interruption"
import json, sys
r = json.load(open(sys.argv[1] + "/report.json")); md = open(sys.argv[1] + "/report.md").read()
assert r["interrupted"] is True, "interrupted is %r" % r["interrupted"]
assert r["baseline"].get("interrupted") is True, r["baseline"]
assert "no more xruns than the bare" not in md, "report.md compares an interrupted baseline"
PY

# ---- (6) the interpretation follows the data: a near-budget callback, xruns without late wake-ups ----
cp -r "$work/b" "$work/i" && rm -f "$work/i/.mixx.lock"
python3 - "$work/i" <<'PY'
import json, sys
d = sys.argv[1]; r = json.load(open(d + "/report.json"))
period = 1e9 * r["buffer_size"] / r["sample_rate"]
r["callback_ns"]["max"] = int(0.708 * period)  # issue 14: 943.8 us of a 1333 us period
r["xruns_backend"] = 2
json.dump(r, open(d + "/report.json", "w"))
lines = [json.loads(l) for l in open(d + "/timeline.jsonl")]
for s in lines:
    if s.get("type") == "second":
        s["xruns"] = 1 if s["index"] == 0 else 0; s["interval_ns_max"] = int(period); s["callback_ns_max"] = 1000
open(d + "/timeline.jsonl", "w").write("".join(json.dumps(s) + "\n" for s in lines))
PY
"$MIXX" report "$work/i" >"$work/i.out" 2>&1 || { bad "mixx report on an edited report"; cat "$work/i.out"; }
grep -q 'came close to its budget (over the 50 % threshold' "$work/i/report.md" && ! grep -q 'never came close' "$work/i/report.md" \
    && ok "70.8 % of the period is called close to the budget, threshold stated" || bad "budget sentence: $(grep -i budget "$work/i/report.md")"
grep -q 'Neither late wake-ups nor long callbacks' "$work/i/report.md" && ! grep -q 'points at scheduling latency' "$work/i/report.md" \
    && ok "xruns without late wake-ups are not blamed on them" || bad "xrun sentence: $(grep -i 'xruns in' "$work/i/report.md")"
rm "$work/i/timeline.jsonl"
"$MIXX" report "$work/i" >"$work/i.out" 2>&1
grep -q 'cause is unknown: there is no timeline' "$work/i/report.md" && ok "no timeline: the xrun cause is unknown" \
    || { bad "no timeline: $(grep -i 'xruns in' "$work/i/report.md")"; cat "$work/i.out"; }

# ---- (7) nothing to plot: succeeds, says so, leaves nothing behind ----
for opts in "--no-instrument" "--rate 1 --buffer 8192"; do
    d="$work/nd$(echo "$opts" | tr -dc a-z0-9)"
    run --out "$d" $opts >"$work/nd.out" 2>&1; rc=$?
    [ $rc -eq 0 ] && grep -q 'No data: ' "$d/report.md" && no_tmp "$d" && ok "$opts: report says which plot has no data, exit 0" \
        || { bad "$opts: exit $rc"; cat "$work/nd.out"; }
done
err=$(PATH=/nonexistent "$MIXX" report "$work/b" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q 'cannot run gnuplot' && no_tmp "$work/b" && ok "gnuplot missing is said as such: $err" \
    || bad "gnuplot missing: rc $rc, '$err'"

# ---- (8) non-regular and corrupt timelines ----
cp -r "$work/b" "$work/f" && rm -f "$work/f/.mixx.lock" "$work/f/timeline.jsonl"
mkfifo "$work/f/timeline.jsonl"
err=$(timeout 10 "$MIXX" report "$work/f" 2>&1); rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] && echo "$err" | grep -q 'not a regular file' && ok "FIFO timeline refused: $err" \
    || bad "FIFO timeline: rc $rc (124 = hung), '$err'"
rm "$work/f/timeline.jsonl"; ln -s /dev/zero "$work/f/timeline.jsonl"
err=$(timeout 10 "$MIXX" report "$work/f" 2>&1); rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] && echo "$err" | grep -q 'symbolic link' && ok "/dev/zero (a link) refused: $err" \
    || bad "/dev/zero timeline: rc $rc, '$err'"
rm "$work/f/timeline.jsonl"
python3 - "$work/b/timeline.jsonl" "$work/f/timeline.jsonl" <<'PY'
import sys
data = open(sys.argv[1], "rb").read().split(b"\n")
data[1] = data[1][:10] + b"\0" * 40 + data[1][10:]  # a zero-filled block inside the second line
open(sys.argv[2], "wb").write(b"\n".join(data))
PY
err=$("$MIXX" report "$work/f" 2>&1); rc=$?
[ $rc -eq 0 ] && echo "$err" | grep -q 'skipped 1 of' && grep -q 'Timeline damaged.*first is line 2' "$work/f/report.md" \
    && ok "a NUL-damaged line is counted and reported: $(echo "$err" | head -1)" || bad "NUL bytes: rc $rc, '$err'"

# ---- (9) planted symlinks: nothing outside the directory is written ----
echo precious >"$work/outside"
cp -r "$work/b" "$work/s" && rm -f "$work/s/.mixx.lock" "$work/s/report.md" && rm -rf "$work/s/data"
ln -s "$work/outside" "$work/s/report.md"
ln -s "$work/outside" "$work/s/rtl.png"
mkdir "$work/elsewhere"; ln -s "$work/elsewhere" "$work/s/data"
err=$("$MIXX" report "$work/s" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q 'data is a symbolic link' && ok "data/ as a symlink refused: $err" || bad "data symlink: rc $rc, '$err'"
rm "$work/s/data"
"$MIXX" report "$work/s" >"$work/s.out" 2>&1 || { bad "report with planted links"; cat "$work/s.out"; }
[ "$(cat "$work/outside")" = precious ] && [ -z "$(ls "$work/elsewhere")" ] && [ ! -L "$work/s/report.md" ] \
    && ok "links planted at output names are replaced, never written through" || bad "a file outside the report was written"
ln -s "$work/s" "$work/s-link"
err=$("$MIXX" report "$work/s-link" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$err" | grep -q 'symbolic link' && ok "report directory given as a link refused" || bad "dir link: rc $rc, '$err'"
ln -s "$work/outside" "$work/log-link"
err=$("$MIXX" run --duration 1s --log "$work/log-link" 2>&1); rc=$?
[ $rc -ne 0 ] && [ "$(cat "$work/outside")" = precious ] && ok "engine log through a symlink refused: $err" \
    || bad "engine log symlink: rc $rc, '$err'"
err=$("$MIXX" run --duration 1s --log "$work/outside" 2>&1); rc=$?
[ $rc -ne 0 ] && [ "$(cat "$work/outside")" = precious ] && echo "$err" | grep -q 'already exists' \
    && ok "engine log over an existing file refused: $err" || bad "engine log over a file: rc $rc, '$err'"

# ---- (10) --out validated before the run ----
long=$(python3 -c 'p = "/tmp/" + "/".join(["d" * 200] * 21); print(p[:4088])') # issue 14: 4088 characters
for bad_out in "$work/it's" "$work/tab	x" "" "$long"; do
    start=$(date +%s)
    err=$("$MIXX" stability --duration 30m --out "$bad_out" 2>&1); rc=$?
    [ $rc -eq 2 ] && [ $(( $(date +%s) - start )) -lt 3 ] && echo "$err" | grep -q 'stability: --out' \
        && ok "--out '$(echo "$bad_out" | cut -c1-40)' refused before the run: $(echo "$err" | cut -c1-150)" \
        || bad "--out '$(echo "$bad_out" | cut -c1-40)': rc $rc, '$err'"
done
# valgrind cannot run a sanitizer-instrumented binary (the ASan job runs this script too): there it is a skip
if grep -qE '__(asan|tsan|msan)_init' "$MIXX" 2>/dev/null; then
    echo "skip - --out '' under valgrind: $MIXX is sanitizer-instrumented (the sanitizer checks it instead)"
elif command -v valgrind >/dev/null; then
    valgrind -q --error-exitcode=99 "$MIXX" stability --out "" >/dev/null 2>"$work/vg.err"; rc=$?
    [ $rc -eq 2 ] && ok "--out '' under valgrind: clean" || { bad "--out '' under valgrind: rc $rc"; cat "$work/vg.err"; }
fi

# ---- (14) --log with stability; a 300-character JACK client name ----
err=$(run --out "$work/l" --log "$work/x.jsonl" 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$err" | grep -q -- '--log is not accepted' && ok "stability --log refused: $err" || bad "--log: rc $rc, '$err'"
if "$MIXX" devices --backend jack 2>&1 | grep -q 'not compiled'; then
    echo "# long JACK client name: skipped (mixx built without the JACK backend)"
else
    name=$(python3 -c 'print("c" * 300)')
    err=$("$MIXX" run --backend jack --duration 1s --client-name "$name" 2>&1); rc=$?
    [ $rc -ne 0 ] && echo "$err" | grep -q 'client name is 300 characters' && ! echo "$err" | grep -qi 'server.*running' \
        && ok "300-character client name: $err" || bad "long client name: rc $rc, '$err'"
fi

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
