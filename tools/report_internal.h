/* SPDX-License-Identifier: MIT */
/* report_internal.h: what the two halves of the renderer share: report.c (reading, timeline, data files, plots)
 * and report_md.c (report.md and its interpretation). A growable text buffer, JSON access with defaults, the
 * per-format summary of a timeline, and what the renderer learnt about the run while reading it. */
#ifndef MIXX_REPORT_INTERNAL_H
#define MIXX_REPORT_INTERNAL_H

#include <math.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "mixxengine.h"
#include "report.h"

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

__attribute__((format(printf, 2, 3))) void mixx_report_sb_printf(sbuf *b, const char *fmt, ...);
#define sb_printf mixx_report_sb_printf

static inline double jnum(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static inline const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : "unknown";
}

static inline int jbool(const cJSON *o, const char *k)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static inline const cJSON *jobj(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsObject(v) ? v : NULL;
}

/* The five plots, in report order. */
#define MIXX_REPORT_N_PLOTS 5
extern const char *const mixx_report_plot_names[MIXX_REPORT_N_PLOTS];

/* What the renderer knows beyond report.json: where the timeline came from, what was skipped, which plots had
 * no data (and why), the formats the run went through. */
typedef struct mixx_report_ctx {
    int incomplete;            /* no final report.json: a run that did not finish (killed) */
    const char *timeline_name; /* the file the timeline was read from, or NULL (none) */
    mixx_report_formats formats;
    const char *no_data[MIXX_REPORT_N_PLOTS]; /* NULL: the plot has data; else why it has none */
} mixx_report_ctx;

/* Writes b to d/name whole or not at all (MIXX_ENOMEM if b ran out of memory, MIXX_EIO). */
int mixx_report_write(const mixx_dir *d, const char *name, const sbuf *b);
/* data/ and the ten plots; fills ctx->no_data. Returns 0 or a MIXX_E* code with `why`. */
int mixx_report_render_plots(const mixx_dir *d, const cJSON *root, const mixx_timeline *tl, mixx_report_ctx *ctx,
                             char *why, size_t why_len);
/* report.md from the report and its timeline, into b. */
void mixx_report_md(sbuf *b, const cJSON *root, const mixx_timeline *tl, const mixx_report_ctx *ctx);

#endif
