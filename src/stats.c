/* SPDX-License-Identifier: MIT */
/* stats.c: the monitor thread (non-realtime consumer of the metrics ring): histograms, per-second summaries,
 * CPU sampling, the JSON Lines log, and the stats/histogram snapshots read by control threads.
 * The audio thread never touches anything here except through the SPSC ring and atomic counters. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "cpu.h"
#include "engine_rtl.h"

#define MONITOR_TICK_NS 10000000ull /* 10 ms: far below the ring's ~20 s of capacity at 64 frames */
#define MONITOR_BATCH 1024u

static void json_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.10g", v);
    else
        fputs("null", f);
}

static void cpu_sample(mixx_engine *e, uint64_t now, double *proc_pct, double *sys_pct, int since_start)
{
    mixx_monitor_state *m = &e->mon;
    double proc = mixx__cpu_process_seconds();
    uint64_t busy = 0, total = 0;
    int have_sys = mixx__cpu_system_ticks(&busy, &total) == 0;
    double p0 = since_start ? m->cpu_proc_s0 : m->cpu_proc_s_last;
    uint64_t w0 = since_start ? m->wall0_ns : m->wall_last_ns;
    uint64_t b0 = since_start ? m->sys_busy0 : m->sys_busy_last;
    uint64_t t0 = since_start ? m->sys_total0 : m->sys_total_last;
    double wall = (double)(now - w0) * 1e-9;
    *proc_pct = wall > 0 ? 100.0 * (proc - p0) / wall : 0.0;
    *sys_pct = (have_sys && total > t0) ? 100.0 * (double)(busy - b0) / (double)(total - t0) : NAN;
    if (!since_start) {
        m->cpu_proc_s_last = proc;
        m->wall_last_ns = now;
        if (have_sys) {
            m->sys_busy_last = busy;
            m->sys_total_last = total;
        }
    }
}

void mixx__monitor_reset(mixx_engine *e)
{
    mixx_monitor_state *m = &e->mon;
    pthread_mutex_lock(&e->stats_lock);
    mixx_hist_reset(&m->h_cb);
    mixx_hist_reset(&m->h_iv);
    m->consumed = m->xruns_rec = m->misses = m->late = 0;
    m->load_sum = m->load_max = 0;
    memset(&m->sec, 0, sizeof m->sec);
    m->sec.rtl_frames = NAN;
    m->sec.rtl_status = -1;
    m->sec_load_sum = 0;
    m->cpu_proc_s0 = m->cpu_proc_s_last = mixx__cpu_process_seconds();
    uint64_t busy = 0, total = 0;
    mixx__cpu_system_ticks(&busy, &total);
    m->sys_busy0 = m->sys_busy_last = busy;
    m->sys_total0 = m->sys_total_last = total;
    m->wall0_ns = m->wall_last_ns = e->start_ns;
    m->cpu_process_pct = m->cpu_system_pct = 0;
    pthread_mutex_unlock(&e->stats_lock);
}

static void write_second(FILE *f, const mixx_second *s)
{
    fprintf(f,
            "{\"type\":\"second\",\"index\":%u,\"t_s\":%.3f,\"callbacks\":%llu,\"xruns\":%llu,"
            "\"deadline_misses\":%llu,\"late_wakeups\":%llu,\"dropped_records\":%llu,\"dsp_load_mean\":",
            s->index, s->t_s, (unsigned long long)s->callbacks, (unsigned long long)s->xruns,
            (unsigned long long)s->deadline_misses, (unsigned long long)s->late_wakeups,
            (unsigned long long)s->dropped_records);
    json_num(f, s->dsp_load_mean);
    fputs(",\"dsp_load_max\":", f);
    json_num(f, s->dsp_load_max);
    fprintf(f, ",\"callback_ns_max\":%llu,\"interval_ns_max\":%llu,\"cpu_process_pct\":",
            (unsigned long long)s->callback_ns_max, (unsigned long long)s->interval_ns_max);
    json_num(f, s->cpu_process_pct);
    fputs(",\"cpu_system_pct\":", f);
    json_num(f, s->cpu_system_pct);
    fputs(",\"rtl_frames\":", f);
    json_num(f, s->rtl_frames);
    fprintf(f, ",\"rtl_status\":%d,\"rtl_slips\":%llu,\"sample_rate\":%u,\"buffer_size\":%u,\"frames\":%llu}\n",
            s->rtl_status, (unsigned long long)s->rtl_slips, s->sample_rate, s->buffer_size,
            (unsigned long long)s->frames);
    fflush(f);
}

typedef struct monitor_ctx {
    uint64_t dropped_seen;
    uint64_t rtl_seen;
} monitor_ctx;

static void emit_second(mixx_engine *e, monitor_ctx *ctx, uint64_t now)
{
    mixx_monitor_state *m = &e->mon;
    mixx_second s;
    pthread_mutex_lock(&e->stats_lock);
    s = m->sec;
    s.t_s = (double)(s.index + 1);
    s.dsp_load_mean = s.callbacks ? m->sec_load_sum / (double)s.callbacks : 0.0;
    s.sample_rate = atomic_load_explicit(&e->rate, memory_order_relaxed);
    uint64_t dropped = atomic_load_explicit(&e->dropped, memory_order_acquire);
    s.dropped_records = dropped - ctx->dropped_seen;
    ctx->dropped_seen = dropped;
    cpu_sample(e, now, &s.cpu_process_pct, &s.cpu_system_pct, 0);
    memset(&m->sec, 0, sizeof m->sec);
    m->sec.index = s.index + 1;
    m->sec_load_sum = 0;
    pthread_mutex_unlock(&e->stats_lock);
    s.rtl_frames = NAN;
    s.rtl_status = -1;
    mixx__engine_rtl_latest(e, &ctx->rtl_seen, &s.rtl_frames, &s.rtl_status, &s.rtl_slips);
    if (e->log && !e->log_errno) {
        write_second(e->log, &s);
        if (ferror(e->log)) /* e.g. disk full: the file has a hole now; stop() reports it */
            e->log_errno = errno ? errno : EIO;
    }
    if (e->cfg.second_cb) {
        mixx__tls_callback_engine = e;
        e->cfg.second_cb(&s, e->cfg.user);
        mixx__tls_callback_engine = NULL;
    }
}

/* Drains the ring; returns the number of records consumed. */
static uint32_t drain(mixx_engine *e, monitor_ctx *ctx, mixx_record *buf)
{
    uint32_t total = 0;
    for (;;) {
        uint32_t n = mixx_ring_pop(&e->ring, buf, MONITOR_BATCH);
        if (n == 0)
            break;
        total += n;
        uint64_t now = mixx__now_ns();
        for (uint32_t i = 0; i < n; i++) {
            const mixx_record *r = &buf[i];
            /* a record past the current second closes it (and any silent seconds in between) */
            uint64_t idx = r->start_ns > e->start_ns ? (r->start_ns - e->start_ns) / 1000000000ull : 0;
            while (idx > e->mon.sec.index)
                emit_second(e, ctx, now);
            pthread_mutex_lock(&e->stats_lock);
            mixx_monitor_state *m = &e->mon;
            uint32_t rate = atomic_load_explicit(&e->rate, memory_order_relaxed);
            double period_ns = (double)r->frames * 1e9 / (double)rate;
            double load = period_ns > 0 ? (double)r->duration_ns / period_ns : 0.0;
            mixx_hist_add(&m->h_cb, r->duration_ns);
            if (r->interval_ns)
                mixx_hist_add(&m->h_iv, r->interval_ns);
            m->consumed++;
            m->load_sum += load;
            if (load > m->load_max)
                m->load_max = load;
            m->sec.callbacks++;
            m->sec.buffer_size = r->frames;
            m->sec.frames += r->frames;
            m->sec_load_sum += load;
            if (load > m->sec.dsp_load_max)
                m->sec.dsp_load_max = load;
            if (r->duration_ns > m->sec.callback_ns_max)
                m->sec.callback_ns_max = r->duration_ns;
            if (r->interval_ns > m->sec.interval_ns_max)
                m->sec.interval_ns_max = r->interval_ns;
            if (r->flags & MIXX_REC_XRUN) {
                m->xruns_rec++;
                m->sec.xruns++;
            }
            if (r->flags & MIXX_REC_DEADLINE) {
                m->misses++;
                m->sec.deadline_misses++;
            }
            if (r->flags & MIXX_REC_LATE_WAKE) {
                m->late++;
                m->sec.late_wakeups++;
            }
            pthread_mutex_unlock(&e->stats_lock);
        }
        if (e->cfg.records_cb) {
            mixx__tls_callback_engine = e;
            e->cfg.records_cb(buf, n, e->cfg.user);
            mixx__tls_callback_engine = NULL;
        }
    }
    return total;
}

static void write_summary(mixx_engine *e)
{
    mixx_stats st;
    if (mixx_engine_get_stats(e, &st, sizeof st) != 0)
        return;
    FILE *f = e->log;
    fprintf(f,
            "{\"type\":\"summary\",\"backend\":\"%s\",\"sample_rate\":%u,\"buffer_size\":%u,\"elapsed_s\":%.3f,"
            "\"callbacks\":%llu,\"records_written\":%llu,\"dropped_records\":%llu,\"xruns_backend\":%llu,"
            "\"deadline_misses\":%llu,\"late_wakeups\":%llu,\"device_lost\":%s,",
            mixx_backend_name(e->cfg.backend), st.sample_rate, st.buffer_size, st.elapsed_s,
            (unsigned long long)st.callbacks, (unsigned long long)st.records_written,
            (unsigned long long)st.dropped_records, (unsigned long long)st.xruns_backend,
            (unsigned long long)st.deadline_misses, (unsigned long long)st.late_wakeups,
            st.device_lost ? "true" : "false");
    const mixx_percentiles *p[2] = {&st.callback_ns, &st.interval_ns};
    const char *names[2] = {"callback_ns", "interval_ns"};
    for (int i = 0; i < 2; i++)
        fprintf(f, "\"%s\":{\"p50\":%llu,\"p99\":%llu,\"p999\":%llu,\"max\":%llu},", names[i],
                (unsigned long long)p[i]->p50, (unsigned long long)p[i]->p99, (unsigned long long)p[i]->p999,
                (unsigned long long)p[i]->max);
    fputs("\"dsp_load\":{\"mean\":", f);
    json_num(f, st.dsp_load_mean);
    fputs(",\"max\":", f);
    json_num(f, st.dsp_load_max);
    fputs("},\"cpu\":{\"process_pct\":", f);
    json_num(f, st.cpu_process_pct);
    fputs(",\"system_pct\":", f);
    json_num(f, st.cpu_system_pct);
    fputs("}}\n", f);
    fflush(f);
}

static void *monitor_main(void *arg)
{
    mixx_engine *e = arg;
    pthread_setname_np(pthread_self(), "mixx-monitor");
    mixx_record *buf = malloc(MONITOR_BATCH * sizeof *buf);
    monitor_ctx ctx = {0, 0};
    if (!buf)
        return NULL; /* start() checked this allocation pattern; a failure here only loses the stats */
    uint64_t next = mixx__now_ns();
    while (!atomic_load_explicit(&e->monitor_quit, memory_order_acquire)) {
        next += MONITOR_TICK_NS;
        struct timespec ts = {(time_t)(next / 1000000000ull), (long)(next % 1000000000ull)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
            ;
        drain(e, &ctx, buf);
        /* a slot page comes round every ~11 s at 64 frames: read the next ones before the audio thread writes */
        mixx_ring_warm(&e->ring, 2);
        mixx__engine_rtl_monitor_tick(e);
        /* seconds with no callbacks at all (device stalled or lost) still get a line */
        uint64_t now = mixx__now_ns();
        while (now > e->start_ns && (now - e->start_ns) / 1000000000ull > (uint64_t)e->mon.sec.index + 1)
            emit_second(e, &ctx, now);
        if (now > next + 100 * MONITOR_TICK_NS)
            next = now; /* we were descheduled for a long time: don't spin to catch up */
    }
    /* the audio side has stopped: take everything that is left */
    drain(e, &ctx, buf);
    mixx__engine_rtl_monitor_tick(e);
    if (e->mon.sec.callbacks)
        emit_second(e, &ctx, mixx__now_ns());
    free(buf);
    return NULL;
}

int mixx__monitor_start(mixx_engine *e)
{
    e->log = NULL;
    e->log_errno = 0;
    if (e->cfg.log_path) {
        /* created, never reused or followed: an existing file or a planted symlink is refused, not overwritten */
        int fd = open(e->cfg.log_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno == EEXIST && e->log_created) /* our own log from the previous start */
            fd = open(e->cfg.log_path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
        e->log = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!e->log) {
            int err = errno;
            struct stat lst;
            if (fd >= 0)
                close(fd);
            else if (err == EEXIST && lstat(e->cfg.log_path, &lst) == 0 && S_ISLNK(lst.st_mode))
                err = ELOOP;
            mixx__engine_set_error(e, "cannot create log '%s': %s", e->cfg.log_path,
                                   err == EEXIST  ? "it already exists (the engine never overwrites a log)"
                                   : err == ELOOP ? "it is a symbolic link (the engine never writes through one)"
                                                  : strerror(err));
            return MIXX_EIO;
        }
        e->log_created = 1;
    }
    atomic_store(&e->monitor_quit, 0);
    int rc = pthread_create(&e->monitor, NULL, monitor_main, e);
    if (rc) {
        if (e->log)
            fclose(e->log);
        e->log = NULL;
        mixx__engine_set_error(e, "monitor thread: %s", strerror(rc));
        return MIXX_ETHREAD;
    }
    e->monitor_running = 1;
    return 0;
}

void mixx__monitor_stop(mixx_engine *e)
{
    if (!e->monitor_running)
        return;
    atomic_store_explicit(&e->monitor_quit, 1, memory_order_release);
    pthread_join(e->monitor, NULL);
    e->monitor_running = 0;
    /* final CPU averages over the whole run */
    pthread_mutex_lock(&e->stats_lock);
    cpu_sample(e, mixx__now_ns(), &e->mon.cpu_process_pct, &e->mon.cpu_system_pct, 1);
    pthread_mutex_unlock(&e->stats_lock);
    if (e->log) {
        if (!e->log_errno)
            write_summary(e);
        if (ferror(e->log) && !e->log_errno)
            e->log_errno = errno ? errno : EIO;
        if (fclose(e->log) != 0 && !e->log_errno)
            e->log_errno = errno ? errno : EIO;
        e->log = NULL;
    }
}

/* The whole snapshot, this library's size. */
/* The format now and its last change as one set: a seqlock read against mixx__engine_format_publish, whose
 * window is a few stores (a retry yields, in case the writer was preempted inside it). Not the audio thread. */
static void format_read(mixx_engine *e, mixx_stats *out)
{
    /* bounded: a writer that died inside its window (a cancelled thread) must not hang get_stats; after the
     * last try the values read are returned as they are */
    for (int tries = 0;; tries++) {
        uint64_t s1 = atomic_load_explicit(&e->format_seq, memory_order_acquire);
        /* acquire loads: the second format_seq load cannot move above them (no fence: see the writer) */
        out->sample_rate = atomic_load_explicit(&e->rate, memory_order_acquire);
        out->buffer_size = atomic_load_explicit(&e->buffer, memory_order_acquire);
        uint64_t prev = atomic_load_explicit(&e->format_prev, memory_order_acquire);
        out->format_changed_at_callback = atomic_load_explicit(&e->format_at_cb, memory_order_acquire);
        if ((!(s1 & 1) && atomic_load_explicit(&e->format_seq, memory_order_relaxed) == s1) || tries >= 10000) {
            out->format_changes = s1 / 2;
            out->format_prev_sample_rate = MIXX_FORMAT_RATE(prev);
            out->format_prev_buffer_size = MIXX_FORMAT_BUFFER(prev);
            return;
        }
        sched_yield();
    }
}

static void stats_fill(mixx_engine *e, mixx_stats *out)
{
    memset(out, 0, sizeof *out);
    int state = atomic_load(&e->state);
    out->running = state == MIXX_ST_RUNNING;
    out->device_lost = atomic_load_explicit(&e->device_lost, memory_order_acquire);
    format_read(e, out);
    /* order matters for consistency: read drops/writes before callbacks so written + dropped <= callbacks */
    out->dropped_records = atomic_load_explicit(&e->dropped, memory_order_acquire);
    out->records_written = atomic_load_explicit(&e->written, memory_order_acquire);
    out->callbacks = atomic_load_explicit(&e->callbacks, memory_order_acquire);
    out->xruns_backend = atomic_load_explicit(&e->xruns_backend, memory_order_relaxed) +
                         atomic_load_explicit(&e->pending_xruns, memory_order_relaxed);
    out->input_underflows = atomic_load_explicit(&e->xrun_kinds[MIXX_XRUN_IN_UNDERFLOW], memory_order_relaxed);
    out->input_overflows = atomic_load_explicit(&e->xrun_kinds[MIXX_XRUN_IN_OVERFLOW], memory_order_relaxed);
    out->output_underflows = atomic_load_explicit(&e->xrun_kinds[MIXX_XRUN_OUT_UNDERFLOW], memory_order_relaxed);
    out->output_overflows = atomic_load_explicit(&e->xrun_kinds[MIXX_XRUN_OUT_OVERFLOW], memory_order_relaxed);
    pthread_mutex_lock(&e->stats_lock); /* start/stop publish the fields below under it */
    uint64_t sched = atomic_load_explicit(&e->audio_sched, memory_order_relaxed);
    out->sched_policy = MIXX_SCHED_POLICY(sched);
    out->sched_priority = MIXX_SCHED_PRIORITY(sched);
    out->memory_locked = e->memory_locked;
    out->expected_rtl_frames = e->expected_rtl_frames;
    const mixx_monitor_state *m = &e->mon;
    out->records_consumed = m->consumed;
    out->deadline_misses = m->misses;
    out->late_wakeups = m->late;
    mixx_hist_percentiles(&m->h_cb, &out->callback_ns);
    mixx_hist_percentiles(&m->h_iv, &out->interval_ns);
    out->dsp_load_mean = m->consumed ? m->load_sum / (double)m->consumed : 0.0;
    out->dsp_load_max = m->load_max;
    uint64_t now = mixx__now_ns();
    if (out->running) {
        cpu_sample(e, now, &out->cpu_process_pct, &out->cpu_system_pct, 1);
        out->elapsed_s = now > e->audio_start_ns ? (double)(now - e->audio_start_ns) * 1e-9 : 0;
    } else {
        out->cpu_process_pct = m->cpu_process_pct;
        out->cpu_system_pct = m->cpu_system_pct;
        out->elapsed_s = e->stop_ns > e->audio_start_ns ? (double)(e->stop_ns - e->audio_start_ns) * 1e-9 : 0;
    }
    pthread_mutex_unlock(&e->stats_lock);
}

int mixx_engine_get_stats(mixx_engine *e, mixx_stats *out, size_t size)
{
    if (!e || !out)
        return MIXX_ENULL;
    if (mixx__struct_size_ok(size))
        return MIXX_ESTRUCT;
    int vrc = mixx__engine_check(e);
    if (vrc)
        return vrc;
    mixx_stats st;
    stats_fill(e, &st);
    return mixx__struct_out(out, size, &st, sizeof st);
}

int mixx_engine_histogram(mixx_engine *e, mixx_hist_kind kind, mixx_hist_bin *bins, size_t cap, size_t *count)
{
    if (!e || !count || (cap && !bins))
        return MIXX_ENULL;
    if (kind != MIXX_HIST_CALLBACK && kind != MIXX_HIST_INTERVAL)
        return MIXX_EINVAL;
    int vrc = mixx__engine_check(e);
    if (vrc)
        return vrc;
    pthread_mutex_lock(&e->stats_lock);
    const mixx_hist *h = kind == MIXX_HIST_CALLBACK ? &e->mon.h_cb : &e->mon.h_iv;
    size_t n = 0;
    for (size_t i = 0; i < MIXX_HIST_BUCKETS; i++) {
        if (!h->counts[i])
            continue;
        if (n < cap) {
            mixx_hist_bin *b = &bins[n];
            mixx_hist_bucket_bounds(i, &b->lo_ns, &b->hi_ns);
            b->count = h->counts[i];
        }
        n++;
    }
    pthread_mutex_unlock(&e->stats_lock);
    *count = n;
    return 0;
}
