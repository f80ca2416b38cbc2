/* report.c: renders a stability run's report from its saved data: DIR/report.json + DIR/timeline.jsonl ->
 * DIR/data/ (TSV files), plots (gnuplot, PNG + SVG) and DIR/report.md, each written atomically. Used by
 * `mixx stability` after a run and by `mixx report DIR` to re-render without re-running. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "report.h"

extern char **environ;

/* ---- a growable text buffer ---- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...)
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

/* ---- JSON access with defaults ---- */

static double jnum(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : "unknown";
}

static int jbool(const cJSON *o, const char *k)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static const cJSON *jobj(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsObject(v) ? v : NULL;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    sbuf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sb_printf(&b, "%.*s", (int)n, chunk);
    fclose(f);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    if (!b.p)
        b.p = calloc(1, 1);
    return b.p;
}

/* ---- timeline ---- */

int mixx_timeline_parse(const char *text, mixx_timeline *tl)
{
    memset(tl, 0, sizeof *tl);
    const char *line = text;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        cJSON *o = cJSON_ParseWithLength(line, len);
        if (o && strcmp(jstr(o, "type"), "second") == 0) {
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
        }
        cJSON_Delete(o);
        line = end ? end + 1 : NULL;
    }
    return 0;
}

void mixx_timeline_free(mixx_timeline *tl)
{
    free(tl->rows);
    memset(tl, 0, sizeof *tl);
}

/* ---- plots ---- */

static int run_gnuplot(const char *script_path)
{
    pid_t pid;
    char *argv[] = {"gnuplot", (char *)script_path, NULL};
    int rc = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
    if (rc != 0)
        return -1;
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int write_data(const char *dir, const char *name, const sbuf *b)
{
    if (b->oom)
        return MIXX_ENOMEM;
    mixx_dir d;
    int rc = mixx_dir_open(&d, dir, 0, NULL, 0);
    if (rc == 0)
        rc = mixx_dir_write(&d, name, b->p ? b->p : "", b->len);
    mixx_dir_close(&d);
    return rc;
}

/* The engine's bins (< 1 % wide) are regrouped into 40 per decade for display: finer bins only show the
 * clock's ~10 ns tick as a comb. Columns: centre (µs), width (µs), count. */
#define DISPLAY_BINS_PER_DECADE 40.0
static void hist_tsv(sbuf *b, const cJSON *arr)
{
    long cur = LONG_MIN;
    double count = 0;
    const cJSON *bin;
    for (bin = arr ? arr->child : NULL;; bin = bin->next) {
        long k = LONG_MAX;
        double lo = 0, hi = 0, c = 0;
        if (bin) {
            if (cJSON_GetArraySize(bin) != 3)
                continue;
            lo = cJSON_GetArrayItem(bin, 0)->valuedouble;
            hi = cJSON_GetArrayItem(bin, 1)->valuedouble;
            c = cJSON_GetArrayItem(bin, 2)->valuedouble;
            double mid = (lo + hi) / 2 > 1 ? (lo + hi) / 2 : 1;
            if (!isfinite(mid))
                continue; /* (long)inf is undefined behaviour (found by fuzz/fuzz_report.c) */
            k = (long)floor(log10(mid) * DISPLAY_BINS_PER_DECADE);
        }
        if (k != cur && cur != LONG_MIN && count > 0) {
            double a = pow(10, (double)cur / DISPLAY_BINS_PER_DECADE), z = pow(10, (double)(cur + 1) / DISPLAY_BINS_PER_DECADE);
            sb_printf(b, "%.5f\t%.5f\t%.0f\n", sqrt(a * z) / 1000.0, (z - a) / 1000.0, count);
            count = 0;
        }
        if (!bin)
            break;
        cur = k;
        count += c;
    }
}

static const char *const plot_names[] = {"callback_hist", "interval_hist", "dsp_load", "rtl", "xruns"};
#define N_PLOTS (sizeof plot_names / sizeof plot_names[0])

static int render_plots(const char *dir, const cJSON *root, const mixx_timeline *tl)
{
    char data[PATH_MAX + 16], abs[PATH_MAX];
    if (!realpath(dir, abs))
        return MIXX_EIO;
    /* the script quotes paths with '...': a quote or newline in one would let the rest run as gnuplot commands */
    for (const char *p = abs; *p; p++)
        if (*p == '\'' || (unsigned char)*p < 0x20) {
            fprintf(stderr, "mixx: report: directory name %s has a quote or control character; not plotting\n", abs);
            return MIXX_EINVAL;
        }
    snprintf(data, sizeof data, "%s/data", abs);
    if (mkdir(data, 0777) != 0 && errno != EEXIST)
        return MIXX_EIO;
    const cJSON *hist = jobj(root, "histograms");
    sbuf cb = {0}, iv = {0}, t = {0}, sl = {0};
    if (hist) {
        hist_tsv(&cb, cJSON_GetObjectItemCaseSensitive(hist, "callback_ns"));
        hist_tsv(&iv, cJSON_GetObjectItemCaseSensitive(hist, "interval_ns"));
    }
    sb_printf(&t, "# t_s\tcallbacks\txruns\tmisses\tlate\tload_mean_pct\tload_max_pct\trtl_frames\n");
    for (size_t i = 0; i < tl->n; i++) {
        const mixx_timeline_row *r = &tl->rows[i];
        sb_printf(&t, "%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.6f\t%.6f\t", r->t_s, r->callbacks, r->xruns, r->misses,
                  r->late, 100 * r->load_mean, 100 * r->load_max);
        if (isfinite(r->rtl))
            sb_printf(&t, "%.4f\n", r->rtl);
        else
            sb_printf(&t, "NaN\n");
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
    int rc = write_data(data, "callback_hist.tsv", &cb);
    if (!rc)
        rc = write_data(data, "interval_hist.tsv", &iv);
    if (!rc)
        rc = write_data(data, "timeline.tsv", &t);
    if (!rc)
        rc = write_data(data, "slips.tsv", &sl);
    free(cb.p);
    free(iv.p);
    free(t.p);
    free(sl.p);
    if (rc)
        return rc;

    double rate = jnum(root, "sample_rate"), buffer = jnum(root, "buffer_size");
    double period_us = 1e6 * buffer / rate;
    char title[256];
    snprintf(title, sizeof title, "%s, %.0f Hz / %.0f frames", jstr(root, "backend"), rate, buffer);
    /* report.json may come from anywhere and gnuplot can run shell commands (system): the title goes inside
     * '...', so it must not close the quote or start a new line (found by fuzz/fuzz_report.c) */
    for (char *p = title; *p; p++)
        if (*p == '\'' || (unsigned char)*p < 0x20)
            *p = ' ';
    double exp_rtl = rtl ? jnum(rtl, "expected_frames") : NAN;
    int have_cb = hist && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(hist, "callback_ns")) > 0;
    int have_iv = hist && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(hist, "interval_ns")) > 0;
    int have_rtl = 0;
    for (size_t i = 0; i < tl->n; i++)
        have_rtl |= isfinite(tl->rows[i].rtl);

    sbuf gp = {0};
    for (int svg = 0; svg < 2; svg++) {
        const char *ext = svg ? "svg" : "png";
        const char *term = svg ? "svg size 900,500 dynamic font 'sans,11'" : "pngcairo size 900,500 font 'sans,10'";
        sb_printf(&gp, "reset\nset terminal %s\nset grid\nset key top right\n", term);
        /* callback duration histogram, log count axis */
        sb_printf(&gp, "set output '%s/.callback_hist.%s.tmp'\n", abs, ext);
        sb_printf(&gp, "set title 'Callback duration (%s)'\nset xlabel 'callback duration (us)'\n", title);
        sb_printf(&gp, "set ylabel 'callbacks'\nset logscale y\nset yrange [0.7:*]\nset logscale x\nset style fill solid 0.6\n");
        if (have_cb)
            sb_printf(&gp, "plot '%s/callback_hist.tsv' using 1:3:2 with boxes lc rgb '#2060c0' title 'engine'\n",
                      data);
        else
            sb_printf(&gp, "set label 1 'no callbacks recorded' at graph 0.4,0.5\nplot [1:10][1:10] NaN notitle\n");
        sb_printf(&gp, "unset logscale\nunset label\nset yrange [*:*]\n");
        /* interval histogram with the period marked */
        sb_printf(&gp, "set output '%s/.interval_hist.%s.tmp'\n", abs, ext);
        sb_printf(&gp, "set title 'Callback interval / wake-up jitter (%s)'\nset xlabel 'interval (us)'\n", title);
        sb_printf(&gp, "set ylabel 'callbacks'\nset logscale y\nset yrange [0.7:*]\n");
        sb_printf(&gp, "set arrow 1 from %.3f, graph 0 to %.3f, graph 1 nohead lc rgb '#c02020' dt 2 lw 2\n",
                  period_us, period_us);
        sb_printf(&gp, "set label 2 'period %.1f us' at %.3f, graph 0.95 left offset 1,0 tc rgb '#c02020'\n",
                  period_us, period_us);
        if (have_iv)
            sb_printf(&gp, "plot '%s/interval_hist.tsv' using 1:3:2 with boxes lc rgb '#208040' title 'engine'\n",
                      data);
        else
            sb_printf(&gp, "plot [1:10][1:10] NaN notitle\n");
        sb_printf(&gp, "unset arrow\nunset label\nunset logscale\nset yrange [*:*]\n");
        /* DSP load over time */
        sb_printf(&gp, "set output '%s/.dsp_load.%s.tmp'\n", abs, ext);
        sb_printf(&gp, "set title 'DSP load per second (%s)'\nset xlabel 'time (s)'\nset ylabel 'load (%% of period)'\n",
                  title);
        sb_printf(&gp, "set logscale y\n");
        if (tl->n)
            sb_printf(&gp,
                      "plot '%s/timeline.tsv' using 1:($7>0?$7:NaN) with lines lc rgb '#c06020' title 'max', "
                      "'' using 1:($6>0?$6:NaN) with lines lc rgb '#2060c0' title 'mean'\n",
                      data);
        else
            sb_printf(&gp, "plot [0:1][1:10] NaN notitle\n");
        sb_printf(&gp, "unset logscale\n");
        /* RTL over time, slips marked */
        sb_printf(&gp, "set output '%s/.rtl.%s.tmp'\n", abs, ext);
        sb_printf(&gp, "set title 'Round-trip latency, one measurement per second (%s)'\n", title);
        sb_printf(&gp, "set xlabel 'time (s)'\nset ylabel 'round trip (frames)'\nset format y '%%.3f'\n");
        if (isfinite(exp_rtl))
            sb_printf(&gp, "set arrow 3 from graph 0, first %.4f to graph 1, first %.4f nohead lc rgb '#808080' dt 2\n",
                      exp_rtl, exp_rtl);
        double rmin = rtl ? jnum(rtl, "min_frames") : NAN, rmax = rtl ? jnum(rtl, "max_frames") : NAN;
        if (isfinite(rmin) && isfinite(rmax)) /* a flat line gets a visible band around it */
            sb_printf(&gp, "set yrange [%.4f:%.4f]\n", fmin(rmin, isfinite(exp_rtl) ? exp_rtl : rmin) - 0.5,
                      fmax(rmax, isfinite(exp_rtl) ? exp_rtl : rmax) + 0.5);
        if (have_rtl && n_slips)
            sb_printf(&gp,
                      "plot '%s/timeline.tsv' using 1:8 with linespoints pt 7 ps 0.4 lc rgb '#2060c0' title "
                      "'measured', '%s/slips.tsv' using 1:2 with points pt 2 ps 2 lc rgb '#c02020' title 'slip'\n",
                      data, data);
        else if (have_rtl)
            sb_printf(&gp,
                      "plot '%s/timeline.tsv' using 1:8 with linespoints pt 7 ps 0.4 lc rgb '#2060c0' title "
                      "'measured (no slips)'\n",
                      data);
        else
            sb_printf(&gp, "set label 4 'no latency measurements' at graph 0.35,0.5\nplot [0:1][0:1] NaN notitle\n");
        sb_printf(&gp, "unset arrow\nunset label\nset format y\nset yrange [*:*]\n");
        /* xruns over time */
        sb_printf(&gp, "set output '%s/.xruns.%s.tmp'\n", abs, ext);
        sb_printf(&gp, "set title 'Xruns and deadline misses per second (%s)'\nset xlabel 'time (s)'\n", title);
        sb_printf(&gp, "set ylabel 'events per second'\nset yrange [0:*]\n");
        if (tl->n)
            sb_printf(&gp,
                      "plot '%s/timeline.tsv' using 1:3 with impulses lw 2 lc rgb '#c02020' title 'backend xruns', "
                      "'' using 1:4 with impulses lw 1 lc rgb '#2060c0' title 'deadline misses', "
                      "'' using 1:5 with points pt 1 lc rgb '#808080' title 'late wake-ups'\n",
                      data);
        else
            sb_printf(&gp, "plot [0:1][0:1] NaN notitle\n");
        sb_printf(&gp, "set yrange [*:*]\nset output\n");
    }
    rc = write_data(data, "plots.gp", &gp);
    free(gp.p);
    if (rc)
        return rc;
    char script[PATH_MAX + 48];
    snprintf(script, sizeof script, "%s/plots.gp", data);
    if (run_gnuplot(script) != 0) {
        fprintf(stderr, "mixx: report: gnuplot failed on %s (is gnuplot installed?)\n", script);
        return MIXX_EIO;
    }
    for (size_t i = 0; i < N_PLOTS; i++)
        for (int svg = 0; svg < 2; svg++) {
            char from[PATH_MAX + 64], to[PATH_MAX + 64];
            snprintf(from, sizeof from, "%s/.%s.%s.tmp", abs, plot_names[i], svg ? "svg" : "png");
            snprintf(to, sizeof to, "%s/%s.%s", abs, plot_names[i], svg ? "svg" : "png");
            if (rename(from, to) != 0)
                return MIXX_EIO;
        }
    return 0;
}

/* ---- report.md ---- */

static void fmt_us(char *buf, size_t len, double ns)
{
    if (!isfinite(ns))
        snprintf(buf, len, "n/a");
    else if (ns < 10000)
        snprintf(buf, len, "%.2f µs", ns / 1000.0);
    else
        snprintf(buf, len, "%.1f µs", ns / 1000.0);
}

static void row_dist(sbuf *b, const char *label, const cJSON *eng, const cJSON *base, const char *key)
{
    char e[32], bl[32];
    fmt_us(e, sizeof e, eng ? jnum(eng, key) : NAN);
    fmt_us(bl, sizeof bl, base ? jnum(base, key) : NAN);
    if (base)
        sb_printf(b, "| %s | %s | %s |\n", label, e, bl);
    else
        sb_printf(b, "| %s | %s |\n", label, e);
}

static void row_count(sbuf *b, const char *label, double eng, double base, int have_base)
{
    char e[32], bl[32];
    if (isfinite(eng))
        snprintf(e, sizeof e, "%.0f", eng);
    else
        snprintf(e, sizeof e, "n/a");
    if (isfinite(base))
        snprintf(bl, sizeof bl, "%.0f", base);
    else
        snprintf(bl, sizeof bl, "n/a");
    if (have_base)
        sb_printf(b, "| %s | %s | %s |\n", label, e, bl);
    else
        sb_printf(b, "| %s | %s |\n", label, e);
}

static void interpretation(sbuf *b, const cJSON *root, const mixx_timeline *tl, const cJSON *base)
{
    double rate = jnum(root, "sample_rate"), buffer = jnum(root, "buffer_size");
    double period_ns = 1e9 * buffer / rate;
    double xruns = jnum(root, "xruns_backend"), misses = jnum(root, "deadline_misses");
    double callbacks = jnum(root, "callbacks"), late = jnum(root, "late_wakeups");
    const cJSON *cb = jobj(root, "callback_ns"), *iv = jobj(root, "interval_ns");
    double cb_max = cb ? jnum(cb, "max") : NAN, iv_max = iv ? jnum(iv, "max") : NAN;
    sb_printf(b, "## Interpretation\n\n");
    if (jbool(root, "interrupted"))
        sb_printf(b, "- The run was **interrupted** before its requested duration; the figures cover the %.0f s "
                     "that ran.\n",
                  jnum(root, "duration_s"));
    if (jbool(root, "device_lost"))
        sb_printf(b, "- The **device was lost** during the run; the figures stop there.\n");
    sb_printf(b, "- The engine's own processing never came close to its budget: the longest callback took %.1f µs, "
                 "%.2f %% of the %.1f µs period (p99.9 %.2f µs).",
              cb_max / 1000, 100 * cb_max / period_ns, period_ns / 1000, cb ? jnum(cb, "p999") / 1000 : NAN);
    if (misses > 0)
        sb_printf(b, " %.0f callbacks did exceed one period themselves (deadline misses).", misses);
    sb_printf(b, "\n");
    if (xruns == 0) {
        sb_printf(b, "- No backend xruns in %.0f callbacks.\n", callbacks);
    } else {
        /* attribute: seconds with xruns where the longest wake-up interval exceeded 1.5 periods vs. where the
         * longest callback exceeded the period */
        size_t sec_x = 0, sec_late = 0, sec_long = 0;
        for (size_t i = 0; i < tl->n; i++) {
            const mixx_timeline_row *r = &tl->rows[i];
            if (r->xruns > 0) {
                sec_x++;
                if (r->iv_max_ns > 1.5 * period_ns)
                    sec_late++;
                if (r->cb_max_ns > period_ns)
                    sec_long++;
            }
        }
        sb_printf(b,
                  "- %.0f backend xruns in %.0f callbacks (%.2f per minute), in %zu distinct seconds. In %zu of those "
                  "seconds the longest interval between callback starts exceeded 1.5 periods (a late wake-up: the "
                  "thread was not scheduled in time; the longest interval of the run was %.2f ms against a %.3f ms "
                  "period), and in %zu the engine's own callback exceeded the period. ",
                  xruns, callbacks, 60 * xruns / fmax(jnum(root, "duration_s"), 1e-9), sec_x, sec_late,
                  iv_max / 1e6, period_ns / 1e6, sec_long);
        if (sec_long == 0)
            sb_printf(b, "As far as the data shows, the xruns were caused by **late wake-ups** (scheduling latency "
                         "of this virtual machine), not by work in the callback.\n");
        else
            sb_printf(b, "Some xruns coincided with long callbacks; see the callback histogram.\n");
    }
    sb_printf(b, "- %.0f late wake-ups (an interval over 1.5 periods) in all.\n", late);
    if (base && !cJSON_GetObjectItemCaseSensitive(base, "error")) {
        double bx = jnum(base, "xruns"), bm = jnum(base, "deadline_misses");
        const cJSON *bi = jobj(base, "interval_ns");
        sb_printf(b,
                  "- The native baseline (%s, %s) saw %.0f xruns and %.0f deadline misses in %.0f callbacks; its "
                  "longest interval was %.2f ms. ",
                  jstr(base, "kind"), jstr(base, "mode"), bx, bm, jnum(base, "callbacks"),
                  bi ? jnum(bi, "max") / 1e6 : NAN);
        if (isfinite(bx) && xruns <= bx)
            sb_printf(b, "The engine had no more xruns than the bare reference.\n");
        else if (isfinite(bx) && strcmp(jstr(base, "mode"), "concurrent") == 0)
            sb_printf(b, "The engine had %.0f more xruns than the bare reference (%.1f %%). Both ran in the same "
                         "window but on their own threads, which the scheduler wakes independently, so a late "
                         "wake-up can hit one and not the other%s. Reported as measured: the bar (no more xruns "
                         "than the bare client) is not met in this run.\n",
                      xruns - bx, 100.0 * (xruns - bx) / fmax(bx, 1),
                      misses == 0 ? "; the engine's callbacks never exceeded the period, so the difference is in "
                                    "wake-ups, not in the engine's work"
                                  : "");
        else if (isfinite(bx))
            sb_printf(b, "The engine had %.0f more xruns than the bare reference, which ran in a different window "
                         "(back to back); reported as measured.\n",
                      xruns - bx);
        else
            sb_printf(b, "\n");
    }
    const cJSON *rtl = jobj(root, "rtl");
    if (rtl && jbool(rtl, "active")) {
        double n = jnum(rtl, "measurements"), ok = jnum(rtl, "ok");
        double mn = jnum(rtl, "min_frames"), mx = jnum(rtl, "max_frames"), ex = jnum(rtl, "expected_frames");
        sb_printf(b, "- Round-trip latency: %.0f measurements, %.0f valid; min %.3f, max %.3f frames; the backend "
                     "implies %.3f frames, so the engine adds %.3f frames. %.0f slips (jumps in latency, e.g. after "
                     "an xrun that put input and output out of step).\n",
                  n, ok, mn, mx, ex, jnum(rtl, "mean_frames") - ex, jnum(rtl, "slips"));
    } else {
        sb_printf(b, "- The latency meter did not run in this report (%s).\n", rtl ? jstr(rtl, "error") : "n/a");
    }
    sb_printf(b, "- Dropped instrumentation records: %.0f (every callback is either recorded or counted as "
                 "dropped: records written + dropped = callbacks).\n",
              jnum(root, "dropped_records"));
}

static int render_md(const char *dir, const cJSON *root, const mixx_timeline *tl)
{
    sbuf b = {0};
    const cJSON *host = jobj(root, "host"), *sched = jobj(root, "sched"), *cpu = jobj(root, "cpu");
    const cJSON *base = cJSON_GetObjectItemCaseSensitive(root, "baseline");
    if (!cJSON_IsObject(base))
        base = NULL;
    int have_base = base && !cJSON_GetObjectItemCaseSensitive(base, "error");
    double rate = jnum(root, "sample_rate"), buffer = jnum(root, "buffer_size");
    sb_printf(&b, "# Latency & Stability Report: %s, %.0f Hz / %.0f frames\n\n", jstr(root, "backend"), rate, buffer);
    sb_printf(&b, "Generated by `mixx report` from `report.json` and `timeline.jsonl` in this directory "
                  "(schema `%s`).\n\n",
              jstr(root, "schema"));
    sb_printf(&b, "## Methodology\n\n| | |\n|---|---|\n");
    sb_printf(&b, "| Command | `%s` |\n", jstr(root, "command"));
    sb_printf(&b, "| Date (UTC) | %s |\n", jstr(root, "date"));
    if (host) {
        sb_printf(&b, "| Hardware | %s, %.0f cores, %.1f GiB |\n", jstr(host, "cpu_model"), jnum(host, "cores"),
                  jnum(host, "memory_gib"));
        sb_printf(&b, "| OS / kernel | %s / %s |\n", jstr(host, "os"), jstr(host, "kernel"));
    }
    sb_printf(&b, "| Backend | %s |\n", jstr(root, "backend"));
    sb_printf(&b, "| Rate / buffer | %.0f Hz / %.0f frames (%.3f ms period); requested %.0f / %.0f |\n", rate, buffer,
              1000 * buffer / rate, jnum(root, "requested_sample_rate"), jnum(root, "requested_buffer_size"));
    sb_printf(&b, "| Channels | %.0f in / %.0f out, latency loop on channel %.0f |\n", jnum(root, "inputs"),
              jnum(root, "outputs"), jobj(root, "rtl") ? jnum(jobj(root, "rtl"), "channel") : 0.0);
    if (sched)
        sb_printf(&b, "| Scheduling | %s priority %.0f (requested %.0f); memory locked: %s |\n",
                  jstr(sched, "policy"), jnum(sched, "priority"), jnum(sched, "requested_priority"),
                  jbool(sched, "memory_locked") ? "yes" : "no");
    sb_printf(&b, "| Duration | %.1f s (requested %.0f s)%s%s |\n", jnum(root, "duration_s"),
              jnum(root, "requested_duration_s"), jbool(root, "interrupted") ? ", **interrupted**" : "",
              jbool(root, "device_lost") ? ", **device lost**" : "");
    if (have_base)
        sb_printf(&b, "| Baseline | `%s` (%s) |\n", jstr(base, "command"), jstr(base, "mode"));
    const cJSON *note = cJSON_GetObjectItemCaseSensitive(root, "note");
    if (cJSON_IsString(note))
        sb_printf(&b, "| Conditions | %s |\n", note->valuestring);
    sb_printf(&b, "\nThe engine ran pass-through on every channel with the round-trip latency meter in continuous "
                  "mode on one channel pair (one measurement per second). Every callback was timed with "
                  "CLOCK_MONOTONIC on the audio thread and its record passed through a lock-free ring to a monitor "
                  "thread that builds the histograms (log-linear buckets, < 1 %% relative error). Backend xruns are "
                  "what the device reported; a deadline miss is a callback that itself took longer than one "
                  "period; a late wake-up is an interval between callback starts over 1.5 periods.\n\n");

    sb_printf(&b, "## Results\n\n");
    if (have_base)
        sb_printf(&b, "| | engine | native baseline |\n|---|---|---|\n");
    else
        sb_printf(&b, "| | engine |\n|---|---|\n");
    row_count(&b, "callbacks", jnum(root, "callbacks"), have_base ? jnum(base, "callbacks") : NAN, have_base);
    row_count(&b, "expected callbacks (rate / buffer × duration)", jnum(root, "expected_callbacks"),
              have_base ? jnum(base, "duration_s") * rate / buffer : NAN, have_base);
    row_count(&b, "backend xruns", jnum(root, "xruns_backend"), have_base ? jnum(base, "xruns") : NAN, have_base);
    row_count(&b, "deadline misses", jnum(root, "deadline_misses"), have_base ? jnum(base, "deadline_misses") : NAN,
              have_base);
    row_count(&b, "late wake-ups", jnum(root, "late_wakeups"), NAN, have_base);
    row_count(&b, "dropped records", jnum(root, "dropped_records"), NAN, have_base);
    const cJSON *ecb = jobj(root, "callback_ns"), *eiv = jobj(root, "interval_ns");
    const cJSON *bcb = have_base ? jobj(base, "callback_ns") : NULL, *biv = have_base ? jobj(base, "interval_ns") : NULL;
    row_dist(&b, "callback p50", ecb, bcb, "p50");
    row_dist(&b, "callback p99", ecb, bcb, "p99");
    row_dist(&b, "callback p99.9", ecb, bcb, "p999");
    row_dist(&b, "callback max", ecb, bcb, "max");
    row_dist(&b, "interval p50", eiv, biv, "p50");
    row_dist(&b, "interval p99", eiv, biv, "p99");
    row_dist(&b, "interval p99.9", eiv, biv, "p999");
    row_dist(&b, "interval max", eiv, biv, "max");
    const cJSON *dl = jobj(root, "dsp_load");
    if (dl)
        sb_printf(&b, "| DSP load mean / max | %.4f %% / %.3f %% |%s\n", 100 * jnum(dl, "mean"), 100 * jnum(dl, "max"),
                  have_base ? " n/a |" : "");
    if (cpu)
        sb_printf(&b, "| CPU: process (of one core) / system | %.2f %% / %.2f %% |%s\n", jnum(cpu, "process_pct"),
                  jnum(cpu, "system_pct"), have_base ? " n/a |" : "");
    const cJSON *rtl = jobj(root, "rtl");
    sb_printf(&b, "\n### Round-trip latency (%s method)\n\n", rtl ? jstr(rtl, "method") : "n/a");
    if (rtl && jbool(rtl, "active")) {
        double rate_ms = 1000.0 / rate;
        sb_printf(&b, "| measurements | valid | no signal | unreliable | mean | min | max | expected | slips |\n");
        sb_printf(&b, "|---|---|---|---|---|---|---|---|---|\n");
        sb_printf(&b, "| %.0f | %.0f | %.0f | %.0f | %.3f frames (%.3f ms) | %.3f | %.3f | %.3f | %.0f |\n",
                  jnum(rtl, "measurements"), jnum(rtl, "ok"), jnum(rtl, "no_signal"), jnum(rtl, "unreliable"),
                  jnum(rtl, "mean_frames"), jnum(rtl, "mean_frames") * rate_ms, jnum(rtl, "min_frames"),
                  jnum(rtl, "max_frames"), jnum(rtl, "expected_frames"), jnum(rtl, "slips"));
    } else {
        sb_printf(&b, "The latency meter did not run: %s.\n", rtl ? jstr(rtl, "error") : "no data");
    }
    sb_printf(&b, "\n## Plots\n\n");
    static const char *const captions[] = {"Callback duration histogram (log count axis)",
                                           "Callback interval (wake-up jitter) histogram, period marked",
                                           "DSP load per second", "Round-trip latency over time, slips marked",
                                           "Xruns, deadline misses and late wake-ups over time"};
    for (size_t i = 0; i < N_PLOTS; i++)
        sb_printf(&b, "### %s\n\n![%s](%s.png)\n\n", captions[i], captions[i], plot_names[i]);
    interpretation(&b, root, tl, have_base ? base : NULL);
    int rc = write_data(dir, "report.md", &b);
    free(b.p);
    return rc;
}

int mixx_report_render(const char *dir, int quiet)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/report.json", dir);
    char *text = slurp(path);
    if (!text) {
        fprintf(stderr, "mixx: report: cannot read %s: %s\n", path, strerror(errno));
        return MIXX_EIO;
    }
    cJSON *root = cJSON_Parse(text);
    free(text);
    if (!root || !cJSON_IsObject(root) || strncmp(jstr(root, "schema"), "mixxengine.stability/", 21) != 0) {
        fprintf(stderr, "mixx: report: %s is not a MixxEngine stability report\n", path);
        cJSON_Delete(root);
        return MIXX_EINVAL;
    }
    snprintf(path, sizeof path, "%s/timeline.jsonl", dir);
    char *tl_text = slurp(path);
    mixx_timeline tl;
    int rc = mixx_timeline_parse(tl_text ? tl_text : "", &tl);
    free(tl_text);
    if (rc == 0)
        rc = render_plots(dir, root, &tl);
    if (rc == 0)
        rc = render_md(dir, root, &tl);
    if (rc)
        fprintf(stderr, "mixx: report: rendering into %s failed: %s\n", dir, mixx_strerror(rc));
    else if (!quiet)
        fprintf(stderr, "mixx: report: rendered %s/report.md and %zu plots\n", dir, N_PLOTS);
    mixx_timeline_free(&tl);
    cJSON_Delete(root);
    return rc;
}
