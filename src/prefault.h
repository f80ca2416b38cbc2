/* SPDX-License-Identifier: MIT */
/* prefault.h: making memory the audio thread will write resident before it runs (mixx__prefault) and keeping
 * it warm while it idles (mixx__touch_ahead). Nothing here runs on the audio thread; nothing here allocates
 * except mixx__calloc_hot. */
#ifndef MIXX_PREFAULT_H
#define MIXX_PREFAULT_H

#include <stddef.h>

/* The page size the loops step by (sysconf once, 4096 if it cannot say). Any thread. */
size_t mixx__page_size(void);

/* Writes one byte of every page of [p, p + n) back to itself through a volatile pointer, so the compiler cannot
 * drop it (a memset right after calloc may be elided): every page is then mapped, private and dirty, and its
 * first write on the audio thread costs no fault. Only while no other thread writes the range. Control
 * thread, before the audio thread may touch the memory. p == NULL or n == 0: nothing. */
void mixx__prefault(void *p, size_t n);

/* calloc + mixx__prefault: the allocation for any buffer the audio thread writes. NULL on failure (and for
 * a zero-sized request). Control thread. */
void *mixx__calloc_hot(size_t count, size_t size);

/* Reads one word of each of the `pages` pages that follow byte offset `at` (modulo `n`, a ring of n bytes at
 * base), so that pages the writer reaches next are not left cold (unmapped by reclaim, out of the TLB) for
 * the seconds a ring takes to come round. Reads only: the values are discarded, and the writer may be writing
 * the same words meanwhile (a deliberate, harmless race, hidden from TSan). Any thread but the writer's. */
void mixx__touch_ahead(const void *base, size_t n, size_t at, unsigned pages);

/* The hot block: memory inside the engine (next to its own per-cycle words) that the per-cycle state of the
 * parameter bus, the level meters, the channel strip and the latency meter is carved from, so that what an
 * audio cycle reads and writes of them sits on one or two pages instead of one allocation (and page) each.
 * On a VM every distinct page a cycle touches now and then costs a 5-30 us fault in the host, invisible to the
 * guest (docs/performance.md, "Pages"); fewer pages, fewer of those. Bump allocation, cache-line aligned,
 * zeroed; nothing is given back except by emptying the whole block (the engine's setup). An object that
 * does not fit is allocated as before (the caller falls back), so a full block costs placement, never a
 * failure. Control thread. */
typedef struct mixx_hot {
    unsigned char *base;
    size_t size, used;
} mixx_hot;

/* base: line-aligned memory of `size` bytes, already pre-faulted (part of the engine) */
void mixx__hot_init(mixx_hot *h, void *base, size_t size);
/* `size` zeroed bytes from the block, aligned to `align` (a power of two); NULL if h is NULL or the block is
 * full */
void *mixx__hot_alloc(mixx_hot *h, size_t size, size_t align);
/* p came from the block (so it must not be freed) */
int mixx__hot_owns(const mixx_hot *h, const void *p);
/* The one allocation of an object that may live in the block: from `h` when it fits (*in_hot = 1), else
 * aligned_alloc of `size` rounded up to `align` (*in_hot = 0); zeroed either way; NULL when out of memory.
 * Its destroy calls mixx__hot_free with the same flag. */
void *mixx__hot_or_heap(mixx_hot *h, size_t size, size_t align, int *in_hot);
void mixx__hot_free(void *p, int in_hot);

#endif
