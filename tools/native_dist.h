/* SPDX-License-Identifier: MIT */
/* native_dist.h: the percentile summary both native baselines print (`mixx native`, tools/cmd_native.c, and
 * mixx-jack-native, tools/mixx_jack_native.c), so their JSON has one shape and one definition of a percentile. */
#ifndef MIXX_NATIVE_DIST_H
#define MIXX_NATIVE_DIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Sorts v[0..n) in place and prints "<name>":{"count","mean","p50","p99","p999","p9999","max"} to f.
 * Percentiles are nearest-rank (the smallest value with at least q*n values at or below it); n == 0 prints
 * zeros. Any thread; no error. */
void mixx_native_print_dist(FILE *f, const char *name, uint32_t *v, uint64_t n);

/* Writes every page of p[0..bytes) once, so the loop thread that fills it later takes no first-touch page fault
 * (a fault every 1024 cycles per array of 32-bit values made the bare baseline's own tail worse: issue 13). The
 * stores go through a volatile pointer, so the compiler cannot drop them as it may a memset after calloc. Control
 * thread, before the loop starts; NULL is a no-op. */
void mixx_native_prefault(void *p, size_t bytes);

#endif
