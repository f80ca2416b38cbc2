/* cmd_stability.c: mixx stability (stability run). Placeholder until its issue lands: refuses clearly. */
#include "cli.h"

int mixx_cmd_stability(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return mixx_cli_fail("stability", MIXX_EUNSUPPORTED, "not built yet");
}
