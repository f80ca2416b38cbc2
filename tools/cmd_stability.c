/* SPDX-License-Identifier: MIT */
/* cmd_stability.c: mixx stability — a long pass-through run with the latency meter in continuous mode,
 * optionally beside a native baseline, that writes DIR/report.json, DIR/timeline.jsonl, plots and report.md.
 * Ctrl-C/SIGTERM and device loss still produce a complete report, marked. Rendering is in report.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "placement.h"
#include "report.h"
#include "stability.h"

extern char **environ;

enum { BASELINE_NONE, BASELINE_AFTER, BASELINE_CONCURRENT };

typedef struct stab_opts {
    const char *out;
    int baseline;
    uint32_t loop_channel;
    mixx_rtl_method method;
    int no_latency;
    double progress_s;
    const char *note; /* the operator's account of the conditions, e.g. "nothing else running" */
    int force;        /* --force: replace the report in a non-empty --out directory */
    const char *records; /* --records FILE: every callback's record as CSV, for tail investigations */
    int placement_free;  /* --placement free: the concurrent sim loops left to the scheduler (placement.h) */
    int placement_set;   /* --placement given */
} stab_opts;

#define PLACEMENT_SWAP_S 5.0 /* --placement swap: the two loops trade CPUs this often */

static volatile sig_atomic_t stab_signal;

static void on_signal(int sig)
{
    stab_signal = sig;
}

static int stab_option(void *ctx, const char *opt, const char *val, int *used)
{
    stab_opts *o = ctx;
    if (strcmp(opt, "--out") == 0 && val) {
        o->out = val;
        *used = 1;
    } else if (strcmp(opt, "--baseline") == 0) {
        o->baseline = BASELINE_AFTER;
    } else if (strcmp(opt, "--baseline-concurrent") == 0) {
        o->baseline = BASELINE_CONCURRENT;
    } else if (strcmp(opt, "--force") == 0) {
        o->force = 1;
    } else if (strcmp(opt, "--no-latency") == 0) {
        o->no_latency = 1;
    } else if (strcmp(opt, "--loop-channel") == 0 && val) {
        if (mixx_parse_u32(val, 0, 63, &o->loop_channel)) {
            fprintf(stderr, "mixx: invalid value '%s' for --loop-channel (expected 0..63)\n", val);
            return -1;
        }
        *used = 1;
    } else if (strcmp(opt, "--method") == 0 && val) {
        if (strcmp(val, "multitone") == 0)
            o->method = MIXX_RTL_MULTITONE;
        else if (strcmp(val, "impulse") == 0)
            o->method = MIXX_RTL_IMPULSE;
        else {
            fprintf(stderr, "mixx: invalid value '%s' for --method (expected multitone or impulse)\n", val);
            return -1;
        }
        *used = 1;
    } else if (strcmp(opt, "--placement") == 0 && val) {
        if (strcmp(val, "swap") == 0)
            o->placement_free = 0;
        else if (strcmp(val, "free") == 0)
            o->placement_free = 1;
        else {
            fprintf(stderr, "mixx: invalid value '%s' for --placement (expected swap or free)\n", val);
            return -1;
        }
        o->placement_set = 1;
        *used = 1;
    } else if (strcmp(opt, "--note") == 0 && val) {
        o->note = val;
        *used = 1;
    } else if (strcmp(opt, "--records") == 0 && val) {
        o->records = val;
        *used = 1;
    } else if (strcmp(opt, "--progress-interval") == 0 && val) {
        if (mixx_parse_duration(val, &o->progress_s) || o->progress_s <= 0) {
            fprintf(stderr, "mixx: invalid value '%s' for --progress-interval\n", val);
            return -1;
        }
        *used = 1;
    } else {
        return 0;
    }
    return 1;
}

static const char *policy_name(int p)
{
    return p == 1 ? "SCHED_FIFO" : p == 2 ? "SCHED_RR" : p == 0 ? "SCHED_OTHER" : "unknown";
}

static void add_dist(cJSON *root, const char *name, const mixx_percentiles *p)
{
    cJSON *o = cJSON_AddObjectToObject(root, name);
    cJSON_AddNumberToObject(o, "count", (double)p->count);
    cJSON_AddNumberToObject(o, "min", (double)p->min);
    cJSON_AddNumberToObject(o, "mean", p->mean);
    cJSON_AddNumberToObject(o, "p50", (double)p->p50);
    cJSON_AddNumberToObject(o, "p90", (double)p->p90);
    cJSON_AddNumberToObject(o, "p99", (double)p->p99);
    cJSON_AddNumberToObject(o, "p999", (double)p->p999);
    cJSON_AddNumberToObject(o, "p9999", (double)p->p9999);
    cJSON_AddNumberToObject(o, "max", (double)p->max);
}

static void add_hist(cJSON *parent, const char *name, mixx_engine *e, mixx_hist_kind kind)
{
    size_t n = 0;
    mixx_engine_histogram(e, kind, NULL, 0, &n);
    mixx_hist_bin *bins = calloc(n ? n : 1, sizeof *bins);
    cJSON *arr = cJSON_AddArrayToObject(parent, name);
    if (!bins)
        return;
    size_t got = 0;
    if (mixx_engine_histogram(e, kind, bins, n, &got) == 0) {
        for (size_t i = 0; i < got && i < n; i++) {
            cJSON *b = cJSON_CreateArray();
            cJSON_AddItemToArray(b, cJSON_CreateNumber((double)bins[i].lo_ns));
            cJSON_AddItemToArray(b, cJSON_CreateNumber((double)bins[i].hi_ns));
            cJSON_AddItemToArray(b, cJSON_CreateNumber((double)bins[i].count));
            cJSON_AddItemToArray(arr, b);
        }
    }
    free(bins);
}

static void add_num_or_null(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

/* ---- baseline child ----------------------------------------------------------------------------------- */

typedef struct baseline_child {
    pid_t pid;
    char command[2048];
    const mixx_dir *dir;
    char tmp[NAME_MAX + 1]; /* its stdout: a temporary file created exclusively in the report directory */
    int started;
    int interrupted; /* our SIGINT/SIGTERM was forwarded to it */
} baseline_child;

static int baseline_spawn(baseline_child *b, const mixx_cli *cli, const mixx_dir *dir, double seconds)
{
    char exe[4096], dur[64], rate[32], buf[32], prio[32];
    mixx_exe_dir(exe, sizeof exe);
    snprintf(dur, sizeof dur, "%.3f", seconds);
    snprintf(rate, sizeof rate, "%u", cli->cfg.sample_rate);
    snprintf(buf, sizeof buf, "%u", cli->cfg.buffer_size);
    snprintf(prio, sizeof prio, "%d", cli->cfg.rt_priority);
    char path[4096];
    const char *argv[24];
    int n = 0;
    if (cli->cfg.backend == MIXX_BACKEND_SIM) {
        snprintf(path, sizeof path, "%s/mixx", exe);
        argv[n++] = path;
        argv[n++] = "native";
        argv[n++] = "--rate";
        argv[n++] = rate;
        argv[n++] = "--buffer";
        argv[n++] = buf;
        argv[n++] = "--rt-priority";
        argv[n++] = prio;
    } else if (cli->cfg.backend == MIXX_BACKEND_JACK) {
        snprintf(path, sizeof path, "%s/mixx-jack-native", exe);
        if (access(path, X_OK) != 0)
            snprintf(path, sizeof path, "mixx-jack-native");
        argv[n++] = path;
        argv[n++] = "--client-name";
        argv[n++] = "mixx-native-baseline";
    } else {
        return MIXX_EUNSUPPORTED;
    }
    argv[n++] = "--duration";
    argv[n++] = dur;
    argv[n++] = "--json";
    argv[n] = NULL;
    size_t len = 0;
    b->command[0] = '\0';
    for (int i = 0; i < n && len < sizeof b->command; i++) {
        const char *a = i == 0 ? (cli->cfg.backend == MIXX_BACKEND_SIM ? "mixx" : "mixx-jack-native") : argv[i];
        int w = snprintf(b->command + len, sizeof b->command - len, "%s%s", i ? " " : "", a);
        if (w < 0)
            break;
        len += (size_t)w;
    }
    b->dir = dir;
    int fd = mixx_dir_create_tmp(dir, "baseline.json", b->tmp, sizeof b->tmp);
    if (fd < 0) {
        fprintf(stderr, "mixx: stability: cannot create the baseline's output file in %s: %s\n", dir->path,
                strerror(errno));
        return MIXX_EIO;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, 1);
    int rc = strchr(path, '/') ? posix_spawn(&b->pid, path, &fa, NULL, (char *const *)argv, environ)
                               : posix_spawnp(&b->pid, path, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fd);
    if (rc != 0)
        mixx_dir_discard(dir, -1, b->tmp);
    if (rc != 0) {
        fprintf(stderr, "mixx: stability: cannot start baseline '%s': %s\n", path, strerror(rc));
        return MIXX_EIO;
    }
    b->started = 1;
    return 0;
}

/* baseline.placement: how the two loops of a concurrent sim run were placed (docs/report-schema.md). */
static void add_placement(cJSON *base, const stab_placement *p)
{
    cJSON *o = cJSON_AddObjectToObject(base, "placement");
    cJSON_AddStringToObject(o, "mode", p->swap ? "swap" : "scheduler");
    if (!p->swap) {
        cJSON_AddStringToObject(o, "why", p->why);
        return;
    }
    cJSON *c = cJSON_AddArrayToObject(o, "cpus");
    cJSON_AddItemToArray(c, cJSON_CreateNumber(p->cpu[0]));
    cJSON_AddItemToArray(c, cJSON_CreateNumber(p->cpu[1]));
    cJSON_AddNumberToObject(o, "every_s", p->every_s);
    cJSON_AddNumberToObject(o, "swaps", p->swaps);
    cJSON *es = cJSON_AddArrayToObject(o, "engine_s"); /* the baseline had the other CPU all along */
    for (int i = 0; i < 2; i++)
        cJSON_AddItemToArray(es, cJSON_CreateNumber(p->engine_s[i]));
    cJSON_AddNumberToObject(o, "pin_failures", p->misses);
}

/* Waits for the child (forwarding our interruption to it) and returns its JSON, or an error object. */
static cJSON *baseline_collect(baseline_child *b, const char *mode)
{
    cJSON *o = NULL;
    int status = 0;
    if (b->started) {
        int forwarded = 0;
        for (;;) {
            pid_t r = waitpid(b->pid, &status, WNOHANG);
            if (r == b->pid || (r < 0 && errno != EINTR))
                break;
            if (stab_signal && !forwarded) {
                kill(b->pid, SIGINT);
                forwarded = 1;
                b->interrupted = 1;
            }
            usleep(50000);
        }
        char *text = mixx_read_file_at(b->dir->fd, b->tmp, 1 << 20, NULL, NULL, 0);
        mixx_dir_discard(b->dir, -1, b->tmp);
        if (text) {
            char *brace = strchr(text, '{');
            o = brace ? cJSON_Parse(brace) : NULL;
            free(text);
        }
    }
    if (!o) {
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "error", b->started ? "baseline produced no JSON" : "baseline not started");
        if (b->started)
            cJSON_AddNumberToObject(o, "exit_status", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    cJSON_AddStringToObject(o, "command", b->command);
    cJSON_AddStringToObject(o, "mode", mode);
    cJSON_AddBoolToObject(o, "interrupted", b->interrupted);
    return o;
}

/* ---- progress ---------------------------------------------------------------------------------------- */

typedef struct progress {
    pthread_mutex_t lock;
    mixx_second last;
    FILE *records; /* --records: written by the monitor thread only */
    int have;
} progress;

/* monitor thread: one CSV line per callback (the engine's own record, unchanged) */
static void on_records(const mixx_record *r, size_t n, void *user)
{
    progress *p = user;
    for (size_t i = 0; i < n; i++)
        fprintf(p->records, "%llu,%llu,%u,%u,%u,%u\n", (unsigned long long)r[i].seq,
                (unsigned long long)r[i].start_ns, r[i].duration_ns, r[i].interval_ns, r[i].frames, r[i].flags);
}

static void on_second(const mixx_second *s, void *user)
{
    progress *p = user;
    pthread_mutex_lock(&p->lock);
    p->last = *s;
    p->have = 1;
    pthread_mutex_unlock(&p->lock);
}

static void print_progress(FILE *out, progress *p, const mixx_stats *st, double el, double total, double rtl, int tty)
{
    pthread_mutex_lock(&p->lock);
    double load_now = p->have ? p->last.dsp_load_max : 0;
    pthread_mutex_unlock(&p->lock);
    char rtl_s[32];
    if (isfinite(rtl))
        snprintf(rtl_s, sizeof rtl_s, "%.3f", rtl);
    else
        snprintf(rtl_s, sizeof rtl_s, "n/a");
    fprintf(out,
            "%s[%6.0f/%.0f s, %5.0f s left] callbacks %llu  xruns %llu  misses %llu  dsp %.2f%% (max %.2f%%)  "
            "rtl %s%s",
            tty ? "\r" : "", el, total, total > el ? total - el : 0, (unsigned long long)st->callbacks,
            (unsigned long long)st->xruns_backend, (unsigned long long)st->deadline_misses, 100 * load_now,
            100 * st->dsp_load_max, rtl_s, tty ? "   " : "\n");
    fflush(out);
}

/* ---- the command ------------------------------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int mixx_cmd_stability(int argc, char **argv)
{
    mixx_cli cli;
    mixx_cli_init(&cli, argc, argv);
    cli.duration_s = 60;
    stab_opts o = {NULL, BASELINE_NONE, 0, MIXX_RTL_MULTITONE, 0, 0, NULL, 0, NULL, 0, 0};
    mixx_cli_params_accept();
    int prc = mixx_cli_parse(&cli, argc, argv, 2, stab_option, &o);
    if (prc)
        return prc;
    if (!o.out) {
        fprintf(stderr, "mixx: stability: --out DIR is required\n");
        return 2;
    }
    if (o.placement_set && (o.baseline != BASELINE_CONCURRENT || cli.cfg.backend != MIXX_BACKEND_SIM)) {
        fprintf(stderr, "mixx: stability: --placement applies to --backend sim with --baseline-concurrent only (it "
                        "places the engine's audio thread and the baseline's loop)\n");
        return 2;
    }
    if (cli.cfg.log_path) {
        fprintf(stderr, "mixx: stability: --log is not accepted here: the engine's log of a stability run is "
                        "DIR/timeline.jsonl (--out DIR)\n");
        return 2;
    }
    if (cli.cfg.backend == MIXX_BACKEND_HOSTED)
        return mixx_cli_fail("stability", MIXX_EHOSTED, "the hosted backend is driven by a host application");
    /* everything about the output directory is checked now, not after a 30-minute run */
    char why[1024];
    if (mixx_out_path_check(o.out, why, sizeof why) != 0) {
        mixx_cli_fail("stability: --out", MIXX_EINVAL, why);
        return 2;
    }
    mixx_dir od;
    int rc = mixx_dir_open(&od, o.out, 1, why, sizeof why);
    if (rc)
        return mixx_cli_fail("stability: --out", rc, why);
    int lock = mixx_report_lock(&od, why, sizeof why);
    if (lock < 0) {
        mixx_dir_close(&od);
        return mixx_cli_fail("stability: --out", lock, why);
    }
    FILE *records = NULL;
    if (o.records) { /* a new file only, never through a symlink, before anything in --out is replaced */
        int rfd = open(o.records, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        records = rfd >= 0 ? fdopen(rfd, "w") : NULL;
        if (!records) {
            int err = errno;
            if (rfd >= 0)
                close(rfd);
            close(lock);
            mixx_dir_close(&od);
            fprintf(stderr, "mixx: stability: --records %s: %s (the file must not exist)\n", o.records, strerror(err));
            return 2;
        }
        fputs("seq,start_ns,duration_ns,interval_ns,frames,flags\n", records);
    }
    char date[64];
    time_t wall = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&wall));
    rc = mixx_stability_prepare_dir(&od, o.force, why, sizeof why);
    if (rc == 0)
        rc = mixx_stability_write_run_record(&od, &cli, date, why, sizeof why);
    if (rc) {
        close(lock);
        mixx_dir_close(&od);
        return mixx_cli_fail("stability: --out", rc, why);
    }

    char timeline_part[4096];
    snprintf(timeline_part, sizeof timeline_part, "%s/.timeline.jsonl.part", o.out);
    progress prog;
    memset(&prog, 0, sizeof prog);
    pthread_mutex_init(&prog.lock, NULL);
    cli.cfg.log_path = timeline_part; /* the engine creates it (O_EXCL | O_NOFOLLOW): prepare_dir removed any old one */
    cli.cfg.second_cb = on_second;
    cli.cfg.user = &prog;
    prog.records = records;
    if (records)
        cli.cfg.records_cb = on_records;
    if (cli.cfg.backend == MIXX_BACKEND_JACK && !cli.cfg.jack.self_loop && !cli.cfg.jack.connect_in && !cli.cfg.jack.connect_out)
        cli.cfg.jack.self_loop = 1; /* a loop is needed for the meter: the simplest one */

    mixx_engine *e = NULL;
    rc = mixx_engine_create(&cli.cfg, &e);
    if (rc) {
        unlinkat(od.fd, ".run.json", 0);
        return mixx_cli_fail("stability: configuration", rc, NULL);
    }
    if ((rc = mixx_cli_params_apply(e)) != 0) { /* --set, --preset */
        unlinkat(od.fd, ".run.json", 0);
        mixx_engine_destroy(e);
        return rc;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    baseline_child bl;
    memset(&bl, 0, sizeof bl);
    if (o.baseline == BASELINE_CONCURRENT && baseline_spawn(&bl, &cli, &od, cli.duration_s) != 0)
        fprintf(stderr, "mixx: stability: continuing without a baseline\n");

    rc = mixx_engine_start_stream(e);
    if (rc) {
        int ec = mixx_cli_fail("stability: start", rc, mixx_engine_last_error(e));
        if (bl.started) {
            kill(bl.pid, SIGTERM);
            waitpid(bl.pid, NULL, 0);
            mixx_dir_discard(&od, -1, bl.tmp);
        }
        mixx_engine_destroy(e);
        unlinkat(od.fd, ".timeline.jsonl.part", 0);
        unlinkat(od.fd, ".run.json", 0);
        return ec;
    }
    /* the two realtime loops of a concurrent sim comparison trade CPUs every few seconds (placement.h) */
    stab_placement pl;
    memset(&pl, 0, sizeof pl);
    int placed = o.baseline == BASELINE_CONCURRENT && bl.started && cli.cfg.backend == MIXX_BACKEND_SIM;
    if (placed)
        stab_place_start(&pl, bl.pid, o.placement_free ? 0.0 : PLACEMENT_SWAP_S, now_s());
    int rtl_rc = o.no_latency ? MIXX_EUNSUPPORTED : mixx_engine_rtl_start(e, o.method, o.loop_channel, 1);
    if (rtl_rc && !o.no_latency)
        fprintf(stderr, "mixx: stability: latency meter not running: %s\n", mixx_strerror(rtl_rc));

    cJSON *slips = cJSON_CreateArray();
    int tty = isatty(cli.json ? STDERR_FILENO : STDOUT_FILENO);
    double progress_every = o.progress_s > 0 ? o.progress_s : (tty ? 1.0 : 10.0);
    double t0 = now_s(), next_progress = t0 + progress_every, last_rtl = NAN;
    int lost = 0;
    mixx_stats st;
    while (!stab_signal) {
        usleep(100000);
        double el = now_s() - t0;
        mixx_rtl_result r;
        while (rtl_rc == 0 && mixx_engine_rtl_wait(e, &r, 0) == 0) {
            if (r.status == MIXX_RTL_OK)
                last_rtl = r.rtl_frames;
            if (r.slip) {
                cJSON *s = cJSON_CreateObject();
                cJSON_AddNumberToObject(s, "t_s", r.t_s);
                add_num_or_null(s, "rtl_frames", r.rtl_frames);
                cJSON_AddItemToArray(slips, s);
            }
        }
        if (mixx_engine_get_stats(e, &st, sizeof(mixx_stats)) == 0 && st.device_lost) {
            lost = 1;
            break;
        }
        if (now_s() >= next_progress) {
            print_progress(cli.json ? stderr : stdout, &prog, &st, el, cli.duration_s, last_rtl, tty);
            next_progress += progress_every;
        }
        if (placed)
            stab_place_tick(&pl, now_s());
        if (el >= cli.duration_s)
            break;
    }
    if (placed)
        stab_place_finish(&pl, now_s());
    if (tty)
        fputc('\n', cli.json ? stderr : stdout);
    if (rtl_rc == 0) {
        mixx_rtl_result r;
        while (mixx_engine_rtl_wait(e, &r, 0) == 0)
            if (r.slip) {
                cJSON *s = cJSON_CreateObject();
                cJSON_AddNumberToObject(s, "t_s", r.t_s);
                add_num_or_null(s, "rtl_frames", r.rtl_frames);
                cJSON_AddItemToArray(slips, s);
            }
    }
    mixx_rtl_summary rs;
    memset(&rs, 0, sizeof rs);
    int have_rs = rtl_rc == 0 && mixx_engine_rtl_summary(e, &rs) == 0;
    if (rtl_rc == 0)
        mixx_engine_rtl_stop(e);
    char log_err[600] = "";
    if (mixx_engine_stop_stream(e) == MIXX_EIO) /* the timeline has a hole (disk full during the run) */
        snprintf(log_err, sizeof log_err, "%s", mixx_engine_last_error(e));
    mixx_engine_get_stats(e, &st, sizeof(mixx_stats));
    int interrupted = stab_signal != 0;

    /* ---- report.json ---- */
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "schema", "mixxengine.stability/1");
    cJSON_AddStringToObject(root, "command", cli.command_line);
    cJSON_AddStringToObject(root, "date", date);
    cJSON_AddStringToObject(root, "mixx_version", mixx_version_string());
    if (o.note)
        cJSON_AddStringToObject(root, "note", o.note);
    cJSON_AddStringToObject(root, "backend", mixx_backend_name(cli.cfg.backend));
    cJSON_AddNumberToObject(root, "sample_rate", st.sample_rate);
    cJSON_AddNumberToObject(root, "buffer_size", st.buffer_size);
    cJSON_AddNumberToObject(root, "requested_sample_rate", cli.cfg.sample_rate);
    cJSON_AddNumberToObject(root, "requested_buffer_size", cli.cfg.buffer_size);
    cJSON_AddNumberToObject(root, "inputs", cli.cfg.inputs);
    cJSON_AddNumberToObject(root, "outputs", cli.cfg.outputs);
    cJSON_AddNumberToObject(root, "duration_s", st.elapsed_s);
    cJSON_AddNumberToObject(root, "requested_duration_s", cli.duration_s);
    cJSON_AddBoolToObject(root, "interrupted", interrupted);
    cJSON_AddBoolToObject(root, "device_lost", lost || st.device_lost);
    cJSON_AddNumberToObject(root, "callbacks", (double)st.callbacks);
    cJSON_AddNumberToObject(root, "expected_callbacks", st.elapsed_s * st.sample_rate / st.buffer_size);
    cJSON_AddNumberToObject(root, "records_written", (double)st.records_written);
    cJSON_AddNumberToObject(root, "dropped_records", (double)st.dropped_records);
    cJSON_AddNumberToObject(root, "xruns_backend", (double)st.xruns_backend);
    cJSON_AddNumberToObject(root, "deadline_misses", (double)st.deadline_misses);
    cJSON_AddNumberToObject(root, "late_wakeups", (double)st.late_wakeups);
    add_dist(root, "callback_ns", &st.callback_ns);
    add_dist(root, "interval_ns", &st.interval_ns);
    cJSON *dl = cJSON_AddObjectToObject(root, "dsp_load");
    cJSON_AddNumberToObject(dl, "mean", st.dsp_load_mean);
    cJSON_AddNumberToObject(dl, "max", st.dsp_load_max);
    cJSON *cpu = cJSON_AddObjectToObject(root, "cpu");
    add_num_or_null(cpu, "process_pct", st.cpu_process_pct);
    add_num_or_null(cpu, "system_pct", st.cpu_system_pct);
    cJSON *rtl = cJSON_AddObjectToObject(root, "rtl");
    cJSON_AddStringToObject(rtl, "method", o.method == MIXX_RTL_IMPULSE ? "impulse" : "multitone");
    cJSON_AddNumberToObject(rtl, "channel", o.loop_channel);
    cJSON_AddBoolToObject(rtl, "active", rtl_rc == 0);
    if (rtl_rc)
        cJSON_AddStringToObject(rtl, "error", o.no_latency ? "disabled (--no-latency)" : mixx_strerror(rtl_rc));
    cJSON_AddNumberToObject(rtl, "measurements", have_rs ? (double)rs.measurements : 0);
    cJSON_AddNumberToObject(rtl, "ok", have_rs ? (double)rs.ok : 0);
    cJSON_AddNumberToObject(rtl, "no_signal", have_rs ? (double)rs.no_signal : 0);
    cJSON_AddNumberToObject(rtl, "unreliable", have_rs ? (double)rs.unreliable : 0);
    add_num_or_null(rtl, "mean_frames", have_rs && rs.ok ? rs.mean_frames : NAN);
    add_num_or_null(rtl, "min_frames", have_rs && rs.ok ? rs.min_frames : NAN);
    add_num_or_null(rtl, "max_frames", have_rs && rs.ok ? rs.max_frames : NAN);
    add_num_or_null(rtl, "expected_frames", st.expected_rtl_frames);
    cJSON_AddNumberToObject(rtl, "slips", have_rs ? (double)rs.slips : 0);
    cJSON_AddItemToObject(rtl, "slip_events", slips);
    cJSON *sched = cJSON_AddObjectToObject(root, "sched");
    cJSON_AddStringToObject(sched, "policy", policy_name(st.sched_policy));
    cJSON_AddNumberToObject(sched, "priority", st.sched_priority);
    cJSON_AddNumberToObject(sched, "requested_priority", cli.cfg.rt_priority);
    cJSON_AddBoolToObject(sched, "memory_locked", st.memory_locked);
    mixx_stability_add_host(root);
    cJSON *hist = cJSON_AddObjectToObject(root, "histograms");
    add_hist(hist, "callback_ns", e, MIXX_HIST_CALLBACK);
    add_hist(hist, "interval_ns", e, MIXX_HIST_INTERVAL);
    mixx_engine_destroy(e); /* the monitor thread is gone: the records file is ours */
    if (prog.records && fclose(prog.records) != 0)
        fprintf(stderr, "mixx: stability: --records %s: %s\n", o.records, strerror(errno));

    if (o.baseline == BASELINE_AFTER && !interrupted && baseline_spawn(&bl, &cli, &od, cli.duration_s) != 0)
        fprintf(stderr, "mixx: stability: continuing without a baseline\n");
    if (o.baseline == BASELINE_AFTER && !interrupted && tty && !cli.json)
        printf("running the native baseline for %.0f s ...\n", cli.duration_s);
    if (o.baseline != BASELINE_NONE) {
        cJSON *base = baseline_collect(&bl, o.baseline == BASELINE_CONCURRENT ? "concurrent" : "after");
        if (placed)
            add_placement(base, &pl);
        cJSON_AddItemToObject(root, "baseline", base);
    }
    else
        cJSON_AddNullToObject(root, "baseline");
    if (stab_signal && !interrupted) { /* interrupted during the baseline: the whole run is */
        interrupted = 1;
        cJSON_ReplaceItemInObjectCaseSensitive(root, "interrupted", cJSON_CreateBool(1));
    }

    int ec = 0;
    if (log_err[0]) {
        /* no report from an incomplete timeline, and nothing left that looks like one */
        unlinkat(od.fd, ".timeline.jsonl.part", 0);
        unlinkat(od.fd, ".run.json", 0);
        fsync(od.fd);
        ec = mixx_cli_fail("stability", MIXX_EIO, log_err);
    } else {
        ec = mixx_stability_finish(&od, root, cli.json);
    }
    close(lock);
    mixx_dir_close(&od);
    if (lost || st.device_lost) {
        fprintf(stderr, "mixx: stability: %s (%s); the report is marked device_lost\n",
                mixx_strerror(MIXX_EDEVICELOST), mixx_error_name(MIXX_EDEVICELOST));
        return ec ? ec : 3;
    }
    if (interrupted)
        return ec ? ec : 128 + (int)stab_signal;
    return ec;
}
