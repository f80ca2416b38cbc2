/* SPDX-License-Identifier: MIT */
/* backend.h: the device-backend operations table and the engine entry points a backend calls.
 * Each backend lives in src/backend_<name>.c and keeps its state private; the registry is in backend.c. */
#ifndef MIXX_BACKEND_H
#define MIXX_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "mixxengine.h"

struct mixx_engine;

/* What open() negotiated with the device; written by the backend before open() returns and never after
 * (the backend keeps no pointer to it: later changes go through mixx__engine_format_changed and the audio
 * thread's scheduling through mixx__engine_audio_thread). */
typedef struct mixx_device_format {
    uint32_t sample_rate, buffer_size;
    uint32_t inputs, outputs;
    double expected_rtl_frames;  /* backend's own round-trip claim (NaN if unknown) */
} mixx_device_format;

/* The ops table. No version or name field: tables are compiled into the library with the engine (never
 * loaded from elsewhere), and the registry in engine.c names every backend, compiled in or not. All methods
 * are called on control threads, serialised by the engine. */
typedef struct mixx_backend_ops {
    /* Optional. 1 if usable now, else 0 with the reason in why. */
    int (*available)(char *why, size_t why_len);
    /* Optional. See mixx_list_devices(). */
    int (*list_devices)(mixx_device_info *out, size_t cap, size_t *count);
    /* Creates the device/client for engine e (config in mixx__engine_config(e)); fills *fmt; stores its
     * private state in *state. Must not start audio. Errors: MIXX_E*, detail via mixx__engine_set_error. */
    int (*open)(struct mixx_engine *e, mixx_device_format *fmt, void **state);
    /* Starts delivering cycles through mixx__engine_cycle(). */
    int (*start)(void *state);
    /* Stops; after it returns no cycle is running or will run. Must return promptly after device loss. */
    int (*stop)(void *state);
    void (*close)(void *state);
    /* Optional. Current expected round trip (may change with buffer size). */
    int (*latency)(void *state, double *expected_rtl_frames);
    /* Optional. Change the buffer size while running. */
    int (*set_buffer_size)(void *state, uint32_t frames);
} mixx_backend_ops;

/* The registry (backend.c): the ops of backend b, NULL if compiled out or unknown. Any thread. */
const mixx_backend_ops *mixx__backend_ops(mixx_backend b);

extern const mixx_backend_ops mixx_backend_sim_ops;
extern const mixx_backend_ops mixx_backend_hosted_ops;
#ifdef MIXX_HAVE_JACK
extern const mixx_backend_ops mixx_backend_jack_ops;
#endif
#ifdef MIXX_HAVE_PORTAUDIO
extern const mixx_backend_ops mixx_backend_portaudio_ops;
#endif

/* ---- engine side, for backends ---- */
/* The engine's configuration (read-only). Any thread. */
const mixx_config *mixx__engine_config(const struct mixx_engine *e);
/* Stores a readable detail for the last error (control thread). */
void mixx__engine_set_error(struct mixx_engine *e, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Forgets the last error's detail (start of a control call). Control thread. */
void mixx__engine_clear_error(struct mixx_engine *e);
/* One audio cycle: runs the processing (input i -> output i, the latency meter, extra outputs silenced) and
 * the instrumentation. deadline_ns: absolute CLOCK_MONOTONIC time by which the device needs the output (0 if
 * unknown: then a callback longer than one period is the only deadline test). xruns: backend-reported
 * xruns since the previous cycle. Returns 1 if the callback ended after deadline_ns. Audio thread,
 * realtime-safe. */
int mixx__engine_cycle(struct mixx_engine *e, const float *const *in, uint32_t n_in, float *const *out,
                       uint32_t n_out, uint32_t n_frames, uint64_t deadline_ns, uint32_t xruns);
/* Backend xruns reported outside a cycle (e.g. JACK's xrun callback). Any thread, realtime-safe. */
void mixx__engine_add_xruns(struct mixx_engine *e, uint32_t count);
/* Kinds of xrun a backend can tell apart (mixx_stats' input_underflows ... output_overflows). */
enum { MIXX_XRUN_IN_UNDERFLOW = 0, MIXX_XRUN_IN_OVERFLOW, MIXX_XRUN_OUT_UNDERFLOW, MIXX_XRUN_OUT_OVERFLOW,
       MIXX_XRUN_KINDS };
/* Counts one xrun of `kind` (for the per-kind counts only: the total still comes from the cycle's or
 * add_xruns' count). The backend's audio thread only (single writer), realtime-safe. */
void mixx__engine_count_xrun_kind(struct mixx_engine *e, unsigned kind);
/* The device or server is gone. Any thread, realtime-safe (sets a flag; the monitor reports it). */
void mixx__engine_device_lost(struct mixx_engine *e);
/* The backend cannot prove its audio thread has left the engine (a callback still inside it when its stream
 * was abandoned): from now on mixx_engine_destroy leaves the engine's memory (and what it owns) allocated rather
 * than freeing it under that thread. Control thread. */
void mixx__engine_pin(struct mixx_engine *e);
/* The device changed its buffer size or rate (e.g. JACK callbacks; 0 = unchanged), or only its latency: the
 * engine re-asks latency() and publishes it. Not realtime: control/backend thread; a backend serialises its
 * own calls. */
void mixx__engine_format_changed(struct mixx_engine *e, uint32_t sample_rate, uint32_t buffer_size);

/* What the calling audio thread got from the OS (sched_policy SCHED_OTHER/SCHED_FIFO..., its priority). Called
 * by the backend from its audio thread, once it runs (again if the thread changes). Audio thread,
 * realtime-safe (one atomic store); published in mixx_stats. */
void mixx__engine_audio_thread(struct mixx_engine *e, int sched_policy, int sched_priority);


/* Realtime section markers for the rtsan configuration (-DMIXX_SANITIZE=rtsan, docs/reliability.md): inside,
 * RealtimeSanitizer aborts on malloc/free, locks, sleeps, file I/O. Sections nest. A backend wraps all of its
 * per-cycle work (not deliberate fault-injection sleeps); mixx__engine_cycle marks itself as well. The runtime
 * lives in the executable, so the shared library refers to it weakly. No-ops in every other build. */
#if defined(MIXX_RTSAN)
void __rtsan_realtime_enter(void) __attribute__((weak));
void __rtsan_realtime_exit(void) __attribute__((weak));
#define MIXX_RT_ENTER() (__rtsan_realtime_enter ? __rtsan_realtime_enter() : (void)0)
#define MIXX_RT_EXIT() (__rtsan_realtime_exit ? __rtsan_realtime_exit() : (void)0)
#else
#define MIXX_RT_ENTER() ((void)0)
#define MIXX_RT_EXIT() ((void)0)
#endif

#endif
