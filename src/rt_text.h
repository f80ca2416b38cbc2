/* SPDX-License-Identifier: MIT */
/* rt_text.h: MIXX_RT_TEXT places a function of the audio path in one text section (.text.hot.mixx_rt), which
 * the GNU and LLVM linkers' default scripts gather in one run of pages ahead of the rest of .text. A callback
 * that finds its code cold (another process ran in between) then fetches a few adjacent pages instead of
 * lines spread over ~60 KiB: `mixx-bench-cold --from-memory` measured the cold block ~11 % faster at p50
 * (docs/performance.md). Only the per-cycle functions carry it; it changes placement, never code generation. */
#ifndef MIXX_RT_TEXT_H
#define MIXX_RT_TEXT_H

#if defined(__ELF__) && (defined(__GNUC__) || defined(__clang__))
#define MIXX_RT_TEXT __attribute__((section(".text.hot.mixx_rt")))
#else
#define MIXX_RT_TEXT
#endif

#endif
