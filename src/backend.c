/* SPDX-License-Identifier: MIT */
/* backend.c: the backend registry: one ops table per backend, NULL where compiled out, their names, and the
 * public calls that need no engine (mixx_backend_available, mixx_list_devices). Devices live in
 * backend_<name>.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "config.h"

/* ---- backend registry ------------------------------------------------------------------------------ */

static const mixx_backend_ops *const backend_table[MIXX_BACKEND_COUNT] = {
    [MIXX_BACKEND_SIM] = &mixx_backend_sim_ops,
    [MIXX_BACKEND_HOSTED] = &mixx_backend_hosted_ops,
#ifdef MIXX_HAVE_JACK
    [MIXX_BACKEND_JACK] = &mixx_backend_jack_ops,
#endif
#ifdef MIXX_HAVE_PORTAUDIO
    [MIXX_BACKEND_PORTAUDIO] = &mixx_backend_portaudio_ops,
#endif
};

static const char *const backend_names[MIXX_BACKEND_COUNT] = {"sim", "jack", "portaudio", "hosted"};

const char *mixx_backend_name(mixx_backend b)
{
    return ((unsigned)b < MIXX_BACKEND_COUNT) ? backend_names[b] : NULL;
}

int mixx_backend_from_name(const char *name, mixx_backend *out)
{
    if (!name || !out)
        return MIXX_ENULL;
    for (int i = 0; i < MIXX_BACKEND_COUNT; i++) {
        if (strcmp(name, backend_names[i]) == 0) {
            *out = (mixx_backend)i;
            return 0;
        }
    }
    return MIXX_EBACKEND;
}

static void set_why(char *why, size_t len, const char *text)
{
    if (why && len)
        snprintf(why, len, "%s", text);
}

int mixx_backend_available(mixx_backend b, char *why, size_t why_len)
{
    set_why(why, why_len, "");
    if ((unsigned)b >= MIXX_BACKEND_COUNT) {
        set_why(why, why_len, "unknown backend");
        return 0;
    }
    const mixx_backend_ops *ops = backend_table[b];
    if (!ops) {
        set_why(why, why_len, "not compiled in (library built without it)");
        return 0;
    }
    return ops->available ? ops->available(why, why_len) : 1;
}

int mixx_list_devices(mixx_backend b, mixx_device_info *out, size_t cap, size_t size, size_t *count)
{
    if (!count || (cap && !out))
        return MIXX_ENULL;
    *count = 0;
    if (mixx__struct_size_ok(size))
        return MIXX_ESTRUCT;
    if ((unsigned)b >= MIXX_BACKEND_COUNT || b == MIXX_BACKEND_HOSTED || !backend_table[b])
        return MIXX_EBACKEND;
    if (!backend_table[b]->list_devices)
        return 0;
    /* backends fill whole structs of this library's size; the caller's stride may differ */
    mixx_device_info *tab = cap ? calloc(cap, sizeof *tab) : NULL;
    if (cap && !tab)
        return MIXX_ENOMEM;
    int rc = backend_table[b]->list_devices(tab, cap, count);
    if (rc == 0)
        for (size_t i = 0; i < cap && i < *count; i++)
            mixx__struct_out((unsigned char *)out + i * size, size, &tab[i], sizeof tab[i]);
    free(tab);
    return rc;
}

const mixx_backend_ops *mixx__backend_ops(mixx_backend b)
{
    return (unsigned)b < MIXX_BACKEND_COUNT ? backend_table[b] : NULL;
}
