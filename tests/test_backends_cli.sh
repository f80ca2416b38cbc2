#!/bin/sh
# SPDX-License-Identifier: MIT
# test_backends_cli.sh: the device backends through the CLI as a user meets them, on a private JACK server
# (the ladder changes its buffer size): mixx devices [--json], mixx run on jack and portaudio (~3750
# callbacks in 5 s at 48000/64), mixx ladder (refuses without --allow-server-change, table + recommendation,
# server size restored), and a clear error when there is no server.
# Usage: test_backends_cli.sh path/to/mixx path/to/jack_server.sh   (starts and stops its own server)
set -u
MIXX=$1
JACK_SH=$2
if [ -z "${JACK_DEFAULT_SERVER:-}" ]; then
    # first call: re-run ourselves inside a private server that is stopped on every path
    exec sh "$JACK_SH" run sh "$0" "$MIXX" "$JACK_SH"
fi
fails=0
passes=0
ok() { passes=$((passes + 1)); echo "ok - $1"; }
bad() { fails=$((fails + 1)); echo "FAIL - $1"; }
check_json() { # check_json NAME JSON PYTHON-CODE-USING-d
    if python3 -c "import json,sys; d=json.loads(sys.argv[1]); $3" "$2"; then ok "$1"; else bad "$1: $2"; fi
}
has_pa=0

json=$("$MIXX" devices --json)
check_json "devices --json: jack available with system 2 in / 2 out at 48000/64" "$json" "
b={x['name']:x for x in d['backends']}
j=b['jack']; assert j['compiled'] and j['available'], j
s=[x for x in j['devices'] if x['name']=='system'][0]
assert (s['inputs'],s['outputs'],s['default_rate'],s['default_buffer'])==(2,2,48000,64), s
assert b['sim']['available'] and b['hosted']['available']
print('backends:', ', '.join('%s=%s'%(k,'yes' if v['available'] else 'no') for k,v in b.items()))"
if echo "$json" | python3 -c "import json,sys; d=json.load(sys.stdin); b={x['name']:x for x in d['backends']}; sys.exit(0 if b['portaudio']['compiled'] else 1)"; then
    has_pa=1
fi
"$MIXX" devices | grep -q '^jack *available' && ok "devices: text" || bad "devices: text"

json=$(JACK_DEFAULT_SERVER=mixx-no-such-server "$MIXX" devices --json --backend jack)
check_json "devices without a server: jack unavailable, the reason names the server" "$json" "
j=d['backends'][0]; assert len(d['backends'])==1 and j['name']=='jack' and not j['available'], j
assert 'mixx-no-such-server' in j['why'] and 'JACK_DEFAULT_SERVER' in j['why'], j['why']"

err=$(JACK_DEFAULT_SERVER=mixx-no-such-server "$MIXX" run --backend jack --duration 1s 2>&1 >/dev/null)
rc=$?
if [ $rc -ne 0 ] && echo "$err" | grep -q 'MIXX_ENOSERVER' && echo "$err" | grep -q 'mixx-no-such-server'; then
    ok "run without a server: non-zero exit, MIXX_ENOSERVER naming the server"
else
    bad "run without a server: rc=$rc: $err"
fi

json=$("$MIXX" run --backend jack --duration 5s --json)
check_json "run --backend jack --duration 5s: ~3750 callbacks" "$json" "
assert abs(d['callbacks']-3750) <= 0.05*3750, d['callbacks']
assert d['sample_rate']==48000 and d['buffer_size']==64
print('jack 5 s:', d['callbacks'], 'callbacks,', d['xruns_backend'], 'xruns')"

# the server runs 48000/64: a request for 44100/128 runs anyway (without --strict) and both are reported
json=$("$MIXX" run --backend jack --rate 44100 --buffer 128 --duration 0.5s --json)
check_json "run --rate 44100 --buffer 128 on a 48000/64 server: requested and actual in --json" "$json" "
assert (d['sample_rate'],d['buffer_size'])==(48000,64), d
assert d['requested']=={'sample_rate':44100,'buffer_size':128}, d['requested']"
out=$("$MIXX" run --backend jack --rate 44100 --buffer 128 --duration 0.5s)
echo "$out" | grep -q 'NOT AS REQUESTED: asked for 44100 Hz, 128 frames' && ok "run text says the format is not as requested" \
    || bad "run text: $out"
# mixx latency says it the same way (issue 18)
json=$("$MIXX" latency --backend jack --self-loop --rate 44100 --buffer 128 --count 1 --json)
check_json "latency --rate 44100 --buffer 128: requested and actual in --json" "$json" "
assert (d['sample_rate'],d['buffer_size'])==(48000,64), d
assert d['requested']=={'sample_rate':44100,'buffer_size':128}, d['requested']"
out=$("$MIXX" latency --backend jack --self-loop --rate 44100 --buffer 128 --count 1)
echo "$out" | grep -q 'NOT AS REQUESTED: asked for 44100 Hz, 128 frames' && ok "latency text says the format is not as requested" \
    || bad "latency text: $out"
# --server: the same server by name
out=$(JACK_DEFAULT_SERVER=mixx-no-such-server "$MIXX" run --backend jack --server "$JACK_DEFAULT_SERVER" --duration 0.3s)
echo "$out" | grep -q '(as requested)' && ok "--server reaches the named server" || bad "--server: $out"
# an unconnected latency run stops at once with the reason, not after three no_signal results
out=$("$MIXX" latency --backend jack --count 3 2>"/tmp/mixx-lat-err.$$" || echo "rc=$?")
err=$(cat "/tmp/mixx-lat-err.$$"); rm -f "/tmp/mixx-lat-err.$$"
if [ "$out" = "rc=1" ] && echo "$err" | grep -q -- '--self-loop'; then
    ok "latency without connections: fails before measuring: $err"
else
    bad "latency without connections: stdout '$out', stderr: $err"
fi

if [ $has_pa -eq 1 ]; then
    json=$("$MIXX" run --backend portaudio --device system --duration 5s --json)
    check_json "run --backend portaudio --device system --duration 5s: ~3750 callbacks" "$json" "
assert abs(d['callbacks']-3750) <= 0.05*3750, d['callbacks']
print('portaudio 5 s:', d['callbacks'], 'callbacks,', d['xruns_backend'], 'xruns')"
fi

err=$("$MIXX" ladder --backend jack --step 1s 2>&1 >/dev/null)
rc=$?
[ $rc -eq 2 ] && echo "$err" | grep -q -- '--allow-server-change' && ok "ladder on jack refuses without --allow-server-change" ||
    bad "ladder refusal: rc=$rc: $err"

json=$("$MIXX" ladder --backend jack --allow-server-change --sizes 128,96,64 --step 1s --json)
check_json "ladder on jack: three sizes run at their size, recommendation, server restored" "$json" "
assert [r['size'] for r in d['sizes']]==[128,96,64]
for r in d['sizes']:
    assert r['ran'] and r['actual_buffer']==r['size'], r
    assert abs(r['callbacks']-r['expected_callbacks']) <= 0.1*r['expected_callbacks']+5, r
    # the engine's own glitches (deadline misses) always fail a size; xruns only when the late wake-ups do not
    # explain them or they are more than occasional
    if r['deadline_misses'] or r['xruns_backend'] > r['late_wakeups'] or r['xruns_backend'] > 1:
        assert not r['glitch_free'] and r['why'], r
    else:
        assert r['glitch_free'] and r['verdict'] in ('glitch-free','system xruns only'), r
ok=[r['size'] for r in d['sizes'] if r['glitch_free']]
assert d['recommended']==(min(ok) if ok else None), d['recommended']
assert d['server_restored'] and d['server_buffer_before']==64
print('ladder:', [(r['size'], r['xruns_backend']) for r in d['sizes']], 'recommended', d['recommended'])"

json=$("$MIXX" devices --json --backend jack)
check_json "server back at 64 frames after the ladder" "$json" "
assert [x for x in d['backends'][0]['devices'] if x['name']=='system'][0]['default_buffer']==64"

out=$("$MIXX" ladder --backend sim --sizes 128,64 --step 0.5s)
echo "$out" | grep -q '^recommendation: ' && ok "ladder on sim: table and recommendation" || bad "ladder on sim: $out"

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
