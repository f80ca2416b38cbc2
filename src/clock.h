/* SPDX-License-Identifier: MIT */
/* clock.h: the library's one clock, CLOCK_MONOTONIC in nanoseconds, inline for the audio thread (vDSO, ~30 ns
 * here; never CLOCK_THREAD_CPUTIME_ID there). */
#ifndef MIXX_CLOCK_H
#define MIXX_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Monotonic time in ns. Any thread, realtime-safe. */
static inline uint64_t mixx__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
