#!/bin/bash
# .ci/arm64.sh: the arm64 job CI runs after the main one (.ci/run): cross-builds the library (sim backend and
# hosted mode; no JACK, PortAudio, CLI or cJSON) with Debian's gcc-aarch64-linux-gnu through
# cmake/toolchain-aarch64.cmake, -Werror, then runs the DSP kernel test under qemu-aarch64-static: as selected at
# load (NEON), forced to NEON, forced to scalar, and with a bogus MIXX_DSP_ISA (the refusal path). Timing under
# qemu means nothing: correctness only (docs/dsp.md). The cmocka tests need the target's libcmocka and are not
# built here. Usage: .ci/arm64.sh [build-dir]   (default build-arm64). Packages: gcc-aarch64-linux-gnu
# libc6-dev-arm64-cross qemu-user-static (scripts/setup-debian.sh).
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
    -DMIXX_WERROR=ON -DMIXX_WITH_JACK=OFF -DMIXX_WITH_PORTAUDIO=OFF -DMIXX_BUILD_CLI=OFF -DMIXX_BUILD_BENCH=OFF \
    >"$dir/configure.log" 2>&1 || { cat "$dir/configure.log"; exit 1; }
cmake --build "$dir" -j"$jobs" >"$dir/build.log" 2>&1 || { tail -50 "$dir/build.log"; exit 1; }
file "$dir/src/libmixxengine.so."*.*.* | sed 's/,.*//'
rc=0
# CTest runs the target binaries through CMAKE_CROSSCOMPILING_EMULATOR (qemu-aarch64-static -L ...)
(cd "$dir" && ctest --output-on-failure --timeout 600 -R '^test_dsp') || rc=1
echo "arm64: test_dsp with MIXX_DSP_ISA=neon"
MIXX_DSP_ISA=neon qemu-aarch64-static -L /usr/aarch64-linux-gnu "$dir/tests/test_dsp" | tail -3 || rc=1
echo "arm64: done in $(($(date +%s) - t0)) s ($([ $rc -eq 0 ] && echo ok || echo FAILED))"
exit $rc
