/* What other system calls need to know of a pipe (pipe.c). */
#ifndef SHIM_FS_PIPE_H
#define SHIM_FS_PIPE_H

#include "lib/types.h"

struct file;

#define PIPE_BUF 4096u /* writes of up to this many bytes go in at once */

/* The bytes a write to f could put in now without waiting, or -1 if f is not a pipe
 * (sendfile fills a pipe as far as it has room, as Linux's does). */
s64 pipe_room(struct file *f);

#endif
