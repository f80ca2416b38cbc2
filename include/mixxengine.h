/* SPDX-License-Identifier: MIT */
/* mixxengine.h: the one public header of libmixxengine (C99 and later, C++).
 * The engine, its configuration, statistics, hosted-mode processing and the error table live here;
 * backend and instrumentation internals never do. */
#ifndef MIXXENGINE_H
#define MIXXENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "mixxengine/version.h"

#if defined(_WIN32) && defined(MIXX_BUILDING_SHARED)
#define MIXX_API __declspec(dllexport)
#elif defined(_WIN32) && defined(MIXX_SHARED)
#define MIXX_API __declspec(dllimport)
#elif defined(__GNUC__) || defined(__clang__)
#define MIXX_API __attribute__((visibility("default")))
#else
#define MIXX_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors --------------------------------------------------------------------------------------------
 * Every function returning int returns 0 on success or one of these negative codes. The table is the single
 * source of mixx_strerror() and mixx_error_name(). Codes are part of the ABI: never renumber, only append. */
#define MIXX_ERRNO_MAP(XX)                                                                                   \
    XX(EINVAL, -1, "invalid argument")                                                                       \
    XX(ENULL, -2, "required pointer argument is NULL")                                                       \
    XX(ERATE, -3, "sample rate out of range (1..768000 Hz)")                                                 \
    XX(EBUFSIZE, -4, "buffer size out of range (1..8192 frames)")                                            \
    XX(ECHANNELS, -5, "channel count out of range (0..64, at least one input or output)")                    \
    XX(ENOTINIT, -6, "engine is not initialised")                                                            \
    XX(EALREADY, -7, "engine is already initialised")                                                        \
    XX(ERUNNING, -8, "engine is running; stop it first")                                                     \
    XX(ENOTRUNNING, -9, "engine is not running")                                                             \
    XX(EBACKEND, -10, "backend is not compiled in or not available")                                         \
    XX(ENOSERVER, -11, "audio server is not running or cannot be reached")                                   \
    XX(ENODEVICE, -12, "no such audio device")                                                               \
    XX(EDEVICE, -13, "audio device error")                                                                   \
    XX(EDEVICELOST, -14, "audio device or server was lost")                                                  \
    XX(EMISMATCH, -15, "device does not run at the requested rate or buffer size")                           \
    XX(ENOMEM, -16, "out of memory")                                                                         \
    XX(ETHREAD, -17, "could not create a thread")                                                            \
    XX(EHOSTED, -18, "operation is only valid for a hosted-mode engine")                                     \
    XX(ENOTHOSTED, -19, "engine is driven by its own backend; mixx_engine_process is for hosted mode")       \
    XX(EFRAMES, -20, "frame count exceeds the engine's max_buffer_size")                                     \
    XX(EIO, -21, "file could not be written")                                                                \
    XX(EBUSY, -22, "resource busy (a measurement is already running)")                                       \
    XX(ENOSIGNAL, -23, "no signal returned through the loop")                                                \
    XX(EUNRELIABLE, -24, "measurement unreliable")                                                           \
    XX(ETIMEDOUT, -25, "timed out")                                                                          \
    XX(EUNSUPPORTED, -26, "operation not supported by this backend")                                        \
    XX(ERANGE, -27, "value out of range")                                                                    \
    XX(ESTRUCT, -28, "struct size not accepted (too small, not a multiple of 8, or newer fields set)")       \
    XX(ENOPARAM, -29, "no such parameter")                                                                   \
    XX(ENAN, -30, "value is NaN or infinite")                                                                \
    XX(EEXIST, -31, "a parameter with this id or name already exists")                                      \
    XX(EAUDIOTHREAD, -32, "not allowed on the audio thread")                                                 \
    XX(EPRODUCER, -33, "event producer used from another thread than the one that registered it")          \
    XX(EQUEUEFULL, -34, "event queue full: the value lands at the next block through its latest-value slot") \
    XX(EPRESET, -35, "malformed parameter state text")                                                       \
    XX(ETOOMANY, -36, "parameter or producer table is full")                                                \
    XX(ECALLBACK, -37, "not allowed from inside this engine's own callback (audio_cb, records_cb, second_cb)") \
    XX(ECHANNEL, -38, "no such channel (the index is not an input and an output of this engine)")

typedef enum mixx_error {
    MIXX_OK = 0,
#define MIXX__ERR_ENUM(name, code, text) MIXX_##name = code,
    MIXX_ERRNO_MAP(MIXX__ERR_ENUM)
#undef MIXX__ERR_ENUM
} mixx_error;

/* Readable text for an error code; "unknown error" for a code not in the table. Any thread. */
MIXX_API const char *mixx_strerror(int err);
/* "MIXX_EINVAL" etc.; "MIXX_UNKNOWN" for a code not in the table. Any thread. */
MIXX_API const char *mixx_error_name(int err);
/* MIXX_VERSION_HEX of the linked library. Any thread. */
MIXX_API unsigned mixx_version(void);
/* "1.2.3". Any thread. */
MIXX_API const char *mixx_version_string(void);

/* ---- backends ----------------------------------------------------------------------------------------- */
typedef enum mixx_backend {
    MIXX_BACKEND_SIM = 0,       /* simulated loopback device, always compiled in */
    MIXX_BACKEND_JACK = 1,      /* JACK client */
    MIXX_BACKEND_PORTAUDIO = 2, /* PortAudio full-duplex stream (CoreAudio, ALSA, JACK ...) */
    MIXX_BACKEND_HOSTED = 3,    /* no device: the host calls mixx_engine_process (JUCE etc.) */
    MIXX_BACKEND_COUNT
} mixx_backend;

/* "sim", "jack", "portaudio", "hosted"; NULL for an unknown value. Any thread. */
MIXX_API const char *mixx_backend_name(mixx_backend b);
/* Parses a backend name. Returns 0 or MIXX_EBACKEND / MIXX_ENULL. Any thread. */
MIXX_API int mixx_backend_from_name(const char *name, mixx_backend *out);
/* 1 if compiled in and usable now (e.g. a JACK server answers), 0 otherwise; `why` (may be NULL) receives
 * the reason when not. Control thread only. */
MIXX_API int mixx_backend_available(mixx_backend b, char *why, size_t why_len);

/* ---- sized structs: how the ABI grows ------------------------------------------------------------------
 * mixx_config, mixx_stats and mixx_device_info are passed together with the caller's sizeof (the size it was
 * compiled with) and start with a `struct_size` field. A later version only appends fields, each new field
 * starts at a multiple of 8 bytes and the struct size stays a multiple of 8, so any older caller's sizeof ends
 * on a field boundary. The rules, for every function taking such a size:
 *  - size smaller than this library's sizeof (an older caller): the library reads and writes only the first
 *    `size` bytes; fields beyond them take their defaults (mixx_config) or are simply not returned;
 *  - size larger (a newer caller): the library writes zeros into the part it does not know; on input it
 *    accepts the struct only if that part is all zero, else MIXX_ESTRUCT (it cannot honour those fields);
 *  - size not a multiple of 8 or below MIXX_STRUCT_SIZE_MIN: MIXX_ESTRUCT.
 * Nested groups (mixx_config.jack, .sim, .sim.faults) are frozen: new options go in a new group or field
 * appended to mixx_config, never inside an existing group. */
#define MIXX_STRUCT_SIZE_MIN 8

/* One device of a backend. Size is part of the ABI (see "sized structs"); fields read-only. */
typedef struct mixx_device_info {
    uint32_t struct_size;             /* bytes the library filled: min(caller's size, its own sizeof) */
    char name[128];
    uint32_t inputs, outputs;         /* channel counts */
    uint32_t default_rate;            /* 0 if unknown */
    uint32_t rates[8];                /* rates known to work, 0-terminated */
    uint32_t default_buffer;          /* 0 if unknown */
    int is_default;
} mixx_device_info;

/* Lists up to `cap` devices of backend `b` into `out` (an array of `cap` elements of `size` bytes each: pass
 * sizeof(mixx_device_info)) and stores the number found (possibly > cap) in `*count`. Returns 0,
 * MIXX_ENULL, MIXX_ESTRUCT (size), MIXX_EBACKEND, MIXX_ENOSERVER, MIXX_EDEVICE, MIXX_ENOMEM, MIXX_ETIMEDOUT
 * (JACK: an earlier abandoned libjack call still holds libjack). Control thread only. */
MIXX_API int mixx_list_devices(mixx_backend b, mixx_device_info *out, size_t cap, size_t size, size_t *count);

/* ---- configuration ------------------------------------------------------------------------------------ */
typedef struct mixx_record mixx_record;
typedef struct mixx_second mixx_second;

/* Monitor-thread callbacks (never the audio thread): may block, allocate, print; may not stop, destroy or
 * reconfigure their own engine (those calls return MIXX_ECALLBACK there; destroy does nothing). */
typedef void (*mixx_records_cb)(const mixx_record *records, size_t count, void *user);
typedef void (*mixx_second_cb)(const mixx_second *second, void *user);
/* Audio thread, must be realtime-safe: the place for the application's own DSP. Called every cycle after the
 * pass-through copy (out[i] already holds in[i]) and the parameter events of the block (mixxengine_params.h), and
 * before the latency meter's stimulus is written and the built-in channel strip runs. Control calls on its own
 * engine are refused there (MIXX_ECALLBACK; destroy does nothing). */
typedef void (*mixx_audio_cb)(const float *const *in, uint32_t n_in, float *const *out, uint32_t n_out,
                              uint32_t n_frames, void *user);

/* JACK options (mixx_config.jack). A frozen group: its size and layout never change. */
typedef struct mixx_jack_options {
    const char *client_name;   /* default "mixxengine" */
    const char *connect_in;    /* comma-separated source ports, by channel; NULL = none */
    const char *connect_out;   /* comma-separated destination ports, by channel; NULL = none */
    int self_loop;             /* 1: connect own outputs to own inputs */
    uint32_t reserved_;        /* keeps the group a multiple of 8 bytes; leave 0 */
} mixx_jack_options;

/* Faults the simulated device injects (mixx_config.sim.faults). Frozen group; all 0 = no fault. */
typedef struct mixx_sim_faults {
    uint32_t stall_us;         /* stall the callback this long ... */
    uint32_t stall_every;      /* ... every N callbacks (0 = never) */
    double fail_after_s;       /* device lost after this many seconds (0 = never) */
    uint32_t slip_frames;      /* each xrun shifts the loop by this many frames (0 = no slip) */
    uint32_t reserved_;        /* leave 0 */
} mixx_sim_faults;

/* The simulated device's loop model (mixx_config.sim). Frozen group.
 * Round trip = periods * buffer_size + extra_latency frames. */
typedef struct mixx_sim_options {
    uint32_t periods;          /* whole periods of device buffering in the loop, default 2, 1..16 */
    int invert;                /* 1: loop inverts polarity */
    double extra_latency;      /* extra loop latency in frames, may be fractional, 0..96000 */
    double gain;               /* loop gain, default 1.0, 0..16; 0 = open loop */
    double snr_db;             /* white noise at this SNR relative to a full-scale sine; >= 200 = none */
    mixx_sim_faults faults;
} mixx_sim_options;

/* Engine configuration. Fill with mixx_config_init(&cfg, sizeof cfg), change fields, pass to
 * mixx_engine_create(). Size is part of the ABI (see "sized structs" above): `struct_size` carries the
 * caller's sizeof, so a library newer than its caller fills the fields the caller does not know with defaults. */
typedef struct mixx_config {
    uint32_t struct_size;      /* set by mixx_config_init(); leave it */
    mixx_backend backend;      /* default MIXX_BACKEND_SIM */
    uint32_t sample_rate;      /* default 48000 */
    uint32_t buffer_size;      /* frames per callback, default 64 */
    uint32_t max_buffer_size;  /* preallocation bound for buffer-size changes, default 8192 */
    uint32_t inputs, outputs;  /* channels, default 2 and 2 */
    int strict;                /* 1: a device that runs another rate/buffer is MIXX_EMISMATCH */
    int rt_priority;           /* SCHED_FIFO priority for threads we own (sim), default 80; 0 = don't ask */
    int lock_memory;           /* 1: mlockall(MCL_CURRENT|MCL_FUTURE) at start (stats.memory_locked says) */
    int instrument;            /* 1 (default): timestamps + records per callback; 0: bare copy */
    uint32_t ring_capacity;    /* metrics ring records, power of two, default 16384 */
    const char *log_path;      /* JSON Lines, one object per second + final summary; NULL = none. Created new
                                  (an existing file or a symlink is refused with MIXX_EIO at start) */
    const char *device;        /* backend device name or index as text; NULL = default */
    mixx_records_cb records_cb; /* every record, in order, on the monitor thread; NULL = none */
    mixx_second_cb second_cb;   /* once per second of audio, on the monitor thread; NULL = none */
    void *user;                 /* passed to the callbacks */
    mixx_audio_cb audio_cb;     /* per-cycle DSP hook on the audio thread; NULL = pure pass-through */
    mixx_jack_options jack;     /* backend JACK */
    mixx_sim_options sim;       /* backend sim */
    /* Appended after the groups (a field inside a frozen group would move every field after it): */
    const char *jack_server_name; /* JACK server to connect to (jack_client_open's JackServerName); NULL or "" =
                                     $JACK_DEFAULT_SERVER, else "default". Copied at create. Older callers: NULL */
} mixx_config;

/* Fills the first `size` bytes of *cfg with the defaults above and sets cfg->struct_size = size. Pass
 * sizeof(mixx_config) as your program sees it (MIXX_CONFIG_INIT does). A size larger than this library's
 * sizeof gets zeros beyond it. Returns 0, MIXX_ENULL, MIXX_ESTRUCT (size). Any thread.
 * (mixx_config_default(), which returned the struct by value, is gone: a by-value return writes this
 * library's sizeof into the caller's slot, which overflows an older caller's smaller struct.) */
MIXX_API int mixx_config_init(mixx_config *cfg, size_t size);
#define MIXX_CONFIG_INIT(cfg) mixx_config_init((cfg), sizeof *(cfg))
/* Checks a configuration without creating anything. Returns 0, MIXX_ENULL, MIXX_ESTRUCT (struct_size) or the
 * first parameter error: MIXX_EBACKEND, MIXX_ERATE, MIXX_EBUFSIZE, MIXX_ECHANNELS, MIXX_EINVAL, MIXX_ERANGE.
 * Any thread. */
MIXX_API int mixx_config_validate(const mixx_config *cfg);

/* ---- engine lifecycle (handle API) --------------------------------------------------------------------- */
typedef struct mixx_engine mixx_engine;

/* Creates an engine (stopped) from cfg->struct_size bytes of *cfg (the rest: defaults). Returns 0,
 * MIXX_ENULL, MIXX_ESTRUCT, MIXX_ERATE, MIXX_EBUFSIZE, MIXX_ECHANNELS, MIXX_EINVAL, MIXX_ERANGE,
 * MIXX_EBACKEND, MIXX_ENOMEM. Control thread only. */
MIXX_API int mixx_engine_create(const mixx_config *cfg, mixx_engine **out);
/* Stops if running and frees. NULL is a harmless no-op; so is a call from one of this engine's own callbacks
 * (refused: it would free the engine under the thread running it). The handle is invalid afterwards. If a
 * stream was abandoned with one of its audio callbacks still inside the engine (a backend call that never
 * returned; stop's MIXX_ETIMEDOUT cases), the engine's memory is left allocated instead of freed under that
 * thread. Control thread. */
MIXX_API void mixx_engine_destroy(mixx_engine *engine);
/* Opens the device (backends) and starts audio + the monitor thread. Returns 0, MIXX_ENULL, MIXX_ENOTINIT,
 * MIXX_ERUNNING, MIXX_EBACKEND, MIXX_ENOSERVER, MIXX_ENODEVICE, MIXX_EDEVICE, MIXX_EMISMATCH, MIXX_ETHREAD,
 * MIXX_EIO (log file exists, is a symlink, or cannot be created), MIXX_EINVAL (a JACK client name longer than
 * the server allows), MIXX_ECALLBACK (from its own callback), MIXX_EDEVICELOST (PortAudio: its host API hung
 * earlier in this process and was abandoned), MIXX_ETIMEDOUT (PortAudio, or JACK after up to 5 s: an earlier
 * PortAudio or libjack call never returned and was abandoned; the reason in mixx_engine_last_error). Control
 * thread only (thread-safe against other control calls). */
MIXX_API int mixx_engine_start_stream(mixx_engine *engine);
/* Stops audio, drains every record, closes the device. Returns 0, MIXX_ENULL, MIXX_ENOTINIT,
 * MIXX_ENOTRUNNING, MIXX_ECALLBACK (from its own audio_cb/records_cb/second_cb: refused), or MIXX_EIO: stopped, but the log (cfg.log_path) could not be written completely (e.g. disk
 * full; detail in mixx_engine_last_error). Works (and returns promptly) after device loss, and when the
 * backend's own stop or close never returns: after a bounded wait the stream or client is abandoned, the reason
 * in mixx_engine_last_error (PortAudio: ≤ 2 s for Pa_StopStream plus ≤ 2 s for the close; JACK: ≤ 1 s for a
 * close on a lost server, or while an earlier abandoned libjack call may hold libjack, ≤ 10 s for a close on a
 * live server; jack_deactivate on a live server is not bounded). Control thread only. */
MIXX_API int mixx_engine_stop_stream(mixx_engine *engine);
/* Deprecated: the names these two verbs had in 0.1 before issue 18 (the `_handle` suffix dodged the façade's
 * mixx_engine_start/_stop). Kept exported so the ABI keeps its symbols; each calls the `_stream` verb and returns
 * its codes; same thread contract. The warning can be silenced with -DMIXX_NO_DEPRECATED_WARNINGS. */
#if !defined(MIXX_NO_DEPRECATED_WARNINGS) && (defined(__GNUC__) || defined(__clang__))
#define MIXX_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define MIXX_DEPRECATED(msg)
#endif
MIXX_API MIXX_DEPRECATED("use mixx_engine_start_stream") int mixx_engine_start_handle(mixx_engine *engine);
MIXX_API MIXX_DEPRECATED("use mixx_engine_stop_stream") int mixx_engine_stop_handle(mixx_engine *engine);
/* Text of the last error on this engine (backend detail such as PortAudio's text, or a warning such as a
 * refused mlockall or SCHED_FIFO request), "" if none. With NULL (what mixx_engine_default() returns before
 * mixx_engine_init) or the default engine after shutdown: the façade's text for its last MIXX_ENOTINIT, which
 * says what to call instead (e.g. mixx_engine_start_stream for an engine made with mixx_engine_create). Control
 * thread only. */
MIXX_API const char *mixx_engine_last_error(const mixx_engine *engine);
/* The configuration in force, with the rate and buffer size the device actually runs (valid after start),
 * into the first `size` bytes of *out (pass sizeof *out); out->struct_size = bytes filled. Returns 0,
 * MIXX_ENULL, MIXX_ESTRUCT (size), MIXX_ENOTINIT. Any thread except the audio thread. */
MIXX_API int mixx_engine_get_config(const mixx_engine *engine, mixx_config *out, size_t size);

/* ---- hosted mode ---------------------------------------------------------------------------------------
 * For an engine created with backend MIXX_BACKEND_HOSTED and started: the host calls this from its own audio
 * callback. Non-interleaved float buffers of n_frames each; `in` and `out` may point to the same memory (JUCE
 * does this). Input channel i goes to output i; outputs without an input are silenced. Zero-copy, no
 * allocation, no lock. Buffers are either the same or disjoint (never partly overlapping); any pattern of
 * shared buffers is defined: output i gets input i as it was on entry (in place, swaps such as
 * out = {in1, in0}, rotations), through a copy preallocated for channels < max(cfg.inputs, cfg.outputs); two
 * outputs sharing a buffer get the higher channel's input. Returns 0, MIXX_ENULL, MIXX_ENOTINIT,
 * MIXX_ENOTRUNNING (outputs silenced), MIXX_ENOTHOSTED, MIXX_ECHANNELS (more than 64 channels, or a crossed
 * alias on a channel beyond the preallocated copies: outputs silenced), MIXX_EFRAMES (outputs silenced). Audio
 * thread, realtime-safe. */
MIXX_API int mixx_engine_process(mixx_engine *engine, const float *const *in, uint32_t n_in,
                                 float *const *out, uint32_t n_out, uint32_t n_frames);
/* Hosted mode: tell the engine the host's device reported an xrun (e.g. JUCE getXRunCount delta).
 * Any thread; realtime-safe. Returns 0, MIXX_ENULL, MIXX_ENOTINIT. */
MIXX_API int mixx_engine_report_xruns(mixx_engine *engine, uint32_t count);
/* Hosted mode: the host's device rate/buffer changed (call while stopped). Returns 0, MIXX_ENULL,
 * MIXX_ENOTINIT, MIXX_ERATE, MIXX_EBUFSIZE, MIXX_EHOSTED (not a hosted engine), MIXX_ERUNNING, MIXX_EFRAMES
 * (buffer_size > max_buffer_size), MIXX_ENOMEM (meter for the new rate), MIXX_ECALLBACK. Control thread only. */
MIXX_API int mixx_engine_set_format(mixx_engine *engine, uint32_t sample_rate, uint32_t buffer_size);
/* Backends that can: ask the device/server for another buffer size while running (JACK:
 * jack_set_buffer_size). Returns 0, MIXX_ENULL, MIXX_ENOTINIT, MIXX_EBUFSIZE, MIXX_ENOTRUNNING, MIXX_EFRAMES
 * (buffer_size > max_buffer_size), MIXX_EUNSUPPORTED (backend cannot), MIXX_EDEVICE (refused; detail in
 * mixx_engine_last_error), MIXX_ECALLBACK. Control thread only. */
MIXX_API int mixx_engine_set_buffer_size(mixx_engine *engine, uint32_t buffer_size);

/* ---- instrumentation ----------------------------------------------------------------------------------- */
enum mixx_record_flags {
    MIXX_REC_XRUN = 1u << 0,       /* backend reported an xrun before/at this cycle */
    MIXX_REC_DEADLINE = 1u << 1,   /* the callback itself took longer than one period */
    MIXX_REC_LATE_WAKE = 1u << 2,  /* started more than half a period after the previous start + period */
    MIXX_REC_FORMAT = 1u << 3      /* buffer size differs from the previous cycle */
};

/* One audio callback. Size is part of the ABI (32 bytes). */
struct mixx_record {
    uint64_t seq;          /* 0, 1, 2 ... per start */
    uint64_t start_ns;     /* CLOCK_MONOTONIC at callback entry */
    uint32_t duration_ns;  /* entry to exit of the engine's processing */
    uint32_t interval_ns;  /* since the previous callback's start (0 for the first) */
    uint32_t frames;
    uint32_t flags;        /* mixx_record_flags */
};

/* Per-second summary, produced on the monitor thread. Size is not part of the ABI (read via callback). */
struct mixx_second {
    uint32_t index;              /* seconds since start, 0-based */
    double t_s;                  /* seconds since start at the end of this second */
    uint64_t callbacks, xruns, deadline_misses, late_wakeups, dropped_records;
    double dsp_load_mean, dsp_load_max;   /* callback duration / period */
    uint64_t callback_ns_max, interval_ns_max;
    double cpu_process_pct, cpu_system_pct; /* over this second; process % is of one core */
    double rtl_frames;           /* latest round-trip measurement (NaN if none this second) */
    int rtl_status;              /* mixx_rtl_status of that measurement, -1 if none */
    uint64_t rtl_slips;          /* slips detected so far */
    /* appended (issue 14): the format this second ran at, so a mid-run change (JACK buffer size) is visible */
    uint32_t sample_rate;        /* the engine's rate at the end of this second */
    uint32_t buffer_size;        /* frames of this second's last callback; 0 if it had no callback */
    uint64_t frames;             /* frames processed by this second's callbacks (all formats) */
};

/* Percentiles of a distribution in ns (relative error <= 1 %). */
typedef struct mixx_percentiles {
    uint64_t count;
    uint64_t min, p50, p90, p99, p999, p9999, max;
    double mean;
} mixx_percentiles;

/* Snapshot of an engine's counters. Size is part of the ABI (see "sized structs"); fields read-only. */
typedef struct mixx_stats {
    uint32_t struct_size;                 /* bytes the library filled: min(caller's size, its own sizeof) */
    int running, device_lost;
    uint32_t sample_rate, buffer_size;    /* actual */
    double elapsed_s;                     /* since start */
    uint64_t callbacks;                   /* audio callbacks run */
    uint64_t records_written, dropped_records; /* callbacks = written + dropped (when instrumenting) */
    uint64_t records_consumed;            /* drained by the monitor so far */
    uint64_t xruns_backend, deadline_misses, late_wakeups;
    mixx_percentiles callback_ns, interval_ns;
    double dsp_load_mean, dsp_load_max;
    double cpu_process_pct, cpu_system_pct; /* averages since start */
    int sched_policy, sched_priority;     /* what the audio thread got (SCHED_OTHER=0, SCHED_FIFO=1 ...) */
    int memory_locked;
    double expected_rtl_frames;           /* the backend's own claim; NaN if unknown */
    /* appended (issue 13): the backend's xruns by kind, where it tells them apart (PortAudio's status flags; 0
     * on other backends). One callback may raise two kinds (JACK through PortAudio: input overflow and output
     * underflow for one server xrun), so their sum may exceed xruns_backend, which counts one per callback. */
    uint64_t input_underflows, input_overflows, output_underflows, output_overflows;
    /* appended (issue 18): the device changed format while running, counted since the last start. A change is a
     * JACK buffer-size change (jack_bufsize, another client, mixx_engine_set_buffer_size) or sample-rate change
     * (seen on JACK's notification thread), or a hosted-mode mixx_engine_process() whose n_frames differs from
     * the previous call's (the first call compares with the buffer size the engine started with; a host that
     * varies its block size counts every variation). PortAudio and sim streams keep their format (a lost device
     * is device_lost). sample_rate / buffer_size above are the format now; format_prev_* the one before the
     * last change, format_changed_at_callback the `callbacks` count when it was seen (a cycle's callback may
     * land on either side). The four are read as one consistent set; all 0 if the format never changed. */
    uint64_t format_changes;
    uint32_t format_prev_sample_rate, format_prev_buffer_size;
    uint64_t format_changed_at_callback;
} mixx_stats;

/* Fills the first `size` bytes of *out (pass sizeof *out) with a snapshot (monitor data is at most ~20 ms old
 * while running; complete after stop). Returns 0, MIXX_ENULL, MIXX_ESTRUCT (size), MIXX_ENOTINIT. Control
 * thread only. */
MIXX_API int mixx_engine_get_stats(mixx_engine *engine, mixx_stats *out, size_t size);

typedef enum mixx_hist_kind { MIXX_HIST_CALLBACK = 0, MIXX_HIST_INTERVAL = 1 } mixx_hist_kind;
typedef struct mixx_hist_bin { uint64_t lo_ns, hi_ns, count; } mixx_hist_bin;
/* Non-empty histogram bins in ascending order (log-linear, <1 % wide). Stores the number of non-empty bins in
 * *count (possibly > cap). Returns 0, MIXX_ENULL, MIXX_EINVAL, MIXX_ENOTINIT. Control thread only. */
MIXX_API int mixx_engine_histogram(mixx_engine *engine, mixx_hist_kind kind, mixx_hist_bin *bins, size_t cap,
                                   size_t *count);

/* ---- round-trip latency meter --------------------------------------------------------------------------- */
typedef enum mixx_rtl_method { MIXX_RTL_MULTITONE = 0, MIXX_RTL_IMPULSE = 1 } mixx_rtl_method;
typedef enum mixx_rtl_status { MIXX_RTL_OK = 0, MIXX_RTL_NO_SIGNAL = 1, MIXX_RTL_UNRELIABLE = 2 } mixx_rtl_status;
/* "ok", "no_signal", "unreliable" (the names the CLI's JSON uses); "unknown" for any other value. Never NULL.
 * Any thread. */
MIXX_API const char *mixx_rtl_status_name(int status);

typedef struct mixx_rtl_result {
    mixx_rtl_status status;
    double rtl_frames;            /* measured round trip, frames (NaN unless OK) */
    double rtl_ms;
    double expected_rtl_frames;   /* backend's claim, NaN if unknown */
    double excess_frames;         /* measured - expected */
    int inverted;                 /* polarity of the loop */
    double quality;               /* 0..1 confidence */
    double snr_db;                /* estimated from the residual */
    double t_s;                   /* engine time (s since start) of the measurement */
    uint64_t seq;                 /* measurement number */
    int slip;                     /* 1 if this measurement jumped from the previous ones */
    /* appended (issue 13); filled by mixx_engine_rtl_wait_sized only (mixx_engine_rtl_wait fills the fields
     * above, the 1.0 layout, so a caller built against it is never written past its struct) */
    double integration_s;         /* seconds of capture this measurement took (several bursts at low SNR) */
} mixx_rtl_result;

/* Starts the meter on the running engine: stimulus on output `channel`, capture from input `channel`
 * (other channels keep passing through). continuous=1: a measurement every second until stopped;
 * continuous=0: measurements back to back until stopped (each ~0.45 s at 48 kHz when the backend claims a
 * latency, ~1.2 s when it does not). See docs/latency.md. Returns 0, MIXX_ENULL, MIXX_ENOTINIT,
 * MIXX_ENOTRUNNING, MIXX_ECHANNEL (channel is not both an input and an output), MIXX_EBUSY, MIXX_EINVAL (method),
 * MIXX_ENOMEM, MIXX_ECALLBACK. Control thread only. */
MIXX_API int mixx_engine_rtl_start(mixx_engine *engine, mixx_rtl_method method, uint32_t channel,
                                   int continuous);
/* Takes the next finished measurement. Returns 0 (one stored in *out), MIXX_ETIMEDOUT if none within
 * timeout_ms, MIXX_ENULL, MIXX_ENOTINIT, MIXX_ENOTRUNNING (meter not started), MIXX_EDEVICELOST (the device was
 * lost: returned at once, no measurement will come). Control thread only. */
MIXX_API int mixx_engine_rtl_wait(mixx_engine *engine, mixx_rtl_result *out, uint32_t timeout_ms);
/* The same, filling min(size, sizeof(mixx_rtl_result)) bytes of *out (pass sizeof *out): the appended fields
 * (integration_s) too. Returns what mixx_engine_rtl_wait returns, and MIXX_ESTRUCT if size is below the 1.0
 * layout (offsetof(mixx_rtl_result, integration_s)). Control thread only. */
MIXX_API int mixx_engine_rtl_wait_sized(mixx_engine *engine, mixx_rtl_result *out, size_t size,
                                        uint32_t timeout_ms);
/* Stops the meter; the stimulus channel returns to pass-through. Returns 0 (also when it was not running),
 * MIXX_ENULL, MIXX_ENOTINIT, MIXX_ECALLBACK. Control thread only. */
MIXX_API int mixx_engine_rtl_stop(mixx_engine *engine);
/* Summary since mixx_engine_rtl_start: measurements, mean/min/max of OK results (NaN if none), slips.
 * Returns 0, MIXX_ENULL, MIXX_ENOTINIT. Control thread only. */
typedef struct mixx_rtl_summary {
    uint64_t measurements, ok, no_signal, unreliable, slips;
    double mean_frames, min_frames, max_frames;
} mixx_rtl_summary;
MIXX_API int mixx_engine_rtl_summary(mixx_engine *engine, mixx_rtl_summary *out);

/* ---- the original plan's entry points: a façade over one process-wide default engine --------------------
 * All control thread only; thread-safe against each other. */
/* Creates the default engine (sim backend unless mixx_engine_init_config is used). Returns 0, MIXX_ERATE,
 * MIXX_EBUFSIZE, MIXX_EALREADY, MIXX_ENOMEM, MIXX_EBUSY (the previous default engine's stream was abandoned with
 * an audio callback still inside it, so it is never set up again in this process; mixx_engine_last_error(NULL)
 * says so). */
MIXX_API int mixx_engine_init(uint32_t sample_rate, uint32_t buffer_size);
/* Same with a full configuration. */
MIXX_API int mixx_engine_init_config(const mixx_config *cfg);
/* Returns 0, MIXX_ENOTINIT, MIXX_ERUNNING and the start errors of mixx_engine_start_stream. MIXX_ENOTINIT:
 * mixx_engine_init was not called (the handle API's verb is mixx_engine_start_stream); the text of
 * mixx_engine_last_error(NULL) says so. The same holds for mixx_engine_stop and mixx_engine_shutdown. */
MIXX_API int mixx_engine_start(void);
/* Returns 0, MIXX_ENOTINIT, MIXX_ENOTRUNNING, MIXX_EIO, MIXX_ECALLBACK (see mixx_engine_stop_stream). */
MIXX_API int mixx_engine_stop(void);
/* Stops if running and destroys the default engine. Returns 0, MIXX_ENOTINIT, MIXX_ECALLBACK. */
MIXX_API int mixx_engine_shutdown(void);
/* The default engine's handle for the rest of the API (process, stats ...); NULL before init. The handle
 * stays safe to pass after shutdown: calls then return MIXX_ENOTINIT. */
MIXX_API mixx_engine *mixx_engine_default(void);

#ifdef __cplusplus
}
#endif
#endif /* MIXXENGINE_H */
