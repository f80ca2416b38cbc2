// SPDX-License-Identifier: MIT
// layout.rs: every #[repr(C)] struct of src/lib.rs against the C compiler's view of mixxengine.h (sizes,
// alignments, each field's offset, the field count), the error constants against the linked library's table,
// and the header's version against the library's.
use mixxengine_sys::c_layout::{C_ENUM_SIZE, C_FIELDS, C_STRUCTS, C_VERSION_HEX};
use mixxengine_sys::*;
use std::ffi::CStr;
use std::mem::{align_of, size_of, MaybeUninit};

fn c_struct(name: &str) -> (usize, usize) {
    let s = C_STRUCTS.iter().find(|s| s.0 == name).unwrap_or_else(|| panic!("{} not probed", name));
    (s.1, s.2)
}

fn c_offset(name: &str, field: &str) -> usize {
    C_FIELDS
        .iter()
        .find(|f| f.0 == name && f.1 == field)
        .unwrap_or_else(|| panic!("{}.{} is not in the C struct (or not probed)", name, field))
        .2
}

// size, alignment and the offset of each named field; the C side must have exactly these fields
macro_rules! check_struct {
    ($t:ident, [$($f:ident),* $(,)?]) => {{
        let name = stringify!($t);
        let (size, align) = c_struct(name);
        assert_eq!(size_of::<$t>(), size, "sizeof({}): Rust {} vs C {}", name, size_of::<$t>(), size);
        assert_eq!(align_of::<$t>(), align, "alignof({})", name);
        let u = MaybeUninit::<$t>::uninit();
        let base = u.as_ptr() as usize;
        let mut n = 0usize;
        $(
            // addr_of! takes the address without reading or creating a reference to uninitialised memory
            let off = unsafe { std::ptr::addr_of!((*u.as_ptr()).$f) } as usize - base;
            assert_eq!(off, c_offset(name, stringify!($f)), "offsetof({}, {})", name, stringify!($f));
            n += 1;
        )*
        let c_count = C_FIELDS.iter().filter(|f| f.0 == name).count();
        assert_eq!(n, c_count, "{}: Rust mirrors {} fields, layout_probe.c lists {}", name, n, c_count);
    }};
}

#[test]
fn structs_match_the_header() {
    assert_eq!(size_of::<mixx_backend>(), C_ENUM_SIZE);
    check_struct!(mixx_config, [struct_size, backend, sample_rate, buffer_size, max_buffer_size, inputs, outputs,
        strict, rt_priority, lock_memory, instrument, ring_capacity, log_path, device, records_cb, second_cb, user,
        audio_cb, jack, sim]);
    check_struct!(mixx_jack_options, [client_name, connect_in, connect_out, self_loop, reserved_]);
    check_struct!(mixx_sim_faults, [stall_us, stall_every, fail_after_s, slip_frames, reserved_]);
    check_struct!(mixx_sim_options, [periods, invert, extra_latency, gain, snr_db, faults]);
    check_struct!(mixx_device_info, [struct_size, name, inputs, outputs, default_rate, rates, default_buffer, is_default]);
    check_struct!(mixx_record, [seq, start_ns, duration_ns, interval_ns, frames, flags]);
    check_struct!(mixx_second, [index, t_s, callbacks, xruns, deadline_misses, late_wakeups, dropped_records,
        dsp_load_mean, dsp_load_max, callback_ns_max, interval_ns_max, cpu_process_pct, cpu_system_pct,
        rtl_frames, rtl_status, rtl_slips, sample_rate, buffer_size, frames]);
    check_struct!(mixx_percentiles, [count, min, p50, p90, p99, p999, p9999, max, mean]);
    check_struct!(mixx_stats, [struct_size, running, device_lost, sample_rate, buffer_size, elapsed_s, callbacks,
        records_written, dropped_records, records_consumed, xruns_backend, deadline_misses, late_wakeups,
        callback_ns, interval_ns, dsp_load_mean, dsp_load_max, cpu_process_pct, cpu_system_pct, sched_policy,
        sched_priority, memory_locked, expected_rtl_frames, input_underflows, input_overflows, output_underflows,
        output_overflows, format_changes, format_prev_sample_rate, format_prev_buffer_size,
        format_changed_at_callback]);
    check_struct!(mixx_hist_bin, [lo_ns, hi_ns, count]);
    check_struct!(mixx_rtl_result, [status, rtl_frames, rtl_ms, expected_rtl_frames, excess_frames, inverted,
        quality, snr_db, t_s, seq, slip, integration_s]);
    check_struct!(mixx_rtl_summary, [measurements, ok, no_signal, unreliable, slips, mean_frames, min_frames,
        max_frames]);
    assert_eq!(C_STRUCTS.len(), 12, "a struct was probed that this test does not check");
}

#[test]
fn error_codes_match_the_library() {
    let table = [
        (MIXX_OK, "MIXX_OK"), (MIXX_EINVAL, "MIXX_EINVAL"), (MIXX_ENULL, "MIXX_ENULL"), (MIXX_ERATE, "MIXX_ERATE"),
        (MIXX_EBUFSIZE, "MIXX_EBUFSIZE"), (MIXX_ECHANNELS, "MIXX_ECHANNELS"), (MIXX_ENOTINIT, "MIXX_ENOTINIT"),
        (MIXX_EALREADY, "MIXX_EALREADY"), (MIXX_ERUNNING, "MIXX_ERUNNING"), (MIXX_ENOTRUNNING, "MIXX_ENOTRUNNING"),
        (MIXX_EBACKEND, "MIXX_EBACKEND"), (MIXX_ENOSERVER, "MIXX_ENOSERVER"), (MIXX_ENODEVICE, "MIXX_ENODEVICE"),
        (MIXX_EDEVICE, "MIXX_EDEVICE"), (MIXX_EDEVICELOST, "MIXX_EDEVICELOST"), (MIXX_EMISMATCH, "MIXX_EMISMATCH"),
        (MIXX_ENOMEM, "MIXX_ENOMEM"), (MIXX_ETHREAD, "MIXX_ETHREAD"), (MIXX_EHOSTED, "MIXX_EHOSTED"),
        (MIXX_ENOTHOSTED, "MIXX_ENOTHOSTED"), (MIXX_EFRAMES, "MIXX_EFRAMES"), (MIXX_EIO, "MIXX_EIO"),
        (MIXX_EBUSY, "MIXX_EBUSY"), (MIXX_ENOSIGNAL, "MIXX_ENOSIGNAL"), (MIXX_EUNRELIABLE, "MIXX_EUNRELIABLE"),
        (MIXX_ETIMEDOUT, "MIXX_ETIMEDOUT"), (MIXX_EUNSUPPORTED, "MIXX_EUNSUPPORTED"), (MIXX_ERANGE, "MIXX_ERANGE"),
        (MIXX_ESTRUCT, "MIXX_ESTRUCT"), (MIXX_ENOPARAM, "MIXX_ENOPARAM"), (MIXX_ENAN, "MIXX_ENAN"), (MIXX_EEXIST, "MIXX_EEXIST"), (MIXX_EAUDIOTHREAD, "MIXX_EAUDIOTHREAD"), (MIXX_EPRODUCER, "MIXX_EPRODUCER"), (MIXX_EQUEUEFULL, "MIXX_EQUEUEFULL"), (MIXX_EPRESET, "MIXX_EPRESET"), (MIXX_ETOOMANY, "MIXX_ETOOMANY"),
        (MIXX_ECALLBACK, "MIXX_ECALLBACK"),
        (MIXX_ECHANNEL, "MIXX_ECHANNEL"),
    ];
    for (code, name) in table.iter() {
        let got = unsafe { CStr::from_ptr(mixx_error_name(*code)) }.to_str().unwrap();
        assert_eq!(got, *name, "code {}", code);
    }
    // the next code is not in the library's table yet: when it is, mirror it above
    let next = table.iter().map(|t| t.0).min().unwrap() - 1;
    let got = unsafe { CStr::from_ptr(mixx_error_name(next)) }.to_str().unwrap();
    assert_eq!(got, "MIXX_UNKNOWN", "the library has error code {} ({}) that the Rust side lacks", next, got);
}

#[test]
fn header_and_library_versions_agree() {
    assert_eq!(unsafe { mixx_version() }, C_VERSION_HEX);
    let cfg = config_defaults();
    assert_eq!(cfg.struct_size as usize, size_of::<mixx_config>());
    assert_eq!(cfg.sample_rate, 48000);
    assert_eq!(cfg.sim.periods, 2);
    // the sized-struct rule the library enforces: not a multiple of 8 is refused
    let mut c = config_defaults();
    assert_eq!(unsafe { mixx_config_init(&mut c, size_of::<mixx_config>() - 4) }, MIXX_ESTRUCT);
    for s in [size_of::<mixx_config>(), size_of::<mixx_stats>(), size_of::<mixx_device_info>()] {
        assert_eq!(s % 8, 0, "a sized struct's size must be a multiple of 8");
    }
    for b in [MIXX_BACKEND_SIM, MIXX_BACKEND_JACK, MIXX_BACKEND_PORTAUDIO, MIXX_BACKEND_HOSTED] {
        assert!(!unsafe { mixx_backend_name(b) }.is_null(), "backend {}", b);
    }
    assert!(unsafe { mixx_backend_name(MIXX_BACKEND_COUNT) }.is_null());
}
