/* SPDX-License-Identifier: GPL-3.0-only */
// HostWindow.h: MixxEngineHost's window: the health light, requested vs actual device format, and the timing
// figures, all painted from a HostSnapshot that the message thread refreshes; beside them the mixer panel
// (MixerPanel.h) in engine mode; plus the PNG screenshot.
#pragma once

#include <functional>
#include <string>

#include <juce_gui_basics/juce_gui_basics.h>

#include "HostAudio.h"
#include "MixerPanel.h"

namespace mixxhost
{

class HostView : public juce::Component
{
public:
    HostView();
    void update (const HostSnapshot& s);
    void paint (juce::Graphics& g) override;
    // Where the light is, in this component's coordinates (the test samples the screenshot there).
    juce::Rectangle<int> indicatorBounds() const;

private:
    HostSnapshot snap_;
};

// The status view on the left, the panel (when there is an engine) on the right.
class MainView : public juce::Component
{
public:
    MainView (HostView& view, MixerPanel* panel);
    void resized() override;
    void paint (juce::Graphics& g) override;

private:
    HostView& view_;
    MixerPanel* panel_;
};

class HostWindow : public juce::DocumentWindow
{
public:
    // engine: the running engine the panel drives, or nullptr (native mode: no panel).
    // native: in --native mode the strip the panel's writes go to (engine is then the never-started registry).
    HostWindow (std::function<void()> onClose, mixx_engine* engine, uint32_t nIn, uint32_t nOut,
                NativeStrip* native = nullptr);
    ~HostWindow() override;
    void closeButtonPressed() override;
    HostView& view() { return view_; }
    MixerPanel* panel() { return panel_.get(); }
    // Renders the whole window (title bar included) into a PNG. Returns "" or an error. indicator receives the
    // light's bounds, meters the panel's meters' bounds (empty without a panel), in the image's pixel coordinates.
    std::string writeScreenshot (const std::string& path, juce::Rectangle<int>& indicator, juce::Rectangle<int>& meters);

private:
    HostView view_;
    std::unique_ptr<MixerPanel> panel_;
    std::unique_ptr<MainView> main_;
    std::function<void()> onClose_;
};

} // namespace mixxhost
