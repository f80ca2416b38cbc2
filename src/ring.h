/* ring.h: a lock-free single-producer/single-consumer ring of fixed-size records (header-only).
 * Exactly one thread may push (the audio thread) and exactly one thread may pop (the monitor thread);
 * any other use is a data race. Push never blocks: a full ring refuses the record and the caller counts it. */
#ifndef MIXX_RING_H
#define MIXX_RING_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mixxengine.h"

#define MIXX_CACHE_LINE 128 /* two lines on x86-64 (adjacent-line prefetch) and aarch64 */

typedef struct mixx_ring {
    /* producer side */
    _Alignas(MIXX_CACHE_LINE) _Atomic uint32_t head; /* next slot to write, free-running */
    uint32_t cached_tail;                            /* producer's last view of tail */
    /* consumer side */
    _Alignas(MIXX_CACHE_LINE) _Atomic uint32_t tail; /* next slot to read, free-running */
    uint32_t cached_head;                            /* consumer's last view of head */
    /* shared, immutable after init */
    _Alignas(MIXX_CACHE_LINE) uint32_t mask;
    mixx_record *slots;
} mixx_ring;

/* capacity must be a power of two >= 2. Control thread. Returns 0 or MIXX_EINVAL / MIXX_ENOMEM. */
static inline int mixx_ring_init(mixx_ring *r, uint32_t capacity)
{
    if (capacity < 2 || (capacity & (capacity - 1)) != 0)
        return MIXX_EINVAL;
    memset(r, 0, sizeof *r);
    r->slots = (mixx_record *)calloc(capacity, sizeof(mixx_record));
    if (!r->slots)
        return MIXX_ENOMEM;
    r->mask = capacity - 1;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    return 0;
}

static inline void mixx_ring_free(mixx_ring *r)
{
    free(r->slots);
    r->slots = NULL;
}

/* Producer only. Returns 1 if stored, 0 if the ring was full (nothing written). Realtime-safe. */
static inline int mixx_ring_push(mixx_ring *r, const mixx_record *rec)
{
    uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    if (head - r->cached_tail > r->mask) {
        r->cached_tail = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (head - r->cached_tail > r->mask)
            return 0;
    }
    r->slots[head & r->mask] = *rec;
    atomic_store_explicit(&r->head, head + 1, memory_order_release);
    return 1;
}

/* Consumer only. Copies up to `max` records into `out`; returns how many. */
static inline uint32_t mixx_ring_pop(mixx_ring *r, mixx_record *out, uint32_t max)
{
    uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    uint32_t avail = r->cached_head - tail;
    if (avail == 0) {
        r->cached_head = atomic_load_explicit(&r->head, memory_order_acquire);
        avail = r->cached_head - tail;
    }
    uint32_t n = avail < max ? avail : max;
    for (uint32_t i = 0; i < n; i++)
        out[i] = r->slots[(tail + i) & r->mask];
    atomic_store_explicit(&r->tail, tail + n, memory_order_release);
    return n;
}

/* Records currently stored. Either side (approximate from a third thread). */
static inline uint32_t mixx_ring_count(mixx_ring *r)
{
    return atomic_load_explicit(&r->head, memory_order_acquire) -
           atomic_load_explicit(&r->tail, memory_order_acquire);
}

#endif
