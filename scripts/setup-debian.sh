#!/bin/sh
# SPDX-License-Identifier: MIT
# setup-debian.sh: installs what MixxEngine needs to build, test and report on Debian 12 (run as root).
# Set MIXX_SETUP_JUCE=0 to skip the JUCE host's packages. scripts/check-deps.sh checks that all of it is there.
# llvm-19 brings the llvm-symbolizer that RealtimeSanitizer's reports need (.ci/sanitizers.sh points at it).
set -eu
if [ "$(id -u)" -ne 0 ]; then
    echo "setup-debian.sh: run as root (or with sudo)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
PKGS="build-essential cmake pkg-config python3 python3-jsonschema libcmocka-dev libcjson-dev \
  jackd2 libjack-jackd2-dev portaudio19-dev libasound2-dev libasound2-plugins jack-delay \
  gnuplot-nox valgrind rt-tests clang-19 libclang-rt-19-dev llvm-19 cargo \
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static"
if [ "${MIXX_SETUP_JUCE:-1}" = 1 ]; then
    PKGS="$PKGS juce-modules-source xvfb libfreetype-dev libfontconfig-dev libx11-dev libxrandr-dev \
  libxinerama-dev libxcursor-dev libxext-dev libxcomposite-dev libgl-dev libcurl4-openssl-dev"
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $PKGS >/dev/null
echo "setup-debian.sh: packages installed"
