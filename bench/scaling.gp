# SPDX-License-Identifier: MIT
# scaling.gp: plots `mixx bench --scaling --tsv` output (bench/scaling.sh runs it).
# gnuplot -e "data='docs/data/bench_scaling.tsv'; out='docs/img/bench_scaling.png'" bench/scaling.gp
# Columns: 1 frames, 2 channels, 3 bytes, 4 floor_ns, 5 floor_ts_ns, 6 engine_ns, 7 engine_no_instr_ns,
# 8 over_floor_ts_ns, 9 ratio, 10 engine_p99_ns.
if (!exists("data")) data = 'docs/data/bench_scaling.tsv'
if (!exists("out")) out = 'docs/img/bench_scaling.png'
set terminal pngcairo size 1650,560 font "sans,10"
set output out
set datafile separator "\t"
set datafile commentschars "#"
set key top left font "sans,9"
set grid
sel(col, val) = sprintf("< awk -F'\t' '$1 !~ /^#/ && $1 != \"frames\" && $%d == %d' '%s'", col, val, data)
set multiplot layout 1,3 title "MixxEngine hosted process(): ns per block (median) against the memcpy floor"

set title "vs buffer size (solid: engine, instr on; dashed: floor = memcpy)"
set logscale xy 2
set xlabel "frames per block"
set ylabel "ns per block"
set xrange [12:5500]
plot for [c in "1 2 8 64"] sel(2, c+0) using 1:6 with linespoints lw 2 pt 7 ps 0.6 lc (c+0 == 1 ? 1 : c+0 == 2 ? 2 : c+0 == 8 ? 3 : 4) title sprintf("%s ch", c), \
     for [c in "1 2 8 64"] sel(2, c+0) using 1:4 with lines dt 2 lw 1.5 lc (c+0 == 1 ? 1 : c+0 == 2 ? 2 : c+0 == 8 ? 3 : 4) notitle

set title "vs channel count (solid: engine; dashed: floor)"
set xlabel "channels"
set xrange [0.8:80]
plot for [f in "64 256 1024 4096"] sel(1, f+0) using 2:6 with linespoints lw 2 pt 7 ps 0.6 lc (f+0 == 64 ? 1 : f+0 == 256 ? 2 : f+0 == 1024 ? 3 : 4) title sprintf("%s frames", f), \
     for [f in "64 256 1024 4096"] sel(1, f+0) using 2:4 with lines dt 2 lw 1.5 lc (f+0 == 64 ? 1 : f+0 == 256 ? 2 : f+0 == 1024 ? 3 : 4) notitle

set title "what the engine adds above the floors (all 63 shapes)"
unset logscale y
set logscale x 2
set xlabel "bytes copied per direction per block"
set ylabel "ns per block"
set xrange [40:2e6]
set yrange [-20:160]
set xtics ("64" 64, "256" 256, "1K" 1024, "4K" 4096, "16K" 16384, "64K" 65536, "256K" 262144, "1M" 1048576)
set key top right
plot data using 3:($6 - $4) with points pt 7 ps 0.8 lc 1 title "engine - floor (memcpy)", \
     data using 3:8 with points pt 9 ps 0.8 lc 2 title "engine - (floor + 2 timestamps)", \
     data using 3:($7 - $4) with points pt 5 ps 0.6 lc 3 title "engine instr off - floor"
unset multiplot
