/* SPDX-License-Identifier: MIT */
/* bench_load.c: the two ways `mixx bench` reaches the library other than static linking: libmixxengine.so
 * dlopen'ed beside the executable, and bench/mixx-bench-plt (linked against it, so calls go through the PLT)
 * run as a child whose JSON is read back. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_internal.h"

void mixx_bench_fmt(char *dst, size_t len, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vsnprintf(dst, len, f, ap);
    va_end(ap);
}

static int load_symbols(shared_lib *s)
{
#define SYM(field, name)                                                                                     \
    do {                                                                                                     \
        void *p_ = dlsym(s->handle, name);                                                                   \
        if (!p_) {                                                                                           \
            fmt(s->why, sizeof s->why, "%s: %s missing", s->path, name);                                \
            return -1;                                                                                       \
        }                                                                                                    \
        memcpy(&s->api.field, &p_, sizeof p_); /* object to function pointer, as POSIX dlsym allows */     \
    } while (0)
    SYM(config_init, "mixx_config_init");
    SYM(create, "mixx_engine_create");
    SYM(destroy, "mixx_engine_destroy");
    SYM(start, "mixx_engine_start_stream");
    SYM(stop, "mixx_engine_stop_stream");
    SYM(get_stats, "mixx_engine_get_stats");
    SYM(process, "mixx_engine_process");
    SYM(rtl_start, "mixx_engine_rtl_start");
    SYM(rtl_stop, "mixx_engine_rtl_stop");
    SYM(version, "mixx_version");
#undef SYM
    return 0;
}

int mixx_bench_load_shared(shared_lib *s, const char *opt_path, const char *dir)
{
    memset(s, 0, sizeof *s);
    char cand[8][PATH_MAX];
    int n = 0;
    if (opt_path)
        fmt(cand[n++], PATH_MAX, "%s", opt_path);
    else if (getenv("MIXX_LIB") && *getenv("MIXX_LIB"))
        fmt(cand[n++], PATH_MAX, "%s", getenv("MIXX_LIB"));
    else {
        const char *rel[] = {"../src", ".", "../lib", "../lib64", "../lib/x86_64-linux-gnu",
                             "../lib/aarch64-linux-gnu"};
        for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++)
            fmt(cand[n++], PATH_MAX, "%.*s/%s/libmixxengine.so.%d", PATH_MAX - 64, dir, rel[i],
                     MIXX_VERSION_MAJOR);
        fmt(cand[n++], PATH_MAX, "libmixxengine.so.%d", MIXX_VERSION_MAJOR);
    }
    for (int i = 0; i < n; i++) {
        if (strchr(cand[i], '/') && access(cand[i], R_OK) != 0)
            continue;
        s->handle = dlopen(cand[i], RTLD_NOW | RTLD_LOCAL);
        if (!s->handle) {
            fmt(s->why, sizeof s->why, "dlopen %s: %s", cand[i], dlerror());
            continue;
        }
        if (!realpath(cand[i], s->path))
            fmt(s->path, sizeof s->path, "%s", cand[i]);
        if (load_symbols(s) == 0)
            return 0;
        dlclose(s->handle);
        s->handle = NULL;
    }
    if (!s->why[0])
        fmt(s->why, sizeof s->why,
                 "libmixxengine.so.%d not found (build tree, ../lib, loader path); use --lib or MIXX_LIB",
                 MIXX_VERSION_MAJOR);
    return -1;
}

/* ---- the PLT figure: bench/mixx-bench-plt, linked against the shared library, run as a child --------------- */

static double json_get(const char *json, const char *key)
{
    char pat[96];
    fmt(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(json, pat);
    if (!p)
        return NAN;
    p += strlen(pat);
    if (strncmp(p, "null", 4) == 0)
        return NAN;
    char *end;
    double v = strtod(p, &end);
    return end == p ? NAN : v;
}

void mixx_bench_run_plt(const bench_opts *o, uint32_t rate, plt_result *r)
{
    memset(r, 0, sizeof *r);
    const char *dir = o->exe_dir ? o->exe_dir : ".";
    if (o->plt)
        fmt(r->path, sizeof r->path, "%s", o->plt);
    else if (getenv("MIXX_BENCH_PLT") && *getenv("MIXX_BENCH_PLT"))
        fmt(r->path, sizeof r->path, "%s", getenv("MIXX_BENCH_PLT"));
    else {
        fmt(r->path, sizeof r->path, "%.*s/../bench/mixx-bench-plt", PATH_MAX - 64, dir);
        if (access(r->path, X_OK) != 0)
            fmt(r->path, sizeof r->path, "%.*s/mixx-bench-plt", PATH_MAX - 64, dir);
    }
    if (access(r->path, X_OK) != 0) {
        r->absent = !o->plt && !(getenv("MIXX_BENCH_PLT") && *getenv("MIXX_BENCH_PLT"));
        fmt(r->why, sizeof r->why, "mixx-bench-plt not found (build bench/, or --plt PATH / MIXX_BENCH_PLT)");
        return;
    }
    char a_frames[16], a_ch[16], a_reps[16], a_rate[16], a_target[32];
    fmt(a_frames, sizeof a_frames, "%u", o->frames);
    fmt(a_ch, sizeof a_ch, "%u", o->channels);
    fmt(a_reps, sizeof a_reps, "%u", o->reps);
    fmt(a_rate, sizeof a_rate, "%u", rate);
    fmt(a_target, sizeof a_target, "%g", o->target_us);
    char *argv[] = {r->path, "--frames",    a_frames, "--channels", a_ch,   "--reps",
                    a_reps,  "--rate",      a_rate,   "--target-us", a_target, "--json",
                    o->no_pace ? "--no-pace" : NULL, NULL};
    int fds[2];
    if (pipe(fds) != 0) {
        fmt(r->why, sizeof r->why, "pipe: %s", strerror(errno));
        return;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        fmt(r->why, sizeof r->why, "fork: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(r->path, argv);
        _exit(127);
    }
    close(fds[1]);
    char out[8192];
    size_t len = 0;
    ssize_t n;
    while ((n = read(fds[0], out + len, sizeof out - 1 - len)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            len += (size_t)n;
    out[len] = '\0';
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fmt(r->why, sizeof r->why, "%s exited with status %d", r->path,
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return;
    }
    r->floor_ns = json_get(out, "floor_ns");
    r->floor_ts_ns = json_get(out, "floor_with_timestamps_ns");
    r->engine_ns = json_get(out, "engine_ns");
    r->engine_no_instr_ns = json_get(out, "engine_no_instr_ns");
    r->ok = isfinite(r->engine_ns) && isfinite(r->floor_ts_ns);
    if (!r->ok)
        fmt(r->why, sizeof r->why, "%s printed no engine_ns", r->path);
}

