/*
 * Files with no file-system node of their own (epoll, eventfd, timerfd): what Linux's
 * anonymous inode shows of them, the same for every kind.
 */
#ifndef SHIM_FS_ANON_H
#define SHIM_FS_ANON_H

#include "lib/types.h"

struct linux_stat;

/* "anon_inode:[name]" for /proc/self/fd, written to buf (size bytes); its length. */
size_t anon_link_name(const char *name, char *buf, size_t size);
/* fstat of such a file: mode 0600 and no type, as Linux's one anonymous inode has. */
s64 anon_stat(struct linux_stat *st);

struct file_ops;
/* A new open file of kind ops on priv, at the lowest free descriptor: the descriptor,
 * -ENFILE (priv is still the caller's to free) or -EMFILE (ops->release freed it). */
s64 anon_file_install(const struct file_ops *ops, u32 flags, void *priv, bool cloexec);

#endif
