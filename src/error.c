/* error.c: the text of every error code (generated from MIXX_ERRNO_MAP in include/mixxengine.h) and the
 * library's version. Nothing here touches an engine. */
#include "mixxengine.h"

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
