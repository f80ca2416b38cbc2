/* SPDX-License-Identifier: MIT */
/* mixx_bench.h: the benchmark harness behind `mixx bench` (the CLI parses options, this runs them): hosted
 * process() through the static library, a dlopen'ed libmixxengine.so and (via mixx-bench-plt) the PLT, the ring
 * push, the latency meter; the --scaling sweep; the --callgrind-mode exact block counts. The CLI includes only
 * this header; the harness (bench/harness.h) and src/ stay inside bench/. */
#ifndef MIXX_BENCH_H
#define MIXX_BENCH_H

#include <stdint.h>

typedef struct mixx_bench_opts {
    uint32_t frames, channels, reps, warmup, blocks, ring;
    int reps_set, blocks_set, scaling, tsv, no_shared, no_plt, callgrind_info, no_pace;
    double target_us;
    const char *lib, *plt, *cg_mode;
    /* from the CLI: */
    uint32_t sample_rate;
    int json;
    const char *command_line; /* echoed into the JSON */
    const char *exe_dir;      /* where mixx runs from: libmixxengine.so and mixx-bench-plt are looked up beside it */
} mixx_bench_opts;

#define MIXX_BENCH_DEFAULT_RING (1u << 17)

/* Runs what `o` asks for (callgrind mode, scaling sweep, or the main table) and prints its results on stdout,
 * errors on stderr. Returns the process exit code (0, 1 on a failure, 2 on a bad --callgrind-mode).
 * Control thread only (it creates and stops engines). */
int mixx_bench_run(const mixx_bench_opts *o);

/* 1 when this build has <valgrind/callgrind.h> (--callgrind-mode then counts only the timed loop). Any thread. */
int mixx_bench_have_callgrind_h(void);

/* `mixx bench params`: the parameter bus's costs (bench/bench_params.c), one line of JSON with json=1; quick=1
 * measures less (a smoke test, not figures). Returns the exit code. Control thread only. */
int mixx_bench_params(int json, int quick);

#endif
