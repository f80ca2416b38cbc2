/* SPDX-License-Identifier: MIT */
/* sync.h: the library's thread helpers (sync.c): condition variables on the monotonic clock with their
 * deadlines, and a blocking call run with a timeout. Never used on the audio thread. */
#ifndef MIXX_SYNC_H
#define MIXX_SYNC_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

/* Initialises *c to time out on MIXX_COND_CLOCK (CLOCK_MONOTONIC; macOS condvars only know CLOCK_REALTIME).
 * Returns pthread_cond_init's result. Control thread. */
int mixx__cond_init_monotonic(pthread_cond_t *c);
/* The absolute time `ms` from now on MIXX_COND_CLOCK, for pthread_cond_timedwait. Any thread. */
void mixx__deadline_after_ms(struct timespec *ts, unsigned ms);
#if defined(__APPLE__)
#define MIXX_COND_CLOCK CLOCK_REALTIME
#else
#define MIXX_COND_CLOCK CLOCK_MONOTONIC

#endif

/* Runs fn on a copy of the arg_size bytes at arg in a helper thread and waits at most timeout_ms for it. For
 * library calls that may never return (a dead server's close, PortAudio's stop after device loss): past the
 * timeout the helper thread is abandoned, never joined, and frees its own record when fn returns, if ever.
 * Returns 0 (*result = fn's return), MIXX_ETIMEDOUT (abandoned), MIXX_ENOMEM, MIXX_ETHREAD. Control thread. */
int mixx__call_with_timeout(int (*fn)(void *arg), const void *arg, size_t arg_size, unsigned timeout_ms,
                            int *result);

/* libjack calls that may still be running in abandoned helper threads (a jack_client_close on a lost server;
 * a Pa_Terminate of PortAudio's JACK host API). jack2 holds one process-wide lock for the whole of every
 * jack_client_open/close, so while this is above zero any further open or close may block forever: both
 * backends then bound (or refuse) them. Raise before the call starts, lower when it returns (a call that never
 * returns keeps it raised for the life of the process); a close on a live server raises it only once it is
 * abandoned (backend_jack.c, jack_job_run). Any thread but the audio thread. */
void mixx__libjack_hold(int delta);
int mixx__libjack_held(void);

/* Fault injection, test builds only (cmake -DMIXX_FAULT_HOOKS=ON; docs/reliability.md): when `site` is named in
 * MIXX_FAULT_STALL (comma-separated: pa_stop, pa_close, pa_terminate, jack_open, jack_close, jack_close_live),
 * sleeps MIXX_FAULT_STALL_MS (default 30000) before the real call at that site proceeds, as a hung device or server
 * would. Without the option it compiles to nothing. Only in the helper threads of bounded calls. */
#ifdef MIXX_FAULT_HOOKS
void mixx__fault_stall(const char *site);
#else
#define mixx__fault_stall(site) ((void)0)
#endif

#endif
