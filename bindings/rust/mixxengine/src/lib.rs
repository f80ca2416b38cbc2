// SPDX-License-Identifier: MIT
//! mixxengine: a safe wrapper of libmixxengine (the low-latency pass-through audio engine).
//!
//! ```no_run
//! use mixxengine::{Backend, Config, Engine};
//! let cfg = Config::new().backend(Backend::Sim).sample_rate(48000).buffer_size(64);
//! let mut engine = Engine::with_audio_cb(&cfg, |block: &mut mixxengine::AudioBlock| {
//!     for ch in 0..block.n_outputs() {
//!         for x in block.output(ch) { *x *= 0.5; } // outputs already hold the inputs
//!     }
//! })?;
//! engine.start()?;
//! std::thread::sleep(std::time::Duration::from_millis(500));
//! engine.stop()?;
//! println!("{} callbacks", engine.stats()?.callbacks);
//! # Ok::<(), mixxengine::Error>(())
//! ```
//!
//! Soundness of the audio callback: the closure is boxed and owned by the [`Engine`]; the C side holds only its
//! address, which a move of the `Engine` does not change; `Drop` destroys the C engine (which stops and joins the
//! audio thread) before the closure is freed. The closure must be `Send` (it runs on the audio thread) and
//! `'static`. A panic inside it never unwinds into C: it is caught, that cycle's outputs are silenced, and the
//! closure is not called again (the engine keeps passing audio through); [`Engine::callback_panicked`] says so.
//! Hosted-mode [`Engine::process`] takes `&mut self`, so the closure is never called from two threads at once.

use mixxengine_sys as sys;
use std::cell::UnsafeCell;
use std::ffi::{CStr, CString};
use std::fmt;
use std::os::raw::{c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};

/// Most channels an engine may have (the C library's limit).
pub const MAX_CHANNELS: usize = 64;

// ---- errors ----

/// A negative error code of the C library, with its name and text from the library's own table.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Error(pub i32);

impl Error {
    pub fn code(self) -> i32 {
        self.0
    }
    /// "MIXX_EINVAL" ...
    pub fn name(self) -> &'static str {
        unsafe { static_str(sys::mixx_error_name(self.0)) }
    }
    pub fn message(self) -> &'static str {
        unsafe { static_str(sys::mixx_strerror(self.0)) }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.name(), self.0)
    }
}
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}
impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

fn check(rc: c_int) -> Result<()> {
    if rc == sys::MIXX_OK {
        Ok(())
    } else {
        Err(Error(rc))
    }
}

// The library's strings (error table, backend names, version) are static.
unsafe fn static_str(p: *const std::os::raw::c_char) -> &'static str {
    if p.is_null() {
        ""
    } else {
        CStr::from_ptr(p).to_str().unwrap_or("")
    }
}

/// "1.2.3" of the linked library.
pub fn version() -> &'static str {
    unsafe { static_str(sys::mixx_version_string()) }
}

// ---- backends ----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Simulated loopback device, always available.
    Sim,
    Jack,
    PortAudio,
    /// No device: the host calls [`Engine::process`].
    Hosted,
}

impl Backend {
    fn raw(self) -> sys::mixx_backend {
        match self {
            Backend::Sim => sys::MIXX_BACKEND_SIM,
            Backend::Jack => sys::MIXX_BACKEND_JACK,
            Backend::PortAudio => sys::MIXX_BACKEND_PORTAUDIO,
            Backend::Hosted => sys::MIXX_BACKEND_HOSTED,
        }
    }
    pub fn name(self) -> &'static str {
        unsafe { static_str(sys::mixx_backend_name(self.raw())) }
    }
    /// Ok if compiled in and usable now (a JACK server answers ...), else the library's reason.
    pub fn available(self) -> std::result::Result<(), String> {
        let mut why = [0 as std::os::raw::c_char; 256];
        if unsafe { sys::mixx_backend_available(self.raw(), why.as_mut_ptr(), why.len()) } == 1 {
            Ok(())
        } else {
            Err(unsafe { CStr::from_ptr(why.as_ptr()) }.to_string_lossy().into_owned())
        }
    }
}

// ---- configuration ----

/// Engine configuration: the library's defaults (48000 Hz, 64 frames, 2 in / 2 out, sim), changed by the
/// builder methods. Strings are owned here and copied by the library when an engine is created.
#[derive(Clone)]
pub struct Config {
    raw: sys::mixx_config,
    client_name: Option<CString>,
    device: Option<CString>,
    log_path: Option<CString>,
    nul_in_string: bool,
}

// The raw struct holds pointers only into this Config's own CStrings (or NULL).
unsafe impl Send for Config {}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}

impl Config {
    pub fn new() -> Config {
        Config { raw: sys::config_defaults(), client_name: None, device: None, log_path: None, nul_in_string: false }
    }
    pub fn backend(mut self, b: Backend) -> Self {
        self.raw.backend = b.raw();
        self
    }
    pub fn sample_rate(mut self, hz: u32) -> Self {
        self.raw.sample_rate = hz;
        self
    }
    pub fn buffer_size(mut self, frames: u32) -> Self {
        self.raw.buffer_size = frames;
        self
    }
    pub fn max_buffer_size(mut self, frames: u32) -> Self {
        self.raw.max_buffer_size = frames;
        self
    }
    pub fn channels(mut self, inputs: u32, outputs: u32) -> Self {
        self.raw.inputs = inputs;
        self.raw.outputs = outputs;
        self
    }
    pub fn instrument(mut self, on: bool) -> Self {
        self.raw.instrument = on as c_int;
        self
    }
    pub fn strict(mut self, on: bool) -> Self {
        self.raw.strict = on as c_int;
        self
    }
    pub fn rt_priority(mut self, prio: i32) -> Self {
        self.raw.rt_priority = prio;
        self
    }
    /// JACK: connect the engine's outputs to its own inputs.
    pub fn self_loop(mut self, on: bool) -> Self {
        self.raw.jack.self_loop = on as c_int;
        self
    }
    /// A string containing NUL is refused with MIXX_EINVAL when the engine is created.
    pub fn client_name(mut self, name: &str) -> Self {
        self.nul_in_string |= name.contains('\0');
        self.client_name = Some(CString::new(name).unwrap_or_default());
        self
    }
    pub fn device(mut self, name: &str) -> Self {
        self.nul_in_string |= name.contains('\0');
        self.device = Some(CString::new(name).unwrap_or_default());
        self
    }
    pub fn log_path(mut self, path: &str) -> Self {
        self.nul_in_string |= path.contains('\0');
        self.log_path = Some(CString::new(path).unwrap_or_default());
        self
    }
    /// Every C field, for what the builder does not name (pointers set here are ignored: use the methods).
    pub fn raw_mut(&mut self) -> &mut sys::mixx_config {
        &mut self.raw
    }
    /// The C struct with this Config's strings; valid while `self` lives unchanged.
    fn c_api(&self) -> sys::mixx_config {
        let mut c = self.raw;
        let p = |s: &Option<CString>| s.as_ref().map_or(std::ptr::null(), |s| s.as_ptr());
        c.jack.client_name = p(&self.client_name);
        c.device = p(&self.device);
        c.log_path = p(&self.log_path);
        c.jack.connect_in = std::ptr::null();
        c.jack.connect_out = std::ptr::null();
        c.records_cb = None;
        c.second_cb = None;
        c.audio_cb = None;
        c.user = std::ptr::null_mut();
        c
    }
    /// Checks without creating anything: the first parameter error.
    pub fn validate(&self) -> Result<()> {
        if self.nul_in_string {
            return Err(Error(sys::MIXX_EINVAL));
        }
        let c = self.c_api();
        check(unsafe { sys::mixx_config_validate(&c) })
    }
}

// ---- the audio callback ----

/// One audio cycle as the callback sees it. Outputs already hold a copy of the inputs (pass-through).
/// In hosted mode an input and an output may be the same memory, so an input and an output slice are never
/// borrowed at the same time (`input` borrows `&self`, `output` borrows `&mut self`).
pub struct AudioBlock {
    input: *const *const f32,
    n_in: u32,
    output: *const *mut f32,
    n_out: u32,
    frames: u32,
}

impl AudioBlock {
    pub fn frames(&self) -> usize {
        self.frames as usize
    }
    pub fn n_inputs(&self) -> usize {
        self.n_in as usize
    }
    pub fn n_outputs(&self) -> usize {
        self.n_out as usize
    }
    /// Input channel `ch`. Panics if `ch >= n_inputs()`.
    pub fn input(&self, ch: usize) -> &[f32] {
        assert!(ch < self.n_inputs(), "input channel {} of {}", ch, self.n_in);
        unsafe { std::slice::from_raw_parts(*self.input.add(ch), self.frames()) }
    }
    /// Output channel `ch`. Panics if `ch >= n_outputs()`.
    pub fn output(&mut self, ch: usize) -> &mut [f32] {
        assert!(ch < self.n_outputs(), "output channel {} of {}", ch, self.n_out);
        unsafe { std::slice::from_raw_parts_mut(*self.output.add(ch), self.frames()) }
    }
}

type AudioFn = dyn FnMut(&mut AudioBlock) + Send + 'static;

// Shared between the engine (control side) and the audio thread. The closure is reached only by the audio
// thread (or by `process`, under &mut Engine), through the UnsafeCell; the flag is atomic.
struct Callback {
    f: UnsafeCell<Box<AudioFn>>,
    panicked: AtomicBool,
}

unsafe extern "C" fn audio_trampoline(
    input: *const *const f32,
    n_in: u32,
    output: *const *mut f32,
    n_out: u32,
    n_frames: u32,
    user: *mut c_void,
) {
    let cb = &*(user as *const Callback);
    if cb.panicked.load(Ordering::Relaxed) {
        return; // poisoned: pass-through from now on
    }
    let mut block = AudioBlock { input, n_in, output, n_out, frames: n_frames };
    let f = &mut *cb.f.get();
    if catch_unwind(AssertUnwindSafe(|| f(&mut block))).is_err() {
        for ch in 0..n_out as usize {
            std::ptr::write_bytes(*output.add(ch), 0, n_frames as usize);
        }
        cb.panicked.store(true, Ordering::Release);
    }
}

// ---- the engine ----

/// Counters and percentiles of a running or stopped engine.
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    pub running: bool,
    pub sample_rate: u32,
    pub buffer_size: u32,
    pub elapsed_s: f64,
    pub callbacks: u64,
    pub xruns: u64,
    pub deadline_misses: u64,
    pub late_wakeups: u64,
    pub dropped_records: u64,
    /// Callback duration and interval between callbacks, ns.
    pub callback_ns: sys::mixx_percentiles,
    pub interval_ns: sys::mixx_percentiles,
    pub dsp_load_mean: f64,
    pub dsp_load_max: f64,
    /// Times the device changed format while running (JACK buffer size or rate, hosted n_frames); the
    /// format before the last change is in `raw.format_prev_*`.
    pub format_changes: u64,
    /// Everything the C library reports.
    pub raw: sys::mixx_stats,
}

/// Stimulus of the round-trip latency meter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RtlMethod {
    Multitone,
    Impulse,
}

/// One latency measurement; `ok` is false when the meter found no signal or judged it unreliable (an xrun
/// inside it, for instance) — then `frames` is NaN.
#[derive(Clone, Copy, Debug)]
pub struct RtlResult {
    pub ok: bool,
    pub frames: f64,
    pub ms: f64,
    /// What the backend claims, NaN if unknown.
    pub expected_frames: f64,
    pub raw: sys::mixx_rtl_result,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistKind {
    Callback,
    Interval,
}

/// An engine: created stopped, destroyed (stopped first) on drop. `Send`, so it can be handed to another
/// thread; not `Sync`: wrap it in a `Mutex` to share it.
pub struct Engine {
    raw: *mut sys::mixx_engine,
    // Box::into_raw of the closure (or null): a raw pointer, not a Box, so that moving the Engine does not
    // assert unique ownership over memory the audio thread is using
    cb: *mut Callback,
}

// The C engine may be driven from any one control thread at a time; the closure behind `cb` is Send.
unsafe impl Send for Engine {}

impl Engine {
    /// A pure pass-through engine. Errors: the codes of mixx_engine_create (MIXX_ERATE, MIXX_EBUFSIZE ...).
    pub fn new(cfg: &Config) -> Result<Engine> {
        Engine::create(cfg, std::ptr::null_mut())
    }

    /// An engine that calls `f` every cycle on the audio thread, after the pass-through copy. `f` must be
    /// realtime-safe: no allocation, no lock, no I/O.
    pub fn with_audio_cb<F>(cfg: &Config, f: F) -> Result<Engine>
    where
        F: FnMut(&mut AudioBlock) + Send + 'static,
    {
        let cb = Box::new(Callback { f: UnsafeCell::new(Box::new(f)), panicked: AtomicBool::new(false) });
        Engine::create(cfg, Box::into_raw(cb))
    }

    fn create(cfg: &Config, cb: *mut Callback) -> Result<Engine> {
        // from here on `engine` owns cb: an error below drops it, and Drop frees the closure
        let mut engine = Engine { raw: std::ptr::null_mut(), cb };
        cfg.validate()?;
        let mut c = cfg.c_api();
        if !cb.is_null() {
            c.audio_cb = Some(audio_trampoline);
            c.user = cb as *mut c_void; // heap address: stable across moves of Engine
        }
        check(unsafe { sys::mixx_engine_create(&c, &mut engine.raw) })?;
        Ok(engine)
    }

    /// Opens the device and starts audio. Errors: the codes of mixx_engine_start_stream; the backend's
    /// detail is in [`Engine::last_error`].
    pub fn start(&mut self) -> Result<()> {
        check(unsafe { sys::mixx_engine_start_stream(self.raw) })
    }
    /// Stops audio and drains every record.
    pub fn stop(&mut self) -> Result<()> {
        check(unsafe { sys::mixx_engine_stop_stream(self.raw) })
    }
    pub fn last_error(&self) -> String {
        unsafe { CStr::from_ptr(sys::mixx_engine_last_error(self.raw)) }.to_string_lossy().into_owned()
    }

    /// Hosted mode, from the host's audio callback: `frames` frames from `inputs` to `outputs` (each slice at
    /// least `frames` long, at most MAX_CHANNELS of each). Realtime-safe: no allocation.
    pub fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]], frames: usize) -> Result<()> {
        if inputs.len() > MAX_CHANNELS || outputs.len() > MAX_CHANNELS {
            return Err(Error(sys::MIXX_ECHANNELS));
        }
        if inputs.iter().any(|s| s.len() < frames) || outputs.iter().any(|s| s.len() < frames) {
            return Err(Error(sys::MIXX_EINVAL));
        }
        let mut ip = [std::ptr::null::<f32>(); MAX_CHANNELS];
        let mut op = [std::ptr::null_mut::<f32>(); MAX_CHANNELS];
        for (p, s) in ip.iter_mut().zip(inputs.iter()) {
            *p = s.as_ptr();
        }
        for (p, s) in op.iter_mut().zip(outputs.iter_mut()) {
            *p = s.as_mut_ptr();
        }
        let frames = u32::try_from(frames).map_err(|_| Error(sys::MIXX_EFRAMES))?;
        check(unsafe {
            sys::mixx_engine_process(
                self.raw,
                ip.as_ptr(),
                inputs.len() as u32,
                op.as_ptr(),
                outputs.len() as u32,
                frames,
            )
        })
    }

    /// Hosted mode, in place (the same buffers in and out, as JUCE passes them).
    pub fn process_in_place(&mut self, io: &mut [&mut [f32]], frames: usize) -> Result<()> {
        if io.len() > MAX_CHANNELS {
            return Err(Error(sys::MIXX_ECHANNELS));
        }
        if io.iter().any(|s| s.len() < frames) {
            return Err(Error(sys::MIXX_EINVAL));
        }
        let mut p = [std::ptr::null_mut::<f32>(); MAX_CHANNELS];
        for (p, s) in p.iter_mut().zip(io.iter_mut()) {
            *p = s.as_mut_ptr();
        }
        let frames = u32::try_from(frames).map_err(|_| Error(sys::MIXX_EFRAMES))?;
        let n = io.len() as u32;
        check(unsafe { sys::mixx_engine_process(self.raw, p.as_ptr() as *const *const f32, n, p.as_ptr(), n, frames) })
    }

    /// Hosted mode: the host's device reported `count` xruns.
    pub fn report_xruns(&self, count: u32) -> Result<()> {
        check(unsafe { sys::mixx_engine_report_xruns(self.raw, count) })
    }

    pub fn stats(&self) -> Result<Stats> {
        let mut s = sys::mixx_stats::default();
        check(unsafe { sys::mixx_engine_get_stats(self.raw, &mut s, std::mem::size_of::<sys::mixx_stats>()) })?;
        Ok(Stats {
            running: s.running != 0,
            sample_rate: s.sample_rate,
            buffer_size: s.buffer_size,
            elapsed_s: s.elapsed_s,
            callbacks: s.callbacks,
            xruns: s.xruns_backend,
            deadline_misses: s.deadline_misses,
            late_wakeups: s.late_wakeups,
            dropped_records: s.dropped_records,
            callback_ns: s.callback_ns,
            interval_ns: s.interval_ns,
            dsp_load_mean: s.dsp_load_mean,
            dsp_load_max: s.dsp_load_max,
            format_changes: s.format_changes,
            raw: s,
        })
    }

    /// The rate and buffer size the device really runs (valid after start).
    pub fn actual_format(&self) -> Result<(u32, u32)> {
        let mut c = sys::config_defaults();
        check(unsafe { sys::mixx_engine_get_config(self.raw, &mut c, std::mem::size_of::<sys::mixx_config>()) })?;
        Ok((c.sample_rate, c.buffer_size))
    }

    /// Non-empty histogram bins, ascending.
    pub fn histogram(&self, kind: HistKind) -> Result<Vec<sys::mixx_hist_bin>> {
        let k = match kind {
            HistKind::Callback => sys::MIXX_HIST_CALLBACK,
            HistKind::Interval => sys::MIXX_HIST_INTERVAL,
        };
        let mut n = 0usize;
        check(unsafe { sys::mixx_engine_histogram(self.raw, k, std::ptr::null_mut(), 0, &mut n) })?;
        let mut bins = vec![sys::mixx_hist_bin::default(); n];
        loop {
            // a bin may fill between the two calls while running
            check(unsafe { sys::mixx_engine_histogram(self.raw, k, bins.as_mut_ptr(), bins.len(), &mut n) })?;
            if n <= bins.len() {
                bins.truncate(n);
                return Ok(bins);
            }
            bins.resize(n, sys::mixx_hist_bin::default());
        }
    }

    /// Starts the latency meter on the running engine: stimulus on output `channel`, capture from input
    /// `channel`. Errors: the codes of mixx_engine_rtl_start (MIXX_ENOTRUNNING, MIXX_ECHANNEL, MIXX_EBUSY ...).
    pub fn rtl_start(&mut self, method: RtlMethod, channel: u32, continuous: bool) -> Result<()> {
        let m = match method {
            RtlMethod::Multitone => sys::MIXX_RTL_MULTITONE,
            RtlMethod::Impulse => sys::MIXX_RTL_IMPULSE,
        };
        check(unsafe { sys::mixx_engine_rtl_start(self.raw, m, channel, continuous as c_int) })
    }
    /// The next finished measurement, `Ok(None)` if none within `timeout_ms`.
    pub fn rtl_wait(&mut self, timeout_ms: u32) -> Result<Option<RtlResult>> {
        let mut r = sys::mixx_rtl_result::default();
        match unsafe { sys::mixx_engine_rtl_wait(self.raw, &mut r, timeout_ms) } {
            sys::MIXX_ETIMEDOUT => Ok(None),
            rc => check(rc).map(|_| {
                Some(RtlResult {
                    ok: r.status == sys::MIXX_RTL_OK,
                    frames: r.rtl_frames,
                    ms: r.rtl_ms,
                    expected_frames: r.expected_rtl_frames,
                    raw: r,
                })
            }),
        }
    }
    /// Stops the meter (also when it was not running).
    pub fn rtl_stop(&mut self) -> Result<()> {
        check(unsafe { sys::mixx_engine_rtl_stop(self.raw) })
    }

    /// True once the audio closure has panicked (it is then no longer called).
    pub fn callback_panicked(&self) -> bool {
        !self.cb.is_null() && unsafe { &*self.cb }.panicked.load(Ordering::Acquire)
    }

    /// The C handle, for the rest of mixxengine-sys; still owned by this Engine.
    pub fn as_raw(&self) -> *mut sys::mixx_engine {
        self.raw
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // stops and joins the audio thread (NULL is a no-op); only then is the closure freed
        unsafe { sys::mixx_engine_destroy(self.raw) };
        if !self.cb.is_null() {
            drop(unsafe { Box::from_raw(self.cb) });
        }
    }
}
