/* SPDX-License-Identifier: MIT */
/* backend_jack.c: the JACK backend, "jack". One JACK client (cfg->jack.client_name) with N input and M output
 * ports; JACK's process thread runs the engine zero-copy on the port buffers. Wiring (--connect-in/out,
 * --self-loop) happens after activation; server loss, xruns and format changes are forwarded to the engine.
 * Never starts a server (JackNoStartServer). Device listing groups the server's ports by client. */
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

#include <jack/jack.h>
#include <jack/thread.h>

#include "backend_jack.h"
#include "mixxengine/dsp.h"
#include "sync.h"
#include "rt_text.h"

/* after server loss jack_client_close talks to a dead socket; it returns at once with jack2, but we never
 * let a library call decide how long stop/close take */
#define JACK_CLOSE_TIMEOUT_MS 1000
/* a close on a live server waits for the server's next graph switch (jack2 bounds that wait at 2 x the client
 * timeout, 1 s with jackd's default -t 500) behind whatever the server's one request thread is doing; past this
 * the server itself is stuck (see jack_quiesce) and the client is abandoned */
#ifndef JACK_LIVE_CLOSE_TIMEOUT_MS /* a diagnostic build may wait longer, to catch a stuck server in a debugger */
#define JACK_LIVE_CLOSE_TIMEOUT_MS 10000
#endif
/* an open while libjack may be held by an abandoned call (see jack_open_stuck) */
#define JACK_STUCK_OPEN_TIMEOUT_MS 5000
/* a status bit of ours, outside jack_status_t's: that bounded open was abandoned */
#define JACK_ST_STUCK 0x40000000u

/* ---- quiet libjack while probing ----------------------------------------------------------------
 * libjack prints "Cannot connect to server socket ..." on every failed open. We keep the last line as the
 * error detail instead and restore whatever error function the host had. Control thread only. */

static pthread_mutex_t jack_quiet_lock = PTHREAD_MUTEX_INITIALIZER;
static char jack_last_msg[256];
static void (*jack_saved_error_fn)(const char *);

static void jack_capture_error(const char *msg)
{
    snprintf(jack_last_msg, sizeof jack_last_msg, "%s", msg ? msg : "");
}

static void jack_quiet_begin(void)
{
    pthread_mutex_lock(&jack_quiet_lock);
    jack_last_msg[0] = '\0';
    jack_saved_error_fn = jack_error_callback;
    jack_set_error_function(jack_capture_error);
}

static void jack_quiet_end(void)
{
    jack_set_error_function(jack_saved_error_fn);
    pthread_mutex_unlock(&jack_quiet_lock);
}

/* The server a client connects to: the configured name (mixx_config.jack_server_name), else what libjack uses. */
static void jack_server_name(const char *configured, char *buf, size_t len)
{
    const char *env = getenv("JACK_DEFAULT_SERVER");
    if (configured && *configured)
        snprintf(buf, len, "%s", configured);
    else
        snprintf(buf, len, "%s", env && *env ? env : "default");
}

/* Explains a failed jack_client_open. Returns the engine code. */
static int jack_open_error(const char *configured, jack_status_t st, char *why, size_t len)
{
    char server[128];
    const char *env = getenv("JACK_DEFAULT_SERVER");
    if (env && !*env)
        env = NULL; /* empty means unset to libjack too */
    jack_server_name(configured, server, sizeof server);
    if ((unsigned)st & JACK_ST_STUCK) {
        snprintf(why, len,
                 "jack_client_open on server '%s' did not return within %u ms: an earlier libjack call (a "
                 "jack_client_close on a lost server, or PortAudio's Pa_Terminate) is still stuck inside libjack "
                 "(it was abandoned); restart the process",
                 server, JACK_STUCK_OPEN_TIMEOUT_MS);
        return MIXX_ETIMEDOUT;
    }
    if (st & JackServerFailed) {
        if (configured && *configured)
            snprintf(why, len, "no JACK server named '%s' is running (the engine never starts one)", server);
        else
            snprintf(why, len,
                     "no JACK server named '%s' is running (JACK_DEFAULT_SERVER %s%s%s); the engine never starts "
                     "one: start e.g. 'jackd -n %s -d dummy', or name the server to use",
                     server, env ? "= '" : "is unset", env ? env : "", env ? "'" : "", server);
        return MIXX_ENOSERVER;
    }
    snprintf(why, len, "jack_client_open failed on server '%s' (status 0x%x%s%s)", server, (unsigned)st,
             jack_last_msg[0] ? ": " : "", jack_last_msg);
    if (st & (JackServerError | JackVersionError | JackShmFailure))
        return MIXX_ENOSERVER;
    return MIXX_EDEVICE;
}

/* jack2 holds one process-wide lock for the whole of every jack_client_open and jack_client_close. A close on a
 * lost server that never returns (seen after a SIGTERMed server, about 1 run in 40 on a loaded VM), or a
 * PortAudio Pa_Terminate stuck inside libjack, keeps that lock: while such a call is pending
 * (mixx__libjack_held, sync.h) every open and close here runs bounded in a helper thread, and once one bounded
 * open has timed out the next ones fail at once instead of leaving a blocked thread each. */
static atomic_int jack_open_stuck;

/* A bounded open or close, shared by the caller and its helper thread. The last of the two to finish frees it;
 * a client that a helper obtains after its caller gave up is closed by the helper. */
typedef struct jack_job {
    char name[128], server[128];
    jack_status_t st;
    jack_client_t *client;
    int close;        /* 1: close `client`; 0: open `name` on `server` */
    int live;         /* a close on a live server while libjack is not held (fault site jack_close_live) */
    void *quiesce_of; /* a close of the engine's client: its jack_state, for jack_quiesce (NULL: a probe) */
    atomic_int finished;
} jack_job;

static void jack_quiesce(jack_client_t *client, void *state);

static jack_client_t *jack_open_direct(const char *name, const char *server, jack_status_t *st)
{
    return server && *server ? jack_client_open(name, JackNoStartServer | JackServerName, st, server)
                             : jack_client_open(name, JackNoStartServer, st);
}

static int jack_job_call(void *arg)
{
    jack_job *j = *(jack_job **)arg;
    if (j->close) {
        mixx__fault_stall(j->live ? "jack_close_live" : "jack_close"); /* test builds only (sync.h) */
        if (j->quiesce_of)
            jack_quiesce(j->client, j->quiesce_of);
        jack_client_close(j->client);
        if (!j->live)
            mixx__libjack_hold(-1); /* raised by jack_job_run before the helper started */
    } else {
        mixx__fault_stall("jack_open");
        j->client = jack_open_direct(j->name, j->server[0] ? j->server : NULL, &j->st);
    }
    if (atomic_exchange(&j->finished, 1)) { /* the caller gave up on us */
        if (!j->close && j->client)
            jack_client_close(j->client);
        if (j->close && j->live)
            mixx__libjack_hold(-1); /* raised by jack_job_run when it gave up */
        free(j);
    }
    return 0;
}

/* Runs j bounded. Returns 0 (done: j's results are valid, the caller frees j), MIXX_ETIMEDOUT (abandoned: j
 * belongs to the helper now), MIXX_ENOMEM or MIXX_ETHREAD (never ran; the caller frees j). */
static int jack_job_run(jack_job *j, unsigned timeout_ms)
{
    /* A close on a lost server, or while libjack is held, counts as holding libjack from before the helper exists:
     * no open may slip in ahead of it. A live close only once it is abandoned: while it runs normally, PortAudio
     * and other engines in the process must not see libjack as held (as with a direct close). */
    int hold_now = j->close && !j->live;
    if (hold_now)
        mixx__libjack_hold(1);
    int ignored;
    int rc = mixx__call_with_timeout(jack_job_call, &j, sizeof j, timeout_ms, &ignored);
    if (rc == MIXX_ETIMEDOUT) {
        int hold_late = j->close && j->live;
        if (hold_late)
            mixx__libjack_hold(1); /* before `finished` is set: the helper lowers it if it ever returns */
        if (atomic_exchange(&j->finished, 1)) {
            rc = 0; /* it finished just as we gave up: the results are there */
            if (hold_late)
                mixx__libjack_hold(-1);
        }
    }
    if ((rc == MIXX_ENOMEM || rc == MIXX_ETHREAD) && hold_now)
        mixx__libjack_hold(-1);
    return rc;
}

static jack_client_t *jack_open_quiet(const char *name, const char *server, jack_status_t *st)
{
    jack_quiet_begin();
    jack_client_t *c = NULL;
    if (!mixx__libjack_held()) {
        atomic_store(&jack_open_stuck, 0);
        c = jack_open_direct(name, server, st);
    } else if (atomic_load(&jack_open_stuck)) {
        *st = (jack_status_t)(JackFailure | JACK_ST_STUCK);
    } else {
        jack_job *j = calloc(1, sizeof *j);
        int rc = MIXX_ENOMEM;
        if (j) {
            snprintf(j->name, sizeof j->name, "%s", name);
            snprintf(j->server, sizeof j->server, "%s", server ? server : "");
            rc = jack_job_run(j, JACK_STUCK_OPEN_TIMEOUT_MS);
        }
        if (rc == 0) {
            c = j->client;
            *st = j->st;
        } else if (rc == MIXX_ETIMEDOUT) {
            atomic_store(&jack_open_stuck, 1);
            *st = (jack_status_t)(JackFailure | JACK_ST_STUCK);
        } else {
            *st = JackFailure;
        }
        if (rc != MIXX_ETIMEDOUT)
            free(j);
    }
    jack_quiet_end();
    return c;
}

/* jack_client_close, always in a helper thread and bounded: a live server can wedge too (see jack_quiesce).
 * `state`: the engine client's jack_state (its notifications are quiesced first), NULL for a probe client.
 * *timeout_ms (out, may be NULL): the bound used. Returns 1 if the close was abandoned (the client and the
 * helper thread are left to libjack). Control thread. */
static int jack_close_bounded(jack_client_t *client, int server_lost, void *state, unsigned *timeout_ms)
{
    int live = !server_lost && !mixx__libjack_held();
    unsigned ms = live ? JACK_LIVE_CLOSE_TIMEOUT_MS : JACK_CLOSE_TIMEOUT_MS;
    if (timeout_ms)
        *timeout_ms = ms;
    jack_job *j = calloc(1, sizeof *j);
    int rc = MIXX_ENOMEM;
    if (j) {
        j->close = 1;
        j->live = live;
        j->quiesce_of = server_lost ? NULL : state;
        j->client = client;
        rc = jack_job_run(j, ms);
        if (rc != MIXX_ETIMEDOUT)
            free(j);
    }
    if ((rc == MIXX_ENOMEM || rc == MIXX_ETHREAD) && live) {
        /* no helper: a live, unheld close is called directly, as it always was before closes were bounded */
        if (state)
            jack_quiesce(client, state);
        jack_client_close(client);
        return 0;
    }
    return rc != 0; /* a lost or held close without a helper: left alone rather than risk a hang */
}

/* ---- callbacks ------------------------------------------------------------------------------------ */

/* JACK's process thread. Realtime-safe: port buffers, two clock reads, the engine cycle. */
MIXX_RT_TEXT
static int jack_process(jack_nframes_t n, void *arg)
{
    jack_state *s = arg;
    if (!s->sched_reported) { /* once, before the realtime section: the query is a syscall */
        int policy;
        struct sched_param sp;
        if (pthread_getschedparam(pthread_self(), &policy, &sp) == 0)
            mixx__engine_audio_thread(s->engine, policy, sp.sched_priority);
        s->sched_reported = 1;
    }
    MIXX_RT_ENTER();
    mixx_dsp_denormals_off(); /* FTZ/DAZ: every cycle, JACK may hand the process callback to a new thread */
    atomic_store_explicit(&s->in_process, 1, memory_order_release);
    const float *in[JACK_MAX_CH];
    float *out[JACK_MAX_CH];
    for (uint32_t c = 0; c < s->n_in; c++)
        in[c] = jack_port_get_buffer(s->in_ports[c], n);
    for (uint32_t c = 0; c < s->n_out; c++)
        out[c] = jack_port_get_buffer(s->out_ports[c], n);
    if (n > s->max_frames) {
        /* the server switched past what the engine preallocated: stay silent and count every such cycle */
        for (uint32_t c = 0; c < s->n_out; c++)
            memset(out[c], 0, (size_t)n * sizeof(float));
        mixx__engine_add_xruns(s->engine, 1);
    } else {
        /* deadline: the start of the next cycle, moved from JACK's clock (jack_get_time) to CLOCK_MONOTONIC
         * through the offset between the two right now */
        uint64_t deadline = 0;
        jack_nframes_t cur_frames;
        jack_time_t cur_us, next_us;
        float period_us;
        if (jack_get_cycle_times(s->client, &cur_frames, &cur_us, &next_us, &period_us) == 0) {
            jack_time_t jnow = jack_get_time();
            uint64_t now = mixx__now_ns();
            deadline = next_us > jnow ? now + (uint64_t)(next_us - jnow) * 1000u : now;
        }
        mixx__engine_cycle(s->engine, in, s->n_in, out, s->n_out, n, deadline, 0);
    }
    atomic_store_explicit(&s->in_process, 0, memory_order_release);
    MIXX_RT_EXIT();
    return 0;
}

/* Notification thread (jack2), not realtime. */
static int jack_xrun_cb(void *arg)
{
    jack_state *s = arg;
    mixx__engine_add_xruns(s->engine, 1);
    return 0;
}

static void jack_unlock_cleanup(void *lock)
{
    pthread_mutex_unlock(lock);
}

/* format_changed also re-reads latency(): serialised, since libjack may call these from different threads.
 * jack_client_close cancels libjack's notification thread (pthread_cancel), possibly inside a libjack call
 * made from here: the cleanup handler releases the lock in that case. */
static void jack_notify_format(jack_state *s, uint32_t rate, uint32_t buffer)
{
    /* no cancellation inside (libjack's notification thread is cancelled asynchronously by
     * jack_client_close): the engine's format seqlock window and the lock must complete; a pending cancel
     * takes effect when the old state is restored */
    int old_state;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old_state);
    pthread_mutex_lock(&s->notify_lock);
    pthread_cleanup_push(jack_unlock_cleanup, &s->notify_lock);
    mixx__engine_format_changed(s->engine, rate, buffer);
    pthread_cleanup_pop(1);
    pthread_setcancelstate(old_state, NULL);
}

static int jack_buffer_size_cb(jack_nframes_t n, void *arg)
{
    jack_notify_format(arg, 0, n);
    return 0;
}

static int jack_sample_rate_cb(jack_nframes_t rate, void *arg)
{
    jack_notify_format(arg, rate, 0);
    return 0;
}

/* Connections changed: port latencies may have too (format_changed re-asks latency()). */
static int jack_graph_order_cb(void *arg)
{
    jack_state *s = arg;
    if (atomic_load(&s->active) && !atomic_load(&s->dead))
        jack_notify_format(s, 0, 0);
    return 0;
}

/* Called by libjack when the server goes away. May run on any libjack thread: flags only. */
static void jack_shutdown_cb(jack_status_t code, const char *reason, void *arg)
{
    (void)code;
    (void)reason;
    jack_state *s = arg;
    atomic_store(&s->dead, 1);
    mixx__engine_device_lost(s->engine);
}

/* ---- latency (the graph walk: backend_jack_latency.c) ------------------------------------------- */

static int jack_latency(void *state, double *expected)
{
    jack_state *s = state;
    if (!s || !s->client || atomic_load(&s->dead))
        return MIXX_EDEVICELOST;
    *expected = mixx__jack_expected_rtl(s);
    return 0;
}

/* ---- open / start / stop / close ------------------------------------------------------------------- */

static int jack_close_client(jack_state *s);

static int jack_open(struct mixx_engine *e, mixx_device_format *fmt, void **state)
{
    const mixx_config *cfg = mixx__engine_config(e);
    *state = NULL;
    if (cfg->inputs > JACK_MAX_CH || cfg->outputs > JACK_MAX_CH)
        return MIXX_ECHANNELS;
    jack_state *s = calloc(1, sizeof *s);
    if (!s)
        return MIXX_ENOMEM;
    s->engine = e;
    pthread_mutex_init(&s->notify_lock, NULL);
    s->n_in = cfg->inputs;
    s->n_out = cfg->outputs;
    s->max_frames = cfg->max_buffer_size;
    jack_server_name(cfg->jack_server_name, s->server, sizeof s->server);

    jack_status_t st = 0;
    const char *name = cfg->jack.client_name && *cfg->jack.client_name ? cfg->jack.client_name : "mixxengine";
    /* libjack refuses a long name with a status that looks like a server failure: say what is wrong instead */
    size_t name_max = (size_t)jack_client_name_size(); /* includes the terminating NUL */
    if (strlen(name) >= name_max) {
        mixx__engine_set_error(e, "JACK client name is %zu characters; JACK allows at most %zu", strlen(name),
                               name_max - 1);
        pthread_mutex_destroy(&s->notify_lock);
        free(s);
        return MIXX_EINVAL;
    }
    s->client = jack_open_quiet(name, cfg->jack_server_name, &st);
    if (!s->client) {
        char why[512];
        int rc = jack_open_error(cfg->jack_server_name, st, why, sizeof why);
        mixx__engine_set_error(e, "%s", why);
        pthread_mutex_destroy(&s->notify_lock);
        free(s);
        return rc;
    }
    int rc = 0;
    if (jack_set_process_callback(s->client, jack_process, s) || jack_set_xrun_callback(s->client, jack_xrun_cb, s) ||
        jack_set_buffer_size_callback(s->client, jack_buffer_size_cb, s) ||
        jack_set_sample_rate_callback(s->client, jack_sample_rate_cb, s) ||
        jack_set_graph_order_callback(s->client, jack_graph_order_cb, s)) {
        mixx__engine_set_error(e, "could not install JACK callbacks on client '%s'", jack_get_client_name(s->client));
        rc = MIXX_EDEVICE;
        goto fail;
    }
    jack_on_info_shutdown(s->client, jack_shutdown_cb, s);

    for (uint32_t c = 0; c < s->n_in && !rc; c++) {
        char pn[32];
        snprintf(pn, sizeof pn, "in_%u", c + 1);
        s->in_ports[c] = jack_port_register(s->client, pn, JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
        if (!s->in_ports[c]) {
            mixx__engine_set_error(e, "could not register JACK port %s:%s", jack_get_client_name(s->client), pn);
            rc = MIXX_EDEVICE;
        }
    }
    for (uint32_t c = 0; c < s->n_out && !rc; c++) {
        char pn[32];
        snprintf(pn, sizeof pn, "out_%u", c + 1);
        s->out_ports[c] = jack_port_register(s->client, pn, JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
        if (!s->out_ports[c]) {
            mixx__engine_set_error(e, "could not register JACK port %s:%s", jack_get_client_name(s->client), pn);
            rc = MIXX_EDEVICE;
        }
    }
    if (rc)
        goto fail;

    fmt->sample_rate = jack_get_sample_rate(s->client);
    fmt->buffer_size = jack_get_buffer_size(s->client);
    fmt->inputs = s->n_in;
    fmt->outputs = s->n_out;
    fmt->expected_rtl_frames = NAN; /* known once wired, in start() */
    *state = s;
    return 0;
fail:
    if (jack_close_client(s))
        return rc; /* abandoned: s stays allocated, as the client whose callbacks point at it does */
    pthread_mutex_destroy(&s->notify_lock);
    free(s);
    return rc;
}

/* Connects `spec` (comma-separated JACK port names, by channel) to/from our ports. Control thread. */
static int jack_wire(jack_state *s, const char *spec, int to_inputs)
{
    uint32_t n = to_inputs ? s->n_in : s->n_out;
    jack_port_t **ports = to_inputs ? s->in_ports : s->out_ports;
    const char *p = spec;
    for (uint32_t c = 0; *p; c++) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char other[320];
        if (len >= sizeof other) {
            mixx__engine_set_error(s->engine, "JACK port name too long in '%s'", spec);
            return MIXX_EINVAL;
        }
        memcpy(other, p, len);
        other[len] = '\0';
        p += len + (comma ? 1 : 0);
        if (len == 0) /* "a,,b": leave that channel unconnected */
            continue;
        if (c >= n) {
            mixx__engine_set_error(s->engine, "jack.connect_%s names more ports than the %u %s channels",
                                   to_inputs ? "in" : "out", n, to_inputs ? "input" : "output");
            return MIXX_ECHANNELS;
        }
        const char *mine = jack_port_name(ports[c]);
        if (!jack_port_by_name(s->client, other)) {
            mixx__engine_set_error(s->engine, "no JACK port '%s' on server '%s' (see jack_lsp)", other, s->server);
            return MIXX_ENODEVICE;
        }
        int r = to_inputs ? jack_connect(s->client, other, mine) : jack_connect(s->client, mine, other);
        if (r != 0 && r != EEXIST) {
            mixx__engine_set_error(s->engine, "could not connect %s -> %s", to_inputs ? other : mine,
                                   to_inputs ? mine : other);
            return MIXX_EDEVICE;
        }
    }
    return 0;
}

/* 1 if the configuration wires channel c of our inputs (in = 1) or outputs. */
static int jack_expected_connection(jack_state *s, uint32_t c, int in)
{
    const mixx_config *cfg = mixx__engine_config(s->engine);
    if (cfg->jack.self_loop && c < s->n_in && c < s->n_out)
        return 1;
    const char *p = in ? cfg->jack.connect_in : cfg->jack.connect_out;
    for (uint32_t k = 0; p && *p; k++) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (k == c)
            return len > 0;
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

static int jack_start(void *state)
{
    jack_state *s = state;
    const mixx_config *cfg = mixx__engine_config(s->engine);
    if (atomic_load(&s->dead)) {
        mixx__engine_set_error(s->engine, "JACK server '%s' went away", s->server);
        return MIXX_EDEVICELOST;
    }
    if (jack_activate(s->client)) {
        mixx__engine_set_error(s->engine, "jack_activate failed on server '%s'", s->server);
        return MIXX_EDEVICE;
    }
    atomic_store(&s->active, 1);
    int rc = 0;
    if (cfg->jack.self_loop) {
        uint32_t n = s->n_in < s->n_out ? s->n_in : s->n_out;
        for (uint32_t c = 0; c < n && !rc; c++) {
            int r = jack_connect(s->client, jack_port_name(s->out_ports[c]), jack_port_name(s->in_ports[c]));
            if (r != 0 && r != EEXIST) {
                mixx__engine_set_error(s->engine, "could not connect %s -> %s (self-loop)",
                                       jack_port_name(s->out_ports[c]), jack_port_name(s->in_ports[c]));
                rc = MIXX_EDEVICE;
            }
        }
    }
    if (!rc && cfg->jack.connect_in)
        rc = jack_wire(s, cfg->jack.connect_in, 1);
    if (!rc && cfg->jack.connect_out)
        rc = jack_wire(s, cfg->jack.connect_out, 0);
    if (rc) {
        jack_deactivate(s->client);
        atomic_store(&s->active, 0);
        return rc;
    }
    /* jack2 publishes a new graph at the next cycle: wait (bounded) until our connections are visible */
    for (int i = 0; i < 500; i++) {
        int pending = 0;
        if (cfg->jack.self_loop || cfg->jack.connect_in)
            for (uint32_t c = 0; c < s->n_in; c++)
                pending |= jack_expected_connection(s, c, 1) && !port_connected(s->in_ports[c]);
        if (cfg->jack.self_loop || cfg->jack.connect_out)
            for (uint32_t c = 0; c < s->n_out; c++)
                pending |= jack_expected_connection(s, c, 0) && !port_connected(s->out_ports[c]);
        if (!pending)
            break;
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
    }
    /* latencies follow connections asynchronously; ask the server to settle them before we read */
    jack_recompute_total_latencies(s->client);
    jack_notify_format(s, 0, 0); /* the engine re-asks latency(), serialised with the notification threads */
    return 0;
}

/* jackd 1.9.21 writes every xrun notification to each client that has an xrun callback, from its one request
 * thread, with a blocking write. jack_client_close stops our notification thread first and then asks that request
 * thread to close us: when xruns come faster than the socket buffer holds (the dummy driver at 192 kHz / 16 frames
 * on a loaded VM reports thousands a second), the request thread blocks writing to our full, unread socket and
 * never reads our close: libjack and the server wait on each other for ever (seen in CI; reproduced with gdb and
 * ss on both ends: 208 KB queued on jackd's side of our notification socket, jackd in write(), us in read()).
 * The server only notifies a client whose callback flag is set, plain shared memory that the jack_set_*_callback
 * calls change on an inactive client: clear every flag we set (the argument stays `state`: libjack stores the
 * argument before the function, and a notification thread mid-dispatch must never see a NULL argument). Then one
 * synchronous request (jack_recompute_total_latencies) while our notification thread still reads: the server's
 * one request thread answers it only after any write to us it was blocked in has gone through, and every later
 * write to us sees the cleared flags. Runs in the bounded close's helper thread, on a live server, with the
 * client inactive (never activated, or deactivated: jack2 marks it inactive even when jack_deactivate fails). */
static void jack_quiesce(jack_client_t *client, void *state)
{
    jack_set_xrun_callback(client, NULL, state);
    jack_set_graph_order_callback(client, NULL, state);
    jack_set_buffer_size_callback(client, NULL, state);
    jack_set_sample_rate_callback(client, NULL, state);
    jack_recompute_total_latencies(client);
}

/* Waits (bounded) until no process callback is running. Control thread. */
static void jack_wait_idle(jack_state *s)
{
    for (int i = 0; i < 1000 && atomic_load(&s->in_process); i++) {
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
}

static int jack_stop(void *state)
{
    jack_state *s = state;
    if (!atomic_load(&s->active))
        return 0;
    atomic_store(&s->active, 0);
    if (!atomic_load(&s->dead)) {
        /* after jack_deactivate returns, JACK runs no more process callbacks for us */
        if (jack_deactivate(s->client) == 0)
            return 0;
    }
    /* the server is gone: no new cycle can start; let a cycle caught mid-flight finish */
    jack_wait_idle(s);
    return 0;
}

/* Closes our client, bounded (jack_close_bounded); an abandoned close is said in the engine's last error, and
 * then the state is kept (libjack may still call back into it). */
static int jack_close_client(jack_state *s)
{
    if (!s->client)
        return 0;
    unsigned timeout_ms = 0;
    int abandoned = jack_close_bounded(s->client, atomic_load(&s->dead), s, &timeout_ms);
    if (abandoned)
        mixx__engine_set_error(s->engine,
                               "jack_client_close on %s server '%s' did not return within %u ms: the client was "
                               "abandoned (later opens in this process are bounded; JACK may stay unusable in "
                               "this process until it exits)",
                               atomic_load(&s->dead) ? "the lost" : "the", s->server, timeout_ms);
    s->client = NULL;
    return abandoned;
}

static void jack_close(void *state)
{
    jack_state *s = state;
    if (!s)
        return;
    if (atomic_load(&s->active))
        jack_stop(s);
    if (jack_close_client(s))
        return; /* abandoned: s stays allocated, as the client whose callbacks point at it does */
    pthread_mutex_destroy(&s->notify_lock);
    free(s);
}

static int jack_set_buffer_size_op(void *state, uint32_t frames)
{
    jack_state *s = state;
    if (atomic_load(&s->dead)) {
        mixx__engine_set_error(s->engine, "JACK server '%s' went away", s->server);
        return MIXX_EDEVICELOST;
    }
    if (frames > s->max_frames)
        return MIXX_EFRAMES;
    if (jack_set_buffer_size(s->client, frames) != 0) {
        mixx__engine_set_error(s->engine, "JACK server '%s' refused a buffer size of %u frames", s->server,
                               frames);
        return MIXX_EDEVICE;
    }
    return 0;
}

/* ---- availability and devices ---------------------------------------------------------------------- */

static int jack_available(char *why, size_t why_len)
{
    jack_status_t st = 0;
    jack_client_t *c = jack_open_quiet("mixx-probe", NULL, &st);
    if (!c) {
        char buf[512];
        jack_open_error(NULL, st, buf, sizeof buf);
        if (why && why_len)
            snprintf(why, why_len, "%s", buf);
        return 0;
    }
    jack_close_bounded(c, 0, NULL, NULL);
    return 1;
}

/* One "device" per JACK client that owns audio ports: its output ports are what we can capture from (our
 * inputs), its input ports what we can play to. "system" (the hardware driver) is the default. */
static int jack_list_devices(mixx_device_info *out, size_t cap, size_t *count)
{
    jack_status_t st = 0;
    jack_client_t *c = jack_open_quiet("mixx-list", NULL, &st);
    *count = 0;
    if (!c) {
        char buf[512];
        return jack_open_error(NULL, st, buf, sizeof buf);
    }
    uint32_t rate = jack_get_sample_rate(c);
    uint32_t buffer = jack_get_buffer_size(c);
    const char *self = jack_get_client_name(c);
    const char **ports = jack_get_ports(c, NULL, JACK_DEFAULT_AUDIO_TYPE, 0);
    /* group in a scratch table (control thread: allocation is fine here) */
    size_t n_ports = 0;
    while (ports && ports[n_ports])
        n_ports++;
    mixx_device_info *tab = calloc(n_ports ? n_ports : 1, sizeof *tab);
    size_t n_dev = 0;
    if (!tab) {
        if (ports)
            jack_free(ports);
        jack_close_bounded(c, 0, NULL, NULL);
        return MIXX_ENOMEM;
    }
    for (size_t i = 0; i < n_ports; i++) {
        const char *colon = strchr(ports[i], ':');
        size_t len = colon ? (size_t)(colon - ports[i]) : strlen(ports[i]);
        if (len >= sizeof tab[0].name)
            len = sizeof tab[0].name - 1;
        if (strlen(self) == len && strncmp(ports[i], self, len) == 0)
            continue;
        size_t d;
        for (d = 0; d < n_dev; d++)
            if (strlen(tab[d].name) == len && strncmp(tab[d].name, ports[i], len) == 0)
                break;
        if (d == n_dev) {
            memcpy(tab[d].name, ports[i], len);
            tab[d].name[len] = '\0';
            tab[d].default_rate = rate;
            tab[d].rates[0] = rate;
            tab[d].default_buffer = buffer;
            tab[d].is_default = strcmp(tab[d].name, "system") == 0;
            n_dev++;
        }
        jack_port_t *p = jack_port_by_name(c, ports[i]);
        int flags = p ? jack_port_flags(p) : 0;
        if (flags & JackPortIsOutput)
            tab[d].inputs++;
        else if (flags & JackPortIsInput)
            tab[d].outputs++;
    }
    for (size_t d = 0; d < n_dev && d < cap; d++)
        out[d] = tab[d];
    *count = n_dev;
    free(tab);
    if (ports)
        jack_free(ports);
    jack_close_bounded(c, 0, NULL, NULL);
    return 0;
}

const mixx_backend_ops mixx_backend_jack_ops = {
    .available = jack_available,
    .list_devices = jack_list_devices,
    .open = jack_open,
    .start = jack_start,
    .stop = jack_stop,
    .close = jack_close,
    .latency = jack_latency,
    .set_buffer_size = jack_set_buffer_size_op,
};
