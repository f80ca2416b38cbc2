/* SPDX-License-Identifier: MIT */
/* dsp_avx512.c: the DSP kernels in AVX-512 (F/BW/DQ/VL and OS opmask/ZMM state): 16 float / 8 double lanes, the
 * vector operations of the shared loops (src/dsp_simd.h). (De)interleave is not overridden: the AVX2 version is
 * store-bound already. */
#include <immintrin.h>

#include "dsp.h"

#define SIMD_FN(name) avx512_##name
#define SIMD_W 16
#define SIMD_D 8
#define VF __m512
#define VI __m512i
#define VD __m512d
#define VF_LOAD(p) _mm512_loadu_ps(p)
#define VF_STORE(p, v) _mm512_storeu_ps((p), (v))
#define VF_SET1(x) _mm512_set1_ps(x)
#define VF_ADD(a, b) _mm512_add_ps((a), (b))
#define VF_SUB(a, b) _mm512_sub_ps((a), (b))
#define VF_MUL(a, b) _mm512_mul_ps((a), (b))
#define VF_IOTA                                                                                              \
    _mm512_set_ps(15.0f, 14.0f, 13.0f, 12.0f, 11.0f, 10.0f, 9.0f, 8.0f, 7.0f, 6.0f, 5.0f, 4.0f, 3.0f, 2.0f, 1.0f, 0.0f)
#define VF_ZERO _mm512_setzero_ps()
#define VF_PEAK_ZERO _mm512_setzero_ps()
#define VF_ABS(v) _mm512_abs_ps(v)
/* vmaxps returns its second operand when either is NaN: a NaN |x| keeps the peak, as mixx__peak_update */
#define VF_PEAK(acc, ax) _mm512_max_ps((ax), (acc))
#define VI_CLIPS(cnt, ax, one)                                                                               \
    _mm512_mask_add_epi32((cnt), _mm512_cmp_ps_mask((ax), (one), _CMP_GE_OQ), (cnt), _mm512_set1_epi32(1))
#define VI_ZERO _mm512_setzero_si512()
#define VI_LOAD(p) _mm512_loadu_si512((const void *)(p))
#define VI_STORE(p, v) _mm512_storeu_si512((void *)(p), (v))
#define VF_FROM_INT(v) _mm512_cvtepi32_ps(v)
#define VI_SEXT24(v) _mm512_srai_epi32(_mm512_slli_epi32((v), 8), 8)

static inline __m512 avx512_nan_to_zero(__m512 y)
{
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(y, y, _CMP_ORD_Q), y);
}

static inline __m512i avx512_to_int(__m512 y, float m)
{
    y = avx512_nan_to_zero(y);
    y = _mm512_min_ps(_mm512_max_ps(y, _mm512_set1_ps(-m)), _mm512_set1_ps(m));
    return _mm512_cvtps_epi32(y); /* MXCSR rounding: nearest even, as lrintf */
}
#define VF_TO_INT(y, m) avx512_to_int((y), (m))

static inline __m512i avx512_to_s32(__m512 y)
{
    y = avx512_nan_to_zero(y);
    __mmask16 hi = _mm512_cmp_ps_mask(y, _mm512_set1_ps(2147483648.0f), _CMP_GE_OQ);
    y = _mm512_max_ps(y, _mm512_set1_ps(-2147483648.0f));
    __m512i i = _mm512_mask_mov_epi32(_mm512_cvtps_epi32(y), hi, _mm512_set1_epi32(INT32_MAX));
    return _mm512_max_epi32(i, _mm512_set1_epi32(-INT32_MAX));
}
#define VF_TO_S32(y) avx512_to_s32(y)

#define VI_LOAD_S16(p) _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *)(const void *)(p)))
#define VI_STORE_S16(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), _mm512_cvtsepi32_epi16(v))

#define VD_SET1(x) _mm512_set1_pd(x)
#define VD_ADD(a, b) _mm512_add_pd((a), (b))
#define VD_SUB(a, b) _mm512_sub_pd((a), (b))
#define VD_MUL(a, b) _mm512_mul_pd((a), (b))
#define VD_LOAD(p) _mm512_loadu_pd(p)
#define VD_STORE(p, v) _mm512_storeu_pd((p), (v))
#define VD_GATHER(pp, i)                                                                                     \
    _mm512_cvtps_pd(_mm256_setr_ps((pp)[0][i], (pp)[1][i], (pp)[2][i], (pp)[3][i], (pp)[4][i], (pp)[5][i],    \
                                   (pp)[6][i], (pp)[7][i]))

static inline void avx512_scatter(float *const *pp, uint32_t i, __m512d v)
{
    float f[8];
    _mm256_storeu_ps(f, _mm512_cvtpd_ps(v)); /* rounds with MXCSR, as (float)double */
    for (int k = 0; k < 8; k++)
        pp[k][i] = f[k];
}
#define VD_SCATTER(pp, i, v) avx512_scatter((pp), (i), (v))

#include "dsp_simd.h"

void mixx__dsp_init_avx512(mixx_dsp_table *t)
{
    avx512_init_common(t);
}
