/* SPDX-License-Identifier: MIT
 * passthrough_gain.c: duplex pass-through with a gain applied in audio_cb, and a UI-safe gain change: the
 * control thread writes the target gain to an atomic, the audio thread reads it and glides towards it.
 * Usage: passthrough_gain [seconds] [backend]   (defaults: 2 s on "sim"; "jack" or "portaudio" for real I/O) */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <mixxengine.h>

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Shared between the control thread (writes target) and the audio thread (everything else). */
struct gain_state {
    _Atomic float target;  /* written by the UI/control thread, read once per callback */
    _Atomic float applied; /* the gain at the end of the last callback, for display */
    float current;         /* audio thread only: where the glide is now */
    float coeff;           /* one-pole smoothing per sample: ~10 ms time constant */
};

/* Audio thread: no allocation, no lock, no printf. out[] already holds a copy of in[]. */
static void gain_audio_cb(const float *const *in, uint32_t n_in, float *const *out, uint32_t n_out,
                          uint32_t n_frames, void *user)
{
    struct gain_state *g = user;
    float target = atomic_load_explicit(&g->target, memory_order_acquire);
    float cur = 0.0f;
    for (uint32_t ch = 0; ch < n_out; ch++) {
        cur = g->current; /* every channel follows the same glide */
        for (uint32_t i = 0; i < n_frames; i++) {
            cur += g->coeff * (target - cur); /* smoothed: a step in target never clicks ("zipper") */
            out[ch][i] *= cur;
        }
    }
    g->current = cur;
    atomic_store_explicit(&g->applied, cur, memory_order_release);
    (void)in;
    (void)n_in;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    mixx_config cfg;
    MIXX_CONFIG_INIT(&cfg); /* defaults: 48000 Hz, 64 frames, 2 in / 2 out, sim backend */
    if (argc > 2 && mixx_backend_from_name(argv[2], &cfg.backend) != MIXX_OK) {
        fprintf(stderr, "unknown backend '%s'\n", argv[2]);
        return 2;
    }
    struct gain_state g = {.current = 1.0f};
    atomic_init(&g.target, 1.0f);
    atomic_init(&g.applied, 1.0f);
    /* set before start, so the audio thread only ever reads it; a device running another rate than asked
     * (JACK) only changes the glide's length a little */
    g.coeff = 1.0f - expf(-1.0f / (0.010f * (float)cfg.sample_rate));
    cfg.audio_cb = gain_audio_cb;
    cfg.user = &g;

    mixx_engine *engine = NULL;
    int rc = mixx_engine_create(&cfg, &engine);
    if (rc == MIXX_OK)
        rc = mixx_engine_start_stream(engine);
    if (rc != MIXX_OK) {
        fprintf(stderr, "start: %s (%s)\n", mixx_strerror(rc), engine ? mixx_engine_last_error(engine) : "");
        mixx_engine_destroy(engine);
        return 1;
    }
    /* The "UI": every 250 ms a new gain, as a slider would send it. */
    const float steps[] = {1.0f, 0.5f, 0.25f, 0.0f, 0.7f};
    int n = (int)(seconds * 4.0);
    for (int i = 0; i < n; i++) {
        float target = steps[i % 5];
        atomic_store_explicit(&g.target, target, memory_order_release);
        nanosleep(&(struct timespec){.tv_nsec = 250 * 1000 * 1000}, NULL);
        printf("target %.2f  applied %.3f\n", target, atomic_load_explicit(&g.applied, memory_order_acquire));
    }
    /* let the glide settle on the last target before stopping, however late this VM wakes the audio thread */
    float want = n > 0 ? steps[(n - 1) % 5] : 1.0f;
    for (int i = 0; i < 500 && fabsf(atomic_load_explicit(&g.applied, memory_order_acquire) - want) > 1e-3f; i++)
        nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
    rc = mixx_engine_stop_stream(engine);
    mixx_stats st;
    if (rc == MIXX_OK && mixx_engine_get_stats(engine, &st, sizeof st) == MIXX_OK)
        printf("%llu callbacks at %u Hz / %u frames, %llu xruns\n", (unsigned long long)st.callbacks,
               st.sample_rate, st.buffer_size, (unsigned long long)st.xruns_backend);
    mixx_engine_destroy(engine);
    /* The glide (10 ms) has long reached the last target: applied tracks what the UI asked for */
    float last = atomic_load_explicit(&g.applied, memory_order_acquire);
    if (rc == MIXX_OK && n > 0 && fabsf(last - steps[(n - 1) % 5]) > 1e-3f) {
        fprintf(stderr, "gain did not reach its target %.2f: %.4f\n", steps[(n - 1) % 5], last);
        return 1;
    }
    return rc == MIXX_OK ? 0 : 1;
}
