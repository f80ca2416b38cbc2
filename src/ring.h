/* SPDX-License-Identifier: MIT */
/* ring.h: the metrics ring: mixx_record slots owned here, index logic from mixxengine/spsc.h (header-only).
 * Exactly one thread may push (the audio thread) and exactly one thread may pop (the monitor thread); any
 * thread may count. Push never blocks: a full ring refuses the record and the caller counts it. */
#ifndef MIXX_RING_H
#define MIXX_RING_H

#include <stdint.h>
#include <stdlib.h>

#include "mixxengine.h"
#include "mixxengine/spsc.h"
#include "prefault.h"

typedef struct mixx_ring {
    mixx_spsc idx;
    mixx_record *slots; /* immutable after init */
} mixx_ring;

/* capacity must be a power of two >= 2. Control thread. Returns 0 or MIXX_EINVAL / MIXX_ENOMEM. */
static inline int mixx_ring_init(mixx_ring *r, uint32_t capacity)
{
    if (mixx_spsc_init(&r->idx, capacity) != 0)
        return MIXX_EINVAL;
    /* the audio thread writes every slot: pre-faulted here, not on its first lap round the ring */
    r->slots = (mixx_record *)mixx__calloc_hot(capacity, sizeof(mixx_record));
    return r->slots ? 0 : MIXX_ENOMEM;
}

static inline void mixx_ring_free(mixx_ring *r)
{
    free(r->slots);
    r->slots = NULL;
}

/* Producer only. Returns 1 if stored, 0 if the ring was full (nothing written). Realtime-safe. */
static inline int mixx_ring_push(mixx_ring *r, const mixx_record *rec)
{
    uint32_t i;
    if (mixx_spsc_write_space(&r->idx, 1, &i) == 0)
        return 0;
    r->slots[i & r->idx.mask] = *rec;
    mixx_spsc_write_commit(&r->idx, 1);
    return 1;
}

/* Consumer only. Copies up to `max` records into `out`; returns how many. */
static inline uint32_t mixx_ring_pop(mixx_ring *r, mixx_record *out, uint32_t max)
{
    uint32_t i;
    uint32_t avail = mixx_spsc_read_avail(&r->idx, 1, &i);
    uint32_t n = avail < max ? avail : max;
    for (uint32_t k = 0; k < n; k++)
        out[k] = r->slots[(i + k) & r->idx.mask];
    mixx_spsc_read_commit(&r->idx, n);
    return n;
}

/* Consumer (or any thread but the producer): reads one word of each of the next `pages` pages the producer
 * will write, so that a slot page idle since the ring's last lap (seconds) is not cold when the audio thread
 * reaches it. */
static inline void mixx_ring_warm(mixx_ring *r, unsigned pages)
{
    uint32_t head = MIXX_SPSC_LOAD(&r->idx.head, relaxed); /* a hint: any recent value will do */
    mixx__touch_ahead(r->slots, (size_t)r->idx.size * sizeof(mixx_record),
                      (size_t)(head & r->idx.mask) * sizeof(mixx_record), pages);
}

/* Records currently stored. Any thread (a snapshot). */
static inline uint32_t mixx_ring_count(mixx_ring *r)
{
    return mixx_spsc_count(&r->idx);
}

#endif
