/* SPDX-License-Identifier: MIT */
/* test_sim.c: the simulated loopback device on the real code path: callback count against the clock,
 * bit-exact integer loop latencies, the windowed-sinc fractional delay against an analytic sine, injected
 * stalls counted exactly as xruns, device loss reported (and a restart working), and the JSON Lines log. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mixxengine.h"

#include "mixx_test.h"


static void test_callback_count(void **state)
{
    (void)state;
    mixx_config c;
    mixx_config_init(&c, sizeof c); /* 48000 / 64 */
    mixx_engine *e;
    assert_rc(mixx_engine_create(&c, &e), 0);
    assert_rc(mixx_engine_start_stream(e), 0);
    mt_sleep_s(2.0);
    assert_rc(mixx_engine_stop_stream(e), 0);
    mixx_stats st;
    assert_rc(mixx_engine_get_stats(e, &st, sizeof(mixx_stats)), 0);
    /* the device thread is clocked by absolute deadlines: one callback per elapsed period, never more */
    double expected = st.elapsed_s * 48000.0 / 64.0;
    print_message("2 s run: %llu callbacks, expected %.1f, %llu xruns, callback p50 %llu ns max %llu ns\n",
                  (unsigned long long)st.callbacks, expected, (unsigned long long)st.xruns_backend,
                  (unsigned long long)st.callback_ns.p50, (unsigned long long)st.callback_ns.max);
    if (fabs((double)st.callbacks - expected) > 2.0)
        fail_msg("%llu callbacks in %.4f s: %.1f expected from the elapsed time (±2)", (unsigned long long)st.callbacks,
                 st.elapsed_s, expected);
    /* at least the 2 s slept; a loaded VM may wake the test late, so the run may last longer (the count
     * still follows the elapsed time, checked above) */
    if (st.callbacks < 1498 || st.elapsed_s > 12.0)
        fail_msg("%llu callbacks in %.4f s: a 2 s sleep should give >= 1498 (and end within 12 s)",
                 (unsigned long long)st.callbacks, st.elapsed_s);
    assert_int_equal(st.callbacks, st.records_written + st.dropped_records);
    assert_int_equal(st.records_consumed, st.records_written);
    assert_int_equal(st.callback_ns.count, st.records_consumed);
    assert_true(st.expected_rtl_frames == 128.0);
    mixx_engine_destroy(e);
}

/* ---- loop tests: the DSP hook writes a known signal on output 0 and records input 0 ---- */

#define CAP_FRAMES (1u << 17)

typedef struct loop_probe {
    uint64_t frame;           /* global frame index of the next cycle */
    float *captured;          /* input 0, by global frame */
    double freq;              /* 0: pseudo-random signal; else a sine at this frequency (Hz) */
    double rate;
} loop_probe;

static float probe_signal(const loop_probe *p, uint64_t n)
{
    if (p->freq > 0)
        return (float)(0.5 * sin(2.0 * M_PI * p->freq * (double)n / p->rate));
    uint32_t x = (uint32_t)n * 2654435761u;
    x ^= x >> 15;
    x *= 2246822519u;
    x ^= x >> 13;
    return (float)((double)(x & 0xffffff) / 8388608.0 - 1.0);
}

static void probe_cb(const float *const *in, uint32_t n_in, float *const *out, uint32_t n_out, uint32_t n,
                     void *user)
{
    loop_probe *p = user;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t g = p->frame + i;
        if (g < CAP_FRAMES)
            p->captured[g] = in[0][i];
        out[0][i] = probe_signal(p, g);
    }
    p->frame += n;
}

static uint64_t run_loop(loop_probe *p, uint32_t rate, uint32_t buffer, uint32_t periods, double extra,
                         double seconds)
{
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.sample_rate = rate;
    c.buffer_size = buffer;
    c.sim.periods = periods;
    c.sim.extra_latency = extra;
    c.inputs = c.outputs = 1;
    c.audio_cb = probe_cb;
    c.user = p;
    p->frame = 0;
    p->rate = rate;
    memset(p->captured, 0, CAP_FRAMES * sizeof(float));
    mixx_engine *e;
    assert_rc(mixx_engine_create(&c, &e), 0);
    assert_rc(mixx_engine_start_stream(e), 0);
    mt_sleep_s(seconds);
    assert_rc(mixx_engine_stop_stream(e), 0);
    mixx_stats st;
    assert_rc(mixx_engine_get_stats(e, &st, sizeof(mixx_stats)), 0);
    assert_true(st.expected_rtl_frames == (double)periods * buffer + extra);
    mixx_engine_destroy(e);
    return p->frame < CAP_FRAMES ? p->frame : CAP_FRAMES;
}

static void test_integer_latency_bit_exact(void **state)
{
    (void)state;
    loop_probe p = {0};
    p.captured = malloc(CAP_FRAMES * sizeof(float));
    assert_non_null(p.captured);
    const struct {
        uint32_t buffer, periods;
        double extra;
    } cases[] = {{64, 1, 0}, {64, 2, 0}, {64, 2, 1}, {64, 2, 37}, {32, 3, 100}, {256, 2, 1000}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        uint64_t n = run_loop(&p, 48000, cases[k].buffer, cases[k].periods, cases[k].extra, 0.3);
        uint64_t lat = (uint64_t)cases[k].periods * cases[k].buffer + (uint64_t)cases[k].extra;
        assert_true(n > lat + 1000);
        uint64_t mismatches = 0;
        for (uint64_t g = 0; g < n; g++) {
            float want = g >= lat ? probe_signal(&p, g - lat) : 0.0f;
            if (memcmp(&p.captured[g], &want, sizeof want) != 0)
                mismatches++;
        }
        if (mismatches)
            fail_msg("buffer %u periods %u extra %.0f: %llu of %llu frames differ from output delayed by %llu",
                     cases[k].buffer, cases[k].periods, cases[k].extra, (unsigned long long)mismatches,
                     (unsigned long long)n, (unsigned long long)lat);
    }
    free(p.captured);
}

static void test_fractional_latency_sinc(void **state)
{
    (void)state;
    loop_probe p = {0};
    p.captured = malloc(CAP_FRAMES * sizeof(float));
    assert_non_null(p.captured);
    const double freqs[] = {997.0, 9001.0, 17000.0};
    const double extras[] = {100.37, 0.5, 999.25};
    for (size_t k = 0; k < 3; k++) {
        p.freq = freqs[k];
        uint64_t n = run_loop(&p, 48000, 64, 2, extras[k], 0.25);
        double lat = 128.0 + extras[k];
        double err_max = 0;
        /* skip the start-up transient: the kernel sees zeros before the first output */
        for (uint64_t g = (uint64_t)lat + 200; g < n; g++) {
            double want = 0.5 * sin(2.0 * M_PI * p.freq * ((double)g - lat) / 48000.0);
            double err = fabs(p.captured[g] - want);
            if (err > err_max)
                err_max = err;
        }
        print_message("fractional %.2f frames at %.0f Hz: max error %.2e (%.1f dB below the signal)\n",
                      extras[k], p.freq, err_max, 20 * log10(err_max / 0.5));
        assert_true(err_max < 1e-3); /* < -54 dB: the delay is right to far better than 0.01 frame */
    }
    free(p.captured);
}

static void test_stalls_are_exact_xruns(void **state)
{
    (void)state;
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.buffer_size = 1024;   /* 21.3 ms period */
    c.sim.faults.stall_us = 30000; /* longer than one period, shorter than two: exactly one xrun per stall */
    c.sim.faults.stall_every = 8;
    mixx_engine *e;
    assert_rc(mixx_engine_create(&c, &e), 0);
    assert_rc(mixx_engine_start_stream(e), 0);
    mt_sleep_s(1.2);
    assert_rc(mixx_engine_stop_stream(e), 0);
    mixx_stats st;
    assert_rc(mixx_engine_get_stats(e, &st, sizeof(mixx_stats)), 0);
    uint64_t stalls = st.callbacks / 8;
    print_message("%llu callbacks, %llu stalls injected, %llu xruns, %llu late wake-ups\n",
                  (unsigned long long)st.callbacks, (unsigned long long)stalls,
                  (unsigned long long)st.xruns_backend, (unsigned long long)st.late_wakeups);
    assert_true(stalls >= 4);
    mt_check_stall_books(&st, stalls);
    mixx_engine_destroy(e);
}

/* A device clock the thread cannot follow (every cycle stalls 6 periods): without a bound the sim would run
 * late periods back to back for ever, ever further behind. With it every period of the device clock is either
 * run or dropped and counted as an xrun, up to the last bounded backlog. */
static void test_runaway_clock_is_bounded(void **state)
{
    (void)state;
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.buffer_size = 16;            /* 333 us period */
    c.sim.faults.stall_us = 2000;  /* each cycle stalls six periods */
    c.sim.faults.stall_every = 1;
    mixx_engine *e;
    assert_rc(mixx_engine_create(&c, &e), 0);
    assert_rc(mixx_engine_start_stream(e), 0);
    mt_sleep_s(1.2);
    assert_rc(mixx_engine_stop_stream(e), 0);
    mixx_stats st;
    assert_rc(mixx_engine_get_stats(e, &st, sizeof(mixx_stats)), 0);
    double periods = st.elapsed_s * c.sample_rate / c.buffer_size;
    print_message("%.0f device periods in %.3f s: %llu callbacks run, %llu xruns\n", periods, st.elapsed_s,
                  (unsigned long long)st.callbacks, (unsigned long long)st.xruns_backend);
    assert_true(st.callbacks > 0);
    assert_true(st.callbacks < periods / 2); /* the stall really made the thread fall behind */
    /* unbounded catch-up: callbacks + xruns ~ 2 x callbacks, a third of the periods; bounded: nearly all */
    assert_true((double)(st.callbacks + st.xruns_backend) >= 0.8 * periods);
    mixx_engine_destroy(e);
}

static void test_device_loss(void **state)
{
    (void)state;
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.sim.faults.fail_after_s = 0.3;
    mixx_engine *e;
    assert_rc(mixx_engine_create(&c, &e), 0);
    assert_rc(mixx_engine_start_stream(e), 0);
    mixx_stats st;
    int lost = 0;
    for (int i = 0; i < 100 && !lost; i++) { /* up to 1 s */
        mt_sleep_s(0.01);
        assert_rc(mixx_engine_get_stats(e, &st, sizeof(mixx_stats)), 0);
        lost = st.device_lost;
    }
    assert_true(lost);
    uint64_t before = st.callbacks;
    mt_sleep_s(0.1);
    assert_rc(mixx_engine_get_stats(e, &st, sizeof(mixx_stats)), 0);
    assert_int_equal(st.callbacks, before); /* no more audio after the loss */
    assert_true(st.callbacks >= 200 && st.callbacks <= 240);
    assert_rc(mixx_engine_stop_stream(e), 0);
    /* a new start opens a new device */
    assert_rc(mixx_engine_start_stream(e), 0);
    mt_sleep_s(0.1);
    assert_rc(mixx_engine_get_stats(e, &st, sizeof(mixx_stats)), 0);
    assert_false(st.device_lost);
    assert_true(st.callbacks > 50);
    assert_rc(mixx_engine_stop_stream(e), 0);
    mixx_engine_destroy(e);
}

typedef struct counter {
    uint64_t records, next_seq, out_of_order, seconds;
} counter;

static void count_records(const mixx_record *r, size_t n, void *user)
{
    counter *c = user;
    for (size_t i = 0; i < n; i++) {
        if (r[i].seq != c->next_seq)
            c->out_of_order++;
        c->next_seq = r[i].seq + 1;
    }
    c->records += n;
}

static void count_seconds(const mixx_second *s, void *user)
{
    counter *c = user;
    (void)s;
    c->seconds++;
}

static void test_log_and_callbacks(void **state)
{
    (void)state;
    /* the engine creates its log exclusively (an existing file is refused): a fresh name in a private dir */
    char dir[] = "/tmp/mixx-test-log-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[sizeof dir + 16];
    snprintf(path, sizeof path, "%s/log.jsonl", dir);
    counter cnt = {0};
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.log_path = path;
    c.records_cb = count_records;
    c.second_cb = count_seconds;
    c.user = &cnt;
    mixx_engine *e;
    assert_rc(mixx_engine_create(&c, &e), 0);
    assert_rc(mixx_engine_start_stream(e), 0);
    mt_sleep_s(2.3);
    assert_rc(mixx_engine_stop_stream(e), 0);
    mixx_stats st;
    assert_rc(mixx_engine_get_stats(e, &st, sizeof(mixx_stats)), 0);
    assert_int_equal(cnt.records, st.callbacks);
    assert_int_equal(cnt.out_of_order, 0);
    assert_true(cnt.seconds >= 2 && cnt.seconds <= 3);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4096];
    int seconds = 0, summary = 0;
    uint64_t sum_callbacks = 0;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "\"type\":\"second\"")) {
            seconds++;
            const char *p = strstr(line, "\"callbacks\":");
            assert_non_null(p);
            sum_callbacks += strtoull(p + 12, NULL, 10);
        } else if (strstr(line, "\"type\":\"summary\"")) {
            summary++;
            char want[64];
            snprintf(want, sizeof want, "\"callbacks\":%llu", (unsigned long long)st.callbacks);
            assert_non_null(strstr(line, want));
        }
    }
    fclose(f);
    unlink(path);
    rmdir(dir);
    assert_int_equal(seconds, (int)cnt.seconds);
    assert_int_equal(summary, 1);
    assert_int_equal(sum_callbacks, st.callbacks); /* per-second lines add up to the total */
    mixx_engine_destroy(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_callback_count),         cmocka_unit_test(test_integer_latency_bit_exact),
        cmocka_unit_test(test_fractional_latency_sinc), cmocka_unit_test(test_stalls_are_exact_xruns),
        cmocka_unit_test(test_runaway_clock_is_bounded),
        cmocka_unit_test(test_device_loss),            cmocka_unit_test(test_log_and_callbacks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
