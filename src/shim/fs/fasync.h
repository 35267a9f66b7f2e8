/*
 * Signal-driven I/O: an open file with O_ASYNC and an owner (F_SETOWN) sends SIGIO to
 * that process, or to every process of that group, when it becomes readable (Linux's
 * fasync). nginx's master asks it of each worker's channel socket.
 */
#ifndef SHIM_FASYNC_H
#define SHIM_FASYNC_H

#include "lib/types.h"

struct file;

/* ioctl(FIOASYNC): *arg non-zero sets O_ASYNC on f, zero clears it; 0 or -errno. */
s64 fasync_ioctl(struct file *f, u64 arg);
/* fcntl(F_SETOWN): who > 0 a process, who < 0 a process group, 0 nobody; 0, -ESRCH
 * when no process has that pid or group, -ENOMEM. */
s64 fasync_set_owner(struct file *f, s64 who);
/* fcntl(F_GETOWN): the owner as F_SETOWN was given it, 0 for none. */
s64 fasync_owner(struct file *f);
/* fcntl(F_SETOWN_EX, F_GETOWN_EX): the owner as a struct f_owner_ex at uarg, a
 * thread, a process or a group (glibc's F_GETOWN is F_GETOWN_EX). 0 or -errno. */
s64 fasync_set_owner_ex(struct file *f, u64 uarg);
s64 fasync_owner_ex(struct file *f, u64 uarg);
/* fcntl(F_SETFL) changed f's flags: O_ASYNC may have come or gone. */
void fasync_flags_changed(struct file *f);
/* f's last reference goes (file_put): its owner is forgotten. */
void fasync_file_gone(struct file *f);

#endif
