/* rtl.h: the round-trip latency meter, internal interface (implementation in src/rtl.c).
 * The audio thread only plays the stimulus and copies the returned signal into preallocated memory
 * (mixx_rtl_process); analysis runs on the monitor thread (mixx_rtl_poll). */
#ifndef MIXX_RTL_H
#define MIXX_RTL_H

#include <stdint.h>

#include "mixxengine.h"

typedef struct mixx_rtl mixx_rtl;

/* Preallocates everything for rates up to 768 kHz is NOT required: allocate for `sample_rate` and the
 * engine recreates the meter (while stopped) when the rate changes. Control thread. */
int mixx_rtl_create(mixx_rtl **out, uint32_t sample_rate, uint32_t max_frames);
void mixx_rtl_destroy(mixx_rtl *m);

/* Control thread, while the audio thread may be running: arm/disarm a measurement sequence.
 * The engine guarantees mixx_rtl_process is not called for this meter before begin returns (it sets its
 * own active flag after) and is no longer called after the engine clears that flag and waits a cycle. */
int mixx_rtl_begin(mixx_rtl *m, mixx_rtl_method method, int continuous, double expected_rtl_frames);
void mixx_rtl_end(mixx_rtl *m);

/* Audio thread, realtime-safe: `in` is the looped-back input channel, `out` the output channel the
 * stimulus is written to (it may alias `in`: read each input sample before writing the output). */
void mixx_rtl_process(mixx_rtl *m, const float *in, float *out, uint32_t n_frames);

/* Monitor thread: analyses a finished capture. Returns 1 and fills *out when a new result is ready. */
int mixx_rtl_poll(mixx_rtl *m, mixx_rtl_result *out);

#endif
