#!/bin/sh
# SPDX-License-Identifier: MIT
# xrun_parity.sh: does the engine cost xruns? Runs N pairs of engine (`mixx stability`, sim) and native
# (`mixx native`) runs, concurrent (the same window: --baseline-concurrent) or alternating (back to back, the
# order swapped each pair: odd pairs engine then native through --baseline, even pairs a lone `mixx native` then
# the engine alone, so neither side always gets the quieter minute), and prints the engine/native xrun ratio with
# three 95 % intervals: Poisson (the exact conditional binomial, assumes independent xruns), a bootstrap over pairs
# (does not: xruns come in bursts) and a paired t interval on the per-pair log ratios ln((e+0.5)/(n+0.5)) (each
# pair one observation, so a noisy minute weighs no more than a quiet one). The load average is printed before
# and after the block: the figures mean little if the machine's load changed a lot in between.
#
#   bench/xrun_parity.sh [--mixx PATH] [--pairs N (10)] [--duration S (60)] [--mode concurrent|alternating]
#                        [--meter on|off] [--out DIR]
# Prints one line per pair and the summary; keeps each pair's report in DIR (default: a temporary directory).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mixx=$here/../build/tools/mixx
pairs=10
dur=60
mode=concurrent
meter=on
out=
while [ $# -gt 0 ]; do
    case $1 in
    --mixx) mixx=$2; shift 2 ;;
    --pairs) pairs=$2; shift 2 ;;
    --duration) dur=$2; shift 2 ;;
    --mode) mode=$2; shift 2 ;;
    --meter) meter=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "xrun_parity.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
case $mode in concurrent) bl=--baseline-concurrent ;; alternating) bl=--baseline ;;
*) echo "xrun_parity.sh: --mode concurrent|alternating" >&2; exit 2 ;; esac
case $meter in on) lat= ;; off) lat=--no-latency ;; *) echo "xrun_parity.sh: --meter on|off" >&2; exit 2 ;; esac
[ -x "$mixx" ] || { echo "xrun_parity.sh: no mixx at $mixx (--mixx PATH)" >&2; exit 2; }
[ -n "$out" ] || out=$(mktemp -d /tmp/xrun_parity.XXXXXX)
mkdir -p "$out"
echo "# $pairs pairs of ${dur} s, $mode, meter $meter; $(date -u '+%Y-%m-%dT%H:%M:%SZ'); load $(cut -d' ' -f1-3 /proc/loadavg)"
i=1
while [ "$i" -le "$pairs" ]; do
    d=$out/pair$i
    rm -rf "$d"
    rm -f "$out/pair$i.native.json"
    if [ "$mode" = alternating ] && [ $((i % 2)) -eq 0 ]; then
        # native first, then the engine alone: the swapped order
        if ! "$mixx" native --duration "${dur}s" --json >"$out/pair$i.native.json" 2>"$out/pair$i.native.log"; then
            echo "pair $i: mixx native failed (see $out/pair$i.native.log)" >&2
        fi
        pbl=
    else
        pbl=$bl
    fi
    # shellcheck disable=SC2086
    if ! "$mixx" stability --backend sim --duration "${dur}s" $pbl $lat --out "$d" >"$out/pair$i.log" 2>&1; then
        echo "pair $i: mixx stability failed (see $out/pair$i.log)" >&2
    fi
    i=$((i + 1))
done
echo "# block done $(date -u '+%Y-%m-%dT%H:%M:%SZ'); load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out" "$pairs" <<'PY'
import json, math, random, sys
out, n = sys.argv[1], int(sys.argv[2])
E, N = [], []
for i in range(1, n + 1):
    try:
        r = json.load(open(f"{out}/pair{i}/report.json"))
        e = r["xruns_backend"]
        try:  # alternating, even pair: the native ran alone before the engine
            nat = json.load(open(f"{out}/pair{i}.native.json"))
            order = "native then engine"
        except FileNotFoundError:
            nat = r["baseline"]
            order = "engine then native" if nat.get("mode") == "after" else "concurrent"
        if nat.get("interrupted"):
            raise ValueError("native run interrupted")
        b = nat["xruns"]
    except Exception as ex:  # a failed pair is reported, not counted
        print(f"pair {i}: no result ({ex})")
        continue
    E.append(e); N.append(b)
    print(f"pair {i} ({order}): engine {e} xruns, native {b}")
if not E or sum(N) == 0:
    sys.exit("no usable pairs")
se, sn = sum(E), sum(N)
ratio = se / sn
# exact conditional binomial (Clopper-Pearson through the beta quantile by bisection on the binomial tail)
def binom_cdf(k, t, p):
    return sum(math.comb(t, j) * p**j * (1 - p)**(t - j) for j in range(0, k + 1)) if t < 3000 else \
        0.5 * (1 + math.erf((k + 0.5 - t * p) / math.sqrt(2 * t * p * (1 - p) + 1e-300)))
def solve(f):
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if f(mid): hi = mid
        else: lo = mid
    return (lo + hi) / 2
t = se + sn
p_lo = 0.0 if se == 0 else solve(lambda p: 1 - binom_cdf(se - 1, t, p) >= 0.025)
p_hi = 1.0 if se == t else solve(lambda p: binom_cdf(se, t, p) <= 0.025)
r_lo, r_hi = p_lo / (1 - p_lo), (p_hi / (1 - p_hi) if p_hi < 1 else math.inf)
random.seed(1)
boot = []
for _ in range(4000):
    idx = [random.randrange(len(E)) for _ in E]
    b = sum(N[i] for i in idx)
    if b:
        boot.append(sum(E[i] for i in idx) / b)
boot.sort()
b_lo, b_hi = boot[int(0.025 * len(boot))], boot[int(0.975 * len(boot)) - 1]
# paired log-ratio t interval: one observation per pair; +0.5 keeps a pair with a zero count finite
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
d = [math.log((e + 0.5) / (b + 0.5)) for e, b in zip(E, N)]
k = len(d)
if k >= 2:
    m = sum(d) / k
    sd = math.sqrt(sum((x - m) ** 2 for x in d) / (k - 1))
    tq = T975[k - 2] if k - 1 <= len(T975) else 1.96
    t_txt = f"paired log-ratio t [{math.exp(m - tq * sd / math.sqrt(k)):.3f}, {math.exp(m + tq * sd / math.sqrt(k)):.3f}] " \
            f"(geometric mean of the pair ratios {math.exp(m):.3f}, single pairs {math.exp(min(d)):.2f}-{math.exp(max(d)):.2f})"
else:
    t_txt = "paired log-ratio t: needs 2 pairs"
print(f"total: engine {se}, native {sn}, ratio {ratio:.3f} over {len(E)} pairs; 95 % intervals: Poisson "
      f"[{r_lo:.3f}, {r_hi:.3f}], bootstrap over pairs [{b_lo:.3f}, {b_hi:.3f}], {t_txt}")
PY
