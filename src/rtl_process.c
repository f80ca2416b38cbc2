/* SPDX-License-Identifier: MIT */
/* rtl_process.c: the latency meter's realtime step: plays the stimulus on one output channel and records the
 * looped-back input into the capture ring. Audio thread only; everything it touches was allocated by
 * mixx_rtl_begin. */
#include "clock.h"
#include "rtl_internal.h"

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
