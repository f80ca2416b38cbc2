/* SPDX-License-Identifier: GPL-3.0-only */
// NativeStrip.cpp: the engine's channel strip in plain JUCE (see NativeStrip.h): the parameter table and name
// parser, the lock-free slots, and the per-block processing with dsp::Gain, SmoothedValue and IIR::Filter<float>.
// The engine's own strip is src/strip.c; this file only mirrors its behaviour, it shares no code with it.
#include "NativeStrip.h"

#include <cmath>
#include <cstring>

namespace mixxhost
{

namespace
{
// per channel parameter k, in the engine's order (src/strip.c: P_TRIM .. P_GAIN); index = c * perChannel + k,
// then the pairs, then master, as the engine lays out its strip's bus slots
constexpr int perChannel = 13;
enum : int { kTrim = 0, kPolarity = 1, kMute = 2, kEq = 3, kGain = 12 };

struct ParamSpec
{
    const char* suffix;
    float min, max, def;
    double smoothingMs;
    bool isBool;
};

const ParamSpec channelSpec[perChannel] = {
    { "trim_db", -24.0f, 24.0f, 0.0f, 20.0, false },
    { "polarity", 0.0f, 1.0f, 0.0f, 5.0, true },
    { "mute", 0.0f, 1.0f, 0.0f, 5.0, true },
    { "eq.low.freq_hz", 20.0f, 20000.0f, 100.0f, 20.0, false },
    { "eq.low.gain_db", -24.0f, 24.0f, 0.0f, 20.0, false },
    { "eq.low.q", 0.1f, 10.0f, 0.707f, 20.0, false },
    { "eq.mid.freq_hz", 20.0f, 20000.0f, 1000.0f, 20.0, false },
    { "eq.mid.gain_db", -24.0f, 24.0f, 0.0f, 20.0, false },
    { "eq.mid.q", 0.1f, 10.0f, 1.0f, 20.0, false },
    { "eq.high.freq_hz", 20.0f, 20000.0f, 8000.0f, 20.0, false },
    { "eq.high.gain_db", -24.0f, 24.0f, 0.0f, 20.0, false },
    { "eq.high.q", 0.1f, 10.0f, 0.707f, 20.0, false },
    { "gain_db", -96.0f, 24.0f, 0.0f, 20.0, false },
};
const ParamSpec pairSpec = { "balance", -1.0f, 1.0f, 0.0f, 20.0, false };
const ParamSpec masterSpec = { "gain_db", -96.0f, 24.0f, 0.0f, 20.0, false };

constexpr int eqSub = 32; // while an EQ parameter moves, each band is redesigned every eqSub samples

// the engine converts smoothing times to samples with nearbyint (src/params.c); JUCE floors rate * seconds, so
// half a sample is added to land on the same count
int rampSteps (double ms, double rate) { return (int) std::nearbyint (ms * rate / 1000.0); }
double rampSeconds (double ms, double rate) { return (rampSteps (ms, rate) + 0.5) / rate; }

double dbToGain (double db) { return std::pow (10.0, db / 20.0); }

// "123" -> 123 for 1..999999 without a leading zero; the end of the digits in *end; -1 if none
int parseIndex (const char* s, const char** end)
{
    if (*s < '1' || *s > '9')
        return -1;
    int v = 0;
    while (*s >= '0' && *s <= '9' && v < 1000000)
        v = v * 10 + (*s++ - '0');
    *end = s;
    return v < 1000000 ? v : -1;
}

// RBJ band j (low shelf, peak, high shelf) through JUCE's allocation-free ArrayCoefficients, in double, normalised
// in double and rounded to float once; a0 = 1 so Coefficients::operator= divides by exactly 1. Frequencies above
// 0.49 fs are pulled in, as the engine does (JUCE asserts f <= fs / 2).
std::array<float, 6> designBand (int j, double fs, double f, double gainFactor, double q) noexcept
{
    using AC = juce::dsp::IIR::ArrayCoefficients<double>;
    if (f > 0.49 * fs)
        f = 0.49 * fs;
    const std::array<double, 6> c = j == 0   ? AC::makeLowShelf (fs, f, q, gainFactor)
                                    : j == 1 ? AC::makePeakFilter (fs, f, q, gainFactor)
                                             : AC::makeHighShelf (fs, f, q, gainFactor);
    const double a0 = c[3];
    return { { (float) (c[0] / a0), (float) (c[1] / a0), (float) (c[2] / a0), 1.0f, (float) (c[4] / a0),
               (float) (c[5] / a0) } };
}
} // namespace

struct NativeStrip::Channel
{
    struct Band
    {
        juce::dsp::IIR::Filter<float> filter;
        juce::SmoothedValue<float> freq, gain, q; // gain as a linear factor, as the engine smooths dB parameters
        bool on = false;
        float dFreq = -1.0f, dGain = 0.0f, dQ = 0.0f; // what filter.coefficients was designed for
    };
    juce::dsp::Gain<float> trim, out;
    juce::SmoothedValue<float> polarity, mute, balance; // 0..1 crossfade weights; balance -1..1
    Band band[3];
    bool hasPair = false, right = false;
};

NativeStrip::NativeStrip() = default;
NativeStrip::~NativeStrip() = default;

void NativeStrip::prepare (double sampleRate, int maxBlock, int numChannels)
{
    ch.reset();
    slots.reset();
    applied.reset();
    numCh = numPairs = numParams = 0;
    if (! (sampleRate > 0.0) || numChannels < 1)
        return;
    if (numChannels > 64) // the engine's channel limit, and process()'s piece table
        numChannels = 64;
    rate = sampleRate;
    maxFrames = maxBlock > 0 ? maxBlock : 1;
    numPairs = numChannels / 2;
    numParams = numChannels * perChannel + numPairs + 1;
    ch = std::make_unique<Channel[]> ((size_t) numChannels);
    slots = std::make_unique<std::atomic<float>[]> ((size_t) numParams);
    applied = std::make_unique<float[]> ((size_t) numParams);

    const juce::dsp::ProcessSpec mono { sampleRate, (juce::uint32) maxFrames, 1 };
    for (int c = 0; c < numChannels; ++c)
    {
        Channel& k = ch[(size_t) c];
        k.hasPair = c / 2 < numPairs;
        k.right = (c & 1) != 0;
        for (auto* g : { &k.trim, &k.out })
        {
            g->prepare (mono);
            g->setRampDurationSeconds (rampSeconds (20.0, sampleRate));
            g->setGainLinear (1.0f);
            g->reset(); // start at the target, no ramp from JUCE's initial 0
        }
        k.polarity.reset (rampSteps (5.0, sampleRate));
        k.mute.reset (rampSteps (5.0, sampleRate));
        k.balance.reset (rampSteps (20.0, sampleRate));
        k.polarity.setCurrentAndTargetValue (0.0f);
        k.mute.setCurrentAndTargetValue (0.0f);
        k.balance.setCurrentAndTargetValue (0.0f);
        for (int j = 0; j < 3; ++j)
        {
            auto& b = k.band[j];
            b.freq.reset (rampSteps (20.0, sampleRate));
            b.gain.reset (rampSteps (20.0, sampleRate));
            b.q.reset (rampSteps (20.0, sampleRate));
            b.freq.setCurrentAndTargetValue (channelSpec[kEq + 3 * j].def);
            b.gain.setCurrentAndTargetValue (1.0f);
            b.q.setCurrentAndTargetValue (channelSpec[kEq + 3 * j + 2].def);
            // a 2nd-order identity now, so the filter's state (allocated by reset() on an order change) and the
            // coefficient array (8 slots) are never reallocated when process() assigns a design
            *b.filter.coefficients = std::array<float, 6> { { 1.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f } };
            b.filter.prepare (mono);
            b.on = false;
            b.dFreq = -1.0f;
        }
    }
    master.prepare ({ sampleRate, (juce::uint32) maxFrames, (juce::uint32) numChannels });
    master.setRampDurationSeconds (rampSeconds (20.0, sampleRate));
    master.setGainLinear (1.0f);
    master.reset();

    for (int i = 0; i < numParams; ++i)
    {
        const float def = i < numChannels * perChannel ? channelSpec[i % perChannel].def
                          : i < numParams - 1          ? pairSpec.def
                                                       : masterSpec.def;
        slots[(size_t) i].store (def, std::memory_order_relaxed);
        applied[(size_t) i] = def;
    }
    numCh = numChannels;
    seenSerial = serial.load (std::memory_order_acquire);
    sampleClock = 0;
}

bool NativeStrip::setParameter (const juce::String& name, double value)
{
    if (! std::isfinite (value) || numParams == 0)
        return false;
    const char* s = name.toRawUTF8(); // JUCE strings are UTF-8 on Linux: a pointer into the string, no copy
    const char* rest = nullptr;
    int index = -1;
    const ParamSpec* spec = nullptr;
    if (std::strncmp (s, "ch", 2) == 0)
    {
        const int c = parseIndex (s + 2, &rest);
        if (c < 1 || c > numCh || *rest != '.')
            return false;
        for (int k = 0; k < perChannel && index < 0; ++k)
            if (std::strcmp (rest + 1, channelSpec[k].suffix) == 0)
                index = (c - 1) * perChannel + k, spec = &channelSpec[k];
    }
    else if (std::strncmp (s, "pair", 4) == 0)
    {
        const int p = parseIndex (s + 4, &rest);
        if (p >= 1 && p <= numPairs && std::strcmp (rest, ".balance") == 0)
            index = numCh * perChannel + p - 1, spec = &pairSpec;
    }
    else if (std::strcmp (s, "master.gain_db") == 0)
    {
        index = numParams - 1, spec = &masterSpec;
    }
    if (index < 0)
        return false;
    double v = juce::jlimit ((double) spec->min, (double) spec->max, value);
    if (spec->isBool)
        v = v >= 0.5 ? 1.0 : 0.0;
    slots[(size_t) index].store ((float) v, std::memory_order_relaxed);
    serial.fetch_add (1, std::memory_order_release); // publishes the store above to process()'s acquire
    return true;
}

// one changed slot to its smoother / gain target (audio thread)
void NativeStrip::apply (int index, float v) noexcept
{
    if (index == numParams - 1)
    {
        master.setGainLinear ((float) dbToGain (v));
        return;
    }
    if (index >= numCh * perChannel)
    {
        const int p = index - numCh * perChannel;
        ch[(size_t) (2 * p)].balance.setTargetValue (v);
        ch[(size_t) (2 * p + 1)].balance.setTargetValue (v);
        return;
    }
    Channel& k = ch[(size_t) (index / perChannel)];
    const int which = index % perChannel;
    switch (which)
    {
        case kTrim: k.trim.setGainLinear ((float) dbToGain (v)); break;
        case kPolarity: k.polarity.setTargetValue (v); break;
        case kMute: k.mute.setTargetValue (v); break;
        case kGain: k.out.setGainLinear ((float) dbToGain (v)); break;
        default:
        {
            auto& b = k.band[(which - kEq) / 3];
            const int what = (which - kEq) % 3;
            if (what == 0)
                b.freq.setTargetValue (v);
            else if (what == 1)
                b.gain.setTargetValue ((float) dbToGain (v));
            else
                b.q.setTargetValue (v);
        }
    }
}

void NativeStrip::applyChanges() noexcept
{
    const uint32_t s = serial.load (std::memory_order_acquire);
    if (s == seenSerial)
        return;
    seenSerial = s;
    for (int i = 0; i < numParams; ++i)
    {
        const float v = slots[(size_t) i].load (std::memory_order_relaxed);
        if (v != applied[(size_t) i])
        {
            applied[(size_t) i] = v;
            apply (i, v);
        }
    }
}

void NativeStrip::processBand (Channel& k, int j, float* x, int n) noexcept
{
    auto& b = k.band[j];
    const bool moving = b.freq.isSmoothing() || b.gain.isSmoothing() || b.q.isSmoothing();
    if (! moving && b.gain.getTargetValue() == 1.0f) // 0 dB: an identity, skipped as the engine skips it
    {
        if (b.on)
        {
            b.on = false;
            b.filter.reset();
        }
        return;
    }
    b.on = true;
    float* chans[1] = { x };
    if (! moving)
    {
        const float f = b.freq.getTargetValue(), g = b.gain.getTargetValue(), q = b.q.getTargetValue();
        if (f != b.dFreq || g != b.dGain || q != b.dQ)
        {
            *b.filter.coefficients = designBand (j, rate, f, g, q);
            b.dFreq = f, b.dGain = g, b.dQ = q;
        }
        juce::dsp::AudioBlock<float> block (chans, 1, (size_t) n);
        b.filter.process (juce::dsp::ProcessContextReplacing<float> (block));
        return;
    }
    // moving: redesign at multiples of eqSub on the sample clock from the smoothed values there, filter the
    // piece up to the next design point with those coefficients
    int phase = (int) (sampleClock % (uint64_t) eqSub);
    for (int at = 0; at < n;)
    {
        int m = phase ? eqSub - phase : eqSub;
        if (m > n - at)
            m = n - at;
        if (phase == 0)
            *b.filter.coefficients = designBand (j, rate, b.freq.getCurrentValue(), b.gain.getCurrentValue(),
                                                 b.q.getCurrentValue());
        b.freq.skip (m);
        b.gain.skip (m);
        b.q.skip (m);
        float* piece[1] = { x + at };
        juce::dsp::AudioBlock<float> block (piece, 1, (size_t) m);
        b.filter.process (juce::dsp::ProcessContextReplacing<float> (block));
        at += m;
        phase = 0;
    }
    b.dFreq = -1.0f; // designed from ramp values: the next static block designs again
}

void NativeStrip::processChunk (float* const* channels, int numChannels, int n) noexcept
{
    for (int c = 0; c < numChannels; ++c)
    {
        Channel& k = ch[(size_t) c];
        float* x = channels[c];
        float* chans[1] = { x };
        juce::dsp::AudioBlock<float> block (chans, 1, (size_t) n);
        const juce::dsp::ProcessContextReplacing<float> ctx (block);
        k.trim.process (ctx);
        for (int j = 0; j < 3; ++j)
            processBand (k, j, x, n);
        k.out.process (ctx);
        // polarity (1 - 2p), mute (1 - m), balance (the far side attenuated linearly, the near side at unity)
        const auto bal = [&k] (float v) noexcept { return k.right ? (v >= 0.0f ? 1.0f : 1.0f + v)
                                                                  : (v <= 0.0f ? 1.0f : 1.0f - v); };
        if (k.polarity.isSmoothing() || k.mute.isSmoothing() || (k.hasPair && k.balance.isSmoothing()))
        {
            for (int i = 0; i < n; ++i)
            {
                float g = (1.0f - 2.0f * k.polarity.getNextValue()) * (1.0f - k.mute.getNextValue());
                const float bv = k.balance.getNextValue();
                x[i] *= k.hasPair ? g * bal (bv) : g;
            }
        }
        else
        {
            float g = (1.0f - 2.0f * k.polarity.getTargetValue()) * (1.0f - k.mute.getTargetValue());
            if (k.hasPair)
                g *= bal (k.balance.getTargetValue());
            juce::FloatVectorOperations::multiply (x, g, n);
        }
    }
    juce::dsp::AudioBlock<float> all (channels, (size_t) numChannels, (size_t) n);
    master.process (juce::dsp::ProcessContextReplacing<float> (all));
    sampleClock += (uint64_t) n;
}

void NativeStrip::process (float* const* channels, int numChannels, int numFrames) noexcept
{
    if (numCh == 0 || channels == nullptr || numFrames <= 0)
        return;
    const int nch = numChannels < numCh ? numChannels : numCh;
    if (nch <= 0)
        return;
    applyChanges();
    // pieces of at most 1024 frames: the multichannel dsp::Gain (master) puts a per-sample gain array of the
    // piece's length on the stack (alloca), kept at 4 KiB so it stays in stack pages a callback has touched before
    const int chunk = maxFrames < 1024 ? maxFrames : 1024;
    float* piece[64];
    const int nc = nch < 64 ? nch : 64;
    for (int at = 0; at < numFrames; at += chunk)
    {
        const int m = numFrames - at < chunk ? numFrames - at : chunk;
        for (int c = 0; c < nc; ++c)
            piece[c] = channels[c] + at;
        processChunk (piece, nc, m);
    }
}

} // namespace mixxhost
