/* SPDX-License-Identifier: MIT
 * hosted.c: hosted mode. The application already has an audio callback (JUCE, a plugin, a game engine ...);
 * it creates the engine with MIXX_BACKEND_HOSTED and calls mixx_engine_process() from that callback. The "host"
 * here is a stand-in that calls its callback once per period from its own thread. Usage: hosted [seconds] */
#define _POSIX_C_SOURCE 200809L /* nanosleep, clock_gettime */
#include <mixxengine.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { RATE = 48000, FRAMES = 256, CHANNELS = 2 };

/* ---- the host's side: its callback type and a device thread calling it ---- */
typedef void (*host_callback)(float **buffers, int channels, int frames, void *ctx);

struct host {
    host_callback cb;
    void *ctx;
    double seconds;
    float storage[CHANNELS][FRAMES];
};

static void *host_device_thread(void *arg)
{
    struct host *h = arg;
    float *buffers[CHANNELS] = {h->storage[0], h->storage[1]};
    long period_ns = (long)FRAMES * 1000000000L / RATE;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    long cycles = (long)(h->seconds * RATE / FRAMES);
    for (long c = 0; c < cycles; c++) {
        for (int i = 0; i < FRAMES; i++) /* "capture": a ramp on channel 0, silence on 1 */
            h->storage[0][i] = (float)i / FRAMES, h->storage[1][i] = 0.0f;
        h->cb(buffers, CHANNELS, FRAMES, h->ctx); /* in place: in and out are the same memory, as in JUCE */
        next.tv_nsec += period_ns;
        if (next.tv_nsec >= 1000000000L)
            next.tv_sec++, next.tv_nsec -= 1000000000L;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
    return NULL;
}

/* ---- the application's side: the host's callback forwards to the engine ---- */
static atomic_int process_errors;

static void app_audio_callback(float **buffers, int channels, int frames, void *ctx)
{
    mixx_engine *engine = ctx;
    int rc = mixx_engine_process(engine, (const float *const *)buffers, (uint32_t)channels, buffers,
                                 (uint32_t)channels, (uint32_t)frames);
    if (rc != MIXX_OK) /* realtime-safe: count, report later from the control thread */
        atomic_fetch_add_explicit(&process_errors, 1, memory_order_relaxed);
}

int main(int argc, char **argv)
{
    struct host h = {.cb = app_audio_callback, .seconds = argc > 1 ? atof(argv[1]) : 1.0};
    mixx_config cfg;
    MIXX_CONFIG_INIT(&cfg); /* defaults for every field, then ours */
    cfg.backend = MIXX_BACKEND_HOSTED;
    cfg.sample_rate = RATE;      /* what the host's device runs */
    cfg.buffer_size = FRAMES;    /* the host's usual block */
    cfg.max_buffer_size = 4096;  /* the largest block the host may ever pass */
    cfg.inputs = cfg.outputs = CHANNELS;

    mixx_engine *engine = NULL;
    int rc = mixx_engine_create(&cfg, &engine);
    if (rc == MIXX_OK)
        rc = mixx_engine_start_stream(engine); /* no device opens: the engine waits for process() calls */
    if (rc != MIXX_OK) {
        fprintf(stderr, "start: %s\n", mixx_strerror(rc));
        mixx_engine_destroy(engine);
        return 1;
    }
    h.ctx = engine;
    pthread_t device;
    if (pthread_create(&device, NULL, host_device_thread, &h) != 0) {
        mixx_engine_destroy(engine);
        return 1;
    }
    pthread_join(device, NULL);
    mixx_engine_stop_stream(engine);

    mixx_stats st;
    mixx_engine_get_stats(engine, &st, sizeof st);
    printf("%llu host callbacks through the engine, callback p99 %.1f us, max %.1f us, %d errors\n",
           (unsigned long long)st.callbacks, st.callback_ns.p99 / 1e3, st.callback_ns.max / 1e3,
           atomic_load(&process_errors));
    /* pass-through: the ramp on channel 0 is still there */
    int intact = h.storage[0][FRAMES - 1] == (float)(FRAMES - 1) / FRAMES;
    mixx_engine_destroy(engine);
    return st.callbacks > 0 && atomic_load(&process_errors) == 0 && intact ? 0 : 1;
}
