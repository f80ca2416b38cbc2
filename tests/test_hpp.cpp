// SPDX-License-Identifier: MIT
// test_hpp.cpp: the C++17 wrapper include/mixxengine.hpp without JUCE: config builder, errors as exceptions and
// as results, RAII and moves, hosted processing through spans, callables on the audio thread (exceptions caught).
#include <mixxengine.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

static int failures = 0;
#define CHECK(cond)                                                                                             \
    do {                                                                                                        \
        if (!(cond)) {                                                                                          \
            std::printf("%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                              \
            failures++;                                                                                         \
        }                                                                                                       \
    } while (0)
#define CHECK_EQ(a, b)                                                                                          \
    do {                                                                                                        \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                                   \
        if (va_ != vb_) {                                                                                       \
            std::printf("%s:%d: CHECK_EQ failed: %s = %lld, %s = %lld\n", __FILE__, __LINE__, #a, va_, #b, vb_); \
            failures++;                                                                                         \
        }                                                                                                       \
    } while (0)

static mixx::config hosted_config()
{
    return mixx::config().backend(MIXX_BACKEND_HOSTED).sample_rate(48000).buffer_size(64).channels(2, 2);
}

static void test_errors()
{
    CHECK_EQ(mixx::config().sample_rate(0).validate(), MIXX_ERATE);
    CHECK_EQ(mixx::config().validate(), MIXX_OK);
    int code = 0;
    try {
        mixx::engine e(mixx::config().buffer_size(100000));
    } catch (const mixx::error &err) {
        code = err.code();
        CHECK(std::strcmp(err.name(), "MIXX_EBUFSIZE") == 0);
        CHECK(std::strstr(err.what(), "buffer size") != nullptr);
    }
    CHECK_EQ(code, MIXX_EBUFSIZE);
    auto r = mixx::engine::create(mixx::config().channels(0, 0));
    CHECK(!r);
    CHECK_EQ(r.code(), MIXX_ECHANNELS);
    code = 0;
    try {
        r.value();
    } catch (const mixx::error &err) {
        code = err.code();
    }
    CHECK_EQ(code, MIXX_ECHANNELS);
    code = 0;
    try {
        mixx::config().backend("no-such-backend");
    } catch (const mixx::error &err) {
        code = err.code();
    }
    CHECK_EQ(code, MIXX_EBACKEND);
    // a C records_cb beside a C++ callable would get the wrapper's `user`: refused
    auto both = hosted_config().on_audio([](const mixx::audio_block &) {});
    both.raw().records_cb = [](const mixx_record *, size_t, void *) {};
    CHECK_EQ(mixx::engine::create(both).code(), MIXX_EINVAL);
    // a started engine refuses a second start, with the code
    mixx::engine e(hosted_config());
    e.start();
    code = 0;
    try {
        e.start();
    } catch (const mixx::error &err) {
        code = err.code();
    }
    CHECK_EQ(code, MIXX_ERUNNING);
    CHECK_EQ(e.try_stop(), MIXX_OK);
    CHECK_EQ(e.try_stop(), MIXX_ENOTRUNNING);
}

static void test_hosted_process_and_callable()
{
    std::atomic<int> cycles{0};
    auto cfg = hosted_config().on_audio([&cycles](const mixx::audio_block &b) {
        for (uint32_t ch = 0; ch < b.n_out; ch++)
            for (float &x : b.out(ch))
                x *= 0.5f;
        cycles.fetch_add(1, std::memory_order_relaxed);
    });
    auto r = mixx::engine::create(cfg);
    CHECK(r.ok());
    if (!r)
        return;
    mixx::engine e = std::move(r).value(); // moved: the callable's address held by the C side must not change
    e.start();
    std::vector<float> a(64, 1.0f), b(64, -1.0f);
    std::array<float *, 2> io{a.data(), b.data()};
    for (int i = 0; i < 10; i++)
        CHECK_EQ(e.process(io, 64), MIXX_OK); // in place, as JUCE calls it
    CHECK_EQ(cycles.load(), 10);
    CHECK(a[0] == 1.0f / 1024 && b[63] == -1.0f / 1024); // halved ten times
    // separate in and out buffers; the C array and std::vector forms of span
    std::vector<float> in0(32, 0.25f), in1(32, 0.75f), out0(32), out1(32);
    const float *ins[2] = {in0.data(), in1.data()};
    std::vector<float *> outs{out0.data(), out1.data()};
    CHECK_EQ(e.process(ins, outs, 32), MIXX_OK);
    CHECK(out0[31] == 0.125f && out1[0] == 0.375f && in0[0] == 0.25f);
    // more frames than max_buffer_size: an error code, not an exception
    std::vector<float> big(16384, 1.0f);
    std::array<float *, 2> bigio{big.data(), big.data()};
    CHECK_EQ(e.process(bigio, 16384), MIXX_EFRAMES);
    mixx::engine moved(std::move(e));
    CHECK_EQ(moved.report_xruns(3), MIXX_OK); // the host's device glitched: counted with the next cycle
    CHECK_EQ(moved.process(io, 64), MIXX_OK);
    CHECK_EQ(cycles.load(), 12);
    moved.stop();
    mixx_stats st = moved.stats();
    CHECK_EQ(st.callbacks, 12);
    CHECK_EQ(st.xruns_backend, 3);
    auto bins = moved.histogram(MIXX_HIST_CALLBACK);
    uint64_t total = 0;
    for (const auto &bin : bins)
        total += bin.count;
    CHECK_EQ(total, 12);
    CHECK_EQ(moved.callback_exceptions(), 0);
}

static void test_exception_stays_on_the_cpp_side()
{
#ifdef MIXX_RTSAN
    // throwing allocates the exception object: RTSan rightly stops it on the audio path. The other cases run
    // under RTSan to show the wrapper's own hot path (trampoline, spans, process) is realtime-safe.
    std::printf("skipped under RTSan: an exception thrown on the audio thread allocates\n");
    return;
#endif
    mixx::engine e(hosted_config().on_audio([](const mixx::audio_block &b) {
        if (b.frames == 16)
            throw std::runtime_error("DSP bug");
    }));
    e.start();
    std::vector<float> l(16, 1.0f), r(16, 1.0f);
    std::array<float *, 2> lr{l.data(), r.data()};
    CHECK_EQ(e.process(lr, 16), MIXX_OK);
    CHECK(l[0] == 0.0f && r[15] == 0.0f); // the throwing cycle is silenced
    CHECK_EQ(e.callback_exceptions(), 1);
    std::vector<float> l8(8, 1.0f), r8(8, 1.0f);
    std::array<float *, 2> lr8{l8.data(), r8.data()};
    CHECK_EQ(e.process(lr8, 8), MIXX_OK);
    CHECK(l8[0] == 1.0f); // other cycles pass through
    CHECK_EQ(e.callback_exceptions(), 1);
}

static void test_sim_callbacks_run()
{
    std::atomic<uint64_t> frames{0};
    std::atomic<uint64_t> seconds{0}, second_callbacks{0};
    auto cfg = mixx::config()
                   .on_audio([&frames](const mixx::audio_block &b) {
                       frames.fetch_add(b.frames, std::memory_order_relaxed);
                   })
                   .on_second([&seconds, &second_callbacks](const mixx_second &s) {
                       seconds.fetch_add(1, std::memory_order_relaxed);
                       second_callbacks.fetch_add(s.callbacks, std::memory_order_relaxed);
                   });
    mixx::engine e(cfg);
    e.start();
    // the sim device thread calls the callable, the monitor thread the per-second one (after one second of
    // audio); a loaded VM may be slow, so wait for them rather than for a fixed time
    for (int i = 0; i < 3000 && (frames.load() < 64 * 20 || seconds.load() < 1); i++) // <= 30 s (valgrind: ~8)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    e.stop();
    CHECK(frames.load() >= 64 * 20);
    CHECK(seconds.load() >= 1);
    CHECK(second_callbacks.load() > 0 && second_callbacks.load() <= e.stats().callbacks);
    CHECK_EQ(frames.load(), e.stats().callbacks * 64);
    CHECK_EQ(e.actual_config().sample_rate, 48000);
}

static void test_latency_meter_on_sim()
{
    // the sim loop: 2 periods of 64 frames plus 10.5 frames
    mixx::config cfg;
    cfg.raw().sim.extra_latency = 10.5;
    mixx::engine e(cfg);
    e.start();
    int code = 0;
    try {
        e.rtl_start(MIXX_RTL_MULTITONE, 7); // the engine has 2 channels
    } catch (const mixx::error &err) {
        code = err.code();
    }
    CHECK_EQ(code, MIXX_ECHANNEL);
    e.rtl_start();
    // an xrun of the loaded VM can spoil one measurement (the meter says so): take the first OK of up to 5
    std::optional<mixx_rtl_result> ok;
    for (int i = 0; i < 5 && !ok; i++) {
        auto r = e.rtl_wait(10000);
        CHECK(r.has_value());
        if (!r)
            break;
        if (r->status == MIXX_RTL_OK)
            ok = r;
    }
    CHECK(ok.has_value());
    if (ok) {
        CHECK(std::fabs(ok->rtl_frames - 138.5) < 0.5);
        if (std::fabs(ok->rtl_frames - 138.5) >= 0.5)
            std::printf("measured %.3f frames, expected 138.5\n", ok->rtl_frames);
    }
    e.rtl_stop();
    CHECK(e.rtl_summary().measurements >= 1);
    code = 0;
    try {
        e.rtl_wait(0); // the meter is stopped: an error, not a timeout
    } catch (const mixx::error &err) {
        code = err.code();
    }
    CHECK_EQ(code, MIXX_ENOTRUNNING);
}

int main()
{
    std::printf("mixxengine.hpp against libmixxengine %s\n", mixx::version_string());
    test_errors();
    test_hosted_process_and_callable();
    test_exception_stays_on_the_cpp_side();
    test_sim_callbacks_run();
    test_latency_meter_on_sim();
    if (failures)
        std::printf("%d checks failed\n", failures);
    else
        std::printf("all checks passed\n");
    return failures ? 1 : 0;
}
