/* SPDX-License-Identifier: MIT */
/* facade.c: the global functions of the original plan (mixx_engine_init, _start, _stop, _shutdown ...), a thin
 * façade over one process-wide default engine, serialised by default_lock. Not a second implementation: each
 * forwards to the handle API of engine.c. */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "config.h"
#include "engine_internal.h"
#include "sync.h"

static int engine_valid(const mixx_engine *e)
{
    return mixx__engine_check(e) == 0;
}

/* ---- the façade of the original plan --------------------------------------------------------------- */

static pthread_mutex_t default_lock = PTHREAD_MUTEX_INITIALIZER;
static _Alignas(MIXX_ENGINE_ALIGN) mixx_engine default_engine = {
    .is_default = 1,
    .ctl = PTHREAD_MUTEX_INITIALIZER,
    .stats_lock = PTHREAD_MUTEX_INITIALIZER,
    .rtl_lock = PTHREAD_MUTEX_INITIALIZER,
};
static int default_cond_ready;

/* A call on the façade before mixx_engine_init is most often a handle-API user who reached for the plain
 * name: the text says which call was meant. Literals only, so any thread may read them. */
static _Atomic(const char *) facade_error;
static const char facade_start_hint[] =
    "the façade's default engine is not initialised: call mixx_engine_init(rate, buffer) or "
    "mixx_engine_init_config(&cfg) first; for an engine made with mixx_engine_create(), call "
    "mixx_engine_start_stream(engine)";
static const char facade_stop_hint[] =
    "the façade's default engine is not initialised: mixx_engine_stop() stops the engine of "
    "mixx_engine_init(); for an engine made with mixx_engine_create(), call mixx_engine_stop_stream(engine)";
static const char facade_shutdown_hint[] =
    "the façade's default engine is not initialised: mixx_engine_shutdown() ends what mixx_engine_init() "
    "made; for an engine made with mixx_engine_create(), call mixx_engine_destroy(engine)";

static const char facade_pinned[] =
    "the previous default engine cannot be set up again in this process: its stream was abandoned with an audio "
    "callback still inside it (a backend call that never returned), so its memory stays as it was";

static int facade_not_init(const char *hint)
{
    atomic_store_explicit(&facade_error, hint, memory_order_release);
    return MIXX_ENOTINIT;
}

const char *mixx__facade_error(const mixx_engine *e)
{
    if (e != NULL && e != &default_engine)
        return NULL;
    return atomic_load_explicit(&facade_error, memory_order_acquire);
}

int mixx_engine_init_config(const mixx_config *cfg)
{
    if (!cfg)
        return MIXX_ENULL;
    pthread_mutex_lock(&default_lock);
    int rc;
    if (engine_valid(&default_engine)) {
        rc = MIXX_EALREADY;
    } else if (atomic_load(&default_engine.pinned)) {
        atomic_store_explicit(&facade_error, facade_pinned, memory_order_release);
        rc = MIXX_EBUSY;
    } else {
        if (!default_cond_ready) {
            mixx__cond_init_monotonic(&default_engine.rtl_cond);
            default_cond_ready = 1;
        }
        pthread_mutex_lock(&default_engine.ctl);
        rc = mixx__engine_setup(&default_engine, cfg);
        pthread_mutex_unlock(&default_engine.ctl);
        if (rc == 0)
            atomic_store_explicit(&facade_error, NULL, memory_order_release);
    }
    pthread_mutex_unlock(&default_lock);
    return rc;
}

int mixx_engine_init(uint32_t sample_rate, uint32_t buffer_size)
{
    mixx_config c;
    mixx_config_init(&c, sizeof c);
    c.sample_rate = sample_rate;
    c.buffer_size = buffer_size;
    if (buffer_size > c.max_buffer_size && buffer_size <= MIXX_MAX_BUFFER)
        c.max_buffer_size = buffer_size;
    return mixx_engine_init_config(&c);
}

int mixx_engine_start(void)
{
    pthread_mutex_lock(&default_lock);
    int rc = engine_valid(&default_engine) ? mixx_engine_start_stream(&default_engine)
                                          : facade_not_init(facade_start_hint);
    pthread_mutex_unlock(&default_lock);
    return rc;
}

int mixx_engine_stop(void)
{
    pthread_mutex_lock(&default_lock);
    int rc = engine_valid(&default_engine) ? mixx_engine_stop_stream(&default_engine)
                                          : facade_not_init(facade_stop_hint);
    pthread_mutex_unlock(&default_lock);
    return rc;
}

int mixx_engine_shutdown(void)
{
    pthread_mutex_lock(&default_lock);
    int rc = 0;
    if (!engine_valid(&default_engine))
        rc = facade_not_init(facade_shutdown_hint);
    else if (mixx__in_own_callback(&default_engine))
        rc = MIXX_ECALLBACK;
    else
        mixx_engine_destroy(&default_engine);
    pthread_mutex_unlock(&default_lock);
    return rc;
}

mixx_engine *mixx_engine_default(void)
{
    pthread_mutex_lock(&default_lock);
    mixx_engine *e = engine_valid(&default_engine) ? &default_engine : NULL;
    pthread_mutex_unlock(&default_lock);
    return e;
}
