/* SPDX-License-Identifier: MIT */
/* params_internal.h: the parameter bus object shared by params.c (registry, writes, producer queues),
 * params_block.c (the audio thread's block), params_state.c (state text), meters.c and strip.c, and the engine's
 * hook into its cycle.
 * The public side is include/mixxengine_params.h; docs/params.md describes the model. */
#ifndef MIXX_PARAMS_INTERNAL_H
#define MIXX_PARAMS_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "prefault.h" /* mixx__prefault: the pages are resident before the audio thread touches them */
#include "mixxengine.h"
#include "mixxengine_params.h"
#include "mixxengine/spsc.h" /* the one SPSC index implementation; MIXX_CACHE_LINE */

#define MIXX_BUS_WORDS (MIXX_PARAM_MAX / 64)
#define MIXX_BUS_EVENTS 8192 /* events taken per block; more wait for the next block */
#define MIXX_BUS_NONE UINT32_MAX

/* Smoother state of one parameter in its smoothing domain (linear gain for dB parameters), audio thread only.
 * value(pos) = from + (to - from) * pos / len, computed in double from the ramp's own origin, so the samples do
 * not depend on how the ramp is cut into blocks. */
typedef struct mixx_ramp {
    double from, to;
    uint32_t len, pos;
} mixx_ramp;

typedef struct mixx_pstate {
    mixx_ramp r;        /* at the end of the current block (after mixx__bus_begin) */
    mixx_ramp b;        /* at the start of the current block, for rendering */
    float target;       /* unit value at the end of the block */
    float b_target;
    uint32_t smooth;    /* ramp length in samples at the running rate */
    uint64_t stamp;     /* cycle in which the parameter was evented or ramping */
    uint32_t ev_head, ev_tail;
} mixx_pstate;

typedef struct mixx_bus_event {
    uint32_t offset, idx;
    float value;
    uint32_t type; /* mixx_param_event_type */
    uint32_t next; /* next value event of the same parameter in this block */
} mixx_bus_event;

typedef struct mixx_qevent {
    uint64_t time;
    uint64_t seq; /* MIXX_BUS_OVF_KEY(producer, push number) */
    uint32_t idx;
    float value;
} mixx_qevent;

/* A push that overflowed lands through the latest-value slot and leaves this key in ovf[idx]: queued events of
 * the same producer for that parameter with a key not above it are older and are dropped when drained, so the
 * final value is the newest one pushed, never an older event applied after it. */
#define MIXX_BUS_OVF_KEY(producer, n) (((uint64_t)(producer) + 1) << 48 | ((n) & 0xffffffffffffull))

struct mixx_param_producer {
    mixx_spsc idx; /* producer: the owning thread; consumer: the audio thread */
    /* producer side */
    _Alignas(MIXX_CACHE_LINE) uint64_t last_time;
    uint64_t pushes;   /* push number (owner) */
    uint32_t index;    /* slot in the bus's table */
    _Atomic unsigned long owner; /* pthread_self() of the owner, 0 = free */
    _Atomic uint64_t overflows;
    struct mixx_bus *bus;
    _Alignas(MIXX_CACHE_LINE) mixx_qevent q[MIXX_PARAM_QUEUE];
};

typedef struct mixx_meters mixx_meters;
typedef struct mixx_strip mixx_strip;

typedef struct mixx_bus {
    pthread_mutex_t def_lock; /* define / producer registration (control threads) */
    int in_hot;               /* the struct lives in the engine's hot block: destroy must not free it */
    uint32_t n_strip;         /* parameters 0..n_strip-1 belong to the strip */
    uint32_t strip_channels;
    mixx_param_info *info;
    float *minf, *maxf, *deff;
    uint32_t *ids;  /* info[i].id, packed: the hot paths touch only these */
    uint8_t *isdb;  /* info[i].flags & MIXX_PARAM_DB */
    _Atomic uint32_t *value;   /* latest-value slots, float bits */
    _Atomic uint32_t *applied; /* written by the audio thread */
    _Atomic int32_t *gesture;  /* open gestures */
    _Atomic uint64_t *ovf;     /* MIXX_BUS_OVF_KEY of the latest overflowed push per parameter, 0 = none */
    _Atomic uint32_t *g_begins, *g_ends; /* gestures begun / ended, monotonic: the audio thread turns news into events */
    uint32_t *g_seen;          /* audio thread: begins and ends already reported, two per parameter */
    _Atomic uint32_t *id_hash, *name_hash; /* index + 1, 0 = empty; append-only */
    uint32_t hash_mask;

    /* control threads -> audio thread, the three words every cycle reads, on one line (a cycle after a cache
     * flush pays a miss per distinct line: docs/performance.md, issue 13): the parameter count, published after a
     * descriptor is complete; a summary bit per 64-parameter word of value news (dirty[]) and of gesture news
     * (g_dirty[]) */
    _Alignas(MIXX_CACHE_LINE) _Atomic uint32_t count;
    _Atomic uint64_t summary;
    _Atomic uint64_t g_summary;
    _Alignas(MIXX_CACHE_LINE) _Atomic uint64_t dirty[MIXX_BUS_WORDS];
    _Alignas(MIXX_CACHE_LINE) _Atomic uint64_t g_dirty[MIXX_BUS_WORDS];

    /* audio thread */
    /* audio thread: the words of every cycle first (two lines), the ramp bitmap (read when ramp_summary says) after */
    _Alignas(MIXX_CACHE_LINE) _Atomic unsigned long audio_tid; /* pthread_self() inside a block, else 0 */
    mixx_pstate *st;
    uint64_t ramp_summary;
    mixx_bus_event *ev, *ev_tmp;
    mixx_param_event *pub;
    uint32_t n_ev;
    uint32_t n_touched;
    uint32_t *touched;
    uint64_t cycle;
    uint32_t block_frames;
    int in_block;
    uint64_t t0;
    _Atomic uint64_t sample_time;
    uint32_t rate;
    _Atomic uint32_t n_prod; /* producer slots ever used */
    mixx_param_producer *prod; /* MIXX_PARAM_PRODUCERS, aligned */
    mixx_meters *meters;
    mixx_strip *strip;
    uint64_t ramping[MIXX_BUS_WORDS];
} mixx_bus;

/* params.c: lifecycle (control thread) */
/* hot: the engine's hot block (prefault.h) for the per-cycle state of the bus, meters and strip, or NULL */
int mixx__bus_create(mixx_bus **out, uint32_t channels, uint32_t inputs, uint32_t max_frames, uint32_t rate,
                     struct mixx_hot *hot);
void mixx__bus_destroy(mixx_bus *b);
/* at engine start, with the rate the device runs: ramps snap to their targets, sample time 0. Control thread. */
void mixx__bus_start(mixx_bus *b, uint32_t rate);
/* the engine's cycle: begin after the pass-through copy (events, input meters), end after audio_cb and the
 * latency meter's stimulus (strip, output meters, sample time). Audio thread, realtime-safe (params_block.c). */
void mixx__bus_cycle_begin(mixx_bus *b, const float *const *in, uint32_t n_in, uint32_t n_frames);
void mixx__bus_cycle_end(mixx_bus *b, float *const *out, uint32_t n_out, uint32_t n_frames);
/* registry used by strip.c at creation: returns the index or a negative code */
int mixx__bus_add(mixx_bus *b, const mixx_param_info *info);
/* audio thread, inside a block: is idx untouched this block (constant)? its domain value then */
static inline int mixx__bus_static(const mixx_bus *b, uint32_t idx, double *dom)
{
    const mixx_pstate *s = &b->st[idx];
    *dom = s->r.to;
    return s->stamp != b->cycle;
}
/* audio thread, inside a block: this block's per-sample domain values */
void mixx__bus_render_idx(const mixx_bus *b, uint32_t idx, float *buf, uint32_t n);
/* the dirty-bit protocol for a value already stored in b->value[idx] (any thread but the audio thread) */
void mixx__bus_mark(mixx_bus *b, uint32_t idx);

/* meters.c */
int mixx__meters_create(mixx_meters **out, uint32_t n_in, uint32_t n_out, struct mixx_hot *hot);
void mixx__meters_destroy(mixx_meters *m);
void mixx__meters_reset(mixx_meters *m); /* control thread, engine stopped */
void mixx__meters_input(mixx_meters *m, const float *const *in, uint32_t n_in, uint32_t n);
void mixx__meters_output(mixx_meters *m, const float *const *out, uint32_t n_out, uint32_t n);
int mixx__meters_read(mixx_meters *m, mixx_meter *in, uint32_t n_in, mixx_meter *out, uint32_t n_out);
int mixx__meters_enabled(const mixx_meters *m);
void mixx__meters_enable(mixx_meters *m, int on);

/* strip.c */
int mixx__strip_create(mixx_strip **out, mixx_bus *b, uint32_t channels, uint32_t max_frames, struct mixx_hot *hot);
void mixx__strip_destroy(mixx_strip *s);
void mixx__strip_start(mixx_strip *s, uint32_t rate); /* control thread, engine stopped */
void mixx__strip_process(mixx_strip *s, float *const *out, uint32_t n_out, uint32_t n);


#endif
