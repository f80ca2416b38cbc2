/* cmd_bench.c: mixx bench (benchmarks). Placeholder until its issue lands: refuses clearly. */
#include "cli.h"

int mixx_cmd_bench(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return mixx_cli_fail("bench", MIXX_EUNSUPPORTED, "not built yet");
}
