// SPDX-License-Identifier: MIT
// passthrough_gain.cpp: passthrough_gain.c with the C++17 wrapper (mixxengine.hpp): the gain lives in a lambda
// the engine owns, the control thread changes it through an atomic, errors arrive as mixx::error.
// Usage: passthrough_gain_cpp [seconds]   (sim backend)
#include <mixxengine.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <thread>

int main(int argc, char **argv)
{
    const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
    std::atomic<float> target{1.0f}; // written by the control ("UI") thread, read by the audio thread
    try {
        auto cfg = mixx::config().sample_rate(48000).buffer_size(64).channels(2, 2);
        const float coeff = 1.0f - std::exp(-1.0f / (0.010f * 48000.0f)); // ~10 ms glide, no zipper noise
        // Audio thread: realtime-safe body only. `current` is the lambda's own state (mutable).
        cfg.on_audio([&target, coeff, current = 1.0f](const mixx::audio_block &b) mutable {
            const float t = target.load(std::memory_order_acquire);
            float g = current;
            for (uint32_t ch = 0; ch < b.n_out; ch++) {
                g = current;
                for (float &x : b.out(ch)) {
                    g += coeff * (t - g);
                    x *= g;
                }
            }
            current = g;
        });
        mixx::engine engine(cfg); // destroyed (and stopped) at the end of the scope, also on an exception
        engine.start();
        for (int i = 0; i < static_cast<int>(seconds * 4); i++) {
            target.store(i % 2 ? 0.25f : 1.0f, std::memory_order_release); // a slider moving
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
        engine.stop();
        const mixx_stats st = engine.stats();
        std::printf("%llu callbacks, callback p99 %.1f us, %llu exceptions in the callback\n",
                    static_cast<unsigned long long>(st.callbacks), st.callback_ns.p99 / 1e3,
                    static_cast<unsigned long long>(engine.callback_exceptions()));
        return st.callbacks > 0 ? 0 : 1;
    } catch (const mixx::error &e) {
        std::fprintf(stderr, "%s (%s)\n", e.what(), e.name());
        return 1;
    }
}
