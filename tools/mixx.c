/* SPDX-License-Identifier: MIT */
/* mixx.c: the mixx command-line tool's entry point: global flags, help, dispatch. The command and option
 * table is tools/cli_doc.c; each subcommand is in tools/cmd_<name>.c; shared parsing in tools/cli.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define MIXX_STR2(x) #x
#define MIXX_STR(x) MIXX_STR2(x)
#define MIXX_CLI_VERSION MIXX_STR(MIXX_VERSION_MAJOR) "." MIXX_STR(MIXX_VERSION_MINOR) "." MIXX_STR(MIXX_VERSION_PATCH)

int main(int argc, char **argv)
{
    if (argc < 2) {
        mixx_cli_usage(stderr);
        return 2;
    }
    const char *a = argv[1];
    if (strcmp(a, "--version") == 0 || strcmp(a, "version") == 0) {
        printf("mixx %s (libmixxengine %s)\n", MIXX_CLI_VERSION, mixx_version_string());
        return 0;
    }
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "help") == 0) {
        if (argc > 2) { /* mixx help CMD */
            const mixx_cli_command *c = mixx_cli_command_find(argv[2]);
            if (!c) {
                fprintf(stderr, "mixx: unknown command '%s' (see mixx --help)\n", argv[2]);
                return 2;
            }
            mixx_cli_help(stdout, c);
            return 0;
        }
        mixx_cli_usage(stdout);
        return 0;
    }
    /* hidden: used by the build to generate share/man/man1/mixx.1 and the bash completion, and by the tests */
    if (strcmp(a, "--print-man") == 0) {
        mixx_cli_print_man(stdout, MIXX_CLI_VERSION);
        return 0;
    }
    if (strcmp(a, "--print-completion") == 0) {
        if (argc != 3 || strcmp(argv[2], "bash") != 0) {
            fprintf(stderr, "mixx: --print-completion: only 'bash' is supported\n");
            return 2;
        }
        mixx_cli_print_completion_bash(stdout);
        return 0;
    }
    if (strcmp(a, "--print-options") == 0) {
        const mixx_cli_command *c = argc > 2 ? mixx_cli_command_find(argv[2]) : NULL;
        if (argc > 2 && !c) {
            fprintf(stderr, "mixx: unknown command '%s'\n", argv[2]);
            return 2;
        }
        mixx_cli_print_options(stdout, c);
        return 0;
    }
    const mixx_cli_command *c = mixx_cli_command_find(a);
    if (!c) {
        fprintf(stderr, "mixx: unknown command '%s' (see mixx --help)\n", a);
        return 2;
    }
    /* CMD --help / -h anywhere among its options (not as the value of an option: a value is never "-h") */
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            mixx_cli_help(stdout, c);
            return 0;
        }
    return c->fn(argc, argv);
}
