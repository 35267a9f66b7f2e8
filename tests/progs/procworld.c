/*
 * The rest of a process's world, as programs probe it: /proc and /sys files, the working
 * directory, umask, prctl, affinity, sysinfo, record locks, statfs, mremap. Prints
 * facts that hold on Linux whatever the machine ("maps lists the stack: yes"), so a VM
 * run compares byte for byte with a native one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <unistd.h>

static void fact(const char *what, int ok)
{
    printf("%s: %s\n", what, ok ? "yes" : "no");
}

static int file_has(const char *path, const char *needle)
{
    static char buf[1 << 16];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n, total = 0;
    while ((n = read(fd, buf + total, sizeof(buf) - 1 - (size_t)total)) > 0)
        total += n;
    close(fd);
    buf[total] = 0;
    return strstr(buf, needle) != NULL;
}

int main(int argc, char **argv)
{
    const char *tmp = argc > 1 ? argv[1] : "/tmp";
    fact("maps lists the stack", file_has("/proc/self/maps", "[stack]"));
    fact("maps lists the vdso", file_has("/proc/self/maps", "[vdso]"));
    fact("stat starts with the pid", file_has("/proc/self/stat", " ("));
    fact("status has Pid", file_has("/proc/self/status", "Pid:\t"));
    fact("cpuinfo has a processor", file_has("/proc/cpuinfo", "processor\t: 0"));
    fact("meminfo has MemTotal", file_has("/proc/meminfo", "MemTotal:"));
    fact("cmdline holds argv[0]", file_has("/proc/self/cmdline", "procworld"));
    fact("cpu/online lists cpu 0", file_has("/sys/devices/system/cpu/online", "0"));
    fact("osrelease is set", file_has("/proc/sys/kernel/osrelease", "."));
    char link[256];
    ssize_t n = readlink("/proc/self/exe", link, sizeof(link) - 1);
    link[n < 0 ? 0 : n] = 0;
    fact("/proc/self/exe names procworld", n > 0 && strstr(link, "procworld") != NULL);
    fact("/proc/self/fd/1 is a link", readlink("/proc/self/fd/1", link, sizeof(link)) > 0);
    fact("nprocs >= 1", get_nprocs() >= 1 && sysconf(_SC_NPROCESSORS_ONLN) >= 1);
    cpu_set_t set;
    fact("affinity has a cpu", sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) >= 1);
    struct sysinfo si;
    fact("sysinfo: memory and uptime", sysinfo(&si) == 0 && si.totalram > 0 && si.mem_unit > 0);

    char dir[512], cwd[512];
    snprintf(dir, sizeof(dir), "%s/procworld-dir", tmp);
    mkdir(dir, 0700);
    fact("chdir into a new directory", chdir(dir) == 0);
    fact("getcwd ends with it", getcwd(cwd, sizeof(cwd)) && strstr(cwd, "/procworld-dir"));
    int d = open("..", O_RDONLY | O_DIRECTORY);
    fact("fchdir back up", d >= 0 && fchdir(d) == 0 && getcwd(cwd, sizeof(cwd)) &&
                               !strstr(cwd, "procworld-dir"));
    close(d);
    fact("rmdir it", rmdir(dir) == 0);
    mode_t old = umask(027);
    fact("umask round trip", umask(old) == 027);
    char name[17] = "";
    fact("prctl name round trip", prctl(PR_SET_NAME, "cloister-test") == 0 &&
                                      prctl(PR_GET_NAME, name) == 0 && !strcmp(name, "cloister-test"));
    fact("prctl dumpable", prctl(PR_GET_DUMPABLE) == 1);

    char file[512];
    snprintf(file, sizeof(file), "%s/procworld-lock", tmp);
    int fd = open(file, O_CREAT | O_RDWR | O_TRUNC, 0600);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    fact("write lock", fcntl(fd, F_SETLK, &fl) == 0);
    fl.l_type = F_WRLCK;
    fact("getlk finds no other owner", fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK);
    fl.l_type = 7;
    fact("bad lock type is EINVAL", fcntl(fd, F_SETLK, &fl) < 0 && errno == EINVAL);
    fact("pwrite and ftruncate", pwrite(fd, "abc", 3, 100) == 3 && ftruncate(fd, 50) == 0);
    struct stat st;
    fact("size after truncate is 50", fstat(fd, &st) == 0 && st.st_size == 50);
    fact("fsync and fdatasync", fsync(fd) == 0 && fdatasync(fd) == 0);
    close(fd);
    unlink(file);
    struct statfs sf;
    fact("statfs of tmp", statfs(tmp, &sf) == 0 && sf.f_bsize > 0);

    size_t page = 4096;
    char *p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (size_t i = 0; i < 4 * page; i++)
        p[i] = (char)(i * 13);
    char *q = mremap(p, 4 * page, 64 * page, MREMAP_MAYMOVE);
    int same = q != MAP_FAILED;
    for (size_t i = 0; same && i < 4 * page; i++)
        same = q[i] == (char)(i * 13);
    fact("mremap keeps contents", same);
    fact("mremap grown area is zero", same && q[40 * page] == 0);
    char *r = mremap(q, 64 * page, page, 0);
    fact("mremap shrinks in place", r == q && r[1] == 13);
    fact("mremap of unmapped memory fails", mremap(q + 32 * page, page, 2 * page, 0) == MAP_FAILED);
    return 0;
}
