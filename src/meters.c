/* SPDX-License-Identifier: MIT */
/* meters.c: level meters from the audio thread to any reader: per-channel peak, sum of squares, clip count and
 * frames per block, through an SPSC ring of records; when the ring is full the audio thread accumulates into a
 * pending record, so a reader polling at UI rate never misses a peak. The engine hook is in params.c. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "params_internal.h"
#include "mixxengine/dsp.h"
#include "rt_text.h"

#define METER_RING 256 /* records: 341 ms at 48000/64 (85 ms at 16-frame blocks); a slower reader only merges */

typedef struct meter_acc {
    float peak;
    uint32_t clips;
    double sumsq;
} meter_acc;

/* a record is `frames` then n_in + n_out accumulators */
typedef struct meter_rec {
    uint64_t frames;
    meter_acc ch[];
} meter_rec;

struct mixx_meters {
    uint32_t n_in, n_out, nch;
    size_t stride;
    _Atomic int enabled;
    mixx_spsc idx; /* producer: the audio thread; consumer: a reader holding rlock */
    meter_rec *cur;     /* this block (audio thread) */
    meter_rec *pending; /* what did not fit (audio thread) */
    int has_pending;
    pthread_mutex_t rlock; /* readers among themselves; never taken by the audio thread */
    meter_rec *acc;        /* reader's sum since the last read */
    unsigned char *slots;
    int in_hot; /* in the engine's hot block: destroy must not free it */
};

static meter_rec *rec_at(const mixx_meters *m, unsigned char *base, uint32_t i)
{
    return (meter_rec *)(void *)(base + (size_t)i * m->stride);
}

static void rec_clear(const mixx_meters *m, meter_rec *r)
{
    memset(r, 0, m->stride);
}

static void rec_merge(const mixx_meters *m, meter_rec *dst, const meter_rec *src)
{
    dst->frames += src->frames;
    for (uint32_t c = 0; c < m->nch; c++) {
        if (src->ch[c].peak > dst->ch[c].peak)
            dst->ch[c].peak = src->ch[c].peak;
        dst->ch[c].clips += src->ch[c].clips;
        dst->ch[c].sumsq += src->ch[c].sumsq;
    }
}

int mixx__meters_create(mixx_meters **out, uint32_t n_in, uint32_t n_out, struct mixx_hot *hot)
{
    *out = NULL;
    /* every cycle reads `enabled`: in the hot block when there is one */
    int in_hot;
    mixx_meters *m = mixx__hot_or_heap(hot, sizeof(mixx_meters), MIXX_CACHE_LINE, &in_hot);
    if (!m)
        return MIXX_ENOMEM;
    m->in_hot = in_hot;
    m->n_in = n_in;
    m->n_out = n_out;
    m->nch = n_in + n_out;
    m->stride = (sizeof(meter_rec) + (size_t)m->nch * sizeof(meter_acc) + 15) / 16 * 16;
    m->slots = calloc(METER_RING + 3, m->stride);
    if (!m->slots) {
        mixx__hot_free(m, in_hot);
        return MIXX_ENOMEM;
    }
    mixx__prefault(m->slots, (METER_RING + 3) * m->stride);
    m->cur = rec_at(m, m->slots, METER_RING);
    m->pending = rec_at(m, m->slots, METER_RING + 1);
    m->acc = rec_at(m, m->slots, METER_RING + 2);
    mixx_spsc_init(&m->idx, METER_RING);
    pthread_mutex_init(&m->rlock, NULL);
    *out = m;
    return 0;
}

void mixx__meters_destroy(mixx_meters *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->rlock);
    free(m->slots);
    mixx__hot_free(m, m->in_hot);
}

void mixx__meters_reset(mixx_meters *m)
{
    pthread_mutex_lock(&m->rlock);
    mixx_spsc_reset(&m->idx, 0); /* the audio thread is idle */
    m->has_pending = 0;
    rec_clear(m, m->acc);
    pthread_mutex_unlock(&m->rlock);
}

MIXX_RT_TEXT
int mixx__meters_enabled(const mixx_meters *m)
{
    return atomic_load_explicit(&((mixx_meters *)m)->enabled, memory_order_relaxed);
}

void mixx__meters_enable(mixx_meters *m, int on)
{
    atomic_store_explicit(&m->enabled, on ? 1 : 0, memory_order_relaxed);
}

MIXX_RT_TEXT
static void measure(meter_acc *a, const float *x, uint32_t n)
{
    /* the block's sum of squares in float (16 partial sums, exact across ISAs), the windows' sum in double */
    mixx_dsp_meter_result r;
    mixx_dsp_meter(x, n, &r);
    a->peak = r.peak > a->peak ? r.peak : a->peak;
    a->sumsq += (double)r.sumsq;
    a->clips += r.clips;
}

MIXX_RT_TEXT
void mixx__meters_input(mixx_meters *m, const float *const *in, uint32_t n_in, uint32_t n)
{
    rec_clear(m, m->cur);
    m->cur->frames = n;
    uint32_t k = n_in < m->n_in ? n_in : m->n_in;
    for (uint32_t c = 0; c < k; c++)
        measure(&m->cur->ch[c], in[c], n);
}

MIXX_RT_TEXT
void mixx__meters_output(mixx_meters *m, const float *const *out, uint32_t n_out, uint32_t n)
{
    if (m->cur->frames != n) { /* enabled between the two halves of a block: start clean */
        rec_clear(m, m->cur);
        m->cur->frames = n;
    }
    uint32_t k = n_out < m->n_out ? n_out : m->n_out;
    for (uint32_t c = 0; c < k; c++)
        measure(&m->cur->ch[m->n_in + c], out[c], n);
    const meter_rec *send = m->cur;
    if (m->has_pending) {
        rec_merge(m, m->pending, m->cur);
        send = m->pending;
    }
    uint32_t head;
    if (mixx_spsc_write_space(&m->idx, 1, &head) == 0) {
        if (!m->has_pending) {
            memcpy(m->pending, m->cur, m->stride);
            m->has_pending = 1;
        }
        m->cur->frames = 0;
        return;
    }
    memcpy(rec_at(m, m->slots, head & (METER_RING - 1)), send, m->stride);
    mixx_spsc_write_commit(&m->idx, 1);
    m->has_pending = 0;
    m->cur->frames = 0;
}

int mixx__meters_read(mixx_meters *m, mixx_meter *in, uint32_t n_in, mixx_meter *out, uint32_t n_out)
{
    pthread_mutex_lock(&m->rlock);
    uint32_t tail, n = mixx_spsc_read_avail(&m->idx, METER_RING, &tail);
    for (uint32_t i = 0; i < n; i++)
        rec_merge(m, m->acc, rec_at(m, m->slots, (tail + i) & (METER_RING - 1)));
    mixx_spsc_read_commit(&m->idx, n);
    for (uint32_t side = 0; side < 2; side++) {
        mixx_meter *dst = side ? out : in;
        uint32_t want = side ? n_out : n_in, have = side ? m->n_out : m->n_in, base = side ? m->n_in : 0;
        for (uint32_t c = 0; c < want; c++) {
            memset(&dst[c], 0, sizeof dst[c]);
            if (c >= have)
                continue;
            const meter_acc *a = &m->acc->ch[base + c];
            dst[c].peak = a->peak;
            dst[c].clips = a->clips;
            dst[c].frames = m->acc->frames;
            dst[c].rms = m->acc->frames ? (float)sqrt(a->sumsq / (double)m->acc->frames) : 0.0f;
        }
    }
    rec_clear(m, m->acc);
    pthread_mutex_unlock(&m->rlock);
    return 0;
}
