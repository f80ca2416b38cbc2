#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh: runs each libFuzzer target for a bounded time on its committed seed corpus (plus a scratch corpus that
# grows during the run) and fails on the first crash, sanitizer report or broken invariant.
#   fuzz/run.sh BUILD_DIR [SECONDS_PER_TARGET (60)] [TARGET...]
# BUILD_DIR is a build configured with CC=clang-19 -DMIXX_BUILD_FUZZ=ON. Crash inputs are kept in
# BUILD_DIR/fuzz-artifacts/; reproduce one with: BUILD_DIR/fuzz/<target> <file> (MIXX_FUZZ_VERBOSE=1 shows the
# CLI's own messages). Prints the executions per target.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]}
secs=${2:-60}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && shift
targets=${*:-fuzz_api fuzz_cli fuzz_report fuzz_params}
art="$build/fuzz-artifacts"
mkdir -p "$art"
status=0
for t in $targets; do
    bin="$build/fuzz/$t"
    if [ ! -x "$bin" ]; then
        echo "fuzz: $t not built in $build (configure with CC=clang-19 -DMIXX_BUILD_FUZZ=ON)" >&2
        status=1
        continue
    fi
    work="$build/fuzz-corpus/$t"
    mkdir -p "$work"
    dict=""
    [ -f "$here/$t.dict" ] && dict="-dict=$here/$t.dict"
    # fuzz_api starts real engines (threads, the latency meter's tables): allow a slow input, not a hang; its
    # programs need a few hundred bytes for 64 calls, so don't make it grow inputs from 64 bytes slowly
    timeout_s=10
    extra=""
    [ "$t" = fuzz_api ] && timeout_s=60 && extra="-max_len=512 -len_control=0"
    log="$art/$t.log"
    "$bin" $dict $extra -max_total_time="$secs" -timeout="$timeout_s" -rss_limit_mb=3072 -print_final_stats=1 \
        -artifact_prefix="$art/$t-" "$work" "$here/corpus/$t" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    if [ $rc -ne 0 ]; then
        echo "fuzz: $t FAILED (exit $rc) after ${execs:-?} executions; log $log, inputs $art/$t-*" >&2
        grep -E "ERROR|SUMMARY|invariant|runtime error|escapes" "$log" | head -20 >&2
        status=1
    else
        echo "fuzz: $t ok, ${execs:-?} executions in ${secs} s"
    fi
done
exit $status
