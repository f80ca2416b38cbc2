/* SPDX-License-Identifier: MIT */
/* cli.h: what the mixx subcommands share: option parsing for the engine configuration, durations,
 * printing helpers. Each subcommand lives in tools/cmd_<name>.c and is listed in tools/mixx.c. */
#ifndef MIXX_CLI_H
#define MIXX_CLI_H

#include <stdio.h>

#include "mixxengine.h"
#include "util.h"

typedef struct mixx_cli {
    mixx_config cfg;
    int json;
    double duration_s;   /* --duration, default set by the command */
    const char *argv0;
    char command_line[4096]; /* the exact command line, for reports */
} mixx_cli;

/* A command's own option: return 1 if `opt` (e.g. "--count") was consumed (using *val when it takes a
 * value and setting *used_val = 1), 0 if unknown, negative (after printing an error) if invalid. */
typedef int (*mixx_cli_option_fn)(void *ctx, const char *opt, const char *val, int *used_val);

/* Parses argv[first..argc) into cli->cfg etc.; unknown options go to `extra` (may be NULL). Prints a
 * one-line error and returns non-zero on a bad option. Common options: --backend --rate --buffer --inputs
 * --outputs --json --duration --device --server --client-name --connect-in --connect-out --self-loop --no-connect
 * --strict --rt-priority --mlock --no-instrument --log --sim-latency --sim-periods --sim-snr-db --sim-invert
 * --sim-gain --sim-stall-us --sim-stall-every --sim-fail-after --sim-slip. Options are "--opt VALUE" or
 * "--opt=VALUE". */
int mixx_cli_parse(mixx_cli *cli, int argc, char **argv, int first, mixx_cli_option_fn extra, void *ctx);
void mixx_cli_init(mixx_cli *cli, int argc, char **argv);

/* "20s", "30m", "1h", "1800", "250ms" -> seconds. Returns 0 or -1. */
int mixx_parse_duration(const char *s, double *out);
/* Unsigned integer with range check. Returns 0 or -1. */
int mixx_parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out);
int mixx_parse_double(const char *s, double lo, double hi, double *out);

/* Subcommands (argc/argv start at the subcommand name). */
int mixx_cmd_run(int argc, char **argv);
int mixx_cmd_devices(int argc, char **argv);
int mixx_cmd_latency(int argc, char **argv);
int mixx_cmd_ladder(int argc, char **argv);
int mixx_cmd_stability(int argc, char **argv);
int mixx_cmd_report(int argc, char **argv);
int mixx_cmd_bench(int argc, char **argv);
int mixx_cmd_native(int argc, char **argv);
/* --set/--preset (cli.c): taken by mixx_cli_parse once a command that applies them has called
 * mixx_cli_params_accept() (other commands refuse them); the collected values: returns the number of --set */
int mixx_cli_params_option(const char *opt, const char *val, int *used);
void mixx_cli_params_accept(void);
int mixx_cli_params_given(const char *const **sets, const char **preset);
/* cmd_params.c: `mixx params`, `mixx bench params`, and the --preset then --set values applied to the created
 * engine (0, or the exit code after printing a one-line error) */
int mixx_cmd_params(int argc, char **argv);
int mixx_cmd_bench_params(int argc, char **argv);
int mixx_cli_params_apply(mixx_engine *e);

/* ---- the command and option table (cli_doc.c): the one source of help, man page and completion ---------- */

typedef struct mixx_cli_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    unsigned bit;            /* this command's bit in mixx_cli_option.commands */
    const char *synopsis;    /* after "mixx NAME " */
    const char *summary;     /* one line for mixx --help */
    const char *description; /* a paragraph for mixx NAME --help and the man page */
} mixx_cli_command;

typedef struct mixx_cli_option {
    const char *name;  /* "--rate" */
    const char *arg;   /* "HZ", or NULL for a flag */
    const char *desc;
    unsigned commands; /* mask of mixx_cli_command.bit */
} mixx_cli_option;

const mixx_cli_command *mixx_cli_commands(size_t *n);
const mixx_cli_command *mixx_cli_command_find(const char *name); /* NULL when unknown */
void mixx_cli_usage(FILE *f);                                      /* mixx --help */
void mixx_cli_help(FILE *f, const mixx_cli_command *c);            /* mixx CMD --help */
void mixx_cli_print_man(FILE *f, const char *version);             /* mixx(1), troff */
void mixx_cli_print_completion_bash(FILE *f);
void mixx_cli_print_options(FILE *f, const mixx_cli_command *c);   /* one option a line; c NULL: all */

#endif
