/* SPDX-License-Identifier: GPL-3.0-only */
// StripCompare.cpp: MixxStripCompare, the engine's channel strip (hosted engine, mixx_engine_process) against
// NativeStrip (the same strip in plain JUCE). `check`: the two agree, setting by setting (CTest
// test_native_strip_check); `bench`: per-callback cost of both in the same run, alternating blocks; `cg`: one
// side's blocks for callgrind (host/juce/strip_callgrind.sh). Timing is printed, never judged.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <mixxengine.h>
#include <mixxengine/dsp.h>
#include <mixxengine_params.h>

#include "NativeStrip.h"

// ---- allocation counter for the realtime check: the executable's malloc/calloc/realloc/free forward to glibc's
// and count calls made on a thread that armed the counter (operator new and JUCE's HeapBlock end in malloc). Not
// under a sanitizer, which brings its own allocator.
#if defined(__GLIBC__) && ! defined(__SANITIZE_ADDRESS__) && ! defined(__SANITIZE_THREAD__)
    #define MIXX_COUNT_ALLOCS 1
extern "C" {
void* __libc_malloc (size_t) noexcept;
void* __libc_calloc (size_t, size_t) noexcept;
void* __libc_realloc (void*, size_t) noexcept;
void __libc_free (void*) noexcept;
}
namespace
{
thread_local bool allocArmed = false;
std::atomic<long> allocCalls { 0 };
inline void countAlloc() noexcept
{
    if (allocArmed)
        allocCalls.fetch_add (1, std::memory_order_relaxed);
}
} // namespace
extern "C" {
void* malloc (size_t n) noexcept
{
    countAlloc();
    return __libc_malloc (n);
}
void* calloc (size_t n, size_t m) noexcept
{
    countAlloc();
    return __libc_calloc (n, m);
}
void* realloc (void* p, size_t n) noexcept
{
    countAlloc();
    return __libc_realloc (p, n);
}
void free (void* p) noexcept
{
    if (p != nullptr)
        countAlloc();
    __libc_free (p);
}
}
#endif

namespace
{
constexpr double kRate = 48000.0;
constexpr int kChannels = 2;

struct Setting
{
    const char* name;
    std::vector<std::pair<const char*, double>> values;
};

// the settings both strips run; "all-bands" is also the bench's active case
const std::vector<Setting>& settings()
{
    static const std::vector<Setting> s = {
        { "defaults", {} },
        { "trim", { { "ch1.trim_db", -6.0 }, { "ch2.trim_db", 3.5 } } },
        { "polarity", { { "ch1.polarity", 1.0 } } },
        { "mute", { { "ch2.mute", 1.0 } } },
        { "gain+balance+master", { { "ch1.gain_db", -12.0 }, { "pair1.balance", 0.5 }, { "master.gain_db", -3.0 } } },
        { "balance-left", { { "pair1.balance", -0.75 } } },
        { "low-shelf", { { "ch1.eq.low.gain_db", 9.0 }, { "ch2.eq.low.gain_db", -9.0 } } },
        { "low-shelf-20Hz-q0.1", { { "ch1.eq.low.freq_hz", 20.0 }, { "ch1.eq.low.q", 0.1 }, { "ch1.eq.low.gain_db", 24.0 } } },
        { "mid-peak", { { "ch1.eq.mid.gain_db", 6.0 }, { "ch1.eq.mid.q", 4.0 }, { "ch1.eq.mid.freq_hz", 2500.0 },
                        { "ch2.eq.mid.gain_db", -12.0 }, { "ch2.eq.mid.freq_hz", 300.0 }, { "ch2.eq.mid.q", 0.5 } } },
        { "high-shelf", { { "ch1.eq.high.gain_db", -8.0 }, { "ch2.eq.high.gain_db", 12.0 }, { "ch2.eq.high.freq_hz", 12000.0 } } },
        { "high-shelf-20kHz", { { "ch1.eq.high.freq_hz", 20000.0 }, { "ch1.eq.high.gain_db", -24.0 }, { "ch1.eq.high.q", 10.0 } } },
        { "all-bands", { { "ch1.eq.low.gain_db", 6.0 }, { "ch1.eq.mid.gain_db", -4.0 }, { "ch1.eq.mid.q", 2.0 },
                         { "ch1.eq.high.gain_db", 3.0 }, { "ch2.eq.low.gain_db", 6.0 }, { "ch2.eq.mid.gain_db", -4.0 },
                         { "ch2.eq.mid.q", 2.0 }, { "ch2.eq.high.gain_db", 3.0 } } },
        { "out-of-range-clamped", { { "ch1.trim_db", 40.0 }, { "ch1.eq.low.gain_db", -50.0 }, { "ch2.polarity", 0.7 },
                                    { "ch2.eq.high.freq_hz", 99999.0 }, { "ch2.eq.high.gain_db", 30.0 },
                                    { "master.gain_db", -200.0 }, { "ch2.mute", 0.2 } } },
        { "everything", { { "ch1.trim_db", -3.0 }, { "ch1.eq.low.gain_db", -6.0 }, { "ch1.eq.low.freq_hz", 250.0 },
                          { "ch1.eq.mid.gain_db", 5.0 }, { "ch1.eq.high.gain_db", -2.0 }, { "ch1.polarity", 1.0 },
                          { "ch2.eq.mid.gain_db", 8.0 }, { "ch2.eq.mid.q", 7.0 }, { "ch2.gain_db", -20.0 },
                          { "pair1.balance", -0.3 }, { "master.gain_db", -6.0 } } },
    };
    return s;
}

const Setting* findSetting (const char* name)
{
    for (const auto& s : settings())
        if (std::strcmp (s.name, name) == 0)
            return &s;
    return nullptr;
}

// the two strips side by side, same input, separate outputs (the engine copies in -> out; the JUCE side copies
// with memcpy, as MixxEngineHost --native does, then runs the strip in place)
struct Pair
{
    mixx_engine* engine = nullptr;
    mixxhost::NativeStrip native;
    int frames = 0;
    std::vector<float> in[kChannels], outE[kChannels], outN[kChannels];
    const float* inPtr[kChannels] {};
    float* outEPtr[kChannels] {};
    float* outNPtr[kChannels] {};

    ~Pair()
    {
        if (engine != nullptr)
        {
            mixx_engine_stop_stream (engine);
            mixx_engine_destroy (engine);
        }
    }

    // 0 or an engine error code; the setting's values go to both strips
    int open (int blockFrames, const Setting& s)
    {
        frames = blockFrames;
        mixx_config cfg;
        mixx_config_init (&cfg, sizeof cfg);
        cfg.backend = MIXX_BACKEND_HOSTED;
        cfg.sample_rate = (uint32_t) kRate;
        cfg.buffer_size = (uint32_t) blockFrames;
        cfg.max_buffer_size = (uint32_t) blockFrames;
        cfg.inputs = kChannels;
        cfg.outputs = kChannels;
        cfg.instrument = 0; // the cycle and the strip only, not the engine's own per-callback timestamps
        int rc = mixx_engine_create (&cfg, &engine);
        if (rc == 0)
            rc = mixx_engine_start_stream (engine);
        if (rc != 0)
            return rc;
        native.prepare (kRate, blockFrames, kChannels);
        for (int c = 0; c < kChannels; ++c)
        {
            in[c].assign ((size_t) blockFrames, 0.0f);
            outE[c].assign ((size_t) blockFrames, 0.0f);
            outN[c].assign ((size_t) blockFrames, 0.0f);
            inPtr[c] = in[c].data();
            outEPtr[c] = outE[c].data();
            outNPtr[c] = outN[c].data();
        }
        for (const auto& [name, value] : s.values)
        {
            rc = mixx_param_set_by_name (engine, name, value);
            if (rc != 0)
            {
                std::fprintf (stderr, "engine refused %s=%g: %s\n", name, value, mixx_strerror (rc));
                return rc;
            }
            if (! native.setParameter (name, value))
            {
                std::fprintf (stderr, "NativeStrip refused %s=%g\n", name, value);
                return MIXX_ENOPARAM;
            }
        }
        return 0;
    }

    int engineBlock() noexcept
    {
        return mixx_engine_process (engine, inPtr, kChannels, outEPtr, kChannels, (uint32_t) frames);
    }
    void nativeBlock() noexcept
    {
        for (int c = 0; c < kChannels; ++c)
            std::memcpy (outNPtr[c], inPtr[c], (size_t) frames * sizeof (float));
        native.process (outNPtr, kChannels, frames);
    }
};

uint32_t rngState = 0x12345678u;
float noise() // xorshift32, uniform in [-0.5, 0.5)
{
    rngState ^= rngState << 13;
    rngState ^= rngState >> 17;
    rngState ^= rngState << 5;
    return (float) ((double) rngState / 4294967296.0 - 0.5);
}

// The timed modes' pair: set up at `s`, every input filled with noise. Says why and returns false when the
// engine refuses.
bool openWithNoise (Pair& p, int frames, const Setting& s)
{
    const int rc = p.open (frames, s);
    if (rc != 0)
    {
        std::fprintf (stderr, "cannot set up the engine: %s\n", mixx_strerror (rc));
        return false;
    }
    for (int c = 0; c < kChannels; ++c)
        for (auto& x : p.in[c])
            x = noise();
    return true;
}

double dB (double x) { return x > 0.0 ? 20.0 * std::log10 (x) : -400.0; }

// ---- check ---------------------------------------------------------------------------------------------------

// Agreement thresholds. The designs are the same RBJ formulas rounded to the same float coefficients (checked
// below: the engine rounds its double design to float, NativeStrip does the same); what remains is (a) gains
// multiplied in another order in float (a few ulps, ~-140 dB) and (b) the EQ run with float state in JUCE's
// IIR::Filter<float> against the engine's double state, whose rounding noise is amplified by the low-shelf's poles
// near z = 1. floatStateFloor() measures (b) in the same run, on the worst band of the table (a +24 dB low shelf at
// 20 Hz, Q 0.1): the same float coefficients run once with float state, once with double state; it reaches about
// -68 dB re the input peak, and the strips' difference on that setting is the same figure, so it is that floor,
// not a design difference (whose tone gains agree within 0.001 dB). A real defect is far above: a wrong sign is
// +6 dB, a 0.1 dB gain error -39 dB, a band at the wrong place or gain several dB in the probe tones.
constexpr double kMaxDiffDb = -60.0;     // peak |engine - native| over noise, dB re the input's peak
constexpr double kMaxToneDeltaDb = 0.01; // per probe tone, |gain_engine - gain_native| in dB

struct Run
{
    double peakIn = 0.0, peakDiff = 0.0;
    double sumE[kChannels] {}, sumN[kChannels] {}, sumX[kChannels] {};
    bool bitExactIn = true, bitExactBoth = true;
};

// nBlocks blocks of gen() through both; from block `from` on, accumulate the comparison
template <typename Gen>
int stream (Pair& p, int nBlocks, int from, Gen&& gen, Run& r)
{
    for (int b = 0; b < nBlocks; ++b)
    {
        for (int i = 0; i < p.frames; ++i)
            for (int c = 0; c < kChannels; ++c)
                p.in[c][(size_t) i] = gen (c, (long) b * p.frames + i);
        const int rc = p.engineBlock();
        if (rc != 0)
            return rc;
        p.nativeBlock();
        if (b < from)
            continue;
        for (int c = 0; c < kChannels; ++c)
        {
            if (std::memcmp (p.outE[c].data(), p.in[c].data(), (size_t) p.frames * sizeof (float)) != 0
                || std::memcmp (p.outN[c].data(), p.in[c].data(), (size_t) p.frames * sizeof (float)) != 0)
                r.bitExactIn = false;
            if (std::memcmp (p.outE[c].data(), p.outN[c].data(), (size_t) p.frames * sizeof (float)) != 0)
                r.bitExactBoth = false;
            for (int i = 0; i < p.frames; ++i)
            {
                const double x = p.in[c][(size_t) i], e = p.outE[c][(size_t) i], n = p.outN[c][(size_t) i];
                r.peakIn = std::max (r.peakIn, std::fabs (x));
                r.peakDiff = std::max (r.peakDiff, std::fabs (e - n));
                r.sumX[c] += x * x;
                r.sumE[c] += e * e;
                r.sumN[c] += n * n;
            }
        }
    }
    return 0;
}

// peak |float-state - double-state| of one TDF-II biquad with the engine's float coefficients, on the check's
// noise, dB re the input peak: the rounding floor of JUCE's IIR::Filter<float> against the engine's double state
double floatStateFloor()
{
    mixx_dsp_biquad c;
    if (mixx_dsp_biquad_design (&c, MIXX_BIQUAD_LOWSHELF, kRate, 20.0, 0.1, 24.0) != 0)
        return 0.0;
    float f1 = 0.0f, f2 = 0.0f;
    double d1 = 0.0, d2 = 0.0, peakIn = 0.0, peakDiff = 0.0;
    uint32_t saved = rngState;
    for (int i = 0; i < (int) (0.7 * kRate); ++i)
    {
        const float x = noise();
        const float yf = x * c.b0 + f1; // JUCE's loop (juce_IIRFilter_Impl.h), in float
        f1 = x * c.b1 - yf * c.a1 + f2;
        f2 = x * c.b2 - yf * c.a2;
        const double xd = x, yd = xd * c.b0 + d1; // the same in double
        d1 = xd * c.b1 - yd * c.a1 + d2;
        d2 = xd * c.b2 - yd * c.a2;
        if (i >= (int) (0.2 * kRate))
            peakIn = std::max (peakIn, std::fabs (xd)), peakDiff = std::max (peakDiff, std::fabs (yf - yd));
    }
    rngState = saved;
    return dB (peakDiff / peakIn);
}

// NativeStrip::process under automation: parameters written before every block (EQ moving, gains, polarity and
// mute flipping, balance), setParameter and process() with the allocation counter armed; 0 allocations and frees,
// or a failure (an unknown name counts as one too).
// Returns the number of failures (0 or 1); prints a skip when the counter is not compiled in.
int realtimeCheck()
{
#ifdef MIXX_COUNT_ALLOCS
    allocArmed = true;
    void* volatile probe = std::malloc (16);
    std::free (probe);
    allocArmed = false;
    if (allocCalls.exchange (0) != 2)
    {
        std::printf ("# realtime: skipped, the allocation counter does not see this program's malloc\n");
        return 0;
    }
    mixxhost::NativeStrip strip;
    strip.prepare (kRate, 64, kChannels);
    std::vector<float> buf[kChannels];
    float* ptr[kChannels];
    for (int c = 0; c < kChannels; ++c)
        buf[c].assign (64, 0.0f), ptr[c] = buf[c].data();
    const char* moving[] = { "ch1.eq.low.freq_hz", "ch1.eq.low.gain_db", "ch1.eq.mid.q", "ch2.eq.mid.gain_db",
                             "ch2.eq.high.freq_hz", "ch2.eq.high.gain_db", "ch1.trim_db", "ch2.gain_db",
                             "pair1.balance", "master.gain_db", "ch1.polarity", "ch2.mute" };
    long calls = 0;
    int unknown = 0;
    const int blocks = 3000;
    for (int b = 0; b < blocks; ++b)
    {
        for (size_t k = 0; k < sizeof moving / sizeof moving[0]; ++k)
            if ((b + (int) k) % 7 == 0) // each parameter moves every 7th block, several per block
            {
                const juce::String name (moving[k]);
                const double v = noise(); // -0.5 .. 0.5, scaled into each range (and beyond: clamped)
                const double value = name.endsWith ("freq_hz") ? 2000.0 + 4000.0 * v
                                     : name.endsWith (".q")    ? 1.0 + 1.5 * v
                                     : name.endsWith ("_db")   ? 60.0 * v
                                                               : 2.0 * v + 0.5;
                allocArmed = true; // setParameter too: no allocation (the String was made above)
                unknown += strip.setParameter (name, value) ? 0 : 1;
                allocArmed = false;
            }
        for (int c = 0; c < kChannels; ++c)
            for (auto& x : buf[c])
                x = noise();
        allocArmed = true;
        strip.process (ptr, kChannels, 64);
        allocArmed = false;
        calls += allocCalls.exchange (0);
    }
    std::printf ("# realtime: NativeStrip::setParameter + process, %d blocks with parameters moving: %ld "
                 "allocations/frees%s\n",
                 blocks, calls, calls || unknown ? "  FAIL" : "");
    return calls || unknown ? 1 : 0;
#else
    std::printf ("# realtime: skipped, no allocation counter in a sanitizer build\n");
    return 0;
#endif
}

// setParameter's name and value checks: what the engine accepts, it accepts; what it refuses, it refuses
int nameCheck()
{
    mixxhost::NativeStrip strip;
    int bad = 0;
    if (strip.setParameter ("master.gain_db", 0.0))
        std::printf ("# names: FAIL: setParameter before prepare accepted a value\n"), ++bad;
    strip.prepare (kRate, 64, kChannels);
    const char* good[] = { "ch1.trim_db", "ch2.eq.high.q", "ch2.gain_db", "pair1.balance", "master.gain_db", "ch1.mute" };
    const char* wrong[] = { "ch0.trim_db", "ch3.trim_db", "ch01.trim_db", "ch1.trim", "ch1.eq.low", "pair2.balance",
                            "pair1.balance.x", "master", "", "ch1.eq.low.gain_dbx", "chx.mute" };
    for (const char* n : good)
        if (! strip.setParameter (n, 0.0))
            std::printf ("# names: FAIL: %s refused\n", n), ++bad;
    for (const char* n : wrong)
        if (strip.setParameter (n, 0.0))
            std::printf ("# names: FAIL: \"%s\" accepted\n", n), ++bad;
    if (strip.setParameter ("ch1.trim_db", std::nan ("")) || strip.setParameter ("ch1.trim_db", HUGE_VAL))
        std::printf ("# names: FAIL: NaN or infinity accepted\n"), ++bad;
    if (bad == 0)
        std::printf ("# names: %zu engine names accepted, %zu wrong names and NaN/inf refused, nothing before prepare\n",
                     sizeof good / sizeof good[0], sizeof wrong / sizeof wrong[0]);
    return bad ? 1 : 0;
}

// While the ramps run: both strips at rest, then "everything" written between two blocks; the peak difference
// over the 20 ms ramps and after them. Printed, not judged: the ramps have the same length and shape (linear in
// amplitude, EQ redesigned on the same 32-sample grid) but JUCE's SmoothedValue is one sample ahead (its first
// ramp sample is from + step, the engine's is from: src/params_block.c ramp_fill), so the steepest ramp, the 5 ms
// polarity crossfade through zero, differs by about one step (2/240 of the signal, -42 dB); the steps are also
// computed differently (the engine from the ramp's origin in double, JUCE by repeated float addition). Returns 1
// only on an engine error.
int rampFigure()
{
    Pair p;
    const Setting* everything = findSetting ("everything");
    int rc = p.open (64, *findSetting ("defaults"));
    Run rest, ramp, after;
    const auto gen = [] (int, long) { return noise(); };
    if (rc == 0)
        rc = stream (p, 20, 0, gen, rest);
    for (const auto& [name, value] : everything->values)
        if (rc == 0 && (mixx_param_set_by_name (p.engine, name, value) != 0 || ! p.native.setParameter (name, value)))
            rc = MIXX_ENOPARAM;
    if (rc == 0)
        rc = stream (p, 15, 0, gen, ramp); // 960 frames: the 20 ms ramps
    if (rc == 0)
        rc = stream (p, 60, 0, gen, after);
    if (rc != 0)
    {
        std::printf ("# ramp: engine error: %s\n", mixx_strerror (rc));
        return 1;
    }
    std::printf ("# ramp (not judged): \"everything\" written at once after 20 blocks at rest: peak diff %.1f dB during the "
                 "20 ms ramps, %.1f dB in the 60 blocks after them\n",
                 dB (ramp.peakDiff / ramp.peakIn), dB (after.peakDiff / after.peakIn));
    return 0;
}

int runCheck()
{
    const double probes[] = { 25, 60, 100, 200, 500, 1000, 2500, 5000, 8000, 12000, 16000, 20000 };
    const int frames = 64, settleBlocks = 150, measureBlocks = 375; // 0.2 s settle (10 x the 20 ms ramps), 0.5 s
    int failures = 0;
    std::printf ("# engine strip (hosted, mixx_engine_process) vs NativeStrip (JUCE dsp), 48000 Hz, %d frames, "
                 "2 channels\n",
                 frames);
    std::printf ("# noise: peak |engine - native| in dB re the input peak (limit %.0f dB); tones: max |gain "
                 "difference| over %zu probes 25 Hz..20 kHz per channel (limit %.2f dB)\n",
                 kMaxDiffDb, sizeof probes / sizeof probes[0], kMaxToneDeltaDb);
    std::printf ("# float-state floor (one biquad, +24 dB low shelf at 20 Hz, Q 0.1, float vs double state, same "
                 "float coefficients): %.1f dB\n",
                 floatStateFloor());
    std::printf ("%-22s %12s %14s %10s %10s  %s\n", "setting", "noise_diff", "tone_max_delta", "at_hz", "engine_at",
                 "verdict");
    for (const auto& s : settings())
    {
        Pair p;
        int rc = p.open (frames, s);
        if (rc != 0)
        {
            std::printf ("%-22s cannot set up: %s\n", s.name, mixx_strerror (rc));
            ++failures;
            continue;
        }
        Run noiseRun;
        rc = stream (p, settleBlocks + measureBlocks, settleBlocks, [] (int, long) { return noise(); }, noiseRun);
        double worstDelta = 0.0, worstHz = 0.0, worstEngineDb = 0.0;
        const bool defaults = s.values.empty();
        for (double f : probes)
        {
            if (rc != 0)
                break;
            Run toneRun;
            const double w = 2.0 * 3.14159265358979323846 * f / kRate;
            rc = stream (p, 75 + 150, 75, [w] (int, long t) { return (float) (0.5 * std::sin (w * (double) t)); },
                         toneRun);
            for (int c = 0; c < kChannels && rc == 0; ++c)
            {
                // both silent (mute) is agreement; otherwise the two gains in dB
                if (toneRun.sumE[c] < 1e-20 && toneRun.sumN[c] < 1e-20)
                    continue;
                const double ge = 10.0 * std::log10 (std::max (toneRun.sumE[c], 1e-300) / toneRun.sumX[c]);
                const double gn = 10.0 * std::log10 (std::max (toneRun.sumN[c], 1e-300) / toneRun.sumX[c]);
                if (std::fabs (ge - gn) >= worstDelta)
                    worstDelta = std::fabs (ge - gn), worstHz = f, worstEngineDb = ge;
            }
            if (defaults && ! (toneRun.bitExactIn && toneRun.bitExactBoth))
                noiseRun.bitExactIn = false;
        }
        if (rc != 0)
        {
            std::printf ("%-22s engine error: %s\n", s.name, mixx_strerror (rc));
            ++failures;
            continue;
        }
        const double diffDb = dB (noiseRun.peakDiff / noiseRun.peakIn);
        std::string why;
        if (defaults && ! noiseRun.bitExactIn)
            why = "defaults are not a bit-exact pass-through in both strips";
        else if (diffDb > kMaxDiffDb)
            why = "noise difference above the limit";
        else if (worstDelta > kMaxToneDeltaDb)
            why = "tone gains differ above the limit";
        std::printf ("%-22s %9.1f dB %11.5f dB %10.0f %7.2f dB  %s%s\n", s.name, diffDb, worstDelta, worstHz,
                     worstEngineDb, why.empty() ? "ok" : "FAIL: ", why.c_str());
        if (defaults && why.empty())
            std::printf ("%-22s bit-exact: engine output == native output == input on every sample\n", "");
        if (! why.empty())
            ++failures;
    }
    if (failures)
        std::printf ("%d setting(s) disagree\n", failures);
    failures += rampFigure();
    failures += nameCheck();
    failures += realtimeCheck();
    return failures ? 1 : 0;
}

// ---- bench ---------------------------------------------------------------------------------------------------

uint64_t nowNs() noexcept
{
    timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

double pct (std::vector<uint32_t>& v, double q)
{
    std::sort (v.begin(), v.end());
    const size_t i = (size_t) std::min ((double) (v.size() - 1), std::floor (q * (double) v.size()));
    return v[i];
}

int runBench (int blocks)
{
    std::printf ("# per-callback cost, engine strip (mixx_engine_process, hosted, instrument=0) vs JUCE strip "
                 "(memcpy in->out + NativeStrip::process), 48000 Hz, 2 channels, %d blocks each, alternating\n",
                 blocks);
    std::printf ("# ns; floor = two clock_gettime reads around nothing (inside every figure); r = engine / JUCE. On a "
                 "loaded machine a p99 is the preemptions once they hit more than 1 %% of the blocks (longer blocks "
                 "are hit more often): read p50/p90 for the work, callgrind for a stable count\n");
    std::printf ("%-6s %-10s %8s %8s %8s %8s %8s %8s %6s %6s %6s %6s %6s\n", "frames", "setting", "eng_p50", "eng_p90",
                 "eng_p99", "juce_p50", "juce_p90", "juce_p99", "fl_p50", "fl_p99", "r_p50", "r_p90", "r_p99");
    for (int frames : { 64, 256 })
        for (const char* name : { "defaults", "all-bands" })
        {
            Pair p;
            if (! openWithNoise (p, frames, *findSetting (name)))
                return 1;
            std::vector<uint32_t> te, tn, tf;
            te.reserve ((size_t) blocks);
            tn.reserve ((size_t) blocks);
            tf.reserve ((size_t) blocks);
            for (int b = -2000; b < blocks; ++b) // 2000 warm-up blocks settle the ramps and the caches
            {
                // alternate which side goes first, so neither always finds the other's cache state
                for (int k = 0; k < 2; ++k)
                {
                    const bool engineNow = (k == 0) == ((b & 1) == 0);
                    const uint64_t t0 = nowNs();
                    if (engineNow)
                        p.engineBlock();
                    else
                        p.nativeBlock();
                    const uint64_t t1 = nowNs();
                    if (b >= 0)
                        (engineNow ? te : tn).push_back ((uint32_t) std::min<uint64_t> (t1 - t0, UINT32_MAX));
                }
                const uint64_t f0 = nowNs();
                const uint64_t f1 = nowNs();
                if (b >= 0)
                    tf.push_back ((uint32_t) (f1 - f0));
            }
            const double e50 = pct (te, 0.50), e90 = pct (te, 0.90), e99 = pct (te, 0.99);
            const double n50 = pct (tn, 0.50), n90 = pct (tn, 0.90), n99 = pct (tn, 0.99);
            std::printf ("%-6d %-10s %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f %6.0f %6.0f %6.2f %6.2f %6.2f\n", frames, name,
                         e50, e90, e99, n50, n90, n99, pct (tf, 0.5), pct (tf, 0.99), e50 / n50, e90 / n90, e99 / n99);
        }
    return 0;
}

} // namespace

// ---- cg: the counted loops (callgrind --toggle-collect on these names) ---------------------------------------
extern "C" {
int mixxhost_cg_engine_blocks (void* pair, int blocks);
int mixxhost_cg_native_blocks (void* pair, int blocks);
}

__attribute__ ((noinline)) int mixxhost_cg_engine_blocks (void* pair, int blocks)
{
    int rc = 0;
    for (int b = 0; b < blocks; ++b)
        rc |= static_cast<Pair*> (pair)->engineBlock();
    return rc;
}

__attribute__ ((noinline)) int mixxhost_cg_native_blocks (void* pair, int blocks)
{
    for (int b = 0; b < blocks; ++b)
        static_cast<Pair*> (pair)->nativeBlock();
    return 0;
}

namespace
{
int runCg (const char* side, const char* setting, int frames, int blocks)
{
    const Setting* s = findSetting (setting);
    const bool engine = std::strcmp (side, "engine") == 0;
    if (s == nullptr || (! engine && std::strcmp (side, "native") != 0) || frames < 1 || frames > 8192 || blocks < 1)
    {
        std::fprintf (stderr, "usage: MixxStripCompare cg engine|native SETTING FRAMES BLOCKS\n");
        return 2;
    }
    Pair p;
    if (! openWithNoise (p, frames, *s))
        return 1;
    const int warm = (int) (0.1 * kRate) / frames + 1; // past the ramps, outside the counted function
    int err = 0;
    for (int b = 0; b < warm; ++b)
        if (engine)
            err |= p.engineBlock();
        else
            p.nativeBlock();
    err |= engine ? mixxhost_cg_engine_blocks (&p, blocks) : mixxhost_cg_native_blocks (&p, blocks);
    std::printf ("%s %s %d frames: %d blocks counted after %d uncounted warm-up blocks\n", side, setting, frames,
                 blocks, warm);
    return err ? 1 : 0;
}
} // namespace

int main (int argc, char** argv)
{
    const char* mode = argc > 1 ? argv[1] : "check";
    if (std::strcmp (mode, "check") == 0 && argc <= 2)
        return runCheck();
    if (std::strcmp (mode, "bench") == 0 && argc <= 3)
        return runBench (argc > 2 ? std::max (1, std::atoi (argv[2])) : 20000);
    if (std::strcmp (mode, "cg") == 0 && argc == 6)
        return runCg (argv[2], argv[3], std::atoi (argv[4]), std::atoi (argv[5]));
    std::fprintf (stderr, "usage: MixxStripCompare [check | bench [BLOCKS] | cg engine|native SETTING FRAMES BLOCKS]\n");
    return 2;
}
