# the plots of this report; redraw with: cd <report directory> && gnuplot data/plots.gp
reset
set encoding utf8
set terminal pngcairo size 900,500 font 'sans,10'
set grid
set key top right
set output 'callback_hist.png'
set title 'Callback duration (jack, 48000 Hz / 64 frames)'
set xlabel 'callback duration (µs, log scale)'
set ylabel 'callbacks'
set logscale y
set yrange [0.7:*]
set logscale x
set style fill solid 0.6
set key top left
set xrange [*:2666.667]
set arrow 1 from 1333.333, graph 0 to 1333.333, graph 1 nohead front lc rgb '#c02020' dt 2 lw 2
set label 1 'period 1333.3 µs' at 1333.333, graph 0.95 right offset -0.5,0 front tc rgb '#c02020'
set arrow 10 from 0.1200, graph 0 to 0.1200, graph 0.86 nohead front lc rgb '#404040' dt 3
set label 10 'p50 0.12 µs' at 0.1200, graph 0.88 left offset 0.3,0 front font ',8'
set arrow 11 from 1.2110, graph 0 to 1.2110, graph 0.77 nohead front lc rgb '#404040' dt 3
set label 11 'p99 1.21 µs' at 1.2110, graph 0.79 left offset 0.3,0 front font ',8'
set arrow 12 from 16.9590, graph 0 to 16.9590, graph 0.68 nohead front lc rgb '#404040' dt 3
set label 12 'p99.9 16.96 µs' at 16.9590, graph 0.70 left offset 0.3,0 front font ',8'
plot 'data/callback_hist.tsv' using 1:3:2 with boxes lc rgb '#2060c0' title 'engine'
unset arrow
unset logscale
unset label
set key top right
set xrange [*:*]
set yrange [*:*]
set output 'interval_hist.png'
set title 'Callback interval / wake-up jitter (jack, 48000 Hz / 64 frames)'
set xlabel 'interval (µs)'
set ylabel 'callbacks'
set logscale y
set yrange [0.7:*]
set xrange [0:91020.964]
set arrow 1 from 1333.333, graph 0 to 1333.333, graph 1 nohead front lc rgb '#c02020' dt 2 lw 2
set label 2 'period 1333.3 µs' at 1333.333, graph 0.95 left offset 0.5,0 front tc rgb '#c02020'
set arrow 3 from 2000.000, graph 0 to 2000.000, graph 1 nohead front lc rgb '#d08000' dt 4 lw 2
set label 4 'late wake-up above 1.5 periods (2000.0 µs)' at 2000.000, graph 0.87 left offset 0.5,0 front tc rgb '#b06000'
plot 'data/interval_hist.tsv' using 1:3:2 with boxes lc rgb '#208040' title 'engine'
unset arrow
unset label
unset logscale
set xrange [*:*]
set yrange [*:*]
set output 'dsp_load.png'
set title 'DSP load per second (jack, 48000 Hz / 64 frames)'
set xlabel 'time (s)'
set ylabel 'load (% of the period, log scale)'
set xrange [0:1801.000]
set logscale y
set yrange [*:300]
set key bottom right
set arrow 5 from graph 0, first 100 to graph 1, first 100 nohead front lc rgb '#c02020' lw 2
set label 6 '100 % = the whole period (budget)' at graph 0.01, first 130 left front tc rgb '#c02020'
plot 'data/timeline.tsv' using 1:($7>0?$7:NaN) with lines lc rgb '#c06020' title 'max', '' using 1:($6>0?$6:NaN) with lines lc rgb '#2060c0' title 'mean'
unset arrow
unset label
unset logscale
set key top right
set xrange [*:*]
set yrange [*:*]
set output 'rtl.png'
set title 'Round-trip latency, one measurement per second (jack, 48000 Hz / 64 frames)'
set xlabel 'time (s)'
set ylabel 'round trip (frames)'
set format y '%.3f'
set y2label 'round trip (ms)'
set y2tics
set format y2 '%.4f'
set link y2 via y*1000.0/48000.000000 inverse y*48000.000000/1000.0
set ytics nomirror
set yrange [63.5000:64.5000]
plot 'data/timeline.tsv' using 1:8 with linespoints pt 7 ps 0.4 lc rgb '#2060c0' title 'measured (no slips)', 64.0000 with lines dt 2 lw 2 lc rgb '#808080' title 'expected (backend) 64.000 frames'
unset arrow
unset label
set format y
unset y2tics
unset y2label
unset link y2
set ytics mirror
set xrange [*:*]
set yrange [*:*]
set output 'xruns.png'
set title 'Xruns and deadline misses per second (jack, 48000 Hz / 64 frames)'
set xlabel 'time (s)'
set ylabel 'events per second'
set xrange [-0.5:1801.500]
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
plot 'data/timeline.tsv' using 1:($3>0?$3:NaN) with impulses lw 3 lc rgb '#c02020' title 'backend xruns', '' using 1:($4>0?$4:NaN) with impulses lw 2 lc rgb '#2060c0' title 'deadline misses', '' using 1:($5>0?$5:NaN) with points pt 6 ps 0.8 lc rgb '#808080' title 'late wake-ups'
set offsets 0, 0, 0, 0
set xrange [*:*]
set yrange [*:*]
set output
reset
set encoding utf8
set terminal svg size 900,500 dynamic font 'sans,11'
set grid
set key top right
set output 'callback_hist.svg'
set title 'Callback duration (jack, 48000 Hz / 64 frames)'
set xlabel 'callback duration (µs, log scale)'
set ylabel 'callbacks'
set logscale y
set yrange [0.7:*]
set logscale x
set style fill solid 0.6
set key top left
set xrange [*:2666.667]
set arrow 1 from 1333.333, graph 0 to 1333.333, graph 1 nohead front lc rgb '#c02020' dt 2 lw 2
set label 1 'period 1333.3 µs' at 1333.333, graph 0.95 right offset -0.5,0 front tc rgb '#c02020'
set arrow 10 from 0.1200, graph 0 to 0.1200, graph 0.86 nohead front lc rgb '#404040' dt 3
set label 10 'p50 0.12 µs' at 0.1200, graph 0.88 left offset 0.3,0 front font ',8'
set arrow 11 from 1.2110, graph 0 to 1.2110, graph 0.77 nohead front lc rgb '#404040' dt 3
set label 11 'p99 1.21 µs' at 1.2110, graph 0.79 left offset 0.3,0 front font ',8'
set arrow 12 from 16.9590, graph 0 to 16.9590, graph 0.68 nohead front lc rgb '#404040' dt 3
set label 12 'p99.9 16.96 µs' at 16.9590, graph 0.70 left offset 0.3,0 front font ',8'
plot 'data/callback_hist.tsv' using 1:3:2 with boxes lc rgb '#2060c0' title 'engine'
unset arrow
unset logscale
unset label
set key top right
set xrange [*:*]
set yrange [*:*]
set output 'interval_hist.svg'
set title 'Callback interval / wake-up jitter (jack, 48000 Hz / 64 frames)'
set xlabel 'interval (µs)'
set ylabel 'callbacks'
set logscale y
set yrange [0.7:*]
set xrange [0:91020.964]
set arrow 1 from 1333.333, graph 0 to 1333.333, graph 1 nohead front lc rgb '#c02020' dt 2 lw 2
set label 2 'period 1333.3 µs' at 1333.333, graph 0.95 left offset 0.5,0 front tc rgb '#c02020'
set arrow 3 from 2000.000, graph 0 to 2000.000, graph 1 nohead front lc rgb '#d08000' dt 4 lw 2
set label 4 'late wake-up above 1.5 periods (2000.0 µs)' at 2000.000, graph 0.87 left offset 0.5,0 front tc rgb '#b06000'
plot 'data/interval_hist.tsv' using 1:3:2 with boxes lc rgb '#208040' title 'engine'
unset arrow
unset label
unset logscale
set xrange [*:*]
set yrange [*:*]
set output 'dsp_load.svg'
set title 'DSP load per second (jack, 48000 Hz / 64 frames)'
set xlabel 'time (s)'
set ylabel 'load (% of the period, log scale)'
set xrange [0:1801.000]
set logscale y
set yrange [*:300]
set key bottom right
set arrow 5 from graph 0, first 100 to graph 1, first 100 nohead front lc rgb '#c02020' lw 2
set label 6 '100 % = the whole period (budget)' at graph 0.01, first 130 left front tc rgb '#c02020'
plot 'data/timeline.tsv' using 1:($7>0?$7:NaN) with lines lc rgb '#c06020' title 'max', '' using 1:($6>0?$6:NaN) with lines lc rgb '#2060c0' title 'mean'
unset arrow
unset label
unset logscale
set key top right
set xrange [*:*]
set yrange [*:*]
set output 'rtl.svg'
set title 'Round-trip latency, one measurement per second (jack, 48000 Hz / 64 frames)'
set xlabel 'time (s)'
set ylabel 'round trip (frames)'
set format y '%.3f'
set y2label 'round trip (ms)'
set y2tics
set format y2 '%.4f'
set link y2 via y*1000.0/48000.000000 inverse y*48000.000000/1000.0
set ytics nomirror
set yrange [63.5000:64.5000]
plot 'data/timeline.tsv' using 1:8 with linespoints pt 7 ps 0.4 lc rgb '#2060c0' title 'measured (no slips)', 64.0000 with lines dt 2 lw 2 lc rgb '#808080' title 'expected (backend) 64.000 frames'
unset arrow
unset label
set format y
unset y2tics
unset y2label
unset link y2
set ytics mirror
set xrange [*:*]
set yrange [*:*]
set output 'xruns.svg'
set title 'Xruns and deadline misses per second (jack, 48000 Hz / 64 frames)'
set xlabel 'time (s)'
set ylabel 'events per second'
set xrange [-0.5:1801.500]
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
plot 'data/timeline.tsv' using 1:($3>0?$3:NaN) with impulses lw 3 lc rgb '#c02020' title 'backend xruns', '' using 1:($4>0?$4:NaN) with impulses lw 2 lc rgb '#2060c0' title 'deadline misses', '' using 1:($5>0?$5:NaN) with points pt 6 ps 0.8 lc rgb '#808080' title 'late wake-ups'
set offsets 0, 0, 0, 0
set xrange [*:*]
set yrange [*:*]
set output
