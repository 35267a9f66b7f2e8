/*
 * The image writer: lays out the sections of include/cloister/cwi.h and fills them.
 *
 * The layout is computed before a byte is written: every size is known from the tree
 * (file sizes as collected), so every offset is too. File contents are then streamed
 * once, in index order, into their page-aligned places in FILE_DATA, and each buffer is
 * hashed into its 64 KiB chunk hashes and (by a second thread) into the running
 * SHA-256 of FILE_DATA on the way. Only after that pass are the tree hashes known, so
 * the index, and the section table with every section's hash, are written last, at
 * their precomputed offsets.
 *
 *   header | table | MANIFEST | pad | SHIM | pad | FILE_INDEX | pad | CHUNK_HASHES | pad |
 *   FILE_DATA (file, zero pad to 4 KiB, file, ...)
 *
 * Everything between and after the written bytes is zero because the file is truncated
 * to zero and then extended to its final size before anything is written.
 */
#include "common/md.h"
#include "common/error_line.h"
#include "image/cwi_write.h"
#include "image/run_mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <cloister/abi.h>
#include <cloister/cwi.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "cwi structs are written as they lie");

#define NSECTIONS 7u /* at most: SIGNATURE and NOTES are optional */
/* Large reads keep a build disk- or hash-bound; a multiple of the chunk size keeps each
 * chunk whole in one buffer. */
#define READ_BUF (16u * CWI_CHUNK_SIZE)

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static uint64_t chunk_count(uint64_t size)
{
    return (size >> CWI_CHUNK_SHIFT) + ((size & (CWI_CHUNK_SIZE - 1)) != 0);
}

/* libcrypto failing to hash leaves no trustworthy image to write; callers fail the build. */
static int sha256(const void *data, size_t len, uint8_t out[32])
{
    unsigned int n = 0;
    return EVP_Digest(data, len, out, &n, md_sha256(), NULL) && n == 32 ? 0 : -1;
}

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off, char *err, size_t err_size)
{
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return error_line(err, err_size, "cannot write the image: %s",
                              n < 0 ? strerror(errno) : "no progress");
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

/* Reads exactly len bytes unless the file ends first; returns the count or -1. */
static ssize_t read_full(int fd, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* Where everything goes; offsets are from the start of the image. */
struct layout {
    struct cwi_section sec[NSECTIONS];
    unsigned count; /* sections used: 5, plus SIGNATURE and NOTES when present */
    uint64_t nchunks, strings_size, file_size;
};

enum { S_MANIFEST, S_SHIM, S_INDEX, S_CHUNKS, S_DATA, S_SIG, S_NOTES };

static int plan(const struct file_tree *t, size_t manifest_len, size_t shim_len, size_t sig_len,
                size_t notes_len, struct layout *L, char *err, size_t err_size)
{
    uint64_t strings = 0, chunks = 0, data = 0;
    for (size_t i = 0; i < t->count; i++) {
        const struct ft_entry *e = &t->entries[i];
        strings += strlen(e->path) + ((e->mode & CWI_S_IFMT) == CWI_S_IFLNK ? e->size : 0);
        if ((e->mode & CWI_S_IFMT) == CWI_S_IFREG) {
            chunks += chunk_count(e->size);
            data += align_up(e->size, CWI_ALIGN);
        }
    }
    /* Index offsets are 32-bit; everything else is 64-bit and cannot realistically wrap
     * (sizes came from st_size, at most 2^63 each, and far fewer than 2^32 files). */
    if (t->count > UINT32_MAX || strings > UINT32_MAX)
        return error_line(err, err_size, "too many files for one image");

    static const uint32_t types[NSECTIONS] = {
        CWI_SEC_MANIFEST,  CWI_SEC_SHIM,      CWI_SEC_FILE_INDEX, CWI_SEC_CHUNK_HASHES,
        CWI_SEC_FILE_DATA, CWI_SEC_SIGNATURE, CWI_SEC_NOTES};
    const uint64_t lengths[NSECTIONS] = {manifest_len,
                                         shim_len,
                                         sizeof(struct cwi_index_header) +
                                             t->count * sizeof(struct cwi_entry) + strings,
                                         chunks * 32,
                                         data,
                                         sig_len,
                                         notes_len};
    memset(L, 0, sizeof(*L));
    L->count = S_SIG + (sig_len != 0) + (notes_len != 0);
    uint64_t pos = CWI_HEADER_SIZE + L->count * sizeof(struct cwi_section);
    for (unsigned i = 0; i < NSECTIONS; i++) {
        if (i >= S_SIG && !lengths[i])
            continue; /* an optional section left out */
        /* The manifest's records are 8-byte units, notes are text, the signature bytes;
         * the rest start on a page so that the monitor can map them and the shim can
         * address them by page. */
        pos = align_up(pos, i == S_MANIFEST || i >= S_SIG ? 8 : CWI_ALIGN);
        L->sec[i].type = types[i];
        L->sec[i].offset = pos;
        L->sec[i].length = lengths[i];
        pos += lengths[i];
    }
    L->nchunks = chunks;
    L->strings_size = strings;
    L->file_size = pos;
    return 0;
}

/*
 * FILE_DATA's own SHA-256 is hashed by a second thread, in order, while the main thread
 * reads, hashes chunks and writes: the two hashes cover the same bytes, and running them
 * side by side takes one of them off a large build's critical path. The main thread
 * hands over buffers by pointer and waits for one to be done before refilling it.
 * Without a thread (pthread_create failed) the same calls hash inline.
 */
#define BG_QUEUE 4

struct bg_hash {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    EVP_MD_CTX *ctx;
    struct {
        const uint8_t *p;
        size_t n;
    } q[BG_QUEUE];
    uint64_t pushed, done; /* items handed over, items hashed */
    bool started, running, stop, failed;
};

static void *bg_main(void *arg)
{
    struct bg_hash *h = arg;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (h->done == h->pushed && !h->stop)
            pthread_cond_wait(&h->cv, &h->mu);
        if (h->done == h->pushed)
            break;
        const uint8_t *p = h->q[h->done % BG_QUEUE].p;
        size_t n = h->q[h->done % BG_QUEUE].n;
        pthread_mutex_unlock(&h->mu);
        bool ok = EVP_DigestUpdate(h->ctx, p, n);
        pthread_mutex_lock(&h->mu);
        h->failed |= !ok;
        h->done++;
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* 0, or -1 if libcrypto fails; either way bg_finish() releases what was set up. */
static int bg_start(struct bg_hash *h)
{
    memset(h, 0, sizeof(*h));
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    h->started = true;
    if (!(h->ctx = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(h->ctx, md_sha256(), NULL))
        return -1;
    h->running = pthread_create(&h->thread, NULL, bg_main, h) == 0;
    return 0;
}

/* Queues n bytes at p (which must stay untouched until bg_wait(returned value)). */
static uint64_t bg_push(struct bg_hash *h, const uint8_t *p, size_t n)
{
    if (!h->running) {
        h->failed |= !EVP_DigestUpdate(h->ctx, p, n);
        return h->pushed++;
    }
    pthread_mutex_lock(&h->mu);
    while (h->pushed - h->done == BG_QUEUE)
        pthread_cond_wait(&h->cv, &h->mu);
    h->q[h->pushed % BG_QUEUE].p = p;
    h->q[h->pushed % BG_QUEUE].n = n;
    uint64_t seq = h->pushed++;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    return seq;
}

/* Waits until item seq has been hashed. */
static void bg_wait(struct bg_hash *h, uint64_t seq)
{
    if (!h->running)
        return;
    pthread_mutex_lock(&h->mu);
    while (h->done <= seq)
        pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
}

/* Stops the thread after the queue drains; with out, finishes the hash. 0 or -1. */
static int bg_finish(struct bg_hash *h, uint8_t out[32])
{
    if (!h->started)
        return -1;
    if (h->running) {
        pthread_mutex_lock(&h->mu);
        h->stop = true;
        pthread_cond_broadcast(&h->cv);
        pthread_mutex_unlock(&h->mu);
        pthread_join(h->thread, NULL);
        h->running = false;
    }
    unsigned int n = 0;
    int rc =
        !h->ctx || h->failed || (out && (!EVP_DigestFinal_ex(h->ctx, out, &n) || n != 32)) ? -1 : 0;
    EVP_MD_CTX_free(h->ctx);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    memset(h, 0, sizeof(*h));
    return rc;
}

#define NO_SEQ UINT64_MAX

/* The streaming pass: state carried from one file to the next. */
struct data_pass {
    int out;
    uint64_t data_off;   /* image offset of FILE_DATA */
    uint64_t pos;        /* next free offset within FILE_DATA */
    uint8_t *chunks;     /* every chunk hash, in order */
    uint64_t chunk_next; /* index of the next chunk hash */
    struct bg_hash section;
    uint8_t *buf[2]; /* filled alternately: one is read into while the other is hashed */
    uint64_t buf_seq[2];
    unsigned which;
};

static const uint8_t zero_page[CWI_ALIGN];

/* Copies one regular file into FILE_DATA, hashing it. Records where in *off, *first. */
static int copy_file(struct data_pass *p, const struct ft_entry *e, uint64_t *off, uint64_t *first,
                     char *err, size_t err_size)
{
    int fd = open(e->src, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return error_line(err, err_size, "cannot open %s: %s", e->src, strerror(errno));
    struct stat st;
    int rc = -1;
    if (fstat(fd, &st) != 0) {
        error_line(err, err_size, "cannot stat %s: %s", e->src, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_dev != e->dev || (uint64_t)st.st_ino != e->ino ||
        (uint64_t)st.st_size != e->size) {
        error_line(err, err_size, "%s changed while the image was being built", e->src);
        goto out;
    }
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);

    *off = p->pos;
    *first = p->chunk_next;
    uint64_t left = e->size;
    while (left > 0) {
        uint8_t *buf = p->buf[p->which];
        if (p->buf_seq[p->which] != NO_SEQ)
            bg_wait(&p->section, p->buf_seq[p->which]);
        size_t want = left < READ_BUF ? (size_t)left : READ_BUF;
        ssize_t got = read_full(fd, buf, want);
        if (got < 0) {
            error_line(err, err_size, "cannot read %s: %s", e->src, strerror(errno));
            goto out;
        }
        if ((size_t)got != want) {
            error_line(err, err_size, "%s shrank while the image was being built", e->src);
            goto out;
        }
        p->buf_seq[p->which] = bg_push(&p->section, buf, want);
        p->which ^= 1;
        for (size_t c = 0; c < want; c += CWI_CHUNK_SIZE) {
            size_t n = want - c < CWI_CHUNK_SIZE ? want - c : CWI_CHUNK_SIZE;
            if (sha256(buf + c, n, p->chunks + 32 * p->chunk_next++)) {
                error_line(err, err_size, "SHA-256 failed in libcrypto");
                goto out;
            }
        }
        if (pwrite_all(p->out, buf, want, p->data_off + p->pos, err, err_size))
            goto out;
        p->pos += want;
        left -= want;
    }
    uint8_t extra;
    if (read_full(fd, &extra, 1) != 0) {
        error_line(err, err_size, "%s grew while the image was being built", e->src);
        goto out;
    }
    /* The padding to the next page is part of FILE_DATA (and already zero on disk). */
    uint64_t pad = align_up(e->size, CWI_ALIGN) - e->size;
    if (pad)
        bg_push(&p->section, zero_page, (size_t)pad);
    p->pos += pad;
    rc = 0;
out:
    close(fd);
    return rc;
}

/* Fills the FILE_INDEX section: header, entries, strings. 0, or -1 if hashing failed. */
static int build_index(const struct file_tree *t, const struct layout *L, const uint64_t *offs,
                       const uint64_t *firsts, const uint8_t *chunks, uint8_t *idx)
{
    struct cwi_index_header h = {
        .entry_count = (uint32_t)t->count,
        .chunk_shift = CWI_CHUNK_SHIFT,
        .entries_offset = sizeof(h),
        .strings_offset = sizeof(h) + t->count * sizeof(struct cwi_entry),
        .strings_size = L->strings_size,
    };
    memcpy(idx, &h, sizeof(h));
    uint8_t *strings = idx + h.strings_offset;
    uint32_t spos = 0;
    for (size_t i = 0; i < t->count; i++) {
        const struct ft_entry *fe = &t->entries[i];
        struct cwi_entry e = {0};
        size_t plen = strlen(fe->path);
        e.path_offset = spos;
        e.path_length = (uint32_t)plen;
        memcpy(strings + spos, fe->path, plen);
        spos += (uint32_t)plen;
        e.mode = fe->mode;
        switch (fe->mode & CWI_S_IFMT) {
        case CWI_S_IFREG:
            e.size = fe->size;
            e.data_offset = offs[i];
            e.first_chunk = firsts[i];
            /* The tree hash: SHA-256 over the file's chunk hashes, in order. */
            if (sha256(chunks + 32 * firsts[i], 32 * chunk_count(fe->size), e.sha256))
                return -1;
            break;
        case CWI_S_IFLNK:
            e.size = fe->size;
            e.data_offset = spos;
            memcpy(strings + spos, fe->target, fe->size);
            spos += (uint32_t)fe->size;
            break;
        }
        memcpy(idx + sizeof(h) + i * sizeof(e), &e, sizeof(e));
    }
    return 0;
}

static int check_inputs(const struct cl_manifest *m, struct file_tree *t, const uint8_t *shim,
                        size_t shim_len, char *err, size_t err_size)
{
    struct cl_shim_header sh;
    if (shim_len < sizeof(sh))
        return error_line(err, err_size, "the shim is %zu bytes, too short for its header",
                          shim_len);
    memcpy(&sh, shim, sizeof(sh));
    if (sh.magic != CL_SHIM_MAGIC || sh.abi_version != CL_ABI_VERSION)
        return error_line(err, err_size, "the shim has a bad header (ABI %u, expected %u)",
                          sh.abi_version, CL_ABI_VERSION);
    if (file_tree_finish(t, err, err_size))
        return -1;
    const struct ft_entry *e = m->entry ? file_tree_find(t, m->entry) : NULL;
    if (!e)
        return error_line(err, err_size, "the entry program %s is not among the image's files",
                          m->entry ? m->entry : "(none)");
    if ((e->mode & CWI_S_IFMT) != CWI_S_IFREG)
        return error_line(err, err_size, "the entry program %s is not a regular file in the image",
                          m->entry);
    /* an image whose files the run-time mounts hide could never start */
    return run_mounts_check(m, t, err, err_size);
}

int cwi_write(int fd, const struct cl_manifest *m, struct file_tree *t, const uint8_t *shim,
              size_t shim_len, struct cwi_write_stats *stats, char *err, size_t err_size)
{
    return cwi_write_with_notes(fd, m, t, shim, shim_len, NULL, stats, err, err_size);
}

int cwi_write_with_notes(int fd, const struct cl_manifest *m, struct file_tree *t,
                         const uint8_t *shim, size_t shim_len, const char *notes,
                         struct cwi_write_stats *stats, char *err, size_t err_size)
{
    return cwi_write_signable(fd, m, t, shim, shim_len, notes, 0, stats, err, err_size);
}

/* One write's state from step to step; release_write frees it. */
struct image_write {
    struct layout L;
    struct data_pass p;
    uint8_t *manifest, *idx;
    size_t manifest_len;
    uint64_t *offs, *firsts; /* per entry: its offset in FILE_DATA, its first chunk */
    uint64_t files, bytes;   /* regular files copied, and their bytes */
};

/* The buffers the streaming pass and the index need, sized by the layout. */
static int allocate_buffers(struct image_write *w, const struct file_tree *t, char *err,
                            size_t err_size)
{
    w->p.data_off = w->L.sec[S_DATA].offset;
    w->p.chunks = malloc(w->L.nchunks ? w->L.nchunks * 32 : 1);
    w->p.buf[0] = malloc(READ_BUF);
    w->p.buf[1] = malloc(READ_BUF);
    w->p.buf_seq[0] = w->p.buf_seq[1] = NO_SEQ;
    w->offs = calloc(t->count, sizeof(*w->offs));
    w->firsts = calloc(t->count, sizeof(*w->firsts));
    w->idx = calloc(1, (size_t)w->L.sec[S_INDEX].length);
    if (!w->p.chunks || !w->p.buf[0] || !w->p.buf[1] || !w->offs || !w->firsts || !w->idx)
        return error_line(err, err_size, "out of memory writing the image");
    return 0;
}

/* FILE_DATA: every regular file's bytes, streamed once, with the section's hash. */
static int stream_file_data(struct image_write *w, const struct file_tree *t, char *err,
                            size_t err_size)
{
    if (bg_start(&w->p.section))
        return error_line(err, err_size, "SHA-256 failed in libcrypto");
    for (size_t i = 0; i < t->count; i++) {
        const struct ft_entry *e = &t->entries[i];
        if ((e->mode & CWI_S_IFMT) != CWI_S_IFREG)
            continue;
        if (copy_file(&w->p, e, &w->offs[i], &w->firsts[i], err, err_size))
            return -1;
        w->files++;
        w->bytes += e->size;
    }
    if (bg_finish(&w->p.section, w->L.sec[S_DATA].sha256))
        return error_line(err, err_size, "SHA-256 failed in libcrypto");
    return 0;
}

/* The sections known only once the data is: MANIFEST, SHIM, FILE_INDEX, CHUNK_HASHES,
 * then NOTES, each hashed into the layout; and SIGNATURE's hash, of zeros for now. */
static int write_other_sections(struct image_write *w, int fd, const struct file_tree *t,
                                const uint8_t *shim, const char *notes, size_t notes_len,
                                size_t sig_len, char *err, size_t err_size)
{
    struct layout *L = &w->L;
    if (build_index(t, L, w->offs, w->firsts, w->p.chunks, w->idx))
        return error_line(err, err_size, "SHA-256 failed in libcrypto");
    const void *bodies[S_DATA] = {w->manifest, shim, w->idx, w->p.chunks};
    for (unsigned i = 0; i < S_DATA; i++) {
        if (sha256(bodies[i], (size_t)L->sec[i].length, L->sec[i].sha256))
            return error_line(err, err_size, "SHA-256 failed in libcrypto");
        if (pwrite_all(fd, bodies[i], (size_t)L->sec[i].length, L->sec[i].offset, err, err_size))
            return -1;
    }
    if (notes_len) {
        if (sha256(notes, notes_len, L->sec[S_NOTES].sha256))
            return error_line(err, err_size, "SHA-256 failed in libcrypto");
        if (pwrite_all(fd, notes, notes_len, L->sec[S_NOTES].offset, err, err_size))
            return -1;
    }
    if (sig_len) {
        /* zeros until cwi_set_signature: the hash must match what the file holds */
        uint8_t *zeros = calloc(1, sig_len);
        int bad = !zeros || sha256(zeros, sig_len, L->sec[S_SIG].sha256);
        free(zeros);
        if (bad)
            return error_line(err, err_size, "SHA-256 failed in libcrypto");
    }
    return 0;
}

/* Last, the header and the section table with every section's hash, and the table's. */
static int write_header_and_table(int fd, const struct layout *L, char *err, size_t err_size)
{
    struct cwi_section table[NSECTIONS];
    unsigned n = 0;
    for (unsigned i = 0; i < NSECTIONS; i++)
        if (i < S_SIG || L->sec[i].length)
            table[n++] = L->sec[i];
    struct cwi_header h = {
        .version = CWI_VERSION,
        .flags = 0,
        .header_size = CWI_HEADER_SIZE,
        .section_count = L->count,
        .file_size = L->file_size,
    };
    memcpy(h.magic, CWI_MAGIC, sizeof(h.magic));
    if (sha256(table, n * sizeof(table[0]), h.table_sha256))
        return error_line(err, err_size, "SHA-256 failed in libcrypto");
    if (pwrite_all(fd, &h, sizeof(h), 0, err, err_size) ||
        pwrite_all(fd, table, n * sizeof(table[0]), CWI_HEADER_SIZE, err, err_size))
        return -1;
    return 0;
}

static void release_write(struct image_write *w)
{
    free(w->manifest);
    free(w->idx);
    free(w->offs);
    free(w->firsts);
    bg_finish(&w->p.section, NULL); /* stops the thread before its buffers go */
    free(w->p.chunks);
    free(w->p.buf[0]);
    free(w->p.buf[1]);
}

int cwi_write_signable(int fd, const struct cl_manifest *m, struct file_tree *t,
                       const uint8_t *shim, size_t shim_len, const char *notes, size_t sig_len,
                       struct cwi_write_stats *stats, char *err, size_t err_size)
{
    size_t notes_len = notes ? strlen(notes) : 0;
    struct image_write w = {.p = {.out = fd}};
    int rc = -1;

    if (check_inputs(m, t, shim, shim_len, err, err_size) ||
        manifest_encode(m, &w.manifest, &w.manifest_len, err, err_size) ||
        plan(t, w.manifest_len, shim_len, sig_len, notes_len, &w.L, err, err_size))
        goto out;
    if (ftruncate(fd, 0) != 0 || ftruncate(fd, (off_t)w.L.file_size) != 0) {
        error_line(err, err_size, "cannot size the image file: %s", strerror(errno));
        goto out;
    }
    if (allocate_buffers(&w, t, err, err_size) || stream_file_data(&w, t, err, err_size) ||
        write_other_sections(&w, fd, t, shim, notes, notes_len, sig_len, err, err_size) ||
        write_header_and_table(fd, &w.L, err, err_size))
        goto out;
    if (stats) {
        stats->entries = t->count;
        stats->files = w.files;
        stats->data_bytes = w.bytes;
        stats->image_size = w.L.file_size;
    }
    rc = 0;
out:
    release_write(&w);
    return rc;
}

/* The header and section table fd holds (for an edit in place). 0, or -1 with err. */
static int read_table(int fd, struct cwi_header *h, struct cwi_section table[CWI_MAX_SECTIONS],
                      char *err, size_t err_size)
{
    if (pread(fd, h, sizeof(*h), 0) != (ssize_t)sizeof(*h) || h->section_count > CWI_MAX_SECTIONS)
        return error_line(err, err_size, "cannot read the image's header back");
    size_t tlen = h->section_count * sizeof(table[0]);
    if (pread(fd, table, tlen, CWI_HEADER_SIZE) != (ssize_t)tlen)
        return error_line(err, err_size, "cannot read the image's section table back");
    return 0;
}

int cwi_seal_table(int fd, char *err, size_t err_size)
{
    struct cwi_header h;
    struct cwi_section table[CWI_MAX_SECTIONS];
    if (read_table(fd, &h, table, err, err_size))
        return -1;
    if (sha256(table, h.section_count * sizeof(table[0]), h.table_sha256))
        return error_line(err, err_size, "SHA-256 failed in libcrypto");
    return pwrite_all(fd, h.table_sha256, sizeof(h.table_sha256),
                      offsetof(struct cwi_header, table_sha256), err, err_size);
}

int cwi_set_signature(int fd, const uint8_t *sig, size_t len, char *err, size_t err_size)
{
    struct cwi_header h;
    struct cwi_section table[CWI_MAX_SECTIONS];
    if (read_table(fd, &h, table, err, err_size))
        return -1;
    for (unsigned i = 0; i < h.section_count; i++) {
        if (table[i].type != CWI_SEC_SIGNATURE)
            continue;
        if (table[i].length != len)
            return error_line(err, err_size, "the image reserved %llu signature bytes, not %zu",
                              (unsigned long long)table[i].length, len);
        if (sha256(sig, len, table[i].sha256) ||
            pwrite_all(fd, sig, len, table[i].offset, err, err_size) ||
            pwrite_all(fd, &table[i], sizeof(table[i]), CWI_HEADER_SIZE + i * sizeof(table[i]), err,
                       err_size))
            return -1;
        return cwi_seal_table(fd, err, err_size);
    }
    return error_line(err, err_size, "the image has no SIGNATURE section to fill");
}
