/* SPDX-License-Identifier: MIT */
/* mixx_jack_native.c: mixx-jack-native, the bare JACK baseline for the stability report. A plain JACK client
 * with nothing but the copy input -> output and the same two CLOCK_MONOTONIC timestamps per cycle as the
 * engine, into preallocated arrays; after --duration it prints JSON: callbacks, xruns (JACK's xrun callback),
 * deadline misses (callback longer than one period), callback and interval percentiles. No libmixxengine. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jack/jack.h>

#include "native_dist.h"
#include "prefault.h"

#define NATIVE_CH 2

typedef struct native {
    jack_client_t *client;
    jack_port_t *in[NATIVE_CH], *out[NATIVE_CH];
    uint32_t rate;
    /* preallocated per-cycle samples; cycles past the capacity are counted but not recorded */
    uint32_t *dur_ns, *iv_ns;
    uint64_t cap;
    _Atomic uint64_t callbacks;
    _Atomic uint64_t xruns;
    uint64_t misses;
    uint64_t prev_start;
    _Atomic int have_thread;
    pthread_t thread;
} native;

static volatile sig_atomic_t native_stop;

static void on_signal(int sig)
{
    (void)sig;
    native_stop = 1;
}

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* JACK's process thread: the copy and two timestamps, nothing else. */
static int native_process(jack_nframes_t n, void *arg)
{
    native *s = arg;
    uint64_t t0 = now_ns();
    for (int c = 0; c < NATIVE_CH; c++) {
        const float *i = jack_port_get_buffer(s->in[c], n);
        float *o = jack_port_get_buffer(s->out[c], n);
        if (o != i)
            memcpy(o, i, (size_t)n * sizeof(float));
    }
    uint64_t t1 = now_ns();
    uint64_t k = atomic_load_explicit(&s->callbacks, memory_order_relaxed);
    if (k < s->cap) {
        uint64_t d = t1 - t0, iv = s->prev_start ? t0 - s->prev_start : 0;
        s->dur_ns[k] = (uint32_t)(d > UINT32_MAX ? UINT32_MAX : d);
        s->iv_ns[k] = (uint32_t)(iv > UINT32_MAX ? UINT32_MAX : iv);
    }
    if (t1 - t0 > (uint64_t)n * 1000000000ull / s->rate)
        s->misses++;
    s->prev_start = t0;
    if (!atomic_load_explicit(&s->have_thread, memory_order_relaxed)) {
        s->thread = pthread_self();
        atomic_store_explicit(&s->have_thread, 1, memory_order_release);
    }
    atomic_store_explicit(&s->callbacks, k + 1, memory_order_release);
    return 0;
}

static int native_xrun(void *arg)
{
    native *s = arg;
    atomic_fetch_add(&s->xruns, 1);
    return 0;
}

static void native_shutdown(void *arg)
{
    (void)arg;
    native_stop = 2;
}

static int parse_duration(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !(v > 0))
        return -1;
    if (strcmp(end, "ms") == 0)
        v /= 1000;
    else if (strcmp(end, "m") == 0)
        v *= 60;
    else if (strcmp(end, "h") == 0)
        v *= 3600;
    else if (*end && strcmp(end, "s") != 0)
        return -1;
    *out = v;
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: mixx-jack-native [--duration 10s] [--self-loop] [--client-name NAME] [--json]\n"
               "A bare JACK client (copy in -> out, two timestamps per cycle); prints JSON. Never starts a server:\n"
               "JACK_DEFAULT_SERVER chooses which one to join.\n");
}

int main(int argc, char **argv)
{
    double duration = 10.0;
    int self_loop = 0;
    const char *name = "mixx-jack-native";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--duration") == 0 && i + 1 < argc) {
            if (parse_duration(argv[++i], &duration)) {
                fprintf(stderr, "mixx-jack-native: invalid duration '%s'\n", argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--json") == 0) {
            /* accepted for symmetry with mixx: the output is always JSON */
        } else if (strcmp(argv[i], "--self-loop") == 0) {
            self_loop = 1;
        } else if (strcmp(argv[i], "--client-name") == 0 && i + 1 < argc) {
            name = argv[++i];
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    native s;
    memset(&s, 0, sizeof s);
    jack_status_t st;
    s.client = jack_client_open(name, JackNoStartServer, &st);
    if (!s.client) {
        const char *srv = getenv("JACK_DEFAULT_SERVER");
        fprintf(stderr, "mixx-jack-native: no JACK server '%s' to join (JACK_DEFAULT_SERVER %s; status 0x%x)\n",
                srv && *srv ? srv : "default", srv ? "set" : "unset", (unsigned)st);
        return 1;
    }
    s.rate = jack_get_sample_rate(s.client);
    uint32_t buffer = jack_get_buffer_size(s.client);
    s.cap = (uint64_t)(duration * s.rate / buffer * 1.25) + 1024;
    /* written by the process callback from its first cycle: every page written here first (src/prefault.h) */
    s.dur_ns = mixx__calloc_hot(s.cap, sizeof *s.dur_ns);
    s.iv_ns = mixx__calloc_hot(s.cap, sizeof *s.iv_ns);
    if (!s.dur_ns || !s.iv_ns) {
        fprintf(stderr, "mixx-jack-native: out of memory for %llu cycles\n", (unsigned long long)s.cap);
        return 1;
    }
    for (int c = 0; c < NATIVE_CH; c++) {
        char pn[16];
        snprintf(pn, sizeof pn, "in_%d", c + 1);
        s.in[c] = jack_port_register(s.client, pn, JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
        snprintf(pn, sizeof pn, "out_%d", c + 1);
        s.out[c] = jack_port_register(s.client, pn, JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
        if (!s.in[c] || !s.out[c]) {
            fprintf(stderr, "mixx-jack-native: could not register ports\n");
            return 1;
        }
    }
    jack_set_process_callback(s.client, native_process, &s);
    jack_set_xrun_callback(s.client, native_xrun, &s);
    jack_on_shutdown(s.client, native_shutdown, &s);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    uint64_t t_start = now_ns(); /* callbacks start inside jack_activate */
    if (jack_activate(s.client)) {
        fprintf(stderr, "mixx-jack-native: jack_activate failed\n");
        return 1;
    }
    if (self_loop)
        for (int c = 0; c < NATIVE_CH; c++)
            jack_connect(s.client, jack_port_name(s.out[c]), jack_port_name(s.in[c]));
    while (!native_stop && (double)(now_ns() - t_start) * 1e-9 < duration) {
        struct timespec ts = {0, 20000000L};
        nanosleep(&ts, NULL);
    }
    double elapsed = (double)(now_ns() - t_start) * 1e-9;
    int policy = -1;
    struct sched_param sp = {0};
    if (atomic_load(&s.have_thread))
        pthread_getschedparam(s.thread, &policy, &sp);
    int lost = native_stop == 2;
    if (!lost)
        jack_deactivate(s.client);
    uint64_t n = atomic_load(&s.callbacks);
    uint64_t rec = n < s.cap ? n : s.cap;
    printf("{\"kind\":\"native-jack\",\"backend\":\"jack\",\"tool\":\"mixx-jack-native\",\"client\":");
    printf("\"%s\",\"sample_rate\":%u,\"buffer_size\":%u,\"self_loop\":%s,\"duration_s\":%.3f,\"server_lost\":%s,"
           "\"interrupted\":%s,\"callbacks\":%llu,\"expected_callbacks\":%.0f,\"recorded\":%llu,\"xruns\":%llu,"
           "\"deadline_misses\":%llu,\"sched\":{\"policy\":%d,\"priority\":%d},",
           lost ? name : jack_get_client_name(s.client), s.rate, buffer, self_loop ? "true" : "false", elapsed,
           lost ? "true" : "false", native_stop == 1 ? "true" : "false", (unsigned long long)n,
           elapsed * s.rate / buffer, (unsigned long long)rec, (unsigned long long)atomic_load(&s.xruns),
           (unsigned long long)s.misses, policy, sp.sched_priority);
    mixx_native_print_dist(stdout, "callback_ns", s.dur_ns, rec);
    printf(",");
    /* the first interval is 0 by definition (no previous cycle) */
    mixx_native_print_dist(stdout, "interval_ns", s.iv_ns + (rec ? 1 : 0), rec ? rec - 1 : 0);
    printf("}\n");
    if (!lost)
        jack_client_close(s.client);
    free(s.dur_ns);
    free(s.iv_ns);
    return lost ? 1 : 0;
}
