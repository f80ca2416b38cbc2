/* SPDX-License-Identifier: MIT */
/* engine_rtl.h: the engine's latency-meter glue (engine_rtl.c) and its per-cycle step, inline for the hot
 * path. Included by engine.c and stats.c; the meter's own interface is rtl.h. */
#ifndef MIXX_ENGINE_RTL_H
#define MIXX_ENGINE_RTL_H

#include "engine_internal.h"

/* The engine's meter at sample_rate (engine setup). Returns 0, MIXX_ERATE, MIXX_ENOMEM. Control thread. */
int mixx__engine_rtl_create(struct mixx_engine *e, uint32_t sample_rate);
void mixx__engine_rtl_destroy(struct mixx_engine *e);
/* A new meter for a new rate (hosted set_format, stopped engine). Returns 0, MIXX_ERATE, MIXX_ENOMEM. Control. */
int mixx__engine_rtl_set_rate(struct mixx_engine *e, uint32_t sample_rate);
/* Stops the meter once no cycle runs any more (engine stop). Control thread. */
void mixx__engine_rtl_halt(struct mixx_engine *e);
/* Moves finished measurements into the engine's queue and summary. Monitor thread. */
void mixx__engine_rtl_monitor_tick(struct mixx_engine *e);
/* Latest measurement for the per-second summary: frames (NaN unless OK) and status (-1 if none arrived since
 * the caller's *seen), slips so far. Monitor thread. */
void mixx__engine_rtl_latest(struct mixx_engine *e, uint64_t *seen, double *frames, int *status, uint64_t *slips);

/* The cycle's meter step: the stimulus/capture on the measured channel. Audio thread, realtime-safe. */
static inline void mixx__engine_rtl_cycle(struct mixx_engine *e, const float *const *in, uint32_t n_in,
                                          float *const *out, uint32_t n_out, uint32_t n_frames)
{
    if (atomic_load_explicit(&e->rtl_active, memory_order_acquire)) {
        uint32_t ch = atomic_load_explicit(&e->rtl_channel, memory_order_relaxed);
        if (ch < n_in && ch < n_out)
            mixx_rtl_process(e->rtl, in[ch], out[ch], n_frames);
    }
}

#endif
