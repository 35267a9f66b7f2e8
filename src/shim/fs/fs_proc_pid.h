/* /proc/PID and /proc/PID/task/TID (fs_proc_pid.c), under fs_proc.c's root, and what
 * the two files share. */
#ifndef SHIM_FS_PROC_PID_H
#define SHIM_FS_PROC_PID_H

#include "fs/fs_synth.h"

#define PROC_DEV 0x4
/* The inode numbers of /proc/PID and /proc/PID/task/TID, apart from vfs_next_ino's */
#define PROC_PID_INO(pid)  ((1ull << 32) | (u32)(pid))
#define PROC_TASK_INO(tid) ((2ull << 32) | (u32)(tid))

/* /proc/NAME when NAME is a live process's pid: its directory; else -ENOENT. root is
 * /proc itself, the parent of every pid directory. */
s64 proc_pid_lookup(struct inode *root, const char *name, size_t len, struct inode **out);
/* The next live pid above *pid, into *pid; false when there is none (/proc's listing). */
bool proc_pid_next(s32 *pid);

/* fs_proc.c: /proc/mounts' text and the vCPUs as a CPU list ("0-3"), which
 * /proc/PID/mounts and status show too. */
void proc_gen_mounts(struct text *t);
void proc_cpu_list(struct text *t);

#endif
