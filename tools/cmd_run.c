/* SPDX-License-Identifier: MIT */
/* cmd_run.c: mixx run — a pass-through run on any backend that prints a summary (text or --json). */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static volatile sig_atomic_t run_stop;

static void on_signal(int sig)
{
    (void)sig;
    run_stop = 1;
}

static const char *policy_name(int p)
{
    switch (p) {
    case 0:
        return "SCHED_OTHER";
    case 1:
        return "SCHED_FIFO";
    case 2:
        return "SCHED_RR";
    default:
        return "unknown";
    }
}

static void print_summary(const mixx_cli *cli, const mixx_stats *st, int interrupted)
{
    const mixx_config *c = &cli->cfg;
    if (cli->json) {
        printf("{\"backend\":\"%s\",\"sample_rate\":%u,\"buffer_size\":%u,"
               "\"requested\":{\"sample_rate\":%u,\"buffer_size\":%u},\"duration_s\":%.3f,"
               "\"interrupted\":%s,\"device_lost\":%s,\"callbacks\":%llu,\"xruns_backend\":%llu,"
               "\"deadline_misses\":%llu,\"late_wakeups\":%llu,\"records_written\":%llu,\"dropped_records\":%llu,"
               "\"callback_ns\":{\"p50\":%llu,\"p99\":%llu,\"p999\":%llu,\"max\":%llu},"
               "\"interval_ns\":{\"p50\":%llu,\"p99\":%llu,\"p999\":%llu,\"max\":%llu},"
               "\"dsp_load\":{\"mean\":%.6f,\"max\":%.6f},\"cpu\":{\"process_pct\":",
               mixx_backend_name(c->backend), st->sample_rate, st->buffer_size, c->sample_rate, c->buffer_size,
               st->elapsed_s,
               interrupted ? "true" : "false", st->device_lost ? "true" : "false",
               (unsigned long long)st->callbacks, (unsigned long long)st->xruns_backend,
               (unsigned long long)st->deadline_misses, (unsigned long long)st->late_wakeups,
               (unsigned long long)st->records_written, (unsigned long long)st->dropped_records,
               (unsigned long long)st->callback_ns.p50, (unsigned long long)st->callback_ns.p99,
               (unsigned long long)st->callback_ns.p999, (unsigned long long)st->callback_ns.max,
               (unsigned long long)st->interval_ns.p50, (unsigned long long)st->interval_ns.p99,
               (unsigned long long)st->interval_ns.p999, (unsigned long long)st->interval_ns.max,
               st->dsp_load_mean, st->dsp_load_max);
        mixx_json_num(stdout, st->cpu_process_pct);
        printf(",\"system_pct\":");
        mixx_json_num(stdout, st->cpu_system_pct);
        printf("},\"sched\":{\"policy\":\"%s\",\"priority\":%d},\"expected_rtl_frames\":",
               policy_name(st->sched_policy), st->sched_priority);
        mixx_json_num(stdout, st->expected_rtl_frames);
        /* the format changed while running (JACK buffer size or rate): how often, and the one before the last */
        printf(",\"format_changes\":%llu,\"format_prev\":", (unsigned long long)st->format_changes);
        if (st->format_changes)
            printf("{\"sample_rate\":%u,\"buffer_size\":%u,\"at_callback\":%llu}", st->format_prev_sample_rate,
                   st->format_prev_buffer_size, (unsigned long long)st->format_changed_at_callback);
        else
            printf("null");
        printf("}\n");
        return;
    }
    printf("backend         %s, %u Hz, %u frames (%.3f ms period), %u in / %u out", mixx_backend_name(c->backend),
           st->sample_rate, st->buffer_size, 1000.0 * st->buffer_size / st->sample_rate, c->inputs, c->outputs);
    if (st->sample_rate == c->sample_rate && st->buffer_size == c->buffer_size)
        printf("  (as requested)\n");
    else /* JACK runs the server's format; --strict turns this into MIXX_EMISMATCH */
        printf("\n                NOT AS REQUESTED: asked for %u Hz, %u frames; the device runs its own format "
               "(--strict refuses this)\n", c->sample_rate, c->buffer_size);
    if (st->format_changes) /* the figures above are the format at the end */
        printf("format change   %llu while running; the last from %u Hz, %u frames at callback %llu "
               "(expected callbacks below assume the final format)\n",
               (unsigned long long)st->format_changes, st->format_prev_sample_rate, st->format_prev_buffer_size,
               (unsigned long long)st->format_changed_at_callback);
    printf("scheduling      %s priority %d%s\n", policy_name(st->sched_policy), st->sched_priority,
           st->memory_locked ? ", memory locked" : "");
    printf("duration        %.3f s%s%s\n", st->elapsed_s, interrupted ? " (interrupted)" : "",
           st->device_lost ? " (DEVICE LOST)" : "");
    printf("callbacks       %llu (expected ~%.0f)\n", (unsigned long long)st->callbacks,
           st->elapsed_s * st->sample_rate / st->buffer_size);
    printf("xruns           %llu backend, %llu deadline misses, %llu late wake-ups\n",
           (unsigned long long)st->xruns_backend, (unsigned long long)st->deadline_misses,
           (unsigned long long)st->late_wakeups);
    printf("records         %llu written, %llu dropped\n", (unsigned long long)st->records_written,
           (unsigned long long)st->dropped_records);
    printf("callback time   p50 %.2f µs  p99 %.2f µs  p99.9 %.2f µs  max %.2f µs\n", st->callback_ns.p50 / 1e3,
           st->callback_ns.p99 / 1e3, st->callback_ns.p999 / 1e3, st->callback_ns.max / 1e3);
    printf("interval        p50 %.1f µs  p99 %.1f µs  p99.9 %.1f µs  max %.1f µs\n", st->interval_ns.p50 / 1e3,
           st->interval_ns.p99 / 1e3, st->interval_ns.p999 / 1e3, st->interval_ns.max / 1e3);
    printf("DSP load        mean %.4f %%  max %.3f %%\n", 100 * st->dsp_load_mean, 100 * st->dsp_load_max);
    printf("CPU             process %.2f %% of one core, system %.2f %%\n", st->cpu_process_pct,
           st->cpu_system_pct);
    if (!isnan(st->expected_rtl_frames))
        printf("expected RTL    %.3f frames (backend's claim)\n", st->expected_rtl_frames);
}

int mixx_cmd_run(int argc, char **argv)
{
    mixx_cli cli;
    mixx_cli_init(&cli, argc, argv);
    cli.duration_s = 10.0;
    mixx_cli_params_accept();
    int prc = mixx_cli_parse(&cli, argc, argv, 2, NULL, NULL);
    if (prc)
        return prc;
    mixx_engine *e = NULL;
    int rc = mixx_engine_create(&cli.cfg, &e);
    if (rc)
        return mixx_cli_fail("run: configuration", rc, NULL);
    if ((rc = mixx_cli_params_apply(e)) != 0) {
        mixx_engine_destroy(e);
        return rc;
    }
    if (cli.cfg.backend == MIXX_BACKEND_HOSTED) {
        mixx_engine_destroy(e);
        return mixx_cli_fail("run", MIXX_EHOSTED, "the hosted backend is driven by a host application");
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rc = mixx_engine_start_stream(e);
    if (rc) {
        int ec = mixx_cli_fail("run: start", rc, mixx_engine_last_error(e));
        mixx_engine_destroy(e);
        return ec;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int lost = 0;
    for (;;) {
        struct timespec now, d = {0, 20000000};
        nanosleep(&d, NULL);
        clock_gettime(CLOCK_MONOTONIC, &now);
        double el = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) * 1e-9;
        mixx_stats st;
        if (mixx_engine_get_stats(e, &st, sizeof(mixx_stats)) == 0 && st.device_lost) {
            lost = 1;
            break;
        }
        if (run_stop || el >= cli.duration_s)
            break;
    }
    int stop_rc = mixx_engine_stop_stream(e);
    mixx_stats st;
    mixx_engine_get_stats(e, &st, sizeof(mixx_stats));
    print_summary(&cli, &st, run_stop != 0);
    if (stop_rc == MIXX_EIO) { /* --log could not be written completely (disk full) */
        int ec = mixx_cli_fail("run", stop_rc, mixx_engine_last_error(e));
        mixx_engine_destroy(e);
        return ec;
    }
    mixx_engine_destroy(e);
    if (lost) {
        fprintf(stderr, "mixx: run: %s (%s)\n", mixx_strerror(MIXX_EDEVICELOST), mixx_error_name(MIXX_EDEVICELOST));
        return 3;
    }
    return 0;
}
