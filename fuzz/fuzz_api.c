/* SPDX-License-Identifier: MIT */
/* fuzz_api.c: libFuzzer target for the public API. The input is a program: a sequence of calls with random
 * arguments (configurations, rates, buffer sizes, channel counts, NULLs, hosted process() with odd frame counts,
 * the façade) on up to two sim/hosted engines plus the process-wide default one.
 * Invariants: no crash or sanitizer report; every return code is 0 or in MIXX_ERRNO_MAP; a successful hosted
 * process() passes input to output exactly; after stop, callbacks = records written + dropped; stop, destroy and
 * shutdown return within 2 s.
 * Limits that keep an input fast and the machine safe: sim stalls <= 1 ms, device loss <= 20 ms, sleeps <= 4 ms,
 * log files only to /dev/null or a missing dir; the process gives up CAP_SYS_NICE and CAP_IPC_LOCK at start, so
 * SCHED_FIFO and mlockall are refused (the engine's fallbacks get fuzzed; no realtime thread can monopolise a core
 * at 768 kHz / 1 frame, and the sanitizer's shadow memory is never locked). */
#include <linux/capability.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "mixxengine.h"

/* ---- reading the program -------------------------------------------------------------------------- */

typedef struct reader {
    const uint8_t *p;
    size_t n;
} reader;

static uint8_t u8(reader *r)
{
    if (!r->n)
        return 0;
    r->n--;
    return *r->p++;
}

static uint32_t u32(reader *r)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 8 | u8(r);
    return v;
}

static uint32_t pick_u32(reader *r, const uint32_t *interesting, size_t n)
{
    uint8_t k = u8(r);
    if (k < 200)
        return interesting[k % n];
    return u32(r);
}

static double pick_double(reader *r, const double *interesting, size_t n)
{
    uint8_t k = u8(r);
    if (k < 220)
        return interesting[k % n];
    uint64_t bits = (uint64_t)u32(r) << 32 | u32(r);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static const uint32_t rates[] = {48000, 44100, 96000, 192000, 8000, 1, 0, 768000, 768001, UINT32_MAX, 22050};
static const uint32_t buffers[] = {64, 16, 1, 2, 3, 256, 1024, 8192, 8193, 0, 127, 4096};
static const uint32_t channels[] = {2, 1, 0, 4, 64, 65, 8, 3, 1000};
static const uint32_t rings[] = {16384, 64, 128, 1024, 63, 0, 1u << 24, (1u << 24) + 1, 4096, 100};

/* ---- the invariant ------------------------------------------------------------------------------- */

static void check_rc(int rc, const char *call)
{
    if (rc != 0 && strcmp(mixx_error_name(rc), "MIXX_UNKNOWN") == 0) {
        dprintf(2, "fuzz_api: %s returned %d, which is not in MIXX_ERRNO_MAP\n", call, rc);
        abort();
    }
    if (!mixx_strerror(rc) || !*mixx_strerror(rc)) {
        dprintf(2, "fuzz_api: no text for %d\n", rc);
        abort();
    }
}

#define CALL(expr) check_rc((expr), #expr)

#define FUZZ_ASSERT(cond)                                                                                    \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            dprintf(2, "fuzz_api: %s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);                \
            abort();                                                                                         \
        }                                                                                                    \
    } while (0)

/* stop/destroy/shutdown must return promptly whatever the configuration (a 1 Hz / 8192-frame sim device once
 * made stop wait out its two-hour period) */
static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define PROMPT_NS 2000000000ull
#define PROMPTLY(stmt)                                                                                       \
    do {                                                                                                     \
        uint64_t t0_ = mono_ns();                                                                            \
        stmt;                                                                                                \
        if (mono_ns() - t0_ > PROMPT_NS) {                                                                   \
            dprintf(2, "fuzz_api: %s took %.3f s\n", #stmt, (double)(mono_ns() - t0_) * 1e-9);                \
            abort();                                                                                         \
        }                                                                                                    \
    } while (0)

/* ---- callbacks (a fuzzer has no realtime constraint; they only observe) ---------------------------- */

static void records_cb(const mixx_record *r, size_t n, void *user)
{
    (void)user;
    for (size_t i = 1; i < n; i++)
        FUZZ_ASSERT(r[i].seq > r[i - 1].seq); /* in order, drops leave gaps only */
}

static void second_cb(const mixx_second *s, void *user)
{
    (void)s, (void)user;
}

static void audio_cb(const float *const *in, uint32_t n_in, float *const *out, uint32_t n_out, uint32_t n_frames,
                     void *user)
{
    (void)in, (void)n_in, (void)out, (void)n_out, (void)user;
    FUZZ_ASSERT(n_frames > 0 && n_frames <= 8192);
}

/* ---- state of one program ------------------------------------------------------------------------- */

#define MAXCH 66
#define MAXF 9000
static float pool_in[MAXCH][MAXF], pool_out[MAXCH][MAXF];

static mixx_engine *slot[2];
static int meter_ever_on; /* the meter writes its stimulus into an output: no pass-through check after */

static mixx_engine *pick_engine(reader *r)
{
    switch (u8(r) % 4) {
    case 0:
        return slot[0];
    case 1:
        return slot[1];
    case 2:
        return mixx_engine_default();
    default:
        return NULL;
    }
}

static const char *pick_string(reader *r, char *buf, size_t len)
{
    uint8_t k = u8(r);
    if (k % 3 == 0)
        return NULL;
    size_t n = (size_t)u8(r) % len;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)(u8(r) | 1); /* no NUL inside */
    buf[n] = '\0';
    return buf;
}

static void fill_config(reader *r, mixx_config *c, char strs[4][64])
{
    static const double extras[] = {0, 0.5, 3.37, 1000, 96000, 96000.5, -1, NAN, INFINITY};
    static const double gains[] = {1, 0, 0.5, 16, 16.01, -1, NAN};
    static const double snrs[] = {300, 60, 0, -60, -61, 1000, 1001, NAN};
    static const double fails[] = {0, 0.005, 0.02, -1, NAN, 1e8};
    mixx_config_init(c, sizeof *c);
    uint8_t b = u8(r);
    c->backend = (mixx_backend)(b % 6 == 4 ? MIXX_BACKEND_COUNT : b % 6 == 5 ? (mixx_backend)-1 : (mixx_backend)(b % 6));
    if (b & 0x80)
        c->backend = (b & 0x40) ? MIXX_BACKEND_HOSTED : MIXX_BACKEND_SIM; /* most programs use what runs */
    uint8_t f = u8(r);
    if (f & 1)
        c->sample_rate = pick_u32(r, rates, sizeof rates / sizeof rates[0]);
    if (f & 2)
        c->buffer_size = pick_u32(r, buffers, sizeof buffers / sizeof buffers[0]);
    if (f & 4)
        c->max_buffer_size = pick_u32(r, buffers, sizeof buffers / sizeof buffers[0]);
    if (f & 8) {
        c->inputs = pick_u32(r, channels, sizeof channels / sizeof channels[0]);
        c->outputs = pick_u32(r, channels, sizeof channels / sizeof channels[0]);
    }
    if (f & 16)
        c->ring_capacity = pick_u32(r, rings, sizeof rings / sizeof rings[0]);
    if (f & 32) {
        c->sim.periods = u8(r) % 18;
        c->sim.extra_latency = pick_double(r, extras, sizeof extras / sizeof extras[0]);
        c->sim.gain = pick_double(r, gains, sizeof gains / sizeof gains[0]);
        c->sim.invert = u8(r) & 1;
        c->sim.snr_db = pick_double(r, snrs, sizeof snrs / sizeof snrs[0]);
        c->sim.faults.slip_frames = u8(r) & 1 ? u32(r) % 100000 : 0;
    }
    if (f & 64) {
        c->sim.faults.stall_us = u32(r) % 1001;
        c->sim.faults.stall_every = u8(r);
        c->sim.faults.fail_after_s = pick_double(r, fails, sizeof fails / sizeof fails[0]);
        if (c->sim.faults.fail_after_s > 0.02 && c->sim.faults.fail_after_s <= 1e7)
            c->sim.faults.fail_after_s = 0.02;
    }
    uint8_t g = u8(r);
    uint8_t s_bits = g;
    c->instrument = !(g & 1);
    c->strict = (g >> 1) & 1;
    c->rt_priority = (g & 4) ? (int)(int8_t)u8(r) : c->rt_priority;
    c->lock_memory = (s_bits & 8) != 0; /* refused: see LLVMFuzzerInitialize */
    c->jack.self_loop = (g >> 3) & 1;
    if (g & 16) /* the library reads struct_size bytes: a caller lying beyond its own struct is its own bug */
        c->struct_size = u32(r) % (uint32_t)(sizeof *c + 1);
    c->records_cb = (g & 32) ? records_cb : NULL;
    c->second_cb = (g & 64) ? second_cb : NULL;
    c->audio_cb = (g & 128) ? audio_cb : NULL;
    uint8_t s = u8(r);
    /* the engine creates its log exclusively: a fresh name per configuration (an existing file, e.g. /dev/null,
     * is refused with MIXX_EIO: s % 5 == 3 keeps that case) */
    static char fresh[64];
    static unsigned long n_logs;
    snprintf(fresh, sizeof fresh, "/tmp/mixx-fuzz-api-%d-%lu.jsonl", (int)getpid(), n_logs++ % 4);
    if (s % 5 == 1)
        unlink(fresh);
    c->log_path = s % 5 == 1 ? fresh : s % 5 == 2 ? "/nonexistent-mixx-dir/log.jsonl" : s % 5 == 3 ? "/dev/null" : NULL;
    c->device = pick_string(r, strs[0], 64);
    c->jack.client_name = pick_string(r, strs[1], 64);
    c->jack.connect_in = pick_string(r, strs[2], 64);
    c->jack.connect_out = pick_string(r, strs[3], 64);
}

static void check_after_stop(mixx_engine *e)
{
    mixx_stats st;
    mixx_config c;
    if (mixx_engine_get_stats(e, &st, sizeof(mixx_stats)) != 0 || mixx_engine_get_config(e, &c, sizeof(mixx_config)) != 0)
        return;
    FUZZ_ASSERT(!st.running);
    if (c.instrument)
        FUZZ_ASSERT(st.callbacks == st.records_written + st.dropped_records);
    FUZZ_ASSERT(st.records_consumed == st.records_written);
    FUZZ_ASSERT(st.callback_ns.count == st.records_consumed);
}

static void op_process(reader *r, mixx_engine *e)
{
    uint32_t n_in = pick_u32(r, channels, sizeof channels / sizeof channels[0]) % MAXCH;
    uint32_t n_out = pick_u32(r, channels, sizeof channels / sizeof channels[0]) % MAXCH;
    uint8_t mode = u8(r);
    static const uint32_t frames[] = {64, 1, 0, 3, 511, 8192, 8193, 127, 2049};
    uint32_t n = pick_u32(r, frames, sizeof frames / sizeof frames[0]) % MAXF;
    const float *in[MAXCH];
    float *out[MAXCH];
    int inplace = mode & 1;
    for (uint32_t c = 0; c < MAXCH; c++) {
        out[c] = pool_out[c];
        in[c] = inplace ? pool_out[c] : pool_in[c];
    }
    uint32_t nfill = n < 64 ? n : 64; /* a prefix is enough to see the copy */
    for (uint32_t c = 0; c < n_in; c++)
        for (uint32_t i = 0; i < nfill; i++)
            ((float *)in[c])[i] = (float)(c * 1000 + i + 1);
    for (uint32_t c = 0; c < n_out; c++)
        if (!inplace || c >= n_in)
            for (uint32_t i = 0; i < nfill; i++)
                out[c][i] = -1.0f;
    if (mode & 2 && n_in)
        in[u8(r) % n_in] = NULL;
    if (mode & 4 && n_out)
        out[u8(r) % n_out] = NULL;
    int rc = mixx_engine_process(e, (mode & 8) ? NULL : in, n_in, (mode & 16) ? NULL : out, n_out, n);
    check_rc(rc, "mixx_engine_process");
    mixx_config c;
    if (rc == 0 && !meter_ever_on && mixx_engine_get_config(e, &c, sizeof(mixx_config)) == 0 && !c.audio_cb) {
        uint32_t m = n_in < n_out ? n_in : n_out;
        for (uint32_t ch = 0; ch < n_out; ch++)
            for (uint32_t i = 0; i < nfill; i++)
                FUZZ_ASSERT(out[ch][i] == (ch < m ? (float)(ch * 1000 + i + 1) : 0.0f));
    }
}

static void op_query(reader *r, mixx_engine *e)
{
    mixx_stats st;
    mixx_config c;
    mixx_hist_bin bins[16];
    size_t count = 12345;
    uint8_t k = u8(r);
    switch (k % 5) {
    case 0:
        CALL(mixx_engine_get_stats(e, (k & 8) ? NULL : &st, (k & 4) ? 12 : sizeof(mixx_stats)));
        break;
    case 1: {
        size_t cap = u8(r) % 17;
        int rc = mixx_engine_histogram(e, (mixx_hist_kind)(u8(r) % 3), (k & 8) ? NULL : bins, cap,
                                       (k & 16) ? NULL : &count);
        check_rc(rc, "mixx_engine_histogram");
        break;
    }
    case 2:
        CALL(mixx_engine_get_config(e, (k & 8) ? NULL : &c, sizeof(mixx_config)));
        break;
    case 3:
        FUZZ_ASSERT(mixx_engine_last_error(e) != NULL);
        break;
    default:
        CALL(mixx_engine_report_xruns(e, u32(r)));
        break;
    }
}

static void op_meter(reader *r, mixx_engine *e)
{
    mixx_rtl_result res;
    mixx_rtl_summary sum;
    uint8_t k = u8(r);
    switch (k % 4) {
    case 0: {
        int rc = mixx_engine_rtl_start(e, (mixx_rtl_method)(u8(r) % 3), u8(r) % 70, u8(r) & 1);
        check_rc(rc, "mixx_engine_rtl_start");
        if (rc == 0)
            meter_ever_on = 1;
        break;
    }
    case 1:
        CALL(mixx_engine_rtl_wait(e, (k & 8) ? NULL : &res, u8(r) % 3));
        break;
    case 2:
        CALL(mixx_engine_rtl_stop(e));
        break;
    default:
        CALL(mixx_engine_rtl_summary(e, (k & 8) ? NULL : &sum));
        break;
    }
}

static void op_facade(reader *r, char strs[4][64])
{
    mixx_config c;
    switch (u8(r) % 6) {
    case 0:
        CALL(mixx_engine_init(pick_u32(r, rates, sizeof rates / sizeof rates[0]),
                              pick_u32(r, buffers, sizeof buffers / sizeof buffers[0])));
        break;
    case 1:
        fill_config(r, &c, strs);
        CALL(mixx_engine_init_config((u8(r) & 7) == 0 ? NULL : &c));
        break;
    case 2:
        CALL(mixx_engine_start());
        break;
    case 3: {
        int rc;
        PROMPTLY(rc = mixx_engine_stop());
        check_rc(rc, "mixx_engine_stop");
        if (rc == 0 && mixx_engine_default())
            check_after_stop(mixx_engine_default());
        break;
    }
    case 4:
        PROMPTLY(CALL(mixx_engine_shutdown()));
        break;
    default:
        (void)mixx_engine_default();
        break;
    }
}

static void op_misc(reader *r, char strs[4][64])
{
    char why[64];
    mixx_device_info devs[3];
    size_t count;
    mixx_backend b;
    mixx_config c;
    int v = (int)u32(r);
    switch (u8(r) % 6) {
    case 0:
        FUZZ_ASSERT(mixx_strerror(v) && mixx_error_name(v));
        FUZZ_ASSERT(mixx_version() == MIXX_VERSION_HEX && mixx_version_string());
        break;
    case 1:
        (void)mixx_backend_name((mixx_backend)(v % 8));
        CALL(mixx_backend_from_name(pick_string(r, strs[0], 64), (v & 1) ? NULL : &b));
        break;
    case 2: {
        mixx_backend which = (mixx_backend)((unsigned)v % 6);
        if (which == MIXX_BACKEND_JACK || which == MIXX_BACKEND_PORTAUDIO)
            which = MIXX_BACKEND_COUNT; /* not compiled into the fuzz library; unknown values instead */
        int a = mixx_backend_available(which, (v & 16) ? NULL : why, (size_t)(u8(r) % 65));
        FUZZ_ASSERT(a == 0 || a == 1);
        break;
    }
    case 3: {
        mixx_backend which = (v & 2) ? MIXX_BACKEND_SIM : (mixx_backend)((unsigned)v % 6);
        if (which == MIXX_BACKEND_JACK || which == MIXX_BACKEND_PORTAUDIO)
            which = MIXX_BACKEND_HOSTED;
        size_t cap = u8(r) % 4;
        int rc = mixx_list_devices(which, (v & 4) ? NULL : devs, cap, sizeof(mixx_device_info), (v & 8) ? NULL : &count);
        check_rc(rc, "mixx_list_devices");
        break;
    }
    case 4:
        fill_config(r, &c, strs);
        CALL(mixx_config_validate((v & 1) ? NULL : &c));
        break;
    default: {
        mixx_config d;
        mixx_config_init(&d, sizeof d);
        FUZZ_ASSERT(mixx_config_validate(&d) == 0);
        break;
    }
    }
}

static void sleep_us(unsigned us)
{
    struct timespec ts = {0, (long)us * 1000};
    nanosleep(&ts, NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    /* no realtime scheduling and no memory locking, even as root: drop the two capabilities, zero the limits */
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) == 0) {
        const uint32_t drop = (1u << CAP_SYS_NICE) | (1u << CAP_IPC_LOCK);
        d[0].effective &= ~drop;
        d[0].permitted &= ~drop;
        d[0].inheritable &= ~drop;
        if (syscall(SYS_capset, &h, d) != 0)
            perror("fuzz_api: capset");
    }
    struct rlimit none = {0, 0}, small = {65536, 65536};
    setrlimit(RLIMIT_RTPRIO, &none);
    setrlimit(RLIMIT_MEMLOCK, &small);
    devnull = fopen("/dev/null", "w");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the engine warns on stderr when SCHED_FIFO or mlockall is refused: every input would print */
    FILE *saved_stderr = stderr;
    if (devnull && !getenv("MIXX_FUZZ_VERBOSE"))
        stderr = devnull;
    reader r = {data, size};
    char strs[4][64];
    unsigned slept_us = 0;
    meter_ever_on = 0;
    for (int step = 0; step < 64 && r.n; step++) {
        uint8_t op = u8(&r);
        switch (op % 11) {
        case 0: { /* create */
            int i = u8(&r) & 1;
            PROMPTLY(mixx_engine_destroy(slot[i]));
            slot[i] = NULL;
            mixx_config c;
            fill_config(&r, &c, strs);
            int rc = mixx_engine_create((op & 0x80) ? NULL : &c, (op & 0x40) ? NULL : &slot[i]);
            check_rc(rc, "mixx_engine_create");
            FUZZ_ASSERT(rc == 0 ? slot[i] != NULL : slot[i] == NULL);
            if (rc == 0) {
                mixx_config got;
                FUZZ_ASSERT(mixx_engine_get_config(slot[i], &got, sizeof(mixx_config)) == 0);
                FUZZ_ASSERT(got.sample_rate == c.sample_rate && got.buffer_size == c.buffer_size);
                FUZZ_ASSERT(got.inputs == c.inputs && got.outputs == c.outputs && got.backend == c.backend);
            }
            break;
        }
        case 1: { /* destroy: a slot, NULL, or (rarely) the default engine through the handle API */
            uint8_t k = u8(&r);
            if (k < 4) {
                PROMPTLY(mixx_engine_destroy(slot[k & 1]));
                slot[k & 1] = NULL;
            } else if (k == 4) {
                PROMPTLY(mixx_engine_destroy(mixx_engine_default()));
            } else {
                mixx_engine_destroy(NULL);
            }
            break;
        }
        case 2:
            CALL(mixx_engine_start_stream(pick_engine(&r)));
            break;
        case 3: {
            mixx_engine *e = pick_engine(&r);
            int rc;
            PROMPTLY(rc = mixx_engine_stop_stream(e));
            check_rc(rc, "mixx_engine_stop_stream");
            if (rc == 0)
                check_after_stop(e);
            break;
        }
        case 4:
            op_process(&r, pick_engine(&r));
            break;
        case 5:
            op_query(&r, pick_engine(&r));
            break;
        case 6: {
            mixx_engine *e = pick_engine(&r);
            if (u8(&r) & 1)
                CALL(mixx_engine_set_format(e, pick_u32(&r, rates, sizeof rates / sizeof rates[0]),
                                            pick_u32(&r, buffers, sizeof buffers / sizeof buffers[0])));
            else
                CALL(mixx_engine_set_buffer_size(e, pick_u32(&r, buffers, sizeof buffers / sizeof buffers[0])));
            break;
        }
        case 7:
            op_meter(&r, pick_engine(&r));
            break;
        case 8:
            op_facade(&r, strs);
            break;
        case 9:
            op_misc(&r, strs);
            break;
        default: { /* let device threads and the monitor run a little */
            unsigned us = (unsigned)u8(&r) * 8;
            if (slept_us + us <= 4000) {
                sleep_us(us);
                slept_us += us;
            }
            break;
        }
        }
    }
    for (int i = 0; i < 2; i++) {
        PROMPTLY(mixx_engine_destroy(slot[i]));
        slot[i] = NULL;
    }
    int rc;
    PROMPTLY(rc = mixx_engine_shutdown());
    FUZZ_ASSERT(rc == 0 || rc == MIXX_ENOTINIT);
    stderr = saved_stderr;
    return 0;
}
