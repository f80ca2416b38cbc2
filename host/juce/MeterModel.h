/* SPDX-License-Identifier: GPL-3.0-only */
// MeterModel.h: the level meter's state machine, plain C++ (no JUCE, no clock of its own): peak with a falling
// bar (a standard ballistic, 13.3 dB/s by default, settable), peak hold (1.5 s), RMS, and a clip indicator that
// latches until reset. The UI feeds it mixx_meters_read records with the time they were read; tests feed it by hand.
#pragma once

#include <cstdint>

namespace mixxhost
{

class MeterModel
{
public:
    static constexpr double kFloorDb = -90.0;       // silence is drawn as this level
    static constexpr double kDefaultFalloffDbPerS = 13.3;
    static constexpr double kDefaultHoldS = 1.5;

    // Message thread (whichever thread owns the model; it has no lock). Values <= 0 or non-finite are refused
    // (false) and leave the setting unchanged.
    bool setFalloff (double dbPerSecond);
    bool setHold (double seconds);
    double falloff() const { return falloffDbPerS_; }
    double hold() const { return holdS_; }

    // One reading at time tSeconds (monotonic, non-decreasing; an earlier time is taken as tSeconds = the last
    // one): peak = max |x|, rms, clips = samples with |x| >= 1, frames covered (0 = nothing new: only time
    // advances, so the bar falls). Non-finite or negative peak/rms count as silence.
    void feed (double tSeconds, float peak, float rms, uint32_t clips, uint64_t frames);
    // Advances time without a reading (the bar and the hold marker fall).
    void advance (double tSeconds) { feed (tSeconds, 0.0f, 0.0f, 0, 0); }

    double levelDb() const { return levelDb_; }   // the falling peak bar
    double holdDb() const { return holdDb_; }     // the peak-hold marker (>= levelDb)
    double rmsDb() const { return rmsDb_; }       // RMS of the latest reading with frames, falling like the bar
    bool clipped() const { return clipLatched_; } // latched: stays until resetClip()
    void resetClip() { clipLatched_ = false; }

    // Totals since construction or reset(): every clip sample and frame the model was fed.
    uint64_t clipsTotal() const { return clipsTotal_; }
    uint64_t framesTotal() const { return framesTotal_; }
    double maxPeakDb() const { return maxPeakDb_; } // the highest peak ever fed
    void reset();

    static double toDb (double linear); // kFloorDb for 0, negative or non-finite

private:
    double falloffDbPerS_ = kDefaultFalloffDbPerS, holdS_ = kDefaultHoldS;
    double lastT_ = 0.0;
    bool haveT_ = false;
    double levelDb_ = kFloorDb, rmsDb_ = kFloorDb;
    double holdDb_ = kFloorDb, holdT_ = 0.0; // holdT_: when the held peak was set
    double maxPeakDb_ = kFloorDb;
    bool clipLatched_ = false;
    uint64_t clipsTotal_ = 0, framesTotal_ = 0;
};

} // namespace mixxhost
