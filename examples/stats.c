/* SPDX-License-Identifier: MIT
 * stats.c: what the engine measures. A per-second summary from the monitor thread while it runs, then the
 * snapshot (counters, percentiles) and the callback-duration histogram after stop. Usage: stats [seconds] */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <mixxengine.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Monitor thread, once per second of audio: may print, allocate, block (never the audio thread). */
static void on_second(const mixx_second *s, void *user)
{
    (void)user;
    printf("t=%4.1f s  %6llu callbacks  %llu xruns  load mean %4.1f %% max %4.1f %%  worst callback %.1f us\n",
           s->t_s, (unsigned long long)s->callbacks, (unsigned long long)s->xruns, 100.0 * s->dsp_load_mean,
           100.0 * s->dsp_load_max, s->callback_ns_max / 1e3);
}

static void print_percentiles(const char *what, const mixx_percentiles *p)
{
    printf("%-9s n=%llu  p50 %.1f  p99 %.1f  p99.9 %.1f  max %.1f us\n", what, (unsigned long long)p->count,
           p->p50 / 1e3, p->p99 / 1e3, p->p999 / 1e3, p->max / 1e3);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    mixx_config cfg;
    MIXX_CONFIG_INIT(&cfg); /* sim backend: runs anywhere, no sound card needed */
    cfg.second_cb = on_second;
    mixx_engine *engine = NULL;
    int rc = mixx_engine_create(&cfg, &engine);
    if (rc == MIXX_OK)
        rc = mixx_engine_start_stream(engine);
    if (rc != MIXX_OK) {
        fprintf(stderr, "start: %s\n", mixx_strerror(rc));
        mixx_engine_destroy(engine);
        return 1;
    }
    long ms = (long)(seconds * 1000.0);
    nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L}, NULL);
    rc = mixx_engine_stop_stream(engine); /* drains every record: the figures below are complete */

    mixx_stats st;
    if (rc == MIXX_OK)
        rc = mixx_engine_get_stats(engine, &st, sizeof st);
    if (rc != MIXX_OK) {
        fprintf(stderr, "stats: %s\n", mixx_strerror(rc));
        mixx_engine_destroy(engine);
        return 1;
    }
    printf("%.2f s at %u Hz / %u frames: %llu callbacks, %llu xruns, %llu deadline misses, %llu late wake-ups\n",
           st.elapsed_s, st.sample_rate, st.buffer_size, (unsigned long long)st.callbacks,
           (unsigned long long)st.xruns_backend, (unsigned long long)st.deadline_misses,
           (unsigned long long)st.late_wakeups);
    print_percentiles("callback", &st.callback_ns);
    print_percentiles("interval", &st.interval_ns);

    /* The histogram: ask for the count first, then a buffer that fits it. */
    size_t count = 0;
    rc = mixx_engine_histogram(engine, MIXX_HIST_CALLBACK, NULL, 0, &count);
    mixx_hist_bin *bins = count ? calloc(count, sizeof *bins) : NULL;
    if (rc == MIXX_OK && bins)
        rc = mixx_engine_histogram(engine, MIXX_HIST_CALLBACK, bins, count, &count);
    /* ~12 rows: neighbouring bins summed, each row labelled by its lowest duration */
    size_t per_row = count / 12 + 1;
    uint64_t rows[13] = {0}, peak = 0;
    for (size_t i = 0; bins && i < count; i++)
        rows[i / per_row] += bins[i].count;
    for (size_t r = 0; r < 13; r++)
        peak = rows[r] > peak ? rows[r] : peak;
    printf("callback duration histogram (%zu non-empty bins):\n", count);
    for (size_t i = 0; bins && i < count; i += per_row) {
        int bar = (int)(50 * rows[i / per_row] / (peak ? peak : 1));
        printf("from %9.2f us %8llu %.*s\n", bins[i].lo_ns / 1e3, (unsigned long long)rows[i / per_row], bar,
               "##################################################");
    }
    free(bins);
    mixx_engine_destroy(engine);
    return rc == MIXX_OK && st.callbacks > 0 ? 0 : 1;
}
