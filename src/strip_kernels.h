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

/* transposed direct form II with double arithmetic and state, state z[2]: float TDF-II loses tens of dB of SNR
 * in a low-frequency section (a 100 Hz shelf at 48 kHz); double keeps the noise far below the float output */
static inline void mixx__k_biquad(float *x, uint32_t n, const mixx_biquad *c, double *z)
{
    const double b0 = c->b0, b1 = c->b1, b2 = c->b2, a1 = c->a1, a2 = c->a2;
    double z1 = z[0], z2 = z[1];
    for (uint32_t i = 0; i < n; i++) {
        double in = x[i];
        double y = b0 * in + z1;
        z1 = b1 * in - a1 * y + z2;
        z2 = b2 * in - a2 * y;
        x[i] = (float)y;
    }
    z[0] = z1;
    z[1] = z2;
}

/* up to 3 sections in series, one pass: the sections' recurrences overlap in the pipeline */
static inline void mixx__k_biquad_cascade(float *x, uint32_t n, const mixx_biquad *const *c, double *const *z,
                                          uint32_t sections)
{
    if (sections == 1) {
        mixx__k_biquad(x, n, c[0], z[0]);
        return;
    }
    double k[3][5], s[3][2];
    for (uint32_t j = 0; j < sections; j++) {
        k[j][0] = c[j]->b0, k[j][1] = c[j]->b1, k[j][2] = c[j]->b2, k[j][3] = c[j]->a1, k[j][4] = c[j]->a2;
        s[j][0] = z[j][0], s[j][1] = z[j][1];
    }
    if (sections == 2) {
        for (uint32_t i = 0; i < n; i++) {
            double in = x[i];
            double y = k[0][0] * in + s[0][0];
            s[0][0] = k[0][1] * in - k[0][3] * y + s[0][1];
            s[0][1] = k[0][2] * in - k[0][4] * y;
            double v = k[1][0] * y + s[1][0];
            s[1][0] = k[1][1] * y - k[1][3] * v + s[1][1];
            s[1][1] = k[1][2] * y - k[1][4] * v;
            x[i] = (float)v;
        }
    } else {
        for (uint32_t i = 0; i < n; i++) {
            double in = x[i];
            double y = k[0][0] * in + s[0][0];
            s[0][0] = k[0][1] * in - k[0][3] * y + s[0][1];
            s[0][1] = k[0][2] * in - k[0][4] * y;
            double v = k[1][0] * y + s[1][0];
            s[1][0] = k[1][1] * y - k[1][3] * v + s[1][1];
            s[1][1] = k[1][2] * y - k[1][4] * v;
            double w = k[2][0] * v + s[2][0];
            s[2][0] = k[2][1] * v - k[2][3] * w + s[2][1];
            s[2][1] = k[2][2] * v - k[2][4] * w;
            x[i] = (float)w;
        }
    }
    for (uint32_t j = 0; j < sections; j++)
        z[j][0] = s[j][0], z[j][1] = s[j][1];
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
