/* SPDX-License-Identifier: MIT */
/* bench_internal.h: what bench_run.c and bench_load.c share: the dlopen'ed library and the PLT child. */
#ifndef MIXX_BENCH_INTERNAL_H
#define MIXX_BENCH_INTERNAL_H

#include <limits.h>

#include "harness.h"
#include "mixx_bench.h"

typedef mixx_bench_opts bench_opts;

/* snprintf that may truncate on purpose (paths and messages into fixed buffers). */
__attribute__((format(printf, 3, 4))) void mixx_bench_fmt(char *dst, size_t len, const char *f, ...);
#define fmt mixx_bench_fmt
/* the project's bar: engine / (floor + timestamps) at most this (docs/performance.md) */
#define MIXX_BENCH_TARGET_RATIO 1.5

typedef struct shared_lib {
    void *handle;
    mixx_bench_api api;
    char path[PATH_MAX];
    char why[300];
} shared_lib;

typedef struct plt_result {
    int ok;
    int absent; /* the helper is not there (not built or not installed) and nobody named one: not reported */
    double floor_ns, floor_ts_ns, engine_ns, engine_no_instr_ns;
    char path[PATH_MAX];
    char why[300];
} plt_result;

/* Order: --lib, $MIXX_LIB, the build tree (<build>/tools/mixx -> <build>/src), an install prefix
 * (<prefix>/bin -> <prefix>/lib...), then the loader's own search. Returns 0 or -1 with s->why. */
int mixx_bench_load_shared(shared_lib *s, const char *opt_path, const char *exe_dir);
/* Runs bench/mixx-bench-plt (linked against the shared library) as a child; r->ok or r->why. */
void mixx_bench_run_plt(const bench_opts *o, uint32_t rate, plt_result *r);

#endif
