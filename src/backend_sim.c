/* SPDX-License-Identifier: MIT */
/* backend_sim.c: the simulated loopback device, backend "sim". A device thread clocked by
 * clock_nanosleep(TIMER_ABSTIME) at period boundaries runs the engine like a duplex interface and feeds each
 * output channel back to the same-numbered input through a modelled loop: sim_periods whole periods of device
 * buffering plus a (possibly fractional) extra delay, gain, polarity, white noise; with fault injection.
 *
 * Round trip (ground truth): output frame g reappears as input frame g + sim_periods * buffer + extra.
 * Fractional delays use a Kaiser-windowed sinc kernel of up to 2 * SIM_HALF_TAPS taps. The kernel needs
 * SIM_HALF_TAPS - 1 frames of look-ahead inside the whole-period delay; when the loop is too short for that the
 * kernel shrinks (documented in docs/sim.md). Integer delays are exact copies (bit-exact). */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "mixxengine/dsp.h"
#include "prefault.h"
#include "rt_text.h"

#define SIM_HALF_TAPS 32
#define SIM_MAX_TAPS (2 * SIM_HALF_TAPS)
#define SIM_SLIP_ROOM 65536u /* history kept beyond the nominal loop for slips */

typedef struct sim_state {
    struct mixx_engine *engine;
    uint32_t rate, buffer, n_in, n_out, n_loop;
    uint32_t periods;
    double extra;
    float gain;
    double noise_rms;
    uint32_t stall_us, stall_every;
    double fail_after_s;
    uint32_t slip_frames;
    uint64_t slipped;         /* frames the loop has slipped by so far */
    uint64_t t0;              /* device clock origin, set by sim_start */

    /* loop model */
    uint64_t delay_int;       /* floor of the current total delay */
    int taps;                 /* 0: integer delay, else 2 * half taps */
    int half;
    float kernel[SIM_MAX_TAPS];
    float **line;             /* per loop channel, power-of-two circular history of output samples */
    uint64_t line_mask;

    float **in, **out;        /* device buffers handed to the engine */
    uint64_t rng;

    pthread_t thread;
    int thread_started;
    atomic_int run;
} sim_state;

/* ---- the loop model ------------------------------------------------------------------------------ */

static double bessel_i0(double x)
{
    double sum = 1.0, term = 1.0, q = x * x / 4.0;
    for (int k = 1; k < 50; k++) {
        term *= q / ((double)k * (double)k);
        sum += term;
        if (term < sum * 1e-17)
            break;
    }
    return sum;
}

/* Kernel h[j + half - 1] for taps j = -half+1 .. half applied as y[n] = sum x[n - I - j] h: a Kaiser-windowed
 * sinc sampled at j - frac. Normalised to unit DC gain. */
static void sim_make_kernel(sim_state *s, double frac, int half)
{
    const double beta = 9.0;
    double sum = 0;
    s->half = half;
    s->taps = 2 * half;
    for (int j = -half + 1; j <= half; j++) {
        double t = (double)j - frac;
        double sinc = fabs(t) < 1e-12 ? 1.0 : sin(M_PI * t) / (M_PI * t);
        double r = t / (double)half;
        double w = fabs(r) >= 1.0 ? 0.0 : bessel_i0(beta * sqrt(1.0 - r * r)) / bessel_i0(beta);
        double h = sinc * w;
        s->kernel[j + half - 1] = (float)h;
        sum += h;
    }
    for (int k = 0; k < s->taps; k++)
        s->kernel[k] = (float)(s->kernel[k] / sum);
}

static void sim_set_delay(sim_state *s, double total)
{
    double ip = floor(total);
    double frac = total - ip;
    s->delay_int = (uint64_t)ip;
    if (frac < 1e-9) {
        s->taps = 0;
        return;
    }
    /* look-ahead available: delay_int - buffer frames (see the header comment) */
    int64_t room = (int64_t)s->delay_int - (int64_t)s->buffer + 1;
    int half = room < SIM_HALF_TAPS ? (int)room : SIM_HALF_TAPS;
    if (half < 1)
        half = 1;
    sim_make_kernel(s, frac, half);
}

static double sim_gauss(sim_state *s)
{
    /* xorshift64* then Box-Muller: deterministic, no syscalls, realtime-safe */
    double u[2];
    for (int i = 0; i < 2; i++) {
        s->rng ^= s->rng >> 12;
        s->rng ^= s->rng << 25;
        s->rng ^= s->rng >> 27;
        uint64_t r = s->rng * 2685821657736338717ull;
        u[i] = ((double)(r >> 11) + 0.5) * (1.0 / 9007199254740992.0);
    }
    return sqrt(-2.0 * log(u[0])) * cos(2.0 * M_PI * u[1]);
}

/* Fill input block starting at global frame g0 from the loop history. */
MIXX_RT_TEXT
static void sim_read_inputs(sim_state *s, uint64_t g0, uint32_t n)
{
    for (uint32_t c = 0; c < s->n_in; c++) {
        float *dst = s->in[c];
        if (c >= s->n_loop) {
            memset(dst, 0, n * sizeof(float));
            continue;
        }
        const float *line = s->line[c];
        for (uint32_t i = 0; i < n; i++) {
            uint64_t g = g0 + i;
            float y;
            if (s->taps == 0) {
                y = g >= s->delay_int ? line[(g - s->delay_int) & s->line_mask] : 0.0f;
            } else {
                double acc = 0;
                for (int k = 0; k < s->taps; k++) {
                    int j = k - s->half + 1;
                    int64_t src = (int64_t)g - (int64_t)s->delay_int - j;
                    if (src >= 0)
                        acc += (double)line[(uint64_t)src & s->line_mask] * s->kernel[k];
                }
                y = (float)acc;
            }
            if (s->noise_rms > 0)
                y += (float)(s->noise_rms * sim_gauss(s));
            dst[i] = y;
        }
    }
}

MIXX_RT_TEXT
static void sim_write_outputs(sim_state *s, uint64_t g0, uint32_t n)
{
    for (uint32_t c = 0; c < s->n_loop; c++) {
        float *line = s->line[c];
        const float *src = s->out[c];
        if (s->gain == 1.0f) {
            for (uint32_t i = 0; i < n; i++)
                line[(g0 + i) & s->line_mask] = src[i];
        } else {
            for (uint32_t i = 0; i < n; i++)
                line[(g0 + i) & s->line_mask] = src[i] * s->gain;
        }
    }
}

/* ---- the device thread ------------------------------------------------------------------------- */

static struct timespec ns_to_ts(uint64_t ns)
{
    struct timespec t = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
    return t;
}

MIXX_RT_TEXT
static void sim_sleep_until(uint64_t ns)
{
    struct timespec t = ns_to_ts(ns);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
        ;
}

/* Waits for a period boundary in slices of at most 20 ms, returning early once stop() cleared `run`: a period
 * can be long (8192 frames at 1 Hz is over two hours) and stop() must not wait it out (found by
 * fuzz/fuzz_api.c). A period under 20 ms is one sleep, as before. An injected stall is not cut short: it models
 * a callback that overruns, which nothing interrupts either. */
#define SIM_WAIT_SLICE_NS 20000000ull
MIXX_RT_TEXT
static void sim_wait_period(sim_state *s, uint64_t ns)
{
    for (;;) {
        uint64_t now = mixx__now_ns();
        if (now >= ns || !atomic_load_explicit(&s->run, memory_order_acquire))
            return;
        sim_sleep_until(ns - now > SIM_WAIT_SLICE_NS ? now + SIM_WAIT_SLICE_NS : ns);
    }
}

/* The catch-up bound: late periods run back to back as long as every SIM_CATCHUP_MAX of them bring the thread
 * closer to the clock; when they do not, the backlog is dropped and the device rests SIM_CATCHUP_REST_NS
 * (tests/test_sim.c: test_runaway_clock_is_bounded; test_callback_count: a late wake-up still runs every period). */
#define SIM_CATCHUP_MAX 16u
#define SIM_CATCHUP_REST_NS 2000000ull

/* The index of the period in progress `ns` after the device clock's start (no overflow for any rate/uptime). */
MIXX_RT_TEXT
static uint64_t sim_period_at(const sim_state *s, uint64_t ns)
{
    uint64_t frames = ns / 1000000000ull * s->rate + ns % 1000000000ull * s->rate / 1000000000ull;
    return frames / s->buffer;
}

MIXX_RT_TEXT
static void *sim_thread_main(void *arg)
{
    sim_state *s = arg;
    pthread_setname_np(pthread_self(), "mixx-sim");
    mixx_dsp_denormals_off(); /* FTZ/DAZ for this audio thread (docs/dsp.md) */
    const uint64_t t0 = s->t0; /* the device clock started when start() was called, not when we got the CPU */
    const uint64_t fail_ns = s->fail_after_s > 0 ? (uint64_t)(s->fail_after_s * 1e9) : 0;
    const uint64_t frame_ns_num = 1000000000ull;
    int policy;
    struct sched_param sp;
    if (pthread_getschedparam(pthread_self(), &policy, &sp) == 0) /* before the realtime loop */
        mixx__engine_audio_thread(s->engine, policy, sp.sched_priority);
    uint32_t behind = 0;  /* periods run back to back, each already due when we came to it */
    uint64_t backlog0 = 0; /* how late the first of them was */
    for (uint64_t k = 0; atomic_load_explicit(&s->run, memory_order_acquire); k++) {
        /* period k's input is complete at the end of period k; its output is due one period later */
        uint64_t wake = t0 + (k * s->buffer + s->buffer) * frame_ns_num / s->rate;
        uint64_t now = mixx__now_ns();
        if (now < wake)
            behind = 0;
        else if (behind++ == 0)
            backlog0 = now - wake;
        if (behind > SIM_CATCHUP_MAX && now - wake < backlog0) {
            behind = 1; /* catching up (after a late wake-up): every period still runs, as before */
            backlog0 = now - wake;
        } else if (behind > SIM_CATCHUP_MAX) {
            /* SIM_CATCHUP_MAX periods back to back and no closer: the device clock runs away from us (a
             * rate/buffer no machine keeps up with, or a stall every cycle). Drop the backlog, as a real device
             * drops what nobody fetched, count each dropped period as an xrun, and rest before the next one so
             * the thread never spins on a core for good */
            uint64_t k_new = sim_period_at(s, now + SIM_CATCHUP_REST_NS - t0);
            if (k_new > k) {
                uint64_t dropped = k_new - k;
                mixx__engine_add_xruns(s->engine, dropped > UINT32_MAX ? UINT32_MAX : (uint32_t)dropped);
                k = k_new;
                wake = t0 + (k * s->buffer + s->buffer) * frame_ns_num / s->rate;
            }
            behind = 0;
        }
        uint64_t g0 = k * s->buffer;
        uint64_t deadline = t0 + (g0 + 2ull * s->buffer) * frame_ns_num / s->rate;
        sim_wait_period(s, wake);
        if (!atomic_load_explicit(&s->run, memory_order_acquire))
            break;
        if (fail_ns && mixx__now_ns() - t0 >= fail_ns) {
            mixx__engine_device_lost(s->engine);
            break;
        }
        /* the device's per-cycle work is realtime code too (rtsan config); the injected stall is not */
        MIXX_RT_ENTER();
        sim_read_inputs(s, g0, s->buffer);
        mixx__engine_cycle(s->engine, (const float *const *)s->in, s->n_in, s->out, s->n_out, s->buffer, 0, 0);
        MIXX_RT_EXIT();
        if (s->stall_every && (k + 1) % s->stall_every == 0)
            sim_sleep_until(mixx__now_ns() + (uint64_t)s->stall_us * 1000ull);
        MIXX_RT_ENTER();
        sim_write_outputs(s, g0, s->buffer);
        if (mixx__now_ns() > deadline) {
            /* the device ran out of output before the callback returned: an xrun, as on hardware */
            mixx__engine_add_xruns(s->engine, 1);
            if (s->slip_frames && s->slipped + s->slip_frames <= SIM_SLIP_ROOM) {
                /* input and output fall out of step: the loop grows, as after a real xrun */
                s->slipped += s->slip_frames;
                sim_set_delay(s, (double)s->periods * s->buffer + s->extra + (double)s->slipped);
            }
        }
        MIXX_RT_EXIT();
    }
    return NULL;
}

/* ---- ops ------------------------------------------------------------------------------------------ */

static void free_channels(float **p, uint32_t n)
{
    if (!p)
        return;
    for (uint32_t i = 0; i < n; i++)
        free(p[i]);
    free(p);
}

static float **alloc_channels(uint32_t n, size_t frames)
{
    float **p = calloc(n ? n : 1, sizeof *p);
    if (!p)
        return NULL;
    for (uint32_t i = 0; i < n; i++) {
        p[i] = mixx__calloc_hot(frames, sizeof(float)); /* written by the device thread from its first cycle */
        if (!p[i]) {
            free_channels(p, i);
            return NULL;
        }
    }
    return p;
}

static void sim_close(void *state)
{
    sim_state *s = state;
    if (!s)
        return;
    free_channels(s->line, s->n_loop);
    free_channels(s->in, s->n_in);
    free_channels(s->out, s->n_out);
    free(s);
}

static int sim_open(struct mixx_engine *e, mixx_device_format *fmt, void **state)
{
    const mixx_config *c = mixx__engine_config(e);
    sim_state *s = calloc(1, sizeof *s);
    if (!s)
        return MIXX_ENOMEM;
    s->engine = e;
    s->rate = c->sample_rate;
    s->buffer = c->buffer_size;
    s->n_in = c->inputs;
    s->n_out = c->outputs;
    s->n_loop = c->inputs < c->outputs ? c->inputs : c->outputs;
    s->periods = c->sim.periods;
    s->extra = c->sim.extra_latency;
    s->gain = (float)(c->sim.gain * (c->sim.invert ? -1.0 : 1.0));
    s->noise_rms = c->sim.snr_db >= 200.0 ? 0.0 : sqrt(0.5) * pow(10.0, -c->sim.snr_db / 20.0);
    s->stall_us = c->sim.faults.stall_us;
    s->stall_every = c->sim.faults.stall_every;
    s->fail_after_s = c->sim.faults.fail_after_s;
    s->slip_frames = c->sim.faults.slip_frames;
    s->rng = 0x9e3779b97f4a7c15ull;
    sim_set_delay(s, (double)s->periods * s->buffer + s->extra);

    /* history: the longest delay (with room for slips) + a block + the kernel, as a power of two */
    uint64_t need = s->delay_int + 2ull * s->buffer + SIM_MAX_TAPS + SIM_SLIP_ROOM;
    uint64_t size = 1;
    while (size < need)
        size <<= 1;
    s->line_mask = size - 1;
    s->line = alloc_channels(s->n_loop, size);
    s->in = alloc_channels(s->n_in, s->buffer);
    s->out = alloc_channels(s->n_out, s->buffer);
    if (!s->line || !s->in || !s->out) {
        sim_close(s);
        return MIXX_ENOMEM;
    }
    fmt->sample_rate = s->rate;
    fmt->buffer_size = s->buffer;
    fmt->inputs = s->n_in;
    fmt->outputs = s->n_out;
    fmt->expected_rtl_frames = (double)s->periods * s->buffer + s->extra;
    atomic_init(&s->run, 0);
    *state = s;
    return 0;
}

static int sim_start(void *state)
{
    sim_state *s = state;
    const mixx_config *c = mixx__engine_config(s->engine);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    int rc = EPERM;
    atomic_store(&s->run, 1);
    s->t0 = mixx__now_ns();
    if (c->rt_priority > 0) {
        struct sched_param sp = {.sched_priority = c->rt_priority};
        pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
        pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
        pthread_attr_setschedparam(&attr, &sp);
        rc = pthread_create(&s->thread, &attr, sim_thread_main, s);
        /* refused (no CAP_SYS_NICE / rtprio limit): run SCHED_OTHER; mixx_stats.sched_policy says so */
    }
    pthread_attr_destroy(&attr);
    if (rc)
        rc = pthread_create(&s->thread, NULL, sim_thread_main, s);
    if (rc) {
        atomic_store(&s->run, 0);
        mixx__engine_set_error(s->engine, "sim: pthread_create: %s", strerror(rc));
        return MIXX_ETHREAD;
    }
    s->thread_started = 1;
    return 0;
}

static int sim_stop(void *state)
{
    sim_state *s = state;
    atomic_store_explicit(&s->run, 0, memory_order_release);
    if (s->thread_started) {
        pthread_join(s->thread, NULL);
        s->thread_started = 0;
    }
    return 0;
}

static int sim_latency(void *state, double *out)
{
    sim_state *s = state;
    *out = (double)s->periods * s->buffer + s->extra;
    return 0;
}

static int sim_list_devices(mixx_device_info *out, size_t cap, size_t *count)
{
    *count = 1;
    if (cap < 1)
        return 0;
    memset(&out[0], 0, sizeof out[0]);
    snprintf(out[0].name, sizeof out[0].name, "sim-loopback");
    out[0].inputs = 64;
    out[0].outputs = 64;
    out[0].default_rate = 48000;
    static const uint32_t rates[] = {44100, 48000, 88200, 96000, 192000};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
        out[0].rates[i] = rates[i];
    out[0].default_buffer = 64;
    out[0].is_default = 1;
    return 0;
}

const mixx_backend_ops mixx_backend_sim_ops = {
    .available = NULL,
    .list_devices = sim_list_devices,
    .open = sim_open,
    .start = sim_start,
    .stop = sim_stop,
    .close = sim_close,
    .latency = sim_latency,
    .set_buffer_size = NULL,
};
