/* SPDX-License-Identifier: GPL-3.0-only */
// HostMeasure.h: MixxEngineHost's headless measurements, on the engine's sim backend (its own clocked thread and
// an exact loop: output frame g comes back as input frame g + 2 periods), with the real MixerPanel (no window):
//   --automate N    the UI -> audio path: N slider moves, each found in the looped-back signal
//   --meter-truth   an impulse every 997 samples; the panel's meter model must count every one
//   --churn N       the panel opened and closed N times while two threads randomise 1024 parameters at 1 kHz
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <juce_events/juce_events.h>

#include <mixxengine_params.h>

#include "HostOptions.h"
#include "MixerPanel.h"

namespace mixxhost
{

class HostMeasure : private juce::Timer
{
public:
    explicit HostMeasure (const HostOptions& opts);
    ~HostMeasure() override;

    // Message thread. Creates and starts the sim engine and the panel, then runs on a timer; onDone is called (on
    // the message thread) when the measurement has finished. Returns "" or an error.
    std::string start (std::function<void()> onDone);
    // Message thread, after onDone: the result as one JSON object, and the exit status (0 = the bars were met,
    // 1 = they were not; the JSON says which).
    std::string json() const { return json_; }
    int exitCode() const { return exitCode_; }

private:
    struct Block // one callback as the audio thread saw it (automate mode)
    {
        uint64_t sampleTime; // the block's first sample (engine time)
        uint64_t startNs;    // CLOCK_MONOTONIC at audio_cb entry
        float first, last, min, max; // the looped-back input, channel 0
    };
    struct Move
    {
        double value = 0;
        uint64_t t0Ns = 0, s0 = 0; // before the slider's setValue
        uint64_t t1Ns = 0, s1 = 0; // when the panel's write reached mixx_param_set (sample time just before it)
        bool written = false;
    };

    static void audioCb (const float* const* in, uint32_t nIn, float* const* out, uint32_t nOut, uint32_t nFrames,
                         void* user);
    void timerCallback() override;
    void tickAutomate (uint64_t now);
    void tickMeterTruth (uint64_t now);
    void tickChurn (uint64_t now);
    void finish();
    void finishAutomate();
    void finishMeterTruth();
    void finishChurn();
    void writerMain (int index);
    std::string engineStatsJson();

    const HostOptions opts_;
    enum class Mode { Automate, MeterTruth, Churn } mode_;
    mixx_engine* engine_ = nullptr;
    uint32_t rate_ = 48000, buffer_ = 64, loopFrames_ = 128;
    std::unique_ptr<MixerPanel> panel_;
    std::function<void()> onDone_;
    std::string json_;
    int exitCode_ = 1;
    bool finished_ = false;
    uint64_t startNs_ = 0, nextNs_ = 0;

    // automate
    std::vector<Block> blocks_;             // preallocated and pre-faulted; the audio thread fills [0, count)
    std::atomic<size_t> blockCount_ { 0 };
    std::atomic<uint64_t> blocksLost_ { 0 };
    std::vector<Move> moves_;
    size_t movesDone_ = 0;
    mixx_param_info param_ {};
    double valueA_ = 0, valueB_ = 0;
    uint64_t spacingNs_ = 0;

    // meter truth (audio thread writes, message thread reads after sending stopped)
    std::atomic<bool> sending_ { false };
    std::atomic<uint64_t> peaksSent_ { 0 };
    uint64_t impulsePos_ = 0; // audio thread only
    uint64_t stopSendingNs_ = 0;

    // churn
    std::vector<uint32_t> churnIds_;
    std::vector<std::thread> writers_;
    std::atomic<bool> stopWriters_ { false };
    std::atomic<uint64_t> writerWrites_ { 0 }, writerErrors_ { 0 }, writerGesturesBegun_ { 0 },
        writerGesturesEnded_ { 0 }, writerTicks_ { 0 };
    uint32_t cyclesDone_ = 0;
    int openTicks_ = 0;
    uint64_t writesOnOpen_ = 0, panelGesturesBegun_ = 0, panelGesturesEnded_ = 0, panelGestureErrors_ = 0;
    uint64_t panelWrites_ = 0, panelControls_ = 0;
};

} // namespace mixxhost
