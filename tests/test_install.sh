#!/bin/sh
# test_install.sh SRC BUILD: `cmake --install` into a temporary prefix, then check what a user gets: the shared
# library exports the four seed functions and nothing outside mixx_*, SONAME carries the major version, the header
# compiles as C99/C11 and C++ with -Wall -Wextra -pedantic, pkg-config and find_package(MixxEngine) both work,
# and bin/mixx runs.
set -u
SRC=$1; BUILD=$2
prefix=$(mktemp -d /tmp/mixx-install-XXXXXX)
trap 'rm -rf "$prefix"' EXIT
fails=0; passes=0
ok() { passes=$((passes + 1)); echo "ok - $1"; }
bad() { fails=$((fails + 1)); echo "FAIL - $1"; }

cmake --install "$BUILD" --prefix "$prefix" >/dev/null && ok "cmake --install" || { bad "cmake --install"; echo "0 passed, 1 failed"; exit 1; }
lib=$(ls "$prefix"/lib*/libmixxengine.so.[0-9]* 2>/dev/null | head -1)
[ -n "$lib" ] && ok "shared library installed: $(basename "$lib")" || bad "no shared library"
ls "$prefix"/lib*/libmixxengine.a >/dev/null 2>&1 && ok "static library installed" || bad "no static library"
syms=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}')
outside=$(echo "$syms" | grep -v '^mixx_' | grep -v '^_init$' | grep -v '^_fini$')
[ -z "$outside" ] && ok "exports only mixx_* ($(echo "$syms" | wc -l) symbols)" || bad "exports outside mixx_*: $outside"
for f in mixx_engine_init mixx_engine_start mixx_engine_stop mixx_engine_shutdown mixx_engine_process; do
    echo "$syms" | grep -qx "$f" && ok "exports $f" || bad "missing $f"
done
soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
[ "$soname" = "libmixxengine.so.0" ] && ok "SONAME $soname" || bad "SONAME '$soname'"
[ -x "$prefix/bin/mixx" ] && "$prefix/bin/mixx" --version >/dev/null && ok "bin/mixx runs" || bad "bin/mixx"

export PKG_CONFIG_PATH=$(dirname "$lib")/pkgconfig
work=$prefix/work; mkdir -p "$work"
for std in c99 c11 c17; do
    cc -std=$std -Wall -Wextra -pedantic -Werror $(pkg-config --cflags mixxengine) -c "$SRC/tests/consumer/consumer.c" \
        -o "$work/c.o" && ok "header compiles as $std -pedantic" || bad "header as $std"
done
c++ -std=c++17 -Wall -Wextra -pedantic -Werror $(pkg-config --cflags mixxengine) -c "$SRC/tests/consumer/consumer.cpp" \
    -o "$work/cpp.o" && ok "header compiles as C++17 -pedantic" || bad "header as C++"
cc "$work/c.o" -o "$work/c" $(pkg-config --libs mixxengine) -Wl,-rpath,"$(dirname "$lib")" \
    && "$work/c" && ok "pkg-config link and run (façade)" || bad "pkg-config consumer"
cmake -S "$SRC/tests/consumer" -B "$work/cm" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null \
    && cmake --build "$work/cm" >/dev/null && LD_LIBRARY_PATH=$(dirname "$lib") "$work/cm/consumer_cpp" \
    && LD_LIBRARY_PATH=$(dirname "$lib") "$work/cm/consumer_c" && ok "find_package(MixxEngine) consumers" || bad "find_package consumer"
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
