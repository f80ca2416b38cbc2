/* SPDX-License-Identifier: MIT
 * params_meters.c: the parameter bus and the meters. The application defines its own parameter ("app.gain_db"),
 * renders it per sample in audio_cb (smoothed by the engine, dB already turned into linear gain), a control
 * thread sets it, and the meters report input and output levels. Usage: params_meters [seconds]   (sim) */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <mixxengine.h>
#include <mixxengine_params.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define GAIN_ID (MIXX_PARAM_APP_ID_MIN + 1)

struct app {
    mixx_engine *engine; /* set before start; audio_cb needs it to render parameters */
    float gain[8192];    /* scratch for one block's gain curve (max_buffer_size frames), pre-faulted in main */
};

/* Audio thread: the engine has applied this block's parameter events before calling us. */
static void app_audio_cb(const float *const *in, uint32_t n_in, float *const *out, uint32_t n_out,
                         uint32_t n_frames, void *user)
{
    struct app *a = user;
    if (mixx_param_render(a->engine, GAIN_ID, a->gain, n_frames) != MIXX_OK)
        return; /* cannot happen with a defined id and this block's n_frames; pass-through if it did */
    for (uint32_t ch = 0; ch < n_out; ch++)
        for (uint32_t i = 0; i < n_frames; i++)
            out[ch][i] *= a->gain[i];
    (void)in;
    (void)n_in;
}

/* Waits until the engine has processed `frames` more frames (audio time, not wall time: a loaded machine may
 * run the audio thread late), at most ~10 s. */
static void wait_frames(mixx_engine *e, uint64_t frames)
{
    uint64_t until = mixx_param_sample_time(e) + frames;
    for (int i = 0; i < 2000 && mixx_param_sample_time(e) < until; i++)
        nanosleep(&(struct timespec){.tv_nsec = 5 * 1000 * 1000}, NULL);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    static struct app a;
    for (size_t i = 0; i < sizeof a.gain / sizeof a.gain[0]; i++) /* touch it now, not on the audio thread */
        ((volatile float *)a.gain)[i] = 1.0f;
    mixx_config cfg;
    MIXX_CONFIG_INIT(&cfg);
    cfg.sim.snr_db = 20.0; /* the simulated input carries noise, so there is something to meter ... */
    cfg.sim.gain = 0.0;    /* ... and only noise: no loop from our outputs back (+6 dB around it would grow) */
    cfg.audio_cb = app_audio_cb;
    cfg.user = &a;
    int rc = mixx_engine_create(&cfg, &a.engine);
    /* parameters are defined while stopped: range, default, unit, smoothing */
    mixx_param_info gain = {.id = GAIN_ID, .flags = MIXX_PARAM_DB, .name = "app.gain_db", .unit = "dB",
                            .min = -60.0, .max = 12.0, .def = 0.0, .smoothing_ms = 20.0};
    if (rc == MIXX_OK)
        rc = mixx_param_define(a.engine, &gain);
    if (rc == MIXX_OK)
        rc = mixx_meters_enable(a.engine, 1);
    if (rc == MIXX_OK)
        rc = mixx_engine_start_stream(a.engine);
    if (rc != MIXX_OK) {
        fprintf(stderr, "start: %s\n", mixx_strerror(rc));
        mixx_engine_destroy(a.engine);
        return 1;
    }
    printf("%u parameters (the channel strip's and ours)\n", mixx_param_count(a.engine));
    const double steps_db[] = {0.0, -6.0, -20.0, 6.0};
    int n = (int)(seconds * 2.0), bad = 0;
    for (int i = 0; i < n; i++) {
        double db = steps_db[i % 4];
        mixx_param_set(a.engine, GAIN_ID, db); /* any thread but the audio thread; wait-free */
        /* the audio thread takes it at its next block (values are floats: these steps are exact) */
        double applied = NAN;
        for (int w = 0; w < 2000; w++) {
            if (mixx_param_get_applied(a.engine, GAIN_ID, &applied) == MIXX_OK && applied == db)
                break;
            nanosleep(&(struct timespec){.tv_nsec = 5 * 1000 * 1000}, NULL);
        }
        wait_frames(a.engine, cfg.sample_rate / 20); /* 50 ms: past the 20 ms glide ... */
        mixx_meter m_in[2], m_out[2];
        mixx_meters_read(a.engine, m_in, 2, m_out, 2); /* ... discard what it covered */
        wait_frames(a.engine, cfg.sample_rate * 4 / 10);
        mixx_meters_read(a.engine, m_in, 2, m_out, 2);
        double ratio_db = 20.0 * log10((double)m_out[0].rms / (double)m_in[0].rms);
        printf("gain %+5.1f dB: in rms %.4f peak %.4f | out rms %.4f peak %.4f (%+.2f dB), %llu frames\n", db,
               m_in[0].rms, m_in[0].peak, m_out[0].rms, m_out[0].peak, ratio_db, (unsigned long long)m_out[0].frames);
        if (m_out[0].frames == 0 || !(fabs(ratio_db - db) <= 0.1)) /* NaN fails too */
            bad++; /* output level = input level x gain, once the glide is over */
    }
    char state[4096];
    size_t len = 0;
    if (mixx_params_save(a.engine, state, sizeof state, &len) == MIXX_OK)
        printf("state (%zu bytes): %.120s...\n", len, state);
    mixx_engine_stop_stream(a.engine);
    mixx_engine_destroy(a.engine);
    return bad == 0 ? 0 : 1;
}
