/* /dev: null, zero, full, random, urandom. */
#ifndef SHIM_FS_DEV_H
#define SHIM_FS_DEV_H

#include "vfs.h"

struct inode *devfs_new(void);

#endif
