/* SPDX-License-Identifier: MIT */
/* test_abi.c: the sized-struct promise of include/mixxengine.h, run against the library: an "older caller"
 * compiled with a truncated copy of mixx_config / mixx_stats / mixx_device_info (what an older header
 * declared) and a "newer caller" with fields this library does not know. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mixxengine.h"

#include "mixx_test.h"

/* An older header's mixx_config: everything up to audio_cb, before the jack and sim groups were appended.
 * The field list is a copy, as an old program's compiler saw it; the asserts prove it is a true prefix. */
typedef struct old_config {
    uint32_t struct_size;
    mixx_backend backend;
    uint32_t sample_rate, buffer_size, max_buffer_size, inputs, outputs;
    int strict, rt_priority, lock_memory, instrument;
    uint32_t ring_capacity;
    const char *log_path, *device;
    mixx_records_cb records_cb;
    mixx_second_cb second_cb;
    void *user;
    mixx_audio_cb audio_cb;
} old_config;
_Static_assert(sizeof(old_config) == offsetof(mixx_config, jack), "old_config is mixx_config's prefix");
_Static_assert(offsetof(old_config, audio_cb) == offsetof(mixx_config, audio_cb), "same layout");
_Static_assert(sizeof(old_config) < sizeof(mixx_config), "an older caller is smaller");

/* An older mixx_stats: up to the percentiles. */
typedef struct old_stats {
    uint32_t struct_size;
    int running, device_lost;
    uint32_t sample_rate, buffer_size;
    double elapsed_s;
    uint64_t callbacks, records_written, dropped_records, records_consumed;
    uint64_t xruns_backend, deadline_misses, late_wakeups;
    mixx_percentiles callback_ns, interval_ns;
} old_stats;
_Static_assert(sizeof(old_stats) == offsetof(mixx_stats, dsp_load_mean), "old_stats is mixx_stats' prefix");
_Static_assert(sizeof(old_stats) % 8 == 0, "older sizes end on an 8-byte boundary");

/* An older mixx_device_info: up to default_rate. */
typedef struct old_device_info {
    uint32_t struct_size;
    char name[128];
    uint32_t inputs, outputs, default_rate;
} old_device_info;
_Static_assert(sizeof(old_device_info) == offsetof(mixx_device_info, rates), "a prefix");

#define CANARY 0xA5

static void assert_canary(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != CANARY)
            fail_msg("byte %zu past the older caller's struct was written (0x%02x)", i, p[i]);
}

static void test_old_caller_config(void **state)
{
    (void)state;
    /* the library must write only sizeof(old_config) bytes of defaults */
    struct {
        old_config c;
        unsigned char after[64];
    } slot;
    memset(&slot, CANARY, sizeof slot);
    assert_rc(mixx_config_init((mixx_config *)(void *)&slot.c, sizeof slot.c), 0);
    assert_canary(slot.after, sizeof slot.after);
    assert_int_equal(slot.c.struct_size, sizeof(old_config));
    assert_int_equal(slot.c.sample_rate, 48000);
    assert_int_equal(slot.c.buffer_size, 64);
    assert_int_equal(slot.c.ring_capacity, 16384);
    assert_null(slot.c.audio_cb);

    /* create from it: the sim group (which this caller cannot see) takes its defaults; all-zero sim options
     * would be refused (periods 0), so success is itself the proof, and get_config shows them */
    slot.c.buffer_size = 128;
    const mixx_config *as_cfg = (const mixx_config *)(const void *)&slot.c;
    assert_rc(mixx_config_validate(as_cfg), 0);
    mixx_engine *e = NULL;
    assert_rc(mixx_engine_create(as_cfg, &e), 0);
    mixx_config full;
    assert_rc(mixx_engine_get_config(e, &full, sizeof full), 0);
    assert_int_equal(full.struct_size, sizeof full);
    assert_int_equal(full.buffer_size, 128);
    assert_int_equal(full.sim.periods, 2);
    assert_true(full.sim.gain == 1.0);
    assert_true(full.sim.snr_db >= 200.0);
    assert_string_equal(full.jack.client_name, "mixxengine");

    /* get_config into the older caller's struct: its bytes only */
    memset(&slot, CANARY, sizeof slot);
    assert_rc(mixx_engine_get_config(e, (mixx_config *)(void *)&slot.c, sizeof slot.c), 0);
    assert_canary(slot.after, sizeof slot.after);
    assert_int_equal(slot.c.struct_size, sizeof(old_config));
    assert_int_equal(slot.c.buffer_size, 128);

    /* it runs through the verbs an older caller knew (mixx_engine_start_handle/_stop_handle, deprecated but
     * exported: the only calls of them in the tree), and an older mixx_stats is filled up to its own end */
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
    assert_rc(mixx_engine_start_handle(e), 0);
    assert_rc(mixx_engine_start_handle(e), MIXX_ERUNNING); /* the same codes as mixx_engine_start_stream */
    mt_sleep_ms(100);
    assert_rc(mixx_engine_stop_handle(e), 0);
    assert_rc(mixx_engine_stop_handle(e), MIXX_ENOTRUNNING);
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif
    struct {
        old_stats s;
        unsigned char after[64];
    } st;
    memset(&st, CANARY, sizeof st);
    assert_rc(mixx_engine_get_stats(e, (mixx_stats *)(void *)&st.s, sizeof st.s), 0);
    assert_canary(st.after, sizeof st.after);
    assert_int_equal(st.s.struct_size, sizeof(old_stats));
    assert_int_equal(st.s.running, 0);
    assert_int_equal(st.s.buffer_size, 128);
    assert_true(st.s.callbacks > 0);
    assert_int_equal(st.s.callbacks, st.s.records_written + st.s.dropped_records);
    assert_int_equal(st.s.callback_ns.count, st.s.records_consumed);
    mixx_engine_destroy(e);
}

static void test_newer_caller(void **state)
{
    (void)state;
    /* a newer header appended a field; the library does not know it */
    struct newer_config {
        mixx_config c;
        uint64_t newer_option;
    } n;
    memset(&n, 0xff, sizeof n);
    assert_rc(mixx_config_init(&n.c, sizeof n), 0);
    assert_int_equal(n.c.struct_size, sizeof n);
    assert_int_equal(n.newer_option, 0); /* zeroed: "not set" */
    mixx_engine *e = NULL;
    assert_rc(mixx_engine_create(&n.c, &e), 0); /* tail all zero: accepted */
    mixx_engine_destroy(e);
    e = NULL;

    n.newer_option = 1; /* the library cannot honour it: refused, not ignored */
    assert_rc(mixx_config_validate(&n.c), MIXX_ESTRUCT);
    assert_rc(mixx_engine_create(&n.c, &e), MIXX_ESTRUCT);
    assert_null(e);
    assert_rc(mixx_engine_init_config(&n.c), MIXX_ESTRUCT);

    /* output structs: the unknown tail comes back zeroed and struct_size says how much was filled */
    n.newer_option = 0;
    assert_rc(mixx_engine_create(&n.c, &e), 0);
    struct newer_stats {
        mixx_stats s;
        uint64_t newer_counter;
    } ns;
    memset(&ns, 0xff, sizeof ns);
    assert_rc(mixx_engine_get_stats(e, &ns.s, sizeof ns), 0);
    assert_int_equal(ns.s.struct_size, sizeof(mixx_stats));
    assert_int_equal(ns.newer_counter, 0);
    assert_int_equal(ns.s.sample_rate, 48000);
    memset(&n, 0xff, sizeof n);
    assert_rc(mixx_engine_get_config(e, &n.c, sizeof n), 0);
    assert_int_equal(n.c.struct_size, sizeof(mixx_config));
    assert_int_equal(n.newer_option, 0);
    mixx_engine_destroy(e);
}

/* jack_server_name was appended after the sim group: a caller built before it (its struct ends where the field
 * starts) still creates an engine, and the engine reports the default (NULL) back. */
static void test_before_server_name(void **state)
{
    (void)state;
    _Static_assert(offsetof(mixx_config, jack_server_name) > offsetof(mixx_config, sim), "appended at the end");
    _Static_assert(offsetof(mixx_config, jack_server_name) % 8 == 0, "older size ends on an 8-byte boundary");
    union {
        mixx_config c;
        unsigned char bytes[sizeof(mixx_config)];
    } slot;
    memset(&slot, 0xff, sizeof slot);
    size_t older = offsetof(mixx_config, jack_server_name);
    assert_rc(mixx_config_init(&slot.c, older), 0);
    assert_int_equal(slot.bytes[older], 0xff); /* nothing written past the caller's struct */
    mixx_engine *e = NULL;
    assert_rc(mixx_engine_create(&slot.c, &e), 0);
    mixx_config full;
    assert_rc(mixx_engine_get_config(e, &full, sizeof full), 0);
    assert_null(full.jack_server_name);
    mixx_engine_destroy(e);

    mixx_config c;
    assert_rc(mixx_config_init(&c, sizeof c), 0);
    assert_null(c.jack_server_name);
    char name[] = "some-server";
    c.jack_server_name = name;
    assert_rc(mixx_engine_create(&c, &e), 0);
    name[0] = 'X'; /* copied at create */
    assert_rc(mixx_engine_get_config(e, &full, sizeof full), 0);
    assert_string_equal(full.jack_server_name, "some-server");
    mixx_engine_destroy(e);
}

static void test_bad_sizes(void **state)
{
    (void)state;
    static const size_t bad[] = {0, 4, 12, sizeof(mixx_config) + 4};
    mixx_config c;
    assert_rc(mixx_config_init(&c, sizeof c), 0);
    mixx_engine *e = NULL;
    assert_rc(mixx_engine_create(&c, &e), 0);
    struct {
        mixx_config c;
        unsigned char pad[16];
    } big;
    mixx_stats st;
    mixx_device_info dev[2];
    size_t count = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&big, 0, sizeof big);
        assert_rc(mixx_config_init(&big.c, bad[i]), MIXX_ESTRUCT);
        big.c.struct_size = (uint32_t)bad[i];
        mixx_engine *e2 = NULL;
        assert_rc(mixx_engine_create(&big.c, &e2), MIXX_ESTRUCT);
        assert_null(e2);
        assert_rc(mixx_engine_get_stats(e, &st, bad[i] < sizeof st ? bad[i] : 12), MIXX_ESTRUCT);
        assert_rc(mixx_engine_get_config(e, &c, bad[i] < sizeof c ? bad[i] : 12), MIXX_ESTRUCT);
        assert_rc(mixx_list_devices(MIXX_BACKEND_SIM, dev, 1, bad[i] < sizeof dev[0] ? bad[i] : 12, &count),
                  MIXX_ESTRUCT);
    }
    assert_rc(mixx_config_init(NULL, sizeof c), MIXX_ENULL);
    mixx_engine_destroy(e);
}

static void test_device_info_sizes(void **state)
{
    (void)state;
    mixx_device_info cur[4];
    size_t n = 0;
    assert_rc(mixx_list_devices(MIXX_BACKEND_SIM, cur, 4, sizeof cur[0], &n), 0);
    assert_true(n >= 1);
    assert_int_equal(cur[0].struct_size, sizeof cur[0]);
    /* an older caller's array: stride sizeof(old_device_info), nothing written past each element */
    struct {
        old_device_info d[2];
        unsigned char after[32];
    } old;
    memset(&old, CANARY, sizeof old);
    size_t m = 0;
    assert_rc(mixx_list_devices(MIXX_BACKEND_SIM, (mixx_device_info *)(void *)old.d, 1, sizeof old.d[0], &m), 0);
    assert_int_equal(m, n);
    assert_int_equal(old.d[0].struct_size, sizeof(old_device_info));
    assert_string_equal(old.d[0].name, cur[0].name);
    assert_int_equal(old.d[0].inputs, cur[0].inputs);
    assert_int_equal(old.d[0].default_rate, cur[0].default_rate);
    assert_canary((const unsigned char *)&old.d[1], sizeof old.d[1] + sizeof old.after); /* cap 1 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_old_caller_config),
        cmocka_unit_test(test_newer_caller),
        cmocka_unit_test(test_before_server_name),
        cmocka_unit_test(test_bad_sizes),
        cmocka_unit_test(test_device_info_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
