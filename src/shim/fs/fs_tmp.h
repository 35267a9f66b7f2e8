/* tmpfs: a writable file system in guest memory, gone when the VM ends. */
#ifndef SHIM_FS_TMP_H
#define SHIM_FS_TMP_H

#include "fs/vfs.h"

/* A new empty tmpfs that may hold up to max_bytes of file data; its root. */
struct inode *tmpfs_new(u64 max_bytes);
/* Writes a kernel buffer as the whole contents of a tmpfs file; bytes written or -errno. */
s64 tmpfs_write_kernel(struct inode *node, const void *buf, size_t len);

/* The memory behind a MAP_SHARED|MAP_ANONYMOUS mapping, as Linux's shmem: an unnamed
 * tmpfs file of size bytes, open read-write, outside any mount's limit (the page
 * allocator bounds it), freed with its last mapping. NULL without memory. */
struct file *tmpfs_anon_file(u64 size);

#endif
