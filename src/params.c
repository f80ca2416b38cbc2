/* SPDX-License-Identifier: MIT */
/* params.c: the parameter bus: descriptors and their lock-free lookup tables, wait-free writes (latest-value
 * slots + dirty bits), per-producer SPSC queues of timed events, the meters' engine-facing calls. The audio
 * thread's block: params_block.c; state as JSON text: params_state.c; shared lookups: params_lookup.h. Meters
 * are in meters.c, the channel strip in strip.c; docs/params.md explains the model. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "params_internal.h"
#include "params_lookup.h"

/* ---- small helpers -------------------------------------------------------------------------------------- */

/* mixx__prefault: src/prefault.c, the one pre-fault loop of the library */

static void *alloc_zero(size_t n, size_t size)
{
    size_t bytes = n * size;
    bytes = (bytes + MIXX_CACHE_LINE - 1) / MIXX_CACHE_LINE * MIXX_CACHE_LINE;
    void *p = aligned_alloc(MIXX_CACHE_LINE, bytes ? bytes : MIXX_CACHE_LINE);
    if (p) {
        memset(p, 0, bytes);
        mixx__prefault(p, bytes);
    }
    return p;
}

static int valid_name(const char *s)
{
    size_t n = strnlen(s, MIXX_PARAM_NAME_MAX);
    if (n == 0 || n >= MIXX_PARAM_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* ---- lifecycle ------------------------------------------------------------------------------------------ */

int mixx__bus_create(mixx_bus **out, uint32_t channels, uint32_t inputs, uint32_t max_frames, uint32_t rate,
                     struct mixx_hot *hot)
{
    *out = NULL;
    /* the struct holds the words every cycle reads and writes: in the hot block when there is one */
    int in_hot;
    mixx_bus *b = mixx__hot_or_heap(hot, sizeof *b, _Alignof(mixx_bus), &in_hot);
    if (!b)
        return MIXX_ENOMEM;
    b->in_hot = in_hot;
    pthread_mutex_init(&b->def_lock, NULL);
    b->hash_mask = 2 * MIXX_PARAM_MAX - 1;
    b->info = alloc_zero(MIXX_PARAM_MAX, sizeof *b->info);
    b->minf = alloc_zero(MIXX_PARAM_MAX, sizeof(float));
    b->maxf = alloc_zero(MIXX_PARAM_MAX, sizeof(float));
    b->deff = alloc_zero(MIXX_PARAM_MAX, sizeof(float));
    b->ids = alloc_zero(MIXX_PARAM_MAX, sizeof *b->ids);
    b->isdb = alloc_zero(MIXX_PARAM_MAX, sizeof *b->isdb);
    b->value = alloc_zero(MIXX_PARAM_MAX, sizeof *b->value);
    b->applied = alloc_zero(MIXX_PARAM_MAX, sizeof *b->applied);
    b->gesture = alloc_zero(MIXX_PARAM_MAX, sizeof *b->gesture);
    b->g_begins = alloc_zero(MIXX_PARAM_MAX, sizeof *b->g_begins);
    b->ovf = alloc_zero(MIXX_PARAM_MAX, sizeof *b->ovf);
    b->g_ends = alloc_zero(MIXX_PARAM_MAX, sizeof *b->g_ends);
    b->g_seen = alloc_zero(2 * MIXX_PARAM_MAX, sizeof *b->g_seen);
    b->id_hash = alloc_zero(2 * MIXX_PARAM_MAX, sizeof *b->id_hash);
    b->name_hash = alloc_zero(2 * MIXX_PARAM_MAX, sizeof *b->name_hash);
    b->st = alloc_zero(MIXX_PARAM_MAX, sizeof *b->st);
    b->ev = alloc_zero(MIXX_BUS_EVENTS, sizeof *b->ev);
    b->ev_tmp = alloc_zero(MIXX_BUS_EVENTS, sizeof *b->ev_tmp);
    b->pub = alloc_zero(MIXX_BUS_EVENTS, sizeof *b->pub);
    b->touched = alloc_zero(MIXX_PARAM_MAX, sizeof *b->touched);
    b->prod = alloc_zero(MIXX_PARAM_PRODUCERS, sizeof *b->prod);
    b->rate = rate;
    int rc = 0;
    if (!b->info || !b->minf || !b->maxf || !b->deff || !b->ids || !b->isdb || !b->value || !b->applied || !b->gesture ||
        !b->g_begins || !b->g_ends || !b->g_seen || !b->ovf || !b->id_hash ||
        !b->name_hash || !b->st || !b->ev || !b->ev_tmp || !b->pub || !b->touched || !b->prod)
        rc = MIXX_ENOMEM;
    for (uint32_t i = 0; rc == 0 && i < MIXX_PARAM_PRODUCERS; i++) {
        b->prod[i].bus = b;
        b->prod[i].index = i;
        mixx_spsc_init(&b->prod[i].idx, MIXX_PARAM_QUEUE);
    }
    if (rc == 0)
        rc = mixx__meters_create(&b->meters, inputs, channels, hot);
    if (rc == 0)
        rc = mixx__strip_create(&b->strip, b, channels, max_frames, hot);
    if (rc) {
        mixx__bus_destroy(b);
        return rc;
    }
    *out = b;
    return 0;
}

void mixx__bus_destroy(mixx_bus *b)
{
    if (!b)
        return;
    mixx__strip_destroy(b->strip);
    mixx__meters_destroy(b->meters);
    free(b->info);
    free(b->minf);
    free(b->maxf);
    free(b->deff);
    free(b->ids);
    free(b->isdb);
    free((void *)b->value);
    free((void *)b->applied);
    free((void *)b->gesture);
    free((void *)b->g_begins);
    free((void *)b->ovf);
    free((void *)b->g_ends);
    free(b->g_seen);
    free((void *)b->id_hash);
    free((void *)b->name_hash);
    free(b->st);
    free(b->ev);
    free(b->ev_tmp);
    free(b->pub);
    free(b->touched);
    free(b->prod);
    pthread_mutex_destroy(&b->def_lock);
    mixx__hot_free(b, b->in_hot);
}

static uint32_t smooth_samples(double ms, uint32_t rate)
{
    double n = nearbyint(ms * rate / 1000.0);
    return n < 0 ? 0 : (uint32_t)n;
}

void mixx__bus_start(mixx_bus *b, uint32_t rate)
{
    b->rate = rate;
    uint32_t n = atomic_load(&b->count);
    for (uint32_t i = 0; i < n; i++) {
        mixx_pstate *s = &b->st[i];
        float v = u2f(atomic_load(&b->value[i]));
        s->target = s->b_target = v;
        s->r.from = s->r.to = to_domain(b, i, v);
        s->r.len = s->r.pos = 0;
        s->b = s->r;
        s->smooth = smooth_samples(b->info[i].smoothing_ms, rate);
        s->stamp = 0;
        s->ev_head = s->ev_tail = MIXX_BUS_NONE;
        atomic_store(&b->applied[i], f2u(v));
        b->g_seen[2 * i] = atomic_load(&b->g_begins[i]);
        b->g_seen[2 * i + 1] = atomic_load(&b->g_ends[i]);
    }
    atomic_store(&b->g_summary, 0);
    for (uint32_t w = 0; w < MIXX_BUS_WORDS; w++)
        atomic_store(&b->g_dirty[w], 0);
    /* everything written so far is in the state above */
    atomic_store(&b->summary, 0);
    for (uint32_t w = 0; w < MIXX_BUS_WORDS; w++) {
        atomic_store(&b->dirty[w], 0);
        b->ramping[w] = 0;
    }
    b->ramp_summary = 0;
    b->cycle = 0;
    b->n_ev = 0;
    b->t0 = 0;
    atomic_store(&b->sample_time, 0);
    /* queued timed events refer to the previous run's clock: drop them */
    for (uint32_t i = 0; i < MIXX_PARAM_PRODUCERS; i++) {
        mixx_param_producer *p = &b->prod[i];
        uint32_t at, queued = mixx_spsc_read_avail(&p->idx, MIXX_PARAM_QUEUE, &at); /* the audio thread is idle */
        mixx_spsc_read_commit(&p->idx, queued);
    }
    mixx__meters_reset(b->meters);
    mixx__strip_start(b->strip, rate);
}

/* ---- registry ------------------------------------------------------------------------------------------- */

int mixx__bus_add(mixx_bus *b, const mixx_param_info *in)
{
    if (!valid_name(in->name) || strnlen(in->unit, MIXX_PARAM_UNIT_MAX) >= MIXX_PARAM_UNIT_MAX)
        return MIXX_EINVAL;
    if (!isfinite(in->min) || !isfinite(in->max) || !isfinite(in->def) || !isfinite(in->smoothing_ms))
        return MIXX_ENAN;
    if (!(in->min < in->max) || in->def < in->min || in->def > in->max || in->smoothing_ms < 0 ||
        in->smoothing_ms > 10000.0 || fabs(in->min) > 1e30 || fabs(in->max) > 1e30)
        return MIXX_EINVAL;
    if ((in->flags & MIXX_PARAM_BOOL) && (in->min != 0.0 || in->max != 1.0 || (in->def != 0.0 && in->def != 1.0)))
        return MIXX_EINVAL;
    if ((in->flags & MIXX_PARAM_STEPPED) &&
        (in->min != floor(in->min) || in->max != floor(in->max) || in->def != floor(in->def)))
        return MIXX_EINVAL;
    if (in->flags & ~(uint32_t)(MIXX_PARAM_BOOL | MIXX_PARAM_STEPPED | MIXX_PARAM_DB | MIXX_PARAM_LOG))
        return MIXX_EINVAL;
    uint32_t n = atomic_load_explicit(&b->count, memory_order_relaxed);
    if (n >= MIXX_PARAM_MAX)
        return MIXX_ETOOMANY;
    if (find_id(b, in->id) != MIXX_BUS_NONE || find_name(b, in->name, strlen(in->name)) != MIXX_BUS_NONE)
        return MIXX_EEXIST;
    mixx_param_info *pi = &b->info[n];
    *pi = *in;
    pi->name[MIXX_PARAM_NAME_MAX - 1] = '\0';
    pi->unit[MIXX_PARAM_UNIT_MAX - 1] = '\0';
    b->minf[n] = (float)in->min;
    b->maxf[n] = (float)in->max;
    b->deff[n] = (float)in->def;
    b->ids[n] = in->id;
    b->isdb[n] = (in->flags & MIXX_PARAM_DB) != 0;
    atomic_store_explicit(&b->value[n], f2u(b->deff[n]), memory_order_relaxed);
    atomic_store_explicit(&b->applied[n], f2u(b->deff[n]), memory_order_relaxed);
    mixx_pstate *s = &b->st[n];
    s->target = s->b_target = b->deff[n];
    s->r.from = s->r.to = to_domain(b, n, b->deff[n]);
    s->b = s->r;
    s->smooth = smooth_samples(in->smoothing_ms, b->rate);
    s->ev_head = s->ev_tail = MIXX_BUS_NONE;
    uint32_t h = hash_id(in->id) & b->hash_mask;
    while (atomic_load_explicit(&b->id_hash[h], memory_order_relaxed))
        h = (h + 1) & b->hash_mask;
    atomic_store_explicit(&b->id_hash[h], n + 1, memory_order_release);
    h = hash_name(pi->name) & b->hash_mask;
    while (atomic_load_explicit(&b->name_hash[h], memory_order_relaxed))
        h = (h + 1) & b->hash_mask;
    atomic_store_explicit(&b->name_hash[h], n + 1, memory_order_release);
    atomic_store_explicit(&b->count, n + 1, memory_order_release);
    return (int)n;
}

int mixx_param_define(mixx_engine *e, const mixx_param_info *info)
{
    if (!e || !info)
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    if (info->id < MIXX_PARAM_APP_ID_MIN)
        return MIXX_EINVAL;
    pthread_mutex_lock(&e->ctl); /* the engine's state cannot change under us */
    int rc;
    if (atomic_load(&e->state) == MIXX_ST_RUNNING || atomic_load(&e->state) == MIXX_ST_STOPPING) {
        rc = MIXX_ERUNNING;
    } else {
        pthread_mutex_lock(&b->def_lock);
        rc = mixx__bus_add(b, info);
        pthread_mutex_unlock(&b->def_lock);
        rc = rc < 0 ? rc : 0;
    }
    pthread_mutex_unlock(&e->ctl);
    return rc;
}

uint32_t mixx_param_count(const mixx_engine *e)
{
    mixx_bus *b = bus_of(e);
    return b ? atomic_load_explicit(&b->count, memory_order_acquire) : 0;
}

int mixx_param_info_at(const mixx_engine *e, uint32_t index, mixx_param_info *out)
{
    if (!e || !out)
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    if (index >= atomic_load_explicit(&b->count, memory_order_acquire))
        return MIXX_ENOPARAM;
    *out = b->info[index];
    return 0;
}

int mixx_param_info_by_id(const mixx_engine *e, uint32_t id, mixx_param_info *out)
{
    if (!e || !out)
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    uint32_t idx = find_id(b, id);
    if (idx == MIXX_BUS_NONE)
        return MIXX_ENOPARAM;
    *out = b->info[idx];
    return 0;
}

int mixx_param_find(const mixx_engine *e, const char *name, uint32_t *id)
{
    if (!e || !name || !id)
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    uint32_t idx = find_name(b, name, strlen(name));
    if (idx == MIXX_BUS_NONE)
        return MIXX_ENOPARAM;
    *id = b->info[idx].id;
    return 0;
}

/* ---- writes --------------------------------------------------------------------------------------------- */

/* The dirty protocol. Writer: value store, then fetch_or on the parameter's word, then (unless already set) on
 * the summary. Reader: exchange summary, then each flagged word. All seq_cst: a writer that sees its summary bit
 * still set and skips the second RMW is then ordered before the reader's word exchange, which sees its bit. */
static void mark_bits(_Atomic uint64_t *words, _Atomic uint64_t *summary, uint32_t idx)
{
    uint32_t w = idx >> 6;
    atomic_fetch_or(&words[w], 1ull << (idx & 63));
    uint64_t wb = 1ull << w;
    if (!(atomic_load(summary) & wb))
        atomic_fetch_or(summary, wb);
}

void mixx__bus_mark(mixx_bus *b, uint32_t idx)
{
    mark_bits(b->dirty, &b->summary, idx);
}

int mixx__bus_set(mixx_bus *b, uint32_t idx, double value)
{
    if (!isfinite(value))
        return MIXX_ENAN;
    float v = conform(b, idx, value);
    atomic_store_explicit(&b->value[idx], f2u(v), memory_order_relaxed);
    mixx__bus_mark(b, idx);
    return 0;
}

/* The checks every control-thread write by id starts with: a bus, not the audio thread, a known id. */
static int writer_lookup(mixx_engine *e, uint32_t id, mixx_bus **bus, uint32_t *idx)
{
    if (!e)
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    if (on_audio_thread(b))
        return MIXX_EAUDIOTHREAD;
    *idx = find_id(b, id);
    if (*idx == MIXX_BUS_NONE)
        return MIXX_ENOPARAM;
    *bus = b;
    return 0;
}

int mixx_param_set(mixx_engine *e, uint32_t id, double value)
{
    mixx_bus *b = NULL;
    uint32_t idx = 0;
    int rc = writer_lookup(e, id, &b, &idx);
    return rc ? rc : mixx__bus_set(b, idx, value);
}

int mixx_param_set_by_name(mixx_engine *e, const char *name, double value)
{
    if (!e || !name)
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    if (on_audio_thread(b))
        return MIXX_EAUDIOTHREAD;
    uint32_t idx = find_name(b, name, strlen(name));
    if (idx == MIXX_BUS_NONE)
        return MIXX_ENOPARAM;
    return mixx__bus_set(b, idx, value);
}

static int read_slot(const mixx_engine *e, uint32_t id, double *value, int applied)
{
    if (!e || !value)
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    uint32_t idx = find_id(b, id);
    if (idx == MIXX_BUS_NONE)
        return MIXX_ENOPARAM;
    _Atomic uint32_t *slot = applied ? &b->applied[idx] : &b->value[idx];
    *value = (double)u2f(atomic_load_explicit(slot, memory_order_acquire));
    return 0;
}

int mixx_param_get(const mixx_engine *e, uint32_t id, double *value)
{
    return read_slot(e, id, value, 0);
}

int mixx_param_get_applied(const mixx_engine *e, uint32_t id, double *value)
{
    return read_slot(e, id, value, 1);
}

int mixx_param_gesture(mixx_engine *e, uint32_t id, int begin)
{
    mixx_bus *b = NULL;
    uint32_t idx = 0;
    int rc = writer_lookup(e, id, &b, &idx);
    if (rc)
        return rc;
    if (begin) {
        atomic_fetch_add(&b->gesture[idx], 1);
        atomic_fetch_add_explicit(&b->g_begins[idx], 1, memory_order_relaxed);
    } else {
        int32_t g = atomic_load(&b->gesture[idx]);
        do {
            if (g <= 0)
                return MIXX_EINVAL;
        } while (!atomic_compare_exchange_weak(&b->gesture[idx], &g, g - 1));
        atomic_fetch_add_explicit(&b->g_ends[idx], 1, memory_order_relaxed);
    }
    mark_bits(b->g_dirty, &b->g_summary, idx);
    return 0;
}

int mixx_param_in_gesture(const mixx_engine *e, uint32_t id)
{
    if (!e)
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    uint32_t idx = find_id(b, id);
    if (idx == MIXX_BUS_NONE)
        return MIXX_ENOPARAM;
    return atomic_load(&b->gesture[idx]) > 0;
}

/* ---- producers ------------------------------------------------------------------------------------------ */

int mixx_param_producer_register(mixx_engine *e, mixx_param_producer **out)
{
    if (!e || !out)
        return MIXX_ENULL;
    *out = NULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    if (on_audio_thread(b))
        return MIXX_EAUDIOTHREAD;
    unsigned long self = (unsigned long)pthread_self();
    pthread_mutex_lock(&b->def_lock);
    int rc = MIXX_ETOOMANY;
    for (uint32_t i = 0; i < MIXX_PARAM_PRODUCERS; i++) {
        mixx_param_producer *p = &b->prod[i];
        if (atomic_load(&p->owner) == 0) {
            p->last_time = 0;
            atomic_store(&p->overflows, 0);
            atomic_store(&p->owner, self);
            if (i + 1 > atomic_load(&b->n_prod))
                atomic_store_explicit(&b->n_prod, i + 1, memory_order_release);
            *out = p;
            rc = 0;
            break;
        }
    }
    pthread_mutex_unlock(&b->def_lock);
    return rc;
}

void mixx_param_producer_unregister(mixx_param_producer *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->bus->def_lock);
    atomic_store(&p->owner, 0);
    pthread_mutex_unlock(&p->bus->def_lock);
}

int mixx_param_push(mixx_param_producer *p, uint32_t id, double value, uint64_t sample_time)
{
    if (!p)
        return MIXX_ENULL;
    mixx_bus *b = p->bus;
    if (atomic_load_explicit(&p->owner, memory_order_relaxed) != (unsigned long)pthread_self())
        return on_audio_thread(b) ? MIXX_EAUDIOTHREAD : MIXX_EPRODUCER;
    uint32_t idx = find_id(b, id);
    if (idx == MIXX_BUS_NONE)
        return MIXX_ENOPARAM;
    if (!isfinite(value))
        return MIXX_ENAN;
    if (sample_time < p->last_time)
        return MIXX_EINVAL;
    float v = conform(b, idx, value);
    uint64_t key = MIXX_BUS_OVF_KEY(p->index, ++p->pushes);
    uint32_t head;
    if (mixx_spsc_write_space(&p->idx, 1, &head) == 0) {
        atomic_store_explicit(&p->overflows, atomic_load_explicit(&p->overflows, memory_order_relaxed) + 1,
                              memory_order_relaxed);
        /* the key before the value: whoever sees the value (through the dirty bit) sees the key */
        atomic_store_explicit(&b->ovf[idx], key, memory_order_relaxed);
        atomic_store_explicit(&b->value[idx], f2u(v), memory_order_relaxed);
        mixx__bus_mark(b, idx);
        p->last_time = sample_time;
        return MIXX_EQUEUEFULL;
    }
    mixx_qevent *q = &p->q[head & (MIXX_PARAM_QUEUE - 1)];
    q->time = sample_time;
    q->seq = key;
    q->idx = idx;
    q->value = v;
    p->last_time = sample_time;
    mixx_spsc_write_commit(&p->idx, 1);
    return 0;
}

uint64_t mixx_param_producer_overflows(const mixx_param_producer *p)
{
    return p ? atomic_load_explicit(&((mixx_param_producer *)p)->overflows, memory_order_relaxed) : 0;
}

uint64_t mixx_param_sample_time(const mixx_engine *e)
{
    mixx_bus *b = bus_of(e);
    return b ? atomic_load_explicit(&b->sample_time, memory_order_acquire) : 0;
}

/* ---- meters (the engine-facing entry points; the ring is in meters.c) ------------------------------------ */

int mixx_meters_enable(mixx_engine *e, int on)
{
    if (!e)
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    mixx__meters_enable(b->meters, on);
    return 0;
}

int mixx_meters_read(mixx_engine *e, mixx_meter *in, uint32_t n_in, mixx_meter *out, uint32_t n_out)
{
    if (!e || (n_in && !in) || (n_out && !out))
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    return mixx__meters_read(b->meters, in, n_in, out, n_out);
}
