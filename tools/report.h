/* report.h: the report renderer's entry point (mixx report, mixx stability) and the parts other code (and the
 * fuzzer) can reach: the timeline parser. */
#ifndef MIXX_REPORT_H
#define MIXX_REPORT_H

#include <stddef.h>

typedef struct mixx_timeline_row {
    double t_s, callbacks, xruns, misses, late, load_mean, load_max, cb_max_ns, iv_max_ns, rtl, cpu;
} mixx_timeline_row;

typedef struct mixx_timeline {
    mixx_timeline_row *rows;
    size_t n, cap;
} mixx_timeline;

/* Parses JSON Lines text (the engine's per-second log); lines that are not "second" objects are skipped.
 * Returns 0 or MIXX_ENOMEM. Free with mixx_timeline_free. */
int mixx_timeline_parse(const char *text, mixx_timeline *tl);
void mixx_timeline_free(mixx_timeline *tl);

/* Renders DIR/report.md and the plots from DIR/report.json and DIR/timeline.jsonl, every file written whole or
 * not at all. Returns 0 or a MIXX_E* code after printing a one-line error. Control thread only. */
int mixx_report_render(const char *dir, int quiet);

#endif
