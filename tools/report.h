/* SPDX-License-Identifier: MIT */
/* report.h: the report renderer's entry points (mixx report, mixx stability) and the parts other code (and the
 * fuzzer) can reach: the timeline parser and the per-format summary of a timeline. */
#ifndef MIXX_REPORT_H
#define MIXX_REPORT_H

#include <stddef.h>

#include "util.h"

typedef struct mixx_timeline_row {
    double t_s, callbacks, xruns, misses, late, load_mean, load_max, cb_max_ns, iv_max_ns, rtl, cpu;
    double rate, buffer, frames; /* the format of this second; NaN in logs older than these fields */
} mixx_timeline_row;

typedef struct mixx_timeline {
    mixx_timeline_row *rows;
    size_t n, cap;
    size_t lines;              /* lines read (a last line without '\n' counts) */
    size_t skipped;            /* lines that are not JSON objects (cut short, NUL bytes, garbage) */
    size_t first_skipped_line; /* 1-based; 0 when none */
} mixx_timeline;

/* Parses `len` bytes of JSON Lines (the engine's per-second log; NUL bytes allowed in the input). "second"
 * objects become rows; other objects (the summary) are passed over; every other non-empty line is counted in
 * `skipped`. Returns 0 or MIXX_ENOMEM. Free with mixx_timeline_free. Any thread. */
int mixx_timeline_parse(const char *text, size_t len, mixx_timeline *tl);
void mixx_timeline_free(mixx_timeline *tl);

/* The formats a run went through, from its timeline: consecutive seconds at one (rate, buffer) are a segment. */
#define MIXX_REPORT_MAX_FORMATS 16
typedef struct mixx_report_format {
    double rate, buffer;
    double from_s, to_s;      /* end of the first and last second of the segment */
    double seconds, callbacks, expected_callbacks, xruns, misses, late, cb_max_ns, iv_max_ns;
    double rtl_sum, rtl_n;    /* valid latency measurements in the segment */
} mixx_report_format;

typedef struct mixx_report_formats {
    mixx_report_format f[MIXX_REPORT_MAX_FORMATS];
    size_t n;       /* segments kept (at most MIXX_REPORT_MAX_FORMATS; later changes fold into the last) */
    size_t changes; /* format changes seen (segments - 1, counted past the cap too) */
} mixx_report_formats;

/* Segments tl by format. Rows without a known format (older logs, seconds without callbacks) join the segment
 * they sit in, or take (rate, buffer) when the log has no format at all. Any thread; no error. */
void mixx_report_formats_of(const mixx_timeline *tl, double rate, double buffer, mixx_report_formats *out);

/* Renders DIR/report.md and the plots from DIR/report.json and DIR/timeline.jsonl (or, for a run that was
 * killed, from what it left: .run.json and .timeline.jsonl.part, marked incomplete). Every file is written
 * under a unique temporary name created exclusively, checked, fsynced and renamed; nothing through a symlink.
 * Takes the directory's lock (a running `mixx stability` holds it). Returns 0, MIXX_EINVAL (bad directory or
 * input files), MIXX_EBUSY (locked), MIXX_EIO, MIXX_ENOMEM after printing a one-line error. Control thread. */
int mixx_report_render(const char *dir, int quiet);
/* The same into an open directory whose lock the caller holds. */
int mixx_report_render_dir(const mixx_dir *dir, int quiet);

/* The report directory's lock: flock on DIR/.mixx.lock (created, never followed). Returns the lock fd (keep it
 * open; closing releases the lock) or a negative MIXX_EBUSY (another mixx holds it) / MIXX_EIO, with `why`. */
int mixx_report_lock(const mixx_dir *dir, char *why, size_t why_len);

#endif
