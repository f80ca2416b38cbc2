/* cmd_report.c: mixx report (report rendering). Placeholder until its issue lands: refuses clearly. */
#include "cli.h"

int mixx_cmd_report(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return mixx_cli_fail("report", MIXX_EUNSUPPORTED, "not built yet");
}
