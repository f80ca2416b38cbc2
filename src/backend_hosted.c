/* SPDX-License-Identifier: MIT */
/* backend_hosted.c: the "hosted" backend: no device and no thread of its own. The host calls
 * mixx_engine_process() from its audio callback (engine.c); this table only reports the configured format,
 * so the engine drives every backend, hosted included, through the same ops. */
#include <math.h>

#include "backend.h"

static int hosted_open(struct mixx_engine *e, mixx_device_format *fmt, void **state)
{
    const mixx_config *c = mixx__engine_config(e);
    fmt->sample_rate = c->sample_rate;
    fmt->buffer_size = c->buffer_size;
    fmt->inputs = c->inputs;
    fmt->outputs = c->outputs;
    fmt->expected_rtl_frames = NAN; /* the host's device latency is unknown to us */
    *state = NULL;
    return 0;
}

static int hosted_start(void *state)
{
    (void)state;
    return 0;
}

static int hosted_stop(void *state)
{
    (void)state;
    return 0; /* the engine itself waits for process() calls in flight */
}

static void hosted_close(void *state)
{
    (void)state;
}

const mixx_backend_ops mixx_backend_hosted_ops = {
    .open = hosted_open,
    .start = hosted_start,
    .stop = hosted_stop,
    .close = hosted_close,
};
