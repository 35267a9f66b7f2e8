/*
 * The files an image will carry, collected from the host before the image is written.
 *
 * A tree is a flat list of entries keyed by their path in the image. Adding is
 * order-independent: file_tree_finish() adds every missing parent directory, sorts the
 * entries bytewise by path (the order of the FILE_INDEX) and normalises modes, so the
 * same inputs always give the same tree, whatever order they were named in or the host
 * directories listed them in. Nothing host-specific survives: no owners, no times, no
 * inode numbers; only path, type, normalised mode, size, and where to read the bytes.
 */
#ifndef CLOISTER_IMAGE_FILE_TREE_H
#define CLOISTER_IMAGE_FILE_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ft_entry {
    char *path;        /* clean absolute path in the image */
    uint32_t mode;     /* CWI_S_IF* | normalised permissions */
    uint64_t size;     /* regular: bytes (as seen when added); symlink: target length; dir: 0 */
    char *src;         /* regular: host path to read the contents from; else NULL */
    char *target;      /* symlink: its target, verbatim; else NULL */
    uint64_t dev, ino; /* regular: host identity, to tell one source named twice apart from
                        * two different sources */
    uint64_t seq;      /* order of adding: breaks ties between duplicates */
};

struct file_tree {
    struct ft_entry *entries;
    size_t count, capacity;
    uint64_t next_seq;
    bool finished; /* sorted, parents present */
};

/*
 * Whether p (len bytes, no NUL needed) is a clean image path: "/" or "/a/b" with no
 * empty, "." or ".." component, no trailing "/", no NUL, shorter than CWI_MAX_PATH.
 * The one definition of the rule of include/cloister/cwi.h, used by the manifest, the
 * tree builder and the image reader alike. cwi_path_problem() says what is wrong (a
 * phrase such as "is not absolute") or returns NULL for a clean path.
 */
const char *cwi_path_problem(const char *p, size_t len);
bool cwi_path_is_clean(const char *p, size_t len);

void file_tree_init(struct file_tree *t);
void file_tree_free(struct file_tree *t);

/*
 * Adds the host path src at image path dst: a regular file, a symlink (stored as a
 * symlink, target verbatim, never followed) or a directory (added recursively, its
 * own symlinks again stored as symlinks). Devices, sockets and fifos are refused, naming
 * the host path. dst must be clean. Adding a path twice is accepted only if both name
 * the same thing (the same host file, the same symlink target, or two directories,
 * which merge); anything else is a conflict naming dst. 0, or -1 with err; after an
 * error the tree may hold part of a directory, so the caller should give up on it.
 */
int file_tree_add(struct file_tree *t, const char *src, const char *dst, char *err,
                  size_t err_size);

/*
 * The same for the entry program: src is followed if it is a symlink (the workload is
 * the program, not the link), and must end at a regular file.
 */
int file_tree_add_program(struct file_tree *t, const char *src, const char *dst, char *err,
                          size_t err_size);

/*
 * Completes the tree: "/" and every parent directory get an entry, entries are sorted
 * bytewise by path, and a path below a non-directory is refused ("/a/b" when "/a" is a
 * file or a symlink). Idempotent. 0, or -1 with err.
 */
int file_tree_finish(struct file_tree *t, char *err, size_t err_size);

/* The entry for path in a finished tree, or NULL. */
const struct ft_entry *file_tree_find(const struct file_tree *t, const char *path);

#endif
