reset
set terminal pngcairo size 900,500 font 'sans,10'
set grid
set key top right
set output '/work/main/docs/report/sim-48k-64-30min/.callback_hist.png.tmp'
set title 'Callback duration (sim, 48000 Hz / 64 frames)'
set xlabel 'callback duration (us)'
set ylabel 'callbacks'
set logscale y
set yrange [0.7:*]
set logscale x
set style fill solid 0.6
plot '/work/main/docs/report/sim-48k-64-30min/data/callback_hist.tsv' using 1:3:2 with boxes lc rgb '#2060c0' title 'engine'
unset logscale
unset label
set yrange [*:*]
set output '/work/main/docs/report/sim-48k-64-30min/.interval_hist.png.tmp'
set title 'Callback interval / wake-up jitter (sim, 48000 Hz / 64 frames)'
set xlabel 'interval (us)'
set ylabel 'callbacks'
set logscale y
set yrange [0.7:*]
set arrow 1 from 1333.333, graph 0 to 1333.333, graph 1 nohead lc rgb '#c02020' dt 2 lw 2
set label 2 'period 1333.3 us' at 1333.333, graph 0.95 left offset 1,0 tc rgb '#c02020'
plot '/work/main/docs/report/sim-48k-64-30min/data/interval_hist.tsv' using 1:3:2 with boxes lc rgb '#208040' title 'engine'
unset arrow
unset label
unset logscale
set yrange [*:*]
set output '/work/main/docs/report/sim-48k-64-30min/.dsp_load.png.tmp'
set title 'DSP load per second (sim, 48000 Hz / 64 frames)'
set xlabel 'time (s)'
set ylabel 'load (% of period)'
set logscale y
plot '/work/main/docs/report/sim-48k-64-30min/data/timeline.tsv' using 1:($7>0?$7:NaN) with lines lc rgb '#c06020' title 'max', '' using 1:($6>0?$6:NaN) with lines lc rgb '#2060c0' title 'mean'
unset logscale
set output '/work/main/docs/report/sim-48k-64-30min/.rtl.png.tmp'
set title 'Round-trip latency, one measurement per second (sim, 48000 Hz / 64 frames)'
set xlabel 'time (s)'
set ylabel 'round trip (frames)'
set format y '%.3f'
set arrow 3 from graph 0, first 128.0000 to graph 1, first 128.0000 nohead lc rgb '#808080' dt 2
set yrange [127.5000:128.5000]
plot '/work/main/docs/report/sim-48k-64-30min/data/timeline.tsv' using 1:8 with linespoints pt 7 ps 0.4 lc rgb '#2060c0' title 'measured (no slips)'
unset arrow
unset label
set format y
set yrange [*:*]
set output '/work/main/docs/report/sim-48k-64-30min/.xruns.png.tmp'
set title 'Xruns and deadline misses per second (sim, 48000 Hz / 64 frames)'
set xlabel 'time (s)'
set ylabel 'events per second'
set yrange [0:*]
plot '/work/main/docs/report/sim-48k-64-30min/data/timeline.tsv' using 1:3 with impulses lw 2 lc rgb '#c02020' title 'backend xruns', '' using 1:4 with impulses lw 1 lc rgb '#2060c0' title 'deadline misses', '' using 1:5 with points pt 1 lc rgb '#808080' title 'late wake-ups'
set yrange [*:*]
set output
reset
set terminal svg size 900,500 dynamic font 'sans,11'
set grid
set key top right
set output '/work/main/docs/report/sim-48k-64-30min/.callback_hist.svg.tmp'
set title 'Callback duration (sim, 48000 Hz / 64 frames)'
set xlabel 'callback duration (us)'
set ylabel 'callbacks'
set logscale y
set yrange [0.7:*]
set logscale x
set style fill solid 0.6
plot '/work/main/docs/report/sim-48k-64-30min/data/callback_hist.tsv' using 1:3:2 with boxes lc rgb '#2060c0' title 'engine'
unset logscale
unset label
set yrange [*:*]
set output '/work/main/docs/report/sim-48k-64-30min/.interval_hist.svg.tmp'
set title 'Callback interval / wake-up jitter (sim, 48000 Hz / 64 frames)'
set xlabel 'interval (us)'
set ylabel 'callbacks'
set logscale y
set yrange [0.7:*]
set arrow 1 from 1333.333, graph 0 to 1333.333, graph 1 nohead lc rgb '#c02020' dt 2 lw 2
set label 2 'period 1333.3 us' at 1333.333, graph 0.95 left offset 1,0 tc rgb '#c02020'
plot '/work/main/docs/report/sim-48k-64-30min/data/interval_hist.tsv' using 1:3:2 with boxes lc rgb '#208040' title 'engine'
unset arrow
unset label
unset logscale
set yrange [*:*]
set output '/work/main/docs/report/sim-48k-64-30min/.dsp_load.svg.tmp'
set title 'DSP load per second (sim, 48000 Hz / 64 frames)'
set xlabel 'time (s)'
set ylabel 'load (% of period)'
set logscale y
plot '/work/main/docs/report/sim-48k-64-30min/data/timeline.tsv' using 1:($7>0?$7:NaN) with lines lc rgb '#c06020' title 'max', '' using 1:($6>0?$6:NaN) with lines lc rgb '#2060c0' title 'mean'
unset logscale
set output '/work/main/docs/report/sim-48k-64-30min/.rtl.svg.tmp'
set title 'Round-trip latency, one measurement per second (sim, 48000 Hz / 64 frames)'
set xlabel 'time (s)'
set ylabel 'round trip (frames)'
set format y '%.3f'
set arrow 3 from graph 0, first 128.0000 to graph 1, first 128.0000 nohead lc rgb '#808080' dt 2
set yrange [127.5000:128.5000]
plot '/work/main/docs/report/sim-48k-64-30min/data/timeline.tsv' using 1:8 with linespoints pt 7 ps 0.4 lc rgb '#2060c0' title 'measured (no slips)'
unset arrow
unset label
set format y
set yrange [*:*]
set output '/work/main/docs/report/sim-48k-64-30min/.xruns.svg.tmp'
set title 'Xruns and deadline misses per second (sim, 48000 Hz / 64 frames)'
set xlabel 'time (s)'
set ylabel 'events per second'
set yrange [0:*]
plot '/work/main/docs/report/sim-48k-64-30min/data/timeline.tsv' using 1:3 with impulses lw 2 lc rgb '#c02020' title 'backend xruns', '' using 1:4 with impulses lw 1 lc rgb '#2060c0' title 'deadline misses', '' using 1:5 with points pt 1 lc rgb '#808080' title 'late wake-ups'
set yrange [*:*]
set output
