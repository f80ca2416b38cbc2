/* SPDX-License-Identifier: MIT */
/* sync.c: condition variables on the monotonic clock, deadlines, and the one "blocking call with a
 * timeout" of the library (used by the JACK and PortAudio backends for calls a dead device can hang), and, in
 * test builds only (MIXX_FAULT_HOOKS), the stall hook that makes those calls hang on demand. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "mixxengine.h"
#include "sync.h"

int mixx__cond_init_monotonic(pthread_cond_t *c)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
#if !defined(__APPLE__)
    pthread_condattr_setclock(&ca, MIXX_COND_CLOCK);
#endif
    int rc = pthread_cond_init(c, &ca);
    pthread_condattr_destroy(&ca);
    return rc;
}

void mixx__deadline_after_ms(struct timespec *ts, unsigned ms)
{
    clock_gettime(MIXX_COND_CLOCK, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

typedef struct timed_call {
    int (*fn)(void *arg);
    int result;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done, abandoned;
    _Alignas(max_align_t) unsigned char arg[]; /* the caller's argument, copied: it outlives an abandoned wait */
} timed_call;

static void timed_call_free(timed_call *k)
{
    pthread_mutex_destroy(&k->lock);
    pthread_cond_destroy(&k->cond);
    free(k);
}

static void *timed_call_main(void *p)
{
    timed_call *k = p;
    int r = k->fn(k->arg);
    pthread_mutex_lock(&k->lock);
    k->result = r;
    k->done = 1;
    int abandoned = k->abandoned;
    pthread_cond_signal(&k->cond);
    pthread_mutex_unlock(&k->lock);
    if (abandoned) /* the waiter gave up: the record is ours now */
        timed_call_free(k);
    return NULL;
}

int mixx__call_with_timeout(int (*fn)(void *arg), const void *arg, size_t arg_size, unsigned timeout_ms,
                            int *result)
{
    timed_call *k = calloc(1, sizeof *k + arg_size);
    if (!k)
        return MIXX_ENOMEM;
    k->fn = fn;
    if (arg_size)
        memcpy(k->arg, arg, arg_size);
    pthread_mutex_init(&k->lock, NULL);
    mixx__cond_init_monotonic(&k->cond);
    pthread_t t;
    if (pthread_create(&t, NULL, timed_call_main, k) != 0) {
        timed_call_free(k);
        return MIXX_ETHREAD;
    }
    pthread_detach(t);
    struct timespec until;
    mixx__deadline_after_ms(&until, timeout_ms);
    pthread_mutex_lock(&k->lock);
    while (!k->done && pthread_cond_timedwait(&k->cond, &k->lock, &until) != ETIMEDOUT) {
    }
    int done = k->done;
    if (done && result)
        *result = k->result;
    if (!done)
        k->abandoned = 1;
    pthread_mutex_unlock(&k->lock);
    if (!done)
        return MIXX_ETIMEDOUT;
    timed_call_free(k);
    return 0;
}

static atomic_int libjack_holds;

void mixx__libjack_hold(int delta)
{
    atomic_fetch_add(&libjack_holds, delta);
}

int mixx__libjack_held(void)
{
    return atomic_load(&libjack_holds) > 0;
}

#ifdef MIXX_FAULT_HOOKS
#include <stdio.h>

/* 1 if `site` is one of the comma-separated names in `list` (whole names only: "pa_stop" is not "pa_stopx"). */
static int fault_listed(const char *list, const char *site)
{
    size_t n = strlen(site);
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, site, n) == 0)
            return 1;
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

void mixx__fault_stall(const char *site)
{
    const char *list = getenv("MIXX_FAULT_STALL");
    if (!list || !fault_listed(list, site))
        return;
    const char *ms_env = getenv("MIXX_FAULT_STALL_MS");
    char *end = NULL;
    unsigned long ms = ms_env && *ms_env ? strtoul(ms_env, &end, 10) : 30000ul;
    if (end && *end)
        ms = 30000ul; /* not a number: the default, never a zero-length "stall" that proves nothing */
    fprintf(stderr, "mixx fault hook: stalling %s for %lu ms (MIXX_FAULT_STALL)\n", site, ms);
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}
#endif
