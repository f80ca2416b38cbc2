/* SPDX-License-Identifier: MIT */
/* cmd_ladder.c: mixx ladder [--sizes 128,96,64] [--step 10s] [--settle 1s] [--json] [--allow-server-change] — runs
 * each buffer size in turn on the chosen backend (after a settling time that is not counted) and recommends the
 * smallest one at which the engine itself stayed glitch-free: no deadline miss (the engine's own work overran the
 * period), device not lost, the expected number of callbacks, and backend xruns no more than the machine's late
 * wake-ups explain and no more than an occasional one (see judge()). sim and PortAudio: a fresh engine per size. JACK: the
 * server decides the size for every client, so the ladder changes it (jack_set_buffer_size through
 * mixx_engine_set_buffer_size) only with --allow-server-change, and puts the original size back at the end. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define LADDER_MAX 32

typedef struct ladder_opts {
    uint32_t sizes[LADDER_MAX];
    size_t n_sizes;
    double step_s;
    double settle_s;
    int allow_server_change;
} ladder_opts;

typedef struct ladder_row {
    uint32_t size;
    int ran;            /* 0: not run (refused, error, interrupted) */
    int rc;             /* error code when not run or failed */
    char error[256];
    mixx_stats st;
    double expected_callbacks;
    int glitch_free;       /* the engine stayed glitch-free: this size may be recommended */
    const char *verdict;   /* "glitch-free", "system xruns only", "engine glitches", ... */
    char why[200];         /* the reason, in words */
} ladder_row;

/* Counts over the measured step only: the snapshot at the end minus the one taken after settling. Percentiles
 * cannot be subtracted and cover the settling time too. */
static void counts_since(mixx_stats *end, const mixx_stats *start)
{
    end->elapsed_s -= start->elapsed_s;
    end->callbacks -= start->callbacks;
    end->xruns_backend -= start->xruns_backend;
    end->deadline_misses -= start->deadline_misses;
    end->late_wakeups -= start->late_wakeups;
}

static volatile sig_atomic_t ladder_stop;

static void on_signal(int sig)
{
    (void)sig;
    ladder_stop = 1;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Sleeps `seconds` in small steps; returns 0 early when interrupted or the device is lost. */
static int run_for(mixx_engine *e, double seconds)
{
    double left = seconds;
    while (left > 0 && !ladder_stop) {
        double d = left < 0.05 ? left : 0.05;
        sleep_s(d);
        left -= d;
        mixx_stats st;
        if (mixx_engine_get_stats(e, &st, sizeof(mixx_stats)) == 0 && st.device_lost)
            return 0;
    }
    return !ladder_stop;
}

static int parse_sizes(const char *val, ladder_opts *o)
{
    o->n_sizes = 0;
    const char *p = val;
    while (*p) {
        char num[16];
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0 || len >= sizeof num || o->n_sizes == LADDER_MAX)
            return -1;
        memcpy(num, p, len);
        num[len] = '\0';
        if (mixx_parse_u32(num, 1, 8192, &o->sizes[o->n_sizes]))
            return -1;
        o->n_sizes++;
        p += len + (comma ? 1 : 0);
        if (comma && !*p)
            return -1;
    }
    return o->n_sizes ? 0 : -1;
}

static int ladder_option(void *ctx, const char *opt, const char *val, int *used_val)
{
    ladder_opts *o = ctx;
    if (strcmp(opt, "--allow-server-change") == 0) {
        o->allow_server_change = 1;
        return 1;
    }
    if (strcmp(opt, "--settle") == 0) {
        if (!val || mixx_parse_duration(val, &o->settle_s) || o->settle_s > 60) {
            fprintf(stderr, "mixx: invalid value '%s' for --settle (expected a duration 0..60s, e.g. 1s)\n",
                    val ? val : "");
            return -1;
        }
        *used_val = 1;
        return 1;
    }
    if (strcmp(opt, "--sizes") == 0 || strcmp(opt, "--step") == 0) {
        if (!val) {
            fprintf(stderr, "mixx: option %s needs a value\n", opt);
            return -1;
        }
        *used_val = 1;
        if (strcmp(opt, "--sizes") == 0 && parse_sizes(val, o)) {
            fprintf(stderr, "mixx: invalid value '%s' for --sizes (expected frames 1..8192, e.g. 128,96,64)\n", val);
            return -1;
        }
        if (strcmp(opt, "--step") == 0 && (mixx_parse_duration(val, &o->step_s) || o->step_s < 0.1)) {
            fprintf(stderr, "mixx: invalid value '%s' for --step (expected a duration >= 100ms, e.g. 10s)\n", val);
            return -1;
        }
        return 1;
    }
    return 0;
}

/* Whose glitch was it? A deadline miss is the engine's own: its callback overran the period. A backend xrun
 * without one happened while the engine's work fitted: the machine woke the audio thread late (a loaded VM; the
 * late wake-ups counter says how often) or another client of the server overran. Such xruns do not fail a size
 * unless they are more than the late wake-ups explain or more than an occasional one (1 + 1 per 30 s): a size
 * the machine cannot keep up with is not recommended either. */
static void judge(ladder_row *r, double step_s)
{
    const mixx_stats *s = &r->st;
    r->expected_callbacks = s->elapsed_s * s->sample_rate / (r->size ? r->size : 1);
    uint64_t allowed = 1 + (uint64_t)(step_s / 30.0);
    r->glitch_free = 0;
    if (!r->ran) {
        r->verdict = "not run";
        return;
    }
    if (s->device_lost) {
        r->verdict = "device lost";
        snprintf(r->why, sizeof r->why, "the device or server went away");
    } else if (s->buffer_size != r->size) {
        r->verdict = "wrong size";
        snprintf(r->why, sizeof r->why, "the device ran %u frames", s->buffer_size);
    } else if (s->callbacks == 0 || (double)s->callbacks < 0.9 * r->expected_callbacks) {
        r->verdict = "lost callbacks";
        snprintf(r->why, sizeof r->why, "%llu callbacks where %.0f were due", (unsigned long long)s->callbacks,
                 r->expected_callbacks);
    } else if (s->deadline_misses) {
        r->verdict = "engine glitches";
        snprintf(r->why, sizeof r->why, "%llu deadline misses: the engine's own callback overran the period",
                 (unsigned long long)s->deadline_misses);
    } else if (s->xruns_backend == 0) {
        r->verdict = "glitch-free";
        r->glitch_free = 1;
    } else if (s->xruns_backend <= s->late_wakeups && s->xruns_backend <= allowed) {
        r->verdict = "system xruns only";
        r->glitch_free = 1;
        snprintf(r->why, sizeof r->why,
                 "%llu xrun%s with no deadline miss, explained by %llu late wake-up%s of the audio thread (the "
                 "machine, not the engine)",
                 (unsigned long long)s->xruns_backend, s->xruns_backend == 1 ? "" : "s",
                 (unsigned long long)s->late_wakeups, s->late_wakeups == 1 ? "" : "s");
    } else {
        r->verdict = "too many xruns";
        snprintf(r->why, sizeof r->why,
                 "%llu xruns (%llu late wake-ups, no deadline miss): more than an occasional one (%llu allowed)",
                 (unsigned long long)s->xruns_backend, (unsigned long long)s->late_wakeups,
                 (unsigned long long)allowed);
    }
}

/* sim, PortAudio: one engine per size, created with that buffer size. */
static void run_fresh(const mixx_cli *cli, const ladder_opts *o, ladder_row *rows)
{
    for (size_t i = 0; i < o->n_sizes && !ladder_stop; i++) {
        ladder_row *r = &rows[i];
        mixx_config c = cli->cfg;
        c.buffer_size = o->sizes[i];
        if (c.max_buffer_size < c.buffer_size)
            c.max_buffer_size = c.buffer_size;
        mixx_engine *e = NULL;
        r->rc = mixx_engine_create(&c, &e);
        if (!r->rc)
            r->rc = mixx_engine_start_stream(e);
        if (r->rc) {
            snprintf(r->error, sizeof r->error, "%s%s%s", mixx_strerror(r->rc), e && *mixx_engine_last_error(e) ? ": " : "",
                     e ? mixx_engine_last_error(e) : "");
            mixx_engine_destroy(e);
            continue;
        }
        if (!cli->json)
            fprintf(stderr, "mixx ladder: %u frames: %.1f s settling, then %.1f s counted ...\n", r->size,
                    o->settle_s, o->step_s);
        mixx_stats st0;
        run_for(e, o->settle_s);
        mixx_engine_get_stats(e, &st0, sizeof(mixx_stats));
        run_for(e, o->step_s);
        mixx_engine_stop_stream(e);
        mixx_engine_get_stats(e, &r->st, sizeof(mixx_stats));
        counts_since(&r->st, &st0);
        r->ran = !ladder_stop || r->st.elapsed_s >= o->step_s * 0.99;
        if (r->st.device_lost)
            snprintf(r->error, sizeof r->error, "device lost");
        mixx_engine_destroy(e);
        judge(r, o->step_s);
    }
}

/* Waits until the engine reports `want` frames per callback. */
static int wait_buffer(mixx_engine *e, uint32_t want)
{
    for (int i = 0; i < 300; i++) {
        mixx_stats st;
        if (mixx_engine_get_stats(e, &st, sizeof(mixx_stats)) == 0 && st.buffer_size == want && st.callbacks > 0)
            return 1;
        sleep_s(0.01);
    }
    return 0;
}

/* JACK: one engine; per size ask the server for it, then restart the engine so the counters cover that size
 * only. Returns the server's original size (0 if unknown) in *orig and whether it was put back. */
static int run_server(const mixx_cli *cli, const ladder_opts *o, ladder_row *rows, uint32_t *orig, int *restored)
{
    mixx_config c = cli->cfg;
    uint32_t biggest = 0;
    for (size_t i = 0; i < o->n_sizes; i++)
        if (o->sizes[i] > biggest)
            biggest = o->sizes[i];
    if (c.max_buffer_size < biggest)
        c.max_buffer_size = biggest;
    mixx_engine *e;
    int rc = mixx_engine_create(&c, &e);
    if (rc)
        return mixx_cli_fail("ladder", rc, NULL);
    rc = mixx_engine_start_stream(e);
    if (rc) {
        int x = mixx_cli_fail("ladder", rc, mixx_engine_last_error(e));
        mixx_engine_destroy(e);
        return x;
    }
    mixx_stats st;
    mixx_engine_get_stats(e, &st, sizeof(mixx_stats));
    *orig = st.buffer_size;
    for (size_t i = 0; i < o->n_sizes && !ladder_stop; i++) {
        ladder_row *r = &rows[i];
        r->rc = mixx_engine_set_buffer_size(e, r->size);
        if (r->rc == 0 && !wait_buffer(e, r->size))
            r->rc = MIXX_ETIMEDOUT;
        if (r->rc) {
            snprintf(r->error, sizeof r->error, "server refused %u frames: %s%s%s", r->size, mixx_strerror(r->rc),
                     *mixx_engine_last_error(e) ? ": " : "", mixx_engine_last_error(e));
            continue;
        }
        /* fresh counters at the new size: the server keeps it across our restart */
        mixx_engine_stop_stream(e);
        rc = mixx_engine_start_stream(e);
        if (rc) {
            r->rc = rc;
            snprintf(r->error, sizeof r->error, "restart failed: %s", mixx_engine_last_error(e));
            break;
        }
        if (!cli->json)
            fprintf(stderr, "mixx ladder: server at %u frames: %.1f s settling, then %.1f s counted ...\n", r->size,
                    o->settle_s, o->step_s);
        mixx_stats st0;
        run_for(e, o->settle_s);
        mixx_engine_get_stats(e, &st0, sizeof(mixx_stats));
        run_for(e, o->step_s);
        mixx_engine_get_stats(e, &r->st, sizeof(mixx_stats));
        counts_since(&r->st, &st0);
        r->ran = !ladder_stop || r->st.elapsed_s >= o->step_s * 0.99;
        if (r->st.device_lost) {
            snprintf(r->error, sizeof r->error, "server lost");
            judge(r, o->step_s);
            break;
        }
        judge(r, o->step_s);
    }
    *restored = 0;
    mixx_engine_get_stats(e, &st, sizeof(mixx_stats));
    if (!st.device_lost && *orig) {
        /* put the server back as we found it (also after Ctrl-C) */
        if (st.buffer_size == *orig)
            *restored = 1;
        else if (mixx_engine_set_buffer_size(e, *orig) == 0 && wait_buffer(e, *orig))
            *restored = 1;
    }
    mixx_engine_stop_stream(e);
    mixx_engine_destroy(e);
    return 0;
}

static void print_json(const mixx_cli *cli, const ladder_opts *o, const ladder_row *rows, int best, uint32_t orig,
                       int restored)
{
    printf("{\"backend\":\"%s\",\"step_s\":%.3f,\"settle_s\":%.3f,\"interrupted\":%s,",
           mixx_backend_name(cli->cfg.backend), o->step_s, o->settle_s, ladder_stop ? "true" : "false");
    if (cli->cfg.backend == MIXX_BACKEND_JACK)
        printf("\"server_buffer_before\":%u,\"server_restored\":%s,", orig, restored ? "true" : "false");
    printf("\"sizes\":[");
    for (size_t i = 0; i < o->n_sizes; i++) {
        const ladder_row *r = &rows[i];
        printf("%s{\"size\":%u,\"ran\":%s,", i ? "," : "", r->size, r->ran ? "true" : "false");
        if (r->ran) {
            printf("\"actual_buffer\":%u,\"sample_rate\":%u,\"duration_s\":%.3f,\"callbacks\":%llu,"
                   "\"expected_callbacks\":%.0f,\"xruns_backend\":%llu,\"deadline_misses\":%llu,\"late_wakeups\":%llu,"
                   "\"callback_p999_ns\":%llu,\"callback_max_ns\":%llu,\"dsp_load_max\":",
                   r->st.buffer_size, r->st.sample_rate, r->st.elapsed_s, (unsigned long long)r->st.callbacks,
                   r->expected_callbacks, (unsigned long long)r->st.xruns_backend,
                   (unsigned long long)r->st.deadline_misses, (unsigned long long)r->st.late_wakeups,
                   (unsigned long long)r->st.callback_ns.p999, (unsigned long long)r->st.callback_ns.max);
            mixx_json_num(stdout, r->st.dsp_load_max);
            printf(",\"device_lost\":%s,", r->st.device_lost ? "true" : "false");
        }
        printf("\"glitch_free\":%s,\"verdict\":\"%s\",\"why\":", r->glitch_free ? "true" : "false",
               r->verdict ? r->verdict : "not run");
        if (r->why[0])
            mixx_json_str(stdout, r->why);
        else
            printf("null");
        printf(",\"error\":");
        if (r->error[0])
            mixx_json_str(stdout, r->error);
        else
            printf("null");
        printf("}");
    }
    printf("],\"recommended\":");
    if (best >= 0)
        printf("%u", rows[best].size);
    else
        printf("null");
    printf("}\n");
}

static void print_text(const mixx_cli *cli, const ladder_opts *o, const ladder_row *rows, int best, uint32_t orig,
                       int restored)
{
    printf("buffer ladder on %s, %.1f s counted per size after %.1f s settling%s\n", mixx_backend_name(cli->cfg.backend),
           o->step_s, o->settle_s, ladder_stop ? " (interrupted)" : "");
    printf("%6s %9s %10s %8s %7s %8s %6s %12s %9s  %s\n", "frames", "period", "callbacks", "expected", "xruns",
           "misses", "late", "cb p99.9", "DSP max", "result");
    for (size_t i = 0; i < o->n_sizes; i++) {
        const ladder_row *r = &rows[i];
        if (!r->ran) {
            printf("%6u %9s %10s %8s %7s %8s %6s %12s %9s  not run: %s\n", r->size, "-", "-", "-", "-", "-", "-", "-", "-",
                   r->error[0] ? r->error : "interrupted");
            continue;
        }
        double period_ms = r->st.sample_rate ? 1000.0 * r->size / r->st.sample_rate : NAN;
        printf("%6u %6.3f ms %10llu %8.0f %7llu %8llu %6llu %9.2f µs %8.2f%%  %s%s%s%s%s\n", r->size, period_ms,
               (unsigned long long)r->st.callbacks, r->expected_callbacks, (unsigned long long)r->st.xruns_backend,
               (unsigned long long)r->st.deadline_misses, (unsigned long long)r->st.late_wakeups,
               (double)r->st.callback_ns.p999 / 1000.0, 100.0 * r->st.dsp_load_max,
               r->glitch_free ? r->verdict : "GLITCHES", r->glitch_free ? "" : " (", r->glitch_free ? "" : r->verdict,
               r->glitch_free ? "" : ")", r->error[0] ? ": " : "");
        if (r->why[0] || r->error[0])
            printf("%*s%s%s%s\n", 8, "", r->why, r->why[0] && r->error[0] ? "; " : "", r->error);
    }
    if (best >= 0)
    {
        const ladder_row *b = &rows[best];
        printf("recommendation: %u frames (%.3f ms at %u Hz): the smallest size at which the engine stayed "
               "glitch-free for %.1f s", b->size, 1000.0 * b->size / b->st.sample_rate, b->st.sample_rate, o->step_s);
        if (b->st.xruns_backend)
            printf(" (%s)", b->why);
        else
            printf(" (no xrun, no deadline miss)");
        for (size_t i = 0; i < o->n_sizes; i++)
            if (rows[i].ran && rows[i].size < b->size && !rows[i].glitch_free) {
                printf("; %u frames: %s", rows[i].size, rows[i].why[0] ? rows[i].why : rows[i].verdict);
                break;
            }
        printf("\n");
    } else
        printf("recommendation: none — at no size did the engine stay glitch-free for %.1f s (see each size's "
               "reason above)\n", o->step_s);
    if (cli->cfg.backend == MIXX_BACKEND_JACK)
        printf("server buffer size %s to %u frames\n", restored ? "restored" : "NOT restored", orig);
}

int mixx_cmd_ladder(int argc, char **argv)
{
    mixx_cli cli;
    mixx_cli_init(&cli, argc, argv);
    ladder_opts o;
    memset(&o, 0, sizeof o);
    o.sizes[0] = 128;
    o.sizes[1] = 96;
    o.sizes[2] = 64;
    o.n_sizes = 3;
    o.step_s = 10.0;
    o.settle_s = 1.0;
    int rc = mixx_cli_parse(&cli, argc, argv, 2, ladder_option, &o);
    if (rc)
        return rc;
    if (cli.cfg.backend == MIXX_BACKEND_HOSTED) {
        fprintf(stderr, "mixx: ladder: the hosted backend has no device to run (use sim, jack or portaudio)\n");
        return 2;
    }
    if (cli.cfg.backend == MIXX_BACKEND_JACK && !o.allow_server_change) {
        const char *srv = getenv("JACK_DEFAULT_SERVER");
        fprintf(stderr,
                "mixx: ladder: on JACK this changes the buffer size of server '%s' for every client on it; "
                "pass --allow-server-change to go ahead (the original size is restored at the end)\n",
                srv && *srv ? srv : "default");
        return 2;
    }
    char why[512];
    if (!mixx_backend_available(cli.cfg.backend, why, sizeof why))
        return mixx_cli_fail("ladder", cli.cfg.backend == MIXX_BACKEND_JACK ? MIXX_ENOSERVER : MIXX_EBACKEND, why);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    ladder_row rows[LADDER_MAX];
    memset(rows, 0, sizeof rows);
    for (size_t i = 0; i < o.n_sizes; i++)
        rows[i].size = o.sizes[i];
    uint32_t orig = 0;
    int restored = 0;
    if (cli.cfg.backend == MIXX_BACKEND_JACK) {
        rc = run_server(&cli, &o, rows, &orig, &restored);
        if (rc)
            return rc;
    } else {
        run_fresh(&cli, &o, rows);
    }
    int best = -1;
    for (size_t i = 0; i < o.n_sizes; i++)
        if (rows[i].glitch_free && (best < 0 || rows[i].size < rows[best].size))
            best = (int)i;
    if (cli.json)
        print_json(&cli, &o, rows, best, orig, restored);
    else
        print_text(&cli, &o, rows, best, orig, restored);
    return ladder_stop ? 130 : 0;
}
