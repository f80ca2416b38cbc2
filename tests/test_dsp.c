/* SPDX-License-Identifier: MIT */
/* test_dsp.c: checkasm-style test of the DSP kernels (include/mixxengine/dsp.h): every kernel on every ISA this CPU
 * supports against the scalar reference (bit-exact, the documented promise) and against a double-precision
 * reference (stated tolerance per kernel), random data with specials (NaN, Inf, denormals, clipping values),
 * lengths 0..1100, misaligned pointers; dispatch, MIXX_DSP_ISA and FTZ/DAZ. Kernels run inside a realtime section
 * (RTSan aborts on any allocation/lock/syscall there). Standalone (no cmocka) so it runs under qemu-aarch64 too.
 * Prints the accuracy table of docs/dsp.md. Usage: test_dsp [--seed N] [--dispatch-only]
 * (--dispatch-only: the dispatch, MIXX_DSP_ISA and FTZ checks, not the kernel sweep) */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h" /* MIXX_RT_ENTER/EXIT */
#include "mixxengine/dsp.h"

static int n_fail, n_checks;

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define MIXX_TEST_HAVE_VALGRIND_H 1
#endif
#endif
/* valgrind runs SSE code without FTZ/DAZ (its documented limitation), so the flush itself cannot be seen there */
static int mixx_test_on_valgrind(void)
{
#ifdef MIXX_TEST_HAVE_VALGRIND_H
    return RUNNING_ON_VALGRIND != 0;
#else
    const char *p = getenv("LD_PRELOAD");
    return p && strstr(p, "valgrind") != NULL;
#endif
}

#define CHECK(cond, ...)                                                                                     \
    do {                                                                                                     \
        n_checks++;                                                                                          \
        if (!(cond)) {                                                                                       \
            n_fail++;                                                                                        \
            if (n_fail <= 40) {                                                                              \
                printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                                       \
                printf(__VA_ARGS__);                                                                         \
                printf("\n");                                                                                \
            }                                                                                                \
        }                                                                                                    \
    } while (0)

/* ---- data -------------------------------------------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return rng_state = x;
}
static float frand(float lo, float hi)
{
    return lo + (hi - lo) * (float)((rng() >> 40) * (1.0 / 16777216.0));
}
static float f_from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static uint32_t bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* mostly [-1.5, 1.5], some specials: NaN, +-Inf, +-0, denormals, exactly +-1, ties of the int16 rounding */
static float sample(int specials)
{
    if (specials && rng() % 16 == 0) {
        switch (rng() % 11) {
        case 0: return NAN;
        case 1: return INFINITY;
        case 2: return -INFINITY;
        case 3: return -0.0f;
        case 4: return f_from_bits(1u + (uint32_t)(rng() % 0x7fffff)); /* denormal */
        case 5: return 1.0f;
        case 6: return -1.0f;
        case 7: return ((float)(int)(rng() % 65535) - 32767.0f + 0.5f) / 32767.0f;
        case 8: return 1e30f;
        case 9: return -3.0f;
        default: return 0.99999994f;
        }
    }
    return frand(-1.5f, 1.5f);
}

static void fill(float *x, size_t n, int specials)
{
    for (size_t i = 0; i < n; i++)
        x[i] = sample(specials);
}

static int same_float(float a, float b)
{
    return (a != a && b != b) || bits(a) == bits(b);
}

static double ulp_of(double m)
{
    m = fabs(m);
    if (m < 1.17549435e-38)
        return 1.40129846e-45; /* denormal spacing */
    int e;
    frexp(m, &e);
    return ldexp(1.0, e - 24);
}

/* ---- accuracy table ------------------------------------------------------------------------------------- */

enum { K_GAIN, K_GAIN_RAMP, K_MIX, K_MIX_RAMP, K_METER, K_BIQUAD, K_INTERLEAVE, K_DEINTERLEAVE, K_F32_S16,
       K_S16_F32, K_F32_S24, K_S24_F32, K_F32_S32, K_S32_F32, K_COUNT };
static const char *const k_names[K_COUNT] = {"gain", "gain_ramp", "mix", "mix_ramp", "peak_sumsq", "biquad",
                                             "interleave", "deinterleave", "f32_to_s16", "s16_to_f32",
                                             "f32_to_s24", "s24_to_f32", "f32_to_s32", "s32_to_f32"};
/* what the error against double is measured in, and the stated tolerance */
static const char *const k_unit[K_COUNT] = {
    "ulp", "ulp(max operand)", "ulp(max operand)", "ulp(max operand)", "sumsq err / ((n/16+4)2^-24 sum)", "SNR dB (min)",
    "exact", "exact", "LSB", "ulp", "LSB", "ulp", "LSB", "ulp"};
/* bounds from the rounding steps of each definition (docs/dsp.md derives them) */
static const double k_tol[K_COUNT] = {0.5, 4.0, 1.5, 5.5, 1.0, 120.0, 0, 0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5};
static double k_err[MIXX_DSP_ISA_COUNT][K_COUNT];   /* worst error against double (for biquad: min SNR) */
static long k_mism[MIXX_DSP_ISA_COUNT][K_COUNT];    /* elements differing from the scalar reference */
static int k_ran[MIXX_DSP_ISA_COUNT];

static void err_max(int isa, int k, double e)
{
    if (e > k_err[isa][k])
        k_err[isa][k] = e;
}

/* ---- the kernels under test, on one ISA, against the scalar reference and double -------------------- */

#define MAXN 1100
#define PAD 16

typedef struct bufs {
    float a[MAXN + PAD], b[MAXN + PAD], c[MAXN + PAD], r[MAXN + PAD];
    int16_t s16[MAXN + PAD], s16r[MAXN + PAD];
    int32_t s32[MAXN + PAD], s32r[MAXN + PAD];
    float il[16 * (MAXN + PAD)], ilr[16 * (MAXN + PAD)];
    float ch[16][MAXN + PAD], chr[16][MAXN + PAD];
} bufs;

static bufs B;

static void run_isa(mixx_dsp_isa isa)
{
    if (mixx_dsp_set_isa(isa) != 0) {
        printf("FAIL: mixx_dsp_set_isa(%s) refused although supported\n", mixx_dsp_isa_name(isa));
        n_fail++;
        return;
    }
    k_ran[isa] = 1;
    for (uint32_t n = 0; n <= MAXN; n++) {
        /* misalignment: offsets 0..3 floats (0..7 int16), different for source and destination */
        uint32_t oa = n % 4, ob = (n / 4) % 4, os = n % 8;
        float *src = B.a + oa, *dst = B.b + ob, *ref = B.r + ob;
        fill(src, n, 1);
        float g = frand(-2.0f, 2.0f), g1 = frand(-2.0f, 2.0f);

        /* gain */
        MIXX_RT_ENTER();
        mixx_dsp_gain(dst, src, g, n);
        MIXX_RT_EXIT();
        mixx_dsp_set_isa(MIXX_DSP_SCALAR);
        mixx_dsp_gain(ref, src, g, n);
        mixx_dsp_set_isa(isa);
        for (uint32_t i = 0; i < n; i++) {
            if (!same_float(dst[i], ref[i]))
                k_mism[isa][K_GAIN]++;
            double d = (double)src[i] * g;
            if (isfinite(d) && fabs(d) < 3e38)
                err_max(isa, K_GAIN, fabs(dst[i] - d) / ulp_of(d));
        }

        /* gain ramp (in place: dst == src) */
        memcpy(dst, src, n * sizeof(float));
        MIXX_RT_ENTER();
        mixx_dsp_gain_ramp(dst, dst, g, g1, n);
        MIXX_RT_EXIT();
        mixx_dsp_set_isa(MIXX_DSP_SCALAR);
        mixx_dsp_gain_ramp(ref, src, g, g1, n);
        mixx_dsp_set_isa(isa);
        for (uint32_t i = 0; i < n; i++) {
            if (!same_float(dst[i], ref[i]))
                k_mism[isa][K_GAIN_RAMP]++;
            /* the documented step is a float; the rest exactly, error in ulp of the larger product */
            double step = n ? (double)((g1 - g) / (float)n) : 0.0;
            double d = (double)src[i] * ((double)g + (double)i * step);
            double m = fmax(fabs((double)src[i] * g), fabs((double)src[i] * i * step));
            if (isfinite(d) && m < 3e38 && m > 1e-30)
                err_max(isa, K_GAIN_RAMP, fabs(dst[i] - d) / ulp_of(m));
        }

        /* mix and mix ramp */
        float *acc = B.c + oa;
        fill(acc, n, 1);
        memcpy(dst, acc, n * sizeof(float));
        memcpy(ref, acc, n * sizeof(float));
        MIXX_RT_ENTER();
        mixx_dsp_mix(dst, src, g, n);
        MIXX_RT_EXIT();
        mixx_dsp_set_isa(MIXX_DSP_SCALAR);
        mixx_dsp_mix(ref, src, g, n);
        mixx_dsp_set_isa(isa);
        for (uint32_t i = 0; i < n; i++) {
            if (!same_float(dst[i], ref[i]))
                k_mism[isa][K_MIX]++;
            double p = (double)src[i] * g, d = acc[i] + p;
            double m = fmax(fabs(p), fabs((double)acc[i]));
            if (isfinite(d) && m < 3e38 && m > 1e-30)
                err_max(isa, K_MIX, fabs(dst[i] - d) / ulp_of(m));
        }
        memcpy(dst, acc, n * sizeof(float));
        memcpy(ref, acc, n * sizeof(float));
        MIXX_RT_ENTER();
        mixx_dsp_mix_ramp(dst, src, g, g1, n);
        MIXX_RT_EXIT();
        mixx_dsp_set_isa(MIXX_DSP_SCALAR);
        mixx_dsp_mix_ramp(ref, src, g, g1, n);
        mixx_dsp_set_isa(isa);
        for (uint32_t i = 0; i < n; i++) {
            if (!same_float(dst[i], ref[i]))
                k_mism[isa][K_MIX_RAMP]++;
            double step = n ? (double)((g1 - g) / (float)n) : 0.0;
            double p = (double)src[i] * ((double)g + (double)i * step), d = acc[i] + p;
            double m = fmax(fmax(fabs(p), fabs((double)acc[i])), fabs((double)src[i] * i * step));
            if (isfinite(d) && m < 3e38 && m > 1e-30)
                err_max(isa, K_MIX_RAMP, fabs(dst[i] - d) / ulp_of(m));
        }

        /* meter: once with specials (NaN/Inf propagate into sumsq), once finite for the sumsq bound */
        for (int pass = 0; pass < 2; pass++) {
            if (pass == 1)
                fill(src, n, 0);
            mixx_dsp_meter_result mr, mref;
            memset(&mr, 0xa5, sizeof mr);
            MIXX_RT_ENTER();
            mixx_dsp_meter(src, n, &mr);
            MIXX_RT_EXIT();
            mixx_dsp_set_isa(MIXX_DSP_SCALAR);
            mixx_dsp_meter(src, n, &mref);
            mixx_dsp_set_isa(isa);
            if (!same_float(mr.peak, mref.peak) || !same_float(mr.sumsq, mref.sumsq) || mr.clips != mref.clips)
                k_mism[isa][K_METER]++;
            double peak = 0, sq = 0;
            uint32_t clips = 0;
            for (uint32_t i = 0; i < n; i++) {
                double v = fabs((double)src[i]);
                if (v == v && v > peak)
                    peak = v;
                sq += (double)src[i] * src[i];
                clips += v >= 1.0;
            }
            CHECK(mr.peak == (float)peak, "%s n=%u peak %.9g, double %.9g", mixx_dsp_isa_name(isa), n, mr.peak, peak);
            CHECK(mr.clips == clips, "%s n=%u clips %u, double %u", mixx_dsp_isa_name(isa), n, mr.clips, clips);
            if (pass == 1 && n) {
                double bound = (n / 16.0 + 4.0) * ldexp(1.0, -24) * sq;
                err_max(isa, K_METER, fabs(mr.sumsq - sq) / bound);
            }
        }

        /* conversions float -> int16/int24/int32 and back */
        int16_t *s16 = B.s16 + os, *s16r = B.s16r + os;
        int32_t *s32 = B.s32 + oa, *s32r = B.s32r + oa;
        fill(src, n, 1);
        MIXX_RT_ENTER();
        mixx_dsp_f32_to_s16(s16, src, n);
        MIXX_RT_EXIT();
        mixx_dsp_set_isa(MIXX_DSP_SCALAR);
        mixx_dsp_f32_to_s16(s16r, src, n);
        mixx_dsp_set_isa(isa);
        for (uint32_t i = 0; i < n; i++) {
            if (s16[i] != s16r[i])
                k_mism[isa][K_F32_S16]++;
            double d = src[i] != src[i] ? 0.0 : fmin(fmax(rint((double)src[i] * 32767.0), -32767.0), 32767.0);
            err_max(isa, K_F32_S16, fabs(s16[i] - d));
        }
        for (uint32_t i = 0; i < n; i++)
            s16[i] = (int16_t)(rng() & 0xffff);
        MIXX_RT_ENTER();
        mixx_dsp_s16_to_f32(dst, s16, n);
        MIXX_RT_EXIT();
        mixx_dsp_set_isa(MIXX_DSP_SCALAR);
        mixx_dsp_s16_to_f32(ref, s16, n);
        mixx_dsp_f32_to_s16(s16r, dst, n); /* round trip */
        mixx_dsp_set_isa(isa);
        for (uint32_t i = 0; i < n; i++) {
            if (!same_float(dst[i], ref[i]))
                k_mism[isa][K_S16_F32]++;
            double d = s16[i] / 32767.0;
            err_max(isa, K_S16_F32, fabs(dst[i] - d) / ulp_of(d));
            int16_t want = s16[i] == -32768 ? -32767 : s16[i];
            CHECK(s16r[i] == want, "int16 round trip %d -> %.9g -> %d", s16[i], dst[i], s16r[i]);
        }

        fill(src, n, 1);
        MIXX_RT_ENTER();
        mixx_dsp_f32_to_s24(s32, src, n);
        MIXX_RT_EXIT();
        mixx_dsp_set_isa(MIXX_DSP_SCALAR);
        mixx_dsp_f32_to_s24(s32r, src, n);
        mixx_dsp_set_isa(isa);
        for (uint32_t i = 0; i < n; i++) {
            if (s32[i] != s32r[i])
                k_mism[isa][K_F32_S24]++;
            double d = src[i] != src[i] ? 0.0 : fmin(fmax(rint((double)src[i] * 8388607.0), -8388607.0), 8388607.0);
            err_max(isa, K_F32_S24, fabs(s32[i] - d));
        }
        for (uint32_t i = 0; i < n; i++)
            s32[i] = (int32_t)(uint32_t)rng(); /* top byte is garbage: must be ignored */
        MIXX_RT_ENTER();
        mixx_dsp_s24_to_f32(dst, s32, n);
        MIXX_RT_EXIT();
        mixx_dsp_set_isa(MIXX_DSP_SCALAR);
        mixx_dsp_s24_to_f32(ref, s32, n);
        mixx_dsp_set_isa(isa);
        for (uint32_t i = 0; i < n; i++) {
            if (!same_float(dst[i], ref[i]))
                k_mism[isa][K_S24_F32]++;
            double d = (double)((int32_t)((uint32_t)s32[i] << 8) >> 8) / 8388607.0;
            if (d != 0.0)
                err_max(isa, K_S24_F32, fabs(dst[i] - d) / ulp_of(d));
            else
                CHECK(dst[i] == 0.0f, "s24 0 -> %g", dst[i]);
        }

        fill(src, n, 1);
        MIXX_RT_ENTER();
        mixx_dsp_f32_to_s32(s32, src, n);
        MIXX_RT_EXIT();
        mixx_dsp_set_isa(MIXX_DSP_SCALAR);
        mixx_dsp_f32_to_s32(s32r, src, n);
        mixx_dsp_set_isa(isa);
        for (uint32_t i = 0; i < n; i++) {
            if (s32[i] != s32r[i])
                k_mism[isa][K_F32_S32]++;
            double d = src[i] != src[i] ? 0.0
                                        : fmin(fmax(rint((double)src[i] * 2147483648.0), -2147483647.0), 2147483647.0);
            err_max(isa, K_F32_S32, fabs(s32[i] - d));
        }
        for (uint32_t i = 0; i < n; i++)
            s32[i] = (int32_t)(uint32_t)rng();
        MIXX_RT_ENTER();
        mixx_dsp_s32_to_f32(dst, s32, n);
        MIXX_RT_EXIT();
        mixx_dsp_set_isa(MIXX_DSP_SCALAR);
        mixx_dsp_s32_to_f32(ref, s32, n);
        mixx_dsp_set_isa(isa);
        for (uint32_t i = 0; i < n; i++) {
            if (!same_float(dst[i], ref[i]))
                k_mism[isa][K_S32_F32]++;
            double d = s32[i] / 2147483648.0;
            if (d != 0.0)
                err_max(isa, K_S32_F32, fabs(dst[i] - d) / ulp_of(d));
        }

        /* interleave / deinterleave, 1..16 channels (exact moves: compared with the definition directly) */
        uint32_t nch = 1 + n % 16;
        if (n % 5 == 0)
            nch = 2; /* the common cases get extra weight */
        else if (n % 5 == 1)
            nch = 4;
        const float *chp[16];
        float *chw[16];
        for (uint32_t c = 0; c < nch; c++) {
            fill(B.ch[c] + (c + oa) % 4, n, 1);
            chp[c] = B.ch[c] + (c + oa) % 4;
            chw[c] = B.chr[c] + (c + ob) % 4;
        }
        float *il = B.il + ob;
        MIXX_RT_ENTER();
        mixx_dsp_interleave(il, chp, nch, n);
        MIXX_RT_EXIT();
        for (uint32_t i = 0; i < n; i++)
            for (uint32_t c = 0; c < nch; c++)
                if (bits(il[(size_t)i * nch + c]) != bits(chp[c][i]))
                    k_mism[isa][K_INTERLEAVE]++;
        MIXX_RT_ENTER();
        mixx_dsp_deinterleave(chw, il, nch, n);
        MIXX_RT_EXIT();
        for (uint32_t i = 0; i < n; i++)
            for (uint32_t c = 0; c < nch; c++)
                if (bits(chw[c][i]) != bits(chp[c][i]))
                    k_mism[isa][K_DEINTERLEAVE]++;
    }
}

/* ---- biquad: 12 sections, 1..16 channels, against scalar (exact) and a double cascade (SNR) -------------- */

#define NSEC 12

static void biquad_sections(mixx_dsp_biquad *sec)
{
    static const struct {
        mixx_dsp_biquad_type t;
        double f, q, g;
    } d[NSEC] = {{MIXX_BIQUAD_HIGHPASS, 30, 0.707, 0},   {MIXX_BIQUAD_LOWSHELF, 120, 0.7, 4},
                 {MIXX_BIQUAD_PEAKING, 250, 1.2, -3},    {MIXX_BIQUAD_PEAKING, 500, 2.0, 2},
                 {MIXX_BIQUAD_PEAKING, 1000, 1.0, -6},   {MIXX_BIQUAD_PEAKING, 2000, 3.0, 5},
                 {MIXX_BIQUAD_PEAKING, 3500, 1.5, -2},   {MIXX_BIQUAD_PEAKING, 6000, 0.8, 3},
                 {MIXX_BIQUAD_HIGHSHELF, 8000, 0.7, -4}, {MIXX_BIQUAD_PEAKING, 11000, 2.0, 1},
                 {MIXX_BIQUAD_LOWPASS, 18000, 0.707, 0}, {MIXX_BIQUAD_PEAKING, 700, 0.5, 1.5}};
    for (int s = 0; s < NSEC; s++) {
        int rc = mixx_dsp_biquad_design(&sec[s], d[s].t, 48000.0, d[s].f, d[s].q, d[s].g);
        CHECK(rc == 0, "design %d returned %d", s, rc);
    }
}

static void test_biquad(mixx_dsp_isa isa)
{
    static const uint32_t lens[] = {0,  1,  2,  3,  4,  5,   7,   8,   9,   15,   16,
                                    17, 31, 33, 63, 64, 65, 255, 256, 257, 1023, 1100};
    static double st[2 * NSEC * 16], str[2 * NSEC * 16];
    static long double sd[2 * NSEC * 16], dout[16][MAXN + PAD];
    mixx_dsp_biquad sec[NSEC];
    biquad_sections(sec);
    double worst_snr = 1e300;
    for (uint32_t ch = 1; ch <= 16; ch++) {
        if (ch > 10 && ch != 16)
            continue;
        memset(st, 0, sizeof st);
        memset(str, 0, sizeof str);
        memset(sd, 0, sizeof sd);
        double sig = 0, noise = 0;
        /* consecutive blocks of varied lengths: the state must carry across calls */
        for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
            uint32_t n = lens[li];
            float *bp[16], *rp[16];
            for (uint32_t c = 0; c < ch; c++) {
                bp[c] = B.ch[c] + (c + n) % 4;
                rp[c] = B.chr[c] + (c + n) % 4;
                for (uint32_t i = 0; i < n; i++)
                    bp[c][i] = rp[c][i] = frand(-0.5f, 0.5f);
            }
            /* reference: the same TDF2 and the same (float) coefficients in long double (x87 80-bit on x86-64,
             * 128-bit on arm64), so the kernel's own double arithmetic is measured too */
            for (uint32_t c = 0; c < ch; c++)
                for (uint32_t i = 0; i < n; i++) {
                    long double x = rp[c][i];
                    for (int s = 0; s < NSEC; s++) {
                        long double *s1 = &sd[(s * 2) * ch + c], *s2 = &sd[(s * 2 + 1) * ch + c];
                        long double y = sec[s].b0 * x + *s1;
                        *s1 = sec[s].b1 * x - sec[s].a1 * y + *s2;
                        *s2 = sec[s].b2 * x - sec[s].a2 * y;
                        x = y;
                    }
                    dout[c][i] = x;
                }
            MIXX_RT_ENTER();
            mixx_dsp_biquad_cascade(bp, ch, n, sec, NSEC, st);
            MIXX_RT_EXIT();
            mixx_dsp_set_isa(MIXX_DSP_SCALAR);
            mixx_dsp_biquad_cascade(rp, ch, n, sec, NSEC, str);
            mixx_dsp_set_isa(isa);
            for (uint32_t c = 0; c < ch; c++)
                for (uint32_t i = 0; i < n; i++) {
                    if (!same_float(bp[c][i], rp[c][i]))
                        k_mism[isa][K_BIQUAD]++;
                    double e = (double)(bp[c][i] - dout[c][i]);
                    sig += (double)(dout[c][i] * dout[c][i]);
                    noise += e * e;
                }
        }
        double snr = noise > 0 ? 10.0 * log10(sig / noise) : 999.0;
        CHECK(snr >= k_tol[K_BIQUAD], "%s biquad %u ch: SNR %.1f dB against double", mixx_dsp_isa_name(isa), ch, snr);
        if (snr < worst_snr)
            worst_snr = snr;
        if (memcmp(st, str, 2 * NSEC * ch * sizeof(double)) != 0)
            k_mism[isa][K_BIQUAD]++;
    }
    k_err[isa][K_BIQUAD] = worst_snr;
}

/* Why the cascade computes in double (docs/dsp.md): the same TDF2 section in float, per section of the test
 * EQ, SNR against long double on white noise. Printed for the record; the kernel is not float, nothing to check. */
static void float_tdf2_snr(void)
{
    mixx_dsp_biquad sec[NSEC];
    biquad_sections(sec);
    printf("float TDF2 per section (not the kernel; why it is double), SNR against long double, dB:");
    for (int s = 0; s < NSEC; s++) {
        float f1 = 0, f2 = 0;
        long double d1 = 0, d2 = 0;
        double sig = 0, noise = 0;
        for (int i = 0; i < 16384; i++) {
            float x = frand(-0.5f, 0.5f);
            float y = sec[s].b0 * x + f1;
            f1 = (sec[s].b1 * x - sec[s].a1 * y) + f2;
            f2 = sec[s].b2 * x - sec[s].a2 * y;
            long double yd = sec[s].b0 * (long double)x + d1;
            d1 = (sec[s].b1 * (long double)x - sec[s].a1 * yd) + d2;
            d2 = sec[s].b2 * (long double)x - sec[s].a2 * yd;
            sig += (double)(yd * yd);
            noise += (double)((y - yd) * (y - yd));
        }
        printf(" %.0f", 10.0 * log10(sig / noise));
    }
    printf("\n");
}

static void test_dispatch(void)
{
    CHECK(mixx_dsp_set_isa(MIXX_DSP_ISA_COUNT) == MIXX_EINVAL, "set_isa(count) did not return MIXX_EINVAL");
    CHECK(mixx_dsp_set_isa((mixx_dsp_isa)-1) == MIXX_EINVAL, "set_isa(-1) did not return MIXX_EINVAL");
    CHECK(strcmp(mixx_dsp_isa_name(MIXX_DSP_ISA_COUNT), "unknown") == 0, "name of a bad ISA");
    CHECK(mixx_dsp_isa_supported(MIXX_DSP_SCALAR), "scalar unsupported");
#if defined(__x86_64__)
    CHECK(mixx_dsp_isa_supported(MIXX_DSP_SSE2), "SSE2 unsupported on x86-64");
    CHECK(mixx_dsp_set_isa(MIXX_DSP_NEON) == MIXX_EUNSUPPORTED, "NEON accepted on x86-64");
#elif defined(__aarch64__)
    CHECK(mixx_dsp_isa_supported(MIXX_DSP_NEON), "NEON unsupported on arm64");
    CHECK(mixx_dsp_set_isa(MIXX_DSP_AVX2) == MIXX_EUNSUPPORTED, "AVX2 accepted on arm64");
#endif
    /* MIXX_DSP_ISA (CTest runs this test with it set to a valid and to a bogus name) */
    const char *env = getenv("MIXX_DSP_ISA");
    const char *note = mixx_dsp_isa_note();
    mixx_dsp_isa cur = mixx_dsp_isa_current();
    printf("dsp: ISA at load %s; note: \"%s\"\n", mixx_dsp_isa_name(cur), note);
    if (!env || !*env) {
        CHECK(note[0] == 0, "note without MIXX_DSP_ISA: %s", note);
        mixx_dsp_isa best = MIXX_DSP_SCALAR;
        for (int i = 0; i < MIXX_DSP_ISA_COUNT; i++)
            if (mixx_dsp_isa_supported((mixx_dsp_isa)i))
                best = (mixx_dsp_isa)i;
        CHECK(cur == best, "selected %s, best supported is %s", mixx_dsp_isa_name(cur), mixx_dsp_isa_name(best));
    } else {
        int want = -1;
        for (int i = 0; i < MIXX_DSP_ISA_COUNT; i++)
            if (strcmp(env, mixx_dsp_isa_name((mixx_dsp_isa)i)) == 0)
                want = i;
        if (want >= 0 && mixx_dsp_isa_supported((mixx_dsp_isa)want))
            CHECK((int)cur == want && strstr(note, "applied"), "MIXX_DSP_ISA=%s: current %s, note %s", env,
                  mixx_dsp_isa_name(cur), note);
        else
            CHECK(strstr(note, want >= 0 ? "refused" : "ignored") != NULL, "MIXX_DSP_ISA=%s: note %s", env, note);
    }
}

static void test_denormals(void)
{
#if defined(__aarch64__)
    const uint32_t flush_bits = 1u << 24; /* FPCR.FZ */
#else
    const uint32_t flush_bits = 0x8040u; /* MXCSR FTZ | DAZ */
#endif
    /* volatile results: the compiler must not move the arithmetic across the control-word calls */
    volatile float tiny = 1e-39f, half = 0.5f, dn = 1e-39f, big = 1e30f;
    uint32_t saved = mixx_dsp_denormals_off();
    uint32_t now = mixx_dsp_denormals_off(); /* returns the word the first call set */
    volatile float flushed = tiny * half;
    volatile float daz = dn * big; /* DAZ (x86) / FZ (arm64, inputs too): a denormal input reads as zero */
    mixx_dsp_denormals_restore(saved);
    volatile float kept = tiny * half;
    uint32_t after = mixx_dsp_denormals_off();
    mixx_dsp_denormals_restore(saved);
    if (mixx_test_on_valgrind()) {
        printf("dsp: valgrind does not emulate FTZ/DAZ (nor keep the MXCSR bits): flush checks skipped\n");
        return;
    }
#if defined(__x86_64__) || defined(__aarch64__)
    CHECK((now & flush_bits) == flush_bits, "control word 0x%x after denormals_off lacks 0x%x", now, flush_bits);
    CHECK((after & flush_bits) == (saved & flush_bits), "after restore: 0x%x, saved 0x%x", after, saved);
    CHECK(flushed == 0.0f, "FTZ: 1e-39 * 0.5 = %g, expected 0", (double)flushed);
    CHECK(daz == 0.0f, "DAZ: 1e-39 * 1e30 = %g, expected 0", (double)daz);
#endif
    CHECK(kept != 0.0f, "restore: 1e-39 * 0.5 = %g, expected a denormal", (double)kept);
    (void)flush_bits;
}

int main(int argc, char **argv)
{
    int dispatch_only = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            rng_state = strtoull(argv[++i], NULL, 0) | 1u;
        else if (strcmp(argv[i], "--dispatch-only") == 0)
            dispatch_only = 1;
        else {
            fprintf(stderr, "usage: test_dsp [--seed N] [--dispatch-only]\n");
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("test_dsp: seed 0x%016" PRIx64 "\n", rng_state);
    mixx_dsp_isa at_load = mixx_dsp_isa_current();
    test_dispatch();
    test_denormals();
    if (dispatch_only) {
        printf("test_dsp: %d checks, %d failed (dispatch only)\n", n_checks, n_fail);
        return n_fail ? 1 : 0;
    }
    float_tdf2_snr();
    for (int isa = 0; isa < MIXX_DSP_ISA_COUNT; isa++) {
        if (!mixx_dsp_isa_supported((mixx_dsp_isa)isa))
            continue;
        run_isa((mixx_dsp_isa)isa);
        test_biquad((mixx_dsp_isa)isa);
    }
    mixx_dsp_set_isa(at_load);

    /* the accuracy table (docs/dsp.md): worst error against double, and elements differing from scalar */
    printf("\n%-13s %-33s %5s", "kernel", "error against double (unit)", "tol");
    for (int isa = 0; isa < MIXX_DSP_ISA_COUNT; isa++)
        if (k_ran[isa])
            printf(" %14s", mixx_dsp_isa_name((mixx_dsp_isa)isa));
    printf("\n");
    for (int k = 0; k < K_COUNT; k++) {
        printf("%-13s %-33s %5g", k_names[k], k_unit[k], k_tol[k]);
        for (int isa = 0; isa < MIXX_DSP_ISA_COUNT; isa++) {
            if (!k_ran[isa])
                continue;
            char cell[40];
            snprintf(cell, sizeof cell, "%.3g%s", k_err[isa][k], k_mism[isa][k] ? "!" : "=");
            printf(" %14s", cell);
            if (k == K_BIQUAD)
                continue; /* SNR checked per channel count above */
            CHECK(k_err[isa][k] <= k_tol[k], "%s on %s: error %.4g %s > tolerance %g", k_names[k],
                  mixx_dsp_isa_name((mixx_dsp_isa)isa), k_err[isa][k], k_unit[k], k_tol[k]);
        }
        printf("\n");
        for (int isa = 0; isa < MIXX_DSP_ISA_COUNT; isa++)
            if (k_ran[isa])
                CHECK(k_mism[isa][k] == 0, "%s on %s: %ld results differ from the scalar reference", k_names[k],
                      mixx_dsp_isa_name((mixx_dsp_isa)isa), k_mism[isa][k]);
    }
    printf("(\"=\": bit-identical to scalar on every case; \"!\": differs)\n");
    printf("test_dsp: %d checks, %d failed\n", n_checks, n_fail);
    return n_fail ? 1 : 0;
}
