// SPDX-License-Identifier: MIT
// gain.rs: examples/passthrough_gain.c in Rust: a closure on the audio thread applies a gain that the main
// ("UI") thread changes through an atomic; the closure glides towards it (~10 ms) so a step never clicks.
// Usage: cargo run --example gain -- [seconds]
use mixxengine::{AudioBlock, Config, Engine};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn main() -> Result<(), mixxengine::Error> {
    let seconds: f64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(2.0);
    let cfg = Config::new().sample_rate(48000).buffer_size(64).channels(2, 2); // sim backend by default
    // an f32 in an AtomicU32 (its bits): written by the UI thread, read once per callback
    let target = Arc::new(AtomicU32::new(1.0f32.to_bits()));
    let audio_target = target.clone();
    let coeff = 1.0 - (-1.0f32 / (0.010 * 48000.0)).exp();
    let mut current = 1.0f32; // owned by the closure: audio-thread state
    let mut engine = Engine::with_audio_cb(&cfg, move |block: &mut AudioBlock| {
        // realtime-safe: no allocation, no lock, no println!
        let t = f32::from_bits(audio_target.load(Ordering::Acquire));
        let mut g = current;
        for ch in 0..block.n_outputs() {
            g = current;
            for x in block.output(ch) {
                g += coeff * (t - g);
                *x *= g;
            }
        }
        current = g;
    })?;
    engine.start()?;
    for i in 0..(seconds * 4.0) as usize {
        let gain = if i % 2 == 0 { 0.25f32 } else { 1.0 }; // a slider moving
        target.store(gain.to_bits(), Ordering::Release);
        std::thread::sleep(Duration::from_millis(250));
    }
    engine.stop()?;
    let st = engine.stats()?;
    println!(
        "{} callbacks at {} Hz / {} frames, callback p99 {:.1} us, {} xruns",
        st.callbacks,
        st.sample_rate,
        st.buffer_size,
        st.callback_ns.p99 as f64 / 1e3,
        st.xruns
    );
    Ok(())
}
