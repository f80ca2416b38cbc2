#!/bin/sh
# SPDX-License-Identifier: MIT
# thread_faults.sh MIXX OUTDIR SECONDS: runs `mixx stability --backend sim --baseline-concurrent` for SECONDS
# and prints, every second, the minor page faults so far of the audio thread (mixx-sim), from
# /proc/PID/task/TID/stat (field 10): perf counters do not work on this VM. docs/performance.md, "Page faults".
rm -rf "$2"
"$1" stability --backend sim --duration "$3"s --baseline-concurrent --out "$2" >/dev/null 2>&1 &
pid=$!
i=0
while kill -0 $pid 2>/dev/null; do
  sleep 1; i=$((i+1))
  for t in /proc/$pid/task/* $(for p in $(pgrep -P $pid); do echo /proc/$p/task/*; done); do
    [ -r $t/stat ] || continue
    awk -v i=$i '$2 ~ /sim|native|mixx-n/ {print i, $2, "minflt", $10}' $t/stat 2>/dev/null
  done
done
wait $pid
