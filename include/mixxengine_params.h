/* SPDX-License-Identifier: MIT */
/* mixxengine_params.h: the second public header of libmixxengine: the parameter bus (descriptors, wait-free
 * writes, sample-accurate timed events, smoothing, state as JSON text), the meters back-channel and the names of the
 * built-in channel strip's parameters. The engine itself is in mixxengine.h; docs/params.md explains the model. */
#ifndef MIXXENGINE_PARAMS_H
#define MIXXENGINE_PARAMS_H

#include "mixxengine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- descriptors ---------------------------------------------------------------------------------------- */
enum mixx_param_flags {
    MIXX_PARAM_BOOL = 1u << 0,    /* 0 or 1; min 0, max 1 */
    MIXX_PARAM_STEPPED = 1u << 1, /* integer values */
    MIXX_PARAM_DB = 1u << 2,      /* value in dB: smoothed and rendered as linear gain 10^(v/20) */
    MIXX_PARAM_LOG = 1u << 3      /* a UI should map it logarithmically (frequencies, Q); smoothing is linear */
};

#define MIXX_PARAM_NAME_MAX 48
#define MIXX_PARAM_UNIT_MAX 16
#define MIXX_PARAM_MAX 4096      /* parameters per engine (strip + application) */
#define MIXX_PARAM_APP_ID_MIN 0x10000u /* ids below are the engine's own (the strip); applications use these */

/* One parameter. Size is part of the ABI (new fields appended). */
typedef struct mixx_param_info {
    uint32_t id;                          /* stable: the same parameter has the same id in every build */
    uint32_t flags;                       /* mixx_param_flags */
    char name[MIXX_PARAM_NAME_MAX];       /* [A-Za-z0-9._-]+, unique, e.g. "ch1.eq.mid.freq_hz" */
    char unit[MIXX_PARAM_UNIT_MAX];       /* "dB", "Hz", "" ... */
    double min, max, def;                 /* range and default (stored and applied as float) */
    double smoothing_ms;                  /* ramp time of a change, 0 = a step exactly at the event's sample */
} mixx_param_info;

/* Defines an application parameter (id >= MIXX_PARAM_APP_ID_MIN) for the application's audio_cb. Engine stopped.
 * Returns 0, MIXX_ENULL, MIXX_ENOTINIT, MIXX_ERUNNING, MIXX_EINVAL (id below the application range, bad name,
 * min >= max, default outside the range, smoothing outside 0..10000 ms, bool/stepped rules), MIXX_ENAN
 * (non-finite min/max/default/smoothing), MIXX_EEXIST (id or name taken), MIXX_ETOOMANY. Control thread only. */
MIXX_API int mixx_param_define(mixx_engine *e, const mixx_param_info *info);
/* Number of parameters (strip + application). Any thread. 0 for an invalid engine. */
MIXX_API uint32_t mixx_param_count(const mixx_engine *e);
/* Descriptor by enumeration index 0..count-1 (stable order: the strip's, then the application's in definition
 * order). Returns 0, MIXX_ENULL, MIXX_ENOTINIT, MIXX_ENOPARAM. Any thread except the audio thread. */
MIXX_API int mixx_param_info_at(const mixx_engine *e, uint32_t index, mixx_param_info *out);
/* Descriptor by id. Returns 0, MIXX_ENULL, MIXX_ENOTINIT, MIXX_ENOPARAM. Any thread except the audio thread. */
MIXX_API int mixx_param_info_by_id(const mixx_engine *e, uint32_t id, mixx_param_info *out);
/* Id by name. Returns 0, MIXX_ENULL, MIXX_ENOTINIT, MIXX_ENOPARAM. Any thread. */
MIXX_API int mixx_param_find(const mixx_engine *e, const char *name, uint32_t *id);

/* ---- writes (any thread except the audio thread) ------------------------------------------------------------
 * A write stores the value in the parameter's latest-value slot and marks it dirty; the audio thread applies it at
 * the start of its next block (offset 0) with the parameter's smoothing. Wait-free (a store and two fetch_or),
 * coalescing (many writes between two blocks apply the last one), never lost. A finite value outside the range is
 * clamped (a knob overshooting is not an error); a value equal to the current target starts no ramp. */
/* Returns 0, MIXX_ENULL, MIXX_ENOTINIT, MIXX_ENOPARAM, MIXX_ENAN (NaN or infinite: nothing changed),
 * MIXX_EAUDIOTHREAD (called from inside the engine's cycle: nothing changed). Any thread except the audio thread. */
MIXX_API int mixx_param_set(mixx_engine *e, uint32_t id, double value);
/* The same by name (a lookup first). Same errors. */
MIXX_API int mixx_param_set_by_name(mixx_engine *e, const char *name, double value);
/* The last value written (the latest-value slot: what the audio thread will apply). Returns 0, MIXX_ENULL,
 * MIXX_ENOTINIT, MIXX_ENOPARAM. Any thread. */
MIXX_API int mixx_param_get(const mixx_engine *e, uint32_t id, double *value);
/* The value the audio thread has applied (the target of its latest block; the ramp towards it may still be in
 * flight). Returns 0, MIXX_ENULL, MIXX_ENOTINIT, MIXX_ENOPARAM. Any thread. */
MIXX_API int mixx_param_get_applied(const mixx_engine *e, uint32_t id, double *value);
/* Gesture begin (begin=1) / end (0) of a UI drag, for undo and automation recording; nests. The next block's event
 * list (mixx_param_block_events) carries a GESTURE_BEGIN / _END event at offset 0. Returns 0,
 * MIXX_ENULL, MIXX_ENOTINIT, MIXX_ENOPARAM, MIXX_EINVAL (end without begin). Any thread except the audio thread. */
MIXX_API int mixx_param_gesture(mixx_engine *e, uint32_t id, int begin);
/* 1 while a gesture is open on the parameter, 0 if not, or MIXX_ENULL / MIXX_ENOTINIT / MIXX_ENOPARAM. Any. */
MIXX_API int mixx_param_in_gesture(const mixx_engine *e, uint32_t id);

/* ---- timed events: sample-accurate automation from registered producer threads -----------------------------
 * Each producer owns an SPSC queue to the audio thread (MIXX_PARAM_QUEUE events). An event carries an engine
 * sample time (mixx_param_sample_time); it is applied at exactly that sample of the block that covers it (a late
 * event at offset 0 of the next block). Times must not decrease within one producer. The sample time restarts at 0
 * at every engine start, and events still queued then (they belong to the previous run's clock) are discarded. */
typedef struct mixx_param_producer mixx_param_producer;
#define MIXX_PARAM_PRODUCERS 16
#define MIXX_PARAM_QUEUE 1024

/* Registers the calling thread as a producer. Returns 0, MIXX_ENULL, MIXX_ENOTINIT, MIXX_ETOOMANY,
 * MIXX_EAUDIOTHREAD. Any thread except the audio thread; the handle is then used by that thread only. */
MIXX_API int mixx_param_producer_register(mixx_engine *e, mixx_param_producer **out);
/* Releases the handle (events already queued are still applied). NULL is a no-op. The owning thread. */
MIXX_API void mixx_param_producer_unregister(mixx_param_producer *p);
/* Queues `value` for parameter `id` at engine sample time `sample_time`. Wait-free. Returns 0, MIXX_ENULL,
 * MIXX_ENOPARAM, MIXX_ENAN, MIXX_EINVAL (time earlier than this producer's previous event), MIXX_EPRODUCER
 * (called from another thread than the one that registered `p`), MIXX_EAUDIOTHREAD, or MIXX_EQUEUEFULL: the
 * queue was full, the value was stored in the latest-value slot instead (applied at the next block, not at its
 * sample) and the overflow counted. The owning thread only. */
MIXX_API int mixx_param_push(mixx_param_producer *p, uint32_t id, double value, uint64_t sample_time);
/* Events that overflowed this producer's queue. The owning thread. */
MIXX_API uint64_t mixx_param_producer_overflows(const mixx_param_producer *p);
/* Engine sample time: frames processed since start, i.e. the time of the next block's first sample.
 * Any thread. 0 for an invalid engine. */
MIXX_API uint64_t mixx_param_sample_time(const mixx_engine *e);

/* ---- the audio thread's side (inside mixx_config.audio_cb) ---------------------------------------------------
 * Before audio_cb runs, the engine has taken every write and due event of this block (the channel strip runs after
 * audio_cb and the latency meter, so it is inside the meter's loop). For each parameter it can
 * render the block's per-sample values: the smoothed ramp, changing exactly at event offsets. For MIXX_PARAM_DB
 * parameters the rendered value is the linear gain 10^(dB/20), ramped linearly in gain; for all others the value
 * in its unit ramped linearly (a bool/stepped parameter with smoothing > 0 renders its 0..1 crossfade weight
 * between the old and the new value; with smoothing 0 it steps at the event sample). */
typedef enum mixx_param_event_type {
    MIXX_PARAM_EV_VALUE = 0,         /* a new target */
    MIXX_PARAM_EV_GESTURE_BEGIN = 1, /* a UI gesture began on the parameter since the last block (value: latest) */
    MIXX_PARAM_EV_GESTURE_END = 2    /* ... ended */
} mixx_param_event_type;

/* Size is part of the ABI. */
typedef struct mixx_param_event {
    uint32_t offset; /* frame within this block */
    uint32_t id;
    float value;     /* new target, in the parameter's unit */
    uint32_t type;   /* mixx_param_event_type */
} mixx_param_event;

/* Fills buf[0..n_frames) with this block's values of `id` (n_frames = the block's frames). Returns 0,
 * MIXX_ENULL, MIXX_ENOPARAM, MIXX_EFRAMES (n_frames is not this block's), MIXX_ENOTRUNNING (outside a
 * block). Audio thread, realtime-safe; only inside audio_cb. */
MIXX_API int mixx_param_render(mixx_engine *e, uint32_t id, float *buf, uint32_t n_frames);
/* The target in force at the end of this block, in the parameter's unit (NaN for an unknown id).
 * Audio thread, realtime-safe; only inside audio_cb. */
MIXX_API float mixx_param_value(mixx_engine *e, uint32_t id);
/* This block's changes sorted by offset (writes at offset 0 first); *events stays valid until audio_cb returns.
 * Returns the count. Audio thread, realtime-safe; only inside audio_cb. */
MIXX_API uint32_t mixx_param_block_events(mixx_engine *e, const mixx_param_event **events);

/* ---- state ---------------------------------------------------------------------------------------------------
 * {"mixx_params":1,"values":{"ch1.gain_db":-3.5,...}} with every value printed %.9g (a float round-trips
 * exactly). */
/* Writes every parameter's latest value into buf (NUL-terminated) and stores the length needed (without the NUL)
 * in *len. Returns 0, MIXX_ENULL, MIXX_ENOTINIT, MIXX_ENOMEM (cap too small: nothing useful in buf, *len says how
 * much is needed). Any thread except the audio thread. */
MIXX_API int mixx_params_save(const mixx_engine *e, char *buf, size_t cap, size_t *len);
/* Parses a saved state and sets every value in it. All or nothing: on an error nothing is changed. Values must be
 * inside their ranges (not clamped). Returns 0, MIXX_ENULL, MIXX_ENOTINIT, MIXX_EPRESET (malformed text),
 * MIXX_ENOPARAM (unknown name), MIXX_ERANGE (value outside the range), MIXX_ENAN, MIXX_EAUDIOTHREAD, MIXX_ENOMEM.
 * Any thread except the audio thread. */
MIXX_API int mixx_params_load(mixx_engine *e, const char *text, size_t len);
/* "NAME=VALUE" (the CLI's --set): strict number, in range. Returns 0, MIXX_ENULL, MIXX_EINVAL (no '=' or not a
 * number), MIXX_ENOPARAM, MIXX_ERANGE, MIXX_ENAN, MIXX_EAUDIOTHREAD. Any thread except the audio thread. */
MIXX_API int mixx_param_set_text(mixx_engine *e, const char *assignment);

/* ---- meters ----------------------------------------------------------------------------------------------------
 * The audio thread measures every input (as delivered) and every output (after audio_cb and the strip) per
 * block and pushes one record through an SPSC ring; a full ring accumulates into a pending record, so no peak is
 * lost. A reader gets everything since its previous read. Off by default (mixx_meters_enable). */
typedef struct mixx_meter {
    float peak;          /* max |x| */
    float rms;           /* sqrt(mean x^2) over `frames` */
    uint32_t clips;      /* samples with |x| >= 1.0 */
    uint64_t frames;     /* frames covered (0: nothing since the last read) */
} mixx_meter;

/* Turns metering on/off (takes effect at the next block). Returns 0, MIXX_ENULL, MIXX_ENOTINIT. Any thread. */
MIXX_API int mixx_meters_enable(mixx_engine *e, int on);
/* Everything measured since the previous read: in[0..n_in) inputs, out[0..n_out) outputs (counts are clipped
 * to the engine's channels; pass 0/NULL to skip a side). Reading consumes. Returns 0, MIXX_ENULL, MIXX_ENOTINIT.
 * Any thread except the audio thread (readers are serialised by a lock the audio thread never takes). */
MIXX_API int mixx_meters_read(mixx_engine *e, mixx_meter *in, uint32_t n_in, mixx_meter *out, uint32_t n_out);

#ifdef __cplusplus
}
#endif
#endif /* MIXXENGINE_PARAMS_H */
