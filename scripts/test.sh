#!/bin/sh
# SPDX-License-Identifier: MIT
# test.sh: sets up a fresh Debian 12 machine (when run as root), builds MixxEngine from scratch with warnings as
# errors, and runs the whole CTest suite (unit, sim, CLI, JACK/PortAudio against a private jackd, JUCE host).
# Usage: scripts/test.sh [build-dir]     (MIXX_SKIP_SETUP=1 to skip apt-get)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build-test}
if [ "$(id -u)" -eq 0 ] && [ "${MIXX_SKIP_SETUP:-0}" != 1 ]; then
    "$here/scripts/setup-debian.sh"
fi
# every program and library the suite uses must be here (setup-debian.sh installs them): name what is missing
sh "$here/scripts/check-deps.sh" --no-sanitizers
rm -rf "$build"
juce=OFF
[ -d /usr/share/juce ] || [ -d /usr/lib/cmake/JUCE ] && juce=ON
# MIXX_FAULT_HOOKS: a test build; the stall hooks let test_hang_* hang the bounded PortAudio/JACK calls on demand
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMIXX_WERROR=ON -DMIXX_BUILD_JUCE_HOST=$juce \
    -DMIXX_FAULT_HOOKS=ON
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure -j1 --timeout 600
