/* SPDX-License-Identifier: MIT */
/* cli.c: option parsing shared by all mixx subcommands (engine configuration, durations, numbers) and
 * small output helpers. No subcommand logic lives here. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int mixx_parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    /* digits only: strtoull would also take leading blanks and then a sign, so " -18446744073709551615" was 1
     * (found by fuzz/fuzz_cli.c) */
    if (!s || *s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

int mixx_parse_double(const char *s, double lo, double hi, double *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

int mixx_parse_duration(const char *s, double *out)
{
    if (!s || !((*s >= '0' && *s <= '9') || *s == '.')) /* no blanks, signs, "inf", "nan" */
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !isfinite(v) || v < 0)
        return -1;
    double mul;
    if (*end == '\0' || strcmp(end, "s") == 0)
        mul = 1;
    else if (strcmp(end, "ms") == 0)
        mul = 1e-3;
    else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
        mul = 60;
    else if (strcmp(end, "h") == 0)
        mul = 3600;
    else
        return -1;
    v *= mul;
    if (v > 7 * 24 * 3600.0) /* a week: anything longer is a typo */
        return -1;
    *out = v;
    return 0;
}

void mixx_cli_init(mixx_cli *cli, int argc, char **argv)
{
    memset(cli, 0, sizeof *cli);
    mixx_config_init(&cli->cfg, sizeof cli->cfg);
    cli->argv0 = argc > 0 ? argv[0] : "mixx";
    size_t len = 0;
    for (int i = 0; i < argc && len + 4 < sizeof cli->command_line; i++) {
        const char *a = i == 0 ? "mixx" : argv[i];
        int quote = strpbrk(a, " \t\"'$") != NULL;
        int n = snprintf(cli->command_line + len, sizeof cli->command_line - len, "%s%s%s%s", i ? " " : "",
                         quote ? "'" : "", a, quote ? "'" : "");
        if (n < 0)
            break;
        len += (size_t)n;
        if (len >= sizeof cli->command_line) {
            len = sizeof cli->command_line - 1;
            break;
        }
    }
}

static int bad(const char *opt, const char *val, const char *expect)
{
    fprintf(stderr, "mixx: invalid value '%s' for %s (expected %s)\n", val ? val : "", opt, expect);
    return 2;
}

/* Options taking no value. */
static int flag_option(mixx_cli *cli, const char *opt)
{
    mixx_config *c = &cli->cfg;
    if (strcmp(opt, "--json") == 0)
        cli->json = 1;
    else if (strcmp(opt, "--self-loop") == 0)
        c->jack.self_loop = 1;
    else if (strcmp(opt, "--no-connect") == 0) {
        c->jack.self_loop = 0;
        c->jack.connect_in = c->jack.connect_out = NULL;
    } else if (strcmp(opt, "--strict") == 0)
        c->strict = 1;
    else if (strcmp(opt, "--mlock") == 0)
        c->lock_memory = 1;
    else if (strcmp(opt, "--no-instrument") == 0)
        c->instrument = 0;
    else if (strcmp(opt, "--sim-invert") == 0)
        c->sim.invert = 1;
    else
        return 0;
    return 1;
}

static const char *const value_options[] = {
    "--backend", "--server", "--rate", "--buffer", "--inputs", "--outputs", "--duration", "--device", "--client-name",
    "--connect-in", "--connect-out", "--log", "--rt-priority", "--sim-latency", "--sim-periods", "--sim-snr-db",
    "--sim-gain", "--sim-stall-us", "--sim-stall-every", "--sim-fail-after", "--sim-slip"};

static int is_value_option(const char *opt)
{
    for (size_t i = 0; i < sizeof value_options / sizeof value_options[0]; i++)
        if (strcmp(opt, value_options[i]) == 0)
            return 1;
    return 0;
}

/* Options taking a value: 1 consumed, 0 unknown, 2 bad value (printed). */
static int value_option(mixx_cli *cli, const char *opt, const char *val)
{
    mixx_config *c = &cli->cfg;
    if (strcmp(opt, "--backend") == 0) {
        if (mixx_backend_from_name(val, &c->backend))
            return bad(opt, val, "sim, jack or portaudio");
        if (c->backend == MIXX_BACKEND_HOSTED) {
            fprintf(stderr, "mixx: --backend hosted cannot be used from mixx: the hosted backend is driven by a host "
                            "application's own audio callback (see examples/ and mixx_engine_process)\n");
            return 2;
        }
    } else if (strcmp(opt, "--server") == 0) {
        if (!*val)
            return bad(opt, val, "a JACK server name");
        c->jack_server_name = val;
    } else if (strcmp(opt, "--rate") == 0) {
        if (mixx_parse_u32(val, 1, 768000, &c->sample_rate))
            return bad(opt, val, "a rate in Hz, 1..768000");
    } else if (strcmp(opt, "--buffer") == 0) {
        if (mixx_parse_u32(val, 1, 8192, &c->buffer_size))
            return bad(opt, val, "frames, 1..8192");
    } else if (strcmp(opt, "--inputs") == 0) {
        if (mixx_parse_u32(val, 0, 64, &c->inputs))
            return bad(opt, val, "0..64");
    } else if (strcmp(opt, "--outputs") == 0) {
        if (mixx_parse_u32(val, 0, 64, &c->outputs))
            return bad(opt, val, "0..64");
    } else if (strcmp(opt, "--duration") == 0) {
        if (mixx_parse_duration(val, &cli->duration_s) || cli->duration_s <= 0)
            return bad(opt, val, "a duration above 0 such as 20s, 30m, 1h or 1800");
    } else if (strcmp(opt, "--device") == 0) {
        c->device = val;
    } else if (strcmp(opt, "--client-name") == 0) {
        c->jack.client_name = val;
    } else if (strcmp(opt, "--connect-in") == 0) {
        c->jack.connect_in = val;
    } else if (strcmp(opt, "--connect-out") == 0) {
        c->jack.connect_out = val;
    } else if (strcmp(opt, "--log") == 0) {
        c->log_path = val;
    } else if (strcmp(opt, "--rt-priority") == 0) {
        uint32_t p;
        if (mixx_parse_u32(val, 0, 99, &p))
            return bad(opt, val, "0..99");
        c->rt_priority = (int)p;
    } else if (strcmp(opt, "--sim-latency") == 0) {
        if (mixx_parse_double(val, 0, 96000, &c->sim.extra_latency))
            return bad(opt, val, "frames, 0..96000, may be fractional");
    } else if (strcmp(opt, "--sim-periods") == 0) {
        if (mixx_parse_u32(val, 1, 16, &c->sim.periods))
            return bad(opt, val, "1..16");
    } else if (strcmp(opt, "--sim-snr-db") == 0) {
        if (mixx_parse_double(val, -60, 1000, &c->sim.snr_db))
            return bad(opt, val, "dB, -60..1000");
    } else if (strcmp(opt, "--sim-gain") == 0) {
        if (mixx_parse_double(val, 0, 16, &c->sim.gain))
            return bad(opt, val, "0..16");
    } else if (strcmp(opt, "--sim-stall-us") == 0) {
        if (mixx_parse_u32(val, 0, 10000000, &c->sim.faults.stall_us))
            return bad(opt, val, "microseconds, 0..10000000");
    } else if (strcmp(opt, "--sim-stall-every") == 0) {
        if (mixx_parse_u32(val, 0, UINT32_MAX, &c->sim.faults.stall_every))
            return bad(opt, val, "a callback count");
    } else if (strcmp(opt, "--sim-fail-after") == 0) {
        if (mixx_parse_duration(val, &c->sim.faults.fail_after_s))
            return bad(opt, val, "a duration");
    } else if (strcmp(opt, "--sim-slip") == 0) {
        if (mixx_parse_u32(val, 0, 96000, &c->sim.faults.slip_frames))
            return bad(opt, val, "frames, 0..96000");
    } else {
        return 0;
    }
    return 1;
}

/* --set NAME=VALUE (repeatable) and --preset FILE: collected here, applied by tools/cmd_params.c once the engine
 * exists; only commands that apply them accept them */
#define MIXX_CLI_MAX_SETS 256
static const char *cli_sets[MIXX_CLI_MAX_SETS];
static int n_cli_sets;
static const char *cli_preset;
static int cli_params_accepted;

void mixx_cli_params_accept(void)
{
    cli_params_accepted = 1;
}

int mixx_cli_params_given(const char *const **sets, const char **preset)
{
    *sets = cli_sets;
    *preset = cli_preset;
    return n_cli_sets;
}

int mixx_cli_params_option(const char *opt, const char *val, int *used)
{
    if (!cli_params_accepted || (strcmp(opt, "--set") != 0 && strcmp(opt, "--preset") != 0))
        return 0;
    if (!val) {
        fprintf(stderr, "mixx: option %s needs a value\n", opt);
        return -1;
    }
    *used = 1;
    if (opt[2] == 'p') {
        cli_preset = val;
        return 1;
    }
    if (n_cli_sets >= MIXX_CLI_MAX_SETS) {
        fprintf(stderr, "mixx: too many --set options (at most %d)\n", MIXX_CLI_MAX_SETS);
        return -1;
    }
    cli_sets[n_cli_sets++] = val;
    return 1;
}

int mixx_cli_parse(mixx_cli *cli, int argc, char **argv, int first, mixx_cli_option_fn extra, void *ctx)
{
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0) {
            fprintf(stderr, "mixx: unexpected argument '%s'\n", arg);
            return 2;
        }
        char opt[64];
        const char *eq = strchr(arg, '=');
        const char *val = NULL;
        if (eq) {
            size_t n = (size_t)(eq - arg);
            if (n >= sizeof opt) {
                fprintf(stderr, "mixx: unknown option '%s'\n", arg);
                return 2;
            }
            memcpy(opt, arg, n);
            opt[n] = '\0';
            val = eq + 1;
        } else {
            snprintf(opt, sizeof opt, "%s", arg);
            val = i + 1 < argc ? argv[i + 1] : NULL;
        }
        if (!eq && flag_option(cli, opt))
            continue;
        if (val) {
            int r = value_option(cli, opt, val);
            if (r == 2)
                return 2;
            if (r == 1) {
                if (!eq)
                    i++;
                continue;
            }
        }
        {
            int used = 0, r = mixx_cli_params_option(opt, val, &used); /* --set, --preset */
            if (r < 0)
                return 2;
            if (r == 1) {
                if (!eq)
                    i++;
                continue;
            }
        }
        if (extra) {
            int used = 0;
            int r = extra(ctx, opt, val, &used);
            if (r < 0)
                return 2;
            if (r == 1) {
                if (used && !eq)
                    i++;
                else if (!used && eq) {
                    fprintf(stderr, "mixx: option %s takes no value\n", opt);
                    return 2;
                }
                continue;
            }
        }
        if (!val && is_value_option(opt)) {
            fprintf(stderr, "mixx: option %s needs a value\n", opt);
            return 2;
        }
        fprintf(stderr, "mixx: unknown option '%s' (see mixx --help)\n", opt);
        return 2;
    }
    return 0;
}
