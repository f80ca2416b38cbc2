/* SPDX-License-Identifier: MIT */
/* report_md.c: report.md of a stability run: methodology, results, the formats the run went through, plots, and
 * the interpretation. Every interpretive sentence is computed from the data against a threshold stated in the
 * sentence, or says that the data cannot tell. Nothing here writes files (report.c does). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_internal.h"

/* Thresholds of the interpretation (stated in the sentences that use them). */
#define NEAR_BUDGET 0.5       /* a longest callback under half the period is "well within its budget" */
#define LATE_FACTOR 1.5       /* an interval over 1.5 periods is a late wake-up (the engine's own definition) */
#define SAME_WINDOW 0.05      /* engine and baseline windows within 5 % of each other are compared by count */

static void fmt_us(char *buf, size_t len, double ns)
{
    if (!isfinite(ns))
        snprintf(buf, len, "n/a");
    else if (ns < 10000)
        snprintf(buf, len, "%.2f µs", ns / 1000.0);
    else
        snprintf(buf, len, "%.1f µs", ns / 1000.0);
}

static void row_dist(sbuf *b, const char *label, const cJSON *eng, const cJSON *base, const char *key, int have_base)
{
    char e[32], bl[32];
    fmt_us(e, sizeof e, eng ? jnum(eng, key) : NAN);
    fmt_us(bl, sizeof bl, base ? jnum(base, key) : NAN);
    if (have_base)
        sb_printf(b, "| %s | %s | %s |\n", label, e, bl);
    else
        sb_printf(b, "| %s | %s |\n", label, e);
}

static void row_count(sbuf *b, const char *label, double eng, double base, int have_base)
{
    char e[32], bl[32];
    snprintf(e, sizeof e, isfinite(eng) ? "%.0f" : "n/a", eng);
    snprintf(bl, sizeof bl, isfinite(base) ? "%.0f" : "n/a", base);
    if (have_base)
        sb_printf(b, "| %s | %s | %s |\n", label, e, bl);
    else
        sb_printf(b, "| %s | %s |\n", label, e);
}

/* The longest callback against the period, with the threshold. */
static void say_budget(sbuf *b, const cJSON *root, const mixx_report_ctx *ctx)
{
    const cJSON *cb = jobj(root, "callback_ns");
    double cb_max = cb ? jnum(cb, "max") : NAN, count = cb ? jnum(cb, "count") : NAN;
    double period_ns = 1e9 * jnum(root, "buffer_size") / jnum(root, "sample_rate");
    if (ctx->formats.changes) { /* the longest callback per format, each against its own period */
        for (size_t i = 0; i < ctx->formats.n; i++) {
            const mixx_report_format *f = &ctx->formats.f[i];
            double p = 1e9 * f->buffer / f->rate;
            sb_printf(b, "- At %.0f Hz / %.0f frames (%.0f–%.0f s) the longest callback took %.1f µs, %.1f %% of the "
                         "%.1f µs period: %s.\n",
                      f->rate, f->buffer, f->from_s - 1, f->to_s, f->cb_max_ns / 1000, 100 * f->cb_max_ns / p, p / 1000,
                      !(f->cb_max_ns > 0) ? "no callback was timed, so unknown"
                      : f->cb_max_ns < NEAR_BUDGET * p ? "well within its budget (under the 50 % threshold)"
                      : f->cb_max_ns <= p              ? "close to its budget (over the 50 % threshold)"
                                                       : "over its budget");
        }
        return;
    }
    if (!(count > 0) || !isfinite(cb_max) || !isfinite(period_ns)) {
        sb_printf(b, "- How close the engine's processing came to its budget is unknown: no callback was timed "
                     "(instrumentation off, or no callbacks).\n");
        return;
    }
    double frac = cb_max / period_ns;
    sb_printf(b, "- The longest callback took %.1f µs, %.2f %% of the %.1f µs period (p99.9 %.2f µs): ", cb_max / 1000,
              100 * frac, period_ns / 1000, jnum(cb, "p999") / 1000);
    if (frac < NEAR_BUDGET)
        sb_printf(b, "the engine's own processing stayed well within its budget (threshold: under 50 %% of the "
                     "period).");
    else if (frac <= 1)
        sb_printf(b, "the engine's own processing came close to its budget (over the 50 %% threshold, within the "
                     "period).");
    else
        sb_printf(b, "the engine's own processing exceeded its budget at least once.");
    double misses = jnum(root, "deadline_misses");
    if (misses > 0)
        sb_printf(b, " %.0f callbacks exceeded one period themselves (deadline misses).", misses);
    sb_printf(b, "\n");
}

/* Xruns against the timeline: per second with xruns, was there a late wake-up, a long callback, neither? */
static void say_xruns(sbuf *b, const cJSON *root, const mixx_timeline *tl, const mixx_report_ctx *ctx)
{
    double xruns = jnum(root, "xruns_backend"), callbacks = jnum(root, "callbacks");
    if (!isfinite(xruns)) {
        sb_printf(b, "- Backend xruns: unknown (not in the report).\n");
        return;
    }
    if (xruns == 0) {
        sb_printf(b, "- No backend xruns in %.0f callbacks.\n", callbacks);
        return;
    }
    sb_printf(b, "- %.0f backend xruns in %.0f callbacks (%.2f per minute). ", xruns, callbacks,
              60 * xruns / fmax(jnum(root, "duration_s"), 1e-9));
    if (!tl->n) {
        sb_printf(b, "Their cause is unknown: there is no timeline to set them against.\n");
        return;
    }
    double rate = jnum(root, "sample_rate"), buffer = jnum(root, "buffer_size");
    size_t sec_x = 0, sec_late = 0, sec_long = 0, sec_none = 0, sec_blind = 0;
    for (size_t i = 0; i < tl->n; i++) {
        const mixx_timeline_row *r = &tl->rows[i];
        if (!(r->xruns > 0))
            continue;
        sec_x++;
        double period = 1e9 * (isfinite(r->buffer) ? r->buffer : buffer) / (isfinite(r->rate) ? r->rate : rate);
        if (!(r->iv_max_ns > 0) && !(r->cb_max_ns > 0)) {
            sec_blind++; /* nothing timed in that second */
            continue;
        }
        int late = r->iv_max_ns > LATE_FACTOR * period, lng = r->cb_max_ns > period;
        sec_late += late;
        sec_long += lng;
        sec_none += !late && !lng;
    }
    sb_printf(b, "They fall in %zu distinct seconds of the timeline. Of those, %zu had a late wake-up (an interval "
                 "between callback starts over %.1f periods), %zu a callback longer than the period, %zu neither, "
                 "and %zu had no timed callback to tell. ",
              sec_x, sec_late, LATE_FACTOR, sec_long, sec_none, sec_blind);
    if (sec_x == 0)
        sb_printf(b, "The timeline's seconds carry none of them (they were counted outside the per-second "
                     "records), so their cause is unknown.\n");
    else if (sec_blind == sec_x)
        sb_printf(b, "Their cause is unknown (no callback was timed).\n");
    else if (sec_late == sec_x && sec_long == 0)
        sb_printf(b, "Every xrun second had a late wake-up and none a long callback: the data points at "
                     "scheduling latency, not at the engine's work.\n");
    else if (sec_long == sec_x && sec_late == 0)
        sb_printf(b, "Every xrun second had a callback longer than the period: the data points at the work in "
                     "the callback.\n");
    else if (sec_none + sec_blind == sec_x)
        sb_printf(b, "Neither late wake-ups nor long callbacks coincided with them: their cause is unknown from "
                     "this data.\n");
    else
        sb_printf(b, "The causes are mixed; no single one explains every xrun second.\n");
    (void)ctx;
}


/* How sure one run's comparison can be: the 95 % interval of the ratio of two Poisson counts (log-normal
 * approximation), and what repeated runs showed: xruns come in bursts, so pairs of runs differ far more than
 * that interval says (docs/performance.md, bench/xrun_parity.sh, 4 x 10 pairs of 60 s on the project's 2-vCPU VM:
 * single pairs ranged XRUN_PAIR_SPREAD, each block of ten pooled XRUN_POOLED_SPREAD, all forty 0.997). */
#define XRUN_PAIR_SPREAD "0.44 to 1.64"
#define XRUN_POOLED_SPREAD "0.83 to 1.07"
static void say_xrun_certainty(sbuf *b, double xruns, double bx)
{
    if (xruns + bx == 0)
        return;
    if (xruns < 10 || bx < 10) {
        sb_printf(b, "Counts this small (%.0f vs %.0f) cannot tell the engine and the reference apart; "
                     "bench/xrun_parity.sh compares them over many runs.\n",
                  xruns, bx);
        return;
    }
    double r = xruns / bx, h = 1.96 * sqrt(1.0 / xruns + 1.0 / bx), lo = r * exp(-h), hi = r * exp(h);
    sb_printf(b, "How sure one run can be: as independent events these counts put the engine/reference ratio at "
                 "%.2f (95 %% interval %.2f to %.2f%s). Xruns come in bursts, so that interval is too narrow: on "
                 "the project's 2-vCPU VM the ratio of single 60 s pairs ranged from " XRUN_PAIR_SPREAD " while "
                 "ten pairs pooled gave " XRUN_POOLED_SPREAD " (docs/performance.md). One run can "
                 "suggest a difference, not establish one; bench/xrun_parity.sh measures it over many pairs.\n",
              r, lo, hi, lo <= 1 && hi >= 1 ? ", which includes 1: no difference shown" : "");
}

/* One run's callback-tail comparison is weaker than its xrun comparison: on a shared machine a callback's tail is
 * set by what else ran on its core (cold caches, interruptions), and the engine's cycle touches more memory than
 * the bare loop's (docs/performance.md: single 30 s sim runs of one binary on the project's VM, concurrent
 * native, meter on, gave p99.9 ratios of TAIL_RUN_SPREAD: a p99.9 jumps tenfold when a side's share of slow callbacks
 * crosses 0.1 %). Same window only. */
#define TAIL_RUN_SPREAD "0.09 to 63"
static void say_tail_certainty(sbuf *b, const cJSON *root, const cJSON *base)
{
    double e = jnum(jobj(root, "callback_ns"), "p999"), n = jnum(jobj(base, "callback_ns"), "p999");
    if (!isfinite(e) || !isfinite(n) || !(n > 0) || strcmp(jstr(base, "mode"), "concurrent") != 0)
        return;
    sb_printf(b, "- Callback tails in the same window: engine p99.9 %.2f µs, reference %.2f µs (ratio %.2f). How sure "
                 "one run can be: less than for xruns. On a shared machine a callback's tail is set mostly by what "
                 "else ran on its core (cold caches, interruptions), and the engine's cycle touches more memory than "
                 "the bare loop's, so it is more exposed; on the project's 2-vCPU VM single 30 s sim runs of one "
                 "binary gave ratios from " TAIL_RUN_SPREAD " (a p99.9 jumps tenfold when a side's share of slow "
                 "callbacks crosses 0.1 %%), and the same layout met the bar in one hour and missed it by 5-10 × "
                 "the next (docs/performance.md, \"Quiet and noisy hours\"). Compare tails over several runs, "
                 "in more than one hour.\n",
              e / 1000, n / 1000, e / n);
}

/* Where the two loops of a concurrent sim run were (baseline.placement, tools/placement.h). */
static void say_placement(sbuf *b, const cJSON *base)
{
    const cJSON *p = jobj(base, "placement");
    if (!p) {
        if (strcmp(jstr(base, "kind"), "native-sim") == 0 && strcmp(jstr(base, "mode"), "concurrent") == 0)
            sb_printf(b, "Where the two loops ran was not recorded (a run from before `--placement`): the scheduler "
                         "placed them, and each may have kept one CPU for the whole run (docs/performance.md, "
                         "\"Quiet and noisy hours\"). ");
        return;
    }
    if (strcmp(jstr(p, "mode"), "swap") != 0) {
        sb_printf(b, "The two loops were left to the scheduler (%s): each may have kept one CPU for the whole run, and "
                     "the CPUs of a small VM are not equally noisy (docs/performance.md, \"Quiet and noisy hours\"). ",
                  jstr(p, "why"));
        return;
    }
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(p, "cpus"), *es = cJSON_GetObjectItemCaseSensitive(p, "engine_s");
    double c0 = cJSON_GetNumberValue(cJSON_GetArrayItem(c, 0)), c1 = cJSON_GetNumberValue(cJSON_GetArrayItem(c, 1));
    double e0 = cJSON_GetNumberValue(cJSON_GetArrayItem(es, 0)), e1 = cJSON_GetNumberValue(cJSON_GetArrayItem(es, 1));
    sb_printf(b, "The engine's audio thread and the baseline traded CPUs %.0f and %.0f every %.0f s (%.0f swaps; the "
                 "engine spent %.1f s on CPU %.0f and %.1f s on CPU %.0f, the baseline the reverse), so neither kept the "
                 "noisier CPU. ",
              c0, c1, jnum(p, "every_s"), jnum(p, "swaps"), e0, c0, e1, c1);
    if (jnum(p, "pin_failures") > 0)
        sb_printf(b, "A loop could not be pinned at %.0f ticks. ", jnum(p, "pin_failures"));
}

static void say_baseline(sbuf *b, const cJSON *root, const cJSON *base)
{
    double bx = jnum(base, "xruns"), bm = jnum(base, "deadline_misses"), xruns = jnum(root, "xruns_backend");
    double dur = jnum(root, "duration_s"), bdur = jnum(base, "duration_s");
    const cJSON *bi = jobj(base, "interval_ns");
    sb_printf(b, "- The native baseline (%s, %s) saw %.0f xruns and %.0f deadline misses in %.0f callbacks over %.2f s; "
                 "its longest interval was %.2f ms. ",
              jstr(base, "kind"), jstr(base, "mode"), bx, bm, jnum(base, "callbacks"), bdur,
              bi ? jnum(bi, "max") / 1e6 : NAN);
    say_placement(b, base);
    if (jbool(base, "interrupted")) {
        sb_printf(b, "The baseline was **interrupted**, so it is not compared with the engine.\n");
        return;
    }
    if (!isfinite(bx) || !isfinite(xruns) || !isfinite(dur) || !isfinite(bdur) || !(dur > 0)) {
        sb_printf(b, "The comparison is unknown (a count or a duration is missing).\n");
        return;
    }
    if (fabs(bdur - dur) > SAME_WINDOW * dur) {
        sb_printf(b, "Its window (%.2f s) differs from the engine's (%.2f s) by more than 5 %%, so the counts are not "
                     "compared; per minute: engine %.2f xruns, baseline %.2f.\n",
                  bdur, dur, 60 * xruns / dur, bdur > 0 ? 60 * bx / bdur : NAN);
        return;
    }
    if (xruns <= bx)
        sb_printf(b, "Over windows of equal length (within 5 %%) the engine had no more xruns than the bare "
                     "reference (%.0f vs %.0f).\n",
                  xruns, bx);
    else if (strcmp(jstr(base, "mode"), "concurrent") == 0)
        sb_printf(b, "The engine had %.0f more xruns than the bare reference (%.0f vs %.0f). Both ran in the same "
                     "window on their own threads, which the scheduler wakes independently, so a late wake-up can "
                     "hit one and not the other. Reported as measured: the bar (no more xruns than the bare client) "
                     "is not met in this run.\n",
                  xruns - bx, xruns, bx);
    else
        sb_printf(b, "The engine had %.0f more xruns than the bare reference, which ran in a different window of "
                     "the same length (back to back); reported as measured.\n",
                  xruns - bx);
    say_xrun_certainty(b, xruns, bx);
    say_tail_certainty(b, root, base);
}

static void say_rtl(sbuf *b, const cJSON *root, const mixx_report_ctx *ctx)
{
    const cJSON *rtl = jobj(root, "rtl");
    if (!rtl || !jbool(rtl, "active")) {
        sb_printf(b, "- The latency meter did not run in this report (%s).\n", rtl ? jstr(rtl, "error") : "no data");
        return;
    }
    double n = jnum(rtl, "measurements"), ok = jnum(rtl, "ok"), ex = jnum(rtl, "expected_frames");
    sb_printf(b, "- Round-trip latency: %.0f measurements, %.0f valid; min %.3f, max %.3f frames; %.0f slips (jumps in "
                 "latency, e.g. after an xrun that put input and output out of step). ",
              n, ok, jnum(rtl, "min_frames"), jnum(rtl, "max_frames"), jnum(rtl, "slips"));
    if (ctx->formats.changes)
        sb_printf(b, "The format changed during the run, so one expected latency does not apply to the whole run; "
                     "the measured mean per format is in the format table, and what the engine adds is unknown.\n");
    else if (isfinite(ex) && ok > 0)
        sb_printf(b, "The backend implies %.3f frames, so the engine adds %.3f frames.\n", ex,
                  jnum(rtl, "mean_frames") - ex);
    else
        sb_printf(b, "What the engine adds is unknown (no backend figure or no valid measurement).\n");
}

static void methodology(sbuf *b, const cJSON *root, const cJSON *base, int have_base)
{
    const cJSON *host = jobj(root, "host"), *sched = jobj(root, "sched");
    double rate = jnum(root, "sample_rate"), buffer = jnum(root, "buffer_size");
    sb_printf(b, "## Methodology\n\n| | |\n|---|---|\n");
    sb_printf(b, "| Command | `%s` |\n", jstr(root, "command"));
    sb_printf(b, "| Date (UTC) | %s |\n", jstr(root, "date"));
    if (host) {
        sb_printf(b, "| Hardware | %s, %.0f cores, %.1f GiB |\n", jstr(host, "cpu_model"), jnum(host, "cores"),
                  jnum(host, "memory_gib"));
        sb_printf(b, "| OS / kernel | %s / %s |\n", jstr(host, "os"), jstr(host, "kernel"));
    }
    sb_printf(b, "| Backend | %s |\n", jstr(root, "backend"));
    sb_printf(b, "| Rate / buffer | %.0f Hz / %.0f frames (%.3f ms period)%s; requested %.0f / %.0f |\n", rate, buffer,
              1000 * buffer / rate, jnum(root, "format_changes") > 0 ? " at the end, **the format changed**" : "",
              jnum(root, "requested_sample_rate"), jnum(root, "requested_buffer_size"));
    sb_printf(b, "| Channels | %.0f in / %.0f out, latency loop on channel %.0f |\n", jnum(root, "inputs"),
              jnum(root, "outputs"), jobj(root, "rtl") ? jnum(jobj(root, "rtl"), "channel") : 0.0);
    if (sched)
        sb_printf(b, "| Scheduling | %s priority %.0f (requested %.0f); memory locked: %s |\n", jstr(sched, "policy"),
                  jnum(sched, "priority"), jnum(sched, "requested_priority"),
                  jbool(sched, "memory_locked") ? "yes" : "no");
    sb_printf(b, "| Duration | %.1f s (requested %.0f s)%s%s |\n", jnum(root, "duration_s"),
              jnum(root, "requested_duration_s"), jbool(root, "interrupted") ? ", **interrupted**" : "",
              jbool(root, "device_lost") ? ", **device lost**" : "");
    if (have_base)
        sb_printf(b, "| Baseline | `%s` (%s)%s |\n", jstr(base, "command"), jstr(base, "mode"),
                  jbool(base, "interrupted") ? ", **interrupted**" : "");
    const cJSON *note = cJSON_GetObjectItemCaseSensitive(root, "note");
    if (cJSON_IsString(note))
        sb_printf(b, "| Conditions | %s |\n", note->valuestring);
    sb_printf(b, "\nThe engine ran pass-through on every channel with the round-trip latency meter in continuous "
                 "mode on one channel pair (one measurement per second). Every callback was timed with "
                 "CLOCK_MONOTONIC on the audio thread and its record passed through a lock-free ring to a monitor "
                 "thread that builds the histograms (log-linear buckets, < 1 %% relative error). Backend xruns are "
                 "what the device reported; a deadline miss is a callback that itself took longer than one "
                 "period; a late wake-up is an interval between callback starts over 1.5 periods.\n\n");
}

static void formats_table(sbuf *b, const mixx_report_ctx *ctx)
{
    const mixx_report_formats *fm = &ctx->formats;
    sb_printf(b, "\n### Formats\n\nThe format changed %zu time%s during the run (e.g. the JACK buffer size); the "
                 "figures below are per format, expected callbacks = seconds × rate / buffer of that format.\n\n",
              fm->changes, fm->changes == 1 ? "" : "s");
    sb_printf(b, "| from–to (s) | rate / buffer | callbacks | expected | xruns | deadline misses | longest callback | "
                 "RTL mean (frames) |\n|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < fm->n; i++) {
        const mixx_report_format *f = &fm->f[i];
        char cb[32];
        fmt_us(cb, sizeof cb, f->cb_max_ns > 0 ? f->cb_max_ns : NAN);
        sb_printf(b, "| %.0f–%.0f | %.0f Hz / %.0f | %.0f | %.0f | %.0f | %.0f | %s | ", f->from_s - 1, f->to_s, f->rate,
                  f->buffer, f->callbacks, f->expected_callbacks, f->xruns, f->misses, cb);
        sb_printf(b, f->rtl_n > 0 ? "%.3f |\n" : "n/a |\n", f->rtl_n > 0 ? f->rtl_sum / f->rtl_n : 0.0);
    }
    if (fm->changes >= fm->n)
        sb_printf(b, "\n(%zu later changes are folded into the last row.)\n", fm->changes + 1 - fm->n);
}

/* The one-line verdict under the title: met or not met, against three stated criteria. */
#define RTL_TOLERANCE 0.02 /* frames: what the engine may add to the loop's round trip */
static void say_verdict(sbuf *b, const cJSON *root, const cJSON *base, int have_base, const mixx_report_ctx *ctx)
{
    if (ctx->incomplete) {
        sb_printf(b, "**Verdict: not judged** — the run never finished.\n\n");
        return;
    }
    double xr = jnum(root, "xruns_backend"), misses = jnum(root, "deadline_misses");
    int fail = 0, unknown = 0;
    char c1[160], c2[96], c3[160];
    if (have_base && isfinite(jnum(base, "xruns")) && isfinite(xr)) {
        int ok = xr <= jnum(base, "xruns");
        snprintf(c1, sizeof c1, "xruns %.0f vs %.0f for the bare baseline (bar: no more) %s", xr, jnum(base, "xruns"),
                 ok ? "✓" : "✗");
        fail |= !ok;
    } else if (isfinite(xr)) {
        snprintf(c1, sizeof c1, "xruns %.0f, no baseline to compare with (bar without one: 0) %s", xr,
                 xr == 0 ? "✓" : "✗");
        fail |= xr != 0;
    } else {
        snprintf(c1, sizeof c1, "xruns unknown");
        unknown = 1;
    }
    if (isfinite(misses)) {
        snprintf(c2, sizeof c2, "deadline misses %.0f (bar: 0) %s", misses, misses == 0 ? "✓" : "✗");
        fail |= misses != 0;
    } else {
        snprintf(c2, sizeof c2, "deadline misses unknown");
        unknown = 1;
    }
    const cJSON *rtl = jobj(root, "rtl");
    double ex = rtl ? jnum(rtl, "expected_frames") : NAN, mean = rtl ? jnum(rtl, "mean_frames") : NAN;
    double mn = rtl ? jnum(rtl, "min_frames") : NAN, mx = rtl ? jnum(rtl, "max_frames") : NAN;
    if (rtl && jbool(rtl, "active") && !ctx->formats.changes && isfinite(ex) && isfinite(mean) && jnum(rtl, "ok") > 0) {
        double worst = fmax(fabs(mn - ex), fabs(mx - ex));
        int ok = isfinite(worst) && worst <= RTL_TOLERANCE;
        snprintf(c3, sizeof c3, "RTL excess %+.3f frames (worst %.3f; bar: within ±%.2f) %s", mean - ex, worst,
                 RTL_TOLERANCE, ok ? "✓" : "✗");
        fail |= !ok;
    } else {
        snprintf(c3, sizeof c3, "RTL excess not measured");
        unknown = 1;
    }
    int lost = jbool(root, "device_lost");
    fail |= lost;
    sb_printf(b, "**Verdict: %s** — %s; %s; %s%s%s.\n\n",
              fail ? "NOT MET" : unknown ? "met where measured" : "met", c1, c2, c3,
              lost ? "; the device was lost" : "", jbool(root, "interrupted") ? "; the run was interrupted" : "");
}

void mixx_report_md(sbuf *b, const cJSON *root, const mixx_timeline *tl, const mixx_report_ctx *ctx)
{
    const cJSON *cpu = jobj(root, "cpu");
    const cJSON *base = cJSON_GetObjectItemCaseSensitive(root, "baseline");
    if (!cJSON_IsObject(base))
        base = NULL;
    int have_base = base && !cJSON_GetObjectItemCaseSensitive(base, "error");
    double rate = jnum(root, "sample_rate"), buffer = jnum(root, "buffer_size");
    sb_printf(b, "# Latency & Stability Report: %s, %.0f Hz / %.0f frames%s\n\n", jstr(root, "backend"), rate, buffer,
              ctx->incomplete ? " (INCOMPLETE)" : "");
    if (ctx->incomplete)
        sb_printf(b, "**INCOMPLETE: this run never finished** (it was killed, or its machine stopped): there is no "
                     "final `report.json`. What follows is rendered from `.run.json` (its configuration) and the "
                     "%zu seconds of timeline it left (`%s`); percentiles, histograms, the latency summary and the "
                     "baseline are missing.\n\n",
                  tl->n, ctx->timeline_name ? ctx->timeline_name : "none");
    say_verdict(b, root, base, have_base, ctx);
    sb_printf(b, "Generated by `mixx report` from `%s` and `%s` in this directory (schema `%s`).\n\n",
              ctx->incomplete ? ".run.json" : "report.json", ctx->timeline_name ? ctx->timeline_name : "no timeline",
              jstr(root, "schema"));
    if (tl->skipped)
        sb_printf(b, "**Timeline damaged:** %zu of its %zu lines are not JSON objects (cut short, NUL bytes) and were "
                     "skipped; the first is line %zu. Per-second figures leave those lines out.\n\n",
                  tl->skipped, tl->lines, tl->first_skipped_line);
    methodology(b, root, base, have_base);

    sb_printf(b, "## Results\n\n");
    sb_printf(b, have_base ? "| | engine | native baseline |\n|---|---|---|\n" : "| | engine |\n|---|---|\n");
    row_count(b, "callbacks", jnum(root, "callbacks"), have_base ? jnum(base, "callbacks") : NAN, have_base);
    row_count(b,
              ctx->formats.changes ? "expected callbacks (per format, summed)"
                                   : "expected callbacks (rate / buffer × duration)",
              jnum(root, "expected_callbacks"), have_base ? jnum(base, "duration_s") * rate / buffer : NAN, have_base);
    row_count(b, "backend xruns", jnum(root, "xruns_backend"), have_base ? jnum(base, "xruns") : NAN, have_base);
    if (cpu) /* beside the xruns: a busy machine explains many of them */
        sb_printf(b, "| system CPU load during the run (all cores) / this process (of one core) | %.1f %% / %.2f %% |%s\n",
                  jnum(cpu, "system_pct"), jnum(cpu, "process_pct"), have_base ? " (same machine) |" : "");
    row_count(b, "deadline misses", jnum(root, "deadline_misses"), have_base ? jnum(base, "deadline_misses") : NAN,
              have_base);
    row_count(b, "late wake-ups", jnum(root, "late_wakeups"), NAN, have_base);
    row_count(b, "dropped records", jnum(root, "dropped_records"), NAN, have_base);
    const cJSON *ecb = jobj(root, "callback_ns"), *eiv = jobj(root, "interval_ns");
    const cJSON *bcb = have_base ? jobj(base, "callback_ns") : NULL, *biv = have_base ? jobj(base, "interval_ns") : NULL;
    static const char *const keys[] = {"p50", "p99", "p999", "max"}, *const names[] = {"p50", "p99", "p99.9", "max"};
    char label[64];
    for (int i = 0; i < 4; i++) {
        snprintf(label, sizeof label, "callback %s", names[i]);
        row_dist(b, label, ecb, bcb, keys[i], have_base);
    }
    for (int i = 0; i < 4; i++) {
        snprintf(label, sizeof label, "interval %s", names[i]);
        row_dist(b, label, eiv, biv, keys[i], have_base);
    }
    const cJSON *dl = jobj(root, "dsp_load");
    if (dl)
        sb_printf(b, "| DSP load mean / max | %.4f %% / %.3f %% |%s\n", 100 * jnum(dl, "mean"), 100 * jnum(dl, "max"),
                  have_base ? " n/a |" : "");
    if (ctx->formats.changes)
        formats_table(b, ctx);
    const cJSON *rtl = jobj(root, "rtl");
    sb_printf(b, "\n### Round-trip latency (%s method)\n\n", rtl ? jstr(rtl, "method") : "n/a");
    if (rtl && jbool(rtl, "active")) {
        sb_printf(b, "| measurements | valid | no signal | unreliable | mean | min | max | expected | slips |\n");
        sb_printf(b, "|---|---|---|---|---|---|---|---|---|\n");
        sb_printf(b, "| %.0f | %.0f | %.0f | %.0f | %.3f frames (%.3f ms) | %.3f | %.3f | %.3f%s | %.0f |\n",
                  jnum(rtl, "measurements"), jnum(rtl, "ok"), jnum(rtl, "no_signal"), jnum(rtl, "unreliable"),
                  jnum(rtl, "mean_frames"), jnum(rtl, "mean_frames") * 1000.0 / rate, jnum(rtl, "min_frames"),
                  jnum(rtl, "max_frames"), jnum(rtl, "expected_frames"),
                  ctx->formats.changes ? " (last format only)" : "", jnum(rtl, "slips"));
    } else {
        sb_printf(b, "The latency meter did not run: %s.\n", rtl ? jstr(rtl, "error") : "no data");
    }
    sb_printf(b, "\n## Plots\n\n");
    static const char *const captions[] = {"Callback duration histogram (log count axis)",
                                           "Callback interval (wake-up jitter) histogram, period marked",
                                           "DSP load per second", "Round-trip latency over time, slips marked",
                                           "Xruns, deadline misses and late wake-ups over time"};
    for (size_t i = 0; i < MIXX_REPORT_N_PLOTS; i++) {
        sb_printf(b, "### %s\n\n", captions[i]);
        if (ctx->no_data[i])
            sb_printf(b, "No data: %s (the plot is an empty frame).\n\n", ctx->no_data[i]);
        sb_printf(b, "![%s](%s.png)\n\n", captions[i], mixx_report_plot_names[i]);
    }

    sb_printf(b, "## Interpretation\n\n");
    if (ctx->incomplete)
        sb_printf(b, "- The run is **incomplete**: only its timeline's %zu seconds are known.\n", tl->n);
    if (jbool(root, "interrupted"))
        sb_printf(b, "- The run was **interrupted** before its requested duration; the figures cover the %.0f s "
                     "that ran.\n",
                  jnum(root, "duration_s"));
    if (jbool(root, "device_lost"))
        sb_printf(b, "- The **device was lost** during the run; the figures stop there.\n");
    say_budget(b, root, ctx);
    say_xruns(b, root, tl, ctx);
    double late = jnum(root, "late_wakeups");
    sb_printf(b, isfinite(late) ? "- %.0f late wake-ups (an interval over 1.5 periods) in all.\n"
                                : "- Late wake-ups: unknown.\n",
              late);
    if (have_base)
        say_baseline(b, root, base);
    say_rtl(b, root, ctx);
    double dropped = jnum(root, "dropped_records");
    if (isfinite(dropped))
        sb_printf(b, "- Dropped instrumentation records: %.0f (every callback is either recorded or counted as "
                     "dropped: records written + dropped = callbacks).\n",
                  dropped);
}
