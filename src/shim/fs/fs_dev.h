/* /dev: null, zero, full, random, urandom, tty, std{in,out,err}, and sev-guest in a TEE. */
#ifndef SHIM_FS_DEV_H
#define SHIM_FS_DEV_H

#include "fs/vfs.h"

struct inode *devfs_new(bool with_sev_guest);

#endif
