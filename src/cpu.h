/* SPDX-License-Identifier: MIT */
/* cpu.h: CPU-time sampling for the monitor thread (cpu.c): this process and the whole system. */
#ifndef MIXX_CPU_H
#define MIXX_CPU_H

#include <stdint.h>

/* User + system CPU seconds of this process so far; 0 on failure. Not the audio thread. */
double mixx__cpu_process_seconds(void);
/* Busy and total ticks of the whole system since boot. Returns 0, or -1 when unknown. Not the audio thread. */
int mixx__cpu_system_ticks(uint64_t *busy, uint64_t *total);

#endif
