/* rtl.c: round-trip latency meter. PLACEHOLDER until issue 4 lands: the meter refuses to run. */
#include <stdlib.h>

#include "engine_internal.h"

struct mixx_rtl {
    int unused;
};

int mixx_rtl_create(mixx_rtl **out, uint32_t sample_rate, uint32_t max_frames)
{
    (void)sample_rate;
    (void)max_frames;
    *out = calloc(1, sizeof **out);
    return *out ? 0 : MIXX_ENOMEM;
}

void mixx_rtl_destroy(mixx_rtl *m)
{
    free(m);
}

int mixx_rtl_begin(mixx_rtl *m, mixx_rtl_method method, int continuous, double expected)
{
    (void)m, (void)method, (void)continuous, (void)expected;
    return MIXX_EUNSUPPORTED;
}

void mixx_rtl_end(mixx_rtl *m)
{
    (void)m;
}

void mixx_rtl_process(mixx_rtl *m, const float *in, float *out, uint32_t n)
{
    (void)m, (void)in, (void)out, (void)n;
}

int mixx_rtl_poll(mixx_rtl *m, mixx_rtl_result *out)
{
    (void)m, (void)out;
    return 0;
}

void mixx__rtl_monitor_tick(struct mixx_engine *e)
{
    (void)e;
}

int mixx_engine_rtl_start(mixx_engine *e, mixx_rtl_method method, uint32_t channel, int continuous)
{
    (void)e, (void)method, (void)channel, (void)continuous;
    return MIXX_EUNSUPPORTED;
}

int mixx_engine_rtl_wait(mixx_engine *e, mixx_rtl_result *out, uint32_t timeout_ms)
{
    (void)e, (void)out, (void)timeout_ms;
    return MIXX_EUNSUPPORTED;
}

int mixx_engine_rtl_stop(mixx_engine *e)
{
    (void)e;
    return MIXX_EUNSUPPORTED;
}

int mixx_engine_rtl_summary(mixx_engine *e, mixx_rtl_summary *out)
{
    (void)e, (void)out;
    return MIXX_EUNSUPPORTED;
}
