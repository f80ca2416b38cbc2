/* SPDX-License-Identifier: MIT */
/* config.c: the configuration's defaults and validation, and the sized-struct rules through which every
 * public struct crosses the ABI (an older caller's smaller struct, a newer caller's larger one).
 * What the engine does with a configuration is engine.c's business. */
#include <string.h>

#include "config.h"

/* The ABI promise rests on these: an older caller's sizeof must end on a field boundary. */
_Static_assert(sizeof(mixx_config) % 8 == 0, "mixx_config size must stay a multiple of 8");
_Static_assert(sizeof(mixx_stats) % 8 == 0, "mixx_stats size must stay a multiple of 8");
_Static_assert(sizeof(mixx_device_info) % 8 == 0, "mixx_device_info size must stay a multiple of 8");
_Static_assert(sizeof(mixx_jack_options) == 32 && sizeof(mixx_sim_faults) == 24 && sizeof(mixx_sim_options) == 56,
               "nested config groups are frozen");
_Static_assert(offsetof(mixx_config, struct_size) == 0 && offsetof(mixx_stats, struct_size) == 0 &&
                   offsetof(mixx_device_info, struct_size) == 0,
               "struct_size leads every sized struct");

int mixx__struct_size_ok(size_t size)
{
    return (size >= MIXX_STRUCT_SIZE_MIN && size % 8 == 0 && size <= (1u << 20)) ? 0 : MIXX_ESTRUCT;
}

int mixx__struct_in(void *own, size_t own_size, const void *caller, size_t caller_size)
{
    if (mixx__struct_size_ok(caller_size))
        return MIXX_ESTRUCT;
    const unsigned char *c = caller;
    for (size_t i = own_size; i < caller_size; i++) /* a newer caller's fields: only "not set" is honoured */
        if (c[i])
            return MIXX_ESTRUCT;
    memcpy(own, caller, caller_size < own_size ? caller_size : own_size);
    return 0;
}

int mixx__struct_out(void *caller, size_t caller_size, const void *own, size_t own_size)
{
    if (mixx__struct_size_ok(caller_size))
        return MIXX_ESTRUCT;
    size_t n = caller_size < own_size ? caller_size : own_size;
    memcpy(caller, own, n);
    if (caller_size > own_size)
        memset((unsigned char *)caller + own_size, 0, caller_size - own_size);
    uint32_t filled = (uint32_t)n;
    memcpy(caller, &filled, sizeof filled);
    return 0;
}

static void config_defaults(mixx_config *c)
{
    memset(c, 0, sizeof *c);
    c->struct_size = sizeof *c;
    c->backend = MIXX_BACKEND_SIM;
    c->sample_rate = 48000;
    c->buffer_size = 64;
    c->max_buffer_size = 8192;
    c->inputs = 2;
    c->outputs = 2;
    c->rt_priority = 80;
    c->instrument = 1;
    c->ring_capacity = 16384;
    c->sim.periods = 2;
    c->sim.gain = 1.0;
    c->sim.snr_db = 300.0;
}

int mixx_config_init(mixx_config *cfg, size_t size)
{
    if (!cfg)
        return MIXX_ENULL;
    mixx_config d;
    config_defaults(&d);
    int rc = mixx__struct_out(cfg, size, &d, sizeof d);
    if (rc)
        return rc;
    cfg->struct_size = (uint32_t)size; /* the caller's size, which create() reads back */
    return 0;
}

static int config_check(const mixx_config *c)
{
    if ((unsigned)c->backend >= MIXX_BACKEND_COUNT)
        return MIXX_EBACKEND;
    if (c->sample_rate == 0 || c->sample_rate > MIXX_MAX_RATE)
        return MIXX_ERATE;
    if (c->buffer_size == 0 || c->buffer_size > MIXX_MAX_BUFFER)
        return MIXX_EBUFSIZE;
    if (c->max_buffer_size < c->buffer_size || c->max_buffer_size > MIXX_MAX_BUFFER)
        return MIXX_EBUFSIZE;
    if (c->inputs > MIXX_MAX_CHANNELS || c->outputs > MIXX_MAX_CHANNELS || (c->inputs == 0 && c->outputs == 0))
        return MIXX_ECHANNELS;
    if (c->ring_capacity < 64 || c->ring_capacity > (1u << 24) ||
        (c->ring_capacity & (c->ring_capacity - 1)) != 0)
        return MIXX_EINVAL;
    if (c->rt_priority < 0 || c->rt_priority > 99)
        return MIXX_EINVAL;
    if (c->jack.reserved_ || c->sim.faults.reserved_)
        return MIXX_EINVAL;
    if (c->sim.periods < 1 || c->sim.periods > 16)
        return MIXX_EINVAL;
    if (!(c->sim.extra_latency >= 0.0 && c->sim.extra_latency <= 96000.0)) /* also rejects NaN */
        return MIXX_ERANGE;
    if (!(c->sim.gain >= 0.0 && c->sim.gain <= 16.0))
        return MIXX_ERANGE;
    if (!(c->sim.snr_db >= -60.0 && c->sim.snr_db <= 1000.0))
        return MIXX_ERANGE;
    if (!(c->sim.faults.fail_after_s >= 0.0 && c->sim.faults.fail_after_s <= 1e7))
        return MIXX_ERANGE;
    if (c->sim.faults.stall_us > 10000000u || c->sim.faults.slip_frames > 96000u)
        return MIXX_ERANGE;
    return 0;
}

int mixx__config_load(mixx_config *full, const mixx_config *caller)
{
    if (!full || !caller)
        return MIXX_ENULL;
    config_defaults(full);
    int rc = mixx__struct_in(full, sizeof *full, caller, caller->struct_size);
    if (rc)
        return rc;
    full->struct_size = sizeof *full;
    return config_check(full);
}

int mixx_config_validate(const mixx_config *cfg)
{
    mixx_config full;
    return mixx__config_load(&full, cfg);
}
