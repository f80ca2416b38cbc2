/* SPDX-License-Identifier: GPL-3.0-only */
// HostOptions.h: MixxEngineHost's command line (plain C++, no JUCE), parsed before JUCE starts so that
// --help and usage errors never touch the audio or display systems.
#pragma once

#include <cstdint>
#include <string>

namespace mixxhost
{

struct HostOptions
{
    bool native = false;          // plain JUCE pass-through, no engine
    bool headless = false;        // no window; summary on stdout
    bool json = false;            // summary as one JSON object
    bool latency = false;         // self-loop out_1 -> in_1 and run the engine's latency meter
    bool help = false;
    double seconds = 0.0;         // 0 = until the window is closed or SIGINT/SIGTERM
    std::string screenshot;       // PNG of the window after `seconds` (default 3 s)
    uint32_t sampleRate = 48000;  // requested; JACK keeps the server's
    uint32_t bufferSize = 64;     // requested
    uint32_t burnUs = 0;          // debug overload: spin this long inside every callback
    std::string logPath;          // engine mode: the engine's JSON Lines log
    std::string device;           // JACK client to connect to; empty = the first one ("system")
    bool testSignal = false;      // engine mode: a slowly swelling tone on every output (moving meters)
    std::string presetLoad;       // engine mode: load this preset before the audio starts
    std::string presetSave;       // engine mode: save the parameters here when the run ends
    // headless measurements on the sim backend (HostMeasure.*), each printing one JSON object
    uint32_t automate = 0;        // move a parameter N times through the panel's slider
    std::string automateParam = "ch1.gain_db";
    bool meterTruth = false;      // an impulse every 997 samples: the meter model must see each one
    uint32_t churn = 0;           // open/close the panel N times while two threads randomise 1024 parameters
    bool measuring() const { return automate > 0 || meterTruth || churn > 0; }
};

// Returns "" on success or an error text for the usage message.
std::string parseOptions (int argc, char** argv, HostOptions& out);
const char* usageText();

} // namespace mixxhost
