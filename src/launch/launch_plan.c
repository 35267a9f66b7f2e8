/* Building the launch plan of an image, and its SEV-SNP digest (launch_plan.h). */
#include "launch/launch_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cloister/abi.h>

#include "launch/boot_page_tables.h"
#include "launch/gpa_width.h"
#include "launch/vmsa.h"

#define PAGE CL_PAGE_SIZE

/* The initial XCR0 is the architectural reset value (x87 only) so that the VMSA, and
 * with it the launch digest, is the same on every host; the shim enables SSE/AVX
 * itself from CPUID once it runs (src/shim/arch/x86/arch.c). */
#define BOOT_XCR0 0x1ull
/* KVM sets EFER.SVME in every SEV-ES VMSA it launches; the digest must include it. */
#define EFER_SVME 0x1000ull

static int fail(char *err, size_t err_size, const char *msg)
{
    if (err_size)
        snprintf(err, err_size, "%s", msg);
    return -1;
}

static void add(struct launch_plan *lp, uint64_t gpa, enum snp_page_type t, const uint8_t *p)
{
    lp->ops[lp->count++] = (struct launch_op){gpa, t, p};
}

void launch_vmsa_page(const struct cl_vcpu_init *s, uint8_t page[4096])
{
    struct cl_vcpu_init v = *s;
    v.efer |= EFER_SVME;
    snp_vmsa_build(&v, SNP_SEV_FEAT_SNP_ACTIVE, page);
}

int launch_plan_build(const struct cwi_image *img, unsigned vcpus, struct launch_plan *lp,
                      char *err, size_t err_size)
{
    memset(lp, 0, sizeof(*lp));
    const struct cl_manifest *m = &img->manifest;
    lp->vcpus = vcpus ? vcpus : m->vcpus;
    if (lp->vcpus < 1 || lp->vcpus > CL_MAX_VCPUS)
        return fail(err, err_size, "vCPU count out of range");
    lp->mem_size = m->mem_size;
    lp->image_size = (img->size + PAGE - 1) & ~(PAGE - 1);
    if (gpa_layout_check(lp->mem_size, lp->image_size, err, err_size) < 0)
        return -1;

    const struct cwi_section *shim = cwi_section(img, CWI_SEC_SHIM);
    const struct cwi_section *man = cwi_section(img, CWI_SEC_MANIFEST);
    const struct cwi_section *idx = cwi_section(img, CWI_SEC_FILE_INDEX);
    const struct cwi_section *chk = cwi_section(img, CWI_SEC_CHUNK_HASHES);
    const struct cwi_section *dat = cwi_section(img, CWI_SEC_FILE_DATA);
    if (!shim || !man || !idx || !chk || !dat)
        return fail(err, err_size, "image lacks a section the launch needs");
    struct cl_shim_header sh;
    if (shim->length < sizeof(sh))
        return fail(err, err_size, "image's shim is truncated");
    memcpy(&sh, cwi_section_data(img, shim), sizeof(sh));
    if (sh.mem_size > CL_SHIM_MAX_SIZE || sh.mem_size % PAGE || sh.file_size > shim->length ||
        sh.load_gpa != CL_GPA_SHIM)
        return fail(err, err_size, "image's shim has an inconsistent header");
    if (man->length > CL_LAUNCH_SIZE - CL_LAUNCH_MANIFEST_OFFSET)
        return fail(err, err_size, "manifest too large for the launch area");

    size_t shim_pages = sh.mem_size / PAGE;
    size_t launch_pages = (CL_LAUNCH_MANIFEST_OFFSET + man->length + PAGE - 1) / PAGE;
    size_t max_pages = CL_PAGE_TABLES_MAX + launch_pages + lp->vcpus + 1;
    lp->storage = calloc(max_pages + 1, PAGE); /* +1: a zero page for the shim's tail */
    lp->ops = calloc(shim_pages + max_pages + 2, sizeof(*lp->ops));
    if (!lp->storage || !lp->ops) {
        launch_plan_free(lp);
        return fail(err, err_size, "out of memory");
    }
    uint8_t *next = lp->storage;
    uint8_t *zero = next;
    next += PAGE;

    /* 1. the shim: its bytes as the image holds them; its .bss as ZERO pages, which the
     * secure processor zeroes and measures without hashing contents */
    const uint8_t *shim_bytes = cwi_section_data(img, shim);
    for (size_t i = 0; i < shim_pages; i++) {
        uint64_t gpa = CL_GPA_SHIM + i * PAGE;
        if (i * PAGE >= sh.file_size) {
            add(lp, gpa, SNP_PAGE_ZERO, NULL);
            continue;
        }
        const uint8_t *p = zero;
        if ((i + 1) * PAGE <= shim->length) {
            p = shim_bytes + i * PAGE;
        } else if (i * PAGE < shim->length) {
            memcpy(next, shim_bytes + i * PAGE, shim->length - i * PAGE);
            p = next;
            next += PAGE;
        }
        add(lp, gpa, SNP_PAGE_NORMAL, p);
    }

    /* 2. the boot page tables */
    unsigned pt = boot_page_tables_build(lp->mem_size, lp->image_size, next);
    if (!pt) {
        launch_plan_free(lp);
        return fail(err, err_size, "boot page tables do not fit (memory or image too large)");
    }
    for (unsigned i = 0; i < pt; i++, next += PAGE)
        add(lp, CL_GPA_PAGE_TABLES + i * PAGE, SNP_PAGE_NORMAL, next);

    /* 3. the launch area */
    struct cl_launch *l = (struct cl_launch *)next;
    l->magic = CL_LAUNCH_MAGIC;
    l->abi_version = CL_ABI_VERSION;
    l->image_size = lp->image_size;
    l->manifest_size = man->length;
    l->index_offset = idx->offset;
    l->index_size = idx->length;
    l->chunks_offset = chk->offset;
    l->chunks_size = chk->length;
    l->data_offset = dat->offset;
    l->data_size = dat->length;
    memcpy(l->index_sha256, idx->sha256, 32);
    memcpy(next + CL_LAUNCH_MANIFEST_OFFSET, cwi_section_data(img, man), man->length);
    for (size_t i = 0; i < launch_pages; i++, next += PAGE)
        add(lp, CL_GPA_LAUNCH + i * PAGE, SNP_PAGE_NORMAL, next);

    /* 4. the pages the secure processor fills */
    add(lp, CL_GPA_SECRETS, SNP_PAGE_SECRETS, NULL);
    add(lp, CL_GPA_CPUID, SNP_PAGE_CPUID, NULL);

    /* 5. the vCPUs */
    cl_vcpu_init_boot(&lp->vcpu_state, sh.entry, CL_GPA_PAGE_TABLES, BOOT_XCR0);
    for (unsigned i = 0; i < lp->vcpus; i++, next += PAGE) {
        launch_vmsa_page(&lp->vcpu_state, next);
        add(lp, SNP_VMSA_GPA, SNP_PAGE_VMSA, next);
    }
    return 0;
}

void launch_plan_free(struct launch_plan *lp)
{
    free(lp->ops);
    free(lp->storage);
    memset(lp, 0, sizeof(*lp));
}

void launch_plan_digest(const struct launch_plan *lp, struct snp_digest *d)
{
    snp_digest_init(d);
    for (size_t i = 0; i < lp->count; i++)
        snp_digest_add_page(d, lp->ops[i].gpa, lp->ops[i].type, lp->ops[i].page);
}

int cwi_launch_digest(const struct cwi_image *img, unsigned vcpus, uint8_t digest[SNP_DIGEST_SIZE],
                      char *err, size_t err_size)
{
    struct launch_plan lp;
    if (launch_plan_build(img, vcpus, &lp, err, err_size) < 0)
        return -1;
    struct snp_digest d;
    launch_plan_digest(&lp, &d);
    memcpy(digest, d.value, SNP_DIGEST_SIZE);
    launch_plan_free(&lp);
    return 0;
}
