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
    float pk = *peak;
    double s = 0.0;
    uint32_t cl = 0;
    for (uint32_t i = 0; i < n; i++) {
        float a = fabsf(x[i]);
        pk = a > pk ? a : pk;
        s += (double)x[i] * (double)x[i];
        cl += a >= 1.0f;
    }
    *peak = pk;
    *sumsq += s;
    *clips += cl;
}

#endif
