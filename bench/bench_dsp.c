/* SPDX-License-Identifier: MIT */
/* bench_dsp.c: `mixx bench dsp [--json] [--quick]`: every DSP kernel on every ISA this CPU supports, for n in
 * {64, 256, 1024, 4096, 1048576}: median and p99 ns per sample, the speedup against the scalar reference compiled
 * with vectorisation off and against the compiler's auto-vectorised build of it (both compiled from
 * src/dsp_scalar.c in bench/CMakeLists.txt), the share of a memory-bandwidth triad measured in the same run for
 * n = 1048576, and the cost of a denormal-producing decay. Figures, not pass/fail: the machine is shared. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_dsp.h"
#include "dsp.h"

/* the two baselines: src/dsp_scalar.c compiled again (bench/CMakeLists.txt says with which flags) */
void mixx_bench_dsp_init_novec(mixx_dsp_table *t);
void mixx_bench_dsp_init_autovec(mixx_dsp_table *t);

#define BD_NSEC 12
#define BD_BQ_CH 8
#define BD_IL_CH 2
#define BD_MAXN 1048576u
#define BD_NSIZES 5
static const uint32_t bd_sizes[BD_NSIZES] = {64, 256, 1024, 4096, BD_MAXN};

enum { KB_GAIN, KB_GAIN_RAMP, KB_MIX, KB_BIQUAD, KB_PEAK_SUMSQ, KB_INTERLEAVE, KB_DEINTERLEAVE, KB_F32_S16,
       KB_S16_F32, KB_F32_S32, KB_COUNT };
static const char *const kb_names[KB_COUNT] = {"gain",       "gain_ramp",    "mix",        "biquad",
                                               "peak_sumsq", "interleave",   "deinterleave", "f32_to_s16",
                                               "s16_to_f32", "f32_to_s32"};
static const uint32_t kb_channels[KB_COUNT] = {1, 1, 1, BD_BQ_CH, 1, BD_IL_CH, BD_IL_CH, 1, 1, 1};
/* bytes read + written per sample (per channel-sample), counted as the triad's are (no write-allocate) */
static const double kb_bytes[KB_COUNT] = {8, 8, 12, 8, 4, 8, 8, 6, 6, 8};

typedef struct bd_bufs {
    float *src, *dst, *ch[BD_BQ_CH], *il, *tri[3];
    int16_t *s16;
    int32_t *s32;
    double state[2 * BD_NSEC * BD_BQ_CH];
    mixx_dsp_biquad sec[BD_NSEC];
    mixx_dsp_meter_result meter;
} bd_bufs;

static uint64_t bd_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int bd_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* one call of kernel k on n samples through table t */
static void bd_call(const mixx_dsp_table *t, int k, bd_bufs *b, uint32_t n)
{
    switch (k) {
    case KB_GAIN: t->gain(b->dst, b->src, 0.7f, n); break;
    case KB_GAIN_RAMP: t->gain_ramp(b->dst, b->src, 0.2f, 0.9f, n); break;
    case KB_MIX: t->mix(b->dst, b->src, 0.5f, n); break;
    case KB_BIQUAD: t->biquad_cascade(b->ch, BD_BQ_CH, n, b->sec, BD_NSEC, b->state); break;
    case KB_PEAK_SUMSQ: t->meter(b->src, n, &b->meter); break;
    case KB_INTERLEAVE: t->interleave(b->il, (const float *const *)b->ch, BD_IL_CH, n); break;
    case KB_DEINTERLEAVE: t->deinterleave(b->ch, b->il, BD_IL_CH, n); break;
    case KB_F32_S16: t->f32_to_s16(b->s16, b->src, n); break;
    case KB_S16_F32: t->s16_to_f32(b->dst, b->s16, n); break;
    default: t->f32_to_s32(b->s32, b->src, n); break;
    }
    __asm__ __volatile__("" ::: "memory");
}

typedef struct bd_stat {
    double med, p99; /* ns per sample */
} bd_stat;

/* Batches of calls lasting >= ~20 us each (one call for large n), a warm-up of a few batches, then `reps`
 * batches; median and p99 of the per-sample time over the batches. */
static bd_stat bd_measure(const mixx_dsp_table *t, int k, bd_bufs *b, uint32_t n, int quick)
{
    double per_call_samples = (double)n * kb_channels[k];
    uint64_t t0 = bd_now();
    bd_call(t, k, b, n);
    uint64_t one = bd_now() - t0;
    uint32_t calls = one ? (uint32_t)(20000 / one) : 1000;
    calls = calls < 1 ? 1 : calls > 100000 ? 100000 : calls;
    uint32_t reps = n >= BD_MAXN ? (quick ? 3 : 15) : (quick ? 20 : 200);
    if (k == KB_BIQUAD && n >= BD_MAXN)
        reps = quick ? 2 : 5;
    static double v[256];
    for (uint32_t w = 0; w < 3; w++) /* warm-up: caches, branch predictors, the CPU's clock */
        for (uint32_t c = 0; c < calls; c++)
            bd_call(t, k, b, n);
    for (uint32_t r = 0; r < reps; r++) {
        t0 = bd_now();
        for (uint32_t c = 0; c < calls; c++)
            bd_call(t, k, b, n);
        v[r] = (double)(bd_now() - t0) / (calls * per_call_samples);
    }
    qsort(v, reps, sizeof v[0], bd_cmp);
    bd_stat s = {v[reps / 2], v[(reps * 99) / 100 < reps ? (reps * 99) / 100 : reps - 1]};
    return s;
}

/* STREAM-style triad a = b + s * c over 1M floats: the memory bandwidth reference, bytes/ns (12 per element) */
/* restrict + -O3 (bench/CMakeLists.txt): vectorised by the compiler, so the triad is limited by memory, not by
 * a scalar loop */
static void bd_triad_pass(float *restrict a, const float *restrict x, const float *restrict y, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        a[i] = x[i] + 0.5f * y[i];
}

#if defined(__x86_64__)
/* the same loop compiled for AVX2, so the triad is not limited by 16-byte vectors where the kernels use 32 */
__attribute__((target("avx2"))) static void bd_triad_pass_avx2(float *restrict a, const float *restrict x,
                                                                const float *restrict y, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        a[i] = x[i] + 0.5f * y[i];
}
#endif

static double bd_triad(bd_bufs *b, int quick)
{
    int reps = quick ? 5 : 20;
    double v[20];
    for (int r = -2; r < reps; r++) { /* two warm-up passes */
        uint64_t t0 = bd_now();
#if defined(__x86_64__)
        if (mixx_dsp_isa_supported(MIXX_DSP_AVX2))
            bd_triad_pass_avx2(b->tri[0], b->tri[1], b->tri[2], BD_MAXN);
        else
#endif
            bd_triad_pass(b->tri[0], b->tri[1], b->tri[2], BD_MAXN);
        __asm__ __volatile__("" ::: "memory");
        if (r >= 0)
            v[r] = 12.0 * BD_MAXN / (double)(bd_now() - t0);
    }
    qsort(v, (size_t)reps, sizeof v[0], bd_cmp);
    return v[reps / 2];
}

/* A denormal-producing decay: the 8-channel 12-section cascade fed silence while its states sit in the double
 * denormal range (as after a long decaying tail), against the same cascade on noise; with FTZ/DAZ as the engine
 * sets them on its audio threads, and without. Returns the ratios decay/steady. */
static void bd_denormal(bd_bufs *b, double *ratio_ftz, double *ratio_noftz, double *steady_ns)
{
    const uint32_t n = 256, reps = 200;
    double r[2];
    for (int ftz = 1; ftz >= 0; ftz--) {
        uint32_t saved = mixx_dsp_denormals_off();
#if defined(__aarch64__)
        const uint32_t flush_bits = 1u << 24; /* FPCR.FZ */
#else
        const uint32_t flush_bits = 0x8040u; /* MXCSR FTZ | DAZ */
#endif
        if (!ftz)
            mixx_dsp_denormals_restore(saved & ~flush_bits);
        double tm[2];
        for (int decay = 0; decay < 2; decay++) {
            static double v[200];
            for (uint32_t k = 0; k < reps; k++) {
                for (int c = 0; c < BD_BQ_CH; c++)
                    for (uint32_t i = 0; i < n; i++)
                        b->ch[c][i] = decay ? 0.0f : (float)((i * 2654435761u + c * 97u) % 1000u) / 1000.0f - 0.5f;
                for (size_t s = 0; s < sizeof b->state / sizeof b->state[0]; s++)
                    b->state[s] = decay ? 3e-310 * (double)(1 + s % 7) : 0.0;
                uint64_t t0 = bd_now();
                mixx_dsp_biquad_cascade(b->ch, BD_BQ_CH, n, b->sec, BD_NSEC, b->state);
                v[k] = (double)(bd_now() - t0) / (n * BD_BQ_CH);
            }
            qsort(v, reps, sizeof v[0], bd_cmp);
            tm[decay] = v[reps / 2];
        }
        mixx_dsp_denormals_restore(saved);
        r[ftz] = tm[1] / tm[0];
        if (ftz)
            *steady_ns = tm[0];
    }
    *ratio_ftz = r[1];
    *ratio_noftz = r[0];
}

static void *bd_alloc(size_t bytes)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes))
        return NULL;
    memset(p, 0, bytes); /* touch every page before timing */
    return p;
}

static void bd_json_num(double v, int last)
{
    if (isfinite(v))
        printf("%.4g%s", v, last ? "" : ", ");
    else
        printf("null%s", last ? "" : ", ");
}

int mixx_bench_dsp(int argc, char **argv)
{
    int json = 0, quick = 0;
    const char *only_k = NULL, *only_isa = NULL;
    long only_n = 0;
    for (int i = 3; i < argc; i++) { /* argv: mixx bench dsp [options] */
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[i], "--kernel") == 0 && i + 1 < argc)
            only_k = argv[++i];
        else if (strcmp(argv[i], "--isa") == 0 && i + 1 < argc)
            only_isa = argv[++i];
        else if (strcmp(argv[i], "--n") == 0 && i + 1 < argc)
            only_n = strtol(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "mixx bench dsp: unknown option '%s' (usage: mixx bench dsp [--json] [--quick] "
                            "[--kernel NAME] [--isa NAME] [--n N])\n",
                    argv[i]);
            return 2;
        }
    }
    bd_bufs *b = calloc(1, sizeof *b);
    if (!b)
        return 1;
    size_t fb = (size_t)BD_MAXN * sizeof(float);
    int oom = 0;
    oom |= !(b->src = bd_alloc(fb + 64)) || !(b->dst = bd_alloc(fb + 64));
    for (int c = 0; c < BD_BQ_CH; c++)
        oom |= !(b->ch[c] = bd_alloc(fb));
    oom |= !(b->il = bd_alloc(fb * BD_IL_CH)) || !(b->s16 = bd_alloc(fb / 2)) || !(b->s32 = bd_alloc(fb));
    for (int i = 0; i < 3; i++)
        oom |= !(b->tri[i] = bd_alloc(fb));
    if (oom) {
        fprintf(stderr, "mixx bench dsp: out of memory\n");
        return 1;
    }
    for (uint32_t i = 0; i < BD_MAXN; i++) {
        b->src[i] = (float)((i * 2654435761u) % 20001u) / 10000.0f - 1.0f;
        b->dst[i] = 0.25f;
        b->tri[1][i] = b->tri[2][i] = 1.0f;
        for (int c = 0; c < BD_BQ_CH; c++)
            b->ch[c][i] = b->src[i] * 0.5f;
    }
    static const struct {
        mixx_dsp_biquad_type t;
        double f, q, g;
    } eq[BD_NSEC] = {{MIXX_BIQUAD_HIGHPASS, 30, 0.707, 0},   {MIXX_BIQUAD_LOWSHELF, 120, 0.7, 4},
                     {MIXX_BIQUAD_PEAKING, 250, 1.2, -3},    {MIXX_BIQUAD_PEAKING, 500, 2.0, 2},
                     {MIXX_BIQUAD_PEAKING, 1000, 1.0, -6},   {MIXX_BIQUAD_PEAKING, 2000, 3.0, 5},
                     {MIXX_BIQUAD_PEAKING, 3500, 1.5, -2},   {MIXX_BIQUAD_PEAKING, 6000, 0.8, 3},
                     {MIXX_BIQUAD_HIGHSHELF, 8000, 0.7, -4}, {MIXX_BIQUAD_PEAKING, 11000, 2.0, 1},
                     {MIXX_BIQUAD_LOWPASS, 18000, 0.707, 0}, {MIXX_BIQUAD_PEAKING, 700, 0.5, 1.5}};
    for (int s = 0; s < BD_NSEC; s++)
        mixx_dsp_biquad_design(&b->sec[s], eq[s].t, 48000.0, eq[s].f, eq[s].q, eq[s].g);

    /* as an engine audio thread: FTZ/DAZ on for the whole measurement */
    uint32_t fp = mixx_dsp_denormals_off();
    mixx_dsp_isa selected = mixx_dsp_isa_current();
    mixx_dsp_table novec, autovec;
    mixx__dsp_init_scalar(&novec); /* fills every slot first, then the baseline's own */
    autovec = novec;
    mixx_bench_dsp_init_novec(&novec);
    mixx_bench_dsp_init_autovec(&autovec);
#if defined(__x86_64__)
    int have_autovec = mixx_dsp_isa_supported(MIXX_DSP_AVX2); /* built for x86-64-v3 */
#else
    int have_autovec = 1;
#endif
    double triad = bd_triad(b, quick);

    if (json)
        printf("{\"isa_selected\": \"%s\", \"triad_bytes_per_ns\": %.4g, \"results\": [\n",
               mixx_dsp_isa_name(selected), triad);
    else
        printf("mixx bench dsp: ISA selected %s%s%s; triad %.2f GB/s (1M floats, 12 B/element); ns per "
               "sample (per channel-sample), median (p99)\n%-13s %8s %-8s %9s %9s %8s %8s %6s\n",
               mixx_dsp_isa_name(selected), mixx_dsp_isa_note()[0] ? ", " : "", mixx_dsp_isa_note(), triad,
               "kernel", "n", "isa", "ns/samp", "p99", "x_scalar", "x_autovec", "bw%");
    int first = 1;
    for (int k = 0; k < KB_COUNT; k++)
        for (int si = 0; si < BD_NSIZES; si++) {
            uint32_t n = bd_sizes[si];
            /* filters for instruction counting (valgrind --tool=callgrind, docs/dsp.md) */
            if ((only_k && strcmp(only_k, kb_names[k]) != 0) || (only_n && (uint32_t)only_n != n))
                continue;
            bd_stat sn = bd_measure(&novec, k, b, n, quick);
            bd_stat sa = {NAN, NAN};
            if (have_autovec)
                sa = bd_measure(&autovec, k, b, n, quick);
            if (!json)
                printf("%-13s %8u %-8s %9.3f %9.3f\n%-13s %8u %-8s %9.3f %9.3f\n", kb_names[k], n, "novec", sn.med,
                       sn.p99, kb_names[k], n, "autovec", sa.med, sa.p99);
            for (int isa = 0; isa < MIXX_DSP_ISA_COUNT; isa++) {
                if ((only_isa && strcmp(only_isa, mixx_dsp_isa_name((mixx_dsp_isa)isa)) != 0) ||
                    mixx_dsp_set_isa((mixx_dsp_isa)isa) != 0)
                    continue;
                /* the ISA's table, as the public mixx_dsp_* entry points call it (they add one direct call) */
                bd_stat s = bd_measure(mixx__dsp_current_table(), k, b, n, quick);
                double bw = n >= BD_MAXN ? 100.0 * (kb_bytes[k] / s.med) / triad : NAN;
                if (json) {
                    printf("%s  {\"kernel\": \"%s\", \"isa\": \"%s\", \"n\": %u, \"channels\": %u, \"ns_per_sample\": ",
                           first ? "" : ",\n", kb_names[k], mixx_dsp_isa_name((mixx_dsp_isa)isa), n, kb_channels[k]);
                    bd_json_num(s.med, 0);
                    printf("\"ns_per_sample_p99\": ");
                    bd_json_num(s.p99, 0);
                    printf("\"speedup_vs_scalar\": ");
                    bd_json_num(sn.med / s.med, 0);
                    printf("\"speedup_vs_autovec\": ");
                    bd_json_num(sa.med / s.med, 0);
                    printf("\"bandwidth_pct\": ");
                    bd_json_num(bw, 1);
                    printf("}");
                    first = 0;
                } else {
                    printf("%-13s %8u %-8s %9.3f %9.3f %8.2f %8.2f", kb_names[k], n,
                           mixx_dsp_isa_name((mixx_dsp_isa)isa), s.med, s.p99, sn.med / s.med, sa.med / s.med);
                    if (isfinite(bw))
                        printf(" %6.1f", bw);
                    printf("\n");
                }
            }
            mixx_dsp_set_isa(selected);
        }
    double r_ftz = 0, r_noftz = 0, steady = 0;
    bd_denormal(b, &r_ftz, &r_noftz, &steady);
    if (json)
        printf("\n], \"baselines\": {\"novec\": \"src/dsp_scalar.c -O2 -fno-tree-vectorize -fno-tree-slp-vectorize\", "
               "\"autovec\": \"src/dsp_scalar.c -O3 %s\"}, \"denormal_decay\": {\"kernel\": \"biquad\", \"channels\": %d, "
               "\"n\": 256, \"steady_ns_per_sample\": %.4g, \"ratio_ftz\": %.4g, \"ratio_no_ftz\": %.4g}}\n",
               MIXX_BENCH_AUTOVEC_FLAGS, BD_BQ_CH, steady, r_ftz, r_noftz);
    else
        printf("denormal decay (biquad, %d ch, 12 sections, n = 256, %s): %.3f ns/sample steady; decay/steady "
               "%.2f x with FTZ/DAZ (as on engine threads), %.2f x without\n",
               BD_BQ_CH, mixx_dsp_isa_name(selected), steady, r_ftz, r_noftz);
    mixx_dsp_denormals_restore(fp);
    for (int c = 0; c < BD_BQ_CH; c++)
        free(b->ch[c]);
    for (int i = 0; i < 3; i++)
        free(b->tri[i]);
    free(b->src), free(b->dst), free(b->il), free(b->s16), free(b->s32), free(b);
    return 0;
}
