/* SPDX-License-Identifier: MIT */
/* dsp_avx2.c: the DSP kernels in AVX2 (selected only on CPUs with AVX2 + FMA and OS YMM state; FMA is not used,
 * see docs/dsp.md): 8 float / 4 double lanes. The vector operations of the shared loops (src/dsp_simd.h) and
 * 2-channel (de)interleave; other channel counts fall back to the previous table entry (SSE2). */
#include <immintrin.h>

#include "dsp.h"

#define SIMD_FN(name) avx2_##name
#define SIMD_W 8
#define SIMD_D 4
#define VF __m256
#define VI __m256i
#define VD __m256d
#define VF_LOAD(p) _mm256_loadu_ps(p)
#define VF_STORE(p, v) _mm256_storeu_ps((p), (v))
#define VF_SET1(x) _mm256_set1_ps(x)
#define VF_ADD(a, b) _mm256_add_ps((a), (b))
#define VF_SUB(a, b) _mm256_sub_ps((a), (b))
#define VF_MUL(a, b) _mm256_mul_ps((a), (b))
#define VF_IOTA _mm256_setr_ps(0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f)
#define VF_ZERO _mm256_setzero_ps()
#define VF_PEAK_ZERO _mm256_setzero_ps()
#define VF_ABS(v) _mm256_andnot_ps(_mm256_set1_ps(-0.0f), (v))
/* vmaxps returns its second operand when either is NaN: a NaN |x| keeps the peak, as mixx__peak_update */
#define VF_PEAK(acc, ax) _mm256_max_ps((ax), (acc))
#define VI_CLIPS(cnt, ax, one) _mm256_sub_epi32((cnt), _mm256_castps_si256(_mm256_cmp_ps((ax), (one), _CMP_GE_OQ)))
#define VI_ZERO _mm256_setzero_si256()
#define VI_LOAD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define VI_STORE(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), (v))
#define VF_FROM_INT(v) _mm256_cvtepi32_ps(v)
#define VI_SEXT24(v) _mm256_srai_epi32(_mm256_slli_epi32((v), 8), 8)

static inline __m256 avx2_nan_to_zero(__m256 y)
{
    return _mm256_and_ps(y, _mm256_cmp_ps(y, y, _CMP_ORD_Q));
}

static inline __m256i avx2_to_int(__m256 y, float m)
{
    y = avx2_nan_to_zero(y);
    y = _mm256_min_ps(_mm256_max_ps(y, _mm256_set1_ps(-m)), _mm256_set1_ps(m));
    return _mm256_cvtps_epi32(y); /* MXCSR rounding: nearest even, as lrintf */
}
#define VF_TO_INT(y, m) avx2_to_int((y), (m))

/* as sse2_to_s32: 0x80000000 for y >= 2^31 flipped to INT32_MAX; INT32_MIN raised to -INT32_MAX */
static inline __m256i avx2_to_s32(__m256 y)
{
    y = avx2_nan_to_zero(y);
    __m256i hi = _mm256_castps_si256(_mm256_cmp_ps(y, _mm256_set1_ps(2147483648.0f), _CMP_GE_OQ));
    y = _mm256_max_ps(y, _mm256_set1_ps(-2147483648.0f));
    __m256i i = _mm256_xor_si256(_mm256_cvtps_epi32(y), hi);
    return _mm256_max_epi32(i, _mm256_set1_epi32(-INT32_MAX));
}
#define VF_TO_S32(y) avx2_to_s32(y)

#define VI_LOAD_S16(p) _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(const void *)(p)))
static inline void avx2_store_s16(int16_t *p, __m256i v)
{
    __m128i s = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    _mm_storeu_si128((__m128i *)(void *)p, s);
}
#define VI_STORE_S16(p, v) avx2_store_s16((p), (v))

#define VD_SET1(x) _mm256_set1_pd(x)
#define VD_ADD(a, b) _mm256_add_pd((a), (b))
#define VD_SUB(a, b) _mm256_sub_pd((a), (b))
#define VD_MUL(a, b) _mm256_mul_pd((a), (b))
#define VD_LOAD(p) _mm256_loadu_pd(p)
#define VD_STORE(p, v) _mm256_storeu_pd((p), (v))
#define VD_GATHER(pp, i) _mm256_cvtps_pd(_mm_setr_ps((pp)[0][i], (pp)[1][i], (pp)[2][i], (pp)[3][i]))

static inline void avx2_scatter(float *const *pp, uint32_t i, __m256d v)
{
    float f[4];
    _mm_storeu_ps(f, _mm256_cvtpd_ps(v)); /* rounds with MXCSR, as (float)double */
    pp[0][i] = f[0], pp[1][i] = f[1], pp[2][i] = f[2], pp[3][i] = f[3];
}
#define VD_SCATTER(pp, i, v) avx2_scatter((pp), (i), (v))

#include "dsp_simd.h"

static void (*avx2_interleave_next)(float *, const float *const *, uint32_t, uint32_t);
static void (*avx2_deinterleave_next)(float *const *, const float *, uint32_t, uint32_t);

static void avx2_interleave(float *dst, const float *const *src, uint32_t channels, uint32_t n)
{
    if (channels != 2) {
        avx2_interleave_next(dst, src, channels, n);
        return;
    }
    uint32_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 a = _mm256_loadu_ps(src[0] + i), b = _mm256_loadu_ps(src[1] + i);
        __m256 lo = _mm256_unpacklo_ps(a, b), hi = _mm256_unpackhi_ps(a, b); /* a0b0a1b1|a4b4a5b5, a2b2a3b3|.. */
        _mm256_storeu_ps(dst + 2 * i, _mm256_permute2f128_ps(lo, hi, 0x20));
        _mm256_storeu_ps(dst + 2 * i + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
    }
    for (; i < n; i++) {
        dst[2 * (size_t)i] = src[0][i];
        dst[2 * (size_t)i + 1] = src[1][i];
    }
}

static void avx2_deinterleave(float *const *dst, const float *src, uint32_t channels, uint32_t n)
{
    if (channels != 2) {
        avx2_deinterleave_next(dst, src, channels, n);
        return;
    }
    uint32_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 x0 = _mm256_loadu_ps(src + 2 * i), x1 = _mm256_loadu_ps(src + 2 * i + 8);
        __m256 t0 = _mm256_permute2f128_ps(x0, x1, 0x20), t1 = _mm256_permute2f128_ps(x0, x1, 0x31);
        _mm256_storeu_ps(dst[0] + i, _mm256_shuffle_ps(t0, t1, _MM_SHUFFLE(2, 0, 2, 0)));
        _mm256_storeu_ps(dst[1] + i, _mm256_shuffle_ps(t0, t1, _MM_SHUFFLE(3, 1, 3, 1)));
    }
    for (; i < n; i++) {
        dst[0][i] = src[2 * (size_t)i];
        dst[1][i] = src[2 * (size_t)i + 1];
    }
}

void mixx__dsp_init_avx2(mixx_dsp_table *t)
{
    avx2_init_common(t);
    avx2_interleave_next = t->interleave;
    avx2_deinterleave_next = t->deinterleave;
    t->interleave = avx2_interleave;
    t->deinterleave = avx2_deinterleave;
}
