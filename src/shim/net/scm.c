/*
 * Ancillary data (scm.h): what sendmsg's control buffer carries into an AF_UNIX
 * message, and what recvmsg writes back, walked and checked as Linux's __scm_send and
 * put_cmsg do. A descriptor in flight is a reference to its open file, so the
 * receiver's new descriptor shares the file's offset and flags; the reference goes
 * when the message is received or, never received, freed.
 */
#include "net/scm.h"
#include "net/unix.h"
#include "fs/file.h"
#include "kernel/process.h"
#include "lib/lib.h"
#include "mm/kmalloc.h"
#include "mm/uaccess.h"
#include "uapi/errno.h"

#define SOL_SOCKET      1
#define SCM_RIGHTS      1
#define SCM_CREDENTIALS 2
#define CMSG_HDR        16u    /* sizeof(struct cmsghdr) */
#define CTL_MAX         20480u /* net.core.optmem_max: a longer buffer is ENOBUFS */

struct cmsghdr_k {
    u64 len;
    s32 level, type;
};
_Static_assert(sizeof(struct cmsghdr_k) == CMSG_HDR, "cmsghdr");

static u64 cmsg_align(u64 n)
{
    return (n + 7) & ~7ull;
}

void scm_free(struct scm *s)
{
    if (!s)
        return;
    for (u32 i = 0; i < s->nfds; i++)
        file_put(s->files[i]);
    kfree(s);
}

/* Adds the descriptors of one SCM_RIGHTS message to *sp. */
static s64 take_rights(const u8 *data, u64 len, struct scm **sp)
{
    u64 num = (len - CMSG_HDR) / sizeof(s32);
    if (num == 0)
        return 0;
    if (num > SCM_MAX_FD)
        return -EINVAL;
    if (!*sp && !(*sp = kmalloc(sizeof(struct scm) + SCM_MAX_FD * sizeof(struct file *))))
        return -ENOMEM;
    struct scm *s = *sp;
    if (s->nfds + num > SCM_MAX_FD)
        return -EINVAL;
    for (u64 i = 0; i < num; i++) {
        s32 fd;
        memcpy(&fd, data + CMSG_HDR + i * sizeof(fd), sizeof(fd));
        struct file *f = fd_get(fd);
        if (!f)
            return -EBADF;
        f->refs++;
        s->files[s->nfds++] = f;
    }
    return 0;
}

static s64 take_creds(const u8 *data, u64 len, struct scm_creds *c)
{
    if (len != CMSG_HDR + sizeof(*c))
        return -EINVAL;
    struct scm_creds in;
    memcpy(&in, data + CMSG_HDR, sizeof(in));
    /* the workload is root (CAP_SETUID, CAP_SETGID): any uid and gid; the pid must
     * exist, and the workload's is the only one */
    if (in.pid != current_process()->pid)
        return -ESRCH;
    *c = in;
    return 0;
}

/* Walks the buffer as for_each_cmsghdr does; each header is checked (CMSG_OK). */
static s64 walk(const u8 *ctl, u64 size, struct scm **sp, struct scm_creds *creds)
{
    for (u64 at = 0; at + CMSG_HDR <= size;) {
        struct cmsghdr_k h;
        memcpy(&h, ctl + at, sizeof(h));
        if (h.len < CMSG_HDR || h.len > size - at)
            return -EINVAL;
        if (h.level == SOL_SOCKET) {
            s64 err = h.type == SCM_RIGHTS        ? take_rights(ctl + at, h.len, sp)
                      : h.type == SCM_CREDENTIALS ? take_creds(ctl + at, h.len, creds)
                                                  : -EINVAL;
            if (err)
                return err;
        }
        at += cmsg_align(h.len);
    }
    return 0;
}

s64 scm_from_user(u64 control, u64 controllen, struct scm **files, struct scm_creds *creds)
{
    *files = NULL;
    creds->pid = current_process()->pid;
    creds->uid = creds->gid = 0;
    if (controllen == 0)
        return 0;
    if (controllen > CTL_MAX)
        return -ENOBUFS;
    u8 *ctl = kmalloc(controllen);
    if (!ctl)
        return -ENOBUFS;
    s64 err = copy_from_user(ctl, control, controllen) ? -EFAULT : 0;
    if (!err)
        err = walk(ctl, controllen, files, creds);
    kfree(ctl);
    if (err || (*files && !(*files)->nfds)) {
        scm_free(*files);
        *files = NULL;
    }
    return err;
}

s64 scm_put(struct scm_sink *k, u32 type, const void *data, u32 len)
{
    if (k->left < CMSG_HDR) {
        k->flags |= MSG_CTRUNC;
        return 0;
    }
    u64 cmlen = CMSG_HDR + len;
    if (k->left < cmlen) {
        k->flags |= MSG_CTRUNC;
        cmlen = k->left;
    }
    struct cmsghdr_k h = {cmlen, SOL_SOCKET, (s32)type};
    if (copy_to_user(k->at, &h, sizeof(h)) ||
        copy_to_user(k->at + CMSG_HDR, data, cmlen - CMSG_HDR))
        return -EFAULT;
    u64 used = MIN(cmsg_align(CMSG_HDR + len), k->left);
    k->at += used;
    k->left -= used;
    return 0;
}

s64 scm_put_rights(struct scm_sink *k, const struct scm *s, bool cloexec)
{
    u64 room = k->left > CMSG_HDR ? (k->left - CMSG_HDR) / sizeof(s32) : 0;
    u32 fit = (u32)MIN(room, (u64)s->nfds), i = 0;
    for (; i < fit; i++) {
        s64 fd = fd_install(s->files[i], 0, cloexec);
        if (fd < 0)
            break;
        s32 v = (s32)fd;
        if (copy_to_user(k->at + CMSG_HDR + i * sizeof(v), &v, sizeof(v))) {
            fd_close(fd);
            break;
        }
    }
    if (i > 0) {
        struct cmsghdr_k h = {CMSG_HDR + i * sizeof(s32), SOL_SOCKET, SCM_RIGHTS};
        if (copy_to_user(k->at, &h, sizeof(h)))
            return -EFAULT;
        u64 used = MIN(cmsg_align(h.len), k->left);
        k->at += used;
        k->left -= used;
    }
    if (i < s->nfds)
        k->flags |= MSG_CTRUNC;
    return 0;
}
