/*
 * Address-space layout and the initial stack, as Linux's binfmt_elf lays them out
 * (randomised the same way: stack top, mmap base, PIE base, brk), so that programs
 * see the auxiliary vector and alignment they were built for.
 *
 * Stack, from the top down: the argv/envp strings, AT_EXECFN, AT_PLATFORM, the 16
 * AT_RANDOM bytes; then, 16-byte aligned, argc, argv[], NULL, envp[], NULL, auxv.
 */
#include "kernel/exec.h"
#include "kernel/elf.h"
#include "uapi/errno.h"
#include "lib/lib.h"
#include "mm/mm.h"
#include "arch/x86/paging.h"
#include "arch/x86/random.h"
#include "mm/uaccess.h"
#include "vdso/vdso_map.h"
#include "fs/vfs.h"
#include "mm/kmalloc.h"

#define STACK_RND_PAGES (1ull << 22) /* Linux x86-64: 22 bits of stack randomisation */
#define MMAP_RND_PAGES  (1ull << 28)
#define BRK_RND_RANGE   0x2000000ull /* 32 MiB */
#define STACK_SIZE      (8ull << 20)
#define MMAP_GAP        (128ull << 20)

enum {
    AT_SYSINFO_EHDR = 33,
    AT_NULL = 0,
    AT_PHDR = 3,
    AT_PHENT = 4,
    AT_PHNUM = 5,
    AT_PAGESZ = 6,
    AT_BASE = 7,
    AT_FLAGS = 8,
    AT_ENTRY = 9,
    AT_UID = 11,
    AT_EUID = 12,
    AT_GID = 13,
    AT_EGID = 14,
    AT_PLATFORM = 15,
    AT_HWCAP = 16,
    AT_CLKTCK = 17,
    AT_SECURE = 23,
    AT_RANDOM = 25,
    AT_HWCAP2 = 26,
    AT_EXECFN = 31
};

#define HWCAP2_FSGSBASE 0x2 /* we run with CR4.FSGSBASE set */

static u32 cpuid_edx_leaf1(void)
{
    u32 a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return d;
}

/* Pushes n bytes below *sp; returns their address or 0 on a fault. */
static u64 push_bytes(u64 *sp, const void *data, u64 n)
{
    *sp -= n;
    return copy_to_user(*sp, data, n) ? 0 : *sp;
}

/* Where exec_layout put things, for the stack and the registers. */
struct exec_layout {
    u64 stack_top;
    u64 entry;       /* the first instruction: the interpreter's, else the program's */
    u64 interp_base; /* AT_BASE: the interpreter's load bias, 0 without one */
    const struct elf_image *program;
};

/* An image path, NUL-terminated, kept for the VM's life: areas name their file by it
 * (/proc/PID/maps) and forked address spaces share those names. The image is fixed, so
 * the set is bounded by its files. */
const char *exec_intern_path(const char *p, size_t len)
{
    struct interned {
        struct interned *next;
        char path[];
    };
    static struct interned *all;
    for (struct interned *i = all; i; i = i->next)
        if (strlen(i->path) == len && memcmp(i->path, p, len) == 0)
            return i->path;
    struct interned *i = kmalloc(sizeof(*i) + len + 1);
    if (!i)
        return NULL;
    memcpy(i->path, p, len);
    i->path[len] = 0;
    i->next = all;
    all = i;
    return i->path;
}

/* Loads a dynamically linked program's interpreter (ld.so), which starts first. */
static int load_interpreter(const char *path, struct elf_image *interp, const char **why)
{
    struct nameidata nd;
    struct file *f;
    if (vfs_walk(AT_FDCWD, path, VFS_FOLLOW, &nd) < 0 || (nd.node->mode & S_IFMT) != S_IFREG)
        return *why = "its ELF interpreter is not in the image", -ENOENT;
    int err = nd.node->ops->open(nd.node, O_RDONLY, &f);
    if (err)
        return *why = "cannot open its ELF interpreter", err;
    const char *interp_path = exec_intern_path(path, strlen(path));
    if (!interp_path) {
        file_put(f);
        return *why = "no memory", -ENOMEM;
    }
    err = elf_load(f, nd.node->size, ELF_INTERPRETER, interp_path, interp, why);
    file_put(f);
    return err;
}

/* The address space: randomised stack top and mmap base, the program and its
 * interpreter loaded, the brk base, the stack mapped. */
static int exec_layout(const struct exec_args *a, struct exec_layout *l, const char **why)
{
    l->stack_top = CL_USER_TOP - (random_u64() % STACK_RND_PAGES) * PAGE_SIZE;
    u64 mmap_top =
        l->stack_top - STACK_SIZE - MMAP_GAP - (random_u64() % MMAP_RND_PAGES) * PAGE_SIZE;
    mm_init(mmap_top);

    static struct elf_image img, interp;
    int err = elf_load(a->file, a->file_size, ELF_PROGRAM, a->path, &img, why);
    if (err)
        return err;
    l->program = &img;
    l->entry = img.entry;
    l->interp_base = 0;
    if (img.interp[0]) {
        err = load_interpreter(img.interp, &interp, why);
        if (err)
            return err;
        l->entry = interp.entry;
        l->interp_base = interp.bias;
    }
    mm_set_brk_base(ALIGN_UP(img.end, PAGE_SIZE) +
                    ALIGN_DOWN(random_u64() % BRK_RND_RANGE, PAGE_SIZE));

    if (mm_map(l->stack_top - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE, VMA_STACK))
        return *why = "cannot map the stack", -ENOMEM;
    return 0;
}

/* argc, then argv[] and envp[], each NULL-terminated, pointing into the strings the
 * stack holds at `strings`; at w. Non-zero on a fault. */
static int write_argv_envp(const struct exec_args *a, u64 w, u64 strings)
{
    u64 s = strings;
    const char *str = a->strings;
    int fail = copy_to_user(w, &(u64){a->argc}, 8);
    w += 8;
    for (u32 i = 0; i < a->argc + a->envc; i++) {
        if (i == a->argc)
            fail |= copy_to_user(w, &(u64){0}, 8), w += 8;
        fail |= copy_to_user(w, &s, 8);
        w += 8;
        u64 len = strlen(str) + 1;
        s += len;
        str += len;
    }
    if (a->envc == 0)
        fail |= copy_to_user(w, &(u64){0}, 8), w += 8;
    fail |= copy_to_user(w, &(u64){0}, 8);
    return fail;
}

/* The initial stack (this file's header) below l->stack_top; the stack pointer the
 * program starts with in *sp_out. */
static int exec_stack(const struct exec_args *a, const struct exec_layout *l, u64 *sp_out,
                      const char **why)
{
    u64 sp = l->stack_top - 8; /* Linux leaves the top word zero */
    u64 strings = push_bytes(&sp, a->strings, a->strings_size);
    u64 execfn = push_bytes(&sp, a->path, strlen(a->path) + 1);
    u64 platform = push_bytes(&sp, "x86_64", 7);
    u8 rnd[16];
    random_fill(rnd, sizeof(rnd));
    u64 random = push_bytes(&sp, rnd, sizeof(rnd));
    if (!strings || !execfn || !platform || !random)
        return *why = "arguments do not fit the stack", -E2BIG;

    u64 vdso = vdso_map(); /* without it, programs fall back to system calls */
    u64 auxv[][2] = {
        {AT_SYSINFO_EHDR, vdso},
        {AT_PHDR, l->program->phdr},
        {AT_PHENT, sizeof(struct elf64_phdr)},
        {AT_PHNUM, l->program->phnum},
        {AT_PAGESZ, PAGE_SIZE},
        {AT_BASE, l->interp_base},
        {AT_FLAGS, 0},
        {AT_ENTRY, l->program->entry},
        {AT_UID, 0},
        {AT_EUID, 0},
        {AT_GID, 0},
        {AT_EGID, 0},
        {AT_SECURE, 0},
        {AT_RANDOM, random},
        {AT_HWCAP, cpuid_edx_leaf1()},
        {AT_HWCAP2, HWCAP2_FSGSBASE},
        {AT_CLKTCK, 100},
        {AT_PLATFORM, platform},
        {AT_EXECFN, execfn},
        {AT_NULL, 0},
    };
    u64 words = 1 + (a->argc + 1) + (a->envc + 1) + 2 * ARRAY_SIZE(auxv);
    sp = ALIGN_DOWN(sp - words * 8, 16);
    u64 auxv_at = sp + (words - 2 * ARRAY_SIZE(auxv)) * 8;
    if (write_argv_envp(a, sp, strings) || copy_to_user(auxv_at, auxv, sizeof(auxv)))
        return *why = "arguments do not fit the stack", -E2BIG;
    *sp_out = sp;
    return 0;
}

int exec_prepare(const struct exec_args *a, struct trap_frame *tf, const char **why)
{
    struct exec_layout layout;
    u64 sp;
    int err = exec_layout(a, &layout, why);
    if (!err)
        err = exec_stack(a, &layout, &sp, why);
    if (err)
        return err;
    tf->rsp = sp;
    tf->rip = layout.entry;
    tf->cs = CL_SEL_USER_CS;
    tf->ss = CL_SEL_USER_DS;
    tf->rflags = 0x202;
    return 0;
}
