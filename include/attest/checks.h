/*
 * Stable verifier check ids.  Each check exists once; scripts and the JSON
 * verdict use these strings.  attest_check_table() documents the core's, each
 * engine's descriptor its own; attest_check_docs() (objects.h) walks them all,
 * and the man page's table is generated from it (test_man_checks compares).
 */
#ifndef ATTEST_CHECKS_H
#define ATTEST_CHECKS_H

#include <stddef.h>

#define CHK_CSR_PARSE                "csr.parse"
#define CHK_CSR_SIGNATURE            "csr.signature"
#define CHK_CRMF_PARSE               "crmf.parse"
#define CHK_CRMF_POPO                "crmf.popo"
#define CHK_BUNDLE_COUNT             "bundle.count"
#define CHK_BUNDLE_PARSE             "bundle.parse"
#define CHK_BUNDLE_SHAPE             "bundle.shape"
#define CHK_BUNDLE_TYPE              "bundle.type"
#define CHK_CHAIN_TRUST              "chain.trust"
#define CHK_CHAIN_AK_PROFILE         "chain.ak-profile"
#define CHK_CHAIN_ANCHOR_EXPIRY      "chain.anchor-expiry"
#define CHK_TPM2_PARSE               "tpm2.parse"
#define CHK_TPM2_MAGIC               "tpm2.magic"
#define CHK_TPM2_TYPE                "tpm2.type"
#define CHK_TPM2_SIGNATURE           "tpm2.signature"
#define CHK_TPM2_NAME                "tpm2.name"
#define CHK_TPM2_KEY_BINDING         "tpm2.key-binding"
#define CHK_TPM2_NONCE               "tpm2.nonce"
#define CHK_TPM2_ATTRIBUTES          "tpm2.attributes"
#define CHK_PKIX_STRUCTURE           "pkix.structure"
#define CHK_PKIX_SIGNATURE           "pkix.signature"
#define CHK_PKIX_KEY_BINDING         "pkix.key-binding"
#define CHK_PKIX_NONCE               "pkix.nonce"
#define CHK_PKIX_KEY_POLICY          "pkix.key-policy"
#define CHK_POLICY_WEAK_ALGS         "policy.weak-algorithms"
#define CHK_POLICY_KEY_ATTESTED      "policy.key-attested"
#define CHK_LIMITS_RSA_EXPONENT      "limits.rsa-exponent"
#define CHK_LIMITS_SIGNATURES        "limits.signatures"
#define CHK_POLICY_VERIFICATION_TIME "policy.verification-time"
#define CHK_NONCE_STATE              "nonce.state"
#define CHK_POLICY_QUIRKS            "policy.quirks"

typedef struct {
    const char *id;
    const char *what;
} attest_check_doc;

const attest_check_doc *attest_check_table(size_t *n);

#endif
