/* SPDX-License-Identifier: MIT */
/* cmd_bench.c: mixx bench — parses the options and hands them to the harness in bench/ (bench/mixx_bench.h):
 * engine cost per block against the memcpy floor, --scaling, --callgrind-mode. Subcommands of `mixx bench`
 * (e.g. `mixx bench dsp`) are dispatched from the table in mixx_cmd_bench. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "bench_dsp.h"
#include "mixx_bench.h"

typedef mixx_bench_opts bench_opts;

static int bench_option(void *ctx, const char *opt, const char *val, int *used)
{
    bench_opts *o = ctx;
    struct {
        const char *name;
        uint32_t *dst, lo, hi;
        int *set;
    } nums[] = {
        {"--frames", &o->frames, 1, 8192, NULL},       {"--channels", &o->channels, 1, 64, NULL},
        {"--reps", &o->reps, 1, 10000000, &o->reps_set}, {"--warmup", &o->warmup, 0, 1000000, NULL},
        {"--blocks", &o->blocks, 1, 100000000, &o->blocks_set}, {"--ring", &o->ring, 64, 1u << 24, NULL},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        if (strcmp(opt, nums[i].name) != 0)
            continue;
        if (!val || mixx_parse_u32(val, nums[i].lo, nums[i].hi, nums[i].dst) != 0) {
            fprintf(stderr, "mixx: invalid value '%s' for %s (expected %u..%u)\n", val ? val : "", opt,
                    nums[i].lo, nums[i].hi);
            return -1;
        }
        if (strcmp(opt, "--ring") == 0 && (o->ring & (o->ring - 1)) != 0) {
            fprintf(stderr, "mixx: --ring must be a power of two\n");
            return -1;
        }
        if (nums[i].set)
            *nums[i].set = 1;
        *used = 1;
        return 1;
    }
    if (strcmp(opt, "--target-us") == 0) {
        if (!val || mixx_parse_double(val, 0.1, 100000, &o->target_us) != 0) {
            fprintf(stderr, "mixx: invalid value '%s' for --target-us (expected 0.1..100000)\n", val ? val : "");
            return -1;
        }
        *used = 1;
        return 1;
    }
    const char **strs[] = {&o->lib, &o->plt, &o->cg_mode};
    const char *str_names[] = {"--lib", "--plt", "--callgrind-mode"};
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(opt, str_names[i]) != 0)
            continue;
        if (!val) {
            fprintf(stderr, "mixx: option %s needs a value\n", opt);
            return -1;
        }
        *strs[i] = val;
        *used = 1;
        return 1;
    }
    int *flags[] = {&o->scaling, &o->tsv, &o->no_shared, &o->no_plt, &o->callgrind_info, &o->no_pace};
    const char *flag_names[] = {"--scaling", "--tsv", "--no-shared", "--no-plt", "--callgrind-info", "--no-pace"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        if (strcmp(opt, flag_names[i]) == 0) {
            *flags[i] = 1;
            return 1;
        }
    }
    return 0;
}

int mixx_cmd_bench(int argc, char **argv)
{
    /* `mixx bench <name> ...`: a subcommand with its own options, implemented in bench/ (params: tools/cmd_params.c) */
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } subs[] = {{"dsp", mixx_bench_dsp}, {"params", mixx_cmd_bench_params}, {NULL, NULL}};
    for (size_t i = 0; argc > 2 && subs[i].name; i++)
        if (strcmp(argv[2], subs[i].name) == 0)
            return subs[i].run(argc, argv);
    mixx_cli cli;
    mixx_cli_init(&cli, argc, argv);
    bench_opts o = {.frames = 64, .channels = 2, .reps = 3000, .warmup = 20, .ring = MIXX_BENCH_DEFAULT_RING,
                    .target_us = 5.0};
    int rc = mixx_cli_parse(&cli, argc, argv, 2, bench_option, &o);
    if (rc)
        return rc;
    if (o.callgrind_info) {
        printf("callgrind.h: %s\n", mixx_bench_have_callgrind_h() ? "yes" : "no");
        return 0;
    }
    char dir[PATH_MAX];
    mixx_exe_dir(dir, sizeof dir);
    o.sample_rate = cli.cfg.sample_rate;
    o.json = cli.json;
    o.command_line = cli.command_line;
    o.exe_dir = dir;
    return mixx_bench_run(&o);
}
