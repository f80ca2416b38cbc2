/* SPDX-License-Identifier: MIT */
/* test_ring.c: the SPSC metrics ring: unit behaviour (full/empty/wrap, free-running indices) and a two-thread
 * stress of >= 10^6 records with random chunk sizes and an exact count and order check (run under TSan too). */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "ring.h"

static mixx_record rec(uint64_t seq)
{
    mixx_record r = {seq, seq * 3u, (uint32_t)seq, (uint32_t)(seq >> 1), 64, (uint32_t)(seq & 7u)};
    return r;
}

static void test_init_rejects_bad_capacity(void **state)
{
    (void)state;
    mixx_ring r;
    assert_int_equal(mixx_ring_init(&r, 0), MIXX_EINVAL);
    assert_int_equal(mixx_ring_init(&r, 1), MIXX_EINVAL);
    assert_int_equal(mixx_ring_init(&r, 100), MIXX_EINVAL);
    assert_int_equal(mixx_ring_init(&r, 64), 0);
    mixx_ring_free(&r);
}

static void test_fill_drain_wrap(void **state)
{
    (void)state;
    mixx_ring ring;
    assert_int_equal(mixx_ring_init(&ring, 8), 0);
    /* start near the uint32 wrap point to prove free-running indices are fine */
    mixx_spsc_reset(&ring.idx, UINT32_MAX - 3);
    uint64_t next_in = 0, next_out = 0;
    mixx_record out[8];
    for (int round = 0; round < 50; round++) {
        int pushed = 0;
        for (;;) {
            mixx_record r = rec(next_in);
            if (!mixx_ring_push(&ring, &r))
                break;
            next_in++;
            pushed++;
        }
        assert_int_equal(pushed, 8); /* exactly the capacity, then refused */
        assert_int_equal(mixx_ring_count(&ring), 8);
        uint32_t n = mixx_ring_pop(&ring, out, 3);
        assert_int_equal(n, 3);
        n += mixx_ring_pop(&ring, out + 3, 8);
        assert_int_equal(n, 8);
        for (uint32_t i = 0; i < 8; i++) {
            assert_int_equal(out[i].seq, next_out);
            assert_int_equal(out[i].start_ns, next_out * 3u);
            next_out++;
        }
        assert_int_equal(mixx_ring_pop(&ring, out, 8), 0);
    }
    mixx_ring_free(&ring);
}

static void test_indices_on_separate_lines(void **state)
{
    (void)state;
    assert_true(offsetof(mixx_spsc, tail) - offsetof(mixx_spsc, head) >= MIXX_CACHE_LINE);
    assert_true(offsetof(mixx_spsc, size) - offsetof(mixx_spsc, tail) >= MIXX_CACHE_LINE);
    assert_true(offsetof(mixx_ring, slots) - offsetof(mixx_ring, idx.tail) >= MIXX_CACHE_LINE);
}

#define STRESS_N 2000000u

typedef struct stress {
    mixx_ring ring;
    uint64_t refused;
    _Atomic int done;
    uint64_t counts, bad_counts; /* observer: mixx_ring_count calls, and those above the capacity */
    uint32_t worst;
} stress;

static uint32_t xorshift(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void *producer(void *arg)
{
    stress *st = arg;
    uint32_t seed = 12345;
    uint64_t seq = 0;
    while (seq < STRESS_N) {
        uint32_t chunk = 1 + xorshift(&seed) % 300;
        for (uint32_t i = 0; i < chunk && seq < STRESS_N; i++) {
            mixx_record r = rec(seq);
            if (mixx_ring_push(&st->ring, &r))
                seq++;
            else {
                st->refused++; /* full: retry the same record later */
                sched_yield(); /* lets a serialising runtime (valgrind) switch to the consumer */
            }
        }
    }
    return NULL;
}

/* A third thread reading the fill level: it must never see more than the capacity (reading head before tail
 * could see a tail that had moved past that head, and the difference wrapped to ~4e9). */
static void *observer(void *arg)
{
    stress *st = arg;
    while (!atomic_load_explicit(&st->done, memory_order_relaxed)) {
        uint32_t n = mixx_ring_count(&st->ring);
        if (++st->counts % 256 == 0)
            sched_yield(); /* two cores shared by three threads: keep the producer and consumer moving */
        if (n > st->ring.idx.size) {
            st->bad_counts++;
            if (n > st->worst)
                st->worst = n;
        }
    }
    return NULL;
}

static void test_two_thread_stress(void **state)
{
    (void)state;
    stress st = {0};
    assert_int_equal(mixx_ring_init(&st.ring, 1024), 0);
    pthread_t t, obs;
    assert_int_equal(pthread_create(&t, NULL, producer, &st), 0);
    assert_int_equal(pthread_create(&obs, NULL, observer, &st), 0);
    uint32_t seed = 999;
    uint64_t expect = 0;
    mixx_record buf[512];
    while (expect < STRESS_N) {
        uint32_t want = 1 + xorshift(&seed) % 512;
        uint32_t n = mixx_ring_pop(&st.ring, buf, want);
        if (n == 0)
            sched_yield();
        for (uint32_t i = 0; i < n; i++) {
            mixx_record r = rec(expect);
            if (buf[i].seq != r.seq || buf[i].start_ns != r.start_ns || buf[i].duration_ns != r.duration_ns ||
                buf[i].flags != r.flags)
                fail_msg("record %llu corrupted (got seq %llu)", (unsigned long long)expect,
                         (unsigned long long)buf[i].seq);
            expect++;
        }
    }
    pthread_join(t, NULL);
    atomic_store(&st.done, 1);
    pthread_join(obs, NULL);
    print_message("observer: %llu counts, %llu above the capacity (worst %u)\n", (unsigned long long)st.counts,
                  (unsigned long long)st.bad_counts, st.worst);
    assert_int_equal(st.bad_counts, 0);
    assert_int_equal(expect, STRESS_N);
    assert_int_equal(mixx_ring_pop(&st.ring, buf, 512), 0);
    print_message("stress: %u records, producer found the ring full %llu times\n", STRESS_N,
                  (unsigned long long)st.refused);
    mixx_ring_free(&st.ring);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_rejects_bad_capacity),
        cmocka_unit_test(test_fill_drain_wrap),
        cmocka_unit_test(test_indices_on_separate_lines),
        cmocka_unit_test(test_two_thread_stress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
