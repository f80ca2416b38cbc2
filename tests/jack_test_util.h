/* SPDX-License-Identifier: MIT */
/* jack_test_util.h: what test_jack.c and test_portaudio.c share: the fixture server's name, private JACK
 * servers started through tests/jack_server.sh (for tests that kill or reconfigure their server), timing.
 * Header-only (static functions); the script path comes from MIXX_JACK_SERVER_SH (set by CMake). */
#ifndef MIXX_JACK_TEST_UTIL_H
#define MIXX_JACK_TEST_UTIL_H

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "mixx_test.h"

#ifndef MIXX_JACK_SERVER_SH
#define MIXX_JACK_SERVER_SH "tests/jack_server.sh"
#endif

/* assert_rc: tests/mixx_test.h */

/* start that must succeed: the failure message carries the backend's detail */
#define assert_start(e)                                                                                      \
    do {                                                                                                     \
        int rc_ = mixx_engine_start_stream(e);                                                               \
        if (rc_ != 0)                                                                                        \
            fail_msg("start returned %s: %s", mixx_error_name(rc_), mixx_engine_last_error(e));             \
    } while (0)

#define jt_now mt_now_s     /* tests/mixx_test.h */
#define jt_sleep mt_sleep_s

/* A server of our own, started and stopped by PID through the script. */
typedef struct jt_server {
    char state[256];
    char name[128];
    long pid;
} jt_server;

/* Servers started and not yet stopped: jt_cleanup() stops them when a failed assertion skipped the test's
 * own cleanup (cmocka longjmps out of the test). */
static char jt_live[8][256]; /* their STATE files (copies: a failed test's stack is gone) */

static inline void jt_server_stop(jt_server *s);

/* Starts a private dummy server (48000 Hz, `buffer` frames). Returns 0 or -1. */
static inline int jt_server_start(jt_server *s, unsigned buffer)
{
    memset(s, 0, sizeof *s);
    /* unique per process and moment: tests may run in parallel under ctest -j */
    static unsigned seq;
    long tag = (long)(jt_now() * 1000) % 100000 * 100 + (long)(seq++ % 100);
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(s->state, sizeof s->state, "%s/mixx-jt-%ld-%ld.state", tmp, (long)getpid(), tag);
    char cmd[1024];
    /* owner = this process: if the test crashes, the server still goes away */
    snprintf(cmd, sizeof cmd, "sh '%s' start '%s' mixxtest-%ld-%ld %u %ld >/dev/null", MIXX_JACK_SERVER_SH, s->state,
             (long)getpid(), tag, buffer, (long)getpid());
    for (size_t i = 0; i < sizeof jt_live / sizeof jt_live[0]; i++)
        if (!jt_live[i][0]) {
            snprintf(jt_live[i], sizeof jt_live[i], "%s", s->state);
            break;
        }
    if (system(cmd) != 0) {
        /* say why before the cleanup removes the server's log */
        snprintf(cmd, sizeof cmd, "echo '--- jackd log:' >&2; cat '%s.log' >&2", s->state);
        if (system(cmd) != 0)
            fprintf(stderr, "(no jackd log)\n");
        return -1;
    }
    FILE *f = fopen(s->state, "r");
    if (!f)
        return -1;
    int ok = fscanf(f, "%ld %127s", &s->pid, s->name) == 2;
    fclose(f);
    return ok ? 0 : -1;
}

/* Restarts a server under the same name (after a kill): the "server came back" case. */
static inline int jt_server_restart(jt_server *s, unsigned buffer)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "sh '%s' stop '%s' && sh '%s' start '%s' '%s' %u %ld >/dev/null", MIXX_JACK_SERVER_SH,
             s->state, MIXX_JACK_SERVER_SH, s->state, s->name, buffer, (long)getpid());
    if (system(cmd) != 0)
        return -1;
    FILE *f = fopen(s->state, "r");
    if (!f)
        return -1;
    int ok = fscanf(f, "%ld %*s", &s->pid) == 1;
    fclose(f);
    return ok ? 0 : -1;
}

static inline void jt_server_stop(jt_server *s)
{
    for (size_t i = 0; i < sizeof jt_live / sizeof jt_live[0]; i++)
        if (s->state[0] && strcmp(jt_live[i], s->state) == 0)
            jt_live[i][0] = '\0';
    if (!s->state[0])
        return;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "sh '%s' stop '%s'", MIXX_JACK_SERVER_SH, s->state);
    if (system(cmd) != 0)
        fprintf(stderr, "jack_server.sh stop %s failed\n", s->state);
    char log[300];
    snprintf(log, sizeof log, "%s.log", s->state);
    unlink(log);
    s->state[0] = '\0';
}

/* Kills the server process (the fault under test); cleanup still goes through jt_server_stop. */
static inline void jt_server_kill(jt_server *s, int sig)
{
    if (s->pid > 0)
        kill((pid_t)s->pid, sig);
}

/* Points libjack (and PortAudio's JACK host API) at server `name`; returns the previous value (static). */
static inline const char *jt_use_server(const char *name)
{
    static char prev[256];
    const char *p = getenv("JACK_DEFAULT_SERVER");
    snprintf(prev, sizeof prev, "%s", p ? p : "");
    if (name && *name)
        setenv("JACK_DEFAULT_SERVER", name, 1);
    else
        unsetenv("JACK_DEFAULT_SERVER");
    return prev;
}

/* The JACK_DEFAULT_SERVER the process started with (the fixture's), restored after every test. */
static char jt_fixture_server[256];

static inline void jt_init(void)
{
    const char *p = getenv("JACK_DEFAULT_SERVER");
    snprintf(jt_fixture_server, sizeof jt_fixture_server, "%s", p ? p : "");
}

/* cmocka teardown for every test: stop leftover private servers, point back at the fixture server. */
static inline int jt_cleanup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof jt_live / sizeof jt_live[0]; i++)
        if (jt_live[i][0]) {
            jt_server s;
            memset(&s, 0, sizeof s);
            memcpy(s.state, jt_live[i], sizeof s.state);
            jt_server_stop(&s);
        }
    jt_use_server(jt_fixture_server);
    return 0;
}

#endif
