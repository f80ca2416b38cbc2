/* strip_kernels.h: the few DSP kernels the channel strip and the meters use (gain, per-sample gain, biquad,
 * RBJ shelf/peak design, peak + sum of squares). Scalar C references kept behind this small interface so that the
 * strip switches to the engine's SIMD kernels (mixx_dsp_*, P-2) by changing these bodies only. */
#ifndef MIXX_STRIP_KERNELS_H
#define MIXX_STRIP_KERNELS_H

#include <math.h>
#include <stdint.h>

typedef struct mixx_biquad {
    float b0, b1, b2, a1, a2; /* normalised, a0 = 1 */
} mixx_biquad;

static inline void mixx__k_gain(float *x, float g, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        x[i] *= g;
}

static inline void mixx__k_mul(float *x, const float *g, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        x[i] *= g[i];
}

/* transposed direct form II, state z[2] */
static inline void mixx__k_biquad(float *x, uint32_t n, const mixx_biquad *c, float *z)
{
    float z1 = z[0], z2 = z[1];
    for (uint32_t i = 0; i < n; i++) {
        float in = x[i];
        float y = c->b0 * in + z1;
        z1 = c->b1 * in - c->a1 * y + z2;
        z2 = c->b2 * in - c->a2 * y;
        x[i] = y;
    }
    z[0] = z1;
    z[1] = z2;
}

/* up to 3 sections in series, one pass: the sections' recurrences overlap in the pipeline */
static inline void mixx__k_biquad_cascade(float *x, uint32_t n, const mixx_biquad *const *c, float *const *z,
                                          uint32_t sections)
{
    if (sections == 1) {
        mixx__k_biquad(x, n, c[0], z[0]);
        return;
    }
    if (sections == 2) {
        const mixx_biquad a = *c[0], b = *c[1];
        float a1 = z[0][0], a2 = z[0][1], b1 = z[1][0], b2 = z[1][1];
        for (uint32_t i = 0; i < n; i++) {
            float in = x[i];
            float y = a.b0 * in + a1;
            a1 = a.b1 * in - a.a1 * y + a2;
            a2 = a.b2 * in - a.a2 * y;
            float v = b.b0 * y + b1;
            b1 = b.b1 * y - b.a1 * v + b2;
            b2 = b.b2 * y - b.a2 * v;
            x[i] = v;
        }
        z[0][0] = a1, z[0][1] = a2, z[1][0] = b1, z[1][1] = b2;
        return;
    }
    const mixx_biquad a = *c[0], b = *c[1], d = *c[2];
    float a1 = z[0][0], a2 = z[0][1], b1 = z[1][0], b2 = z[1][1], d1 = z[2][0], d2 = z[2][1];
    for (uint32_t i = 0; i < n; i++) {
        float in = x[i];
        float y = a.b0 * in + a1;
        a1 = a.b1 * in - a.a1 * y + a2;
        a2 = a.b2 * in - a.a2 * y;
        float v = b.b0 * y + b1;
        b1 = b.b1 * y - b.a1 * v + b2;
        b2 = b.b2 * y - b.a2 * v;
        float w = d.b0 * v + d1;
        d1 = d.b1 * v - d.a1 * w + d2;
        d2 = d.b2 * v - d.a2 * w;
        x[i] = w;
    }
    z[0][0] = a1, z[0][1] = a2, z[1][0] = b1, z[1][1] = b2, z[2][0] = d1, z[2][1] = d2;
}

enum { MIXX_K_LOWSHELF = 0, MIXX_K_PEAK = 1, MIXX_K_HIGHSHELF = 2 };

/* RBJ audio-EQ cookbook designs (shelf slope given as Q), computed in double */
static inline void mixx__k_rbj(int kind, double fs, double f, double gain_db, double q, mixx_biquad *c)
{
    if (f > 0.49 * fs)
        f = 0.49 * fs;
    double A = pow(10.0, gain_db / 40.0), w = 2.0 * 3.14159265358979323846 * f / fs, cw = cos(w), sw = sin(w);
    double alpha = sw / (2.0 * q), b0, b1, b2, a0, a1, a2;
    if (kind == MIXX_K_PEAK) {
        b0 = 1 + alpha * A;
        b1 = -2 * cw;
        b2 = 1 - alpha * A;
        a0 = 1 + alpha / A;
        a1 = -2 * cw;
        a2 = 1 - alpha / A;
    } else {
        double sA = 2.0 * sqrt(A) * alpha, s = kind == MIXX_K_LOWSHELF ? 1.0 : -1.0;
        b0 = A * ((A + 1) - s * (A - 1) * cw + sA);
        b1 = s * 2 * A * ((A - 1) - s * (A + 1) * cw);
        b2 = A * ((A + 1) - s * (A - 1) * cw - sA);
        a0 = (A + 1) + s * (A - 1) * cw + sA;
        a1 = -s * 2 * ((A - 1) + s * (A + 1) * cw);
        a2 = (A + 1) + s * (A - 1) * cw - sA;
    }
    c->b0 = (float)(b0 / a0);
    c->b1 = (float)(b1 / a0);
    c->b2 = (float)(b2 / a0);
    c->a1 = (float)(a1 / a0);
    c->a2 = (float)(a2 / a0);
}

/* peak |x| (max with *peak), sum of squares in double (added to *sumsq), samples with |x| >= 1 */
static inline void mixx__k_meter(const float *x, uint32_t n, float *peak, double *sumsq, uint32_t *clips)
{
    /* four lanes: independent chains instead of one latency-bound one; squares summed in double */
    float p0 = *peak, p1 = p0, p2 = p0, p3 = p0;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    uint32_t cl = 0, i = 0;
    for (; i + 4 <= n; i += 4) {
        float a0 = fabsf(x[i]), a1 = fabsf(x[i + 1]), a2 = fabsf(x[i + 2]), a3 = fabsf(x[i + 3]);
        p0 = a0 > p0 ? a0 : p0;
        p1 = a1 > p1 ? a1 : p1;
        p2 = a2 > p2 ? a2 : p2;
        p3 = a3 > p3 ? a3 : p3;
        s0 += (double)x[i] * (double)x[i];
        s1 += (double)x[i + 1] * (double)x[i + 1];
        s2 += (double)x[i + 2] * (double)x[i + 2];
        s3 += (double)x[i + 3] * (double)x[i + 3];
        cl += (uint32_t)(a0 >= 1.0f) + (uint32_t)(a1 >= 1.0f) + (uint32_t)(a2 >= 1.0f) + (uint32_t)(a3 >= 1.0f);
    }
    for (; i < n; i++) {
        float a = fabsf(x[i]);
        p0 = a > p0 ? a : p0;
        s0 += (double)x[i] * (double)x[i];
        cl += a >= 1.0f;
    }
    p0 = p1 > p0 ? p1 : p0;
    p2 = p3 > p2 ? p3 : p2;
    *peak = p2 > p0 ? p2 : p0;
    *sumsq += (s0 + s1) + (s2 + s3);
    *clips += cl;
}

#endif
