/* rtl.c: the round-trip latency meter: stimulus generation, the realtime capture step, the analysis
 * (multitone phase and plain impulse), slip tracking, and the engine glue (mixx_engine_rtl_*).
 * How the method works, its range and its limits are in docs/latency.md; the engine hot path is in engine.c.
 *
 * Layout of one measurement ("cycle", in frames of the meter's own counter, which counts output and input
 * frames alike, so a frame emitted at index i and heard at index i + D has round trip D):
 *
 *   [0, M)            silence (lets the previous burst's tail pass, and is pre-arrival noise)
 *   [M, M + L)        the burst: a gated multitone (or one impulse)
 *   [M + L, cycle)    silence while we listen; the capture window of the measurement is [0, cycle)
 *
 * Delays 0 .. cycle - L - 2M are in range. Four different multitones rotate from burst to burst, so an echo
 * of an earlier burst arriving out of range never correlates with the current one.
 *
 * The capture ring is single-producer (audio thread) single-consumer (monitor): the monitor publishes how far
 * it has consumed, and the audio thread never overwrites what it has not; if the monitor falls more than the
 * ring's slack behind, the audio thread skips recording (and says where), and the windows hit are dropped. */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine_internal.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define RTL_NSEQ 4                  /* distinct multitones rotating from burst to burst */
#define RTL_F_LO 0.01               /* analysis band, fraction of the sample rate */
#define RTL_F_HI 0.42
#define RTL_RMS 0.1                 /* multitone level: -20 dBFS RMS */
#define RTL_IMPULSE 0.5             /* impulse level: -6 dBFS peak */
#define RTL_SIGMA_OK 0.05           /* a result is OK only if its 1-sigma uncertainty is below this (frames) */
#define RTL_SIGMA_Q 0.01            /* quality = 1 / (1 + (sigma / RTL_SIGMA_Q)^2) */
#define RTL_DETECT 9.0              /* correlation peak / noise (robust sigma) for a usable signal */
#define RTL_NOSIGNAL 6.0            /* below this nothing distinguishes the peak from noise */
#define RTL_SLIP_MIN 0.25           /* a change smaller than this (frames) is never a slip */

typedef struct rtl_cpx {
    double re, im;
} rtl_cpx;

struct mixx_rtl {
    pthread_mutex_t lock; /* control thread (begin/end) against the monitor thread (poll); never audio */

    /* sizes for alloc_rate */
    uint32_t alloc_rate;
    uint32_t L;           /* multitone burst length (power of two) */
    uint32_t M;           /* margin before the burst and after the latest allowed arrival */
    uint32_t max_cycle;   /* longest cycle any mode uses */
    size_t n1_max, n2;    /* FFT sizes: coarse (whole window), fine (burst segment) */
    float *stim[RTL_NSEQ];
    double stim_energy[RTL_NSEQ];
    float *ring;          /* capture ring, written by the audio thread only */
    uint32_t ring_size, ring_mask;
    float *win;           /* monitor: copy of one capture window */
    rtl_cpx *fa, *fb, *tw; /* monitor: FFT work areas and the twiddle table (size n1_max / 2) */
    double *scratch;

    /* session parameters, written by begin (the audio thread is not in process then) */
    uint32_t rate;
    int method, continuous, debug;
    double expected;
    uint32_t burst_len;   /* L or 1 (impulse) */
    uint32_t cycle;
    uint32_t range;       /* largest delay in range */

    /* audio thread */
    uint64_t pos;
    uint32_t cyc;
    uint64_t burst;
    uint64_t consumed_cache;         /* audio thread's copy of `consumed` */
    _Atomic uint64_t written;        /* frames in the ring (release by the audio thread) */
    _Atomic uint64_t skipped_until;  /* end of the latest block the audio thread could not record */
    _Atomic uint64_t consumed;       /* frames the monitor is done with (release by the monitor) */
    _Atomic uint64_t burst_ns[8];    /* CLOCK_MONOTONIC at each burst's emission, by burst & 7 */

    /* monitor (under lock) */
    int armed;
    uint64_t next;                   /* next burst to analyse */
    uint64_t seq;
    int have_prev;
    double prev_frames, prev_sigma;
    uint64_t slips, lost;
    uint64_t latest_seen;            /* for mixx__rtl_latest */
};

/* ---- small numerics ------------------------------------------------------------------------------- */

static size_t pow2_at_least(double v)
{
    size_t n = 1;
    while ((double)n < v)
        n <<= 1;
    return n;
}

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* In-place radix-2 complex FFT of size n (a power of two dividing tw_n). tw[k] = exp(-2 pi i k / tw_n),
 * k < tw_n / 2. inverse: conjugate twiddles, no 1/n scaling. */
static void fft(rtl_cpx *a, size_t n, const rtl_cpx *tw, size_t tw_n, int inverse)
{
    for (size_t i = 1, j = 0; i < n; i++) {
        size_t bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            rtl_cpx t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
    for (size_t len = 2; len <= n; len <<= 1) {
        size_t half = len >> 1, step = tw_n / len;
        for (size_t i = 0; i < n; i += len) {
            for (size_t k = 0; k < half; k++) {
                rtl_cpx w = tw[k * step];
                if (inverse)
                    w.im = -w.im;
                rtl_cpx u = a[i + k], v = a[i + k + half];
                rtl_cpx t = {v.re * w.re - v.im * w.im, v.re * w.im + v.im * w.re};
                a[i + k].re = u.re + t.re;
                a[i + k].im = u.im + t.im;
                a[i + k + half].re = u.re - t.re;
                a[i + k + half].im = u.im - t.im;
            }
        }
    }
}

/* After an FFT of x + i*y (both real) of size n: the spectra of x and y at bin k. */
static void split_bin(const rtl_cpx *z, size_t n, size_t k, rtl_cpx *x, rtl_cpx *y)
{
    rtl_cpx a = z[k], b = z[(n - k) & (n - 1)];
    x->re = 0.5 * (a.re + b.re);
    x->im = 0.5 * (a.im - b.im);
    y->re = 0.5 * (a.im + b.im);
    y->im = 0.5 * (b.re - a.re);
}

/* k-th smallest of v[0..n) (v is reordered). */
static double select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

/* ---- stimulus -------------------------------------------------------------------------------------- */

/* One multitone of period L: unit-magnitude tones on every DFT bin in the analysis band with pseudo-random
 * phases, then a few rounds of clip-and-restore to lower the crest factor (the magnitudes stay flat; only
 * the phases move), scaled to RTL_RMS and faded in/out over a few ms so the burst edges do not click. */
static void make_multitone(mixx_rtl *m, float *out, uint32_t L, uint64_t seed)
{
    rtl_cpx *a = m->fa;
    size_t klo = (size_t)ceil(RTL_F_LO * L), khi = (size_t)floor(RTL_F_HI * L);
    if (klo < 1)
        klo = 1;
    for (size_t k = 0; k < L; k++)
        a[k].re = a[k].im = 0;
    for (size_t k = klo; k <= khi; k++) {
        double ph = 2.0 * M_PI * (double)(splitmix64(&seed) >> 11) * (1.0 / 9007199254740992.0);
        a[k].re = cos(ph);
        a[k].im = sin(ph);
        a[L - k].re = a[k].re;
        a[L - k].im = -a[k].im;
    }
    for (int it = 0; it < 12; it++) {
        fft(a, L, m->tw, m->n1_max, 1);
        double ss = 0;
        for (size_t t = 0; t < L; t++)
            ss += a[t].re * a[t].re;
        double clip = 1.7 * sqrt(ss / L);
        for (size_t t = 0; t < L; t++) {
            double v = a[t].re;
            a[t].re = v > clip ? clip : v < -clip ? -clip : v;
            a[t].im = 0;
        }
        fft(a, L, m->tw, m->n1_max, 0);
        for (size_t k = 0; k <= L / 2; k++) {
            if (k < klo || k > khi) {
                a[k].re = a[k].im = 0;
            } else {
                double mag = hypot(a[k].re, a[k].im);
                if (mag > 0) {
                    a[k].re /= mag;
                    a[k].im /= mag;
                } else {
                    a[k].re = 1;
                }
            }
            if (k > 0 && k < L / 2) {
                a[L - k].re = a[k].re;
                a[L - k].im = -a[k].im;
            }
        }
    }
    fft(a, L, m->tw, m->n1_max, 1);
    double ss = 0;
    for (size_t t = 0; t < L; t++)
        ss += a[t].re * a[t].re;
    double scale = RTL_RMS / sqrt(ss / L);
    uint32_t fade = L / 64 < 256 ? L / 64 : 256;
    for (uint32_t t = 0; t < L; t++) {
        double g = scale;
        if (t < fade)
            g *= 0.5 - 0.5 * cos(M_PI * (t + 0.5) / fade);
        else if (t >= L - fade)
            g *= 0.5 - 0.5 * cos(M_PI * (L - t - 0.5) / fade);
        out[t] = (float)(a[t].re * g);
    }
}

/* ---- lifecycle ------------------------------------------------------------------------------------- */

static void free_buffers(mixx_rtl *m)
{
    for (int q = 0; q < RTL_NSEQ; q++) {
        free(m->stim[q]);
        m->stim[q] = NULL;
    }
    free(m->ring);
    free(m->win);
    free(m->fa);
    free(m->fb);
    free(m->tw);
    free(m->scratch);
    m->ring = m->win = NULL;
    m->fa = m->fb = m->tw = NULL;
    m->scratch = NULL;
    m->alloc_rate = 0;
}

/* Sizes everything for `rate`: L ~ 0.15-0.3 s of multitone, margins of ~10 ms (at least 32 frames, at most
 * 512), a ring that holds the longest window plus half a second of slack for a late monitor thread. */
static int alloc_buffers(mixx_rtl *m, uint32_t rate)
{
    free_buffers(m);
    double fs = rate;
    m->L = (uint32_t)pow2_at_least(0.15 * fs);
    if (m->L < 256)
        m->L = 256;
    m->M = (uint32_t)pow2_at_least(fs / 96.0);
    if (m->M < 32)
        m->M = 32;
    if (m->M > 512)
        m->M = 512;
    /* back-to-back mode listens up to one second; continuous mode's cycle is one second */
    uint32_t listen_max = rate > 4 * m->M ? rate : 4 * m->M;
    m->max_cycle = m->L + listen_max + 2 * m->M;
    m->n1_max = pow2_at_least((double)m->max_cycle + m->L);
    m->n2 = pow2_at_least((double)m->L + 2.0 * m->M);
    m->ring_size = (uint32_t)pow2_at_least((double)m->max_cycle + fs / 2.0);
    m->ring_mask = m->ring_size - 1;
    m->ring = calloc(m->ring_size, sizeof *m->ring);
    m->win = calloc(m->max_cycle, sizeof *m->win);
    m->fa = calloc(m->n1_max, sizeof *m->fa);
    /* fb holds the coarse correlation, or the fine step's four spectra of n2 bins */
    m->fb = calloc(m->n1_max > 4 * m->n2 ? m->n1_max : 4 * m->n2, sizeof *m->fb);
    m->tw = calloc(m->n1_max / 2, sizeof *m->tw);
    m->scratch = calloc(m->max_cycle, sizeof *m->scratch);
    int ok = m->ring && m->win && m->fa && m->fb && m->tw && m->scratch;
    for (int q = 0; q < RTL_NSEQ; q++) {
        m->stim[q] = calloc(m->L, sizeof(float));
        ok = ok && m->stim[q];
    }
    if (!ok) {
        free_buffers(m);
        return MIXX_ENOMEM;
    }
    for (size_t k = 0; k < m->n1_max / 2; k++) {
        double ph = -2.0 * M_PI * (double)k / (double)m->n1_max;
        m->tw[k].re = cos(ph);
        m->tw[k].im = sin(ph);
    }
    for (int q = 0; q < RTL_NSEQ; q++) {
        make_multitone(m, m->stim[q], m->L, 0x6d697878ull * (uint64_t)(q + 1));
        double e = 0;
        for (uint32_t t = 0; t < m->L; t++)
            e += (double)m->stim[q][t] * m->stim[q][t];
        m->stim_energy[q] = e;
    }
    m->alloc_rate = rate;
    return 0;
}

int mixx_rtl_create(mixx_rtl **out, uint32_t sample_rate, uint32_t max_frames)
{
    (void)max_frames;
    if (!out)
        return MIXX_ENULL;
    *out = NULL;
    if (sample_rate == 0 || sample_rate > 768000)
        return MIXX_ERATE;
    mixx_rtl *m = calloc(1, sizeof *m);
    if (!m)
        return MIXX_ENOMEM;
    pthread_mutex_init(&m->lock, NULL);
    /* the buffers (a few MB at 48 kHz, proportional to the rate) are allocated by the first begin, on the
     * control thread and before the audio thread may touch them: an engine that never measures pays nothing */
    *out = m;
    return 0;
}

void mixx_rtl_destroy(mixx_rtl *m)
{
    if (!m)
        return;
    free_buffers(m);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

int mixx_rtl_begin(mixx_rtl *m, uint32_t sample_rate, mixx_rtl_method method, int continuous,
                   double expected)
{
    if (!m)
        return MIXX_ENULL;
    if (method != MIXX_RTL_MULTITONE && method != MIXX_RTL_IMPULSE)
        return MIXX_EINVAL;
    if (sample_rate == 0 || sample_rate > 768000)
        return MIXX_ERATE;
    pthread_mutex_lock(&m->lock);
    int rc = 0;
    if (sample_rate != m->alloc_rate)
        rc = alloc_buffers(m, sample_rate);
    if (rc) {
        pthread_mutex_unlock(&m->lock);
        return rc;
    }
    const char *dbg = getenv("MIXX_RTL_DEBUG");
    m->debug = dbg && *dbg && *dbg != '0';
    m->rate = sample_rate;
    m->method = method;
    m->continuous = continuous ? 1 : 0;
    m->expected = expected;
    m->burst_len = method == MIXX_RTL_IMPULSE ? 1 : m->L;
    double fs = sample_rate;
    if (continuous) {
        m->cycle = sample_rate;
        if (m->cycle < m->burst_len + 4 * m->M)
            m->cycle = m->burst_len + 4 * m->M;
    } else {
        /* listen for twice the claimed round trip plus 50 ms, at least 0.25 s, at most 1 s */
        double listen = isfinite(expected) && expected > 0 ? 2.0 * expected + 0.05 * fs : fs;
        if (listen < 0.25 * fs)
            listen = 0.25 * fs;
        if (listen > fs)
            listen = fs;
        if (listen < 2.0 * m->M)
            listen = 2.0 * m->M;
        m->cycle = m->burst_len + 2 * m->M + (uint32_t)ceil(listen);
    }
    if (m->cycle > m->max_cycle)
        m->cycle = m->max_cycle;
    m->range = m->cycle - m->burst_len - 2 * m->M;
    m->pos = 0;
    m->cyc = 0;
    m->burst = 0;
    m->consumed_cache = 0;
    atomic_store_explicit(&m->written, 0, memory_order_relaxed);
    atomic_store_explicit(&m->skipped_until, 0, memory_order_relaxed);
    atomic_store_explicit(&m->consumed, 0, memory_order_relaxed);
    for (int i = 0; i < 8; i++)
        atomic_store_explicit(&m->burst_ns[i], 0, memory_order_relaxed);
    m->next = 0;
    m->seq = 0;
    m->have_prev = 0;
    m->prev_frames = m->prev_sigma = 0;
    m->slips = m->lost = 0;
    m->armed = 1;
    pthread_mutex_unlock(&m->lock);
    return 0;
}

void mixx_rtl_end(mixx_rtl *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    m->armed = 0;
    pthread_mutex_unlock(&m->lock);
}

/* ---- the realtime step ------------------------------------------------------------------------------ */

void mixx_rtl_process(mixx_rtl *m, const float *in, float *out, uint32_t n)
{
    const uint32_t mask = m->ring_mask, cycle = m->cycle, M = m->M, len = m->burst_len;
    const int impulse = m->method == MIXX_RTL_IMPULSE;
    float *ring = m->ring;
    uint64_t pos = m->pos, burst = m->burst;
    uint32_t cyc = m->cyc;
    const float *stim = m->stim[burst % RTL_NSEQ];
    int emitted = 0;
    uint64_t emitted_burst = 0;
    /* room in the ring: everything up to what the monitor has consumed plus the ring size */
    if (pos + n > m->consumed_cache + m->ring_size)
        m->consumed_cache = atomic_load_explicit(&m->consumed, memory_order_acquire);
    const int record = pos + n <= m->consumed_cache + m->ring_size;
    for (uint32_t i = 0; i < n; i++) {
        float x = in[i]; /* before writing out[i]: they may be the same buffer */
        if (record)
            ring[(pos + i) & mask] = x;
        float y = 0.0f;
        if (cyc >= M && cyc - M < len) {
            y = impulse ? (float)RTL_IMPULSE : stim[cyc - M];
            if (cyc == M) {
                emitted = 1;
                emitted_burst = burst;
            }
        }
        out[i] = y;
        if (++cyc == cycle) {
            cyc = 0;
            burst++;
            stim = m->stim[burst % RTL_NSEQ];
        }
    }
    m->pos = pos + n;
    m->cyc = cyc;
    m->burst = burst;
    if (emitted)
        atomic_store_explicit(&m->burst_ns[emitted_burst & 7], mixx__now_ns(), memory_order_relaxed);
    if (!record)
        atomic_store_explicit(&m->skipped_until, pos + n, memory_order_relaxed);
    atomic_store_explicit(&m->written, pos + n, memory_order_release); /* publishes the two stores above */
}

/* ---- analysis (monitor thread) -------------------------------------------------------------------- */

typedef struct rtl_fit {
    double tau;    /* delay of the segment relative to the reference, frames */
    double var;    /* its variance from the noise estimate */
    double gain;   /* loop gain (signed) */
    double var_g;
    double noise;  /* per-sample noise variance */
    int ok;
} rtl_fit;

/* Band-limited cross-correlation J(tau) = sum_k Re(Y_k S_k* e^{i w_k tau}) and its two derivatives, over the
 * bins [klo, khi] of an n-point transform. Every tone contributes its phase agreement with a delay tau. */
static void corr_eval(const rtl_cpx *y, const rtl_cpx *s, size_t klo, size_t khi, size_t n, double tau,
                      double *j0, double *j1, double *j2)
{
    double w0 = 2.0 * M_PI / (double)n;
    double a = 0, b = 0, c = 0;
    double rr = cos(w0 * (double)klo * tau), ri = sin(w0 * (double)klo * tau);
    double dr = cos(w0 * tau), di = sin(w0 * tau);
    for (size_t k = klo; k <= khi; k++) {
        /* x = y * conj(s) * e^{i w tau} */
        double xr = y[k].re * s[k].re + y[k].im * s[k].im;
        double xi = y[k].im * s[k].re - y[k].re * s[k].im;
        double zr = xr * rr - xi * ri, zi = xr * ri + xi * rr;
        double w = w0 * (double)k;
        a += zr;
        b -= w * zi;
        c -= w * w * zr;
        double t = rr * dr - ri * di;
        ri = rr * di + ri * dr;
        rr = t;
        if (((k - klo) & 1023) == 1023) { /* keep the rotation on the unit circle */
            double g = 1.0 / hypot(rr, ri);
            rr *= g;
            ri *= g;
        }
    }
    *j0 = a;
    *j1 = b;
    *j2 = c;
}

/* Finds the delay that maximises pol * J(tau) near tau0 (Newton, with a bounded step), then estimates the
 * loop gain, the noise from the quadrature residual (the part of each tone that no delay explains) and from
 * it the variance of tau. seg_len: samples of the segment (the rest of the transform is zero padding). */
static rtl_fit fit_delay(const rtl_cpx *y, const rtl_cpx *s, size_t klo, size_t khi, size_t n, size_t seg_len,
                         double tau0, double pol, double noise_known)
{
    rtl_fit f = {0, INFINITY, 0, INFINITY, INFINITY, 0};
    double tau = tau0, j0 = 0, j1 = 0, j2 = 0;
    int converged = 0;
    for (int it = 0; it < 60; it++) {
        corr_eval(y, s, klo, khi, n, tau, &j0, &j1, &j2);
        double step;
        if (pol * j2 < 0)
            step = -j1 / j2;
        else
            step = pol * j1 > 0 ? 0.1 : -0.1;
        if (step > 0.3)
            step = 0.3;
        if (step < -0.3)
            step = -0.3;
        tau += step;
        if (!(fabs(tau) < 4.0))
            return f;
        if (fabs(step) < 1e-10) {
            converged = 1;
            break;
        }
    }
    corr_eval(y, s, klo, khi, n, tau, &j0, &j1, &j2);
    if (!(pol * j2 < 0))
        return f;
    double w0 = 2.0 * M_PI / (double)n;
    double ss = 0, sw = 0;
    for (size_t k = klo; k <= khi; k++) {
        double p = s[k].re * s[k].re + s[k].im * s[k].im;
        double w = w0 * (double)k;
        ss += p;
        sw += w * w * p;
    }
    if (!(ss > 0))
        return f;
    if (noise_known >= 0) {
        /* a partial reference (half burst): the other half's signal shows in the quadrature terms bin by bin
         * (it cancels in the sum), so the full fit's noise estimate is the right one */
        f.noise = noise_known;
    } else {
        double mean_p = ss / (double)(khi - klo + 1);
        double q2 = 0;
        size_t cnt = 0;
        for (size_t k = klo; k <= khi; k++) {
            double p = s[k].re * s[k].re + s[k].im * s[k].im;
            if (p < 0.05 * mean_p)
                continue;
            double xr = y[k].re * s[k].re + y[k].im * s[k].im;
            double xi = y[k].im * s[k].re - y[k].re * s[k].im;
            double ph = w0 * (double)k * tau;
            double zi = xr * sin(ph) + xi * cos(ph);
            q2 += zi * zi / p;
            cnt++;
        }
        if (!cnt)
            return f;
        /* per bin E[Q^2] = E|N_k|^2 / 2 = seg_len * sigma^2 / 2 */
        f.noise = 2.0 * (q2 / (double)cnt) / (double)seg_len;
    }
    f.tau = tau;
    f.gain = j0 / ss;
    /* var(J') = sigma^2 * n/2 * sum w^2 |S|^2 (the bins of a zero-padded segment are not independent: this
     * is the time-domain count); var(tau) = var(J') / J''^2 */
    f.var = f.noise * 0.5 * (double)n * sw / (j2 * j2);
    f.var_g = f.noise * 0.5 * (double)n / ss;
    f.ok = converged;
    return f;
}

static double quality_of(double sigma)
{
    double r = sigma / RTL_SIGMA_Q;
    return 1.0 / (1.0 + r * r);
}

/* Robust noise level of v[0..n) (1.4826 * median |v|), using m->scratch. */
static double robust_sigma(mixx_rtl *m, const double *v, size_t stride, size_t n)
{
    for (size_t i = 0; i < n; i++)
        m->scratch[i] = fabs(v[i * stride]);
    return 1.4826 * select_kth(m->scratch, n, n / 2);
}

static void result_reject(mixx_rtl_result *r, mixx_rtl_status st, double quality, double snr_db)
{
    r->status = st;
    r->rtl_frames = NAN;
    r->excess_frames = NAN;
    r->quality = quality;
    r->snr_db = snr_db;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void debugf(const mixx_rtl *m, const char *fmt, ...)
{
    if (!m->debug)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("mixx rtl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Strongest |v| outside +-excl of index p in [0, n). */
static double second_peak(const double *v, size_t stride, size_t n, size_t p, size_t excl)
{
    double best = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + excl >= p && i <= p + excl)
            continue;
        double a = fabs(v[i * stride]);
        if (a > best)
            best = a;
    }
    return best;
}

/* The multitone analysis of one capture window m->win[0..cycle). Sets status, frames, polarity, quality. */
static void analyse_multitone(mixx_rtl *m, uint64_t burst, mixx_rtl_result *r, double *sigma_out)
{
    const uint32_t cycle = m->cycle, L = m->L, M = m->M;
    const float *s = m->stim[burst % RTL_NSEQ];
    const double es = m->stim_energy[burst % RTL_NSEQ];
    rtl_cpx *a = m->fa, *b = m->fb;
    *sigma_out = INFINITY;

    /* 1. coarse: the band-limited cross-correlation of the whole window with the burst (one FFT of
     * window + i*burst, one inverse); its peak is the arrival, unambiguous over the window */
    size_t n1 = pow2_at_least((double)cycle + L);
    for (size_t t = 0; t < n1; t++) {
        a[t].re = t < cycle ? m->win[t] : 0.0;
        a[t].im = t < L ? s[t] : 0.0;
    }
    fft(a, n1, m->tw, m->n1_max, 0);
    size_t klo = (size_t)ceil(RTL_F_LO * n1), khi = (size_t)floor(RTL_F_HI * n1);
    memset(b, 0, n1 * sizeof *b);
    for (size_t k = klo; k <= khi; k++) {
        rtl_cpx w, sk;
        split_bin(a, n1, k, &w, &sk);
        rtl_cpx p = {w.re * sk.re + w.im * sk.im, w.im * sk.re - w.re * sk.im};
        b[k] = p;
        b[n1 - k].re = p.re;
        b[n1 - k].im = -p.im;
    }
    fft(b, n1, m->tw, m->n1_max, 1);
    /* b[l].re * 1/n1 = sum_t win[t] s[t - l] (band-limited): a burst arriving D frames after its emission at
     * window index M peaks at l = M + D */
    const double *r0 = &b[0].re;
    const size_t stride = 2;
    size_t lmax = cycle;
    size_t pk = 0;
    double best = -1;
    for (size_t l = 0; l < lmax; l++) {
        double v = fabs(r0[l * stride]);
        if (v > best) {
            best = v;
            pk = l;
        }
    }
    double peak = r0[pk * stride] / (double)n1;
    double sig_r = robust_sigma(m, r0, stride, lmax) / (double)n1;
    double signif = sig_r > 0 ? fabs(peak) / sig_r : (fabs(peak) > 0 ? INFINITY : 0);
    double g_coarse = peak / es;
    debugf(m, "burst %llu: coarse peak at lag %zu (D=%lld) gain %.4g signif %.1f", (unsigned long long)burst, pk,
           (long long)pk - (long long)M, g_coarse, signif);
    if (signif < RTL_NOSIGNAL || fabs(g_coarse) < 1e-5) {
        result_reject(r, MIXX_RTL_NO_SIGNAL, 0.0, NAN);
        return;
    }
    double pol = peak < 0 ? -1.0 : 1.0;
    r->inverted = pol < 0;
    if (signif < RTL_DETECT) {
        result_reject(r, MIXX_RTL_UNRELIABLE, 0.0, NAN);
        debugf(m, "  weak peak");
        return;
    }
    double second = second_peak(r0, stride, lmax, pk, 8) / (double)n1;
    if (second > 0.2 * fabs(peak) && second > 7.0 * sig_r) {
        result_reject(r, MIXX_RTL_UNRELIABLE, 0.0, NAN);
        debugf(m, "  second peak %.3g of the main one (echo, slip or ambiguous loop)", second / fabs(peak));
        return;
    }
    long long d0 = (long long)pk - (long long)M;
    if (d0 < 0 || d0 > (long long)m->range) {
        result_reject(r, MIXX_RTL_UNRELIABLE, 0.0, NAN);
        debugf(m, "  arrival at %lld frames is out of range 0..%u", d0, m->range);
        return;
    }
    /* sub-sample start for the fine search: parabola through the peak */
    double tau0 = 0;
    if (pk > 0 && pk + 1 < lmax) {
        double ym = pol * r0[(pk - 1) * stride], y0 = pol * r0[pk * stride], yp = pol * r0[(pk + 1) * stride];
        double den = ym - 2 * y0 + yp;
        if (den < 0)
            tau0 = 0.5 * (ym - yp) / den;
    }

    /* 2. fine: the segment [d0, d0 + L + 2M) holds the whole arrival with its filter tails; the reference is
     * the burst at offset M. Its spectrum and the two half-burst references give three delay fits. */
    const size_t n2 = m->n2, seg = (size_t)L + 2 * M;
    for (size_t t = 0; t < n2; t++) {
        a[t].re = t < seg ? m->win[(size_t)d0 + t] : 0.0;
        a[t].im = (t >= M && t - M < L) ? s[t - M] : 0.0;
    }
    fft(a, n2, m->tw, m->n1_max, 0);
    size_t k2lo = (size_t)ceil(RTL_F_LO * n2), k2hi = (size_t)floor(RTL_F_HI * n2);
    /* b[k] = Y, b[n2 + k] = S (b has n1_max >= 2 * n2 entries) */
    rtl_cpx *Y = b, *S = b + n2, *Sa = b + 2 * n2, *Sb = b + 3 * n2;
    for (size_t k = k2lo; k <= k2hi; k++)
        split_bin(a, n2, k, &Y[k], &S[k]);
    /* the two halves of the burst, with a short cross-fade so each is a clean piece of the same signal */
    const double mid = M + L / 2.0, xf = 32.0;
    for (size_t t = 0; t < n2; t++) {
        double v = (t >= M && t - M < L) ? s[t - M] : 0.0;
        double x = ((double)t - mid) / xf;
        double wa = x <= -1 ? 1.0 : x >= 1 ? 0.0 : 0.5 - 0.5 * sin(0.5 * M_PI * x);
        a[t].re = v * wa;
        a[t].im = v * (1.0 - wa);
    }
    fft(a, n2, m->tw, m->n1_max, 0);
    for (size_t k = k2lo; k <= k2hi; k++)
        split_bin(a, n2, k, &Sa[k], &Sb[k]);

    rtl_fit f = fit_delay(Y, S, k2lo, k2hi, n2, seg, tau0, pol, -1.0);
    if (!f.ok) {
        result_reject(r, MIXX_RTL_UNRELIABLE, 0.0, NAN);
        debugf(m, "  fine fit did not converge");
        return;
    }
    rtl_fit fa = fit_delay(Y, Sa, k2lo, k2hi, n2, seg, f.tau, pol, f.noise);
    rtl_fit fb = fit_delay(Y, Sb, k2lo, k2hi, n2, seg, f.tau, pol, f.noise);
    double sigma = sqrt(f.var);
    double snr = f.noise > 0 ? f.gain * f.gain * (es / L) / f.noise : INFINITY;
    double snr_db = snr > 0 ? 10.0 * log10(snr) : -150.0;
    if (snr_db > 150.0)
        snr_db = 150.0;
    r->snr_db = snr_db;
    int consistent = fa.ok && fb.ok;
    double dtau = consistent ? fabs(fa.tau - fb.tau) : INFINITY;
    double dgain = consistent ? fabs(fa.gain - fb.gain) : INFINITY;
    if (consistent) {
        if (dtau > 6.0 * sqrt(fa.var + fb.var) + 0.002)
            consistent = 0;
        /* a loop is linear and time-invariant over one burst: halves whose gains differ by more than 5 % (plus
         * what the noise explains) saw a disturbed loop, e.g. a JACK cycle lost inside the burst (seen: 0.76
         * vs 1.00 at 5 dB "SNR" on a clean digital loop); that is unreliable, whatever sigma says */
        if (dgain > 0.05 * fabs(f.gain) + 6.0 * sqrt(fa.var_g + fb.var_g))
            consistent = 0;
        /* the halves' disagreement is a second, empirical error estimate */
        if (0.5 * dtau > sigma)
            sigma = 0.5 * dtau;
    }
    debugf(m, "  fine: tau %.5f sigma %.5f gain %.4g snr %.1f dB, halves %.5f / %.5f, gains %.4g / %.4g", f.tau,
           sigma, f.gain, snr_db, fa.tau, fb.tau, fa.gain, fb.gain);
    double frames = (double)d0 + f.tau;
    *sigma_out = sigma;
    if (!consistent || !(sigma <= RTL_SIGMA_OK)) {
        result_reject(r, MIXX_RTL_UNRELIABLE, quality_of(sigma), snr_db);
        debugf(m, "  unreliable: %s", consistent ? "too noisy" : "the two halves of the burst disagree");
        return;
    }
    r->status = MIXX_RTL_OK;
    r->rtl_frames = frames;
    r->quality = quality_of(sigma);
}

/* The plain impulse method of the original plan: the largest sample of the window is the arrival, a
 * parabola through it and its neighbours gives the fraction. Kept as the baseline the report compares. */
static void analyse_impulse(mixx_rtl *m, mixx_rtl_result *r, double *sigma_out)
{
    const uint32_t cycle = m->cycle, M = m->M;
    const float *w = m->win;
    *sigma_out = INFINITY;
    size_t pk = 0;
    double best = -1;
    for (size_t t = 0; t < cycle; t++) {
        double v = fabs(w[t]);
        if (v > best) {
            best = v;
            pk = t;
        }
        m->scratch[t] = v;
    }
    double sig = 1.4826 * select_kth(m->scratch, cycle, cycle / 2);
    double peak = w[pk];
    double signif = sig > 0 ? fabs(peak) / sig : (fabs(peak) > 0 ? INFINITY : 0);
    debugf(m, "impulse: peak %.4g at %zu, noise %.3g, signif %.1f", peak, pk, sig, signif);
    double snr_db = sig > 0 ? 20.0 * log10(fabs(peak) / sig) : 150.0;
    if (snr_db > 150.0)
        snr_db = 150.0;
    if (signif < RTL_NOSIGNAL || fabs(peak) < 1e-6) {
        result_reject(r, MIXX_RTL_NO_SIGNAL, 0.0, NAN);
        return;
    }
    double pol = peak < 0 ? -1.0 : 1.0;
    r->inverted = pol < 0;
    long long d0 = (long long)pk - (long long)M;
    if (signif < RTL_DETECT || d0 < 0 || d0 > (long long)m->range || pk == 0 || pk + 1 >= cycle) {
        result_reject(r, MIXX_RTL_UNRELIABLE, 0.0, snr_db);
        return;
    }
    /* a band-limited impulse rings for a few samples: look for another arrival beyond that */
    double second = 0;
    for (size_t t = 0; t < cycle; t++)
        if ((t + 8 < pk || t > pk + 8) && fabs(w[t]) > second)
            second = fabs(w[t]);
    if (second > 0.2 * fabs(peak) && second > 7.0 * sig) {
        result_reject(r, MIXX_RTL_UNRELIABLE, 0.0, snr_db);
        return;
    }
    double ya = pol * w[pk - 1], yb = pol * w[pk], yc = pol * w[pk + 1];
    double den = ya - 2 * yb + yc;
    double p = 0, sigma = 0;
    if (den < 0) {
        p = 0.5 * (ya - yc) / den;
        /* noise propagated through the vertex formula */
        double da = (yc - yb) / (den * den), db = (ya - yc) / (den * den), dc = (yb - ya) / (den * den);
        sigma = sig * sqrt(da * da + db * db + dc * dc);
    }
    *sigma_out = sigma;
    r->snr_db = snr_db;
    if (!(sigma <= RTL_SIGMA_OK)) {
        result_reject(r, MIXX_RTL_UNRELIABLE, quality_of(sigma), snr_db);
        return;
    }
    r->status = MIXX_RTL_OK;
    r->rtl_frames = (double)d0 + p;
    /* a parabola through a sampled band-limited pulse is biased by up to ~0.12 frame unless the delay is an
     * integer or a half-integer (docs/latency.md); the noise figure cannot show that, so the quality of a
     * fractional result carries it */
    double bias = fabs(p) > 0.01 && fabs(p) < 0.49 ? 0.12 : 0.0;
    r->quality = quality_of(sqrt(sigma * sigma + bias * bias));
}

int mixx_rtl_poll(mixx_rtl *m, mixx_rtl_result *out)
{
    if (!m || !out)
        return 0;
    pthread_mutex_lock(&m->lock);
    if (!m->armed) {
        pthread_mutex_unlock(&m->lock);
        return 0;
    }
    uint64_t w = atomic_load_explicit(&m->written, memory_order_acquire);
    uint64_t skipped = atomic_load_explicit(&m->skipped_until, memory_order_relaxed);
    if (skipped > m->next * m->cycle) {
        /* we fell behind and the audio thread could not record everything: drop the windows it hit */
        uint64_t first_clean = (skipped + m->cycle - 1) / m->cycle;
        m->lost += first_clean - m->next;
        debugf(m, "monitor too late: dropped %llu measurements", (unsigned long long)(first_clean - m->next));
        m->next = first_clean;
        atomic_store_explicit(&m->consumed, m->next * m->cycle, memory_order_release);
    }
    uint64_t start = m->next * m->cycle;
    if (w < start + m->cycle) {
        pthread_mutex_unlock(&m->lock);
        return 0;
    }
    for (uint32_t t = 0; t < m->cycle; t++)
        m->win[t] = m->ring[(start + t) & m->ring_mask];
    uint64_t burst = m->next++;
    /* the audio thread may reuse this window's slots now */
    atomic_store_explicit(&m->consumed, m->next * m->cycle, memory_order_release);

    mixx_rtl_result r;
    memset(&r, 0, sizeof r);
    r.expected_rtl_frames = m->expected;
    double sigma;
    if (m->method == MIXX_RTL_IMPULSE)
        analyse_impulse(m, &r, &sigma);
    else
        analyse_multitone(m, burst, &r, &sigma);
    if (r.status == MIXX_RTL_OK) {
        r.excess_frames = isfinite(m->expected) ? r.rtl_frames - m->expected : NAN;
        /* a jump against the previous good measurement, beyond what both uncertainties explain */
        if (m->have_prev) {
            double jump = fabs(r.rtl_frames - m->prev_frames);
            double tol = 8.0 * sqrt(sigma * sigma + m->prev_sigma * m->prev_sigma);
            if (jump > RTL_SLIP_MIN && jump > tol) {
                r.slip = 1;
                m->slips++;
                debugf(m, "slip: %.3f -> %.3f frames", m->prev_frames, r.rtl_frames);
            }
        }
        m->have_prev = 1;
        m->prev_frames = r.rtl_frames;
        m->prev_sigma = sigma;
    } else {
        r.excess_frames = NAN;
    }
    r.rtl_ms = NAN;
    uint64_t ns = atomic_load_explicit(&m->burst_ns[burst & 7], memory_order_relaxed);
    r.t_s = (double)ns * 1e-9;
    r.seq = m->seq++;
    pthread_mutex_unlock(&m->lock);
    *out = r;
    return 1;
}

/* ---- engine glue ---------------------------------------------------------------------------------- */

static int engine_ok(const mixx_engine *e)
{
    return e->magic == MIXX_ENGINE_MAGIC && atomic_load(&e->state) != MIXX_ST_NONE;
}

/* Monitor thread: move finished measurements into the engine's queue and summary. */
void mixx__rtl_monitor_tick(struct mixx_engine *e)
{
    if (!e->rtl)
        return;
    mixx_rtl_result r;
    while (mixx_rtl_poll(e->rtl, &r)) {
        uint32_t rate = atomic_load_explicit(&e->rate, memory_order_relaxed);
        r.rtl_ms = r.status == MIXX_RTL_OK && rate ? r.rtl_frames * 1000.0 / rate : NAN;
        double start_s = (double)e->start_ns * 1e-9;
        r.t_s = r.t_s > start_s ? r.t_s - start_s : 0.0;
        pthread_mutex_lock(&e->rtl_lock);
        if (e->rtl_q_count == MIXX_RTL_QUEUE) { /* nobody is reading: drop the oldest */
            e->rtl_q_head = (e->rtl_q_head + 1) % MIXX_RTL_QUEUE;
            e->rtl_q_count--;
            e->rtl_q_overflow++;
        }
        e->rtl_queue[(e->rtl_q_head + e->rtl_q_count) % MIXX_RTL_QUEUE] = r;
        e->rtl_q_count++;
        mixx_rtl_summary *s = &e->rtl_sum;
        s->measurements++;
        if (r.status == MIXX_RTL_OK) {
            if (s->ok == 0 || r.rtl_frames < s->min_frames)
                s->min_frames = r.rtl_frames;
            if (s->ok == 0 || r.rtl_frames > s->max_frames)
                s->max_frames = r.rtl_frames;
            s->mean_frames =
                s->ok ? (s->mean_frames * (double)s->ok + r.rtl_frames) / (double)(s->ok + 1) : r.rtl_frames;
            s->ok++;
        } else if (r.status == MIXX_RTL_NO_SIGNAL) {
            s->no_signal++;
        } else {
            s->unreliable++;
        }
        if (r.slip)
            s->slips++;
        e->rtl_last = r;
        pthread_cond_broadcast(&e->rtl_cond);
        pthread_mutex_unlock(&e->rtl_lock);
    }
}

void mixx__rtl_latest(struct mixx_engine *e, double *frames, int *status, uint64_t *slips)
{
    pthread_mutex_lock(&e->rtl_lock);
    uint64_t seen = e->rtl ? e->rtl->latest_seen : 0;
    if (e->rtl_sum.measurements != seen) {
        *frames = e->rtl_last.status == MIXX_RTL_OK ? e->rtl_last.rtl_frames : NAN;
        *status = (int)e->rtl_last.status;
        if (e->rtl)
            e->rtl->latest_seen = e->rtl_sum.measurements;
    } else {
        *frames = NAN;
        *status = -1;
    }
    *slips = e->rtl_sum.slips;
    pthread_mutex_unlock(&e->rtl_lock);
}

int mixx_engine_rtl_start(mixx_engine *e, mixx_rtl_method method, uint32_t channel, int continuous)
{
    if (!e)
        return MIXX_ENULL;
    if (!engine_ok(e))
        return MIXX_ENOTINIT;
    if (method != MIXX_RTL_MULTITONE && method != MIXX_RTL_IMPULSE)
        return MIXX_EINVAL;
    pthread_mutex_lock(&e->ctl);
    int rc = 0;
    if (atomic_load(&e->state) != MIXX_ST_RUNNING)
        rc = MIXX_ENOTRUNNING;
    else if (channel >= e->fmt.inputs || channel >= e->fmt.outputs)
        rc = MIXX_ECHANNELS;
    else if (atomic_load(&e->rtl_active))
        rc = MIXX_EBUSY;
    if (rc == 0) {
        /* the backend may update its claim from its own thread (JACK latency callback): take the published copy */
        pthread_mutex_lock(&e->stats_lock);
        double expected = e->expected_rtl_frames;
        pthread_mutex_unlock(&e->stats_lock);
        rc = mixx_rtl_begin(e->rtl, atomic_load(&e->rate), method, continuous, expected);
    }
    if (rc == 0) {
        pthread_mutex_lock(&e->rtl_lock);
        e->rtl_q_head = e->rtl_q_count = 0;
        e->rtl_q_overflow = 0;
        memset(&e->rtl_sum, 0, sizeof e->rtl_sum);
        e->rtl_sum.mean_frames = e->rtl_sum.min_frames = e->rtl_sum.max_frames = NAN;
        e->rtl->latest_seen = 0;
        e->rtl_started = 1;
        pthread_mutex_unlock(&e->rtl_lock);
        atomic_store_explicit(&e->rtl_channel, channel, memory_order_relaxed);
        atomic_store_explicit(&e->rtl_active, 1, memory_order_release);
    }
    pthread_mutex_unlock(&e->ctl);
    return rc;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int mixx_engine_rtl_stop(mixx_engine *e)
{
    if (!e)
        return MIXX_ENULL;
    if (!engine_ok(e))
        return MIXX_ENOTINIT;
    pthread_mutex_lock(&e->ctl);
    if (atomic_load(&e->rtl_active)) {
        atomic_store(&e->rtl_active, 0);
        /* a cycle that saw the flag set is finished once the engine's callback counter moves on (it is
         * incremented after the meter's step); a stopped, lost or idle hosted device has no cycle in flight */
        uint64_t cb0 = atomic_load(&e->callbacks);
        for (int i = 0; i < 4000; i++) {
            if (atomic_load(&e->callbacks) != cb0 || atomic_load(&e->state) != MIXX_ST_RUNNING ||
                atomic_load(&e->device_lost))
                break;
            if (e->cfg.backend == MIXX_BACKEND_HOSTED && atomic_load(&e->in_cycle) == 0)
                break;
            sleep_ms(1);
        }
        mixx_rtl_end(e->rtl);
    }
    pthread_mutex_lock(&e->rtl_lock);
    e->rtl_started = 0;
    pthread_cond_broadcast(&e->rtl_cond);
    pthread_mutex_unlock(&e->rtl_lock);
    pthread_mutex_unlock(&e->ctl);
    return 0;
}

int mixx_engine_rtl_wait(mixx_engine *e, mixx_rtl_result *out, uint32_t timeout_ms)
{
    if (!e || !out)
        return MIXX_ENULL;
    if (!engine_ok(e))
        return MIXX_ENOTINIT;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint64_t deadline = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec + timeout_ms * 1000000ull;
    int rc;
    pthread_mutex_lock(&e->rtl_lock);
    for (;;) {
        if (e->rtl_q_count) {
            *out = e->rtl_queue[e->rtl_q_head];
            e->rtl_q_head = (e->rtl_q_head + 1) % MIXX_RTL_QUEUE;
            e->rtl_q_count--;
            rc = 0;
            break;
        }
        if (!e->rtl_started || atomic_load(&e->state) != MIXX_ST_RUNNING) {
            rc = MIXX_ENOTRUNNING;
            break;
        }
        uint64_t t = mixx__now_ns();
        if (t >= deadline) {
            rc = MIXX_ETIMEDOUT;
            break;
        }
        /* wake at least every 100 ms to notice an engine that stopped under us */
        uint64_t until = deadline - t > 100000000ull ? t + 100000000ull : deadline;
        struct timespec ts = {(time_t)(until / 1000000000ull), (long)(until % 1000000000ull)};
        pthread_cond_timedwait(&e->rtl_cond, &e->rtl_lock, &ts);
    }
    pthread_mutex_unlock(&e->rtl_lock);
    return rc;
}

int mixx_engine_rtl_summary(mixx_engine *e, mixx_rtl_summary *out)
{
    if (!e || !out)
        return MIXX_ENULL;
    if (!engine_ok(e))
        return MIXX_ENOTINIT;
    pthread_mutex_lock(&e->rtl_lock);
    *out = e->rtl_sum;
    if (out->ok == 0)
        out->mean_frames = out->min_frames = out->max_frames = NAN;
    pthread_mutex_unlock(&e->rtl_lock);
    return 0;
}
