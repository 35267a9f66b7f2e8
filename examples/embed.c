/*
 * Embedding Cloister: a program of your own that runs workloads in VMs through
 * libcloister (include/cloister/cloister.h), without the `cloister` command.
 *
 *   embed [--tee none|sim] [--times N] [--timeout-ms MS] [--count-fds] IMAGE.cwi|PROGRAM
 *         [ARGS...]
 *
 * Runs the workload N times (default 1), one fresh VM each, and prints each run's exit
 * status on stderr; with --count-fds also how many descriptors the process had open
 * before the first run and after the last (a leak shows as a difference). Build: cc embed.c
 * libcloister.a -lcrypto -ljansson -lseccomp -ldl -lpthread (the Makefile's `make examples` does
 * it).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cloister/cloister.h>

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* The process's open descriptors, less the one that reads the directory; -1 on error. */
static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1;
}

int main(int argc, char **argv)
{
    struct cloister_run_options o = {0};
    int times = 1, i = 1, fds = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--tee") && i + 1 < argc) {
            const char *t = argv[++i];
            if (!strcmp(t, "none"))
                o.tee = CLOISTER_TEE_NONE;
            else if (!strcmp(t, "sim"))
                o.tee = CLOISTER_TEE_SIM;
            else
                break;
        } else if (!strcmp(argv[i], "--times") && i + 1 < argc) {
            times = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--timeout-ms") && i + 1 < argc) {
            o.timeout_ms = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--count-fds")) {
            fds = 1;
        } else {
            break;
        }
    }
    if (i >= argc || times < 1 || argv[i][0] == '-') {
        fprintf(stderr, "usage: embed [--tee none|sim] [--times N] [--timeout-ms MS] [--count-fds] "
                        "IMAGE.cwi|PROGRAM [ARGS...]\n");
        return 2;
    }
    if (ends_with(argv[i], ".cwi")) {
        o.image = argv[i];
        o.argc = argc - i - 1; /* an image's own arguments come first; these are extra */
        o.argv = argv + i + 1;
    } else {
        o.program = argv[i];
        o.argc = argc - i; /* argv[0] is the program's */
        o.argv = argv + i;
    }
    int status = 0, before = fds ? count_fds() : 0;
    for (int run = 1; run <= times; run++) {
        char err[512];
        fflush(stdout); /* the workload writes to the same stdout, from the VM */
        status = cloister_run(&o, err, sizeof(err));
        if (status == CLOISTER_FAILED)
            fprintf(stderr, "embed: run %d failed: %s\n", run, err);
        else
            fprintf(stderr, "embed: run %d: workload exited with status %d\n", run, status);
    }
    if (fds)
        fprintf(stderr, "embed: descriptors: %d before, %d after\n", before, count_fds());
    return status;
}
