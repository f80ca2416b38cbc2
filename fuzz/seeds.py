#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# seeds.py: writes the committed seed corpora fuzz/corpus/<target>/ (run from anywhere; overwrites seed-*; the
# regress-* files are inputs that once found a defect, kept as they are).
# The API seeds are small programs in fuzz_api.c's byte format; the CLI seeds are NUL-separated argv; the report
# seeds are "<report.json> NUL <timeline.jsonl>" shaped like what `mixx stability` writes.
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# ---- fuzz_api: op codes are `op % 11` (see LLVMFuzzerTestOneInput) ----
CREATE, DESTROY, START, STOP, PROCESS, QUERY, FORMAT, METER, FACADE, MISC, SLEEP = range(11)
SLOT0, SLOT1, DEFAULT, NULLH = 0, 1, 2, 3


def cfg(backend, flags=0, extra=b"", g=0, s=0, strings=b"\x00\x00\x00\x00"):
    """fill_config: backend byte (0x80 set: sim, 0xc0: hosted), field flags, fields, then g, s, 4 strings."""
    return bytes([backend, flags]) + extra + bytes([g, s]) + strings


SIM = 0x80
HOSTED = 0xC0


def process(h, n_in_idx, n_out_idx, mode, frames_idx):
    return bytes([PROCESS, h, n_in_idx, n_out_idx, mode, frames_idx])


api = {
    # hosted engine: create, start, process a few blocks (in place, odd sizes), stats, stop
    "hosted-basic": bytes([CREATE, 0]) + cfg(HOSTED) + bytes([START, SLOT0])
    + process(SLOT0, 0, 0, 0, 0) + process(SLOT0, 0, 0, 1, 3) + process(SLOT0, 1, 3, 0, 4)
    + bytes([QUERY, SLOT0, 0, QUERY, SLOT0, 1, 5, 0]) + bytes([STOP, SLOT0]),
    # sim engine at 192 kHz / 16, runs for ~2 ms, stats, stop
    "sim-run": bytes([CREATE, 0]) + cfg(SIM, 0x03, bytes([3, 1])) + bytes([START, SLOT0, SLEEP, 250])
    + bytes([QUERY, SLOT0, 0, STOP, SLOT0]),
    # sim with a fractional loop, noise, stalls; hosted second engine
    "sim-faults": bytes([CREATE, 0]) + cfg(SIM, 0x60, bytes([2, 2, 0, 1, 1, 1]) + struct.pack(">I", 40)
                                          + struct.pack(">I", 200) + bytes([100, 0]))
    + bytes([CREATE, 1]) + cfg(HOSTED, 0x08, bytes([1, 3])) + bytes([START, SLOT0, START, SLOT1])
    + process(SLOT1, 1, 0, 0, 0) + bytes([SLEEP, 200, STOP, SLOT0, STOP, SLOT1]),
    # the façade: init, start, process on the default handle (not hosted), stop, shutdown twice
    "facade": bytes([FACADE, 0, 0, 0, FACADE, 2]) + process(DEFAULT, 0, 0, 0, 0)
    + bytes([SLEEP, 100, FACADE, 3, FACADE, 4, FACADE, 4]),
    # misuse: start/stop NULL and missing engines, bad configs, format changes
    "misuse": bytes([START, NULLH, STOP, SLOT1, CREATE, 0]) + cfg(0x04, 0x07, bytes([6, 9, 9]))
    + bytes([CREATE, 1]) + cfg(HOSTED, 0x10, bytes([4])) + bytes([FORMAT, SLOT1, 1, 0, 0, FORMAT, SLOT1, 0, 2])
    + bytes([METER, SLOT1, 0, 0, 0, 1]) + bytes([MISC, 0, 0, 0, 0, 3, 1, MISC, 0, 0, 0, 1, 4]) + cfg(SIM),
    # the meter on a running hosted engine
    "meter": bytes([CREATE, 0]) + cfg(HOSTED) + bytes([START, SLOT0, METER, SLOT0, 0, 0, 0, 1])
    + process(SLOT0, 0, 0, 0, 0) * 4 + bytes([METER, SLOT0, 1, 2, METER, SLOT0, 3, METER, SLOT0, 2, STOP, SLOT0]),
}
for k, v in api.items():
    write("fuzz_api", k, v)

# ---- fuzz_cli: NUL-separated arguments after "mixx run" ----
cli = {
    "run": ["--duration", "20s", "--rate", "48000", "--buffer", "64"],
    "eq": ["--backend=hosted", "--inputs=0", "--outputs=64", "--json", "--duration=250ms"],
    "sim": ["--sim-latency", "3.37", "--sim-snr-db", "-60", "--sim-invert", "--sim-gain", "16",
            "--sim-stall-us", "500", "--sim-stall-every", "1000", "--sim-fail-after", "30m", "--sim-slip", "3"],
    "jack": ["--backend", "jack", "--client-name", "x", "--connect-in", "system:capture_1,system:capture_2",
             "--self-loop", "--no-connect", "--strict", "--rt-priority", "99", "--mlock", "--no-instrument"],
    "extra": ["--count", "10", "--method", "impulse", "--quiet", "--log", "/tmp/x.jsonl", "--device", "1"],
    "bad": ["--rate", "-1", "--buffer", "0x40", "--duration", "1e400", "--sim-periods", "17"],
    "durations": ["--duration", "1h", "--sim-fail-after", "1800", "--duration", "0.5min"],
}
for k, v in cli.items():
    write("fuzz_cli", k, b"\0".join(x.encode() for x in v))

# ---- fuzz_report ----
def second(i, rtl=None, xr=0):
    return {"type": "second", "index": i, "t_s": i + 1.0, "callbacks": 750, "xruns": xr, "deadline_misses": 0,
            "late_wakeups": 0, "dropped_records": 0, "dsp_load_mean": 6e-05, "dsp_load_max": 0.001,
            "callback_ns_max": 1382, "interval_ns_max": 1393383, "cpu_process_pct": 1.1, "cpu_system_pct": 9.2,
            "rtl_frames": rtl, "rtl_status": -1 if rtl is None else 0, "rtl_slips": 0}


def report(rtl_active, baseline, hist=True):
    r = {"schema": "mixxengine.stability/1", "command": "mixx stability --duration 3s --out 'dir x'",
         "date": "2026-11-24T07:44:01Z", "mixx_version": "0.1.0", "backend": "sim", "sample_rate": 48000,
         "buffer_size": 64, "requested_sample_rate": 48000, "requested_buffer_size": 64, "inputs": 2,
         "outputs": 2, "duration_s": 3.0, "requested_duration_s": 3, "interrupted": False, "device_lost": False,
         "callbacks": 2253, "expected_callbacks": 2254.3, "records_written": 2253, "dropped_records": 0,
         "xruns_backend": 1, "deadline_misses": 0, "late_wakeups": 2,
         "callback_ns": {"count": 2253, "min": 30, "mean": 85.3, "p50": 50, "p90": 171, "p99": 360, "p999": 801,
                         "p9999": 1379, "max": 1382},
         "interval_ns": {"count": 2252, "min": 1149616, "mean": 1333333.3, "p50": 1331199, "p90": 1339391,
                         "p99": 1372159, "p999": 1503231, "p9999": 1519615, "max": 1523320},
         "dsp_load": {"mean": 6.4e-05, "max": 0.001}, "cpu": {"process_pct": 1.35, "system_pct": 11.2},
         "rtl": {"method": "multitone", "channel": 0, "active": rtl_active, "measurements": 3, "ok": 3,
                 "no_signal": 0, "unreliable": 0, "mean_frames": 128.0, "min_frames": 128.0, "max_frames": 128.0,
                 "expected_frames": 128, "slips": 1, "slip_events": [{"t_s": 2.0, "rtl_frames": 131.0}]},
         "sched": {"policy": "SCHED_FIFO", "priority": 80, "requested_priority": 80, "memory_locked": False},
         "host": {"cpu_model": "AMD EPYC", "cores": 2, "kernel": "Linux", "os": "Debian GNU/Linux 12",
                  "memory_gib": 23.5},
         "note": "seed"}
    if not rtl_active:
        r["rtl"]["error"] = "operation not supported by this backend"
    if hist:
        r["histograms"] = {"callback_ns": [[30, 30, 205], [40, 40, 817], [1000, 1010, 3]],
                           "interval_ns": [[1331000, 1332000, 2000], [1500000, 1515000, 3]]}
    r["baseline"] = ({"command": "mixx native", "mode": "bare", "callbacks": 2250, "duration_s": 3.0, "xruns": 0,
                      "deadline_misses": 0, "callback_ns": r["callback_ns"], "interval_ns": r["interval_ns"]}
                     if baseline else None)
    return json.dumps(r, separators=(",", ":")).encode()


def timeline(n, rtl):
    return "\n".join(json.dumps(second(i, rtl, i % 2), separators=(",", ":")) for i in range(n)).encode() + b"\n"


write("fuzz_report", "inactive-meter", report(False, False) + b"\0" + timeline(3, None))
write("fuzz_report", "active-baseline", report(True, True) + b"\0" + timeline(4, 128.0))
write("fuzz_report", "no-histograms", report(True, False, hist=False) + b"\0" + b'{"type":"summary"}\nnot json\n')
write("fuzz_report", "minimal", b'{"schema":"mixxengine.stability/1"}')
