/* SPDX-License-Identifier: MIT */
/* engine_hosted.c: hosted mode's entry point, mixx_engine_process: the host's audio callback hands its
 * buffers in, they are checked, crossed in/out aliases copied aside, and the engine's cycle runs on them
 * (mixx__engine_cycle, engine.c). The "hosted" backend's ops table is backend_hosted.c. */
#include <stdatomic.h>
#include <string.h>

#include "config.h"
#include "engine_internal.h"
#include "mixxengine/dsp.h"
#include "rt_text.h"

MIXX_RT_TEXT
static void silence(float *const *out, uint32_t n_out, uint32_t n_frames)
{
    if (!out)
        return;
    for (uint32_t c = 0; c < n_out; c++)
        if (out[c])
            memset(out[c], 0, (size_t)n_frames * sizeof(float));
}
/* Output c is written before input k > c is read: true if some out[c] is such an in[k]'s buffer (a swap, a
 * rotation). Audio thread. */
static inline int alias_crossed(const float *const *in, uint32_t n_in, float *const *out, uint32_t n_out)
{
    uint32_t n = n_in < n_out ? n_in : n_out;
    if (n == 2) /* the common stereo case in one comparison */
        return (const float *)out[0] == in[1];
    for (uint32_t c = 0; c + 1 < n; c++)
        for (uint32_t k = c + 1; k < n; k++)
            if ((const float *)out[c] == in[k])
                return 1;
    return 0;
}

/* The inputs with every crossed one copied aside first (into the engine's preallocated buffers), so each output
 * gets its input as it was on entry. *rc = MIXX_ECHANNELS past the preallocated channels. Audio thread. */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
MIXX_RT_TEXT
static const float *const *alias_inputs(mixx_engine *e, const float *const *in, uint32_t n_in, float *const *out,
                                        uint32_t n_out, uint32_t n_frames, int *rc)
{
    uint32_t n = n_in < n_out ? n_in : n_out;
    const float **copy = e->alias_in;
    for (uint32_t i = 0; i < n_in; i++)
        copy[i] = in[i];
    for (uint32_t c = 0; c + 1 < n; c++)
        for (uint32_t k = c + 1; k < n; k++) {
            if ((const float *)out[c] != in[k] || copy[k] != in[k])
                continue;
            if (k >= e->alias_channels) { /* no preallocated copy for that channel */
                *rc = MIXX_ECHANNELS;
                return in;
            }
            float *s = e->alias_scratch + (size_t)k * e->cfg.max_buffer_size;
            memcpy(s, in[k], (size_t)n_frames * sizeof(float));
            copy[k] = s;
        }
    return copy;
}

MIXX_RT_TEXT
int mixx_engine_process(mixx_engine *e, const float *const *in, uint32_t n_in, float *const *out,
                        uint32_t n_out, uint32_t n_frames)
{
    if (!e || (n_in && !in) || (n_out && !out))
        return MIXX_ENULL;
    if (mixx__engine_check(e) != 0)
        return MIXX_ENOTINIT;
    if (n_in > MIXX_MAX_CHANNELS || n_out > MIXX_MAX_CHANNELS)
        return MIXX_ECHANNELS;
    for (uint32_t c = 0; c < n_in; c++)
        if (!in[c])
            return MIXX_ENULL;
    for (uint32_t c = 0; c < n_out; c++)
        if (!out[c])
            return MIXX_ENULL;
    /* announce ourselves before looking at the state, so stop() either sees us or we see it stopping */
    atomic_fetch_add(&e->in_cycle, 1);
    int rc = 0;
    int state = atomic_load(&e->state);
    if (state == MIXX_ST_NONE)
        rc = MIXX_ENOTINIT;
    else if (e->cfg.backend != MIXX_BACKEND_HOSTED)
        rc = MIXX_ENOTHOSTED;
    else if (state != MIXX_ST_RUNNING)
        rc = MIXX_ENOTRUNNING;
    else if (n_frames > e->cfg.max_buffer_size)
        rc = MIXX_EFRAMES;
    const float *const *src = in;
    if (rc == 0 && n_frames && n_in > 1 && n_out > 1 && alias_crossed(in, n_in, out, n_out))
        src = alias_inputs(e, in, n_in, out, n_out, n_frames, &rc);
    if (rc == 0) {
        if (n_frames) {
            /* the host's block size is the format: a change is published like a JACK buffer-size change */
            if (n_frames != atomic_load_explicit(&e->buffer, memory_order_relaxed))
                mixx__engine_format_publish(e, 0, n_frames);
            uint32_t fp = mixx_dsp_denormals_off(); /* FTZ/DAZ for the cycle; the host's setting comes back */
            mixx__engine_cycle(e, src, n_in, out, n_out, n_frames, 0, 0);
            mixx_dsp_denormals_restore(fp);
        }
    } else if (rc != MIXX_ENOTHOSTED) {
        silence(out, n_out, n_frames); /* also on MIXX_EFRAMES: the host's buffers hold n_frames, as documented */
    }
    atomic_fetch_sub(&e->in_cycle, 1);
    return rc;
}
