/*
 * Turning the paths ld.so opens into the symlinks and files the image needs for those
 * paths to resolve as on the host (elf_deps_expand_links in elf_deps.h).
 *
 * On Debian 12 almost every library path goes through links: /lib is a symlink to
 * usr/lib, and the interpreter /lib64/ld-linux-x86-64.so.2 is /lib64 -> usr/lib64, then
 * /usr/lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2, then
 * /lib again. Storing a file at /lib/x86_64-linux-gnu/libc.so.6 would make /lib a real
 * directory in the image and break every path that relies on it being a link, so each
 * path is walked component by component the way the kernel resolves it, and every link
 * met on the way is kept at its real location, with the file it ends at.
 */
#include "seal/elf_deps.h"
#include "common/error_line.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Linux's limit on links followed in one lookup. */
#define MAX_LINKS 40

static int add(struct elf_deps *out, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int add(struct elf_deps *out, const char *path, const char *fmt, ...)
{
    va_list ap;
    char *reason;
    va_start(ap, fmt);
    int n = vasprintf(&reason, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    int r = elf_deps_add(out, path, reason);
    free(reason);
    return r;
}

/*
 * Resolves one path. `rest` is what is left to walk (a heap string that grows when a
 * link's target is put in front of it); `cur` is the real directory reached so far, with
 * no links in it, "" standing for "/".
 */
static int expand_one(const struct elf_dep *dep, struct elf_deps *out, char *err, size_t err_size)
{
    char *rest = strdup(dep->path), cur[PATH_MAX] = "";
    int links = 0, r = -1;
    if (!rest)
        return error_line(err, err_size, "out of memory");
    if (rest[0] != '/') {
        error_line(err, err_size, "%s is not an absolute path", dep->path);
        goto out;
    }
    size_t pos = 0;
    for (;;) {
        while (rest[pos] == '/')
            pos++;
        if (!rest[pos])
            break;
        size_t end = pos;
        while (rest[end] && rest[end] != '/')
            end++;
        size_t n = end - pos;
        bool last = true;
        for (size_t k = end; rest[k]; k++)
            if (rest[k] != '/')
                last = false;
        if (n == 1 && rest[pos] == '.') {
            pos = end;
            continue;
        }
        if (n == 2 && rest[pos] == '.' && rest[pos + 1] == '.') {
            char *slash = strrchr(cur, '/');
            if (slash)
                *slash = '\0'; /* cur has no links: its lexical parent is its real one */
            pos = end;
            continue;
        }
        size_t cl = strlen(cur);
        if (cl + 1 + n >= sizeof(cur)) {
            error_line(err, err_size, "%s: path too long", dep->path);
            goto out;
        }
        char next[PATH_MAX];
        memcpy(next, cur, cl);
        next[cl] = '/';
        memcpy(next + cl + 1, rest + pos, n);
        next[cl + 1 + n] = '\0';
        struct stat st;
        if (lstat(next, &st) < 0) {
            error_line(err, err_size, "%s (for %s): %s", next, dep->path, strerror(errno));
            goto out;
        }
        if (S_ISLNK(st.st_mode)) {
            if (++links > MAX_LINKS) {
                error_line(err, err_size, "%s: too many levels of symbolic links", dep->path);
                goto out;
            }
            char target[PATH_MAX];
            ssize_t tl = readlink(next, target, sizeof(target) - 1);
            if (tl <= 0 || (size_t)tl >= sizeof(target) - 1) {
                error_line(err, err_size, "cannot read the link %s (for %s)", next, dep->path);
                goto out;
            }
            target[tl] = '\0';
            if (add(out, next, "symlink %s -> %s, on the way to %s", next, target, dep->path) < 0)
                goto oom;
            /* Walk the target next, then what followed the link. */
            char *nr;
            if (asprintf(&nr, "%s/%s", target, rest + end) < 0)
                goto oom;
            free(rest);
            rest = nr;
            pos = 0;
            if (target[0] == '/')
                cur[0] = '\0';
            continue;
        }
        if (!last) {
            if (!S_ISDIR(st.st_mode)) {
                error_line(err, err_size, "%s (for %s) is not a directory", next, dep->path);
                goto out;
            }
            memcpy(cur, next, strlen(next) + 1);
            pos = end;
            continue;
        }
        if (!S_ISREG(st.st_mode)) {
            error_line(err, err_size, "%s (for %s) is not a regular file", next, dep->path);
            goto out;
        }
        int a = strcmp(next, dep->path) == 0
                    ? elf_deps_add(out, next, dep->reason)
                    : add(out, next, "the file %s leads to (%s)", dep->path, dep->reason);
        if (a < 0)
            goto oom;
        r = 0;
        goto out;
    }
    error_line(err, err_size, "%s does not name a file", dep->path);
    goto out;
oom:
    error_line(err, err_size, "out of memory");
out:
    free(rest);
    return r;
}

int elf_deps_expand_links(const struct elf_deps *in, struct elf_deps *out, char *err,
                          size_t err_size)
{
    for (size_t i = 0; i < in->count; i++)
        if (expand_one(&in->items[i], out, err, err_size) < 0)
            return -1;
    return 0;
}
