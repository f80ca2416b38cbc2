/* SPDX-License-Identifier: GPL-3.0-only */
// HostStats.cpp: the probe ring's consumer side, the log-linear histogram and the aggregator that the message
// thread runs over drained probe records (totals, percentiles, one-second health windows).
#include "HostStats.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <time.h>

namespace mixxhost
{

uint64_t nowNs() noexcept
{
    timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

ProbeRing::ProbeRing (uint32_t capacityPow2) : buf_ (new ProbeRecord[capacityPow2])
{
    if (mixx_spsc_init (&idx_, capacityPow2) != 0)
        throw std::invalid_argument ("ProbeRing: capacity must be a power of two >= 2");
}

size_t ProbeRing::pop (ProbeRecord* out, size_t maxCount) noexcept
{
    uint32_t tail;
    const size_t avail = std::min<size_t> (mixx_spsc_read_avail (&idx_, 1, &tail), maxCount);
    for (size_t i = 0; i < avail; ++i)
        out[i] = buf_[(tail + (uint32_t) i) & idx_.mask];
    mixx_spsc_read_commit (&idx_, (uint32_t) avail);
    return avail;
}

// ---- histogram -------------------------------------------------------------------------------------------

int LogHistogram::binOf (uint64_t v) noexcept
{
    if (v < (1u << kSub))
        return (int) v;
    const int e = 63 - __builtin_clzll (v); // >= kSub
    const int m = (int) ((v >> (e - kSub)) & ((1u << kSub) - 1));
    return (1 << kSub) + (e - kSub) * (1 << kSub) + m;
}

uint64_t LogHistogram::binLow (int b) noexcept
{
    if (b < (1 << kSub))
        return (uint64_t) b;
    const int e = (b - (1 << kSub)) / (1 << kSub) + kSub;
    const uint64_t m = (uint64_t) ((b - (1 << kSub)) % (1 << kSub));
    return ((1ull << kSub) + m) << (e - kSub);
}

uint64_t LogHistogram::binHigh (int b) noexcept
{
    if (b < (1 << kSub))
        return (uint64_t) b;
    const int e = (b - (1 << kSub)) / (1 << kSub) + kSub;
    return binLow (b) + (1ull << (e - kSub)) - 1;
}

void LogHistogram::add (uint64_t v) noexcept
{
    bins_[(size_t) binOf (v)]++;
    count_++;
    sum_ += v;
    max_ = std::max (max_, v);
    min_ = std::min (min_, v);
}

void LogHistogram::clear() noexcept
{
    bins_.fill (0);
    count_ = sum_ = max_ = 0;
    min_ = UINT64_MAX;
}

uint64_t LogHistogram::percentile (double q) const noexcept
{
    if (count_ == 0)
        return 0;
    uint64_t rank = (uint64_t) std::ceil (q * (double) count_);
    rank = std::clamp<uint64_t> (rank, 1, count_);
    uint64_t seen = 0;
    for (int b = 0; b < kBins; ++b)
    {
        seen += bins_[(size_t) b];
        if (seen >= rank)
        {
            const uint64_t mid = binLow (b) + (binHigh (b) - binLow (b)) / 2;
            return std::clamp (mid, min_, max_);
        }
    }
    return max_;
}

// ---- aggregator ----------------------------------------------------------------------------------------

void ProbeAggregator::reset() noexcept
{
    t_.callbacks = t_.deadlineMisses = 0;
    t_.firstStartNs = t_.lastStartNs = t_.lastMissEndNs = 0;
    t_.redSeconds = 0;
    t_.lastSecondLoadMean = t_.lastSecondLoadMax = 0;
    t_.lastSecondCallbacks = t_.lastSecondMisses = 0;
    t_.loadSum = 0;
    t_.callbackNs.clear();
    t_.intervalNs.clear();
    winIndex_ = winCallbacks_ = winMisses_ = 0;
    winLoadSum_ = winLoadMax_ = 0;
    winOpen_ = false;
    prevStartNs_ = 0;
}

void ProbeAggregator::closeWindow() noexcept
{
    if (! winOpen_)
        return;
    t_.lastSecondCallbacks = winCallbacks_;
    t_.lastSecondMisses = winMisses_;
    t_.lastSecondLoadMean = winCallbacks_ ? winLoadSum_ / (double) winCallbacks_ : 0.0;
    t_.lastSecondLoadMax = winLoadMax_;
    if (winMisses_)
        t_.redSeconds++;
    winOpen_ = false;
    winCallbacks_ = winMisses_ = 0;
    winLoadSum_ = winLoadMax_ = 0;
}

void ProbeAggregator::finish() noexcept
{
    closeWindow();
}

void ProbeAggregator::consume (const ProbeRecord* recs, size_t n, uint32_t sampleRate) noexcept
{
    if (sampleRate == 0)
        return;
    for (size_t i = 0; i < n; ++i)
    {
        const ProbeRecord& r = recs[i];
        const uint64_t periodNs = (uint64_t) r.frames * 1000000000ull / sampleRate;
        if (t_.callbacks == 0)
            t_.firstStartNs = r.startNs;
        t_.callbacks++;
        t_.lastStartNs = r.startNs;
        t_.callbackNs.add (r.durationNs);
        if (prevStartNs_ && r.startNs > prevStartNs_)
            t_.intervalNs.add (r.startNs - prevStartNs_);
        prevStartNs_ = r.startNs;

        const bool miss = r.durationNs > periodNs;
        if (miss)
        {
            t_.deadlineMisses++;
            t_.lastMissEndNs = r.startNs + r.durationNs;
        }
        const double load = periodNs ? (double) r.durationNs / (double) periodNs : 0.0;
        t_.loadSum += load;

        const uint64_t idx = (r.startNs - t_.firstStartNs) / 1000000000ull;
        if (winOpen_ && idx != winIndex_)
            closeWindow();
        if (! winOpen_)
        {
            winOpen_ = true;
            winIndex_ = idx;
        }
        winCallbacks_++;
        winMisses_ += miss ? 1 : 0;
        winLoadSum_ += load;
        winLoadMax_ = std::max (winLoadMax_, load);
    }
}

} // namespace mixxhost
