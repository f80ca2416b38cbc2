/* SPDX-License-Identifier: MIT */
/* dsp_sse2.c: the DSP kernels in SSE2 (the x86-64 baseline): 4 float / 2 double lanes. The vector operations of
 * the shared loops (src/dsp_simd.h), plus 2- and 4-channel (de)interleave; other channel counts fall back to the
 * previous table entry (scalar). */
#include <emmintrin.h>

#include "dsp.h"

#define SIMD_FN(name) sse2_##name
#define SIMD_W 4
#define SIMD_D 2
#define VF __m128
#define VI __m128i
#define VD __m128d
#define VF_LOAD(p) _mm_loadu_ps(p)
#define VF_STORE(p, v) _mm_storeu_ps((p), (v))
#define VF_SET1(x) _mm_set1_ps(x)
#define VF_ADD(a, b) _mm_add_ps((a), (b))
#define VF_SUB(a, b) _mm_sub_ps((a), (b))
#define VF_MUL(a, b) _mm_mul_ps((a), (b))
#define VF_IOTA _mm_setr_ps(0.0f, 1.0f, 2.0f, 3.0f)
#define VF_ZERO _mm_setzero_ps()
#define VF_PEAK_ZERO _mm_setzero_ps()
#define VF_ABS(v) _mm_andnot_ps(_mm_set1_ps(-0.0f), (v))
/* maxps returns its second operand when either is NaN: a NaN |x| keeps the peak, as mixx__peak_update */
#define VF_PEAK(acc, ax) _mm_max_ps((ax), (acc))
#define VI_CLIPS(cnt, ax, one) _mm_sub_epi32((cnt), _mm_castps_si128(_mm_cmpge_ps((ax), (one))))
#define VI_ZERO _mm_setzero_si128()
#define VI_LOAD(p) _mm_loadu_si128((const __m128i *)(const void *)(p))
#define VI_STORE(p, v) _mm_storeu_si128((__m128i *)(void *)(p), (v))
#define VF_FROM_INT(v) _mm_cvtepi32_ps(v)
#define VI_SEXT24(v) _mm_srai_epi32(_mm_slli_epi32((v), 8), 8)

static inline __m128 sse2_nan_to_zero(__m128 y)
{
    return _mm_and_ps(y, _mm_cmpord_ps(y, y));
}

/* cvtps2dq rounds with MXCSR (nearest even, as lrintf) */
static inline __m128i sse2_to_int(__m128 y, float m)
{
    y = sse2_nan_to_zero(y);
    y = _mm_min_ps(_mm_max_ps(y, _mm_set1_ps(-m)), _mm_set1_ps(m));
    return _mm_cvtps_epi32(y);
}
#define VF_TO_INT(y, m) sse2_to_int((y), (m))

/* y >= 2^31 converts to 0x80000000 ("integer indefinite"); xor with the mask makes it INT32_MAX; -2^31 becomes
 * -INT32_MAX by adding one where the result is INT32_MIN */
static inline __m128i sse2_to_s32(__m128 y)
{
    y = sse2_nan_to_zero(y);
    __m128i hi = _mm_castps_si128(_mm_cmpge_ps(y, _mm_set1_ps(2147483648.0f)));
    y = _mm_max_ps(y, _mm_set1_ps(-2147483648.0f));
    __m128i i = _mm_xor_si128(_mm_cvtps_epi32(y), hi);
    return _mm_sub_epi32(i, _mm_cmpeq_epi32(i, _mm_set1_epi32(INT32_MIN)));
}
#define VF_TO_S32(y) sse2_to_s32(y)

static inline __m128i sse2_load_s16(const int16_t *p)
{
    __m128i v = _mm_loadl_epi64((const __m128i *)(const void *)p);
    return _mm_srai_epi32(_mm_unpacklo_epi16(v, v), 16);
}
#define VI_LOAD_S16(p) sse2_load_s16(p)
#define VI_STORE_S16(p, v) _mm_storel_epi64((__m128i *)(void *)(p), _mm_packs_epi32((v), (v)))

#define VD_SET1(x) _mm_set1_pd(x)
#define VD_ADD(a, b) _mm_add_pd((a), (b))
#define VD_SUB(a, b) _mm_sub_pd((a), (b))
#define VD_MUL(a, b) _mm_mul_pd((a), (b))
#define VD_LOAD(p) _mm_loadu_pd(p)
#define VD_STORE(p, v) _mm_storeu_pd((p), (v))
#define VD_GATHER(pp, i) _mm_set_pd((double)(pp)[1][i], (double)(pp)[0][i])

static inline void sse2_scatter(float *const *pp, uint32_t i, __m128d v)
{
    __m128 f = _mm_cvtpd_ps(v); /* rounds with MXCSR, as (float)double */
    pp[0][i] = _mm_cvtss_f32(f);
    pp[1][i] = _mm_cvtss_f32(_mm_shuffle_ps(f, f, 1));
}
#define VD_SCATTER(pp, i, v) sse2_scatter((pp), (i), (v))

#include "dsp_simd.h"

static void (*sse2_interleave_next)(float *, const float *const *, uint32_t, uint32_t);
static void (*sse2_deinterleave_next)(float *const *, const float *, uint32_t, uint32_t);

static void sse2_interleave(float *dst, const float *const *src, uint32_t channels, uint32_t n)
{
    uint32_t i = 0;
    if (channels == 2) {
        for (; i + 4 <= n; i += 4) {
            __m128 a = _mm_loadu_ps(src[0] + i), b = _mm_loadu_ps(src[1] + i);
            _mm_storeu_ps(dst + 2 * i, _mm_unpacklo_ps(a, b));
            _mm_storeu_ps(dst + 2 * i + 4, _mm_unpackhi_ps(a, b));
        }
    } else if (channels == 4) {
        for (; i + 4 <= n; i += 4) {
            __m128 a = _mm_loadu_ps(src[0] + i), b = _mm_loadu_ps(src[1] + i);
            __m128 c = _mm_loadu_ps(src[2] + i), d = _mm_loadu_ps(src[3] + i);
            _MM_TRANSPOSE4_PS(a, b, c, d);
            _mm_storeu_ps(dst + 4 * i, a);
            _mm_storeu_ps(dst + 4 * i + 4, b);
            _mm_storeu_ps(dst + 4 * i + 8, c);
            _mm_storeu_ps(dst + 4 * i + 12, d);
        }
    } else {
        sse2_interleave_next(dst, src, channels, n);
        return;
    }
    for (; i < n; i++)
        for (uint32_t c = 0; c < channels; c++)
            dst[(size_t)i * channels + c] = src[c][i];
}

static void sse2_deinterleave(float *const *dst, const float *src, uint32_t channels, uint32_t n)
{
    uint32_t i = 0;
    if (channels == 2) {
        for (; i + 4 <= n; i += 4) {
            __m128 x0 = _mm_loadu_ps(src + 2 * i), x1 = _mm_loadu_ps(src + 2 * i + 4);
            _mm_storeu_ps(dst[0] + i, _mm_shuffle_ps(x0, x1, _MM_SHUFFLE(2, 0, 2, 0)));
            _mm_storeu_ps(dst[1] + i, _mm_shuffle_ps(x0, x1, _MM_SHUFFLE(3, 1, 3, 1)));
        }
    } else if (channels == 4) {
        for (; i + 4 <= n; i += 4) {
            __m128 a = _mm_loadu_ps(src + 4 * i), b = _mm_loadu_ps(src + 4 * i + 4);
            __m128 c = _mm_loadu_ps(src + 4 * i + 8), d = _mm_loadu_ps(src + 4 * i + 12);
            _MM_TRANSPOSE4_PS(a, b, c, d);
            _mm_storeu_ps(dst[0] + i, a);
            _mm_storeu_ps(dst[1] + i, b);
            _mm_storeu_ps(dst[2] + i, c);
            _mm_storeu_ps(dst[3] + i, d);
        }
    } else {
        sse2_deinterleave_next(dst, src, channels, n);
        return;
    }
    for (; i < n; i++)
        for (uint32_t c = 0; c < channels; c++)
            dst[c][i] = src[(size_t)i * channels + c];
}

void mixx__dsp_init_sse2(mixx_dsp_table *t)
{
    sse2_init_common(t);
    sse2_interleave_next = t->interleave;
    sse2_deinterleave_next = t->deinterleave;
    t->interleave = sse2_interleave;
    t->deinterleave = sse2_deinterleave;
}
