/* SPDX-License-Identifier: MIT */
/* native_dist.h: the percentile summary both native baselines print (`mixx native`, tools/cmd_native.c, and
 * mixx-jack-native, tools/mixx_jack_native.c), so their JSON has one shape and one definition of a percentile. */
#ifndef MIXX_NATIVE_DIST_H
#define MIXX_NATIVE_DIST_H

#include <stdint.h>
#include <stdio.h>

/* Sorts v[0..n) in place and prints "<name>":{"count","mean","p50","p99","p999","p9999","max"} to f.
 * Percentiles are nearest-rank (the smallest value with at least q*n values at or below it); n == 0 prints
 * zeros. Any thread; no error. */
void mixx_native_print_dist(FILE *f, const char *name, uint32_t *v, uint64_t n);

#endif
