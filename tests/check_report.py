#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""check_report.py DIR [--expect-duration S] [--allow-interrupted] [--expect-device-lost]

Checks a directory written by `mixx stability`: every file exists, report.json validates against
docs/report.schema.json, counts are consistent (callbacks ~ rate/buffer x duration, written + dropped =
callbacks, per-second timeline adds up), and the plots are non-empty PNG/SVG images. Exit 0 if all hold."""
import json
import os
import sys

import jsonschema

here = os.path.dirname(os.path.abspath(__file__))
schema = json.load(open(os.path.join(here, "..", "docs", "report.schema.json")))
args = sys.argv[1:]
d = args[0]
expect_duration = float(args[args.index("--expect-duration") + 1]) if "--expect-duration" in args else None
problems = []

def need(cond, what):
    if not cond:
        problems.append(what)

files = ["report.json", "timeline.jsonl", "report.md"]
plots = ["callback_hist", "interval_hist", "dsp_load", "rtl", "xruns"]
for f in files + [p + ".png" for p in plots] + [p + ".svg" for p in plots]:
    need(os.path.isfile(os.path.join(d, f)), f"missing {f}")
if problems:
    print("\n".join(problems)); sys.exit(1)

r = json.load(open(os.path.join(d, "report.json")))
try:
    jsonschema.validate(r, schema)
except jsonschema.ValidationError as e:
    problems.append(f"schema: {e.message} at {list(e.absolute_path)}")

rate, buf, dur = r["sample_rate"], r["buffer_size"], r["duration_s"]
expected = rate / buf * dur
if r.get("format_changes"):  # the format changed mid-run (JACK buffer size): summed per format
    expected = sum(f["expected_callbacks"] for f in r["formats"])
    need(abs(r["expected_callbacks"] - expected) < 1, "expected_callbacks is not the per-format sum")
    # the second in which a change happens counts with its last callback's format: up to one second's worth of
    # callbacks of the smaller buffer off per change
    slack = r["format_changes"] * max(f["sample_rate"] / f["buffer_size"] for f in r["formats"])
else:
    slack = 0
cb = r["callbacks"]
if "--expect-device-lost" in args:  # the device stopped before the run did: fewer callbacks, never more
    need(cb <= expected + max(0.02 * expected, 3) + slack, f"callbacks {cb} vs rate/buffer x duration {expected:.0f}")
else:
    # never more than the clock allows; fewer only by what the backend's xruns explain (a JACK server that
    # overruns skips that cycle for every client: seen 46 short in 3 s with ~150 xruns/s on a loaded VM)
    tol = max(0.02 * expected, 3) + slack
    need(cb - expected <= tol and expected - cb <= tol + r["xruns_backend"],
         f"callbacks {cb} vs rate/buffer x duration {expected:.0f} (tolerance {tol:.0f}, "
         f"+ {r['xruns_backend']} backend xruns below)")
need(r["records_written"] + r["dropped_records"] == cb, "records_written + dropped_records != callbacks")
need(r.get("incomplete", False) is False, "report.json is marked incomplete")
need(r.get("timeline_skipped_lines", 0) == 0, f"timeline lines skipped: {r.get('timeline_skipped_lines')}")
need(not os.path.exists(os.path.join(d, ".run.json")), ".run.json of a finished run is still there")
if expect_duration is not None and "--allow-interrupted" not in args:
    need(abs(dur - expect_duration) < 1.5, f"duration {dur} vs expected {expect_duration}")
need(r["interrupted"] == ("--allow-interrupted" in args) or "--allow-interrupted" in args, "interrupted flag")
need(r["device_lost"] == ("--expect-device-lost" in args), f"device_lost is {r['device_lost']}")
need(sum(b[2] for b in r["histograms"]["callback_ns"]) == r["callback_ns"].get("count", cb), "histogram total")
need(r["callback_ns"]["p50"] <= r["callback_ns"]["p99"] <= r["callback_ns"]["p999"] <= r["callback_ns"]["max"],
     "callback percentiles not ordered")

seconds = [json.loads(l) for l in open(os.path.join(d, "timeline.jsonl")) if l.strip()]
secs = [s for s in seconds if s.get("type") == "second"]
need(len(secs) >= int(dur) - 1, f"{len(secs)} timeline seconds for {dur:.1f} s")
need(sum(s["callbacks"] for s in secs) == r["records_written"], "timeline callbacks do not add up")
need(sum(s["xruns"] for s in secs) <= r["xruns_backend"], "timeline xruns exceed the total")

for p in plots:
    png = open(os.path.join(d, p + ".png"), "rb").read()
    need(png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000, f"{p}.png is not a real PNG")
    need(png[-8:] == b"IEND\xaeB`\x82", f"{p}.png is cut short (no IEND chunk)")
    svg = open(os.path.join(d, p + ".svg")).read()
    need("<svg" in svg and len(svg) > 1000, f"{p}.svg is empty")
    need(svg.rstrip().endswith("</svg>"), f"{p}.svg is cut short")
md = open(os.path.join(d, "report.md")).read()
need(r["command"] in md, "report.md lacks the command line")
need("## Methodology" in md and "## Interpretation" in md, "report.md sections missing")
# the verdict: third line, and it agrees with the numbers it is computed from
lines = md.splitlines()
verdict = lines[2] if len(lines) > 2 else ""
need(verdict.startswith("**Verdict: "), f"report.md's third line is not the verdict: {verdict[:80]!r}")
base = r.get("baseline") if isinstance(r.get("baseline"), dict) and "error" not in r.get("baseline") else None
bar_x = base["xruns"] if base else 0
fails = r["xruns_backend"] > bar_x or r["deadline_misses"] > 0 or r.get("device_lost", False)
rt = r.get("rtl") or {}
if rt.get("active") and rt.get("ok", 0) > 0 and rt.get("expected_frames") is not None and not r.get("format_changes"):
    fails = fails or max(abs(rt["min_frames"] - rt["expected_frames"]), abs(rt["max_frames"] - rt["expected_frames"])) > 0.02
need(("NOT MET" in verdict) == bool(fails), f"verdict {verdict[:120]!r} disagrees with the counts (fails={fails})")

if problems:
    print(f"{d}: FAILED"); print("\n".join("  - " + p for p in problems)); sys.exit(1)
print(f"{d}: ok ({cb} callbacks in {dur:.1f} s, {r['xruns_backend']} xruns, rtl {r['rtl']['measurements']} "
      f"measurements, mean {r['rtl']['mean_frames']})")
