/* params.c: the parameter bus: descriptors and their lock-free lookup tables, wait-free writes (latest-value
 * slots + dirty bits), per-producer SPSC queues of timed events, the audio thread's block setup (events sorted by
 * offset, ramps advanced) and rendering, and the state as JSON text with its own strict parser.
 * Meters are in meters.c, the channel strip in strip.c; docs/params.md explains the model. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "params_internal.h"

/* ---- small helpers -------------------------------------------------------------------------------------- */

static inline uint32_t f2u(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float u2f(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

void mixx__prefault(void *p, size_t len)
{
    volatile unsigned char *c = p;
    for (size_t i = 0; i < len; i += 4096)
        c[i] = c[i];
    if (len)
        c[len - 1] = c[len - 1];
}

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

static uint32_t hash_id(uint32_t id)
{
    return id * 2654435761u;
}

static uint32_t hash_name(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static mixx_bus *bus_of(const mixx_engine *e)
{
    if (!e || e->magic != MIXX_ENGINE_MAGIC)
        return NULL;
    return e->bus;
}

static int on_audio_thread(const mixx_bus *b)
{
    unsigned long t = atomic_load_explicit(&((mixx_bus *)b)->audio_tid, memory_order_relaxed);
    return t != 0 && t == (unsigned long)pthread_self();
}

/* index of id, or MIXX_BUS_NONE */
static uint32_t find_id(const mixx_bus *b, uint32_t id)
{
    for (uint32_t h = hash_id(id) & b->hash_mask, n = 0; n <= b->hash_mask; h = (h + 1) & b->hash_mask, n++) {
        uint32_t v = atomic_load_explicit(&b->id_hash[h], memory_order_acquire);
        if (v == 0)
            return MIXX_BUS_NONE;
        if (b->ids[v - 1] == id)
            return v - 1;
    }
    return MIXX_BUS_NONE;
}

static uint32_t find_name(const mixx_bus *b, const char *name, size_t len)
{
    char tmp[MIXX_PARAM_NAME_MAX];
    if (len >= sizeof tmp)
        return MIXX_BUS_NONE;
    memcpy(tmp, name, len);
    tmp[len] = '\0';
    for (uint32_t h = hash_name(tmp) & b->hash_mask, n = 0; n <= b->hash_mask;
         h = (h + 1) & b->hash_mask, n++) {
        uint32_t v = atomic_load_explicit(&b->name_hash[h], memory_order_acquire);
        if (v == 0)
            return MIXX_BUS_NONE;
        if (strcmp(b->info[v - 1].name, tmp) == 0)
            return v - 1;
    }
    return MIXX_BUS_NONE;
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

static double to_domain(const mixx_bus *b, uint32_t idx, float v)
{
    return b->isdb[idx] ? pow(10.0, (double)v / 20.0) : (double)v;
}

/* clamp/round a finite value to what the parameter can hold */
static float conform(const mixx_bus *b, uint32_t idx, double v)
{
    const mixx_param_info *pi = &b->info[idx];
    if (pi->flags & MIXX_PARAM_BOOL)
        v = v >= 0.5 ? 1.0 : 0.0;
    else if (pi->flags & MIXX_PARAM_STEPPED)
        v = nearbyint(v);
    float f = (float)v;
    if (f < b->minf[idx])
        f = b->minf[idx];
    if (f > b->maxf[idx])
        f = b->maxf[idx];
    return f;
}

/* ---- lifecycle ------------------------------------------------------------------------------------------ */

int mixx__bus_create(mixx_bus **out, uint32_t channels, uint32_t inputs, uint32_t max_frames, uint32_t rate)
{
    *out = NULL;
    mixx_bus *b = alloc_zero(1, sizeof *b);
    if (!b)
        return MIXX_ENOMEM;
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
        rc = mixx__meters_create(&b->meters, inputs, channels);
    if (rc == 0)
        rc = mixx__strip_create(&b->strip, b, channels, max_frames);
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
    free(b);
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

static int set_idx(mixx_bus *b, uint32_t idx, double value)
{
    if (!isfinite(value))
        return MIXX_ENAN;
    float v = conform(b, idx, value);
    atomic_store_explicit(&b->value[idx], f2u(v), memory_order_relaxed);
    mixx__bus_mark(b, idx);
    return 0;
}

int mixx_param_set(mixx_engine *e, uint32_t id, double value)
{
    if (!e)
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    if (on_audio_thread(b))
        return MIXX_EAUDIOTHREAD;
    uint32_t idx = find_id(b, id);
    if (idx == MIXX_BUS_NONE)
        return MIXX_ENOPARAM;
    return set_idx(b, idx, value);
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
    return set_idx(b, idx, value);
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
    if (!e)
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    if (on_audio_thread(b))
        return MIXX_EAUDIOTHREAD;
    uint32_t idx = find_id(b, id);
    if (idx == MIXX_BUS_NONE)
        return MIXX_ENOPARAM;
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

/* ---- state as text ---------------------------------------------------------------------------------------- */

int mixx_params_save(const mixx_engine *e, char *buf, size_t cap, size_t *len)
{
    if (!e || !len || (cap && !buf))
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    uint32_t n = atomic_load_explicit(&b->count, memory_order_acquire);
    size_t used = 0;
#define SAVE_PUT(...)                                                                                        \
    do {                                                                                                     \
        int k_ = snprintf(buf ? buf + (used < cap ? used : cap) : NULL, used < cap ? cap - used : 0,       \
                          __VA_ARGS__);                                                                      \
        used += (size_t)(k_ > 0 ? k_ : 0);                                                                   \
    } while (0)
    SAVE_PUT("{\"mixx_params\":1,\"values\":{");
    for (uint32_t i = 0; i < n; i++)
        SAVE_PUT("%s\n\"%s\":%.9g", i ? "," : "", b->info[i].name,
                 (double)u2f(atomic_load_explicit(&b->value[i], memory_order_acquire)));
    SAVE_PUT("\n}}\n");
#undef SAVE_PUT
    *len = used;
    if (used >= cap) {
        if (cap)
            buf[0] = '\0';
        return MIXX_ENOMEM;
    }
    return 0;
}

/* The strict parser of the saved format: one object with "mixx_params":1 and "values":{name:number,...}, in any
 * order, JSON whitespace, JSON numbers only (no NaN/Infinity), names without escapes. Bounded, no recursion. */
typedef struct pparse {
    const char *p, *end;
} pparse;

static void pp_ws(pparse *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static int pp_char(pparse *s, char c)
{
    pp_ws(s);
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return 1;
    }
    return 0;
}

/* a string without escapes or control characters; returns its span */
static int pp_string(pparse *s, const char **str, size_t *len)
{
    if (!pp_char(s, '"'))
        return 0;
    const char *a = s->p;
    while (s->p < s->end && *s->p != '"') {
        unsigned char c = (unsigned char)*s->p;
        if (c < 0x20 || c == '\\')
            return 0;
        s->p++;
    }
    if (s->p >= s->end)
        return 0;
    *str = a;
    *len = (size_t)(s->p - a);
    s->p++;
    return 1;
}

/* the JSON number grammar, then strtod on a bounded copy */
static int pp_number(pparse *s, double *out)
{
    pp_ws(s);
    const char *a = s->p, *p = s->p, *e = s->end;
    if (p < e && *p == '-')
        p++;
    if (p >= e || *p < '0' || *p > '9')
        return 0;
    if (*p == '0')
        p++;
    else
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    if (p < e && *p == '.') {
        p++;
        if (p >= e || *p < '0' || *p > '9')
            return 0;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        if (p >= e || *p < '0' || *p > '9')
            return 0;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    char tmp[64];
    size_t n = (size_t)(p - a);
    if (n >= sizeof tmp)
        return 0;
    memcpy(tmp, a, n);
    tmp[n] = '\0';
    errno = 0;
    *out = strtod(tmp, NULL);
    s->p = p;
    return 1;
}

static int parse_state(mixx_bus *b, const char *text, size_t len, float *vals, uint8_t *has)
{
    pparse s = {text, text + len};
    int seen_version = 0, seen_values = 0;
    if (!pp_char(&s, '{'))
        return MIXX_EPRESET;
    if (pp_char(&s, '}'))
        return MIXX_EPRESET;
    for (;;) {
        const char *k;
        size_t kl;
        if (!pp_string(&s, &k, &kl) || !pp_char(&s, ':'))
            return MIXX_EPRESET;
        if (kl == 11 && memcmp(k, "mixx_params", 11) == 0 && !seen_version) {
            double v;
            if (!pp_number(&s, &v) || v != 1.0)
                return MIXX_EPRESET;
            seen_version = 1;
        } else if (kl == 6 && memcmp(k, "values", 6) == 0 && !seen_values) {
            seen_values = 1;
            if (!pp_char(&s, '{'))
                return MIXX_EPRESET;
            if (!pp_char(&s, '}')) {
                for (;;) {
                    const char *name;
                    size_t nl;
                    double v;
                    if (!pp_string(&s, &name, &nl) || !pp_char(&s, ':') || !pp_number(&s, &v))
                        return MIXX_EPRESET;
                    uint32_t idx = find_name(b, name, nl);
                    if (idx == MIXX_BUS_NONE)
                        return MIXX_ENOPARAM;
                    if (!isfinite(v))
                        return MIXX_ENAN; /* 1e999 */
                    float f = (float)v;
                    if (f < b->minf[idx] || f > b->maxf[idx])
                        return MIXX_ERANGE;
                    if (has[idx])
                        return MIXX_EPRESET; /* a name twice */
                    vals[idx] = conform(b, idx, v);
                    has[idx] = 1;
                    if (pp_char(&s, '}'))
                        break;
                    if (!pp_char(&s, ','))
                        return MIXX_EPRESET;
                }
            }
        } else {
            return MIXX_EPRESET;
        }
        if (pp_char(&s, '}'))
            break;
        if (!pp_char(&s, ','))
            return MIXX_EPRESET;
    }
    pp_ws(&s);
    if (s.p != s.end || !seen_version || !seen_values)
        return MIXX_EPRESET;
    return 0;
}

int mixx_params_load(mixx_engine *e, const char *text, size_t len)
{
    if (!e || (!text && len))
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    if (on_audio_thread(b))
        return MIXX_EAUDIOTHREAD;
    float *vals = calloc(MIXX_PARAM_MAX, sizeof *vals);
    uint8_t *has = calloc(MIXX_PARAM_MAX, 1);
    if (!vals || !has) {
        free(vals);
        free(has);
        return MIXX_ENOMEM;
    }
    int rc = text ? parse_state(b, text, len, vals, has) : MIXX_EPRESET;
    if (rc == 0) {
        uint32_t n = atomic_load_explicit(&b->count, memory_order_acquire);
        for (uint32_t i = 0; i < n; i++)
            if (has[i]) {
                atomic_store_explicit(&b->value[i], f2u(vals[i]), memory_order_relaxed);
                mixx__bus_mark(b, i);
            }
    }
    free(vals);
    free(has);
    return rc;
}

int mixx_param_set_text(mixx_engine *e, const char *a)
{
    if (!e || !a)
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    if (on_audio_thread(b))
        return MIXX_EAUDIOTHREAD;
    const char *eq = strchr(a, '=');
    if (!eq)
        return MIXX_EINVAL;
    uint32_t idx = find_name(b, a, (size_t)(eq - a));
    if (idx == MIXX_BUS_NONE)
        return MIXX_ENOPARAM;
    const char *vs = eq + 1;
    if (strcmp(vs, "nan") == 0 || strcmp(vs, "NaN") == 0 || strcmp(vs, "inf") == 0 || strcmp(vs, "-inf") == 0)
        return MIXX_ENAN;
    if ((b->info[idx].flags & MIXX_PARAM_BOOL) && (strcmp(vs, "on") == 0 || strcmp(vs, "true") == 0))
        vs = "1";
    else if ((b->info[idx].flags & MIXX_PARAM_BOOL) && (strcmp(vs, "off") == 0 || strcmp(vs, "false") == 0))
        vs = "0";
    pparse s = {vs, vs + strlen(vs)};
    double v;
    if (!pp_number(&s, &v) || s.p != s.end)
        return MIXX_EINVAL;
    if (!isfinite(v))
        return MIXX_ENAN;
    float f = (float)v;
    if (f < b->minf[idx] || f > b->maxf[idx])
        return MIXX_ERANGE;
    return set_idx(b, idx, v);
}
