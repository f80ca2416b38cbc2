/* SPDX-License-Identifier: MIT */
/* stability_dir.c: mixx stability's report directory: the reuse rule (refuse a non-empty directory unless
 * --force, which removes the previous report set), the run record written before the run (.run.json), and the
 * end of a run: the timeline's formats into report.json, the files renamed into place in a crash-safe order, the
 * rendering; and the report's host facts. The run itself is tools/cmd_stability.c. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "report.h"
#include "stability.h"

static double jnum_or(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* ---- the report directory ----------------------------------------------------------------------------- */

/* What a run writes into its directory (besides .mixx.lock): removed by --force, so nothing of an older report
 * survives next to the new one. Anything else in the directory is not ours and is left alone. */
static const char *const report_files[] = {
    "report.json", "report.md", "timeline.jsonl", ".timeline.jsonl.part", ".run.json", "callback_hist.png",
    "callback_hist.svg", "interval_hist.png", "interval_hist.svg", "dsp_load.png", "dsp_load.svg", "rtl.png",
    "rtl.svg", "xruns.png", "xruns.svg"};
static const char *const data_files[] = {"callback_hist.tsv", "interval_hist.tsv", "timeline.tsv", "slips.tsv",
                                         "plots.gp"};

static int is_our_tmp(const char *name)
{
    size_t n = strlen(name);
    return name[0] == '.' && n > 5 && strcmp(name + n - 4, ".tmp") == 0;
}

/* Refuses a directory with anything in it unless `force`; with `force` removes the previous report set (and
 * temporary files that a killed run left). Returns 0, MIXX_EINVAL (not empty) or MIXX_EIO, with `why`. */
int mixx_stability_prepare_dir(const mixx_dir *d, int force, char *why, size_t why_len)
{
    int fd = dup(d->fd);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dir) {
        if (fd >= 0)
            close(fd);
        snprintf(why, why_len, "cannot list %s: %s", d->path, strerror(errno));
        return MIXX_EIO;
    }
    rewinddir(dir);
    size_t n = 0;
    char first[NAME_MAX + 1] = "";
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || !strcmp(de->d_name, ".mixx.lock"))
            continue;
        if (!n++)
            snprintf(first, sizeof first, "%s", de->d_name);
        if (force && is_our_tmp(de->d_name))
            unlinkat(d->fd, de->d_name, 0);
    }
    closedir(dir);
    if (n && !force) {
        snprintf(why, why_len, "%s is not empty ('%s'%s); a report is never written over another: use another "
                               "directory, or --force to replace the report in it",
                 d->path, first, n > 1 ? " and more" : "");
        return MIXX_EINVAL;
    }
    if (!n)
        return 0;
    for (size_t i = 0; i < sizeof report_files / sizeof report_files[0]; i++)
        if (unlinkat(d->fd, report_files[i], 0) != 0 && errno != ENOENT) {
            snprintf(why, why_len, "cannot remove the previous %s/%s: %s", d->path, report_files[i], strerror(errno));
            return MIXX_EIO;
        }
    mixx_dir data;
    if (mixx_dir_sub(d, "data", 0, &data, NULL, 0) == 0) {
        for (size_t i = 0; i < sizeof data_files / sizeof data_files[0]; i++)
            unlinkat(data.fd, data_files[i], 0);
        mixx_dir_close(&data);
    }
    return fsync(d->fd) == 0 ? 0 : MIXX_EIO;
}

/* .run.json: the run's configuration, written before it starts, removed once report.json is in place. If the
 * run is killed, `mixx report DIR` renders from it and the partial timeline, marked incomplete. */
int mixx_stability_write_run_record(const mixx_dir *d, const mixx_cli *cli, const char *date, char *why, size_t why_len)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "schema", "mixxengine.stability/1");
    cJSON_AddBoolToObject(r, "incomplete", 1);
    cJSON_AddStringToObject(r, "command", cli->command_line);
    cJSON_AddStringToObject(r, "date", date);
    cJSON_AddStringToObject(r, "mixx_version", mixx_version_string());
    cJSON_AddStringToObject(r, "backend", mixx_backend_name(cli->cfg.backend));
    cJSON_AddNumberToObject(r, "sample_rate", cli->cfg.sample_rate);
    cJSON_AddNumberToObject(r, "buffer_size", cli->cfg.buffer_size);
    cJSON_AddNumberToObject(r, "requested_sample_rate", cli->cfg.sample_rate);
    cJSON_AddNumberToObject(r, "requested_buffer_size", cli->cfg.buffer_size);
    cJSON_AddNumberToObject(r, "inputs", cli->cfg.inputs);
    cJSON_AddNumberToObject(r, "outputs", cli->cfg.outputs);
    cJSON_AddNumberToObject(r, "requested_duration_s", cli->duration_s);
    cJSON_AddNumberToObject(r, "pid", (double)getpid());
    char *text = cJSON_Print(r);
    cJSON_Delete(r);
    int rc = text ? mixx_dir_write(d, ".run.json", text, strlen(text)) : MIXX_ENOMEM;
    if (rc)
        snprintf(why, why_len, "cannot write into %s: %s", d->path, text ? strerror(errno) : "out of memory");
    free(text);
    return rc;
}

/* After the run: the formats the timeline shows go into report.json; then timeline.jsonl, report.json (in
 * that order: a crash in between leaves .run.json, so the directory still reads as unfinished), .run.json
 * removed, and the rendering. Returns the exit code (0 or 1 after a one-line error). */
int mixx_stability_finish(const mixx_dir *d, cJSON *root, int json_out)
{
    char why[1024] = "";
    size_t len = 0;
    char *tl_text = mixx_read_file_at(d->fd, ".timeline.jsonl.part", (size_t)1 << 30, &len, why, sizeof why);
    mixx_timeline tl;
    memset(&tl, 0, sizeof tl);
    if (!tl_text || mixx_timeline_parse(tl_text, len, &tl) != 0) {
        free(tl_text);
        mixx_timeline_free(&tl);
        return mixx_cli_fail("stability: reading the timeline back", MIXX_EIO, why);
    }
    free(tl_text);
    mixx_report_formats fm;
    mixx_report_formats_of(&tl, jnum_or(root, "sample_rate"), jnum_or(root, "buffer_size"), &fm);
    cJSON_AddNumberToObject(root, "format_changes", (double)fm.changes);
    cJSON_AddNumberToObject(root, "timeline_skipped_lines", (double)tl.skipped);
    cJSON *fa = cJSON_AddArrayToObject(root, "formats");
    double expected = 0;
    for (size_t i = 0; i < fm.n; i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddNumberToObject(f, "sample_rate", fm.f[i].rate);
        cJSON_AddNumberToObject(f, "buffer_size", fm.f[i].buffer);
        cJSON_AddNumberToObject(f, "from_s", fm.f[i].from_s - 1);
        cJSON_AddNumberToObject(f, "to_s", fm.f[i].to_s);
        cJSON_AddNumberToObject(f, "callbacks", fm.f[i].callbacks);
        cJSON_AddNumberToObject(f, "expected_callbacks", fm.f[i].expected_callbacks);
        cJSON_AddNumberToObject(f, "xruns", fm.f[i].xruns);
        cJSON_AddItemToArray(fa, f);
        expected += fm.f[i].expected_callbacks;
    }
    mixx_timeline_free(&tl);
    if (fm.changes) /* rate / buffer x duration with the last format is wrong for the others */
        cJSON_ReplaceItemInObjectCaseSensitive(root, "expected_callbacks", cJSON_CreateNumber(expected));
    cJSON_AddBoolToObject(root, "incomplete", 0);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    int ec = 0;
    if (!text) {
        ec = mixx_cli_fail("stability", MIXX_ENOMEM, "report.json");
    } else if (renameat(d->fd, ".timeline.jsonl.part", d->fd, "timeline.jsonl") != 0 || fsync(d->fd) != 0 ||
               mixx_dir_write(d, "report.json", text, strlen(text)) != 0 || unlinkat(d->fd, ".run.json", 0) != 0 ||
               fsync(d->fd) != 0) {
        snprintf(why, sizeof why, "writing the report into %s failed: %s", d->path, strerror(errno));
        ec = mixx_cli_fail("stability", MIXX_EIO, why);
    } else if (mixx_report_render_dir(d, json_out) != 0) {
        ec = 1;
    } else if (json_out) {
        printf("%s\n", text); /* the whole report.json, for scripts */
    } else {
        printf("report: %s/report.md (and report.json, timeline.jsonl, plots)\n", d->path);
    }
    free(text);
    return ec;
}

/* ---- host facts ------------------------------------------------------------------------------------- */

void mixx_stability_add_host(cJSON *root)
{
    cJSON *h = cJSON_AddObjectToObject(root, "host");
    char model[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "model name", 10) == 0) {
                char *p = strchr(line, ':');
                if (p) {
                    p += 1 + (p[1] == ' ');
                    p[strcspn(p, "\n")] = '\0';
                    snprintf(model, sizeof model, "%s", p);
                }
                break;
            }
        }
        fclose(f);
    }
    cJSON_AddStringToObject(h, "cpu_model", model);
    cJSON_AddNumberToObject(h, "cores", (double)sysconf(_SC_NPROCESSORS_ONLN));
    struct utsname u;
    char kernel[512] = "unknown";
    if (uname(&u) == 0)
        snprintf(kernel, sizeof kernel, "%s %s %s", u.sysname, u.release, u.machine);
    cJSON_AddStringToObject(h, "kernel", kernel);
    cJSON_AddStringToObject(h, "kernel_version", uname(&u) == 0 ? u.version : "unknown");
    char os[256] = "unknown";
    f = fopen("/etc/os-release", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "PRETTY_NAME=", 12) == 0) {
                char *p = line + 12;
                p[strcspn(p, "\n")] = '\0';
                if (*p == '"') {
                    p++;
                    p[strcspn(p, "\"")] = '\0';
                }
                snprintf(os, sizeof os, "%s", p);
            }
        }
        fclose(f);
    }
    cJSON_AddStringToObject(h, "os", os);
    cJSON_AddNumberToObject(h, "memory_gib", (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE) /
                                                 (1024.0 * 1024.0 * 1024.0));
}
