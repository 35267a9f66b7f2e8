/*
 * The contract between the shim (guest kernel) and the monitor (host).
 *
 * This header is the single source of truth for everything both sides must agree on:
 * the guest-physical memory map, the shim's image header, the boot-info page, and the
 * hypercall numbers and shared-block layout. Both sides include it; nothing here is
 * defined anywhere else. Every field is labelled with who writes it: HOST (the monitor,
 * untrusted by the shim), GUEST (the shim, untrusted by the monitor), or BOTH.
 *
 * Any change to a layout or a number bumps CL_ABI_VERSION. The static assertions at the
 * end pin sizes and offsets so that a change cannot slip through unnoticed.
 *
 * It must compile both freestanding (the shim: no libc) and hosted (the monitor).
 */
#ifndef CLOISTER_ABI_H
#define CLOISTER_ABI_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif

#define CL_ABI_VERSION 7u

/* A 64-bit constant that assembly and the shim's linker script (Makefile) can read too:
 * neither takes C's "ull" suffix. */
#ifdef __ASSEMBLY__
#define CL_U64(x) x
#else
#define CL_U64(x) x##ull
#endif

#define CL_PAGE_SIZE  0x1000ull
#define CL_LARGE_PAGE 0x200000ull /* 2 MiB: the largest page PVM maps (1 GiB faults) */

/*
 * Guest-physical memory map.
 *
 *   0x0000_0000  unused (so that a null GPA is never valid)
 *   0x0000_1000  boot info (struct cl_boot_info), HOST-written, read once by the shim
 *   0x0000_2000  argument area: argv then envp strings, NUL-separated (HOST)
 *   0x0001_0000  boot page tables, built by the monitor (up to 240 pages)
 *   0x0010_0000  hypercall blocks, CL_HC_BLOCK_SIZE per vCPU, vCPU 0 first
 *   0x0060_0000  the launch area: struct cl_launch and the manifest (measured)
 *   0x0070_0000  SEV-SNP secrets page, then the CPUID page
 *   0x0080_0000  the shim image, loaded at CL_GPA_SHIM and run from CL_KERNEL_BASE+GPA
 *   shim end..   free RAM the shim allocates from, up to boot_info.mem_size (<= 255 GiB)
 *   0x3f_c000_0000  CL_GPA_DOORBELL (255 GiB): an unbacked page; a guest write to it
 *                exits to the monitor (MMIO)
 *   0x40_0000_0000  CL_GPA_FILES (256 GiB): the image file, read-only (a read-only
 *                memslot over the host's file), at most 256 GiB: it ends by 2^39
 *
 * The whole map lies below 2^39 (512 GiB), the smallest guest physical address width a
 * host is expected to offer (Intel client parts): the layout is the same on every host,
 * so the launch digest does not depend on the host's width (docs/architecture.md, "The
 * guest-physical map"). The monitor refuses, in one line, a host whose KVM reports
 * fewer bits than a launch needs (src/launch/gpa_width.c).
 */
#define CL_GPA_BOOT_INFO   0x1000ull
#define CL_GPA_ARGS        0x2000ull
#define CL_ARGS_SIZE       0xe000ull
#define CL_GPA_PAGE_TABLES 0x10000ull
#define CL_PAGE_TABLES_MAX 240u
#define CL_GPA_HCALL       0x100000ull
#define CL_GPA_LAUNCH      0x600000ull /* the launch area: struct cl_launch + manifest */
#define CL_LAUNCH_SIZE     0x100000ull /* 1 MiB: room for ~1000 long arguments */
#define CL_GPA_SECRETS     0x700000ull /* SEV-SNP secrets page */
#define CL_GPA_CPUID       0x701000ull /* SEV-SNP CPUID page */

/* PVM trap route: a user-executable alias of the shim's system-call trampoline page,
 * alone in its top-level slot so that nothing else of the kernel half is reachable. */
#define CL_TRAMPOLINE_VA   0xffffff0000000000ull
#define CL_GPA_SHIM        CL_U64(0x800000)
#define CL_SHIM_MAX_SIZE   0x800000ull
#define CL_GPA_RAM_MIN_END 0x2000000ull    /* RAM must be at least 32 MiB */
#define CL_GPA_DOORBELL    0x3fc0000000ull /* 255 GiB */
/* The local APIC's page: never RAM. With the in-kernel APIC, KVM on Intel maps its
 * APIC-access page there, and refuses a vCPU if a memslot covers it (architecture.md) */
#define CL_GPA_APIC_PAGE  0xfee00000ull
#define CL_GPA_FILES      0x4000000000ull /* 256 GiB */
#define CL_FILES_MAX_SIZE 0x4000000000ull /* 256 GiB: the window ends at 2^39 */
#define CL_MEM_MAX        0x3fc0000000ull /* 255 GiB: RAM ends by the doorbell */
#define CL_GPA_BITS_MIN   39u             /* every GPA of the map is below 2^CL_GPA_BITS_MIN */
#define CL_MAX_VCPUS      64u

/*
 * Guest-virtual layout, set up by the monitor's boot page tables.
 * Kernel half: the first GiB of guest-physical memory at CL_KERNEL_BASE (the shim is
 * linked there, -mcmodel=kernel), and every GPA the guest uses at CL_PHYSMAP_BASE+GPA.
 * User half: empty at boot, owned by the shim.
 */
#define CL_KERNEL_BASE  CL_U64(0xffffffff80000000)
#define CL_PHYSMAP_BASE 0xffff888000000000ull
#define CL_USER_TOP     0x00007ffffffff000ull /* first byte above user space */

/* Descriptor selectors, laid out as Linux lays them out: PVM maps guest selectors to
 * the host's, so user code must see exactly the user CS/SS Linux uses. */
#define CL_SEL_KERNEL_CS 0x10
#define CL_SEL_KERNEL_DS 0x18
#define CL_SEL_USER_CS32 0x23
#define CL_SEL_USER_DS   0x2b
#define CL_SEL_USER_CS   0x33
#define CL_SEL_TSS       0x40

/* Hypercall signal: an OUT to this port (ring 0), or a write to the doorbell (ring 3). */
#define CL_HC_PORT 0x7c1

/* Per-vCPU hypercall block: a request header page, then a bounce buffer. */
#define CL_HC_BLOCK_SIZE  0x10000ull
#define CL_HC_DATA_OFFSET 0x1000ull
#define CL_HC_DATA_SIZE   (CL_HC_BLOCK_SIZE - CL_HC_DATA_OFFSET)

#define CL_SHIM_MAGIC 0x48534c43u /* "CLSH" */
#define CL_BOOT_MAGIC 0x49424c43u /* "CLBI" */

#ifndef __ASSEMBLY__

/*
 * The first bytes of the shim image (shim.bin). Read by the monitor to load and start
 * the shim; the monitor checks every value against the blob it holds.
 */
struct cl_shim_header {
    uint32_t magic;       /* CL_SHIM_MAGIC */
    uint32_t abi_version; /* CL_ABI_VERSION */
    uint64_t entry;       /* virtual address of the 64-bit entry point */
    uint64_t load_gpa;    /* CL_GPA_SHIM */
    uint64_t file_size;   /* bytes of shim.bin */
    uint64_t mem_size;    /* bytes from load_gpa to the end of .bss */
    uint64_t reserved[3];
};

/* boot_info.flags */
#define CL_BOOT_TRACE 0x1u /* name every system call on the log channel */
#define CL_BOOT_STATS 0x2u /* signal CL_MARK_* points of the start-up */
/* On PVM, take system calls through a ring-0 trap instead of running the shim in ring
 * 3: the shim's memory stays out of the workload's reach, at ~100x the cost per call.
 * Ignored on hardware, where the shim always runs in ring 0. */
#define CL_BOOT_PVM_TRAP 0x4u

/* boot_info.stdio_flags[fd]: the host fd's status flags (O_ACCMODE, O_APPEND,
 * O_NONBLOCK, Linux values), whether it is a terminal, and whether the monitor watches
 * it on its event loop (HOST). A watched fd (a pipe, terminal or socket; not a regular
 * file or /dev/null, which the host's epoll refuses and which never wait) has its
 * readiness reported by CL_HC_WAIT as CL_EV_KIND_STDIO events, handle the fd, and a
 * CL_HC_FD_READ of it at the file position never waits in the host: it answers -EAGAIN
 * when nothing is there, so a read of 0 bytes asks whether a read would wait. */
#define CL_STDIO_TTY     0x80000000u
#define CL_STDIO_EVENTS  0x40000000u
#define CL_STDIO_FL_MASK 0x00008c03u /* with O_LARGEFILE, as 64-bit Linux reports */

/* What the host says the launch is for (boot_info.tee). */
#define CL_TEE_NONE 0u
#define CL_TEE_SIM  1u
#define CL_TEE_SNP  2u

/*
 * The boot-info page (HOST): what only the host can know at run time (clocks, its
 * stdio) and what the user added at run time (extra arguments, if the manifest allows
 * them). Not measured. The shim validates every field before using it and checks the
 * ones the manifest also states (memory, vCPUs) against the manifest.
 */
struct cl_boot_info {
    uint32_t magic;       /* CL_BOOT_MAGIC */
    uint32_t abi_version; /* CL_ABI_VERSION */
    uint64_t mem_size;    /* bytes of RAM at GPA 0; must equal the manifest's */
    uint32_t nr_vcpus;    /* must equal the manifest's */
    uint32_t flags;       /* CL_BOOT_* */

    /* Time base: the TSC frequency and the clocks read at boot_tsc. */
    uint64_t tsc_hz;
    uint64_t boot_tsc;
    int64_t boot_realtime_ns;
    int64_t boot_monotonic_ns;

    uint32_t tee;        /* CL_TEE_*: a claim, never a reason to trust the host more */
    uint32_t extra_argc; /* strings appended to the manifest's argv, at CL_GPA_ARGS */
    uint64_t extra_args_size;
    uint32_t stdio_flags[3]; /* CL_STDIO_* per host fd 0..2 */
    uint32_t reserved0;
    uint64_t reserved[8];
};

#define CL_LAUNCH_MAGIC           0x414c4c43u /* "CLLA" */
#define CL_LAUNCH_MANIFEST_OFFSET 256u

/*
 * The launch area's header (BOTH, measured): where the shim finds the image's sections
 * in the file region, and the hash that roots the file index. The manifest's canonical
 * bytes follow at CL_LAUNCH_MANIFEST_OFFSET. Under a TEE this page is measured, so the
 * shim trusts it; everything else the host hands over is checked against it.
 */
struct cl_launch {
    uint32_t magic;       /* CL_LAUNCH_MAGIC */
    uint32_t abi_version; /* CL_ABI_VERSION */
    uint64_t image_size;  /* bytes of the image at CL_GPA_FILES */
    uint64_t manifest_size;
    uint64_t index_offset, index_size;   /* FILE_INDEX section in the image */
    uint64_t chunks_offset, chunks_size; /* CHUNK_HASHES */
    uint64_t data_offset, data_size;     /* FILE_DATA */
    uint8_t index_sha256[32];            /* of the FILE_INDEX section */
    uint8_t reserved[152];
};

/* Hypercall numbers. Arguments and results are listed as IN/OUT. */
enum cl_hcall_nr {
    CL_HC_EXIT = 1,         /* IN a0 exit status (0..255). Does not return. */
    CL_HC_KILLED = 2,       /* IN a0 signal, a1 vector, a2 error code, a3 rip, a4 address,
                             *    a5 access flags (CL_FAULT_*). Does not return. */
    CL_HC_PANIC = 3,        /* IN a0 length of the message in data. Does not return. */
    CL_HC_LOG = 4,          /* IN a0 length of the text in data: one or more lines for stderr */
    CL_HC_FD_WRITE = 5,     /* IN a0 fd (0..2), a1 length in data, a2 offset or -1.
                             * OUT ret bytes written or -errno */
    CL_HC_FD_READ = 6,      /* IN a0 fd (0..2), a1 length wanted, a2 offset or -1.
                             * OUT ret bytes read into data or -errno (-EAGAIN at once
                             * for a CL_STDIO_EVENTS fd with nothing to read) */
    CL_HC_FD_IOCTL = 7,     /* IN a0 fd (0..2), a1 request (TCGETS, TIOCGWINSZ).
                             * OUT ret 0 or -errno, data the kernel's reply bytes */
    CL_HC_FD_STAT = 8,      /* IN a0 fd (0..2). OUT ret 0 or -errno, data struct cl_host_stat */
    CL_HC_SLEEP = 9,        /* IN a0 nanoseconds. OUT ret 0 */
    CL_HC_MARK = 10,        /* IN a0 CL_MARK_*: a start-up milestone, for --stats */
    CL_HC_ATTEST = 11,      /* IN a0 VMPL (0..3), a1 1 to also get the certificate table,
                             *    data the 64 bytes of report data.
                             * OUT ret 0 or -errno; data the 1184-byte ATTESTATION_REPORT, then
                             *    the certificate table (GHCB format), rets[0] bytes of it.
                             *    The sim TEE's secure processor answers; under real SEV-SNP
                             *    this is the guest request through the GHCB instead. */
    CL_HC_NET_CONNECT = 12, /* IN a0 the index of a SECRET in the manifest: connects to its
                             *    key broker, the only address the monitor will reach.
                             * OUT ret a connection handle (>= 0) or -errno */
    CL_HC_NET_SEND = 13,    /* IN a0 handle, a1 length in data. OUT ret bytes sent or -errno */
    CL_HC_NET_RECV = 14,    /* IN a0 handle, a1 most bytes wanted. OUT ret bytes in data
                             *    (0 at the end of the stream) or -errno */
    CL_HC_NET_CLOSE = 15,   /* IN a0 handle. OUT ret 0 or -errno */
    CL_HC_FD_SEEK = 16,     /* IN a0 fd (0..2), a1 offset, a2 whence (SEEK_SET..SEEK_HOLE).
                             * OUT ret the new position or -errno (ESPIPE on a pipe) */
    CL_HC_WAIT = 17,        /* IN a0 nanoseconds to wait at most for a host event (0: only
                             *    collect those already there; 2^31 ms or more: no limit).
                             * OUT ret the number of struct cl_event in data (at most
                             *    CL_HC_MAX_EVENTS), 0 when the time ran out */
    /* The workload's sockets (docs/network.md): the monitor holds one non-blocking host
     * socket per handle and never waits in these calls (EAGAIN; readiness comes through
     * CL_HC_WAIT as CL_EV_KIND_SOCKET events). Addresses are Linux's struct sockaddr_in
     * or sockaddr_in6 bytes at CL_SOCK_ADDR_OFFSET of data; payloads start at data[0],
     * at most CL_SOCK_DATA_MAX bytes. Both sides check every address against the
     * manifest's LISTEN and CONNECT records: the monitor answers EACCES again. */
    CL_HC_SOCK_OPEN = 18,     /* IN a0 family (AF_INET, AF_INET6), a1 type (SOCK_STREAM,
                               *    SOCK_DGRAM). OUT ret a handle or -errno */
    CL_HC_SOCK_BIND = 19,     /* IN a0 handle, a1 address length. OUT ret 0 or -errno */
    CL_HC_SOCK_LISTEN = 20,   /* IN a0 handle, a1 backlog. OUT ret 0 or -errno */
    CL_HC_SOCK_ACCEPT = 21,   /* IN a0 handle. OUT ret a new handle or -errno (EAGAIN),
                               *    rets[0] the peer address's length (address in data) */
    CL_HC_SOCK_CONNECT = 22,  /* IN a0 handle, a1 address length. OUT ret 0, -EINPROGRESS
                               *    (then CL_EV_OUT and SO_ERROR say how it ended) or -errno */
    CL_HC_SOCK_SEND = 23,     /* IN a0 handle, a1 payload length, a2 destination address
                               *    length or 0, a3 CL_MSG_*. OUT ret bytes sent or -errno */
    CL_HC_SOCK_RECV = 24,     /* IN a0 handle, a1 most bytes wanted, a2 CL_MSG_*. OUT ret
                               *    bytes in data (0 at the end of the stream) or -errno,
                               *    rets[0] the source address's length (0: none),
                               *    rets[1] the datagram's whole length (for MSG_TRUNC) */
    CL_HC_SOCK_SHUTDOWN = 25, /* IN a0 handle, a1 how (SHUT_RD..SHUT_RDWR). OUT ret 0/-errno */
    CL_HC_SOCK_SETOPT = 26,   /* IN a0 handle, a1 level, a2 option (CL_SOCKOPT_ALLOWED),
                               *    a3 value, a4 second value (SO_LINGER's seconds).
                               *    OUT ret 0 or -errno */
    CL_HC_SOCK_GETOPT = 27,   /* IN a0 handle, a1 level, a2 option. OUT ret 0 or -errno,
                               *    rets[0] value, rets[1] second value */
    CL_HC_SOCK_NAME = 28,     /* IN a0 handle, a1 0 for the local address, 1 for the peer's.
                               *    OUT ret the address's length (address in data) or -errno */
    CL_HC_SOCK_CLOSE = 29,    /* IN a0 handle. OUT ret 0 or -errno */
    CL_HC_CPU_START = 40,     /* IN a0 a vCPU id (1..nr_vcpus-1): let it enter the shim.
                               * OUT ret 0, -EINVAL, -EALREADY */
    CL_HC_KICK = 41,          /* IN a0 a vCPU id: end its CL_HC_WAIT now (or its next one).
                               * OUT ret 0 or -EINVAL */
    CL_HC_NR_MAX
};

/* Socket hypercalls: where the address goes in data, how much payload fits */
#define CL_SOCK_ADDR_MAX    128u /* struct sockaddr_storage */
#define CL_SOCK_ADDR_OFFSET (CL_HC_DATA_SIZE - CL_SOCK_ADDR_MAX)
#define CL_SOCK_DATA_MAX    CL_SOCK_ADDR_OFFSET
#define CL_SOCK_MAX         256u /* handles per VM */
#define CL_MSG_PEEK         0x2u /* Linux's MSG_PEEK */
#define CL_MSG_OOB          0x1u /* Linux's MSG_OOB */

/* CL_HC_MARK points */
#define CL_MARK_SHIM_START 1 /* first instruction of the shim's C code */
#define CL_MARK_USER_START 2 /* about to run the workload's first instruction */

/* CL_HC_KILLED a5 */
#define CL_FAULT_WRITE      0x1u
#define CL_FAULT_EXEC       0x2u
#define CL_FAULT_PRESENT    0x4u
#define CL_FAULT_HAS_ADDR   0x8u
#define CL_KILLED_NO_VECTOR 0xffu /* a1 of CL_HC_KILLED for a signal that is no fault */
#define CL_KILLED_FROM_HOST 0x10u /* a5 with CL_KILLED_NO_VECTOR: the monitor forwarded it */

/* One host event, CL_HC_WAIT's answer (HOST): readiness of something the monitor
 * holds for the guest, reported edge-triggered (when it changes), or a host signal. */
struct cl_event {
    uint32_t kind;   /* CL_EV_KIND_* */
    uint32_t handle; /* a stdio fd (0..2), a socket handle, or the signal number */
    uint32_t events; /* CL_EV_* */
    uint32_t reserved;
};
#define CL_EV_KIND_STDIO  1u
#define CL_EV_KIND_SOCKET 2u
#define CL_EV_KIND_SIGNAL 3u
/* The host signals that reach the workload (CL_EV_KIND_SIGNAL's handle), bit N for
 * signal N: what a terminal and a process manager send a server. SIGHUP 1 (reload),
 * SIGINT 2, SIGQUIT 3 (Ctrl-\; nginx's graceful stop, Go's and the JVM's stack
 * dumps), SIGUSR1 10 and SIGUSR2 12 (reopen logs, upgrade), SIGTERM 15. The monitor
 * forwards these and the shim raises only these; SIGKILL and SIGSTOP stay the host's,
 * which can stop the VM itself. */
#define CL_FORWARDED_SIGNALS                                                                       \
    ((1u << 1) | (1u << 2) | (1u << 3) | (1u << 10) | (1u << 12) | (1u << 15))
/* CL_EV_* are Linux's POLL* bits, so the shim hands them on unchanged */
#define CL_EV_IN         0x001u
#define CL_EV_OUT        0x004u
#define CL_EV_ERR        0x008u
#define CL_EV_HUP        0x010u
#define CL_EV_RDHUP      0x2000u
#define CL_EV_ALL        (CL_EV_IN | CL_EV_OUT | CL_EV_ERR | CL_EV_HUP | CL_EV_RDHUP)
#define CL_HC_MAX_EVENTS 64u

/* The shared request header at the start of a vCPU's hypercall block (BOTH). */
struct cl_hcall {
    uint64_t nr;      /* IN */
    uint64_t args[6]; /* IN */
    int64_t ret;      /* OUT */
    uint64_t rets[3]; /* OUT: extra results, per call */
};

/* What CL_HC_FD_STAT returns about a host stdio fd (HOST). */
struct cl_host_stat {
    uint32_t mode;     /* S_IFMT type bits and permission bits */
    uint32_t fl_flags; /* the open file's status flags (O_ACCMODE, O_APPEND, O_NONBLOCK) */
    uint64_t rdev;
    int64_t size;
    int64_t blksize;
};

/* Linux's struct winsize and kernel struct termios (not glibc's), as TCGETS fills it. */
#define CL_TERMIOS_SIZE 36u
#define CL_WINSIZE_SIZE 8u

/* Every field's offset is pinned: both sides are built by different compilers' flags
 * (freestanding shim, hosted monitor), and a moved field must fail the build. */
#define CL_ABI_AT(type, field, off)                                                                \
    _Static_assert(__builtin_offsetof(struct type, field) == (off), #type "." #field)
CL_ABI_AT(cl_shim_header, magic, 0);
CL_ABI_AT(cl_shim_header, abi_version, 4);
CL_ABI_AT(cl_shim_header, entry, 8);
CL_ABI_AT(cl_shim_header, load_gpa, 16);
CL_ABI_AT(cl_shim_header, file_size, 24);
CL_ABI_AT(cl_shim_header, mem_size, 32);
CL_ABI_AT(cl_shim_header, reserved, 40);
_Static_assert(sizeof(struct cl_shim_header) == 64, "shim header layout");
CL_ABI_AT(cl_boot_info, magic, 0);
CL_ABI_AT(cl_boot_info, abi_version, 4);
CL_ABI_AT(cl_boot_info, mem_size, 8);
CL_ABI_AT(cl_boot_info, nr_vcpus, 16);
CL_ABI_AT(cl_boot_info, flags, 20);
CL_ABI_AT(cl_boot_info, tsc_hz, 24);
CL_ABI_AT(cl_boot_info, boot_tsc, 32);
CL_ABI_AT(cl_boot_info, boot_realtime_ns, 40);
CL_ABI_AT(cl_boot_info, boot_monotonic_ns, 48);
CL_ABI_AT(cl_boot_info, tee, 56);
CL_ABI_AT(cl_boot_info, extra_argc, 60);
CL_ABI_AT(cl_boot_info, extra_args_size, 64);
CL_ABI_AT(cl_boot_info, stdio_flags, 72);
CL_ABI_AT(cl_boot_info, reserved0, 84);
CL_ABI_AT(cl_boot_info, reserved, 88);
_Static_assert(sizeof(struct cl_boot_info) == 152, "boot info layout");
CL_ABI_AT(cl_launch, magic, 0);
CL_ABI_AT(cl_launch, abi_version, 4);
CL_ABI_AT(cl_launch, image_size, 8);
CL_ABI_AT(cl_launch, manifest_size, 16);
CL_ABI_AT(cl_launch, index_offset, 24);
CL_ABI_AT(cl_launch, index_size, 32);
CL_ABI_AT(cl_launch, chunks_offset, 40);
CL_ABI_AT(cl_launch, chunks_size, 48);
CL_ABI_AT(cl_launch, data_offset, 56);
CL_ABI_AT(cl_launch, data_size, 64);
CL_ABI_AT(cl_launch, index_sha256, 72);
CL_ABI_AT(cl_launch, reserved, 104);
_Static_assert(sizeof(struct cl_launch) == CL_LAUNCH_MANIFEST_OFFSET, "launch header");
CL_ABI_AT(cl_hcall, nr, 0);
CL_ABI_AT(cl_hcall, args, 8);
CL_ABI_AT(cl_hcall, ret, 56);
CL_ABI_AT(cl_hcall, rets, 64);
_Static_assert(sizeof(struct cl_hcall) == 88, "hypercall header layout");
CL_ABI_AT(cl_host_stat, mode, 0);
CL_ABI_AT(cl_host_stat, fl_flags, 4);
CL_ABI_AT(cl_host_stat, rdev, 8);
CL_ABI_AT(cl_host_stat, size, 16);
CL_ABI_AT(cl_host_stat, blksize, 24);
_Static_assert(sizeof(struct cl_host_stat) == 32, "host stat layout");
#undef CL_ABI_AT
_Static_assert(CL_GPA_HCALL + CL_MAX_VCPUS * CL_HC_BLOCK_SIZE <= CL_GPA_SHIM, "memory map");
_Static_assert(CL_GPA_PAGE_TABLES + CL_PAGE_TABLES_MAX * CL_PAGE_SIZE <= CL_GPA_HCALL, "map");
_Static_assert(CL_GPA_ARGS + CL_ARGS_SIZE <= CL_GPA_PAGE_TABLES, "memory map");
_Static_assert(CL_MEM_MAX <= CL_GPA_DOORBELL, "memory map: RAM below the doorbell");
_Static_assert(CL_GPA_DOORBELL + CL_LARGE_PAGE <= CL_GPA_FILES, "map: doorbell below files");
_Static_assert(CL_GPA_FILES + CL_FILES_MAX_SIZE <= 1ull << CL_GPA_BITS_MIN, "map: 39 bits");
/* The physmap of the whole map is one top-level slot: the boot page tables and the
 * shim's user-access switch (src/shim/arch/x86/paging.c) rely on it. */
_Static_assert(CL_PHYSMAP_BASE % (1ull << 39) == 0, "physmap: one top-level slot");
_Static_assert(CL_GPA_BITS_MIN <= 39, "physmap: one top-level slot");

#endif /* __ASSEMBLY__ */
#endif /* CLOISTER_ABI_H */
