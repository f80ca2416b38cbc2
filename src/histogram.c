/* SPDX-License-Identifier: MIT */
/* histogram.c: log-linear (HDR-style) histogram of nanosecond values and its percentiles.
 * Bucket width is at most 1/128 of the value, and a quantile reports the bucket's midpoint: <0.4 % error. */
#include "histogram.h"

#include <string.h>

void mixx_hist_reset(mixx_hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

static unsigned msb(uint64_t v)
{
    return 63u - (unsigned)__builtin_clzll(v);
}

size_t mixx_hist_bucket_index(uint64_t v)
{
    if (v < MIXX_HIST_SUB)
        return (size_t)v;
    unsigned e = msb(v) - MIXX_HIST_SUB_BITS + 1; /* 1.. */
    uint64_t sub = (v >> (e - 1)) - MIXX_HIST_SUB;   /* 0..127 */
    return (size_t)e * MIXX_HIST_SUB + (size_t)sub;
}

void mixx_hist_bucket_bounds(size_t i, uint64_t *lo, uint64_t *hi)
{
    if (i < MIXX_HIST_SUB) {
        *lo = *hi = i;
        return;
    }
    unsigned e = (unsigned)(i / MIXX_HIST_SUB);
    uint64_t sub = i % MIXX_HIST_SUB;
    *lo = (MIXX_HIST_SUB + sub) << (e - 1);
    *hi = *lo + ((uint64_t)1 << (e - 1)) - 1;
}

void mixx_hist_add(mixx_hist *h, uint64_t v)
{
    h->counts[mixx_hist_bucket_index(v)]++;
    h->total++;
    h->sum += v;
    if (v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
}

uint64_t mixx_hist_quantile(const mixx_hist *h, double q)
{
    if (h->total == 0)
        return 0;
    if (q <= 0)
        return h->min;
    if (q >= 1)
        return h->max;
    /* the smallest value with at least ceil(q * total) samples at or below it */
    uint64_t rank = (uint64_t)(q * (double)h->total);
    if ((double)rank < q * (double)h->total)
        rank++;
    if (rank == 0)
        rank = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < MIXX_HIST_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            uint64_t lo, hi;
            mixx_hist_bucket_bounds(i, &lo, &hi);
            uint64_t mid = lo + (hi - lo) / 2;
            if (mid < h->min)
                mid = h->min;
            if (mid > h->max)
                mid = h->max;
            return mid;
        }
    }
    return h->max;
}

void mixx_hist_percentiles(const mixx_hist *h, mixx_percentiles *p)
{
    p->count = h->total;
    p->min = h->total ? h->min : 0;
    p->max = h->max;
    p->mean = h->total ? (double)(h->sum / (long double)h->total) : 0.0;
    p->p50 = mixx_hist_quantile(h, 0.50);
    p->p90 = mixx_hist_quantile(h, 0.90);
    p->p99 = mixx_hist_quantile(h, 0.99);
    p->p999 = mixx_hist_quantile(h, 0.999);
    p->p9999 = mixx_hist_quantile(h, 0.9999);
}
