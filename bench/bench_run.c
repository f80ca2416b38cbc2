/* SPDX-License-Identifier: MIT */
/* bench_run.c: `mixx bench` itself: every kind of block (memcpy floor, timestamps, ring push, engine static /
 * no instrumentation / dlopen'ed / with the latency meter) timed interleaved for one configuration, the
 * --scaling sweep over block sizes and channel counts, and --callgrind-mode exact block counts. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_internal.h"
#include "util.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define MIXX_HAVE_CALLGRIND_H 1
#endif
#endif
#ifndef MIXX_HAVE_CALLGRIND_H
#define CALLGRIND_START_INSTRUMENTATION ((void)0)
#define CALLGRIND_STOP_INSTRUMENTATION ((void)0)
#endif

/* ---- one configuration: every kind, interleaved --------------------------------------------------------- */

enum { K_FLOOR, K_FLOOR_TS, K_RING, K_ENGINE, K_ENGINE_NOI, K_SHARED, K_RTL, K_COUNT };

typedef struct bench_set {
    mixx_bench_bufs bufs;
    mixx_bench_api api;
    shared_lib shared;
    mixx_ring ring;
    int ring_ok, rtl_started;
    mixx_bench_kind k[K_COUNT];
    uint32_t blocks;
    uint64_t dropped[K_COUNT];
} bench_set;

static void kind_init(mixx_bench_kind *k, const char *key, const char *label, mixx_bench_run_fn run,
                      mixx_bench_run_fn prepare, const mixx_bench_bufs *b)
{
    memset(k, 0, sizeof *k);
    k->key = key;
    k->label = label;
    k->run = run;
    k->prepare = prepare;
    k->bufs = b;
    k->enabled = 1;
}

__attribute__((format(printf, 2, 0))) static void kind_disable(mixx_bench_kind *k, const char *f,
                                                              const char *detail)
{
    k->enabled = 0;
    fmt(k->why, sizeof k->why, f, detail);
}

static void kind_engine(mixx_bench_kind *k, const mixx_bench_api *api, uint32_t rate, int instrument,
                        uint32_t ring)
{
    k->api = api;
    k->instrumented = instrument;
    k->ring_capacity = ring;
    int rc = mixx_bench_engine_open(api, k->bufs, rate, instrument, ring, &k->engine);
    if (rc)
        kind_disable(k, "engine create/start failed: %s", mixx_strerror(rc));
}

static uint32_t pow2_at_least(uint32_t v)
{
    uint32_t p = 1;
    while (p < v && p < (1u << 24))
        p <<= 1;
    return p;
}

/* Untimed: push one ring's worth of blocks through an instrumented engine so that its ring pages are faulted
 * in before timing (calloc'ed memory is touched for the first time by the audio thread otherwise). */
static void warm_engine(mixx_bench_kind *k, uint32_t blocks, double budget_ns)
{
    if (!k->enabled || !k->instrumented)
        return;
    uint64_t t0 = mixx_bench_now();
    for (uint32_t done = 0; done < k->ring_capacity; done += blocks) {
        if (k->prepare)
            k->prepare(k, blocks);
        k->run(k, blocks);
        if ((double)(mixx_bench_now() - t0) > budget_ns)
            break;
    }
}

static int set_open(bench_set *s, const bench_opts *o, uint32_t rate, uint32_t frames, uint32_t channels,
                    int full)
{
    memset(s, 0, sizeof *s);
    if (mixx_bench_bufs_init(&s->bufs, frames, channels) != 0)
        return MIXX_ENOMEM;
    s->api = mixx_bench_api_linked();
    const mixx_bench_bufs *b = &s->bufs;
    kind_init(&s->k[K_FLOOR], "floor", "floor: memcpy in->out", mixx_bench_run_floor, NULL, b);
    kind_init(&s->k[K_FLOOR_TS], "floor_with_timestamps", "floor + 2 clock_gettime", mixx_bench_run_floor_ts,
              NULL, b);
    kind_init(&s->k[K_RING], "ring_push", "metrics-ring push alone", mixx_bench_run_ring_push,
              mixx_bench_prepare_ring, b);
    kind_init(&s->k[K_ENGINE], "engine", "engine hosted, instr on (static)", mixx_bench_run_engine_linked,
              mixx_bench_prepare_engine, b);
    kind_init(&s->k[K_ENGINE_NOI], "engine_no_instr", "engine hosted, instr off (static)",
              mixx_bench_run_engine_linked, mixx_bench_prepare_engine, b);
    kind_init(&s->k[K_SHARED], "engine_shared", "engine hosted, instr on (dlopen .so)", mixx_bench_run_engine_ptr,
              mixx_bench_prepare_engine, b);
    kind_init(&s->k[K_RTL], "rtl", "engine hosted + latency meter active", mixx_bench_run_engine_linked,
              mixx_bench_prepare_engine, b);

    kind_engine(&s->k[K_ENGINE], &s->api, rate, 1, o->ring);
    kind_engine(&s->k[K_ENGINE_NOI], &s->api, rate, 0, o->ring);
    if (!full) {
        s->k[K_RING].enabled = s->k[K_SHARED].enabled = s->k[K_RTL].enabled = 0;
        return 0;
    }
    /* the ring alone: the engine's default capacity, emptied (untimed) before every batch */
    s->ring_ok = mixx_ring_init(&s->ring, 16384) == 0;
    if (s->ring_ok) {
        /* fault the slots in now: first-touch page faults are not part of a push */
        memset(s->ring.slots, 0xff, (size_t)(s->ring.idx.size) * sizeof(mixx_record));
        s->k[K_RING].ring = &s->ring;
    }
    else
        kind_disable(&s->k[K_RING], "%s", "out of memory");

    if (o->no_shared)
        kind_disable(&s->k[K_SHARED], "%s", "skipped (--no-shared)");
    else if (mixx_bench_load_shared(&s->shared, o->lib, o->exe_dir ? o->exe_dir : ".") != 0)
        kind_disable(&s->k[K_SHARED], "%s", s->shared.why);
    else {
        if (s->shared.api.version() != mixx_version())
            fprintf(stderr, "mixx: bench: warning: %s is version %#x, this mixx links %#x\n", s->shared.path,
                    s->shared.api.version(), mixx_version());
        kind_engine(&s->k[K_SHARED], &s->shared.api, rate, 1, o->ring);
    }

    kind_engine(&s->k[K_RTL], &s->api, rate, 1, o->ring);
    if (s->k[K_RTL].enabled) {
        int rc = mixx_engine_rtl_start(s->k[K_RTL].engine, MIXX_RTL_MULTITONE, 0, 1);
        if (rc) {
            char d[160];
            fmt(d, sizeof d, "%s (%s)", mixx_strerror(rc), mixx_error_name(rc));
            kind_disable(&s->k[K_RTL], "mixx_engine_rtl_start: %s", d);
        } else {
            s->rtl_started = 1;
        }
    }
    return 0;
}

/* Stops the engines (after reading how many records they dropped) and frees everything. */
static void set_close(bench_set *s)
{
    for (int i = 0; i < K_COUNT; i++) {
        mixx_bench_kind *k = &s->k[i];
        if (!k->engine)
            continue;
        if (i == K_RTL && s->rtl_started)
            k->api->rtl_stop(k->engine);
        k->api->stop(k->engine);
        mixx_stats st;
        if (k->api->get_stats(k->engine, &st, sizeof st) == 0)
            s->dropped[i] = st.dropped_records;
        k->api->destroy(k->engine);
        k->engine = NULL;
    }
    if (s->shared.handle)
        dlclose(s->shared.handle);
    s->shared.handle = NULL;
    if (s->ring_ok)
        mixx_ring_free(&s->ring);
    mixx_bench_kinds_free(s->k, K_COUNT);
    mixx_bench_bufs_free(&s->bufs);
}

static int set_measure(bench_set *s, const bench_opts *o, uint32_t reps, double warm_budget_ns)
{
    s->blocks = o->blocks_set ? o->blocks : 0;
    if (!s->blocks) {
        mixx_bench_kind *ref = s->k[K_ENGINE].enabled ? &s->k[K_ENGINE] : &s->k[K_FLOOR_TS];
        s->blocks = mixx_bench_calibrate(ref, o->target_us * 1000.0);
    }
    /* the ring-push batch must fit the ring it is timed on */
    if (s->k[K_RING].enabled && s->blocks > s->ring.idx.size)
        s->blocks = s->ring.idx.size;
    for (int i = 0; i < K_COUNT; i++)
        warm_engine(&s->k[i], s->blocks, warm_budget_ns);
    double pace = o->no_pace ? 0.0 : MIXX_BENCH_PACE_NS_PER_BLOCK;
    return mixx_bench_measure(s->k, K_COUNT, reps, o->warmup, s->blocks, pace) == 0 ? 0 : MIXX_ENOMEM;
}

/* ---- printing ------------------------------------------------------------------------------------------ */

static double med(const bench_set *s, int i)
{
    return s->k[i].enabled ? s->k[i].median : NAN;
}

static void json_kv(const char *key, double v, int comma)
{
    printf("\"%s\":", key);
    mixx_json_num(stdout, v);
    if (comma)
        putchar(',');
}

static void print_row(const char *label, double mn, double md, double p99, double floor, double floor_ts)
{
    if (!isfinite(md)) {
        printf("  %-40s %10s\n", label, "null");
        return;
    }
    printf("  %-40s %9.1f %9.1f %9.1f %8.2f %8.2f\n", label, mn, md, p99, md / floor, md / floor_ts);
}

static int bench_main(const bench_opts *o)
{
    uint32_t rate = o->sample_rate;
    bench_set s;
    int rc = set_open(&s, o, rate, o->frames, o->channels, 1);
    if (rc)
        return mixx_cli_fail("bench", rc, "buffers");
    rc = set_measure(&s, o, o->reps, 200e6);
    uint32_t blocks = s.blocks;
    int engine_rc = s.k[K_ENGINE].rc | s.k[K_ENGINE_NOI].rc | s.k[K_SHARED].rc | s.k[K_RTL].rc;
    int ring_rc = s.k[K_RING].rc;
    mixx_bench_kind kk[K_COUNT];
    memcpy(kk, s.k, sizeof kk); /* summaries survive set_close (samples are freed) */
    set_close(&s);
    /* after set_close: our engines' monitor threads, still draining, would compete with the child for CPU */
    plt_result plt;
    if (o->no_plt) {
        memset(&plt, 0, sizeof plt);
        fmt(plt.why, sizeof plt.why, "skipped (--no-plt)");
    } else {
        mixx_bench_run_plt(o, rate, &plt);
    }
    if (rc)
        return mixx_cli_fail("bench", rc, "measurement");
    if (engine_rc)
        return mixx_cli_fail("bench", engine_rc, "mixx_engine_process failed in the timed loop");

    char cpu[256];
    mixx_bench_cpu_model(cpu, sizeof cpu);
    double period_ns = (double)o->frames * 1e9 / rate;
    double floor = kk[K_FLOOR].median, floor_ts = kk[K_FLOOR_TS].median;
    double engine = kk[K_ENGINE].median, noi = kk[K_ENGINE_NOI].median;
    double shared = kk[K_SHARED].enabled ? kk[K_SHARED].median : NAN;
    double ring = kk[K_RING].enabled ? kk[K_RING].median : NAN;
    double rtl = kk[K_RTL].enabled ? kk[K_RTL].median : NAN;
    double ratio = engine / floor_ts;
    double ts_cost = floor_ts - floor;
    double instr = engine - noi;
    double budget = ts_cost + ring;
    double plt_ns = plt.ok ? plt.engine_ns : NAN;
    double plt_ratio = plt.ok ? plt.engine_ns / plt.floor_ts_ns : NAN;
    uint64_t dropped = s.dropped[K_ENGINE] + s.dropped[K_SHARED] + s.dropped[K_RTL];

    if (o->json) {
        printf("{");
        json_kv("floor_ns", floor, 1);
        json_kv("floor_with_timestamps_ns", floor_ts, 1);
        json_kv("engine_ns", engine, 1);
        json_kv("engine_no_instr_ns", noi, 1);
        json_kv("engine_shared_ns", shared, 1);
        json_kv("engine_over_floor_with_timestamps", ratio, 1);
        json_kv("target_engine_over_floor_with_timestamps", MIXX_BENCH_TARGET_RATIO, 1);
        printf("\"target_met\":%s,\"instr_overhead_within_budget\":%s,", ratio <= MIXX_BENCH_TARGET_RATIO ? "true" : "false",
               instr <= budget ? "true" : "false");
        printf("\"frames\":%u,\"channels\":%u,\"sample_rate\":%u,", o->frames, o->channels, rate);
        json_kv("engine_over_floor", engine / floor, 1);
        json_kv("engine_no_instr_over_floor", noi / floor, 1);
        json_kv("engine_shared_over_floor_with_timestamps", shared / floor_ts, 1);
        json_kv("shared_minus_static_ns", shared - engine, 1);
        json_kv("engine_plt_ns", plt_ns, 1);
        json_kv("engine_plt_over_its_floor_with_timestamps", plt_ratio, 1);
        json_kv("ring_push_ns", ring, 1);
        json_kv("timestamps_ns", ts_cost, 1);
        json_kv("instr_overhead_ns", instr, 1);
        json_kv("instr_budget_ns", budget, 1);
        json_kv("rtl_ns", rtl, 1);
        json_kv("rtl_overhead_ns", rtl - engine, 1);
        json_kv("period_ns", period_ns, 1);
        json_kv("engine_period_pct", 100.0 * engine / period_ns, 1);
        printf("\"stats\":{");
        for (int i = 0; i < K_COUNT; i++) {
            printf("%s\"%s\":", i ? "," : "", kk[i].key);
            if (!kk[i].enabled) {
                printf("null");
                continue;
            }
            printf("{");
            json_kv("min", kk[i].min, 1);
            json_kv("median", kk[i].median, 1);
            json_kv("p99", kk[i].p99, 1);
            json_kv("mean", kk[i].mean, 0);
            printf("}");
        }
        printf("},\"notes\":{");
        int first = 1;
        for (int i = 0; i < K_COUNT; i++) {
            if (kk[i].enabled)
                continue;
            printf("%s\"%s\":", first ? "" : ",", kk[i].key);
            mixx_json_str(stdout, kk[i].why);
            first = 0;
        }
        if (!plt.ok && !plt.absent) {
            printf("%s\"engine_plt\":", first ? "" : ",");
            mixx_json_str(stdout, plt.why);
        }
        printf("},\"reps\":%u,\"blocks_per_rep\":%u,\"pace_ns_per_block\":%g,\"ring_capacity\":%u,"
               "\"dropped_records\":%llu,\"ring_push_full\":%s,\"cpu_model\":",
               o->reps, blocks, o->no_pace ? 0.0 : MIXX_BENCH_PACE_NS_PER_BLOCK, o->ring,
               (unsigned long long)dropped, ring_rc ? "true" : "false");
        mixx_json_str(stdout, cpu);
        printf(",\"cpus_online\":%ld,\"shared_lib\":", sysconf(_SC_NPROCESSORS_ONLN));
        if (kk[K_SHARED].enabled)
            mixx_json_str(stdout, s.shared.path);
        else
            printf("null");
        printf(",\"plt_program\":");
        if (plt.ok)
            mixx_json_str(stdout, plt.path);
        else
            printf("null");
        printf(",\"command\":");
        mixx_json_str(stdout, o->command_line ? o->command_line : "");
        printf("}\n");
        return 0;
    }

    printf("mixx bench: %u frames x %u channels (%zu bytes per direction), %u Hz: period %.1f us\n", o->frames,
           o->channels, (size_t)o->frames * o->channels * sizeof(float), rate, period_ns / 1000.0);
    printf("cpu: %s (%ld online)\n", cpu, sysconf(_SC_NPROCESSORS_ONLN));
    printf("%u repetitions x %u blocks, kinds interleaved, %s; ns per block\n\n", o->reps, blocks,
           o->no_pace ? "unpaced (--no-pace)" : "rounds paced to >= 5 us per block");
    printf("  %-40s %9s %9s %9s %8s %8s\n", "figure", "min", "median", "p99", "x floor", "x fl+ts");
    for (int i = 0; i < K_COUNT; i++)
        print_row(kk[i].label, kk[i].min, kk[i].median, kk[i].p99, floor, floor_ts);
    if (plt.ok)
        printf("  %-40s %9s %9.1f %9s %8.2f %8.2f   (own floor+ts %.1f: x %.2f)\n",
               "engine hosted, instr on (PLT, own run)", "", plt.engine_ns, "", plt.engine_ns / floor,
               plt.engine_ns / floor_ts, plt.floor_ts_ns, plt_ratio);
    printf("\n");
    for (int i = 0; i < K_COUNT; i++)
        if (!kk[i].enabled)
            printf("  %s: null: %s\n", kk[i].key, kk[i].why);
    if (!plt.ok && !plt.absent)
        printf("  engine_plt: null: %s\n", plt.why);
    printf("\ntargets:\n");
    printf("  engine / (floor + timestamps) = %.2f (target <= %.1f): %s\n", ratio, MIXX_BENCH_TARGET_RATIO,
           ratio <= MIXX_BENCH_TARGET_RATIO ? "met" : "MISSED");
    printf("  engine = %.1f ns = %.4f %% of the %.1f us period\n", engine, 100.0 * engine / period_ns,
           period_ns / 1000.0);
    printf("  instrumentation on - off = %.1f ns; 2 timestamps + 1 ring push = %.1f + %.1f = %.1f ns: %s\n", instr,
           ts_cost, ring, budget, instr <= budget ? "within budget" : "OVER BUDGET");
    if (isfinite(shared))
        printf("  shared (dlopen) - static = %+.1f ns (%+.1f %%)\n", shared - engine,
               100.0 * (shared - engine) / engine);
    if (plt.ok)
        printf("  PLT program: engine / own floor+ts = %.2f (static here: %.2f)\n", plt_ratio, ratio);
    printf("  records dropped by the timed engines: %llu (ring %u)%s\n", (unsigned long long)dropped, o->ring,
           ring_rc ? "; WARNING: ring-push batches found the ring full" : "");
    if (kk[K_SHARED].enabled)
        printf("  shared library: %s\n", s.shared.path);
    return 0;
}

/* ---- scaling ---------------------------------------------------------------------------------------------- */

static int bench_scaling(const bench_opts *o)
{
    static const uint32_t frames_list[] = {16, 32, 64, 128, 256, 512, 1024, 2048, 4096};
    static const uint32_t ch_list[] = {1, 2, 4, 8, 16, 32, 64};
    uint32_t rate = o->sample_rate;
    uint32_t reps = o->reps_set ? o->reps : 300;
    char cpu[256];
    mixx_bench_cpu_model(cpu, sizeof cpu);
    if (o->json) {
        printf("{\"cpu_model\":");
        mixx_json_str(stdout, cpu);
        printf(",\"reps\":%u,\"rows\":[", reps);
    } else if (o->tsv)
        printf("# mixx bench --scaling: ns per block (medians over %u reps); cpu: %s\n"
               "frames\tchannels\tbytes\tfloor_ns\tfloor_ts_ns\tengine_ns\tengine_no_instr_ns\t"
               "over_floor_ts_ns\tratio\tengine_p99_ns\n",
               reps, cpu);
    else
        printf("mixx bench --scaling (cpu: %s, %u reps, medians, ns per block)\n%6s %4s %9s %10s %10s %10s %10s "
               "%9s %6s\n",
               cpu, reps, "frames", "ch", "bytes", "floor", "floor+ts", "engine", "no-instr", "eng-fl+ts",
               "ratio");
    int first = 1;
    for (size_t ci = 0; ci < sizeof ch_list / sizeof ch_list[0]; ci++) {
        for (size_t fi = 0; fi < sizeof frames_list / sizeof frames_list[0]; fi++) {
            uint32_t fr = frames_list[fi], ch = ch_list[ci];
            bench_set s;
            int rc = set_open(&s, o, rate, fr, ch, 0);
            if (rc == 0)
                rc = set_measure(&s, o, reps, 30e6);
            int erc = s.k[K_ENGINE].rc | s.k[K_ENGINE_NOI].rc;
            double f = med(&s, K_FLOOR), fts = med(&s, K_FLOOR_TS), en = med(&s, K_ENGINE),
                   noi = med(&s, K_ENGINE_NOI), p99 = s.k[K_ENGINE].enabled ? s.k[K_ENGINE].p99 : NAN;
            set_close(&s);
            if (rc || erc)
                return mixx_cli_fail("bench --scaling", rc ? rc : erc, NULL);
            size_t bytes = (size_t)fr * ch * sizeof(float);
            if (o->json) {
                printf("%s{\"frames\":%u,\"channels\":%u,\"bytes\":%zu,", first ? "" : ",", fr, ch, bytes);
                json_kv("floor_ns", f, 1);
                json_kv("floor_with_timestamps_ns", fts, 1);
                json_kv("engine_ns", en, 1);
                json_kv("engine_no_instr_ns", noi, 1);
                json_kv("engine_p99_ns", p99, 1);
                json_kv("ratio", en / fts, 0);
                printf("}");
            } else if (o->tsv) {
                printf("%u\t%u\t%zu\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.3f\t%.2f\n", fr, ch, bytes, f, fts, en, noi,
                       en - fts, en / fts, p99);
            } else {
                printf("%6u %4u %9zu %10.1f %10.1f %10.1f %10.1f %9.1f %6.2f\n", fr, ch, bytes, f, fts, en, noi,
                       en - fts, en / fts);
            }
            fflush(stdout);
            first = 0;
        }
    }
    if (o->json)
        printf("]}\n");
    return 0;
}

/* ---- callgrind: exact block counts, one kind per run ---------------------------------------------------------
 * Each kind's block is one out-of-line function so that `valgrind --tool=callgrind --toggle-collect=<fn>`
 * counts exactly its instructions (in this thread only: the monitor thread is not counted). */
#if defined(__clang__)
#define CG_NOINLINE __attribute__((noinline))
#else
#define CG_NOINLINE __attribute__((noinline, noclone)) /* noclone: keep the symbol name for --toggle-collect */
#endif
void mixx_bench_cg_floor(const mixx_bench_bufs *b);
uint64_t mixx_bench_cg_floor_ts(const mixx_bench_bufs *b);
int mixx_bench_cg_ring_push(mixx_ring *r, const mixx_record *rec);

CG_NOINLINE void mixx_bench_cg_floor(const mixx_bench_bufs *b)
{
    mixx_bench_copy(b);
    MIXX_BENCH_BARRIER();
}

CG_NOINLINE uint64_t mixx_bench_cg_floor_ts(const mixx_bench_bufs *b)
{
    uint64_t t0 = mixx_bench_now();
    mixx_bench_copy(b);
    MIXX_BENCH_BARRIER();
    return mixx_bench_now() - t0;
}

CG_NOINLINE int mixx_bench_cg_ring_push(mixx_ring *r, const mixx_record *rec)
{
    return mixx_ring_push(r, rec);
}

static int bench_callgrind(const bench_opts *o)
{
    static const struct {
        const char *mode, *fn;
    } modes[] = {{"floor", "mixx_bench_cg_floor"},
                 {"floor_ts", "mixx_bench_cg_floor_ts"},
                 {"ring_push", "mixx_bench_cg_ring_push"},
                 {"engine", "mixx_engine_process"},
                 {"engine_no_instr", "mixx_engine_process"}};
    int m = -1;
    for (int i = 0; i < (int)(sizeof modes / sizeof modes[0]); i++)
        if (strcmp(o->cg_mode, modes[i].mode) == 0)
            m = i;
    if (m < 0) {
        fprintf(stderr, "mixx: --callgrind-mode: expected floor|floor_ts|ring_push|engine|engine_no_instr\n");
        return 2;
    }
    uint32_t n = o->blocks_set ? o->blocks : 1000;
    mixx_bench_bufs b;
    if (mixx_bench_bufs_init(&b, o->frames, o->channels) != 0)
        return mixx_cli_fail("bench", MIXX_ENOMEM, NULL);
    mixx_bench_api api = mixx_bench_api_linked();
    mixx_engine *e = NULL;
    mixx_ring ring;
    int ring_ok = 0, rc = 0;
    mixx_record rec = {0, 1000000, 800, 1333333, o->frames, 0};
    uint64_t sink = 0;
    if (m >= 3) {
        /* a ring that holds every block: no push of the counted run finds it full */
        rc = mixx_bench_engine_open(&api, &b, o->sample_rate, m == 3, pow2_at_least(2 * (n + 64)), &e);
        if (rc) {
            mixx_bench_bufs_free(&b);
            return mixx_cli_fail("bench", rc, "engine");
        }
    } else if (m == 2) {
        rc = mixx_ring_init(&ring, pow2_at_least(2 * (n + 64)));
        if (rc) {
            mixx_bench_bufs_free(&b);
            return mixx_cli_fail("bench", rc, "ring");
        }
        ring_ok = 1;
    }
    /* warm-up, not counted (first calls resolve PLT slots and touch memory) */
    for (uint32_t i = 0; i < 64; i++) {
        if (m == 0)
            mixx_bench_cg_floor(&b);
        else if (m == 1)
            sink += mixx_bench_cg_floor_ts(&b);
        else if (m == 2)
            sink += (uint64_t)mixx_bench_cg_ring_push(&ring, &rec);
        else
            rc |= mixx_engine_process(e, b.in, b.channels, b.out, b.channels, b.frames);
    }
    CALLGRIND_START_INSTRUMENTATION;
    for (uint32_t i = 0; i < n; i++) {
        if (m == 0)
            mixx_bench_cg_floor(&b);
        else if (m == 1)
            sink += mixx_bench_cg_floor_ts(&b);
        else if (m == 2)
            sink += (uint64_t)mixx_bench_cg_ring_push(&ring, &rec);
        else
            rc |= mixx_engine_process(e, b.in, b.channels, b.out, b.channels, b.frames);
    }
    CALLGRIND_STOP_INSTRUMENTATION;
    if (e) {
        api.stop(e);
        api.destroy(e);
    }
    if (ring_ok)
        mixx_ring_free(&ring);
    mixx_bench_bufs_free(&b);
    if (rc)
        return mixx_cli_fail("bench", rc, "mixx_engine_process");
    printf("callgrind-mode %s: %u blocks of %u frames x %u channels; count with --toggle-collect=%s (sink %llu)\n",
           modes[m].mode, n, o->frames, o->channels, modes[m].fn, (unsigned long long)sink);
    return 0;
}

int mixx_bench_have_callgrind_h(void)
{
#ifdef MIXX_HAVE_CALLGRIND_H
    return 1;
#else
    return 0;
#endif
}

int mixx_bench_run(const mixx_bench_opts *o)
{
    if (o->cg_mode)
        return bench_callgrind(o);
    if (o->scaling)
        return bench_scaling(o);
    return bench_main(o);
}
