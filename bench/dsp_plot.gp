# SPDX-License-Identifier: MIT
# dsp_plot.gp: ns per sample against n, one panel per kernel, one line per ISA and scalar baseline
# (bench/dsp_plot.sh passes data, out and ncol).
set terminal pngcairo size 1800,800 font ",9"
set output out
set termoption noenhanced
set multiplot layout 2,5 title "mixx bench dsp: ns per sample (per channel-sample) against n, median of batches"
set logscale xy
set format x "%.0s%c"
set xtics (64, 256, 1024, 4096, 1048576)
set grid
set key top right font ",7"
names = "gain gain_ramp mix biquad peak_sumsq interleave deinterleave f32_to_s16 s16_to_f32 f32_to_s32"
do for [k = 0:9] {
    set title word(names, k + 1)
    plot for [c = 2:ncol] data index k using 1:c with linespoints title columnheader(c)
}
unset multiplot
