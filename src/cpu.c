/* SPDX-License-Identifier: MIT */
/* cpu.c: CPU-time sampling for the monitor thread: this process (getrusage) and the whole system
 * (/proc/stat on Linux, host_statistics64 on macOS). Never called on the audio thread. */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>

#include "cpu.h"

#ifdef __APPLE__
#include <mach/mach.h>
#endif

double mixx__cpu_process_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec * 1e-6;
}

int mixx__cpu_system_ticks(uint64_t *busy, uint64_t *total)
{
#ifdef __APPLE__
    host_cpu_load_info_data_t info;
    mach_msg_type_number_t n = HOST_CPU_LOAD_INFO_COUNT;
    if (host_statistics64(mach_host_self(), HOST_CPU_LOAD_INFO, (host_info64_t)&info, &n) != KERN_SUCCESS)
        return -1;
    uint64_t idle = info.cpu_ticks[CPU_STATE_IDLE];
    *total = 0;
    for (int i = 0; i < CPU_STATE_MAX; i++)
        *total += info.cpu_ticks[i];
    *busy = *total - idle;
    return 0;
#else
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return -1;
    unsigned long long v[10] = {0};
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
    fclose(f);
    if (n < 4)
        return -1;
    /* guest time is already inside user/nice */
    uint64_t t = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
    uint64_t idle = v[3] + v[4];
    *total = t;
    *busy = t - idle;
    return 0;
#endif
}
