/* SPDX-License-Identifier: MIT */
// test_meter_model.cpp: unit test of MixxEngineHost's meter model (host/juce/MeterModel.*, plain C++, no JUCE):
// hold time, falloff rate (default and set), RMS, clip latch and reset, totals, bad input. Times are given, not
// measured, so every check is exact. Usage: test_meter_model [NAME-FILTER]
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "MeterModel.h"

using mixxhost::MeterModel;

static int gFailures = 0;

#define CHECK(cond)                                                                                            \
    do {                                                                                                       \
        if (! (cond))                                                                                          \
        {                                                                                                      \
            std::fprintf (stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                    \
            ++gFailures;                                                                                       \
        }                                                                                                      \
    } while (0)
#define CHECK_NEAR(a, b, tol)                                                                                  \
    do {                                                                                                       \
        const double a_ = (a), b_ = (b);                                                                       \
        if (! (std::fabs (a_ - b_) <= (tol)))                                                                  \
        {                                                                                                      \
            std::fprintf (stderr, "%s:%d: %s = %.9g, expected %s = %.9g (tolerance %g)\n", __FILE__, __LINE__, \
                          #a, a_, #b, b_, (double) (tol));                                                     \
            ++gFailures;                                                                                       \
        }                                                                                                      \
    } while (0)

static void test_silence_is_floor()
{
    MeterModel m;
    CHECK_NEAR (m.levelDb(), MeterModel::kFloorDb, 0);
    m.feed (0.0, 0.0f, 0.0f, 0, 800);
    CHECK_NEAR (m.levelDb(), MeterModel::kFloorDb, 0);
    CHECK_NEAR (m.holdDb(), MeterModel::kFloorDb, 0);
    CHECK (! m.clipped());
    CHECK (m.framesTotal() == 800);
}

static void test_peak_and_rms_in_db()
{
    MeterModel m;
    m.feed (0.0, 0.5f, 0.25f, 0, 800);
    CHECK_NEAR (m.levelDb(), 20.0 * std::log10 (0.5), 1e-6);
    CHECK_NEAR (m.rmsDb(), 20.0 * std::log10 (0.25), 1e-6);
    CHECK_NEAR (m.holdDb(), m.levelDb(), 0);
    // a louder reading jumps up at once
    m.feed (0.01, 1.0f, 0.7f, 0, 480);
    CHECK_NEAR (m.levelDb(), 0.0, 1e-9);
    CHECK_NEAR (m.maxPeakDb(), 0.0, 1e-9);
}

static void test_falloff_default_rate()
{
    MeterModel m;
    m.feed (10.0, 1.0f, 1.0f, 0, 64);
    m.advance (11.0); // 1 s later: 13.3 dB down
    CHECK_NEAR (m.levelDb(), -13.3, 1e-9);
    CHECK_NEAR (m.rmsDb(), -13.3, 1e-9);
    m.advance (12.5);
    CHECK_NEAR (m.levelDb(), -13.3 * 2.5, 1e-9);
    // the bar never goes below the floor
    m.advance (100.0);
    CHECK_NEAR (m.levelDb(), MeterModel::kFloorDb, 0);
    // a quieter reading during the fall does not pull the bar below where the fall has got to
    MeterModel q;
    q.feed (0.0, 1.0f, 0.0f, 0, 64);
    q.feed (0.5, 0.01f, 0.0f, 0, 64); // -40 dB while the bar is at -6.65
    CHECK_NEAR (q.levelDb(), -6.65, 1e-9);
}

static void test_falloff_settable()
{
    MeterModel m;
    CHECK (m.setFalloff (20.0));
    CHECK (! m.setFalloff (0.0));
    CHECK (! m.setFalloff (-3.0));
    CHECK (! m.setFalloff (std::nan ("")));
    CHECK_NEAR (m.falloff(), 20.0, 0);
    m.feed (0.0, 1.0f, 0.0f, 0, 64);
    m.advance (0.25);
    CHECK_NEAR (m.levelDb(), -5.0, 1e-9);
    // many small steps fall exactly as one big one (the 60 Hz timer's case)
    MeterModel s;
    s.feed (0.0, 1.0f, 0.0f, 0, 64);
    for (int i = 1; i <= 60; ++i)
        s.advance (i / 60.0);
    CHECK_NEAR (s.levelDb(), -13.3, 1e-9);
}

static void test_hold_1_5_s_then_falls()
{
    MeterModel m;
    CHECK_NEAR (m.hold(), 1.5, 0);
    m.feed (0.0, 1.0f, 0.0f, 0, 64);
    m.advance (1.0);
    CHECK_NEAR (m.holdDb(), 0.0, 1e-12);    // held
    CHECK_NEAR (m.levelDb(), -13.3, 1e-9); // the bar falls meanwhile
    m.advance (1.5);
    CHECK_NEAR (m.holdDb(), 0.0, 1e-12);    // still held at exactly 1.5 s
    m.advance (2.0);                        // 0.5 s past the hold: falls at the ballistic rate
    CHECK_NEAR (m.holdDb(), -13.3 * 0.5, 1e-9);
    CHECK (m.holdDb() >= m.levelDb());
    // a new, lower peak does not reset a hold that is still higher; an equal or higher one does
    MeterModel h;
    h.feed (0.0, 0.5f, 0.0f, 0, 64);
    h.feed (1.0, 0.25f, 0.0f, 0, 64);
    h.advance (1.6);
    CHECK (h.holdDb() < 20.0 * std::log10 (0.5));
    h.feed (2.0, 1.0f, 0.0f, 0, 64);
    h.advance (3.4);
    CHECK_NEAR (h.holdDb(), 0.0, 1e-12);
    CHECK (m.setHold (0.5) && ! m.setHold (0.0) && ! m.setHold (-1.0));
}

static void test_clip_latches_until_reset()
{
    MeterModel m;
    m.feed (0.0, 1.0f, 0.1f, 3, 64);
    CHECK (m.clipped());
    m.advance (60.0); // a minute later: still latched
    CHECK (m.clipped());
    m.resetClip();
    CHECK (! m.clipped());
    m.feed (61.0, 0.5f, 0.1f, 0, 64);
    CHECK (! m.clipped());
    m.feed (62.0, 1.0f, 0.1f, 1, 64);
    CHECK (m.clipped());
    CHECK (m.clipsTotal() == 4);
    CHECK (m.framesTotal() == 192);
    m.reset();
    CHECK (m.clipsTotal() == 0 && ! m.clipped() && m.levelDb() == MeterModel::kFloorDb);
}

static void test_bad_input()
{
    MeterModel m;
    m.feed (1.0, std::nanf (""), -1.0f, 0, 64);
    CHECK_NEAR (m.levelDb(), MeterModel::kFloorDb, 0);
    CHECK_NEAR (m.rmsDb(), MeterModel::kFloorDb, 0);
    m.feed (2.0, 1.0f, 0.0f, 0, 64);
    m.feed (1.0, 0.0f, 0.0f, 0, 0); // time going backwards: taken as no time passing
    CHECK_NEAR (m.levelDb(), 0.0, 1e-12);
    m.feed (std::nan (""), 0.0f, 0.0f, 0, 0);
    CHECK_NEAR (m.levelDb(), 0.0, 1e-12);
    m.feed (2.0, std::numeric_limits<float>::infinity(), 0.0f, 0, 64);
    CHECK_NEAR (m.levelDb(), 0.0, 1e-12);
}

int main (int argc, char** argv)
{
    const char* filter = argc > 1 ? argv[1] : "";
    struct
    {
        const char* name;
        void (*fn)();
    } const tests[] = {
        { "silence_is_floor", test_silence_is_floor },
        { "peak_and_rms_in_db", test_peak_and_rms_in_db },
        { "falloff_default_rate", test_falloff_default_rate },
        { "falloff_settable", test_falloff_settable },
        { "hold_1_5_s_then_falls", test_hold_1_5_s_then_falls },
        { "clip_latches_until_reset", test_clip_latches_until_reset },
        { "bad_input", test_bad_input },
    };
    int run = 0;
    for (const auto& t : tests)
    {
        if (std::strstr (t.name, filter) == nullptr)
            continue;
        const int before = gFailures;
        t.fn();
        ++run;
        std::printf ("%s %s\n", gFailures == before ? "ok  " : "FAIL", t.name);
    }
    std::printf ("%d tests, %d failed checks\n", run, gFailures);
    return gFailures == 0 && run > 0 ? 0 : 1;
}
