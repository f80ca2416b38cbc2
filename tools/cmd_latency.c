/* cmd_latency.c: mixx latency (latency meter). Placeholder until its issue lands: refuses clearly. */
#include "cli.h"

int mixx_cmd_latency(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return mixx_cli_fail("latency", MIXX_EUNSUPPORTED, "not built yet");
}
