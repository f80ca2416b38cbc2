/* SPDX-License-Identifier: MIT */
/* cli_doc.c: the one description of mixx's commands and options, and everything generated from it: `mixx --help`,
 * `mixx CMD --help`, the mixx(1) man page (`mixx --print-man`) and the bash completion script
 * (`mixx --print-completion bash`). Parsing stays in cli.c and the cmd_*.c files; tests/test_cli_doc.py checks
 * that every option they parse is listed here. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Which commands an option belongs to. */
enum {
    C_RUN = 1u << 0,
    C_DEVICES = 1u << 1,
    C_LATENCY = 1u << 2,
    C_LADDER = 1u << 3,
    C_STABILITY = 1u << 4,
    C_REPORT = 1u << 5,
    C_NATIVE = 1u << 6,
    C_BENCH = 1u << 7,
    C_PARAMS = 1u << 8,
};
/* the options of the engine configuration (cli.c), shared by every command that starts an engine */
#define C_ENGINE (C_RUN | C_LATENCY | C_LADDER | C_STABILITY)

static const mixx_cli_command commands[] = {
    {"run", mixx_cmd_run, C_RUN, "[options]", "pass-through run that prints a summary",
     "Starts the engine with a pass-through callback for --duration (default 10s; Ctrl-C stops early) and prints "
     "the backend, the rate and buffer size it ran beside the ones requested, any format change while running "
     "(a JACK buffer-size or rate change: how many, and the format before the last), scheduling, callbacks, "
     "xruns, deadline misses, callback time and interval percentiles, DSP load and CPU use. --json prints one "
     "JSON object."},
    {"devices", mixx_cmd_devices, C_DEVICES, "[--backend NAME] [--json]", "list backends and devices",
     "Lists every backend (compiled in or not, available or not, and why) and its devices with channel counts, "
     "rates and default buffer size. --backend restricts the list to one backend; --json prints one JSON object."},
    {"latency", mixx_cmd_latency, C_LATENCY, "[options]", "measure round-trip latency",
     "Plays a test signal on output --loop-channel and listens on the same input (close the loop with a cable, "
     "--self-loop or --connect-in/--connect-out on JACK) and prints each measurement: frames, ms, the backend's "
     "expected figure and the excess. --json prints JSON Lines (one JSON object per measurement). Exit status 0 "
     "when every measurement is ok, 3 when some were no_signal or unreliable, 1 on an error."},
    {"ladder", mixx_cmd_ladder, C_LADDER, "[--sizes 128,96,64] [--step 10s] [options]",
     "try buffer sizes in turn, recommend the smallest glitch-free one",
     "Runs each buffer size for --settle (not counted) and then --step, and recommends the smallest size at which "
     "the engine itself stayed glitch-free: a deadline miss (the engine's callback overran the period) fails a "
     "size; a backend xrun without one is put down to the machine when the audio thread's late wake-ups explain "
     "it and it stays occasional (1 + 1 per 30 s); the recommendation says why. On JACK the server's size is changed only with "
     "--allow-server-change and put back at the end. --json prints one JSON object."},
    {"stability", mixx_cmd_stability, C_STABILITY, "--out DIR [options]",
     "long run with the latency meter that writes a report",
     "A long pass-through run (--duration, default 60s) with the latency meter in continuous mode, optionally beside "
     "a bare baseline client (--baseline after the run, --baseline-concurrent during it). Writes DIR/report.json, "
     "DIR/timeline.jsonl (JSON Lines), DIR/report.md and the plots. Ctrl-C and device loss "
     "still produce a complete report, marked."},
    {"report", mixx_cmd_report, C_REPORT, "DIR", "re-render report.md and the plots from a saved report directory",
     "Re-renders DIR/report.md and the plots from DIR/report.json and DIR/timeline.jsonl written by mixx "
     "stability, without running anything."},
    {"native", mixx_cmd_native, C_NATIVE, "[options]", "bare clocked copy loop without the engine (the sim baseline)",
     "One thread clocked like the sim device, doing only the copy and two timestamps per cycle, with no engine: the "
     "baseline of a sim stability report. Always prints one JSON object. For JACK, the baseline is the separate "
     "program mixx-jack-native."},
    {"bench", mixx_cmd_bench, C_BENCH, "[options]", "engine cost per block against the memcpy floor",
     "Times the engine's process() per block through the static library, the shared library and the PLT, the ring "
     "push and the latency meter, each beside the cost of copying the same samples (the floor). --json prints one "
     "JSON object; see docs/performance.md. `mixx bench params [--json] [--quick]` times the parameter bus instead."},
    {"params", mixx_cmd_params, C_PARAMS, "[--inputs N] [--outputs N] [--set NAME=VALUE] [--preset FILE] [--json]",
     "list every parameter: id, name, unit, range, default",
     "Lists the engine's parameters (id, name, unit, range, default, current value, smoothing, flags) for the "
     "given channel counts, after --set and --preset are applied. --json prints one JSON array."},
};

static const mixx_cli_option options[] = {
    /* engine configuration (cli.c) */
    {"--backend", "NAME", "backend: sim, jack or portaudio (default sim); hosted is for host applications only",
     C_ENGINE | C_DEVICES},
    {"--set", "NAME=VALUE", "set a parameter once the engine exists (repeatable; see mixx params)",
     C_RUN | C_LATENCY | C_STABILITY | C_PARAMS},
    {"--preset", "FILE", "apply a parameter state file (before --set)", C_RUN | C_LATENCY | C_STABILITY | C_PARAMS},
    {"--rate", "HZ", "requested sample rate (default 48000)", C_ENGINE | C_NATIVE | C_BENCH},
    {"--buffer", "FRAMES", "requested buffer size in frames (default 64)", C_ENGINE | C_NATIVE},
    {"--inputs", "N", "input channels, 0..64 (default 2)", C_ENGINE | C_NATIVE | C_PARAMS},
    {"--outputs", "N", "output channels, 0..64 (default 2)", C_ENGINE | C_NATIVE | C_PARAMS},
    {"--duration", "TIME", "how long to run: 20s, 250ms, 30m, 1h or seconds (must be more than 0)",
     C_ENGINE | C_NATIVE},
    {"--json", NULL, "machine-readable output on stdout", C_ENGINE | C_DEVICES | C_BENCH | C_PARAMS},
    {"--strict", NULL, "fail unless the device runs the requested rate and buffer size", C_ENGINE},
    {"--rt-priority", "P", "SCHED_FIFO priority of the audio thread where the engine creates it, 0..99 (default 80)",
     C_ENGINE | C_NATIVE},
    {"--mlock", NULL, "lock the process's memory (mlockall)", C_ENGINE},
    {"--no-instrument", NULL, "no per-callback timing records (no percentiles)", C_ENGINE},
    {"--log", "FILE", "write every callback record to FILE as JSON Lines", C_ENGINE},
    {"--device", "NAME|INDEX", "PortAudio device (see mixx devices)", C_ENGINE},
    {"--server", "NAME", "JACK server to connect to (default: $JACK_DEFAULT_SERVER, else the default server)",
     C_ENGINE},
    {"--client-name", "NAME", "JACK client name", C_ENGINE},
    {"--connect-in", "PORT,PORT", "JACK ports to connect to the inputs", C_ENGINE},
    {"--connect-out", "PORT,PORT", "JACK ports to connect the outputs to", C_ENGINE},
    {"--self-loop", NULL, "JACK: connect each output to the matching input (a loop for latency)", C_ENGINE},
    {"--no-connect", NULL, "JACK: make no connection at all", C_ENGINE},
    {"--sim-latency", "FRAMES", "sim: extra loop latency, may be fractional", C_ENGINE},
    {"--sim-periods", "N", "sim: periods of buffering in the loop, 1..16 (default 2)", C_ENGINE},
    {"--sim-snr-db", "DB", "sim: noise added to the loop, as a signal-to-noise ratio", C_ENGINE},
    {"--sim-invert", NULL, "sim: invert the loop's polarity", C_ENGINE},
    {"--sim-gain", "G", "sim: loop gain, 0..16", C_ENGINE},
    {"--sim-stall-us", "US", "sim: stall the callback thread this many µs (fault injection)", C_ENGINE},
    {"--sim-stall-every", "N", "sim: stall every N callbacks", C_ENGINE},
    {"--sim-fail-after", "TIME", "sim: lose the device after this long", C_ENGINE},
    {"--sim-slip", "FRAMES", "sim: shift the loop by this many frames halfway (a slip)", C_ENGINE},
    /* latency and stability */
    {"--loop-channel", "N", "channel whose output is looped back to its input (default 0)", C_LATENCY | C_STABILITY},
    {"--method", "M", "latency method: multitone (default) or impulse", C_LATENCY | C_STABILITY},
    {"--count", "N", "number of measurements (default 3)", C_LATENCY},
    {"--continuous", NULL, "one measurement per second until --count or --duration", C_LATENCY},
    /* ladder */
    {"--sizes", "LIST", "buffer sizes to try, comma-separated (default 128,96,64)", C_LADDER},
    {"--step", "TIME", "time counted at each size (default 10s), after the settling time", C_LADDER},
    {"--settle", "TIME", "time after each size change that is not counted (default 1s)", C_LADDER},
    {"--allow-server-change", NULL, "JACK: let the ladder change the server's buffer size (restored at the end)",
     C_LADDER},
    /* stability */
    {"--out", "DIR", "report directory (required)", C_STABILITY},
    {"--baseline", NULL, "run the bare baseline client after the engine, same settings", C_STABILITY},
    {"--baseline-concurrent", NULL, "run the bare baseline client during the engine's run", C_STABILITY},
    {"--placement", "MODE", "sim with --baseline-concurrent: swap (default: the engine's audio thread and the "
                            "baseline trade two CPUs every 5 s, so neither keeps the noisier one) or free (left "
                            "to the scheduler)", C_STABILITY},
    {"--force", NULL, "replace a report already in --out", C_STABILITY},
    {"--no-latency", NULL, "no latency meter (no loop needed)", C_STABILITY},
    {"--note", "TEXT", "your account of the conditions, copied into the report", C_STABILITY},
    {"--records", "FILE", "write every callback's record as CSV (seq,start_ns,duration_ns,interval_ns,frames,flags) "
                          "to a new FILE, for tail investigations", C_STABILITY | C_NATIVE},
    {"--progress-interval", "TIME", "how often to print progress on stderr", C_STABILITY},
    /* bench */
    {"--frames", "N", "frames per block (default 64)", C_BENCH},
    {"--channels", "N", "channels (default 2)", C_BENCH},
    {"--reps", "N", "timed repetitions", C_BENCH},
    {"--warmup", "N", "untimed repetitions first", C_BENCH},
    {"--blocks", "N", "blocks per repetition", C_BENCH},
    {"--ring", "N", "instrumentation ring capacity, a power of two", C_BENCH},
    {"--target-us", "US", "per-block budget in µs that figures are flagged against (default 5)", C_BENCH},
    {"--lib", "PATH", "libmixxengine.so to time (default: beside mixx)", C_BENCH},
    {"--plt", "PATH", "mixx-bench-plt helper to run (default: beside mixx)", C_BENCH},
    {"--callgrind-mode", "WHAT", "run one case for callgrind's exact instruction counts", C_BENCH},
    {"--callgrind-info", NULL, "say whether this build can count only the timed loop", C_BENCH},
    {"--scaling", NULL, "sweep frames and channels", C_BENCH},
    {"--tsv", NULL, "tab-separated output (with --scaling)", C_BENCH},
    {"--no-shared", NULL, "skip the shared-library case", C_BENCH},
    {"--no-plt", NULL, "skip the PLT case", C_BENCH},
    {"--no-pace", NULL, "run blocks back to back instead of paced", C_BENCH},
    {"--quick", NULL, "with `mixx bench params`: a short run", C_BENCH},
    /* everywhere */
    {"--help", NULL, "this help (also -h, or mixx help CMD)", ~0u},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])
#define N_OPTIONS (sizeof options / sizeof options[0])

const mixx_cli_command *mixx_cli_commands(size_t *n)
{
    *n = N_COMMANDS;
    return commands;
}

const mixx_cli_command *mixx_cli_command_find(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(name, commands[i].name) == 0)
            return &commands[i];
    return NULL;
}

static void print_option(FILE *f, const mixx_cli_option *o)
{
    char lhs[64];
    snprintf(lhs, sizeof lhs, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    fprintf(f, "  %-26s %s\n", lhs, o->desc);
}

void mixx_cli_help(FILE *f, const mixx_cli_command *c)
{
    fprintf(f, "usage: mixx %s %s\n\n", c->name, c->synopsis);
    /* the description, wrapped at 100 columns */
    const char *p = c->description;
    while (*p) {
        size_t len = strlen(p);
        size_t cut = len;
        if (len > 100) {
            cut = 100;
            while (cut > 0 && p[cut] != ' ')
                cut--;
            if (cut == 0)
                cut = 100;
        }
        fprintf(f, "%.*s\n", (int)cut, p);
        p += cut;
        while (*p == ' ')
            p++;
    }
    fprintf(f, "\noptions (--opt VALUE or --opt=VALUE):\n");
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (options[i].commands & c->bit)
            print_option(f, &options[i]);
}

void mixx_cli_usage(FILE *f)
{
    fprintf(f, "usage: mixx <command> [options]\n"
               "       mixx <command> --help | mixx help <command>\n"
               "       mixx --version | --help\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\noptions (which command takes which: mixx <command> --help, or man mixx):\n");
    for (size_t i = 0; i < N_OPTIONS; i++) {
        fprintf(f, "  ");
        char lhs[64];
        snprintf(lhs, sizeof lhs, "%s%s%s", options[i].name, options[i].arg ? " " : "",
                 options[i].arg ? options[i].arg : "");
        fprintf(f, "%-26s [", lhs);
        int first = 1;
        for (size_t k = 0; k < N_COMMANDS; k++)
            if (options[i].commands & commands[k].bit) {
                fprintf(f, "%s%s", first ? "" : " ", commands[k].name);
                first = 0;
            }
        fprintf(f, "] %s\n", options[i].desc);
    }
}

/* troff text: a leading dot or quote is escaped, backslashes doubled, '-' as \- (a minus, copyable) and µ as
 * \(mc. */
static void roff(FILE *f, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", f);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xb5) {
            fputs("\\(mc", f);
            s++;
        } else
            fputc(*s, f);
    }
}

void mixx_cli_print_man(FILE *f, const char *version)
{
    fprintf(f, ".\\\" mixx(1): generated by `mixx --print-man` from tools/cli_doc.c; do not edit.\n");
    fprintf(f, ".TH MIXX 1 \"\" \"mixx %s\" \"MixxEngine\"\n", version);
    fprintf(f, ".SH NAME\nmixx \\- run, measure and report on the MixxEngine low-latency audio engine\n");
    fprintf(f, ".SH SYNOPSIS\n.B mixx\n.I command\n.RI [ options ]\n.br\n.B mixx\n.I command\n.B \\-\\-help\n"
               ".br\n.B mixx help\n.I command\n.br\n.B mixx \\-\\-version\n");
    fprintf(f, ".SH DESCRIPTION\n.B mixx\ndrives the engine on the simulated device, JACK or PortAudio: pass-through "
               "runs, round-trip latency measurements, buffer-size ladders, long stability runs with a report, and "
               "benchmarks. Options are written\n.B \\-\\-opt VALUE\nor\n.BR \\-\\-opt=VALUE .\n");
    fprintf(f, ".SH COMMANDS\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        fprintf(f, ".SS \"mixx %s ", commands[i].name);
        roff(f, commands[i].synopsis);
        fprintf(f, "\"\n");
        roff(f, commands[i].description);
        fprintf(f, "\n.PP\nOptions:\n");
        for (size_t k = 0; k < N_OPTIONS; k++) {
            if (!(options[k].commands & commands[i].bit))
                continue;
            fprintf(f, ".TP\n%s \"", options[k].arg ? ".BI" : ".B");
            roff(f, options[k].name);
            if (options[k].arg) {
                fputs(" \" \"", f);
                roff(f, options[k].arg);
            }
            fputs("\"\n", f);
            roff(f, options[k].desc);
            fputc('\n', f);
        }
    }
    fprintf(f, ".SH EXIT STATUS\n0 success; 1 an error (one line on stderr names it); 2 a usage error; 3 the run "
               "completed but found a problem (device lost, latency measurements without signal).\n");
    fprintf(f, ".SH FILES\nmixx stability writes report.json, timeline.jsonl (JSON Lines), report.md and PNG plots "
               "into its\n.B \\-\\-out\ndirectory.\n");
    fprintf(f, ".SH SEE ALSO\n.BR jackd (1),\n.BR jack_lsp (1)\n");
}

void mixx_cli_print_completion_bash(FILE *f)
{
    fprintf(f, "# bash completion for mixx: generated by `mixx --print-completion bash` from tools/cli_doc.c.\n");
    fprintf(f, "_mixx()\n{\n    local cur prev cmd\n    cur=${COMP_WORDS[COMP_CWORD]}\n"
               "    prev=${COMP_WORDS[COMP_CWORD-1]}\n    cmd=${COMP_WORDS[1]}\n");
    fprintf(f, "    if [ \"$COMP_CWORD\" -eq 1 ]; then\n        COMPREPLY=($(compgen -W '");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "%s ", commands[i].name);
    fprintf(f, "help --help --version' -- \"$cur\"))\n        return\n    fi\n");
    fprintf(f, "    if [ \"$cmd\" = help ]; then\n        COMPREPLY=($(compgen -W '");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "%s%s", i ? " " : "", commands[i].name);
    fprintf(f, "' -- \"$cur\"))\n        return\n    fi\n");
    fprintf(f, "    case $prev in\n"
               "        --backend) COMPREPLY=($(compgen -W 'sim jack portaudio' -- \"$cur\")); return ;;\n"
               "        --method) COMPREPLY=($(compgen -W 'multitone impulse' -- \"$cur\")); return ;;\n"
               "        --out|--log|--lib|--plt) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n");
    /* any other option that takes a value: nothing to offer */
    fprintf(f, "        ");
    int first = 1;
    for (size_t k = 0; k < N_OPTIONS; k++) {
        const char *n = options[k].name;
        if (!options[k].arg || !strcmp(n, "--backend") || !strcmp(n, "--method") || !strcmp(n, "--out") ||
            !strcmp(n, "--log") || !strcmp(n, "--lib") || !strcmp(n, "--plt"))
            continue;
        fprintf(f, "%s%s", first ? "" : "|", n);
        first = 0;
    }
    fprintf(f, ") return ;;\n    esac\n    case $cmd in\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        fprintf(f, "        %s) COMPREPLY=($(compgen -W '", commands[i].name);
        first = 1;
        for (size_t k = 0; k < N_OPTIONS; k++)
            if (options[k].commands & commands[i].bit) {
                fprintf(f, "%s%s", first ? "" : " ", options[k].name);
                first = 0;
            }
        fprintf(f, "' -- \"$cur\"))");
        if (commands[i].bit == C_REPORT)
            fprintf(f, "; [ \"${cur#-}\" = \"$cur\" ] && COMPREPLY=($(compgen -d -- \"$cur\"))");
        fprintf(f, " ;;\n");
    }
    fprintf(f, "    esac\n}\ncomplete -F _mixx mixx\n");
}

void mixx_cli_print_options(FILE *f, const mixx_cli_command *c)
{
    for (size_t k = 0; k < N_OPTIONS; k++)
        if (!c || (options[k].commands & c->bit))
            fprintf(f, "%s\n", options[k].name);
}
