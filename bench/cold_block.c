/* SPDX-License-Identifier: MIT */
/* cold_block.c: mixx-bench-cold, the cost of one engine block when the core's caches and TLB are cold, as after
 * another process ran between two callbacks on a busy machine: 64 MiB are walked (a byte per 4 KiB page, every
 * line of 4 MiB) before each timed block, engine (hosted) and the bare two-channel copy in turn. Under load this,
 * not the warm cost of `mixx bench`, is the time a callback is exposed to interruptions (docs/performance.md).
 * --from-memory walks past the last-level cache too (a byte per page of 256 MiB, every line of 96 MiB): the block's
 * lines and page-table entries then come from memory, as after a noisy neighbour on a shared host. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mixxengine.h"

#define COLD_BYTES (64u << 20)
#define COLD_LINES (4u << 20)
/* --from-memory: also past the last-level cache (32 MiB per CCD on the project's VM): every line of 96 MiB, and a
 * byte per page of 256 MiB, so the block's lines and page-table entries come from memory */
#define MEM_BYTES (256u << 20)
#define MEM_LINES (96u << 20)

static uint64_t cold_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int cold_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static size_t evict_bytes = COLD_BYTES, evict_lines = COLD_LINES;

static unsigned cold_evict(volatile const unsigned char *m)
{
    unsigned s = 0;
    for (size_t i = 0; i < evict_bytes; i += 4096)
        s += m[i];
    for (size_t i = 0; i < evict_lines; i += 64)
        s += m[evict_bytes - evict_lines + i];
    return s;
}

int main(int argc, char **argv)
{
    int n = 2000, meter = 1, instrument = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--blocks") == 0 && i + 1 < argc)
            n = atoi(argv[++i]);
        else if (strcmp(argv[i], "--no-latency") == 0)
            meter = 0;
        else if (strcmp(argv[i], "--no-instrument") == 0)
            instrument = 0;
        else if (strcmp(argv[i], "--from-memory") == 0) {
            evict_bytes = MEM_BYTES;
            evict_lines = MEM_LINES;
        }
        else {
            fprintf(stderr, "usage: mixx-bench-cold [--blocks N (2000)] [--no-latency] [--no-instrument] [--from-memory]\n");
            return 2;
        }
    }
    if (n < 10) {
        fprintf(stderr, "mixx-bench-cold: --blocks must be at least 10\n");
        return 2;
    }
    mixx_config c;
    MIXX_CONFIG_INIT(&c);
    c.backend = MIXX_BACKEND_HOSTED;
    c.instrument = instrument;
    mixx_engine *e = NULL;
    int rc = mixx_engine_create(&c, &e);
    if (rc == 0)
        rc = mixx_engine_start_stream(e);
    if (rc == 0 && meter)
        rc = mixx_engine_rtl_start(e, MIXX_RTL_MULTITONE, 0, 1);
    unsigned char *m = malloc(evict_bytes);
    uint64_t *te = malloc((size_t)n * sizeof *te), *tf = malloc((size_t)n * sizeof *tf);
    if (rc || !m || !te || !tf) {
        fprintf(stderr, "mixx-bench-cold: %s\n", rc ? mixx_strerror(rc) : "out of memory");
        return 1;
    }
    memset(m, 1, evict_bytes);
    float ib[2][64], ob[2][64];
    memset(ib, 0, sizeof ib);
    const float *in[2] = {ib[0], ib[1]};
    float *out[2] = {ob[0], ob[1]};
    unsigned sink = 0;
    for (int k = 0; k < n; k++) {
        sink += cold_evict(m);
        uint64_t a = cold_now();
        mixx_engine_process(e, in, 2, out, 2, 64);
        te[k] = cold_now() - a;
        sink += cold_evict(m);
        a = cold_now();
        memcpy(ob[0], ib[0], sizeof ib[0]);
        memcpy(ob[1], ib[1], sizeof ib[1]);
        __asm__ volatile("" : : "r"(ob) : "memory"); /* the copies must happen before the second timestamp */
        tf[k] = cold_now() - a;
    }
    qsort(te, (size_t)n, sizeof *te, cold_cmp);
    qsort(tf, (size_t)n, sizeof *tf, cold_cmp);
    printf("cold%s 64-frame block, %d blocks, meter %s, instrument %s: engine p50 %llu p90 %llu ns | bare copy p50 "
           "%llu p90 %llu ns%s\n",
           evict_bytes == MEM_BYTES ? " (from memory)" : "", n, meter ? "on" : "off", instrument ? "on" : "off", (unsigned long long)te[n / 2],
           (unsigned long long)te[n * 9 / 10], (unsigned long long)tf[n / 2], (unsigned long long)tf[n * 9 / 10],
           sink == 0xFFFFFFFFu ? " " : "");
    if (meter)
        mixx_engine_rtl_stop(e);
    mixx_engine_stop_stream(e);
    mixx_engine_destroy(e);
    free(m);
    free(te);
    free(tf);
    return 0;
}
