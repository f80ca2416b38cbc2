/* SPDX-License-Identifier: MIT */
/* rtl_internal.h: the latency meter's state, shared by its three files and nobody else: rtl.c (setup:
 * buffers, stimuli, begin/end), rtl_process.c (the audio thread's step) and rtl_analysis.c (the monitor
 * thread's analysis). The method and the layout of a measurement are described at the top of rtl.c. */
#ifndef MIXX_RTL_INTERNAL_H
#define MIXX_RTL_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "mixxengine/spsc.h" /* MIXX_CACHE_LINE */
#include "rtl.h"

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
#define RTL_SIGMA_TARGET 0.005      /* a burst noisier than this is integrated with the next ones ... */
#define RTL_SIGMA_OK_LONG 0.0125    /* ... and an integration that stops at the limit is OK below this */
#define RTL_INTEGRATE_MAX_S 4.0     /* longest integration (seconds of capture) per measurement */
#define RTL_WARM_PAGES 4            /* capture-ring pages the monitor reads ahead of the writer, every poll */

typedef struct rtl_cpx {
    double re, im;
} rtl_cpx;

struct mixx_rtl {
    _Alignas(MIXX_CACHE_LINE) pthread_mutex_t lock; /* control thread (begin/end) against the monitor thread (poll); never audio */

    /* sizes for alloc_rate, written only while the audio thread is not in process (begin) */
    _Alignas(MIXX_CACHE_LINE)
    uint32_t alloc_rate;
    uint32_t L;           /* multitone burst length (power of two) */
    uint32_t max_cycle;   /* longest cycle any mode uses */
    size_t n1_max, n2;    /* FFT sizes: coarse (whole window), fine (burst segment) */
    double stim_energy[RTL_NSEQ];
    float *win;           /* monitor: copy of one capture window */
    rtl_cpx *fa, *fb, *tw; /* monitor: FFT work areas and the twiddle table (size n1_max / 2) */
    double *scratch;

    /* session parameters, written by begin (the audio thread is not in process then) */
    uint32_t rate;
    int continuous, debug;
    double expected;
    uint32_t range;       /* largest delay in range */

    /* what the audio thread reads and writes every cycle, in two lines (a callback after a cache flush pays a
     * miss per distinct line: docs/performance.md, issue 13): first the words it only reads, set by
     * alloc_buffers / begin while it is not in process ... */
    _Alignas(MIXX_CACHE_LINE) float *ring; /* capture ring, written by the audio thread only */
    float *stim[RTL_NSEQ];
    uint32_t ring_size, ring_mask;
    int method;
    uint32_t M;           /* margin before the burst and after the latest allowed arrival */
    uint32_t burst_len;   /* L or 1 (impulse) */
    uint32_t cycle;
    /* ... then its own state (the monitor's lock and `consumed` are on other lines) */
    uint32_t cyc;
    uint64_t pos;
    uint64_t burst;
    uint64_t consumed_cache;         /* audio thread's copy of `consumed` */
    _Atomic uint64_t written;        /* frames in the ring (release by the audio thread) */
    _Atomic uint64_t skipped_until;  /* end of the latest block the audio thread could not record */
    /* written once per burst (a second apart) */
    _Alignas(MIXX_CACHE_LINE) _Atomic uint64_t burst_ns[8]; /* CLOCK_MONOTONIC at each burst's emission, by burst & 7 */
    _Alignas(MIXX_CACHE_LINE) _Atomic uint64_t consumed; /* frames the monitor is done with (release by it) */

    /* monitor (under lock) */
    int armed;
    uint64_t next;                   /* next burst to analyse */
    uint64_t seq;
    int have_prev;
    double prev_frames, prev_sigma;
    unsigned acc_n;                  /* bursts in the integration under way (integrate() in rtl_analysis.c) */
    unsigned acc_total;              /* bursts this measurement has taken, with those dropped at a restart */
    unsigned acc_restarted;          /* the integration under way restarted (its first burst disagreed) */
    double acc_w, acc_wx, acc_wxx;   /* their sums of 1/var, est/var, est^2/var */
    uint64_t slips, lost;
    int in_hot; /* this object lives in an engine's hot block: destroy must not free it */
};

/* Smallest power of two >= v. */
size_t mixx__rtl_pow2_at_least(double v);
/* In-place radix-2 FFT of n points with the twiddle table tw (tw_n entries); inverse unscaled. */
void mixx__rtl_fft(rtl_cpx *a, size_t n, const rtl_cpx *tw, size_t tw_n, int inverse);

#endif
