/* SPDX-License-Identifier: MIT */
/* prefault.c: pre-faulting and warm-keeping of the memory the audio thread writes (see prefault.h): the meter's
 * capture ring, the metrics ring, the sim device's buffers. One implementation, so that "first touched on the
 * audio thread" has one cure, used everywhere. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prefault.h"

size_t mixx__page_size(void)
{
    static size_t page; /* benign: every thread computes the same value */
    if (!page) {
        long v = sysconf(_SC_PAGESIZE);
        page = v > 0 ? (size_t)v : 4096;
    }
    return page;
}

void mixx__prefault(void *p, size_t n)
{
    if (!p || !n)
        return;
    const size_t page = mixx__page_size();
    volatile unsigned char *b = (volatile unsigned char *)p;
    /* from the first byte, then each page boundary, then the last byte: a range that starts mid-page or ends
     * on a partial page still has all its pages written */
    b[0] = b[0];
    uintptr_t a = ((uintptr_t)p + page) & ~(uintptr_t)(page - 1);
    for (; a < (uintptr_t)p + n; a += page) {
        volatile unsigned char *q = b + (a - (uintptr_t)p);
        *q = *q;
    }
    b[n - 1] = b[n - 1];
}

void *mixx__calloc_hot(size_t count, size_t size)
{
    if (!count || !size)
        return NULL;
    void *p = calloc(count, size);
    if (p)
        mixx__prefault(p, count * size); /* calloc checked count * size for overflow */
    return p;
}

void mixx__hot_init(mixx_hot *h, void *base, size_t size)
{
    h->base = base;
    h->size = base ? size : 0;
    h->used = 0;
    if (base)
        memset(base, 0, size);
}

void *mixx__hot_alloc(mixx_hot *h, size_t size, size_t align)
{
    if (!h || !h->base || !size || !align)
        return NULL;
    /* the address aligned, not just the offset: the block's own alignment need not be `align`'s */
    uintptr_t base = (uintptr_t)h->base, a = (base + h->used + align - 1) & ~(uintptr_t)(align - 1);
    size_t at = (size_t)(a - base);
    if (at > h->size || size > h->size - at)
        return NULL;
    h->used = at + size;
    unsigned char *p = h->base + at;
    memset(p, 0, size);
    return p;
}

int mixx__hot_owns(const mixx_hot *h, const void *p)
{
    const unsigned char *q = p;
    return h && h->base && q >= h->base && q < h->base + h->size;
}

void *mixx__hot_or_heap(mixx_hot *h, size_t size, size_t align, int *in_hot)
{
    void *p = mixx__hot_alloc(h, size, align);
    *in_hot = p != NULL;
    if (p)
        return p;
    size_t bytes = (size + align - 1) / align * align;
    p = aligned_alloc(align, bytes ? bytes : align);
    if (p)
        memset(p, 0, bytes);
    return p;
}

void mixx__hot_free(void *p, int in_hot)
{
    if (!in_hot)
        free(p);
}

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MIXX_NO_TSAN __attribute__((no_sanitize("thread")))
#endif
#endif
#if !defined(MIXX_NO_TSAN) && defined(__SANITIZE_THREAD__)
#define MIXX_NO_TSAN __attribute__((no_sanitize_thread))
#endif
#ifndef MIXX_NO_TSAN
#define MIXX_NO_TSAN
#endif

MIXX_NO_TSAN void mixx__touch_ahead(const void *base, size_t n, size_t at, unsigned pages)
{
    if (!base || n == 0)
        return;
    const size_t page = mixx__page_size();
    const volatile unsigned char *b = (const volatile unsigned char *)base;
    for (unsigned k = 1; k <= pages; k++) {
        size_t off = (at + (size_t)k * page) % n;
        (void)b[off];
    }
}
