/* SPDX-License-Identifier: MIT */
/* cmd_native.c: mixx native — the bare reference ("native stub") for the sim backend: one thread clocked
 * exactly like the sim device (clock_nanosleep TIMER_ABSTIME, same priority), doing nothing but the copy and
 * the same two timestamps, with no engine, ring or monitor. Its figures are the baseline beside the engine's
 * in a stability report. Durations and intervals go into arrays preallocated before the thread starts. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "native_dist.h"
#include "prefault.h"

typedef struct native_run {
    uint32_t rate, buffer, channels;
    uint64_t max_cycles;
    uint32_t *dur, *ival;
    uint64_t *start; /* --records only: each cycle's start (CLOCK_MONOTONIC), to line up with the engine's */
    uint64_t cycles, misses, xruns;
    float **in, **out;
    atomic_int stop;
    int policy, priority;
} native_run;

static native_run *g_native;

static void native_signal(int sig)
{
    (void)sig;
    if (g_native)
        atomic_store(&g_native->stop, 1);
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void *native_thread(void *arg)
{
    native_run *r = arg;
    uint64_t t0 = now_ns(), prev = 0;
    for (uint64_t k = 0; k < r->max_cycles && !atomic_load_explicit(&r->stop, memory_order_relaxed); k++) {
        uint64_t g0 = k * r->buffer;
        uint64_t wake = t0 + (g0 + r->buffer) * 1000000000ull / r->rate;
        uint64_t deadline = t0 + (g0 + 2ull * r->buffer) * 1000000000ull / r->rate;
        struct timespec ts = {(time_t)(wake / 1000000000ull), (long)(wake % 1000000000ull)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
            ;
        uint64_t a = now_ns();
        for (uint32_t c = 0; c < r->channels; c++)
            memcpy(r->out[c], r->in[c], r->buffer * sizeof(float));
        uint64_t b = now_ns();
        r->dur[k] = (uint32_t)(b - a);
        r->ival[k] = prev ? (uint32_t)(a - prev) : 0;
        if (r->start)
            r->start[k] = a;
        prev = a;
        if (b - a > (uint64_t)r->buffer * 1000000000ull / r->rate)
            r->misses++;
        if (b > deadline)
            r->xruns++;
        r->cycles = k + 1;
    }
    return NULL;
}

static int native_option(void *ctx, const char *opt, const char *val, int *used)
{
    const char **records = ctx;
    if (strcmp(opt, "--records") == 0 && val) {
        *records = val;
        *used = 1;
        return 1;
    }
    return 0;
}

/* --records FILE: a new file (never through a symlink), opened before the run so a bad path fails at once */
static FILE *native_open_records(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        fprintf(stderr, "mixx: native: --records %s: %s (the file must not exist)\n", path, strerror(err));
    }
    return f;
}

/* the same columns as `mixx stability --records` (flags 0: the loop has none). Returns 0 or -1 (said why). */
static int native_write_records(FILE *f, const char *path, const native_run *r)
{
    fputs("seq,start_ns,duration_ns,interval_ns,frames,flags\n", f);
    for (uint64_t k = 0; k < r->cycles; k++)
        fprintf(f, "%llu,%llu,%u,%u,%u,0\n", (unsigned long long)k, (unsigned long long)r->start[k], r->dur[k],
                r->ival[k], r->buffer);
    if (fclose(f) != 0) {
        fprintf(stderr, "mixx: native: --records %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

int mixx_cmd_native(int argc, char **argv)
{
    mixx_cli cli;
    mixx_cli_init(&cli, argc, argv);
    cli.duration_s = 10;
    const char *records = NULL;
    int prc = mixx_cli_parse(&cli, argc, argv, 2, native_option, &records);
    if (prc)
        return prc;
    if (cli.cfg.backend != MIXX_BACKEND_SIM)
        return mixx_cli_fail("native", MIXX_EUNSUPPORTED,
                             "the in-tree native stub is for sim; for JACK use mixx-jack-native");
    FILE *rf = NULL; /* opened first: a refused path fails before anything is allocated */
    if (records && !(rf = native_open_records(records)))
        return 2;
    native_run r;
    memset(&r, 0, sizeof r);
    r.rate = cli.cfg.sample_rate;
    r.buffer = cli.cfg.buffer_size;
    r.channels = cli.cfg.inputs < cli.cfg.outputs ? cli.cfg.inputs : cli.cfg.outputs;
    r.max_cycles = (uint64_t)(cli.duration_s * r.rate / r.buffer) + 1;
    /* the loop thread writes these from its first cycle: every page written here first (src/prefault.h), or it
     * takes a fault every 1024 cycles and the bare baseline is not bare (issue 13) */
    r.dur = mixx__calloc_hot(r.max_cycles, sizeof *r.dur);
    r.ival = mixx__calloc_hot(r.max_cycles, sizeof *r.ival);
    r.in = calloc(r.channels + 1, sizeof *r.in);
    r.out = calloc(r.channels + 1, sizeof *r.out);
    if (records)
        r.start = mixx__calloc_hot(r.max_cycles, sizeof *r.start);
    if (!r.dur || !r.ival || !r.in || !r.out || (records && !r.start))
        return mixx_cli_fail("native", MIXX_ENOMEM, NULL);
    for (uint32_t c = 0; c < r.channels; c++) {
        r.in[c] = calloc(r.buffer, sizeof(float));
        r.out[c] = calloc(r.buffer, sizeof(float));
        if (!r.in[c] || !r.out[c])
            return mixx_cli_fail("native", MIXX_ENOMEM, NULL);
    }
    atomic_init(&r.stop, 0);
    g_native = &r;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = native_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    int rc = EPERM;
    if (cli.cfg.rt_priority > 0) {
        struct sched_param sp = {.sched_priority = cli.cfg.rt_priority};
        pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
        pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
        pthread_attr_setschedparam(&attr, &sp);
        rc = pthread_create(&t, &attr, native_thread, &r);
    }
    pthread_attr_destroy(&attr);
    if (rc)
        rc = pthread_create(&t, NULL, native_thread, &r);
    if (rc)
        return mixx_cli_fail("native", MIXX_ETHREAD, strerror(rc));
    struct sched_param sp;
    pthread_getschedparam(t, &r.policy, &sp);
    r.priority = sp.sched_priority;
    uint64_t t0 = now_ns();
    pthread_join(t, NULL);
    double elapsed = (double)(now_ns() - t0) * 1e-9;
    g_native = NULL;

    uint64_t n = r.cycles;
    printf("{\"kind\":\"native-sim\",\"backend\":\"sim\",\"sample_rate\":%u,\"buffer_size\":%u,\"duration_s\":%.3f,"
           "\"interrupted\":%s,\"callbacks\":%llu,\"xruns\":%llu,\"deadline_misses\":%llu,"
           "\"sched\":{\"policy\":\"%s\",\"priority\":%d},",
           r.rate, r.buffer, elapsed, atomic_load(&r.stop) ? "true" : "false", (unsigned long long)n,
           (unsigned long long)r.xruns, (unsigned long long)r.misses,
           r.policy == SCHED_FIFO ? "SCHED_FIFO" : r.policy == SCHED_RR ? "SCHED_RR" : "SCHED_OTHER",
           r.priority);
    mixx_native_print_dist(stdout, "callback_ns", r.dur, n);
    putchar(',');
    /* the first interval is undefined (0): leave it out */
    mixx_native_print_dist(stdout, "interval_ns", r.ival + (n > 0), n > 0 ? n - 1 : 0);
    printf("}\n");
    int rrc = rf ? native_write_records(rf, records, &r) : 0;
    for (uint32_t c = 0; c < r.channels; c++) {
        free(r.in[c]);
        free(r.out[c]);
    }
    free(r.in);
    free(r.out);
    free(r.dur);
    free(r.ival);
    free(r.start);
    return rrc ? 1 : 0;
}
