/* SPDX-License-Identifier: MIT */
/* cmd_devices.c: mixx devices [--backend NAME] [--json] — every backend compiled in, whether it is usable
 * now (and why not), and its devices with channel counts and rates. Only asks the library
 * (mixx_backend_available, mixx_list_devices); never starts a server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define DEVICES_MAX 256

typedef struct backend_view {
    mixx_backend b;
    int compiled, available, list_rc;
    char why[512];
    mixx_device_info *dev;
    size_t n_dev;
} backend_view;

static void inspect(backend_view *v, mixx_backend b, mixx_device_info *buf)
{
    memset(v, 0, sizeof *v);
    v->b = b;
    v->dev = buf;
    v->available = mixx_backend_available(b, v->why, sizeof v->why);
    if (b == MIXX_BACKEND_HOSTED) {
        /* no device of its own: the host application's callback drives it */
        v->compiled = 1;
        snprintf(v->why, sizeof v->why, "driven by the host application's audio callback; no devices");
        return;
    }
    size_t count = 0;
    v->list_rc = mixx_list_devices(b, NULL, 0, sizeof(mixx_device_info), &count);
    v->compiled = v->list_rc != MIXX_EBACKEND;
    if (!v->compiled || !v->available)
        return;
    v->list_rc = mixx_list_devices(b, buf, DEVICES_MAX, sizeof(mixx_device_info), &count);
    v->n_dev = count < DEVICES_MAX ? count : DEVICES_MAX;
}

static void print_rates(FILE *f, const mixx_device_info *d, int json)
{
    int first = 1;
    for (int k = 0; k < 8 && d->rates[k]; k++) {
        fprintf(f, "%s%u", first ? "" : (json ? "," : " "), d->rates[k]);
        first = 0;
    }
}

static void print_json(const backend_view *v, size_t n)
{
    printf("{\"backends\":[");
    for (size_t i = 0; i < n; i++) {
        printf("%s{\"name\":", i ? "," : "");
        mixx_json_str(stdout, mixx_backend_name(v[i].b));
        printf(",\"compiled\":%s,\"available\":%s,\"why\":", v[i].compiled ? "true" : "false",
               v[i].available ? "true" : "false");
        mixx_json_str(stdout, v[i].why);
        if (v[i].list_rc && v[i].available)
            printf(",\"list_error\":\"%s\"", mixx_error_name(v[i].list_rc));
        printf(",\"devices\":[");
        for (size_t k = 0; k < v[i].n_dev; k++) {
            const mixx_device_info *d = &v[i].dev[k];
            printf("%s{\"index\":%zu,\"name\":", k ? "," : "", k);
            mixx_json_str(stdout, d->name);
            printf(",\"inputs\":%u,\"outputs\":%u,\"default_rate\":%u,\"rates\":[", d->inputs, d->outputs,
                   d->default_rate);
            print_rates(stdout, d, 1);
            printf("],\"default_buffer\":%u,\"default\":%s}", d->default_buffer, d->is_default ? "true" : "false");
        }
        printf("]}");
    }
    printf("]}\n");
}

static void print_text(const backend_view *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *state = !v[i].compiled ? "not compiled in" : v[i].available ? "available" : "unavailable";
        printf("%-10s %s", mixx_backend_name(v[i].b), state);
        if (v[i].why[0] && (!v[i].available || v[i].b == MIXX_BACKEND_HOSTED))
            printf(": %s", v[i].why);
        printf("\n");
        if (v[i].list_rc && v[i].available)
            printf("  (listing failed: %s)\n", mixx_strerror(v[i].list_rc));
        for (size_t k = 0; k < v[i].n_dev; k++) {
            const mixx_device_info *d = &v[i].dev[k];
            printf("  [%zu] %-40s %3u in %3u out", k, d->name, d->inputs, d->outputs);
            if (d->default_rate)
                printf("  %u Hz", d->default_rate);
            if (d->rates[0]) {
                printf("  (rates ");
                print_rates(stdout, d, 0);
                printf(")");
            }
            if (d->default_buffer)
                printf("  %u frames", d->default_buffer);
            if (d->is_default)
                printf("  default");
            printf("\n");
        }
        if (v[i].compiled && v[i].available && v[i].b != MIXX_BACKEND_HOSTED && v[i].n_dev == 0 &&
            v[i].list_rc == 0)
            printf("  (no devices)\n");
    }
}

int mixx_cmd_devices(int argc, char **argv)
{
    mixx_cli cli;
    mixx_cli_init(&cli, argc, argv);
    int rc = mixx_cli_parse(&cli, argc, argv, 2, NULL, NULL);
    if (rc)
        return rc;
    /* --backend restricts the listing; without it, every backend */
    int only = 0;
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--backend") == 0 || strncmp(argv[i], "--backend=", 10) == 0)
            only = 1;
    backend_view v[MIXX_BACKEND_COUNT];
    mixx_device_info *bufs = calloc((size_t)MIXX_BACKEND_COUNT * DEVICES_MAX, sizeof *bufs);
    if (!bufs)
        return mixx_cli_fail("devices", MIXX_ENOMEM, NULL);
    size_t n = 0;
    for (int b = 0; b < MIXX_BACKEND_COUNT; b++) {
        if (only && (mixx_backend)b != cli.cfg.backend)
            continue;
        inspect(&v[n], (mixx_backend)b, bufs + (size_t)b * DEVICES_MAX);
        n++;
    }
    if (cli.json)
        print_json(v, n);
    else
        print_text(v, n);
    free(bufs);
    return 0;
}
