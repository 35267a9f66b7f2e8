/*
 * File-system workload for the image tests. Prints what it finds, with paths relative
 * to the root it is given, so that a run in a VM over an image and a native run over a
 * copy of the same tree print the same bytes.
 *
 *   fsops tree ROOT     walk ROOT: every entry's type, mode, size, link target, and for
 *                       regular files a checksum three ways (read, pread+lseek, mmap)
 *   fsops errors ROOT   the errors Linux gives for bad uses of a read-only tree
 *   fsops tmp DIR       create, write, read back, rename, symlink, hard link, truncate,
 *                       remove in DIR
 *   fsops readall FILE  read FILE to the end, 64 KiB at a time; report errors by offset
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t fnv(const unsigned char *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sum_file(const char *path, const char *rel, off_t size)
{
    static unsigned char buf[70000];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        printf("  %s: open: %s\n", rel, strerror(errno));
        return;
    }
    uint64_t h1 = 0xcbf29ce484222325ull, h2 = h1, h3 = h1;
    ssize_t n;
    while ((n = read(fd, buf, 4093)) > 0) /* odd size: reads straddle pages and chunks */
        h1 = fnv(buf, (size_t)n, h1);
    off_t end = lseek(fd, 0, SEEK_END);
    off_t mid = lseek(fd, size / 2, SEEK_SET);
    for (off_t off = size; off > 0;) { /* pread backwards in 65537-byte steps */
        off_t start = off > 65537 ? off - 65537 : 0;
        ssize_t k = pread(fd, buf, (size_t)(off - start), start);
        if (k != off - start)
            break;
        h2 = fnv(buf, (size_t)k, h2 ^ (uint64_t)start);
        off = start;
    }
    if (size > 0) {
        void *m = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            printf("  %s: mmap: %s\n", rel, strerror(errno));
        } else {
            h3 = fnv(m, (size_t)size, h3);
            munmap(m, (size_t)size);
        }
    }
    printf("  read %016llx pread %016llx mmap %016llx end %lld mid %lld\n", (unsigned long long)h1,
           (unsigned long long)h2, (unsigned long long)h3, (long long)end, (long long)mid);
    close(fd);
}

static void walk(const char *root, const char *rel)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s%s", root, rel);
    DIR *d = opendir(path);
    if (!d) {
        printf("%s: opendir: %s\n", rel, strerror(errno));
        return;
    }
    char *names[512];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 512)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof(char *), cmp);
    for (int i = 0; i < n; i++) {
        char crel[4096], cpath[4096];
        snprintf(crel, sizeof(crel), "%s/%s", rel, names[i]);
        snprintf(cpath, sizeof(cpath), "%s%s", root, crel);
        struct stat st;
        if (lstat(cpath, &st) < 0) {
            printf("%s: lstat: %s\n", crel, strerror(errno));
            continue;
        }
        if (S_ISLNK(st.st_mode)) {
            char t[4096];
            ssize_t k = readlink(cpath, t, sizeof(t) - 1);
            t[k < 0 ? 0 : k] = 0;
            struct stat ts;
            int ok = stat(cpath, &ts) == 0;
            printf("%s link -> %s (target %s)\n", crel, t, ok ? "exists" : strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            printf("%s dir %o\n", crel, st.st_mode & 0777);
            walk(root, crel);
        } else {
            printf("%s file %o size %lld exec %s\n", crel, st.st_mode & 0777, (long long)st.st_size,
                   access(cpath, X_OK) == 0 ? "yes" : "no");
            sum_file(cpath, crel, st.st_size);
        }
        free(names[i]);
    }
}

static void expect(const char *what, int rc)
{
    printf("%s: %s\n", what, rc < 0 ? strerror(errno) : "ok");
}

static void errors(const char *root)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s/nonexistent", root);
    expect("open missing", open(p, O_RDONLY));
    snprintf(p, sizeof(p), "%s/a.txt/x", root);
    expect("open through a file", open(p, O_RDONLY));
    snprintf(p, sizeof(p), "%s/sub", root);
    int fd = open(p, O_RDONLY | O_DIRECTORY);
    char buf[8];
    expect("read a directory", fd < 0 ? -1 : (int)read(fd, buf, sizeof(buf)));
    expect("open a dir O_WRONLY", open(p, O_WRONLY));
    snprintf(p, sizeof(p), "%s/a.txt", root);
    expect("opendir a file", open(p, O_RDONLY | O_DIRECTORY));
    expect("access R_OK", access(p, R_OK));
    expect("access X_OK on a.txt", access(p, X_OK));
    int f = open(p, O_RDONLY);
    expect("dup", dup(f));
    expect("dup2 to 50", dup2(f, 50));
    expect("fcntl F_DUPFD_CLOEXEC", fcntl(f, F_DUPFD_CLOEXEC, 60));
    printf("fcntl F_GETFD of 60: %d\n", fcntl(60, F_GETFD));
    expect("close 50", close(50));
    expect("close 50 again", close(50));
    expect("lseek negative", (int)lseek(f, -1, SEEK_SET));
    snprintf(p, sizeof(p), "%s/loop1", root);
    expect("open a symlink loop", open(p, O_RDONLY));
    snprintf(p, sizeof(p), "%s/sub/../a.txt", root);
    expect("open sub/../a.txt", open(p, O_RDONLY));
    snprintf(p, sizeof(p), "%s/./sub/./deeper/../deeper", root);
    expect("stat ./sub/./deeper/../deeper", access(p, F_OK));
}

/* times: whether they were set by the test (else they are the clock's, never printed) */
static void show_attrs(const char *what, const char *path, int times)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        printf("%s: lstat: %s\n", what, strerror(errno));
        return;
    }
    printf("%s: mode %o uid %u gid %u", what, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
           (unsigned)st.st_gid);
    if (times)
        printf(" atime %lld.%09ld mtime %lld.%09ld", (long long)st.st_atim.tv_sec,
               st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    printf("\n");
}

/* chmod, chown and the times of tmpfs files (file: a regular file, link: a symlink) */
static void attrops(const char *file, const char *link)
{
    expect("chmod 4755", chmod(file, 04755));
    show_attrs("after chmod", file, 0);
    expect("chown 1:2", chown(file, 1, 2));
    show_attrs("after chown (set-uid cleared)", file, 0);
    expect("chown -1:3", chown(file, (uid_t)-1, 3));
    expect("lchown of the symlink", lchown(link, 5, 6));
    struct stat st;
    lstat(link, &st);
    printf("symlink owner %u:%u\n", (unsigned)st.st_uid, (unsigned)st.st_gid);
    struct timespec ts[2] = {{1000000000, 123456789}, {1234567890, 5}};
    expect("utimensat", utimensat(AT_FDCWD, file, ts, 0));
    show_attrs("after utimensat", file, 1);
    ts[0].tv_nsec = UTIME_OMIT;
    ts[1].tv_sec = 42;
    ts[1].tv_nsec = 0;
    expect("utimensat, atime omitted", utimensat(AT_FDCWD, file, ts, 0));
    show_attrs("after omitting atime", file, 1);
    ts[0].tv_nsec = 1000000000;
    expect("utimensat, bad nsec", utimensat(AT_FDCWD, file, ts, 0));
    ts[0].tv_nsec = ts[1].tv_nsec = UTIME_OMIT;
    expect("utimensat, both omitted, missing file", utimensat(AT_FDCWD, "/no/such/file", ts, 0));
    int fd = open(file, O_RDONLY);
    struct timespec old[2] = {{-1, 0}, {7, 0}};
    expect("futimens, before 1970", futimens(fd, old));
    show_attrs("after futimens", file, 1);
    expect("fchmod 600", fchmod(fd, 0600));
    expect("fchown 0:0", fchown(fd, 0, 0));
    close(fd);
    show_attrs("after fchmod and fchown", file, 1);
    expect("utimensat now", utimensat(AT_FDCWD, file, NULL, 0));
    struct stat now;
    stat(file, &now);
    printf("times set to now: %s\n", now.st_mtim.tv_sec > 1600000000 ? "yes" : "no");
    expect("chmod of a missing file", chmod("/no/such/file", 0644));
    expect("chown of a missing file", chown("/no/such/file", 0, 0));
}

/* hard links to FILE (through SYMLINK, a link to it) in DIR, beside SUBDIR */
static void hardlinks(const char *dir, const char *file, const char *symlink_, const char *subdir)
{
    char h[4096], h2[4096];
    snprintf(h, sizeof(h), "%s/hard", dir);
    snprintf(h2, sizeof(h2), "%s/hard2", dir);
    expect("link", link(file, h));
    struct stat s1, s2;
    stat(file, &s1);
    stat(h, &s2);
    printf("link: same inode %d, nlink %lu\n", s1.st_ino == s2.st_ino, (unsigned long)s2.st_nlink);
    int fd = open(h, O_WRONLY);
    printf("write through the new name: %zd\n", pwrite(fd, "HARD", 4, 0));
    close(fd);
    char back[8] = {0};
    fd = open(file, O_RDONLY);
    printf("read through the old name: %zd %.4s\n", pread(fd, back, 4, 0), back);
    close(fd);
    expect("link onto an existing name", link(file, h));
    expect("link of a directory", link(subdir, h2));
    expect("link of a missing file", link("/no/such/file", h2));
    expect("link to another tmpfs", link(file, "/dev/shm/cloister-fsops-link"));
    expect("linkat of the symlink itself", linkat(AT_FDCWD, symlink_, AT_FDCWD, h2, 0));
    lstat(h2, &s2);
    printf("  it is a symlink: %d\n", S_ISLNK(s2.st_mode));
    expect("unlink it", unlink(h2));
    expect("linkat AT_SYMLINK_FOLLOW", linkat(AT_FDCWD, symlink_, AT_FDCWD, h2, AT_SYMLINK_FOLLOW));
    lstat(h2, &s2);
    printf("  it is the file: %d\n", S_ISREG(s2.st_mode) && s2.st_ino == s1.st_ino);
    expect("linkat bad flags", linkat(AT_FDCWD, file, AT_FDCWD, h2, 0x1));
    expect("rename onto its other name", rename(h, h2));
    stat(file, &s1);
    printf("nlink after: %lu\n", (unsigned long)s1.st_nlink);
    expect("unlink a second name", unlink(h));
    expect("unlink a third name", unlink(h2));
    stat(file, &s1);
    printf("nlink at the end: %lu\n", (unsigned long)s1.st_nlink);
}

static void tmpops(const char *parent)
{
    char a[4096], b[4096], c[4096], dir[2048];
    snprintf(dir, sizeof(dir), "%s/work", parent);
    expect("mkdir work", mkdir(dir, 0700));
    snprintf(a, sizeof(a), "%s/file", dir);
    snprintf(b, sizeof(b), "%s/renamed", dir);
    snprintf(c, sizeof(c), "%s/sub", dir);
    int fd = open(a, O_CREAT | O_EXCL | O_RDWR, 0640);
    expect("create", fd);
    expect("create again O_EXCL", open(a, O_CREAT | O_EXCL | O_RDWR, 0640));
    char big[100000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)(i * 7);
    printf("write: %zd\n", write(fd, big, sizeof(big)));
    printf("pwrite at 200000: %zd\n", pwrite(fd, "end", 3, 200000));
    struct stat st;
    fstat(fd, &st);
    printf("size %lld mode %o\n", (long long)st.st_size, st.st_mode & 0777);
    char back[100];
    ssize_t got = pread(fd, back, 10, 150000);
    printf("pread hole: %zd first byte %d\n", got, back[0]);
    got = pread(fd, back, 100, 50);
    printf("pread data: %zd match %d\n", got, !memcmp(back, big + 50, 100));
    expect("ftruncate 1000", ftruncate(fd, 1000));
    fstat(fd, &st);
    printf("size after truncate %lld\n", (long long)st.st_size);
    void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m != MAP_FAILED) {
        memcpy(m, "mapped", 6);
        munmap(m, 4096);
        printf("pread after shared mapping: %zd %.6s\n", pread(fd, back, 6, 0), back);
    }
    close(fd);
    expect("mkdir", mkdir(c, 0750));
    expect("mkdir again", mkdir(c, 0750));
    expect("rename", rename(a, b));
    expect("open old name", open(a, O_RDONLY));
    snprintf(a, sizeof(a), "%s/sub/inner", dir);
    expect("rename into sub", rename(b, a));
    expect("rmdir non-empty", rmdir(c));
    expect("symlink", symlink("inner", b));
    snprintf(b, sizeof(b), "%s/sub/link", dir);
    expect("symlink in sub", symlink("inner", b));
    fd = open(b, O_RDONLY);
    printf("read via symlink: %zd\n", read(fd, back, 6));
    close(fd);
    hardlinks(dir, a, b, c);
    walk(dir, "");
    attrops(a, b);
    expect("unlink file", unlink(a));
    expect("unlink link", unlink(b));
    expect("rmdir", rmdir(c));
    expect("unlink a dir", unlink(dir));
    expect("rmdir work", rmdir(dir));
}

static void readall(const char *path)
{
    static unsigned char buf[65536];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("open: %s\n", strerror(errno));
        return;
    }
    off_t off = 0;
    uint64_t h = 0xcbf29ce484222325ull;
    for (;;) {
        ssize_t n = pread(fd, buf, sizeof(buf), off);
        if (n < 0) {
            printf("error at offset %lld: %s\n", (long long)off, strerror(errno));
            off += sizeof(buf); /* the next chunk may be fine */
            continue;
        }
        if (n == 0)
            break;
        h = fnv(buf, (size_t)n, h);
        off += n;
    }
    printf("read to %lld, hash %016llx\n", (long long)off, (unsigned long long)h);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: fsops tree|errors|tmp|readall PATH\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!strcmp(argv[1], "tree"))
        walk(argv[2], "");
    else if (!strcmp(argv[1], "errors"))
        errors(argv[2]);
    else if (!strcmp(argv[1], "tmp"))
        tmpops(argv[2]);
    else if (!strcmp(argv[1], "readall"))
        readall(argv[2]);
    else
        return 2;
    return 0;
}
