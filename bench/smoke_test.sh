#!/bin/sh
# SPDX-License-Identifier: MIT
# smoke_test.sh: CTest smoke test for `mixx bench` (registered in tests/CMakeLists.txt as test_bench_json).
# Checks that --json prints every documented key and that the callgrind mode runs; never checks timing.
# usage: bench/smoke_test.sh path/to/mixx
set -u
MIXX=${1:?usage: smoke_test.sh path/to/mixx}
OUT=$("$MIXX" bench --json --reps 20 --target-us 5) || { echo "FAIL: mixx bench --json exited $?"; exit 1; }
echo "$OUT"
fail=0
# required numbers
for key in floor_ns floor_with_timestamps_ns engine_ns engine_no_instr_ns engine_over_floor_with_timestamps \
           target_engine_over_floor_with_timestamps engine_over_floor engine_no_instr_over_floor frames channels \
           ring_push_ns timestamps_ns instr_overhead_ns instr_budget_ns period_ns engine_period_pct; do
    echo "$OUT" | grep -Eq "\"$key\":-?[0-9]" || { echo "FAIL: key $key missing or not a number"; fail=1; }
done
# present, null allowed with a note (library not found, meter not built, PLT program not built)
for key in engine_shared_ns engine_plt_ns rtl_ns rtl_overhead_ns cpu_model stats notes dropped_records; do
    echo "$OUT" | grep -q "\"$key\":" || { echo "FAIL: key $key missing"; fail=1; }
done
# the verdicts are booleans; the renamed keys are gone (SOVERSION 0: renamed, not kept)
for key in target_met instr_overhead_within_budget; do
    echo "$OUT" | grep -Eq "\"$key\":(true|false)" || { echo "FAIL: key $key missing or not a boolean"; fail=1; }
done
for key in ratio ratio_to_floor engine_shared_ratio engine_no_instr_ratio engine_plt_ratio; do
    echo "$OUT" | grep -q "\"$key\":" && { echo "FAIL: old key $key still printed"; fail=1; }
done
# a helper nobody built or named is not reported; one named but missing is
echo "$OUT" | grep -q '"plt_program":null' && echo "$OUT" | grep -q '"engine_plt":"' &&
    { echo "FAIL: an absent mixx-bench-plt is reported as a note"; fail=1; }
OUT2=$("$MIXX" bench --json --reps 5 --no-shared --plt /nonexistent/mixx-bench-plt) || { echo "FAIL: --plt missing exited $?"; fail=1; }
echo "$OUT2" | grep -q '"engine_plt":"mixx-bench-plt not found' || { echo "FAIL: a named but missing --plt is not reported: $OUT2"; fail=1; }
echo "$OUT" | grep -q '"dropped_records":0,' || { echo "FAIL: the timed engines dropped records"; fail=1; }
for mode in floor floor_ts ring_push engine engine_no_instr; do
    "$MIXX" bench --callgrind-mode $mode --blocks 50 >/dev/null || { echo "FAIL: --callgrind-mode $mode"; fail=1; }
done
"$MIXX" bench --frames 0 >/dev/null 2>&1 && { echo "FAIL: --frames 0 accepted"; fail=1; }
[ $fail -eq 0 ] && echo "PASS"
exit $fail
