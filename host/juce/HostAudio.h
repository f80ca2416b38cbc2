/* SPDX-License-Identifier: GPL-3.0-only */
// HostAudio.h: the audio side of MixxEngineHost. One juce::AudioIODeviceCallback on a JACK-only
// AudioDeviceManager forwards every callback zero-copy to mixx_engine_process (engine mode) or copies in to out
// itself (native mode), with the same timing probes around both. Control and summaries run on the message thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <juce_audio_devices/juce_audio_devices.h>

#include <mixxengine.h>

#include "HostOptions.h"
#include "HostStats.h"
#include "NativeStrip.h"

namespace mixxhost
{

enum class Health
{
    Green,   // every callback in the last second finished within its period
    Red,     // at least one did not
    Stalled, // the device is open but no callback arrived for a while
    Stopped  // not running (not started yet, stopped, or device lost)
};
const char* healthName (Health h);
std::string jsonEscape (const std::string& s); // without the surrounding quotes

// Everything the window and the summary show, taken on the message thread.
struct HostSnapshot
{
    bool native = false;
    std::string deviceType, deviceName;
    uint32_t requestedRate = 0, requestedBuffer = 0;
    uint32_t sampleRate = 0, bufferSize = 0; // what the device actually runs
    bool running = false, deviceLost = false;
    Health health = Health::Stopped;
    double elapsedS = 0;        // first to last callback start
    uint64_t deadlineNs = 0;    // one period
    uint64_t callbacks = 0, deadlineMisses = 0, xruns = 0, redSeconds = 0, droppedProbes = 0;
    uint64_t lastSecondCallbacks = 0, lastSecondMisses = 0;
    uint64_t p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
    double mean = 0;
    uint64_t intervalP50 = 0, intervalP99 = 0, intervalMax = 0;
    double loadMean = 0, loadMax = 0;  // last complete second
    double loadRunMean = 0;            // whole run
    double juceCpuUsage = 0;           // AudioDeviceManager::getCpuUsage(), for reference
    uint32_t burnUs = 0;
    // engine mode
    bool haveEngine = false, engineRunning = false;
    mixx_stats engine {};
    std::string engineError;
    uint64_t processErrors = 0;
    int lastProcessError = 0;
    // round-trip latency (engine meter)
    bool rtlEnabled = false, rtlValid = false;
    std::string rtlText = "n/a";
    double rtlFrames = 0, rtlMs = 0;
    uint64_t rtlMeasurements = 0;
};

class HostAudio : public juce::AudioIODeviceCallback
{
public:
    explicit HostAudio (const HostOptions& opts);
    ~HostAudio() override;

    // Message thread. Creates the engine (engine mode), opens the JACK device and starts callbacks.
    // Returns "" or a one-line error (no JACK server, no device, engine error).
    std::string start();
    // Message thread. Removes our callback (the engine stops in audioDeviceStopped), closes the device and
    // drains the last probes. Idempotent.
    void stop();
    // Message thread, ~20 Hz: drains the probe ring, polls device xruns (and reports them to the engine),
    // collects round-trip results.
    void poll();
    HostSnapshot snapshot() const;
    // One JSON object; extraMembers (already formatted "key": value pairs) are appended when not empty.
    std::string summaryJson (const std::string& extraMembers = {}) const;
    std::string summaryText() const;
    // The engine (engine mode; nullptr in native mode or before start). The panel drives it through the C API.
    mixx_engine* engine() const { return engine_; }
    // Native mode: a hosted engine that is never started, only the parameter list and latest-value slots the
    // panel is built from and writes to; and the strip those writes are forwarded to (NativeStrip::setParameter).
    mixx_engine* paramRegistry() const { return registry_; }
    NativeStrip* nativeStrip() { return opts_.native ? &nativeStrip_ : nullptr; }

    // juce::AudioIODeviceCallback
    void audioDeviceIOCallbackWithContext (const float* const* in, int numIn, float* const* out, int numOut,
                                           int numSamples,
                                           const juce::AudioIODeviceCallbackContext& context) override;
    void audioDeviceAboutToStart (juce::AudioIODevice* device) override;
    void audioDeviceStopped() override;
    void audioDeviceError (const juce::String& message) override;

private:
    static void engineAudioCb (const float* const* in, uint32_t nIn, float* const* out, uint32_t nOut,
                               uint32_t nFrames, void* user);
    std::string connectSelfLoop();
    Health healthLocked (uint64_t now) const; // ctl_ held

    const HostOptions opts_;
    juce::AudioDeviceManager deviceManager_;
    mixx_engine* engine_ = nullptr;
    mixx_engine* registry_ = nullptr; // native mode: parameters only, never started
    NativeStrip nativeStrip_;         // native mode: prepared in audioDeviceAboutToStart, run in the callback
    const uint64_t burnNs_;
    // --test-signal: audio thread only
    double tonePhase_ = 0.0, envPhase_ = 0.0;

    // audio thread writes, message thread reads
    ProbeRing ring_ { 16384 };
    std::atomic<uint64_t> droppedProbes_ { 0 };
    std::atomic<uint64_t> processErrors_ { 0 };
    std::atomic<int> lastProcessError_ { 0 };

    // set in audioDeviceAboutToStart / audioDeviceStopped (message thread, or a JACK thread on shutdown)
    std::atomic<uint32_t> sampleRate_ { 0 }, bufferSize_ { 0 };
    std::atomic<bool> running_ { false };

    // message thread only below, guarded by ctl_ where the JACK shutdown path may race
    mutable std::mutex ctl_;
    bool started_ = false, stopRequested_ = false, deviceLost_ = false, engineRunning_ = false;
    std::string deviceType_, deviceName_, engineError_;
    ProbeAggregator agg_;
    std::vector<ProbeRecord> drainBuf_;
    int lastXrunCount_ = 0;
    uint64_t xruns_ = 0;
    mixx_stats engineStats_ {};
    bool haveEngineStats_ = false;
    bool rtlEnabled_ = false, rtlValid_ = false;
    std::string rtlText_ = "n/a";
    mixx_rtl_result lastRtl_ {};
    uint64_t rtlMeasurements_ = 0;
    double juceCpu_ = 0;
    Health finalSnapshotHealth_ = Health::Stopped; // the light just before stop(), for the summary
};

} // namespace mixxhost
