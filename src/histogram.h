/* SPDX-License-Identifier: MIT */
/* histogram.h: log-linear histogram of nanosecond values (HDR-style), percentiles within 1 %.
 * Not thread-safe: owned by the monitor thread, read under the engine's stats lock. */
#ifndef MIXX_HISTOGRAM_H
#define MIXX_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "mixxengine.h"

/* Values 0..127 are exact; above, each power of two is split into 128 sub-buckets (width < 0.79 %). */
#define MIXX_HIST_SUB_BITS 7
#define MIXX_HIST_SUB (1u << MIXX_HIST_SUB_BITS)
#define MIXX_HIST_EXPS (64 - MIXX_HIST_SUB_BITS)
#define MIXX_HIST_BUCKETS (MIXX_HIST_SUB * (MIXX_HIST_EXPS + 1))

typedef struct mixx_hist {
    uint64_t counts[MIXX_HIST_BUCKETS];
    uint64_t total, min, max;
    long double sum;
} mixx_hist;

void mixx_hist_reset(mixx_hist *h);
void mixx_hist_add(mixx_hist *h, uint64_t v);
/* Value at quantile q (0..1): the midpoint of the bucket holding it, clamped to [min, max]. */
uint64_t mixx_hist_quantile(const mixx_hist *h, double q);
void mixx_hist_percentiles(const mixx_hist *h, mixx_percentiles *out);
size_t mixx_hist_bucket_index(uint64_t v);
/* Bounds [lo, hi] of bucket i. */
void mixx_hist_bucket_bounds(size_t i, uint64_t *lo, uint64_t *hi);

#endif
