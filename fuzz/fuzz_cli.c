/* SPDX-License-Identifier: MIT */
/* fuzz_cli.c: libFuzzer target for the CLI's input parsing (tools/cli.c): the input is split at NUL bytes into
 * an argv for mixx_cli_parse (with a command-specific option callback, as subcommands use it), and every token
 * also goes through mixx_parse_duration / mixx_parse_u32 / mixx_parse_double and the JSON string writer.
 * Invariants: no crash or sanitizer report; a parsed value is inside the range asked for; a configuration the
 * parser accepts either validates or fails with a documented code (creating engines is fuzz_api.c's job). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define FUZZ_ASSERT(cond)                                                                                    \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "fuzz_cli: %s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);          \
            abort();                                                                                         \
        }                                                                                                    \
    } while (0)

static FILE *devnull;

/* A subcommand's own options, shaped like the real ones: --count N (value), --method NAME (value),
 * --quiet (flag), --bad (always rejected). */
typedef struct extra_ctx {
    uint32_t count;
    const char *method;
    int quiet;
} extra_ctx;

static int extra_option(void *ctx, const char *opt, const char *val, int *used_val)
{
    extra_ctx *x = ctx;
    if (strcmp(opt, "--count") == 0) {
        if (!val || mixx_parse_u32(val, 1, 1000000, &x->count))
            return -1;
        *used_val = 1;
        return 1;
    }
    if (strcmp(opt, "--method") == 0) {
        if (!val)
            return -1;
        x->method = val;
        *used_val = 1;
        return 1;
    }
    if (strcmp(opt, "--quiet") == 0) {
        x->quiet = 1;
        return 1;
    }
    if (strcmp(opt, "--bad") == 0)
        return -1;
    return 0;
}

static void check_token(const char *s)
{
    double d = -1;
    if (mixx_parse_duration(s, &d) == 0)
        FUZZ_ASSERT(isfinite(d) && d >= 0 && d <= 7 * 24 * 3600.0);
    uint32_t u = 0;
    if (mixx_parse_u32(s, 1, 8192, &u) == 0)
        FUZZ_ASSERT(u >= 1 && u <= 8192);
    if (mixx_parse_u32(s, 0, UINT32_MAX, &u) == 0)
        FUZZ_ASSERT(strspn(s, "0123456789") == strlen(s)); /* decimal digits only: no sign, space, hex */
    double v = 0;
    if (mixx_parse_double(s, -60, 1000, &v) == 0)
        FUZZ_ASSERT(v >= -60 && v <= 1000);
    mixx_json_str(devnull, s);
    mixx_json_num(devnull, d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    /* argv: "mixx" "<command>" then the input's NUL-separated tokens */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *argv[260];
    int argc = 0;
    argv[argc++] = "mixx";
    argv[argc++] = "run";
    for (size_t i = 0; i < size && argc < 259;) {
        argv[argc++] = text + i;
        i += strlen(text + i) + 1;
    }
    argv[argc] = NULL;
    for (int i = 2; i < argc; i++)
        check_token(argv[i]);

    FILE *saved = stderr; /* the parser explains every rejection on stderr; keep the fuzzer's output readable */
    if (!getenv("MIXX_FUZZ_VERBOSE"))
        stderr = devnull;
    mixx_cli cli;
    extra_ctx x = {0, NULL, 0};
    mixx_cli_init(&cli, argc, argv);
    int rc = mixx_cli_parse(&cli, argc, argv, 2, (size & 1) ? extra_option : NULL, &x);
    stderr = saved;
    FUZZ_ASSERT(strlen(cli.command_line) < sizeof cli.command_line);
    if (rc == 0) {
        mixx_config *c = &cli.cfg;
        FUZZ_ASSERT(c->sample_rate >= 1 && c->sample_rate <= 768000);
        FUZZ_ASSERT(c->buffer_size >= 1 && c->buffer_size <= 8192);
        FUZZ_ASSERT(c->inputs <= 64 && c->outputs <= 64);
        FUZZ_ASSERT(cli.duration_s >= 0 && cli.duration_s <= 7 * 24 * 3600.0);
        FUZZ_ASSERT(x.count <= 1000000);
        int v = mixx_config_validate(c);
        FUZZ_ASSERT(v == 0 || strcmp(mixx_error_name(v), "MIXX_UNKNOWN") != 0);
    } else {
        FUZZ_ASSERT(rc == 2);
    }
    free(text);
    return 0;
}
