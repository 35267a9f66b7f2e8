/* The image file system: verified index, lazily verified chunks (fs_image.h). */
#include "fs/fs_image.h"
#include "uapi/errno.h"
#include "arch/x86/hcall.h"
#include "mm/iov.h"
#include "mm/kmalloc.h"
#include "lib/lib.h"
#include "arch/x86/paging.h"
#include "lib/sha256.h"

#include <cloister/cwi.h>

#define IMAGE_DEV   0x801 /* st_dev of image files: like a read-only block device */
#define INDEX_MAX   (64ull << 20)
#define CHUNK_PAGES (CWI_CHUNK_SIZE / PAGE_SIZE)

struct image_node {
    struct inode inode;
    const struct cwi_entry *entry;
    u8 *hashes; /* the file's chunk hashes, checked against entry->sha256; NULL until open */
    u64 *pages; /* per page: GPA of its checked copy, 0 until loaded */
};

static struct cl_launch launch;
static bool verify;     /* check file data (under a TEE), or trust the host's pages (--tee none) */
static const u8 *image; /* the host's mapping of the image: untrusted */
static u8 *index_copy;  /* our checked copy of FILE_INDEX */
static const struct cwi_entry *entries;
static const char *strings;
static u64 nr_entries, strings_size;
static struct image_node *nodes;
static const struct inode_ops image_dir_ops, image_file_ops_inode, image_link_ops;
static const struct file_ops image_file_ops;

static const char *entry_path(const struct cwi_entry *e, size_t *len)
{
    *len = e->path_length;
    return strings + e->path_offset;
}

static int path_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, MIN(alen, blen));
    return c ? c : (alen < blen ? -1 : alen > blen ? 1 : 0);
}

/* Index of the first entry whose path is >= key. */
static u64 lower_bound(const char *key, size_t klen)
{
    u64 lo = 0, hi = nr_entries;
    while (lo < hi) {
        u64 mid = lo + (hi - lo) / 2;
        size_t len;
        const char *p = entry_path(&entries[mid], &len);
        if (path_cmp(p, len, key, klen) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static struct image_node *find(const char *path, size_t len)
{
    u64 i = lower_bound(path, len);
    size_t elen;
    if (i < nr_entries) {
        const char *p = entry_path(&entries[i], &elen);
        if (elen == len && !memcmp(p, path, len))
            return &nodes[i];
    }
    return NULL;
}

const char *image_fs_path(struct inode *node, size_t *len)
{
    if (node->dev != IMAGE_DEV || !nodes)
        return NULL;
    return entry_path(((struct image_node *)node->priv)->entry, len);
}

struct inode *image_fs_lookup_path(const char *path)
{
    struct image_node *n = find(path, strlen(path));
    return n ? &n->inode : NULL;
}

static bool clean_path(const char *p, size_t len)
{
    if (len == 0 || p[0] != '/' || memchr_u8(p, 0, len))
        return false;
    if (len == 1)
        return true;
    if (p[len - 1] == '/')
        return false;
    for (size_t i = 0; i < len;) {
        size_t j = i + 1;
        while (j < len && p[j] != '/')
            j++;
        size_t c = j - i - 1; /* component p[i+1 .. j) */
        if (c == 0 || (c == 1 && p[i + 1] == '.') || (c == 2 && p[i + 1] == '.' && p[i + 2] == '.'))
            return false;
        i = j;
    }
    return true;
}

static bool range_ok(u64 off, u64 len, u64 limit)
{
    return off <= limit && len <= limit - off;
}

/* The structural rules the host's reader also checks; here they guard our memory. */
static const char *check_index(void)
{
    const struct cwi_index_header *h = (const void *)index_copy;
    if (launch.index_size < sizeof(*h) || h->chunk_shift != CWI_CHUNK_SHIFT ||
        h->entries_offset != sizeof(*h))
        return "image index: bad header";
    nr_entries = h->entry_count;
    if (nr_entries == 0 || nr_entries > launch.index_size / sizeof(struct cwi_entry) ||
        !range_ok(h->entries_offset, nr_entries * sizeof(struct cwi_entry), launch.index_size) ||
        !range_ok(h->strings_offset, h->strings_size, launch.index_size))
        return "image index: entries or strings out of bounds";
    entries = (const void *)(index_copy + h->entries_offset);
    strings = (const char *)index_copy + h->strings_offset;
    strings_size = h->strings_size;
    u64 chunks = launch.chunks_size / SHA256_SIZE;
    for (u64 i = 0; i < nr_entries; i++) {
        const struct cwi_entry *e = &entries[i];
        if (!range_ok(e->path_offset, e->path_length, strings_size) ||
            !clean_path(strings + e->path_offset, e->path_length))
            return "image index: bad path";
        if (i > 0) {
            size_t plen, qlen;
            const char *p = entry_path(&entries[i - 1], &plen);
            const char *q = entry_path(e, &qlen);
            if (path_cmp(p, plen, q, qlen) >= 0)
                return "image index: paths not sorted";
        }
        u32 type = e->mode & CWI_S_IFMT;
        if (type == CWI_S_IFREG) {
            u64 n = (e->size + CWI_CHUNK_SIZE - 1) >> CWI_CHUNK_SHIFT;
            if (!range_ok(e->data_offset, e->size, launch.data_size) ||
                !IS_ALIGNED(e->data_offset, PAGE_SIZE) || !range_ok(e->first_chunk, n, chunks))
                return "image index: file data out of bounds";
        } else if (type == CWI_S_IFLNK) {
            if (!range_ok(e->data_offset, e->size, strings_size) || e->size == 0 ||
                e->size >= PATH_MAX)
                return "image index: bad symlink";
        } else if (type != CWI_S_IFDIR) {
            return "image index: bad file type";
        }
    }
    size_t rlen;
    const char *root = entry_path(&entries[0], &rlen);
    if (rlen != 1 || root[0] != '/' || (entries[0].mode & CWI_S_IFMT) != CWI_S_IFDIR)
        return "image index: no root directory";
    return NULL;
}

static struct image_node *parent_of(const struct cwi_entry *e)
{
    size_t len;
    const char *p = entry_path(e, &len);
    while (len > 1 && p[len - 1] != '/')
        len--;
    if (len > 1)
        len--; /* drop the slash, except for "/" itself */
    return find(p, len);
}

struct inode *image_fs_init(const struct cl_launch *l, bool check_data, const char **why)
{
    launch = *l;
    verify = check_data;
    image = phys_to_virt(CL_GPA_FILES);
    if (launch.image_size > CL_FILES_MAX_SIZE ||
        !range_ok(launch.index_offset, launch.index_size, launch.image_size) ||
        !range_ok(launch.chunks_offset, launch.chunks_size, launch.image_size) ||
        !range_ok(launch.data_offset, launch.data_size, launch.image_size) ||
        launch.index_size > INDEX_MAX || launch.chunks_size % SHA256_SIZE)
        return *why = "launch area: image sections out of bounds", NULL;

    /* copy, then hash the copy: the host may change its pages while we look */
    index_copy = kmalloc(launch.index_size);
    if (!index_copy)
        return *why = "out of memory for the image index", NULL;
    memcpy(index_copy, image + launch.index_offset, launch.index_size);
    u8 digest[SHA256_SIZE];
    sha256(index_copy, launch.index_size, digest);
    if (memcmp(digest, launch.index_sha256, SHA256_SIZE) != 0)
        return *why = "image index does not match the measured launch", NULL;
    if ((*why = check_index()) != NULL)
        return NULL;

    nodes = kmalloc(nr_entries * sizeof(*nodes));
    if (!nodes)
        return *why = "out of memory for the image's inodes", NULL;
    for (u64 i = 0; i < nr_entries; i++) {
        const struct cwi_entry *e = &entries[i];
        struct image_node *n = &nodes[i];
        n->entry = e;
        n->inode.ino = i + 2; /* as on Linux file systems, the root is 2 */
        n->inode.mode = e->mode;
        n->inode.nlink = 1;
        n->inode.size = e->size;
        n->inode.dev = IMAGE_DEV;
        n->inode.priv = n;
        u32 type = e->mode & CWI_S_IFMT;
        n->inode.ops = type == CWI_S_IFDIR   ? &image_dir_ops
                       : type == CWI_S_IFREG ? &image_file_ops_inode
                                             : &image_link_ops;
        if (i > 0) {
            struct image_node *parent = parent_of(e);
            if (!parent || (parent->entry->mode & CWI_S_IFMT) != CWI_S_IFDIR)
                return *why = "image index: a parent directory is missing", NULL;
            if (type == CWI_S_IFDIR) {
                n->inode.parent = &parent->inode;
                n->inode.nlink = 2;
                parent->inode.nlink++;
            }
        }
    }
    nodes[0].inode.nlink = MAX(nodes[0].inode.nlink, 2u);
    return &nodes[0].inode;
}

/* ---- directories ---- */

static s64 image_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
    static char path[PATH_MAX + NAME_MAX + 2];
    struct image_node *d = dir->priv;
    size_t dlen;
    const char *dp = entry_path(d->entry, &dlen);
    if (dlen + 1 + len >= sizeof(path))
        return -ENAMETOOLONG;
    memcpy(path, dp, dlen);
    size_t n = dlen;
    if (dlen > 1)
        path[n++] = '/';
    memcpy(path + n, name, len);
    struct image_node *child = find(path, n + len);
    if (!child)
        return -ENOENT;
    *out = &child->inode;
    return 0;
}

static s64 image_readdir(struct inode *dir, u64 *pos, dir_emit_fn emit, void *ctx)
{
    static char prefix[PATH_MAX + 1];
    struct image_node *d = dir->priv;
    size_t dlen;
    const char *dp = entry_path(d->entry, &dlen);
    size_t plen = dlen;
    memcpy(prefix, dp, dlen);
    if (dlen > 1)
        prefix[plen++] = '/';
    u64 i = *pos ? *pos : lower_bound(prefix, plen);
    if (dlen == 1 && i == 0)
        i = 1; /* skip "/" itself */
    for (; i < nr_entries; i++) {
        size_t len;
        const char *p = entry_path(&entries[i], &len);
        if (len <= plen || memcmp(p, prefix, plen) != 0)
            break;
        const char *name = p + plen;
        size_t nlen = len - plen;
        if (memchr_u8(name, '/', nlen))
            continue; /* a grandchild */
        if (!emit(ctx, name, nlen, nodes[i].inode.ino, vfs_dtype(entries[i].mode))) {
            *pos = i;
            return 0;
        }
    }
    *pos = i;
    return 0;
}

static s64 image_open(struct inode *node, u32 flags, struct file **out)
{
    if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
        return (node->mode & S_IFMT) == S_IFDIR ? -EISDIR : -EROFS;
    struct image_node *n = node->priv;
    bool dir = (node->mode & S_IFMT) == S_IFDIR;
    if (!dir && (flags & O_DIRECTORY))
        return -ENOTDIR;
    if (!dir && verify && !n->hashes) {
        /* the chunk-hash list, checked against the index's tree hash */
        u64 chunks = (node->size + CWI_CHUNK_SIZE - 1) >> CWI_CHUNK_SHIFT;
        u8 *h = kmalloc(chunks * SHA256_SIZE + 1);
        u64 *pages = kmalloc(((node->size + PAGE_SIZE - 1) / PAGE_SIZE) * sizeof(u64) + 8);
        if (!h || !pages) {
            kfree(h);
            kfree(pages);
            return -ENOMEM;
        }
        memcpy(h, image + launch.chunks_offset + n->entry->first_chunk * SHA256_SIZE,
               chunks * SHA256_SIZE);
        u8 digest[SHA256_SIZE];
        sha256(h, chunks * SHA256_SIZE, digest);
        if (memcmp(digest, n->entry->sha256, SHA256_SIZE) != 0) {
            size_t len;
            const char *p = entry_path(n->entry, &len);
            hlog("cloister: integrity failure: the chunk list of %.*s does not match the "
                 "image index\n",
                 (int)len, p);
            kfree(h);
            kfree(pages);
            return -EIO;
        }
        n->hashes = h;
        n->pages = pages;
    }
    struct file *f = vfs_file_new(dir ? &vfs_dir_file_ops : &image_file_ops, node, flags);
    if (!f)
        return -ENFILE;
    *out = f;
    return 0;
}

static s64 image_readlink(struct inode *node, char *buf, size_t size)
{
    struct image_node *n = node->priv;
    u64 len = MIN(n->entry->size, size);
    memcpy(buf, strings + n->entry->data_offset, len);
    return (s64)len;
}

/* the image is read-only: its modes, owners and times are what was measured */
static s64 image_setattr(struct inode *n, const struct inode_attr *a)
{
    return -EROFS;
}

static const struct inode_ops image_dir_ops = {
    .lookup = image_lookup,
    .readdir = image_readdir,
    .open = image_open,
    .setattr = image_setattr,
};
static const struct inode_ops image_file_ops_inode = {.open = image_open, .setattr = image_setattr};
static const struct inode_ops image_link_ops = {.readlink = image_readlink,
                                                .setattr = image_setattr};

/* ---- file data ---- */

/* Copies chunk c in and checks it; fills n->pages for its pages. */
static s64 load_chunk(struct image_node *n, u64 c)
{
    u64 off = c * CWI_CHUNK_SIZE;
    u64 len = MIN((u64)CWI_CHUNK_SIZE, n->inode.size - off);
    u64 npages = (len + PAGE_SIZE - 1) / PAGE_SIZE;
    const u8 *src = image + launch.data_offset + n->entry->data_offset + off;
    u64 got[CHUNK_PAGES];
    struct sha256 h;
    sha256_init(&h);
    for (u64 i = 0; i < npages; i++) {
        got[i] = page_alloc();
        if (!got[i]) {
            while (i--)
                page_free(got[i]);
            return -ENOMEM;
        }
        u64 k = MIN(PAGE_SIZE, len - i * PAGE_SIZE);
        u8 *dst = phys_to_virt(got[i]);
        memcpy(dst, src + i * PAGE_SIZE, k);
        sha256_update(&h, dst, k); /* hash our copy, never the host's pages */
    }
    u8 digest[SHA256_SIZE];
    sha256_final(&h, digest);
    if (memcmp(digest, n->hashes + c * SHA256_SIZE, SHA256_SIZE) != 0) {
        for (u64 i = 0; i < npages; i++)
            page_free(got[i]);
        size_t plen;
        const char *p = entry_path(n->entry, &plen);
        hlog("cloister: integrity failure: %.*s bytes %lu-%lu do not match the image's hash\n",
             (int)plen, p, off, off + len - 1);
        return -EIO;
    }
    for (u64 i = 0; i < npages; i++)
        n->pages[c * CHUNK_PAGES + i] = got[i];
    return 0;
}

static s64 page_gpa(struct image_node *n, u64 index)
{
    if (!verify) /* the host is trusted: its read-only page is the file's page */
        return (s64)(CL_GPA_FILES + launch.data_offset + n->entry->data_offset + index * PAGE_SIZE);
    if (!n->pages[index]) {
        s64 err = load_chunk(n, index / CHUNK_PAGES);
        if (err)
            return err;
    }
    return (s64)n->pages[index];
}

static s64 image_read(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    struct image_node *n = f->inode->priv;
    u64 pos = off < 0 ? (u64)f->offset : (u64)off;
    u64 total = iov_total(iov, cnt);
    if (pos >= n->inode.size)
        return 0;
    u64 want = MIN(total, n->inode.size - pos), done = 0;
    while (done < want) {
        u64 p = pos + done;
        s64 gpa = page_gpa(n, p / PAGE_SIZE);
        if (gpa < 0)
            return done ? (s64)done : gpa;
        u64 k = MIN(want - done, PAGE_SIZE - p % PAGE_SIZE);
        if (iov_copy_in(iov, cnt, done, (u8 *)phys_to_virt((u64)gpa) + p % PAGE_SIZE, k))
            return done ? (s64)done : -EFAULT;
        done += k;
    }
    if (off < 0)
        f->offset += (s64)done;
    return (s64)done;
}

s64 image_read_kernel(struct inode *node, u64 off, void *buf, u64 len)
{
    struct image_node *n = node->priv;
    if ((verify && !n->pages) || off >= node->size)
        return (verify && !n->pages) ? -EBADF : 0;
    u64 want = MIN(len, node->size - off), done = 0;
    while (done < want) {
        u64 p = off + done;
        s64 gpa = page_gpa(n, p / PAGE_SIZE);
        if (gpa < 0)
            return gpa;
        u64 k = MIN(want - done, PAGE_SIZE - p % PAGE_SIZE);
        memcpy((u8 *)buf + done, (u8 *)phys_to_virt((u64)gpa) + p % PAGE_SIZE, k);
        done += k;
    }
    return (s64)done;
}

static s64 image_stat(struct file *f, struct linux_stat *st)
{
    vfs_stat(f->inode, st);
    return 0;
}

static s64 image_page(struct file *f, u64 index)
{
    struct image_node *n = f->inode->priv;
    if (index * PAGE_SIZE >= n->inode.size)
        return -EFAULT; /* past the end: SIGBUS territory */
    return page_gpa(n, index);
}

static const struct file_ops image_file_ops = {
    .read = image_read,
    .stat = image_stat,
    .page = image_page,
    .seekable = true,
    .poll = file_always_ready,
};
