/* SPDX-License-Identifier: MIT
 * jack_latency.c: round-trip latency of a JACK self-loop (the engine's outputs connected to its own inputs),
 * measured with the engine's meter and compared with what JACK claims. Without a JACK server it says why and
 * exits 77 (the usual "skipped" status). Usage: jack_latency [measurements]   (default 3) */
#include <mixxengine.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int want = argc > 1 ? atoi(argv[1]) : 3;
    char why[256];
    if (!mixx_backend_available(MIXX_BACKEND_JACK, why, sizeof why)) {
        printf("skipped: JACK is not usable here: %s\n", why);
        return 77;
    }
    mixx_config cfg;
    MIXX_CONFIG_INIT(&cfg);
    cfg.backend = MIXX_BACKEND_JACK;
    cfg.jack.client_name = "mixx-example-latency";
    cfg.jack.self_loop = 1; /* out_1 -> in_1, out_2 -> in_2 inside JACK: the loop is pure server buffering */

    mixx_engine *engine = NULL;
    int rc = mixx_engine_create(&cfg, &engine);
    if (rc == MIXX_OK)
        rc = mixx_engine_start_stream(engine);
    if (rc == MIXX_OK) /* stimulus on output 0, captured on input 0; measurements back to back */
        rc = mixx_engine_rtl_start(engine, MIXX_RTL_MULTITONE, 0, 0);
    if (rc != MIXX_OK) {
        fprintf(stderr, "start: %s (%s)\n", mixx_strerror(rc), engine ? mixx_engine_last_error(engine) : "");
        mixx_engine_destroy(engine);
        return 1;
    }
    int ok = 0;
    for (int i = 0; i < want; i++) {
        mixx_rtl_result r;
        rc = mixx_engine_rtl_wait(engine, &r, 5000);
        if (rc != MIXX_OK) {
            fprintf(stderr, "measurement %d: %s\n", i + 1, mixx_strerror(rc));
            break;
        }
        if (r.status == MIXX_RTL_OK) {
            ok++;
            printf("round trip %.2f frames (%.3f ms), JACK claims %.0f, quality %.2f\n", r.rtl_frames, r.rtl_ms,
                   r.expected_rtl_frames, r.quality);
        } else {
            /* an xrun during a measurement can spoil it; the meter says so instead of guessing */
            printf("measurement %d: %s\n", i + 1, r.status == MIXX_RTL_NO_SIGNAL ? "no signal" : "unreliable");
        }
    }
    mixx_engine_rtl_stop(engine);
    mixx_engine_stop_stream(engine);
    mixx_engine_destroy(engine);
    printf("%d of %d measurements OK\n", ok, want);
    return ok > 0 ? 0 : 1;
}
