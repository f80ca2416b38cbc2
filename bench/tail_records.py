#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tail_records.py: where an engine's slow callbacks come from, callback by callback, beside the native loop's.

Usage: bench/tail_records.py ENGINE.csv [NATIVE.csv]
  ENGINE.csv from `mixx stability --records FILE`, NATIVE.csv from `mixx native --records FILE` run in the same
  window (both columns: seq,start_ns,duration_ns,interval_ns,frames,flags). The first 2 s are left out (start-up).
Prints, for callbacks >= 5 us ("slow"):
  - percentiles and the slow share of each side;
  - whether slow callbacks follow the callback index (seq mod 16/32/64/1024: the capture ring's and the metrics
    ring's page crossings, the meter's blocks), the phase in the monitor's 10 ms tick or the meter's 1 s cycle
    (largest bin against its expected count);
  - with NATIVE.csv: how many engine slow callbacks have a native slow one within 0.1 / 1 ms (a shared cause,
    e.g. the whole VM paused) against chance, and the slow share as a function of the offset between the two
    loops' period grids (native start - engine start): two realtime loops at the same period on 2 vCPUs keep
    the same relative phase for a whole run, and a bad phase shows as a band of offsets with a high share;
  - for each side, the slow share against the callback's own wake-up lateness (a disturbance that delays the
    wake-up often lasts into the callback).
  Assumes 48000 Hz / 64 frames for the period grid."""
import bisect
import collections
import random
import sys


def load(path):
    rows = []
    with open(path) as f:
        next(f)
        for line in f:
            a = line.split(",")
            rows.append((int(a[0]), int(a[1]), int(a[2])))
    return rows


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))] if v else 0


def summary(name, rows):
    d = [r[2] for r in rows]
    s = sum(1 for x in d if x >= 5000)
    print(f"{name}: {len(rows)} callbacks, p50 {pct(d, .5)} ns, p99 {pct(d, .99)} ns, p99.9 {pct(d, .999) / 1000:.2f} us, "
          f">= 5 us {100.0 * s / max(len(rows), 1):.3f} % ({s})")
    return pct(d, .999)


def largest_bin(label, keys, nbins):
    c = collections.Counter(keys)
    if not keys:
        return
    k, n = c.most_common(1)[0]
    print(f"  {label}: largest bin {k} holds {n} of {len(keys)} (expected {len(keys) / nbins:.1f} if unrelated)")


def by_lateness(name, rows, frames_per_s=48000, frames=64):
    """slow share against the callback's own wake-up lateness: its start's phase in the period grid, measured
    from the most common phase (the grid's anchor plus the usual wake-up latency)"""
    if not rows:
        return
    period = frames * 1e9 / frames_per_s
    mode = collections.Counter(int((r[1] % period) // 2000) for r in rows).most_common(1)[0][0] * 2000
    allb, slb = collections.Counter(), collections.Counter()
    for _, s, d in rows:
        late = ((s % period) - mode + period / 4) % period - period / 4
        b = min(int(late // 20_000), 10)
        allb[b] += 1
        slb[b] += d >= 5000
    print(f"  {name}: slow share by wake-up lateness (20 us bins from the usual phase; last bin >= 200 us):")
    print("   " + " ".join(f"{b * 20:+d}us:{100.0 * slb[b] / allb[b]:.2f}%({allb[b]})" for b in sorted(allb)
                          if allb[b] >= 20))


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    E = load(sys.argv[1])
    N = load(sys.argv[2]) if len(sys.argv) == 3 else []
    t0 = max(E[0][1], N[0][1] if N else 0) + 2_000_000_000
    t1 = min(E[-1][1], N[-1][1] if N else E[-1][1])
    E = [r for r in E if t0 <= r[1] <= t1]
    N = [r for r in N if t0 <= r[1] <= t1]
    pe = summary("engine", E)
    if N:
        pn = summary("native", N)
        print(f"p99.9 engine / native: {pe / max(pn, 1):.2f}")
    slow = [r for r in E if r[2] >= 5000]
    print(f"engine slow callbacks: {len(slow)}")
    for m in (16, 32, 64, 1024):
        largest_bin(f"seq mod {m}", [r[0] % m for r in slow], m)
    base = E[0][1]
    largest_bin("phase in the 10 ms monitor tick (ms)", [((r[1] - base) % 10_000_000) // 1_000_000 for r in slow], 10)
    largest_bin("phase in the meter's 1 s cycle (1/10 s)", [((r[1] - base) % 1_000_000_000) // 100_000_000 for r in slow], 10)
    by_lateness("engine", E)
    if not N:
        return
    by_lateness("native", N)
    ns = sorted(r[1] for r in N if r[2] >= 5000)

    def near(ts, w):
        i = bisect.bisect_left(ns, ts - w)
        return i < len(ns) and ns[i] <= ts + w

    random.seed(1)
    for w in (100_000, 1_000_000):
        hit = sum(1 for r in slow if near(r[1], w))
        chance = sum(sum(1 for r in slow if near(r[1] + random.randrange(50_000_000, 500_000_000), w))
                     for _ in range(20)) / 20
        print(f"  engine slow with a native slow within +-{w / 1e6:g} ms: {hit} (by chance ~{chance:.1f})")
    starts = [r[1] for r in N]
    allb, slb = collections.Counter(), collections.Counter()
    for _, s, d in E:
        i = bisect.bisect_left(starts, s - 700_000)
        cands = [starts[j] - s for j in range(i, min(i + 3, len(starts)))]
        if not cands:
            continue
        b = min(cands, key=abs) // 10_000
        allb[b] += 1
        slb[b] += d >= 5000
    print("  slow share by (native start - engine start), 10 us bins with >= 50 callbacks:")
    print("   " + " ".join(f"{b * 10:+d}us:{100.0 * slb[b] / allb[b]:.1f}%({allb[b]})" for b in sorted(allb)
                          if allb[b] >= 50))


main()
