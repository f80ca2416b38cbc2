/* SPDX-License-Identifier: MIT */
/* test_api.c: the public API's contract: the error table, configuration validation, the misuse matrix of the
 * façade and the handle API (every call out of order or absurd parameter gets its specific code and leaves the
 * engine usable), and hosted-mode processing (aliasing, odd sizes, silencing, exact record accounting). */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mixxengine.h"

#include "mixx_test.h"

/* ---- error table ---- */

static void test_error_table(void **state)
{
    (void)state;
    static const int codes[] = {
#define XX(name, code, text) code,
        MIXX_ERRNO_MAP(XX)
#undef XX
    };
    size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        assert_true(codes[i] < 0);
        assert_string_not_equal(mixx_strerror(codes[i]), "unknown error");
        assert_string_not_equal(mixx_error_name(codes[i]), "MIXX_UNKNOWN");
        for (size_t j = i + 1; j < n; j++) {
            assert_int_not_equal(codes[i], codes[j]);
            assert_string_not_equal(mixx_strerror(codes[i]), mixx_strerror(codes[j]));
        }
    }
    assert_string_equal(mixx_strerror(0), "success");
    assert_string_equal(mixx_strerror(-9999), "unknown error");
    assert_string_equal(mixx_strerror(42), "unknown error");
    assert_string_equal(mixx_error_name(MIXX_EBUFSIZE), "MIXX_EBUFSIZE");
    assert_string_equal(mixx_error_name(-9999), "MIXX_UNKNOWN");
}

static void test_version_and_names(void **state)
{
    (void)state;
    assert_int_equal(mixx_version(), MIXX_VERSION_HEX);
    char buf[32];
    snprintf(buf, sizeof buf, "%d.%d.%d", MIXX_VERSION_MAJOR, MIXX_VERSION_MINOR, MIXX_VERSION_PATCH);
    assert_string_equal(mixx_version_string(), buf);
    mixx_backend b;
    for (int i = 0; i < MIXX_BACKEND_COUNT; i++) {
        assert_int_equal(mixx_backend_from_name(mixx_backend_name((mixx_backend)i), &b), 0);
        assert_int_equal(b, i);
    }
    assert_null(mixx_backend_name(MIXX_BACKEND_COUNT));
    assert_rc(mixx_backend_from_name("coreaudio9", &b), MIXX_EBACKEND);
    assert_rc(mixx_backend_from_name(NULL, &b), MIXX_ENULL);
    assert_int_equal(mixx_backend_available(MIXX_BACKEND_SIM, NULL, 0), 1);
    char why[128];
    assert_int_equal(mixx_backend_available((mixx_backend)77, why, sizeof why), 0);
    assert_string_equal(why, "unknown backend");
    assert_string_equal(mixx_rtl_status_name(MIXX_RTL_OK), "ok");
    assert_string_equal(mixx_rtl_status_name(MIXX_RTL_NO_SIGNAL), "no_signal");
    assert_string_equal(mixx_rtl_status_name(MIXX_RTL_UNRELIABLE), "unreliable");
    assert_string_equal(mixx_rtl_status_name(3), "unknown");
    assert_string_equal(mixx_rtl_status_name(-1), "unknown");
}

/* ---- configuration ---- */

static void test_config_validation(void **state)
{
    (void)state;
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    assert_int_equal(c.sample_rate, 48000);
    assert_int_equal(c.buffer_size, 64);
    assert_int_equal(c.inputs, 2);
    assert_int_equal(c.outputs, 2);
    assert_int_equal(c.backend, MIXX_BACKEND_SIM);
    assert_rc(mixx_config_validate(&c), 0);
    assert_rc(mixx_config_validate(NULL), MIXX_ENULL);

    /* table of (field change, expected code); each starts from the defaults */
#define CHECK(stmt, code)                                                                                    \
    do {                                                                                                     \
        mixx_config x;                                                                                       \
        mixx_config_init(&x, sizeof x);                                                                      \
        stmt;                                                                                                \
        int rc_ = mixx_config_validate(&x);                                                                  \
        if (rc_ != (code))                                                                                   \
            fail_msg("after '%s': %s, expected %s", #stmt, mixx_error_name(rc_), mixx_error_name(code));    \
        mixx_engine *e_ = NULL;                                                                              \
        int crc_ = mixx_engine_create(&x, &e_);                                                              \
        if ((code) != 0 && (crc_ != (code) || e_ != NULL))                                                   \
            fail_msg("create after '%s': %s, expected %s", #stmt, mixx_error_name(crc_),                   \
                     mixx_error_name(code));                                                                 \
        mixx_engine_destroy(e_);                                                                             \
    } while (0)
    CHECK(x.sample_rate = 0, MIXX_ERATE);
    CHECK(x.sample_rate = 768001, MIXX_ERATE);
    CHECK(x.sample_rate = 768000, 0);
    CHECK(x.sample_rate = 1, 0);
    CHECK(x.buffer_size = 0, MIXX_EBUFSIZE);
    CHECK(x.buffer_size = 8193, MIXX_EBUFSIZE);
    CHECK((x.buffer_size = 8192, x.max_buffer_size = 8192), 0);
    CHECK(x.buffer_size = 1, 0);
    CHECK(x.max_buffer_size = 32, MIXX_EBUFSIZE); /* below buffer_size */
    CHECK(x.inputs = 65, MIXX_ECHANNELS);
    CHECK(x.outputs = 65, MIXX_ECHANNELS);
    CHECK((x.inputs = 0, x.outputs = 0), MIXX_ECHANNELS);
    CHECK((x.inputs = 0, x.outputs = 64), 0);
    CHECK(x.struct_size = 12, MIXX_ESTRUCT); /* not a multiple of 8 */
    CHECK(x.struct_size = 4, MIXX_ESTRUCT);  /* below the minimum */
    CHECK(x.jack.reserved_ = 1, MIXX_EINVAL);
    CHECK(x.backend = (mixx_backend)99, MIXX_EBACKEND);
    CHECK(x.ring_capacity = 1000, MIXX_EINVAL);
    CHECK(x.ring_capacity = 0, MIXX_EINVAL);
    CHECK(x.rt_priority = 100, MIXX_EINVAL);
    CHECK(x.rt_priority = -1, MIXX_EINVAL);
    CHECK(x.sim.periods = 0, MIXX_EINVAL);
    CHECK(x.sim.extra_latency = NAN, MIXX_ERANGE);
    CHECK(x.sim.extra_latency = -1, MIXX_ERANGE);
    CHECK(x.sim.extra_latency = 1e9, MIXX_ERANGE);
    CHECK(x.sim.gain = INFINITY, MIXX_ERANGE);
    CHECK(x.sim.snr_db = NAN, MIXX_ERANGE);
    CHECK(x.sim.faults.fail_after_s = -1, MIXX_ERANGE);
#undef CHECK
    mixx_engine *e = (mixx_engine *)1;
    assert_rc(mixx_engine_create(NULL, &e), MIXX_ENULL);
    assert_rc(mixx_engine_create(&c, NULL), MIXX_ENULL);
    mixx_engine_destroy(NULL); /* harmless */
}

/* ---- the façade of the original plan ---- */

static void test_facade_misuse_matrix(void **state)
{
    (void)state;
    /* before init: everything but init is out of order */
    assert_null(mixx_engine_default());
    assert_string_equal(mixx_engine_last_error(NULL), "");
    assert_rc(mixx_engine_start(), MIXX_ENOTINIT);
    /* the text says what to call instead: init for the façade, the handle API's verb otherwise */
    const char *why = mixx_engine_last_error(mixx_engine_default());
    assert_non_null(strstr(why, "not initialised"));
    assert_non_null(strstr(why, "mixx_engine_init("));
    assert_non_null(strstr(why, "mixx_engine_start_stream(engine)"));
    assert_rc(mixx_engine_stop(), MIXX_ENOTINIT);
    assert_non_null(strstr(mixx_engine_last_error(NULL), "mixx_engine_stop_stream(engine)"));
    assert_rc(mixx_engine_shutdown(), MIXX_ENOTINIT);
    assert_non_null(strstr(mixx_engine_last_error(NULL), "mixx_engine_destroy(engine)"));
    /* absurd parameters leave it uninitialised */
    assert_rc(mixx_engine_init(0, 64), MIXX_ERATE);
    assert_rc(mixx_engine_init(800000, 64), MIXX_ERATE);
    assert_rc(mixx_engine_init(48000, 0), MIXX_EBUFSIZE);
    assert_rc(mixx_engine_init(48000, 9000), MIXX_EBUFSIZE);
    assert_rc(mixx_engine_init_config(NULL), MIXX_ENULL);
    assert_null(mixx_engine_default());
    /* the happy path, with every out-of-order call in between */
    assert_rc(mixx_engine_init(48000, 64), 0);
    assert_string_equal(mixx_engine_last_error(NULL), ""); /* a successful init clears the hint */
    assert_string_equal(mixx_engine_last_error(mixx_engine_default()), "");
    assert_rc(mixx_engine_init(48000, 64), MIXX_EALREADY);
    assert_rc(mixx_engine_init(44100, 128), MIXX_EALREADY);
    assert_rc(mixx_engine_stop(), MIXX_ENOTRUNNING);
    mixx_engine *h = mixx_engine_default();
    assert_non_null(h);
    assert_rc(mixx_engine_start(), 0);
    assert_rc(mixx_engine_start(), MIXX_ERUNNING);
    assert_rc(mixx_engine_init(48000, 64), MIXX_EALREADY);
    usleep(50000);
    mixx_stats st;
    assert_rc(mixx_engine_get_stats(h, &st, sizeof(mixx_stats)), 0);
    assert_true(st.running);
    assert_rc(mixx_engine_stop(), 0);
    assert_rc(mixx_engine_stop(), MIXX_ENOTRUNNING);
    assert_rc(mixx_engine_get_stats(h, &st, sizeof(mixx_stats)), 0);
    assert_false(st.running);
    assert_true(st.callbacks > 10); /* ~37 in 50 ms */
    assert_int_equal(st.callbacks, st.records_written + st.dropped_records);
    assert_int_equal(st.records_consumed, st.records_written);
    /* restart after stop works */
    assert_rc(mixx_engine_start(), 0);
    usleep(20000);
    assert_rc(mixx_engine_shutdown(), 0); /* stops on the way */
    assert_rc(mixx_engine_shutdown(), MIXX_ENOTINIT);
    assert_rc(mixx_engine_stop(), MIXX_ENOTINIT);
    assert_rc(mixx_engine_start(), MIXX_ENOTINIT);
    assert_null(mixx_engine_default());
    assert_non_null(strstr(mixx_engine_last_error(NULL), "mixx_engine_start_stream(engine)"));
    /* the old handle stays safe: calls on a shut-down default engine say so */
    float buf[64] = {0};
    float *io[1] = {buf};
    assert_rc(mixx_engine_process(h, (const float *const *)io, 1, io, 1, 64), MIXX_ENOTINIT);
    assert_rc(mixx_engine_get_stats(h, &st, sizeof(mixx_stats)), MIXX_ENOTINIT);
    assert_rc(mixx_engine_start_stream(h), MIXX_ENOTINIT);
    assert_rc(mixx_engine_stop_stream(h), MIXX_ENOTINIT);
    assert_rc(mixx_engine_report_xruns(h, 1), MIXX_ENOTINIT);
    assert_non_null(strstr(mixx_engine_last_error(h), "mixx_engine_init(")); /* the shut-down default engine */
    /* and init works again after shutdown */
    assert_rc(mixx_engine_init(96000, 128), 0);
    assert_rc(mixx_engine_start(), 0);
    assert_rc(mixx_engine_stop(), 0);
    assert_rc(mixx_engine_shutdown(), 0);
}

/* ---- the handle API and hosted mode ---- */

static mixx_engine *hosted(uint32_t ins, uint32_t outs)
{
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.backend = MIXX_BACKEND_HOSTED;
    c.inputs = ins;
    c.outputs = outs;
    c.max_buffer_size = 4096;
    mixx_engine *e = NULL;
    assert_rc(mixx_engine_create(&c, &e), 0);
    return e;
}

static void test_engine_misuse(void **state)
{
    (void)state;
    mixx_engine *e = hosted(2, 2);
    mixx_stats st;
    assert_rc(mixx_engine_stop_stream(e), MIXX_ENOTRUNNING);
    assert_rc(mixx_engine_start_stream(NULL), MIXX_ENULL);
    assert_rc(mixx_engine_stop_stream(NULL), MIXX_ENULL);
    assert_rc(mixx_engine_get_stats(NULL, &st, sizeof(mixx_stats)), MIXX_ENULL);
    assert_rc(mixx_engine_get_stats(e, NULL, sizeof(mixx_stats)), MIXX_ENULL);
    size_t n;
    assert_rc(mixx_engine_histogram(e, (mixx_hist_kind)7, NULL, 0, &n), MIXX_EINVAL);
    assert_rc(mixx_engine_histogram(e, MIXX_HIST_CALLBACK, NULL, 0, NULL), MIXX_ENULL);
    assert_rc(mixx_engine_set_format(e, 0, 64), MIXX_ERATE);
    assert_rc(mixx_engine_set_format(e, 48000, 0), MIXX_EBUFSIZE);
    assert_rc(mixx_engine_set_format(e, 48000, 8000), MIXX_EFRAMES); /* above max_buffer_size 4096 */
    assert_rc(mixx_engine_set_format(e, 44100, 256), 0);
    assert_rc(mixx_engine_set_buffer_size(e, 128), MIXX_ENOTRUNNING);
    assert_rc(mixx_engine_start_stream(e), 0);
    assert_rc(mixx_engine_start_stream(e), MIXX_ERUNNING);
    assert_rc(mixx_engine_set_format(e, 48000, 64), MIXX_ERUNNING);
    assert_rc(mixx_engine_set_buffer_size(e, 128), MIXX_EUNSUPPORTED);
    mixx_config got;
    assert_rc(mixx_engine_get_config(e, &got, sizeof(mixx_config)), 0);
    assert_int_equal(got.sample_rate, 44100);
    assert_int_equal(got.buffer_size, 256);
    assert_rc(mixx_engine_stop_stream(e), 0);
    assert_rc(mixx_engine_stop_stream(e), MIXX_ENOTRUNNING);
    mixx_engine_destroy(e);

    /* a device-driven engine refuses hosted calls */
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.rt_priority = 0;
    assert_rc(mixx_engine_create(&c, &e), 0);
    assert_rc(mixx_engine_set_format(e, 48000, 64), MIXX_EHOSTED);
    float buf[64] = {0};
    float *io[1] = {buf};
    assert_rc(mixx_engine_start_stream(e), 0);
    assert_rc(mixx_engine_process(e, (const float *const *)io, 1, io, 1, 64), MIXX_ENOTHOSTED);
    mixx_engine_destroy(e); /* destroy while running stops first */
}

static void fill(float *p, uint32_t n, float base)
{
    for (uint32_t i = 0; i < n; i++)
        p[i] = base + (float)i * 0.001f;
}

/* Every whole-buffer aliasing pattern (issue 14, item 12): output i gets input i as it was on entry. Before:
 * out = {in1, in0} gave output 1 input 0's data (the copy into output 0 had overwritten input 1). */
static void test_hosted_aliasing(void **state)
{
    (void)state;
    enum { NF = 300 };
    static float buf[4][NF], want[4][NF];
    mixx_engine *e = hosted(3, 3);
    assert_rc(mixx_engine_start_stream(e), 0);
    /* patterns as permutations of the three buffers: out[c] = buf[perm[c]], in[k] = buf[k] */
    static const int perms[][3] = {{0, 1, 2}, {1, 0, 2}, {2, 1, 0}, {1, 2, 0}, {2, 0, 1}, {0, 2, 1}};
    for (size_t p = 0; p < sizeof perms / sizeof perms[0]; p++) {
        for (int k = 0; k < 3; k++) {
            fill(buf[k], NF, (float)(k + 1));
            memcpy(want[k], buf[k], sizeof want[k]);
        }
        const float *in[3] = {buf[0], buf[1], buf[2]};
        float *out[3] = {buf[perms[p][0]], buf[perms[p][1]], buf[perms[p][2]]};
        assert_rc(mixx_engine_process(e, in, 3, out, 3, NF), 0);
        for (int c = 0; c < 3; c++)
            if (memcmp(out[c], want[c], sizeof want[c]) != 0)
                fail_msg("pattern out = {in%d, in%d, in%d}: output %d is not input %d (first sample %g, want %g)",
                         perms[p][0], perms[p][1], perms[p][2], c, c, (double)out[c][0], (double)want[c][0]);
    }
    /* a crossed alias beyond the preallocated copies (3 channels here) is refused, outputs silenced */
    static float more[4][NF];
    const float *in4[4] = {more[0], more[1], more[2], more[3]};
    float *out4[4] = {more[3], more[1], more[2], more[0]};
    fill(more[0], NF, 1.0f);
    fill(more[3], NF, 4.0f);
    assert_rc(mixx_engine_process(e, in4, 4, out4, 4, NF), MIXX_ECHANNELS);
    assert_true(more[0][0] == 0.0f && more[3][NF - 1] == 0.0f);
    mixx_stats st;
    assert_rc(mixx_engine_get_stats(e, &st, sizeof st), 0);
    assert_rc(mixx_engine_stop_stream(e), 0);
    mixx_engine_destroy(e);
}

static void test_hosted_process(void **state)
{
    (void)state;
    enum { F = 4096 };
    static float a[F + 1], b[F + 1], o0[F + 1], o1[F + 1], o2[F + 1]; /* + 1: the MIXX_EFRAMES call below */
    mixx_engine *e = hosted(2, 3);
    const float *in[2] = {a, b};
    float *out[3] = {o0, o1, o2};
    /* not started: refused and silenced */
    fill(o0, 64, 9);
    assert_rc(mixx_engine_process(e, in, 2, out, 3, 64), MIXX_ENOTRUNNING);
    assert_true(o0[0] == 0.0f && o0[63] == 0.0f);
    assert_rc(mixx_engine_start_stream(e), 0);
    /* bad arguments */
    assert_rc(mixx_engine_process(NULL, in, 2, out, 3, 64), MIXX_ENULL);
    assert_rc(mixx_engine_process(e, NULL, 2, out, 3, 64), MIXX_ENULL);
    assert_rc(mixx_engine_process(e, in, 2, NULL, 3, 64), MIXX_ENULL);
    const float *in_null[2] = {a, NULL};
    assert_rc(mixx_engine_process(e, in_null, 2, out, 3, 64), MIXX_ENULL);
    assert_rc(mixx_engine_process(e, in, 65, out, 3, 64), MIXX_ECHANNELS);
    fill(o0, F + 1, 9);
    fill(o2, F + 1, 9);
    assert_rc(mixx_engine_process(e, in, 2, out, 3, F + 1), MIXX_EFRAMES);
    for (uint32_t i = 0; i < F + 1; i++) /* silenced, as the header says (before: left untouched) */
        if (o0[i] != 0.0f || o2[i] != 0.0f)
            fail_msg("frame %u not silenced on MIXX_EFRAMES: %g %g", i, (double)o0[i], (double)o2[i]);
    assert_rc(mixx_engine_process(e, in, 2, out, 3, 0), 0); /* nothing to do */
    /* odd sizes: in -> out bit-exact, extra output silent */
    const uint32_t sizes[] = {1, 7, 63, 64, 65, 127, 1000, F};
    uint64_t calls = 0;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        uint32_t nf = sizes[k];
        fill(a, nf, 0.25f * (float)k);
        fill(b, nf, -0.5f);
        fill(o2, nf, 3.0f);
        assert_rc(mixx_engine_process(e, in, 2, out, 3, nf), 0);
        calls++;
        assert_memory_equal(o0, a, nf * sizeof(float));
        assert_memory_equal(o1, b, nf * sizeof(float));
        for (uint32_t i = 0; i < nf; i++)
            assert_true(o2[i] == 0.0f);
    }
    /* in and out the same memory, as JUCE's AudioAppComponent does */
    fill(a, 256, 1.5f);
    memcpy(b, a, 256 * sizeof(float));
    float *same[2] = {a, o1};
    assert_rc(mixx_engine_process(e, (const float *const *)same, 2, same, 2, 256), 0);
    calls++;
    assert_memory_equal(a, b, 256 * sizeof(float));
    /* fewer inputs than outputs, no inputs at all */
    fill(o1, 64, 2);
    assert_rc(mixx_engine_process(e, in, 1, out, 2, 64), 0);
    calls++;
    assert_true(o1[10] == 0.0f);
    assert_rc(mixx_engine_process(e, NULL, 0, out, 1, 64), 0);
    calls++;
    assert_true(o0[5] == 0.0f);
    assert_rc(mixx_engine_report_xruns(e, 3), 0);
    assert_rc(mixx_engine_process(e, in, 2, out, 2, 64), 0);
    calls++;
    assert_rc(mixx_engine_stop_stream(e), 0);
    mixx_stats st;
    assert_rc(mixx_engine_get_stats(e, &st, sizeof(mixx_stats)), 0);
    assert_int_equal(st.callbacks, calls);
    assert_int_equal(st.records_written, calls);
    assert_int_equal(st.dropped_records, 0);
    assert_int_equal(st.records_consumed, calls);
    assert_int_equal(st.xruns_backend, 3);
    assert_int_equal(st.callback_ns.count, calls);
    size_t nbins = 0;
    mixx_hist_bin bins[64];
    assert_rc(mixx_engine_histogram(e, MIXX_HIST_CALLBACK, bins, 64, &nbins), 0);
    uint64_t total = 0;
    for (size_t i = 0; i < nbins && i < 64; i++)
        total += bins[i].count;
    assert_int_equal(total, calls);
    mixx_engine_destroy(e);
}

/* The host's block size is hosted mode's format: a change is counted in mixx_stats.format_changes with the size
 * before it and the callback count when it came; refused calls and empty ones are no change. */
static void test_hosted_format_changes(void **state)
{
    (void)state;
    static float a[4097], o[4097];
    const float *in[1] = {a};
    float *out[1] = {o};
    mixx_engine *e = hosted(1, 1); /* 48000 Hz, 64 frames */
    mixx_stats st;
    assert_rc(mixx_engine_start_stream(e), 0);
    for (int i = 0; i < 3; i++)
        assert_rc(mixx_engine_process(e, in, 1, out, 1, 64), 0);
    assert_rc(mixx_engine_get_stats(e, &st, sizeof st), 0);
    assert_int_equal(st.format_changes, 0);
    assert_int_equal(st.format_prev_buffer_size, 0);
    assert_int_equal(st.buffer_size, 64);
    assert_rc(mixx_engine_process(e, in, 1, out, 1, 0), 0);             /* nothing to do: no change */
    assert_rc(mixx_engine_process(e, in, 1, out, 1, 4097), MIXX_EFRAMES); /* refused: no change */
    assert_rc(mixx_engine_process(e, in, 1, out, 1, 128), 0);
    assert_rc(mixx_engine_process(e, in, 1, out, 1, 128), 0);
    assert_rc(mixx_engine_get_stats(e, &st, sizeof st), 0);
    assert_int_equal(st.format_changes, 1);
    assert_int_equal(st.buffer_size, 128);
    assert_int_equal(st.sample_rate, 48000);
    assert_int_equal(st.format_prev_buffer_size, 64);
    assert_int_equal(st.format_prev_sample_rate, 48000);
    assert_int_equal(st.format_changed_at_callback, 3);
    assert_rc(mixx_engine_process(e, in, 1, out, 1, 31), 0);
    assert_rc(mixx_engine_stop_stream(e), 0);
    assert_rc(mixx_engine_get_stats(e, &st, sizeof st), 0); /* kept after stop */
    assert_int_equal(st.format_changes, 2);
    assert_int_equal(st.buffer_size, 31);
    assert_int_equal(st.format_prev_buffer_size, 128);
    assert_int_equal(st.format_changed_at_callback, 5);
    /* a new start counts from zero at the configured size */
    assert_rc(mixx_engine_start_stream(e), 0);
    assert_rc(mixx_engine_get_stats(e, &st, sizeof st), 0);
    assert_int_equal(st.format_changes, 0);
    assert_int_equal(st.buffer_size, 64);
    assert_int_equal(st.format_changed_at_callback, 0);
    assert_rc(mixx_engine_stop_stream(e), 0);
    mixx_engine_destroy(e);
}

/* The format set while the host changes it from its own thread: the host alternates 16 and 32 frames every
 * cycle, a reader takes snapshots meanwhile; every snapshot must be a set some change published (after an odd
 * count the size is 16 and the one before it 32, after an even count the reverse, at callback count - 1). It
 * runs the writer and the reader at once under TSan (label threaded). It does not provoke a torn read on
 * purpose: the write window is a few stores, and with the seqlock check removed 5 runs of ~150 snapshots each
 * passed; the parity rule catches a wrong set, not a rare race. The host runs >= 5000 cycles and until the
 * reader has 200 snapshots (at most 5e6 cycles). */
typedef struct {
    mixx_engine *e;
    _Atomic int done;
    _Atomic uint64_t snapshots; /* the host runs until the reader has taken enough */
    uint64_t cycles;            /* the host's, read after the join */
} format_race;

static void *format_race_host(void *arg)
{
    format_race *r = arg;
    static float a[32], o[32];
    const float *in[1] = {a};
    float *out[1] = {o};
    uint64_t i = 0;
    while (i < 5000 || (atomic_load(&r->snapshots) < 200 && i < 5000000)) {
        if (mixx_engine_process(r->e, in, 1, out, 1, (i & 1) ? 32 : 16) != 0)
            break;
        i++;
        if ((i & 255) == 0)
            sched_yield(); /* a serialising scheduler (valgrind runs one thread at a time) must let the reader in */
    }
    r->cycles = i;
    atomic_store(&r->done, 1);
    return NULL;
}

static void test_hosted_format_read_whole(void **state)
{
    (void)state;
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.backend = MIXX_BACKEND_HOSTED;
    c.inputs = c.outputs = 1;
    c.buffer_size = 32;
    mixx_engine *e = NULL;
    assert_rc(mixx_engine_create(&c, &e), 0);
    assert_rc(mixx_engine_start_stream(e), 0);
    format_race r = {.e = e};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, format_race_host, &r), 0);
    uint64_t snapshots = 0, seen_changes = 0, checked = 0;
    while (!atomic_load(&r.done)) {
        mixx_stats st;
        assert_rc(mixx_engine_get_stats(e, &st, sizeof st), 0);
        snapshots++;
        atomic_store(&r.snapshots, snapshots);
        if (st.format_changes == 0)
            continue;
        checked++;
        uint32_t now = (st.format_changes & 1) ? 16 : 32, before = (st.format_changes & 1) ? 32 : 16;
        if (st.buffer_size != now || st.format_prev_buffer_size != before ||
            st.format_changed_at_callback != st.format_changes - 1)
            fail_msg("format snapshot not a published set: %llu changes, %u frames, before %u, at callback %llu",
                     (unsigned long long)st.format_changes, st.buffer_size, st.format_prev_buffer_size,
                     (unsigned long long)st.format_changed_at_callback);
        if (st.format_changes < seen_changes)
            fail_msg("format_changes went back from %llu to %llu", (unsigned long long)seen_changes,
                     (unsigned long long)st.format_changes);
        seen_changes = st.format_changes;
    }
    pthread_join(t, NULL);
    mixx_stats st;
    assert_rc(mixx_engine_get_stats(e, &st, sizeof st), 0);
    print_message("%llu snapshots during %llu cycles (%llu checked against a published set); %llu changes\n",
                  (unsigned long long)snapshots, (unsigned long long)r.cycles, (unsigned long long)checked,
                  (unsigned long long)st.format_changes);
    if (checked == 0)
        fail_msg("no snapshot was taken while the format changed: the check checked nothing");
    assert_int_equal(st.format_changes, r.cycles); /* the first cycle (16) already differs from the 32 it started at */
    assert_rc(mixx_engine_stop_stream(e), 0);
    mixx_engine_destroy(e);
}

static void test_instrumentation_off(void **state)
{
    (void)state;
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.backend = MIXX_BACKEND_HOSTED;
    c.instrument = 0;
    mixx_engine *e;
    assert_rc(mixx_engine_create(&c, &e), 0);
    assert_rc(mixx_engine_start_stream(e), 0);
    float a[64], o[64];
    fill(a, 64, 0.1f);
    const float *in[1] = {a};
    float *out[1] = {o};
    for (int i = 0; i < 100; i++)
        assert_rc(mixx_engine_process(e, in, 1, out, 1, 64), 0);
    assert_memory_equal(a, o, sizeof a);
    assert_rc(mixx_engine_stop_stream(e), 0);
    mixx_stats st;
    assert_rc(mixx_engine_get_stats(e, &st, sizeof(mixx_stats)), 0);
    assert_int_equal(st.callbacks, 100);
    assert_int_equal(st.records_written, 0); /* no records when instrumentation is off */
    mixx_engine_destroy(e);
}

static void test_unwritable_log(void **state)
{
    (void)state;
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.backend = MIXX_BACKEND_HOSTED;
    c.log_path = "/nonexistent-dir/mixx.jsonl";
    mixx_engine *e;
    assert_rc(mixx_engine_create(&c, &e), 0);
    assert_rc(mixx_engine_start_stream(e), MIXX_EIO);
    assert_true(strstr(mixx_engine_last_error(e), "/nonexistent-dir/mixx.jsonl") != NULL);
    assert_rc(mixx_engine_stop_stream(e), MIXX_ENOTRUNNING); /* still usable, still stopped */
    mixx_engine_destroy(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_table),          cmocka_unit_test(test_version_and_names),
        cmocka_unit_test(test_config_validation),    cmocka_unit_test(test_facade_misuse_matrix),
        cmocka_unit_test(test_engine_misuse),        cmocka_unit_test(test_hosted_process),       cmocka_unit_test(test_hosted_aliasing),
        cmocka_unit_test(test_hosted_format_changes),
        cmocka_unit_test(test_hosted_format_read_whole),
        cmocka_unit_test(test_instrumentation_off),  cmocka_unit_test(test_unwritable_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
