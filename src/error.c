/* SPDX-License-Identifier: MIT */
/* error.c: the text of every error code (generated from MIXX_ERRNO_MAP in include/mixxengine.h), an
 * engine's last-error detail (the only writer of e->last_error), and the library's version. */
#include <stdarg.h>
#include <stdio.h>

#include "engine_internal.h"

/* ---- errors and versions -------------------------------------------------------------------------- */

const char *mixx_strerror(int err)
{
    switch (err) {
    case 0:
        return "success";
#define XX(name, code, text)                                                                                 \
    case code:                                                                                               \
        return text;
        MIXX_ERRNO_MAP(XX)
#undef XX
    default:
        return "unknown error";
    }
}

const char *mixx_error_name(int err)
{
    switch (err) {
    case 0:
        return "MIXX_OK";
#define XX(name, code, text)                                                                                 \
    case code:                                                                                               \
        return "MIXX_" #name;
        MIXX_ERRNO_MAP(XX)
#undef XX
    default:
        return "MIXX_UNKNOWN";
    }
}

#define MIXX_STR2(x) #x
#define MIXX_STR(x) MIXX_STR2(x)

unsigned mixx_version(void)
{
    return MIXX_VERSION_HEX;
}

const char *mixx_version_string(void)
{
    return MIXX_STR(MIXX_VERSION_MAJOR) "." MIXX_STR(MIXX_VERSION_MINOR) "." MIXX_STR(MIXX_VERSION_PATCH);
}

void mixx__engine_set_error(mixx_engine *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->last_error, sizeof e->last_error, fmt, ap);
    va_end(ap);
}

void mixx__engine_clear_error(mixx_engine *e)
{
    e->last_error[0] = '\0';
}

const char *mixx_engine_last_error(const mixx_engine *e)
{
    if (mixx__engine_check(e) == 0)
        return e->last_error;
    const char *facade = mixx__facade_error(e);
    return facade ? facade : "";
}
