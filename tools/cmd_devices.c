/* cmd_devices.c: mixx devices. Placeholder until the backends issue lands. */
#include "cli.h"

int mixx_cmd_devices(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return mixx_cli_fail("devices", MIXX_EUNSUPPORTED, "not built yet");
}
