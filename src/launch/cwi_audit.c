/* Opening an image to vouch for it (see cwi_audit.h). */
#include "launch/cwi_audit.h"

#include <string.h>

#include "common/error_line.h"
#include "launch/launch_plan.h"

int cwi_audit_open(const char *path, unsigned vcpus, struct cwi_image *img, struct cwi_audit *a,
                   char *err, size_t err_size)
{
    char why[512];
    memset(a, 0, sizeof(*a));
    if (cwi_open(path, 0, img, err, err_size) < 0)
        return -1;
    if (cwi_launch_digest(img, vcpus, a->digest, why, sizeof(why)) < 0) {
        error_line(err, err_size, "image: cannot be launched: %s", why);
        cwi_close(img);
        return -1;
    }
    if (cwi_verify_data(img, err, err_size) < 0) {
        cwi_close(img);
        return -1;
    }
    const struct cwi_section *sig = cwi_section(img, CWI_SEC_SIGNATURE);
    if (sig != NULL) {
        if (id_block_parse(cwi_section_data(img, sig), (size_t)sig->length, &a->sig, why,
                           sizeof(why)) < 0) {
            error_line(err, err_size, "image: %s", why);
            cwi_close(img);
            return -1;
        }
        a->is_signed = true;
    }
    return 0;
}
