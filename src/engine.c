/* SPDX-License-Identifier: MIT */
/* engine.c: an engine's lifecycle and state machine (create, start, stop, destroy, set_format), the cycle
 * every backend calls with its instrumentation record. Hosted-mode process(): engine_hosted.c; the façade
 * (mixx_engine_init ...): facade.c; configuration: config.c; backends: backend*.c; monitor: stats.c; meter
 * glue: engine_rtl.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "engine_rtl.h"
#include "params_internal.h"
#include "sync.h"
#include "mixxengine/dsp.h"
#include "rt_text.h"

#define RT_ENTER() MIXX_RT_ENTER() /* rtsan configuration only, see backend.h */
#define RT_EXIT() MIXX_RT_EXIT()

/* ---- engine object --------------------------------------------------------------------------------- */

_Thread_local const struct mixx_engine *mixx__tls_callback_engine;

static int engine_valid(const mixx_engine *e)
{
    return mixx__engine_check(e) == 0;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void free_strings(mixx_engine *e)
{
    free(e->str_log);
    free(e->str_device);
    free(e->str_client);
    free(e->str_server);
    free(e->str_cin);
    free(e->str_cout);
    e->str_log = e->str_device = e->str_client = e->str_cin = e->str_cout = e->str_server = NULL;
}

/* Fills an engine that is zeroed apart from its locks. */
int mixx__engine_setup(mixx_engine *e, const mixx_config *caller)
{
    mixx_config full;
    int rc = mixx__config_load(&full, caller);
    if (rc)
        return rc;
    const mixx_config *cfg = &full;
    if (!mixx__backend_ops(cfg->backend))
        return MIXX_EBACKEND;
    e->cfg = *cfg;
    e->str_log = dup_or_null(cfg->log_path);
    e->str_device = dup_or_null(cfg->device);
    e->str_client = dup_or_null(cfg->jack.client_name ? cfg->jack.client_name : "mixxengine");
    e->str_cin = dup_or_null(cfg->jack.connect_in);
    e->str_cout = dup_or_null(cfg->jack.connect_out);
    e->str_server = dup_or_null(cfg->jack_server_name);
    if ((cfg->jack_server_name && !e->str_server) || (cfg->log_path && !e->str_log) || (cfg->device && !e->str_device) || !e->str_client ||
        (cfg->jack.connect_in && !e->str_cin) || (cfg->jack.connect_out && !e->str_cout)) {
        free_strings(e);
        return MIXX_ENOMEM;
    }
    e->cfg.log_path = e->str_log;
    e->cfg.device = e->str_device;
    e->cfg.jack.client_name = e->str_client;
    e->cfg.jack.connect_in = e->str_cin;
    e->cfg.jack.connect_out = e->str_cout;
    e->cfg.jack_server_name = e->str_server;
    e->ops = mixx__backend_ops(cfg->backend);
    rc = mixx_ring_init(&e->ring, cfg->ring_capacity);
    if (rc) {
        free_strings(e);
        return rc;
    }
    mixx__hot_init(&e->hot, e->hot_mem, sizeof e->hot_mem);
    rc = mixx__engine_rtl_create(e, cfg->sample_rate);
    if (rc) {
        mixx_ring_free(&e->ring);
        free_strings(e);
        return rc;
    }
    rc = mixx__bus_create(&e->bus, cfg->outputs, cfg->inputs, cfg->max_buffer_size, cfg->sample_rate, &e->hot);
    if (rc) {
        mixx__engine_rtl_destroy(e);
        mixx_ring_free(&e->ring);
        free_strings(e);
        return rc;
    }
    if (cfg->backend == MIXX_BACKEND_HOSTED) {
        e->alias_channels = cfg->inputs > cfg->outputs ? cfg->inputs : cfg->outputs;
        size_t n = (size_t)e->alias_channels * cfg->max_buffer_size;
        e->alias_scratch = malloc(n * sizeof(float));
        if (!e->alias_scratch) {
            mixx__bus_destroy(e->bus);
            e->bus = NULL;
            mixx__engine_rtl_destroy(e);
            mixx_ring_free(&e->ring);
            free_strings(e);
            return MIXX_ENOMEM;
        }
        volatile float *p = e->alias_scratch; /* pre-fault: the audio thread must not touch it first */
        for (size_t i = 0; i < n; i += 256)
            p[i] = 0.0f;
    }
    atomic_store(&e->rate, cfg->sample_rate);
    atomic_store(&e->buffer, cfg->buffer_size);
    e->fmt.sample_rate = cfg->sample_rate;
    e->fmt.buffer_size = cfg->buffer_size;
    e->fmt.inputs = cfg->inputs;
    e->fmt.outputs = cfg->outputs;
    e->fmt.expected_rtl_frames = NAN;
    e->expected_rtl_frames = NAN;
    atomic_store(&e->audio_sched, MIXX_SCHED_UNKNOWN);
    mixx__engine_clear_error(e);
    e->magic = MIXX_ENGINE_MAGIC;
    atomic_store(&e->state, MIXX_ST_STOPPED);
    return 0;
}

static void engine_teardown(mixx_engine *e)
{
    mixx__engine_rtl_destroy(e);
    mixx__bus_destroy(e->bus);
    e->bus = NULL;
    mixx_ring_free(&e->ring);
    free(e->alias_scratch);
    e->alias_scratch = NULL;
    e->alias_channels = 0;
    free_strings(e);
}

static void engine_init_locks(mixx_engine *e)
{
    pthread_mutex_init(&e->stats_lock, NULL);
    pthread_mutex_init(&e->rtl_lock, NULL);
    mixx__cond_init_monotonic(&e->rtl_cond);
}

int mixx_engine_create(const mixx_config *cfg, mixx_engine **out)
{
    if (!cfg || !out)
        return MIXX_ENULL;
    *out = NULL;
    /* page-aligned: the audio thread's words and the hot block then lie on two pages (engine_internal.h); that
     * also honours the cache-line alignment of the counters and ring indices */
    _Static_assert(MIXX_ENGINE_ALIGN % _Alignof(mixx_engine) == 0, "engine alignment");
    size_t size = (sizeof(mixx_engine) + MIXX_ENGINE_ALIGN - 1) / MIXX_ENGINE_ALIGN * MIXX_ENGINE_ALIGN;
    mixx_engine *e = aligned_alloc(MIXX_ENGINE_ALIGN, size);
    if (!e)
        return MIXX_ENOMEM;
    memset(e, 0, size);
    pthread_mutex_init(&e->ctl, NULL);
    engine_init_locks(e);
    int rc = mixx__engine_setup(e, cfg);
    if (rc) {
        pthread_mutex_destroy(&e->ctl);
        free(e);
        return rc;
    }
    *out = e;
    return 0;
}

static int stop_locked(mixx_engine *e);

void mixx_engine_destroy(mixx_engine *e)
{
    if (!engine_valid(e) || mixx__in_own_callback(e)) /* from its own callback: refused, nothing happens */
        return;
    pthread_mutex_lock(&e->ctl);
    if (atomic_load(&e->state) == MIXX_ST_RUNNING)
        stop_locked(e);
    atomic_store(&e->state, MIXX_ST_NONE);
    if (atomic_load(&e->pinned)) {
        /* an abandoned audio thread may still be inside a cycle (mixx__engine_pin): leak the engine and all it
         * owns rather than free them under it; it is invalid for every call from here on */
        e->magic = 0;
        pthread_mutex_unlock(&e->ctl);
        return;
    }
    engine_teardown(e);
    e->magic = 0;
    int is_default = e->is_default;
    pthread_mutex_unlock(&e->ctl);
    if (!is_default) {
        pthread_mutex_destroy(&e->ctl);
        pthread_mutex_destroy(&e->stats_lock);
        pthread_mutex_destroy(&e->rtl_lock);
        pthread_cond_destroy(&e->rtl_cond);
        free(e);
    }
}

const mixx_config *mixx__engine_config(const mixx_engine *e)
{
    return &e->cfg;
}

int mixx_engine_get_config(const mixx_engine *e, mixx_config *out, size_t size)
{
    if (!e || !out)
        return MIXX_ENULL;
    if (mixx__struct_size_ok(size))
        return MIXX_ESTRUCT;
    if (!engine_valid(e))
        return MIXX_ENOTINIT;
    mixx_config c;
    pthread_mutex_lock((pthread_mutex_t *)&e->stats_lock); /* set_format may write cfg concurrently */
    c = e->cfg;
    pthread_mutex_unlock((pthread_mutex_t *)&e->stats_lock);
    c.sample_rate = atomic_load(&e->rate);
    c.buffer_size = atomic_load(&e->buffer);
    return mixx__struct_out(out, size, &c, sizeof c);
}

/* ---- start / stop ---------------------------------------------------------------------------------- */

static void reset_counters(mixx_engine *e)
{
    atomic_store(&e->callbacks, 0);
    atomic_store(&e->written, 0);
    atomic_store(&e->dropped, 0);
    atomic_store(&e->xruns_backend, 0);
    atomic_store(&e->pending_xruns, 0);
    atomic_store(&e->device_lost, 0);
    for (unsigned k = 0; k < MIXX_XRUN_KINDS; k++)
        atomic_store(&e->xrun_kinds[k], 0);
    atomic_store(&e->format_seq, 0); /* no format writer runs while stopped */
    atomic_store(&e->format_prev, 0);
    atomic_store(&e->format_at_cb, 0);
    e->prev_start_ns = 0;
    e->prev_frames = 0;
    e->period_frames = e->period_rate = 0;
    e->period_ns = e->prev_period_ns = 0;
    e->instrument = e->cfg.instrument;
    /* an empty ring: the monitor is not running, so both indices are ours */
    mixx_spsc_reset(&e->ring.idx, 0);
}

static int start_locked(mixx_engine *e)
{
    int state = atomic_load(&e->state);
    if (state == MIXX_ST_RUNNING)
        return MIXX_ERUNNING;
    if (state != MIXX_ST_STOPPED)
        return MIXX_ENOTINIT;
    mixx__engine_clear_error(e);
    reset_counters(e);
    int locked = 0;
    if (e->cfg.lock_memory) {
        if (mlockall(MCL_CURRENT | MCL_FUTURE) == 0) /* refused: stats.memory_locked = 0 and last_error say */
            locked = 1;
        else
            mixx__engine_set_error(e, "warning: mlockall failed (%s); running unlocked", strerror(errno));
    }
    atomic_store(&e->audio_sched, MIXX_SCHED_UNKNOWN);
    int rc = e->ops->open(e, &e->fmt, &e->bstate);
    if (rc)
        return rc;
    if (e->cfg.strict && (e->fmt.sample_rate != e->cfg.sample_rate || e->fmt.buffer_size != e->cfg.buffer_size)) {
        mixx__engine_set_error(e, "device runs %u Hz / %u frames, %u Hz / %u frames requested (strict)",
                               e->fmt.sample_rate, e->fmt.buffer_size, e->cfg.sample_rate, e->cfg.buffer_size);
        e->ops->close(e->bstate);
        e->bstate = NULL;
        return MIXX_EMISMATCH;
    }
    if (e->fmt.buffer_size > e->cfg.max_buffer_size) {
        mixx__engine_set_error(e, "device buffer %u exceeds max_buffer_size %u", e->fmt.buffer_size,
                               e->cfg.max_buffer_size);
        e->ops->close(e->bstate);
        e->bstate = NULL;
        return MIXX_EFRAMES;
    }
    atomic_store(&e->rate, e->fmt.sample_rate);
    atomic_store(&e->buffer, e->fmt.buffer_size);
    pthread_mutex_lock(&e->stats_lock); /* get_stats reads these from other control threads */
    e->memory_locked = locked;
    e->expected_rtl_frames = e->fmt.expected_rtl_frames;
    e->start_ns = mixx__now_ns();
    e->stop_ns = 0;
    pthread_mutex_unlock(&e->stats_lock);
    mixx__bus_start(e->bus, e->fmt.sample_rate);
    mixx__monitor_reset(e);
    rc = mixx__monitor_start(e);
    if (rc) {
        e->ops->close(e->bstate);
        e->bstate = NULL;
        return rc;
    }
    /* creating the monitor thread can be slow (sanitizers, a loaded machine): that is not audio time */
    pthread_mutex_lock(&e->stats_lock);
    e->audio_start_ns = mixx__now_ns();
    pthread_mutex_unlock(&e->stats_lock);
    atomic_store(&e->state, MIXX_ST_RUNNING);
    rc = e->ops->start(e->bstate);
    if (rc) {
        atomic_store(&e->state, MIXX_ST_STOPPED);
        e->ops->close(e->bstate);
        e->bstate = NULL;
        mixx__monitor_stop(e);
        return rc;
    }
    return 0;
}

static int stop_locked(mixx_engine *e)
{
    int state = atomic_load(&e->state);
    if (state == MIXX_ST_NONE)
        return MIXX_ENOTINIT;
    if (state != MIXX_ST_RUNNING)
        return MIXX_ENOTRUNNING;
    atomic_store(&e->state, MIXX_ST_STOPPING);
    /* the run ends when stop is asked for: closing a device can take a while and is not audio time */
    pthread_mutex_lock(&e->stats_lock);
    e->stop_ns = mixx__now_ns();
    pthread_mutex_unlock(&e->stats_lock);
    e->ops->stop(e->bstate);
    e->ops->close(e->bstate);
    e->bstate = NULL;
    /* hosted: wait until no process() call is inside the engine */
    while (atomic_load(&e->in_cycle) != 0) {
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
    mixx__engine_rtl_halt(e);
    mixx__monitor_stop(e);
    if (e->memory_locked)
        munlockall();
    atomic_store(&e->state, MIXX_ST_STOPPED);
    if (e->log_errno) { /* stopped all the same; the log has a hole and must not pass for complete */
        mixx__engine_set_error(e, "writing the log '%s' failed: %s", e->cfg.log_path, strerror(e->log_errno));
        return MIXX_EIO;
    }
    return 0;
}

int mixx_engine_start_stream(mixx_engine *e)
{
    int vrc = mixx__engine_check_control(e);
    if (vrc)
        return vrc;
    pthread_mutex_lock(&e->ctl);
    int rc = start_locked(e);
    pthread_mutex_unlock(&e->ctl);
    return rc;
}

int mixx_engine_stop_stream(mixx_engine *e)
{
    int vrc = mixx__engine_check_control(e);
    if (vrc)
        return vrc;
    pthread_mutex_lock(&e->ctl);
    int rc = stop_locked(e);
    pthread_mutex_unlock(&e->ctl);
    return rc;
}

/* The deprecated 0.1 names, kept so the ABI keeps its symbols. */
int mixx_engine_start_handle(mixx_engine *e)
{
    return mixx_engine_start_stream(e);
}

int mixx_engine_stop_handle(mixx_engine *e)
{
    return mixx_engine_stop_stream(e);
}

int mixx_engine_set_format(mixx_engine *e, uint32_t sample_rate, uint32_t buffer_size)
{
    int vrc = mixx__engine_check_control(e);
    if (vrc)
        return vrc;
    if (sample_rate == 0 || sample_rate > MIXX_MAX_RATE)
        return MIXX_ERATE;
    if (buffer_size == 0 || buffer_size > MIXX_MAX_BUFFER)
        return MIXX_EBUFSIZE;
    pthread_mutex_lock(&e->ctl);
    int rc = 0;
    int state = atomic_load(&e->state);
    if (state == MIXX_ST_NONE)
        rc = MIXX_ENOTINIT;
    else if (e->cfg.backend != MIXX_BACKEND_HOSTED)
        rc = MIXX_EHOSTED;
    else if (state == MIXX_ST_RUNNING)
        rc = MIXX_ERUNNING;
    else if (buffer_size > e->cfg.max_buffer_size)
        rc = MIXX_EFRAMES;
    if (rc == 0 && sample_rate != e->cfg.sample_rate) {
        rc = mixx__engine_rtl_set_rate(e, sample_rate);
    }
    if (rc == 0) {
        pthread_mutex_lock(&e->stats_lock); /* get_config copies cfg under it */
        e->cfg.sample_rate = sample_rate;
        e->cfg.buffer_size = buffer_size;
        pthread_mutex_unlock(&e->stats_lock);
        atomic_store(&e->rate, sample_rate);
        atomic_store(&e->buffer, buffer_size);
    }
    pthread_mutex_unlock(&e->ctl);
    return rc;
}

int mixx_engine_set_buffer_size(mixx_engine *e, uint32_t buffer_size)
{
    int vrc = mixx__engine_check_control(e);
    if (vrc)
        return vrc;
    if (buffer_size == 0 || buffer_size > MIXX_MAX_BUFFER)
        return MIXX_EBUFSIZE;
    pthread_mutex_lock(&e->ctl);
    int rc;
    if (atomic_load(&e->state) != MIXX_ST_RUNNING)
        rc = MIXX_ENOTRUNNING;
    else if (buffer_size > e->cfg.max_buffer_size)
        rc = MIXX_EFRAMES;
    else if (!e->ops->set_buffer_size)
        rc = MIXX_EUNSUPPORTED;
    else
        rc = e->ops->set_buffer_size(e->bstate, buffer_size);
    pthread_mutex_unlock(&e->ctl);
    return rc;
}

/* ---- backend notifications ------------------------------------------------------------------------- */

void mixx__engine_add_xruns(mixx_engine *e, uint32_t count)
{
    atomic_fetch_add_explicit(&e->pending_xruns, count, memory_order_relaxed);
}

void mixx__engine_count_xrun_kind(mixx_engine *e, unsigned kind)
{
    if (kind < MIXX_XRUN_KINDS) /* single writer: a plain increment, published to readers by the store */
        atomic_store_explicit(&e->xrun_kinds[kind],
                              atomic_load_explicit(&e->xrun_kinds[kind], memory_order_relaxed) + 1,
                              memory_order_relaxed);
}

void mixx__engine_pin(mixx_engine *e)
{
    atomic_store(&e->pinned, 1);
}

void mixx__engine_device_lost(mixx_engine *e)
{
    atomic_store_explicit(&e->device_lost, 1, memory_order_release);
}

void mixx__engine_format_publish(mixx_engine *e, uint32_t rate, uint32_t buffer)
{
    uint32_t old_rate = atomic_load_explicit(&e->rate, memory_order_relaxed);
    uint32_t old_buffer = atomic_load_explicit(&e->buffer, memory_order_relaxed);
    uint64_t seq = atomic_load_explicit(&e->format_seq, memory_order_relaxed);
    /* no standalone fence (GCC's TSan refuses them): each data store is a release, so a reader that sees it
     * (an acquire load) also sees the odd count before it, and retries */
    atomic_store_explicit(&e->format_seq, seq + 1, memory_order_relaxed); /* odd: a reader retries */
    atomic_store_explicit(&e->format_prev, MIXX_FORMAT_PACK(old_rate, old_buffer), memory_order_release);
    atomic_store_explicit(&e->format_at_cb, atomic_load_explicit(&e->callbacks, memory_order_relaxed),
                          memory_order_release);
    if (rate)
        atomic_store_explicit(&e->rate, rate, memory_order_release);
    if (buffer)
        atomic_store_explicit(&e->buffer, buffer, memory_order_release);
    atomic_store_explicit(&e->format_seq, seq + 2, memory_order_release);
}

void mixx__engine_format_changed(mixx_engine *e, uint32_t sample_rate, uint32_t buffer_size)
{
    /* JACK also calls its buffer-size callback on activation with the size open() reported: no change. Before
     * the run (open .. start) and while stopping, the format is only taken. */
    int changed = (sample_rate && sample_rate != atomic_load(&e->rate)) ||
                  (buffer_size && buffer_size != atomic_load(&e->buffer));
    if (changed && atomic_load(&e->state) == MIXX_ST_RUNNING) {
        mixx__engine_format_publish(e, sample_rate, buffer_size);
    } else {
        if (sample_rate)
            atomic_store(&e->rate, sample_rate);
        if (buffer_size)
            atomic_store(&e->buffer, buffer_size);
    }
    if (e->ops->latency && e->bstate) {
        double l;
        if (e->ops->latency(e->bstate, &l) == 0) {
            pthread_mutex_lock(&e->stats_lock);
            e->expected_rtl_frames = l;
            pthread_mutex_unlock(&e->stats_lock);
            mixx_rtl_set_expected(e->rtl, l); /* a running measurement compares against the new claim */
        }
    }
}

void mixx__engine_audio_thread(mixx_engine *e, int sched_policy, int sched_priority)
{
    atomic_store_explicit(&e->audio_sched, MIXX_SCHED_PACK(sched_policy, sched_priority), memory_order_relaxed);
}

int mixx_engine_report_xruns(mixx_engine *e, uint32_t count)
{
    if (!e)
        return MIXX_ENULL;
    if (!engine_valid(e))
        return MIXX_ENOTINIT;
    mixx__engine_add_xruns(e, count);
    return 0;
}

/* ---- the hot path -------------------------------------------------------------------------------- */


/* The processing step: pass-through. Later DSP goes here. memmove because in[c] may equal out[c]. */
static inline void process_block(const float *const *in, uint32_t n_in, float *const *out, uint32_t n_out,
                                 uint32_t n_frames)
{
    uint32_t n = n_in < n_out ? n_in : n_out;
    for (uint32_t c = 0; c < n; c++)
        if (out[c] != in[c])
            memcpy(out[c], in[c], (size_t)n_frames * sizeof(float));
    for (uint32_t c = n; c < n_out; c++)
        memset(out[c], 0, (size_t)n_frames * sizeof(float));
}

MIXX_RT_TEXT
int mixx__engine_cycle(mixx_engine *e, const float *const *in, uint32_t n_in, float *const *out, uint32_t n_out,
                       uint32_t n_frames, uint64_t deadline_ns, uint32_t xruns)
{
    RT_ENTER();
    const int instrument = e->instrument;
    uint64_t t0 = instrument ? mixx__now_ns() : 0;

    process_block(in, n_in, out, n_out, n_frames);
    mixx__bus_cycle_begin(e->bus, in, n_in, n_frames); /* parameter events, input meters */
    if (e->cfg.audio_cb) {
        mixx__tls_callback_engine = e;
        e->cfg.audio_cb(in, n_in, out, n_out, n_frames, e->cfg.user);
        mixx__tls_callback_engine = NULL;
    }
    mixx__engine_rtl_cycle(e, in, n_in, out, n_out, n_frames);
    /* the channel strip is in the latency meter's loop: at its defaults it adds exactly nothing */
    mixx__bus_cycle_end(e->bus, out, n_out, n_frames); /* strip, output meters, sample time */

    uint64_t cb = atomic_load_explicit(&e->callbacks, memory_order_relaxed);
    atomic_store_explicit(&e->callbacks, cb + 1, memory_order_release);
    /* locked exchange only when there is something to take: a plain load is ~7 ns cheaper per cycle
     * (docs/performance.md); a report landing after the load is taken next cycle */
    if (atomic_load_explicit(&e->pending_xruns, memory_order_relaxed))
        xruns += atomic_exchange_explicit(&e->pending_xruns, 0, memory_order_relaxed);
    if (xruns)
        atomic_store_explicit(&e->xruns_backend,
                              atomic_load_explicit(&e->xruns_backend, memory_order_relaxed) + xruns,
                              memory_order_relaxed);
    int late = 0;
    if (instrument) {
        uint64_t t1 = mixx__now_ns();
        uint32_t rate = atomic_load_explicit(&e->rate, memory_order_relaxed);
        if (n_frames != e->period_frames || rate != e->period_rate) { /* the only divisions: on a change */
            e->period_frames = n_frames;
            e->period_rate = rate;
            e->period_ns = rate ? (uint64_t)n_frames * 1000000000ull / rate : UINT64_MAX;
        }
        const uint64_t period_ns = e->period_ns;
        mixx_record rec;
        rec.seq = cb;
        rec.start_ns = t0;
        rec.duration_ns = (uint32_t)((t1 - t0) > UINT32_MAX ? UINT32_MAX : (t1 - t0));
        uint64_t iv = e->prev_start_ns ? t0 - e->prev_start_ns : 0;
        rec.interval_ns = (uint32_t)(iv > UINT32_MAX ? UINT32_MAX : iv);
        rec.frames = n_frames;
        rec.flags = 0;
        if (xruns)
            rec.flags |= MIXX_REC_XRUN;
        if (t1 - t0 > period_ns)
            rec.flags |= MIXX_REC_DEADLINE;
        if (e->prev_start_ns && e->prev_frames) {
            uint64_t prev_period = e->prev_period_ns;
            if (iv > prev_period + (prev_period >> 1))
                rec.flags |= MIXX_REC_LATE_WAKE;
            if (e->prev_frames != n_frames)
                rec.flags |= MIXX_REC_FORMAT;
        }
        e->prev_start_ns = t0;
        e->prev_frames = n_frames;
        e->prev_period_ns = period_ns;
        if (mixx_ring_push(&e->ring, &rec))
            atomic_store_explicit(&e->written, atomic_load_explicit(&e->written, memory_order_relaxed) + 1,
                                  memory_order_release);
        else
            atomic_store_explicit(&e->dropped, atomic_load_explicit(&e->dropped, memory_order_relaxed) + 1,
                                  memory_order_release);
        late = deadline_ns && t1 > deadline_ns;
    } else if (deadline_ns) {
        late = mixx__now_ns() > deadline_ns;
    }
    RT_EXIT();
    return late;
}
