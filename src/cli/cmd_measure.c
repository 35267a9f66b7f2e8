/* `cloister measure`: the launch digest an image will have, computed offline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cloister/abi.h>

#include "cli/commands.h"
#include "launch/cwi_audit.h"

static int usage(void)
{
    fprintf(stderr, "usage: cloister measure [--tee snp] [--cpus N] IMAGE.cwi\n");
    return 2;
}

int cmd_measure(int argc, char **argv)
{
    unsigned cpus = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--cpus") && i + 1 < argc) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > CL_MAX_VCPUS) {
                fprintf(stderr, "cloister: measure: --cpus wants 1..%u\n", CL_MAX_VCPUS);
                return 2;
            }
            cpus = (unsigned)n;
        } else if (!strcmp(argv[i], "--tee") && i + 1 < argc) {
            const char *t = argv[++i];
            if (!strcmp(t, "tdx")) {
                fprintf(stderr, "cloister: measure: the TDX measurement (MRTD) is not "
                                "implemented yet\n");
                return 2;
            }
            if (strcmp(t, "snp") != 0 && strcmp(t, "sim") != 0)
                return usage();
        } else if (argv[i][0] == '-' || path) {
            return usage();
        } else {
            path = argv[i];
        }
    }
    if (!path)
        return usage();
    char err[1024];
    struct cwi_image img;
    struct cwi_audit audit;
    /* The same checks as `inspect`, every byte of the image included: a digest is only
     * printed for an image that inspect accepts too. */
    if (cwi_audit_open(path, cpus, &img, &audit, err, sizeof(err)) < 0) {
        fprintf(stderr, "cloister: %s\n", err);
        return 125;
    }
    cwi_close(&img);
    for (int i = 0; i < SNP_DIGEST_SIZE; i++)
        printf("%02x", audit.digest[i]);
    printf("\n");
    return 0;
}
