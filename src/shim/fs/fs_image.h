/*
 * The image's file tree, read-only, as the root of the workload's file system.
 *
 * The host maps the image file into the guest (CL_GPA_FILES); the shim trusts none of
 * it. At boot the file index is copied in and checked against the hash in the measured
 * launch area. A file's chunk-hash list is checked against the index's tree hash when
 * the file is first opened, and each 64 KiB chunk of data is copied into guest memory
 * and checked against its hash when first used. So a host that rewrites file bytes
 * (and the image's section hashes to match) gets the workload an EIO on exactly the
 * chunks it changed, and a line in the run's log — never altered data.
 */
#ifndef SHIM_FS_IMAGE_H
#define SHIM_FS_IMAGE_H

#include "fs/vfs.h"
#include <cloister/abi.h>

/*
 * Checks and loads the index; the root inode, or NULL with *why set. check_data: check
 * every chunk of file data before use and serve private copies (any TEE); without it
 * (--tee none, where the host is trusted) file pages are the host's read-only pages,
 * shared without a copy. The index itself is always checked.
 */
struct inode *image_fs_init(const struct cl_launch *launch, bool check_data, const char **why);
/* Reads a file of the image into shim memory (the loader's headers): bytes or -errno. */
s64 image_read_kernel(struct inode *node, u64 off, void *buf, u64 len);
/* The path of an image inode; NULL if node is not the image's. */
const char *image_fs_path(struct inode *node, size_t *len);
/* The inode of an absolute path in the image (no symlinks followed), or NULL. */
struct inode *image_fs_lookup_path(const char *path);

#endif
