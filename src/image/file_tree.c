/*
 * Collecting host files into an image's file tree: walk, normalise, sort, merge.
 *
 * Entries are appended as they are found (a directory's listing comes in whatever order
 * the host file system returns it) and every duplicate or conflict is resolved only in
 * file_tree_finish(), after one sort: that keeps adding O(1) and the whole build
 * O(n log n) even for trees of many thousands of files, and makes the result independent
 * of the order of the inputs.
 */
#include "image/file_tree.h"
#include "common/error_line.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cloister/cwi.h>

const char *cwi_path_problem(const char *p, size_t len)
{
    if (len == 0)
        return "is empty";
    if (len >= CWI_MAX_PATH)
        return "is too long";
    if (p[0] != '/')
        return "is not absolute";
    if (memchr(p, '\0', len))
        return "holds a NUL byte";
    if (len == 1)
        return NULL;
    if (p[len - 1] == '/')
        return "ends with '/'";
    /* Every component sits between a '/' and the next '/' or the end. */
    size_t start = 1;
    for (size_t i = 1; i <= len; i++) {
        if (i < len && p[i] != '/')
            continue;
        size_t n = i - start;
        if (n == 0)
            return "has an empty component";
        if ((n == 1 && p[start] == '.') || (n == 2 && p[start] == '.' && p[start + 1] == '.'))
            return "has a '.' or '..' component";
        start = i + 1;
    }
    return NULL;
}

bool cwi_path_is_clean(const char *p, size_t len)
{
    return cwi_path_problem(p, len) == NULL;
}

void file_tree_init(struct file_tree *t)
{
    memset(t, 0, sizeof(*t));
}

static void entry_free(struct ft_entry *e)
{
    free(e->path);
    free(e->src);
    free(e->target);
}

void file_tree_free(struct file_tree *t)
{
    for (size_t i = 0; i < t->count; i++)
        entry_free(&t->entries[i]);
    free(t->entries);
    file_tree_init(t);
}

/* Appends an entry, taking ownership of the strings (freed here on failure). */
static int append(struct file_tree *t, struct ft_entry *e, char *err, size_t err_size)
{
    if (t->count == t->capacity) {
        size_t cap = t->capacity ? t->capacity * 2 : 64;
        struct ft_entry *v = realloc(t->entries, cap * sizeof(*v));
        if (!v) {
            entry_free(e);
            return error_line(err, err_size, "out of memory collecting files");
        }
        t->entries = v;
        t->capacity = cap;
    }
    e->seq = t->next_seq++;
    t->entries[t->count++] = *e;
    t->finished = false;
    return 0;
}

/* Appends one entry described by st (already lstat'ed or stat'ed) for host path src. */
static int add_one(struct file_tree *t, const char *src, const char *dst, const struct stat *st,
                   char *err, size_t err_size)
{
    struct ft_entry e = {0};

    if (S_ISREG(st->st_mode)) {
        /* Any execute bit makes it a program; owners and group/other nuances do not
         * survive, so the image does not depend on the builder's umask. */
        e.mode = CWI_S_IFREG | ((st->st_mode & 0111) ? 0755u : 0644u);
        e.size = (uint64_t)st->st_size;
        e.src = strdup(src);
        e.dev = (uint64_t)st->st_dev;
        e.ino = (uint64_t)st->st_ino;
        if (!e.src)
            return error_line(err, err_size, "out of memory collecting files");
    } else if (S_ISLNK(st->st_mode)) {
        /* st_size is the target length for a symlink, but the link may change between
         * lstat and readlink: read with room to spare and trust only the result. */
        size_t cap = (size_t)st->st_size + 2;
        if (cap < 64)
            cap = 64;
        if (cap > CWI_MAX_PATH + 1)
            cap = CWI_MAX_PATH + 1;
        e.target = malloc(cap);
        if (!e.target)
            return error_line(err, err_size, "out of memory collecting files");
        ssize_t n = readlink(src, e.target, cap);
        if (n < 0) {
            int saved = errno;
            free(e.target);
            return error_line(err, err_size, "cannot read symlink %s: %s", src, strerror(saved));
        }
        if ((size_t)n >= cap || (size_t)n >= CWI_MAX_PATH) {
            free(e.target);
            return error_line(err, err_size, "symlink %s: target longer than %u bytes", src,
                              CWI_MAX_PATH - 1);
        }
        e.target[n] = '\0';
        e.mode = CWI_S_IFLNK | 0777u;
        e.size = (uint64_t)n;
    } else if (S_ISDIR(st->st_mode)) {
        e.mode = CWI_S_IFDIR | 0755u;
        e.src = strdup(src); /* only to name it in a conflict */
        if (!e.src)
            return error_line(err, err_size, "out of memory collecting files");
    } else {
        const char *what = S_ISSOCK(st->st_mode)   ? "a socket"
                           : S_ISFIFO(st->st_mode) ? "a fifo"
                           : S_ISCHR(st->st_mode)  ? "a character device"
                           : S_ISBLK(st->st_mode)  ? "a block device"
                                                   : "not a regular file";
        return error_line(err, err_size,
                          "%s is %s: an image holds only regular files, directories and symlinks",
                          src, what);
    }
    e.path = strdup(dst);
    if (!e.path) {
        entry_free(&e);
        return error_line(err, err_size, "out of memory collecting files");
    }
    return append(t, &e, err, err_size);
}

static int check_dst(const char *dst, char *err, size_t err_size)
{
    const char *why = cwi_path_problem(dst, strlen(dst));
    if (why)
        return error_line(err, err_size,
                          "image path '%.200s' is not clean: it %s (paths are absolute, with no "
                          "empty, '.' or '..' component and no trailing '/')",
                          dst, why);
    return 0;
}

static char *join(const char *dir, const char *name, bool image_path)
{
    char *out;
    /* The image root is "/", and "/" + "/" + name would not be clean. */
    const char *sep = (image_path && strcmp(dir, "/") == 0) ? "" : "/";
    if (asprintf(&out, "%s%s%s", dir, sep, name) < 0)
        return NULL;
    return out;
}

static int add_path(struct file_tree *t, const char *src, const char *dst, char *err,
                    size_t err_size);

/* Adds everything below the directory src (whose own entry is already in). */
static int add_dir_contents(struct file_tree *t, const char *src, const char *dst, char *err,
                            size_t err_size)
{
    DIR *d = opendir(src);
    if (!d)
        return error_line(err, err_size, "cannot open directory %s: %s", src, strerror(errno));

    /* Read the whole listing first and close the directory before descending, so a
     * deep tree does not hold one descriptor per level. */
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            char **v = realloc(names, ncap * sizeof(*v));
            if (!v) {
                rc = error_line(err, err_size, "out of memory listing %s", src);
                break;
            }
            names = v;
            cap = ncap;
        }
        if (!(names[n] = strdup(de->d_name))) {
            rc = error_line(err, err_size, "out of memory listing %s", src);
            break;
        }
        n++;
        errno = 0;
    }
    if (rc == 0 && errno != 0)
        rc = error_line(err, err_size, "cannot list directory %s: %s", src, strerror(errno));
    closedir(d);

    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *s = join(src, names[i], false), *p = join(dst, names[i], true);
        if (!s || !p)
            rc = error_line(err, err_size, "out of memory collecting files");
        else
            rc = add_path(t, s, p, err, err_size);
        free(s);
        free(p);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int add_path(struct file_tree *t, const char *src, const char *dst, char *err,
                    size_t err_size)
{
    struct stat st;

    if (check_dst(dst, err, err_size))
        return -1;
    if (lstat(src, &st) != 0)
        return error_line(err, err_size, "cannot add %s: %s", src, strerror(errno));
    if (add_one(t, src, dst, &st, err, err_size))
        return -1;
    if (S_ISDIR(st.st_mode))
        return add_dir_contents(t, src, dst, err, err_size);
    return 0;
}

int file_tree_add(struct file_tree *t, const char *src, const char *dst, char *err, size_t err_size)
{
    return add_path(t, src, dst, err, err_size);
}

int file_tree_add_program(struct file_tree *t, const char *src, const char *dst, char *err,
                          size_t err_size)
{
    struct stat st;

    if (check_dst(dst, err, err_size))
        return -1;
    if (stat(src, &st) != 0)
        return error_line(err, err_size, "cannot add entry program %s: %s", src, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return error_line(err, err_size, "entry program %s is not a regular file", src);
    return add_one(t, src, dst, &st, err, err_size);
}

/* Bytewise path order (strcmp compares as unsigned char), then insertion order, so
 * which of two equal duplicates survives is itself deterministic. */
static int cmp_entries(const void *a, const void *b)
{
    const struct ft_entry *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    if (c)
        return c;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static const char *kind(const struct ft_entry *e)
{
    switch (e->mode & CWI_S_IFMT) {
    case CWI_S_IFDIR:
        return "a directory";
    case CWI_S_IFLNK:
        return "a symlink";
    default:
        return "a file";
    }
}

/* Describes where an entry came from, for a conflict message. */
static void describe(const struct ft_entry *e, char *buf, size_t size)
{
    if ((e->mode & CWI_S_IFMT) == CWI_S_IFLNK)
        snprintf(buf, size, "a symlink to '%s'", e->target);
    else if ((e->mode & CWI_S_IFMT) == CWI_S_IFREG)
        snprintf(buf, size, "%s", e->src);
    else if (e->src)
        snprintf(buf, size, "directory %s", e->src);
    else
        snprintf(buf, size, "a parent directory");
}

/* Whether two entries for one path describe the same thing and can be merged. */
static bool same_thing(const struct ft_entry *a, const struct ft_entry *b)
{
    if ((a->mode & CWI_S_IFMT) != (b->mode & CWI_S_IFMT))
        return false;
    switch (a->mode & CWI_S_IFMT) {
    case CWI_S_IFDIR:
        return true;
    case CWI_S_IFLNK:
        return strcmp(a->target, b->target) == 0;
    default:
        return a->dev == b->dev && a->ino == b->ino;
    }
}

/* A conflict message; when a parent directory clashes, names a path inside it. */
static int conflict(const struct file_tree *t, size_t i, size_t j, char *err, size_t err_size)
{
    const struct ft_entry *a = &t->entries[i], *b = &t->entries[j];
    if ((a->mode & CWI_S_IFMT) == CWI_S_IFDIR || (b->mode & CWI_S_IFMT) == CWI_S_IFDIR) {
        const struct ft_entry *other = (a->mode & CWI_S_IFMT) == CWI_S_IFDIR ? b : a;
        size_t plen = strlen(a->path);
        for (size_t k = j + 1; k < t->count; k++) {
            const char *p = t->entries[k].path;
            if (strncmp(p, a->path, plen) != 0)
                break;
            if (p[plen] == '/')
                return error_line(err, err_size,
                                  "%s is %s (%s), but the image also has %s inside it", a->path,
                                  kind(other), other->src ? other->src : other->target, p);
        }
    }
    char da[CWI_MAX_PATH + 32], db[CWI_MAX_PATH + 32];
    describe(a, da, sizeof(da));
    describe(b, db, sizeof(db));
    return error_line(err, err_size, "two different sources for %s: %s and %s", a->path, da, db);
}

/* Appends the parent of every entry, and "/"; the merge collapses the duplicates. */
static int add_parents(struct file_tree *t, char *err, size_t err_size)
{
    const char *last = NULL; /* the parent appended last: siblings come in runs */

    /* Entries appended here are visited by the same loop, so grandparents follow. */
    for (size_t i = 0; i < t->count; i++) {
        const char *p = t->entries[i].path;
        if (strcmp(p, "/") == 0)
            continue;
        const char *slash = strrchr(p, '/');
        size_t plen = slash == p ? 1 : (size_t)(slash - p);
        if (last && strlen(last) == plen && strncmp(last, p, plen) == 0)
            continue;
        struct ft_entry e = {.mode = CWI_S_IFDIR | 0755u};
        if (!(e.path = strndup(p, plen)))
            return error_line(err, err_size, "out of memory collecting files");
        last = e.path;
        if (append(t, &e, err, err_size))
            return -1;
    }
    struct ft_entry root = {.mode = CWI_S_IFDIR | 0755u};
    if (!(root.path = strdup("/")))
        return error_line(err, err_size, "out of memory collecting files");
    return append(t, &root, err, err_size);
}

int file_tree_finish(struct file_tree *t, char *err, size_t err_size)
{
    if (t->finished)
        return 0;
    if (add_parents(t, err, err_size))
        return -1;
    qsort(t->entries, t->count, sizeof(*t->entries), cmp_entries);

    size_t out = 0;
    for (size_t i = 0; i < t->count; i++) {
        if (out > 0 && strcmp(t->entries[out - 1].path, t->entries[i].path) == 0) {
            if (!same_thing(&t->entries[out - 1], &t->entries[i])) {
                conflict(t, out - 1, i, err, err_size);
                /* Close the gap of merged entries so the tree can still be freed. */
                memmove(&t->entries[out], &t->entries[i], (t->count - i) * sizeof(*t->entries));
                t->count = out + (t->count - i);
                return -1;
            }
            /* Keep a named directory's source over an implicit one, for messages. */
            if (!t->entries[out - 1].src && t->entries[i].src) {
                struct ft_entry tmp = t->entries[out - 1];
                t->entries[out - 1] = t->entries[i];
                t->entries[i] = tmp;
            }
            entry_free(&t->entries[i]);
            continue;
        }
        t->entries[out++] = t->entries[i];
    }
    t->count = out;
    t->finished = true;
    return 0;
}

const struct ft_entry *file_tree_find(const struct file_tree *t, const char *path)
{
    size_t lo = 0, hi = t->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->entries[mid].path, path);
        if (c == 0)
            return &t->entries[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
