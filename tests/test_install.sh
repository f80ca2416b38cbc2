#!/bin/sh
# SPDX-License-Identifier: MIT
# test_install.sh SRC BUILD: `cmake --install` into a temporary prefix, then check what a user gets: the shared
# library exports the four seed functions and nothing outside mixx_*, SONAME carries the major version, the header
# compiles as C99/C11 and C++ with -Wall -Wextra -pedantic, C and C++ programs build against the shared and the
# static library through pkg-config and through find_package(MixxEngine) and run (sim / hosted), the package
# refuses an incompatible version, mixxengine.pc paths are clean, bin/mixx runs, and examples/ builds as a
# standalone project against the prefix and each example runs (the JACK one on a private server, or skips).
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
# the 0.1 names of the handle verbs stay exported (deprecated wrappers): the ABI keeps its symbols
for f in mixx_engine_init mixx_engine_start mixx_engine_stop mixx_engine_shutdown mixx_engine_process \
         mixx_engine_start_stream mixx_engine_stop_stream mixx_engine_start_handle mixx_engine_stop_handle; do
    echo "$syms" | grep -qx "$f" && ok "exports $f" || bad "missing $f"
done
# the stall hooks (docs/reliability.md, "Fault injection") are in the library only when the build asked for them
hooks=$(sed -n 's/^MIXX_FAULT_HOOKS:BOOL=//p' "$BUILD/CMakeCache.txt" 2>/dev/null)
n_hook=$(grep -c MIXX_FAULT_STALL "$lib")
case "$hooks" in
ON | on | 1 | TRUE | true) [ "$n_hook" -gt 0 ] && ok "fault hooks compiled in (test build, MIXX_FAULT_HOOKS=ON)" ||
    bad "MIXX_FAULT_HOOKS=ON but the library does not read MIXX_FAULT_STALL" ;;
*) [ "$n_hook" -eq 0 ] && ok "no fault hooks in the library (MIXX_FAULT_HOOKS off)" ||
    bad "MIXX_FAULT_HOOKS is off, yet the library mentions MIXX_FAULT_STALL" ;;
esac
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
printf '#include <mixxengine.hpp>\nint main() { return mixx::config().validate(); }\n' > "$work/hpp.cpp"
c++ -std=c++17 -Wall -Wextra -Wshadow -pedantic -Werror $(pkg-config --cflags mixxengine) -c "$work/hpp.cpp" \
    -o "$work/hpp.o" && ok "mixxengine.hpp installed, compiles as C++17 -pedantic" || bad "mixxengine.hpp as C++17"
libdir=$(dirname "$lib")
# pkg-config, shared: -lmixxengine finds the .so; static: the archive plus Libs.private (pkg-config --static)
static_libs=$(pkg-config --static --libs mixxengine | sed 's/-lmixxengine /-l:libmixxengine.a /')
c++ "$work/cpp.o" -o "$work/cpp" $(pkg-config --libs mixxengine) -Wl,-rpath,"$libdir" \
    && "$work/cpp" && ok "pkg-config C++ shared: link and run (hosted)" || bad "pkg-config C++ shared"
cc "$work/c.o" -o "$work/c" $(pkg-config --libs mixxengine) -Wl,-rpath,"$libdir" \
    && "$work/c" && ok "pkg-config C shared: link and run (façade, sim)" || bad "pkg-config C shared"
for lang in c cpp; do
    linker=cc; [ $lang = cpp ] && linker=c++
    if $linker "$work/$lang.o" -o "$work/${lang}_static" $static_libs && "$work/${lang}_static"; then
        if ldd "$work/${lang}_static" | grep -q libmixxengine; then
            bad "pkg-config $lang static: still needs the shared library: $(ldd "$work/${lang}_static" | grep mixx)"
        else
            ok "pkg-config $lang static ($static_libs): link and run"
        fi
    else
        bad "pkg-config $lang static ($static_libs)"
    fi
done
pc_libdir=$(pkg-config --variable=libdir mixxengine); pc_inc=$(pkg-config --variable=includedir mixxengine)
case "$pc_libdir $pc_inc" in
    *//*|*/../*|*/..\ *|*/..) bad "mixxengine.pc paths not normalised: libdir=$pc_libdir includedir=$pc_inc" ;;
    *) [ "$pc_libdir" = "$libdir" ] && ok "mixxengine.pc paths clean ($pc_libdir)" \
           || bad "mixxengine.pc libdir '$pc_libdir' is not the installed '$libdir'" ;;
esac

# a moved tree: pkgconf's --define-prefix derives the prefix from where the .pc file now is
moved=$work/moved; mkdir -p "$moved"; cp -R "$prefix/include" "$prefix/lib" "$moved/" 2>/dev/null || cp -R "$prefix"/lib* "$prefix/include" "$moved/"
mv_libdir=$(PKG_CONFIG_PATH=$moved/$(basename "$libdir")/pkgconfig pkg-config --define-prefix --variable=libdir mixxengine)
[ "$mv_libdir" = "$moved/$(basename "$libdir")" ] && ok "moved tree: pkg-config --define-prefix gives $mv_libdir" \
    || bad "moved tree: pkg-config --define-prefix gives '$mv_libdir', not $moved/$(basename "$libdir")"
rm -rf "$moved"
# find_package: four programs; the static ones must not need libmixxengine.so
if cmake -S "$SRC/tests/consumer" -B "$work/cm" -DCMAKE_PREFIX_PATH="$prefix" > "$work/cm.log" 2>&1 \
        && cmake --build "$work/cm" >> "$work/cm.log" 2>&1; then
    ok "find_package(MixxEngine) configures and builds shared + static consumers"
    for exe in consumer_c consumer_cpp consumer_c_static consumer_cpp_static; do
        if ! "$work/cm/$exe" > "$work/run.log" 2>&1; then
            bad "find_package $exe runs: $(cat "$work/run.log")"
        elif case $exe in *_static) ldd "$work/cm/$exe" | grep -q libmixxengine ;; *) false ;; esac; then
            bad "find_package $exe links the shared library"
        else
            ok "find_package $exe runs"
        fi
    done
else
    bad "find_package consumer:"; cat "$work/cm.log"
fi
# the version file: this minor is accepted, the next minor is not while the major is 0
major=$(sed -n 's/^#define MIXX_VERSION_MAJOR \([0-9]*\).*/\1/p' "$SRC/include/mixxengine/version.h")
minor=$(sed -n 's/^#define MIXX_VERSION_MINOR \([0-9]*\).*/\1/p' "$SRC/include/mixxengine/version.h")
cmake -S "$SRC/tests/consumer" -B "$work/v1" -DCMAKE_PREFIX_PATH="$prefix" -DMIXX_REQUEST="$major.$minor" \
    > "$work/v.log" 2>&1 && ok "find_package(MixxEngine $major.$minor) accepted" \
    || { bad "find_package(MixxEngine $major.$minor) refused:"; cat "$work/v.log"; }
if [ "$major" = 0 ]; then next="0.$((minor + 1))"; else next="$((major + 1)).0"; fi
if cmake -S "$SRC/tests/consumer" -B "$work/v2" -DCMAKE_PREFIX_PATH="$prefix" -DMIXX_REQUEST="$next" \
        > "$work/v.log" 2>&1; then
    bad "find_package(MixxEngine $next) accepted by $major.$minor"
else
    grep -q "version" "$work/v.log" && ok "find_package(MixxEngine $next) refused by $major.$minor" \
        || { bad "find_package(MixxEngine $next) failed, but not for the version:"; cat "$work/v.log"; }
fi
if [ -x "$BUILD/tools/mixx-jack-native" ]; then
    [ -x "$prefix/bin/mixx-jack-native" ] && ok "bin/mixx-jack-native installed" || bad "no bin/mixx-jack-native"
fi

# examples/: a standalone project against the prefix, warnings as errors; each example runs briefly
if cmake -S "$SRC/examples" -B "$work/ex" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_C_FLAGS="-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror" \
        -DCMAKE_CXX_FLAGS="-Wall -Wextra -Wshadow -Werror" > "$work/ex.log" 2>&1 \
        && cmake --build "$work/ex" >> "$work/ex.log" 2>&1; then
    ok "examples/ builds against the installed package"
    (cd "$work/ex" && ctest --output-on-failure -E jack_latency) > "$work/ex.log" 2>&1 \
        && ok "examples run: $(grep -c 'Passed' "$work/ex.log") passed" || { bad "examples run:"; cat "$work/ex.log"; }
    sh "$SRC/tests/jack_server.sh" run "$work/ex/jack_latency" 2 > "$work/jl.log" 2>&1
    case $? in
        0) ok "example jack_latency on a private jackd: $(tail -1 "$work/jl.log")" ;;
        77) echo "skip - example jack_latency: $(grep -i skip "$work/jl.log" | head -1)" ;;
        *) bad "example jack_latency:"; cat "$work/jl.log" ;;
    esac
else
    bad "examples/ build:"; cat "$work/ex.log"
fi
# bindings/rust against the installed package, found through pkg-config, linked statically (MIXX_STATIC=1)
if command -v cargo >/dev/null 2>&1; then
    mkdir -p "$work/rust"
    cp -R "$SRC/bindings/rust/Cargo.toml" "$SRC/bindings/rust/mixxengine-sys" "$SRC/bindings/rust/mixxengine" "$work/rust/"
    rm -rf "$work/rust/mixxengine-sys/target" "$work/rust/mixxengine/target" "$work/rust/Cargo.lock"
    if (cd "$work/rust" && env -u MIXX_LIB_DIR -u MIXX_INCLUDE_DIR MIXX_STATIC=1 CARGO_TARGET_DIR="$work/rust/target" \
            cargo test --offline) > "$work/rust.log" 2>&1; then
        ok "Rust crates: cargo test against the installed package (pkg-config, static): $(grep -c '^test .* ok$' "$work/rust.log") tests"
    else
        bad "Rust crates against the installed package:"; cat "$work/rust.log"
    fi
else
    echo "skip - Rust crates: no cargo on PATH"
fi
# a project that vendors the source tree (add_subdirectory): library only, no cjson/cmocka looked up
if cmake -S "$SRC/tests/consumer/subproject" -B "$work/sub" -DMIXX_SRC="$SRC" > "$work/sub.log" 2>&1 \
        && cmake --build "$work/sub" -j2 --target consumer_static >> "$work/sub.log" 2>&1 && "$work/sub/consumer_static" >> "$work/sub.log"; then
    if grep -qi -e "^CJSON" -e "^CMOCKA" "$work/sub/CMakeCache.txt"; then
        bad "subproject build looked for cjson/cmocka: $(grep -i -e "^CJSON" -e "^CMOCKA" "$work/sub/CMakeCache.txt" | head -3)"
    else
        ok "add_subdirectory(MixxEngine): library only, links and runs"
    fi
else
    bad "add_subdirectory(MixxEngine):"; cat "$work/sub.log"
fi
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
