/* SPDX-License-Identifier: MIT */
/* rtl.h: the round-trip latency meter, internal interface (implementation and method notes in src/rtl.c,
 * user documentation in docs/latency.md). The audio thread only plays the stimulus and copies the returned
 * signal into a preallocated ring (mixx_rtl_process); analysis runs on the monitor thread (mixx_rtl_poll). */
#ifndef MIXX_RTL_H
#define MIXX_RTL_H

#include <stdint.h>

#include "mixxengine.h"

typedef struct mixx_rtl mixx_rtl;
struct mixx_hot;

/* Creates an idle meter. Its buffers (stimuli, capture ring, analysis) are sized for the rate the first
 * mixx_rtl_begin gets and allocated there. max_frames is not needed (the meter works sample by sample).
 * Returns 0, MIXX_ENULL, MIXX_ERATE, MIXX_ENOMEM. Control thread. */
int mixx_rtl_create(mixx_rtl **out, uint32_t sample_rate, uint32_t max_frames);
/* The same, with the meter's object carved from the hot block `hot` (prefault.h) when it fits there (the
 * engine's meter); hot == NULL: mixx_rtl_create. */
int mixx__rtl_create_in(mixx_rtl **out, uint32_t sample_rate, uint32_t max_frames, struct mixx_hot *hot);
/* NULL is a no-op. Control thread, with the audio thread out of mixx_rtl_process for this meter. */
void mixx_rtl_destroy(mixx_rtl *m);

/* Arms a measurement sequence at the device's actual rate (allocating the buffers for it the first time or
 * when the rate changed), method, pacing (continuous=1: one measurement per second of audio; 0: back to back, as fast as
 * the capture window allows) and the backend's expected round trip (NaN if unknown; it sizes the listening
 * window in back-to-back mode). The engine guarantees mixx_rtl_process is not called for this meter before
 * begin returns (it sets its own active flag after). Returns 0, MIXX_EINVAL, MIXX_ERATE, MIXX_ENOMEM.
 * Control thread. */
int mixx_rtl_begin(mixx_rtl *m, uint32_t sample_rate, mixx_rtl_method method, int continuous,
                   double expected_rtl_frames);
/* Disarms: later polls return nothing. Call after the audio thread has left mixx_rtl_process. Control. */
void mixx_rtl_end(mixx_rtl *m);
/* The backend's claim changed mid-session (JACK buffer size): later results compare against `expected` (NaN:
 * unknown). The cycle's length stays what begin chose. Control or backend thread (not audio). */
void mixx_rtl_set_expected(mixx_rtl *m, double expected);

/* Audio thread, realtime-safe: `in` is the looped-back input channel, `out` the output channel the
 * stimulus is written to (it may alias `in`: each input sample is read before the output is written). */
void mixx_rtl_process(mixx_rtl *m, const float *in, float *out, uint32_t n_frames);

/* Monitor thread: analyses the next finished capture, if any. Returns 1 and fills *out when a result is
 * ready (out->t_s is then CLOCK_MONOTONIC seconds at the burst's emission; out->rtl_ms is left for the
 * caller), 0 otherwise. */
int mixx_rtl_poll(mixx_rtl *m, mixx_rtl_result *out);

#endif
