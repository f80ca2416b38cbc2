/* cmd_ladder.c: mixx ladder (buffer ladder). Placeholder until its issue lands: refuses clearly. */
#include "cli.h"

int mixx_cmd_ladder(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return mixx_cli_fail("ladder", MIXX_EUNSUPPORTED, "not built yet");
}
