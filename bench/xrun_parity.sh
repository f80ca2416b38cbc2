#!/bin/sh
# SPDX-License-Identifier: MIT
# xrun_parity.sh: does the engine cost xruns? Runs N pairs of engine (`mixx stability`, sim) and native
# (`mixx native`) runs, concurrent (the same window: --baseline-concurrent) or alternating (back to back:
# --baseline), and prints the engine/native xrun ratio with two 95 % intervals: Poisson (the exact conditional
# binomial, assumes independent xruns) and a bootstrap over pairs (does not: xruns come in bursts).
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
    # shellcheck disable=SC2086
    if ! "$mixx" stability --backend sim --duration "${dur}s" $bl $lat --out "$d" >"$out/pair$i.log" 2>&1; then
        echo "pair $i: mixx stability failed (see $out/pair$i.log)" >&2
    fi
    i=$((i + 1))
done
python3 - "$out" "$pairs" <<'PY'
import json, math, random, sys
out, n = sys.argv[1], int(sys.argv[2])
E, N = [], []
for i in range(1, n + 1):
    try:
        r = json.load(open(f"{out}/pair{i}/report.json"))
        e, b = r["xruns_backend"], r["baseline"]["xruns"]
    except Exception as ex:  # a failed pair is reported, not counted
        print(f"pair {i}: no result ({ex})")
        continue
    E.append(e); N.append(b)
    print(f"pair {i}: engine {e} xruns, native {b}")
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
print(f"total: engine {se}, native {sn}, ratio {ratio:.3f}; 95 % interval Poisson [{r_lo:.3f}, {r_hi:.3f}], "
      f"bootstrap over {len(E)} pairs [{b_lo:.3f}, {b_hi:.3f}]")
PY
