/* mixx.c: the mixx command-line tool's entry point: global flags and the subcommand table.
 * Each subcommand is in tools/cmd_<name>.c; shared parsing in tools/cli.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define MIXX_STR2(x) #x
#define MIXX_STR(x) MIXX_STR2(x)
#define MIXX_CLI_VERSION MIXX_STR(MIXX_VERSION_MAJOR) "." MIXX_STR(MIXX_VERSION_MINOR) "." MIXX_STR(MIXX_VERSION_PATCH)

typedef struct mixx_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} mixx_command;

static const mixx_command commands[] = {
    {"run", mixx_cmd_run, "pass-through run, prints a summary (--duration 10s)"},
    {"devices", mixx_cmd_devices, "list backends and devices (--json)"},
    {"latency", mixx_cmd_latency, "measure round-trip latency (--method multitone|impulse --count N)"},
    {"ladder", mixx_cmd_ladder, "try buffer sizes in turn, recommend the smallest glitch-free one"},
    {"stability", mixx_cmd_stability, "long run with latency meter, writes a report (--duration --out DIR)"},
    {"report", mixx_cmd_report, "re-render report.md and plots from a saved report DIR"},
    {"native", mixx_cmd_native, "bare clocked copy loop without the engine: the sim baseline (--json)"},
    {"bench", mixx_cmd_bench, "cost per block against the memcpy floor (--frames --channels --json); bench params"},
    {"params", mixx_cmd_params, "list every parameter: id, name, unit, range, default (--json)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: mixx <command> [options]\n       mixx --version | --help\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\ncommon options:\n"
               "  --backend sim|jack|portaudio   (default sim)   --rate HZ (48000)   --buffer FRAMES (64)\n"
               "  --inputs N --outputs N (2)     --json          --duration 20s|30m|1800\n"
               "  --rt-priority P (80, sim)      --mlock         --no-instrument     --log FILE.jsonl\n"
               "  --strict                       (device must run the requested rate/buffer)\n"
               "  --set NAME=VALUE (repeatable)  --preset FILE   parameters (run, stability, latency; mixx params)\n"
               "jack:  --client-name NAME --connect-in P,P --connect-out P,P --self-loop --no-connect\n"
               "portaudio: --device NAME|INDEX\n"
               "sim:   --sim-latency FRAMES (fractional ok) --sim-periods N (2) --sim-snr-db DB --sim-invert\n"
               "       --sim-gain G --sim-stall-us U --sim-stall-every N --sim-fail-after SECONDS --sim-slip F\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("mixx %s (libmixxengine %s)\n", MIXX_CLI_VERSION, mixx_version_string());
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc, argv);
    fprintf(stderr, "mixx: unknown command '%s' (see mixx --help)\n", argv[1]);
    return 2;
}
