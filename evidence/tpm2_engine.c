/* The TPM 2.0 certify engine: its objects, its checks, its descriptor. */
#include <string.h>

#include "attest/describe.h"
#include "attest/engine.h"
#include "attest/oids.h"
#include "attest/tpm2.h"

static int check_stmt(const unsigned char *der, size_t len, attest_err *err)
{
    attest_tpm2_stmt s;

    if (attest_tpm2_stmt_decode(der, len, &s, err) != 0)
        return -1;
    attest_tpm2_stmt_clear(&s);
    return 0;
}

static int check_tpms_attest(const unsigned char *b, size_t n, attest_err *err)
{
    TPMS_ATTEST a;

    /* Raw bytes carry no type: demand the TPM's magic before calling it one. */
    if (n < 4
        || memcmp(b,
                  "\xff"
                  "TCG",
                  4)
            != 0) {
        attest_err_set(err, "TPMS_ATTEST: magic is not ff544347");
        return -1;
    }
    return attest_tpms_attest_parse(b, n, &a, err);
}

static int check_tpmt_public(const unsigned char *b, size_t n, attest_err *err)
{
    TPMT_PUBLIC p;

    return attest_tpmt_public_parse(b, n, &p, err);
}

static int check_tpmt_signature(const unsigned char *b, size_t n, attest_err *err)
{
    TPMT_SIGNATURE s;

    if (!attest_tpmt_signature_parse(b, n, &s)) {
        attest_err_set(err, "TPMT_SIGNATURE: not a marshaled TPMT_SIGNATURE");
        return -1;
    }
    return 0;
}

static json_object *describe_tpms_attest(const unsigned char *b, size_t n, attest_err *err)
{
    return check_tpms_attest(b, n, err) == 0 ? attest_describe_tpms_attest(b, n, err) : NULL;
}

static json_object *describe_tpmt_signature(const unsigned char *b, size_t n, attest_err *err)
{
    return check_tpmt_signature(b, n, err) == 0 ? attest_describe_tpmt_signature(b, n) : NULL;
}

static const attest_object_type objects[] = {
    { "TcgAttestCertify", "tpm2", "TCG ATTEST CERTIFY", "TPM 2.0 certify statement", 1, 0, check_stmt,
      attest_describe_tpm2_stmt_der, NULL },
    { "TPMS_ATTEST", "tpms-attest", "TPMS ATTEST", "marshaled TPMS_ATTEST", 0, 0, check_tpms_attest,
      describe_tpms_attest, NULL },
    { "TPMT_PUBLIC", "tpmt-public", "TPMT PUBLIC", "marshaled TPMT_PUBLIC", 0, 0, check_tpmt_public,
      attest_describe_tpmt_public, NULL },
    { "TPMT_SIGNATURE", "tpmt-signature", "TPMT SIGNATURE", "marshaled TPMT_SIGNATURE", 0, 0, check_tpmt_signature,
      describe_tpmt_signature, NULL },
};

static const attest_check_doc checks[] = {
    { CHK_TPM2_PARSE, "TcgAttestCertify, TPMS_ATTEST and TPMT_PUBLIC parse strictly; tpmTPublic is present" },
    { CHK_TPM2_MAGIC, "TPMS_ATTEST.magic is TPM_GENERATED_VALUE (ff544347)" },
    { CHK_TPM2_TYPE, "TPMS_ATTEST.type is TPM_ST_ATTEST_CERTIFY (8017)" },
    { CHK_TPM2_SIGNATURE, "the AK signature verifies over the exact TPMS_ATTEST bytes" },
    { CHK_CHAIN_TRUST, NULL },
    { CHK_CHAIN_AK_PROFILE, NULL },
    { CHK_TPM2_NAME, "attested.name equals nameAlg || H(tpmTPublic)" },
    { CHK_TPM2_KEY_BINDING, "the TPMT_PUBLIC key equals the request's subject key" },
    { CHK_TPM2_NONCE, "extraData equals the nonce given with --nonce" },
    { CHK_TPM2_ATTRIBUTES, "fixedTPM, fixedParent, sensitiveDataOrigin and sign set; restricted clear" },
};

static const int oids[] = { ATTEST_OID_TPM_CERTIFY };

static const char *const ar4si_malformed[] = { CHK_TPM2_PARSE, CHK_TPM2_MAGIC, CHK_TPM2_TYPE, CHK_TPM2_SIGNATURE,
                                               NULL };
static const char *const ar4si_trust[] = { CHK_CHAIN_TRUST, NULL };
static const char *const ar4si_binding[] = { CHK_TPM2_KEY_BINDING, CHK_TPM2_NAME, NULL };
static const char *const ar4si_storage[] = { CHK_TPM2_ATTRIBUTES, NULL };
static const attest_ar4si_map ar4si = { ar4si_malformed, ar4si_trust, CHK_CHAIN_AK_PROFILE, ar4si_binding,
                                        ar4si_storage };

const attest_engine attest_engine_tpm2 = {
    .name = "tpm2",
    .kind = "tpm2-certify",
    .summary = "TPM 2.0 certify evidence",
    .oids = oids,
    .n_oids = sizeof(oids) / sizeof(oids[0]),
    .objects = objects,
    .n_objects = sizeof(objects) / sizeof(objects[0]),
    .checks = checks,
    .n_checks = sizeof(checks) / sizeof(checks[0]),
    .describe = attest_describe_tpm2_stmt_der,
    .verify = attest_tpm2_verify,
    .produce = "tpm2",
    .ar4si = &ar4si,
};
