/* SPDX-License-Identifier: MIT */
/* backend_portaudio.h: what the two files of the PortAudio backend share: backend_portaudio.c (streams)
 * and backend_portaudio_devices.c (PortAudio's global state, errors, devices). Control threads only. */
#ifndef MIXX_BACKEND_PORTAUDIO_H
#define MIXX_BACKEND_PORTAUDIO_H

#include <stddef.h>

#include <portaudio.h>

#include "backend.h"

/* Pa_Initialize / Pa_Terminate, reference counted by PortAudio, serialised and quietened here. client_name:
 * the JACK client name PortAudio's JACK host API will use (first initialisation only; may be NULL). */
PaError mixx__pa_init(const char *client_name);
void mixx__pa_term(void);
/* stderr to /dev/null around a noisy PortAudio call (MIXX_PA_VERBOSE=1 keeps it); end(begin()). */
int mixx__pa_quiet_begin(void);
void mixx__pa_quiet_end(int saved);
/* Pa_Initialize / Pa_Terminate, reference counted by PortAudio, serialised and quietened here. mixx__pa_init
 * returns paTimedOut when PortAudio is dead in this process (see mixx__pa_dead) or its lock stayed held
 * for seconds by a call that never returned. */
/* A stream on host API `api` had to be abandoned (a PortAudio call never returned): remember it and keep
 * the state referenced; later opens on that host API are refused. in_terminate: the call that never
 * returned was Pa_Terminate (it holds PortAudio's global lock): PortAudio is dead in this process.
 * Never blocks. */
void mixx__pa_abandon(void *state, PaHostApiIndex api, int in_terminate);
int mixx__pa_api_wedged(PaHostApiIndex api);
/* 1 once a Pa_Terminate was abandoned: every PortAudio entry fails at once (paTimedOut). */
int mixx__pa_dead(void);
/* PortAudio error -> engine code, PortAudio's text in the engine's last error (e may be NULL). */
int mixx__pa_fail(struct mixx_engine *e, const char *what, PaError err);
/* Device by index or (part of) its "host API: name" label. Returns 0 or MIXX_ENODEVICE (detail in e). */
int mixx__pa_find_device(struct mixx_engine *e, const char *spec, PaDeviceIndex *out);
void mixx__pa_device_label(PaDeviceIndex i, char *buf, size_t len);
/* The ops' available() and list_devices(). */
int mixx__pa_available(char *why, size_t why_len);
int mixx__pa_list_devices(mixx_device_info *out, size_t cap, size_t *count);

#endif
