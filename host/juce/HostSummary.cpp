/* SPDX-License-Identifier: GPL-3.0-only */
// HostSummary.cpp: the end-of-run summary of a HostAudio run, as JSON (for juce_report.py and the comparison
// script) and as text: formatting only, on the message thread after the run; nothing here touches audio.
#include "HostAudio.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace mixxhost
{

// ---- summaries -------------------------------------------------------------------------------------------

std::string jsonEscape (const std::string& v)
{
    std::string o;
    for (char c : v)
    {
        if (c == '"' || c == '\\')
        {
            o += '\\';
            o += c;
        }
        else if ((unsigned char) c < 0x20)
        {
            char b[8];
            std::snprintf (b, sizeof b, "\\u%04x", (unsigned) (unsigned char) c);
            o += b;
        }
        else
            o += c;
    }
    return o;
}

namespace
{
struct JsonOut
{
    std::string s;
    bool first = true;
    void sep()
    {
        if (! first)
            s += ", ";
        first = false;
    }
    void key (const char* k)
    {
        sep();
        s += '"';
        s += k;
        s += "\": ";
    }
    void open (const char* k)
    {
        key (k);
        s += '{';
        first = true;
    }
    void close()
    {
        s += '}';
        first = false;
    }
    void str (const char* k, const std::string& v)
    {
        key (k);
        s += '"';
        s += jsonEscape (v);
        s += '"';
    }
    void u64 (const char* k, uint64_t v)
    {
        key (k);
        s += std::to_string (v);
    }
    void i64 (const char* k, int64_t v)
    {
        key (k);
        s += std::to_string (v);
    }
    void num (const char* k, double v)
    {
        key (k);
        if (! std::isfinite (v))
        {
            s += "null";
            return;
        }
        char b[40];
        std::snprintf (b, sizeof b, "%.6g", v);
        s += b;
    }
    void boolean (const char* k, bool v)
    {
        key (k);
        s += v ? "true" : "false";
    }
};

void percentilesJson (JsonOut& j, const char* name, const mixx_percentiles& p)
{
    j.open (name);
    j.u64 ("p50", p.p50);
    j.u64 ("p90", p.p90);
    j.u64 ("p99", p.p99);
    j.u64 ("p999", p.p999);
    j.u64 ("max", p.max);
    j.num ("mean", p.mean);
    j.close();
}
} // namespace

std::string HostAudio::summaryJson (const std::string& extraMembers) const
{
    const HostSnapshot s = snapshot();
    JsonOut j;
    j.s = "{";
    j.str ("mode", s.native ? "native" : "engine");
    j.str ("device_type", s.deviceType);
    j.str ("device_name", s.deviceName);
    j.u64 ("sample_rate", s.sampleRate);
    j.u64 ("buffer_size", s.bufferSize);
    j.u64 ("requested_sample_rate", s.requestedRate);
    j.u64 ("requested_buffer_size", s.requestedBuffer);
    j.num ("seconds", s.elapsedS);
    j.u64 ("callbacks", s.callbacks);
    j.num ("expected_callbacks", s.bufferSize ? s.elapsedS * s.sampleRate / s.bufferSize : 0.0);
    j.u64 ("deadline_ns", s.deadlineNs);
    j.u64 ("deadline_misses", s.deadlineMisses);
    j.u64 ("xruns", s.xruns);
    j.open ("callback_ns");
    j.u64 ("p50", s.p50);
    j.u64 ("p90", s.p90);
    j.u64 ("p99", s.p99);
    j.u64 ("p999", s.p999);
    j.u64 ("max", s.max);
    j.num ("mean", s.mean);
    j.close();
    j.open ("interval_ns");
    j.u64 ("p50", s.intervalP50);
    j.u64 ("p99", s.intervalP99);
    j.u64 ("max", s.intervalMax);
    j.close();
    j.open ("dsp_load");
    j.num ("mean", s.loadRunMean);
    j.num ("last_second_mean", s.loadMean);
    j.num ("last_second_max", s.loadMax);
    j.close();
    j.str ("health", s.health == Health::Green ? "green" : "red");
    j.str ("health_detail", healthName (s.health));
    j.u64 ("red_seconds", s.redSeconds);
    j.u64 ("dropped_probes", s.droppedProbes);
    j.u64 ("burn_us", s.burnUs);
    j.boolean ("device_lost", s.deviceLost);
    if (! s.native)
    {
        j.open ("engine");
        j.boolean ("started", s.haveEngine && s.engine.callbacks > 0);
        j.u64 ("callbacks", s.engine.callbacks);
        j.u64 ("deadline_misses", s.engine.deadline_misses);
        j.u64 ("xruns", s.engine.xruns_backend);
        j.u64 ("late_wakeups", s.engine.late_wakeups);
        j.u64 ("dropped_records", s.engine.dropped_records);
        j.u64 ("format_changes", s.engine.format_changes); // JUCE handed a block of another size (issue 18)
        percentilesJson (j, "callback_ns", s.engine.callback_ns);
        percentilesJson (j, "interval_ns", s.engine.interval_ns);
        j.num ("dsp_load_mean", s.engine.dsp_load_mean);
        j.num ("dsp_load_max", s.engine.dsp_load_max);
        j.u64 ("process_errors", s.processErrors);
        j.i64 ("last_process_error", s.lastProcessError);
        j.str ("error", s.engineError);
        j.close();
    }
    j.open ("rtl");
    j.boolean ("enabled", s.rtlEnabled);
    j.boolean ("valid", s.rtlValid);
    if (s.rtlValid)
    {
        j.num ("frames", s.rtlFrames);
        j.num ("ms", s.rtlMs);
    }
    j.u64 ("measurements", s.rtlMeasurements);
    j.str ("text", s.rtlText);
    j.close();
    j.str ("juce_version", juce::SystemStats::getJUCEVersion().fromLastOccurrenceOf ("v", false, false).toStdString());
    j.str ("mixx_version", mixx_version_string());
    if (! extraMembers.empty())
    {
        j.sep();
        j.s += extraMembers;
    }
    j.s += "}";
    return j.s;
}

std::string HostAudio::summaryText() const
{
    const HostSnapshot s = snapshot();
    char b[1024];
    std::string o;
    std::snprintf (b, sizeof b,
                   "MixxEngineHost, %s mode, %s device \"%s\": %u Hz / %u frames (requested %u / %u)\n",
                   s.native ? "native" : "engine", s.deviceType.c_str(), s.deviceName.c_str(), s.sampleRate,
                   s.bufferSize, s.requestedRate, s.requestedBuffer);
    o += b;
    std::snprintf (b, sizeof b,
                   "  %.2f s, %" PRIu64 " callbacks, %" PRIu64 " deadline misses (deadline %.1f us), %" PRIu64
                   " device xruns, health %s\n",
                   s.elapsedS, s.callbacks, s.deadlineMisses, (double) s.deadlineNs / 1e3, s.xruns,
                   s.health == Health::Green ? "green" : "red");
    o += b;
    std::snprintf (b, sizeof b,
                   "  callback p50 %.2f us, p99 %.2f us, max %.2f us; DSP load mean %.2f %%\n", (double) s.p50 / 1e3,
                   (double) s.p99 / 1e3, (double) s.max / 1e3, 100.0 * s.loadRunMean);
    o += b;
    if (! s.native)
    {
        std::snprintf (b, sizeof b,
                       "  engine: %" PRIu64 " callbacks, %" PRIu64 " deadline misses, %" PRIu64
                       " xruns, callback p50 %.2f us, p99 %.2f us, max %.2f us%s%s\n",
                       s.engine.callbacks, s.engine.deadline_misses, s.engine.xruns_backend,
                       (double) s.engine.callback_ns.p50 / 1e3, (double) s.engine.callback_ns.p99 / 1e3,
                       (double) s.engine.callback_ns.max / 1e3, s.engineError.empty() ? "" : "; ",
                       s.engineError.c_str());
        o += b;
    }
    o += "  round-trip latency: " + s.rtlText + "\n";
    return o;
}

} // namespace mixxhost
