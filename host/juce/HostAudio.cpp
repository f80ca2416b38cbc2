/* SPDX-License-Identifier: GPL-3.0-only */
// HostAudio.cpp: JACK device selection, the audio callback (engine forward or native copy, both inside the same
// two CLOCK_MONOTONIC probes), engine start/stop on device start/stop, xrun polling and the latency meter. The
// end-of-run summary (text and JSON) is HostSummary.cpp's. Only audioDeviceIOCallbackWithContext and engineAudioCb (burn, --test-signal) run on the audio
// thread; they neither allocate, lock, log nor make syscalls beyond the vDSO clock.
#include "HostAudio.h"
#include "HostPreset.h"

#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#if MIXX_HOST_HAVE_LIBJACK
#include <jack/jack.h>
#endif

namespace mixxhost
{

const char* healthName (Health h)
{
    switch (h)
    {
        case Health::Green: return "green";
        case Health::Red: return "red";
        case Health::Stalled: return "stalled";
        case Health::Stopped: return "stopped";
    }
    return "?";
}

HostAudio::HostAudio (const HostOptions& opts)
    : opts_ (opts), burnNs_ ((uint64_t) opts.burnUs * 1000u), drainBuf_ (4096)
{
}

HostAudio::~HostAudio()
{
    stop();
    mixx_engine_destroy (engine_);
    mixx_engine_destroy (registry_);
}

// ---- the audio thread ------------------------------------------------------------------------------------

static inline void burnUntil (uint64_t endNs) noexcept
{
    while (nowNs() < endNs)
    {
    }
}

void HostAudio::engineAudioCb (const float* const*, uint32_t, float* const* out, uint32_t nOut, uint32_t nFrames,
                               void* user)
{
    auto* self = static_cast<HostAudio*> (user);
    if (self->opts_.testSignal)
    {
        // 440 Hz under an envelope swelling from -26 to -6 dBFS and back every 2 s (at the device's rate); the
        // strip runs after this hook, so the panel's controls act on it
        const double rate = (double) self->sampleRate_.load (std::memory_order_relaxed);
        const double dTone = rate > 0 ? juce::MathConstants<double>::twoPi * 440.0 / rate : 0.0, dEnv = rate > 0 ? juce::MathConstants<double>::twoPi * 0.5 / rate : 0.0;
        double ph = self->tonePhase_, env = self->envPhase_;
        for (uint32_t i = 0; i < nFrames; ++i)
        {
            const float v = (float) ((0.05 + 0.45 * (0.5 - 0.5 * std::cos (env))) * std::sin (ph));
            for (uint32_t c = 0; c < nOut; ++c)
                out[c][i] = v;
            ph += dTone;
            env += dEnv;
        }
        self->tonePhase_ = std::fmod (ph, juce::MathConstants<double>::twoPi);
        self->envPhase_ = std::fmod (env, juce::MathConstants<double>::twoPi);
    }
    // inside the engine's own timing window, so the engine counts the misses too
    if (self->burnNs_)
        burnUntil (nowNs() + self->burnNs_);
}

void HostAudio::audioDeviceIOCallbackWithContext (const float* const* in, int numIn, float* const* out,
                                                  int numOut, int numSamples,
                                                  const juce::AudioIODeviceCallbackContext&)
{
    const uint64_t t0 = nowNs();
    if (engine_ != nullptr)
    {
        // zero-copy: JUCE's channel pointer arrays go straight to the engine (in may alias out)
        const int rc = mixx_engine_process (engine_, in, (uint32_t) numIn, out, (uint32_t) numOut,
                                            (uint32_t) numSamples);
        if (rc != 0)
        {
            processErrors_.store (processErrors_.load (std::memory_order_relaxed) + 1, std::memory_order_relaxed);
            lastProcessError_.store (rc, std::memory_order_relaxed);
        }
    }
    else
    {
        // --native: the copy, then the same channel strip written in plain JUCE dsp (NativeStrip), inside the
        // same probes as the engine's forward; the panel's writes reach it through NativeStrip::setParameter
        const int n = numIn < numOut ? numIn : numOut;
        const size_t bytes = (size_t) numSamples * sizeof (float);
        for (int c = 0; c < n; ++c)
            if (out[c] != in[c])
                std::memcpy (out[c], in[c], bytes);
        for (int c = n; c < numOut; ++c)
            std::memset (out[c], 0, bytes);
        nativeStrip_.process (out, numOut, numSamples);
        if (burnNs_)
            burnUntil (t0 + burnNs_);
    }
    const uint64_t t1 = nowNs();
    const ProbeRecord rec { t0, (uint32_t) (t1 - t0 > UINT32_MAX ? UINT32_MAX : t1 - t0), (uint32_t) numSamples };
    if (! ring_.push (rec))
        droppedProbes_.store (droppedProbes_.load (std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

// ---- device start / stop (message thread; a JACK thread when the server goes away) ----------------------

void HostAudio::audioDeviceAboutToStart (juce::AudioIODevice* device)
{
    std::lock_guard<std::mutex> lk (ctl_);
    const auto rate = (uint32_t) std::lround (device->getCurrentSampleRate());
    const auto frames = (uint32_t) device->getCurrentBufferSizeSamples();
    sampleRate_.store (rate);
    bufferSize_.store (frames);
    deviceType_ = device->getTypeName().toStdString();
    deviceName_ = device->getName().toStdString();
    lastXrunCount_ = device->getXRunCount();
    if (opts_.native)
        nativeStrip_.prepare ((double) rate, (int) frames, 2); // before the first callback
    if (engine_ != nullptr)
    {
        // the engine learns the device's real format while stopped, then starts with the device
        int rc = mixx_engine_set_format (engine_, rate, frames);
        if (rc == 0)
            rc = mixx_engine_start_stream (engine_);
        if (rc != 0)
        {
            engineError_ = std::string ("engine start failed: ") + mixx_strerror (rc);
            const char* detail = mixx_engine_last_error (engine_);
            if (detail != nullptr && *detail != '\0')
                engineError_ += std::string (" (") + detail + ")";
        }
        engineRunning_ = rc == 0;
        if (engineRunning_ && opts_.latency)
        {
            rc = mixx_engine_rtl_start (engine_, MIXX_RTL_MULTITONE, 0, 1);
            rtlEnabled_ = rc == 0;
            if (rc == MIXX_EUNSUPPORTED)
                rtlText_ = "n/a (meter not in this libmixxengine)";
            else if (rc != 0)
                rtlText_ = std::string ("n/a (") + mixx_strerror (rc) + ")";
            else
                rtlText_ = "measuring...";
        }
    }
    running_.store (true);
}

void HostAudio::audioDeviceStopped()
{
    std::lock_guard<std::mutex> lk (ctl_);
    running_.store (false);
    if (engine_ != nullptr && engineRunning_)
    {
        if (rtlEnabled_)
            mixx_engine_rtl_stop (engine_);
        rtlEnabled_ = false;
        mixx_engine_stop_stream (engine_);
        engineRunning_ = false;
    }
}

void HostAudio::audioDeviceError (const juce::String& message)
{
    std::lock_guard<std::mutex> lk (ctl_);
    engineError_ = "device error: " + message.toStdString();
}

// ---- control -----------------------------------------------------------------------------------------------

std::string HostAudio::connectSelfLoop()
{
#if MIXX_HOST_HAVE_LIBJACK
    // JUCE keeps its jack_client_t private, so a short-lived second client makes the connection; it outlives
    // the client that made it.
    jack_status_t status {};
    jack_client_t* c = jack_client_open (JUCE_JACK_CLIENT_NAME "-loop", JackNoStartServer, &status);
    if (c == nullptr)
        return "cannot open a JACK client to make the self-loop";
    const int rc = jack_connect (c, JUCE_JACK_CLIENT_NAME ":out_1", JUCE_JACK_CLIENT_NAME ":in_1");
    jack_client_close (c);
    if (rc != 0 && rc != EEXIST)
        return "cannot connect " JUCE_JACK_CLIENT_NAME ":out_1 -> :in_1 (another instance on this server?)";
    return {};
#else
    return "built without libjack: no self-loop for --latency";
#endif
}

std::string HostAudio::start()
{
    if (opts_.native)
    {
        // the panel's parameter list and slots: the engine's own descriptors, from an engine that never runs
        mixx_config cfg;
        mixx_config_init (&cfg, sizeof cfg);
        cfg.backend = MIXX_BACKEND_HOSTED;
        cfg.inputs = cfg.outputs = 2;
        const int rc = mixx_engine_create (&cfg, &registry_);
        if (rc != 0)
            return std::string ("cannot create the parameter registry: ") + mixx_strerror (rc);
    }
    else
    {
        mixx_config cfg;
        mixx_config_init(&cfg, sizeof cfg);
        cfg.backend = MIXX_BACKEND_HOSTED;
        cfg.sample_rate = opts_.sampleRate;
        cfg.buffer_size = opts_.bufferSize;
        cfg.inputs = 2;
        cfg.outputs = 2;
        cfg.log_path = opts_.logPath.empty() ? nullptr : opts_.logPath.c_str();
        if (burnNs_ || opts_.testSignal)
        {
            cfg.audio_cb = engineAudioCb;
            cfg.user = this;
        }
        const int rc = mixx_engine_create (&cfg, &engine_);
        if (rc != 0)
            return std::string ("cannot create the engine: ") + mixx_strerror (rc);
        if (! opts_.presetLoad.empty())
        {
            const std::string err = loadPresetFile (engine_, opts_.presetLoad);
            if (! err.empty())
                return err;
        }
    }

    // JACK only: ALSA has no device here, and probing it would only add noise and delay.
    std::unique_ptr<juce::AudioIODeviceType> jack (juce::AudioIODeviceType::createAudioIODeviceType_JACK());
    if (jack == nullptr)
        return "this JUCE build has no JACK support (JUCE_JACK=0)";
    deviceManager_.addAudioDeviceType (std::move (jack));
    auto* type = deviceManager_.getAvailableDeviceTypes().getFirst(); // scans: opens a probe client
    const juce::StringArray ins = type->getDeviceNames (true), outs = type->getDeviceNames (false);
    if (ins.isEmpty() && outs.isEmpty())
    {
        const char* server = std::getenv ("JACK_DEFAULT_SERVER");
        return std::string ("no JACK server reachable (server \"") + (server ? server : "default")
               + "\"): start one, e.g. jackd -n NAME -d dummy -r 48000 -p 64, and set JACK_DEFAULT_SERVER=NAME";
    }
    juce::String name = opts_.device.empty() ? juce::String() : juce::String (opts_.device);
    if (name.isEmpty())
        name = (ins.contains ("system") || outs.contains ("system")) ? "system" : (ins.isEmpty() ? outs[0] : ins[0]);
    if (! ins.contains (name) && ! outs.contains (name))
        return "no JACK client named \"" + name.toStdString() + "\" has ports to connect to";

    juce::AudioDeviceManager::AudioDeviceSetup setup;
    setup.inputDeviceName = ins.contains (name) ? name : juce::String();
    setup.outputDeviceName = outs.contains (name) ? name : juce::String();
    setup.sampleRate = opts_.sampleRate;
    setup.bufferSize = (int) opts_.bufferSize;
    setup.useDefaultInputChannels = setup.useDefaultOutputChannels = false;
    setup.inputChannels.setRange (0, 2, true);
    setup.outputChannels.setRange (0, 2, true);
    const juce::String err = deviceManager_.initialise (2, 2, nullptr, false, {}, &setup);
    if (err.isNotEmpty())
        return "cannot open the JACK device: " + err.toStdString();
    if (deviceManager_.getCurrentAudioDevice() == nullptr)
        return "cannot open the JACK device";

    if (opts_.latency)
    {
        const std::string loopErr = connectSelfLoop();
        if (! loopErr.empty())
            return loopErr;
    }
    {
        std::lock_guard<std::mutex> lk (ctl_);
        agg_.reset();
        started_ = true;
    }
    deviceManager_.addAudioCallback (this); // -> audioDeviceAboutToStart: engine starts before any callback
    std::lock_guard<std::mutex> lk (ctl_);
    if (engine_ != nullptr && ! engineRunning_)
        return engineError_.empty() ? std::string ("engine did not start") : engineError_;
    return {};
}

void HostAudio::stop()
{
    if (! started_ || stopRequested_)
        return;
    poll();
    {
        std::lock_guard<std::mutex> lk (ctl_);
        stopRequested_ = true;
        finalSnapshotHealth_ = healthLocked (nowNs());
    }
    deviceManager_.removeAudioCallback (this); // -> audioDeviceStopped: engine stops, records drained
    deviceManager_.closeAudioDevice();
    poll();
    std::lock_guard<std::mutex> lk (ctl_);
    agg_.finish();
}

void HostAudio::poll()
{
    std::lock_guard<std::mutex> lk (ctl_);
    size_t n;
    while ((n = ring_.pop (drainBuf_.data(), drainBuf_.size())) > 0)
        agg_.consume (drainBuf_.data(), n, sampleRate_.load());

    // getXRunCount is a relaxed atomic load for JACK, but it is polled here rather than on the audio thread so
    // that other device types (which may lock) are safe too.
    auto* device = deviceManager_.getCurrentAudioDevice();
    if (device != nullptr)
    {
        const int x = device->getXRunCount();
        const int delta = x >= lastXrunCount_ ? x - lastXrunCount_ : x; // reopened devices restart at 0
        lastXrunCount_ = x;
        if (delta > 0)
        {
            xruns_ += (uint64_t) delta;
            if (engine_ != nullptr && engineRunning_)
                mixx_engine_report_xruns (engine_, (uint32_t) delta);
        }
        juceCpu_ = deviceManager_.getCpuUsage();
    }
    if (started_ && ! stopRequested_ && (device == nullptr || ! device->isOpen()))
        deviceLost_ = true;

    if (engine_ != nullptr)
        haveEngineStats_ = mixx_engine_get_stats(engine_, &engineStats_, sizeof(mixx_stats)) == 0;
    if (engine_ != nullptr && rtlEnabled_ && engineRunning_)
    {
        mixx_rtl_result r {};
        while (mixx_engine_rtl_wait (engine_, &r, 0) == 0)
        {
            lastRtl_ = r;
            rtlMeasurements_++;
            rtlValid_ = r.status == MIXX_RTL_OK;
            char buf[96];
            if (rtlValid_)
                std::snprintf (buf, sizeof buf, "%.1f frames (%.2f ms)", r.rtl_frames, r.rtl_ms);
            else
                std::snprintf (buf, sizeof buf, "n/a (%s)", r.status == MIXX_RTL_NO_SIGNAL ? "no signal" : "unreliable");
            rtlText_ = buf;
        }
    }
}

Health HostAudio::healthLocked (uint64_t now) const
{
    const ProbeTotals& t = agg_.totals();
    if (! running_.load() || deviceLost_)
        return Health::Stopped;
    const uint32_t rate = sampleRate_.load(), frames = bufferSize_.load();
    const uint64_t periodNs = rate ? (uint64_t) frames * 1000000000ull / rate : 0;
    // the ring is drained every ~50 ms, so "recent" allows for that plus a few periods
    if (t.callbacks == 0 || now > t.lastStartNs + 250000000ull + 4 * periodNs)
        return Health::Stalled;
    if (t.lastMissEndNs != 0 && now < t.lastMissEndNs + 1000000000ull)
        return Health::Red;
    return Health::Green;
}

HostSnapshot HostAudio::snapshot() const
{
    std::lock_guard<std::mutex> lk (ctl_);
    HostSnapshot s;
    const ProbeTotals& t = agg_.totals();
    s.native = opts_.native;
    s.deviceType = deviceType_.empty() ? "JACK" : deviceType_;
    s.deviceName = deviceName_;
    s.requestedRate = opts_.sampleRate;
    s.requestedBuffer = opts_.bufferSize;
    s.sampleRate = sampleRate_.load();
    s.bufferSize = bufferSize_.load();
    s.running = running_.load();
    s.deviceLost = deviceLost_;
    s.health = stopRequested_ ? finalSnapshotHealth_ : healthLocked (nowNs());
    s.deadlineNs = s.sampleRate ? (uint64_t) s.bufferSize * 1000000000ull / s.sampleRate : 0;
    s.elapsedS = t.callbacks ? (double) (t.lastStartNs - t.firstStartNs) / 1e9 + (double) s.deadlineNs / 1e9 : 0.0;
    s.callbacks = t.callbacks;
    s.deadlineMisses = t.deadlineMisses;
    s.xruns = xruns_;
    s.redSeconds = t.redSeconds;
    s.droppedProbes = droppedProbes_.load();
    s.lastSecondCallbacks = t.lastSecondCallbacks;
    s.lastSecondMisses = t.lastSecondMisses;
    s.p50 = t.callbackNs.percentile (0.50);
    s.p90 = t.callbackNs.percentile (0.90);
    s.p99 = t.callbackNs.percentile (0.99);
    s.p999 = t.callbackNs.percentile (0.999);
    s.max = t.callbackNs.max();
    s.mean = t.callbackNs.mean();
    s.intervalP50 = t.intervalNs.percentile (0.50);
    s.intervalP99 = t.intervalNs.percentile (0.99);
    s.intervalMax = t.intervalNs.max();
    s.loadMean = t.lastSecondLoadMean;
    s.loadMax = t.lastSecondLoadMax;
    s.loadRunMean = t.callbacks ? t.loadSum / (double) t.callbacks : 0.0;
    s.juceCpuUsage = juceCpu_;
    s.burnUs = opts_.burnUs;
    s.haveEngine = engine_ != nullptr && haveEngineStats_;
    s.engineRunning = engineRunning_;
    if (s.haveEngine)
        s.engine = engineStats_;
    s.engineError = engineError_;
    s.processErrors = processErrors_.load();
    s.lastProcessError = lastProcessError_.load();
    s.rtlEnabled = opts_.latency;
    s.rtlValid = rtlValid_;
    s.rtlText = opts_.latency ? rtlText_ : std::string ("n/a (meter off; --latency)");
    s.rtlFrames = rtlValid_ ? lastRtl_.rtl_frames : 0.0;
    s.rtlMs = rtlValid_ ? lastRtl_.rtl_ms : 0.0;
    s.rtlMeasurements = rtlMeasurements_;
    return s;
}

} // namespace mixxhost
