/* SPDX-License-Identifier: MIT */
/* backend_jack.h: what the two files of the JACK backend share: backend_jack.c (client, ports, callbacks,
 * open/start/stop/close, devices) and backend_jack_latency.c (the loop's expected round trip, from the
 * connection graph). The state of one JACK client; control and notification threads. */
#ifndef MIXX_BACKEND_JACK_H
#define MIXX_BACKEND_JACK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <jack/jack.h>

#include "backend.h"

#define JACK_MAX_CH 64

typedef struct jack_state {
    struct mixx_engine *engine;
    jack_client_t *client;
    int sched_reported;     /* audio thread only: its scheduling was reported to the engine */
    uint32_t n_in, n_out, max_frames;
    jack_port_t *in_ports[JACK_MAX_CH];
    jack_port_t *out_ports[JACK_MAX_CH];
    _Atomic int dead;       /* server shut down (info-shutdown callback) */
    _Atomic int in_process; /* 1 while jack_process runs: stop() after loss waits for it */
    _Atomic int active;     /* read by notification threads */
    pthread_mutex_t notify_lock; /* libjack runs its notifications on more than one thread: one at a time */
    char server[128];
} jack_state;

static inline int port_connected(jack_port_t *p)
{
    return jack_port_connected(p) > 0;
}

/* Expected round trip in frames; NaN when no input or no output is connected, or the graph cannot say.
 * Control and notification threads only (reads the graph; never the process thread). */
double mixx__jack_expected_rtl(jack_state *s);

#endif
