/* SPDX-License-Identifier: MIT */
/* placement.c: the concurrent sim baseline's CPU placement (placement.h). */
#define _GNU_SOURCE
#include "placement.h"

#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Pins every thread of process pid (whose name is comm, or any name if comm is NULL) to cpu, or (cpu < 0) gives
 * it back the set `all`. Returns how many threads were pinned. */
static int pin_threads(pid_t pid, const char *comm, int cpu, const cpu_set_t *all)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/task", (int)pid);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (cpu >= 0)
        CPU_SET(cpu, &set);
    else
        set = *all;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        pid_t tid = (pid_t)atoi(de->d_name);
        if (comm) {
            char path[96], name[32] = "";
            snprintf(path, sizeof path, "%s/%s/comm", dir, de->d_name);
            FILE *f = fopen(path, "r");
            if (!f)
                continue;
            if (!fgets(name, sizeof name, f))
                name[0] = '\0';
            fclose(f);
            name[strcspn(name, "\n")] = '\0';
            if (strcmp(name, comm) != 0)
                continue;
        }
        if (sched_setaffinity(tid, sizeof set, &set) == 0)
            n++;
    }
    closedir(d);
    return n;
}

#define PLACE_WAIT_S 5.0

static int place(stab_placement *p)
{
    int a = pin_threads(getpid(), "mixx-sim", p->cpu[p->phase], NULL);
    int b = pin_threads(p->child, NULL, p->cpu[1 - p->phase], NULL);
    if (a < 1 || b < 1)
        p->misses++;
    return a >= 1 && b >= 1;
}

static void unpin(stab_placement *p)
{
    pin_threads(getpid(), "mixx-sim", -1, &p->all);
    pin_threads(p->child, NULL, -1, &p->all);
}

int stab_place_start(stab_placement *p, pid_t child, double every_s, double now_s)
{
    memset(p, 0, sizeof *p);
    p->child = child;
    p->every_s = every_s;
    p->cpu[0] = p->cpu[1] = -1;
    if (!(every_s > 0)) {
        snprintf(p->why, sizeof p->why, "--placement free: both loops left to the scheduler");
        return -1;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) {
        snprintf(p->why, sizeof p->why, "sched_getaffinity failed: both loops left to the scheduler");
        return -1;
    }
    p->all = set;
    for (int c = 0, k = 0; c < CPU_SETSIZE && k < 2; c++)
        if (CPU_ISSET(c, &set))
            p->cpu[k++] = c;
    if (p->cpu[1] < 0) {
        snprintf(p->why, sizeof p->why, "fewer than two CPUs available: both loops share one");
        return -1;
    }
    /* the audio thread names itself once it runs, which on a loaded machine can be a while after start: until
     * both loops are found, every tick tries again (stab_place_tick), for up to PLACE_WAIT_S */
    p->swap = 1;
    p->pending = 1;
    p->give_up_s = now_s + PLACE_WAIT_S;
    stab_place_tick(p, now_s);
    return p->swap ? 0 : -1;
}

static void account(stab_placement *p, double now_s)
{
    p->engine_s[p->phase] += now_s - p->since_s;
    p->since_s = now_s;
}

void stab_place_tick(stab_placement *p, double now_s)
{
    if (!p->swap)
        return;
    if (p->pending) {
        if (place(p)) {
            p->pending = 0;
            p->misses = 0; /* the ticks before the audio thread had its name are not failures */
            p->repin_ticks = 10;
            p->since_s = now_s;
            p->next_s = now_s + p->every_s;
        } else if (now_s >= p->give_up_s) {
            unpin(p); /* the one that was found goes back to the scheduler too */
            p->swap = 0;
            snprintf(p->why, sizeof p->why,
                     "the engine's audio thread or the baseline was not found within %.0f s: left to the scheduler",
                     PLACE_WAIT_S);
        }
        return;
    }
    if (now_s >= p->next_s) {
        account(p, now_s);
        p->phase = 1 - p->phase;
        p->swaps++;
        p->next_s += p->every_s;
        if (p->next_s <= now_s)
            p->next_s = now_s + p->every_s;
        place(p);
    } else if (p->repin_ticks > 0) {
        /* the child creates its loop thread after we first pinned it: catch it (threads inherit the mask, but
         * only from the thread that creates them) */
        p->repin_ticks--;
        place(p);
    }
}

void stab_place_finish(stab_placement *p, double now_s)
{
    if (p->swap && p->pending) { /* the run ended before both loops were found */
        unpin(p);
        p->swap = 0;
        snprintf(p->why, sizeof p->why, "the run ended before the engine's audio thread and the baseline were found");
    } else if (p->swap) {
        account(p, now_s);
    }
}
