/* SPDX-License-Identifier: MIT */
/* report_dir.c: `mixx report DIR` and the end of `mixx stability`: the directory's lock, loading report.json (or
 * a killed run's .run.json, marked incomplete) and the timeline (regular files only), then the plots and
 * report.md in that order. The data side is report.c, the Markdown report_md.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report_internal.h"

#define REPORT_MAX_JSON (64u << 20)
#define REPORT_MAX_TIMELINE (1024u << 20)

/* ---- the directory's lock ---- */

int mixx_report_lock(const mixx_dir *dir, char *why, size_t why_len)
{
    int fd = openat(dir->fd, ".mixx.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(why, why_len, "cannot open the lock file %s/.mixx.lock: %s", dir->path,
                 errno == ELOOP ? "it is a symbolic link" : strerror(errno));
        return MIXX_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, why_len, "%s/.mixx.lock is not a regular file", dir->path);
        close(fd);
        return MIXX_EIO;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        close(fd);
        if (err == EWOULDBLOCK) {
            snprintf(why, why_len, "another mixx is writing into %s (its lock file .mixx.lock is held)", dir->path);
            return MIXX_EBUSY;
        }
        snprintf(why, why_len, "cannot lock %s/.mixx.lock: %s", dir->path, strerror(err));
        return MIXX_EIO;
    }
    return fd;
}

/* ---- loading ---- */

/* report.json, or for a run that never finished .run.json (written at its start). */
static cJSON *load_report(const mixx_dir *d, mixx_report_ctx *ctx, char *why, size_t why_len)
{
    size_t len = 0;
    char *text = mixx_read_file_at(d->fd, "report.json", REPORT_MAX_JSON, &len, why, why_len);
    if (!text && errno == ENOENT) {
        char why2[512];
        text = mixx_read_file_at(d->fd, ".run.json", REPORT_MAX_JSON, &len, why2, sizeof why2);
        if (text)
            ctx->incomplete = 1;
        else if (errno != ENOENT)
            snprintf(why, why_len, "%s", why2);
        else
            snprintf(why, why_len, "%s has no report.json (and no .run.json of an unfinished run)", d->path);
    }
    if (!text)
        return NULL;
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    if (!root || !cJSON_IsObject(root) || strncmp(jstr(root, "schema"), "mixxengine.stability/", 21) != 0) {
        snprintf(why, why_len, "%s/%s is not a MixxEngine stability report", d->path,
                 ctx->incomplete ? ".run.json" : "report.json");
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* A killed run's .run.json has the configuration but no totals: take them from the timeline it left. */
static void fill_from_timeline(cJSON *root, const mixx_timeline *tl, const mixx_report_formats *fm)
{
    double cb = 0, x = 0, m = 0, l = 0, dur = 0;
    for (size_t i = 0; i < tl->n; i++) {
        const mixx_timeline_row *r = &tl->rows[i];
        cb += isfinite(r->callbacks) ? r->callbacks : 0;
        x += isfinite(r->xruns) ? r->xruns : 0;
        m += isfinite(r->misses) ? r->misses : 0;
        l += isfinite(r->late) ? r->late : 0;
        dur = isfinite(r->t_s) ? fmax(dur, r->t_s) : dur;
    }
    const char *keys[] = {"callbacks", "xruns_backend", "deadline_misses", "late_wakeups", "duration_s"};
    double vals[] = {cb, x, m, l, dur};
    for (size_t i = 0; i < 5; i++) {
        cJSON_DeleteItemFromObjectCaseSensitive(root, keys[i]);
        cJSON_AddNumberToObject(root, keys[i], vals[i]);
    }
    if (fm->n) {
        cJSON_DeleteItemFromObjectCaseSensitive(root, "sample_rate");
        cJSON_DeleteItemFromObjectCaseSensitive(root, "buffer_size");
        cJSON_AddNumberToObject(root, "sample_rate", fm->f[fm->n - 1].rate);
        cJSON_AddNumberToObject(root, "buffer_size", fm->f[fm->n - 1].buffer);
    }
}

int mixx_report_render_dir(const mixx_dir *d, int quiet)
{
    char why[1024] = "";
    mixx_report_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    cJSON *root = load_report(d, &ctx, why, sizeof why);
    if (!root) {
        fprintf(stderr, "mixx: report: %s\n", why);
        return MIXX_EINVAL;
    }
    /* the timeline: timeline.jsonl, or what an unfinished run was still writing */
    size_t len = 0;
    ctx.timeline_name = "timeline.jsonl";
    char *text = mixx_read_file_at(d->fd, ctx.timeline_name, REPORT_MAX_TIMELINE, &len, why, sizeof why);
    if (!text && errno == ENOENT && ctx.incomplete) {
        ctx.timeline_name = ".timeline.jsonl.part";
        text = mixx_read_file_at(d->fd, ctx.timeline_name, REPORT_MAX_TIMELINE, &len, why, sizeof why);
    }
    if (!text && errno == ENOENT) {
        ctx.timeline_name = NULL; /* no timeline: the report says so */
    } else if (!text) {
        fprintf(stderr, "mixx: report: %s: %s\n", d->path, why);
        cJSON_Delete(root);
        return MIXX_EINVAL;
    }
    mixx_timeline tl;
    int rc = mixx_timeline_parse(text ? text : "", len, &tl);
    free(text);
    if (rc) {
        fprintf(stderr, "mixx: report: %s: out of memory reading the timeline\n", d->path);
        cJSON_Delete(root);
        mixx_timeline_free(&tl);
        return rc;
    }
    if (tl.skipped)
        fprintf(stderr, "mixx: report: %s/%s: skipped %zu of %zu lines that are not JSON objects (first at line %zu)\n",
                d->path, ctx.timeline_name, tl.skipped, tl.lines, tl.first_skipped_line);
    mixx_report_formats_of(&tl, jnum(root, "sample_rate"), jnum(root, "buffer_size"), &ctx.formats);
    if (ctx.incomplete)
        fill_from_timeline(root, &tl, &ctx.formats);
    rc = mixx_report_render_plots(d, root, &tl, &ctx, why, sizeof why);
    if (rc == 0) {
        sbuf md = {0};
        mixx_report_md(&md, root, &tl, &ctx);
        rc = mixx_report_write(d, "report.md", &md);
        if (rc)
            snprintf(why, sizeof why, "writing %s/report.md failed: %s", d->path,
                     rc == MIXX_ENOMEM ? "out of memory" : strerror(errno));
        free(md.p);
    }
    if (rc)
        fprintf(stderr, "mixx: report: %s\n", why);
    else if (!quiet)
        fprintf(stderr, "mixx: report: rendered %s/report.md and %d plots%s\n", d->path, MIXX_REPORT_N_PLOTS,
                ctx.incomplete ? " (INCOMPLETE: from what an unfinished run left)" : "");
    mixx_timeline_free(&tl);
    cJSON_Delete(root);
    return rc;
}

int mixx_report_render(const char *path, int quiet)
{
    char why[1024];
    mixx_dir d;
    int rc = mixx_dir_open(&d, path, 0, why, sizeof why);
    if (rc) {
        fprintf(stderr, "mixx: report: %s\n", why);
        return rc;
    }
    int lock = mixx_report_lock(&d, why, sizeof why);
    if (lock < 0) {
        fprintf(stderr, "mixx: report: %s\n", why);
        mixx_dir_close(&d);
        return lock;
    }
    rc = mixx_report_render_dir(&d, quiet);
    close(lock);
    mixx_dir_close(&d);
    return rc;
}
