#!/bin/sh
# SPDX-License-Identifier: MIT
# test_report_fulldisk.sh MIXX: issue 14 (1): `mixx report DIR` on a nearly full disk with a good report in DIR.
# gnuplot exits 0 even when its writes fail, so every plot is checked (whole PNG / SVG) before any replaces its
# predecessor. Expected at every level of free space: a non-zero exit with a one-line error naming what failed,
# the previous plots and report.md byte-identical, no temporary file left; with room again, the re-render works.
# The report lives on a private 1 MiB tmpfs in a mount namespace of its own (root / CAP_SYS_ADMIN); skips (77)
# with the reason when one cannot be mounted.
set -u
MIXX=$1
work=$(mktemp -d /tmp/mixx-full-XXXXXX)
trap 'rm -rf "$work"' EXIT
mnt="$work/mnt"
mkdir -p "$mnt"
if ! unshare -m sh -c "mount -t tmpfs -o size=16k mixxtest '$mnt'" 2>/dev/null; then
    echo "SKIP: cannot mount a tmpfs (needs root and CAP_SYS_ADMIN in a new mount namespace)"
    exit 77
fi
# everything on the tmpfs happens inside one namespace: the script below runs there and prints ok/FAIL lines
unshare -m sh -s "$MIXX" "$mnt" <<'INNER'
MIXX=$1; mnt=$2
fails=0; passes=0
ok() { passes=$((passes + 1)); echo "ok - $1"; }
bad() { fails=$((fails + 1)); echo "FAIL - $1"; }
mount -t tmpfs -o size=1m mixxtest "$mnt" || { echo "FAIL - mount"; exit 1; }
"$MIXX" stability --duration 2s --out "$mnt/r" >"$mnt/run.out" 2>&1 || { bad "the run itself"; cat "$mnt/run.out"; exit 1; }
sums() { (cd "$mnt/r" && md5sum ./*.png ./*.svg report.md report.json); }
sums >"$mnt/before"
for left in 0 8 40 120; do # KiB left free: nothing, the data files only, a few plots, most plots
    avail=$(df -k --output=avail "$mnt" | tail -1)
    fill=$((avail - left))
    [ $fill -gt 0 ] && dd if=/dev/zero of="$mnt/filler" bs=1k count=$fill 2>/dev/null
    err=$("$MIXX" report "$mnt/r" 2>&1); rc=$?
    rm -f "$mnt/filler"
    line=$(echo "$err" | grep '^mixx: ' | tail -1)
    [ $rc -ne 0 ] && [ -n "$line" ] && ok "${left}k free: exit $rc, '$line'" || bad "${left}k free: exit $rc, '$err'"
    sums | cmp -s - "$mnt/before" && ok "${left}k free: the previous report is untouched" \
        || { bad "${left}k free: plots or report.md changed"; sums | diff - "$mnt/before"; }
    tmp=$(find "$mnt/r" -name '*.tmp')
    [ -z "$tmp" ] && ok "${left}k free: no temporary file left" || bad "${left}k free: left $tmp"
done
err=$("$MIXX" report "$mnt/r" 2>&1); rc=$?
[ $rc -eq 0 ] && ok "room again: the re-render succeeds" || bad "room again: exit $rc, '$err'"
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
INNER
