/* SPDX-License-Identifier: MIT */
/* dsp_simd.h: the loop structure of the SIMD kernels, shared by src/dsp_sse2.c, dsp_avx2.c, dsp_avx512.c and
 * dsp_neon.c. Each of those files defines the vector operations below with its own intrinsics, then includes
 * this file once; it must not be included anywhere else. Each kernel repeats the exact operation order of
 * src/dsp_scalar.c lane by lane and leaves its tail to the one-element definitions of src/dsp.h.
 *
 * Required from the including file (W float lanes, D double lanes):
 *   SIMD_FN(name)                     function name with the ISA's prefix
 *   VF, VI, VD                        float, int32 and double vector types; SIMD_W = W, SIMD_D = D
 *   VF_LOAD(p) VF_STORE(p,v) VF_SET1(x) VF_ADD VF_SUB VF_MUL VF_IOTA   (unaligned loads/stores; IOTA = 0..W-1)
 *   VF_ABS(v)  VF_PEAK(acc,ax) = ax > acc ? ax : acc (NaN ax keeps acc)  VI_CLIPS(cnt,ax,one) = cnt + (ax >= one)
 *   VF_PEAK_ZERO VI_ZERO VF_ZERO VI_STORE(p,v) VI_LOAD(p)
 *   VF_TO_INT(y,m)  NaN -> 0, clamp to [-m, m], round to nearest even;  VF_TO_S32(y) as mixx__f32_to_s32_1
 *   VF_FROM_INT(v)  int32 -> float (nearest);  VI_SEXT24(v);  VI_LOAD_S16(p) (W values, sign-extended)
 *   VI_STORE_S16(p,v) (W values)
 *   VD_SET1 VD_ADD VD_SUB VD_MUL VD_LOAD(p) VD_STORE(p,v)
 *   VD_GATHER(pp,i) = {(double)pp[k][i]};  VD_SCATTER(pp,i,v): pp[k][i] = (float)v[k] */

static void SIMD_FN(gain)(float *dst, const float *src, float g, uint32_t n)
{
    const VF vg = VF_SET1(g);
    uint32_t i = 0;
    for (; i + 2 * SIMD_W <= n; i += 2 * SIMD_W) {
        VF a = VF_LOAD(src + i), b = VF_LOAD(src + i + SIMD_W);
        VF_STORE(dst + i, VF_MUL(a, vg));
        VF_STORE(dst + i + SIMD_W, VF_MUL(b, vg));
    }
    for (; i + SIMD_W <= n; i += SIMD_W)
        VF_STORE(dst + i, VF_MUL(VF_LOAD(src + i), vg));
    for (; i < n; i++)
        dst[i] = src[i] * g;
}

static void SIMD_FN(mix)(float *dst, const float *src, float g, uint32_t n)
{
    const VF vg = VF_SET1(g);
    uint32_t i = 0;
    for (; i + 2 * SIMD_W <= n; i += 2 * SIMD_W) {
        VF a = VF_ADD(VF_LOAD(dst + i), VF_MUL(VF_LOAD(src + i), vg));
        VF b = VF_ADD(VF_LOAD(dst + i + SIMD_W), VF_MUL(VF_LOAD(src + i + SIMD_W), vg));
        VF_STORE(dst + i, a);
        VF_STORE(dst + i + SIMD_W, b);
    }
    for (; i + SIMD_W <= n; i += SIMD_W)
        VF_STORE(dst + i, VF_ADD(VF_LOAD(dst + i), VF_MUL(VF_LOAD(src + i), vg)));
    for (; i < n; i++)
        dst[i] = dst[i] + src[i] * g;
}

/* (float)i + k is exact up to 2^24, so the lane gains equal g0 + (float)(i + k) * step bit for bit */
static void SIMD_FN(gain_ramp)(float *dst, const float *src, float g0, float g1, uint32_t n)
{
    const float step = mixx__ramp_step(g0, g1, n);
    const uint32_t m = n < MIXX_DSP_RAMP_SIMD_MAX ? n : MIXX_DSP_RAMP_SIMD_MAX;
    const VF vg0 = VF_SET1(g0), vs = VF_SET1(step), vw = VF_SET1((float)SIMD_W);
    VF fi = VF_IOTA;
    uint32_t i = 0;
    for (; i + SIMD_W <= m; i += SIMD_W) {
        VF g = VF_ADD(vg0, VF_MUL(fi, vs));
        VF_STORE(dst + i, VF_MUL(VF_LOAD(src + i), g));
        fi = VF_ADD(fi, vw);
    }
    for (; i < n; i++)
        dst[i] = src[i] * mixx__ramp_gain(g0, step, i);
}

static void SIMD_FN(mix_ramp)(float *dst, const float *src, float g0, float g1, uint32_t n)
{
    const float step = mixx__ramp_step(g0, g1, n);
    const uint32_t m = n < MIXX_DSP_RAMP_SIMD_MAX ? n : MIXX_DSP_RAMP_SIMD_MAX;
    const VF vg0 = VF_SET1(g0), vs = VF_SET1(step), vw = VF_SET1((float)SIMD_W);
    VF fi = VF_IOTA;
    uint32_t i = 0;
    for (; i + SIMD_W <= m; i += SIMD_W) {
        VF g = VF_ADD(vg0, VF_MUL(fi, vs));
        VF_STORE(dst + i, VF_ADD(VF_LOAD(dst + i), VF_MUL(VF_LOAD(src + i), g)));
        fi = VF_ADD(fi, vw);
    }
    for (; i < n; i++)
        dst[i] = dst[i] + src[i] * mixx__ramp_gain(g0, step, i);
}

/* 16 lanes of state in 16 / W vectors: lane k of vector j holds index class j * W + k (mod 16), as in dsp.h */
#define SIMD_NV (16 / SIMD_W)
static void SIMD_FN(meter)(const float *x, uint32_t n, mixx_dsp_meter_result *out)
{
    VF pk[SIMD_NV], sq[SIMD_NV];
    VI cl[SIMD_NV];
    const VF one = VF_SET1(1.0f);
    for (int j = 0; j < SIMD_NV; j++) {
        pk[j] = VF_PEAK_ZERO;
        sq[j] = VF_ZERO;
        cl[j] = VI_ZERO;
    }
    uint32_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < SIMD_NV; j++) {
            VF v = VF_LOAD(x + i + j * SIMD_W), ax = VF_ABS(v);
            pk[j] = VF_PEAK(pk[j], ax);
            sq[j] = VF_ADD(sq[j], VF_MUL(v, v));
            cl[j] = VI_CLIPS(cl[j], ax, one);
        }
    float peak[16], sums[16];
    uint32_t clips[16];
    for (int j = 0; j < SIMD_NV; j++) {
        VF_STORE(peak + j * SIMD_W, pk[j]);
        VF_STORE(sums + j * SIMD_W, sq[j]);
        VI_STORE((int32_t *)(clips + j * SIMD_W), cl[j]);
    }
    mixx__meter_finish(x, i, n, peak, sums, clips, out);
}

static void SIMD_FN(f32_to_s16)(int16_t *dst, const float *src, uint32_t n)
{
    const VF s = VF_SET1(MIXX_DSP_S16_SCALE);
    uint32_t i = 0;
    for (; i + SIMD_W <= n; i += SIMD_W)
        VI_STORE_S16(dst + i, VF_TO_INT(VF_MUL(VF_LOAD(src + i), s), MIXX_DSP_S16_SCALE));
    for (; i < n; i++)
        dst[i] = (int16_t)mixx__f32_to_int(src[i], MIXX_DSP_S16_SCALE, MIXX_DSP_S16_SCALE);
}

static void SIMD_FN(s16_to_f32)(float *dst, const int16_t *src, uint32_t n)
{
    const VF r = VF_SET1(MIXX_DSP_S16_INV);
    uint32_t i = 0;
    for (; i + SIMD_W <= n; i += SIMD_W)
        VF_STORE(dst + i, VF_MUL(VF_FROM_INT(VI_LOAD_S16(src + i)), r));
    for (; i < n; i++)
        dst[i] = (float)src[i] * MIXX_DSP_S16_INV;
}

static void SIMD_FN(f32_to_s24)(int32_t *dst, const float *src, uint32_t n)
{
    const VF s = VF_SET1(MIXX_DSP_S24_SCALE);
    uint32_t i = 0;
    for (; i + SIMD_W <= n; i += SIMD_W)
        VI_STORE(dst + i, VF_TO_INT(VF_MUL(VF_LOAD(src + i), s), MIXX_DSP_S24_SCALE));
    for (; i < n; i++)
        dst[i] = mixx__f32_to_int(src[i], MIXX_DSP_S24_SCALE, MIXX_DSP_S24_SCALE);
}

static void SIMD_FN(s24_to_f32)(float *dst, const int32_t *src, uint32_t n)
{
    const VF r = VF_SET1(MIXX_DSP_S24_INV);
    uint32_t i = 0;
    for (; i + SIMD_W <= n; i += SIMD_W)
        VF_STORE(dst + i, VF_MUL(VF_FROM_INT(VI_SEXT24(VI_LOAD(src + i))), r));
    for (; i < n; i++)
        dst[i] = (float)mixx__sext24(src[i]) * MIXX_DSP_S24_INV;
}

static void SIMD_FN(f32_to_s32)(int32_t *dst, const float *src, uint32_t n)
{
    const VF s = VF_SET1(2147483648.0f);
    uint32_t i = 0;
    for (; i + SIMD_W <= n; i += SIMD_W)
        VI_STORE(dst + i, VF_TO_S32(VF_MUL(VF_LOAD(src + i), s)));
    for (; i < n; i++)
        dst[i] = mixx__f32_to_s32_1(src[i]);
}

static void SIMD_FN(s32_to_f32)(float *dst, const int32_t *src, uint32_t n)
{
    const VF r = VF_SET1(MIXX_DSP_S32_INV);
    uint32_t i = 0;
    for (; i + SIMD_W <= n; i += SIMD_W)
        VF_STORE(dst + i, VF_MUL(VF_FROM_INT(VI_LOAD(src + i)), r));
    for (; i < n; i++)
        dst[i] = (float)src[i] * MIXX_DSP_S32_INV;
}

/* Biquad cascade, channels in double lanes: nv (1 or 2) vectors of D channels from channel c0. Per chunk of
 * samples: gather; then groups of g sections, sample by sample: the g sections' (and nv vectors') recurrences are
 * independent chains the CPU overlaps (one section over a chunk would be one serial chain: ~4 dependent
 * operations per sample); scatter. The states of a group stay in registers across the chunk. */
#define SIMD_BQ_CHUNK 32
static inline __attribute__((always_inline)) void SIMD_FN(biquad_run)(VD t[][2], uint32_t len, int nv, int g,
                                                                     const mixx_dsp_biquad *sec, double *state,
                                                                     uint32_t channels, uint32_t c0)
{
    VD b0[4], b1[4], b2[4], a1[4], a2[4], s1[4][2], s2[4][2];
    for (int j = 0; j < g; j++) {
        b0[j] = VD_SET1((double)sec[j].b0), b1[j] = VD_SET1((double)sec[j].b1), b2[j] = VD_SET1((double)sec[j].b2);
        a1[j] = VD_SET1((double)sec[j].a1), a2[j] = VD_SET1((double)sec[j].a2);
        double *p1 = state + (size_t)j * 2 * channels + c0, *p2 = p1 + channels;
        for (int v = 0; v < nv; v++) {
            s1[j][v] = VD_LOAD(p1 + v * SIMD_D);
            s2[j][v] = VD_LOAD(p2 + v * SIMD_D);
        }
    }
    for (uint32_t i = 0; i < len; i++)
        for (int v = 0; v < nv; v++) {
            VD x = t[i][v];
            for (int j = 0; j < g; j++) {
                VD y = VD_ADD(VD_MUL(b0[j], x), s1[j][v]);
                s1[j][v] = VD_ADD(VD_SUB(VD_MUL(b1[j], x), VD_MUL(a1[j], y)), s2[j][v]);
                s2[j][v] = VD_SUB(VD_MUL(b2[j], x), VD_MUL(a2[j], y));
                x = y;
            }
            t[i][v] = x;
        }
    for (int j = 0; j < g; j++) {
        double *p1 = state + (size_t)j * 2 * channels + c0, *p2 = p1 + channels;
        for (int v = 0; v < nv; v++) {
            VD_STORE(p1 + v * SIMD_D, s1[j][v]);
            VD_STORE(p2 + v * SIMD_D, s2[j][v]);
        }
    }
}

static inline __attribute__((always_inline)) void SIMD_FN(biquad_group)(float *const *buf, uint32_t channels,
                                                                       uint32_t c0, int nv, uint32_t n,
                                                                       const mixx_dsp_biquad *sec,
                                                                       uint32_t n_sections, double *state)
{
    VD t[SIMD_BQ_CHUNK][2];
    const uint32_t G = nv == 1 ? 4 : 3; /* sections per group: enough chains in flight, states in registers */
    for (uint32_t i0 = 0; i0 < n; i0 += SIMD_BQ_CHUNK) {
        uint32_t len = n - i0 < SIMD_BQ_CHUNK ? n - i0 : SIMD_BQ_CHUNK;
        for (uint32_t i = 0; i < len; i++)
            for (int v = 0; v < nv; v++)
                t[i][v] = VD_GATHER(buf + c0 + v * SIMD_D, i0 + i);
        uint32_t s = 0;
        for (; s + G <= n_sections; s += G)
            SIMD_FN(biquad_run)(t, len, nv, (int)G, sec + s, state + (size_t)s * 2 * channels, channels, c0);
        for (; s < n_sections; s++)
            SIMD_FN(biquad_run)(t, len, nv, 1, sec + s, state + (size_t)s * 2 * channels, channels, c0);
        for (uint32_t i = 0; i < len; i++)
            for (int v = 0; v < nv; v++)
                VD_SCATTER(buf + c0 + v * SIMD_D, i0 + i, t[i][v]);
    }
}

static void SIMD_FN(biquad_cascade)(float *const *buf, uint32_t channels, uint32_t n, const mixx_dsp_biquad *sec,
                                    uint32_t n_sections, double *state)
{
    uint32_t c = 0;
    for (; c + 2 * SIMD_D <= channels; c += 2 * SIMD_D)
        SIMD_FN(biquad_group)(buf, channels, c, 2, n, sec, n_sections, state);
    for (; c + SIMD_D <= channels; c += SIMD_D)
        SIMD_FN(biquad_group)(buf, channels, c, 1, n, sec, n_sections, state);
    for (; c < channels; c++)
        mixx__dsp_biquad_channel(buf[c], n, sec, n_sections, state, channels, c);
}

/* the slots every SIMD file fills from this template */
static void SIMD_FN(init_common)(mixx_dsp_table *t)
{
    t->gain = SIMD_FN(gain);
    t->gain_ramp = SIMD_FN(gain_ramp);
    t->mix = SIMD_FN(mix);
    t->mix_ramp = SIMD_FN(mix_ramp);
    t->meter = SIMD_FN(meter);
    t->biquad_cascade = SIMD_FN(biquad_cascade);
    t->f32_to_s16 = SIMD_FN(f32_to_s16);
    t->s16_to_f32 = SIMD_FN(s16_to_f32);
    t->f32_to_s24 = SIMD_FN(f32_to_s24);
    t->s24_to_f32 = SIMD_FN(s24_to_f32);
    t->f32_to_s32 = SIMD_FN(f32_to_s32);
    t->s32_to_f32 = SIMD_FN(s32_to_f32);
}
