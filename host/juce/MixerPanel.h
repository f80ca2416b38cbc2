/* SPDX-License-Identifier: GPL-3.0-only */
// MixerPanel.h: the mixer panel of MixxEngineHost, built at run time from the engine's parameter list
// (mixx_param_count / mixx_param_info_at; nothing hard-coded): a strip per channel, a master section, the other
// parameters in a grid, meters per input and output, preset buttons. Writes go only through the engine's C API
// (mixx_param_set, mixx_param_gesture); a timer refreshes the controls from the applied values and the meters.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <juce_gui_basics/juce_gui_basics.h>

#include <mixxengine_params.h>

#include "MeterModel.h"

namespace mixxhost
{

class MixerPanel;

// One parameter's control: a rotary knob, a vertical fader or a toggle, with its name, value and unit.
// Message thread only.
class ParamControl : public juce::Component, private juce::Slider::Listener
{
public:
    enum class Kind { Knob, Fader, Toggle };
    ParamControl (MixerPanel& panel, const mixx_param_info& info, Kind kind, const juce::String& label);
    ~ParamControl() override;

    const mixx_param_info& info() const { return info_; }
    Kind kind() const { return kind_; }
    // The component a user (or the automation test) moves: the slider (Knob, Fader) or the button (Toggle).
    juce::Slider* slider() { return kind_ == Kind::Toggle ? nullptr : slider_.get(); }
    juce::ToggleButton* toggle() { return kind_ == Kind::Toggle ? toggle_.get() : nullptr; }
    // Shows `v` (the engine's applied value) unless the user is holding the control or a write is in flight.
    void showApplied (double v, uint64_t nowNs);
    // Gestures this control began and has not ended (a drag in progress); endOpenGestures closes them.
    int openGestures() const { return openGestures_; }
    void endOpenGestures();
    // What mouse-down / mouse-up on the slider do (public so that a headless run can drive a whole drag).
    void beginGesture();
    void endGesture();

    void resized() override;
    void paint (juce::Graphics& g) override;

private:
    class ParamSlider;
    void sliderValueChanged (juce::Slider*) override;
    void sliderDragStarted (juce::Slider*) override { beginGesture(); }
    void sliderDragEnded (juce::Slider*) override { endGesture(); }
    void write (double v);

    MixerPanel& panel_;
    const mixx_param_info info_;
    const Kind kind_;
    const juce::String label_;
    std::unique_ptr<juce::Slider> slider_;
    std::unique_ptr<juce::ToggleButton> toggle_;
    bool pending_ = false;     // a notifying setValue whose (async) write has not run yet
    double lastWritten_ = 0.0;
    uint64_t lastWriteNs_ = 0;
    int openGestures_ = 0;
    friend class ParamSlider;
};

// A vertical level meter drawing a MeterModel: RMS (dim), the falling peak bar, the hold line, the clip light
// (click it to reset the latch). Message thread only.
class MeterView : public juce::Component
{
public:
    MeterView (MeterModel& model, const juce::String& label) : model_ (model), label_ (label) {}
    void paint (juce::Graphics& g) override;
    void mouseDown (const juce::MouseEvent& e) override;

private:
    MeterModel& model_;
    const juce::String label_;
};

// Everything a headless measurement reads back from the panel.
struct PanelCounters
{
    uint64_t writes = 0, writeErrors = 0, gesturesBegun = 0, gesturesEnded = 0, gestureErrors = 0;
    uint64_t meterReads = 0;
};

class MixerPanel : public juce::Component, private juce::Timer
{
public:
    // Message thread. Reads the parameter list of `engine` (which may be stopped) and builds the controls; writes
    // nothing (each control shows the engine's current value). Turns the engine's meters on. The engine must
    // outlive the panel. nIn / nOut: meters per input and output channel.
    MixerPanel (mixx_engine* engine, uint32_t nIn, uint32_t nOut);
    ~MixerPanel() override; // ends any gesture still open (a drag cut short by closing the window)

    // Message thread. true: controls show the latest written value (mixx_param_get) instead of the applied one —
    // for an engine that is never started (--native: the strip that applies the writes is not the engine's).
    void showWrittenValues (bool on) { showWritten_ = on; }
    // Message thread. Refresh rate of the controls and meters (30..60 Hz; 0 stops the timer).
    void startRefresh (int hz);
    // One refresh: meters read and fed to the models, controls shown from the applied values. The timer calls it.
    void refresh();

    ParamControl* control (const std::string& name);
    size_t controlCount() const { return controls_.size(); }
    MeterModel& inputMeter (uint32_t ch) { return inModels_.at (ch); }
    MeterModel& outputMeter (uint32_t ch) { return outModels_.at (ch); }
    uint32_t inputs() const { return (uint32_t) inModels_.size(); }
    uint32_t outputs() const { return (uint32_t) outModels_.size(); }
    const PanelCounters& counters() const { return counters_; }
    mixx_engine* engine() const { return engine_; }

    // Called on the message thread right before every write reaches the engine, with the engine's sample time
    // read just before the write (for the headless UI -> audio measurement).
    std::function<void (const mixx_param_info&, double value, uint64_t sampleTimeBefore)> onWrite;
    // The preset buttons: what Save... / Load... do with the chosen file (the host's preset code); "" or an error.
    std::function<std::string (const std::string& path)> savePreset, loadPreset;
    // Called at the end of the destructor, after every open gesture was ended, with the final counters.
    std::function<void (const PanelCounters&)> onClosed;

    juce::Rectangle<int> meterArea() const; // where the meters are, in this component's coordinates
    void resized() override;
    void paint (juce::Graphics& g) override;

private:
    friend class ParamControl;
    struct Group
    {
        std::string key;   // "ch1", "pair1", "master", "" (others)
        juce::String title;
        std::vector<ParamControl*> toggles, knobs, faders;
        std::vector<std::pair<juce::String, std::vector<ParamControl*>>> rows; // sub-groups ("eq.low") as rows
        juce::Rectangle<int> bounds;
        int channel = -1; // 0-based channel of a "chN" group, for its meters
    };
    void timerCallback() override { refresh(); }
    void layoutGroup (Group& g, int x, int y, int w);
    int groupHeight (const Group& g, int w) const;
    void chooseAndRun (bool save);

    mixx_engine* const engine_;
    std::vector<std::unique_ptr<ParamControl>> controls_;
    std::map<std::string, ParamControl*> byName_;
    std::vector<Group> groups_;
    std::vector<MeterModel> inModels_, outModels_;
    std::vector<mixx_meter> inBuf_, outBuf_;
    std::vector<std::unique_ptr<MeterView>> meterViews_;
    juce::TextButton saveButton_ { "Save preset..." }, loadButton_ { "Load preset..." };
    juce::Label status_;
    std::unique_ptr<juce::FileChooser> chooser_;
    PanelCounters counters_;
    bool showWritten_ = false;
};

} // namespace mixxhost
