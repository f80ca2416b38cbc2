/* SPDX-License-Identifier: MIT */
/* cmd_report.c: mixx report DIR — re-renders DIR/report.md and the plots from the saved report.json and
 * timeline.jsonl, without re-running anything. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "report.h"

int mixx_cmd_report(int argc, char **argv)
{
    if (argc != 3 || strncmp(argv[2], "--", 2) == 0) {
        fprintf(stderr, "mixx: usage: mixx report DIR (a directory written by mixx stability)\n");
        return 2;
    }
    return mixx_report_render(argv[2], 0) == 0 ? 0 : 1;
}
