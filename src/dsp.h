/* SPDX-License-Identifier: MIT */
/* dsp.h: internals of the DSP kernels: the dispatch table (one per ISA, FFmpeg float_dsp style), the per-ISA
 * init functions, and the one-element definitions every ISA's scalar tails share with the reference
 * (src/dsp_scalar.c), which is what makes the results bit-identical across ISAs. The public API is
 * include/mixxengine/dsp.h; dispatch is src/dsp.c. */
#ifndef MIXX_DSP_INTERNAL_H
#define MIXX_DSP_INTERNAL_H

#include <math.h>
#include <stdint.h>

#include "mixxengine/dsp.h"

typedef struct mixx_dsp_table {
    void (*gain)(float *dst, const float *src, float g, uint32_t n);
    void (*gain_ramp)(float *dst, const float *src, float g0, float g1, uint32_t n);
    void (*mix)(float *dst, const float *src, float g, uint32_t n);
    void (*mix_ramp)(float *dst, const float *src, float g0, float g1, uint32_t n);
    void (*meter)(const float *x, uint32_t n, mixx_dsp_meter_result *out);
    void (*biquad_cascade)(float *const *buf, uint32_t channels, uint32_t n, const mixx_dsp_biquad *sections,
                           uint32_t n_sections, double *state);
    void (*interleave)(float *dst, const float *const *src, uint32_t channels, uint32_t n);
    void (*deinterleave)(float *const *dst, const float *src, uint32_t channels, uint32_t n);
    void (*f32_to_s16)(int16_t *dst, const float *src, uint32_t n);
    void (*s16_to_f32)(float *dst, const int16_t *src, uint32_t n);
    void (*f32_to_s24)(int32_t *dst, const float *src, uint32_t n);
    void (*s24_to_f32)(float *dst, const int32_t *src, uint32_t n);
    void (*f32_to_s32)(int32_t *dst, const float *src, uint32_t n);
    void (*s32_to_f32)(float *dst, const int32_t *src, uint32_t n);
} mixx_dsp_table;

/* Each fills the slots it implements and leaves the others (the previous ISA's) alone. */
void mixx__dsp_init_scalar(mixx_dsp_table *t);
void mixx__dsp_init_sse2(mixx_dsp_table *t);
void mixx__dsp_init_avx2(mixx_dsp_table *t);
void mixx__dsp_init_avx512(mixx_dsp_table *t);
void mixx__dsp_init_neon(mixx_dsp_table *t);

/* The table the public entry points use now (benchmarks). Any thread. */
const mixx_dsp_table *mixx__dsp_current_table(void);

/* The scalar biquad of one channel, used by every ISA for the channels left over from its SIMD groups. */
void mixx__dsp_biquad_channel(float *x, uint32_t n, const mixx_dsp_biquad *sec, uint32_t n_sections, double *state,
                              uint32_t channels, uint32_t c);

/* Ramps are computed with (float)i, exact for i <= 2^24; SIMD code runs up to this index and leaves the rest to
 * the scalar definition below, so long ramps match too. */
#define MIXX_DSP_RAMP_SIMD_MAX (1u << 24)

/* ---- one-element definitions (the reference; SIMD code must compute exactly these) ------------------- */

static inline float mixx__ramp_step(float g0, float g1, uint32_t n)
{
    return n ? (g1 - g0) / (float)n : 0.0f;
}

static inline float mixx__ramp_gain(float g0, float step, uint32_t i)
{
    return g0 + (float)i * step;
}

/* float -> int with the scale s, the symmetric limit m, NaN -> 0, round to nearest even (default mode). */
static inline int32_t mixx__f32_to_int(float x, float s, float m)
{
    float y = x * s;
    if (y != y)
        return 0;
    y = y > m ? m : y;
    y = y < -m ? -m : y;
    return (int32_t)lrintf(y);
}

/* float -> int32: the scale 2^31 is exact; out-of-range and +-Inf clip to +-(2^31 - 1). */
static inline int32_t mixx__f32_to_s32_1(float x)
{
    float y = x * 2147483648.0f;
    if (y != y)
        return 0;
    if (y >= 2147483648.0f)
        return INT32_MAX;
    if (y <= -2147483648.0f)
        return -INT32_MAX;
    return (int32_t)lrintf(y);
}

static inline int32_t mixx__sext24(int32_t v)
{
    return (int32_t)((uint32_t)v << 8) >> 8;
}

#define MIXX_DSP_S16_SCALE 32767.0f
#define MIXX_DSP_S24_SCALE 8388607.0f
#define MIXX_DSP_S16_INV (1.0f / 32767.0f)
#define MIXX_DSP_S24_INV (1.0f / 8388607.0f)
#define MIXX_DSP_S32_INV (1.0f / 2147483648.0f)

/* The meter's sum of squares: lane k of 16 accumulates x[i]^2 for i % 16 == k (in index order); the 16 partial
 * sums are then added pairwise k + 8, k + 4, k + 2, k + 1. SIMD code stores its lanes and calls this. */
static inline float mixx__sumsq_reduce16(const float s[16])
{
    float t8[8], t4[4];
    for (int k = 0; k < 8; k++)
        t8[k] = s[k] + s[k + 8];
    for (int k = 0; k < 4; k++)
        t4[k] = t8[k] + t8[k + 4];
    float t2a = t4[0] + t4[2], t2b = t4[1] + t4[3];
    return t2a + t2b;
}

/* peak update: NaN in x leaves the peak alone (matches SSE max_ps(ax, acc) operand order) */
static inline float mixx__peak_update(float acc, float x)
{
    float ax = fabsf(x);
    return ax > acc ? ax : acc;
}

/* Finishes a meter from 16 lanes of peak/sumsq/clip state after index `i`, the scalar tail included. */
static inline void mixx__meter_finish(const float *x, uint32_t i, uint32_t n, float peak[16], float sq[16],
                                      uint32_t clips[16], mixx_dsp_meter_result *out)
{
    for (; i < n; i++) {
        float v = x[i];
        uint32_t k = i & 15u;
        peak[k] = mixx__peak_update(peak[k], v);
        sq[k] = sq[k] + v * v;
        clips[k] += fabsf(v) >= 1.0f;
    }
    float p = 0.0f;
    uint32_t c = 0;
    for (int k = 0; k < 16; k++) {
        p = mixx__peak_update(p, peak[k]);
        c += clips[k];
    }
    out->peak = p;
    out->sumsq = mixx__sumsq_reduce16(sq);
    out->clips = c;
}

#endif
