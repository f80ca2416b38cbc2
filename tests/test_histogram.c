/* SPDX-License-Identifier: MIT */
/* test_histogram.c: log-linear histogram percentiles against a sorted reference (relative error <= 1 %),
 * bucket geometry, and the empty/one-value edge cases. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "histogram.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank reference: the smallest value with at least ceil(q*n) values at or below it. */
static uint64_t ref_quantile(const uint64_t *sorted, size_t n, double q)
{
    size_t rank = (size_t)ceil(q * (double)n);
    if (rank < 1)
        rank = 1;
    return sorted[rank - 1];
}

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void check_distribution(const char *name, uint64_t (*gen)(void), size_t n)
{
    static mixx_hist h;
    uint64_t *v = malloc(n * sizeof *v);
    assert_non_null(v);
    mixx_hist_reset(&h);
    for (size_t i = 0; i < n; i++) {
        v[i] = gen();
        mixx_hist_add(&h, v[i]);
    }
    qsort(v, n, sizeof *v, cmp_u64);
    const double qs[] = {0.5, 0.9, 0.99, 0.999, 0.9999};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        uint64_t ref = ref_quantile(v, n, qs[i]);
        uint64_t got = mixx_hist_quantile(&h, qs[i]);
        double rel = ref ? fabs((double)got - (double)ref) / (double)ref : (double)got;
        if (rel > 0.01)
            fail_msg("%s q=%g: histogram %llu vs reference %llu (%.3f %%)", name, qs[i], (unsigned long long)got,
                     (unsigned long long)ref, rel * 100);
    }
    mixx_percentiles p;
    mixx_hist_percentiles(&h, &p);
    assert_int_equal(p.count, n);
    assert_int_equal(p.min, v[0]);
    assert_int_equal(p.max, v[n - 1]);
    free(v);
}

static uint64_t gen_uniform(void)
{
    return 1000 + rnd() % 2000000;
}
static uint64_t gen_lognormal_like(void)
{
    /* callback durations: mostly ~1-3 us with a long tail to milliseconds */
    uint64_t base = 800 + rnd() % 2000;
    return (rnd() % 1000 == 0) ? base * (1 + rnd() % 2000) : base;
}
static uint64_t gen_small(void)
{
    return rnd() % 300; /* exact region and first log buckets */
}
static uint64_t gen_huge(void)
{
    return (rnd() >> 4) + 1; /* up to 2^60 */
}

static void test_percentiles_vs_reference(void **state)
{
    (void)state;
    check_distribution("uniform", gen_uniform, 200000);
    check_distribution("tail", gen_lognormal_like, 200000);
    check_distribution("small", gen_small, 50000);
    check_distribution("huge", gen_huge, 50000);
}

static void test_bucket_geometry(void **state)
{
    (void)state;
    uint64_t prev_hi = 0;
    for (size_t i = 0; i < MIXX_HIST_BUCKETS; i++) {
        uint64_t lo, hi;
        mixx_hist_bucket_bounds(i, &lo, &hi);
        if (i > 0)
            assert_int_equal(lo, prev_hi + 1); /* contiguous, no gaps or overlaps */
        assert_int_equal(mixx_hist_bucket_index(lo), i);
        assert_int_equal(mixx_hist_bucket_index(hi), i);
        if (lo >= 128)
            assert_true((double)(hi - lo + 1) / (double)lo <= 1.0 / 128 + 1e-12);
        prev_hi = hi;
        if (hi == UINT64_MAX)
            break;
    }
    assert_int_equal(mixx_hist_bucket_index(UINT64_MAX), MIXX_HIST_BUCKETS - 1);
}

static void test_empty_and_single(void **state)
{
    (void)state;
    static mixx_hist h;
    mixx_hist_reset(&h);
    assert_int_equal(mixx_hist_quantile(&h, 0.5), 0);
    mixx_hist_add(&h, 123456);
    mixx_percentiles p;
    mixx_hist_percentiles(&h, &p);
    assert_int_equal(p.p50, 123456); /* clamped to [min, max] */
    assert_int_equal(p.p9999, 123456);
    assert_int_equal(p.max, 123456);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percentiles_vs_reference),
        cmocka_unit_test(test_bucket_geometry),
        cmocka_unit_test(test_empty_and_single),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
