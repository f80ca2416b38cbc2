/* SPDX-License-Identifier: GPL-3.0-only */
// HostOptions.cpp: command-line parsing for MixxEngineHost (see usageText() for the options).
#include "HostOptions.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace mixxhost
{

const char* usageText()
{
    return "usage: MixxEngineHost [options]\n"
           "  --native             no engine: JUCE copies in to out and runs NativeStrip (the strip in juce::dsp),\n"
           "                       with the same timing probes; the panel drives NativeStrip\n"
           "  --headless           no window: run the audio, print a summary at the end\n"
           "  --seconds N          stop after N seconds (required with --headless)\n"
           "  --json               print the summary as one JSON object\n"
           "  --screenshot FILE    write a PNG of the window after N seconds (default 3) and quit\n"
           "  --rate HZ            requested sample rate (default 48000; JACK keeps the server's)\n"
           "  --buffer FRAMES      requested buffer size (default 64; JACK keeps the server's)\n"
           "  --device NAME        JACK client to connect to (default: the first, usually \"system\")\n"
           "  --latency            engine mode: loop out_1 -> in_1 and run the round-trip latency meter\n"
           "  --log FILE           engine mode: the engine's per-second JSON Lines log\n"
           "  --burn-us N          debug: spin N microseconds in every callback (injected overload)\n"
           "  --test-signal        engine mode: a swelling tone on every output (the meters move)\n"
           "  --preset-load FILE   engine mode: load a preset (mixx_params_load JSON) before the audio starts\n"
           "  --preset-save FILE   engine mode: save the parameters to FILE when the run ends (temp + rename)\n"
           "Headless measurements (sim backend, no JACK; one JSON object on stdout; need --headless):\n"
           "  --automate N         move --automate-param N times through the panel's slider; detect each\n"
           "                       change in the looped-back signal (UI -> audio blocks and ms)\n"
           "  --automate-param P   a dB parameter (default ch1.gain_db)\n"
           "  --meter-truth        an impulse every 997 samples for --seconds (default 3): peaks_sent/seen\n"
           "  --churn N            open and close the panel N times while two threads randomise 1024 params\n"
           "                       (sim buffer: --buffer, default 64)\n"
           "  -h, --help           this text\n"
           "Audio runs on JACK (set JACK_DEFAULT_SERVER for a named server); exit status 0 ok, 2 usage,\n"
           "3 no JACK server or device, 4 device lost while running, 5 screenshot not written.\n";
}

static bool parseUint (const char* s, uint32_t lo, uint32_t hi, uint32_t& out)
{
    if (s == nullptr || *s == '\0')
        return false;
    char* end = nullptr;
    errno = 0;
    const unsigned long v = std::strtoul (s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi || s[0] == '-')
        return false;
    out = (uint32_t) v;
    return true;
}

std::string parseOptions (int argc, char** argv, HostOptions& o)
{
    for (int i = 1; i < argc; ++i)
    {
        const std::string a = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        if (a == "--native")
            o.native = true;
        else if (a == "--headless")
            o.headless = true;
        else if (a == "--json")
            o.json = true;
        else if (a == "--latency")
            o.latency = true;
        else if (a == "-h" || a == "--help")
            o.help = true;
        else if (a == "--seconds")
        {
            const char* v = value();
            char* end = nullptr;
            const double s = v ? std::strtod (v, &end) : 0.0;
            if (v == nullptr || *end != '\0' || ! (s > 0.0 && s <= 1e7))
                return "--seconds needs a positive number";
            o.seconds = s;
        }
        else if (a == "--rate")
        {
            if (! parseUint (value(), 1, 768000, o.sampleRate))
                return "--rate needs 1..768000";
        }
        else if (a == "--buffer")
        {
            if (! parseUint (value(), 1, 8192, o.bufferSize))
                return "--buffer needs 1..8192";
        }
        else if (a == "--burn-us")
        {
            if (! parseUint (value(), 0, 1000000, o.burnUs))
                return "--burn-us needs 0..1000000";
        }
        else if (a == "--test-signal")
            o.testSignal = true;
        else if (a == "--meter-truth")
            o.meterTruth = true;
        else if (a == "--screenshot" || a == "--log" || a == "--preset-load" || a == "--preset-save"
                 || a == "--automate-param")
        {
            // the options that take a non-empty string
            const char* v = value();
            if (v == nullptr || *v == '\0')
                return a + (a == "--automate-param" ? " needs a value" : " needs a file name");
            (a == "--screenshot" ? o.screenshot
             : a == "--log"      ? o.logPath
             : a == "--preset-load" ? o.presetLoad
             : a == "--preset-save" ? o.presetSave
                                    : o.automateParam) = v;
        }
        else if (a == "--automate")
        {
            if (! parseUint (value(), 1, 100000, o.automate))
                return "--automate needs 1..100000";
        }
        else if (a == "--churn")
        {
            if (! parseUint (value(), 1, 100000, o.churn))
                return "--churn needs 1..100000";
        }
        else if (a == "--device")
        {
            const char* v = value();
            if (v == nullptr || *v == '\0')
                return "--device needs a JACK client name";
            o.device = v;
        }
        else
            return "unknown option '" + a + "'";
    }
    const int measurements = (o.automate > 0) + (o.meterTruth ? 1 : 0) + (o.churn > 0);
    if (measurements > 1)
        return "--automate, --meter-truth and --churn are separate runs: pick one";
    if (measurements && ! o.headless)
        return "--automate, --meter-truth and --churn run headless: add --headless";
    if (measurements && o.native)
        return "--automate, --meter-truth and --churn measure the engine: drop --native";
    if (o.native && (o.testSignal || ! o.presetLoad.empty() || ! o.presetSave.empty()))
        return "--test-signal and presets need the engine; drop --native";
    if (o.meterTruth && o.seconds <= 0.0)
        o.seconds = 3.0;
    if (o.headless && o.seconds <= 0.0 && ! measurements)
        return "--headless needs --seconds N";
    if (o.headless && ! o.screenshot.empty())
        return "--screenshot needs a window; drop --headless";
    if (o.native && (o.latency || ! o.logPath.empty()))
        return "--latency and --log need the engine; drop --native";
    if (! o.screenshot.empty() && o.seconds <= 0.0)
        o.seconds = 3.0;
    return {};
}

} // namespace mixxhost
