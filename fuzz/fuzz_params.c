/* SPDX-License-Identifier: MIT */
/* fuzz_params.c: libFuzzer target for the parameter state parser (mixx_params_load) and the --set text
 * (mixx_param_set_text). Invariants: no crash or sanitizer report; a load that fails changes nothing (the saved
 * state is byte-identical before and after); a load that succeeds round-trips: save, load, save gives the same
 * text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mixxengine.h"
#include "mixxengine_params.h"

#define FUZZ_ASSERT(cond)                                                                                    \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "fuzz_params: %s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);        \
            abort();                                                                                         \
        }                                                                                                    \
    } while (0)

static mixx_engine *eng;
static char before[16384], after[16384], again[16384];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!eng) {
        mixx_config cfg;
        MIXX_CONFIG_INIT(&cfg);
        cfg.backend = MIXX_BACKEND_HOSTED;
        if (mixx_engine_create(&cfg, &eng) != 0)
            abort();
    }
    size_t l0, l1, l2;
    FUZZ_ASSERT(mixx_params_save(eng, before, sizeof before, &l0) == 0);
    int rc = mixx_params_load(eng, (const char *)data, size);
    FUZZ_ASSERT(mixx_params_save(eng, after, sizeof after, &l1) == 0);
    if (rc != 0) {
        FUZZ_ASSERT(l0 == l1 && memcmp(before, after, l0) == 0);
    } else {
        FUZZ_ASSERT(mixx_params_load(eng, after, l1) == 0);
        FUZZ_ASSERT(mixx_params_save(eng, again, sizeof again, &l2) == 0);
        FUZZ_ASSERT(l1 == l2 && memcmp(after, again, l1) == 0);
    }
    char text[256];
    size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
    memcpy(text, data, n);
    text[n] = '\0';
    rc = mixx_param_set_text(eng, text);
    FUZZ_ASSERT(rc == 0 || rc == MIXX_EINVAL || rc == MIXX_ENOPARAM || rc == MIXX_ERANGE || rc == MIXX_ENAN);
    return 0;
}
