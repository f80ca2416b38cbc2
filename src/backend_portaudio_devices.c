/* SPDX-License-Identifier: MIT */
/* backend_portaudio_devices.c: PortAudio's process-wide side: Pa_Initialize/Pa_Terminate (locked, with
 * stderr quietened), host APIs a stream had to be abandoned on, PortAudio errors as engine codes, and the
 * devices: lookup by name or index, availability, listing. Streams are backend_portaudio.c's. */
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

/* ---- PortAudio's global state -----------------------------------------------------------------------
 * Pa_Initialize/Pa_Terminate are reference counted but not thread-safe: one lock for them. */
static pthread_mutex_t pa_global_lock = PTHREAD_MUTEX_INITIALIZER;
/* how long a PortAudio entry waits for that lock before it reports PortAudio as hung (paTimedOut) */
#define PA_LOCK_TIMEOUT_S 5

/* Pa_Initialize probes every host API; on Linux ALSA's configuration code and libjack print dozens of lines
 * to stderr when there is no card or no server. We point fd 2 at /dev/null for the duration of the call
 * (MIXX_PA_VERBOSE=1 keeps the noise). The redirect is process-wide: another thread writing to stderr during
 * those milliseconds is silenced too, which we accept for a control-thread call. */
int mixx__pa_quiet_begin(void)
{
    const char *v = getenv("MIXX_PA_VERBOSE");
    if (v && *v && strcmp(v, "0") != 0)
        return -1;
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    if (saved < 0)
        return -1;
    int nul = open("/dev/null", O_WRONLY);
    if (nul < 0 || dup2(nul, STDERR_FILENO) < 0) {
        if (nul >= 0)
            close(nul);
        close(saved);
        return -1;
    }
    close(nul);
    return saved;
}

void mixx__pa_quiet_end(int saved)
{
    if (saved < 0)
        return;
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
}

/* Set when a Pa_Terminate never returned (pa_close abandoned it): the helper thread running it still holds
 * pa_global_lock and PortAudio's global state is half torn down. From then on no PortAudio call is safe in
 * this process: every entry fails at once instead of waiting on the lock. */
static atomic_int pa_dead;
/* The host API (index) a stream had to be abandoned on (see pa_bounded in backend_portaudio.c): PortAudio
 * stays initialised with that stream inside, and that host API cannot be trusted again in this process
 * (PortAudio 19.6's JACK host API keeps its dead client: every later Pa_OpenStream fails). A bit per index. */
static atomic_uint pa_wedged_apis;
/* The abandoned states stay referenced (not freed, not "leaked"): PortAudio may still hold pointers to them. */
static _Atomic(void *) pa_abandoned[8];

/* pa_global_lock, bounded (PA_LOCK_TIMEOUT_S; at once once PortAudio is dead): a helper thread stuck inside
 * PortAudio may hold it forever. A trylock loop on the monotonic clock (portable, immune to clock steps).
 * Returns 0 or -1. */
static int pa_lock(void)
{
    struct timespec t0, now, nap = {0, 2000000L};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (pthread_mutex_trylock(&pa_global_lock) == 0)
            return 0;
        if (atomic_load(&pa_dead))
            return -1;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - t0.tv_sec >= PA_LOCK_TIMEOUT_S)
            return -1;
        nanosleep(&nap, NULL);
    }
}

/* PortAudio's JACK host API opens and closes a libjack client inside Pa_Initialize / Pa_Terminate: while an
 * abandoned libjack call may hold libjack's lock (sync.h), that would block forever. */
static int pa_libjack_blocked(void)
{
#ifdef MIXX_PA_HAVE_JACK_NAME
    return mixx__libjack_held();
#else
    return 0;
#endif
}

PaError mixx__pa_init(const char *client_name)
{
    if (atomic_load(&pa_dead) || pa_libjack_blocked() || pa_lock() != 0)
        return paTimedOut; /* see mixx__pa_dead() */
#ifdef MIXX_PA_HAVE_JACK_NAME
    /* PaJack keeps the pointer: a static copy. Only read by the first Pa_Initialize of the process. */
    static char jack_name[64];
    if (client_name && *client_name) {
        snprintf(jack_name, sizeof jack_name, "%s", client_name);
        PaJack_SetClientName(jack_name);
    }
#else
    (void)client_name;
#endif
    int q = mixx__pa_quiet_begin();
    PaError err = Pa_Initialize();
    mixx__pa_quiet_end(q);
    pthread_mutex_unlock(&pa_global_lock);
    return err;
}

void mixx__pa_term(void)
{
    if (pa_libjack_blocked() || pa_lock() != 0)
        return; /* PortAudio is dead in this process (mixx__pa_dead), or its JACK host API's close could block
                 * on libjack for good: leave its reference alone */
    int q = mixx__pa_quiet_begin();
    Pa_Terminate();
    mixx__pa_quiet_end(q);
    pthread_mutex_unlock(&pa_global_lock);
}

void mixx__pa_abandon(void *s, PaHostApiIndex api, int in_terminate)
{
    atomic_fetch_or(&pa_wedged_apis, 1u << ((unsigned)api & 31u));
    if (in_terminate && !atomic_exchange(&pa_dead, 1)) {
#ifdef MIXX_PA_HAVE_JACK_NAME
        mixx__libjack_hold(1); /* the stuck Pa_Terminate may sit in jack_client_close: for good */
#endif
    }
    for (size_t i = 0; i < sizeof pa_abandoned / sizeof pa_abandoned[0]; i++) {
        void *cur = atomic_load(&pa_abandoned[i]);
        if (cur == s)
            break;
        if (!cur && atomic_compare_exchange_strong(&pa_abandoned[i], &cur, s))
            break;
    }
}

int mixx__pa_dead(void)
{
    return atomic_load(&pa_dead);
}

/* PortAudio error -> engine code, with PortAudio's (and the host API's) text in the engine's last error. */
int mixx__pa_fail(struct mixx_engine *e, const char *what, PaError err)
{
    int rc;
    switch (err) {
    case paInvalidDevice:
        rc = MIXX_ENODEVICE;
        break;
    case paInvalidChannelCount:
        rc = MIXX_ECHANNELS;
        break;
    case paInvalidSampleRate:
        rc = MIXX_ERATE;
        break;
    case paInsufficientMemory:
        rc = MIXX_ENOMEM;
        break;
    case paTimedOut:
        rc = MIXX_ETIMEDOUT;
        break;
    case paBadBufferPtr:
    case paNullCallback:
    case paBadStreamPtr:
        rc = MIXX_EINVAL;
        break;
    default:
        rc = MIXX_EDEVICE;
        break;
    }
    if (e) {
        const PaHostErrorInfo *h = err == paUnanticipatedHostError ? Pa_GetLastHostErrorInfo() : NULL;
        if (h && h->errorText && *h->errorText)
            mixx__engine_set_error(e, "PortAudio: %s: %s (host error %ld: %s)", what, Pa_GetErrorText(err),
                                   h->errorCode, h->errorText);
        else
            mixx__engine_set_error(e, "PortAudio: %s: %s (%d)", what, Pa_GetErrorText(err), (int)err);
    }
    return rc;
}

int mixx__pa_api_wedged(PaHostApiIndex api)
{
    return api >= 0 && (atomic_load(&pa_wedged_apis) >> ((unsigned)api & 31u)) & 1u;
}

/* ---- device selection ---------------------------------------------------------------------------------- */

static int pa_is_number(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

/* "<device> [<host API>]": what `mixx devices` prints and --device accepts (as does the bare device name). */
void mixx__pa_device_label(PaDeviceIndex i, char *buf, size_t len)
{
    const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
    const PaHostApiInfo *h = d ? Pa_GetHostApiInfo(d->hostApi) : NULL;
    snprintf(buf, len, "%s [%s]", d && d->name ? d->name : "?", h && h->name ? h->name : "?");
}

/* Finds --device: an index, the full label, the exact device name, else a unique case-insensitive substring. */
int mixx__pa_find_device(struct mixx_engine *e, const char *spec, PaDeviceIndex *out)
{
    int n = Pa_GetDeviceCount();
    if (pa_is_number(spec)) {
        long v = strtol(spec, NULL, 10);
        if (v >= 0 && v < n) {
            *out = (PaDeviceIndex)v;
            return 0;
        }
        mixx__engine_set_error(e, "PortAudio has no device %ld (it has %d; mixx_list_devices lists them)", v,
                               n);
        return MIXX_ENODEVICE;
    }
    char label[300];
    for (int i = 0; i < n; i++) {
        mixx__pa_device_label(i, label, sizeof label);
        if (strcmp(label, spec) == 0) {
            *out = i;
            return 0;
        }
    }
    for (int i = 0; i < n; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        if (d && d->name && strcmp(d->name, spec) == 0) {
            *out = i;
            return 0;
        }
    }
    int found = -1, matches = 0;
    for (int i = 0; i < n; i++) {
        mixx__pa_device_label(i, label, sizeof label);
        for (char *p = label; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        char want[300];
        snprintf(want, sizeof want, "%s", spec);
        for (char *p = want; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        if (strstr(label, want)) {
            found = i;
            matches++;
        }
    }
    if (matches == 1) {
        *out = found;
        return 0;
    }
    mixx__engine_set_error(e, "PortAudio device '%s' %s (%d devices; mixx_list_devices lists them)", spec,
                           matches ? "is ambiguous" : "not found", n);
    return MIXX_ENODEVICE;
}

/* ---- availability and devices -------------------------------------------------------------------------- */

static void pa_host_apis(char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < Pa_GetHostApiCount() && used + 2 < len; i++) {
        const PaHostApiInfo *h = Pa_GetHostApiInfo(i);
        int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", h && h->name ? h->name : "?");
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

int mixx__pa_available(char *why, size_t why_len)
{
    PaError err = mixx__pa_init(NULL);
    if (err != paNoError) {
        if (why && why_len)
            snprintf(why, why_len, "Pa_Initialize failed: %s", Pa_GetErrorText(err));
        return 0;
    }
    int n = Pa_GetDeviceCount();
    if (n <= 0 && why && why_len) {
        char apis[256];
        pa_host_apis(apis, sizeof apis);
        const char *js = getenv("JACK_DEFAULT_SERVER");
        snprintf(why, why_len,
                 "PortAudio sees no audio devices (host APIs: %s; its JACK host API needs a running server, "
                 "JACK_DEFAULT_SERVER %s%s%s)",
                 apis, js ? "= '" : "is unset", js ? js : "", js ? "'" : "");
    }
    mixx__pa_term();
    return n > 0;
}

int mixx__pa_list_devices(mixx_device_info *out, size_t cap, size_t *count)
{
    static const double try_rates[] = {44100, 48000, 88200, 96000, 176400, 192000};
    *count = 0;
    PaError err = mixx__pa_init(NULL);
    if (err != paNoError)
        return MIXX_EDEVICE;
    int n = Pa_GetDeviceCount();
    if (n < 0) {
        mixx__pa_term();
        return MIXX_EDEVICE;
    }
    PaDeviceIndex def_in = Pa_GetDefaultInputDevice(), def_out = Pa_GetDefaultOutputDevice();
    int q = mixx__pa_quiet_begin(); /* ALSA complains about every format probe it refuses */
    for (int i = 0; i < n && (size_t)i < cap; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        mixx_device_info *o = &out[i];
        memset(o, 0, sizeof *o);
        mixx__pa_device_label(i, o->name, sizeof o->name);
        o->inputs = d->maxInputChannels > 0 ? (uint32_t)d->maxInputChannels : 0;
        o->outputs = d->maxOutputChannels > 0 ? (uint32_t)d->maxOutputChannels : 0;
        o->default_rate = d->defaultSampleRate > 0 ? (uint32_t)lrint(d->defaultSampleRate) : 0;
        o->is_default = i == def_in || i == def_out;
        size_t k = 0;
        for (size_t r = 0; r < sizeof try_rates / sizeof try_rates[0] && k < 7; r++) {
            PaStreamParameters p;
            memset(&p, 0, sizeof p);
            p.device = i;
            p.sampleFormat = paFloat32 | paNonInterleaved;
            if (o->outputs) {
                p.channelCount = 1;
                p.suggestedLatency = d->defaultLowOutputLatency;
                err = Pa_IsFormatSupported(NULL, &p, try_rates[r]);
            } else {
                p.channelCount = 1;
                p.suggestedLatency = d->defaultLowInputLatency;
                err = Pa_IsFormatSupported(&p, NULL, try_rates[r]);
            }
            if (err == paFormatIsSupported)
                o->rates[k++] = (uint32_t)try_rates[r];
        }
    }
    mixx__pa_quiet_end(q);
    *count = (size_t)n;
    mixx__pa_term();
    return 0;
}
