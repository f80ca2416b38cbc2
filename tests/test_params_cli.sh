#!/bin/sh
# SPDX-License-Identifier: MIT
# test_params_cli.sh: the parameter bus in the CLI: mixx params (text and --json), --set and --preset on mixx run,
# their errors (one line, the error's name, non-zero exit, nothing run), mixx bench params --json with exactly the
# documented keys. Usage: test_params_cli.sh path/to/mixx
set -u
MIXX=$1
fails=0
ok() { echo "ok - $1"; }
bad() { fails=$((fails + 1)); echo "FAIL - $1"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$MIXX" params | grep -q '^262 *ch1.eq.mid.freq_hz *Hz *20 *20000 *1000' && ok "params lists ch1.eq.mid.freq_hz" ||
    bad "params: $("$MIXX" params | head -9)"
"$MIXX" params --json >"$tmp/p.json"
if python3 - "$tmp/p.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
names = {x["name"]: x for x in p}
assert len(p) == 28, len(p)
assert names["master.gain_db"]["id"] == 1 and names["pair1.balance"]["min"] == -1
for x in p:
    assert set(x) >= {"id", "name", "unit", "min", "max", "default"}, x
PY
then ok "params --json: 28 parameters with id, name, unit, min, max, default"; else bad "params --json"; fi
"$MIXX" params --outputs 4 --json | python3 -c 'import json,sys; n=len(json.load(sys.stdin)); assert n==4*13+2+1, n' &&
    ok "params follows --outputs" || bad "params --outputs 4"

printf '{"mixx_params":1,"values":{"ch1.gain_db":-6,"ch2.eq.mid.gain_db":3.25}}\n' >"$tmp/preset.json"
out=$("$MIXX" params --preset "$tmp/preset.json" --set ch1.gain_db=-2.5 --json)
echo "$out" | python3 -c '
import json,sys
p={x["name"]:x["value"] for x in json.load(sys.stdin)}
assert p["ch1.gain_db"]==-2.5 and p["ch2.eq.mid.gain_db"]==3.25, p' && ok "--preset then --set (the later wins)" ||
    bad "--preset/--set: $out"

"$MIXX" run --duration 1s --set master.gain_db=-3 --set ch1.mute=on --preset "$tmp/preset.json" | grep -q '^callbacks' &&
    ok "run with --set and --preset" || bad "run with --set/--preset"

expect_err() { # what, expected error name, args...
    what=$1 name=$2
    shift 2
    err=$("$MIXX" "$@" 2>&1 >/dev/null)
    rc=$?
    if [ $rc -ne 0 ] && [ "$(echo "$err" | wc -l)" -eq 1 ] && echo "$err" | grep -q "$name"; then
        ok "$what: $name"
    else
        bad "$what: exit $rc, stderr '$err'"
    fi
}
expect_err "unknown name" MIXX_ENOPARAM run --duration 1s --set ch9.gain_db=1
expect_err "out of range" MIXX_ERANGE run --duration 1s --set master.gain_db=100
expect_err "NaN" MIXX_ENAN run --duration 1s --set master.gain_db=nan
expect_err "not a number" MIXX_EINVAL stability --duration 1s --out "$tmp/st" --set master.gain_db=loud
printf '{"mixx_params":1,"values":{"ch1.gain_db":-6,}}' >"$tmp/bad.json"
expect_err "malformed preset" MIXX_EPRESET run --duration 1s --preset "$tmp/bad.json"
err=$("$MIXX" run --duration 1s --preset "$tmp/missing.json" 2>&1 >/dev/null)
[ $? -ne 0 ] && echo "$err" | grep -q 'missing.json' && ok "missing preset file" || bad "missing preset: $err"

# the strip is inside the latency meter's loop: at its defaults (an EQ frequency alone changes nothing, another
# channel's gain is not in the loop) the meter reads exactly the sim loop; an active EQ moves the reading
lat=$("$MIXX" latency --count 1 --json --set ch1.eq.mid.freq_hz=333 --set ch2.gain_db=-6)
echo "$lat" | python3 -c 'import json,sys; d=json.loads(sys.stdin.readline()); assert d["status"]=="ok" and d["rtl_frames"]==128.0 and d["excess_frames"]==0.0, d' &&
    ok "latency through the strip at defaults: 128.000 frames, 0.000 added" || bad "latency at defaults: $lat"
lat=$("$MIXX" latency --count 1 --json --set ch1.eq.mid.gain_db=12)
echo "$lat" | python3 -c 'import json,sys; d=json.loads(sys.stdin.readline()); assert d["rtl_frames"] is not None and d["excess_frames"]!=0.0, d' &&
    ok "latency with the EQ active: the EQ is in the loop ($(echo "$lat" | sed -n 's/.*"excess_frames":\([^,]*\).*/\1/p') frames)" ||
    bad "latency with EQ: $lat"

json=$("$MIXX" bench params --json --quick)
if python3 - "$json" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
keys = {"set_ns_p50", "set_ns_p99", "audio_ns_idle", "audio_ns_100_changed", "audio_ns_all_changed",
        "strip_ns_64x2", "strip_bypass_ns_64x2", "meters_ns_64x2"}
assert keys <= set(d), keys - set(d)
assert all(d[k] > 0 for k in keys if k != "strip_bypass_ns_64x2"), d
print("bench params:", d)
PY
then ok "bench params --json keys"; else bad "bench params --json: $json"; fi

[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
