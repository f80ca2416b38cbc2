#!/bin/sh
# SPDX-License-Identifier: MIT
# jack_server.sh: a private JACK dummy server for tests and CI, started under a unique name and always
# stopped by its PID. Used as CTest FIXTURES_SETUP/FIXTURES_CLEANUP and from the shell.
#
#   jack_server.sh start STATE [NAME] [BUFFER]  start jackd (dummy, MIXX_JACK_RATE (48000) Hz, BUFFER (64) frames,
#                                               2 in/2 out), wait until it accepts clients, write "PID NAME" to STATE,
#                                               print NAME. NAME defaults to mixxtest-<pid>-<random>.
#   jack_server.sh stop STATE                   stop the server recorded in STATE (TERM, then KILL), clean up.
#   jack_server.sh run [--buffer N] CMD [ARG...]  start a server, run CMD with JACK_DEFAULT_SERVER set,
#                                               stop the server on every path, exit with CMD's status.
# Realtime (-R) is tried first and dropped if jackd cannot start with it. Never touches other servers.
set -u

JACK_RATE=${MIXX_JACK_RATE:-48000} # fast runs (RTSan: 10^5 callbacks) use 192000
WAIT_S=${MIXX_JACK_WAIT_S:-10}

log() { echo "jack_server.sh: $*" >&2; }

# running and not a zombie (a killed jackd is reparented; its reaper may be slow or absent)
alive() {
    [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
    if [ -r "/proc/$1/stat" ]; then
        st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
        [ "$st" != "Z" ] && [ -n "$st" ]
    fi
}

# Poll until the server NAME accepts a client (jack_lsp with auto-start disabled). $2 = jackd PID.
wait_ready() {
    i=0
    limit=$((WAIT_S * 20))
    while [ $i -lt $limit ]; do
        alive "$2" || return 1
        if JACK_DEFAULT_SERVER="$1" JACK_NO_START_SERVER=1 jack_lsp >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# Kill PID (TERM, up to 5 s, then KILL) and remove NAME's leftovers in /dev/shm. Returns 1 when the server
# did not exit cleanly under our TERM (already dead, e.g. SIGKILLed by a test, or needed KILL).
kill_server() {
    pid=$1
    name=$2
    clean=0
    if alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null
        i=0
        while alive "$pid" && [ $i -lt 100 ]; do
            sleep 0.05
            i=$((i + 1))
        done
        if alive "$pid"; then
            log "jackd $pid ignored TERM; sending KILL"
            kill -KILL "$pid" 2>/dev/null
            sleep 0.1
        else
            clean=1
        fi
    fi
    # a killed jackd leaves its semaphores and sockets behind; only NAME's are ours
    if [ -n "$name" ]; then
        rm -f /dev/shm/jack_sem.*_"$name"_* /dev/shm/jack_"$name"_* 2>/dev/null
    fi
    [ $clean -eq 1 ]
}

# A jackd that did not exit cleanly keeps its slot in JACK's shm registry (8 per machine), and only a server
# of the same name frees it: a few such kills and no jackd can start on the machine. Start one under NAME and
# stop it cleanly.
reclaim_slot() {
    name=$1
    rstate="${TMPDIR:-/tmp}/mixx-jack-reclaim.$$"
    if start_server "$rstate" "$name" 64 "" >/dev/null 2>&1; then
        read -r rpid rname <"$rstate" || true
        kill_server "$rpid" "$name" || log "reclaiming '$name': the server did not stop cleanly"
    else
        log "could not reclaim the JACK registry slot of '$name' (see $rstate.log)"
    fi
    rm -f "$rstate" "$rstate.log"
}

# start_server STATE NAME BUFFER [OWNER_PID]
start_server() {
    state=$1
    name=$2
    buffer=$3
    owner=${4:-}
    if [ -f "$state" ]; then
        # a previous run died before its cleanup: stop what it recorded (by PID, only if it is jackd)
        read -r old_pid old_name <"$state" 2>/dev/null || true
        if [ -n "${old_pid:-}" ] && alive "$old_pid" && grep -q jackd "/proc/$old_pid/cmdline" 2>/dev/null; then
            log "stopping stale server $old_name (pid $old_pid) from $state"
            kill_server "$old_pid" "$old_name"
        fi
        rm -f "$state"
    fi
    if JACK_DEFAULT_SERVER="$name" JACK_NO_START_SERVER=1 jack_lsp >/dev/null 2>&1; then
        log "a JACK server named '$name' is already running and is not ours; pick another name"
        return 1
    fi
    logfile="${state}.log"
    pidfile="${state}.pid"
    for rt in -R -r; do
        # jackd must outlive this script (CTest fixture): own session, no inherited stdout/stderr pipes. A
        # small shell stays as its parent and reaps it: an orphaned jackd may become a zombie that nobody
        # reaps (a minimal init), and libjack then takes the dead server's name for "already active".
        rm -f "$pidfile"
        # With an OWNER pid the shell also stops jackd when that process is gone (a crashed test).
        JACK_NO_AUDIO_RESERVATION=1 JACK_NO_START_SERVER=1 MIXX_JACK_OWNER="$owner" setsid sh -c '
            pidfile=$1; shift
            jackd "$@" & jp=$!
            echo $jp >"$pidfile"
            if [ -n "$MIXX_JACK_OWNER" ]; then
                while kill -0 "$MIXX_JACK_OWNER" 2>/dev/null && kill -0 $jp 2>/dev/null; do sleep 0.5; done
                kill -TERM $jp 2>/dev/null
            fi
            wait $jp' sh "$pidfile" $rt -n "$name" -d dummy -r "$JACK_RATE" -p "$buffer" -C 2 -P 2 \
            </dev/null >"$logfile" 2>&1 &
        i=0
        while [ ! -s "$pidfile" ] && [ $i -lt 100 ]; do
            sleep 0.02
            i=$((i + 1))
        done
        pid=$(cat "$pidfile" 2>/dev/null)
        rm -f "$pidfile"
        if wait_ready "$name" "$pid"; then
            echo "$pid $name" >"$state"
            echo "$name"
            return 0
        fi
        log "jackd $rt did not come up (see $logfile)"
        kill_server "$pid" "$name"
    done
    return 1
}

stop_from_state() {
    state=$1
    [ -f "$state" ] || return 0
    read -r pid name <"$state" || true
    if [ -n "${pid:-}" ] && alive "$pid" && ! grep -q jackd "/proc/$pid/cmdline" 2>/dev/null; then
        log "pid $pid in $state is not jackd any more; not killing it"
    elif [ -n "${pid:-}" ]; then
        if ! kill_server "$pid" "${name:-}" && [ -n "${name:-}" ]; then
            rm -f "$state"
            (reclaim_slot "$name") # a subshell: start_server's variables stay out of ours
        fi
    fi
    rm -f "$state"
    return 0
}

default_name() {
    # pid + random + time: unique across concurrent runs on one machine
    echo "mixxtest-$$-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
start)
    [ $# -ge 1 ] || { log "usage: start STATE [NAME] [BUFFER] [OWNER_PID]"; exit 2; }
    name=${2:-}
    [ -n "$name" ] || name=$(default_name)
    start_server "$1" "$name" "${3:-64}" "${4:-}" || exit 1
    ;;
stop)
    [ $# -ge 1 ] || { log "usage: stop STATE"; exit 2; }
    stop_from_state "$1"
    ;;
run)
    buffer=64
    if [ "${1:-}" = "--buffer" ]; then
        buffer=$2
        shift 2
    fi
    [ $# -ge 1 ] || { log "usage: run [--buffer N] CMD [ARG...]"; exit 2; }
    state=$(mktemp "${TMPDIR:-/tmp}/mixx-jack.XXXXXX") || exit 1
    rm -f "$state"
    trap 'stop_from_state "$state"; rm -f "$state.log"' EXIT
    trap 'exit 130' INT TERM
    name=$(start_server "$state" "$(default_name)" "$buffer") || exit 1
    JACK_DEFAULT_SERVER=$name JACK_NO_START_SERVER=1 "$@"
    exit $?
    ;;
*)
    log "usage: $0 start STATE [NAME] [BUFFER] [OWNER_PID] | stop STATE | run [--buffer N] CMD [ARG...]"
    exit 2
    ;;
esac
