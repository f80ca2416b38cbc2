/* SPDX-License-Identifier: GPL-3.0-only */
// HostMeasure.cpp: the headless measurements (see HostMeasure.h). The audio side is one audio_cb on the sim
// engine's thread that only writes preallocated memory and atomics; everything else runs on JUCE's message thread,
// driven by a timer, through the same MixerPanel a window shows (the slider's setValue with an async notification,
// the panel's own refresh timer reading the meters).
#include "HostMeasure.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <random>
#include <time.h>

#include "HostAudio.h" // jsonEscape
#include "HostStats.h" // nowNs

namespace mixxhost
{

namespace
{
constexpr uint32_t kRate = 48000, kBuffer = 64, kPeriods = 2, kImpulseEvery = 997, kChurnParams = 1024;

double percentile (std::vector<double> v, double q)
{
    if (v.empty())
        return 0.0;
    std::sort (v.begin(), v.end());
    size_t k = (size_t) std::ceil (q * (double) v.size());
    k = k == 0 ? 0 : k - 1;
    return v[std::min (k, v.size() - 1)];
}

std::string num (double v, int prec = 3)
{
    char b[64];
    std::snprintf (b, sizeof b, "%.*f", prec, v);
    return b;
}

std::string u64 (uint64_t v)
{
    return std::to_string (v);
}
} // namespace

HostMeasure::HostMeasure (const HostOptions& opts)
    : opts_ (opts), mode_ (opts.automate ? Mode::Automate : opts.meterTruth ? Mode::MeterTruth : Mode::Churn)
{
}

HostMeasure::~HostMeasure()
{
    stopTimer();
    stopWriters_.store (true);
    for (auto& t : writers_)
        if (t.joinable())
            t.join();
    panel_.reset();
    mixx_engine_destroy (engine_);
}

// ---- the audio thread --------------------------------------------------------------------------------------

void HostMeasure::audioCb (const float* const* in, uint32_t nIn, float* const* out, uint32_t nOut, uint32_t nFrames,
                           void* user)
{
    auto* self = static_cast<HostMeasure*> (user);
    if (nOut == 0)
        return;
    if (self->mode_ == Mode::Automate)
    {
        // what came back through the loop (this block's input = the output of 2 periods ago) ...
        if (nIn > 0)
        {
            const float* x = in[0];
            float mn = x[0], mx = x[0];
            for (uint32_t i = 1; i < nFrames; ++i)
            {
                mn = std::min (mn, x[i]);
                mx = std::max (mx, x[i]);
            }
            const size_t k = self->blockCount_.load (std::memory_order_relaxed);
            if (k < self->blocks_.size())
            {
                self->blocks_[k] = { mixx_param_sample_time (self->engine_), nowNs(), x[0], x[nFrames - 1], mn, mx };
                self->blockCount_.store (k + 1, std::memory_order_release);
            }
            else
                self->blocksLost_.fetch_add (1, std::memory_order_relaxed);
        }
        // ... and a constant 0.5 out of channel 1, which the strip (after this hook) scales by the parameter
        for (uint32_t i = 0; i < nFrames; ++i)
            out[0][i] = 0.5f;
    }
    else if (self->mode_ == Mode::MeterTruth)
    {
        const bool send = self->sending_.load (std::memory_order_acquire);
        uint64_t sent = 0;
        for (uint32_t i = 0; i < nFrames; ++i)
        {
            const bool impulse = send && self->impulsePos_ % kImpulseEvery == 0;
            out[0][i] = impulse ? 1.0f : 0.0f;
            sent += impulse;
            if (send)
                self->impulsePos_++;
        }
        if (sent)
            self->peaksSent_.store (self->peaksSent_.load (std::memory_order_relaxed) + sent, std::memory_order_release);
    }
    for (uint32_t c = 1; c < nOut; ++c)
        for (uint32_t i = 0; i < nFrames; ++i)
            out[c][i] = 0.0f;
}

// ---- setup -------------------------------------------------------------------------------------------------

std::string HostMeasure::start (std::function<void()> onDone)
{
    onDone_ = std::move (onDone);
    mixx_config cfg;
    mixx_config_init (&cfg, sizeof cfg);
    cfg.backend = MIXX_BACKEND_SIM;
    cfg.sample_rate = kRate;
    // churn honours --buffer (default 64): under TSan the engine's parameter path runs ~40x slower and a 64-frame
    // deadline measures the sanitizer, so .ci/sanitizers.sh runs it with a larger buffer (MIXX_CHURN_BUFFER)
    const uint32_t buffer = mode_ == Mode::Churn ? opts_.bufferSize : kBuffer;
    cfg.buffer_size = buffer;
    cfg.inputs = cfg.outputs = 2;
    cfg.sim.periods = kPeriods;
    cfg.sim.gain = mode_ == Mode::Churn ? 0.0 : 1.0; // churn: open loop (random gains must not feed back)
    cfg.audio_cb = audioCb;
    cfg.user = this;
    int rc = mixx_engine_create (&cfg, &engine_);
    if (rc != 0)
        return std::string ("cannot create the sim engine: ") + mixx_strerror (rc);
    rate_ = kRate;
    buffer_ = buffer;
    loopFrames_ = kPeriods * buffer;

    if (mode_ == Mode::Churn)
    {
        // the strip's parameters plus application parameters up to 1024, defined before start
        const uint32_t have = mixx_param_count (engine_);
        for (uint32_t i = have; i < kChurnParams; ++i)
        {
            mixx_param_info p {};
            p.id = MIXX_PARAM_APP_ID_MIN + i;
            std::snprintf (p.name, sizeof p.name, "churn-%04u", i);
            std::snprintf (p.unit, sizeof p.unit, "%s", i % 2 ? "dB" : "");
            p.flags = i % 2 ? MIXX_PARAM_DB : 0;
            p.min = -48.0;
            p.max = 12.0;
            p.def = 0.0;
            p.smoothing_ms = i % 3 == 0 ? 0.0 : 10.0;
            rc = mixx_param_define (engine_, &p);
            if (rc != 0)
                return std::string ("mixx_param_define: ") + mixx_strerror (rc);
        }
        for (uint32_t i = 0; i < mixx_param_count (engine_); ++i)
        {
            mixx_param_info p {};
            if (mixx_param_info_at (engine_, i, &p) == 0)
                churnIds_.push_back (p.id);
        }
    }
    if (mode_ == Mode::Automate)
    {
        rc = mixx_param_find (engine_, opts_.automateParam.c_str(), &param_.id);
        if (rc == 0)
            rc = mixx_param_info_by_id (engine_, param_.id, &param_);
        if (rc != 0)
            return "--automate-param " + opts_.automateParam + ": " + mixx_strerror (rc);
        if (param_.flags & (MIXX_PARAM_BOOL | MIXX_PARAM_STEPPED))
            return "--automate-param " + opts_.automateParam + ": needs a continuous parameter";
        // two values that change the level clearly: the default and 12 dB (or a quarter of the range) away
        valueA_ = param_.def;
        valueB_ = (param_.flags & MIXX_PARAM_DB) && param_.def - 12.0 >= param_.min ? param_.def - 12.0
                                                                                   : param_.min + 0.25 * (param_.max - param_.min);
        // each move waits until the previous ramp has finished and come back through the loop
        spacingNs_ = (uint64_t) ((param_.smoothing_ms + 15.0) * 1e6) + (uint64_t) loopFrames_ * 1000000000ull / rate_;
        moves_.reserve (opts_.automate);
        // every block of the run (with 3 s to spare), pre-faulted by the value-initialisation
        const double runS = (double) opts_.automate * (double) spacingNs_ / 1e9 + 3.0;
        blocks_.assign ((size_t) (runS * rate_ / buffer_) + 1024, Block {});
    }

    panel_ = std::make_unique<MixerPanel> (engine_, 2, 2);
    panel_->onWrite = [this] (const mixx_param_info& p, double, uint64_t st) {
        if (mode_ != Mode::Automate || p.id != param_.id || movesDone_ == 0)
            return;
        Move& m = moves_[movesDone_ - 1];
        if (! m.written)
        {
            m.t1Ns = nowNs();
            m.s1 = st;
            m.written = true;
        }
    };
    if (mode_ == Mode::MeterTruth)
        sending_.store (true);
    rc = mixx_engine_start_stream (engine_);
    if (rc != 0)
    {
        const char* d = mixx_engine_last_error (engine_);
        return std::string ("cannot start the sim engine: ") + mixx_strerror (rc) + (d && *d ? std::string (" (") + d + ")" : "");
    }
    if (mode_ != Mode::Churn)
        panel_->startRefresh (60); // the meters and controls refresh exactly as in the window
    else
    {
        panel_.reset(); // churn opens its own, again and again
        for (int w = 0; w < 2; ++w)
            writers_.emplace_back ([this, w] { writerMain (w); });
    }
    startNs_ = nowNs();
    nextNs_ = startNs_ + 100000000ull; // let the stream settle for 100 ms
    startTimer (2);
    return {};
}

// ---- the message thread's timer -----------------------------------------------------------------------------

void HostMeasure::timerCallback()
{
    if (finished_)
        return;
    const uint64_t now = nowNs();
    switch (mode_)
    {
        case Mode::Automate: tickAutomate (now); break;
        case Mode::MeterTruth: tickMeterTruth (now); break;
        case Mode::Churn: tickChurn (now); break;
    }
}

void HostMeasure::tickAutomate (uint64_t now)
{
    if (now < nextNs_)
        return;
    if (movesDone_ >= opts_.automate)
        return finish();
    ParamControl* c = panel_->control (param_.name);
    juce::Slider* s = c ? c->slider() : nullptr;
    if (s == nullptr)
    {
        json_ = "{\"mode\": \"automate\", \"error\": \"the panel has no slider for " + jsonEscape (param_.name) + "\"}";
        exitCode_ = 1;
        return finish();
    }
    Move m;
    m.value = movesDone_ % 2 == 0 ? valueB_ : valueA_;
    m.t0Ns = nowNs();
    m.s0 = mixx_param_sample_time (engine_);
    moves_.push_back (m);
    movesDone_++;
    // what a user's drag does: the slider's value change, notified asynchronously (the panel's listener writes)
    s->setValue (m.value, juce::sendNotification);
    nextNs_ = now + spacingNs_;
    if (movesDone_ >= opts_.automate)
        nextNs_ = now + spacingNs_ + 50000000ull;
}

void HostMeasure::tickMeterTruth (uint64_t now)
{
    if (sending_.load() && (double) (now - startNs_) / 1e9 >= opts_.seconds)
    {
        sending_.store (false, std::memory_order_release);
        stopSendingNs_ = now;
    }
    // 200 ms after the last impulse: far more than the loop and three meter refreshes
    if (! sending_.load() && stopSendingNs_ && now - stopSendingNs_ > 200000000ull)
        finish();
}

void HostMeasure::writerMain (int index)
{
    // half of the 1024 parameters each, all of them every millisecond (absolute 1 ms deadlines), a balanced
    // gesture every 16th tick
    std::vector<mixx_param_info> mine;
    for (size_t i = (size_t) index; i < churnIds_.size(); i += 2)
    {
        mixx_param_info p {};
        if (mixx_param_info_by_id (engine_, churnIds_[i], &p) == 0)
            mine.push_back (p);
    }
    std::mt19937 rng (0x5eed + (unsigned) index);
    std::uniform_real_distribution<double> u (0.0, 1.0);
    timespec next {};
    clock_gettime (CLOCK_MONOTONIC, &next);
    uint64_t writes = 0, errors = 0, begun = 0, ended = 0, ticks = 0;
    while (! stopWriters_.load (std::memory_order_relaxed))
    {
        for (const auto& p : mine)
        {
            double v = p.min + u (rng) * (p.max - p.min);
            if (p.flags & (MIXX_PARAM_BOOL | MIXX_PARAM_STEPPED))
                v = std::round (v);
            if (mixx_param_set (engine_, p.id, v) == 0)
                writes++;
            else
                errors++;
        }
        if (ticks % 16 == 0 && ! mine.empty())
        {
            const uint32_t id = mine[(size_t) (u (rng) * (double) mine.size()) % mine.size()].id;
            if (mixx_param_gesture (engine_, id, 1) == 0)
            {
                begun++;
                if (mixx_param_gesture (engine_, id, 0) == 0)
                    ended++;
            }
        }
        ticks++;
        next.tv_nsec += 1000000;
        if (next.tv_nsec >= 1000000000)
        {
            next.tv_nsec -= 1000000000;
            next.tv_sec++;
        }
        while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr) == EINTR)
        {
        }
    }
    writerWrites_ += writes;
    writerErrors_ += errors;
    writerGesturesBegun_ += begun;
    writerGesturesEnded_ += ended;
    writerTicks_ += ticks;
}

void HostMeasure::tickChurn (uint64_t now)
{
    if (now < nextNs_)
        return;
    nextNs_ = now + 10000000ull; // a step every 10 ms: open, two refreshes, close
    if (panel_ == nullptr)
    {
        if (cyclesDone_ >= opts_.churn)
            return finish();
        panel_ = std::make_unique<MixerPanel> (engine_, 2, 2);
        panel_->onClosed = [this] (const PanelCounters& c) {
            panelGesturesBegun_ += c.gesturesBegun;
            panelGesturesEnded_ += c.gesturesEnded;
            panelGestureErrors_ += c.gestureErrors;
            panelWrites_ += c.writes;
        };
        panelControls_ = panel_->controlCount();
        panel_->refresh();
        writesOnOpen_ += panel_->counters().writes; // opening (and its first refresh) must write nothing
        panel_->startRefresh (60);
        // a user mid-drag when the editor closes: mouse-down on one knob (its gesture begins) and never a mouse-up;
        // on another a whole drag (begin, a value, end)
        const uint32_t n = (uint32_t) churnIds_.size();
        mixx_param_info a {}, b {};
        mixx_param_info_by_id (engine_, churnIds_[(cyclesDone_ * 7u) % n], &a);
        mixx_param_info_by_id (engine_, churnIds_[(cyclesDone_ * 13u + 5u) % n], &b);
        if (ParamControl* ca = panel_->control (a.name))
            ca->beginGesture();
        if (ParamControl* cb = panel_->control (b.name); cb != nullptr && cb->slider() != nullptr)
        {
            cb->beginGesture();
            cb->slider()->setValue (b.min + 0.5 * (b.max - b.min), juce::sendNotificationSync);
            cb->endGesture();
        }
        openTicks_ = 0;
        return;
    }
    if (++openTicks_ >= 2)
    {
        panel_.reset(); // the editor closes: its open gesture must be ended
        cyclesDone_++;
    }
}

// ---- results -----------------------------------------------------------------------------------------------

std::string HostMeasure::engineStatsJson()
{
    mixx_stats st {};
    mixx_engine_get_stats (engine_, &st, sizeof st);
    return "\"sample_rate\": " + u64 (st.sample_rate) + ", \"buffer_size\": " + u64 (st.buffer_size)
           + ", \"callbacks\": " + u64 (st.callbacks) + ", \"deadline_misses\": " + u64 (st.deadline_misses)
           + ", \"xruns\": " + u64 (st.xruns_backend) + ", \"late_wakeups\": " + u64 (st.late_wakeups)
           + ", \"callback_ns\": {\"p50\": " + u64 (st.callback_ns.p50) + ", \"p99\": " + u64 (st.callback_ns.p99)
           + ", \"max\": " + u64 (st.callback_ns.max) + "}, \"sched_policy\": " + std::to_string (st.sched_policy);
}

void HostMeasure::finish()
{
    if (finished_)
        return;
    finished_ = true;
    stopTimer();
    if (mode_ == Mode::Churn)
    {
        stopWriters_.store (true);
        for (auto& t : writers_)
            t.join();
        writers_.clear();
    }
    if (json_.empty())
    {
        if (mode_ == Mode::MeterTruth)
            panel_->refresh(); // what is still in the meters ring
        mixx_engine_stop_stream (engine_);
        switch (mode_)
        {
            case Mode::Automate: finishAutomate(); break;
            case Mode::MeterTruth: finishMeterTruth(); break;
            case Mode::Churn: finishChurn(); break;
        }
    }
    if (onDone_)
        onDone_();
}

void HostMeasure::finishAutomate()
{
    const size_t n = blockCount_.load (std::memory_order_acquire);
    auto recordAt = [&] (uint64_t sampleTime) -> const Block* {
        auto it = std::lower_bound (blocks_.begin(), blocks_.begin() + (long) n, sampleTime,
                                    [] (const Block& b, uint64_t t) { return b.sampleTime < t; });
        return it != blocks_.begin() + (long) n && it->sampleTime == sampleTime ? &*it : nullptr;
    };
    std::vector<double> uiBlocks, uiMs, engBlocks, engMs, msgMs;
    uint64_t detected = 0, missed = 0, unwritten = 0, early = 0;
    for (size_t m = 0; m < moves_.size(); ++m)
    {
        const Move& mv = moves_[m];
        if (! mv.written)
        {
            unwritten++;
            missed++;
            continue;
        }
        // the steady level before the move: the last sample of the output block that ended at s0 (aligned down)
        const uint64_t s0 = mv.s0 - mv.s0 % buffer_;
        const Block* ref = s0 >= buffer_ ? recordAt (s0 - buffer_ + loopFrames_) : nullptr;
        const uint64_t limit = m + 1 < moves_.size() ? moves_[m + 1].s0 : UINT64_MAX;
        if (ref == nullptr)
        {
            missed++;
            continue;
        }
        const float level = ref->last, eps = 1e-5f;
        uint64_t arrival = UINT64_MAX;
        for (uint64_t o = s0; o < limit; o += buffer_)
        {
            const Block* b = recordAt (o + loopFrames_);
            if (b == nullptr)
                break;
            if (std::fabs (b->min - level) > eps || std::fabs (b->max - level) > eps)
            {
                arrival = o;
                break;
            }
        }
        if (arrival == UINT64_MAX)
        {
            missed++;
            continue;
        }
        if (arrival < mv.s1)
            early++; // a change before the write would be a measurement error: reported, never hidden
        detected++;
        const Block* out = recordAt (arrival); // the callback that produced the changed output block
        const double outNs = out ? (double) out->startNs : (double) mv.t1Ns;
        uiBlocks.push_back ((double) (arrival - s0) / buffer_);
        engBlocks.push_back (arrival >= mv.s1 ? (double) (arrival - (mv.s1 - mv.s1 % buffer_)) / buffer_ : -1.0);
        uiMs.push_back (std::max (0.0, outNs - (double) mv.t0Ns) / 1e6);
        engMs.push_back (std::max (0.0, outNs - (double) mv.t1Ns) / 1e6);
        msgMs.push_back ((double) (mv.t1Ns - mv.t0Ns) / 1e6);
    }
    const double engP99 = percentile (engBlocks, 0.99);
    const bool bars = detected == moves_.size() && missed == 0 && early == 0 && engP99 <= 1.0 && ! moves_.empty();
    const PanelCounters& pc = panel_->counters();
    json_ = "{\"mode\": \"automate\", \"param\": \"" + jsonEscape (param_.name) + "\", \"values\": [" + num (valueA_)
            + ", " + num (valueB_) + "], \"path\": \"juce::Slider::setValue(v, sendNotification) -> panel listener -> mixx_param_set\""
            + ", \"backend\": \"sim\", \"loop_frames\": " + u64 (loopFrames_) + ", \"spacing_ms\": " + num ((double) spacingNs_ / 1e6, 1)
            + ", \"moves\": " + u64 (moves_.size()) + ", \"detected\": " + u64 (detected) + ", \"missed\": " + u64 (missed)
            + ", \"unwritten\": " + u64 (unwritten) + ", \"before_write\": " + u64 (early)
            + ", \"ui_to_audio_blocks_p50\": " + num (percentile (uiBlocks, 0.5), 0)
            + ", \"ui_to_audio_blocks_p99\": " + num (percentile (uiBlocks, 0.99), 0)
            + ", \"ui_to_audio_blocks_max\": " + num (percentile (uiBlocks, 1.0), 0)
            + ", \"ui_to_audio_ms_p50\": " + num (percentile (uiMs, 0.5)) + ", \"ui_to_audio_ms_p99\": " + num (percentile (uiMs, 0.99))
            + ", \"engine_blocks_p50\": " + num (percentile (engBlocks, 0.5), 0) + ", \"engine_blocks_p99\": " + num (engP99, 0)
            + ", \"engine_blocks_max\": " + num (percentile (engBlocks, 1.0), 0)
            + ", \"engine_ms_p99\": " + num (percentile (engMs, 0.99))
            + ", \"message_thread_ms_p50\": " + num (percentile (msgMs, 0.5)) + ", \"message_thread_ms_p99\": " + num (percentile (msgMs, 0.99))
            + ", \"message_thread_ms_max\": " + num (percentile (msgMs, 1.0))
            + ", \"panel_writes\": " + u64 (pc.writes) + ", \"panel_write_errors\": " + u64 (pc.writeErrors)
            + ", \"blocks_recorded\": " + u64 (n) + ", \"blocks_lost\": " + u64 (blocksLost_.load())
            + ", " + engineStatsJson() + ", \"bars_met\": " + (bars ? "true" : "false") + "}";
    exitCode_ = 0;
}

void HostMeasure::finishMeterTruth()
{
    panel_->refresh(); // after the stop: the last blocks
    const MeterModel& out = panel_->outputMeter (0);
    const MeterModel& in = panel_->inputMeter (0);
    const uint64_t sent = peaksSent_.load (std::memory_order_acquire);
    const bool bars = sent > 0 && out.clipsTotal() == sent && in.clipsTotal() == sent && out.maxPeakDb() == 0.0;
    json_ = "{\"mode\": \"meter_truth\", \"impulse_every\": " + u64 (kImpulseEvery) + ", \"seconds\": " + num (opts_.seconds, 1)
            + ", \"peaks_sent\": " + u64 (sent) + ", \"peaks_seen\": " + u64 (out.clipsTotal())
            + ", \"peaks_seen_input\": " + u64 (in.clipsTotal()) + ", \"max_peak_db\": " + num (out.maxPeakDb(), 2)
            + ", \"meter_reads\": " + u64 (panel_->counters().meterReads) + ", \"frames_metered\": " + u64 (out.framesTotal())
            + ", " + engineStatsJson() + ", \"bars_met\": " + (bars ? "true" : "false") + "}";
    exitCode_ = 0;
}

void HostMeasure::finishChurn()
{
    uint64_t stillOpen = 0;
    for (uint32_t id : churnIds_)
        stillOpen += mixx_param_in_gesture (engine_, id) == 1;
    const bool balanced = stillOpen == 0 && panelGesturesBegun_ == panelGesturesEnded_ && panelGestureErrors_ == 0
                          && writerGesturesBegun_.load() == writerGesturesEnded_.load();
    mixx_stats st {};
    mixx_engine_get_stats (engine_, &st, sizeof st);
    const double secs = (double) (nowNs() - startNs_) / 1e9;
    const bool bars = balanced && writesOnOpen_ == 0 && st.deadline_misses == 0 && cyclesDone_ == opts_.churn;
    json_ = "{\"mode\": \"churn\", \"cycles\": " + u64 (cyclesDone_) + ", \"params\": " + u64 (churnIds_.size())
            + ", \"panel_controls\": " + u64 (panelControls_) + ", \"writer_threads\": 2, \"writer_ticks\": " + u64 (writerTicks_.load())
            + ", \"writer_writes\": " + u64 (writerWrites_.load()) + ", \"writer_write_errors\": " + u64 (writerErrors_.load())
            + ", \"writer_rate_hz\": " + num ((double) writerTicks_.load() / 2.0 / std::max (secs, 1e-9), 0)
            + ", \"panel_gestures_begun\": " + u64 (panelGesturesBegun_) + ", \"panel_gestures_ended\": " + u64 (panelGesturesEnded_)
            + ", \"writer_gestures_begun\": " + u64 (writerGesturesBegun_.load()) + ", \"writer_gestures_ended\": " + u64 (writerGesturesEnded_.load())
            + ", \"gestures_left_open\": " + u64 (stillOpen) + ", \"gestures_balanced\": " + (balanced ? "true" : "false")
            + ", \"writes_on_open\": " + u64 (writesOnOpen_) + ", \"panel_writes\": " + u64 (panelWrites_)
            + ", \"seconds\": " + num (secs, 2) + ", " + engineStatsJson() + ", \"bars_met\": " + (bars ? "true" : "false") + "}";
    exitCode_ = 0;
}

} // namespace mixxhost
