/* SPDX-License-Identifier: MIT */
/* mixx_test.h: what the cmocka tests share: an assertion on MixxEngine return codes that prints both codes'
 * names (and, through cmocka, file:line), the monotonic clock and sleeps, and PortAudio's JACK device. Include after <cmocka.h>. */
#ifndef MIXX_TEST_H
#define MIXX_TEST_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mixxengine.h"

static inline uint64_t mt_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline double mt_now_s(void)
{
    return (double)mt_now_ns() * 1e-9;
}

/* Sleeps the whole time, through signals. */
static inline void mt_sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static inline void mt_sleep_ms(unsigned ms)
{
    mt_sleep_s((double)ms * 1e-3);
}

#define assert_rc(call, expected)                                                                            \
    do {                                                                                                     \
        int rc_ = (call);                                                                                    \
        if (rc_ != (expected))                                                                               \
            fail_msg("%s returned %s (%d), expected %s (%d)", #call, mixx_error_name(rc_), rc_,             \
                     mixx_error_name(expected), (int)(expected));                                            \
    } while (0)

/* The books of a run with injected device stalls (sim faults): exactly one xrun per stall, plus at most one
 * of the VM's own per late wake-up (seen under RTSan on a loaded machine: 7 stalls, 8 xruns, 1 late wake-up);
 * and no deadline miss beyond the late wake-ups (the stall is the device's; a VM stall inside a callback shows
 * as a late wake-up). Fails with the numbers. */
static inline void mt_check_stall_books(const mixx_stats *st, uint64_t stalls)
{
    if (st->xruns_backend < stalls || st->xruns_backend > stalls + st->late_wakeups)
        fail_msg("%llu xruns for %llu stalls and %llu late wake-ups", (unsigned long long)st->xruns_backend,
                 (unsigned long long)stalls, (unsigned long long)st->late_wakeups);
    if (st->deadline_misses > st->late_wakeups)
        fail_msg("%llu deadline misses with %llu late wake-ups", (unsigned long long)st->deadline_misses,
                 (unsigned long long)st->late_wakeups);
}

/* The index (as the decimal string a config's device field takes) of PortAudio's device on its JACK host API, and
 * optionally its name: 1 if PortAudio lists one (it then sees the JACK server of JACK_DEFAULT_SERVER), else 0. */
#define MT_PA_JACK_API "[JACK Audio Connection Kit]"
static inline int mt_find_pa_jack_device(char *index, size_t ilen, char *label, size_t llen)
{
    mixx_device_info dev[64];
    size_t n = 0;
    if (mixx_list_devices(MIXX_BACKEND_PORTAUDIO, dev, 64, sizeof(mixx_device_info), &n) != 0)
        return 0;
    const size_t tl = strlen(MT_PA_JACK_API);
    for (size_t i = 0; i < n && i < 64; i++) {
        size_t len = strlen(dev[i].name);
        if (len > tl && strcmp(dev[i].name + len - tl, MT_PA_JACK_API) == 0) {
            snprintf(index, ilen, "%zu", i);
            if (label)
                snprintf(label, llen, "%s", dev[i].name);
            return 1;
        }
    }
    return 0;
}

#endif
