/* SPDX-License-Identifier: MIT */
/* consumer.c: an outside program using the installed library through the façade of the original plan. */
#include <mixxengine.h>
#include <mixxengine/dsp.h>
#include <stdio.h>

int main(void)
{
    int rc = mixx_engine_init(48000, 64);
    if (rc == 0)
        rc = mixx_engine_start();
    if (rc == 0)
        rc = mixx_engine_stop();
    if (rc == 0)
        rc = mixx_engine_shutdown();
    float x[3] = {0.5f, -1.0f, 0.25f};
    mixx_dsp_gain(x, x, 2.0f, 3); /* the DSP header and its exports, from outside */
    if (x[0] != 1.0f || x[1] != -2.0f || x[2] != 0.5f)
        rc = MIXX_EINVAL;
    printf("mixx %s: %s (dsp %s)\n", mixx_version_string(), mixx_strerror(rc),
           mixx_dsp_isa_name(mixx_dsp_isa_current()));
    return rc == 0 ? 0 : 1;
}
