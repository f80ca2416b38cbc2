/* SPDX-License-Identifier: GPL-3.0-only */
// HostWindow.h: MixxEngineHost's window: the health light, requested vs actual device format, and the timing
// figures, all painted from a HostSnapshot that the message thread refreshes; plus the PNG screenshot.
#pragma once

#include <functional>
#include <string>

#include <juce_gui_basics/juce_gui_basics.h>

#include "HostAudio.h"

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

class HostWindow : public juce::DocumentWindow
{
public:
    explicit HostWindow (std::function<void()> onClose);
    ~HostWindow() override { clearContentComponent(); }
    void closeButtonPressed() override;
    HostView& view() { return view_; }
    // Renders the whole window (title bar included) into a PNG. Returns "" or an error. indicator receives the
    // light's bounds in the image's pixel coordinates.
    std::string writeScreenshot (const std::string& path, juce::Rectangle<int>& indicator);

private:
    HostView view_;
    std::function<void()> onClose_;
};

} // namespace mixxhost
