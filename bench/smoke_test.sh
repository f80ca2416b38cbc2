#!/bin/sh
# smoke_test.sh: CTest smoke test for `mixx bench` (registered in tests/CMakeLists.txt as test_bench_json).
# Checks that --json prints every documented key and that the callgrind mode runs; never checks timing.
# usage: bench/smoke_test.sh path/to/mixx
set -u
MIXX=${1:?usage: smoke_test.sh path/to/mixx}
OUT=$("$MIXX" bench --json --reps 20 --target-us 5) || { echo "FAIL: mixx bench --json exited $?"; exit 1; }
echo "$OUT"
fail=0
# required numbers
for key in floor_ns floor_with_timestamps_ns engine_ns engine_no_instr_ns ratio frames channels ring_push_ns \
           timestamps_ns instr_overhead_ns instr_budget_ns period_ns engine_period_pct; do
    echo "$OUT" | grep -Eq "\"$key\":-?[0-9]" || { echo "FAIL: key $key missing or not a number"; fail=1; }
done
# present, null allowed with a note (library not found, meter not built, PLT program not built)
for key in engine_shared_ns engine_plt_ns rtl_ns rtl_overhead_ns cpu_model stats notes dropped_records; do
    echo "$OUT" | grep -q "\"$key\":" || { echo "FAIL: key $key missing"; fail=1; }
done
echo "$OUT" | grep -q '"dropped_records":0,' || { echo "FAIL: the timed engines dropped records"; fail=1; }
for mode in floor floor_ts ring_push engine engine_no_instr; do
    "$MIXX" bench --callgrind-mode $mode --blocks 50 >/dev/null || { echo "FAIL: --callgrind-mode $mode"; fail=1; }
done
"$MIXX" bench --frames 0 >/dev/null 2>&1 && { echo "FAIL: --frames 0 accepted"; fail=1; }
[ $fail -eq 0 ] && echo "PASS"
exit $fail
