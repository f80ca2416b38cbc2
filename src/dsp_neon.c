/* SPDX-License-Identifier: MIT */
/* dsp_neon.c: the DSP kernels in arm64 Advanced SIMD (NEON, part of the arm64 baseline): 4 float / 2 double
 * lanes, the vector operations of the shared loops (src/dsp_simd.h), and 2- and 4-channel (de)interleave with
 * the structure loads/stores; other channel counts fall back to the previous table entry (scalar). */
#include <arm_neon.h>

#include "dsp.h"

#define SIMD_FN(name) neon_##name
#define SIMD_W 4
#define SIMD_D 2
#define VF float32x4_t
#define VI int32x4_t
#define VD float64x2_t
#define VF_LOAD(p) vld1q_f32(p)
#define VF_STORE(p, v) vst1q_f32((p), (v))
#define VF_SET1(x) vdupq_n_f32(x)
/* vmulq/vaddq, never vmlaq/vfmaq: no fused multiply-add (bit-identical to the scalar reference) */
#define VF_ADD(a, b) vaddq_f32((a), (b))
#define VF_SUB(a, b) vsubq_f32((a), (b))
#define VF_MUL(a, b) vmulq_f32((a), (b))
static const float neon_iota[4] = {0.0f, 1.0f, 2.0f, 3.0f};
#define VF_IOTA vld1q_f32(neon_iota)
#define VF_ZERO vdupq_n_f32(0.0f)
#define VF_PEAK_ZERO vdupq_n_f32(0.0f)
#define VF_ABS(v) vabsq_f32(v)
/* fmax propagates NaN, so select on ax > acc (false for NaN) as mixx__peak_update */
#define VF_PEAK(acc, ax) vbslq_f32(vcgtq_f32((ax), (acc)), (ax), (acc))
#define VI_CLIPS(cnt, ax, one) vsubq_s32((cnt), vreinterpretq_s32_u32(vcgeq_f32((ax), (one))))
#define VI_ZERO vdupq_n_s32(0)
#define VI_LOAD(p) vld1q_s32(p)
#define VI_STORE(p, v) vst1q_s32((p), (v))
#define VF_FROM_INT(v) vcvtq_f32_s32(v) /* FPCR rounding (nearest), as (float)int */
#define VI_SEXT24(v) vshrq_n_s32(vshlq_n_s32((v), 8), 8)

static inline float32x4_t neon_nan_to_zero(float32x4_t y)
{
    return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(y), vceqq_f32(y, y)));
}

/* FCVTNS: round to nearest, ties to even, whatever FPCR.RMode says; lrintf follows FPCR, whose default is the same */
static inline int32x4_t neon_to_int(float32x4_t y, float m)
{
    y = neon_nan_to_zero(y);
    y = vminq_f32(vmaxq_f32(y, vdupq_n_f32(-m)), vdupq_n_f32(m));
    return vcvtnq_s32_f32(y);
}
#define VF_TO_INT(y, m) neon_to_int((y), (m))

/* FCVTNS saturates (y >= 2^31 -> INT32_MAX, y <= -2^31 -> INT32_MIN, NaN -> 0); then -INT32_MAX is the floor */
static inline int32x4_t neon_to_s32(float32x4_t y)
{
    return vmaxq_s32(vcvtnq_s32_f32(neon_nan_to_zero(y)), vdupq_n_s32(-INT32_MAX));
}
#define VF_TO_S32(y) neon_to_s32(y)

#define VI_LOAD_S16(p) vmovl_s16(vld1_s16(p))
#define VI_STORE_S16(p, v) vst1_s16((p), vmovn_s32(v))

#define VD_SET1(x) vdupq_n_f64(x)
#define VD_ADD(a, b) vaddq_f64((a), (b))
#define VD_SUB(a, b) vsubq_f64((a), (b))
#define VD_MUL(a, b) vmulq_f64((a), (b))
#define VD_LOAD(p) vld1q_f64(p)
#define VD_STORE(p, v) vst1q_f64((p), (v))
#define VD_GATHER(pp, i) vsetq_lane_f64((double)(pp)[1][i], vdupq_n_f64((double)(pp)[0][i]), 1)
static inline void neon_scatter(float *const *pp, uint32_t i, float64x2_t v)
{
    float32x2_t f = vcvt_f32_f64(v); /* FPCR rounding, as (float)double */
    pp[0][i] = vget_lane_f32(f, 0);
    pp[1][i] = vget_lane_f32(f, 1);
}
#define VD_SCATTER(pp, i, v) neon_scatter((pp), (i), (v))

#include "dsp_simd.h"

static void (*neon_interleave_next)(float *, const float *const *, uint32_t, uint32_t);
static void (*neon_deinterleave_next)(float *const *, const float *, uint32_t, uint32_t);

static void neon_interleave(float *dst, const float *const *src, uint32_t channels, uint32_t n)
{
    uint32_t i = 0;
    if (channels == 2) {
        for (; i + 4 <= n; i += 4) {
            float32x4x2_t v = {{vld1q_f32(src[0] + i), vld1q_f32(src[1] + i)}};
            vst2q_f32(dst + 2 * i, v);
        }
    } else if (channels == 4) {
        for (; i + 4 <= n; i += 4) {
            float32x4x4_t v = {{vld1q_f32(src[0] + i), vld1q_f32(src[1] + i), vld1q_f32(src[2] + i),
                                vld1q_f32(src[3] + i)}};
            vst4q_f32(dst + 4 * i, v);
        }
    } else {
        neon_interleave_next(dst, src, channels, n);
        return;
    }
    for (; i < n; i++)
        for (uint32_t c = 0; c < channels; c++)
            dst[(size_t)i * channels + c] = src[c][i];
}

static void neon_deinterleave(float *const *dst, const float *src, uint32_t channels, uint32_t n)
{
    uint32_t i = 0;
    if (channels == 2) {
        for (; i + 4 <= n; i += 4) {
            float32x4x2_t v = vld2q_f32(src + 2 * i);
            vst1q_f32(dst[0] + i, v.val[0]);
            vst1q_f32(dst[1] + i, v.val[1]);
        }
    } else if (channels == 4) {
        for (; i + 4 <= n; i += 4) {
            float32x4x4_t v = vld4q_f32(src + 4 * i);
            vst1q_f32(dst[0] + i, v.val[0]);
            vst1q_f32(dst[1] + i, v.val[1]);
            vst1q_f32(dst[2] + i, v.val[2]);
            vst1q_f32(dst[3] + i, v.val[3]);
        }
    } else {
        neon_deinterleave_next(dst, src, channels, n);
        return;
    }
    for (; i < n; i++)
        for (uint32_t c = 0; c < channels; c++)
            dst[c][i] = src[(size_t)i * channels + c];
}

void mixx__dsp_init_neon(mixx_dsp_table *t)
{
    neon_init_common(t);
    neon_interleave_next = t->interleave;
    neon_deinterleave_next = t->deinterleave;
    t->interleave = neon_interleave;
    t->deinterleave = neon_deinterleave;
}
