/* `cloister run`: start a program in a new VM and return its exit status. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cloister/abi.h>
#include <cloister/cwi.h>

#include <cloister/cloister.h>

#include "cli/commands.h"
#include "cli/size_arg.h"
#include "common/hex.h"

static int usage(void)
{
    fprintf(
        stderr,
        "usage: cloister run [--tee none|sim] [--host-data HEX] [--sim-dir DIR] [--trace] "
        "[--stats] [--pvm-route ring3|trap] [--timeout SECONDS]\n"
        "                    [-p [HOSTIP:]HOSTPORT:PORT[/udp]]... IMAGE.cwi [ARGS...]\n"
        "       cloister run [--tee none|sim] [--mem SIZE] [--cpus N] [--processes N] "
        "[--env K=V]... [--trace] [--stats] [--pvm-route ring3|trap] [--timeout SECONDS]\n"
        "                    [--listen [tcp:|udp:]PORT]... [--connect [tcp:|udp:]HOST:PORT]...\n"
        "                    [-p [HOSTIP:]HOSTPORT:PORT[/udp]]... PROGRAM [ARGS...]\n");
    return 2;
}

/* HOST_DATA: up to 32 bytes in hex, zero-padded on the right as the verifier pads. */
static int parse_host_data(const char *hex, uint8_t out[32])
{
    return hex_decode_padded(hex, out, 32) < 0 ? -1 : 0;
}

/* --timeout: seconds, a fraction allowed, from 1 ms to a day */
static int parse_timeout(const char *s, unsigned *ms)
{
    char *end;
    errno = 0;
    double secs = strtod(s, &end);
    if (errno || end == s || *end || !(secs >= 0.001 && secs <= 86400))
        return -1;
    *ms = (unsigned)(secs * 1000 + 0.5);
    return 0;
}

/* --cpus, --processes: a decimal count in 1..max */
static int parse_count(const char *s, unsigned max, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(s, &end, 10);
    if (errno || *end || end == s || s[0] == '-' || n < 1 || n > max)
        return -1;
    *out = (unsigned)n;
    return 0;
}

/* An image starts with CWI_MAGIC; anything else is taken for a program. */
static bool is_image(const char *path)
{
    unsigned char magic[8];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool yes = read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
               memcmp(magic, CWI_MAGIC, sizeof(magic)) == 0;
    close(fd);
    return yes;
}

int cmd_run(int argc, char **argv)
{
    /* The command runs one workload and exits: all of it can be confined. Then one
     * malloc arena for every thread: glibc frees memory of a vCPU thread's own arena by
     * shrinking its heap, which first reads /proc/sys/vm/overcommit_memory, an open the
     * confined caller may not make at teardown (docs/sandbox.md). */
    mallopt(M_ARENA_MAX, 1);
    struct cloister_run_options o = {.flags = CLOISTER_CONFINE_CALLER | CLOISTER_FORWARD_SIGNALS};
    char **env = calloc((size_t)argc + 1, sizeof(char *));
    const char **net = calloc((size_t)argc * 3 + 3, sizeof(char *));
    if (!env || !net) {
        free(env);
        free(net);
        return CLOISTER_FAILED;
    }
    /* three lists in one allocation: --listen, --connect, -p */
    const char **listen = net, **connect = net + argc + 1, **publish = net + 2 * (argc + 1);
    o.listen = listen;
    o.connect = connect;
    o.publish = publish;
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (a[0] != '-')
            break;
        if (!strcmp(a, "--trace")) {
            o.flags |= CLOISTER_TRACE;
        } else if (!strcmp(a, "--stats")) {
            o.flags |= CLOISTER_STATS;
        } else if (!strcmp(a, "--host-data") && i + 1 < argc) {
            if (parse_host_data(argv[++i], o.host_data) < 0) {
                fprintf(stderr, "cloister: run: --host-data wants up to 64 hex digits\n");
                free(env);
                free(net);
                return usage();
            }
        } else if (!strcmp(a, "--sim-dir") && i + 1 < argc) {
            o.sim_dir = argv[++i];
        } else if (!strcmp(a, "--net-log") && i + 1 < argc) {
            o.net_log = argv[++i];
        } else if (!strcmp(a, "--pvm-route") && i + 1 < argc) {
            const char *r = argv[++i];
            if (!strcmp(r, "trap"))
                o.flags |= CLOISTER_PVM_TRAP;
            else if (strcmp(r, "ring3") != 0) {
                fprintf(stderr, "cloister: run: unknown PVM route '%s'\n", r);
                free(env);
                free(net);
                return usage();
            }
        } else if (!strcmp(a, "--tee") && i + 1 < argc) {
            const char *t = argv[++i];
            if (!strcmp(t, "none"))
                o.tee = CLOISTER_TEE_NONE;
            else if (!strcmp(t, "sim"))
                o.tee = CLOISTER_TEE_SIM;
            else if (!strcmp(t, "snp"))
                o.tee = CLOISTER_TEE_SNP;
            else {
                fprintf(stderr, "cloister: run: unknown TEE '%s'\n", t);
                free(env);
                free(net);
                return usage();
            }
        } else if (!strcmp(a, "--mem") && i + 1 < argc) {
            if (parse_size(argv[++i], &o.mem_size) < 0) {
                fprintf(stderr, "cloister: run: bad memory size '%s'\n", argv[i]);
                free(env);
                free(net);
                return usage();
            }
        } else if (!strcmp(a, "--cpus") && i + 1 < argc) {
            if (parse_count(argv[++i], CL_MAX_VCPUS, &o.cpus) < 0) {
                fprintf(stderr, "cloister: run: --cpus wants 1 to %u, not '%s'\n", CL_MAX_VCPUS,
                        argv[i]);
                free(env);
                free(net);
                return usage();
            }
        } else if (!strcmp(a, "--processes") && i + 1 < argc) {
            if (parse_count(argv[++i], CWI_PROCESSES_MAX, &o.max_processes) < 0) {
                fprintf(stderr, "cloister: run: --processes wants 1 to %u, not '%s'\n",
                        CWI_PROCESSES_MAX, argv[i]);
                free(env);
                free(net);
                return usage();
            }
        } else if (!strcmp(a, "--timeout") && i + 1 < argc) {
            if (parse_timeout(argv[++i], &o.timeout_ms) < 0) {
                fprintf(stderr,
                        "cloister: run: --timeout wants seconds (0.001 to 86400), not '%s'\n",
                        argv[i]);
                free(env);
                free(net);
                return usage();
            }
        } else if (!strcmp(a, "--env") && i + 1 < argc) {
            const char *kv = argv[++i];
            if (!strchr(kv, '=') || kv[0] == '=') {
                fprintf(stderr, "cloister: run: --env wants K=V, got '%s'\n", kv);
                free(env);
                free(net);
                return usage();
            }
            env[o.envc++] = (char *)kv;
        } else if (!strcmp(a, "--listen") && i + 1 < argc) {
            listen[o.nlisten++] = argv[++i];
        } else if (!strcmp(a, "--connect") && i + 1 < argc) {
            connect[o.nconnect++] = argv[++i];
        } else if (!strcmp(a, "-p") && i + 1 < argc) {
            publish[o.npublish++] = argv[++i];
        } else if (!strcmp(a, "--help")) {
            free(env);
            free(net);
            usage();
            return 0;
        } else {
            fprintf(stderr, "cloister: run: unknown option '%s'\n", a);
            free(env);
            free(net);
            return usage();
        }
    }
    if (i >= argc) {
        free(env);
        free(net);
        return usage();
    }
    if (is_image(argv[i])) {
        o.image = argv[i];
        o.argc = argc - i - 1; /* extra arguments only */
        o.argv = argv + i + 1;
    } else {
        o.program = argv[i];
        o.argc = argc - i;
        o.argv = argv + i;
    }
    o.envp = env;

    char err[512];
    int status = cloister_run(&o, err, sizeof(err));
    if (err[0])
        fprintf(stderr, "cloister: %s\n", err);
    free(env);
    free(net);
    return status;
}
