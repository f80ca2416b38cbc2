/* SPDX-License-Identifier: MIT */
/* util.h: the file and process helpers every mixx command (and bench/) shares: where this executable lives,
 * mkdir -p, reading a regular file whole, JSON output, and mixx_dir: a directory held by an fd into which files
 * are written whole or not at all, never through a link. Nothing here touches the engine. */
#ifndef MIXX_TOOLS_UTIL_H
#define MIXX_TOOLS_UTIL_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

/* Every function below: any thread (none keeps global state). Errors are the library's MIXX_E* codes. */

/* The directory of the running executable (from /proc/self/exe), or "." when it cannot be read. */
void mixx_exe_dir(char *out, size_t len);

/* mkdir -p with mode 0777 (umask applies). Returns 0, or -1 with errno set (ENAMETOOLONG for a path that does
 * not fit PATH_MAX, EINVAL for ""). */
int mixx_mkdir_p(const char *path);

/* Reads a regular file whole (NUL-terminated; *len gets the size, NUL bytes included). Refuses anything else
 * (FIFO, device, directory: they could block or never end) and files over `max` bytes. Opened O_NONBLOCK |
 * O_NOFOLLOW when `nofollow`. Returns the buffer (free it) or NULL with `why` (may be NULL) saying what failed. */
char *mixx_read_file(const char *path, size_t max, int nofollow, size_t *len, char *why, size_t why_len);
/* The same, `name` relative to the directory fd `dirfd`, never following a link. */
char *mixx_read_file_at(int dirfd, const char *name, size_t max, size_t *len, char *why, size_t why_len);

/* One-line error on stderr: "mixx: <what>: <mixx_strerror(rc)> (<name>)[: <detail>]"; returns the exit code 1. */
int mixx_cli_fail(const char *what, int rc, const char *detail);

/* JSON output: a number or null for NaN/inf; a string, escaped. */
void mixx_json_num(FILE *f, double v);
void mixx_json_str(FILE *f, const char *s);

/* A path the tools may write a report under: not empty, no control character, no quote or backslash (the
 * path ends up in scripts and Markdown), short enough that every file name under it fits PATH_MAX, and no
 * component over NAME_MAX. Returns 0, or MIXX_EINVAL with `why` saying which rule it breaks. */
int mixx_out_path_check(const char *path, char *why, size_t why_len);

/* ---- mixx_dir: writing into a directory without ever following a link ---------------------------------- */

typedef struct mixx_dir {
    int fd; /* opened O_DIRECTORY | O_NOFOLLOW; -1 when closed */
    char path[PATH_MAX];
} mixx_dir;

/* Opens `path` (created with its parents when `create`); the last component must be a real directory, not a
 * symlink. Returns 0, MIXX_EINVAL (bad path, or a symlink/non-directory where the directory should be) or
 * MIXX_EIO; `why` says which and why. */
int mixx_dir_open(mixx_dir *d, const char *path, int create, char *why, size_t why_len);
/* Opens (creating when `create`) the subdirectory `name` of `parent`, refusing a symlink. Same errors. */
int mixx_dir_sub(const mixx_dir *parent, const char *name, int create, mixx_dir *sub, char *why, size_t why_len);
/* Closes the fd; harmless on a closed or zeroed-then-closed mixx_dir (fd -1). */
void mixx_dir_close(mixx_dir *d);

/* Creates a new file for `name` under a unique temporary name (".<name>.<pid>.<random>.tmp",
 * O_CREAT | O_EXCL | O_NOFOLLOW, mode 0644): tmp gets the name. Returns the fd (read/write) or -1 with errno. */
int mixx_dir_create_tmp(const mixx_dir *d, const char *name, char *tmp, size_t tmp_len);
/* fsyncs `fd`, closes it, renames tmp to name inside the directory and fsyncs the directory. On failure the
 * temporary file is removed. Returns 0 or MIXX_EIO (errno kept). */
int mixx_dir_commit(const mixx_dir *d, int fd, const char *tmp, const char *name);
/* Closes fd (if >= 0) and removes tmp. Keeps errno. */
void mixx_dir_discard(const mixx_dir *d, int fd, const char *tmp);
/* Writes `len` bytes to dir/name whole or not at all: create_tmp + write + commit. Returns 0 or MIXX_EIO
 * (errno says why: ENOSPC, EEXIST, ...). */
int mixx_dir_write(const mixx_dir *d, const char *name, const void *data, size_t len);

#endif
