/* SPDX-License-Identifier: MIT */
/* placement.h: where `mixx stability --baseline-concurrent` runs its two realtime loops on sim (the engine's
 * mixx-sim thread and the `mixx native` child). Left to the scheduler, each loop keeps one vCPU for a whole run
 * and the two vCPUs of a small VM are not equally noisy (docs/performance.md, "Quiet and noisy hours"), so one run compares
 * the vCPUs as much as the loops. Swapping them between two CPUs every few seconds gives each side the same share
 * of each CPU. Control thread only (the one running the stability command). Linux: /proc and sched_setaffinity. */
#ifndef MIXX_PLACEMENT_H
#define MIXX_PLACEMENT_H

#include <sched.h>
#include <sys/types.h>

typedef struct stab_placement {
    int swap;          /* 1: the loops are pinned and swapped; 0: left to the scheduler (why says why) */
    int cpu[2];        /* the two CPUs: engine on cpu[phase], baseline on cpu[1 - phase] */
    int phase;
    double every_s;    /* swap period */
    double next_s;     /* monotonic seconds of the next swap */
    unsigned swaps;    /* swaps done (the first pinning is not counted) */
    unsigned misses;   /* ticks where a loop's thread could not be found or pinned */
    double engine_s[2]; /* seconds the engine spent assigned to cpu[0] / cpu[1] (the baseline: the other one) */
    double since_s;    /* start of the current phase */
    int repin_ticks;   /* ticks left that re-pin without a swap */
    int pending;       /* swap chosen, but the loops not yet found (the audio thread names itself when it runs) */
    double give_up_s;  /* pending until then, then left to the scheduler */
    pid_t child;
    cpu_set_t all;     /* the CPUs this process may use: what a loop gets back if placement is given up */
    char why[160];
} stab_placement;

/* Chooses the two CPUs (the first two this process may run on) and pins both loops, or keeps trying at every tick
 * for up to 5 s while either is not found yet. every_s <= 0: no swapping (p->why says so). Returns -1 when the
 * loops stay where the scheduler puts them (fewer than two CPUs: p->why), else 0. */
int stab_place_start(stab_placement *p, pid_t child, double every_s, double now_s);

/* Called every tick (~100 ms): re-pins (a thread the child started since is caught) and swaps when due. */
void stab_place_tick(stab_placement *p, double now_s);

/* Ends the accounting of the current phase (call once, after the engine stopped). */
void stab_place_finish(stab_placement *p, double now_s);

#endif
