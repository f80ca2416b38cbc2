/* SPDX-License-Identifier: GPL-3.0-only */
// HostWindow.cpp: painting of the host's window (light, format, figures) and the PNG screenshot. Message thread
// only; all numbers come from the HostSnapshot handed to HostView::update.
#include "HostWindow.h"

#include <cinttypes>
#include <cstdio>

#include "HostPreset.h"

namespace mixxhost
{

namespace
{
const juce::Colour kBg (0xff15191e), kPanel (0xff1f252c), kText (0xffe8ecef), kDim (0xff8b96a1);
const juce::Colour kGreen (0xff2ecc55), kRed (0xffe5372b), kAmber (0xfff0a020), kGrey (0xff5c6670);
const juce::Colour kEngine (0xff2a9d8f), kNative (0xff7b5ea7);
constexpr int kWidth = 680, kHeight = 470;

juce::String us (uint64_t ns)
{
    return juce::String ((double) ns / 1000.0, ns < 10000 ? 2 : 1);
}
const juce::String kMicro = juce::String::fromUTF8 ("\xc2\xb5s");

juce::String pct (double v)
{
    return juce::String (100.0 * v, 2) + " %";
}
} // namespace

HostView::HostView()
{
    setSize (kWidth, kHeight);
    setOpaque (true);
}

void HostView::update (const HostSnapshot& s)
{
    snap_ = s;
    repaint();
}

juce::Rectangle<int> HostView::indicatorBounds() const
{
    return { 46, 132, 136, 136 };
}

void HostView::paint (juce::Graphics& g)
{
    const HostSnapshot& s = snap_;
    g.fillAll (kBg);

    // header: name and mode
    g.setColour (kPanel);
    g.fillRect (0, 0, getWidth(), 52);
    g.setColour (kText);
    g.setFont (juce::Font (22.0f, juce::Font::bold));
    g.drawText ("MixxEngineHost", 16, 0, 260, 52, juce::Justification::centredLeft);
    const juce::String mode = s.native ? "NATIVE  JUCE dsp strip (NativeStrip), no engine"
                                       : "ENGINE  libmixxengine " + juce::String (mixx_version_string()) + " (hosted)";
    g.setFont (juce::Font (14.0f, juce::Font::bold));
    const int pillW = 330;
    juce::Rectangle<float> pill ((float) (getWidth() - pillW - 16), 12.0f, (float) pillW, 28.0f);
    g.setColour (s.native ? kNative : kEngine);
    g.fillRoundedRectangle (pill, 14.0f);
    g.setColour (juce::Colours::white);
    g.drawText (mode, pill.toNearestInt(), juce::Justification::centred);

    // device line: requested vs actual (JACK keeps the server's values)
    g.setFont (juce::Font (15.0f));
    g.setColour (kDim);
    const juce::String dev = juce::String (s.deviceType) + " device \"" + juce::String (s.deviceName) + "\"";
    g.drawText (dev, 16, 60, 300, 22, juce::Justification::centredLeft);
    const juce::String req = "requested " + juce::String (s.requestedRate) + " Hz / " + juce::String (s.requestedBuffer) + " frames";
    g.drawText (req, 16, 84, 300, 22, juce::Justification::centredLeft);
    const bool mismatch = s.sampleRate != s.requestedRate || s.bufferSize != s.requestedBuffer;
    g.setColour (s.sampleRate == 0 ? kDim : (mismatch ? kAmber : kText));
    g.setFont (juce::Font (15.0f, juce::Font::bold));
    const juce::String act = "actual " + juce::String (s.sampleRate) + " Hz / " + juce::String (s.bufferSize) + " frames"
                             + (mismatch && s.sampleRate ? "  (the server kept its own)" : "");
    g.drawText (act, 232, 84, 440, 22, juce::Justification::centredLeft);

    // the light
    const auto ib = indicatorBounds();
    juce::Colour light = kGrey;
    juce::String label = "STOPPED", sub = "no audio running";
    const juce::String deadline = us (s.deadlineNs) + " " + kMicro;
    switch (s.health)
    {
        case Health::Green:
            light = kGreen;
            label = "HEALTHY";
            sub = "every callback < " + deadline + " (1 s)";
            break;
        case Health::Red:
            light = kRed;
            label = "DEADLINE MISSED";
            sub = "a callback > " + deadline + " in the last 1 s";
            break;
        case Health::Stalled:
            light = kAmber;
            label = "STALLED";
            sub = "no callbacks arriving";
            break;
        case Health::Stopped:
            break;
    }
    g.setColour (kPanel);
    g.fillRoundedRectangle (16.0f, 118.0f, 196.0f, 236.0f, 10.0f);
    g.setColour (light.withAlpha (0.25f));
    g.fillEllipse (ib.toFloat().expanded (8.0f));
    g.setColour (light);
    g.fillEllipse (ib.toFloat());
    g.setColour (kText);
    g.setFont (juce::Font (17.0f, juce::Font::bold));
    g.drawText (label, 16, 282, 196, 26, juce::Justification::centred);
    g.setColour (kDim);
    g.setFont (juce::Font (12.5f));
    g.drawFittedText (sub, 22, 308, 184, 36, juce::Justification::centredTop, 2);

    // figures
    int y = 118;
    const int x0 = 232, x1 = 420, rowH = 24;
    auto row = [&] (const juce::String& name, const juce::String& value, juce::Colour c) {
        g.setFont (juce::Font (15.0f));
        g.setColour (kDim);
        g.drawText (name, x0, y, x1 - x0, rowH, juce::Justification::centredLeft);
        g.setColour (c);
        g.setFont (juce::Font (15.0f, juce::Font::bold));
        g.drawText (value, x1, y, getWidth() - x1 - 16, rowH, juce::Justification::centredLeft);
        y += rowH;
    };
    row ("Callbacks", juce::String ((juce::int64) s.callbacks) + "   (" + juce::String ((juce::int64) s.lastSecondCallbacks) + " in last 1 s)", kText);
    row ("Deadline misses", juce::String ((juce::int64) s.deadlineMisses) + "   (" + juce::String ((juce::int64) s.lastSecondMisses) + " in last 1 s)",
         s.deadlineMisses ? kRed : kText);
    row ("Device xruns", juce::String ((juce::int64) s.xruns), s.xruns ? kAmber : kText);
    row ("Callback p50 / p99", us (s.p50) + " / " + us (s.p99) + " " + kMicro, kText);
    row ("Callback max", us (s.max) + " " + kMicro, s.max > s.deadlineNs && s.deadlineNs ? kRed : kText);
    row ("DSP load (last 1 s)", pct (s.loadMean) + "  (max " + pct (s.loadMax) + ")", kText);
    row ("Last round trip", juce::String (s.rtlText), s.rtlValid ? kText : kDim);
    if (! s.native)
    {
        y += 6;
        g.setColour (kEngine);
        g.setFont (juce::Font (13.0f, juce::Font::bold));
        g.drawText ("ENGINE'S OWN COUNTERS (mixx_engine_get_stats)", x0, y, 420, 18, juce::Justification::centredLeft);
        y += 20;
        if (! s.engineError.empty())
            row ("Engine", juce::String (s.engineError), kRed);
        row ("Callbacks / misses", juce::String ((juce::int64) s.engine.callbacks) + " / " + juce::String ((juce::int64) s.engine.deadline_misses),
             s.engine.deadline_misses ? kRed : kText);
        row ("Xruns reported", juce::String ((juce::int64) s.engine.xruns_backend), s.engine.xruns_backend ? kAmber : kText);
        row ("Process p99 / max", us (s.engine.callback_ns.p99) + " / " + us (s.engine.callback_ns.max) + " " + kMicro, kText);
    }

    // footer
    g.setColour (kPanel);
    g.fillRect (0, getHeight() - 30, getWidth(), 30);
    g.setColour (kDim);
    g.setFont (juce::Font (12.5f));
    juce::String foot = "elapsed " + juce::String (s.elapsedS, 1) + " s   dropped probes " + juce::String ((juce::int64) s.droppedProbes)
                        + "   JUCE " + juce::SystemStats::getJUCEVersion().fromLastOccurrenceOf ("v", false, false)
                        + " (GUI modules GPLv3)";
    if (s.burnUs)
        foot += "   injected overload " + juce::String ((int) s.burnUs) + " " + kMicro + "/callback";
    g.drawText (foot, 16, getHeight() - 30, getWidth() - 32, 30, juce::Justification::centredLeft);
}

MainView::MainView (HostView& view, MixerPanel* panel) : view_ (view), panel_ (panel)
{
    setOpaque (true);
    addAndMakeVisible (view_);
    if (panel_ != nullptr)
        addAndMakeVisible (*panel_);
    setSize (view_.getWidth() + (panel_ ? panel_->getWidth() : 0),
             std::max (view_.getHeight(), panel_ ? panel_->getHeight() : 0));
}

void MainView::resized()
{
    view_.setTopLeftPosition (0, 0);
    if (panel_ != nullptr)
        panel_->setTopLeftPosition (view_.getWidth(), 0);
}

void MainView::paint (juce::Graphics& g)
{
    g.fillAll (kBg);
}

HostWindow::HostWindow (std::function<void()> onClose, mixx_engine* engine, uint32_t nIn, uint32_t nOut,
                        NativeStrip* native)
    : juce::DocumentWindow ("MixxEngineHost", kBg, juce::DocumentWindow::closeButton), onClose_ (std::move (onClose))
{
    if (engine != nullptr)
    {
        panel_ = std::make_unique<MixerPanel> (engine, nIn, nOut);
        panel_->savePreset = [engine] (const std::string& path) { return savePresetFile (engine, path); };
        panel_->loadPreset = [engine] (const std::string& path) { return loadPresetFile (engine, path); };
        if (native != nullptr)
        {
            // --native: every write also goes to the JUCE strip (lock-free slots); the registry never applies
            // anything, so the controls show what was written; no meters (the registry engine never runs)
            panel_->showWrittenValues (true);
            panel_->onWrite = [native] (const mixx_param_info& p, double v, uint64_t) { native->setParameter (p.name, v); };
            panel_->savePreset = nullptr;
            panel_->loadPreset = nullptr;
        }
        panel_->startRefresh (50);
    }
    main_ = std::make_unique<MainView> (view_, panel_.get());
    // JUCE's own title bar, so a screenshot of the window shows it too (Xvfb has no window manager)
    setUsingNativeTitleBar (false);
    setContentNonOwned (main_.get(), true);
    setResizable (false, false);
    setTopLeftPosition (40, 40);
    setVisible (true);
}

HostWindow::~HostWindow()
{
    clearContentComponent();
    main_.reset();
    panel_.reset();
}

void HostWindow::closeButtonPressed()
{
    if (onClose_)
        onClose_();
}

std::string HostWindow::writeScreenshot (const std::string& path, juce::Rectangle<int>& indicator,
                                         juce::Rectangle<int>& meters)
{
    const juce::Image img = createComponentSnapshot (getLocalBounds(), true, 1.0f);
    if (! img.isValid())
        return "could not render the window";
    const juce::File file = juce::File::getCurrentWorkingDirectory().getChildFile (juce::String (path));
    file.deleteFile();
    juce::FileOutputStream out (file);
    if (out.failedToOpen())
        return "cannot write " + path + ": " + out.getStatus().getErrorMessage().toStdString();
    juce::PNGImageFormat png;
    if (! png.writeImageToStream (img, out))
        return "PNG encoding failed for " + path;
    out.flush();
    indicator = getLocalArea (&view_, view_.indicatorBounds());
    meters = panel_ ? getLocalArea (panel_.get(), panel_->meterArea()) : juce::Rectangle<int>();
    return {};
}

} // namespace mixxhost
