/* SPDX-License-Identifier: MIT */
/* rtl_process.c: the latency meter's realtime step: plays the stimulus on one output channel and records the
 * looped-back input into the capture ring. Audio thread only; everything it touches was allocated by
 * mixx_rtl_begin. The block is handled as runs (one or two ring copies; silence / stimulus / silence per cycle),
 * not sample by sample: ~150 instructions for 64 frames instead of ~2000 (docs/performance.md, issue 13). */
#include <string.h>

#include "clock.h"
#include "rtl_internal.h"
#include "rt_text.h"

/* out[0, k) = 0 */
static inline void rtl_zero(float *out, uint32_t k)
{
    if (k)
        memset(out, 0, (size_t)k * sizeof *out);
}

/* The lines the next block (assumed n frames again) will touch, asked for now: the capture ring's next lines (for
 * writing) and, in a burst, the stimulus's next lines (each stimulus is read once every RTL_NSEQ bursts, seconds
 * apart, so they come from memory). They arrive while the thread sleeps instead of stalling the next callback.
 * At most RTL_PREFETCH_LINES lines of each; a prefetch never faults and changes nothing but the caches. */
#define RTL_PREFETCH_LINES 16
static inline void rtl_prefetch_next(const mixx_rtl *m, uint64_t pos, uint32_t cyc, uint64_t burst, uint32_t n)
{
#if defined(__GNUC__)
    const uint32_t line = 64 / sizeof(float);
    uint32_t k = n < RTL_PREFETCH_LINES * line ? n : RTL_PREFETCH_LINES * line;
    uint32_t at = (uint32_t)(pos & m->ring_mask);
    for (uint32_t i = 0; i < k; i += line)
        __builtin_prefetch(m->ring + ((at + i) & m->ring_mask), 1, 3);
    if (cyc + k > m->M && cyc < m->M + m->burst_len && m->method != MIXX_RTL_IMPULSE) {
        const float *st = m->stim[burst % RTL_NSEQ];
        uint32_t s0 = cyc > m->M ? cyc - m->M : 0, s1 = cyc + k - m->M;
        if (s1 > m->burst_len)
            s1 = m->burst_len;
        for (uint32_t i = s0; i < s1; i += line)
            __builtin_prefetch(st + i, 0, 3);
    }
#else
    (void)m, (void)pos, (void)cyc, (void)burst, (void)n;
#endif
}

MIXX_RT_TEXT
void mixx_rtl_process(mixx_rtl *m, const float *in, float *out, uint32_t n)
{
    const uint32_t mask = m->ring_mask, cycle = m->cycle, M = m->M, len = m->burst_len;
    const int impulse = m->method == MIXX_RTL_IMPULSE;
    uint64_t pos = m->pos, burst = m->burst;
    uint32_t cyc = m->cyc;
    int emitted = 0;
    uint64_t emitted_burst = 0;
    /* room in the ring: everything up to what the monitor has consumed plus the ring size */
    if (pos + n > m->consumed_cache + m->ring_size)
        m->consumed_cache = atomic_load_explicit(&m->consumed, memory_order_acquire);
    const int record = pos + n <= m->consumed_cache + m->ring_size;
    /* the whole input first: out may be the same buffer as in. Only the block's last ring_size frames can be in
     * the ring afterwards (a block longer than the ring wraps onto itself; `record` can hold for such a block
     * when the monitor skipped ahead of pos), so only they are copied, to where a frame-by-frame copy leaves
     * them, in one or two pieces */
    if (record) {
        const uint32_t k = n < m->ring_size ? n : m->ring_size;
        const uint64_t p0 = pos + n - k;
        uint32_t at = (uint32_t)(p0 & mask), first = m->ring_size - at;
        if (first > k)
            first = k;
        memcpy(m->ring + at, in + (n - k), (size_t)first * sizeof *in);
        if (first < k)
            memcpy(m->ring, in + (n - k) + first, (size_t)(k - first) * sizeof *in);
    }
    /* then the output, a run per cycle: silence before the stimulus [M, M + len), the stimulus, silence after */
    for (uint32_t i = 0; i < n;) {
        uint32_t run = n - i;
        if (run > cycle - cyc)
            run = cycle - cyc;
        const uint32_t a = cyc, b = cyc + run;
        const uint32_t s0 = a > M ? a : M, s1 = b < M + len ? b : M + len;
        if (s0 < s1) {
            rtl_zero(out + i, s0 - a);
            if (impulse) {
                for (uint32_t k = s0; k < s1; k++)
                    out[i + (k - a)] = (float)RTL_IMPULSE;
            } else {
                memcpy(out + i + (s0 - a), m->stim[burst % RTL_NSEQ] + (s0 - M), (size_t)(s1 - s0) * sizeof *out);
            }
            rtl_zero(out + i + (s1 - a), b - s1);
            if (s0 == M) {
                emitted = 1;
                emitted_burst = burst;
            }
        } else {
            rtl_zero(out + i, run);
        }
        i += run;
        cyc = b;
        if (cyc == cycle) {
            cyc = 0;
            burst++;
        }
    }
    m->pos = pos + n;
    m->cyc = cyc;
    m->burst = burst;
    rtl_prefetch_next(m, pos + n, cyc, burst, n);
    if (emitted)
        atomic_store_explicit(&m->burst_ns[emitted_burst & 7], mixx__now_ns(), memory_order_relaxed);
    if (!record)
        atomic_store_explicit(&m->skipped_until, pos + n, memory_order_relaxed);
    atomic_store_explicit(&m->written, pos + n, memory_order_release); /* publishes the two stores above */
}
