/* SPDX-License-Identifier: MIT */
/* util.c: the tools' shared file and process helpers (see util.h): executable directory, mkdir -p, reading a
 * regular file, JSON output, path checks, and the mixx_dir writer (exclusive temporary file, fsync, rename,
 * directory fsync). The report renderer, mixx stability and bench/ all write through these. */
#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mixxengine.h"

__attribute__((format(printf, 3, 4))) static void say(char *why, size_t len, const char *f, ...)
{
    if (!why || !len)
        return;
    va_list ap;
    va_start(ap, f);
    vsnprintf(why, len, f, ap);
    va_end(ap);
}

void mixx_exe_dir(char *out, size_t len)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) {
        snprintf(out, len, ".");
        return;
    }
    path[n] = '\0';
    char *slash = strrchr(path, '/');
    if (slash)
        *slash = '\0';
    snprintf(out, len, "%s", path);
}

int mixx_mkdir_p(const char *path)
{
    char tmp[PATH_MAX];
    if (!path || !*path) {
        errno = EINVAL;
        return -1;
    }
    if (strlen(path) >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(tmp, path, strlen(path) + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static char *read_fd(int fd, const char *label, size_t max, size_t *len, char *why, size_t why_len)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        say(why, why_len, "%s: %s", label, strerror(errno));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        say(why, why_len, "%s is not a regular file (%s); refused", label,
            S_ISFIFO(st.st_mode)  ? "a FIFO"
            : S_ISCHR(st.st_mode) ? "a character device"
            : S_ISDIR(st.st_mode) ? "a directory"
            : S_ISSOCK(st.st_mode) ? "a socket"
                                   : "not a file");
        close(fd);
        return NULL;
    }
    if ((uint64_t)st.st_size > (uint64_t)max) {
        say(why, why_len, "%s is %lld bytes, over the %zu-byte limit", label, (long long)st.st_size, max);
        close(fd);
        return NULL;
    }
    /* a regular file never blocks: back to blocking reads so a short read means the end */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        say(why, why_len, "%s: out of memory", label);
        close(fd);
        return NULL;
    }
    for (;;) {
        if (n == cap) { /* the file grew while we read it: take up to max */
            if (cap > max) {
                break;
            }
            size_t nc = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *nb = realloc(buf, nc + 1);
            if (!nb)
                break;
            buf = nb;
            cap = nc;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            say(why, why_len, "reading %s: %s", label, strerror(errno));
            free(buf);
            close(fd);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

char *mixx_read_file(const char *path, size_t max, int nofollow, size_t *len, char *why, size_t why_len)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
    if (fd < 0) {
        say(why, why_len, "cannot open %s: %s", path,
            errno == ELOOP && nofollow ? "it is a symbolic link" : strerror(errno));
        return NULL;
    }
    return read_fd(fd, path, max, len, why, why_len);
}

char *mixx_read_file_at(int dirfd, const char *name, size_t max, size_t *len, char *why, size_t why_len)
{
    int fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        say(why, why_len, "cannot open %s: %s", name, errno == ELOOP ? "it is a symbolic link" : strerror(errno));
        return NULL;
    }
    return read_fd(fd, name, max, len, why, why_len);
}

int mixx_cli_fail(const char *what, int rc, const char *detail)
{
    if (detail && *detail)
        fprintf(stderr, "mixx: %s: %s (%s): %s\n", what, mixx_strerror(rc), mixx_error_name(rc), detail);
    else
        fprintf(stderr, "mixx: %s: %s (%s)\n", what, mixx_strerror(rc), mixx_error_name(rc));
    return 1;
}

void mixx_json_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.10g", v);
    else
        fputs("null", f);
}

void mixx_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* The longest name written under a report directory is a temporary plot name, ".interval_hist.svg.<pid>.<16
 * hex>.tmp" inside data/: 64 bytes leave room for it. */
#define MIXX_OUT_RESERVE 64

int mixx_out_path_check(const char *path, char *why, size_t why_len)
{
    if (!path || !*path) {
        say(why, why_len, "the output directory is an empty string");
        return MIXX_EINVAL;
    }
    size_t len = strlen(path);
    if (len + MIXX_OUT_RESERVE >= PATH_MAX) {
        say(why, why_len, "the output directory path is %zu characters; at most %d fit (PATH_MAX %d less room "
                          "for the file names under it)",
            len, PATH_MAX - MIXX_OUT_RESERVE - 1, PATH_MAX);
        return MIXX_EINVAL;
    }
    size_t comp = 0;
    for (const char *p = path; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f) {
            say(why, why_len, "the output directory contains a control character (byte 0x%02x at %zu)", c,
                (size_t)(p - path));
            return MIXX_EINVAL;
        }
        if (c == '\'' || c == '"' || c == '\\' || c == '`') {
            say(why, why_len, "the output directory contains %c (at %zu): quotes, backquotes and backslashes "
                              "are refused, the path is written into gnuplot scripts and Markdown",
                c, (size_t)(p - path));
            return MIXX_EINVAL;
        }
        comp = c == '/' ? 0 : comp + 1;
        if (comp > NAME_MAX) {
            say(why, why_len, "a component of the output directory is over %d characters", NAME_MAX);
            return MIXX_EINVAL;
        }
    }
    return 0;
}

/* ---- mixx_dir -------------------------------------------------------------------------------------------- */

static int open_dir_nofollow(int at, const char *name, const char *label, char *why, size_t why_len)
{
    int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0)
        return fd;
    int err = errno;
    struct stat st;
    if ((err == ELOOP || err == ENOTDIR) && fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISLNK(st.st_mode))
        say(why, why_len, "%s is a symbolic link; the tools never write through a link", label);
    else if (err == ENOTDIR)
        say(why, why_len, "%s is not a directory", label);
    else
        say(why, why_len, "cannot open %s: %s", label, strerror(err));
    errno = err;
    return -1;
}

int mixx_dir_open(mixx_dir *d, const char *path, int create, char *why, size_t why_len)
{
    d->fd = -1;
    int rc = mixx_out_path_check(path, why, why_len);
    if (rc)
        return rc;
    snprintf(d->path, sizeof d->path, "%s", path);
    if (create && mixx_mkdir_p(path) != 0) {
        say(why, why_len, "cannot create %s: %s", path, strerror(errno));
        return MIXX_EIO;
    }
    d->fd = open_dir_nofollow(AT_FDCWD, path, path, why, why_len);
    if (d->fd < 0)
        return errno == ELOOP || errno == ENOTDIR ? MIXX_EINVAL : MIXX_EIO;
    return 0;
}

int mixx_dir_sub(const mixx_dir *parent, const char *name, int create, mixx_dir *sub, char *why, size_t why_len)
{
    sub->fd = -1;
    size_t pl = strlen(parent->path), nl = strlen(name);
    if (pl + 1 + nl >= sizeof sub->path) {
        say(why, why_len, "%s/%s: path too long", parent->path, name);
        return MIXX_EINVAL;
    }
    memcpy(sub->path, parent->path, pl);
    sub->path[pl] = '/';
    memcpy(sub->path + pl + 1, name, nl + 1);
    if (create && mkdirat(parent->fd, name, 0777) != 0 && errno != EEXIST) {
        say(why, why_len, "cannot create %s: %s", sub->path, strerror(errno));
        return MIXX_EIO;
    }
    sub->fd = open_dir_nofollow(parent->fd, name, sub->path, why, why_len);
    if (sub->fd < 0)
        return errno == ELOOP || errno == ENOTDIR ? MIXX_EINVAL : MIXX_EIO;
    return 0;
}

void mixx_dir_close(mixx_dir *d)
{
    if (d && d->fd >= 0)
        close(d->fd);
    if (d)
        d->fd = -1;
}

int mixx_dir_create_tmp(const mixx_dir *d, const char *name, char *tmp, size_t tmp_len)
{
    static unsigned long counter;
    for (int attempt = 0; attempt < 16; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        unsigned long long r = ((unsigned long long)ts.tv_nsec * 6364136223846793005ull) ^
                               ((unsigned long long)++counter << 32) ^ (unsigned long long)(uintptr_t)tmp;
        int n = snprintf(tmp, tmp_len, ".%s.%ld.%016llx.tmp", name, (long)getpid(), r);
        if (n < 0 || (size_t)n >= tmp_len || n > NAME_MAX) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = openat(d->fd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1;
}

void mixx_dir_discard(const mixx_dir *d, int fd, const char *tmp)
{
    int err = errno;
    if (fd >= 0)
        close(fd);
    unlinkat(d->fd, tmp, 0);
    errno = err;
}

int mixx_dir_commit(const mixx_dir *d, int fd, const char *tmp, const char *name)
{
    if (fsync(fd) != 0) {
        mixx_dir_discard(d, fd, tmp);
        return MIXX_EIO;
    }
    if (close(fd) != 0) {
        mixx_dir_discard(d, -1, tmp);
        return MIXX_EIO;
    }
    if (renameat(d->fd, tmp, d->fd, name) != 0) {
        mixx_dir_discard(d, -1, tmp);
        return MIXX_EIO;
    }
    if (fsync(d->fd) != 0)
        return MIXX_EIO;
    return 0;
}

int mixx_dir_write(const mixx_dir *d, const char *name, const void *data, size_t len)
{
    char tmp[NAME_MAX + 1];
    int fd = mixx_dir_create_tmp(d, name, tmp, sizeof tmp);
    if (fd < 0)
        return MIXX_EIO;
    const char *p = data;
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, p + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            mixx_dir_discard(d, fd, tmp);
            return MIXX_EIO;
        }
        off += (size_t)n;
    }
    return mixx_dir_commit(d, fd, tmp, name);
}
