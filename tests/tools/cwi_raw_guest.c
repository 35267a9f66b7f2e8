/*
 * cwi_raw_guest: seals a raw guest (one of tests/hostile/) into an image in place of the
 * shim, as a hostile image author could: the monitor then runs that code in ring 0 with
 * the shim's privileges, and must stay sound whatever it does.
 *
 *   cwi_raw_guest [--mem MIB] GUEST.bin OUT.cwi [PARAM...]
 *
 * PARAMs (up to 8, numbers as strtoull reads them: 0x.., and -1 for 2^64-1) go into
 * the guest's parameter area at byte 0x40 (tests/hostile/guest.h). The image's files
 * are only the guest itself, as /guest, its manifest's entry: the guest never reads
 * them, but an image must name one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cloister/abi.h>

#include "image/cwi_write.h"
#include "image/file_tree.h"
#include "image/manifest.h"

#include "../hostile/hc_numbers.h"

_Static_assert(HG_HC_EXIT == CL_HC_EXIT, "hc_numbers.h: EXIT");
_Static_assert(HG_HC_MARK == CL_HC_MARK, "hc_numbers.h: MARK");
_Static_assert(HG_HC_SLEEP == CL_HC_SLEEP, "hc_numbers.h: SLEEP");

#define PARAMS_OFFSET 0x40
#define MAX_PARAMS    8
#define MAX_GUEST     CL_SHIM_MAX_SIZE

static int usage(void)
{
    fprintf(stderr, "usage: cwi_raw_guest [--mem MIB] GUEST.bin OUT.cwi [PARAM...]\n");
    return 2;
}

static int number(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    *v = strtoull(s, &end, 0);
    return errno || end == s || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
    uint64_t mem_mib = 0;
    int i = 1;
    if (i + 1 < argc && !strcmp(argv[i], "--mem")) {
        if (number(argv[i + 1], &mem_mib) < 0 || !mem_mib || mem_mib > (CL_MEM_MAX >> 20))
            return usage();
        i += 2;
    }
    if (argc - i < 2 || argc - i - 2 > MAX_PARAMS)
        return usage();
    const char *guest = argv[i], *out = argv[i + 1];

    static uint8_t bytes[MAX_GUEST];
    FILE *f = fopen(guest, "rb");
    if (!f) {
        fprintf(stderr, "cwi_raw_guest: %s: %s\n", guest, strerror(errno));
        return 1;
    }
    size_t len = fread(bytes, 1, sizeof(bytes), f);
    fclose(f);
    if (len < PARAMS_OFFSET + 8 * MAX_PARAMS) {
        fprintf(stderr, "cwi_raw_guest: %s: too short for a header and parameters\n", guest);
        return 1;
    }
    for (int k = 0; k < argc - i - 2; k++) {
        uint64_t v;
        if (number(argv[i + 2 + k], &v) < 0) {
            fprintf(stderr, "cwi_raw_guest: bad parameter '%s'\n", argv[i + 2 + k]);
            return 2;
        }
        memcpy(bytes + PARAMS_OFFSET + 8 * k, &v, 8);
    }

    struct cl_manifest m;
    manifest_init(&m);
    if (mem_mib) {
        m.mem_size = mem_mib << 20;
        if (m.tmpfs_size > m.mem_size / 4)
            m.tmpfs_size = m.mem_size / 4; /* the manifest's rule; the guest has no /tmp */
    }
    char *args[] = {"/guest"};
    m.entry = args[0];
    m.argv = args;
    m.argc = 1;
    struct file_tree t;
    file_tree_init(&t);
    char err[256];
    int fd = open(out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = 1;
    if (fd < 0)
        fprintf(stderr, "cwi_raw_guest: %s: %s\n", out, strerror(errno));
    else if (file_tree_add(&t, guest, "/guest", err, sizeof(err)) < 0 ||
             cwi_write(fd, &m, &t, bytes, len, NULL, err, sizeof(err)) < 0)
        fprintf(stderr, "cwi_raw_guest: %s\n", err);
    else
        rc = 0;
    if (fd >= 0)
        close(fd);
    file_tree_free(&t);
    return rc;
}
