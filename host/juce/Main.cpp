/* SPDX-License-Identifier: GPL-3.0-only */
// Main.cpp: MixxEngineHost's entry point and application object. main() parses the options before JUCE starts
// (so --help and usage errors never touch audio or X), then runs a standard JUCEApplication, which also gives us
// JUCE's X error handling. The app runs the audio for --seconds or until closed/SIGINT/SIGTERM, optionally
// writes a screenshot, and prints the summary on the way out.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <juce_events/juce_events.h>
#include <juce_gui_basics/juce_gui_basics.h>

#include "HostAudio.h"
#include "HostMeasure.h"
#include "HostPreset.h"
#include "HostOptions.h"
#include "HostWindow.h"

namespace mixxhost
{

static HostOptions gOptions;
static volatile std::sig_atomic_t gQuitSignal = 0;

static void onSignal (int)
{
    gQuitSignal = 1;
}

enum ExitCode
{
    kExitOk = 0,
    kExitUsage = 2,
    kExitNoDevice = 3,
    kExitDeviceLost = 4,
    kExitScreenshot = 5,
    kExitPreset = 6
};

// Drives a run on the message thread: polls the audio side, refreshes the window, decides when the run ends.
class Controller : private juce::Timer
{
public:
    Controller (const HostOptions& o, HostAudio& audio, HostWindow* window)
        : opts_ (o), audio_ (audio), window_ (window), startNs_ (nowNs())
    {
        startTimer (20);
    }

    int exitCode() const { return exitCode_; }
    const std::string& message() const { return message_; }
    bool haveIndicator() const { return haveIndicator_; }
    juce::Rectangle<int> indicator() const { return indicator_; }
    juce::Rectangle<int> meters() const { return meters_; }
    double outLevelDb (uint32_t ch) const { return ch < outLevels_.size() ? outLevels_[ch] : MeterModel::kFloorDb; }
    uint32_t outLevelCount() const { return (uint32_t) outLevels_.size(); }
    void requestQuit() { finish (kExitOk, {}); }

private:
    void timerCallback() override
    {
        audio_.poll();
        const HostSnapshot snap = audio_.snapshot();
        if (window_ != nullptr && (++ticks_ % 5 == 0))
            window_->view().update (snap);
        if (gQuitSignal)
            return finish (kExitOk, {});
        if (snap.deviceLost)
            return finish (kExitDeviceLost, "the JACK server went away or closed the device");
        if (opts_.seconds > 0.0 && (double) (nowNs() - startNs_) / 1e9 >= opts_.seconds)
        {
            if (window_ != nullptr && ! opts_.screenshot.empty())
            {
                window_->view().update (snap);
                if (auto* p = window_->panel())
                {
                    p->refresh();
                    for (uint32_t c = 0; c < p->outputs(); ++c)
                        outLevels_.push_back (p->outputMeter (c).levelDb());
                }
                const std::string err = window_->writeScreenshot (opts_.screenshot, indicator_, meters_);
                if (! err.empty())
                    return finish (kExitScreenshot, err);
                haveIndicator_ = true;
            }
            finish (kExitOk, {});
        }
    }

    void finish (int code, const std::string& msg)
    {
        if (done_)
            return;
        done_ = true;
        stopTimer();
        exitCode_ = code;
        message_ = msg;
        juce::JUCEApplicationBase::quit();
    }

    const HostOptions& opts_;
    HostAudio& audio_;
    HostWindow* window_;
    const uint64_t startNs_;
    uint64_t ticks_ = 0;
    bool done_ = false, haveIndicator_ = false;
    int exitCode_ = kExitOk;
    std::string message_;
    juce::Rectangle<int> indicator_, meters_;
    std::vector<double> outLevels_; // the panel's output meters when the screenshot was taken
};

class HostApp : public juce::JUCEApplication
{
public:
    const juce::String getApplicationName() override { return "MixxEngineHost"; }
    const juce::String getApplicationVersion() override { return MIXX_HOST_VERSION; }
    bool moreThanOneInstanceAllowed() override { return true; }

    void initialise (const juce::String&) override
    {
        // JUCE handles SIGINT itself (quit at the next loop turn); SIGTERM ends the run the same way
        struct sigaction sa {};
        sa.sa_handler = onSignal;
        sigemptyset (&sa.sa_mask);
        sigaction (SIGTERM, &sa, nullptr);

        const HostOptions& o = gOptions;
        if (o.measuring())
        {
            measure_ = std::make_unique<HostMeasure> (o);
            const std::string err = measure_->start ([] { juce::JUCEApplicationBase::quit(); });
            if (! err.empty())
                return fail (kExitNoDevice, err);
            return;
        }
        if (! o.headless)
        {
            // before any JACK client exists: a GUI run without a display fails fast and leaves the server alone
            const char* display = std::getenv ("DISPLAY");
            if (display == nullptr || *display == '\0'
                || juce::Desktop::getInstance().getDisplays().displays.isEmpty())
                return fail (kExitNoDevice, std::string ("no X display (DISPLAY=") + (display ? display : "")
                                                + "); use --headless --seconds N, or run under Xvfb");
        }
        audio_ = std::make_unique<HostAudio> (o);
        const std::string err = audio_->start();
        if (! err.empty())
            return fail (kExitNoDevice, err);
        if (! o.headless)
            window_ = std::make_unique<HostWindow> (
                [this] {
                    if (controller_)
                        controller_->requestQuit();
                },
                o.native ? audio_->paramRegistry() : audio_->engine(), 2, 2, audio_->nativeStrip());
        controller_ = std::make_unique<Controller> (o, *audio_, window_.get());
    }

    void shutdown() override
    {
        if (measure_ != nullptr)
        {
            const std::string js = measure_->json();
            if (! js.empty())
                std::printf ("%s\n", js.c_str());
            std::fflush (stdout);
            setApplicationReturnValue (js.empty() ? kExitNoDevice : measure_->exitCode());
            measure_.reset();
            return;
        }
        if (audio_ == nullptr || controller_ == nullptr)
        {
            audio_.reset();
            return;
        }
        window_.reset(); // the panel goes before the engine stops (it ends any gesture still open)
        audio_->stop();
        const HostOptions& o = gOptions;
        if (! o.presetSave.empty() && audio_->engine() != nullptr)
        {
            const std::string err = savePresetFile (audio_->engine(), o.presetSave);
            if (! err.empty())
            {
                std::fprintf (stderr, "MixxEngineHost: %s\n", err.c_str());
                setApplicationReturnValue (kExitPreset);
            }
        }
        if (! controller_->message().empty())
            std::fprintf (stderr, "MixxEngineHost: %s\n", controller_->message().c_str());
        if (o.json)
        {
            std::string extra;
            if (controller_->haveIndicator())
            {
                const auto r = controller_->indicator();
                extra = "\"screenshot\": {\"file\": \"" + jsonEscape (o.screenshot) + "\", \"indicator\": {\"x\": "
                        + std::to_string (r.getX()) + ", \"y\": " + std::to_string (r.getY())
                        + ", \"w\": " + std::to_string (r.getWidth()) + ", \"h\": " + std::to_string (r.getHeight())
                        + "}";
                const auto m = controller_->meters();
                if (! m.isEmpty())
                {
                    extra += ", \"meters\": {\"x\": " + std::to_string (m.getX()) + ", \"y\": " + std::to_string (m.getY())
                             + ", \"w\": " + std::to_string (m.getWidth()) + ", \"h\": " + std::to_string (m.getHeight())
                             + "}, \"out_level_db\": [";
                    for (uint32_t c = 0; c < controller_->outLevelCount(); ++c)
                        extra += (c ? ", " : "") + std::to_string (controller_->outLevelDb (c));
                    extra += "]";
                }
                extra += "}";
            }
            std::printf ("%s\n", audio_->summaryJson (extra).c_str());
        }
        else
        {
            std::printf ("%s", audio_->summaryText().c_str());
            if (controller_->haveIndicator())
                std::printf ("  screenshot: %s\n", o.screenshot.c_str());
        }
        std::fflush (stdout);
        if (controller_->exitCode() != kExitOk || o.presetSave.empty())
            setApplicationReturnValue (controller_->exitCode());
        controller_.reset();
        window_.reset();
        audio_.reset();
    }

    void systemRequestedQuit() override
    {
        if (controller_)
            controller_->requestQuit();
        else
            quit();
    }

    void anotherInstanceStarted (const juce::String&) override {}

private:
    void fail (int code, const std::string& msg)
    {
        std::fprintf (stderr, "MixxEngineHost: %s\n", msg.c_str());
        setApplicationReturnValue (code);
        audio_.reset();
        quit();
    }

    std::unique_ptr<HostAudio> audio_;
    std::unique_ptr<HostWindow> window_;
    std::unique_ptr<Controller> controller_;
    std::unique_ptr<HostMeasure> measure_;
};

} // namespace mixxhost

int main (int argc, char** argv)
{
    using namespace mixxhost;
    const std::string err = parseOptions (argc, argv, gOptions);
    if (gOptions.help)
    {
        std::fputs (usageText(), stdout);
        return kExitOk;
    }
    if (! err.empty())
    {
        std::fprintf (stderr, "MixxEngineHost: %s\n%s", err.c_str(), usageText());
        return kExitUsage;
    }
    // what START_JUCE_APPLICATION expands to, after our own parsing
    juce::JUCEApplicationBase::createInstance = []() -> juce::JUCEApplicationBase* { return new HostApp(); };
    return juce::JUCEApplicationBase::main (argc, const_cast<const char**> (argv));
}
