/* SPDX-License-Identifier: MIT */
/* test_rtsan.c: every backend's process path driven for many callbacks (buffer-size changes, start/stop
 * cycles, the latency meter), meant for the rtsan configuration where any malloc, lock, sleep or file I/O inside
 * the realtime section aborts the process; and the proof that the check is live (a forked child that allocates
 * or locks in the callback must die with a RealtimeSanitizer report). Outside the rtsan configuration the drives
 * still run (counts are checked) and the liveness tests skip.
 * Usage: test_rtsan [--callbacks N] [--only sim,hosted,jack,portaudio,live]   (see docs/reliability.md) */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend.h" /* MIXX_RT_ENTER/EXIT: the test plays a host's audio thread in hosted mode */
#include "mixxengine.h"
#include "mixxengine_params.h"

#include "mixx_test.h"

static uint64_t opt_callbacks = 10000; /* per backend; CTest passes 100000 in the rtsan configuration */
static int n_selected, n_skipped;

#define SKIP_BECAUSE(...)                                                                                    \
    do {                                                                                                     \
        print_message("SKIP: " __VA_ARGS__);                                                                 \
        n_skipped++;                                                                                         \
        skip();                                                                                              \
    } while (0)


static uint64_t now_ms(void)
{
    return mt_now_ns() / 1000000u;
}

/* ---- the watchdog: a hang (in a backend, a server, a sanitizer) becomes a failure that says where ------ */

static _Atomic(const char *) wd_backend = "";
static _Atomic(const char *) wd_step = "starting";
static uint64_t wd_t0_ms;

/* Control thread: the step the test is in. The texts are copied (callers pass stack buffers too) into a ring
 * of static slots, so what the watchdog prints stays valid. */
static void step(const char *backend, const char *what)
{
    static char slots[8][96];
    static unsigned next;
    char *b = slots[next++ % 8], *w = slots[next++ % 8];
    snprintf(b, sizeof slots[0], "%s", backend);
    snprintf(w, sizeof slots[0], "%s", what);
    atomic_store(&wd_backend, (const char *)b);
    atomic_store(&wd_step, (const char *)w);
}

static void *watchdog_main(void *arg)
{
    unsigned budget_s = *(unsigned *)arg;
    mt_sleep_s((double)budget_s);
    fprintf(stderr,
            "test_rtsan: WATCHDOG: no end after %u s (MIXX_TEST_WATCHDOG_S); stuck in %s%s%s (%.1f s since start); "
            "a call that never returns is a hang: see the engine's last error and the backend's bounded calls\n",
            budget_s, atomic_load(&wd_backend), *atomic_load(&wd_backend) ? ": " : "", atomic_load(&wd_step),
            (double)(now_ms() - wd_t0_ms) / 1000.0);
    fflush(stderr);
    _exit(3);
    return NULL;
}

/* ---- realtime-safe hooks (audio thread) --------------------------------------------------------------- */

/* A little DSP so the hook's path is exercised: a gain on every output. */
static void gain_audio_cb(const float *const *in, uint32_t n_in, float *const *out, uint32_t n_out,
                          uint32_t n_frames, void *user)
{
    (void)in, (void)n_in, (void)user;
    for (uint32_t c = 0; c < n_out; c++)
        for (uint32_t i = 0; i < n_frames; i++)
            out[c][i] *= 0.999f;
}

/* Monitor-thread callback: not realtime, it only counts. */
static void count_records_cb(const mixx_record *r, size_t n, void *user)
{
    (void)r;
    *(uint64_t *)user += n;
}

/* ---- the parameter bus, meters and channel strip active on every backend (issue 16) ------------------ */

/* Meters on, the strip's EQ and gains moving (ramps in flight, bands switching on and off), timed events
 * through a producer queue, meters read: called from the control thread between waits. */
static void bus_activity(mixx_engine *e, uint32_t k)
{
    assert_rc(mixx_meters_enable(e, 1), 0);
    char set[64];
    snprintf(set, sizeof set, "ch1.eq.mid.gain_db=%d", (int)(k % 13) - 6);
    assert_rc(mixx_param_set_text(e, set), 0);
    snprintf(set, sizeof set, "ch1.eq.low.freq_hz=%u", 50 + (k % 7) * 40);
    assert_rc(mixx_param_set_text(e, set), 0);
    assert_rc(mixx_param_set_text(e, (k & 1) ? "master.gain_db=-1.5" : "master.gain_db=0"), 0);
    uint32_t id;
    if (mixx_param_find(e, "ch2.polarity", &id) == 0)
        assert_rc(mixx_param_set(e, id, (double)((k >> 1) & 1)), 0);
    mixx_param_producer *p = NULL;
    if (mixx_param_producer_register(e, &p) == 0) {
        uint64_t t = mixx_param_sample_time(e);
        assert_rc(mixx_param_find(e, "ch1.trim_db", &id), 0);
        for (int i = 0; i < 8; i++)
            assert_rc(mixx_param_push(p, id, (double)(i % 3) - 1.0, t + 17u * (uint64_t)i), 0);
        mixx_param_producer_unregister(p);
    }
    mixx_meter m[4];
    assert_rc(mixx_meters_read(e, m, 4, m, 4), 0);
}

/* ---- a device-backed run: start, wait for `want` callbacks, stop, check the books ---------------------- */

/* Runs the engine until at least `want` callbacks or `timeout_ms`; returns the callbacks of this run. With
 * `rtl` the latency meter runs (continuous) for the whole phase. */
static uint64_t run_phase(mixx_engine *e, uint64_t want, unsigned timeout_ms, int rtl, const char *what)
{
    step(what, "mixx_engine_start_stream");
    assert_rc(mixx_engine_start_stream(e), 0);
    step(what, "running (waiting for callbacks)");
    int rtl_on = 0;
    if (rtl) {
        int rc = mixx_engine_rtl_start(e, MIXX_RTL_MULTITONE, 0, 1);
        if (rc == 0)
            rtl_on = 1;
        else if (rc != MIXX_EUNSUPPORTED)
            fail_msg("%s: mixx_engine_rtl_start: %s", what, mixx_error_name(rc));
    }
    mixx_stats st;
    uint64_t t0 = now_ms();
    for (uint32_t k = 0;; k++) {
        bus_activity(e, k);
        mt_sleep_ms(20);
        assert_rc(mixx_engine_get_stats(e, &st, sizeof(mixx_stats)), 0);
        if (st.device_lost)
            fail_msg("%s: device lost after %llu callbacks", what, (unsigned long long)st.callbacks);
        if (st.callbacks >= want || now_ms() - t0 > timeout_ms)
            break;
    }
    if (rtl_on) {
        step(what, "mixx_engine_rtl_stop");
        assert_rc(mixx_engine_rtl_stop(e), 0);
    }
    step(what, "mixx_engine_stop_stream");
    assert_rc(mixx_engine_stop_stream(e), 0);
    step(what, "after stop");
    assert_rc(mixx_engine_get_stats(e, &st, sizeof(mixx_stats)), 0);
    print_message("  %-44s %7llu callbacks, %u Hz / %u frames, %llu xruns%s\n", what,
                  (unsigned long long)st.callbacks, st.sample_rate, st.buffer_size,
                  (unsigned long long)st.xruns_backend, rtl_on ? ", latency meter on" : "");
    if (st.callbacks < want)
        fail_msg("%s: only %llu of %llu callbacks in %u ms", what, (unsigned long long)st.callbacks,
                 (unsigned long long)want, timeout_ms);
    mixx_config cfg;
    assert_rc(mixx_engine_get_config(e, &cfg, sizeof(mixx_config)), 0);
    if (cfg.instrument)
        assert_int_equal(st.callbacks, st.records_written + st.dropped_records);
    assert_int_equal(st.records_consumed, st.records_written);
    return st.callbacks;
}

/* ---- sim ----------------------------------------------------------------------------------------------- */

typedef struct sim_phase {
    const char *what;
    uint32_t rate, buffer, inputs, outputs;
    double extra, snr_db;
    int invert, instrument, with_cb;
    uint32_t stall_us, stall_every, slip;
    unsigned share;  /* percent of the callback budget */
    unsigned cycles; /* start/stop cycles on the same engine */
} sim_phase;

static const sim_phase sim_phases[] = {
    {"sim 192k/16 2x2, DSP hook, meter", 192000, 16, 2, 2, 0, 300, 0, 1, 1, 0, 0, 0, 40, 2},
    {"sim 192k/32 4x2, sinc delay, noise, invert", 192000, 32, 4, 2, 3.37, 60, 1, 1, 0, 0, 0, 0, 20, 1},
    {"sim 192k/8 1x3, stalls + slips, bare copy", 192000, 8, 1, 3, 1.25, 300, 0, 0, 0, 200, 997, 3, 15, 1},
    {"sim 192k/128 2x2, 3 start/stop cycles", 192000, 128, 2, 2, 0.5, 300, 0, 1, 1, 0, 0, 0, 10, 3},
    {"sim 48k/1 (1-frame buffer) 1x1", 48000, 1, 1, 1, 0, 300, 0, 1, 0, 0, 0, 0, 15, 1},
};

static void test_sim(void **state)
{
    (void)state;
    uint64_t total = 0;
    for (size_t p = 0; p < sizeof sim_phases / sizeof sim_phases[0]; p++) {
        const sim_phase *ph = &sim_phases[p];
        mixx_config c;
        mixx_config_init(&c, sizeof c);
        c.sample_rate = ph->rate;
        c.buffer_size = ph->buffer;
        c.inputs = ph->inputs;
        c.outputs = ph->outputs;
        c.sim.extra_latency = ph->extra;
        c.sim.snr_db = ph->snr_db;
        c.sim.invert = ph->invert;
        c.instrument = ph->instrument;
        c.sim.faults.stall_us = ph->stall_us;
        c.sim.faults.stall_every = ph->stall_every;
        c.sim.faults.slip_frames = ph->slip;
        uint64_t seen = 0;
        if (ph->with_cb) {
            c.audio_cb = gain_audio_cb;
            c.records_cb = count_records_cb;
            c.user = &seen;
        }
        mixx_engine *e;
        assert_rc(mixx_engine_create(&c, &e), 0);
        uint64_t want = opt_callbacks * ph->share / 100 / ph->cycles + 1;
        uint64_t secs = want * ph->buffer / ph->rate;
        for (unsigned k = 0; k < ph->cycles; k++) {
            char what[96];
            snprintf(what, sizeof what, "%s [%u]", ph->what, k + 1);
            /* generous: the machine is shared and sanitizers are slow; a shortfall fails, it never passes */
            total += run_phase(e, want, (unsigned)(secs * 4000 + 10000), p == 0, what);
        }
        if (ph->with_cb) {
            mixx_stats st;
            assert_rc(mixx_engine_get_stats(e, &st, sizeof(mixx_stats)), 0);
            assert_true(seen >= st.records_written); /* every run's records passed through records_cb */
        }
        mixx_engine_destroy(e);
    }
    print_message("sim: %llu callbacks in total\n", (unsigned long long)total);
    assert_true(total >= opt_callbacks);
}

/* ---- hosted: the test is the host's audio thread ---------------------------------------------------- */

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static void test_hosted(void **state)
{
    (void)state;
    enum { MAXF = 2048, NCH = 4 };
    static float bufs[2 * NCH][MAXF];
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.backend = MIXX_BACKEND_HOSTED;
    c.max_buffer_size = MAXF;
    c.inputs = 2;
    c.outputs = 3;
    c.audio_cb = gain_audio_cb;
    mixx_engine *e;
    assert_rc(mixx_engine_create(&c, &e), 0);
    static const uint32_t rates[] = {44100, 48000, 96000, 192000, 8000};
    static const uint32_t buffers[] = {64, 1, 333, 2048, 16};
    uint32_t seed = 12345;
    uint64_t expect_cycles = 0, total = 0;
    const uint64_t per_cycle = opt_callbacks / 5 + 1;
    for (int cycle = 0; cycle < 5; cycle++) {
        /* a buffer-size / rate change happens while stopped, as a host does it */
        assert_rc(mixx_engine_set_format(e, rates[cycle], buffers[cycle]), 0);
        assert_rc(mixx_engine_start_stream(e), 0);
        int rtl_on = 0;
        if (cycle == 0) {
            int rc = mixx_engine_rtl_start(e, MIXX_RTL_IMPULSE, 0, 1);
            if (rc != 0 && rc != MIXX_EUNSUPPORTED)
                fail_msg("mixx_engine_rtl_start: %s", mixx_error_name(rc));
            rtl_on = rc == 0;
        }
        expect_cycles = 0;
        while (expect_cycles < per_cycle) {
            uint32_t r = lcg(&seed);
            /* mostly the nominal buffer, often odd sizes, sometimes in-place (JUCE) or 0 frames */
            uint32_t n = (r & 3) ? buffers[cycle] : (r >> 4) % (MAXF + 1);
            int inplace = (r >> 3) & 1;
            const float *in[NCH];
            float *out[NCH];
            for (int ch = 0; ch < NCH; ch++) {
                out[ch] = bufs[ch];
                in[ch] = inplace ? bufs[ch] : bufs[NCH + ch];
            }
            uint32_t n_in = 1 + ((r >> 5) & 1), n_out = 1 + (r >> 6) % 3;
            if ((expect_cycles & 63) == 0)
                bus_activity(e, (uint32_t)(expect_cycles >> 6));
            MIXX_RT_ENTER(); /* the whole public entry point, argument checks included, is realtime code */
            int rc = mixx_engine_process(e, in, n_in, out, n_out, n);
            if ((r & 255) == 7)
                mixx_engine_report_xruns(e, 1);
            MIXX_RT_EXIT();
            assert_rc(rc, 0);
            if (n)
                expect_cycles++;
        }
        /* error paths are realtime code too: too many frames, and a stopped engine (outputs silenced) */
        static float big[2][MAXF + 1]; /* the host's buffers hold the frames it claims (silenced on the error) */
        const float *in[1] = {big[1]};
        float *out[1] = {big[0]};
        MIXX_RT_ENTER();
        int rc_frames = mixx_engine_process(e, in, 1, out, 1, MAXF + 1);
        MIXX_RT_EXIT();
        assert_rc(rc_frames, MIXX_EFRAMES);
        if (rtl_on)
            assert_rc(mixx_engine_rtl_stop(e), 0);
        assert_rc(mixx_engine_stop_stream(e), 0);
        MIXX_RT_ENTER();
        int rc_stopped = mixx_engine_process(e, in, 1, out, 1, 16);
        MIXX_RT_EXIT();
        assert_rc(rc_stopped, MIXX_ENOTRUNNING);
        mixx_stats st;
        assert_rc(mixx_engine_get_stats(e, &st, sizeof(mixx_stats)), 0);
        assert_int_equal(st.callbacks, expect_cycles);
        assert_int_equal(st.callbacks, st.records_written + st.dropped_records);
        assert_int_equal(st.records_consumed, st.records_written);
        print_message("  hosted %6u Hz / %4u frames: %llu callbacks, %llu dropped records%s\n", rates[cycle],
                      buffers[cycle], (unsigned long long)st.callbacks, (unsigned long long)st.dropped_records,
                      rtl_on ? ", latency meter on" : "");
        total += st.callbacks;
    }
    mixx_engine_destroy(e);
    print_message("hosted: %llu callbacks in total\n", (unsigned long long)total);
    assert_true(total >= opt_callbacks);
}

/* ---- device backends that need a server or a sound card -------------------------------------------- */

static void run_device_backend(mixx_backend b, uint32_t rate, uint32_t buffer)
{
    char why[256];
    const char *bn = mixx_backend_name(b);
    step(bn, "mixx_backend_available");
    if (!mixx_backend_available(b, why, sizeof why))
        SKIP_BECAUSE("%s backend unavailable: %s\n", mixx_backend_name(b), why);
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.backend = b;
    c.sample_rate = rate;
    c.buffer_size = buffer;
    c.jack.self_loop = 1;
    c.audio_cb = gain_audio_cb;
    mixx_engine *e;
    step(bn, "mixx_engine_create");
    assert_rc(mixx_engine_create(&c, &e), 0);
    uint64_t total = 0;
    /* first run: the server's own format, with buffer-size changes while running */
    step(bn, "first mixx_engine_start_stream");
    assert_rc(mixx_engine_start_stream(e), 0);
    mixx_stats st;
    assert_rc(mixx_engine_get_stats(e, &st, sizeof(mixx_stats)), 0);
    const uint32_t base = st.buffer_size;
    print_message("  %s runs %u Hz / %u frames\n", mixx_backend_name(b), st.sample_rate, base);
    static const uint32_t sizes[] = {32, 16, 64, 16};
    int can_resize = 1;
    uint64_t per_step = opt_callbacks / 10 + 1;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0] && can_resize; k++) {
        step(bn, "mixx_engine_set_buffer_size while running");
        int rc = mixx_engine_set_buffer_size(e, sizes[k]);
        if (rc == MIXX_EUNSUPPORTED) {
            print_message("  %s: buffer-size change while running unsupported\n", mixx_backend_name(b));
            can_resize = 0;
            break;
        }
        assert_rc(rc, 0);
        uint64_t t0 = now_ms(), start;
        assert_rc(mixx_engine_get_stats(e, &st, sizeof(mixx_stats)), 0);
        start = st.callbacks;
        while (st.callbacks - start < per_step && now_ms() - t0 < 60000) {
            mt_sleep_ms(20);
            assert_rc(mixx_engine_get_stats(e, &st, sizeof(mixx_stats)), 0);
            if (st.device_lost)
                fail_msg("%s: device lost", mixx_backend_name(b));
        }
        print_message("  %s: buffer %u -> now %u frames, %llu callbacks so far\n", mixx_backend_name(b),
                      sizes[k], st.buffer_size, (unsigned long long)st.callbacks);
    }
    step(bn, "first mixx_engine_stop_stream");
    assert_rc(mixx_engine_stop_stream(e), 0);
    assert_rc(mixx_engine_get_stats(e, &st, sizeof(mixx_stats)), 0);
    assert_int_equal(st.callbacks, st.records_written + st.dropped_records);
    total += st.callbacks;
    if (can_resize)
        assert_rc(mixx_engine_set_buffer_size(e, buffer), MIXX_ENOTRUNNING);
    /* then start/stop cycles, the latency meter on in the first; a backend that cannot resize while running
     * (PortAudio) gets its buffer-size change through a new engine with another size instead */
    for (int k = 0; k < 3 && total < opt_callbacks; k++) {
        if (!can_resize && k > 0) {
            step(bn, "mixx_engine_destroy between cycles");
            mixx_engine_destroy(e);
            c.buffer_size = k == 1 ? 2 * buffer : buffer;
            step(bn, "mixx_engine_create between cycles");
            assert_rc(mixx_engine_create(&c, &e), 0);
        }
        uint64_t want = (opt_callbacks - total) / (uint64_t)(3 - k) + 1;
        char what[64];
        snprintf(what, sizeof what, "%s start/stop cycle %d", mixx_backend_name(b), k + 1);
        total += run_phase(e, want, (unsigned)(want * (base ? base : 64) * 4000 / rate + 20000), k == 0, what);
    }
    step(bn, "final mixx_engine_destroy");
    mixx_engine_destroy(e);
    step(bn, "done");
    print_message("%s: %llu callbacks in total\n", mixx_backend_name(b), (unsigned long long)total);
    assert_true(total >= opt_callbacks);
}

static void test_jack(void **state)
{
    (void)state;
    run_device_backend(MIXX_BACKEND_JACK, 48000, 64);
}

static void test_portaudio(void **state)
{
    (void)state;
    /* on JACK, PortAudio adds its own buffering when asked for more frames than the server's period: ask for
     * the smallest, so the callback rate is the server's */
    run_device_backend(MIXX_BACKEND_PORTAUDIO, 48000, 16);
}

/* ---- the check is live: a child that breaks the rule must die with a report ----------------------- */

enum { LIVE_SIM_MALLOC, LIVE_HOSTED_LOCK, LIVE_CLEAN };

#if defined(MIXX_RTSAN)
static void alloc_audio_cb(const float *const *in, uint32_t n_in, float *const *out, uint32_t n_out,
                           uint32_t n_frames, void *user)
{
    (void)in, (void)n_in, (void)out, (void)n_out, (void)n_frames, (void)user;
    void *volatile p = malloc(64); /* deliberate violation */
    free(p);
}

static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;

static void lock_audio_cb(const float *const *in, uint32_t n_in, float *const *out, uint32_t n_out,
                          uint32_t n_frames, void *user)
{
    (void)in, (void)n_in, (void)out, (void)n_out, (void)n_frames, (void)user;
    pthread_mutex_lock(&live_lock); /* deliberate violation */
    pthread_mutex_unlock(&live_lock);
}

static void live_child(int mode)
{
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.audio_cb = mode == LIVE_SIM_MALLOC    ? alloc_audio_cb
                 : mode == LIVE_HOSTED_LOCK ? lock_audio_cb
                                            : gain_audio_cb;
    if (mode == LIVE_HOSTED_LOCK)
        c.backend = MIXX_BACKEND_HOSTED;
    mixx_engine *e;
    if (mixx_engine_create(&c, &e) || mixx_engine_start_stream(e))
        _exit(90);
    if (mode == LIVE_HOSTED_LOCK) {
        static float a[64], b[64];
        const float *in[1] = {a};
        float *out[1] = {b};
        /* no section of our own here: the engine must mark its cycle itself */
        for (int i = 0; i < 100; i++)
            mixx_engine_process(e, in, 1, out, 1, 64);
    } else {
        mt_sleep_ms(300);
    }
    mixx_stats st;
    if (mixx_engine_stop_stream(e) || mixx_engine_get_stats(e, &st, sizeof(mixx_stats)) || st.callbacks == 0)
        _exit(91);
    mixx_engine_destroy(e);
    _exit(0);
}

/* Forks a child running `mode`; returns its wait status and what it wrote to stderr and stdout. */
static int run_live_child(int mode, char *out, size_t len)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        dup2(p[1], STDERR_FILENO);
        dup2(p[1], STDOUT_FILENO);
        live_child(mode);
    }
    close(p[1]);
    size_t got = 0;
    for (;;) {
        char tmp[4096];
        ssize_t n = read(p[0], tmp, sizeof tmp);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size_t take = (size_t)n < len - 1 - got ? (size_t)n : len - 1 - got;
        memcpy(out + got, tmp, take);
        got += take;
    }
    out[got] = '\0';
    close(p[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}
#endif

static void check_live(int mode, const char *function, const char *frame)
{
#if !defined(MIXX_RTSAN)
    (void)mode, (void)function, (void)frame;
    SKIP_BECAUSE("not the rtsan configuration (cmake -DMIXX_SANITIZE=rtsan with CC=clang-19)\n");
#else
    static char text[65536];
    int status = run_live_child(mode, text, sizeof text);
    print_message("child status 0x%x, report:\n%.1500s\n", status, text);
    if (!function) {
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        assert_null(strstr(text, "Real-time violation"));
        return;
    }
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) != 0);
    assert_non_null(strstr(text, "Real-time violation"));
    char want[128];
    snprintf(want, sizeof want, "`%s`", function);
    if (strstr(text, "external symbolizer"))
        fail_msg("RTSan could not symbolize its report (llvm-symbolizer missing or not found: install Debian's "
                 "llvm-19 and set RTSAN_OPTIONS=external_symbolizer_path=/usr/lib/llvm-19/bin/llvm-symbolizer; "
                 "the rtsan CMake configuration does this for CTest)");
    if (!strstr(text, want))
        fail_msg("the report does not name the violating function %s", want);
    if (!strstr(text, frame)) /* the report's stack shows the offending callback */
        fail_msg("the report's stack does not show the offending callback %s (unsymbolized?)", frame);
#endif
}

static void test_live_sim_malloc(void **state)
{
    (void)state;
    check_live(LIVE_SIM_MALLOC, "malloc", "alloc_audio_cb");
}

static void test_live_hosted_lock(void **state)
{
    (void)state;
    check_live(LIVE_HOSTED_LOCK, "pthread_mutex_lock", "lock_audio_cb");
}

static void test_live_clean(void **state)
{
    (void)state;
    check_live(LIVE_CLEAN, NULL, NULL);
}

/* ---- main: --callbacks N, --only group[,group] ------------------------------------------------------ */

typedef struct named_test {
    const char *group;
    struct CMUnitTest t;
} named_test;

static int selected(const char *only, const char *group)
{
    if (!only)
        return strcmp(group, "jack") != 0 && strcmp(group, "portaudio") != 0 && strcmp(group, "live") != 0;
    size_t n = strlen(group);
    for (const char *p = only; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, group, n) == 0)
            return 1;
        p += len + (end ? 1 : 0);
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *only = NULL;
    const char *env = getenv("MIXX_RTSAN_CALLBACKS");
    if (env && *env)
        opt_callbacks = strtoull(env, NULL, 10);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--callbacks") == 0 && i + 1 < argc)
            opt_callbacks = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--callbacks N] [--only sim,hosted,jack,portaudio,live]\n", argv[0]);
            return 2;
        }
    }
    static const named_test all[] = {
        {"sim", cmocka_unit_test(test_sim)},
        {"hosted", cmocka_unit_test(test_hosted)},
        {"jack", cmocka_unit_test(test_jack)},
        {"portaudio", cmocka_unit_test(test_portaudio)},
        {"live", cmocka_unit_test(test_live_clean)},
        {"live", cmocka_unit_test(test_live_sim_malloc)},
        {"live", cmocka_unit_test(test_live_hosted_lock)},
    };
    struct CMUnitTest tests[sizeof all / sizeof all[0]];
    size_t n = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (selected(only, all[i].group))
            tests[n++] = all[i].t;
    if (n == 0) {
        fprintf(stderr, "test_rtsan: --only '%s' selects nothing\n", only ? only : "");
        return 2;
    }
    n_selected = (int)n;
    /* below CTest's 300 s TIMEOUT for test_rtsan (tests/CMakeLists.txt), so that a hang prints where it is */
    static unsigned wd_budget = 270;
    const char *wd = getenv("MIXX_TEST_WATCHDOG_S");
    if (wd && *wd && strtoul(wd, NULL, 10) > 0)
        wd_budget = (unsigned)strtoul(wd, NULL, 10);
    wd_t0_ms = now_ms();
    pthread_t wd_thread;
    if (pthread_create(&wd_thread, NULL, watchdog_main, &wd_budget) == 0)
        pthread_detach(wd_thread);
    printf("test_rtsan: %llu callbacks per backend, %s\n", (unsigned long long)opt_callbacks,
#if defined(MIXX_RTSAN)
           "rtsan configuration: any realtime violation aborts"
#else
           "not the rtsan configuration: counts only"
#endif
    );
    int failed = _cmocka_run_group_tests("test_rtsan", tests, n, NULL, NULL);
    if (failed == 0 && n_skipped == n_selected)
        return 77; /* everything selected was skipped: CTest shows SKIP, never a silent pass */
    return failed;
}
