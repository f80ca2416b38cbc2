#!/bin/sh
# SPDX-License-Identifier: MIT
# test_rtl_jack.sh: `mixx latency` against Debian's jack_delay (Fons Adriaensen's multitone meter) on the same
# JACK loops: the self-loop, and through tests/jack_delay_client with integer and half-integer delays. Each
# loop is measured by both tools in turn; they must agree within 0.05 frames, and the self-loop at 64 frames
# must read 64.000 on both.
#
#   test_rtl_jack.sh MIXX JACK_DELAY_CLIENT [JACK_SERVER_SH]
#
# It runs itself under jack_server.sh (a private dummy server, 48000 Hz / 64 frames, stopped by PID). Exit 77
# (skip) when jack_delay or jackd is missing or the server cannot start.
set -u
MIXX=$1
CLIENT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
JSH=${3:-$HERE/jack_server.sh}
TOL=0.05

command -v jack_delay >/dev/null 2>&1 || { echo "SKIP: jack_delay not installed (package jack-delay)"; exit 77; }
command -v jackd >/dev/null 2>&1 || { echo "SKIP: jackd not installed"; exit 77; }
if [ -z "${MIXX_RTL_JACK_INNER:-}" ]; then
    # the inner run leaves a marker: without it the private server never came up (e.g. JACK's limit on
    # servers per machine was reached), which is a skip with the reason, not a failure of the meter
    marker=$(mktemp "${TMPDIR:-/tmp}/mixx-rtl-jack-marker.XXXXXX") || exit 1
    rm -f "$marker"
    MIXX_JACK_RATE=48000 MIXX_RTL_JACK_INNER=$marker sh "$JSH" run --buffer 64 sh "$0" "$@"
    rc=$?
    if [ ! -e "$marker" ]; then
        echo "SKIP: could not start a private jackd (see jack_server.sh's message above)"
        exit 77
    fi
    rm -f "$marker"
    exit $rc
fi
: >"$MIXX_RTL_JACK_INNER"
export JACK_NO_START_SERVER=1

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mixx-rtl-jack.XXXXXX") || exit 1
CLIENT_PID=
JD_PID=
cleanup() {
    [ -n "$JD_PID" ] && kill "$JD_PID" 2>/dev/null && wait "$JD_PID" 2>/dev/null
    [ -n "$CLIENT_PID" ] && kill "$CLIENT_PID" 2>/dev/null && wait "$CLIENT_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

FAIL=0
fail() {
    echo "FAIL: $*"
    FAIL=1
}

# mixx_measure OUTFILE ARGS...: collects three `ok` measurements, in at most four runs of `mixx latency --count 3`.
# A measurement the meter marks `unreliable` is not a failure: on this shared VM a JACK cycle is sometimes lost
# inside a burst (an xrun, or a client in the loop that missed its deadline), and the meter says so instead of
# giving a number. Those are printed and measured again. Anything else fails: an error exit, `no_signal`, fewer
# than three ok results after four runs — and every ok value is compared with jack_delay by the caller (mean and
# spread), so a wrong value still fails. Prints the mean and spread of the ok values.
mixx_measure() {
    out=$1
    shift
    : >"$out.ok"
    attempt=0
    while [ $attempt -lt 4 ] && [ "$(wc -l <"$out.ok")" -lt 3 ]; do
        attempt=$((attempt + 1))
        "$MIXX" latency --backend jack --count 3 --json "$@" >"$out" 2>"$out.err"
        rc=$?
        grep '"status":"ok"' "$out" >>"$out.ok"
        if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
            echo "mixx latency $* exited $rc:" >&2
            cat "$out" "$out.err" >&2
            return 1
        fi
        if grep -q '"status":"no_signal"' "$out"; then
            echo "mixx latency $*: no_signal through a connected loop:" >&2
            cat "$out" >&2
            return 1
        fi
        if grep -v '"status":"ok"' "$out" | grep -q .; then
            echo "mixx latency $*: run $attempt: measured again after results the meter marked unreliable:" >&2
            grep -v '"status":"ok"' "$out" >&2
        fi
    done
    [ "$(wc -l <"$out.ok")" -ge 3 ] || {
        echo "mixx latency $*: only $(wc -l <"$out.ok") ok results in $attempt runs of three" >&2
        return 1
    }
    sed -n 's/.*"rtl_frames":\([-0-9.]*\).*/\1/p' "$out.ok" | awk '
        { s += $1; if (NR == 1 || $1 < lo) lo = $1; if (NR == 1 || $1 > hi) hi = $1 }
        END { printf "%.4f %.4f %.4f %.4f\n", s / NR, hi - lo, lo, hi }'
}

# jd_measure OUTFILE PLAYBACK [CAPTURE]: runs jack_delay until it has printed 8 readings (at most 15 s),
# prints the mean of the last 4 and their spread. (A self-loop is one connection: -O only; jack_delay exits
# when asked to make the same connection twice.)
jd_measure() {
    out=$1
    : >"$out"
    if [ -n "${3:-}" ]; then
        jack_delay -O "$2" -I "$3" >"$out" 2>&1 &
    else
        jack_delay -O "$2" >"$out" 2>&1 &
    fi
    JD_PID=$!
    i=0
    while [ $i -lt 150 ]; do
        n=$(tr '\r' '\n' <"$out" | grep -c 'frames')
        [ "$n" -ge 8 ] && break
        kill -0 "$JD_PID" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    kill "$JD_PID" 2>/dev/null
    wait "$JD_PID" 2>/dev/null
    JD_PID=
    tr '\r' '\n' <"$out" | grep 'frames' | tail -n 4 | awk '
        { s += $1; if (NR == 1 || $1 < lo) lo = $1; if (NR == 1 || $1 > hi) hi = $1 }
        END { if (NR < 4) exit 1; printf "%.4f %.4f\n", s / NR, hi - lo }'
}

# compare LABEL MIXX_RESULT JD_RESULT [EXACT]
compare() {
    label=$1
    set -- $2 $3 ${4:-}
    m=$1 ms=$2 mlo=$3 mhi=$4 j=$5 js=$6 exact=${7:-}
    d=$(awk -v a="$m" -v b="$j" 'BEGIN { d = a - b; printf "%+.4f", d }')
    printf '%-28s mixx %10.4f (spread %.4f)   jack_delay %10.4f (spread %.4f)   diff %s\n' "$label" "$m" "$ms" \
        "$j" "$js" "$d"
    awk -v d="$d" -v t="$TOL" 'BEGIN { exit !(d <= t && d >= -t) }' || fail "$label: differ by $d frames"
    # every single ok reading, not only their mean, agrees with jack_delay
    awk -v lo="$mlo" -v hi="$mhi" -v b="$j" -v t="$TOL" 'BEGIN { exit !(lo - b >= -t && hi - b <= t) }' ||
        fail "$label: a mixx reading (range $mlo .. $mhi) is more than $TOL frames from jack_delay's $j"
    # the project's bar: the engine adds no latency, to +-0.02 frames of what the loop implies
    if [ -n "$exact" ]; then
        awk -v a="$m" -v b="$exact" 'BEGIN { exit !(a - b <= 0.02 && b - a <= 0.02) }' ||
            fail "$label: mixx reads $m, not $exact +- 0.02"
        awk -v a="$j" -v b="$exact" 'BEGIN { exit !(a - b <= 0.02 && b - a <= 0.02) }' ||
            fail "$label: jack_delay reads $j, not $exact +- 0.02"
    fi
}

# ---- the self-loop: a client's output connected to its own input is one period ----
m=$(mixx_measure "$TMP/self.json" --self-loop) || fail "self-loop: mixx latency did not give three ok results"
j=$(jd_measure "$TMP/self.jd" jack_delay:in) || fail "self-loop: no jack_delay readings"
[ -n "${m:-}" ] && [ -n "${j:-}" ] && compare "self-loop (64 frames)" "$m" "$j" 64.000

# ---- through the delay client: integer and half-integer delays ----
for d in 37 100.5 1000; do
    : >"$TMP/client.out"
    "$CLIENT" rtldelay "$d" >"$TMP/client.out" 2>&1 &
    CLIENT_PID=$!
    i=0
    until grep -q ready "$TMP/client.out" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$CLIENT_PID" 2>/dev/null; then
            cat "$TMP/client.out"
            fail "delay client did not start"
            break
        fi
        sleep 0.05
    done
    m=$(mixx_measure "$TMP/d$d.json" --connect-out rtldelay:in --connect-in rtldelay:out) ||
        fail "delay $d: mixx latency did not give three ok results"
    j=$(jd_measure "$TMP/d$d.jd" rtldelay:in rtldelay:out) || fail "delay $d: no jack_delay readings"
    [ -n "${m:-}" ] && [ -n "${j:-}" ] && compare "delay client $d frames" "$m" "$j"
    kill "$CLIENT_PID" 2>/dev/null
    wait "$CLIENT_PID" 2>/dev/null
    CLIENT_PID=
done

# ---- through JACK's own example client that declares its latency (jack_latent_client L, package jackd2) ----
# JACK's port latency ranges count a client inside a loop on both sides (2 L), and more after recomputation
# around the cycle; the engine's expectation must be L + one period, what both meters measure.
if command -v jack_latent_client >/dev/null 2>&1; then
    for L in 333 1000; do
        jack_latent_client "$L" >"$TMP/latent.out" 2>&1 &
        CLIENT_PID=$!
        i=0
        until JACK_NO_START_SERVER=1 jack_lsp 2>/dev/null | grep -q '^latent:output$'; do
            i=$((i + 1))
            if [ $i -gt 100 ] || ! kill -0 "$CLIENT_PID" 2>/dev/null; then
                cat "$TMP/latent.out"
                fail "jack_latent_client $L did not start"
                break
            fi
            sleep 0.05
        done
        # it connects itself to the system ports: the loop is ours alone
        jack_disconnect system:capture_1 latent:input 2>/dev/null
        jack_disconnect latent:output system:playback_1 2>/dev/null
        m=$(mixx_measure "$TMP/l$L.json" --connect-out latent:input --connect-in latent:output) ||
            fail "latent $L: mixx latency did not give three ok results"
        want=$((L + 64))
        exp=$(sed -n 's/.*"expected_rtl_frames":\([-0-9.a-z]*\).*/\1/p' "$TMP/l$L.json.ok" | sort -u)
        echo "jack_latent_client $L: mixx expects $exp frames (L + one period = $want)"
        [ "$exp" = "$want.000" ] || fail "latent $L: expected_rtl_frames '$exp', not $want.000 (L + one period)"
        j=$(jd_measure "$TMP/l$L.jd" latent:input latent:output) || fail "latent $L: no jack_delay readings"
        [ -n "${m:-}" ] && [ -n "${j:-}" ] && compare "jack_latent_client $L" "$m" "$j" "$want.000"
        kill "$CLIENT_PID" 2>/dev/null
        wait "$CLIENT_PID" 2>/dev/null
        CLIENT_PID=
    done
else
    fail "jack_latent_client missing (package jackd2)"
fi

[ $FAIL -eq 0 ] && echo "PASS: mixx latency and jack_delay agree within $TOL frames on every loop"
exit $FAIL
