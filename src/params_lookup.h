/* SPDX-License-Identifier: MIT */
/* params_lookup.h: the small lookups the three files of the parameter bus share (params.c, params_block.c,
 * params_state.c): float bits, the engine's bus, id and name hash tables, value domains; and the one write
 * path, mixx__bus_set. Any thread unless a function says otherwise. */
#ifndef MIXX_PARAMS_LOOKUP_H
#define MIXX_PARAMS_LOOKUP_H

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "engine_internal.h"
#include "params_internal.h"

static inline uint32_t f2u(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float u2f(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline uint32_t hash_id(uint32_t id)
{
    return id * 2654435761u;
}

static inline uint32_t hash_name(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static inline mixx_bus *bus_of(const mixx_engine *e)
{
    if (!e || e->magic != MIXX_ENGINE_MAGIC)
        return NULL;
    return e->bus;
}

static inline int on_audio_thread(const mixx_bus *b)
{
    unsigned long t = atomic_load_explicit(&((mixx_bus *)b)->audio_tid, memory_order_relaxed);
    return t != 0 && t == (unsigned long)pthread_self();
}

/* index of id, or MIXX_BUS_NONE */
static inline uint32_t find_id(const mixx_bus *b, uint32_t id)
{
    for (uint32_t h = hash_id(id) & b->hash_mask, n = 0; n <= b->hash_mask; h = (h + 1) & b->hash_mask, n++) {
        uint32_t v = atomic_load_explicit(&b->id_hash[h], memory_order_acquire);
        if (v == 0)
            return MIXX_BUS_NONE;
        if (b->ids[v - 1] == id)
            return v - 1;
    }
    return MIXX_BUS_NONE;
}

static inline uint32_t find_name(const mixx_bus *b, const char *name, size_t len)
{
    char tmp[MIXX_PARAM_NAME_MAX];
    if (len >= sizeof tmp)
        return MIXX_BUS_NONE;
    memcpy(tmp, name, len);
    tmp[len] = '\0';
    for (uint32_t h = hash_name(tmp) & b->hash_mask, n = 0; n <= b->hash_mask;
         h = (h + 1) & b->hash_mask, n++) {
        uint32_t v = atomic_load_explicit(&b->name_hash[h], memory_order_acquire);
        if (v == 0)
            return MIXX_BUS_NONE;
        if (strcmp(b->info[v - 1].name, tmp) == 0)
            return v - 1;
    }
    return MIXX_BUS_NONE;
}

static inline double to_domain(const mixx_bus *b, uint32_t idx, float v)
{
    return b->isdb[idx] ? pow(10.0, (double)v / 20.0) : (double)v;
}

/* clamp/round a finite value to what the parameter can hold */
static inline float conform(const mixx_bus *b, uint32_t idx, double v)
{
    const mixx_param_info *pi = &b->info[idx];
    if (pi->flags & MIXX_PARAM_BOOL)
        v = v >= 0.5 ? 1.0 : 0.0;
    else if (pi->flags & MIXX_PARAM_STEPPED)
        v = nearbyint(v);
    float f = (float)v;
    if (f < b->minf[idx])
        f = b->minf[idx];
    if (f > b->maxf[idx])
        f = b->maxf[idx];
    return f;
}
/* params.c: stores a finite value (conformed) in idx's latest-value slot and marks it dirty; MIXX_ENAN for
 * NaN/inf. Any thread but the audio thread. */
int mixx__bus_set(mixx_bus *b, uint32_t idx, double value);

#endif
