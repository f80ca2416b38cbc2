/* SPDX-License-Identifier: MIT */
/* rtl.c: the round-trip latency meter's setup: buffers, stimuli (multitones, impulse), begin/end of a
 * session. The audio thread's step is rtl_process.c, the monitor thread's analysis rtl_analysis.c; the meter
 * knows nothing of the engine (engine_rtl.c holds it). How the method works: docs/latency.md.
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

#include "clock.h"
#include "prefault.h"
#include "rtl_internal.h"

/* ---- small numerics ------------------------------------------------------------------------------- */

size_t mixx__rtl_pow2_at_least(double v)
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
void mixx__rtl_fft(rtl_cpx *a, size_t n, const rtl_cpx *tw, size_t tw_n, int inverse)
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
        mixx__rtl_fft(a, L, m->tw, m->n1_max, 1);
        double ss = 0;
        for (size_t t = 0; t < L; t++)
            ss += a[t].re * a[t].re;
        double clip = 1.7 * sqrt(ss / L);
        for (size_t t = 0; t < L; t++) {
            double v = a[t].re;
            a[t].re = v > clip ? clip : v < -clip ? -clip : v;
            a[t].im = 0;
        }
        mixx__rtl_fft(a, L, m->tw, m->n1_max, 0);
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
    mixx__rtl_fft(a, L, m->tw, m->n1_max, 1);
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
    m->L = (uint32_t)mixx__rtl_pow2_at_least(0.15 * fs);
    if (m->L < 256)
        m->L = 256;
    m->M = (uint32_t)mixx__rtl_pow2_at_least(fs / 96.0);
    if (m->M < 32)
        m->M = 32;
    if (m->M > 512)
        m->M = 512;
    /* back-to-back mode listens up to one second; continuous mode's cycle is one second */
    uint32_t listen_max = rate > 4 * m->M ? rate : 4 * m->M;
    m->max_cycle = m->L + listen_max + 2 * m->M;
    m->n1_max = mixx__rtl_pow2_at_least((double)m->max_cycle + m->L);
    m->n2 = mixx__rtl_pow2_at_least((double)m->L + 2.0 * m->M);
    m->ring_size = (uint32_t)mixx__rtl_pow2_at_least((double)m->max_cycle + fs / 2.0);
    m->ring_mask = m->ring_size - 1;
    /* written by the audio thread only, a page every ~21 ms at 48 kHz: every page faulted in here, on the
     * control thread, or the first lap would take one fault per 16 callbacks at 64 frames */
    m->ring = mixx__calloc_hot(m->ring_size, sizeof *m->ring);
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
    return mixx__rtl_create_in(out, sample_rate, max_frames, NULL);
}

int mixx__rtl_create_in(mixx_rtl **out, uint32_t sample_rate, uint32_t max_frames, struct mixx_hot *hot)
{
    (void)max_frames;
    if (!out)
        return MIXX_ENULL;
    *out = NULL;
    if (sample_rate == 0 || sample_rate > 768000)
        return MIXX_ERATE;
    /* aligned: the audio thread's fields and the monitor's sit on cache lines of their own (rtl_internal.h) */
    int in_hot;
    mixx_rtl *m = mixx__hot_or_heap(hot, sizeof(mixx_rtl), _Alignof(mixx_rtl), &in_hot);
    if (!m)
        return MIXX_ENOMEM;
    m->in_hot = in_hot;
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
    mixx__hot_free(m, m->in_hot);
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
    m->acc_n = m->acc_total = m->acc_restarted = 0;
    m->acc_w = m->acc_wx = m->acc_wxx = 0;
    m->prev_frames = m->prev_sigma = 0;
    m->slips = m->lost = 0;
    m->armed = 1;
    pthread_mutex_unlock(&m->lock);
    return 0;
}

void mixx_rtl_set_expected(mixx_rtl *m, double expected)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    m->expected = expected;
    pthread_mutex_unlock(&m->lock);
}

void mixx_rtl_end(mixx_rtl *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    m->armed = 0;
    pthread_mutex_unlock(&m->lock);
}
