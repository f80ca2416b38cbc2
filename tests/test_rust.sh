#!/bin/sh
# SPDX-License-Identifier: MIT
# test_rust.sh SRC BUILD: `cargo test --offline` of bindings/rust (mixxengine-sys layout against the header,
# the safe wrapper against the library) with the library of this build (MIXX_LIB_DIR). The crates are copied
# into BUILD/rust so that Cargo.lock and target/ stay out of the source tree. Skips (77) without cargo.
set -u
SRC=$1; BUILD=$2
if ! command -v cargo >/dev/null 2>&1; then
    echo "skip: no cargo on PATH (Debian: apt-get install cargo, see scripts/setup-debian.sh)"
    exit 77
fi
echo "$(cargo --version), $(rustc --version)"
rm -rf "$BUILD/rust/src"
mkdir -p "$BUILD/rust/src"
cp -R "$SRC/bindings/rust/Cargo.toml" "$SRC/bindings/rust/mixxengine-sys" "$SRC/bindings/rust/mixxengine" "$BUILD/rust/src/"
rm -rf "$BUILD/rust/src/mixxengine-sys/target" "$BUILD/rust/src/mixxengine/target"
cd "$BUILD/rust/src" || exit 1
MIXX_LIB_DIR="$BUILD/src" MIXX_INCLUDE_DIR="$SRC/include" CARGO_TARGET_DIR="$BUILD/rust/target" \
    cargo test --offline 2>&1
rc=$?
[ $rc -ne 0 ] && exit $rc
# the example a user would copy runs too
MIXX_LIB_DIR="$BUILD/src" MIXX_INCLUDE_DIR="$SRC/include" CARGO_TARGET_DIR="$BUILD/rust/target" \
    cargo run --offline --example gain -- 1 2>&1
