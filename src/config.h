/* SPDX-License-Identifier: MIT */
/* config.h: the sized-struct rules of the public ABI (mixx_config, mixx_stats, mixx_device_info) and the
 * configuration limits. Implemented in config.c; no engine state lives here. */
#ifndef MIXX_CONFIG_H
#define MIXX_CONFIG_H

#include <stddef.h>

#include "mixxengine.h"

#define MIXX_MAX_RATE 768000u
#define MIXX_MAX_BUFFER 8192u
#define MIXX_MAX_CHANNELS 64u

/* A caller's struct of caller_size bytes read into ours (own_size bytes, already holding the defaults): the
 * common prefix is copied; a caller's part beyond own_size must be all zero. Returns 0 or MIXX_ESTRUCT. */
int mixx__struct_in(void *own, size_t own_size, const void *caller, size_t caller_size);
/* Ours written into a caller's struct of caller_size bytes: the common prefix is copied, the caller's part
 * beyond own_size zeroed, and the leading uint32_t struct_size set to the bytes filled. Returns 0 or
 * MIXX_ESTRUCT. */
int mixx__struct_out(void *caller, size_t caller_size, const void *own, size_t own_size);
/* MIXX_ESTRUCT unless size is acceptable for a sized struct (>= MIXX_STRUCT_SIZE_MIN, multiple of 8). */
int mixx__struct_size_ok(size_t size);
/* A complete configuration from a caller's (any size): defaults for the fields it does not have, then
 * validated. Returns 0, MIXX_ENULL, MIXX_ESTRUCT or a mixx_config_validate error. Any thread. */
int mixx__config_load(mixx_config *full, const mixx_config *caller);

#endif
