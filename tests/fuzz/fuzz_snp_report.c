/*
 * libFuzzer target for the SEV-SNP report parser: any input must be parsed or refused
 * without a memory error, and whatever parses must survive a serialize/parse round
 * trip unchanged.
 *
 * Built by `make fuzz-snp_report` (tests/fuzz/fuzz.mk); tests/static/fuzz.sh runs it
 * briefly and bench/fuzz.sh for hours, from the seeds in tests/fuzz/corpus/snp_report/
 * (tests/fuzz/README.md).
 */
#include "verify/snp_report.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snp_report r, again;
    uint8_t out[SNP_REPORT_SIZE], out2[SNP_REPORT_SIZE];
    char err[128];

    memset(err, 'x', sizeof(err));
    if (snp_report_parse(data, size, &r, err, sizeof(err)) != 0) {
        /* A refusal always comes with a terminated message. */
        if (memchr(err, '\0', sizeof(err)) == NULL)
            abort();
        return 0;
    }
    if (size != SNP_REPORT_SIZE || r.version < 2 || r.signature_algo != 1)
        abort();

    /* The serializer writes back every byte but the reserved ones, which become zero. */
    uint8_t expect[SNP_REPORT_SIZE];
    memcpy(expect, data, sizeof(expect));
    expect[0x48] &= 0x1f; /* flags: bits 5-31 reserved */
    memset(expect + 0x49, 0, 0x50 - 0x49);
    memset(expect + 0x18b, 0, 0x1a0 - 0x18b);
    expect[0x1eb] = 0;
    expect[0x1ef] = 0;
    memset(expect + 0x208, 0, SNP_REPORT_SIGNED_SIZE - 0x208);
    memset(expect + 0x330, 0, SNP_REPORT_SIZE - 0x330);
    snp_report_serialize(&r, out);
    if (memcmp(out, expect, sizeof(out)) != 0)
        abort();
    if (snp_report_parse(out, sizeof(out), &again, NULL, 0) != 0)
        abort();
    snp_report_serialize(&again, out2);
    if (memcmp(out, out2, sizeof(out)) != 0)
        abort();

    /* TCB decoding keeps exactly the four Milan/Genoa component bytes. */
    if (snp_tcb_encode(snp_tcb_decode(r.reported_tcb)) != (r.reported_tcb & 0xffff00000000ffffULL))
        abort();
    return 0;
}
