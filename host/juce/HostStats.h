/* SPDX-License-Identifier: GPL-3.0-only */
// HostStats.h: the host's own timing probes, identical in engine and native mode so the two can be compared.
// The audio thread pushes one ProbeRecord per callback into a preallocated SPSC ring; the message thread drains
// it into histograms and a one-second window (health light). Nothing here allocates or locks on the audio side.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include <mixxengine/spsc.h>

namespace mixxhost
{

// CLOCK_MONOTONIC in ns (vDSO, ~30 ns): the only clock read on the audio thread.
uint64_t nowNs() noexcept;

// One audio callback as the host saw it: entry time and entry-to-exit duration of our callback body.
struct ProbeRecord
{
    uint64_t startNs;
    uint32_t durationNs;
    uint32_t frames;
};

// Single-producer (audio thread) / single-consumer (message thread) ring of ProbeRecords: the storage is ours,
// the index logic the library's (mixxengine/spsc.h, the same as the engine's metrics ring). Capacity is a power
// of two.
class ProbeRing
{
public:
    explicit ProbeRing (uint32_t capacityPow2);

    // Audio thread only. False when full (the record is dropped and the caller counts it).
    bool push (const ProbeRecord& r) noexcept
    {
        uint32_t i;
        if (mixx_spsc_write_space (&idx_, 1, &i) == 0)
            return false;
        buf_[i & idx_.mask] = r;
        mixx_spsc_write_commit (&idx_, 1);
        return true;
    }

    // Message thread only. Copies up to maxCount records into out, returns how many.
    size_t pop (ProbeRecord* out, size_t maxCount) noexcept;

private:
    mixx_spsc idx_;
    std::unique_ptr<ProbeRecord[]> buf_;
};

// Log-linear histogram of ns values: exact below 128 ns, then 128 bins per power of two (< 0.8 % wide).
class LogHistogram
{
public:
    void add (uint64_t v) noexcept;
    void clear() noexcept;
    uint64_t count() const noexcept { return count_; }
    uint64_t max() const noexcept { return max_; }
    uint64_t min() const noexcept { return count_ ? min_ : 0; }
    double mean() const noexcept { return count_ ? (double) sum_ / (double) count_ : 0.0; }
    // Value at quantile q (0..1): the midpoint of the bin holding it, clamped to [min, max].
    uint64_t percentile (double q) const noexcept;

private:
    static constexpr int kSub = 7; // 2^7 bins per octave
    static constexpr int kBins = (1 << kSub) + (64 - kSub) * (1 << kSub);
    static int binOf (uint64_t v) noexcept;
    static uint64_t binLow (int b) noexcept;
    static uint64_t binHigh (int b) noexcept;
    std::array<uint64_t, kBins> bins_ {};
    uint64_t count_ = 0, sum_ = 0, max_ = 0, min_ = UINT64_MAX;
};

// Message-thread side: turns drained records into totals, percentiles and the health window.
struct ProbeTotals
{
    uint64_t callbacks = 0;
    uint64_t deadlineMisses = 0;
    uint64_t firstStartNs = 0, lastStartNs = 0, lastMissEndNs = 0;
    uint64_t redSeconds = 0;       // one-second windows (since the first callback) that held a miss
    double lastSecondLoadMean = 0; // callback duration / period, over the last complete second
    double lastSecondLoadMax = 0;
    uint64_t lastSecondCallbacks = 0;
    uint64_t lastSecondMisses = 0;
    double loadSum = 0; // for the mean over the whole run
    LogHistogram callbackNs, intervalNs;
};

class ProbeAggregator
{
public:
    void reset() noexcept;
    // Feeds records; periodNs is derived per record from its frame count and the device rate.
    void consume (const ProbeRecord* recs, size_t n, uint32_t sampleRate) noexcept;
    // Closes the open one-second window (end of run), so a partial last second counts in redSeconds.
    void finish() noexcept;
    const ProbeTotals& totals() const noexcept { return t_; }

private:
    void closeWindow() noexcept;
    ProbeTotals t_;
    uint64_t winIndex_ = 0, winCallbacks_ = 0, winMisses_ = 0;
    double winLoadSum_ = 0, winLoadMax_ = 0;
    bool winOpen_ = false;
    uint64_t prevStartNs_ = 0;
};

} // namespace mixxhost
