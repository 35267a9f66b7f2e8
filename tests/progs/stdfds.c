/*
 * What the standard descriptors look like from inside: the file type of stdout (the
 * harness makes it a pipe both natively and in the VM), isatty() of all three, and
 * lseek on the stdout pipe.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *type_name(mode_t m)
{
    switch (m & S_IFMT) {
    case S_IFIFO:
        return "fifo";
    case S_IFCHR:
        return "character device";
    case S_IFREG:
        return "regular file";
    case S_IFSOCK:
        return "socket";
    case S_IFDIR:
        return "directory";
    default:
        return "other";
    }
}

int main(void)
{
    struct stat st;
    int r = fstat(1, &st);
    printf("fstat(1): %d, type %s\n", r, r == 0 ? type_name(st.st_mode) : "-");
    for (int fd = 0; fd < 3; fd++)
        printf("isatty(%d): %d\n", fd, isatty(fd));
    errno = 0;
    off_t off = lseek(1, 0, SEEK_CUR);
    printf("lseek(1, 0, SEEK_CUR) on a pipe: %lld, ESPIPE: %s\n", (long long)off,
           errno == ESPIPE ? "yes" : "no");
    return 0;
}
