#!/bin/bash
# SPDX-License-Identifier: MIT
# .ci/arm64.sh: the arm64 job CI runs after the main one (.ci/run): cross-builds the library (sim backend and
# hosted mode; no JACK, PortAudio, CLI or cJSON) with Debian's gcc-aarch64-linux-gnu through
# cmake/toolchain-aarch64.cmake, -Werror, then runs the DSP kernel test under qemu-aarch64-static: as selected at
# load (NEON), forced to NEON, forced to scalar, and with a bogus MIXX_DSP_ISA (the refusal path). Timing under
# qemu means nothing: correctness only (docs/dsp.md). The cmocka tests need the target's libcmocka and the CLI,
# so they are not built here; test_dsp (standalone) is compiled by hand below.
# Usage: .ci/arm64.sh [build-dir]   (default build-arm64).
# Packages: gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static (scripts/setup-debian.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-arm64}
jobs=${MIXX_JOBS:-$(nproc)}
t0=$(date +%s)
for tool in aarch64-linux-gnu-gcc qemu-aarch64-static; do
    if ! command -v "$tool" >/dev/null; then
        echo "arm64: $tool not installed (scripts/setup-debian.sh installs it)" >&2
        exit 1
    fi
done
rm -rf "$dir"
mkdir -p "$dir"
cmake -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMIXX_WERROR=ON -DMIXX_WITH_JACK=OFF -DMIXX_WITH_PORTAUDIO=OFF -DMIXX_BUILD_TOOLS=OFF -DMIXX_BUILD_TESTS=OFF \
    -DMIXX_BUILD_BENCH=OFF >"$dir/configure.log" 2>&1 || { cat "$dir/configure.log"; exit 1; }
cmake --build "$dir" -j"$jobs" >"$dir/build.log" 2>&1 || { tail -50 "$dir/build.log"; exit 1; }
file "$dir/src/libmixxengine.so."*.*.* | sed 's/,.*//'
# test_dsp is standalone (no cmocka, no CLI): built here against the cross-built static library, same warnings
aarch64-linux-gnu-gcc -std=c11 -O2 -g -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
    -Wno-unused-parameter -Werror -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc tests/test_dsp.c \
    "$dir/src/libmixxengine.a" -lm -lpthread -o "$dir/test_dsp" || exit 1
rc=0
run() { # run NAME MIXX_DSP_ISA-VALUE [test_dsp options]: test_dsp under qemu-aarch64
    local name=$1 isa=$2
    shift 2
    echo "arm64: test_dsp ($name) $*"
    MIXX_DSP_ISA=$isa qemu-aarch64-static -L /usr/aarch64-linux-gnu "$dir/test_dsp" "$@" >"$dir/test_dsp.$name.log" 2>&1
    local trc=$?
    grep -E "^dsp:|^FAIL|^test_dsp:" "$dir/test_dsp.$name.log" | head -45
    if [ $trc -ne 0 ]; then
        echo "arm64: test_dsp ($name) FAILED ($trc)"
        rc=1
    fi
}
# every run sweeps all ISAs (scalar and NEON) against each other; the forced ones check the dispatch
run default ""
run neon neon
run scalar scalar --dispatch-only
run bogus bogus --dispatch-only
sed -n '/^kernel/,/^("=/p' "$dir/test_dsp.default.log"
echo "arm64: done in $(($(date +%s) - t0)) s ($([ $rc -eq 0 ] && echo ok || echo FAILED))"
exit $rc
