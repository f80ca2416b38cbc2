/* SPDX-License-Identifier: MIT */
/* backend_jack_latency.c: the JACK backend's expected round trip, from the connection graph: JACK's own
 * capture + playback model through the hardware, or a walk upstream from our inputs when the loop is closed
 * inside the graph. Reads the graph only; the client and its callbacks live in backend_jack.c. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jack/jack.h>

#include "backend_jack.h"

/* ---- the loop's expected round trip, from the connection graph -------------------------------------------
 * JACK's model is capture latency up to our input + playback latency from our output, and that is right for a
 * loop through the hardware. A loop closed inside the graph (our output -> other clients -> our input) is
 * different: each client on the way is counted on both sides (its latency is in our input's capture latency
 * and in our output's playback latency), and JACK's latency recomputation around a cycle can inflate both
 * further (seen: 1665 claimed for a 397-frame loop through `jack_latent_client 333`). So we walk upstream from
 * our inputs. Where every path leads back to our own outputs through other clients, the expectation is the
 * largest sum of those clients' own latencies on a path, plus the one period of JACK's feedback edge. A
 * client's own latency is its output's capture latency minus its input's; the same difference on the playback
 * side must agree, else the ranges cannot say and the expectation is unknown (NaN). Control and notification
 * threads only (reads the graph; never the process thread). */

#define JACK_WALK_DEPTH 16 /* clients on one path; deeper graphs are "unknown" */

enum { JACK_PATH_LOOP = 0, JACK_PATH_EXTERNAL = 1, JACK_PATH_UNKNOWN = 2 };

/* The longest own-latency sum from our outputs to `port` (an output port feeding the path), in *frames. */
static int jack_walk_upstream(jack_state *s, jack_port_t *port, int depth, uint32_t *frames)
{
    if (jack_port_is_mine(s->client, port)) {
        *frames = 0; /* our own output: the loop is closed inside the graph */
        return JACK_PATH_LOOP;
    }
    int flags = jack_port_flags(port);
    if (flags & (JackPortIsPhysical | JackPortIsTerminal))
        return JACK_PATH_EXTERNAL;
    if (depth >= JACK_WALK_DEPTH)
        return JACK_PATH_UNKNOWN;
    /* the client that owns `port`: its input ports are the next step upstream */
    const char *name = jack_port_name(port);
    const char *colon = name ? strchr(name, ':') : NULL;
    if (!colon || colon == name)
        return JACK_PATH_UNKNOWN;
    char pattern[320];
    int n = snprintf(pattern, sizeof pattern, "^%.*s:", (int)(colon - name), name);
    if (n < 0 || (size_t)n >= sizeof pattern || strpbrk(pattern + 1, ".[]()*+?{}|\\$"))
        return JACK_PATH_UNKNOWN; /* a client name with regex characters: do not guess */
    const char **inputs = jack_get_ports(s->client, pattern, NULL, JackPortIsInput);
    if (!inputs)
        return JACK_PATH_UNKNOWN; /* a source with no inputs: a generator, not a loop */
    jack_latency_range_t out_cap, out_play;
    jack_port_get_latency_range(port, JackCaptureLatency, &out_cap);
    jack_port_get_latency_range(port, JackPlaybackLatency, &out_play);
    int result = JACK_PATH_UNKNOWN, any = 0;
    uint32_t best = 0;
    for (int i = 0; inputs[i] && result != JACK_PATH_EXTERNAL; i++) {
        jack_port_t *in = jack_port_by_name(s->client, inputs[i]);
        const char **src = in ? jack_port_get_all_connections(s->client, in) : NULL;
        if (!src)
            continue; /* an unconnected input carries nothing of ours */
        jack_latency_range_t in_cap, in_play;
        jack_port_get_latency_range(in, JackCaptureLatency, &in_cap);
        jack_port_get_latency_range(in, JackPlaybackLatency, &in_play);
        int64_t own_cap = (int64_t)out_cap.max - (int64_t)in_cap.max;
        int64_t own_play = (int64_t)in_play.max - (int64_t)out_play.max;
        if (own_cap != own_play || own_cap < 0) {
            result = JACK_PATH_UNKNOWN;
            any = 1;
            jack_free(src);
            break;
        }
        for (int k = 0; src[k]; k++) {
            jack_port_t *up = jack_port_by_name(s->client, src[k]);
            uint32_t f = 0;
            int r = up ? jack_walk_upstream(s, up, depth + 1, &f) : JACK_PATH_UNKNOWN;
            if (r == JACK_PATH_EXTERNAL) {
                result = r;
                break;
            }
            if (r == JACK_PATH_UNKNOWN) {
                result = r;
                any = 1;
                continue;
            }
            if (!any || result == JACK_PATH_LOOP) {
                result = JACK_PATH_LOOP;
                if ((uint32_t)own_cap + f > best)
                    best = (uint32_t)own_cap + f;
            }
            any = 1;
        }
        jack_free(src);
    }
    jack_free(inputs);
    *frames = best;
    return result;
}

/* Expected round trip in frames; NaN when no input or no output is connected, or the graph cannot say. */
double mixx__jack_expected_rtl(jack_state *s)
{
    uint32_t cap = 0, play = 0, loop = 0;
    int any_in = 0, any_out = 0, external = 0, unknown = 0;
    for (uint32_t c = 0; c < s->n_in; c++) {
        if (!port_connected(s->in_ports[c]))
            continue;
        jack_latency_range_t r;
        jack_port_get_latency_range(s->in_ports[c], JackCaptureLatency, &r);
        any_in = 1;
        if (r.max > cap)
            cap = r.max;
        const char **src = jack_port_get_all_connections(s->client, s->in_ports[c]);
        for (int k = 0; src && src[k]; k++) {
            jack_port_t *up = jack_port_by_name(s->client, src[k]);
            uint32_t f = 0;
            int w = up ? jack_walk_upstream(s, up, 0, &f) : JACK_PATH_UNKNOWN;
            external |= w == JACK_PATH_EXTERNAL;
            unknown |= w == JACK_PATH_UNKNOWN;
            if (w == JACK_PATH_LOOP && f > loop)
                loop = f;
        }
        if (src)
            jack_free(src);
    }
    for (uint32_t c = 0; c < s->n_out; c++) {
        if (!port_connected(s->out_ports[c]))
            continue;
        jack_latency_range_t r;
        jack_port_get_latency_range(s->out_ports[c], JackPlaybackLatency, &r);
        any_out = 1;
        if (r.max > play)
            play = r.max;
    }
    if (!any_in || !any_out)
        return NAN;
    if (external)
        return (double)cap + (double)play; /* through the hardware: JACK's own model */
    if (unknown)
        return NAN;
    return (double)loop + (double)jack_get_buffer_size(s->client); /* inside the graph: + the feedback edge */
}
