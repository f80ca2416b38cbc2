/* SPDX-License-Identifier: MIT */
/* jack_delay_client.c: a test helper: a JACK client whose output is its input delayed by a known number of
 * frames, integer or half-integer (the mean of two neighbouring samples, a linear interpolation that is
 * exactly linear-phase at 0.5). Used by tests/test_rtl_jack.sh to put a known delay into a loop.
 *
 *   jack_delay_client NAME DELAY      ports NAME:in and NAME:out; prints "ready" once active; runs until
 *                                     SIGTERM/SIGINT or the server goes away. DELAY: 0 .. 32767, integer or x.5. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jack/jack.h>

#define HIST 65536u /* power of two, > the largest delay + a period */

static jack_port_t *port_in, *port_out;
static float hist[HIST];
static unsigned long pos;
static unsigned delay_int;
static int half;
static volatile sig_atomic_t quit;

/* y[n] = x[n - D] or (x[n - D] + x[n - D - 1]) / 2: no allocation, no locks (JACK process thread) */
static int delay_process(jack_nframes_t n, void *arg)
{
    (void)arg;
    const float *in = jack_port_get_buffer(port_in, n);
    float *out = jack_port_get_buffer(port_out, n);
    for (jack_nframes_t i = 0; i < n; i++) {
        unsigned long t = pos + i;
        hist[t & (HIST - 1)] = in[i]; /* read before write: in and out may share memory */
        float a = t >= delay_int ? hist[(t - delay_int) & (HIST - 1)] : 0.0f;
        if (half) {
            float b = t >= delay_int + 1 ? hist[(t - delay_int - 1) & (HIST - 1)] : 0.0f;
            a = 0.5f * (a + b);
        }
        out[i] = a;
    }
    pos += n;
    return 0;
}

static void on_signal(int sig)
{
    (void)sig;
    quit = 1;
}

static void on_shutdown(void *arg)
{
    (void)arg;
    quit = 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s NAME DELAY_FRAMES (integer or x.5)\n", argv[0]);
        return 2;
    }
    char *end;
    double d = strtod(argv[2], &end);
    double twice = d * 2.0;
    if (*end || !(d >= 0 && d < HIST / 2) || twice != floor(twice)) {
        fprintf(stderr, "%s: delay must be an integer or half-integer in 0 .. %u\n", argv[0], HIST / 2);
        return 2;
    }
    delay_int = (unsigned)floor(d);
    half = d != floor(d);
    jack_status_t st;
    jack_client_t *c = jack_client_open(argv[1], JackNoStartServer | JackUseExactName, &st);
    if (!c) {
        fprintf(stderr, "%s: cannot open JACK client '%s' (status 0x%x)\n", argv[0], argv[1], (unsigned)st);
        return 1;
    }
    port_in = jack_port_register(c, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    port_out = jack_port_register(c, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    if (!port_in || !port_out) {
        fprintf(stderr, "%s: cannot register ports\n", argv[0]);
        jack_client_close(c);
        return 1;
    }
    /* the history is written by the process thread: touch every page here first, or its first pass through
     * the 256 KiB takes a page fault every 1024 frames and can make the client miss cycles (a dropout in the
     * loop that the meter rightly calls unreliable). volatile: the compiler may not drop the stores. */
    for (size_t i = 0; i < HIST; i += 1024)
        ((volatile float *)hist)[i] = 0.0f;
    jack_set_process_callback(c, delay_process, NULL);
    jack_on_shutdown(c, on_shutdown, NULL);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    if (jack_activate(c)) {
        fprintf(stderr, "%s: cannot activate\n", argv[0]);
        jack_client_close(c);
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    while (!quit)
        usleep(50000);
    jack_deactivate(c);
    jack_client_close(c);
    return 0;
}
