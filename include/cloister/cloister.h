/*
 * libcloister: run a confidential workload from C.
 *
 * The `cloister` command is a thin layer over this API. A run is synchronous: it
 * returns when the workload ends, with the workload's exit status (0-255; 128+N when
 * it died of signal N), or CLOISTER_FAILED when Cloister itself could not run it, in
 * which case err holds one line saying why.
 */
#ifndef CLOISTER_H
#define CLOISTER_H

#include <stddef.h>
#include <stdint.h>

#define CLOISTER_FAILED 125

/* cloister_run_options.flags */
#define CLOISTER_TRACE 0x1u /* name every system call the workload makes, on stderr */
#define CLOISTER_STATS 0x2u /* print where the start-up time went, on stderr */
/* On PVM only: take system calls through a ring-0 trap, keeping the shim's memory out of
 * the workload's reach, at ~100x the cost per call (docs/platform-pvm.md) */
#define CLOISTER_PVM_TRAP 0x4u
/* Confine the calling thread too, with the vCPU thread's seccomp filter, once the vCPU
 * runs: for a process that runs one workload and exits (the cloister command). After
 * the run it may only tear down, write and exit. Ignored in sanitizer builds, whose
 * leak check at exit needs clone and ptrace (docs/sandbox.md). */
#define CLOISTER_CONFINE_CALLER 0x8u
/* Forward SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 (abi.h's
 * CL_FORWARDED_SIGNALS) sent to this process during the run to the workload, whose handlers then
 * run (at its next system call or wait); a second SIGINT stops the VM and cloister_run returns 130.
 * The calling thread blocks those signals for the run (and reads them through a signalfd): a
 * library must not take its host's signals unasked, so this is off unless set. `cloister run` sets
 * it. */
#define CLOISTER_FORWARD_SIGNALS 0x10u

/* cloister_run_options.tee */
#define CLOISTER_TEE_NONE 0u /* plain KVM: no measurement, no attestation */
#define CLOISTER_TEE_SIM  1u /* a software secure processor: measured launch, reports */
#define CLOISTER_TEE_SNP  2u /* AMD SEV-SNP (needs the hardware) */

/*
 * What to run: an image (image != NULL; argv then holds only extra arguments, allowed
 * only if the image's manifest says so), or a bare program (program, with argv and
 * envp), which is sealed into an image in memory first, exactly as `cloister build
 * --entry PROGRAM` seals one, so that both run one way.
 *
 * A bare program is an x86-64 Linux ELF executable on the host: static, static-PIE, or
 * dynamically linked against glibc, whose interpreter, libraries and the loader's files
 * are then collected from this host as ld.so would find them.
 * It is placed at its own path in the image if program is absolute, else at /NAME;
 * it gets argv and envp as given, no other files, a 64 MiB /tmp and "/" as its working
 * directory. Anything else (a script, a 32-bit or foreign ELF, a musl-dynamic program)
 * fails with CLOISTER_FAILED and one line in err. Libraries the program dlopen()s by
 * name are not found: build an image that adds them.
 */
struct cloister_run_options {
    const char *image;   /* a .cwi image, or NULL */
    const char *program; /* an ELF program on the host, when image is NULL (above) */
    int argc;            /* argv[0..argc-1]: the arguments (see above) */
    char *const *argv;
    int envc; /* envp[0..envc-1]: "K=V"; nothing else is passed in */
    char *const *envp;
    uint64_t mem_size;     /* bare programs: guest RAM in bytes; 0 for 256 MiB */
    unsigned tee;          /* CLOISTER_TEE_* */
    unsigned flags;        /* CLOISTER_* */
    uint8_t host_data[32]; /* --tee sim/snp: HOST_DATA of the launch, reported as is */
    const char *sim_dir;   /* --tee sim: the simulated chip; NULL for the default */
    const char *net_log;   /* a file to copy every byte relayed to key brokers to (tests) */
    /* A wall-clock limit on the run in milliseconds, 0 for none. When it passes, the
     * vCPU is stopped wherever it is (its thread is interrupted with SIGRTMIN, which
     * libcloister handles for the run) and cloister_run returns CLOISTER_FAILED with one
     * line in err. */
    unsigned timeout_ms;
    unsigned cpus; /* bare programs: vCPUs (1..64), 0 for 1; an image's are sealed */
    /* The network (docs/network.md). Bare programs: the ports they may listen on and
     * the destinations they may reach, in `cloister build --listen/--connect` text,
     * sealed into the manifest made on the fly. Any run: "-p" specs,
     * "[HOSTIP:]HOSTPORT:PORT[/udp]", each publishing a declared port on the host. */
    int nlisten, nconnect, npublish;
    const char *const *listen;
    const char *const *connect;
    const char *const *publish;
    /* bare programs: the most processes at once (1..32768, pid 1 and zombies included),
     * 0 for 1024; an image's are sealed */
    unsigned max_processes;
};

#define CLOISTER_DEFAULT_MEM (256ull << 20)

int cloister_run(const struct cloister_run_options *opts, char *err, size_t err_size);

#endif
