/* SPDX-License-Identifier: GPL-3.0-only */
// NativeStrip.h: the engine's built-in channel strip (src/strip.c, docs/params.md) written a second time with
// plain JUCE dsp pieces (dsp::Gain, SmoothedValue, dsp::IIR::Filter), for MixxEngineHost --native and the
// engine-vs-JUCE comparison (StripCompare.cpp). Same parameter names, ranges, defaults and smoothing times.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include <juce_dsp/juce_dsp.h>

namespace mixxhost
{

// Per channel N (1-based): chN.trim_db, chN.polarity, chN.mute, chN.eq.{low,mid,high}.{freq_hz,gain_db,q},
// chN.gain_db; per stereo pair N: pairN.balance; master.gain_db. Writes go to one atomic slot per parameter
// (latest value wins, as in the engine's bus); process() picks them up at the start of its next block and ramps
// towards them: gains linearly in amplitude over 20 ms, polarity and mute as 5 ms crossfades, EQ frequency /
// gain (linear in amplitude) / Q over 20 ms with the band redesigned every 32 samples on the strip's own sample
// clock while one of them moves. An EQ band at 0 dB is skipped (so the defaults are a bit-exact pass-through).
//
// EQ coefficients are designed on the audio thread, realtime-safely: juce::dsp::IIR::ArrayCoefficients<double>
// (plain arithmetic into a std::array, no allocation; the Coefficients::makeX factories allocate and are not
// used), normalised in double, rounded to float and assigned into each filter's own Coefficients object, whose
// storage and 2nd-order state prepare() allocated. The filters themselves are plain IIR::Filter<float> (TDF-II,
// float state) — the engine runs the same designs with double state.
class NativeStrip
{
public:
    NativeStrip();
    ~NativeStrip();
    NativeStrip (const NativeStrip&) = delete;
    NativeStrip& operator= (const NativeStrip&) = delete;

    // Allocates everything for numChannels channels (up to 64, the engine's limit; more are passed through) and
    // blocks of up to maxBlock frames (longer blocks are run in pieces) and puts every parameter at its default. Message thread only; never concurrently with
    // setParameter or process. numChannels < 1 or a rate <= 0 leaves the strip unprepared (process passes
    // through, setParameter returns false).
    void prepare (double sampleRate, int maxBlock, int numChannels);

    // Sets a parameter by its engine name. A finite value outside the range is clamped and polarity / mute round
    // to 0 or 1, as the engine does. Returns false, changing nothing, for an unknown name (or a channel/pair past
    // the prepared ones, or before prepare) and for NaN or infinity. Any thread; lock-free (two atomic stores).
    bool setParameter (const juce::String& name, double value);

    // The strip in place on channels[0..numChannels) (at most the prepared channel count are processed).
    // Audio thread, realtime-safe: no allocation, no lock, no system call.
    void process (float* const* channels, int numChannels, int numFrames) noexcept;

private:
    struct Channel;
    void applyChanges() noexcept;
    void apply (int index, float value) noexcept;
    void processChunk (float* const* channels, int numChannels, int numFrames) noexcept;
    void processBand (Channel& ch, int band, float* x, int numFrames) noexcept;

    double rate = 0.0;
    int maxFrames = 0, numCh = 0, numPairs = 0, numParams = 0;
    std::unique_ptr<Channel[]> ch;
    std::unique_ptr<std::atomic<float>[]> slots; // the latest value written, per parameter (engine order)
    std::unique_ptr<float[]> applied;            // what process() last took from each slot (audio thread only)
    std::atomic<uint32_t> serial { 0 };          // bumped after every slot store; process() scans on a change
    uint32_t seenSerial = 0;
    uint64_t sampleClock = 0; // frames processed since prepare: the EQ's redesign grid
    juce::dsp::Gain<float> master;
};

} // namespace mixxhost
