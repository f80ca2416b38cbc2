/* SPDX-License-Identifier: MIT */
/* dsp.c: the DSP kernels' dispatch: CPU feature detection (cpuid + xgetbv on x86-64, the NEON baseline on arm64),
 * one table per ISA filled at load time (each ISA overriding the previous one's slots), MIXX_DSP_ISA, the public
 * mixx_dsp_* entry points, the FTZ/DAZ control and the RBJ biquad designs. The kernels are in src/dsp_<isa>.c. */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp.h"
#include "rt_text.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define MIXX_DSP_X86 1
#elif defined(__aarch64__)
#define MIXX_DSP_ARM64 1
#endif

static mixx_dsp_table dsp_tables[MIXX_DSP_ISA_COUNT];
static int dsp_have[MIXX_DSP_ISA_COUNT];
static _Atomic(const mixx_dsp_table *) dsp_current;
static _Atomic int dsp_current_isa;
static char dsp_note[192];

static const char *const dsp_names[MIXX_DSP_ISA_COUNT] = {"scalar", "sse2", "avx2", "avx512", "neon"};

/* Why the CPU cannot run `isa` ("" if it can), for the MIXX_DSP_ISA note. */
static const char *dsp_lack[MIXX_DSP_ISA_COUNT];

#ifdef MIXX_DSP_X86
__attribute__((target("xsave"))) static uint64_t dsp_xgetbv0(void)
{
    return _xgetbv(0);
}

static void dsp_detect(void)
{
    unsigned a, b, c, d;
    dsp_have[MIXX_DSP_SSE2] = 1; /* x86-64 baseline */
    dsp_lack[MIXX_DSP_NEON] = "not an arm64 build";
    if (!__get_cpuid(1, &a, &b, &c, &d)) {
        dsp_lack[MIXX_DSP_AVX2] = dsp_lack[MIXX_DSP_AVX512] = "cpuid leaf 1 unavailable";
        return;
    }
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
    uint64_t xcr0 = osxsave ? dsp_xgetbv0() : 0;
    unsigned b7 = 0, c7 = 0, d7 = 0, a7 = 0;
    if (__get_cpuid_max(0, NULL) >= 7)
        __cpuid_count(7, 0, a7, b7, c7, d7);
    int avx2 = (b7 >> 5) & 1;
    int f = (b7 >> 16) & 1, dq = (b7 >> 17) & 1, bw = (b7 >> 30) & 1, vl = (b7 >> 31) & 1;
    if (!osxsave || (xcr0 & 0x6) != 0x6)
        dsp_lack[MIXX_DSP_AVX2] = "the OS does not enable YMM state (XCR0)";
    else if (!avx || !avx2 || !fma)
        dsp_lack[MIXX_DSP_AVX2] = "CPU lacks AVX, AVX2 or FMA";
    else
        dsp_have[MIXX_DSP_AVX2] = 1;
    if (!dsp_have[MIXX_DSP_AVX2])
        dsp_lack[MIXX_DSP_AVX512] = dsp_lack[MIXX_DSP_AVX2];
    else if ((xcr0 & 0xe6) != 0xe6)
        dsp_lack[MIXX_DSP_AVX512] = "the OS does not enable opmask/ZMM state (XCR0)";
    else if (!f || !dq || !bw || !vl)
        dsp_lack[MIXX_DSP_AVX512] = "CPU lacks AVX-512 F, DQ, BW or VL";
    else
        dsp_have[MIXX_DSP_AVX512] = 1;
}
#elif defined(MIXX_DSP_ARM64)
static void dsp_detect(void)
{
    dsp_have[MIXX_DSP_NEON] = 1; /* Advanced SIMD is part of the arm64 baseline */
    dsp_lack[MIXX_DSP_SSE2] = dsp_lack[MIXX_DSP_AVX2] = dsp_lack[MIXX_DSP_AVX512] = "not an x86-64 build";
}
#else
static void dsp_detect(void)
{
    dsp_lack[MIXX_DSP_SSE2] = dsp_lack[MIXX_DSP_AVX2] = dsp_lack[MIXX_DSP_AVX512] = "not an x86-64 build";
    dsp_lack[MIXX_DSP_NEON] = "not an arm64 build";
}
#endif

static void dsp_select(mixx_dsp_isa isa)
{
    atomic_store_explicit(&dsp_current_isa, (int)isa, memory_order_relaxed);
    atomic_store_explicit(&dsp_current, &dsp_tables[isa], memory_order_release);
}

/* Runs when the library (or the static library's dsp.o) is loaded, before any thread can call a kernel, so the
 * audio thread never pays for detection and the tables are read-only afterwards. */
__attribute__((constructor(101))) static void dsp_init(void)
{
    dsp_have[MIXX_DSP_SCALAR] = 1;
    dsp_detect();
    mixx_dsp_table t;
    mixx__dsp_init_scalar(&t);
    dsp_tables[MIXX_DSP_SCALAR] = t;
    mixx_dsp_isa best = MIXX_DSP_SCALAR;
    /* an ISA whose file this build lacks (src/CMakeLists.txt) is reported unsupported */
#ifdef MIXX_DSP_HAVE_SSE2
    mixx__dsp_init_sse2(&t);
    dsp_tables[MIXX_DSP_SSE2] = t;
    best = MIXX_DSP_SSE2;
#else
    if (dsp_have[MIXX_DSP_SSE2])
        dsp_lack[MIXX_DSP_SSE2] = "no kernels for it in this build";
    dsp_have[MIXX_DSP_SSE2] = 0;
#endif
#ifdef MIXX_DSP_HAVE_AVX2
    if (dsp_have[MIXX_DSP_AVX2]) {
        mixx__dsp_init_avx2(&t);
        dsp_tables[MIXX_DSP_AVX2] = t;
        best = MIXX_DSP_AVX2;
    }
#else
    if (dsp_have[MIXX_DSP_AVX2])
        dsp_lack[MIXX_DSP_AVX2] = "no kernels for it in this build";
    dsp_have[MIXX_DSP_AVX2] = 0;
#endif
#ifdef MIXX_DSP_HAVE_AVX512
    if (dsp_have[MIXX_DSP_AVX512]) {
        mixx__dsp_init_avx512(&t);
        dsp_tables[MIXX_DSP_AVX512] = t;
        best = MIXX_DSP_AVX512;
    }
#else
    if (dsp_have[MIXX_DSP_AVX512])
        dsp_lack[MIXX_DSP_AVX512] = "no kernels for it in this build";
    dsp_have[MIXX_DSP_AVX512] = 0;
#endif
#ifdef MIXX_DSP_HAVE_NEON
    mixx__dsp_init_neon(&t);
    dsp_tables[MIXX_DSP_NEON] = t;
    best = MIXX_DSP_NEON;
#else
    if (dsp_have[MIXX_DSP_NEON])
        dsp_lack[MIXX_DSP_NEON] = "no kernels for it in this build";
    dsp_have[MIXX_DSP_NEON] = 0;
#endif
    const char *env = getenv("MIXX_DSP_ISA");
    if (env && *env) {
        int want = -1;
        for (int i = 0; i < MIXX_DSP_ISA_COUNT; i++)
            if (strcmp(env, dsp_names[i]) == 0)
                want = i;
        if (want < 0)
            snprintf(dsp_note, sizeof dsp_note, "MIXX_DSP_ISA=%.32s ignored: not one of scalar|sse2|avx2|avx512|neon; using %s",
                     env, dsp_names[best]);
        else if (!dsp_have[want])
            snprintf(dsp_note, sizeof dsp_note, "MIXX_DSP_ISA=%s refused: %s; using %s", env,
                     dsp_lack[want] ? dsp_lack[want] : "unsupported", dsp_names[best]);
        else {
            snprintf(dsp_note, sizeof dsp_note, "MIXX_DSP_ISA=%s applied", env);
            best = (mixx_dsp_isa)want;
        }
    }
    dsp_select(best);
}

static inline const mixx_dsp_table *dsp(void)
{
    return atomic_load_explicit(&dsp_current, memory_order_acquire);
}

const mixx_dsp_table *mixx__dsp_current_table(void)
{
    return dsp();
}

const char *mixx_dsp_isa_name(mixx_dsp_isa isa)
{
    return (unsigned)isa < MIXX_DSP_ISA_COUNT ? dsp_names[isa] : "unknown";
}

mixx_dsp_isa mixx_dsp_isa_current(void)
{
    return (mixx_dsp_isa)atomic_load_explicit(&dsp_current_isa, memory_order_relaxed);
}

int mixx_dsp_isa_supported(mixx_dsp_isa isa)
{
    return (unsigned)isa < MIXX_DSP_ISA_COUNT && dsp_have[isa];
}

int mixx_dsp_set_isa(mixx_dsp_isa isa)
{
    if ((unsigned)isa >= MIXX_DSP_ISA_COUNT)
        return MIXX_EINVAL;
    if (!dsp_have[isa])
        return MIXX_EUNSUPPORTED;
    dsp_select(isa);
    return 0;
}

const char *mixx_dsp_isa_note(void)
{
    return dsp_note;
}

/* ---- denormals ------------------------------------------------------------------------------------------ */

MIXX_RT_TEXT
uint32_t mixx_dsp_denormals_off(void)
{
#ifdef MIXX_DSP_X86
    uint32_t old = _mm_getcsr();
    _mm_setcsr(old | 0x8040u); /* FTZ (bit 15) | DAZ (bit 6) */
    return old;
#elif defined(MIXX_DSP_ARM64) && defined(__clang__)
    uint64_t old = __builtin_arm_rsr64("fpcr");
    __builtin_arm_wsr64("fpcr", old | (1u << 24)); /* FZ */
    return (uint32_t)old;
#elif defined(MIXX_DSP_ARM64)
    uint32_t old = __builtin_aarch64_get_fpcr();
    __builtin_aarch64_set_fpcr(old | (1u << 24)); /* FZ */
    return old;
#else
    return 0;
#endif
}

void mixx_dsp_denormals_restore(uint32_t saved)
{
#ifdef MIXX_DSP_X86
    _mm_setcsr(saved);
#elif defined(MIXX_DSP_ARM64) && defined(__clang__)
    __builtin_arm_wsr64("fpcr", saved);
#elif defined(MIXX_DSP_ARM64)
    __builtin_aarch64_set_fpcr(saved);
#else
    (void)saved;
#endif
}

/* ---- kernels ---------------------------------------------------------------------------------------------- */

void mixx_dsp_gain(float *dst, const float *src, float g, uint32_t n)
{
    dsp()->gain(dst, src, g, n);
}

void mixx_dsp_gain_ramp(float *dst, const float *src, float g0, float g1, uint32_t n)
{
    dsp()->gain_ramp(dst, src, g0, g1, n);
}

void mixx_dsp_mix(float *dst, const float *src, float g, uint32_t n)
{
    dsp()->mix(dst, src, g, n);
}

void mixx_dsp_mix_ramp(float *dst, const float *src, float g0, float g1, uint32_t n)
{
    dsp()->mix_ramp(dst, src, g0, g1, n);
}

void mixx_dsp_meter(const float *x, uint32_t n, mixx_dsp_meter_result *out)
{
    dsp()->meter(x, n, out);
}

void mixx_dsp_biquad_cascade(float *const *buf, uint32_t channels, uint32_t n, const mixx_dsp_biquad *sections,
                             uint32_t n_sections, double *state)
{
    dsp()->biquad_cascade(buf, channels, n, sections, n_sections, state);
}

void mixx_dsp_interleave(float *dst, const float *const *src, uint32_t channels, uint32_t n)
{
    dsp()->interleave(dst, src, channels, n);
}

void mixx_dsp_deinterleave(float *const *dst, const float *src, uint32_t channels, uint32_t n)
{
    dsp()->deinterleave(dst, src, channels, n);
}

void mixx_dsp_f32_to_s16(int16_t *dst, const float *src, uint32_t n)
{
    dsp()->f32_to_s16(dst, src, n);
}

void mixx_dsp_s16_to_f32(float *dst, const int16_t *src, uint32_t n)
{
    dsp()->s16_to_f32(dst, src, n);
}

void mixx_dsp_f32_to_s24(int32_t *dst, const float *src, uint32_t n)
{
    dsp()->f32_to_s24(dst, src, n);
}

void mixx_dsp_s24_to_f32(float *dst, const int32_t *src, uint32_t n)
{
    dsp()->s24_to_f32(dst, src, n);
}

void mixx_dsp_f32_to_s32(int32_t *dst, const float *src, uint32_t n)
{
    dsp()->f32_to_s32(dst, src, n);
}

void mixx_dsp_s32_to_f32(float *dst, const int32_t *src, uint32_t n)
{
    dsp()->s32_to_f32(dst, src, n);
}

/* ---- RBJ Audio-EQ-Cookbook designs (double, normalised by a0, then rounded to float) ------------------- */

int mixx_dsp_biquad_design(mixx_dsp_biquad *out, mixx_dsp_biquad_type type, double rate, double freq, double q,
                           double gain_db)
{
    if (!out)
        return MIXX_ENULL;
    if (!isfinite(rate) || !isfinite(freq) || !isfinite(q) || !isfinite(gain_db) || rate <= 0.0 || freq <= 0.0 ||
        freq >= rate / 2.0 || q <= 0.0 || (unsigned)type > MIXX_BIQUAD_HIGHSHELF)
        return MIXX_EINVAL;
    const double pi = 3.14159265358979323846;
    double w0 = 2.0 * pi * freq / rate, cw = cos(w0), alpha = sin(w0) / (2.0 * q);
    double A = pow(10.0, gain_db / 40.0), sa = 2.0 * sqrt(A) * alpha;
    double b0, b1, b2, a0, a1, a2;
    switch (type) {
    case MIXX_BIQUAD_LOWPASS:
        b0 = b2 = (1.0 - cw) / 2.0;
        b1 = 1.0 - cw;
        a0 = 1.0 + alpha, a1 = -2.0 * cw, a2 = 1.0 - alpha;
        break;
    case MIXX_BIQUAD_HIGHPASS:
        b0 = b2 = (1.0 + cw) / 2.0;
        b1 = -(1.0 + cw);
        a0 = 1.0 + alpha, a1 = -2.0 * cw, a2 = 1.0 - alpha;
        break;
    case MIXX_BIQUAD_PEAKING:
        b0 = 1.0 + alpha * A, b1 = -2.0 * cw, b2 = 1.0 - alpha * A;
        a0 = 1.0 + alpha / A, a1 = -2.0 * cw, a2 = 1.0 - alpha / A;
        break;
    case MIXX_BIQUAD_LOWSHELF:
        b0 = A * ((A + 1.0) - (A - 1.0) * cw + sa);
        b1 = 2.0 * A * ((A - 1.0) - (A + 1.0) * cw);
        b2 = A * ((A + 1.0) - (A - 1.0) * cw - sa);
        a0 = (A + 1.0) + (A - 1.0) * cw + sa;
        a1 = -2.0 * ((A - 1.0) + (A + 1.0) * cw);
        a2 = (A + 1.0) + (A - 1.0) * cw - sa;
        break;
    default: /* MIXX_BIQUAD_HIGHSHELF */
        b0 = A * ((A + 1.0) + (A - 1.0) * cw + sa);
        b1 = -2.0 * A * ((A - 1.0) + (A + 1.0) * cw);
        b2 = A * ((A + 1.0) + (A - 1.0) * cw - sa);
        a0 = (A + 1.0) - (A - 1.0) * cw + sa;
        a1 = 2.0 * ((A - 1.0) - (A + 1.0) * cw);
        a2 = (A + 1.0) - (A - 1.0) * cw - sa;
        break;
    }
    out->b0 = (float)(b0 / a0);
    out->b1 = (float)(b1 / a0);
    out->b2 = (float)(b2 / a0);
    out->a1 = (float)(a1 / a0);
    out->a2 = (float)(a2 / a0);
    return 0;
}
