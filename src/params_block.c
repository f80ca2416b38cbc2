/* SPDX-License-Identifier: MIT */
/* params_block.c: the parameter bus on the audio thread: each block's setup (dirty values and queued events
 * taken, events sorted by offset, ramps advanced), per-sample rendering (mixx_param_render, _value,
 * _block_events). Descriptors, writes and producer queues: params.c; state as text: params_state.c. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "params_internal.h"
#include "params_lookup.h"
#include "rt_text.h"

/* ---- the audio thread's block ---------------------------------------------------------------------------- */

static inline double ramp_value(const mixx_ramp *r)
{
    return r->pos >= r->len ? r->to : r->from + (r->to - r->from) * ((double)r->pos / (double)r->len);
}

static inline void ramp_skip(mixx_ramp *r, uint32_t n)
{
    r->pos = (r->len - r->pos) > n ? r->pos + n : r->len;
}

/* a new target at the ramp's current position; an unchanged target starts nothing */
static inline void ramp_retarget(mixx_ramp *r, double to, uint32_t len)
{
    if (to == r->to)
        return;
    r->from = len ? ramp_value(r) : to;
    r->to = to;
    r->len = len;
    r->pos = 0;
}

MIXX_RT_TEXT
static void ramp_fill(mixx_ramp *r, float *buf, uint32_t from, uint32_t to)
{
    if (r->pos >= r->len) {
        float v = (float)r->to;
        for (uint32_t i = from; i < to; i++)
            buf[i] = v;
        return;
    }
    for (uint32_t i = from; i < to; i++) {
        buf[i] = (float)ramp_value(r);
        if (r->pos < r->len)
            r->pos++;
    }
}

MIXX_RT_TEXT
static void touch(mixx_bus *b, uint32_t idx)
{
    mixx_pstate *s = &b->st[idx];
    if (s->stamp == b->cycle)
        return;
    s->stamp = b->cycle;
    s->b = s->r;
    s->b_target = s->target;
    s->ev_head = s->ev_tail = MIXX_BUS_NONE;
    b->touched[b->n_touched++] = idx;
}

MIXX_RT_TEXT
static void push_event(mixx_bus *b, uint32_t offset, uint32_t idx, float v, uint32_t type)
{
    mixx_bus_event *ev = &b->ev[b->n_ev++];
    ev->offset = offset;
    ev->idx = idx;
    ev->value = v;
    ev->type = type;
    ev->next = MIXX_BUS_NONE;
}

/* stable bottom-up merge sort by offset (the writes at offset 0 come first and in index order already) */
MIXX_RT_TEXT
static void sort_events(mixx_bus *b, uint32_t first)
{
    uint32_t n = b->n_ev - first;
    mixx_bus_event *a = b->ev + first, *t = b->ev_tmp;
    int sorted = 1;
    for (uint32_t i = 1; i < n && sorted; i++)
        sorted = a[i - 1].offset <= a[i].offset;
    if (sorted)
        return;
    for (uint32_t w = 1; w < n; w *= 2) {
        for (uint32_t lo = 0; lo < n; lo += 2 * w) {
            uint32_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            uint32_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                t[k++] = a[j].offset < a[i].offset ? a[j++] : a[i++];
            while (i < mid)
                t[k++] = a[i++];
            while (j < hi)
                t[k++] = a[j++];
        }
        memcpy(a, t, (size_t)n * sizeof *a);
    }
}

MIXX_RT_TEXT
void mixx__bus_cycle_begin(mixx_bus *b, const float *const *in, uint32_t n_in, uint32_t n_frames)
{
    atomic_store_explicit(&b->audio_tid, (unsigned long)pthread_self(), memory_order_relaxed);
    b->cycle++;
    b->in_block = 1;
    b->block_frames = n_frames;
    b->n_ev = 0;
    b->n_touched = 0;
    const uint64_t t0 = b->t0, t_end = t0 + n_frames;
    const uint32_t count = atomic_load_explicit(&b->count, memory_order_acquire);

    /* 1. untimed writes: offset 0, in index order */
    if (atomic_load_explicit(&b->summary, memory_order_relaxed)) {
        uint64_t sum = atomic_exchange(&b->summary, 0);
        while (sum) {
            uint32_t w = (uint32_t)__builtin_ctzll(sum);
            sum &= sum - 1;
            uint64_t d = atomic_exchange(&b->dirty[w], 0);
            while (d) {
                uint32_t idx = w * 64 + (uint32_t)__builtin_ctzll(d);
                d &= d - 1;
                if (idx < count)
                    push_event(b, 0, idx, u2f(atomic_load_explicit(&b->value[idx], memory_order_relaxed)),
                               MIXX_PARAM_EV_VALUE);
            }
        }
    }
    /* 1b. gesture news since the last block: begin and/or end, offset 0, with the latest value */
    if (atomic_load_explicit(&b->g_summary, memory_order_relaxed)) {
        uint64_t sum = atomic_exchange(&b->g_summary, 0);
        while (sum) {
            uint32_t w = (uint32_t)__builtin_ctzll(sum);
            sum &= sum - 1;
            uint64_t d = atomic_exchange(&b->g_dirty[w], 0);
            while (d && b->n_ev + 2 <= MIXX_BUS_EVENTS) {
                uint32_t idx = w * 64 + (uint32_t)__builtin_ctzll(d);
                d &= d - 1;
                if (idx >= count)
                    continue;
                uint32_t gb = atomic_load_explicit(&b->g_begins[idx], memory_order_relaxed);
                uint32_t ge = atomic_load_explicit(&b->g_ends[idx], memory_order_relaxed);
                float v = u2f(atomic_load_explicit(&b->value[idx], memory_order_relaxed));
                if (gb != b->g_seen[2 * idx])
                    push_event(b, 0, idx, v, MIXX_PARAM_EV_GESTURE_BEGIN);
                if (ge != b->g_seen[2 * idx + 1])
                    push_event(b, 0, idx, v, MIXX_PARAM_EV_GESTURE_END);
                b->g_seen[2 * idx] = gb;
                b->g_seen[2 * idx + 1] = ge;
            }
        }
    }
    /* 2. timed events due in this block, from every producer queue */
    uint32_t first_timed = b->n_ev;
    const uint32_t n_prod = atomic_load_explicit(&b->n_prod, memory_order_acquire);
    for (uint32_t i = 0; i < n_prod; i++) {
        mixx_param_producer *p = &b->prod[i];
        /* want everything: a due event may sit behind those the cached view shows */
        uint32_t tail, avail = mixx_spsc_read_avail(&p->idx, MIXX_PARAM_QUEUE, &tail);
        if (avail == 0)
            continue;
        uint32_t taken = 0;
        while (taken < avail && b->n_ev < MIXX_BUS_EVENTS) {
            const mixx_qevent *q = &p->q[tail & (MIXX_PARAM_QUEUE - 1)];
            if (q->time >= t_end)
                break;
            if (q->idx < count) {
                uint64_t ovf = atomic_load_explicit(&b->ovf[q->idx], memory_order_acquire);
                /* older than a push of the same producer that overflowed into the slot: superseded */
                int stale = ovf && (ovf >> 48) == (q->seq >> 48) && q->seq <= ovf;
                if (!stale)
                    push_event(b, q->time <= t0 ? 0 : (uint32_t)(q->time - t0), q->idx, q->value,
                               MIXX_PARAM_EV_VALUE);
            }
            tail++;
            taken++;
        }
        if (taken)
            mixx_spsc_read_commit(&p->idx, taken);
    }
    if (b->n_ev > first_timed)
        sort_events(b, 0);

    /* 3. parameters that change in this block: those with events, those still ramping; 4. each advanced to the
     * end of the block. Only untimed writes (the common case): one event per parameter, all at offset 0, so
     * each is applied and advanced in the same pass. */
    uint32_t advanced = 0;
    const int only_untimed = b->n_ev == first_timed;
    for (uint32_t k = 0; k < b->n_ev; k++) {
        mixx_bus_event *ev = &b->ev[k];
        b->pub[k].offset = ev->offset;
        b->pub[k].id = b->ids[ev->idx];
        b->pub[k].value = ev->value;
        b->pub[k].type = ev->type;
        if (ev->type != MIXX_PARAM_EV_VALUE)
            continue;
        uint32_t idx = ev->idx;
        touch(b, idx);
        mixx_pstate *s = &b->st[idx];
        if (only_untimed) {
            s->ev_head = s->ev_tail = k;
            ramp_retarget(&s->r, to_domain(b, idx, ev->value), s->smooth);
            s->target = ev->value;
            ramp_skip(&s->r, n_frames);
            uint64_t bit = 1ull << (idx & 63);
            if (s->r.pos < s->r.len)
                b->ramping[idx >> 6] |= bit;
            else
                b->ramping[idx >> 6] &= ~bit;
            atomic_store_explicit(&b->applied[idx], f2u(ev->value), memory_order_release);
            continue;
        }
        if (s->ev_tail == MIXX_BUS_NONE)
            s->ev_head = k;
        else
            b->ev[s->ev_tail].next = k;
        s->ev_tail = k;
    }
    if (only_untimed)
        advanced = b->n_touched;
    if (b->ramp_summary) {
        for (uint32_t w = 0; w < MIXX_BUS_WORDS; w++)
            for (uint64_t d = b->ramping[w]; d; d &= d - 1)
                touch(b, w * 64 + (uint32_t)__builtin_ctzll(d));
    }
    for (uint32_t k = advanced; k < b->n_touched; k++) {
        uint32_t idx = b->touched[k];
        mixx_pstate *s = &b->st[idx];
        uint32_t at = 0;
        int evented = 0;
        for (uint32_t e = s->ev_head; e != MIXX_BUS_NONE; e = b->ev[e].next) {
            ramp_skip(&s->r, b->ev[e].offset - at);
            at = b->ev[e].offset;
            ramp_retarget(&s->r, to_domain(b, idx, b->ev[e].value), s->smooth);
            s->target = b->ev[e].value;
            evented = 1;
        }
        ramp_skip(&s->r, n_frames - at);
        uint32_t w = idx >> 6;
        uint64_t bit = 1ull << (idx & 63);
        if (s->r.pos < s->r.len)
            b->ramping[w] |= bit;
        else
            b->ramping[w] &= ~bit;
        if (evented)
            atomic_store_explicit(&b->applied[idx], f2u(s->target), memory_order_release);
    }
    if (b->n_touched) {
        b->ramp_summary = 0;
        for (uint32_t w = 0; w < MIXX_BUS_WORDS; w++)
            b->ramp_summary |= b->ramping[w];
    }

    if (mixx__meters_enabled(b->meters))
        mixx__meters_input(b->meters, in, n_in, n_frames);
}

MIXX_RT_TEXT
void mixx__bus_cycle_end(mixx_bus *b, float *const *out, uint32_t n_out, uint32_t n_frames)
{
    mixx__strip_process(b->strip, out, n_out, n_frames);
    if (mixx__meters_enabled(b->meters))
        mixx__meters_output(b->meters, (const float *const *)out, n_out, n_frames);
    b->t0 += n_frames;
    atomic_store_explicit(&b->sample_time, b->t0, memory_order_release);
    b->in_block = 0;
    atomic_store_explicit(&b->audio_tid, 0, memory_order_relaxed);
}

void mixx__bus_render_idx(const mixx_bus *b, uint32_t idx, float *buf, uint32_t n)
{
    const mixx_pstate *s = &b->st[idx];
    if (s->stamp != b->cycle) {
        float v = (float)s->r.to;
        for (uint32_t i = 0; i < n; i++)
            buf[i] = v;
        return;
    }
    mixx_ramp r = s->b;
    uint32_t at = 0;
    for (uint32_t e = s->ev_head; e != MIXX_BUS_NONE; e = b->ev[e].next) {
        uint32_t off = b->ev[e].offset;
        ramp_fill(&r, buf, at, off);
        at = off;
        ramp_retarget(&r, to_domain(b, idx, b->ev[e].value), s->smooth);
    }
    ramp_fill(&r, buf, at, n);
}

int mixx_param_render(mixx_engine *e, uint32_t id, float *buf, uint32_t n_frames)
{
    if (!e || !buf)
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b || !b->in_block)
        return MIXX_ENOTRUNNING;
    if (n_frames != b->block_frames)
        return MIXX_EFRAMES;
    uint32_t idx = find_id(b, id);
    if (idx == MIXX_BUS_NONE)
        return MIXX_ENOPARAM;
    mixx__bus_render_idx(b, idx, buf, n_frames);
    return 0;
}

float mixx_param_value(mixx_engine *e, uint32_t id)
{
    mixx_bus *b = bus_of(e);
    uint32_t idx = b ? find_id(b, id) : MIXX_BUS_NONE;
    return idx == MIXX_BUS_NONE ? NAN : b->st[idx].target;
}

uint32_t mixx_param_block_events(mixx_engine *e, const mixx_param_event **events)
{
    mixx_bus *b = bus_of(e);
    if (!b || !b->in_block) {
        if (events)
            *events = NULL;
        return 0;
    }
    if (events)
        *events = b->pub;
    return b->n_ev;
}
