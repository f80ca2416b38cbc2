// SPDX-License-Identifier: MIT
//! mixxengine-sys: the C API of libmixxengine as declared in `include/mixxengine.h`, written by hand (no
//! bindgen). Structs are `#[repr(C)]` in the header's field order; `tests/layout.rs` checks every size and
//! offset against the C compiler's view of the header. Thread contracts and error codes: see the header.
#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_int, c_uint, c_void};

// ---- errors (MIXX_ERRNO_MAP): 0 or negative ----
pub const MIXX_OK: c_int = 0;
pub const MIXX_EINVAL: c_int = -1;
pub const MIXX_ENULL: c_int = -2;
pub const MIXX_ERATE: c_int = -3;
pub const MIXX_EBUFSIZE: c_int = -4;
pub const MIXX_ECHANNELS: c_int = -5;
pub const MIXX_ENOTINIT: c_int = -6;
pub const MIXX_EALREADY: c_int = -7;
pub const MIXX_ERUNNING: c_int = -8;
pub const MIXX_ENOTRUNNING: c_int = -9;
pub const MIXX_EBACKEND: c_int = -10;
pub const MIXX_ENOSERVER: c_int = -11;
pub const MIXX_ENODEVICE: c_int = -12;
pub const MIXX_EDEVICE: c_int = -13;
pub const MIXX_EDEVICELOST: c_int = -14;
pub const MIXX_EMISMATCH: c_int = -15;
pub const MIXX_ENOMEM: c_int = -16;
pub const MIXX_ETHREAD: c_int = -17;
pub const MIXX_EHOSTED: c_int = -18;
pub const MIXX_ENOTHOSTED: c_int = -19;
pub const MIXX_EFRAMES: c_int = -20;
pub const MIXX_EIO: c_int = -21;
pub const MIXX_EBUSY: c_int = -22;
pub const MIXX_ENOSIGNAL: c_int = -23;
pub const MIXX_EUNRELIABLE: c_int = -24;
pub const MIXX_ETIMEDOUT: c_int = -25;
pub const MIXX_EUNSUPPORTED: c_int = -26;
pub const MIXX_ERANGE: c_int = -27;
pub const MIXX_ESTRUCT: c_int = -28;
pub const MIXX_ENOPARAM: c_int = -29;
pub const MIXX_ENAN: c_int = -30;
pub const MIXX_EEXIST: c_int = -31;
pub const MIXX_EAUDIOTHREAD: c_int = -32;
pub const MIXX_EPRODUCER: c_int = -33;
pub const MIXX_EQUEUEFULL: c_int = -34;
pub const MIXX_EPRESET: c_int = -35;
pub const MIXX_ETOOMANY: c_int = -36;
pub const MIXX_ECALLBACK: c_int = -37;
pub const MIXX_ECHANNEL: c_int = -38;

/// Smallest size a sized struct (mixx_config, mixx_stats, mixx_device_info) may be passed with.
pub const MIXX_STRUCT_SIZE_MIN: usize = 8;

// ---- enums: C enums are int-sized here (C_ENUM_SIZE in the layout test) ----
pub type mixx_backend = c_uint;
pub const MIXX_BACKEND_SIM: mixx_backend = 0;
pub const MIXX_BACKEND_JACK: mixx_backend = 1;
pub const MIXX_BACKEND_PORTAUDIO: mixx_backend = 2;
pub const MIXX_BACKEND_HOSTED: mixx_backend = 3;
pub const MIXX_BACKEND_COUNT: mixx_backend = 4;

pub const MIXX_REC_XRUN: u32 = 1 << 0;
pub const MIXX_REC_DEADLINE: u32 = 1 << 1;
pub const MIXX_REC_LATE_WAKE: u32 = 1 << 2;
pub const MIXX_REC_FORMAT: u32 = 1 << 3;

pub type mixx_hist_kind = c_uint;
pub const MIXX_HIST_CALLBACK: mixx_hist_kind = 0;
pub const MIXX_HIST_INTERVAL: mixx_hist_kind = 1;

pub type mixx_rtl_method = c_uint;
pub const MIXX_RTL_MULTITONE: mixx_rtl_method = 0;
pub const MIXX_RTL_IMPULSE: mixx_rtl_method = 1;

pub type mixx_rtl_status = c_uint;
pub const MIXX_RTL_OK: mixx_rtl_status = 0;
pub const MIXX_RTL_NO_SIGNAL: mixx_rtl_status = 1;
pub const MIXX_RTL_UNRELIABLE: mixx_rtl_status = 2;

// ---- structs ----
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mixx_device_info {
    pub struct_size: u32,
    pub name: [c_char; 128],
    pub inputs: u32,
    pub outputs: u32,
    pub default_rate: u32,
    pub rates: [u32; 8],
    pub default_buffer: u32,
    pub is_default: c_int,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct mixx_record {
    pub seq: u64,
    pub start_ns: u64,
    pub duration_ns: u32,
    pub interval_ns: u32,
    pub frames: u32,
    pub flags: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct mixx_second {
    pub index: u32,
    pub t_s: f64,
    pub callbacks: u64,
    pub xruns: u64,
    pub deadline_misses: u64,
    pub late_wakeups: u64,
    pub dropped_records: u64,
    pub dsp_load_mean: f64,
    pub dsp_load_max: f64,
    pub callback_ns_max: u64,
    pub interval_ns_max: u64,
    pub cpu_process_pct: f64,
    pub cpu_system_pct: f64,
    pub rtl_frames: f64,
    pub rtl_status: c_int,
    pub rtl_slips: u64,
    pub sample_rate: u32,
    pub buffer_size: u32,
    pub frames: u64,
}

pub type mixx_records_cb = Option<unsafe extern "C" fn(records: *const mixx_record, count: usize, user: *mut c_void)>;
pub type mixx_second_cb = Option<unsafe extern "C" fn(second: *const mixx_second, user: *mut c_void)>;
pub type mixx_audio_cb = Option<
    unsafe extern "C" fn(
        input: *const *const f32,
        n_in: u32,
        output: *const *mut f32,
        n_out: u32,
        n_frames: u32,
        user: *mut c_void,
    ),
>;

/// JACK options (mixx_config.jack); a frozen group.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mixx_jack_options {
    pub client_name: *const c_char,
    pub connect_in: *const c_char,
    pub connect_out: *const c_char,
    pub self_loop: c_int,
    pub reserved_: u32,
}

/// Faults the simulated device injects (mixx_config.sim.faults); a frozen group.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct mixx_sim_faults {
    pub stall_us: u32,
    pub stall_every: u32,
    pub fail_after_s: f64,
    pub slip_frames: u32,
    pub reserved_: u32,
}

/// The simulated device's loop model (mixx_config.sim); a frozen group.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct mixx_sim_options {
    pub periods: u32,
    pub invert: c_int,
    pub extra_latency: f64,
    pub gain: f64,
    pub snr_db: f64,
    pub faults: mixx_sim_faults,
}

/// Engine configuration: fill with mixx_config_init(&mut cfg, size_of::<mixx_config>()). Sized struct.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mixx_config {
    pub struct_size: u32,
    pub backend: mixx_backend,
    pub sample_rate: u32,
    pub buffer_size: u32,
    pub max_buffer_size: u32,
    pub inputs: u32,
    pub outputs: u32,
    pub strict: c_int,
    pub rt_priority: c_int,
    pub lock_memory: c_int,
    pub instrument: c_int,
    pub ring_capacity: u32,
    pub log_path: *const c_char,
    pub device: *const c_char,
    pub records_cb: mixx_records_cb,
    pub second_cb: mixx_second_cb,
    pub user: *mut c_void,
    pub audio_cb: mixx_audio_cb,
    pub jack: mixx_jack_options,
    pub sim: mixx_sim_options,
    pub jack_server_name: *const c_char,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct mixx_percentiles {
    pub count: u64,
    pub min: u64,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p999: u64,
    pub p9999: u64,
    pub max: u64,
    pub mean: f64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct mixx_stats {
    pub struct_size: u32,
    pub running: c_int,
    pub device_lost: c_int,
    pub sample_rate: u32,
    pub buffer_size: u32,
    pub elapsed_s: f64,
    pub callbacks: u64,
    pub records_written: u64,
    pub dropped_records: u64,
    pub records_consumed: u64,
    pub xruns_backend: u64,
    pub deadline_misses: u64,
    pub late_wakeups: u64,
    pub callback_ns: mixx_percentiles,
    pub interval_ns: mixx_percentiles,
    pub dsp_load_mean: f64,
    pub dsp_load_max: f64,
    pub cpu_process_pct: f64,
    pub cpu_system_pct: f64,
    pub sched_policy: c_int,
    pub sched_priority: c_int,
    pub memory_locked: c_int,
    pub expected_rtl_frames: f64,
    /// Appended (issue 13): PortAudio's xruns by kind; 0 on other backends.
    pub input_underflows: u64,
    pub input_overflows: u64,
    pub output_underflows: u64,
    pub output_overflows: u64,
    /// Appended (issue 18): format changes (JACK buffer size / rate, hosted n_frames) since start, the format
    /// before the last one and the callback count when it was seen; all 0 if none.
    pub format_changes: u64,
    pub format_prev_sample_rate: u32,
    pub format_prev_buffer_size: u32,
    pub format_changed_at_callback: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct mixx_hist_bin {
    pub lo_ns: u64,
    pub hi_ns: u64,
    pub count: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct mixx_rtl_result {
    pub status: mixx_rtl_status,
    pub rtl_frames: f64,
    pub rtl_ms: f64,
    pub expected_rtl_frames: f64,
    pub excess_frames: f64,
    pub inverted: c_int,
    pub quality: f64,
    pub snr_db: f64,
    pub t_s: f64,
    pub seq: u64,
    pub slip: c_int,
    /// Appended (issue 13): seconds of capture the measurement took (filled by mixx_engine_rtl_wait_sized only).
    pub integration_s: f64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct mixx_rtl_summary {
    pub measurements: u64,
    pub ok: u64,
    pub no_signal: u64,
    pub unreliable: u64,
    pub slips: u64,
    pub mean_frames: f64,
    pub min_frames: f64,
    pub max_frames: f64,
}

/// Opaque engine handle.
#[repr(C)]
pub struct mixx_engine {
    _private: [u8; 0],
}

extern "C" {
    pub fn mixx_strerror(err: c_int) -> *const c_char;
    pub fn mixx_error_name(err: c_int) -> *const c_char;
    pub fn mixx_version() -> c_uint;
    pub fn mixx_version_string() -> *const c_char;

    pub fn mixx_backend_name(b: mixx_backend) -> *const c_char;
    pub fn mixx_backend_from_name(name: *const c_char, out: *mut mixx_backend) -> c_int;
    pub fn mixx_backend_available(b: mixx_backend, why: *mut c_char, why_len: usize) -> c_int;
    pub fn mixx_list_devices(
        b: mixx_backend,
        out: *mut mixx_device_info,
        cap: usize,
        size: usize,
        count: *mut usize,
    ) -> c_int;

    pub fn mixx_config_init(cfg: *mut mixx_config, size: usize) -> c_int;
    pub fn mixx_config_validate(cfg: *const mixx_config) -> c_int;

    pub fn mixx_engine_create(cfg: *const mixx_config, out: *mut *mut mixx_engine) -> c_int;
    pub fn mixx_engine_destroy(engine: *mut mixx_engine);
    pub fn mixx_engine_start_stream(engine: *mut mixx_engine) -> c_int;
    pub fn mixx_engine_stop_stream(engine: *mut mixx_engine) -> c_int;
    pub fn mixx_engine_last_error(engine: *const mixx_engine) -> *const c_char;
    pub fn mixx_engine_get_config(engine: *const mixx_engine, out: *mut mixx_config, size: usize) -> c_int;

    pub fn mixx_engine_process(
        engine: *mut mixx_engine,
        input: *const *const f32,
        n_in: u32,
        output: *const *mut f32,
        n_out: u32,
        n_frames: u32,
    ) -> c_int;
    pub fn mixx_engine_report_xruns(engine: *mut mixx_engine, count: u32) -> c_int;
    pub fn mixx_engine_set_format(engine: *mut mixx_engine, sample_rate: u32, buffer_size: u32) -> c_int;
    pub fn mixx_engine_set_buffer_size(engine: *mut mixx_engine, buffer_size: u32) -> c_int;

    pub fn mixx_engine_get_stats(engine: *mut mixx_engine, out: *mut mixx_stats, size: usize) -> c_int;
    pub fn mixx_engine_histogram(
        engine: *mut mixx_engine,
        kind: mixx_hist_kind,
        bins: *mut mixx_hist_bin,
        cap: usize,
        count: *mut usize,
    ) -> c_int;

    pub fn mixx_engine_rtl_start(
        engine: *mut mixx_engine,
        method: mixx_rtl_method,
        channel: u32,
        continuous: c_int,
    ) -> c_int;
    pub fn mixx_engine_rtl_wait(engine: *mut mixx_engine, out: *mut mixx_rtl_result, timeout_ms: u32) -> c_int;
    pub fn mixx_engine_rtl_stop(engine: *mut mixx_engine) -> c_int;
    pub fn mixx_engine_rtl_summary(engine: *mut mixx_engine, out: *mut mixx_rtl_summary) -> c_int;

    pub fn mixx_engine_init(sample_rate: u32, buffer_size: u32) -> c_int;
    pub fn mixx_engine_init_config(cfg: *const mixx_config) -> c_int;
    pub fn mixx_engine_start() -> c_int;
    pub fn mixx_engine_stop() -> c_int;
    pub fn mixx_engine_shutdown() -> c_int;
    pub fn mixx_engine_default() -> *mut mixx_engine;
}

/// A mixx_config with the library's defaults (mixx_config_init with this crate's sizeof).
pub fn config_defaults() -> mixx_config {
    let mut c = std::mem::MaybeUninit::<mixx_config>::zeroed();
    // zeroed is a valid mixx_config (NULL pointers, None callbacks); init cannot fail with the right size
    let rc = unsafe { mixx_config_init(c.as_mut_ptr(), std::mem::size_of::<mixx_config>()) };
    assert_eq!(rc, MIXX_OK, "mixx_config_init refused sizeof(mixx_config): library and bindings disagree");
    unsafe { c.assume_init() }
}

/// Sizes and offsets the C compiler gives the header's structs (generated by build.rs from layout_probe.c).
pub mod c_layout {
    include!(concat!(env!("OUT_DIR"), "/c_layout.rs"));
}
