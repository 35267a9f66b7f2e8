/*
 * Verifies an SEV-SNP attestation report the way a relying party must (see snp_verify.h):
 * runs the checks in order (the chain in snp_verify_chain.c, the signature in
 * snp_verify_sig.c, the VCEK binding in snp_verify_binding.c), then the policy and the
 * caller's expectations, which are here with the helpers those files share.
 */
#include "verify/snp_verify.h"
#include "verify/snp_verify_internal.h"

#include "common/hex.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

const char *snp_verify_check_name(enum snp_verify_status status)
{
    switch (status) {
    case SNP_VERIFY_OK:
        return "ok";
    case SNP_VERIFY_INPUT:
        return "input";
    case SNP_VERIFY_REPORT:
        return "report";
    case SNP_VERIFY_CHAIN:
        return "certificate chain";
    case SNP_VERIFY_SIGNATURE:
        return "report signature";
    case SNP_VERIFY_TCB_BINDING:
        return "VCEK binding";
    case SNP_VERIFY_POLICY:
        return "policy";
    case SNP_VERIFY_VMPL:
        return "vmpl";
    case SNP_VERIFY_MEASUREMENT:
        return "measurement";
    case SNP_VERIFY_REPORT_DATA:
        return "report data";
    case SNP_VERIFY_HOST_DATA:
        return "host data";
    case SNP_VERIFY_ID_KEY:
        return "ID key digest";
    case SNP_VERIFY_AUTHOR_KEY:
        return "author key digest";
    case SNP_VERIFY_MIN_TCB:
        return "minimum TCB";
    }
    return "unknown check";
}

/* Records a failure as "<check>: <why>" and returns its status. */
enum snp_verify_status snp_verify_failf(struct snp_verify_result *res,
                                        enum snp_verify_status status, const char *fmt, ...)
{
    int n = snprintf(res->message, sizeof(res->message), "%s: ", snp_verify_check_name(status));
    if (n > 0 && (size_t)n < sizeof(res->message)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(res->message + n, sizeof(res->message) - (size_t)n, fmt, ap);
        va_end(ap);
    }
    res->status = status;
    /* OpenSSL queues errors per thread; a failed check must not leave them to the caller. */
    ERR_clear_error();
    return status;
}

/* Copies text into out, replacing anything but printable ASCII: messages stay one line. */
void snp_verify_sanitize(const unsigned char *text, size_t len, char *out, size_t outlen)
{
    size_t i = 0;
    for (; i < len && i + 1 < outlen; i++)
        out[i] = (text[i] >= 0x20 && text[i] < 0x7f) ? (char)text[i] : '?';
    if (outlen > 0)
        out[i] = '\0';
}

bool snp_verify_all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* Compares a field with its expected value; on a difference names both in hex. */
static enum snp_verify_status check_bytes(enum snp_verify_status st, const uint8_t *got,
                                          const uint8_t *want, size_t n,
                                          struct snp_verify_result *res)
{
    if (want == NULL || memcmp(got, want, n) == 0)
        return SNP_VERIFY_OK;
    char got_hex[2 * SNP_REPORT_DATA_SIZE + 1], want_hex[2 * SNP_REPORT_DATA_SIZE + 1];
    hex_encode(got, n, got_hex);
    hex_encode(want, n, want_hex);
    return snp_verify_failf(res, st, "is %s, expected %s", got_hex, want_hex);
}

static enum snp_verify_status check_min_tcb(const struct snp_report *r, struct snp_tcb min,
                                            struct snp_verify_result *res)
{
    struct snp_tcb t = snp_tcb_decode(r->reported_tcb);
    const struct {
        const char *what;
        int have, min;
    } c[] = {
        {"bootloader", t.bootloader, min.bootloader},
        {"tee", t.tee, min.tee},
        {"snp", t.snp, min.snp},
        {"ucode", t.microcode, min.microcode},
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        if (c[i].have < c[i].min)
            return snp_verify_failf(res, SNP_VERIFY_MIN_TCB,
                                    "reported_tcb %s=%d is below the minimum %d", c[i].what,
                                    c[i].have, c[i].min);
    return SNP_VERIFY_OK;
}

enum snp_verify_status snp_verify(const uint8_t *report, size_t len, X509 *vcek,
                                  const struct snp_verify_opts *opts, struct snp_verify_result *res)
{
    static const struct snp_verify_opts defaults;
    const struct snp_verify_opts *o = opts ? opts : &defaults;
    enum snp_verify_status st;
    char why[WHY_SIZE];

    memset(res, 0, sizeof(*res));
    if (report == NULL || vcek == NULL)
        return snp_verify_failf(res, SNP_VERIFY_INPUT, "no %s given",
                                report == NULL ? "report" : "VCEK");
    if (snp_report_parse(report, len, &res->report, why, sizeof(why)) != 0)
        return snp_verify_failf(res, SNP_VERIFY_REPORT, "%s", why);
    res->report_parsed = true;
    const struct snp_report *r = &res->report;
    snp_verify_binding_product(vcek, res->product, sizeof(res->product));

    if ((st = snp_verify_chain_check(vcek, o, res)) != SNP_VERIFY_OK ||
        (st = snp_verify_sig_check(report, r, vcek, res)) != SNP_VERIFY_OK ||
        (st = snp_verify_binding_check(r, vcek, res)) != SNP_VERIFY_OK)
        return st;

    if ((r->policy & SNP_POLICY_DEBUG) && !o->allow_debug)
        return snp_verify_failf(
            res, SNP_VERIFY_POLICY,
            "the guest policy 0x%llx allows debugging (bit 19), and debug was not "
            "allowed",
            (unsigned long long)r->policy);
    if (!o->any_vmpl && r->vmpl != o->vmpl)
        return snp_verify_failf(res, SNP_VERIFY_VMPL,
                                "the report is from VMPL %u, expected VMPL %u", r->vmpl, o->vmpl);

    if ((st = check_bytes(SNP_VERIFY_MEASUREMENT, r->measurement, o->expect_measurement,
                          SNP_MEASUREMENT_SIZE, res)) != SNP_VERIFY_OK ||
        (st = check_bytes(SNP_VERIFY_REPORT_DATA, r->report_data, o->expect_report_data,
                          SNP_REPORT_DATA_SIZE, res)) != SNP_VERIFY_OK ||
        (st = check_bytes(SNP_VERIFY_HOST_DATA, r->host_data, o->expect_host_data,
                          SNP_HOST_DATA_SIZE, res)) != SNP_VERIFY_OK ||
        (st = check_bytes(SNP_VERIFY_ID_KEY, r->id_key_digest, o->expect_id_key_digest,
                          sizeof(r->id_key_digest), res)) != SNP_VERIFY_OK ||
        (st = check_bytes(SNP_VERIFY_AUTHOR_KEY, r->author_key_digest, o->expect_author_key_digest,
                          sizeof(r->author_key_digest), res)) != SNP_VERIFY_OK)
        return st;
    if (o->check_min_tcb && (st = check_min_tcb(r, o->min_tcb, res)) != SNP_VERIFY_OK)
        return st;

    res->status = SNP_VERIFY_OK;
    snprintf(res->message, sizeof(res->message), "ok");
    return SNP_VERIFY_OK;
}
