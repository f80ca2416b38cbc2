/* SPDX-License-Identifier: GPL-3.0-only */
// MeterModel.cpp: the meter ballistics (see MeterModel.h). Pure arithmetic on the times it is given, so the
// unit test (tests/test_meter_model.cpp) checks the hold time and the falloff rate exactly, with no clock.
#include "MeterModel.h"

#include <algorithm>
#include <cmath>

namespace mixxhost
{

double MeterModel::toDb (double linear)
{
    if (! (linear > 0.0) || ! std::isfinite (linear))
        return kFloorDb;
    return std::max (kFloorDb, 20.0 * std::log10 (linear));
}

bool MeterModel::setFalloff (double dbPerSecond)
{
    if (! (dbPerSecond > 0.0) || ! std::isfinite (dbPerSecond))
        return false;
    falloffDbPerS_ = dbPerSecond;
    return true;
}

bool MeterModel::setHold (double seconds)
{
    if (! (seconds > 0.0) || ! std::isfinite (seconds))
        return false;
    holdS_ = seconds;
    return true;
}

void MeterModel::reset()
{
    haveT_ = false;
    lastT_ = holdT_ = 0.0;
    levelDb_ = rmsDb_ = holdDb_ = maxPeakDb_ = kFloorDb;
    clipLatched_ = false;
    clipsTotal_ = framesTotal_ = 0;
}

void MeterModel::feed (double t, float peak, float rms, uint32_t clips, uint64_t frames)
{
    if (! std::isfinite (t) || (haveT_ && t < lastT_))
        t = lastT_;
    const double dt = haveT_ ? t - lastT_ : 0.0;
    lastT_ = t;
    haveT_ = true;

    // the bars fall at the ballistic rate from where they were, and jump up to a new reading
    const double fall = falloffDbPerS_ * dt;
    levelDb_ = std::max (kFloorDb, levelDb_ - fall);
    rmsDb_ = std::max (kFloorDb, rmsDb_ - fall);
    if (frames > 0)
    {
        const double p = toDb ((double) peak), r = toDb ((double) rms);
        levelDb_ = std::max (levelDb_, p);
        rmsDb_ = std::max (rmsDb_, r);
        maxPeakDb_ = std::max (maxPeakDb_, p);
        framesTotal_ += frames;
        clipsTotal_ += clips;
        if (clips > 0)
            clipLatched_ = true;
        if (p >= holdDb_)
        {
            holdDb_ = p;
            holdT_ = t;
        }
    }
    // the hold marker stays holdS_ after its peak, then falls at the same rate; never below the bar
    if (t > holdT_ + holdS_)
    {
        const double since = t - std::max (holdT_ + holdS_, t - dt);
        holdDb_ = std::max (kFloorDb, holdDb_ - falloffDbPerS_ * since);
    }
    holdDb_ = std::max (holdDb_, levelDb_);
}

} // namespace mixxhost
