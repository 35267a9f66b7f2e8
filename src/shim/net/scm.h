/*
 * Ancillary data of AF_UNIX messages (scm.c): SCM_RIGHTS and SCM_CREDENTIALS in the
 * cmsghdr layout Linux uses on x86-64 (a 16-byte header, data aligned to 8).
 */
#ifndef SHIM_NET_SCM_H
#define SHIM_NET_SCM_H

#include "lib/types.h"

#define SCM_MAX_FD 253 /* Linux's limit of descriptors in one message */

struct file;

/* Descriptors in flight: each holds a reference to its open file. */
struct scm {
    u32 nfds;
    struct file *files[];
};

struct scm_creds {
    s32 pid;
    u32 uid, gid;
};

/* Reads a sendmsg control buffer from user memory: *files gets the SCM_RIGHTS
 * descriptors' files (NULL if none), creds what SCM_CREDENTIALS says, else the
 * caller's own. 0 or -EINVAL (a malformed header, a bad type, more than SCM_MAX_FD
 * descriptors), -EBADF, -EPERM (credentials not the caller's), -ENOBUFS, -EFAULT. */
s64 scm_from_user(u64 control, u64 controllen, struct scm **files, struct scm_creds *creds);
void scm_free(struct scm *s);

/* A recvmsg control buffer being filled. */
struct scm_sink {
    u64 at, left; /* user memory still free */
    u32 flags;    /* MSG_CTRUNC once something did not fit */
};

/* Appends one SOL_SOCKET message of type with len bytes of data, truncated as Linux's
 * put_cmsg truncates; -EFAULT. */
s64 scm_put(struct scm_sink *k, u32 type, const void *data, u32 len);
/* Installs new descriptors for the files in s (as many as fit, MSG_CTRUNC for the
 * rest) and appends their SCM_RIGHTS message; s itself is left to the caller. */
s64 scm_put_rights(struct scm_sink *k, const struct scm *s, bool cloexec);

#endif
