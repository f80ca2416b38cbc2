/* SPDX-License-Identifier: MIT */
/* test_hang.c: the bounded PortAudio/JACK close and open paths, proven on every run by the stall hook of test
 * builds (MIXX_FAULT_HOOKS, MIXX_FAULT_STALL; docs/reliability.md). One scenario per process (argv[1]; CTest
 * sets MIXX_FAULT_STALL for each): the stalled call is abandoned within its documented bound, the engine says
 * which call hung, and what the library promises afterwards holds. Skips (77) without the hooks or a server. */
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

#include "jack_test_util.h"
#include "mixxengine.h"

/* a loaded 2-core VM may add seconds to any wait: bounds get this much slack, never a tight timing */
#define SLACK_S 3.0
/* "at once": a refusal that waits for no timeout. The waits it tells apart are 5 s (PortAudio's lock, a stuck
 * JACK open); 2 s leaves a loaded VM room for the engine's own start work (measured 0.000 s idle) */
#define AT_ONCE_S 2.0

static char pa_device[16]; /* --device: the index of PortAudio's JACK host API device */

static mixx_engine *make_engine(mixx_backend b, const char *client)
{
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.backend = b;
    if (b == MIXX_BACKEND_PORTAUDIO)
        c.device = pa_device;
    c.jack.client_name = client;
    mixx_engine *e = NULL;
    assert_rc(mixx_engine_create(&c, &e), 0);
    return e;
}

#define assert_error_has(e, text)                                                                            \
    do {                                                                                                     \
        const char *le_ = mixx_engine_last_error(e);                                                         \
        if (!strstr(le_, (text)))                                                                            \
            fail_msg("last_error does not name '%s': \"%s\"", (text), le_);                                  \
    } while (0)

#define assert_below(what, seconds, bound)                                                                   \
    do {                                                                                                     \
        double s_ = (seconds), b_ = (bound);                                                                 \
        print_message("%s: %.3f s (bound %.1f s)\n", (what), s_, b_);                                       \
        if (s_ >= b_)                                                                                        \
            fail_msg("%s took %.3f s, bound %.1f s", (what), s_, b_);                                        \
    } while (0)

/* A PortAudio stream runs, then stop with one of its calls stalled: stop returns 0 within the documented bound
 * (bound_s), last_error names the call (hung), and destroy returns. Then a PortAudio engine is tried again. */
static void pa_run_and_stall(double bound_s, const char *hung, const char *also)
{
    mixx_engine *e = make_engine(MIXX_BACKEND_PORTAUDIO, "mixxhang");
    assert_start(e);
    jt_sleep(0.3);
    mixx_stats st;
    assert_rc(mixx_engine_get_stats(e, &st, sizeof st), 0);
    if (st.callbacks == 0)
        fail_msg("the PortAudio stream ran no callback in 0.3 s");
    double t0 = jt_now();
    assert_rc(mixx_engine_stop_stream(e), 0);
    assert_below("stop with the stall", jt_now() - t0, bound_s + SLACK_S);
    print_message("last_error: %s\n", mixx_engine_last_error(e));
    assert_error_has(e, hung);
    assert_error_has(e, "abandoned");
    if (also)
        assert_error_has(e, also);
    t0 = jt_now();
    mixx_engine_destroy(e);
    assert_below("destroy", jt_now() - t0, AT_ONCE_S);
    /* the abandoned stream is still alive in PortAudio (its stop has not even begun): its callbacks must no
     * longer reach the freed engine (ASan would see it) */
    jt_sleep(0.5);
}

/* The next PortAudio start fails at once with `code` and a last_error holding `why`. */
static void pa_refused(int code, const char *why)
{
    mixx_engine *e = make_engine(MIXX_BACKEND_PORTAUDIO, "mixxhang2");
    double t0 = jt_now();
    assert_rc(mixx_engine_start_stream(e), code);
    assert_below("the next PortAudio start (refused)", jt_now() - t0, AT_ONCE_S);
    print_message("last_error: %s\n", mixx_engine_last_error(e));
    assert_error_has(e, why);
    mixx_engine_destroy(e);
}

/* a. Pa_StopStream hangs: stop gives up after 2 s (PA_STOP_TIMEOUT_MS), the stream is abandoned, the close is
 * skipped; PortAudio's JACK host API cannot be trusted again in this process: EDEVICELOST. */
static void test_pa_stop(void **state)
{
    (void)state;
    pa_run_and_stall(2.0, "Pa_StopStream", "did not return within 2000 ms");
    pa_refused(MIXX_EDEVICELOST, "could not be closed");
}

/* a'. Pa_CloseStream hangs (the stop itself worked): ≤ 2 s stop + ≤ 2 s close, the host API is wedged. */
static void test_pa_close(void **state)
{
    (void)state;
    pa_run_and_stall(4.0, "Pa_CloseStream", "its host API unusable");
    pa_refused(MIXX_EDEVICELOST, "could not be closed");
}

/* b. Pa_Terminate hangs: PortAudio is dead in this process (ETIMEDOUT at once, saying why); libjack counts as
 * held for good, so a JACK engine's open and close now run bounded, and with a healthy server they work. */
static void pa_terminate_stalled(void)
{
    pa_run_and_stall(4.0, "Pa_Terminate", "PortAudio unusable in this process");
}

static void test_pa_terminate(void **state)
{
    (void)state;
    pa_terminate_stalled();
    pa_refused(MIXX_ETIMEDOUT, "Pa_Terminate never returned");
    mixx_engine *e = make_engine(MIXX_BACKEND_JACK, "mixxhangj");
    double t0 = jt_now();
    assert_start(e);
    assert_below("JACK start (bounded open)", jt_now() - t0, 5.0 + SLACK_S);
    jt_sleep(0.3);
    mixx_stats st;
    assert_rc(mixx_engine_get_stats(e, &st, sizeof st), 0);
    if (st.callbacks == 0)
        fail_msg("the JACK engine ran no callback in 0.3 s");
    t0 = jt_now();
    assert_rc(mixx_engine_stop_stream(e), 0);
    assert_below("JACK stop (bounded close)", jt_now() - t0, 1.0 + SLACK_S);
    if (mixx_engine_last_error(e)[0])
        fail_msg("the JACK stop reports a problem: %s", mixx_engine_last_error(e));
    mixx_engine_destroy(e);
}

/* c. libjack held (Pa_Terminate stalled, as b) and jack_client_open hangs: the bounded open gives ETIMEDOUT
 * after 5 s (JACK_STUCK_OPEN_TIMEOUT_MS) saying an earlier call is stuck; the next start fails at once. */
static void test_jack_open(void **state)
{
    (void)state;
    pa_terminate_stalled();
    for (int round = 0; round < 2; round++) {
        mixx_engine *e = make_engine(MIXX_BACKEND_JACK, "mixxhangj");
        double t0 = jt_now();
        assert_rc(mixx_engine_start_stream(e), MIXX_ETIMEDOUT);
        double took = jt_now() - t0;
        if (round == 0) {
            assert_below("JACK start with jack_client_open stalled", took, 5.0 + SLACK_S);
            if (took < 4.9) /* the stall is 30 s: an earlier return means the open was not the bounded one */
                fail_msg("the stalled open returned after %.3f s, before its 5 s bound", took);
        } else {
            assert_below("the next JACK start (refused)", took, AT_ONCE_S);
        }
        print_message("last_error: %s\n", mixx_engine_last_error(e));
        assert_error_has(e, "did not return within 5000 ms");
        assert_error_has(e, "still stuck inside libjack");
        mixx_engine_destroy(e);
    }
}

/* e. Pa_StopStream hangs because a callback is stuck inside the engine (the host's audio_cb blocks, the usual
 * real cause): stop gives up after 2 s; the detach then finds the callback still inside after its 0.5 s wait and
 * pins the engine, so destroy returns at once and leaves the engine's memory allocated. The callback, released
 * afterwards, finishes on valid memory (ASan would see a use after free), and later callbacks play silence
 * without entering the engine. */
static atomic_int cb_block, cb_inside, cb_release, cb_after;

static void stuck_cb(const float *const *in, uint32_t n_in, float *const *out, uint32_t n_out, uint32_t n_frames,
                     void *user)
{
    (void)in, (void)n_in, (void)out, (void)n_out, (void)n_frames, (void)user;
    if (atomic_load(&cb_block) && !atomic_load(&cb_release)) {
        atomic_store(&cb_inside, 1);
        while (!atomic_load(&cb_release)) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
    if (atomic_load(&cb_release))
        atomic_fetch_add(&cb_after, 1);
}

static void test_pa_stuck_callback(void **state)
{
    (void)state;
    /* the façade's default engine, so that setting it up again after the pin can be checked too */
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.backend = MIXX_BACKEND_PORTAUDIO;
    c.device = pa_device;
    c.audio_cb = stuck_cb;
    assert_rc(mixx_engine_init_config(&c), 0);
    mixx_engine *e = mixx_engine_default();
    assert_non_null(e);
    assert_start(e);
    jt_sleep(0.3);
    atomic_store(&cb_block, 1);
    for (int i = 0; i < 300 && !atomic_load(&cb_inside); i++)
        jt_sleep(0.01);
    if (!atomic_load(&cb_inside))
        fail_msg("no callback entered the engine within 3 s");
    double t0 = jt_now();
    assert_rc(mixx_engine_stop(), 0);
    assert_below("stop with the callback stuck", jt_now() - t0, 2.5 + SLACK_S);
    print_message("last_error: %s\n", mixx_engine_last_error(e));
    assert_error_has(e, "Pa_StopStream");
    assert_error_has(e, "a callback is still inside the engine");
    t0 = jt_now();
    assert_rc(mixx_engine_shutdown(), 0); /* pinned: returns without tearing the engine down */
    assert_below("shutdown of the pinned engine", jt_now() - t0, AT_ONCE_S);
    atomic_store(&cb_release, 1);
    jt_sleep(0.5);
    int after = atomic_load(&cb_after);
    print_message("callbacks that reached audio_cb after the release: %d (the stuck one only)\n", after);
    if (after != 1)
        fail_msg("%d callbacks reached the engine's audio_cb after the release: the detached stream must not enter it", after);
    /* the pinned default engine is never set up again in this process */
    assert_rc(mixx_engine_init(48000, 64), MIXX_EBUSY);
    const char *why = mixx_engine_last_error(NULL);
    print_message("init after the pin: %s\n", why);
    if (!strstr(why, "cannot be set up again"))
        fail_msg("mixx_engine_last_error(NULL) does not say why init is refused: \"%s\"", why);
}

#ifdef MIXX_TEST_FAULT_HOOKS
static const int hooks_compiled = 1;
#else
static const int hooks_compiled = 0;
#endif

/* d. libjack held (as b) and jack_client_close hangs: stop returns 0 after the 1 s bound (JACK_CLOSE_TIMEOUT_MS;
 * a direct, unbounded close would not have met the hook at all), last_error names the close, destroy returns.
 * The abandoned client still gets the server's notifications: a buffer-size change made by a second engine
 * must not reach the destroyed first engine (ASan would see it); the second engine's close is abandoned too. */
static void test_jack_close(void **state)
{
    (void)state;
    pa_terminate_stalled();
    uint32_t sizes[2] = {128, 64}; /* the fixture server's size is 64: the second engine puts it back */
    for (int round = 0; round < 2; round++) {
        mixx_engine *e = make_engine(MIXX_BACKEND_JACK, round ? "mixxhangj2" : "mixxhangj");
        assert_start(e);
        jt_sleep(0.2);
        if (round == 1) {
            assert_rc(mixx_engine_set_buffer_size(e, sizes[0]), 0);
            jt_sleep(0.3);
            assert_rc(mixx_engine_set_buffer_size(e, sizes[1]), 0);
            jt_sleep(0.3);
        }
        double t0 = jt_now();
        assert_rc(mixx_engine_stop_stream(e), 0);
        double took = jt_now() - t0;
        assert_below("JACK stop with jack_client_close stalled", took, 1.0 + SLACK_S);
        if (took < 0.9)
            fail_msg("the stalled close returned after %.3f s, before its 1 s bound: not the bounded close", took);
        print_message("last_error: %s\n", mixx_engine_last_error(e));
        assert_error_has(e, "jack_client_close");
        assert_error_has(e, "did not return within 1000 ms");
        t0 = jt_now();
        mixx_engine_destroy(e);
        assert_below("destroy", jt_now() - t0, AT_ONCE_S);
    }
    jt_sleep(0.3);
}

/* e. a live server and jack_client_close hangs (jack_close_live: nothing else is stalled, libjack is not held,
 * as when jackd's request thread is stuck writing to a socket): stop returns 0 after the 10 s bound
 * (JACK_LIVE_CLOSE_TIMEOUT_MS) and says so. The abandoned close counts as holding libjack from then on: a second
 * engine still opens (bounded) and runs, and its stalled close is abandoned after the held bound, 1 s. */
static void test_jack_close_live(void **state)
{
    (void)state;
    const struct {
        const char *client, *says;
        double bound_s;
    } rounds[2] = {{"mixxhangl", "did not return within 10000 ms", 10.0},
                   {"mixxhangl2", "did not return within 1000 ms", 1.0}};
    for (int r = 0; r < 2; r++) {
        mixx_engine *e = make_engine(MIXX_BACKEND_JACK, rounds[r].client);
        assert_start(e);
        jt_sleep(0.2);
        double t0 = jt_now();
        assert_rc(mixx_engine_stop_stream(e), 0);
        double took = jt_now() - t0;
        assert_below("JACK stop with jack_client_close stalled on a live server", took, rounds[r].bound_s + SLACK_S);
        if (took < rounds[r].bound_s - 0.1)
            fail_msg("the stalled close returned after %.3f s, before its %.0f s bound: not the bounded close", took,
                     rounds[r].bound_s);
        print_message("last_error: %s\n", mixx_engine_last_error(e));
        assert_error_has(e, "jack_client_close on the server");
        assert_error_has(e, rounds[r].says);
        t0 = jt_now();
        mixx_engine_destroy(e);
        assert_below("destroy", jt_now() - t0, AT_ONCE_S);
    }
}

int main(int argc, char **argv)
{
    if (!hooks_compiled) {
        printf("SKIP: the library was built without the stall hooks (configure with -DMIXX_FAULT_HOOKS=ON)\n");
        return 77;
    }
    jt_init();
    const char *stall = getenv("MIXX_FAULT_STALL");
    if (argc != 2 || !stall || !*stall) {
        fprintf(stderr, "usage: MIXX_FAULT_STALL=SITES test_hang "
                        "pa_stop|pa_close|pa_terminate|jack_open|jack_close|pa_stuck_callback|jack_close_live\n");
        return 2;
    }
    /* the availability probes below close a JACK client on a live server: jack_close_live must not stall those */
    char stall_saved[256];
    snprintf(stall_saved, sizeof stall_saved, "%s", stall);
    if (strcmp(argv[1], "jack_close_live") == 0)
        unsetenv("MIXX_FAULT_STALL");
    char why[512];
    if (!mixx_backend_available(MIXX_BACKEND_PORTAUDIO, why, sizeof why)) {
        printf("SKIP: PortAudio backend unavailable: %s\n", why);
        return 77;
    }
    if (!mt_find_pa_jack_device(pa_device, sizeof pa_device, NULL, 0)) {
        printf("SKIP: PortAudio shows no JACK host API device (JACK_DEFAULT_SERVER=%s); run through ctest, whose "
               "fixture starts a server\n",
               jt_fixture_server[0] ? jt_fixture_server : "(unset)");
        return 77;
    }
    if (strncmp(argv[1], "jack_", 5) == 0 || strcmp(argv[1], "pa_terminate") == 0) {
        if (!mixx_backend_available(MIXX_BACKEND_JACK, why, sizeof why)) {
            printf("SKIP: JACK backend unavailable: %s\n", why);
            return 77;
        }
    }
    setenv("MIXX_FAULT_STALL", stall_saved, 1);
    const struct CMUnitTest all[] = {
        cmocka_unit_test(test_pa_stop),
        cmocka_unit_test(test_pa_close),
        cmocka_unit_test(test_pa_terminate),
        cmocka_unit_test(test_jack_open),
        cmocka_unit_test(test_jack_close),
        cmocka_unit_test(test_pa_stuck_callback),
        cmocka_unit_test(test_jack_close_live),
    };
    const char *names[] = {"pa_stop",    "pa_close",          "pa_terminate",   "jack_open",
                           "jack_close", "pa_stuck_callback", "jack_close_live"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(argv[1], names[i]) == 0) {
            printf("scenario %s, MIXX_FAULT_STALL=%s\n", names[i], stall);
            return _cmocka_run_group_tests(names[i], &all[i], 1, NULL, NULL);
        }
    fprintf(stderr, "test_hang: unknown scenario '%s'\n", argv[1]);
    return 2;
}
