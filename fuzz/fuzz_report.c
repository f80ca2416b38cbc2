/* SPDX-License-Identifier: MIT */
/* fuzz_report.c: libFuzzer target for what `mixx report DIR` reads: report.json and timeline.jsonl. The input is
 * "<report.json> NUL <timeline.jsonl>". tools/report.c is compiled into this file so its static renderers (the
 * TSV data, the gnuplot script, report.md) are reachable; file writes are captured in memory instead of going
 * to disk, and gnuplot is never found (PATH is emptied), so one input costs microseconds.
 * Invariants: no crash or sanitizer report; the generated gnuplot script consists only of the renderer's own
 * commands with balanced quotes, whatever strings the JSON carries (gnuplot can run shell commands). */
#define _GNU_SOURCE /* before any header: tools/report.c needs pipe2 and posix_spawn_file_actions_addfchdir_np */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tools/util.h"

/* The renderer's file writes land here (tools/util.c has the real one: exclusive temporary file, fsync, rename). */
static int fuzz_write(const mixx_dir *d, const char *name, const void *data, size_t len);
#define MIXX_REPORT_WRITE fuzz_write
#include "../tools/report.c"
#include "../tools/report_md.c"

#define FUZZ_ASSERT(cond)                                                                                    \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            dprintf(2, "fuzz_report: %s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);             \
            abort();                                                                                         \
        }                                                                                                    \
    } while (0)

/* Every line of the gnuplot script must start with one of the renderer's own commands, and every quoted string
 * must close on its line: text from the JSON may only ever appear inside quotes. */
static void check_gnuplot_script(const char *s, size_t len)
{
    static const char *const cmds[] = {"reset", "set ", "unset ", "plot ", "# the plots of this report"};
    const char *end = s + len;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        int known = n == 0;
        for (size_t i = 0; i < sizeof cmds / sizeof cmds[0] && !known; i++)
            known = n >= strlen(cmds[i]) && strncmp(s, cmds[i], strlen(cmds[i])) == 0;
        size_t quotes = 0;
        for (size_t i = 0; i < n; i++)
            quotes += s[i] == '\'';
        if (!known || quotes % 2) {
            dprintf(2, "fuzz_report: gnuplot script line escapes its quotes: %.*s\n", (int)n, s); /* fd 2: stderr may be swapped */
            abort();
        }
        s += n + 1;
    }
}

static int fuzz_write(const mixx_dir *d, const char *name, const void *data, size_t len)
{
    (void)d;
    FUZZ_ASSERT(name && (data || len == 0));
    if (strcmp(name, "plots.gp") == 0)
        check_gnuplot_script(data, len);
    return 0;
}

static char workdir[64];
static mixx_dir wd = {.fd = -1};
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    setenv("PATH", "/nonexistent-mixx-fuzz", 1); /* gnuplot is never run */
    /* mixx_report_render_plots resolves the directory and makes DIR/data before writing (in memory, see above) */
    snprintf(workdir, sizeof workdir, "/tmp/mixx-fuzz-report-%d", (int)getpid());
    mkdir(workdir, 0700);
    mixx_dir_open(&wd, workdir, 0, NULL, 0);
    devnull = fopen("/dev/null", "w");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    size_t json_len = strlen(buf);
    const char *timeline = json_len < size ? buf + json_len + 1 : "";

    mixx_timeline tl;
    FUZZ_ASSERT(mixx_timeline_parse(timeline, json_len < size ? size - json_len - 1 : 0, &tl) == 0);
    FUZZ_ASSERT(tl.skipped <= tl.lines && tl.n <= tl.lines);
    for (size_t i = 0; i < tl.n; i++)
        (void)tl.rows[i];
    /* as mixx_report_render: an object with the stability schema, then the plots' data + script, then the md */
    cJSON *root = cJSON_ParseWithLength(buf, json_len);
    if (root && cJSON_IsObject(root) && strncmp(jstr(root, "schema"), "mixxengine.stability/", 21) == 0) {
        FILE *saved = stderr; /* "gnuplot failed" every time: keep the fuzzer's output readable */
        if (devnull && !getenv("MIXX_FUZZ_VERBOSE"))
            stderr = devnull;
        mixx_report_ctx ctx;
        memset(&ctx, 0, sizeof ctx);
        ctx.timeline_name = "timeline.jsonl";
        mixx_report_formats_of(&tl, jnum(root, "sample_rate"), jnum(root, "buffer_size"), &ctx.formats);
        char why[1024];
        /* fails at gnuplot, after writing data and the script */
        int rc = wd.fd >= 0 ? mixx_report_render_plots(&wd, root, &tl, &ctx, why, sizeof why) : MIXX_EIO;
        stderr = saved;
        FUZZ_ASSERT(rc == MIXX_EIO || rc == MIXX_ENOMEM);
        sbuf md = {0};
        mixx_report_md(&md, root, &tl, &ctx);
        FUZZ_ASSERT(md.oom || (md.p && md.len > 0));
        free(md.p);
    }
    cJSON_Delete(root);
    mixx_timeline_free(&tl);
    free(buf);
    return 0;
}
