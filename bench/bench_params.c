/* SPDX-License-Identifier: MIT */
/* bench_params.c: `mixx bench params`: the parameter bus's own costs (docs/params.md), timed on this thread
 * playing the audio thread around the bus's two hooks into the engine cycle (src/params_internal.h): writes,
 * idle and changed blocks with 1024 parameters, the channel strip active and bypassed, the meters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine_internal.h"
#include "mixx_bench.h"
#include "mixxengine_params.h"
#include "params_internal.h"

/* The bus's own costs, timed on this thread playing the audio thread: mixx__bus_cycle_begin + _end around a block
 * (what the engine adds to every cycle), at 48000/64 x 2 channels with 1024 parameters (the strip's 28 + 996
 * application parameters with smoothing 0). Writes happen between timed blocks, never inside them. Each figure is
 * the lowest of three medians. */

#define BP_FRAMES 64
#define BP_REPS 201

static int bp_runs = 3, bp_reps = BP_REPS; /* --quick: 1 and 21 */

static int bp_fail(const char *what, int rc)
{
    fprintf(stderr, "mixx: bench params: %s: %s (%s)\n", what, mixx_strerror(rc), mixx_error_name(rc));
    return 1;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
    qsort(v, n, sizeof *v, cmp_double);
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i];
}

typedef struct bench_ctx {
    mixx_engine *e;
    mixx_bus *b;
    float *in[2], *out[2];
    uint32_t ids[1024];
    uint32_t n_ids;
} bench_ctx;


static void block(bench_ctx *c)
{
    memcpy(c->out[0], c->in[0], BP_FRAMES * sizeof(float));
    memcpy(c->out[1], c->in[1], BP_FRAMES * sizeof(float));
    mixx__bus_cycle_begin(c->b, (const float *const *)c->in, 2, BP_FRAMES);
    mixx__bus_cycle_end(c->b, c->out, 2, BP_FRAMES);
}

/* median over BP_REPS of the per-block time of `inner` blocks, with `changes` writes before each block; the lowest
 * of three such medians (the machine is shared: a median can still be inflated by a busy neighbour) */
static double time_blocks_once(bench_ctx *c, uint32_t changes, uint32_t inner, double *copy_ns);

static double time_blocks(bench_ctx *c, uint32_t changes, uint32_t inner, double *copy_ns)
{
    double best = 0;
    for (int i = 0; i < bp_runs; i++) {
        double m = time_blocks_once(c, changes, inner, copy_ns);
        best = (i == 0 || m < best) ? m : best;
    }
    return best;
}

static double time_blocks_once(bench_ctx *c, uint32_t changes, uint32_t inner, double *copy_ns)
{
    static double samples[BP_REPS];
    static float flip;
    for (int r = 0; r < bp_reps; r++) {
        uint64_t total = 0;
        for (uint32_t k = 0; k < inner; k++) {
            if (changes) {
                flip = flip == 1.0f ? 2.0f : 1.0f;
                for (uint32_t i = 0; i < changes; i++)
                    mixx_param_set(c->e, c->ids[i], flip);
            }
            uint64_t t0 = now_ns();
            block(c);
            total += now_ns() - t0;
        }
        samples[r] = (double)total / inner;
    }
    double m = pct(samples, (size_t)bp_reps, 0.5);
    return copy_ns ? m - *copy_ns : m;
}

int mixx_bench_params(int json, int quick)
{
    if (quick) {
        bp_runs = 1;
        bp_reps = 21;
    }
    mixx_config cfg;
    MIXX_CONFIG_INIT(&cfg);
    cfg.backend = MIXX_BACKEND_HOSTED;
    cfg.instrument = 0;
    bench_ctx c;
    memset(&c, 0, sizeof c);
    int rc = mixx_engine_create(&cfg, &c.e);
    if (rc)
        return bp_fail("create", rc);
    uint32_t strip_n = mixx_param_count(c.e);
    for (uint32_t i = strip_n; i < 1024; i++) {
        mixx_param_info pi;
        memset(&pi, 0, sizeof pi);
        pi.id = MIXX_PARAM_APP_ID_MIN + i;
        snprintf(pi.name, sizeof pi.name, "bench.%u", i);
        pi.min = 0;
        pi.max = 4;
        pi.def = 1;
        if ((rc = mixx_param_define(c.e, &pi)) != 0) {
            mixx_engine_destroy(c.e);
            return bp_fail("define", rc);
        }
        c.ids[c.n_ids++] = pi.id;
    }
    if ((rc = mixx_engine_start_stream(c.e)) != 0) {
        mixx_engine_destroy(c.e);
        return bp_fail("start", rc);
    }
    c.b = c.e->bus;
    static float mem[4][BP_FRAMES];
    for (int i = 0; i < BP_FRAMES; i++)
        mem[0][i] = mem[1][i] = (float)(0.3 * ((i * 37) % 64 - 32) / 32.0);
    c.in[0] = mem[0], c.in[1] = mem[1], c.out[0] = mem[2], c.out[1] = mem[3];

    /* the two memcpy of the engine's pass-through are in block(): measure them alone and subtract */
    double copy = 0;
    {
        static double s[BP_REPS];
        for (int r = 0; r < BP_REPS; r++) {
            uint64_t t0 = now_ns();
            for (int k = 0; k < 1000; k++) {
                memcpy(c.out[0], c.in[0], BP_FRAMES * sizeof(float));
                memcpy(c.out[1], c.in[1], BP_FRAMES * sizeof(float));
                __asm__ __volatile__("" ::: "memory");
            }
            s[r] = (double)(now_ns() - t0) / 1000.0;
        }
        copy = pct(s, BP_REPS, 0.5);
    }
    for (int k = 0; k < 20000; k++) /* warm up */
        block(&c);

    /* set: one writer, batches of 16 sets timed together; a block between batches takes the dirty bits */
    enum { BATCHES = 20000, PER = 16 };
    double *sv = malloc(BATCHES * sizeof *sv);
    if (!sv)
        return bp_fail("allocate", MIXX_ENOMEM);
    uint32_t at = 0;
    double set50 = 0, set99 = 0;
    for (int run = 0; run < bp_runs; run++) {
        for (int r = 0; r < BATCHES; r++) {
            uint64_t t0 = now_ns();
            for (int i = 0; i < PER; i++) {
                mixx_param_set(c.e, c.ids[at], (double)(r & 3));
                at = (at + 7) % c.n_ids;
            }
            sv[r] = (double)(now_ns() - t0) / PER;
            if ((r & 3) == 3)
                block(&c);
        }
        double p50 = pct(sv, BATCHES, 0.5), p99 = pct(sv, BATCHES, 0.99);
        set50 = (run == 0 || p50 < set50) ? p50 : set50;
        set99 = (run == 0 || p99 < set99) ? p99 : set99;
    }
    free(sv);

    double idle = time_blocks(&c, 0, 1000, &copy);
    double ch100 = time_blocks(&c, 100, 50, &copy);
    double chall = time_blocks(&c, c.n_ids, 20, &copy);
    /* strip: bypassed (defaults), then EQ (3 bands) + trim + output gain on both channels, static */
    double bypass = time_blocks(&c, 0, 1000, &copy);
    const char *active[] = {"ch1.trim_db=-3",        "ch2.trim_db=-3",        "ch1.gain_db=2",
                            "ch2.gain_db=2",         "ch1.eq.low.gain_db=3",  "ch2.eq.low.gain_db=3",
                            "ch1.eq.mid.gain_db=-4", "ch2.eq.mid.gain_db=-4", "ch1.eq.high.gain_db=2",
                            "ch2.eq.high.gain_db=2"};
    for (size_t i = 0; i < sizeof active / sizeof active[0]; i++)
        mixx_param_set_text(c.e, active[i]);
    for (int k = 0; k < 2000; k++) /* past every ramp */
        block(&c);
    double strip = time_blocks(&c, 0, 1000, &copy);
    for (size_t i = 0; i < sizeof active / sizeof active[0]; i++) {
        char reset[64];
        snprintf(reset, sizeof reset, "%.*s=0", (int)(strchr(active[i], '=') - active[i]), active[i]);
        mixx_param_set_text(c.e, reset);
    }
    for (int k = 0; k < 2000; k++)
        block(&c);
    mixx_meters_enable(c.e, 1);
    double meters = time_blocks(&c, 0, 1000, &copy);
    mixx_meter mm[2];
    mixx_meters_read(c.e, mm, 2, mm, 2);
    mixx_engine_stop_stream(c.e);
    mixx_engine_destroy(c.e);

    if (json) {
        printf("{\"frames\":64,\"channels\":2,\"rate\":48000,\"params\":1024,\"set_ns_p50\":%.1f,\"set_ns_p99\":%.1f,"
               "\"audio_ns_idle\":%.1f,\"audio_ns_100_changed\":%.1f,\"audio_ns_all_changed\":%.1f,"
               "\"strip_ns_64x2\":%.1f,\"strip_bypass_ns_64x2\":%.1f,\"meters_ns_64x2\":%.1f}\n",
               set50, set99, idle, ch100, chall, strip, bypass, meters);
    } else {
        printf("parameter bus at 48000/64 x 2 ch, 1024 parameters (per block: bus begin+end, pass-through copy "
               "subtracted)\n");
        printf("  set_ns_p50            %8.1f ns   (one writer, batches of %d; each figure the lowest of 3 runs)\n",
               set50, PER);
        printf("  set_ns_p99            %8.1f ns\n", set99);
        printf("  audio_ns_idle         %8.1f ns   (nothing changed)\n", idle);
        printf("  audio_ns_100_changed  %8.1f ns\n", ch100);
        printf("  audio_ns_all_changed  %8.1f ns   (all 1024)\n", chall);
        printf("  strip_ns_64x2         %8.1f ns   (3-band EQ + trim + gain, both channels)\n", strip);
        printf("  strip_bypass_ns_64x2  %8.1f ns   (defaults: skipped)\n", bypass);
        printf("  meters_ns_64x2        %8.1f ns   (2 in + 2 out, strip bypassed)\n", meters);
        printf("  period                %8.1f ns   (64 frames at 48000 Hz)\n", 64e9 / 48000.0);
    }
    return 0;
}

