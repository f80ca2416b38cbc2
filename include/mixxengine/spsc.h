/* SPDX-License-Identifier: MIT */
/* mixxengine/spsc.h: the index logic of a lock-free single-producer/single-consumer ring, header-only, for
 * C11 and C++11. Two free-running uint32_t indices with acquire/release rules; the caller owns the storage
 * (slot of index i: i & mask), so one implementation serves the engine's metrics ring and a host's own ring.
 * Exactly one producer thread calls mixx_spsc_write_*, exactly one consumer thread mixx_spsc_read_*; any
 * thread may call mixx_spsc_count. Producer and consumer indices sit on separate 128-byte lines, and each
 * side caches the other's index so that it touches the other's line only when its cached view runs out. */
#ifndef MIXXENGINE_SPSC_H
#define MIXXENGINE_SPSC_H

#include <stdint.h>

#ifdef __cplusplus
#include <atomic>
#define MIXX_SPSC_ATOMIC_U32 std::atomic<uint32_t>
#define MIXX_SPSC_LOAD(p, mo) (p)->load(std::memory_order_##mo)
#define MIXX_SPSC_STORE(p, v, mo) (p)->store((v), std::memory_order_##mo)
#define MIXX_SPSC_ALIGNAS(n) alignas(n)
#else
#include <stdatomic.h>
#define MIXX_SPSC_ATOMIC_U32 _Atomic uint32_t
#define MIXX_SPSC_LOAD(p, mo) atomic_load_explicit((p), memory_order_##mo)
#define MIXX_SPSC_STORE(p, v, mo) atomic_store_explicit((p), (v), memory_order_##mo)
#define MIXX_SPSC_ALIGNAS(n) _Alignas(n)
#endif

#define MIXX_CACHE_LINE 128 /* two lines on x86-64 (adjacent-line prefetch), one on aarch64 */

/* Not part of the library's ABI (no function takes one): its layout may differ between C and C++. */
typedef struct mixx_spsc {
    MIXX_SPSC_ALIGNAS(MIXX_CACHE_LINE) MIXX_SPSC_ATOMIC_U32 head; /* producer: next index to write */
    uint32_t cached_tail;                                         /* producer's last view of tail */
    MIXX_SPSC_ALIGNAS(MIXX_CACHE_LINE) MIXX_SPSC_ATOMIC_U32 tail; /* consumer: next index to read */
    uint32_t cached_head;                                         /* consumer's last view of head */
    MIXX_SPSC_ALIGNAS(MIXX_CACHE_LINE) uint32_t size;             /* immutable after init */
    uint32_t mask;
} mixx_spsc;

/* Both sides idle: empties the ring. `size` is the caller's slot count, a power of two >= 2 (at most 2^31).
 * Returns 0, or -1 (MIXX_EINVAL) for another size. Neither side may run meanwhile. */
static inline int mixx_spsc_init(mixx_spsc *s, uint32_t size)
{
    if (size < 2 || size > 0x80000000u || (size & (size - 1)) != 0)
        return -1;
    MIXX_SPSC_STORE(&s->head, 0u, relaxed);
    MIXX_SPSC_STORE(&s->tail, 0u, relaxed);
    s->cached_tail = s->cached_head = 0;
    s->size = size;
    s->mask = size - 1;
    return 0;
}

/* Both sides idle: moves both indices to `index` (an empty ring; tests use it to start near the wrap). */
static inline void mixx_spsc_reset(mixx_spsc *s, uint32_t index)
{
    MIXX_SPSC_STORE(&s->head, index, relaxed);
    MIXX_SPSC_STORE(&s->tail, index, relaxed);
    s->cached_tail = s->cached_head = index;
}

/* Producer: free slots, at least `want` if the ring has them (the consumer's index is re-read only when the
 * cached view shows fewer); *index = the first free index. Realtime-safe. */
static inline uint32_t mixx_spsc_write_space(mixx_spsc *s, uint32_t want, uint32_t *index)
{
    uint32_t head = MIXX_SPSC_LOAD(&s->head, relaxed);
    uint32_t space = s->size - (head - s->cached_tail);
    if (space < want) {
        s->cached_tail = MIXX_SPSC_LOAD(&s->tail, acquire); /* slots the consumer is done with */
        space = s->size - (head - s->cached_tail);
    }
    *index = head;
    return space;
}

/* Producer: publishes n slots written from the index write_space gave. Realtime-safe. */
static inline void mixx_spsc_write_commit(mixx_spsc *s, uint32_t n)
{
    MIXX_SPSC_STORE(&s->head, MIXX_SPSC_LOAD(&s->head, relaxed) + n, release);
}

/* Consumer: filled slots, at least `want` if there are (the producer's index is re-read only when the cached
 * view shows fewer); *index = the first filled index. */
static inline uint32_t mixx_spsc_read_avail(mixx_spsc *s, uint32_t want, uint32_t *index)
{
    uint32_t tail = MIXX_SPSC_LOAD(&s->tail, relaxed);
    uint32_t avail = s->cached_head - tail;
    if (avail < want) {
        s->cached_head = MIXX_SPSC_LOAD(&s->head, acquire); /* slots the producer has written */
        avail = s->cached_head - tail;
    }
    *index = tail;
    return avail;
}

/* Consumer: hands n read slots back to the producer. */
static inline void mixx_spsc_read_commit(mixx_spsc *s, uint32_t n)
{
    MIXX_SPSC_STORE(&s->tail, MIXX_SPSC_LOAD(&s->tail, relaxed) + n, release);
}

/* Filled slots as seen from any thread (a snapshot: either side may move right after). The consumer's index
 * is read first: the producer's, read later, can only be further ahead, so the difference never wraps. */
static inline uint32_t mixx_spsc_count(mixx_spsc *s)
{
    uint32_t tail = MIXX_SPSC_LOAD(&s->tail, acquire);
    uint32_t head = MIXX_SPSC_LOAD(&s->head, acquire);
    uint32_t n = head - tail;
    return n > s->size ? s->size : n;
}

#endif
