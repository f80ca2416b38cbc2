/* SPDX-License-Identifier: MIT */
/* cmd_params.c: the parameter bus in the CLI: `mixx params [--json]` lists every parameter, the --set NAME=VALUE
 * and --preset FILE options of `mixx run` / `mixx stability` / `mixx latency` (collected while parsing, applied
 * once the engine exists), and the option parsing of `mixx bench params` (the benchmark is bench/bench_params.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mixx_bench.h"
#include "mixxengine_params.h"

/* ---- --set / --preset ------------------------------------------------------------------------------------- */

static int read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (n < cap)
            break;
        if (cap >= (64u << 20)) { /* a preset is small: refuse anything absurd */
            free(buf);
            buf = NULL;
            break;
        }
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        free(buf);
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

int mixx_cli_params_apply(mixx_engine *e)
{
    const char *const *cli_sets;
    const char *cli_preset;
    int n_cli_sets = mixx_cli_params_given(&cli_sets, &cli_preset);
    if (cli_preset) {
        char *text = NULL;
        size_t len = 0;
        if (read_file(cli_preset, &text, &len) != 0) {
            fprintf(stderr, "mixx: --preset %s: %s\n", cli_preset, strerror(errno ? errno : EIO));
            return 2;
        }
        int rc = mixx_params_load(e, text, len);
        free(text);
        if (rc)
            return mixx_cli_fail("--preset", rc, cli_preset) + 1;
    }
    for (int i = 0; i < n_cli_sets; i++) {
        int rc = mixx_param_set_text(e, cli_sets[i]);
        if (rc)
            return mixx_cli_fail("--set", rc, cli_sets[i]) + 1;
    }
    return 0;
}

/* ---- mixx params ------------------------------------------------------------------------------------------ */

static void flags_text(uint32_t f, char *out, size_t len)
{
    snprintf(out, len, "%s%s%s%s", (f & MIXX_PARAM_BOOL) ? "bool " : "", (f & MIXX_PARAM_STEPPED) ? "stepped " : "",
             (f & MIXX_PARAM_DB) ? "dB " : "", (f & MIXX_PARAM_LOG) ? "log " : "");
    size_t n = strlen(out);
    if (n)
        out[n - 1] = '\0';
}

int mixx_cmd_params(int argc, char **argv)
{
    mixx_cli cli;
    mixx_cli_init(&cli, argc, argv);
    mixx_cli_params_accept();
    int prc = mixx_cli_parse(&cli, argc, argv, 2, NULL, NULL);
    if (prc)
        return prc;
    cli.cfg.backend = MIXX_BACKEND_HOSTED; /* nothing is opened: the list depends on the channel counts only */
    mixx_engine *e = NULL;
    int rc = mixx_engine_create(&cli.cfg, &e);
    if (rc)
        return mixx_cli_fail("params: configuration", rc, NULL);
    if ((rc = mixx_cli_params_apply(e)) != 0) {
        mixx_engine_destroy(e);
        return rc;
    }
    uint32_t n = mixx_param_count(e);
    if (cli.json)
        printf("[");
    else
        printf("%-6s %-24s %-4s %10s %10s %10s %10s %6s  %s\n", "id", "name", "unit", "min", "max", "default",
               "value", "ms", "flags");
    for (uint32_t i = 0; i < n; i++) {
        mixx_param_info pi;
        double v = 0;
        mixx_param_info_at(e, i, &pi);
        mixx_param_get(e, pi.id, &v);
        char fl[64];
        flags_text(pi.flags, fl, sizeof fl);
        if (cli.json) {
            printf("%s\n{\"id\":%u,\"name\":", i ? "," : "", pi.id);
            mixx_json_str(stdout, pi.name);
            printf(",\"unit\":");
            mixx_json_str(stdout, pi.unit);
            printf(",\"min\":%.9g,\"max\":%.9g,\"default\":%.9g,\"value\":%.9g,\"smoothing_ms\":%.9g,\"flags\":",
                   pi.min, pi.max, pi.def, v, pi.smoothing_ms);
            mixx_json_str(stdout, fl);
            printf("}");
        } else {
            printf("%-6u %-24s %-4s %10.6g %10.6g %10.6g %10.6g %6.4g  %s\n", pi.id, pi.name, pi.unit, pi.min, pi.max,
                   pi.def, v, pi.smoothing_ms, fl);
        }
    }
    if (cli.json)
        printf("\n]\n");
    mixx_engine_destroy(e);
    return 0;
}

int mixx_cmd_bench_params(int argc, char **argv)
{
    int json = 0, quick = 0;
    for (int i = 3; i < argc; i++) { /* argv: mixx bench params [--json] [--quick] */
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--quick") == 0) {
            quick = 1;
        } else {
            fprintf(stderr, "mixx: bench params: unknown option '%s' (--json, --quick)\n", argv[i]);
            return 2;
        }
    }
    return mixx_bench_params(json, quick);
}
