/* SPDX-License-Identifier: MIT */
/* bench_dsp.h: the entry point of `mixx bench dsp` (bench/bench_dsp.c), linked into the mixx CLI by
 * bench/CMakeLists.txt. */
#ifndef MIXX_BENCH_DSP_H
#define MIXX_BENCH_DSP_H

/* argv: the whole command line (mixx bench dsp [options]). Returns the process exit code. Control thread only (it times kernels on the
 * calling thread and switches the process-wide DSP ISA while it runs). */
int mixx_bench_dsp(int argc, char **argv);

#endif
