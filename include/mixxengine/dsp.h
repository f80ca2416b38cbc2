/* SPDX-License-Identifier: MIT */
/* mixxengine/dsp.h: the DSP kernels of libmixxengine (gain, mix, biquad cascade, meter, (de)interleave, sample
 * format conversions), dispatched at load time to the best instruction set of the CPU. What each kernel computes,
 * exactly, is written in src/dsp_scalar.c (the reference) and docs/dsp.md (rounding, clipping, NaN/Inf, accuracy).
 * The engine itself lives in mixxengine.h. */
#ifndef MIXXENGINE_DSP_H
#define MIXXENGINE_DSP_H

#include <stddef.h>
#include <stdint.h>

#include "../mixxengine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Conventions for every kernel below (docs/dsp.md has the details):
 * - audio thread, realtime-safe, any thread: pure functions of their arguments; no allocation, lock or syscall;
 * - buffers are non-interleaved float unless the name says otherwise; any length (n = 0 does nothing), any
 *   alignment of 4 bytes (2 for int16); dst may be the same pointer as src (in place), other overlaps are undefined;
 * - no FMA anywhere (also not in the scalar reference) and one fixed order of operations: every kernel gives
 *   bit-identical results on every ISA for the same inputs and the same FTZ/DAZ setting of the calling thread
 *   (mixx_dsp_meter's sum of squares included: it has a fixed 16-way summation order);
 * - results assume the default rounding mode (round to nearest even), which the engine never changes. */

/* ---- instruction-set dispatch ---------------------------------------------------------------------------- */
typedef enum mixx_dsp_isa {
    MIXX_DSP_SCALAR = 0, /* the C reference, src/dsp_scalar.c */
    MIXX_DSP_SSE2 = 1,   /* x86-64 baseline */
    MIXX_DSP_AVX2 = 2,   /* AVX2 + FMA CPU and OS YMM state (FMA is required by the level, not used) */
    MIXX_DSP_AVX512 = 3, /* AVX-512 F/BW/DQ/VL and OS ZMM/opmask state */
    MIXX_DSP_NEON = 4,   /* arm64 baseline Advanced SIMD */
    MIXX_DSP_ISA_COUNT
} mixx_dsp_isa;

/* "scalar", "sse2", "avx2", "avx512", "neon"; "unknown" for anything else. Any thread. */
MIXX_API const char *mixx_dsp_isa_name(mixx_dsp_isa isa);
/* The ISA the kernels run with now: the best the CPU supports, or MIXX_DSP_ISA from the environment when it was
 * set and supported at load time. Any thread. */
MIXX_API mixx_dsp_isa mixx_dsp_isa_current(void);
/* 1 if this build has kernels for `isa` and the CPU and OS support it, else 0. Any thread. */
MIXX_API int mixx_dsp_isa_supported(mixx_dsp_isa isa);
/* Selects the kernels of `isa` for the whole process (tests, benchmarks). Control thread only; kernels already
 * running on other threads finish with the previous ISA (the switch is one atomic pointer store).
 * Errors: MIXX_EINVAL (not an ISA), MIXX_EUNSUPPORTED (not compiled for this architecture, or the CPU/OS lacks it). */
MIXX_API int mixx_dsp_set_isa(mixx_dsp_isa isa);
/* What the load-time selection did with MIXX_DSP_ISA, one line: "" when the variable was unset, else whether it
 * was applied or refused and why (unknown name, CPU lacks AVX-512BW, ...). Any thread. */
MIXX_API const char *mixx_dsp_isa_note(void);

/* ---- denormals ------------------------------------------------------------------------------------------- */
/* Sets flush-to-zero and denormals-are-zero (x86 MXCSR FTZ|DAZ; arm64 FPCR.FZ) for the calling thread and returns
 * the previous control word for mixx_dsp_denormals_restore. The engine's device threads call it once; hosted-mode
 * mixx_engine_process sets it for the cycle and restores the caller's setting before returning.
 * Audio thread, realtime-safe (two register moves, no syscall). */
MIXX_API uint32_t mixx_dsp_denormals_off(void);
/* Restores a control word returned by mixx_dsp_denormals_off. Audio thread, realtime-safe. */
MIXX_API void mixx_dsp_denormals_restore(uint32_t saved);

/* ---- element-wise gain and mix ------------------------------------------------------------------------- */
/* dst[i] = src[i] * g. Audio thread, realtime-safe. */
MIXX_API void mixx_dsp_gain(float *dst, const float *src, float g, uint32_t n);
/* dst[i] = src[i] * (g0 + (float)i * step), step = (g1 - g0) / (float)n: a linear ramp that reaches g1 at sample n
 * (the first sample of the next block). Audio thread, realtime-safe. */
MIXX_API void mixx_dsp_gain_ramp(float *dst, const float *src, float g0, float g1, uint32_t n);
/* dst[i] = dst[i] + src[i] * g (a multiply, then an add: no FMA). Audio thread, realtime-safe. */
MIXX_API void mixx_dsp_mix(float *dst, const float *src, float g, uint32_t n);
/* dst[i] = dst[i] + src[i] * (g0 + (float)i * step), step as in mixx_dsp_gain_ramp. Audio thread, realtime-safe. */
MIXX_API void mixx_dsp_mix_ramp(float *dst, const float *src, float g0, float g1, uint32_t n);

/* ---- meter ------------------------------------------------------------------------------------------------ */
typedef struct mixx_dsp_meter_result {
    float peak;      /* max |x[i]|, NaN samples ignored; 0 for n = 0 */
    float sumsq;     /* sum of x[i]^2 in float, 16 partial sums (docs/dsp.md); NaN/Inf propagate */
    uint32_t clips;  /* samples with |x[i]| >= 1.0f (at or over full scale); NaN not counted */
} mixx_dsp_meter_result; /* size is part of the ABI */
/* Peak, sum of squares and clip count of x[0..n). Audio thread, realtime-safe. */
MIXX_API void mixx_dsp_meter(const float *x, uint32_t n, mixx_dsp_meter_result *out);

/* ---- biquad cascade ------------------------------------------------------------------------------------- */
/* One second-order section, normalised so that a0 = 1:
 * H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2). Size is part of the ABI. */
typedef struct mixx_dsp_biquad {
    float b0, b1, b2, a1, a2;
} mixx_dsp_biquad;
/* Filters `channels` non-interleaved buffers in place through the same `n_sections` sections in series,
 * transposed direct form II. Samples are float; the arithmetic and the state are double: float TDF2 loses
 * 40-70 dB of SNR in low-frequency sections (docs/dsp.md has the measurements), double keeps a 12-section
 * cascade above 120 dB. `state` holds 2 * n_sections * channels doubles laid out state[(s * 2 + k) * channels + c]
 * (section s, delay k, channel c); zero it to reset. Channels are processed together in SIMD lanes.
 * Audio thread, realtime-safe. */
MIXX_API void mixx_dsp_biquad_cascade(float *const *buf, uint32_t channels, uint32_t n,
                                      const mixx_dsp_biquad *sections, uint32_t n_sections, double *state);

/* RBJ Audio-EQ-Cookbook designs, computed in double, rounded to float at the end. freq in Hz, 0 < freq <
 * rate / 2; q > 0 (for shelves the cookbook's S = 1 slope is replaced by this Q); gain_db for shelves and peaking.
 * Control thread or any thread (pure; not realtime-critical: uses sin/cos/pow).
 * Errors: MIXX_ENULL (out NULL), MIXX_EINVAL (rate, freq or q out of range, or not finite). */
typedef enum mixx_dsp_biquad_type {
    MIXX_BIQUAD_LOWPASS = 0,
    MIXX_BIQUAD_HIGHPASS = 1,
    MIXX_BIQUAD_PEAKING = 2,
    MIXX_BIQUAD_LOWSHELF = 3,
    MIXX_BIQUAD_HIGHSHELF = 4
} mixx_dsp_biquad_type;
MIXX_API int mixx_dsp_biquad_design(mixx_dsp_biquad *out, mixx_dsp_biquad_type type, double rate, double freq,
                                    double q, double gain_db);

/* ---- interleave ------------------------------------------------------------------------------------------ */
/* dst[i * channels + c] = src[c][i] for c < channels, i < n (exact moves). Audio thread, realtime-safe. */
MIXX_API void mixx_dsp_interleave(float *dst, const float *const *src, uint32_t channels, uint32_t n);
/* dst[c][i] = src[i * channels + c]. Audio thread, realtime-safe. */
MIXX_API void mixx_dsp_deinterleave(float *const *dst, const float *src, uint32_t channels, uint32_t n);

/* ---- sample format conversions (bit-identical on every ISA) ---------------------------------------------
 * float -> int: y = x * S in float, NaN -> 0, clamp to [-M, M] (symmetric: -M, not -M-1), round to nearest even.
 *   int16: S = M = 32767.  int24 (in the low 24 bits of an int32, sign-extended): S = M = 8388607.
 *   int32: S = 2^31 (2^31 - 1 is not a float), M = 2^31 - 1: y >= 2^31 -> M, y <= -2^31 -> -M.
 * int -> float: y = (float)x * (1 / S) (the reciprocal rounded to float once); int16 round-trips exactly;
 *   s24_to_f32 reads the low 24 bits of each int32 as a signed number (the top byte is ignored).
 * Audio thread, realtime-safe. */
MIXX_API void mixx_dsp_f32_to_s16(int16_t *dst, const float *src, uint32_t n);
MIXX_API void mixx_dsp_s16_to_f32(float *dst, const int16_t *src, uint32_t n);
MIXX_API void mixx_dsp_f32_to_s24(int32_t *dst, const float *src, uint32_t n);
MIXX_API void mixx_dsp_s24_to_f32(float *dst, const int32_t *src, uint32_t n);
MIXX_API void mixx_dsp_f32_to_s32(int32_t *dst, const float *src, uint32_t n);
MIXX_API void mixx_dsp_s32_to_f32(float *dst, const int32_t *src, uint32_t n);

#ifdef __cplusplus
}
#endif

#endif
