#!/bin/sh
# SPDX-License-Identifier: MIT
# check-deps.sh: checks that everything the build, the test suite and the CI jobs use is on this machine
# (programs, pkg-config modules, Python modules, sanitizer runtimes, the symbolizer, the JUCE modules) and names
# what is missing with the Debian package that provides it. scripts/setup-debian.sh installs all of it; .ci/run
# runs this right after, so a package that only a long-used machine had fails CI at once, by name.
# Usage: scripts/check-deps.sh [--no-juce] [--no-sanitizers]      exit 0 all present, 1 something missing
set -u
juce=${MIXX_SETUP_JUCE:-1}
san=1
for a in "$@"; do
    case $a in
    --no-juce) juce=0 ;;
    --no-sanitizers) san=0 ;;
    *) echo "check-deps.sh: unknown option $a" >&2; exit 2 ;;
    esac
done

missing=0
miss() {
    missing=$((missing + 1))
    echo "check-deps: MISSING $1 (Debian package: $2)"
}
# prog NAME PACKAGE
prog() { command -v "$1" >/dev/null 2>&1 || miss "program '$1'" "$2"; }
# file PATH PACKAGE
file_() { [ -e "$1" ] || miss "file $1" "$2"; }
# pc MODULE PACKAGE
pc() { pkg-config --exists "$1" 2>/dev/null || miss "pkg-config module '$1'" "$2"; }
# py MODULE PACKAGE
py() { python3 -c "import $1" 2>/dev/null || miss "python3 module '$1'" "$2"; }

# build
prog cc build-essential
prog c++ build-essential
prog make build-essential
prog cmake cmake
prog pkg-config pkg-config
prog python3 python3
pc jack libjack-jackd2-dev
pc portaudio-2.0 portaudio19-dev
pc libcjson libcjson-dev
pc cmocka libcmocka-dev
# test suite: JACK server and clients, the reference meter, report rendering and checking, fault injection
prog jackd jackd2
prog jack_lsp jackd2
prog jack_delay jack-delay
# bindings/rust (tests/test_rust.sh): cargo test --offline, no crates fetched
prog cargo cargo
prog rustc rustc
prog gnuplot gnuplot-nox
prog unshare util-linux
prog timeout coreutils
py json python3
py jsonschema python3-jsonschema
# PortAudio reaches the private JACK server through ALSA's JACK plugin
file_ /usr/lib/x86_64-linux-gnu/alsa-lib/libasound_module_pcm_jack.so libasound2-plugins
# the arm64 job (.ci/arm64.sh): cross compiler, its libc, the user-mode emulator
prog aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
file_ /usr/aarch64-linux-gnu/include/stdio.h libc6-dev-arm64-cross
prog qemu-aarch64-static qemu-user-static
if [ "$juce" = 1 ]; then
    file_ /usr/share/juce/modules/juce_core juce-modules-source
    file_ /usr/lib/x86_64-linux-gnu/cmake/JUCE-7.0.5/JUCEConfig.cmake juce-modules-source
    prog Xvfb xvfb
    pc freetype2 libfreetype-dev
    pc x11 libx11-dev
fi
if [ "$san" = 1 ]; then
    # gcc's ASan/UBSan/TSan runtimes (pulled in by gcc-12 through libgcc-12-dev)
    for lib in libasan.so libubsan.so libtsan.so; do
        [ -n "$(gcc -print-file-name=$lib | grep /)" ] && [ -e "$(gcc -print-file-name=$lib)" ] ||
            miss "gcc runtime $lib" "libgcc-12-dev"
    done
    prog clang-19 clang-19
    file_ /usr/lib/llvm-19/lib/clang/19/lib/linux/libclang_rt.rtsan-x86_64.a libclang-rt-19-dev
    file_ /usr/lib/llvm-19/lib/clang/19/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-19-dev
    # without it RTSan's reports are unsymbolized and test_rtsan_live cannot see the offending callback
    file_ /usr/lib/llvm-19/bin/llvm-symbolizer llvm-19
    prog valgrind valgrind
fi

if [ $missing -gt 0 ]; then
    echo "check-deps: $missing missing; scripts/setup-debian.sh installs them (run it as root)"
    exit 1
fi
echo "check-deps: everything the build and the tests use is present"
