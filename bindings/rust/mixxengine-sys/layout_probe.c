/* SPDX-License-Identifier: MIT
 * layout_probe.c: run by build.rs against the installed or built mixxengine.h; prints, as Rust source, the size
 * and alignment of each public struct and the offset of each field, for tests/layout.rs to compare with src/lib.rs.
 * A field added to a struct in the header must be added here and in src/lib.rs (the test counts them). */
#include <mixxengine.h>

#include <stddef.h>
#include <stdio.h>

#define STRUCT(T) printf("    (\"%s\", %zu, %zu),\n", #T, sizeof(T), _Alignof(T));
#define FIELD(T, f) printf("    (\"%s\", \"%s\", %zu),\n", #T, #f, offsetof(T, f));

#define CONFIG_FIELDS(X)                                                                                        \
    X(mixx_config, struct_size) X(mixx_config, backend) X(mixx_config, sample_rate) X(mixx_config, buffer_size) \
    X(mixx_config, max_buffer_size) X(mixx_config, inputs) X(mixx_config, outputs) X(mixx_config, strict)       \
    X(mixx_config, rt_priority) X(mixx_config, lock_memory) X(mixx_config, instrument)                          \
    X(mixx_config, ring_capacity) X(mixx_config, log_path) X(mixx_config, device) X(mixx_config, records_cb)    \
    X(mixx_config, second_cb) X(mixx_config, user) X(mixx_config, audio_cb) X(mixx_config, jack)                \
    X(mixx_config, sim)                                                                                         \
    X(mixx_jack_options, client_name) X(mixx_jack_options, connect_in) X(mixx_jack_options, connect_out)       \
    X(mixx_jack_options, self_loop) X(mixx_jack_options, reserved_)                                             \
    X(mixx_sim_faults, stall_us) X(mixx_sim_faults, stall_every) X(mixx_sim_faults, fail_after_s)              \
    X(mixx_sim_faults, slip_frames) X(mixx_sim_faults, reserved_)                                               \
    X(mixx_sim_options, periods) X(mixx_sim_options, invert) X(mixx_sim_options, extra_latency)                \
    X(mixx_sim_options, gain) X(mixx_sim_options, snr_db) X(mixx_sim_options, faults)

#define OTHER_FIELDS(X)                                                                                         \
    X(mixx_device_info, struct_size) X(mixx_device_info, name) X(mixx_device_info, inputs) X(mixx_device_info, outputs)                         \
    X(mixx_device_info, default_rate) X(mixx_device_info, rates) X(mixx_device_info, default_buffer)           \
    X(mixx_device_info, is_default)                                                                             \
    X(mixx_record, seq) X(mixx_record, start_ns) X(mixx_record, duration_ns) X(mixx_record, interval_ns) \
    X(mixx_record, frames) X(mixx_record, flags)                                                            \
    X(mixx_second, index) X(mixx_second, t_s) X(mixx_second, callbacks) X(mixx_second, xruns)          \
    X(mixx_second, deadline_misses) X(mixx_second, late_wakeups) X(mixx_second, dropped_records)         \
    X(mixx_second, dsp_load_mean) X(mixx_second, dsp_load_max) X(mixx_second, callback_ns_max)           \
    X(mixx_second, interval_ns_max) X(mixx_second, cpu_process_pct) X(mixx_second, cpu_system_pct)      \
    X(mixx_second, rtl_frames) X(mixx_second, rtl_status) X(mixx_second, rtl_slips)   \
    X(mixx_second, sample_rate) X(mixx_second, buffer_size) X(mixx_second, frames)                     \
    X(mixx_percentiles, count) X(mixx_percentiles, min) X(mixx_percentiles, p50) X(mixx_percentiles, p90)      \
    X(mixx_percentiles, p99) X(mixx_percentiles, p999) X(mixx_percentiles, p9999) X(mixx_percentiles, max)     \
    X(mixx_percentiles, mean)                                                                                   \
    X(mixx_stats, struct_size) X(mixx_stats, running) X(mixx_stats, device_lost) X(mixx_stats, sample_rate) X(mixx_stats, buffer_size)    \
    X(mixx_stats, elapsed_s) X(mixx_stats, callbacks) X(mixx_stats, records_written)                           \
    X(mixx_stats, dropped_records) X(mixx_stats, records_consumed) X(mixx_stats, xruns_backend)                \
    X(mixx_stats, deadline_misses) X(mixx_stats, late_wakeups) X(mixx_stats, callback_ns)                      \
    X(mixx_stats, interval_ns) X(mixx_stats, dsp_load_mean) X(mixx_stats, dsp_load_max)                        \
    X(mixx_stats, cpu_process_pct) X(mixx_stats, cpu_system_pct) X(mixx_stats, sched_policy)                   \
    X(mixx_stats, sched_priority) X(mixx_stats, memory_locked) X(mixx_stats, expected_rtl_frames)              \
    X(mixx_stats, input_underflows) X(mixx_stats, input_overflows) X(mixx_stats, output_underflows)            \
    X(mixx_stats, output_overflows) X(mixx_stats, format_changes) X(mixx_stats, format_prev_sample_rate)       \
    X(mixx_stats, format_prev_buffer_size) X(mixx_stats, format_changed_at_callback)                           \
    X(mixx_hist_bin, lo_ns) X(mixx_hist_bin, hi_ns) X(mixx_hist_bin, count)                                    \
    X(mixx_rtl_result, status) X(mixx_rtl_result, rtl_frames) X(mixx_rtl_result, rtl_ms)                       \
    X(mixx_rtl_result, expected_rtl_frames) X(mixx_rtl_result, excess_frames) X(mixx_rtl_result, inverted)     \
    X(mixx_rtl_result, quality) X(mixx_rtl_result, snr_db) X(mixx_rtl_result, t_s) X(mixx_rtl_result, seq)     \
    X(mixx_rtl_result, slip) X(mixx_rtl_result, integration_s)                                                  \
    X(mixx_rtl_summary, measurements) X(mixx_rtl_summary, ok) X(mixx_rtl_summary, no_signal)                  \
    X(mixx_rtl_summary, unreliable) X(mixx_rtl_summary, slips) X(mixx_rtl_summary, mean_frames)                \
    X(mixx_rtl_summary, min_frames) X(mixx_rtl_summary, max_frames)

int main(void)
{
    printf("// generated by layout_probe.c from mixxengine.h %d.%d.%d\n", MIXX_VERSION_MAJOR, MIXX_VERSION_MINOR,
           MIXX_VERSION_PATCH);
    printf("pub const C_VERSION_HEX: u32 = %u;\n", (unsigned)MIXX_VERSION_HEX);
    printf("pub const C_ENUM_SIZE: usize = %zu;\n", sizeof(mixx_backend));
    printf("pub const C_STRUCTS: &[(&str, usize, usize)] = &[\n");
    STRUCT(mixx_config) STRUCT(mixx_jack_options) STRUCT(mixx_sim_faults) STRUCT(mixx_sim_options) STRUCT(mixx_device_info) STRUCT(mixx_record) STRUCT(mixx_second)
    STRUCT(mixx_percentiles) STRUCT(mixx_stats) STRUCT(mixx_hist_bin) STRUCT(mixx_rtl_result)
    STRUCT(mixx_rtl_summary)
    printf("];\npub const C_FIELDS: &[(&str, &str, usize)] = &[\n");
    CONFIG_FIELDS(FIELD)
    OTHER_FIELDS(FIELD)
    printf("];\n");
    return 0;
}
