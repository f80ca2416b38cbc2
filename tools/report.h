/* report.h: the parts of the report renderer that other code (and the fuzzer) can reach: the timeline parser. */
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

#endif
