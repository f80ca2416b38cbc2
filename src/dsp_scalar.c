/* SPDX-License-Identifier: MIT */
/* dsp_scalar.c: the reference of every DSP kernel, plain C, one element at a time (the element definitions are in
 * src/dsp.h so SIMD tails share them). Every other ISA must give exactly these results; docs/dsp.md says why that
 * holds (no FMA, fixed summation order). Compiled with -ffp-contract=off; bench/ also compiles this file with other
 * flags (the scalar baselines), naming its init function through MIXX_DSP_SCALAR_INIT. */
#include "dsp.h"

#ifndef MIXX_DSP_SCALAR_INIT
#define MIXX_DSP_SCALAR_INIT mixx__dsp_init_scalar
#define MIXX_DSP_SCALAR_PRIMARY 1
#endif
void MIXX_DSP_SCALAR_INIT(mixx_dsp_table *t);

static void scalar_gain(float *dst, const float *src, float g, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        dst[i] = src[i] * g;
}

static void scalar_gain_ramp(float *dst, const float *src, float g0, float g1, uint32_t n)
{
    float step = mixx__ramp_step(g0, g1, n);
    for (uint32_t i = 0; i < n; i++)
        dst[i] = src[i] * mixx__ramp_gain(g0, step, i);
}

static void scalar_mix(float *dst, const float *src, float g, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        dst[i] = dst[i] + src[i] * g;
}

static void scalar_mix_ramp(float *dst, const float *src, float g0, float g1, uint32_t n)
{
    float step = mixx__ramp_step(g0, g1, n);
    for (uint32_t i = 0; i < n; i++)
        dst[i] = dst[i] + src[i] * mixx__ramp_gain(g0, step, i);
}

static void scalar_meter(const float *x, uint32_t n, mixx_dsp_meter_result *out)
{
    float peak[16] = {0}, sq[16] = {0};
    uint32_t clips[16] = {0};
    mixx__meter_finish(x, 0, n, peak, sq, clips, out);
}

/* Transposed direct form II in double, per sample and section, in exactly this order (SIMD lanes repeat it):
 *   y  = b0*x + s1;   s1 = (b1*x - a1*y) + s2;   s2 = b2*x - a2*y
 * with x, y, s1, s2 and the coefficients in double; the cascade's output is rounded to float once per sample.
 * TDF2 keeps two state words per section (DF1 needs four). Double because float TDF2 (any direct form) amplifies
 * its rounding noise by 1/A(z), huge near z = 1: a 30 Hz high-pass alone measures 77 dB SNR in float (docs/dsp.md). */
/* The same recurrence with a constant section count: coefficients and state stay in registers (the general loop
 * below reloads them through memory every sample). Same operations in the same order: the same bits. */
static inline __attribute__((always_inline)) void scalar_biquad_small(float *x, uint32_t n,
                                                                      const mixx_dsp_biquad *sec, const uint32_t ns,
                                                                      double *state, uint32_t channels, uint32_t c)
{
    double b0[3], b1[3], b2[3], a1[3], a2[3], z1[3], z2[3];
#pragma GCC unroll 3
    for (uint32_t s = 0; s < ns; s++) {
        b0[s] = sec[s].b0, b1[s] = sec[s].b1, b2[s] = sec[s].b2, a1[s] = sec[s].a1, a2[s] = sec[s].a2;
        z1[s] = state[(size_t)s * 2 * channels + c];
        z2[s] = state[((size_t)s * 2 + 1) * channels + c];
    }
    for (uint32_t i = 0; i < n; i++) {
        double v = x[i];
    #pragma GCC unroll 3
    for (uint32_t s = 0; s < ns; s++) {
            double y = b0[s] * v + z1[s];
            z1[s] = (b1[s] * v - a1[s] * y) + z2[s];
            z2[s] = b2[s] * v - a2[s] * y;
            v = y;
        }
        x[i] = (float)v;
    }
#pragma GCC unroll 3
    for (uint32_t s = 0; s < ns; s++) {
        state[(size_t)s * 2 * channels + c] = z1[s];
        state[((size_t)s * 2 + 1) * channels + c] = z2[s];
    }
}

static void scalar_biquad_channel(float *x, uint32_t n, const mixx_dsp_biquad *sec, uint32_t n_sections,
                                  double *state, uint32_t channels, uint32_t c)
{
    switch (n_sections) { /* the channel strip's 1 to 3 EQ bands */
    case 1:
        scalar_biquad_small(x, n, sec, 1, state, channels, c);
        return;
    case 2:
        scalar_biquad_small(x, n, sec, 2, state, channels, c);
        return;
    case 3:
        scalar_biquad_small(x, n, sec, 3, state, channels, c);
        return;
    default:
        break;
    }
    double *s1 = &state[c], *s2 = &state[channels + c];
    for (uint32_t i = 0; i < n; i++) {
        double v = x[i];
        for (uint32_t s = 0; s < n_sections; s++) {
            const double b0 = sec[s].b0, b1 = sec[s].b1, b2 = sec[s].b2, a1 = sec[s].a1, a2 = sec[s].a2;
            double *p1 = s1 + (size_t)s * 2 * channels, *p2 = s2 + (size_t)s * 2 * channels;
            double y = b0 * v + *p1;
            *p1 = (b1 * v - a1 * y) + *p2;
            *p2 = b2 * v - a2 * y;
            v = y;
        }
        x[i] = (float)v;
    }
}

#ifdef MIXX_DSP_SCALAR_PRIMARY
void mixx__dsp_biquad_channel(float *x, uint32_t n, const mixx_dsp_biquad *sec, uint32_t n_sections, double *state,
                              uint32_t channels, uint32_t c)
{
    scalar_biquad_channel(x, n, sec, n_sections, state, channels, c);
}
#endif

static void scalar_biquad_cascade(float *const *buf, uint32_t channels, uint32_t n, const mixx_dsp_biquad *sections,
                                  uint32_t n_sections, double *state)
{
    for (uint32_t c = 0; c < channels; c++)
        scalar_biquad_channel(buf[c], n, sections, n_sections, state, channels, c);
}

static void scalar_interleave(float *dst, const float *const *src, uint32_t channels, uint32_t n)
{
    for (uint32_t c = 0; c < channels; c++)
        for (uint32_t i = 0; i < n; i++)
            dst[(size_t)i * channels + c] = src[c][i];
}

static void scalar_deinterleave(float *const *dst, const float *src, uint32_t channels, uint32_t n)
{
    for (uint32_t c = 0; c < channels; c++)
        for (uint32_t i = 0; i < n; i++)
            dst[c][i] = src[(size_t)i * channels + c];
}

static void scalar_f32_to_s16(int16_t *dst, const float *src, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        dst[i] = (int16_t)mixx__f32_to_int(src[i], MIXX_DSP_S16_SCALE, MIXX_DSP_S16_SCALE);
}

static void scalar_s16_to_f32(float *dst, const int16_t *src, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        dst[i] = (float)src[i] * MIXX_DSP_S16_INV;
}

static void scalar_f32_to_s24(int32_t *dst, const float *src, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        dst[i] = mixx__f32_to_int(src[i], MIXX_DSP_S24_SCALE, MIXX_DSP_S24_SCALE);
}

static void scalar_s24_to_f32(float *dst, const int32_t *src, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        dst[i] = (float)mixx__sext24(src[i]) * MIXX_DSP_S24_INV;
}

static void scalar_f32_to_s32(int32_t *dst, const float *src, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        dst[i] = mixx__f32_to_s32_1(src[i]);
}

static void scalar_s32_to_f32(float *dst, const int32_t *src, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        dst[i] = (float)src[i] * MIXX_DSP_S32_INV;
}

void MIXX_DSP_SCALAR_INIT(mixx_dsp_table *t)
{
    t->gain = scalar_gain;
    t->gain_ramp = scalar_gain_ramp;
    t->mix = scalar_mix;
    t->mix_ramp = scalar_mix_ramp;
    t->meter = scalar_meter;
    t->biquad_cascade = scalar_biquad_cascade;
    t->interleave = scalar_interleave;
    t->deinterleave = scalar_deinterleave;
    t->f32_to_s16 = scalar_f32_to_s16;
    t->s16_to_f32 = scalar_s16_to_f32;
    t->f32_to_s24 = scalar_f32_to_s24;
    t->s24_to_f32 = scalar_s24_to_f32;
    t->f32_to_s32 = scalar_f32_to_s32;
    t->s32_to_f32 = scalar_s32_to_f32;
}
