/* SPDX-License-Identifier: GPL-3.0-only */
// MixerPanel.cpp: the panel's controls, meters and layout (see MixerPanel.h). Message thread only. Placement
// follows the parameter names the engine reports ("chN.*" a strip, a dotted sub-group such as "eq.low" a row,
// "*gain_db" at the top level of a group a fader, booleans toggles), so a new parameter appears without a change here.
#include "MixerPanel.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "HostStats.h" // nowNs()

namespace mixxhost
{

namespace
{
const juce::Colour kBg (0xff15191e), kPanel (0xff1f252c), kText (0xffe8ecef), kDim (0xff8b96a1);
const juce::Colour kGreen (0xff2ecc55), kRed (0xffe5372b), kAmber (0xfff0a020), kAccent (0xff2a9d8f);
constexpr int kKnobW = 56, kKnobH = 76, kFaderW = 70, kFaderH = 196, kMeterW = 22, kToggleH = 26;
constexpr int kTitleH = 22, kRowTitleH = 14, kBarH = 34, kColGap = 8, kStripW = 3 * kKnobW + 12;
constexpr int kMeterMaxDb = 6, kMeterMinDb = -60;

// "ch1.eq.low.gain_db" -> group "ch1", rest "eq.low.gain_db"; names without a dot form the group "" (others)
void splitName (const std::string& name, std::string& group, std::string& rest)
{
    const size_t dot = name.find ('.');
    if (dot == std::string::npos)
    {
        group.clear();
        rest = name;
        return;
    }
    group = name.substr (0, dot);
    rest = name.substr (dot + 1);
}

bool isChannelGroup (const std::string& g, int& ch)
{
    if (g.size() < 3 || g.compare (0, 2, "ch") != 0)
        return false;
    char* end = nullptr;
    const long n = std::strtol (g.c_str() + 2, &end, 10);
    if (*end != '\0' || n < 1 || n > 64)
        return false;
    ch = (int) n - 1;
    return true;
}

// the label under a control: the last name component without its unit suffix ("freq_hz" -> "freq")
juce::String shortLabel (const std::string& rest)
{
    juce::String s = juce::String (rest).fromLastOccurrenceOf (".", false, false);
    for (const char* suffix : { "_db", "_hz", "_ms" })
        if (s.endsWith (suffix))
            s = s.dropLastCharacters (3);
    return s;
}

int decimalsFor (const mixx_param_info& p)
{
    if (p.flags & (MIXX_PARAM_STEPPED | MIXX_PARAM_BOOL))
        return 0;
    if (std::string (p.unit) == "Hz")
        return 0;
    if (p.flags & MIXX_PARAM_DB)
        return 1;
    return 2;
}

float dbToY (double db, juce::Rectangle<float> r)
{
    const double c = std::clamp (db, (double) kMeterMinDb, (double) kMeterMaxDb);
    return r.getBottom() - (float) ((c - kMeterMinDb) / (kMeterMaxDb - kMeterMinDb)) * r.getHeight();
}
} // namespace

// ---- ParamControl ------------------------------------------------------------------------------------------

// Slider::valueChanged runs synchronously inside every notifying setValue (the listeners run later, from an
// async update): it marks the control so the refresh timer does not overwrite a value whose write is on its way.
class ParamControl::ParamSlider : public juce::Slider
{
public:
    explicit ParamSlider (ParamControl& owner) : owner_ (owner) {}
    void valueChanged() override { owner_.pending_ = true; }

private:
    ParamControl& owner_;
};

ParamControl::ParamControl (MixerPanel& panel, const mixx_param_info& info, Kind kind, const juce::String& label)
    : panel_ (panel), info_ (info), kind_ (kind), label_ (label)
{
    double current = info.def;
    mixx_param_get_applied (panel.engine(), info.id, &current); // shows what the engine has; writes nothing
    if (kind == Kind::Toggle)
    {
        toggle_ = std::make_unique<juce::ToggleButton> (label);
        toggle_->setToggleState (current >= 0.5, juce::dontSendNotification);
        toggle_->setColour (juce::ToggleButton::textColourId, kText);
        toggle_->setColour (juce::ToggleButton::tickColourId, kAmber);
        toggle_->onClick = [this] {
            // a click is a whole gesture
            beginGesture();
            write (toggle_->getToggleState() ? 1.0 : 0.0);
            endGesture();
        };
        addAndMakeVisible (*toggle_);
        return;
    }
    slider_ = std::make_unique<ParamSlider> (*this);
    slider_->setSliderStyle (kind == Kind::Knob ? juce::Slider::RotaryHorizontalVerticalDrag : juce::Slider::LinearVertical);
    slider_->setTextBoxStyle (juce::Slider::TextBoxBelow, false, kind == Kind::Knob ? kKnobW : kFaderW, 16);
    slider_->setRange (info.min, info.max, (info.flags & MIXX_PARAM_STEPPED) ? 1.0 : 0.0);
    if ((info.flags & MIXX_PARAM_LOG) && info.min > 0.0)
        slider_->setSkewFactorFromMidPoint (std::sqrt (info.min * info.max));
    else if (info.min < 0.0 && info.max > 0.0 && std::fabs (info.min + info.max) < 1e-9)
        slider_->setSkewFactorFromMidPoint (0.0);
    slider_->setNumDecimalPlacesToDisplay (decimalsFor (info));
    if (info.unit[0] != '\0')
        slider_->setTextValueSuffix (juce::String (" ") + info.unit);
    slider_->setDoubleClickReturnValue (true, info.def); // double-click resets (inside a begin/end drag pair)
    slider_->setValue (current, juce::dontSendNotification);
    slider_->setColour (juce::Slider::rotarySliderFillColourId, kAccent);
    slider_->setColour (juce::Slider::trackColourId, kAccent);
    slider_->setColour (juce::Slider::textBoxOutlineColourId, juce::Colours::transparentBlack);
    slider_->setTooltip (info.name);
    slider_->addListener (this);
    addAndMakeVisible (*slider_);
    lastWritten_ = current;
}

ParamControl::~ParamControl()
{
    if (slider_)
        slider_->removeListener (this);
}

void ParamControl::resized()
{
    auto r = getLocalBounds();
    if (toggle_)
    {
        toggle_->setBounds (r);
        return;
    }
    r.removeFromBottom (kRowTitleH);
    slider_->setBounds (r);
}

void ParamControl::paint (juce::Graphics& g)
{
    if (toggle_)
        return;
    g.setColour (openGestures_ > 0 ? kAmber : kDim);
    g.setFont (juce::Font (12.0f));
    g.drawText (label_, getLocalBounds().removeFromBottom (kRowTitleH), juce::Justification::centred);
}

void ParamControl::showApplied (double v, uint64_t now)
{
    if (toggle_)
    {
        if (! toggle_->isMouseButtonDown() && openGestures_ == 0)
            toggle_->setToggleState (v >= 0.5, juce::dontSendNotification);
        return;
    }
    if (pending_ || openGestures_ > 0 || slider_->isMouseButtonDown())
        return;
    // our own write lands one block later; until then the applied value is the old one: don't jump back
    const double tol = 1e-6 * std::max (1.0, std::fabs (lastWritten_));
    if (lastWriteNs_ != 0 && now - lastWriteNs_ < 250000000ull && std::fabs (v - lastWritten_) > tol)
        return;
    if (slider_->getValue() != v)
        slider_->setValue (v, juce::dontSendNotification);
}

void ParamControl::sliderValueChanged (juce::Slider*)
{
    pending_ = false;
    write (slider_->getValue());
}

void ParamControl::write (double v)
{
    mixx_engine* e = panel_.engine();
    const uint64_t st = mixx_param_sample_time (e);
    if (panel_.onWrite)
        panel_.onWrite (info_, v, st);
    const int rc = mixx_param_set (e, info_.id, v);
    if (rc == 0)
        panel_.counters_.writes++;
    else
        panel_.counters_.writeErrors++;
    lastWritten_ = (double) (float) std::clamp (v, info_.min, info_.max); // the engine stores a float
    lastWriteNs_ = nowNs();
}

void ParamControl::beginGesture()
{
    const int rc = mixx_param_gesture (panel_.engine(), info_.id, 1);
    if (rc != 0)
    {
        panel_.counters_.gestureErrors++;
        return;
    }
    openGestures_++;
    panel_.counters_.gesturesBegun++;
    repaint();
}

void ParamControl::endGesture()
{
    if (openGestures_ == 0)
        return; // a drag-end whose begin failed, or one already closed by endOpenGestures
    const int rc = mixx_param_gesture (panel_.engine(), info_.id, 0);
    openGestures_--;
    if (rc != 0)
        panel_.counters_.gestureErrors++;
    else
        panel_.counters_.gesturesEnded++;
    repaint();
}

void ParamControl::endOpenGestures()
{
    while (openGestures_ > 0)
        endGesture();
}

// ---- MeterView ---------------------------------------------------------------------------------------------

void MeterView::paint (juce::Graphics& g)
{
    auto r = getLocalBounds().toFloat();
    auto labelArea = r.removeFromBottom (14.0f);
    auto clip = r.removeFromTop (10.0f);
    r.removeFromTop (2.0f);
    g.setColour (model_.clipped() ? kRed : kPanel.brighter (0.3f));
    g.fillRect (clip.reduced (3.0f, 0.0f));
    r = r.reduced (3.0f, 0.0f);
    g.setColour (juce::Colours::black);
    g.fillRect (r);
    const float y0 = dbToY (0.0, r);
    // RMS dim, peak bar coloured by level, hold line
    const float yr = dbToY (model_.rmsDb(), r), yp = dbToY (model_.levelDb(), r), yh = dbToY (model_.holdDb(), r);
    const double lvl = model_.levelDb();
    g.setColour ((lvl > -0.1 ? kRed : lvl > -6.0 ? kAmber : kGreen).withAlpha (0.9f));
    g.fillRect (r.withTop (yp).reduced (1.0f, 0.0f));
    g.setColour (kGreen.darker (0.6f));
    g.fillRect (r.withTop (yr).reduced (4.0f, 0.0f));
    if (model_.holdDb() > MeterModel::kFloorDb)
    {
        g.setColour (kText);
        g.fillRect (r.getX(), yh - 1.0f, r.getWidth(), 2.0f);
    }
    g.setColour (kDim.withAlpha (0.6f));
    g.fillRect (r.getX(), y0, r.getWidth(), 1.0f); // 0 dBFS tick
    g.setColour (kDim);
    g.setFont (juce::Font (9.5f));
    g.drawFittedText (label_, labelArea.toNearestInt(), juce::Justification::centred, 1, 0.8f);
}

void MeterView::mouseDown (const juce::MouseEvent&)
{
    model_.resetClip(); // the clip light latches until clicked
    repaint();
}

// ---- MixerPanel --------------------------------------------------------------------------------------------

MixerPanel::MixerPanel (mixx_engine* engine, uint32_t nIn, uint32_t nOut)
    : engine_ (engine), inModels_ (nIn), outModels_ (nOut), inBuf_ (nIn), outBuf_ (nOut)
{
    setOpaque (true);
    const uint32_t n = mixx_param_count (engine);
    for (uint32_t i = 0; i < n; ++i)
    {
        mixx_param_info info {};
        if (mixx_param_info_at (engine, i, &info) != 0)
            continue;
        std::string group, rest;
        splitName (info.name, group, rest);
        auto it = std::find_if (groups_.begin(), groups_.end(), [&] (const Group& g) { return g.key == group; });
        if (it == groups_.end())
        {
            Group g;
            g.key = group;
            g.title = group.empty() ? juce::String ("OTHER") : juce::String (group).toUpperCase();
            int ch = -1;
            if (isChannelGroup (group, ch))
                g.channel = ch;
            groups_.push_back (std::move (g));
            it = groups_.end() - 1;
        }
        ParamControl::Kind kind = ParamControl::Kind::Knob;
        const bool sub = rest.find ('.') != std::string::npos;
        if (info.flags & MIXX_PARAM_BOOL)
            kind = ParamControl::Kind::Toggle;
        else if (! sub && ! group.empty() && (info.flags & MIXX_PARAM_DB) && rest.size() >= 7
                 && rest.compare (rest.size() - 7, 7, "gain_db") == 0)
            kind = ParamControl::Kind::Fader;
        auto c = std::make_unique<ParamControl> (*this, info, kind, shortLabel (rest));
        ParamControl* p = c.get();
        addAndMakeVisible (*c);
        byName_[info.name] = p;
        controls_.push_back (std::move (c));
        if (kind == ParamControl::Kind::Toggle)
            it->toggles.push_back (p);
        else if (kind == ParamControl::Kind::Fader)
            it->faders.push_back (p);
        else if (sub)
        {
            const juce::String row = juce::String (rest).upToLastOccurrenceOf (".", false, false);
            auto r = std::find_if (it->rows.begin(), it->rows.end(), [&] (const auto& x) { return x.first == row; });
            if (r == it->rows.end())
            {
                it->rows.push_back ({ row, {} });
                r = it->rows.end() - 1;
            }
            r->second.push_back (p);
        }
        else
            it->knobs.push_back (p);
    }
    // meters: each channel strip shows its input and output; channels without a strip get theirs in the master column
    for (uint32_t c = 0; c < nIn; ++c)
        meterViews_.push_back (std::make_unique<MeterView> (inModels_[c], "IN " + juce::String (c + 1)));
    for (uint32_t c = 0; c < nOut; ++c)
        meterViews_.push_back (std::make_unique<MeterView> (outModels_[c], "OUT " + juce::String (c + 1)));
    for (auto& m : meterViews_)
        addAndMakeVisible (*m);

    saveButton_.onClick = [this] { chooseAndRun (true); };
    loadButton_.onClick = [this] { chooseAndRun (false); };
    addAndMakeVisible (saveButton_);
    addAndMakeVisible (loadButton_);
    status_.setColour (juce::Label::textColourId, kDim);
    status_.setFont (juce::Font (12.5f));
    addAndMakeVisible (status_);

    mixx_meters_enable (engine_, 1);
    // width: one column per channel strip, one for the rest (pairs, master); the "other" grid below
    int columns = 0;
    bool haveMasterCol = false;
    for (const auto& g : groups_)
    {
        if (g.channel >= 0)
            columns++;
        else if (! g.key.empty())
            haveMasterCol = true;
    }
    const int w = std::max (420, columns * (kStripW + kColGap) + (haveMasterCol ? kFaderW + 2 * kMeterW + 40 : 0) + kColGap);
    int h = kBarH;
    int colH = 0;
    for (const auto& g : groups_)
        if (g.channel >= 0)
            colH = std::max (colH, groupHeight (g, kStripW));
    int masterH = 0;
    for (const auto& g : groups_)
        if (g.channel < 0 && ! g.key.empty())
            masterH += groupHeight (g, kFaderW + 2 * kMeterW + 30) + kColGap;
    h += std::max (colH, masterH) + kColGap;
    for (const auto& g : groups_)
        if (g.key.empty())
            h += groupHeight (g, w - 2 * kColGap) + kColGap;
    setSize (w, std::max (h, 470));
}

MixerPanel::~MixerPanel()
{
    stopTimer();
    for (auto& c : controls_)
        c->endOpenGestures(); // counters_ still alive here
    controls_.clear();
    if (onClosed)
        onClosed (counters_);
}

void MixerPanel::startRefresh (int hz)
{
    if (hz <= 0)
        stopTimer();
    else
        startTimerHz (std::clamp (hz, 30, 60));
}

void MixerPanel::refresh()
{
    const double t = (double) nowNs() / 1e9;
    if (mixx_meters_read (engine_, inBuf_.data(), (uint32_t) inBuf_.size(), outBuf_.data(), (uint32_t) outBuf_.size()) == 0)
    {
        counters_.meterReads++;
        for (size_t c = 0; c < inBuf_.size(); ++c)
            inModels_[c].feed (t, inBuf_[c].peak, inBuf_[c].rms, inBuf_[c].clips, inBuf_[c].frames);
        for (size_t c = 0; c < outBuf_.size(); ++c)
            outModels_[c].feed (t, outBuf_[c].peak, outBuf_[c].rms, outBuf_[c].clips, outBuf_[c].frames);
    }
    const uint64_t now = nowNs();
    for (auto& c : controls_)
    {
        double v = 0.0;
        if ((showWritten_ ? mixx_param_get (engine_, c->info().id, &v) : mixx_param_get_applied (engine_, c->info().id, &v)) == 0)
            c->showApplied (v, now);
    }
    for (auto& m : meterViews_)
        m->repaint();
}

ParamControl* MixerPanel::control (const std::string& name)
{
    auto it = byName_.find (name);
    return it == byName_.end() ? nullptr : it->second;
}

int MixerPanel::groupHeight (const Group& g, int w) const
{
    const int perRow = std::max (1, w / kKnobW);
    int h = kTitleH;
    if (! g.toggles.empty())
        h += kToggleH * (int) ((g.toggles.size() + 1) / 2);
    h += kKnobH * (int) ((g.knobs.size() + (size_t) perRow - 1) / (size_t) perRow);
    for (const auto& r : g.rows)
        h += kRowTitleH + kKnobH * (int) ((r.second.size() + (size_t) perRow - 1) / (size_t) perRow);
    if (! g.faders.empty() || g.channel >= 0)
        h += kFaderH;
    return h + 6;
}

void MixerPanel::layoutGroup (Group& g, int x, int y, int w)
{
    const int perRow = std::max (1, w / kKnobW);
    g.bounds = { x, y, w, groupHeight (g, w) };
    y += kTitleH;
    for (size_t i = 0; i < g.toggles.size(); ++i)
        g.toggles[i]->setBounds (x + (int) (i % 2) * (w / 2), y + (int) (i / 2) * kToggleH, w / 2, kToggleH);
    if (! g.toggles.empty())
        y += kToggleH * (int) ((g.toggles.size() + 1) / 2);
    auto flow = [&] (const std::vector<ParamControl*>& v) {
        for (size_t i = 0; i < v.size(); ++i)
            v[i]->setBounds (x + (int) (i % (size_t) perRow) * kKnobW, y + (int) (i / (size_t) perRow) * kKnobH, kKnobW, kKnobH);
        y += kKnobH * (int) ((v.size() + (size_t) perRow - 1) / (size_t) perRow);
    };
    flow (g.knobs);
    for (auto& r : g.rows)
    {
        y += kRowTitleH; // the row's title is painted in paint()
        flow (r.second);
    }
    int fx = x;
    for (auto* f : g.faders)
    {
        f->setBounds (fx, y, kFaderW, kFaderH);
        fx += kFaderW;
    }
    if (g.channel >= 0)
    {
        const uint32_t ch = (uint32_t) g.channel;
        if (ch < inModels_.size())
            meterViews_[ch]->setBounds (fx + 4, y + 4, kMeterW + 8, kFaderH - 8);
        if (ch < outModels_.size())
            meterViews_[inModels_.size() + ch]->setBounds (fx + 4 + kMeterW + 12, y + 4, kMeterW + 8, kFaderH - 8);
    }
}

void MixerPanel::resized()
{
    auto bar = getLocalBounds().removeFromTop (kBarH).reduced (kColGap, 5);
    bar.removeFromLeft (70); // the title
    saveButton_.setBounds (bar.removeFromLeft (110));
    bar.removeFromLeft (6);
    loadButton_.setBounds (bar.removeFromLeft (110));
    bar.removeFromLeft (8);
    status_.setBounds (bar);

    int x = kColGap, y = kBarH;
    int colBottom = y;
    for (auto& g : groups_)
        if (g.channel >= 0)
        {
            layoutGroup (g, x, y, kStripW);
            colBottom = std::max (colBottom, g.bounds.getBottom());
            x += kStripW + kColGap;
        }
    // the master column: pairs and master, then the meters of channels that have no strip
    const int mw = kFaderW + 2 * kMeterW + 30;
    int my = y;
    for (auto& g : groups_)
        if (g.channel < 0 && ! g.key.empty())
        {
            layoutGroup (g, x, my, mw);
            my = g.bounds.getBottom() + kColGap;
        }
    int mx = x;
    for (uint32_t c = 0; c < inModels_.size() + outModels_.size(); ++c)
    {
        const uint32_t ch = c < inModels_.size() ? c : c - (uint32_t) inModels_.size();
        const bool hasStrip = std::any_of (groups_.begin(), groups_.end(), [&] (const Group& g) { return g.channel == (int) ch; });
        if (! hasStrip)
        {
            meterViews_[c]->setBounds (mx, my, kMeterW + 8, kFaderH - 8);
            mx += kMeterW + 12;
        }
    }
    colBottom = std::max (colBottom, my);
    int oy = colBottom + kColGap;
    for (auto& g : groups_)
        if (g.key.empty())
        {
            layoutGroup (g, kColGap, oy, getWidth() - 2 * kColGap);
            oy = g.bounds.getBottom() + kColGap;
        }
}

juce::Rectangle<int> MixerPanel::meterArea() const
{
    juce::Rectangle<int> r;
    for (const auto& m : meterViews_)
        r = r.isEmpty() ? m->getBounds() : r.getUnion (m->getBounds());
    return r;
}

void MixerPanel::paint (juce::Graphics& g)
{
    g.fillAll (kBg);
    g.setColour (kText);
    g.setFont (juce::Font (16.0f, juce::Font::bold));
    g.drawText ("MIXER", kColGap, 0, 70, kBarH, juce::Justification::centredLeft);
    for (const auto& gr : groups_)
    {
        g.setColour (kPanel);
        g.fillRoundedRectangle (gr.bounds.toFloat(), 6.0f);
        g.setColour (gr.channel >= 0 ? kAccent : kText);
        g.setFont (juce::Font (13.0f, juce::Font::bold));
        g.drawText (gr.title, gr.bounds.getX() + 6, gr.bounds.getY(), gr.bounds.getWidth() - 12, kTitleH,
                    juce::Justification::centredLeft);
        g.setFont (juce::Font (11.0f, juce::Font::bold));
        g.setColour (kDim);
        for (const auto& r : gr.rows)
            if (! r.second.empty())
                g.drawText (r.first.toUpperCase(), gr.bounds.getX() + 6, r.second.front()->getY() - kRowTitleH,
                            gr.bounds.getWidth() - 12, kRowTitleH, juce::Justification::centredLeft);
    }
}

void MixerPanel::chooseAndRun (bool save)
{
    if (! (save ? savePreset : loadPreset))
        return;
    chooser_ = std::make_unique<juce::FileChooser> (save ? "Save preset" : "Load preset",
                                                    juce::File::getCurrentWorkingDirectory(), "*.json");
    const int chooserFlags = juce::FileBrowserComponent::canSelectFiles
                      | (save ? juce::FileBrowserComponent::saveMode | juce::FileBrowserComponent::warnAboutOverwriting
                              : juce::FileBrowserComponent::openMode);
    juce::Component::SafePointer<MixerPanel> self (this);
    chooser_->launchAsync (chooserFlags, [self, save] (const juce::FileChooser& fc) {
        if (self == nullptr)
            return;
        const juce::File f = fc.getResult();
        if (f == juce::File())
            return;
        const std::string path = f.getFullPathName().toStdString();
        const std::string err = save ? self->savePreset (path) : self->loadPreset (path);
        self->status_.setText (err.empty() ? juce::String (save ? "saved " : "loaded ") + f.getFileName()
                                           : juce::String (err),
                               juce::dontSendNotification);
    });
}

} // namespace mixxhost
