/* SPDX-License-Identifier: MIT */
/* harness.h: the timing harness shared by `mixx bench` (tools/cmd_bench.c) and the programs in bench/.
 * Header-only on purpose: each program compiles its own copy, so the engine call in the timed loop is a direct
 * call in the statically linked CLI and a PLT call in mixx-bench-plt (linked against libmixxengine.so).
 * Nothing here runs on an audio thread; the timed loops only imitate one. */
#ifndef MIXX_BENCH_HARNESS_H
#define MIXX_BENCH_HARNESS_H

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mixxengine.h"
#include "ring.h"

/* Keeps the compiler from merging or dropping the repeated copies of a timed loop. */
#define MIXX_BENCH_BARRIER() __asm__ __volatile__("" ::: "memory")
#define MIXX_BENCH_MAX_CH 64u

static inline uint64_t mixx_bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void mixx_bench_sleep_us(unsigned us)
{
    struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- buffers: non-interleaved channels, as a host hands them to mixx_engine_process -------------------- */

typedef struct mixx_bench_bufs {
    uint32_t frames, channels;
    size_t bytes; /* per channel */
    float *in_mem, *out_mem;
    const float *in[MIXX_BENCH_MAX_CH];
    float *out[MIXX_BENCH_MAX_CH];
} mixx_bench_bufs;

static inline int mixx_bench_bufs_init(mixx_bench_bufs *b, uint32_t frames, uint32_t channels)
{
    memset(b, 0, sizeof *b);
    if (channels == 0 || channels > MIXX_BENCH_MAX_CH || frames == 0)
        return -1;
    b->frames = frames;
    b->channels = channels;
    b->bytes = (size_t)frames * sizeof(float);
    /* each channel starts on its own 64-byte line, as host buffers usually do */
    size_t stride = (frames + 15u) & ~(size_t)15u;
    void *pi = NULL, *po = NULL;
    if (posix_memalign(&pi, 64, stride * channels * sizeof(float)) ||
        posix_memalign(&po, 64, stride * channels * sizeof(float))) {
        free(pi);
        return -1;
    }
    b->in_mem = pi;
    b->out_mem = po;
    for (size_t i = 0; i < stride * channels; i++) {
        b->in_mem[i] = (float)sin((double)i * 0.01);
        b->out_mem[i] = 0.0f;
    }
    for (uint32_t c = 0; c < channels; c++) {
        b->in[c] = b->in_mem + stride * c;
        b->out[c] = b->out_mem + stride * c;
    }
    return 0;
}

static inline void mixx_bench_bufs_free(mixx_bench_bufs *b)
{
    free(b->in_mem);
    free(b->out_mem);
    b->in_mem = b->out_mem = NULL;
}

/* The floor: what any pass-through must do, one memcpy per channel from the input to the output buffer. */
static inline void mixx_bench_copy(const mixx_bench_bufs *b)
{
    for (uint32_t c = 0; c < b->channels; c++)
        memcpy(b->out[c], b->in[c], b->bytes);
}

/* ---- the engine's control functions: the linked library or a dlopen'ed one ------------------------------ */

typedef struct mixx_bench_api {
    int (*config_init)(mixx_config *cfg, size_t size);
    int (*create)(const mixx_config *cfg, mixx_engine **out);
    void (*destroy)(mixx_engine *e);
    int (*start)(mixx_engine *e);
    int (*stop)(mixx_engine *e);
    int (*get_stats)(mixx_engine *e, mixx_stats *out, size_t size);
    int (*process)(mixx_engine *e, const float *const *in, uint32_t n_in, float *const *out, uint32_t n_out,
                   uint32_t n_frames);
    int (*rtl_start)(mixx_engine *e, mixx_rtl_method method, uint32_t channel, int continuous);
    int (*rtl_stop)(mixx_engine *e);
    unsigned (*version)(void);
} mixx_bench_api;

/* The library this program is linked against (static in mixx, shared in mixx-bench-plt). */
static inline mixx_bench_api mixx_bench_api_linked(void)
{
    mixx_bench_api a = {mixx_config_init,    mixx_engine_create,     mixx_engine_destroy,
                        mixx_engine_start_stream, mixx_engine_stop_stream, mixx_engine_get_stats,
                        mixx_engine_process,  mixx_engine_rtl_start,  mixx_engine_rtl_stop,
                        mixx_version};
    return a;
}

/* A started hosted engine for `b`'s shape. Returns 0 or the failing call's code. */
static inline int mixx_bench_engine_open(const mixx_bench_api *api, const mixx_bench_bufs *b, uint32_t rate,
                                         int instrument, uint32_t ring_capacity, mixx_engine **out)
{
    mixx_config cfg;
    api->config_init(&cfg, sizeof cfg);
    cfg.backend = MIXX_BACKEND_HOSTED;
    cfg.sample_rate = rate;
    cfg.buffer_size = b->frames;
    if (cfg.max_buffer_size < b->frames)
        cfg.max_buffer_size = b->frames;
    cfg.inputs = cfg.outputs = b->channels;
    cfg.instrument = instrument;
    cfg.rt_priority = 0;
    cfg.ring_capacity = ring_capacity;
    mixx_engine *e = NULL;
    int rc = api->create(&cfg, &e);
    if (rc)
        return rc;
    rc = api->start(e);
    if (rc) {
        api->destroy(e);
        return rc;
    }
    *out = e;
    return 0;
}

/* ---- measured kinds ------------------------------------------------------------------------------------ */

typedef struct mixx_bench_kind mixx_bench_kind;
typedef void (*mixx_bench_run_fn)(mixx_bench_kind *k, uint32_t blocks);

struct mixx_bench_kind {
    const char *key;   /* JSON stem: "floor", "engine", ... */
    const char *label; /* text table */
    mixx_bench_run_fn run;     /* timed: `blocks` blocks */
    mixx_bench_run_fn prepare; /* untimed, before each timed batch; may be NULL */
    const mixx_bench_bufs *bufs;
    const mixx_bench_api *api;
    mixx_engine *engine;
    int instrumented;          /* the engine pushes one record per block */
    uint32_t ring_capacity;
    uint64_t backlog_bound;    /* records possibly still in the engine's ring (upper bound) */
    mixx_ring *ring;           /* ring-push kind */
    int rc;                    /* OR of the codes returned in the timed loop (0 = all fine) */
    uint64_t sink;             /* defeats dead-code elimination */
    int enabled;
    char why[200];             /* why not measured */
    double *samples;           /* ns per block, one per repetition */
    uint32_t n;
    double min, median, p99, mean;
};

static inline void mixx_bench_run_floor(mixx_bench_kind *k, uint32_t blocks)
{
    const mixx_bench_bufs *b = k->bufs;
    for (uint32_t i = 0; i < blocks; i++) {
        mixx_bench_copy(b);
        MIXX_BENCH_BARRIER();
    }
}

/* The second floor: the copy plus the two CLOCK_MONOTONIC reads (and their conversion to ns) that the
 * instrumentation needs around it. */
static inline void mixx_bench_run_floor_ts(mixx_bench_kind *k, uint32_t blocks)
{
    const mixx_bench_bufs *b = k->bufs;
    uint64_t sum = 0;
    for (uint32_t i = 0; i < blocks; i++) {
        uint64_t t0 = mixx_bench_now();
        mixx_bench_copy(b);
        MIXX_BENCH_BARRIER();
        sum += mixx_bench_now() - t0;
    }
    k->sink += sum;
}

/* mixx_engine_process by name: a direct call where the static library is linked, a PLT call in a program
 * linked against the shared one. */
static inline void mixx_bench_run_engine_linked(mixx_bench_kind *k, uint32_t blocks)
{
    const mixx_bench_bufs *b = k->bufs;
    mixx_engine *e = k->engine;
    int rc = 0;
    for (uint32_t i = 0; i < blocks; i++) {
        rc |= mixx_engine_process(e, b->in, b->channels, b->out, b->channels, b->frames);
        MIXX_BENCH_BARRIER();
    }
    k->rc |= rc;
}

/* Through a function pointer (dlsym), as a dynamic host calls it. */
static inline void mixx_bench_run_engine_ptr(mixx_bench_kind *k, uint32_t blocks)
{
    const mixx_bench_bufs *b = k->bufs;
    mixx_engine *e = k->engine;
    int (*process)(mixx_engine *, const float *const *, uint32_t, float *const *, uint32_t, uint32_t) =
        k->api->process;
    int rc = 0;
    for (uint32_t i = 0; i < blocks; i++) {
        rc |= process(e, b->in, b->channels, b->out, b->channels, b->frames);
        MIXX_BENCH_BARRIER();
    }
    k->rc |= rc;
}

/* Before a batch of an instrumented engine: make sure the batch fits in the ring, so every timed push takes
 * the normal (not-full) path. The monitor thread drains every 10 ms, far slower than we push; waiting here is
 * outside the timed region. */
static inline void mixx_bench_prepare_engine(mixx_bench_kind *k, uint32_t blocks)
{
    if (!k->instrumented)
        return;
    if (k->backlog_bound + blocks <= k->ring_capacity / 2) {
        k->backlog_bound += blocks;
        return;
    }
    for (int tries = 0; tries < 5000; tries++) {
        mixx_stats st;
        if (k->api->get_stats(k->engine, &st, sizeof st) != 0)
            break;
        uint64_t backlog = st.records_written - st.records_consumed;
        if (backlog + blocks <= k->ring_capacity / 4) {
            k->backlog_bound = backlog + blocks;
            return;
        }
        mixx_bench_sleep_us(1000);
    }
    k->backlog_bound = blocks; /* the monitor is stuck: counts will show drops */
}

/* Untimed: wait (up to 2 s) until the monitor has drained everything an instrumented engine pushed. */
static inline void mixx_bench_wait_drained(mixx_bench_kind *k)
{
    if (!k->enabled || !k->instrumented)
        return;
    for (int tries = 0; tries < 2000; tries++) {
        mixx_stats st;
        if (k->api->get_stats(k->engine, &st, sizeof st) != 0 || st.records_written == st.records_consumed)
            break;
        mixx_bench_sleep_us(1000);
    }
    k->backlog_bound = 0;
}

/* Record contents as the engine fills them. */
static inline void mixx_bench_run_ring_push(mixx_bench_kind *k, uint32_t blocks)
{
    mixx_ring *r = k->ring;
    mixx_record rec = {0, 1000000, 800, 1333333, k->bufs->frames, 0};
    uint64_t ok = 0;
    for (uint32_t i = 0; i < blocks; i++) {
        rec.seq = i;
        rec.start_ns += 1333333;
        ok += (uint64_t)mixx_ring_push(r, &rec);
        MIXX_BENCH_BARRIER();
    }
    k->sink += ok;
    if (ok != blocks)
        k->rc = MIXX_ERANGE; /* a push found the ring full: the figure would not be the normal path */
}

/* Untimed: empty the ring (this thread is also the consumer here, between batches). */
static inline void mixx_bench_prepare_ring(mixx_bench_kind *k, uint32_t blocks)
{
    (void)blocks;
    mixx_record buf[256];
    while (mixx_ring_pop(k->ring, buf, 256) != 0)
        ;
}

/* ---- repetitions and statistics ------------------------------------------------------------------------ */

static inline int mixx_bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static inline void mixx_bench_summarise(mixx_bench_kind *k)
{
    k->min = k->median = k->p99 = k->mean = NAN;
    if (!k->enabled || k->n == 0)
        return;
    qsort(k->samples, k->n, sizeof(double), mixx_bench_cmp_double);
    double sum = 0;
    for (uint32_t i = 0; i < k->n; i++)
        sum += k->samples[i];
    k->mean = sum / k->n;
    k->min = k->samples[0];
    k->median = (k->n & 1) ? k->samples[k->n / 2] : 0.5 * (k->samples[k->n / 2 - 1] + k->samples[k->n / 2]);
    uint32_t i99 = (uint32_t)ceil(0.99 * k->n);
    k->p99 = k->samples[(i99 ? i99 : 1) - 1];
}

static inline double mixx_bench_batch_ns(mixx_bench_kind *k, uint32_t blocks)
{
    if (k->prepare)
        k->prepare(k, blocks);
    uint64_t t0 = mixx_bench_now();
    k->run(k, blocks);
    uint64_t t1 = mixx_bench_now();
    return (double)(t1 - t0) / blocks;
}

/* Blocks per batch so that one batch of `ref` takes about target_ns (clock reads then cost < 1 % and a batch
 * is short enough that few are hit by preemption). */
static inline uint32_t mixx_bench_calibrate(mixx_bench_kind *ref, double target_ns)
{
    double best = INFINITY;
    for (int i = 0; i < 20; i++) {
        double ns = mixx_bench_batch_ns(ref, 16);
        if (ns < best)
            best = ns;
    }
    double b = best > 0 ? target_ns / best : 1000;
    if (b < 1)
        b = 1;
    if (b > 100000)
        b = 100000;
    return (uint32_t)b;
}

/* Pacing: a round lasts at least blocks x this, busy-waiting (untimed, the core and its caches stay ours) at
 * its end. An instrumented engine then pushes at most 2000 records per 10 ms monitor tick, so its monitor
 * drains in ~0.1 ms and is idle during almost every timed batch — as in real use, where the audio thread
 * pushes one record per period. Unpaced, the monitor chases the bench's 10^7 pushes/s, its reads of the ring
 * and the engine's counters contend with the pushes, and the engine's median jumps between ~60 and ~90 ns. */
#define MIXX_BENCH_PACE_NS_PER_BLOCK 5000.0

/* Runs `warmup` + `reps` rounds; each round times one batch of `blocks` blocks of every enabled kind, in an
 * order rotated per round, so that drift of a shared machine hits all kinds alike. pace_ns_per_block: see
 * above (0 = unpaced). Returns 0 or -1 (memory). */
static inline int mixx_bench_measure(mixx_bench_kind *kinds, int nk, uint32_t reps, uint32_t warmup,
                                     uint32_t blocks, double pace_ns_per_block)
{
    for (int j = 0; j < nk; j++) {
        kinds[j].n = 0;
        free(kinds[j].samples);
        kinds[j].samples = NULL;
        if (kinds[j].enabled && !(kinds[j].samples = malloc(sizeof(double) * (reps ? reps : 1))))
            return -1;
    }
    for (int j = 0; j < nk; j++)
        mixx_bench_wait_drained(&kinds[j]);
    for (uint32_t r = 0; r < warmup + reps; r++) {
        uint64_t round_end = mixx_bench_now() + (uint64_t)(pace_ns_per_block * blocks);
        for (int j = 0; j < nk; j++) {
            mixx_bench_kind *k = &kinds[(j + (int)(r % (uint32_t)nk)) % nk];
            if (!k->enabled)
                continue;
            double ns = mixx_bench_batch_ns(k, blocks);
            if (r >= warmup)
                k->samples[k->n++] = ns;
        }
        while (mixx_bench_now() < round_end)
            ;
    }
    for (int j = 0; j < nk; j++)
        mixx_bench_summarise(&kinds[j]);
    return 0;
}

static inline void mixx_bench_kinds_free(mixx_bench_kind *kinds, int nk)
{
    for (int j = 0; j < nk; j++) {
        free(kinds[j].samples);
        kinds[j].samples = NULL;
    }
}

/* ---- machine description -------------------------------------------------------------------------------- */

/* "model name" from /proc/cpuinfo (x86), else "Hardware"/"CPU part" lines (arm), else "unknown". */
static inline void mixx_bench_cpu_model(char *out, size_t len)
{
    snprintf(out, len, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        int is_model = strncmp(line, "model name", 10) == 0;
        if (is_model || (!found && (strncmp(line, "Hardware", 8) == 0 || strncmp(line, "CPU part", 8) == 0))) {
            char *v = strchr(line, ':');
            if (!v)
                continue;
            v++;
            while (*v == ' ' || *v == '\t')
                v++;
            v[strcspn(v, "\n")] = '\0';
            snprintf(out, len, "%s", v);
            found = 1;
            if (is_model)
                break;
        }
    }
    fclose(f);
}

#endif
