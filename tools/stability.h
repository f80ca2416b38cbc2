/* SPDX-License-Identifier: MIT */
/* stability.h: what tools/cmd_stability.c (the run) and tools/stability_dir.c (its report directory) share. */
#ifndef MIXX_STABILITY_H
#define MIXX_STABILITY_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "util.h"

/* Refuses a non-empty directory unless `force`; with `force` removes the previous report set and leftover
 * temporary files (nothing else). Returns 0, MIXX_EINVAL (not empty) or MIXX_EIO, with `why`. Control thread. */
int mixx_stability_prepare_dir(const mixx_dir *d, int force, char *why, size_t why_len);
/* Writes .run.json (the configuration, "incomplete": true) before the run. Returns 0, MIXX_EIO or MIXX_ENOMEM,
 * with `why`. Control thread. */
int mixx_stability_write_run_record(const mixx_dir *d, const mixx_cli *cli, const char *date, char *why,
                                    size_t why_len);
/* After the run: formats from the timeline into `root` (consumed), timeline.jsonl, report.json, .run.json
 * removed, rendering. Returns the exit code (0, or 1 after a one-line error). Control thread. */
int mixx_stability_finish(const mixx_dir *d, cJSON *root, int json_out);
/* The report's "host" object added to `root`: CPU model, cores, kernel, OS, memory (from /proc/cpuinfo, uname,
 * /etc/os-release, sysconf; "unknown" where one cannot say). Control thread. */
void mixx_stability_add_host(cJSON *root);

#endif
