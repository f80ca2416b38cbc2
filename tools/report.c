/* SPDX-License-Identifier: MIT */
/* report.c: the renderer's data side: the timeline parser and its per-format segments, data/ (TSV files, the
 * gnuplot script) and the plots (PNG + SVG, each checked whole before any replaces its predecessor). Loading a
 * report directory and the order of the writes is report_dir.c; report.md is report_md.c. Every write goes
 * through mixx_dir (util.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report_internal.h"

extern char **environ;

/* The fuzzer (fuzz/fuzz_report.c) compiles this file with its own in-memory writer. */
#ifndef MIXX_REPORT_WRITE
#define MIXX_REPORT_WRITE mixx_dir_write
#endif


const char *const mixx_report_plot_names[MIXX_REPORT_N_PLOTS] = {"callback_hist", "interval_hist", "dsp_load",
                                                                  "rtl", "xruns"};

void mixx_report_sb_printf(sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if (b->p && (size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 16384;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
}

/* ---- timeline ---- */

int mixx_timeline_parse(const char *text, size_t len, mixx_timeline *tl)
{
    memset(tl, 0, sizeof *tl);
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        tl->lines++;
        int blank = 1;
        for (size_t i = 0; i < n && blank; i++)
            blank = p[i] == ' ' || p[i] == '\t' || p[i] == '\r';
        /* a NUL inside a line (a power loss leaves zero-filled blocks) makes the line corrupt, not shorter */
        cJSON *o = blank || memchr(p, '\0', n) ? NULL : cJSON_ParseWithLength(p, n);
        if (!blank && !cJSON_IsObject(o)) {
            tl->skipped++;
            if (!tl->first_skipped_line)
                tl->first_skipped_line = tl->lines;
        } else if (o && strcmp(jstr(o, "type"), "second") == 0) {
            if (tl->n == tl->cap) {
                size_t cap = tl->cap ? tl->cap * 2 : 256;
                mixx_timeline_row *nr = realloc(tl->rows, cap * sizeof *nr);
                if (!nr) {
                    cJSON_Delete(o);
                    return MIXX_ENOMEM;
                }
                tl->rows = nr;
                tl->cap = cap;
            }
            mixx_timeline_row *r = &tl->rows[tl->n++];
            r->t_s = jnum(o, "t_s");
            r->callbacks = jnum(o, "callbacks");
            r->xruns = jnum(o, "xruns");
            r->misses = jnum(o, "deadline_misses");
            r->late = jnum(o, "late_wakeups");
            r->load_mean = jnum(o, "dsp_load_mean");
            r->load_max = jnum(o, "dsp_load_max");
            r->cb_max_ns = jnum(o, "callback_ns_max");
            r->iv_max_ns = jnum(o, "interval_ns_max");
            r->rtl = jnum(o, "rtl_frames");
            r->cpu = jnum(o, "cpu_process_pct");
            r->rate = jnum(o, "sample_rate");
            r->buffer = jnum(o, "buffer_size");
            r->frames = jnum(o, "frames");
            if (!(r->rate > 0) || !(r->buffer > 0))
                r->rate = r->buffer = NAN; /* 0: a second without callbacks has no format of its own */
        }
        cJSON_Delete(o);
        p = nl ? nl + 1 : end;
    }
    return 0;
}

void mixx_timeline_free(mixx_timeline *tl)
{
    free(tl->rows);
    memset(tl, 0, sizeof *tl);
}

void mixx_report_formats_of(const mixx_timeline *tl, double rate, double buffer, mixx_report_formats *out)
{
    memset(out, 0, sizeof *out);
    mixx_report_format *cur = NULL;
    for (size_t i = 0; i < tl->n; i++) {
        const mixx_timeline_row *r = &tl->rows[i];
        double fr = isfinite(r->rate) ? r->rate : cur ? cur->rate : rate;
        double fb = isfinite(r->buffer) ? r->buffer : cur ? cur->buffer : buffer;
        if (!cur || fr != cur->rate || fb != cur->buffer) {
            if (cur)
                out->changes++;
            if (!cur || out->n < MIXX_REPORT_MAX_FORMATS) {
                cur = &out->f[out->n++];
                cur->rate = fr;
                cur->buffer = fb;
                cur->from_s = r->t_s;
            }
        }
        cur->to_s = r->t_s;
        cur->seconds += 1;
        cur->callbacks += isfinite(r->callbacks) ? r->callbacks : 0;
        /* frames / buffer when the log says how many frames ran (a change inside a second splits it) */
        cur->expected_callbacks += fr > 0 && fb > 0 ? fr / fb : 0;
        cur->xruns += isfinite(r->xruns) ? r->xruns : 0;
        cur->misses += isfinite(r->misses) ? r->misses : 0;
        cur->late += isfinite(r->late) ? r->late : 0;
        cur->cb_max_ns = fmax(cur->cb_max_ns, isfinite(r->cb_max_ns) ? r->cb_max_ns : 0);
        cur->iv_max_ns = fmax(cur->iv_max_ns, isfinite(r->iv_max_ns) ? r->iv_max_ns : 0);
        if (isfinite(r->rtl)) {
            cur->rtl_sum += r->rtl;
            cur->rtl_n += 1;
        }
    }
}

/* ---- plots ---- */

int mixx_report_write(const mixx_dir *d, const char *name, const sbuf *b)
{
    return b->oom ? MIXX_ENOMEM : MIXX_REPORT_WRITE(d, name, b->p ? b->p : "", b->len);
}
#define write_data mixx_report_write

/* The engine's bins (< 1 % wide) are regrouped into 40 per decade for display: finer bins only show the
 * clock's ~10 ns tick as a comb. Columns: centre (µs), width (µs), count. Returns the bins written. */
#define DISPLAY_BINS_PER_DECADE 40.0
static int hist_tsv(sbuf *b, const cJSON *arr)
{
    long cur = LONG_MIN;
    double count = 0;
    int rows = 0;
    const cJSON *bin;
    for (bin = arr ? arr->child : NULL;; bin = bin->next) {
        long k = LONG_MAX;
        double c = 0;
        if (bin) {
            if (cJSON_GetArraySize(bin) != 3)
                continue;
            double lo = cJSON_GetArrayItem(bin, 0)->valuedouble, hi = cJSON_GetArrayItem(bin, 1)->valuedouble;
            c = cJSON_GetArrayItem(bin, 2)->valuedouble;
            double mid = (lo + hi) / 2 > 1 ? (lo + hi) / 2 : 1;
            if (!isfinite(mid) || !(c > 0))
                continue; /* (long)inf is undefined behaviour (found by fuzz/fuzz_report.c) */
            k = (long)floor(log10(mid) * DISPLAY_BINS_PER_DECADE);
        }
        if (k != cur && cur != LONG_MIN && count > 0) {
            double a = pow(10, (double)cur / DISPLAY_BINS_PER_DECADE),
                   z = pow(10, (double)(cur + 1) / DISPLAY_BINS_PER_DECADE);
            sb_printf(b, "%.5f\t%.5f\t%.0f\n", sqrt(a * z) / 1000.0, (z - a) / 1000.0, count);
            count = 0;
            rows++;
        }
        if (!bin)
            break;
        cur = k;
        count += c;
    }
    return rows;
}

/* An empty frame with the reason in it: gnuplot fails ("all points undefined") on a plot without points. */
static void plot_none(sbuf *gp, const char *why)
{
    sb_printf(gp, "unset logscale\nunset arrow\nset xrange [0:1]\nset yrange [0:1]\n");
    sb_printf(gp, "set label 9 'no data: %s' at graph 0.5,0.5 center\nplot NaN notitle\nunset label\n", why);
}

/* The gnuplot script. `outs` names each plot's output per format ([plot][0 png, 1 svg]); data files are read
 * from data/ relative to the report directory (gnuplot runs there). */
static void plot_script(sbuf *gp, const cJSON *root, const mixx_timeline *tl, const mixx_report_ctx *ctx,
                        char outs[MIXX_REPORT_N_PLOTS][2][64], int n_slips)
{
    double rate = jnum(root, "sample_rate"), buffer = jnum(root, "buffer_size");
    double period_us = 1e6 * buffer / rate;
    char title[256];
    snprintf(title, sizeof title, "%s, %.0f Hz / %.0f frames%s", jstr(root, "backend"), rate, buffer,
             ctx->formats.changes ? " at the end (format changed)" : "");
    /* report.json may come from anywhere and gnuplot can run shell commands (system): the title goes inside
     * '...', so it must not close the quote or start a new line (found by fuzz/fuzz_report.c) */
    for (char *p = title; *p; p++)
        if (*p == '\'' || (unsigned char)*p < 0x20)
            *p = ' ';
    const cJSON *rtl = jobj(root, "rtl");
    double exp_rtl = rtl && !ctx->formats.changes ? jnum(rtl, "expected_frames") : NAN;
    const cJSON *cb = jobj(root, "callback_ns"), *iv = jobj(root, "interval_ns");
    double cb_max_us = cb ? jnum(cb, "max") / 1000 : NAN, iv_max_us = iv ? jnum(iv, "max") / 1000 : NAN;
    double duration = jnum(root, "duration_s");
    for (int svg = 0; svg < 2; svg++) {
        const char *term = svg ? "svg size 900,500 dynamic font 'sans,11'" : "pngcairo size 900,500 font 'sans,10'";
        sb_printf(gp, "reset\nset encoding utf8\nset terminal %s\nset grid\nset key top right\n", term);
        /* callback duration histogram, log count axis; the period marked (the axis reaches it) and the
         * percentiles as staggered markers */
        sb_printf(gp, "set output '%s'\n", outs[0][svg]);
        sb_printf(gp, "set title 'Callback duration (%s)'\nset xlabel 'callback duration (µs, log scale)'\n"
                      "set ylabel 'callbacks'\n",
                  title);
        if (ctx->no_data[0]) {
            plot_none(gp, ctx->no_data[0]);
        } else {
            sb_printf(gp, "set logscale y\nset yrange [0.7:*]\nset logscale x\nset style fill solid 0.6\n"
                          "set key top left\n");
            if (isfinite(period_us) && period_us > 0) {
                double top = fmax(period_us, isfinite(cb_max_us) ? cb_max_us : 0) * 2;
                sb_printf(gp, "set xrange [*:%.3f]\n"
                              "set arrow 1 from %.3f, graph 0 to %.3f, graph 1 nohead front lc rgb '#c02020' dt 2 lw 2\n"
                              "set label 1 'period %.1f µs' at %.3f, graph 0.95 right offset -0.5,0 front tc rgb '#c02020'\n",
                          top, period_us, period_us, period_us, period_us);
            }
            static const char *const pk[] = {"p50", "p99", "p999"}, *const pn[] = {"p50", "p99", "p99.9"};
            for (int k = 0; cb && k < 3; k++) {
                double x = jnum(cb, pk[k]) / 1000;
                if (!(x > 0))
                    continue;
                sb_printf(gp,
                          "set arrow %d from %.4f, graph 0 to %.4f, graph %.2f nohead front lc rgb '#404040' dt 3\n"
                          "set label %d '%s %.2f µs' at %.4f, graph %.2f left offset 0.3,0 front font ',8'\n",
                          10 + k, x, x, 0.86 - 0.09 * k, 10 + k, pn[k], x, x, 0.88 - 0.09 * k);
            }
            sb_printf(gp, "plot 'data/callback_hist.tsv' using 1:3:2 with boxes lc rgb '#2060c0' title 'engine'\n");
        }
        sb_printf(gp, "unset arrow\nunset logscale\nunset label\nset key top right\nset xrange [*:*]\nset yrange [*:*]\n");
        /* interval histogram with the period marked */
        sb_printf(gp, "set output '%s'\n", outs[1][svg]);
        sb_printf(gp, "set title 'Callback interval / wake-up jitter (%s)'\nset xlabel 'interval (µs)'\n", title);
        sb_printf(gp, "set ylabel 'callbacks'\n");
        if (ctx->no_data[1]) {
            plot_none(gp, ctx->no_data[1]);
        } else {
            sb_printf(gp, "set logscale y\nset yrange [0.7:*]\n");
            if (isfinite(period_us) && period_us > 0) {
                double late = 1.5 * period_us; /* the engine's late wake-up threshold */
                sb_printf(gp, "set xrange [0:%.3f]\n", fmax(late * 1.15, isfinite(iv_max_us) ? iv_max_us * 1.05 : 0));
                sb_printf(gp,
                          "set arrow 1 from %.3f, graph 0 to %.3f, graph 1 nohead front lc rgb '#c02020' dt 2 lw 2\n"
                          "set label 2 'period %.1f µs' at %.3f, graph 0.95 left offset 0.5,0 front tc rgb '#c02020'\n"
                          "set arrow 3 from %.3f, graph 0 to %.3f, graph 1 nohead front lc rgb '#d08000' dt 4 lw 2\n"
                          "set label 4 'late wake-up above 1.5 periods (%.1f µs)' at %.3f, graph 0.87 left offset "
                          "0.5,0 front tc rgb '#b06000'\n",
                          period_us, period_us, period_us, period_us, late, late, late, late);
            }
            sb_printf(gp, "plot 'data/interval_hist.tsv' using 1:3:2 with boxes lc rgb '#208040' title 'engine'\n");
        }
        sb_printf(gp, "unset arrow\nunset label\nunset logscale\nset xrange [*:*]\nset yrange [*:*]\n");
        /* DSP load over time */
        sb_printf(gp, "set output '%s'\n", outs[2][svg]);
        sb_printf(gp, "set title 'DSP load per second (%s)'\nset xlabel 'time (s)'\n"
                      "set ylabel 'load (%% of the period, log scale)'\n",
                  title);
        if (ctx->no_data[2]) {
            plot_none(gp, ctx->no_data[2]);
        } else {
            /* the whole run on x; y up to past the 100 % budget so the margin is visible */
            if (isfinite(duration) && duration > 0)
                sb_printf(gp, "set xrange [0:%.3f]\n", ceil(duration));
            sb_printf(gp, "set logscale y\nset yrange [*:300]\nset key bottom right\n"
                          "set arrow 5 from graph 0, first 100 to graph 1, first 100 nohead front lc rgb '#c02020' lw 2\n"
                          "set label 6 '100 %% = the whole period (budget)' at graph 0.01, first 130 left front "
                          "tc rgb '#c02020'\n"
                          "plot 'data/timeline.tsv' using 1:($7>0?$7:NaN) with lines lc rgb "
                          "'#c06020' title 'max', '' using 1:($6>0?$6:NaN) with lines lc rgb '#2060c0' title 'mean'\n");
        }
        sb_printf(gp, "unset arrow\nunset label\nunset logscale\nset key top right\nset xrange [*:*]\nset yrange [*:*]\n");
        /* RTL over time, slips marked */
        sb_printf(gp, "set output '%s'\n", outs[3][svg]);
        sb_printf(gp, "set title 'Round-trip latency, one measurement per second (%s)'\n", title);
        sb_printf(gp, "set xlabel 'time (s)'\nset ylabel 'round trip (frames)'\n");
        if (ctx->no_data[3]) {
            plot_none(gp, ctx->no_data[3]);
        } else {
            sb_printf(gp, "set format y '%%.3f'\n");
            if (isfinite(rate) && rate > 0 && !ctx->formats.changes) /* the same axis in ms on the right */
                sb_printf(gp, "set y2label 'round trip (ms)'\nset y2tics\nset format y2 '%%.4f'\n"
                              "set link y2 via y*1000.0/%.6f inverse y*%.6f/1000.0\nset ytics nomirror\n",
                          rate, rate);
            double rmin = rtl ? jnum(rtl, "min_frames") : NAN, rmax = rtl ? jnum(rtl, "max_frames") : NAN;
            if (isfinite(rmin) && isfinite(rmax) && !ctx->formats.changes) /* a flat line gets a visible band */
                sb_printf(gp, "set yrange [%.4f:%.4f]\n", fmin(rmin, isfinite(exp_rtl) ? exp_rtl : rmin) - 0.5,
                          fmax(rmax, isfinite(exp_rtl) ? exp_rtl : rmax) + 0.5);
            sb_printf(gp, "plot 'data/timeline.tsv' using 1:8 with linespoints pt 7 ps 0.4 lc rgb '#2060c0' title "
                          "'measured%s'",
                      n_slips ? "" : " (no slips)");
            if (n_slips)
                sb_printf(gp, ", 'data/slips.tsv' using 1:2 with points pt 2 ps 2 lc rgb '#c02020' title 'slip'");
            if (isfinite(exp_rtl))
                sb_printf(gp, ", %.4f with lines dt 2 lw 2 lc rgb '#808080' title 'expected (backend) %.3f frames'",
                          exp_rtl, exp_rtl);
            sb_printf(gp, "\n");
        }
        sb_printf(gp, "unset arrow\nunset label\nset format y\nunset y2tics\nunset y2label\nunset link y2\n"
                      "set ytics mirror\nset xrange [*:*]\nset yrange [*:*]\n");
        /* xruns over time */
        sb_printf(gp, "set output '%s'\n", outs[4][svg]);
        sb_printf(gp, "set title 'Xruns and deadline misses per second (%s)'\nset xlabel 'time (s)'\n", title);
        sb_printf(gp, "set ylabel 'events per second'\n");
        if (ctx->no_data[4]) {
            plot_none(gp, ctx->no_data[4]);
        } else {
            /* zero seconds are not drawn (no row of dots on the axis); the axis has headroom above the highest
             * spike and half a second either side, so no spike is clipped by the frame */
            if (isfinite(duration) && duration > 0)
                sb_printf(gp, "set xrange [-0.5:%.3f]\n", ceil(duration) + 0.5);
            sb_printf(gp, "set yrange [0:*]\nset offsets 0, 0, graph 0.12, 0\n"
                          "plot 'data/timeline.tsv' using 1:($3>0?$3:NaN) with impulses lw 3 lc rgb '#c02020' "
                          "title 'backend xruns', '' using 1:($4>0?$4:NaN) with impulses lw 2 lc rgb '#2060c0' "
                          "title 'deadline misses', '' using 1:($5>0?$5:NaN) with points pt 6 ps 0.8 lc rgb '#808080' "
                          "title 'late wake-ups'\n");
            sb_printf(gp, "set offsets 0, 0, 0, 0\n");
        }
        sb_printf(gp, "set xrange [*:*]\nset yrange [*:*]\nset output\n");
    }
    (void)tl;
}

/* Whole PNG (signature ... IEND chunk) or SVG (ends with </svg>)? A full disk leaves them empty or cut short
 * while gnuplot still exits 0. Returns NULL or what is wrong. */
static const char *check_image(int fd, int svg)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return "cannot stat it";
    if (st.st_size == 0)
        return "it is empty";
    unsigned char head[8], tail[16];
    size_t tn = st.st_size < (off_t)sizeof tail ? (size_t)st.st_size : sizeof tail;
    if (pread(fd, head, sizeof head, 0) != (ssize_t)sizeof head && !svg)
        return "it is cut short";
    if (pread(fd, tail, tn, st.st_size - (off_t)tn) != (ssize_t)tn)
        return "cannot read it back";
    if (!svg) {
        static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        static const unsigned char iend[8] = {'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
        if (memcmp(head, sig, 8) != 0)
            return "it is not a PNG";
        if (tn < 8 || memcmp(tail + tn - 8, iend, 8) != 0)
            return "the PNG is cut short (no IEND chunk)";
        return NULL;
    }
    size_t e = tn;
    while (e > 0 && (tail[e - 1] == '\n' || tail[e - 1] == '\r' || tail[e - 1] == ' '))
        e--;
    if (e < 6 || memcmp(tail + e - 6, "</svg>", 6) != 0)
        return "the SVG is cut short (no closing </svg>)";
    return NULL;
}

/* Runs gnuplot in the report directory with the script on its stdin; plot outputs are the already-open
 * temporary files, handed over as fds 10.. (gnuplot opens /dev/fd/N: it can never write anywhere else). */
static int run_gnuplot(const mixx_dir *d, const sbuf *script, const int *fds, int n_fds, char *why, size_t why_len)
{
    int in[2];
    if (pipe2(in, O_CLOEXEC) != 0) {
        snprintf(why, why_len, "pipe: %s", strerror(errno));
        return MIXX_EIO;
    }
    /* sources above the targets first, so no dup2 onto 10.. clobbers a source still to be moved */
    int hi[2 * MIXX_REPORT_N_PLOTS + 1], n_hi = 0, rc = 0;
    for (int i = 0; i <= n_fds && rc == 0; i++) {
        hi[i] = fcntl(i < n_fds ? fds[i] : in[0], F_DUPFD_CLOEXEC, 100);
        if (hi[i] < 0)
            rc = errno;
        else
            n_hi++;
    }
    pid_t pid;
    if (rc == 0) {
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, hi[n_fds], 0);
        for (int i = 0; i < n_fds; i++)
            posix_spawn_file_actions_adddup2(&fa, hi[i], 10 + i);
        posix_spawn_file_actions_addfchdir_np(&fa, d->fd);
        char *argv[] = {"gnuplot", NULL};
        rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
    }
    for (int i = 0; i < n_hi; i++)
        close(hi[i]);
    close(in[0]);
    if (rc != 0) {
        close(in[1]);
        snprintf(why, why_len, "cannot run gnuplot: %s%s", strerror(rc),
                 rc == ENOENT ? " (not installed or not on PATH)" : "");
        return MIXX_EIO;
    }
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    size_t off = 0;
    while (off < script->len) {
        ssize_t n = write(in[1], script->p + off, script->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    close(in[1]);
    signal(SIGPIPE, old);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFEXITED(status))
            snprintf(why, why_len, "gnuplot exited with status %d (its message is above)", WEXITSTATUS(status));
        else
            snprintf(why, why_len, "gnuplot was killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        return MIXX_EIO;
    }
    if (off < script->len) {
        snprintf(why, why_len, "gnuplot did not read its whole script");
        return MIXX_EIO;
    }
    return 0;
}

int mixx_report_render_plots(const mixx_dir *d, const cJSON *root, const mixx_timeline *tl, mixx_report_ctx *ctx,
                        char *why, size_t why_len)
{
    mixx_dir data;
    int rc = mixx_dir_sub(d, "data", 1, &data, why, why_len);
    if (rc)
        return rc;
    const cJSON *hist = jobj(root, "histograms");
    sbuf cb = {0}, iv = {0}, t = {0}, sl = {0};
    int have_cb = hist_tsv(&cb, hist ? cJSON_GetObjectItemCaseSensitive(hist, "callback_ns") : NULL) > 0;
    int have_iv = hist_tsv(&iv, hist ? cJSON_GetObjectItemCaseSensitive(hist, "interval_ns") : NULL) > 0;
    int have_load = 0, have_rtl = 0;
    sb_printf(&t, "# t_s\tcallbacks\txruns\tmisses\tlate\tload_mean_pct\tload_max_pct\trtl_frames\tbuffer_size\n");
    for (size_t i = 0; i < tl->n; i++) {
        const mixx_timeline_row *r = &tl->rows[i];
        if (!isfinite(r->t_s))
            continue;
        sb_printf(&t, "%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.6f\t%.6f\t", r->t_s, r->callbacks, r->xruns, r->misses,
                  r->late, 100 * r->load_mean, 100 * r->load_max);
        have_load |= r->load_max > 0;
        have_rtl |= isfinite(r->rtl);
        sb_printf(&t, isfinite(r->rtl) ? "%.4f\t" : "NaN\t", r->rtl);
        sb_printf(&t, isfinite(r->buffer) ? "%.0f\n" : "NaN\n", r->buffer);
    }
    const cJSON *rtl = jobj(root, "rtl");
    const cJSON *slips = rtl ? cJSON_GetObjectItemCaseSensitive(rtl, "slip_events") : NULL;
    const cJSON *s;
    int n_slips = 0;
    sb_printf(&sl, "# t_s\trtl_frames\n");
    cJSON_ArrayForEach(s, slips)
    {
        double f = jnum(s, "rtl_frames"), t_s = jnum(s, "t_s");
        if (isfinite(f) && isfinite(t_s)) {
            sb_printf(&sl, "%.3f\t%.4f\n", t_s, f);
            n_slips++;
        }
    }
    const char *no_tl = ctx->timeline_name ? "the timeline has no seconds" : "no timeline";
    ctx->no_data[0] = have_cb ? NULL : "no callback was timed (--no-instrument, or no callbacks)";
    ctx->no_data[1] = have_iv ? NULL : "no interval between two timed callbacks";
    ctx->no_data[2] = have_load ? NULL : tl->n ? "no callback was timed in any second" : no_tl;
    ctx->no_data[3] = have_rtl ? NULL : "no valid latency measurement";
    ctx->no_data[4] = tl->n ? NULL : no_tl;

    rc = write_data(&data, "callback_hist.tsv", &cb);
    if (!rc)
        rc = write_data(&data, "interval_hist.tsv", &iv);
    if (!rc)
        rc = write_data(&data, "timeline.tsv", &t);
    if (!rc)
        rc = write_data(&data, "slips.tsv", &sl);
    free(cb.p);
    free(iv.p);
    free(t.p);
    free(sl.p);
    if (rc) {
        snprintf(why, why_len, "writing %s/*.tsv failed: %s", data.path, rc == MIXX_ENOMEM ? "out of memory" : strerror(errno));
        mixx_dir_close(&data);
        return rc;
    }

    /* the script as kept in data/ (names a reader can re-run in the report directory), then as run */
    char names[MIXX_REPORT_N_PLOTS][2][64], fdnames[MIXX_REPORT_N_PLOTS][2][64];
    char tmp[MIXX_REPORT_N_PLOTS * 2][NAME_MAX + 1];
    int fds[MIXX_REPORT_N_PLOTS * 2];
    for (int i = 0; i < MIXX_REPORT_N_PLOTS; i++)
        for (int v = 0; v < 2; v++) {
            snprintf(names[i][v], sizeof names[i][v], "%s.%s", mixx_report_plot_names[i], v ? "svg" : "png");
            snprintf(fdnames[i][v], sizeof fdnames[i][v], "/dev/fd/%d", 10 + 2 * i + v);
        }
    sbuf gp = {0}, run = {0};
    sb_printf(&gp, "# the plots of this report; redraw with: cd <report directory> && gnuplot data/plots.gp\n");
    plot_script(&gp, root, tl, ctx, names, n_slips);
    plot_script(&run, root, tl, ctx, fdnames, n_slips);
    rc = write_data(&data, "plots.gp", &gp);
    free(gp.p);
    if (rc == 0 && run.oom)
        rc = MIXX_ENOMEM;
    if (rc) {
        snprintf(why, why_len, "writing %s/plots.gp failed: %s", data.path, rc == MIXX_ENOMEM ? "out of memory" : strerror(errno));
        free(run.p);
        mixx_dir_close(&data);
        return rc;
    }
    mixx_dir_close(&data);
    int made = 0;
    for (; made < 2 * MIXX_REPORT_N_PLOTS; made++) {
        fds[made] = mixx_dir_create_tmp(d, names[made / 2][made % 2], tmp[made], sizeof tmp[made]);
        if (fds[made] < 0) {
            snprintf(why, why_len, "cannot create a temporary file for %s in %s: %s", names[made / 2][made % 2],
                     d->path, strerror(errno));
            rc = MIXX_EIO;
            break;
        }
    }
    if (rc == 0)
        rc = run_gnuplot(d, &run, fds, made, why, why_len);
    free(run.p);
    for (int i = 0; rc == 0 && i < made; i++) {
        const char *bad = check_image(fds[i], i % 2);
        if (bad) {
            snprintf(why, why_len, "gnuplot's %s is not whole: %s (disk full?); the previous %s is kept",
                     names[i / 2][i % 2], bad, names[i / 2][i % 2]);
            rc = MIXX_EIO;
        }
    }
    /* all ten are checked before any replaces its predecessor: a report never mixes old and new plots after a
     * failed check */
    for (int i = 0; i < made; i++) {
        if (rc == 0 && mixx_dir_commit(d, fds[i], tmp[i], names[i / 2][i % 2]) != 0) {
            snprintf(why, why_len, "saving %s/%s failed: %s", d->path, names[i / 2][i % 2], strerror(errno));
            rc = MIXX_EIO;
        } else if (rc != 0) {
            mixx_dir_discard(d, fds[i], tmp[i]);
        }
    }
    return rc;
}

