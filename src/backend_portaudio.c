/* SPDX-License-Identifier: MIT */
/* backend_portaudio.c: the PortAudio backend, "portaudio": one full-duplex float32 non-interleaved stream,
 * framesPerBuffer = the requested buffer size, device by --device NAME|INDEX or PortAudio's defaults.
 * Portable C + POSIX threads only (builds against PortAudio on macOS/CoreAudio as on Linux/ALSA/JACK).
 * PortAudio status flags are counted per kind; Pa_GetStreamInfo latencies give the expected round trip. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <portaudio.h>
#if defined(__has_include)
#if __has_include(<pa_jack.h>)
#include <pa_jack.h>
#define MIXX_PA_HAVE_JACK_NAME 1
#endif
#endif

#include "backend.h"
#include "backend_portaudio.h"
#include "sync.h"
#include "mixxengine/dsp.h"
#include "rt_text.h"

#define PA_MAX_CH 64
#define PA_WATCH_MS 20          /* how often the watchdog looks at the stream */
#define PA_STOP_TIMEOUT_MS 2000 /* a healthy Pa_StopStream takes a few periods */
#define PA_LOST_TIMEOUT_MS 300  /* after device loss, PortAudio's JACK host API blocks forever in stop/close */

typedef struct pa_state {
    struct mixx_engine *engine;
    PaStream *stream;
    uint32_t n_in, n_out, max_frames;
    uint32_t rate, buffer;
    PaHostApiIndex host_api;
    char dev_desc[300];

    /* audio thread writes (single writer), control threads read */
    _Atomic uint64_t in_underflow, in_overflow, out_underflow, out_overflow;
    int sched_reported; /* audio thread only (reset before the stream starts) */

    _Atomic int stopping; /* we asked the stream to stop: its end is not a loss */
    _Atomic int lost;
    int running;
    int wedged; /* a PortAudio call never returned: the stream and this state are abandoned */
    /* Set when the stream is abandoned with its callbacks possibly still running (a Pa_StopStream that hung
     * before stopping anything): from then on pa_callback and pa_finished never touch the engine, which the
     * caller is free to destroy. in_callback counts PortAudio threads inside either (the stream callback and
     * the finished callback may run on different threads), so pa_detach can wait them out. Both seq_cst: each
     * side changes its word, then loads the other's (see pa_detach). */
    atomic_int detached, in_callback;
    atomic_int close_phase; /* how far the bounded close got (pa_job.phase) */

    pthread_t watchdog;
    int watchdog_started;
    _Atomic int watchdog_quit;
} pa_state;

/* ---- bounded PortAudio calls --------------------------------------------------------------------------
 * Some host APIs never return from Pa_StopStream/Pa_CloseStream after the device went away (PortAudio 19.6's
 * JACK host API waits for a process callback that a dead server never delivers). Those calls run in a helper
 * thread; past the timeout the stream is abandoned (leaked) so that stop/destroy return. */
enum { PA_JOB_STOP = 1, PA_JOB_CLOSE = 2, PA_JOB_TERMINATE = 4 };

typedef struct pa_job {
    PaStream *stream;
    int what;
    atomic_int *phase; /* set to PA_JOB_TERMINATE when Pa_Terminate starts (the state outlives an abandon) */
} pa_job;

static int pa_job_run(void *arg)
{
    const pa_job *j = arg;
    PaError err = paNoError;
    /* mixx__fault_stall: test builds only (sync.h), a hang injected before each real call */
    if (j->what & PA_JOB_STOP) {
        mixx__fault_stall("pa_stop");
        err = Pa_StopStream(j->stream);
    }
    if (j->what & PA_JOB_CLOSE) {
        mixx__fault_stall("pa_close");
        PaError e2 = Pa_CloseStream(j->stream);
        if (err == paNoError)
            err = e2;
    }
    if (j->what & PA_JOB_TERMINATE) {
        if (j->phase)
            atomic_store(j->phase, PA_JOB_TERMINATE);
        mixx__fault_stall("pa_terminate");
        mixx__pa_term();
    }
    return err;
}

/* Returns 0 (finished; *err = PortAudio's result), MIXX_ETIMEDOUT (abandoned), MIXX_ENOMEM, MIXX_ETHREAD.
 * Control thread. */
static int pa_bounded(PaStream *stream, int what, atomic_int *phase, unsigned timeout_ms, PaError *err)
{
    pa_job j = {stream, what, phase};
    int r = paNoError;
    int rc = mixx__call_with_timeout(pa_job_run, &j, sizeof j, timeout_ms, &r);
    if (rc == 0)
        *err = r;
    return rc;
}

/* ---- the stream callbacks ------------------------------------------------------------------------------ */

static inline void pa_bump(_Atomic uint64_t *c)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1, memory_order_relaxed);
}

/* PortAudio's audio thread. Realtime-safe: counters, the engine cycle. With paNonInterleaved, input and
 * output are arrays of channel pointers. */
MIXX_RT_TEXT
static int pa_callback(const void *input, void *output, unsigned long frames, const PaStreamCallbackTimeInfo *ti,
                       PaStreamCallbackFlags flags, void *user)
{
    (void)ti;
    pa_state *s = user;
    atomic_fetch_add(&s->in_callback, 1);
    if (atomic_load(&s->detached)) { /* abandoned (pa_detach): the engine may be gone, play silence */
        for (uint32_t c = 0; output && c < s->n_out; c++)
            memset(((float *const *)output)[c], 0, (size_t)frames * sizeof(float));
        atomic_fetch_sub_explicit(&s->in_callback, 1, memory_order_release);
        return paContinue;
    }
    if (!s->sched_reported) { /* once, before the realtime section: the query is a syscall */
        int policy;
        struct sched_param sp;
        if (pthread_getschedparam(pthread_self(), &policy, &sp) == 0)
            mixx__engine_audio_thread(s->engine, policy, sp.sched_priority);
        s->sched_reported = 1;
    }
    MIXX_RT_ENTER();
    mixx_dsp_denormals_off(); /* FTZ/DAZ: every callback, PortAudio may restart its thread */
    /* one xrun per flagged callback, as JACK counts one per glitch (PortAudio's JACK host API raises input
     * overflow and output underflow together for a single server xrun); the kinds are counted apart */
    uint32_t xruns = (flags & (paInputUnderflow | paInputOverflow | paOutputUnderflow | paOutputOverflow)) ? 1 : 0;
    if (flags & paInputUnderflow) {
        pa_bump(&s->in_underflow);
        mixx__engine_count_xrun_kind(s->engine, MIXX_XRUN_IN_UNDERFLOW);
    }
    if (flags & paInputOverflow) {
        pa_bump(&s->in_overflow);
        mixx__engine_count_xrun_kind(s->engine, MIXX_XRUN_IN_OVERFLOW);
    }
    if (flags & paOutputUnderflow) {
        pa_bump(&s->out_underflow);
        mixx__engine_count_xrun_kind(s->engine, MIXX_XRUN_OUT_UNDERFLOW);
    }
    if (flags & paOutputOverflow) {
        pa_bump(&s->out_overflow);
        mixx__engine_count_xrun_kind(s->engine, MIXX_XRUN_OUT_OVERFLOW);
    }
    const float *const *in = (const float *const *)input;
    float *const *out = (float *const *)output;
    if (frames > s->max_frames || (s->n_in && !in) || (s->n_out && !out)) {
        /* beyond the preallocation, or a priming cycle without one side: stay silent, count oversize */
        for (uint32_t c = 0; out && c < s->n_out; c++)
            memset(out[c], 0, (size_t)frames * sizeof(float));
        if (frames > s->max_frames)
            xruns = 1;
        if (xruns)
            mixx__engine_add_xruns(s->engine, xruns);
        MIXX_RT_EXIT();
        atomic_fetch_sub_explicit(&s->in_callback, 1, memory_order_release);
        return paContinue;
    }
    mixx__engine_cycle(s->engine, in, s->n_in, out, s->n_out, (uint32_t)frames, 0, xruns);
    MIXX_RT_EXIT();
    atomic_fetch_sub_explicit(&s->in_callback, 1, memory_order_release);
    return paContinue;
}

/* PortAudio thread: the stream ended. Unless we stopped it, the device is gone. */
static void pa_finished(void *user)
{
    pa_state *s = user;
    atomic_fetch_add(&s->in_callback, 1);
    if (!atomic_load(&s->stopping) && !atomic_load(&s->detached) && !atomic_exchange(&s->lost, 1))
        mixx__engine_device_lost(s->engine);
    atomic_fetch_sub_explicit(&s->in_callback, 1, memory_order_release);
}

/* Not every host API calls the finished callback when the device dies (the JACK one does not): a control-side
 * thread watches Pa_IsStreamActive and reports the loss within PA_WATCH_MS. */
static void *pa_watchdog_main(void *arg)
{
    pa_state *s = arg;
    while (!atomic_load(&s->watchdog_quit)) {
        struct timespec ts = {0, PA_WATCH_MS * 1000000L};
        nanosleep(&ts, NULL);
        if (atomic_load(&s->stopping) || atomic_load(&s->lost))
            continue;
        if (Pa_IsStreamActive(s->stream) != 1 && !atomic_load(&s->stopping)) {
            if (!atomic_exchange(&s->lost, 1))
                mixx__engine_device_lost(s->engine);
        }
    }
    return NULL;
}

/* ---- open / start / stop / close ------------------------------------------------------------------------ */

static int pa_open_stream(pa_state *s, PaDeviceIndex din, PaDeviceIndex dout, double rate, PaError *err)
{
    PaStreamParameters ip, op;
    memset(&ip, 0, sizeof ip);
    memset(&op, 0, sizeof op);
    if (s->n_in) {
        ip.device = din;
        ip.channelCount = (int)s->n_in;
        ip.sampleFormat = paFloat32 | paNonInterleaved;
        ip.suggestedLatency = Pa_GetDeviceInfo(din)->defaultLowInputLatency;
    }
    if (s->n_out) {
        op.device = dout;
        op.channelCount = (int)s->n_out;
        op.sampleFormat = paFloat32 | paNonInterleaved;
        op.suggestedLatency = Pa_GetDeviceInfo(dout)->defaultLowOutputLatency;
    }
    int q = mixx__pa_quiet_begin();
    *err = Pa_OpenStream(&s->stream, s->n_in ? &ip : NULL, s->n_out ? &op : NULL, rate, s->buffer,
                         paClipOff | paDitherOff, pa_callback, s);
    mixx__pa_quiet_end(q);
    return *err == paNoError ? 0 : -1;
}

static int pa_open(struct mixx_engine *e, mixx_device_format *fmt, void **state)
{
    const mixx_config *cfg = mixx__engine_config(e);
    *state = NULL;
    if (cfg->inputs > PA_MAX_CH || cfg->outputs > PA_MAX_CH)
        return MIXX_ECHANNELS;
    pa_state *s = calloc(1, sizeof *s);
    if (!s)
        return MIXX_ENOMEM;
    s->engine = e;
    s->n_in = cfg->inputs;
    s->n_out = cfg->outputs;
    s->max_frames = cfg->max_buffer_size;
    s->buffer = cfg->buffer_size;

    PaError err = mixx__pa_init(cfg->jack.client_name);
    if (err == paTimedOut) {
        if (mixx__pa_dead())
            mixx__engine_set_error(e, "PortAudio is unusable in this process: an earlier stream's Pa_Terminate "
                                   "never returned and was abandoned (restart the process)");
        else
            mixx__engine_set_error(e, "PortAudio cannot initialise now: an abandoned libjack call (a JACK client "
                                   "close on a lost server) may hold libjack, or PortAudio's lock stayed busy "
                                   "for 5 s");
        free(s);
        return MIXX_ETIMEDOUT;
    }
    if (err != paNoError) {
        int rc = mixx__pa_fail(e, "Pa_Initialize", err);
        free(s);
        return rc;
    }
    int rc = 0;
    PaDeviceIndex din = paNoDevice, dout = paNoDevice;
    if (Pa_GetDeviceCount() <= 0) {
        const char *js = getenv("JACK_DEFAULT_SERVER");
        mixx__engine_set_error(e,
                               "PortAudio sees no audio devices (no card; for its JACK host API a server must run: "
                               "JACK_DEFAULT_SERVER %s%s%s)",
                               js ? "= '" : "is unset", js ? js : "", js ? "'" : "");
        rc = MIXX_ENODEVICE;
        goto fail;
    }
    if (cfg->device && *cfg->device) {
        rc = mixx__pa_find_device(e, cfg->device, &din);
        if (rc)
            goto fail;
        dout = din;
    } else {
        din = Pa_GetDefaultInputDevice();
        dout = Pa_GetDefaultOutputDevice();
        if ((s->n_in && din == paNoDevice) || (s->n_out && dout == paNoDevice)) {
            mixx__engine_set_error(e, "PortAudio has no default %s device; choose one (mixx_config.device)",
                                   (s->n_in && din == paNoDevice) ? "input" : "output");
            rc = MIXX_ENODEVICE;
            goto fail;
        }
    }
    const PaDeviceInfo *di = din != paNoDevice ? Pa_GetDeviceInfo(din) : NULL;
    const PaDeviceInfo *dio = dout != paNoDevice ? Pa_GetDeviceInfo(dout) : NULL;
    if ((s->n_in && (!di || (uint32_t)di->maxInputChannels < s->n_in)) ||
        (s->n_out && (!dio || (uint32_t)dio->maxOutputChannels < s->n_out))) {
        char li[300] = "", lo[300] = "";
        if (din != paNoDevice)
            mixx__pa_device_label(din, li, sizeof li);
        if (dout != paNoDevice)
            mixx__pa_device_label(dout, lo, sizeof lo);
        mixx__engine_set_error(e, "%u in / %u out requested; '%s' has %d inputs, '%s' has %d outputs", s->n_in,
                               s->n_out, li, di ? di->maxInputChannels : 0, lo, dio ? dio->maxOutputChannels : 0);
        rc = MIXX_ECHANNELS;
        goto fail;
    }
    if (din == dout || !s->n_in || !s->n_out)
        mixx__pa_device_label(s->n_in ? din : dout, s->dev_desc, sizeof s->dev_desc);
    else {
        char li[300], lo[300];
        mixx__pa_device_label(din, li, sizeof li);
        mixx__pa_device_label(dout, lo, sizeof lo);
        snprintf(s->dev_desc, sizeof s->dev_desc, "%.140s -> %.140s", li, lo);
    }

    s->host_api = Pa_GetDeviceInfo(s->n_out ? dout : din)->hostApi;
    int wedged = mixx__pa_api_wedged(s->host_api);
    if (wedged) {
        const PaHostApiInfo *h = Pa_GetHostApiInfo(s->host_api);
        mixx__engine_set_error(e,
                               "PortAudio's %s host API lost its device earlier in this process and could not be "
                               "closed; it cannot be used again until the process restarts",
                               h && h->name ? h->name : "?");
        rc = MIXX_EDEVICELOST;
        goto fail;
    }

    double rate = cfg->sample_rate;
    if (pa_open_stream(s, din, dout, rate, &err) != 0) {
        /* the device decides its rate (JACK's does): without --strict, take the device's and report it */
        double dev_rate = (s->n_out ? dio : di)->defaultSampleRate;
        if (err == paInvalidSampleRate && dev_rate > 0 && dev_rate != rate) {
            if (cfg->strict) {
                mixx__engine_set_error(e, "%s runs %.0f Hz, %u Hz requested (strict): %s", s->dev_desc, dev_rate,
                                       cfg->sample_rate, Pa_GetErrorText(err));
                rc = MIXX_EMISMATCH;
                s->stream = NULL;
                goto fail;
            }
            rate = dev_rate;
            if (pa_open_stream(s, din, dout, rate, &err) == 0)
                goto opened;
        }
        char what[400];
        snprintf(what, sizeof what, "Pa_OpenStream on %s at %.0f Hz / %u frames", s->dev_desc, rate, s->buffer);
        rc = mixx__pa_fail(e, what, err);
        s->stream = NULL;
        goto fail;
    }
opened:
    Pa_SetStreamFinishedCallback(s->stream, pa_finished);
    const PaStreamInfo *si = Pa_GetStreamInfo(s->stream);
    s->rate = si && si->sampleRate > 0 ? (uint32_t)lrint(si->sampleRate) : (uint32_t)lrint(rate);
    fmt->sample_rate = s->rate;
    fmt->buffer_size = s->buffer;
    fmt->inputs = s->n_in;
    fmt->outputs = s->n_out;
    /* PortAudio's own claim: input latency + output latency of this stream */
    fmt->expected_rtl_frames = si ? (si->inputLatency + si->outputLatency) * s->rate : NAN;
    *state = s;
    return 0;
fail:
    mixx__pa_term();
    free(s);
    return rc;
}

static int pa_start(void *state)
{
    pa_state *s = state;
    atomic_store(&s->stopping, 0);
    atomic_store(&s->lost, 0);
    s->sched_reported = 0; /* Pa_StartStream orders this before the first callback */
    PaError err = Pa_StartStream(s->stream);
    if (err != paNoError)
        return mixx__pa_fail(s->engine, "Pa_StartStream", err);
    s->running = 1;
    atomic_store(&s->watchdog_quit, 0);
    s->watchdog_started = pthread_create(&s->watchdog, NULL, pa_watchdog_main, s) == 0;
    return 0;
}

static void pa_report_flags(pa_state *s)
{
    uint64_t iu = atomic_load(&s->in_underflow), io = atomic_load(&s->in_overflow);
    uint64_t ou = atomic_load(&s->out_underflow), oo = atomic_load(&s->out_overflow);
    /* mixx_stats has them too (input_underflows ...); last_error keeps the sentence for a reader of the log */
    if (iu || io || ou || oo)
        mixx__engine_set_error(s->engine,
                               "PortAudio status flags: input underflow %llu, input overflow %llu, output underflow "
                               "%llu, output overflow %llu",
                               (unsigned long long)iu, (unsigned long long)io, (unsigned long long)ou,
                               (unsigned long long)oo);
}

/* The stream is being abandoned while PortAudio may still run its callbacks (found by test_hang's pa_stop
 * scenario: a Pa_StopStream that hangs before stopping anything left them running into the destroyed engine).
 * No callback enters the engine after this. Dekker-style: we store `detached` then load `in_callback`; a
 * callback increments `in_callback` then loads `detached` (all seq_cst), so a callback we do not see inside sees
 * `detached`. The wait is bounded (0.5 s: an engine cycle takes microseconds). If a callback is still inside
 * then (stuck in the engine, e.g. in the host's audio_cb: the usual reason a stop hangs), the engine is pinned:
 * destroy leaves its memory allocated instead of freeing it under that thread. Control thread. */
static const char *pa_detach(pa_state *s)
{
    atomic_store(&s->detached, 1);
    for (int i = 0; i < 5000 && atomic_load(&s->in_callback); i++) {
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
    if (!atomic_load(&s->in_callback))
        return "";
    mixx__engine_pin(s->engine);
    return "; a callback is still inside the engine, which destroy will leave allocated";
}

static int pa_stop(void *state)
{
    pa_state *s = state;
    if (!s->running)
        return 0;
    atomic_store(&s->stopping, 1);
    if (s->watchdog_started) {
        atomic_store(&s->watchdog_quit, 1);
        pthread_join(s->watchdog, NULL);
        s->watchdog_started = 0;
    }
    s->running = 0;
    if (!s->wedged) {
        PaError err = paNoError;
        unsigned timeout = atomic_load(&s->lost) ? PA_LOST_TIMEOUT_MS : PA_STOP_TIMEOUT_MS;
        if (pa_bounded(s->stream, PA_JOB_STOP, NULL, timeout, &err) != 0) {
            s->wedged = 1;
            const char *pinned = pa_detach(s);
            mixx__pa_abandon(s, s->host_api, 0);
            mixx__engine_set_error(s->engine, "PortAudio: Pa_StopStream on %s did not return within %u ms%s; stream "
                                   "abandoned%s", s->dev_desc, timeout,
                                   atomic_load(&s->lost) ? " after device loss" : "", pinned);
            return 0;
        }
    }
    pa_report_flags(s);
    return 0;
}

static void pa_close(void *state)
{
    pa_state *s = state;
    if (!s)
        return;
    if (s->running)
        pa_stop(s);
    if (s->wedged) {
        /* PortAudio still owns a stream whose callbacks point at s: leak both rather than risk a hang or a
         * use-after-free, and keep PortAudio initialised (Pa_Terminate would try to close that stream) */
        return;
    }
    PaError err = paNoError;
    if (pa_bounded(s->stream, PA_JOB_CLOSE | PA_JOB_TERMINATE, &s->close_phase,
                   atomic_load(&s->lost) ? PA_LOST_TIMEOUT_MS : PA_STOP_TIMEOUT_MS, &err) != 0) {
        /* Pa_CloseStream or Pa_Terminate never returned (seen: jack_client_close inside Pa_Terminate waits
         * forever on a JACK server that is itself blocked writing xrun notifications to this client). Stuck in
         * Pa_Terminate, the helper holds PortAudio's global lock for good: PortAudio is dead in this process. */
        int in_term = atomic_load(&s->close_phase) == PA_JOB_TERMINATE;
        /* the stream was stopped; a no-op unless a host API calls back after Pa_StopStream */
        const char *pinned = pa_detach(s);
        mixx__pa_abandon(s, s->host_api, in_term);
        mixx__engine_set_error(s->engine, "PortAudio: closing %s did not return within %u ms (%s hung in the host "
                               "API); stream abandoned, %s%s", s->dev_desc,
                               atomic_load(&s->lost) ? PA_LOST_TIMEOUT_MS : PA_STOP_TIMEOUT_MS,
                               in_term ? "Pa_Terminate" : "Pa_CloseStream",
                               in_term ? "PortAudio unusable in this process"
                                       : "its host API unusable in this process",
                               pinned);
        return; /* abandoned, as above */
    }
    free(s);
}

static int pa_latency(void *state, double *expected)
{
    pa_state *s = state;
    const PaStreamInfo *si = s && s->stream ? Pa_GetStreamInfo(s->stream) : NULL;
    if (!si)
        return MIXX_EDEVICE;
    *expected = (si->inputLatency + si->outputLatency) * s->rate;
    return 0;
}

const mixx_backend_ops mixx_backend_portaudio_ops = {
    .available = mixx__pa_available,
    .list_devices = mixx__pa_list_devices,
    .open = pa_open,
    .start = pa_start,
    .stop = pa_stop,
    .close = pa_close,
    .latency = pa_latency,
};
