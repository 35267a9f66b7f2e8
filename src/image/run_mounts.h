/*
 * The directories the shim mounts its own file systems on when the workload starts
 * (src/shim/kernel/main.c, tee/secrets.c): /dev, /proc and /sys always, a tmpfs on /tmp unless the
 * manifest's tmpfs size is 0, and a tmpfs on /run when a secret is written to a file.
 * An image file below one of them would be hidden for the whole run, so the writer
 * refuses such an image rather than make one that cannot find its own files.
 */
#ifndef CLOISTER_IMAGE_RUN_MOUNTS_H
#define CLOISTER_IMAGE_RUN_MOUNTS_H

#include <stddef.h>

#include "image/file_tree.h"
#include "image/manifest.h"

/*
 * Checks a finished tree and its manifest: no file below a run-time mount point, and a
 * working directory that will exist at start (a directory of the image, a mount point,
 * or a place inside /dev, /proc or /sys). 0, or -1 with err naming the path and why.
 */
int run_mounts_check(const struct cl_manifest *m, const struct file_tree *t, char *err,
                     size_t err_size);

#endif
