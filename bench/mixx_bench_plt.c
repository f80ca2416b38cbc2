/* SPDX-License-Identifier: MIT */
/* mixx_bench_plt.c: mixx-bench-plt, the PLT half of "static vs shared": the same harness as `mixx bench`, linked
 * against the shared libmixxengine, so every mixx_engine_process call goes through the PLT. Measures the floor,
 * the floor with timestamps and the engine (instrumentation on/off) in its own process; `mixx bench` runs it and
 * reports engine_plt_ns. Prints JSON with --json, a table otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

enum { P_FLOOR, P_FLOOR_TS, P_ENGINE, P_ENGINE_NOI, P_COUNT };

static int arg_u32(const char *v, uint32_t lo, uint32_t hi, uint32_t *out)
{
    char *end;
    unsigned long x = v ? strtoul(v, &end, 10) : 0;
    if (!v || *end || x < lo || x > hi)
        return -1;
    *out = (uint32_t)x;
    return 0;
}

int main(int argc, char **argv)
{
    uint32_t frames = 64, channels = 2, reps = 3000, rate = 48000, ring = 1u << 17;
    double target_us = 5.0;
    int json = 0, pace = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (strcmp(a, "--json") == 0)
            json = 1;
        else if (strcmp(a, "--no-pace") == 0)
            pace = 0;
        else if (strcmp(a, "--frames") == 0)
            bad = arg_u32(v, 1, 8192, &frames), i++;
        else if (strcmp(a, "--channels") == 0)
            bad = arg_u32(v, 1, 64, &channels), i++;
        else if (strcmp(a, "--reps") == 0)
            bad = arg_u32(v, 1, 10000000, &reps), i++;
        else if (strcmp(a, "--rate") == 0)
            bad = arg_u32(v, 1, 768000, &rate), i++;
        else if (strcmp(a, "--ring") == 0)
            bad = arg_u32(v, 64, 1u << 24, &ring) || (ring & (ring - 1)), i++;
        else if (strcmp(a, "--target-us") == 0)
            bad = !v || (target_us = atof(v)) <= 0, i++;
        else
            bad = 1;
        if (bad) {
            fprintf(stderr, "usage: mixx-bench-plt [--frames N] [--channels N] [--reps N] [--rate HZ] [--ring N] "
                            "[--target-us US] [--no-pace] [--json]\n");
            return 2;
        }
    }
    mixx_bench_bufs b;
    if (mixx_bench_bufs_init(&b, frames, channels) != 0)
        return 1;
    mixx_bench_api api = mixx_bench_api_linked();
    mixx_bench_kind k[P_COUNT];
    memset(k, 0, sizeof k);
    const char *keys[P_COUNT] = {"floor", "floor_with_timestamps", "engine", "engine_no_instr"};
    mixx_bench_run_fn runs[P_COUNT] = {mixx_bench_run_floor, mixx_bench_run_floor_ts, mixx_bench_run_engine_linked,
                                       mixx_bench_run_engine_linked};
    for (int i = 0; i < P_COUNT; i++) {
        k[i].key = keys[i];
        k[i].label = keys[i];
        k[i].run = runs[i];
        k[i].bufs = &b;
        k[i].enabled = 1;
    }
    for (int i = P_ENGINE; i <= P_ENGINE_NOI; i++) {
        k[i].api = &api;
        k[i].prepare = mixx_bench_prepare_engine;
        k[i].instrumented = i == P_ENGINE;
        k[i].ring_capacity = ring;
        int rc = mixx_bench_engine_open(&api, &b, rate, i == P_ENGINE, ring, &k[i].engine);
        if (rc) {
            fprintf(stderr, "mixx-bench-plt: engine: %s\n", mixx_strerror(rc));
            return 1;
        }
    }
    uint32_t blocks = mixx_bench_calibrate(&k[P_ENGINE], target_us * 1000.0);
    /* fault the engine's ring pages in before timing, as mixx bench does */
    for (uint32_t done = 0; done < ring; done += blocks) {
        mixx_bench_prepare_engine(&k[P_ENGINE], blocks);
        mixx_bench_run_engine_linked(&k[P_ENGINE], blocks);
    }
    int rc = mixx_bench_measure(k, P_COUNT, reps, 20, blocks, pace ? MIXX_BENCH_PACE_NS_PER_BLOCK : 0.0);
    int prc = k[P_ENGINE].rc | k[P_ENGINE_NOI].rc;
    for (int i = P_ENGINE; i <= P_ENGINE_NOI; i++) {
        mixx_engine_stop_stream(k[i].engine);
        mixx_engine_destroy(k[i].engine);
    }
    if (rc || prc) {
        fprintf(stderr, "mixx-bench-plt: %s\n", rc ? "out of memory" : mixx_strerror(prc));
        return 1;
    }
    double fts = k[P_FLOOR_TS].median;
    if (json) {
        printf("{\"path\":\"plt\",\"frames\":%u,\"channels\":%u,\"reps\":%u,\"blocks_per_rep\":%u", frames, channels,
               reps, blocks);
        for (int i = 0; i < P_COUNT; i++)
            printf(",\"%s_ns\":%.3f,\"%s_min_ns\":%.3f,\"%s_p99_ns\":%.3f", keys[i], k[i].median, keys[i], k[i].min,
                   keys[i], k[i].p99);
        printf(",\"ratio\":%.4f}\n", k[P_ENGINE].median / fts);
    } else {
        printf("mixx-bench-plt: %u frames x %u channels, %u reps x %u blocks, ns per block (via the PLT)\n",
               frames, channels, reps, blocks);
        for (int i = 0; i < P_COUNT; i++)
            printf("  %-24s min %9.1f  median %9.1f  p99 %9.1f  x floor+ts %.2f\n", keys[i], k[i].min,
                   k[i].median, k[i].p99, k[i].median / fts);
    }
    mixx_bench_kinds_free(k, P_COUNT);
    mixx_bench_bufs_free(&b);
    return 0;
}
