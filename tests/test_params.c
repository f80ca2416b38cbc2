/* SPDX-License-Identifier: MIT */
/* test_params.c: the parameter bus, meters and channel strip, driven deterministically in hosted mode: descriptors,
 * bad input, a write applied in the next block, sample accuracy of timed events, block-size independence, zipper
 * bounds, exact bypass, preset round trip, meters (every peak, RMS), the strip's EQ/mute/polarity, and the strip's
 * and meters' output bit-identical on every ISA the DSP kernels support.
 * The threaded stress test is tests/test_params_stress.c. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mixxengine.h"
#include "mixxengine/dsp.h"
#include "mixxengine_params.h"

#include "mixx_test.h"

#include "engine_internal.h" /* test_hot_block looks at where the per-cycle state lies */
#include "engine_rtl.h"
#include "params_internal.h"

#define APP_ID 0x10001u
#define MAXBUF 1024

typedef struct app {
    mixx_engine *e;
    uint32_t id;      /* app parameter rendered as a gain on every output, 0 = none */
    int set_rc;       /* what mixx_param_set returned inside audio_cb */
    int try_set;
    uint32_t n_events;
    uint32_t g_begin, g_end, g_id; /* gesture events seen, and the last one's id */
    float g_value;
} app;

static void app_cb(const float *const *in, uint32_t n_in, float *const *out, uint32_t n_out, uint32_t n_frames,
                   void *user)
{
    (void)in, (void)n_in;
    app *a = user;
    static float g[MAXBUF];
    if (a->try_set)
        a->set_rc = mixx_param_set(a->e, 0x0001u, -1.0);
    const mixx_param_event *ev;
    uint32_t n_ev = mixx_param_block_events(a->e, &ev);
    a->n_events += n_ev;
    for (uint32_t k = 0; k < n_ev; k++) {
        if (ev[k].type == MIXX_PARAM_EV_GESTURE_BEGIN)
            a->g_begin++;
        if (ev[k].type == MIXX_PARAM_EV_GESTURE_END)
            a->g_end++;
        if (ev[k].type != MIXX_PARAM_EV_VALUE) {
            a->g_id = ev[k].id;
            a->g_value = ev[k].value;
        }
    }
    if (!a->id)
        return;
    if (mixx_param_render(a->e, a->id, g, n_frames) != 0)
        return;
    for (uint32_t c = 0; c < n_out; c++)
        for (uint32_t i = 0; i < n_frames; i++)
            out[c][i] *= g[i];
}

static mixx_engine *make(uint32_t channels, app *a, double app_smoothing_ms)
{
    mixx_config cfg;
    MIXX_CONFIG_INIT(&cfg);
    cfg.backend = MIXX_BACKEND_HOSTED;
    cfg.inputs = cfg.outputs = channels;
    cfg.max_buffer_size = MAXBUF;
    cfg.instrument = 0;
    cfg.audio_cb = a ? app_cb : NULL;
    cfg.user = a;
    mixx_engine *e = NULL;
    assert_rc(mixx_engine_create(&cfg, &e), 0);
    if (a) {
        a->e = e;
        if (app_smoothing_ms >= 0) {
            mixx_param_info pi;
            memset(&pi, 0, sizeof pi);
            pi.id = APP_ID;
            snprintf(pi.name, sizeof pi.name, "app.gain");
            pi.min = 0;
            pi.max = 4;
            pi.def = 1;
            pi.smoothing_ms = app_smoothing_ms;
            assert_rc(mixx_param_define(e, &pi), 0);
            a->id = APP_ID;
        }
    }
    assert_rc(mixx_engine_start_stream(e), 0);
    return e;
}

static int process(mixx_engine *e, float **in, float **out, uint32_t ch, uint32_t n)
{
    return mixx_engine_process(e, (const float *const *)in, ch, out, ch, n);
}

static uint32_t id_of(mixx_engine *e, const char *name)
{
    uint32_t id = 0;
    int rc = mixx_param_find(e, name, &id);
    if (rc)
        fail_msg("mixx_param_find(%s): %s", name, mixx_error_name(rc));
    return id;
}

/* ---- descriptors and bad input -------------------------------------------------------------------------------- */

static void test_descriptors(void **state)
{
    (void)state;
    mixx_engine *e = make(2, NULL, -1);
    assert_int_equal(mixx_param_count(e), 2 * 13 + 1 + 1);
    uint32_t id = id_of(e, "ch1.eq.mid.freq_hz");
    assert_int_equal(id, 0x106);
    mixx_param_info pi;
    assert_rc(mixx_param_info_by_id(e, id, &pi), 0);
    assert_string_equal(pi.unit, "Hz");
    assert_true(pi.min == 20 && pi.max == 20000 && pi.def == 1000 && (pi.flags & MIXX_PARAM_LOG));
    assert_int_equal(id_of(e, "master.gain_db"), 1);
    assert_int_equal(id_of(e, "pair1.balance"), 0x8001);
    assert_int_equal(id_of(e, "ch2.gain_db"), 0x20c);
    for (uint32_t i = 0; i < mixx_param_count(e); i++) {
        assert_rc(mixx_param_info_at(e, i, &pi), 0);
        uint32_t back = 0;
        assert_rc(mixx_param_find(e, pi.name, &back), 0);
        assert_int_equal(back, pi.id);
        double v;
        assert_rc(mixx_param_get(e, pi.id, &v), 0);
        assert_true(v == (double)(float)pi.def);
    }
    mixx_engine_destroy(e);
}

static void test_bad_input(void **state)
{
    (void)state;
    app a = {0};
    mixx_engine *e = make(2, &a, 0);
    uint32_t m = id_of(e, "master.gain_db");
    char before[8192], after[8192];
    size_t len;
    assert_rc(mixx_params_save(e, before, sizeof before, &len), 0);
    assert_rc(mixx_param_set(e, 0xdead, 1.0), MIXX_ENOPARAM);
    assert_rc(mixx_param_set_by_name(e, "ch9.gain_db", 1.0), MIXX_ENOPARAM);
    assert_rc(mixx_param_set(e, m, NAN), MIXX_ENAN);
    assert_rc(mixx_param_set(e, m, INFINITY), MIXX_ENAN);
    assert_rc(mixx_param_set_text(e, "master.gain_db=100"), MIXX_ERANGE);
    assert_rc(mixx_param_set_text(e, "master.gain_db=nan"), MIXX_ENAN);
    assert_rc(mixx_param_set_text(e, "master.gain_db=1x"), MIXX_EINVAL);
    assert_rc(mixx_param_set_text(e, "master.gain_db"), MIXX_EINVAL);
    assert_rc(mixx_param_set_text(e, "nope=1"), MIXX_ENOPARAM);
    mixx_param_info pi;
    memset(&pi, 0, sizeof pi);
    pi.id = 0x10002;
    snprintf(pi.name, sizeof pi.name, "late");
    pi.max = 1;
    assert_rc(mixx_param_define(e, &pi), MIXX_ERUNNING);
    static const char *const bad[] = {
        "",
        "{}",
        "{\"mixx_params\":1}",
        "{\"mixx_params\":2,\"values\":{}}",
        "{\"mixx_params\":1,\"values\":{\"master.gain_db\":-3,}}",
        "{\"mixx_params\":1,\"values\":{\"master.gain_db\":NaN}}",
        "{\"mixx_params\":1,\"values\":{\"master.gain_db\":\"-3\"}}",
        "{\"mixx_params\":1,\"values\":{\"master.gain_db\":-3,\"master.gain_db\":-4}}",
        "{\"mixx_params\":1,\"values\":{\"master.gain_db\":-3}} x",
        "{\"mixx_params\":1,\"values\":{\"master.gain_db\":01}}",
        "{\"mixx_params\":1,\"values\":{\"master.gain_db\":-3}",
        "{\"mixx_params\":1,\"values\":{\"mast\\u0065r.gain_db\":-3}}",
        "{\"mixx_params\":1,\"values\":{\"ch1.trim_db\":3,\"x\":1}}",
        "{\"mixx_params\":1,\"values\":{\"ch1.trim_db\":3,\"master.gain_db\":1000}}",
        "{\"mixx_params\":1,\"values\":{\"ch1.trim_db\":1e999}}",
    };
    static const int want[] = {MIXX_EPRESET, MIXX_EPRESET, MIXX_EPRESET, MIXX_EPRESET, MIXX_EPRESET,
                               MIXX_EPRESET, MIXX_EPRESET, MIXX_EPRESET, MIXX_EPRESET, MIXX_EPRESET,
                               MIXX_EPRESET, MIXX_EPRESET, MIXX_ENOPARAM, MIXX_ERANGE,  MIXX_ENAN};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = mixx_params_load(e, bad[i], strlen(bad[i]));
        if (rc != want[i])
            fail_msg("preset #%zu '%s': %s, expected %s", i, bad[i], mixx_error_name(rc), mixx_error_name(want[i]));
    }
    assert_rc(mixx_params_save(e, after, sizeof after, &len), 0);
    assert_string_equal(before, after); /* nothing changed */
    assert_rc(mixx_params_save(e, after, 10, &len), MIXX_ENOMEM);
    assert_true(len == strlen(before));
    /* from the audio thread */
    float b0[64] = {0}, b1[64] = {0}, *in[2] = {b0, b1}, *out[2] = {b0, b1};
    a.try_set = 1;
    assert_rc(process(e, in, out, 2, 64), 0);
    assert_rc(a.set_rc, MIXX_EAUDIOTHREAD);
    a.try_set = 0;
    /* outside a block */
    float g[64];
    assert_rc(mixx_param_render(e, APP_ID, g, 64), MIXX_ENOTRUNNING);
    /* gestures: state, and begin/end events in the next block's list (an automation recorder in audio_cb) */
    assert_rc(mixx_param_gesture(e, m, 0), MIXX_EINVAL);
    assert_rc(mixx_param_gesture(e, m, 1), 0);
    assert_int_equal(mixx_param_in_gesture(e, m), 1);
    assert_rc(mixx_param_set(e, m, -2.0), 0);
    assert_rc(process(e, in, out, 2, 64), 0);
    assert_int_equal(a.g_begin, 1);
    assert_int_equal(a.g_end, 0);
    assert_int_equal(a.g_id, m);
    assert_true(a.g_value == -2.0f);
    assert_rc(process(e, in, out, 2, 64), 0);
    assert_int_equal(a.g_begin, 1); /* reported once */
    assert_rc(mixx_param_gesture(e, m, 0), 0);
    assert_int_equal(mixx_param_in_gesture(e, m), 0);
    assert_rc(process(e, in, out, 2, 64), 0);
    assert_int_equal(a.g_end, 1);
    assert_rc(mixx_param_gesture(e, m, 1), 0); /* a whole gesture between two blocks: both events */
    assert_rc(mixx_param_gesture(e, m, 0), 0);
    assert_rc(process(e, in, out, 2, 64), 0);
    assert_int_equal(a.g_begin, 2);
    assert_int_equal(a.g_end, 2);
    mixx_engine_destroy(e);

    /* definitions */
    mixx_config cfg;
    MIXX_CONFIG_INIT(&cfg);
    cfg.backend = MIXX_BACKEND_HOSTED;
    assert_rc(mixx_engine_create(&cfg, &e), 0);
    memset(&pi, 0, sizeof pi);
    pi.id = 5;
    snprintf(pi.name, sizeof pi.name, "x");
    pi.max = 1;
    assert_rc(mixx_param_define(e, &pi), MIXX_EINVAL); /* engine's id range */
    pi.id = 0x10005;
    assert_rc(mixx_param_define(e, &pi), 0);
    assert_rc(mixx_param_define(e, &pi), MIXX_EEXIST);
    pi.id = 0x10006;
    assert_rc(mixx_param_define(e, &pi), MIXX_EEXIST); /* same name */
    snprintf(pi.name, sizeof pi.name, "bad name");
    assert_rc(mixx_param_define(e, &pi), MIXX_EINVAL);
    snprintf(pi.name, sizeof pi.name, "y");
    pi.min = 2;
    assert_rc(mixx_param_define(e, &pi), MIXX_EINVAL);
    pi.min = NAN;
    assert_rc(mixx_param_define(e, &pi), MIXX_ENAN);
    pi.min = 0;
    pi.flags = MIXX_PARAM_BOOL;
    pi.max = 2;
    assert_rc(mixx_param_define(e, &pi), MIXX_EINVAL);
    assert_rc(mixx_param_define(NULL, &pi), MIXX_ENULL);
    mixx_engine_destroy(e);
}

/* ---- writes and events ------------------------------------------------------------------------------------------ */

static void test_set_before_process(void **state)
{
    (void)state;
    app a = {0};
    mixx_engine *e = make(1, &a, 0);
    float buf[64], *in[1] = {buf}, *out[1] = {buf};
    for (int k = 0; k < 200; k++) {
        double v = (k % 17) * 0.2;
        assert_rc(mixx_param_set(e, APP_ID, v), 0);
        for (int i = 0; i < 64; i++)
            buf[i] = 1.0f;
        assert_rc(process(e, in, out, 1, 64), 0);
        for (int i = 0; i < 64; i++)
            if (buf[i] != (float)v)
                fail_msg("block %d sample %d: %g, the value set before the block is %g", k, i, buf[i], v);
        double ap;
        assert_rc(mixx_param_get_applied(e, APP_ID, &ap), 0);
        assert_true(ap == (double)(float)v);
    }
    /* clamped, coalesced: only the last of many writes lands */
    for (int i = 0; i < 100; i++)
        assert_rc(mixx_param_set(e, APP_ID, 10.0 + i), 0);
    assert_rc(mixx_param_set(e, APP_ID, 0.25), 0);
    a.n_events = 0;
    for (int i = 0; i < 64; i++)
        buf[i] = 1.0f;
    assert_rc(process(e, in, out, 1, 64), 0);
    assert_int_equal(a.n_events, 1);
    assert_true(buf[0] == 0.25f);
    /* an unchanged value re-sent: no event that moves anything, output identical */
    assert_rc(mixx_param_set(e, APP_ID, 0.25), 0);
    for (int i = 0; i < 64; i++)
        buf[i] = 1.0f;
    assert_rc(process(e, in, out, 1, 64), 0);
    for (int i = 0; i < 64; i++)
        assert_true(buf[i] == 0.25f);
    mixx_engine_destroy(e);
}

static void test_sample_accuracy(void **state)
{
    (void)state;
    app a = {0};
    mixx_engine *e = make(1, &a, 0);
    mixx_param_producer *p = NULL;
    assert_rc(mixx_param_producer_register(e, &p), 0);
    const uint32_t B = 64;
    float buf[64], *in[1] = {buf}, *out[1] = {buf};
    float cur = 1.0f;
    for (uint32_t k = 0; k < 100; k++) {
        uint32_t f = (k * 37) % B;
        float v = (float)((k % 7) * 0.5 + 0.25);
        uint64_t t = mixx_param_sample_time(e);
        assert_true(t == (uint64_t)k * B);
        assert_rc(mixx_param_push(p, APP_ID, v, t + f), 0);
        for (uint32_t i = 0; i < B; i++)
            buf[i] = 1.0f;
        assert_rc(process(e, in, out, 1, B), 0);
        for (uint32_t i = 0; i < B; i++) {
            float want = i < f ? cur : v;
            if (buf[i] != want)
                fail_msg("block %u: event at offset %u, sample %u is %g, expected %g", k, f, i, buf[i], want);
        }
        cur = v;
    }
    /* an event for a later block waits for it; times may not go back */
    uint64_t t = mixx_param_sample_time(e);
    assert_rc(mixx_param_push(p, APP_ID, 2.0, t + B + 5), 0);
    assert_rc(mixx_param_push(p, APP_ID, 2.0, t), MIXX_EINVAL);
    assert_rc(process(e, in, out, 1, B), 0);
    double ap;
    assert_rc(mixx_param_get_applied(e, APP_ID, &ap), 0);
    assert_true(ap == (double)cur);
    for (uint32_t i = 0; i < B; i++)
        buf[i] = 1.0f;
    assert_rc(process(e, in, out, 1, B), 0);
    assert_true(buf[4] == cur && buf[5] == 2.0f);
    /* a full queue: the value still lands (at the next block), the overflow is counted */
    t = mixx_param_sample_time(e) + 100000;
    int full = 0;
    for (int i = 0; i < MIXX_PARAM_QUEUE + 10; i++) {
        int rc = mixx_param_push(p, APP_ID, 3.0, t);
        if (rc == MIXX_EQUEUEFULL)
            full++;
        else
            assert_rc(rc, 0);
    }
    assert_int_equal(full, 10);
    assert_int_equal(mixx_param_producer_overflows(p), 10);
    assert_rc(process(e, in, out, 1, B), 0);
    assert_rc(mixx_param_get_applied(e, APP_ID, &ap), 0);
    assert_true(ap == 3.0);
    mixx_param_producer_unregister(p);
    mixx_engine_destroy(e);
}

/* A full queue: the overflowing value lands at the next block, and the older queued events of the same producer
 * for that parameter never overwrite it later; queued events for other parameters still apply at their time. */
static void test_overflow_order(void **state)
{
    (void)state;
    app a = {0};
    mixx_engine *e = make(2, &a, 0);
    mixx_param_producer *p = NULL;
    assert_rc(mixx_param_producer_register(e, &p), 0);
    uint32_t trim = id_of(e, "ch2.trim_db");
    uint64_t t = mixx_param_sample_time(e) + 1000;
    for (int i = 0; i < MIXX_PARAM_QUEUE - 1; i++)
        assert_rc(mixx_param_push(p, APP_ID, (double)(i % 4) * 0.5, t + (uint64_t)i), 0);
    assert_rc(mixx_param_push(p, trim, -6.0, t + 2000), 0); /* the last slot: another parameter */
    assert_rc(mixx_param_push(p, APP_ID, 3.5, t + 3000), MIXX_EQUEUEFULL);
    float l[64], r[64], *io[2] = {l, r};
    double ap;
    for (int k = 0; k < 80; k++) { /* 5120 frames: past every queued time */
        assert_rc(process(e, io, io, 2, 64), 0);
        assert_rc(mixx_param_get_applied(e, APP_ID, &ap), 0);
        if (ap != 3.5)
            fail_msg("block %d: applied %g, the newest push (3.5) overflowed into the slot and must stay", k, ap);
    }
    assert_rc(mixx_param_get_applied(e, trim, &ap), 0);
    assert_true(ap == -6.0);
    assert_int_equal(mixx_param_producer_overflows(p), 1);
    /* the queue works again, and a newer push applies */
    assert_rc(mixx_param_push(p, APP_ID, 1.5, mixx_param_sample_time(e) + 10), 0);
    assert_rc(process(e, io, io, 2, 64), 0);
    assert_rc(mixx_param_get_applied(e, APP_ID, &ap), 0);
    assert_true(ap == 1.5);
    mixx_param_producer_unregister(p);
    mixx_engine_destroy(e);
}

typedef struct foreign {
    mixx_param_producer *p;
    int rc;
} foreign;

static void *push_from_other(void *arg)
{
    foreign *f = arg;
    f->rc = mixx_param_push(f->p, APP_ID, 1.0, 0);
    return NULL;
}

static void test_producer_misuse(void **state)
{
    (void)state;
    app a = {0};
    mixx_engine *e = make(1, &a, 0);
    foreign f = {0};
    assert_rc(mixx_param_producer_register(e, &f.p), 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, push_from_other, &f), 0);
    pthread_join(th, NULL);
    assert_rc(f.rc, MIXX_EPRODUCER);
    assert_rc(mixx_param_push(f.p, 0xdead, 1.0, 0), MIXX_ENOPARAM);
    assert_rc(mixx_param_push(f.p, APP_ID, NAN, 0), MIXX_ENAN);
    mixx_param_producer *ps[MIXX_PARAM_PRODUCERS];
    int n = 0;
    for (; n < MIXX_PARAM_PRODUCERS; n++) {
        int rc = mixx_param_producer_register(e, &ps[n]);
        if (rc) {
            assert_rc(rc, MIXX_ETOOMANY);
            break;
        }
    }
    assert_int_equal(n, MIXX_PARAM_PRODUCERS - 1);
    for (int i = 0; i < n; i++)
        mixx_param_producer_unregister(ps[i]);
    mixx_param_producer_unregister(f.p);
    mixx_engine_destroy(e);
}

/* A piece of automation (timed events on the app parameter, master gain, ch1 trim, balance, and a static EQ),
 * rendered with block size B into out[]. */
static void render_automation(uint32_t B, float *outL, float *outR, uint32_t total)
{
    app a = {0};
    mixx_engine *e = make(2, &a, 5.0);
    assert_rc(mixx_param_set_text(e, "ch1.eq.mid.gain_db=6"), 0);
    assert_rc(mixx_param_set_text(e, "ch2.eq.low.gain_db=-4.5"), 0);
    mixx_param_producer *p = NULL;
    assert_rc(mixx_param_producer_register(e, &p), 0);
    uint32_t ids[4] = {APP_ID, id_of(e, "master.gain_db"), id_of(e, "ch1.trim_db"), id_of(e, "pair1.balance")};
    uint64_t rng = 12345;
    for (uint32_t k = 0; k < 40; k++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t t = (uint64_t)k * total / 40 + (rng >> 40) % 500;
        uint32_t w = (uint32_t)(rng >> 20) % 4;
        double v = w == 0 ? ((rng >> 8) % 300) / 100.0 : w == 3 ? (((rng >> 8) % 200) / 100.0 - 1.0)
                                                                : -(double)((rng >> 8) % 200) / 10.0;
        assert_rc(mixx_param_push(p, ids[w], v, t), 0);
    }
    static float l[MAXBUF], r[MAXBUF];
    float *in[2] = {l, r}, *out[2] = {l, r};
    for (uint32_t at = 0; at < total; at += B) {
        for (uint32_t i = 0; i < B; i++) {
            l[i] = 0.5f * (float)sin(0.01 * (at + i));
            r[i] = 0.25f;
        }
        assert_rc(process(e, in, out, 2, B), 0);
        memcpy(outL + at, l, B * sizeof(float));
        memcpy(outR + at, r, B * sizeof(float));
    }
    mixx_param_producer_unregister(p);
    mixx_engine_destroy(e);
}

static void test_block_size_independence(void **state)
{
    (void)state;
    const uint32_t total = 32768;
    float *refL = malloc(total * sizeof(float)), *refR = malloc(total * sizeof(float));
    float *L = malloc(total * sizeof(float)), *R = malloc(total * sizeof(float));
    assert_non_null(refL && refR && L && R);
    render_automation(16, refL, refR, total);
    for (uint32_t B = 32; B <= 1024; B *= 2) {
        render_automation(B, L, R, total);
        double worst = 0;
        uint32_t at = 0;
        for (uint32_t i = 0; i < total; i++) {
            double d = fabs((double)L[i] - refL[i]) + fabs((double)R[i] - refR[i]);
            if (d > worst) {
                worst = d;
                at = i;
            }
        }
        print_message("block %4u vs 16: max difference %.3g (sample %u)\n", B, worst, at);
        if (worst > 1e-7)
            fail_msg("block size %u differs from 16 by %g at sample %u", B, worst, at);
    }
    free(refL), free(refR), free(L), free(R);
}

/* ---- smoothing ---------------------------------------------------------------------------------------------- */

static void test_zipper(void **state)
{
    (void)state;
    mixx_engine *e = make(1, NULL, -1);
    uint32_t m = id_of(e, "master.gain_db");
    mixx_param_info pi;
    assert_rc(mixx_param_info_by_id(e, m, &pi), 0);
    const double T = pi.smoothing_ms / 1000.0, rate = 48000;
    float buf[64], *in[1] = {buf}, *out[1] = {buf};
    /* DC through a gain step 0 dB -> -12 dB: first difference bounded by |dg| / (T rate) */
    assert_rc(mixx_param_set(e, m, -12.0), 0);
    double g1 = pow(10.0, -12.0 / 20.0), bound = fabs(1.0 - g1) / (T * rate) * (1 + 1e-5) + 1e-7;
    float prev = 1.0f, maxd = 0;
    for (int k = 0; k < 40; k++) {
        for (int i = 0; i < 64; i++)
            buf[i] = 1.0f;
        assert_rc(process(e, in, out, 1, 64), 0);
        for (int i = 0; i < 64; i++) {
            float d = fabsf(buf[i] - prev);
            maxd = d > maxd ? d : maxd;
            prev = buf[i];
        }
    }
    print_message("DC step: max first difference %.9g, bound %.9g\n", maxd, bound);
    if (maxd > bound)
        fail_msg("first difference %g exceeds |dg|/(T rate) = %g", maxd, bound);
    assert_true(fabs(prev - g1) < 1e-6);
    /* a sine through a ramp -12 dB -> +6 dB against a double reference */
    uint64_t t0 = mixx_param_sample_time(e);
    assert_rc(mixx_param_set(e, m, 6.0), 0);
    double g2 = pow(10.0, 6.0 / 20.0), L = T * rate, worst = 0;
    for (int k = 0; k < 40; k++) {
        uint64_t base = mixx_param_sample_time(e);
        for (int i = 0; i < 64; i++)
            buf[i] = (float)(0.5 * sin(0.05 * (double)(base + i)));
        float x[64];
        memcpy(x, buf, sizeof x);
        assert_rc(process(e, in, out, 1, 64), 0);
        for (int i = 0; i < 64; i++) {
            double n = (double)(base + i - t0);
            double g = n >= L ? g2 : g1 + (g2 - g1) * n / L;
            double err = fabs((double)buf[i] - g * (double)x[i]);
            worst = err > worst ? err : worst;
        }
    }
    double db = 20 * log10(worst > 0 ? worst : 1e-30);
    print_message("sine through ramp: max error %.3g = %.1f dBFS\n", worst, db);
    if (db > -120)
        fail_msg("sine through a gain ramp deviates %.1f dBFS from the double reference", db);
    mixx_engine_destroy(e);
}

/* ---- strip ---------------------------------------------------------------------------------------------------- */

static void fill_noise(float *x, uint32_t n, uint64_t *rng)
{
    for (uint32_t i = 0; i < n; i++) {
        *rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
        x[i] = (float)((double)(*rng >> 11) / 9007199254740992.0 * 2.0 - 1.0);
    }
}

static void test_bypass_exact(void **state)
{
    (void)state;
    mixx_engine *e = make(2, NULL, -1);
    float l[256], r[256], xl[256], xr[256], *in[2] = {xl, xr}, *out[2] = {l, r};
    uint64_t rng = 7;
    /* non-default EQ frequency/Q with 0 dB gain is still a bypass */
    assert_rc(mixx_param_set_text(e, "ch1.eq.mid.freq_hz=333"), 0);
    assert_rc(mixx_param_set_text(e, "ch2.eq.high.q=3"), 0);
    for (int phase = 0; phase < 3; phase++) {
        if (phase == 1) {
            assert_rc(mixx_param_set_text(e, "ch1.eq.mid.gain_db=5"), 0);
            assert_rc(mixx_param_set_text(e, "master.gain_db=-3"), 0);
        }
        if (phase == 2) {
            assert_rc(mixx_param_set_text(e, "ch1.eq.mid.gain_db=0"), 0);
            assert_rc(mixx_param_set_text(e, "master.gain_db=0"), 0);
        }
        int differs = 0;
        for (int k = 0; k < 100; k++) {
            fill_noise(xl, 256, &rng);
            fill_noise(xr, 256, &rng);
            assert_rc(process(e, in, out, 2, 256), 0);
            int same = memcmp(l, xl, sizeof l) == 0 && memcmp(r, xr, sizeof r) == 0;
            if (!same)
                differs++;
            if (phase != 1 && k >= (phase == 2 ? 10 : 0) && !same)
                fail_msg("phase %d block %d: strip at defaults is not bit-identical", phase, k);
        }
        if (phase == 1 && differs == 0)
            fail_msg("an active EQ and master gain did not change the output");
    }
    mixx_engine_destroy(e);
}

static double sine_gain_db(mixx_engine *e, double freq, uint32_t ch, int blocks)
{
    float b[2][256], *io[2] = {b[0], b[1]};
    double si = 0, so = 0;
    uint64_t n = 0;
    for (int k = 0; k < blocks; k++) {
        float x[256];
        for (int i = 0; i < 256; i++, n++)
            x[i] = b[0][i] = b[1][i] = (float)(0.25 * sin(2 * M_PI * freq * (double)n / 48000.0));
        assert_rc(process(e, io, io, 2, 256), 0);
        if (k >= blocks / 2)
            for (int i = 0; i < 256; i++) {
                si += (double)x[i] * x[i];
                so += (double)b[ch][i] * b[ch][i];
            }
    }
    return 10 * log10(so / si);
}

static void test_strip_functions(void **state)
{
    (void)state;
    mixx_engine *e = make(2, NULL, -1);
    assert_rc(mixx_param_set_text(e, "ch1.eq.mid.gain_db=6"), 0);
    double g = sine_gain_db(e, 1000, 0, 100);
    print_message("mid band +6 dB at 1 kHz: %.3f dB\n", g);
    assert_true(fabs(g - 6.0) < 0.05);
    assert_true(fabs(sine_gain_db(e, 1000, 1, 100)) < 1e-6); /* ch2 untouched */
    assert_rc(mixx_param_set_text(e, "ch1.eq.mid.gain_db=0"), 0);
    assert_rc(mixx_param_set_text(e, "ch2.eq.high.gain_db=-12"), 0);
    g = sine_gain_db(e, 20000, 1, 100);
    print_message("high shelf -12 dB at 20 kHz: %.3f dB\n", g);
    assert_true(fabs(g + 12.0) < 0.3);
    assert_rc(mixx_param_set_text(e, "ch2.eq.high.gain_db=0"), 0);
    assert_rc(mixx_param_set_text(e, "ch1.trim_db=-6"), 0);
    assert_rc(mixx_param_set_text(e, "ch1.gain_db=3"), 0);
    g = sine_gain_db(e, 440, 0, 60);
    assert_true(fabs(g + 3.0) < 1e-3);
    assert_rc(mixx_param_set_text(e, "ch1.trim_db=0"), 0);
    assert_rc(mixx_param_set_text(e, "ch1.gain_db=0"), 0);
    assert_rc(mixx_param_set_text(e, "pair1.balance=0.5"), 0);
    assert_true(fabs(sine_gain_db(e, 440, 0, 60) - 20 * log10(0.5)) < 1e-3);
    assert_true(fabs(sine_gain_db(e, 440, 1, 60)) < 1e-6);
    assert_rc(mixx_param_set_text(e, "pair1.balance=0"), 0);
    sine_gain_db(e, 440, 0, 20); /* let the balance settle */
    /* polarity: after the crossfade, exactly -x; mute: exactly 0 */
    assert_rc(mixx_param_set_text(e, "ch2.polarity=1"), 0);
    assert_rc(mixx_param_set_text(e, "ch1.mute=on"), 0);
    float b[2][256], x[256], *io[2] = {b[0], b[1]};
    uint64_t rng = 3;
    float maxstep = 0, prev = 1.0f;
    for (int k = 0; k < 20; k++) {
        fill_noise(x, 256, &rng);
        memcpy(b[0], x, sizeof x);
        memcpy(b[1], x, sizeof x);
        /* DC through the mute: its crossfade has no step larger than 1 / (5 ms * rate) */
        for (int i = 0; i < 256; i++)
            b[0][i] = 1.0f;
        assert_rc(process(e, io, io, 2, 256), 0);
        for (int i = 0; i < 256; i++) {
            float d = fabsf(b[0][i] - prev);
            maxstep = d > maxstep ? d : maxstep;
            prev = b[0][i];
        }
        if (k >= 2)
            for (int i = 0; i < 256; i++) {
                if (b[1][i] != -x[i] || b[0][i] != 0.0f)
                    fail_msg("block %d: polarity/mute not exact (%g vs %g, %g)", k, b[1][i], -x[i], b[0][i]);
            }
    }
    print_message("mute crossfade: max step %.6f (bound %.6f)\n", maxstep, 1.0 / 240.0);
    assert_true(maxstep <= 1.0 / 240.0 + 1e-6);
    mixx_engine_destroy(e);
}

/* ---- state ------------------------------------------------------------------------------------------------------ */

static void test_preset_roundtrip(void **state)
{
    (void)state;
    app a = {0};
    mixx_engine *e = make(4, &a, 10);
    uint64_t rng = 99;
    uint32_t n = mixx_param_count(e);
    for (uint32_t i = 0; i < n; i++) {
        mixx_param_info pi;
        assert_rc(mixx_param_info_at(e, i, &pi), 0);
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        double u = (double)(rng >> 11) / 9007199254740992.0;
        assert_rc(mixx_param_set(e, pi.id, pi.min + (pi.max - pi.min) * u), 0);
    }
    static char t1[1 << 16], t2[1 << 16];
    size_t l1, l2;
    assert_rc(mixx_params_save(e, t1, sizeof t1, &l1), 0);
    app b = {0};
    mixx_engine *e2 = make(4, &b, 10);
    assert_rc(mixx_params_load(e2, t1, l1), 0);
    assert_rc(mixx_params_save(e2, t2, sizeof t2, &l2), 0);
    assert_string_equal(t1, t2);
    for (uint32_t i = 0; i < n; i++) {
        mixx_param_info pi;
        assert_rc(mixx_param_info_at(e, i, &pi), 0);
        double v1, v2;
        assert_rc(mixx_param_get(e, pi.id, &v1), 0);
        assert_rc(mixx_param_get(e2, pi.id, &v2), 0);
        if (memcmp(&v1, &v2, sizeof v1) != 0)
            fail_msg("%s: %.17g saved, %.17g loaded", pi.name, v1, v2);
    }
    mixx_engine_destroy(e);
    mixx_engine_destroy(e2);
}

/* ---- meters ------------------------------------------------------------------------------------------------------ */

static void test_meters_peaks(void **state)
{
    (void)state;
    mixx_engine *e = make(2, NULL, -1);
    assert_rc(mixx_meters_enable(e, 1), 0);
    const uint32_t B = 64, rate = 48000, per_read = rate / 60;
    float l[64], r[64], *in[2] = {l, r}, *out[2] = {l, r};
    uint64_t n = 0, next_read = per_read, frames_seen = 0;
    int impulses = 0, window_has = 0, reads = 0, missed = 0, was_slow = 0;
    uint64_t clips_seen = 0;
    for (int k = 0; k < 3000; k++) {
        for (uint32_t i = 0; i < B; i++, n++) {
            int imp = n % 997 == 0;
            l[i] = imp ? 1.0f : 0.0f;
            r[i] = 0.001f;
            if (imp) {
                impulses++;
                window_has++;
            }
        }
        assert_rc(process(e, in, out, 2, B), 0);
        /* a UI at 60 Hz, and once a slow one (1.5 s: the ring overflows into the pending record) */
        int slow = k > 1000 && k < 2200;
        uint64_t every = slow ? (uint64_t)rate * 3 / 2 : per_read;
        if (n >= next_read) {
            mixx_meter mi[2], mo[2];
            assert_rc(mixx_meters_read(e, mi, 2, mo, 2), 0);
            reads++;
            frames_seen += mi[0].frames;
            clips_seen += mi[0].clips;
            /* at 60 Hz the ring never fills: each window has exactly its own impulses. After a slow read the
             * ring was full and the rest waits in the pending record: it arrives with the next read. */
            if (!slow && !was_slow) {
                if (window_has && (mi[0].peak != 1.0f || mo[0].peak != 1.0f || mi[0].clips != (uint32_t)window_has))
                    missed++;
                if (!window_has && mi[0].peak != 0.0f)
                    fail_msg("read %d: a peak with no impulse in the window", reads);
            }
            if (mi[1].peak != 0.001f)
                fail_msg("read %d: channel 2 peak %g", reads, mi[1].peak);
            was_slow = slow;
            window_has = 0;
            next_read = n + every;
        }
    }
    memset(l, 0, sizeof l);
    for (int i = 0; i < 2; i++) { /* a read frees the ring; the next block delivers the pending record */
        mixx_meter mi[2];
        assert_rc(mixx_meters_read(e, mi, 2, NULL, 0), 0);
        frames_seen += mi[0].frames;
        clips_seen += mi[0].clips;
        if (i == 0)
            assert_rc(process(e, in, out, 2, B), 0);
    }
    print_message("%d impulses, %d reads, %d windows missed a peak, %llu clips counted\n", impulses, reads, missed,
                  (unsigned long long)clips_seen);
    assert_int_equal(missed, 0);
    assert_true(clips_seen == (uint64_t)impulses);
    assert_true(frames_seen == n + B);
    mixx_engine_destroy(e);
}

static void test_meters_rms(void **state)
{
    (void)state;
    mixx_engine *e = make(1, NULL, -1);
    assert_rc(mixx_meters_enable(e, 1), 0);
    float x[64], *in[1] = {x}, *out[1] = {x};
    double amp = pow(10.0, -20.0 / 20.0) * sqrt(2.0), si = 0, so = 0;
    mixx_meter mi = {0};
    uint64_t n = 0;
    for (int k = 0; k < 48000 / 64; k++) {
        for (int i = 0; i < 64; i++, n++)
            x[i] = (float)(amp * sin(2 * M_PI * 1000.0 * (double)n / 48000.0));
        assert_rc(process(e, in, out, 1, 64), 0);
        if (k % 12 == 11 || k == 48000 / 64 - 1) { /* ~60 Hz */
            mixx_meter r, o;
            assert_rc(mixx_meters_read(e, &r, 1, &o, 1), 0);
            mi.frames += r.frames;
            mi.clips += r.clips;
            mi.peak = r.peak > mi.peak ? r.peak : mi.peak;
            si += (double)r.rms * r.rms * (double)r.frames;
            so += (double)o.rms * o.rms * (double)o.frames;
        }
    }
    double db = 10 * log10(si / (double)mi.frames), dbo = 10 * log10(so / (double)mi.frames);
    print_message("RMS of a -20 dBFS sine: %.5f dBFS in, %.5f out (peak %.6f)\n", db, dbo, mi.peak);
    assert_true(fabs(db + 20.0) < 0.01);
    assert_true(fabs(dbo + 20.0) < 0.01);
    assert_true(mi.frames == 48000 && mi.clips == 0);
    mixx_engine_destroy(e);
}

/* ---- ISA independence ------------------------------------------------------------------------------------------- */

/* the whole strip (every band on, EQ moving through its redesign path, gains ramping, timed events) and the meters
 * on noise, with the kernels of one ISA; the output and meter readings are compared across ISAs bit for bit */
#define ISA_FRAMES 8192
static void render_isa(float *out, mixx_meter *mi, mixx_meter *mo)
{
    mixx_engine *e = make(2, NULL, -1);
    assert_rc(mixx_meters_enable(e, 1), 0);
    static const char *const set[] = {"ch1.eq.low.gain_db=5",  "ch1.eq.mid.gain_db=-7", "ch1.eq.high.gain_db=3",
                                      "ch2.eq.low.gain_db=-9", "ch2.eq.high.gain_db=8", "ch2.eq.mid.q=3",
                                      "ch1.trim_db=4",         "ch2.polarity=1"};
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        assert_rc(mixx_param_set_text(e, set[i]), 0);
    mixx_param_producer *p = NULL;
    assert_rc(mixx_param_producer_register(e, &p), 0);
    assert_rc(mixx_param_push(p, id_of(e, "ch1.eq.mid.freq_hz"), 2500, 1000), 0);
    assert_rc(mixx_param_push(p, id_of(e, "ch2.eq.low.gain_db"), 6, 1500), 0);
    assert_rc(mixx_param_push(p, id_of(e, "ch1.gain_db"), -10, 2049), 0);
    assert_rc(mixx_param_push(p, id_of(e, "pair1.balance"), 0.4, 3000), 0);
    assert_rc(mixx_param_push(p, id_of(e, "master.gain_db"), 2, 4000), 0);
    assert_rc(mixx_param_push(p, id_of(e, "ch2.mute"), 1, 6000), 0);
    float b[2][128], *io[2] = {b[0], b[1]};
    uint64_t rng = 77;
    for (uint32_t at = 0; at < ISA_FRAMES; at += 128) {
        fill_noise(b[0], 128, &rng);
        fill_noise(b[1], 128, &rng);
        assert_rc(process(e, io, io, 2, 128), 0);
        memcpy(out + 2 * at, b[0], sizeof b[0]);
        memcpy(out + 2 * at + 128, b[1], sizeof b[1]);
    }
    assert_rc(mixx_meters_read(e, mi, 2, mo, 2), 0);
    mixx_param_producer_unregister(p);
    mixx_engine_destroy(e);
}

/* channel 1 through an EQ that channel 2 shares (the pair runs as one 2-lane cascade) and through the same EQ while
 * channel 2's differs (each channel alone): bit-identical */
static void render_pair(float *out, const char *ch2_mid)
{
    mixx_engine *e = make(2, NULL, -1);
    static const char *const set[] = {"ch1.eq.low.gain_db=5", "ch1.eq.mid.gain_db=-7", "ch1.eq.high.gain_db=3",
                                      "ch2.eq.low.gain_db=5", "ch2.eq.high.gain_db=3", "ch1.trim_db=-2"};
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        assert_rc(mixx_param_set_text(e, set[i]), 0);
    assert_rc(mixx_param_set_text(e, ch2_mid), 0);
    float b[2][128], *io[2] = {b[0], b[1]};
    uint64_t rng = 5;
    for (uint32_t at = 0; at < 4096; at += 128) {
        fill_noise(b[0], 128, &rng);
        fill_noise(b[1], 128, &rng);
        assert_rc(process(e, io, io, 2, 128), 0);
        memcpy(out + at, b[0], sizeof b[0]);
    }
    mixx_engine_destroy(e);
}

/* The per-cycle state of the bus, the meters, the strip and the latency meter is carved from the engine's hot
 * block at every channel count up to the largest, so an audio cycle's control state lies on the engine's first
 * two pages (issue 13: every distinct page a cycle touches can cost a host fault on a VM). A latency meter made
 * anew for a rate change goes to the block while it has room, then to the heap; destroy frees only the latter. */
static void test_hot_block(void **state)
{
    (void)state;
    const uint32_t chans[] = {1, 2, 8, 64};
    for (size_t k = 0; k < sizeof chans / sizeof chans[0]; k++) {
        mixx_engine *e = make(chans[k], NULL, -1);
        const uintptr_t first = (uintptr_t)&e->bus, last = (uintptr_t)e->hot.base + e->hot.used - 1;
        print_message("%2u channels: hot block %zu of %zu bytes used; the engine's words and the block on its pages "
                      "%zu-%zu\n", chans[k], e->hot.used, e->hot.size, (size_t)((first - (uintptr_t)e) / 4096),
                      (size_t)((last - (uintptr_t)e) / 4096));
        assert_int_equal((uintptr_t)e % MIXX_ENGINE_ALIGN, 0);
        assert_true(mixx__hot_owns(&e->hot, e->bus));
        assert_true(mixx__hot_owns(&e->hot, e->bus->meters));
        assert_true(mixx__hot_owns(&e->hot, e->bus->strip));
        assert_true(mixx__hot_owns(&e->hot, e->rtl));
        assert_true(last / 4096 - first / 4096 <= 1);
        assert_rc(mixx_engine_stop_stream(e), 0);
        /* the block has room for one more meter (MIXX_HOT_BYTES), not for eight */
        int in_hot = 0, on_heap = 0;
        for (int i = 0; i < 8; i++) {
            assert_rc(mixx__engine_rtl_set_rate(e, i & 1 ? 44100 : 96000), 0);
            if (mixx__hot_owns(&e->hot, e->rtl))
                in_hot++;
            else
                on_heap++;
        }
        print_message("  8 rate changes: %d new meters in the block, %d on the heap\n", in_hot, on_heap);
        assert_true(in_hot >= 1 && on_heap >= 1);
        mixx_engine_destroy(e);
    }
}

static void test_strip_pair_lanes(void **state)
{
    (void)state;
    static float together[4096], alone[4096];
    render_pair(together, "ch2.eq.mid.gain_db=-7");
    render_pair(alone, "ch2.eq.mid.gain_db=-6");
    for (uint32_t i = 0; i < 4096; i++)
        if (memcmp(&together[i], &alone[i], sizeof(float)) != 0)
            fail_msg("sample %u: %.9g in a 2-lane cascade, %.9g alone", i, together[i], alone[i]);
}

static int same_meter(const mixx_meter *a, const mixx_meter *b) /* bit for bit, padding aside */
{
    return memcmp(&a->peak, &b->peak, sizeof a->peak) == 0 && memcmp(&a->rms, &b->rms, sizeof a->rms) == 0 &&
           a->clips == b->clips && a->frames == b->frames;
}

static void test_strip_isa_identical(void **state)
{
    (void)state;
    const mixx_dsp_isa was = mixx_dsp_isa_current();
    float *ref = malloc(2 * ISA_FRAMES * sizeof(float)), *got = malloc(2 * ISA_FRAMES * sizeof(float));
    assert_non_null(ref && got);
    mixx_meter ri[2], ro[2], gi[2], go[2];
    assert_rc(mixx_dsp_set_isa(MIXX_DSP_SCALAR), 0);
    render_isa(ref, ri, ro);
    int compared = 0;
    for (int isa = MIXX_DSP_SCALAR + 1; isa < MIXX_DSP_ISA_COUNT; isa++) {
        if (!mixx_dsp_isa_supported((mixx_dsp_isa)isa))
            continue;
        assert_rc(mixx_dsp_set_isa((mixx_dsp_isa)isa), 0);
        render_isa(got, gi, go);
        compared++;
        for (uint32_t i = 0; i < 2 * ISA_FRAMES; i++)
            if (memcmp(&ref[i], &got[i], sizeof(float)) != 0)
                fail_msg("%s vs scalar: sample %u of the strip output differs (%.9g vs %.9g)",
                         mixx_dsp_isa_name((mixx_dsp_isa)isa), i, got[i], ref[i]);
        for (int c = 0; c < 2; c++)
            if (!same_meter(&ri[c], &gi[c]) || !same_meter(&ro[c], &go[c]))
                fail_msg("%s vs scalar: channel %d meters differ (out peak %.9g/%.9g rms %.9g/%.9g clips %u/%u)",
                         mixx_dsp_isa_name((mixx_dsp_isa)isa), c + 1, go[c].peak, ro[c].peak, go[c].rms, ro[c].rms,
                         go[c].clips, ro[c].clips);
        print_message("strip + meters, %u frames x 2: %s bit-identical to scalar\n", ISA_FRAMES,
                      mixx_dsp_isa_name((mixx_dsp_isa)isa));
    }
    assert_rc(mixx_dsp_set_isa(was), 0);
    free(ref), free(got);
    if (!compared)
        skip(); /* only the scalar kernels on this CPU: nothing to compare against */
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptors),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_set_before_process),
        cmocka_unit_test(test_sample_accuracy),
        cmocka_unit_test(test_producer_misuse),
        cmocka_unit_test(test_overflow_order),
        cmocka_unit_test(test_block_size_independence),
        cmocka_unit_test(test_zipper),
        cmocka_unit_test(test_bypass_exact),
        cmocka_unit_test(test_strip_functions),
        cmocka_unit_test(test_preset_roundtrip),
        cmocka_unit_test(test_meters_peaks),
        cmocka_unit_test(test_meters_rms),
        cmocka_unit_test(test_strip_isa_identical),
        cmocka_unit_test(test_strip_pair_lanes),
        cmocka_unit_test(test_hot_block),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
