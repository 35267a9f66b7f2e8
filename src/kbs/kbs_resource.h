/*
 * The key broker's resources on disk: DIR/<repository>/<type>/<tag>, opened beneath DIR
 * without following a symbolic link at any depth. A link anywhere below DIR would let
 * whoever can write there (or a mistake) release files from elsewhere to any attested
 * workload; DIR itself is the operator's choice and may be reached through links.
 */
#ifndef CLOISTER_KBS_KBS_RESOURCE_H
#define CLOISTER_KBS_KBS_RESOURCE_H

#include <stddef.h>
#include <stdint.h>

enum kbs_resolve {
    KBS_RESOLVE_AUTO, /* openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), else the walk */
    KBS_RESOLVE_WALK, /* one component at a time, each opened with O_NOFOLLOW (tests) */
};

/*
 * Opens rel, relative to the directory dir_fd, with open flags `flags` (O_NOFOLLOW is
 * added). rel is components separated by single '/'. Returns a descriptor, or -1 with
 * errno: EXDEV for an absolute path or a ".." component, EINVAL for an empty or "."
 * component, ELOOP for a symbolic link at any depth, else as openat(2).
 */
int kbs_open_beneath(int dir_fd, const char *rel, int flags, enum kbs_resolve how);

/*
 * Reads the resource id (already checked: kbs_resource_id_check) beneath dir_fd: a
 * regular file of at most KBS_MAX_RESOURCE_SIZE bytes. Returns its bytes (malloc'd;
 * the caller wipes them) and their number in *len, or NULL with *status (404: no such
 * resource, 500: it cannot be read) and one line in why.
 */
uint8_t *kbs_resource_read(int dir_fd, const char *id, size_t *len, int *status, char *err,
                           size_t err_size);

#endif
