/* SPDX-License-Identifier: MIT */
/* params_state.c: the parameter bus's state as JSON text: mixx_params_save, mixx_params_load with its own
 * strict parser (all or nothing), and mixx_param_set_text ("name=value"). Control threads; the bus itself is
 * params.c, its audio-thread side params_block.c. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "params_internal.h"
#include "params_lookup.h"

/* ---- state as text ---------------------------------------------------------------------------------------- */

int mixx_params_save(const mixx_engine *e, char *buf, size_t cap, size_t *len)
{
    if (!e || !len || (cap && !buf))
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    uint32_t n = atomic_load_explicit(&b->count, memory_order_acquire);
    size_t used = 0;
    char sink[1]; /* where a size-only pass (buf NULL, cap 0) points snprintf: never written, size 0 */
#define SAVE_PUT(...)                                                                                        \
    do {                                                                                                     \
        int k_ = snprintf(buf && used < cap ? buf + used : sink, buf && used < cap ? cap - used : 0,       \
                          __VA_ARGS__);                                                                      \
        used += (size_t)(k_ > 0 ? k_ : 0);                                                                   \
    } while (0)
    SAVE_PUT("{\"mixx_params\":1,\"values\":{");
    for (uint32_t i = 0; i < n; i++)
        SAVE_PUT("%s\n\"%s\":%.9g", i ? "," : "", b->info[i].name,
                 (double)u2f(atomic_load_explicit(&b->value[i], memory_order_acquire)));
    SAVE_PUT("\n}}\n");
#undef SAVE_PUT
    *len = used;
    if (used >= cap) {
        if (cap)
            buf[0] = '\0';
        return MIXX_ENOMEM;
    }
    return 0;
}

/* The strict parser of the saved format: one object with "mixx_params":1 and "values":{name:number,...}, in any
 * order, JSON whitespace, JSON numbers only (no NaN/Infinity), names without escapes. Bounded, no recursion. */
typedef struct pparse {
    const char *p, *end;
} pparse;

static void pp_ws(pparse *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static int pp_char(pparse *s, char c)
{
    pp_ws(s);
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return 1;
    }
    return 0;
}

/* a string without escapes or control characters; returns its span */
static int pp_string(pparse *s, const char **str, size_t *len)
{
    if (!pp_char(s, '"'))
        return 0;
    const char *a = s->p;
    while (s->p < s->end && *s->p != '"') {
        unsigned char c = (unsigned char)*s->p;
        if (c < 0x20 || c == '\\')
            return 0;
        s->p++;
    }
    if (s->p >= s->end)
        return 0;
    *str = a;
    *len = (size_t)(s->p - a);
    s->p++;
    return 1;
}

/* the JSON number grammar, then strtod on a bounded copy */
static int pp_number(pparse *s, double *out)
{
    pp_ws(s);
    const char *a = s->p, *p = s->p, *e = s->end;
    if (p < e && *p == '-')
        p++;
    if (p >= e || *p < '0' || *p > '9')
        return 0;
    if (*p == '0')
        p++;
    else
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    if (p < e && *p == '.') {
        p++;
        if (p >= e || *p < '0' || *p > '9')
            return 0;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        if (p >= e || *p < '0' || *p > '9')
            return 0;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    char tmp[64];
    size_t n = (size_t)(p - a);
    if (n >= sizeof tmp)
        return 0;
    memcpy(tmp, a, n);
    tmp[n] = '\0';
    errno = 0;
    *out = strtod(tmp, NULL);
    s->p = p;
    return 1;
}

static int parse_state(mixx_bus *b, const char *text, size_t len, float *vals, uint8_t *has)
{
    pparse s = {text, text + len};
    int seen_version = 0, seen_values = 0;
    if (!pp_char(&s, '{'))
        return MIXX_EPRESET;
    if (pp_char(&s, '}'))
        return MIXX_EPRESET;
    for (;;) {
        const char *k;
        size_t kl;
        if (!pp_string(&s, &k, &kl) || !pp_char(&s, ':'))
            return MIXX_EPRESET;
        if (kl == 11 && memcmp(k, "mixx_params", 11) == 0 && !seen_version) {
            double v;
            if (!pp_number(&s, &v) || v != 1.0)
                return MIXX_EPRESET;
            seen_version = 1;
        } else if (kl == 6 && memcmp(k, "values", 6) == 0 && !seen_values) {
            seen_values = 1;
            if (!pp_char(&s, '{'))
                return MIXX_EPRESET;
            if (!pp_char(&s, '}')) {
                for (;;) {
                    const char *name;
                    size_t nl;
                    double v;
                    if (!pp_string(&s, &name, &nl) || !pp_char(&s, ':') || !pp_number(&s, &v))
                        return MIXX_EPRESET;
                    uint32_t idx = find_name(b, name, nl);
                    if (idx == MIXX_BUS_NONE)
                        return MIXX_ENOPARAM;
                    if (!isfinite(v))
                        return MIXX_ENAN; /* 1e999 */
                    float f = (float)v;
                    if (f < b->minf[idx] || f > b->maxf[idx])
                        return MIXX_ERANGE;
                    if (has[idx])
                        return MIXX_EPRESET; /* a name twice */
                    vals[idx] = conform(b, idx, v);
                    has[idx] = 1;
                    if (pp_char(&s, '}'))
                        break;
                    if (!pp_char(&s, ','))
                        return MIXX_EPRESET;
                }
            }
        } else {
            return MIXX_EPRESET;
        }
        if (pp_char(&s, '}'))
            break;
        if (!pp_char(&s, ','))
            return MIXX_EPRESET;
    }
    pp_ws(&s);
    if (s.p != s.end || !seen_version || !seen_values)
        return MIXX_EPRESET;
    return 0;
}

int mixx_params_load(mixx_engine *e, const char *text, size_t len)
{
    if (!e || (!text && len))
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    if (on_audio_thread(b))
        return MIXX_EAUDIOTHREAD;
    float *vals = calloc(MIXX_PARAM_MAX, sizeof *vals);
    uint8_t *has = calloc(MIXX_PARAM_MAX, 1);
    if (!vals || !has) {
        free(vals);
        free(has);
        return MIXX_ENOMEM;
    }
    int rc = text ? parse_state(b, text, len, vals, has) : MIXX_EPRESET;
    if (rc == 0) {
        uint32_t n = atomic_load_explicit(&b->count, memory_order_acquire);
        for (uint32_t i = 0; i < n; i++)
            if (has[i]) {
                atomic_store_explicit(&b->value[i], f2u(vals[i]), memory_order_relaxed);
                mixx__bus_mark(b, i);
            }
    }
    free(vals);
    free(has);
    return rc;
}

int mixx_param_set_text(mixx_engine *e, const char *a)
{
    if (!e || !a)
        return MIXX_ENULL;
    mixx_bus *b = bus_of(e);
    if (!b)
        return MIXX_ENOTINIT;
    if (on_audio_thread(b))
        return MIXX_EAUDIOTHREAD;
    const char *eq = strchr(a, '=');
    if (!eq)
        return MIXX_EINVAL;
    uint32_t idx = find_name(b, a, (size_t)(eq - a));
    if (idx == MIXX_BUS_NONE)
        return MIXX_ENOPARAM;
    const char *vs = eq + 1;
    if (strcmp(vs, "nan") == 0 || strcmp(vs, "NaN") == 0 || strcmp(vs, "inf") == 0 || strcmp(vs, "-inf") == 0)
        return MIXX_ENAN;
    if ((b->info[idx].flags & MIXX_PARAM_BOOL) && (strcmp(vs, "on") == 0 || strcmp(vs, "true") == 0))
        vs = "1";
    else if ((b->info[idx].flags & MIXX_PARAM_BOOL) && (strcmp(vs, "off") == 0 || strcmp(vs, "false") == 0))
        vs = "0";
    pparse s = {vs, vs + strlen(vs)};
    double v;
    if (!pp_number(&s, &v) || s.p != s.end)
        return MIXX_EINVAL;
    if (!isfinite(v))
        return MIXX_ENAN;
    float f = (float)v;
    if (f < b->minf[idx] || f > b->maxf[idx])
        return MIXX_ERANGE;
    return mixx__bus_set(b, idx, v);
}
