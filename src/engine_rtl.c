/* SPDX-License-Identifier: MIT */
/* engine_rtl.c: the latency meter inside an engine: mixx_engine_rtl_start/stop/wait/summary, the monitor
 * thread's tick that queues finished measurements, the meter's life across format changes. The only file
 * that writes the engine's rtl_* fields; the meter itself (rtl*.c) knows nothing of the engine. */
#include <math.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "engine_rtl.h"

/* Monitor thread: move finished measurements into the engine's queue and summary. */
void mixx__engine_rtl_monitor_tick(struct mixx_engine *e)
{
    if (!e->rtl)
        return;
    if (atomic_load_explicit(&e->device_lost, memory_order_acquire)) { /* rtl_wait returns at once */
        pthread_mutex_lock(&e->rtl_lock);
        pthread_cond_broadcast(&e->rtl_cond);
        pthread_mutex_unlock(&e->rtl_lock);
    }
    mixx_rtl_result r;
    while (mixx_rtl_poll(e->rtl, &r)) {
        uint32_t rate = atomic_load_explicit(&e->rate, memory_order_relaxed);
        r.rtl_ms = r.status == MIXX_RTL_OK && rate ? r.rtl_frames * 1000.0 / rate : NAN;
        double start_s = (double)e->start_ns * 1e-9;
        r.t_s = r.t_s > start_s ? r.t_s - start_s : 0.0;
        pthread_mutex_lock(&e->rtl_lock);
        if (e->rtl_q_count == MIXX_RTL_QUEUE) { /* nobody is reading: drop the oldest */
            e->rtl_q_head = (e->rtl_q_head + 1) % MIXX_RTL_QUEUE;
            e->rtl_q_count--;
            e->rtl_q_overflow++;
        }
        e->rtl_queue[(e->rtl_q_head + e->rtl_q_count) % MIXX_RTL_QUEUE] = r;
        e->rtl_q_count++;
        mixx_rtl_summary *s = &e->rtl_sum;
        s->measurements++;
        if (r.status == MIXX_RTL_OK) {
            if (s->ok == 0 || r.rtl_frames < s->min_frames)
                s->min_frames = r.rtl_frames;
            if (s->ok == 0 || r.rtl_frames > s->max_frames)
                s->max_frames = r.rtl_frames;
            s->mean_frames =
                s->ok ? (s->mean_frames * (double)s->ok + r.rtl_frames) / (double)(s->ok + 1) : r.rtl_frames;
            s->ok++;
        } else if (r.status == MIXX_RTL_NO_SIGNAL) {
            s->no_signal++;
        } else {
            s->unreliable++;
        }
        if (r.slip)
            s->slips++;
        e->rtl_last = r;
        pthread_cond_broadcast(&e->rtl_cond);
        pthread_mutex_unlock(&e->rtl_lock);
    }
}

void mixx__engine_rtl_latest(struct mixx_engine *e, uint64_t *seen, double *frames, int *status, uint64_t *slips)
{
    pthread_mutex_lock(&e->rtl_lock);
    if (e->rtl_sum.measurements != *seen) { /* != : the summary restarts with each rtl_start */
        *frames = e->rtl_last.status == MIXX_RTL_OK ? e->rtl_last.rtl_frames : NAN;
        *status = (int)e->rtl_last.status;
        *seen = e->rtl_sum.measurements;
    } else {
        *frames = NAN;
        *status = -1;
    }
    *slips = e->rtl_sum.slips;
    pthread_mutex_unlock(&e->rtl_lock);
}

int mixx__engine_rtl_create(struct mixx_engine *e, uint32_t sample_rate)
{
    return mixx__rtl_create_in(&e->rtl, sample_rate, e->cfg.max_buffer_size, &e->hot);
}

void mixx__engine_rtl_destroy(struct mixx_engine *e)
{
    mixx_rtl_destroy(e->rtl);
    e->rtl = NULL;
}

int mixx__engine_rtl_set_rate(struct mixx_engine *e, uint32_t sample_rate)
{
    mixx_rtl *m = NULL;
    /* in the hot block while it has room (it has for one rate change); then on the heap, as before */
    int rc = mixx__rtl_create_in(&m, sample_rate, e->cfg.max_buffer_size, &e->hot);
    if (rc == 0) {
        mixx_rtl_destroy(e->rtl);
        e->rtl = m;
    }
    return rc;
}

void mixx__engine_rtl_halt(struct mixx_engine *e)
{
    if (atomic_load(&e->rtl_active)) {
        atomic_store(&e->rtl_active, 0);
        mixx_rtl_end(e->rtl);
    }
}

const char *mixx_rtl_status_name(int status)
{
    switch (status) {
    case MIXX_RTL_OK:
        return "ok";
    case MIXX_RTL_NO_SIGNAL:
        return "no_signal";
    case MIXX_RTL_UNRELIABLE:
        return "unreliable";
    default:
        return "unknown";
    }
}

int mixx_engine_rtl_start(mixx_engine *e, mixx_rtl_method method, uint32_t channel, int continuous)
{
    int vrc = mixx__engine_check_control(e);
    if (vrc)
        return vrc;
    if (method != MIXX_RTL_MULTITONE && method != MIXX_RTL_IMPULSE)
        return MIXX_EINVAL;
    pthread_mutex_lock(&e->ctl);
    int rc = 0;
    if (atomic_load(&e->state) != MIXX_ST_RUNNING)
        rc = MIXX_ENOTRUNNING;
    else if (channel >= e->fmt.inputs || channel >= e->fmt.outputs)
        rc = MIXX_ECHANNEL;
    else if (atomic_load(&e->rtl_active))
        rc = MIXX_EBUSY;
    if (rc == 0) {
        /* the backend may update its claim from its own thread (JACK latency callback): take the published copy */
        pthread_mutex_lock(&e->stats_lock);
        double expected = e->expected_rtl_frames;
        pthread_mutex_unlock(&e->stats_lock);
        rc = mixx_rtl_begin(e->rtl, atomic_load(&e->rate), method, continuous, expected);
    }
    if (rc == 0) {
        pthread_mutex_lock(&e->rtl_lock);
        e->rtl_q_head = e->rtl_q_count = 0;
        e->rtl_q_overflow = 0;
        memset(&e->rtl_sum, 0, sizeof e->rtl_sum);
        e->rtl_sum.mean_frames = e->rtl_sum.min_frames = e->rtl_sum.max_frames = NAN;
        e->rtl_started = 1;
        pthread_mutex_unlock(&e->rtl_lock);
        atomic_store_explicit(&e->rtl_channel, channel, memory_order_relaxed);
        atomic_store_explicit(&e->rtl_active, 1, memory_order_release);
    }
    pthread_mutex_unlock(&e->ctl);
    return rc;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int mixx_engine_rtl_stop(mixx_engine *e)
{
    int vrc = mixx__engine_check_control(e);
    if (vrc)
        return vrc;
    pthread_mutex_lock(&e->ctl);
    if (atomic_load(&e->rtl_active)) {
        atomic_store(&e->rtl_active, 0);
        /* a cycle that saw the flag set is finished once the engine's callback counter moves on (it is
         * incremented after the meter's step); a stopped, lost or idle hosted device has no cycle in flight */
        uint64_t cb0 = atomic_load(&e->callbacks);
        for (int i = 0; i < 4000; i++) {
            if (atomic_load(&e->callbacks) != cb0 || atomic_load(&e->state) != MIXX_ST_RUNNING ||
                atomic_load(&e->device_lost))
                break;
            if (e->cfg.backend == MIXX_BACKEND_HOSTED && atomic_load(&e->in_cycle) == 0)
                break;
            sleep_ms(1);
        }
        mixx_rtl_end(e->rtl);
    }
    pthread_mutex_lock(&e->rtl_lock);
    e->rtl_started = 0;
    pthread_cond_broadcast(&e->rtl_cond);
    pthread_mutex_unlock(&e->rtl_lock);
    pthread_mutex_unlock(&e->ctl);
    return 0;
}

int mixx_engine_rtl_wait(mixx_engine *e, mixx_rtl_result *out, uint32_t timeout_ms)
{
    return mixx_engine_rtl_wait_sized(e, out, offsetof(mixx_rtl_result, integration_s), timeout_ms);
}

int mixx_engine_rtl_wait_sized(mixx_engine *e, mixx_rtl_result *out, size_t size, uint32_t timeout_ms)
{
    if (!e || !out)
        return MIXX_ENULL;
    if (size < offsetof(mixx_rtl_result, integration_s))
        return MIXX_ESTRUCT;
    int vrc = mixx__engine_check(e);
    if (vrc)
        return vrc;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint64_t deadline = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec + timeout_ms * 1000000ull;
    int rc;
    pthread_mutex_lock(&e->rtl_lock);
    for (;;) {
        if (e->rtl_q_count) {
            memcpy(out, &e->rtl_queue[e->rtl_q_head], size < sizeof *out ? size : sizeof *out);
            e->rtl_q_head = (e->rtl_q_head + 1) % MIXX_RTL_QUEUE;
            e->rtl_q_count--;
            rc = 0;
            break;
        }
        if (!e->rtl_started || atomic_load(&e->state) != MIXX_ST_RUNNING) {
            rc = MIXX_ENOTRUNNING;
            break;
        }
        if (atomic_load_explicit(&e->device_lost, memory_order_acquire)) { /* no measurement will come */
            rc = MIXX_EDEVICELOST;
            break;
        }
        uint64_t t = mixx__now_ns();
        if (t >= deadline) {
            rc = MIXX_ETIMEDOUT;
            break;
        }
        /* wake at least every 100 ms to notice an engine that stopped under us */
        uint64_t until = deadline - t > 100000000ull ? t + 100000000ull : deadline;
        struct timespec ts = {(time_t)(until / 1000000000ull), (long)(until % 1000000000ull)};
        pthread_cond_timedwait(&e->rtl_cond, &e->rtl_lock, &ts);
    }
    pthread_mutex_unlock(&e->rtl_lock);
    return rc;
}

int mixx_engine_rtl_summary(mixx_engine *e, mixx_rtl_summary *out)
{
    if (!e || !out)
        return MIXX_ENULL;
    int vrc = mixx__engine_check(e);
    if (vrc)
        return vrc;
    pthread_mutex_lock(&e->rtl_lock);
    *out = e->rtl_sum;
    if (out->ok == 0)
        out->mean_frames = out->min_frames = out->max_frames = NAN;
    pthread_mutex_unlock(&e->rtl_lock);
    return 0;
}
