/* SPDX-License-Identifier: MIT */
/* mixxengine/version.h: compile-time version of the MixxEngine API (runtime: mixx_version()). */
#ifndef MIXXENGINE_VERSION_H
#define MIXXENGINE_VERSION_H

#define MIXX_VERSION_MAJOR 0
#define MIXX_VERSION_MINOR 1
#define MIXX_VERSION_PATCH 0
#define MIXX_VERSION_HEX ((MIXX_VERSION_MAJOR << 16) | (MIXX_VERSION_MINOR << 8) | MIXX_VERSION_PATCH)

#endif
