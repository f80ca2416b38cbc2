/* SPDX-License-Identifier: MIT */
/* engine_internal.h: the engine object. engine.c writes it, except the monitor state (stats.c) and the
 * rtl_* fields (engine_rtl.c); those files read the rest. Never included by backends: they use backend.h. */
#ifndef MIXX_ENGINE_INTERNAL_H
#define MIXX_ENGINE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "backend.h"
#include "histogram.h"
#include "prefault.h"
#include "ring.h"
#include "rtl.h"

enum { MIXX_ST_NONE = 0, MIXX_ST_STOPPED = 1, MIXX_ST_RUNNING = 2, MIXX_ST_STOPPING = 3 };

#define MIXX_ENGINE_MAGIC 0x4d495858u /* "MIXX" */
#define MIXX_RTL_QUEUE 64
#define MIXX_MAX_CHANNELS_INTERNAL 64 /* = MIXX_MAX_CHANNELS (config.h) */
#define MIXX_HOT_BYTES 5120 /* bus 2048, two latency meters 2 x 768 (a rate change makes a new one first), strip,
                               its marks and the meters: ~4.2 KiB at 64 channels (a test checks the fit) */
#define MIXX_ENGINE_ALIGN 4096 /* the engine's allocation: its per-cycle words and hot_mem on two pages */

/* The audio thread's scheduling in one word, so a reader never sees a policy with another's priority. */
#define MIXX_SCHED_PACK(policy, priority) (((uint64_t)(uint32_t)(policy) << 32) | (uint32_t)(priority))
#define MIXX_SCHED_POLICY(w) ((int)(uint32_t)((w) >> 32))
#define MIXX_SCHED_PRIORITY(w) ((int)(uint32_t)(w))
#define MIXX_SCHED_UNKNOWN MIXX_SCHED_PACK(-1, -1)

typedef struct mixx_monitor_state {
    /* owned by the monitor thread; copied out under stats_lock */
    mixx_hist h_cb, h_iv;
    uint64_t consumed, xruns_rec, misses, late;
    double load_sum, load_max;
    /* current second */
    mixx_second sec;
    double sec_load_sum;
    uint64_t sec_first_ns;
    /* cpu */
    double cpu_proc_s0, cpu_proc_s_last;
    uint64_t sys_busy0, sys_total0, sys_busy_last, sys_total_last;
    uint64_t wall0_ns, wall_last_ns;
    double cpu_process_pct, cpu_system_pct;
} mixx_monitor_state;

struct mixx_engine {
    uint32_t magic;
    int is_default;               /* the façade's static engine: never freed */
    pthread_mutex_t ctl;          /* control calls; never taken on the audio thread */
    _Atomic int state;
    _Atomic int in_cycle;         /* hosted process() calls in flight (stop waits for 0) */

    mixx_config cfg;              /* strings below are owned copies */
    char *str_log, *str_device, *str_client, *str_cin, *str_cout, *str_server;
    char last_error[512];

    const mixx_backend_ops *ops;
    void *bstate;
    mixx_device_format fmt;
    _Atomic uint32_t rate;        /* actual, may change (JACK) */
    _Atomic uint32_t buffer;
    /* a format change while running (mixx_stats.format_*): one writer at a time, the backend's notification
     * thread (serialised by the backend) or the hosted audio thread; format_seq is odd while one is written,
     * and twice the count of changes otherwise (mixx__engine_format_publish, stats_fill reads a whole set) */
    _Atomic uint64_t format_seq;
    _Atomic uint64_t format_prev; /* MIXX_FORMAT_PACK(rate, buffer) before the last change */
    _Atomic uint64_t format_at_cb;

    /* what every cycle touches, in two lines of their own (a cycle after a cache flush misses on two lines of
     * engine state, not six: docs/performance.md, issue 13). First the words it reads and other threads read
     * often but write rarely (bus: every parameter call; rtl: the monitor every tick; rtl_active/rtl_channel:
     * meter start/stop; the period words: the audio thread, on a format change only) ... */
    _Alignas(MIXX_CACHE_LINE) struct mixx_bus *bus; /* parameters, meters, channel strip (params.c) */
    mixx_rtl *rtl;
    _Atomic int rtl_active;
    _Atomic uint32_t rtl_channel;
    int instrument;
    uint32_t period_frames, period_rate; /* the (frames, rate) period_ns was computed for */
    uint64_t period_ns;                  /* so a steady stream divides nothing per cycle */
    /* ... then what the audio thread writes every cycle (the monitor reads the counters once per tick; the
     * monitor reads `rate` above for every record it drains, and a shared line made these writes miss) */
    _Alignas(MIXX_CACHE_LINE) _Atomic uint64_t callbacks;
    _Atomic uint64_t written, dropped;
    _Atomic uint64_t xruns_backend;
    _Atomic uint32_t pending_xruns; /* reported between cycles (mixx_engine_report_xruns, any thread) */
    uint32_t prev_frames;
    uint64_t prev_start_ns;
    uint64_t prev_period_ns;
    _Atomic int device_lost;
    _Atomic int pinned; /* mixx__engine_pin: destroy must not free (an abandoned audio thread may be inside) */
    _Atomic uint64_t xrun_kinds[MIXX_XRUN_KINDS]; /* mixx__engine_count_xrun_kind */
    mixx_ring ring;
    uint64_t start_ns, stop_ns; /* stop_ns: 0 while running */
    uint64_t audio_start_ns;    /* just before the device started: elapsed time counts from here */
    /* hosted: copies of inputs that another channel's output overwrites before they are read (process()) */
    float *alias_scratch;
    uint32_t alias_channels;
    const float *alias_in[MIXX_MAX_CHANNELS_INTERNAL]; /* the inputs process() passes on, some redirected */
    /* the hot block (prefault.h): the bus's, meters', strip's and latency meter's per-cycle state, carved from
     * here so that a cycle's control state is these pages, right after the engine's own words above (the
     * engine is page-aligned: mixx_engine_create, and the façade's static engine) */
    _Alignas(MIXX_CACHE_LINE) unsigned char hot_mem[MIXX_HOT_BYTES];

    /* latency meter: rtl, rtl_active, rtl_channel above */
    /* the rest: other threads only; the lock on a line of its own, away from the three words the audio thread
     * reads above (the monitor takes it every tick) */
    _Alignas(MIXX_CACHE_LINE) pthread_mutex_t rtl_lock;
    pthread_cond_t rtl_cond;
    mixx_rtl_result rtl_queue[MIXX_RTL_QUEUE];
    unsigned rtl_q_head, rtl_q_count;
    uint64_t rtl_q_overflow;
    mixx_rtl_summary rtl_sum;
    mixx_rtl_result rtl_last;
    int rtl_started;

    /* monitor thread */
    pthread_t monitor;
    int monitor_running;
    _Atomic int monitor_quit;
    pthread_mutex_t stats_lock;
    mixx_monitor_state mon;
    FILE *log;
    int log_errno; /* first failed write to the log (monitor thread; read after it is joined) */
    int log_created; /* this engine created cfg.log_path at an earlier start: a restart may truncate it */
    /* published for mixx_engine_get_stats: written under ctl AND stats_lock, read under either */
    int memory_locked;
    double expected_rtl_frames; /* open()'s claim, then mixx__engine_format_changed's */
    _Atomic uint64_t audio_sched; /* MIXX_SCHED_PACK(policy, priority), from mixx__engine_audio_thread */
    mixx_hot hot; /* over hot_mem; emptied by mixx__engine_setup */
};

#define MIXX_FORMAT_PACK(rate, buffer) (((uint64_t)(rate) << 32) | (uint32_t)(buffer))
#define MIXX_FORMAT_RATE(packed) ((uint32_t)((packed) >> 32))
#define MIXX_FORMAT_BUFFER(packed) ((uint32_t)(packed))

/* engine.c: the format becomes (rate, buffer) (0 = unchanged) while running: counted in format_changes, the
 * old one kept, e->rate / e->buffer set, all inside one format_seq window. The single format writer only (see
 * format_seq); realtime-safe (atomic loads and stores). */
void mixx__engine_format_publish(struct mixx_engine *e, uint32_t rate, uint32_t buffer);

/* The one validity check of the public calls: 0, MIXX_ENULL (NULL) or MIXX_ENOTINIT (not an engine: never
 * created, destroyed, or the façade's engine after shutdown). Any thread. */
static inline int mixx__engine_check(const struct mixx_engine *e)
{
    if (!e)
        return MIXX_ENULL;
    if (e->magic != MIXX_ENGINE_MAGIC || atomic_load_explicit(&e->state, memory_order_relaxed) == MIXX_ST_NONE)
        return MIXX_ENOTINIT; /* relaxed: callers that act on the state load it again as they need */
    return 0;
}

/* The engine whose callback (audio_cb on the audio thread, records_cb/second_cb on the monitor) this thread is
 * running now, NULL outside callbacks: control calls that would wait for that very thread refuse with
 * MIXX_ECALLBACK instead of deadlocking or freeing the engine under it. */
extern _Thread_local const struct mixx_engine *mixx__tls_callback_engine;
static inline int mixx__in_own_callback(const struct mixx_engine *e)
{
    return mixx__tls_callback_engine == e;
}

/* mixx__engine_check, and MIXX_ECALLBACK from inside the engine's own callback: for the control calls that
 * take the control lock or wait for the audio or monitor thread. */
static inline int mixx__engine_check_control(const struct mixx_engine *e)
{
    int rc = mixx__engine_check(e);
    return rc ? rc : mixx__in_own_callback(e) ? MIXX_ECALLBACK : 0;
}

/* engine.c: fills an engine that is zeroed apart from its locks (create, and the façade's default engine).
 * Control thread, under e->ctl. */
int mixx__engine_setup(struct mixx_engine *e, const mixx_config *caller);

/* facade.c: the façade's own last-error text when `e` is NULL (what mixx_engine_default() returns before init)
 * or the default engine after shutdown; NULL for any other handle. Any thread (a string literal, atomically). */
const char *mixx__facade_error(const struct mixx_engine *e);

/* stats.c */
int mixx__monitor_start(struct mixx_engine *e);
void mixx__monitor_stop(struct mixx_engine *e); /* drains everything, writes the final summary */
void mixx__monitor_reset(struct mixx_engine *e);

#endif
