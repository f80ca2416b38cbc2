/* SPDX-License-Identifier: MIT */
/* test_params_stress.c: 4 producer threads write sequence-numbered values into 1024 parameters (256 each) while
 * the sim engine runs and a checker thread reads the applied values: no torn value, no applied sequence going
 * back, and at the end every applied value equals the last value written. Phase 1: untimed writes
 * (mixx_param_set) for the given time; phase 2: timed events (mixx_param_push, registered producers) for a third of
 * it, fast enough that the queues overflow into the latest-value slots. Prints the rates (not asserted: timing is
 * the benchmark's business). Usage: test_params_stress [seconds] (default 3; MIXX_PARAMS_STRESS_S). */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mixxengine.h"
#include "mixxengine_params.h"

#define PRODUCERS 4
#define PARAMS 1024
#define ID0 0x20000u
#define SEQ_MAX 16777215u /* exact in a float */

static mixx_engine *eng;
static _Atomic int stop_writers, stop_checker;
static _Atomic uint32_t published[PARAMS]; /* the highest value a producer is about to write */
static uint32_t last_written[PARAMS];
static uint32_t seqs[PARAMS];
static uint64_t sets_done[PRODUCERS], overflowed[PRODUCERS], last_time[PRODUCERS];
static int timed_phase;
static _Atomic uint64_t checks, failures;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *writer(void *arg)
{
    int w = (int)(intptr_t)arg;
    uint32_t *seq = &seqs[(uint32_t)w * (PARAMS / PRODUCERS)];
    uint64_t n = 0, rng = 0x9e3779b97f4a7c15ull * (uint64_t)(w + 1), t = 0;
    mixx_param_producer *prod = NULL;
    if (timed_phase) {
        int rc = mixx_param_producer_register(eng, &prod);
        if (rc) {
            fprintf(stderr, "FAIL: writer %d: register: %s\n", w, mixx_error_name(rc));
            atomic_fetch_add(&failures, 1);
            return NULL;
        }
    }
    while (!atomic_load_explicit(&stop_writers, memory_order_relaxed)) {
        for (int burst = 0; burst < 256; burst++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            uint32_t k = (uint32_t)(rng >> 33) % (PARAMS / PRODUCERS);
            uint32_t p = (uint32_t)w * (PARAMS / PRODUCERS) + k;
            if (seq[k] >= SEQ_MAX)
                continue;
            uint32_t v = ++seq[k];
            atomic_store_explicit(&published[p], v, memory_order_release);
            int rc;
            if (prod) {
                /* a little ahead of the engine, never going back */
                uint64_t now = mixx_param_sample_time(eng) + (rng >> 20) % 256;
                t = now > t ? now : t;
                rc = mixx_param_push(prod, ID0 + p, (double)v, t);
                if (rc == MIXX_EQUEUEFULL) {
                    overflowed[w]++;
                    rc = 0;
                }
            } else {
                rc = mixx_param_set(eng, ID0 + p, (double)v);
            }
            if (rc) {
                fprintf(stderr, "FAIL: writer %d: mixx_param_set: %s\n", w, mixx_error_name(rc));
                atomic_fetch_add(&failures, 1);
                return NULL;
            }
            last_written[p] = v;
            n++;
        }
    }
    sets_done[w] = n;
    last_time[w] = t;
    mixx_param_producer_unregister(prod);
    return NULL;
}

static void *checker(void *arg)
{
    (void)arg;
    static uint32_t seen[PARAMS];
    uint64_t rng = 42;
    while (!atomic_load_explicit(&stop_checker, memory_order_relaxed)) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t p = (uint32_t)(rng >> 33) % PARAMS;
        double v;
        if (mixx_param_get_applied(eng, ID0 + p, &v) != 0) {
            atomic_fetch_add(&failures, 1);
            continue;
        }
        uint32_t pub = atomic_load_explicit(&published[p], memory_order_acquire);
        if (v != floor(v) || v < 0 || v > (double)pub) {
            fprintf(stderr, "FAIL: param %u: applied %.9g is no value written (highest %u)\n", p, v, pub);
            atomic_fetch_add(&failures, 1);
        } else if ((uint32_t)v < seen[p]) {
            fprintf(stderr, "FAIL: param %u: applied went back from %u to %u\n", p, seen[p], (uint32_t)v);
            atomic_fetch_add(&failures, 1);
        } else {
            seen[p] = (uint32_t)v;
        }
        atomic_fetch_add_explicit(&checks, 1, memory_order_relaxed);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    double seconds = 3.0;
    const char *env = getenv("MIXX_PARAMS_STRESS_S");
    if (argc > 1)
        seconds = atof(argv[1]);
    else if (env)
        seconds = atof(env);
    mixx_config cfg;
    MIXX_CONFIG_INIT(&cfg);
    cfg.backend = MIXX_BACKEND_SIM;
    cfg.rt_priority = 0;
    cfg.instrument = 1;
    int rc = mixx_engine_create(&cfg, &eng);
    if (rc) {
        fprintf(stderr, "FAIL: create: %s\n", mixx_error_name(rc));
        return 1;
    }
    for (uint32_t p = 0; p < PARAMS; p++) {
        mixx_param_info pi;
        memset(&pi, 0, sizeof pi);
        pi.id = ID0 + p;
        snprintf(pi.name, sizeof pi.name, "stress.%u", p);
        pi.min = 0;
        pi.max = SEQ_MAX;
        pi.flags = MIXX_PARAM_STEPPED;
        pi.smoothing_ms = (p % 3) * 5.0; /* smoothing must not change what is applied */
        if ((rc = mixx_param_define(eng, &pi)) != 0) {
            fprintf(stderr, "FAIL: define %u: %s\n", p, mixx_error_name(rc));
            return 1;
        }
    }
    if ((rc = mixx_engine_start_stream(eng)) != 0) {
        fprintf(stderr, "FAIL: start: %s (%s)\n", mixx_error_name(rc), mixx_engine_last_error(eng));
        return 1;
    }
    int bad = 0;
    for (timed_phase = 0; timed_phase < 2; timed_phase++) {
        double dur = timed_phase ? seconds / 3 : seconds;
        pthread_t w[PRODUCERS], c;
        atomic_store(&stop_writers, 0);
        atomic_store(&stop_checker, 0);
        double t0 = now_s();
        for (int i = 0; i < PRODUCERS; i++)
            pthread_create(&w[i], NULL, writer, (void *)(intptr_t)i);
        pthread_create(&c, NULL, checker, NULL);
        while (now_s() - t0 < dur) {
            struct timespec d = {0, 50000000};
            nanosleep(&d, NULL);
        }
        atomic_store(&stop_writers, 1);
        for (int i = 0; i < PRODUCERS; i++)
            pthread_join(w[i], NULL);
        double el = now_s() - t0;
        /* every write returned before these blocks started, every timed event is due: two more blocks apply them */
        uint64_t due = mixx_param_sample_time(eng);
        for (int i = 0; i < PRODUCERS; i++)
            due = last_time[i] > due ? last_time[i] : due;
        uint64_t t_end = due + 2 * cfg.buffer_size + 1;
        double wait0 = now_s();
        while (mixx_param_sample_time(eng) < t_end && now_s() - wait0 < 30) {
            struct timespec d = {0, 1000000};
            nanosleep(&d, NULL);
        }
        atomic_store(&stop_checker, 1);
        pthread_join(c, NULL);
        uint64_t total = 0, ovf = 0;
        for (int i = 0; i < PRODUCERS; i++) {
            total += sets_done[i];
            ovf += overflowed[i];
        }
        int mismatches = 0;
        for (uint32_t p = 0; p < PARAMS; p++) {
            double v;
            mixx_param_get_applied(eng, ID0 + p, &v);
            if (v != (double)last_written[p]) {
                if (mismatches++ < 10)
                    fprintf(stderr, "FAIL: param %u: applied %.9g, last written %u\n", p, v, last_written[p]);
            }
        }
        printf("stress %s: %d producers x %d params, %.2f s: %llu %s = %.3g/s%s; %llu checker reads; "
               "%d final mismatches, %llu failures\n",
               timed_phase ? "timed" : "set", PRODUCERS, PARAMS, el, (unsigned long long)total,
               timed_phase ? "pushes" : "sets", (double)total / el, "", (unsigned long long)checks, mismatches,
               (unsigned long long)failures);
        if (timed_phase)
            printf("  %llu pushes overflowed into the latest-value slots\n", (unsigned long long)ovf);
        atomic_store(&checks, 0);
        bad |= mismatches || failures;
    }
    mixx_stats st;
    mixx_engine_get_stats(eng, &st, sizeof st);
    mixx_engine_stop_stream(eng);
    mixx_engine_destroy(eng);
    printf("%llu engine callbacks\n", (unsigned long long)st.callbacks);
    if (st.callbacks == 0) {
        fprintf(stderr, "FAIL: the engine never ran\n");
        return 1;
    }
    return bad ? 1 : 0;
}
