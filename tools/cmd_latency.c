/* SPDX-License-Identifier: MIT */
/* cmd_latency.c: `mixx latency`: starts the engine, runs the round-trip latency meter on one loop channel
 * and prints each measurement (text or one JSON object per line). The meter itself is src/rtl.c.
 * Exit status: 0 all measurements OK, 3 some were no_signal/unreliable, 1 error, 2 usage. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct latency_opts {
    uint32_t channel;
    uint32_t count;
    int count_set;
    mixx_rtl_method method;
    int continuous;
} latency_opts;

static int latency_option(void *ctx, const char *opt, const char *val, int *used_val)
{
    latency_opts *o = ctx;
    if (strcmp(opt, "--continuous") == 0) {
        o->continuous = 1;
        return 1;
    }
    if (strcmp(opt, "--loop-channel") == 0 || strcmp(opt, "--count") == 0 || strcmp(opt, "--method") == 0) {
        if (!val) {
            fprintf(stderr, "mixx: option %s needs a value\n", opt);
            return -1;
        }
        *used_val = 1;
        if (strcmp(opt, "--loop-channel") == 0) {
            if (mixx_parse_u32(val, 0, 63, &o->channel)) {
                fprintf(stderr, "mixx: invalid value '%s' for --loop-channel (expected 0..63)\n", val);
                return -1;
            }
        } else if (strcmp(opt, "--count") == 0) {
            if (mixx_parse_u32(val, 1, 1000000, &o->count)) {
                fprintf(stderr, "mixx: invalid value '%s' for --count (expected 1..1000000)\n", val);
                return -1;
            }
            o->count_set = 1;
        } else if (strcmp(val, "multitone") == 0) {
            o->method = MIXX_RTL_MULTITONE;
        } else if (strcmp(val, "impulse") == 0) {
            o->method = MIXX_RTL_IMPULSE;
        } else {
            fprintf(stderr, "mixx: invalid value '%s' for --method (expected multitone or impulse)\n", val);
            return -1;
        }
        return 1;
    }
    return 0;
}

/* A number with a fixed number of decimals, or null. */
static void json_fixed(FILE *f, double v, int decimals)
{
    if (isfinite(v)) {
        double q = pow(10.0, decimals);
        double rounded = round(v * q) / q;
        fprintf(f, "%.*f", decimals, rounded == 0.0 ? 0.0 : rounded); /* never "-0.000" */
    }
    else
        fputs("null", f);
}

static void print_json(const mixx_rtl_result *r, const mixx_config *cfg, const mixx_config *req, const latency_opts *o)
{
    printf("{\"seq\":%llu,\"t_s\":", (unsigned long long)r->seq);
    json_fixed(stdout, r->t_s, 3);
    printf(",\"status\":\"%s\",\"rtl_frames\":", mixx_rtl_status_name(r->status));
    json_fixed(stdout, r->rtl_frames, 3);
    fputs(",\"rtl_ms\":", stdout);
    json_fixed(stdout, r->rtl_ms, 4);
    fputs(",\"expected_rtl_frames\":", stdout);
    json_fixed(stdout, r->expected_rtl_frames, 3);
    fputs(",\"excess_frames\":", stdout);
    json_fixed(stdout, r->excess_frames, 3);
    printf(",\"inverted\":%s,\"quality\":", r->status == MIXX_RTL_NO_SIGNAL ? "null" : r->inverted ? "true" : "false");
    json_fixed(stdout, r->quality, 3);
    fputs(",\"snr_db\":", stdout);
    json_fixed(stdout, r->snr_db, 1);
    printf(",\"integration_s\":%.3f,\"slip\":%s,\"method\":\"%s\",\"backend\":", r->integration_s, r->slip ? "true" : "false",
           o->method == MIXX_RTL_IMPULSE ? "impulse" : "multitone");
    mixx_json_str(stdout, mixx_backend_name(cfg->backend));
    printf(",\"sample_rate\":%u,\"buffer_size\":%u,\"requested\":{\"sample_rate\":%u,\"buffer_size\":%u},"
           "\"loop_channel\":%u}\n",
           cfg->sample_rate, cfg->buffer_size, req->sample_rate, req->buffer_size, o->channel);
    fflush(stdout);
}

static void print_text(const mixx_rtl_result *r)
{
    printf("#%-3llu ", (unsigned long long)r->seq);
    if (r->status == MIXX_RTL_OK) {
        printf("%10.3f frames %8.3f ms", r->rtl_frames, r->rtl_ms);
        if (isfinite(r->expected_rtl_frames))
            printf("  expected %.3f  excess %+.3f", r->expected_rtl_frames,
                   fabs(r->excess_frames) < 0.0005 ? 0.0 : r->excess_frames);
        printf("  %s  quality %.2f  snr %.1f dB  over %.2f s%s\n", r->inverted ? "INVERTED" : "polarity ok",
               r->quality, r->snr_db, r->integration_s, r->slip ? "  SLIP" : "");
    } else if (r->status == MIXX_RTL_NO_SIGNAL) {
        printf("no signal (is the loop closed? check --loop-channel and the connections)\n");
    } else {
        printf("unreliable (quality %.2f", r->quality);
        if (isfinite(r->snr_db))
            printf(", snr %.1f dB", r->snr_db);
        printf(": too noisy, out of range, or the loop changed during the measurement; over %.2f s)\n",
               r->integration_s);
    }
    fflush(stdout);
}

int mixx_cmd_latency(int argc, char **argv)
{
    mixx_cli cli;
    mixx_cli_init(&cli, argc, argv);
    latency_opts o = {0, 3, 0, MIXX_RTL_MULTITONE, 0};
    mixx_cli_params_accept();
    int rc = mixx_cli_parse(&cli, argc, argv, 2, latency_option, &o);
    if (rc)
        return 2;
    if (o.continuous && !o.count_set && cli.duration_s > 0)
        o.count = 0; /* run for --duration */
    if (o.channel >= cli.cfg.inputs || o.channel >= cli.cfg.outputs) {
        char why[160];
        uint32_t both = cli.cfg.inputs < cli.cfg.outputs ? cli.cfg.inputs : cli.cfg.outputs;
        int n = snprintf(why, sizeof why, "--loop-channel %u: this run has %u inputs and %u outputs", o.channel,
                         cli.cfg.inputs, cli.cfg.outputs);
        if (both && n > 0 && (size_t)n < sizeof why)
            snprintf(why + n, sizeof why - (size_t)n, " (loop channels 0..%u)", both - 1);
        return mixx_cli_fail("latency", MIXX_ECHANNEL, why);
    }

    mixx_engine *e = NULL;
    rc = mixx_engine_create(&cli.cfg, &e);
    if (rc)
        return mixx_cli_fail("latency: create", rc, NULL);
    if ((rc = mixx_cli_params_apply(e)) != 0) {
        mixx_engine_destroy(e);
        return rc;
    }
    rc = mixx_engine_start_stream(e);
    if (rc) {
        int code = mixx_cli_fail("latency: start", rc, mixx_engine_last_error(e));
        mixx_engine_destroy(e);
        return code;
    }
    mixx_config actual;
    mixx_engine_get_config(e, &actual, sizeof(mixx_config));
    /* JACK with no connection asked for: when the backend's graph walk finds no connected input and output either
     * (its expected round trip is NaN), there is no loop to measure; say so now instead of after three
     * no_signal results (3.6 s). */
    if (actual.backend == MIXX_BACKEND_JACK && !actual.jack.self_loop && !actual.jack.connect_in &&
        !actual.jack.connect_out) {
        mixx_stats st;
        if (mixx_engine_get_stats(e, &st, sizeof st) == 0 && isnan(st.expected_rtl_frames)) {
            int code = mixx_cli_fail("latency", MIXX_ENOSIGNAL,
                                     "no JACK connection closes a loop: use --self-loop, or --connect-in and "
                                     "--connect-out to go through a cable or another client");
            mixx_engine_destroy(e);
            return code;
        }
    }
    rc = mixx_engine_rtl_start(e, o.method, o.channel, o.continuous);
    if (rc) {
        int code = mixx_cli_fail("latency: meter", rc, mixx_engine_last_error(e));
        mixx_engine_destroy(e);
        return code;
    }
    if (!cli.json)
        printf("mixx latency: %s, %u Hz, %u frames, loop channel %u, %s%s\n", mixx_backend_name(actual.backend),
               actual.sample_rate, actual.buffer_size, o.channel,
               o.method == MIXX_RTL_IMPULSE ? "impulse" : "multitone",
               o.continuous ? ", one measurement per second" : "");
    if (!cli.json && (actual.sample_rate != cli.cfg.sample_rate || actual.buffer_size != cli.cfg.buffer_size))
        printf("  NOT AS REQUESTED: asked for %u Hz, %u frames; the device runs its own format (--strict refuses "
               "this)\n", cli.cfg.sample_rate, cli.cfg.buffer_size);

    int exit_code = 0;
    uint64_t got = 0;
    for (;;) {
        if (o.count && got >= o.count)
            break;
        mixx_rtl_result r;
        rc = mixx_engine_rtl_wait_sized(e, &r, sizeof r, 6000); /* an integration takes up to 4 s */
        if (rc) {
            exit_code = mixx_cli_fail("latency: wait", rc, mixx_engine_last_error(e));
            break;
        }
        got++;
        mixx_engine_get_config(e, &actual, sizeof(mixx_config));
        if (cli.json)
            print_json(&r, &actual, &cli.cfg, &o);
        else
            print_text(&r);
        if (r.status != MIXX_RTL_OK && exit_code == 0)
            exit_code = 3;
        if (!o.count && r.t_s >= cli.duration_s)
            break;
    }
    mixx_rtl_summary sum;
    if (!cli.json && mixx_engine_rtl_summary(e, &sum) == 0 && sum.measurements) {
        printf("%llu measurement%s: %llu ok, %llu no signal, %llu unreliable, %llu slip%s",
               (unsigned long long)sum.measurements, sum.measurements == 1 ? "" : "s", (unsigned long long)sum.ok,
               (unsigned long long)sum.no_signal, (unsigned long long)sum.unreliable, (unsigned long long)sum.slips,
               sum.slips == 1 ? "" : "s");
        if (sum.ok)
            printf("; mean %.3f, min %.3f, max %.3f frames", sum.mean_frames, sum.min_frames, sum.max_frames);
        printf("\n");
    }
    mixx_engine_rtl_stop(e);
    mixx_engine_destroy(e);
    return exit_code;
}
