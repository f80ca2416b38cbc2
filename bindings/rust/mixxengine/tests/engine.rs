// SPDX-License-Identifier: MIT
// engine.rs: the safe wrapper against the real library: errors, hosted processing through a closure, a panic
// caught at the FFI boundary, the closure's lifetime (freed after the engine), the sim backend's audio thread
// calling the closure, and an Engine moved to another thread.
use mixxengine::{Backend, Config, Engine, Error, HistKind, RtlMethod};
use mixxengine_sys as sys;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn hosted() -> Config {
    Config::new().backend(Backend::Hosted).sample_rate(48000).buffer_size(64).channels(2, 2)
}

#[test]
fn errors_carry_the_library_code() {
    assert_eq!(Config::new().sample_rate(0).validate(), Err(Error(sys::MIXX_ERATE)));
    let e = Engine::new(&Config::new().buffer_size(100_000)).err().expect("buffer 100000 accepted");
    assert_eq!(e, Error(sys::MIXX_EBUFSIZE));
    assert_eq!(e.name(), "MIXX_EBUFSIZE");
    assert!(e.to_string().contains("buffer size"), "{}", e);
    assert_eq!(Engine::new(&Config::new().client_name("a\0b")).err(), Some(Error(sys::MIXX_EINVAL)));
    let mut engine = Engine::new(&hosted()).unwrap();
    engine.start().unwrap();
    assert_eq!(engine.start(), Err(Error(sys::MIXX_ERUNNING)));
    engine.stop().unwrap();
    assert_eq!(engine.stop(), Err(Error(sys::MIXX_ENOTRUNNING)));
    assert_eq!(Backend::Jack.name(), "jack");
    assert!(!mixxengine::version().is_empty());
}

#[test]
fn hosted_process_runs_the_closure() {
    let cycles = Arc::new(AtomicU64::new(0));
    let c2 = cycles.clone();
    let mut engine = Engine::with_audio_cb(&hosted(), move |b| {
        for ch in 0..b.n_outputs() {
            for x in b.output(ch) {
                *x *= 0.5;
            }
        }
        c2.fetch_add(1, Ordering::Relaxed);
    })
    .unwrap();
    engine.start().unwrap();
    let (inl, inr) = (vec![1.0f32; 64], vec![-0.5f32; 64]);
    let (mut outl, mut outr) = (vec![0.0f32; 64], vec![0.0f32; 64]);
    for _ in 0..5 {
        engine.process(&[&inl, &inr], &mut [&mut outl, &mut outr], 64).unwrap();
    }
    assert_eq!(outl[0], 0.5);
    assert_eq!(outr[63], -0.25);
    let (mut l, mut r) = (vec![1.0f32; 32], vec![1.0f32; 32]);
    engine.process_in_place(&mut [&mut l, &mut r], 32).unwrap();
    assert_eq!(l[31], 0.5);
    // a slice shorter than `frames` is refused before reaching C
    assert_eq!(engine.process(&[&inl[..10]], &mut [&mut outl], 64), Err(Error(sys::MIXX_EINVAL)));
    assert_eq!(cycles.load(Ordering::Relaxed), 6);
    engine.stop().unwrap();
    let st = engine.stats().unwrap();
    assert_eq!(st.callbacks, 6);
    // the host's block went from 64 to 32 frames once, after the fifth cycle
    assert_eq!((st.format_changes, st.buffer_size), (1, 32));
    assert_eq!((st.raw.format_prev_buffer_size, st.raw.format_changed_at_callback), (64, 5));
    let total: u64 = engine.histogram(HistKind::Callback).unwrap().iter().map(|b| b.count).sum();
    assert_eq!(total, 6);
    assert!(!engine.callback_panicked());
}

#[test]
fn a_panic_stays_on_the_rust_side() {
    let mut engine = Engine::with_audio_cb(&hosted(), |b| {
        if b.frames() == 16 {
            panic!("DSP bug (expected by the test)");
        }
    })
    .unwrap();
    engine.start().unwrap();
    let (mut l, mut r) = (vec![1.0f32; 64], vec![1.0f32; 64]);
    engine.process_in_place(&mut [&mut l, &mut r], 64).unwrap();
    assert_eq!(l[0], 1.0);
    engine.process_in_place(&mut [&mut l, &mut r], 16).unwrap();
    assert!(engine.callback_panicked());
    assert!(l[..16].iter().chain(r[..16].iter()).all(|&x| x == 0.0), "the panicking cycle is silenced");
    // poisoned: not called again, audio passes through
    let (mut l, mut r) = (vec![0.25f32; 16], vec![0.25f32; 16]);
    engine.process_in_place(&mut [&mut l, &mut r], 16).unwrap();
    assert_eq!(l[0], 0.25);
}

struct DropFlag(Arc<AtomicBool>);
impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn sim_thread_calls_the_closure_and_drop_frees_it() {
    let frames = Arc::new(AtomicU64::new(0));
    let dropped = Arc::new(AtomicBool::new(false));
    let (f2, flag) = (frames.clone(), DropFlag(dropped.clone()));
    let engine = Engine::with_audio_cb(&Config::new(), move |b| {
        let _keep = &flag; // the closure owns the flag
        f2.fetch_add(b.frames() as u64, Ordering::Relaxed);
    })
    .unwrap();
    // the engine (and its closure) moves to another thread, runs there, and is dropped there
    let frames2 = frames.clone();
    let t = std::thread::spawn(move || {
        let mut engine = engine;
        engine.start().unwrap();
        // a loaded VM may be slow to schedule the sim thread: wait for callbacks, not for a time
        for _ in 0..3000 {
            if frames2.load(Ordering::Relaxed) >= 64 * 20 {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        engine.stop().unwrap();
        let st = engine.stats().unwrap();
        assert_eq!(st.callbacks * 64, frames2.load(Ordering::Relaxed));
        assert_eq!(engine.actual_format().unwrap(), (48000, 64));
    });
    t.join().unwrap();
    assert!(frames.load(Ordering::Relaxed) >= 64 * 20, "only {} frames", frames.load(Ordering::Relaxed));
    assert!(dropped.load(Ordering::SeqCst), "the closure was not freed with the engine");
}

#[test]
fn latency_meter_measures_the_sim_loop() {
    let mut cfg = Config::new();
    cfg.raw_mut().sim.extra_latency = 10.5; // loop: 2 periods of 64 frames + 10.5
    let mut engine = Engine::new(&cfg).unwrap();
    assert_eq!(engine.rtl_start(RtlMethod::Multitone, 0, false), Err(Error(sys::MIXX_ENOTRUNNING)));
    engine.start().unwrap();
    assert_eq!(engine.rtl_start(RtlMethod::Multitone, 9, false), Err(Error(sys::MIXX_ECHANNEL)));
    engine.rtl_start(RtlMethod::Multitone, 0, false).unwrap();
    // an xrun of a loaded VM may spoil a measurement (the meter says so): the first OK of up to 5
    let mut ok = None;
    for _ in 0..5 {
        let r = engine.rtl_wait(10_000).unwrap().expect("no measurement within 10 s");
        if r.ok {
            ok = Some(r);
            break;
        }
    }
    let r = ok.expect("5 measurements, none OK");
    assert!((r.frames - 138.5).abs() < 0.5, "measured {} frames, the loop is 138.5", r.frames);
    engine.rtl_stop().unwrap();
    assert_eq!(engine.rtl_wait(0).err(), Some(Error(sys::MIXX_ENOTRUNNING)));
}

#[test]
fn failed_create_frees_the_closure() {
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = DropFlag(dropped.clone());
    let r = Engine::with_audio_cb(&Config::new().sample_rate(0), move |_b| {
        let _keep = &flag;
    });
    assert!(r.is_err());
    assert!(dropped.load(Ordering::SeqCst));
}
