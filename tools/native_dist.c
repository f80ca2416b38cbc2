/* SPDX-License-Identifier: MIT */
/* native_dist.c: nearest-rank percentiles of the native baselines' per-cycle samples (see native_dist.h). */
#include "native_dist.h"

#include <math.h>
#include <stdlib.h>

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static uint32_t nearest_rank(const uint32_t *s, uint64_t n, double q)
{
    if (!n)
        return 0;
    uint64_t rank = (uint64_t)ceil(q * (double)n);
    return s[(rank ? rank : 1) - 1];
}

void mixx_native_print_dist(FILE *f, const char *name, uint32_t *v, uint64_t n)
{
    qsort(v, n, sizeof *v, cmp_u32);
    double sum = 0;
    for (uint64_t i = 0; i < n; i++)
        sum += v[i];
    uint64_t ge5 = 0; /* samples >= 5 us: the tail figure the engine is compared on (docs/performance.md) */
    for (uint64_t i = n; i > 0 && v[i - 1] >= 5000; i--)
        ge5++;
    fprintf(f,
            "\"%s\":{\"count\":%llu,\"mean\":%.1f,\"p50\":%u,\"p99\":%u,\"p999\":%u,\"p9999\":%u,\"max\":%u,"
            "\"ge_5us\":%llu}",
            name, (unsigned long long)n, n ? sum / (double)n : 0.0, nearest_rank(v, n, 0.5),
            nearest_rank(v, n, 0.99), nearest_rank(v, n, 0.999), nearest_rank(v, n, 0.9999), n ? v[n - 1] : 0,
            (unsigned long long)ge5);
}
