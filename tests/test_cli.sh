#!/bin/sh
# SPDX-License-Identifier: MIT
# test_cli.sh: the mixx CLI as a user meets it: --version/--help, a 5 s sim run with ~3750 callbacks and a
# JSON summary, and clear one-line errors with non-zero exits for bad input. Usage: test_cli.sh path/to/mixx
set -u
MIXX=$1
fails=0
passes=0
ok() { passes=$((passes + 1)); echo "ok - $1"; }
bad() { fails=$((fails + 1)); echo "FAIL - $1"; }

out=$("$MIXX" --version) && echo "$out" | grep -q '^mixx [0-9]' && ok "--version" || bad "--version: $out"
"$MIXX" --help | grep -q 'stability' && ok "--help lists commands" || bad "--help"

json=$("$MIXX" run --duration 5s --json)
if python3 - "$json" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
cb = d["callbacks"]
assert abs(cb - 3750) <= 40, cb
assert d["backend"] == "sim" and d["sample_rate"] == 48000 and d["buffer_size"] == 64
assert d["callbacks"] == d["records_written"] + d["dropped_records"]
for k in ("p50", "p99", "max"):
    assert d["callback_ns"][k] > 0
print("5 s sim run:", cb, "callbacks,", d["xruns_backend"], "xruns, p99", d["callback_ns"]["p99"], "ns")
PY
then ok "run --duration 5s: ~3750 callbacks"; else bad "run --duration 5s: $json"; fi

"$MIXX" run --duration 1s | grep -q '^callbacks' && ok "text summary" || bad "text summary"

# bad input: exit code non-zero and exactly one line on stderr
expect_error() {
    desc=$1; shift
    err=$("$MIXX" "$@" 2>&1 >/dev/null); rc=$?
    lines=$(printf '%s\n' "$err" | wc -l)
    if [ $rc -ne 0 ] && [ "$lines" -eq 1 ] && [ -n "$err" ]; then ok "$desc -> $err"; else bad "$desc (rc=$rc, stderr: $err)"; fi
}
expect_error "unknown command" frobnicate
expect_error "rate 0" run --rate 0
expect_error "rate too high" run --rate 900000
expect_error "buffer 0" run --buffer 0
expect_error "buffer too big" run --buffer 9000
expect_error "65 channels" run --inputs 65
expect_error "bad duration" run --duration 5parsecs
expect_error "negative duration" run --duration -5s
expect_error "unknown backend" run --backend coreaudio
expect_error "missing value" run --rate
expect_error "unknown option" run --frobnicate
expect_error "zero channels" run --inputs 0 --outputs 0 --duration 1s
expect_error "unwritable log" run --log /nonexistent-dir/x.jsonl --duration 1s
expect_error "device lost" run --sim-fail-after 0.3 --duration 3s
expect_error "zero duration" run --duration 0
expect_error "hosted backend" run --backend hosted
# a loop channel the engine does not have is a channel error, not a channel-count error
out=$("$MIXX" latency --loop-channel 5 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "MIXX_ECHANNEL)" && echo "$out" | grep -q "loop channels 0..1"; then
    ok "loop channel 5: $out"
else
    bad "loop channel 5 (rc $rc): $out"
fi
# --server names the JACK server (mixx_config.jack_server_name); one that is not running is named in the error
out=$("$MIXX" run --backend jack --server "mixx-nosuch-$$" --duration 0.3 2>&1); rc=$?
if echo "$out" | grep -q "MIXX_EBACKEND"; then
    echo "skip - --server: JACK not compiled in"
elif [ $rc -eq 1 ] && echo "$out" | grep -q "MIXX_ENOSERVER" && echo "$out" | grep -q "mixx-nosuch-$$"; then
    ok "--server names the server: $out"
else
    bad "--server (rc $rc): $out"
fi
# requested vs actual: both are shown, in the text and in --json
out=$("$MIXX" run --rate 44100 --buffer 128 --duration 0.3 2>&1)
echo "$out" | grep -q "44100 Hz, 128 frames .* (as requested)" && ok "run shows the requested format" || bad "run text: $out"
out=$("$MIXX" run --rate 44100 --buffer 128 --duration 0.3 --json 2>&1)
echo "$out" | grep -q '"requested":{"sample_rate":44100,"buffer_size":128}' && ok "run --json has requested" \
    || bad "run --json: $out"

# --records: one CSV line per callback, to a new file only (an existing one is refused, never overwritten)
rdir=$(mktemp -d /tmp/mixx-test-cli.XXXXXX)
if "$MIXX" native --duration 0.3s --records "$rdir/n.csv" >/dev/null; then
    n=$(($(wc -l <"$rdir/n.csv") - 1))
    head -1 "$rdir/n.csv" | grep -q '^seq,start_ns,duration_ns,interval_ns,frames,flags$' && [ "$n" -ge 150 ] &&
        [ "$n" -le 260 ] && ok "native --records: $n callback lines" || bad "native --records: $n lines, $(head -2 "$rdir/n.csv")"
else
    bad "native --records failed"
fi
if "$MIXX" stability --duration 1s --no-latency --out "$rdir/s" --records "$rdir/s.csv" >/dev/null 2>&1; then
    n=$(($(wc -l <"$rdir/s.csv") - 1))
    cb=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['records_written'])" "$rdir/s/report.json")
    [ "$n" -eq "$cb" ] && ok "stability --records: $n lines = records_written" || bad "stability --records: $n lines, records_written $cb"
else
    bad "stability --records failed"
fi
echo keep >"$rdir/exists.csv"
expect_error "records file exists" native --duration 0.1s --records "$rdir/exists.csv"
expect_error "stability: records file exists" stability --duration 1s --out "$rdir/s2" --records "$rdir/exists.csv"
grep -q '^keep$' "$rdir/exists.csv" && ok "an existing records file is left alone" || bad "existing records file changed"
rm -rf "$rdir"

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
