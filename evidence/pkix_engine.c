/* The PKIX key attestation engine: its object, its checks, its descriptor. */
#include "attest/describe.h"
#include "attest/engine.h"
#include "attest/oids.h"
#include "attest/pkix.h"

static int check_evidence(const unsigned char *der, size_t len, attest_err *err)
{
    attest_pkix *p = NULL;
    int r = attest_pkix_decode(der, len, &p, err);

    attest_pkix_free(p);
    return r;
}

static const attest_object_type objects[] = {
    { "PkixEvidence", "pkix", "EVIDENCE", "PKIX key attestation Evidence", 1, 1, check_evidence,
      attest_describe_pkix_der, NULL }, /* verified alone: standalone below */
};

static const attest_check_doc checks[] = {
    { CHK_PKIX_STRUCTURE, "PKIX evidence follows the draft's structural rules (version, multiplicity, claim types)" },
    { CHK_PKIX_SIGNATURE,
      "every signature block whose algorithm is supported verifies over the exact tbs bytes "
      "with a resolved signer, and at least one does (all of them with --require-all-signatures); "
      "unknown algorithms are reported as unsupported-algorithm" },
    { CHK_CHAIN_TRUST, NULL },
    { CHK_CHAIN_AK_PROFILE, NULL },
    { CHK_PKIX_KEY_BINDING, "exactly one key element's key-spki equals the request's subject key" },
    { CHK_PKIX_NONCE, "the transaction nonce equals the nonce given with --nonce" },
    { CHK_PKIX_KEY_POLICY, "the bound key is not extractable, sensitive, and generated in the module" },
};

static const int oids[] = { ATTEST_OID_PKIX_STATEMENT };

static const char *const ar4si_malformed[] = { CHK_PKIX_STRUCTURE, CHK_PKIX_SIGNATURE, NULL };
static const char *const ar4si_trust[] = { CHK_CHAIN_TRUST, NULL };
static const char *const ar4si_binding[] = { CHK_PKIX_KEY_BINDING, NULL };
static const char *const ar4si_storage[] = { CHK_PKIX_KEY_POLICY, NULL };
static const attest_ar4si_map ar4si = { ar4si_malformed, ar4si_trust, CHK_CHAIN_AK_PROFILE, ar4si_binding,
                                        ar4si_storage };

const attest_engine attest_engine_pkix = {
    .name = "pkix",
    .kind = "pkix-evidence",
    .summary = "PKIX key attestation evidence",
    .oids = oids,
    .n_oids = sizeof(oids) / sizeof(oids[0]),
    .objects = objects,
    .n_objects = sizeof(objects) / sizeof(objects[0]),
    .checks = checks,
    .n_checks = sizeof(checks) / sizeof(checks[0]),
    .standalone = 1,
    .describe = attest_describe_pkix_der,
    .verify = attest_pkix_verify,
    .produce = "pkix",
    .ar4si = &ar4si,
};
