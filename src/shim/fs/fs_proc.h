/* /proc: what programs read about themselves (fs_proc.c lists the files). */
#ifndef SHIM_FS_PROC_H
#define SHIM_FS_PROC_H

#include "fs/vfs.h"

struct inode *procfs_new(void);
/* /sys: devices/system/cpu/{online,possible,present}, and kernel/config/tsm in a TEE. */
struct inode *sysfs_new(bool with_tsm);

#endif
