/* configfs-tsm's report directory (/sys/kernel/config/tsm/report) for a TEE launch. */
#ifndef SHIM_FS_TSM_H
#define SHIM_FS_TSM_H

#include "fs/vfs.h"

struct inode *tsm_report_dir_new(void);

#endif
