/* SPDX-License-Identifier: MIT */
/* test_faults.c: faults with nothing lost. Overload (sim stalls and an overloaded callback) counted exactly,
 * and the engine recovering when the load goes; metrics-ring overflow behind a stalled monitor with every
 * dropped record accounted for; concurrent control calls from several threads (run it under TSan too).
 * JACK server loss/restart and stability-run faults live in their own tests (docs/reliability.md). */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mixxengine.h"

#include "mixx_test.h"



static void stats(mixx_engine *e, mixx_stats *st)
{
    assert_rc(mixx_engine_get_stats(e, st, sizeof(mixx_stats)), 0);
}

/* ---- overload ---------------------------------------------------------------------------------------
 * A stall longer than one period but shorter than two makes exactly one xrun: the cycle ends after its
 * deadline, the next one starts late but still ends in time. At 48 kHz / 1024 frames (21.3 ms) a 32 ms stall
 * leaves 10 ms of slack either way, which sanitizers and a busy machine do not eat. */

static void test_sim_stalls_counted_exactly(void **state)
{
    (void)state;
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.buffer_size = 1024;
    c.sim.faults.stall_us = 32000;
    c.sim.faults.stall_every = 5;
    mixx_engine *e;
    assert_rc(mixx_engine_create(&c, &e), 0);
    assert_rc(mixx_engine_start_stream(e), 0);
    mt_sleep_ms(1500);
    assert_rc(mixx_engine_stop_stream(e), 0);
    mixx_stats st;
    stats(e, &st);
    /* the stall follows cycle k when (k + 1) % every == 0, and stop lets an iteration finish */
    uint64_t stalls = st.callbacks / c.sim.faults.stall_every;
    print_message("%llu callbacks, %llu stalls injected, %llu xruns, %llu deadline misses\n",
                  (unsigned long long)st.callbacks, (unsigned long long)stalls,
                  (unsigned long long)st.xruns_backend, (unsigned long long)st.deadline_misses);
    assert_true(stalls >= 8);
    mt_check_stall_books(&st, stalls);
    assert_int_equal(st.callbacks, st.records_written + st.dropped_records);
    assert_int_equal(st.dropped_records, 0);
    assert_int_equal(st.records_consumed, st.records_written);
    mixx_engine_destroy(e);
}

/* The callback itself overruns: every 4th cycle while the load is on busy-waits 1.5 periods (4th: the late
 * start of the following cycle never accumulates). Then the load goes and the engine must run clean. */
typedef struct overload {
    _Atomic int load_on;
    _Atomic uint64_t overloaded; /* cycles that busy-waited (audio thread is the only writer) */
    uint64_t cycle;              /* audio thread only */
    uint64_t busy_ns;
} overload;

static void overload_audio_cb(const float *const *in, uint32_t n_in, float *const *out, uint32_t n_out,
                              uint32_t n_frames, void *user)
{
    (void)in, (void)n_in, (void)out, (void)n_out, (void)n_frames;
    overload *o = user;
    uint64_t k = o->cycle++;
    if (!atomic_load_explicit(&o->load_on, memory_order_acquire) || k % 4 != 0)
        return;
    uint64_t until = mt_now_ns() + o->busy_ns;
    while (mt_now_ns() < until)
        ; /* a DSP that costs too much: burns CPU, no syscall */
    atomic_store_explicit(&o->overloaded, atomic_load_explicit(&o->overloaded, memory_order_relaxed) + 1,
                          memory_order_release);
}

static void test_overload_recovers(void **state)
{
    (void)state;
    static overload o;
    memset(&o, 0, sizeof o);
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.buffer_size = 512; /* 10.7 ms */
    c.audio_cb = overload_audio_cb;
    c.user = &o;
    o.busy_ns = 16000000; /* 1.5 periods */
    mixx_engine *e;
    assert_rc(mixx_engine_create(&c, &e), 0);
    assert_rc(mixx_engine_start_stream(e), 0);
    mt_sleep_ms(300);
    mixx_stats before;
    stats(e, &before);
    atomic_store(&o.load_on, 1);
    mt_sleep_ms(1000);
    atomic_store(&o.load_on, 0);
    mt_sleep_ms(200); /* a cycle that saw the load finishes; the monitor folds its record in */
    uint64_t overloaded = atomic_load(&o.overloaded);
    mixx_stats mid;
    stats(e, &mid);
    mt_sleep_ms(1000); /* load gone */
    assert_rc(mixx_engine_stop_stream(e), 0);
    mixx_stats st;
    stats(e, &st);
    print_message("before load: %llu xruns; %llu overloaded cycles -> %llu xruns, %llu deadline misses; "
                  "after: %llu callbacks in %.2f s, %llu xruns, %llu deadline misses\n",
                  (unsigned long long)before.xruns_backend, (unsigned long long)overloaded,
                  (unsigned long long)mid.xruns_backend, (unsigned long long)mid.deadline_misses,
                  (unsigned long long)(st.callbacks - mid.callbacks), st.elapsed_s - mid.elapsed_s,
                  (unsigned long long)st.xruns_backend, (unsigned long long)st.deadline_misses);
    /* Every overloaded cycle must cost exactly one deadline miss and one device xrun. This VM can also make the
     * sim device late by itself (wake-ups late by milliseconds, seen: 2 xruns in the idle 300 ms before the
     * load): what it adds is allowed as slack — 3, plus 4x what the idle phase before the load showed — on
     * top of, never instead of, one per overloaded cycle. A real defect (a missed xrun, an overload that is
     * counted twice, an engine that keeps failing after the load) still exceeds it. */
    uint64_t slack = 3 + 4 * before.xruns_backend;
    uint64_t load_x = mid.xruns_backend - before.xruns_backend;
    uint64_t load_dm = mid.deadline_misses - before.deadline_misses;
    uint64_t after_x = st.xruns_backend - mid.xruns_backend, after_dm = st.deadline_misses - mid.deadline_misses;
    assert_true(overloaded >= 10);
    if (load_x < overloaded || load_x > overloaded + slack)
        fail_msg("%llu xruns during the load for %llu overloaded cycles (allowed: that many + %llu)",
                 (unsigned long long)load_x, (unsigned long long)overloaded, (unsigned long long)slack);
    if (load_dm < overloaded || load_dm > overloaded + slack)
        fail_msg("%llu deadline misses during the load for %llu overloaded cycles (allowed: that many + %llu)",
                 (unsigned long long)load_dm, (unsigned long long)overloaded, (unsigned long long)slack);
    /* recovered: no new fault once the load is gone (but the VM's), and the clock still delivers every period */
    if (after_x > slack || after_dm > slack)
        fail_msg("after the load: %llu xruns, %llu deadline misses (allowed %llu): the engine did not recover",
                 (unsigned long long)after_x, (unsigned long long)after_dm, (unsigned long long)slack);
    double periods = (st.elapsed_s - mid.elapsed_s) * 48000.0 / 512.0;
    assert_true((double)(st.callbacks - mid.callbacks) > periods - 3.0);
    assert_int_equal(st.callbacks, st.records_written + st.dropped_records);
    assert_int_equal(st.records_consumed, st.records_written);
    mixx_engine_destroy(e);
}

/* ---- metrics ring overflow behind a stalled consumer ------------------------------------------------ */

#define SEQ_CAP (1u << 20)

typedef struct stalled_monitor {
    uint64_t *seqs;          /* every record seen, in order (monitor thread only) */
    size_t n;
    int stalled_once;
    _Atomic int in_stall;
    uint64_t second_drops;   /* sum of the per-second summaries' dropped_records */
    unsigned stall_ms;
} stalled_monitor;

static void stall_records_cb(const mixx_record *r, size_t n, void *user)
{
    stalled_monitor *m = user;
    for (size_t i = 0; i < n && m->n < SEQ_CAP; i++)
        m->seqs[m->n++] = r[i].seq;
    if (!m->stalled_once) {
        m->stalled_once = 1;
        atomic_store(&m->in_stall, 1);
        mt_sleep_ms(m->stall_ms); /* the consumer is stuck: the ring fills and the audio thread must drop */
        atomic_store(&m->in_stall, 0);
    }
}

static void sum_second_cb(const mixx_second *s, void *user)
{
    ((stalled_monitor *)user)->second_drops += s->dropped_records;
}

static void test_ring_overflow_counted(void **state)
{
    (void)state;
    static stalled_monitor m;
    memset(&m, 0, sizeof m);
    m.seqs = calloc(SEQ_CAP, sizeof *m.seqs);
    assert_non_null(m.seqs);
    m.stall_ms = 400;
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.sample_rate = 192000;
    c.buffer_size = 16; /* 12000 callbacks/s against a 64-record ring */
    c.ring_capacity = 1024; /* 85 ms of records: only the stall overflows it */
    c.records_cb = stall_records_cb;
    c.second_cb = sum_second_cb;
    c.user = &m;
    mixx_engine *e;
    assert_rc(mixx_engine_create(&c, &e), 0);
    assert_rc(mixx_engine_start_stream(e), 0);
    /* while the monitor is stuck the audio keeps running */
    while (!atomic_load(&m.in_stall))
        mt_sleep_ms(1);
    mixx_stats a, b;
    stats(e, &a);
    mt_sleep_ms(100);
    stats(e, &b);
    assert_true(atomic_load(&m.in_stall));
    assert_true(b.callbacks > a.callbacks + 500);
    assert_true(b.dropped_records > a.dropped_records);
    mt_sleep_ms(1500); /* past the stall, and across a second boundary */
    assert_rc(mixx_engine_stop_stream(e), 0);
    mixx_stats st;
    stats(e, &st);
    /* exact accounting: records seen are seq 0.. in order; the gaps are exactly the drops */
    uint64_t gaps = 0;
    assert_true(m.n > 0);
    for (size_t i = 0; i < m.n; i++) {
        uint64_t prev = i ? m.seqs[i - 1] : (uint64_t)-1;
        assert_true(m.seqs[i] > prev || i == 0);
        gaps += m.seqs[i] - (prev + 1);
    }
    gaps += st.callbacks - (m.seqs[m.n - 1] + 1); /* drops after the last record seen */
    print_message("%llu callbacks = %llu written + %llu dropped; monitor saw %zu, gaps %llu, per-second drops "
                  "%llu\n",
                  (unsigned long long)st.callbacks, (unsigned long long)st.records_written,
                  (unsigned long long)st.dropped_records, m.n, (unsigned long long)gaps,
                  (unsigned long long)m.second_drops);
    assert_true(st.dropped_records > 1000);
    assert_int_equal(st.callbacks, st.records_written + st.dropped_records);
    assert_int_equal(st.records_consumed, st.records_written);
    assert_int_equal(m.n, st.records_written);
    assert_int_equal(gaps, st.dropped_records);
    assert_int_equal(m.second_drops, st.dropped_records);
    mixx_engine_destroy(e);
    free(m.seqs);
}

/* ---- concurrent control calls --------------------------------------------------------------------
 * Several threads hammer one engine with start/stop/stats/histogram/config/buffer-size calls while (hosted)
 * another thread plays the audio callback. Every return code must be one the header documents for that call;
 * afterwards the engine is consistent and usable. Threads read a shared deadline, nothing else. */

typedef struct hammer {
    mixx_engine *e;
    uint64_t until_ns;
    uint32_t seed;
    _Atomic uint64_t *ops;
    int hosted;
} hammer;

static int rc_in(int rc, const int *ok, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (rc == ok[i])
            return 1;
    return 0;
}

#define CHECK_RC(call, ...)                                                                                 \
    do {                                                                                                     \
        static const int ok_[] = {__VA_ARGS__};                                                              \
        int rc_ = (call);                                                                                    \
        if (!rc_in(rc_, ok_, sizeof ok_ / sizeof ok_[0])) {                                                  \
            fprintf(stderr, "%s:%d: %s returned %s\n", __FILE__, __LINE__, #call, mixx_error_name(rc_));    \
            atomic_fetch_add(&bad_rcs, 1);                                                                   \
        }                                                                                                    \
    } while (0)

static _Atomic int bad_rcs;

static void *control_main(void *arg)
{
    hammer *h = arg;
    mixx_stats st;
    mixx_config cfg;
    mixx_hist_bin bins[64];
    size_t count;
    while (mt_now_ns() < h->until_ns) {
        h->seed = h->seed * 1664525u + 1013904223u;
        switch ((h->seed >> 16) % 8) {
        case 0:
        case 1:
            CHECK_RC(mixx_engine_start_stream(h->e), 0, MIXX_ERUNNING);
            break;
        case 2:
            CHECK_RC(mixx_engine_stop_stream(h->e), 0, MIXX_ENOTRUNNING);
            break;
        case 3:
            CHECK_RC(mixx_engine_get_stats(h->e, &st, sizeof(mixx_stats)), 0);
            break;
        case 4:
            CHECK_RC(mixx_engine_histogram(h->e, (h->seed & 1) ? MIXX_HIST_CALLBACK : MIXX_HIST_INTERVAL, bins,
                                           64, &count),
                     0);
            break;
        case 5:
            CHECK_RC(mixx_engine_get_config(h->e, &cfg, sizeof(mixx_config)), 0);
            break;
        case 6:
            if (h->hosted)
                CHECK_RC(mixx_engine_set_format(h->e, (h->seed & 2) ? 48000 : 44100, 32 + (h->seed & 63)), 0,
                         MIXX_ERUNNING);
            else
                CHECK_RC(mixx_engine_set_buffer_size(h->e, 128), MIXX_EUNSUPPORTED, MIXX_ENOTRUNNING);
            break;
        default:
            CHECK_RC(mixx_engine_report_xruns(h->e, 1), 0);
            break;
        }
        atomic_fetch_add(h->ops, 1);
    }
    return NULL;
}

static void *hosted_audio_main(void *arg)
{
    hammer *h = arg;
    static float a[2][256], b[2][256];
    const float *in[2] = {a[0], a[1]};
    float *out[2] = {b[0], b[1]};
    while (mt_now_ns() < h->until_ns) {
        h->seed = h->seed * 1664525u + 1013904223u;
        CHECK_RC(mixx_engine_process(h->e, in, 2, out, 2, 1 + (h->seed >> 24)), 0, MIXX_ENOTRUNNING);
        atomic_fetch_add(h->ops, 1);
    }
    return NULL;
}

static void hammer_engine(mixx_backend backend)
{
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.backend = backend;
    c.sample_rate = 96000;
    c.buffer_size = 32;
    c.max_buffer_size = 256;
    mixx_engine *e;
    assert_rc(mixx_engine_create(&c, &e), 0);
    enum { NCTL = 4 };
    pthread_t th[NCTL + 1];
    hammer h[NCTL + 1];
    _Atomic uint64_t ops = 0;
    uint64_t until = mt_now_ns() + 1500000000ull;
    int hosted = backend == MIXX_BACKEND_HOSTED;
    atomic_store(&bad_rcs, 0);
    for (int i = 0; i < NCTL + hosted; i++) {
        h[i] = (hammer){e, until, 0x9e3779b9u * (uint32_t)(i + 1), &ops, hosted};
        assert_int_equal(pthread_create(&th[i], NULL, i < NCTL ? control_main : hosted_audio_main, &h[i]), 0);
    }
    for (int i = 0; i < NCTL + hosted; i++)
        pthread_join(th[i], NULL);
    print_message("%s: %llu concurrent calls, %d undocumented return codes\n", mixx_backend_name(backend),
                  (unsigned long long)atomic_load(&ops), atomic_load(&bad_rcs));
    assert_int_equal(atomic_load(&bad_rcs), 0);
    /* still consistent and usable */
    int rc = mixx_engine_stop_stream(e);
    assert_true(rc == 0 || rc == MIXX_ENOTRUNNING);
    mixx_stats st;
    stats(e, &st);
    assert_int_equal(st.callbacks, st.records_written + st.dropped_records);
    assert_int_equal(st.records_consumed, st.records_written);
    assert_rc(mixx_engine_start_stream(e), 0);
    assert_rc(mixx_engine_stop_stream(e), 0);
    mixx_engine_destroy(e);
}

static void test_concurrent_control_sim(void **state)
{
    (void)state;
    hammer_engine(MIXX_BACKEND_SIM);
}

static void test_concurrent_control_hosted(void **state)
{
    (void)state;
    hammer_engine(MIXX_BACKEND_HOSTED);
}

/* The façade's process-wide engine from several threads: init/start/stop/shutdown in any order. */
static void *facade_main(void *arg)
{
    hammer *h = arg;
    while (mt_now_ns() < h->until_ns) {
        h->seed = h->seed * 1664525u + 1013904223u;
        switch ((h->seed >> 16) % 5) {
        case 0:
            CHECK_RC(mixx_engine_init(96000, 32), 0, MIXX_EALREADY);
            break;
        case 1:
            CHECK_RC(mixx_engine_start(), 0, MIXX_ENOTINIT, MIXX_ERUNNING);
            break;
        case 2:
            CHECK_RC(mixx_engine_stop(), 0, MIXX_ENOTINIT, MIXX_ENOTRUNNING);
            break;
        case 3:
            CHECK_RC(mixx_engine_shutdown(), 0, MIXX_ENOTINIT);
            break;
        default:
            (void)mixx_engine_default();
            break;
        }
        atomic_fetch_add(h->ops, 1);
    }
    return NULL;
}

static void test_concurrent_facade(void **state)
{
    (void)state;
    enum { N = 4 };
    pthread_t th[N];
    hammer h[N];
    _Atomic uint64_t ops = 0;
    uint64_t until = mt_now_ns() + 1500000000ull;
    atomic_store(&bad_rcs, 0);
    for (int i = 0; i < N; i++) {
        h[i] = (hammer){NULL, until, 0x85ebca6bu * (uint32_t)(i + 1), &ops, 0};
        assert_int_equal(pthread_create(&th[i], NULL, facade_main, &h[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    print_message("façade: %llu concurrent calls\n", (unsigned long long)atomic_load(&ops));
    assert_int_equal(atomic_load(&bad_rcs), 0);
    int rc = mixx_engine_shutdown();
    assert_true(rc == 0 || rc == MIXX_ENOTINIT);
    assert_rc(mixx_engine_init(48000, 64), 0);
    assert_rc(mixx_engine_start(), 0);
    assert_rc(mixx_engine_stop(), 0);
    assert_rc(mixx_engine_shutdown(), 0);
}

/* ---- control calls from inside the engine's own callbacks (issue 14, item 11) ------------------------- */

typedef struct cb_abuse {
    mixx_engine *e;
    _Atomic int calls, done;
    _Atomic int stop_rc, rtl_rc, fmt_rc, buf_rc;
} cb_abuse;

static void abuse_audio_cb(const float *const *in, uint32_t n_in, float *const *out, uint32_t n_out,
                           uint32_t n_frames, void *user)
{
    (void)in, (void)n_in, (void)out, (void)n_out, (void)n_frames;
    cb_abuse *a = user;
    if (atomic_fetch_add(&a->calls, 1) != 10)
        return;
    atomic_store(&a->stop_rc, mixx_engine_stop_stream(a->e));
    mixx_engine_destroy(a->e); /* refused: must do nothing */
    atomic_store(&a->rtl_rc, mixx_engine_rtl_stop(a->e));
    atomic_store(&a->buf_rc, mixx_engine_set_buffer_size(a->e, 128));
    atomic_store(&a->done, 1);
}

/* Before: stop from audio_cb joined the sim thread from itself and freed the device under it (SIGSEGV); on
 * JACK it deadlocked. Now refused with MIXX_ECALLBACK, and the engine keeps running. */
static void test_stop_from_audio_cb(void **state)
{
    (void)state;
    static cb_abuse a;
    memset(&a, 0, sizeof a);
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.audio_cb = abuse_audio_cb;
    c.user = &a;
    assert_rc(mixx_engine_create(&c, &a.e), 0);
    assert_rc(mixx_engine_start_stream(a.e), 0);
    for (int i = 0; i < 400 && !atomic_load(&a.done); i++)
        mt_sleep_ms(5);
    assert_true(atomic_load(&a.done));
    assert_rc(atomic_load(&a.stop_rc), MIXX_ECALLBACK);
    assert_rc(atomic_load(&a.rtl_rc), MIXX_ECALLBACK);
    assert_rc(atomic_load(&a.buf_rc), MIXX_ECALLBACK);
    mixx_stats st1, st2;
    stats(a.e, &st1);
    mt_sleep_ms(100);
    stats(a.e, &st2);
    print_message("after the refused calls: running %d, %llu -> %llu callbacks\n", st2.running,
                  (unsigned long long)st1.callbacks, (unsigned long long)st2.callbacks);
    assert_int_equal(st2.running, 1);
    assert_true(st2.callbacks > st1.callbacks);
    assert_rc(mixx_engine_stop_stream(a.e), 0);
    mixx_engine_destroy(a.e);
}

static void abuse_records_cb(const mixx_record *records, size_t count, void *user)
{
    (void)records, (void)count;
    cb_abuse *a = user;
    if (atomic_fetch_add(&a->calls, 1) != 3)
        return;
    atomic_store(&a->stop_rc, mixx_engine_stop_stream(a->e));
    atomic_store(&a->fmt_rc, mixx_engine_set_format(a->e, 44100, 64));
    mixx_engine_destroy(a->e);
    atomic_store(&a->done, 1);
}

/* Before: stop from records_cb asked the monitor thread to join itself, and it was never joined. */
static void test_stop_from_records_cb(void **state)
{
    (void)state;
    static cb_abuse a;
    memset(&a, 0, sizeof a);
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.records_cb = abuse_records_cb;
    c.user = &a;
    assert_rc(mixx_engine_create(&c, &a.e), 0);
    assert_rc(mixx_engine_start_stream(a.e), 0);
    for (int i = 0; i < 400 && !atomic_load(&a.done); i++)
        mt_sleep_ms(5);
    assert_true(atomic_load(&a.done));
    assert_rc(atomic_load(&a.stop_rc), MIXX_ECALLBACK);
    assert_rc(atomic_load(&a.fmt_rc), MIXX_ECALLBACK);
    mixx_stats st;
    stats(a.e, &st);
    assert_int_equal(st.running, 1);
    assert_rc(mixx_engine_stop_stream(a.e), 0); /* joins the monitor */
    stats(a.e, &st);
    assert_int_equal(st.records_consumed, st.records_written);
    mixx_engine_destroy(a.e);
}

/* ---- rtl_wait after device loss (issue 14, item 13) ------------------------------------------------------ */

/* Before: the wait ran out its whole timeout and said MIXX_ETIMEDOUT. */
static void test_rtl_wait_device_lost(void **state)
{
    (void)state;
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.sim.faults.fail_after_s = 0.3;
    mixx_engine *e;
    assert_rc(mixx_engine_create(&c, &e), 0);
    assert_rc(mixx_engine_start_stream(e), 0);
    assert_rc(mixx_engine_rtl_start(e, MIXX_RTL_MULTITONE, 0, 1), 0);
    uint64_t t0 = mt_now_ns();
    mixx_rtl_result r;
    int rc, results = 0;
    while ((rc = mixx_engine_rtl_wait(e, &r, 5000)) == 0) /* measurements before the loss are fine */
        results++;
    double waited = (double)(mt_now_ns() - t0) * 1e-9;
    print_message("rtl_wait: %s after %.2f s (%d results before the loss)\n", mixx_error_name(rc), waited, results);
    assert_rc(rc, MIXX_EDEVICELOST);
    assert_rc(mixx_engine_stop_stream(e), 0);
    mixx_engine_destroy(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sim_stalls_counted_exactly),
        cmocka_unit_test(test_overload_recovers),
        cmocka_unit_test(test_ring_overflow_counted),
        cmocka_unit_test(test_concurrent_control_sim),
        cmocka_unit_test(test_concurrent_control_hosted),
        cmocka_unit_test(test_concurrent_facade),
        cmocka_unit_test(test_stop_from_audio_cb),
        cmocka_unit_test(test_stop_from_records_cb),
        cmocka_unit_test(test_rtl_wait_device_lost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
