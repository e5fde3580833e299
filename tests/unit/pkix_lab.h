/*
 * A small in-memory PKI for the PKIX evidence tests: a root, an attestation
 * key with a good AK certificate, a subject key, and helpers to build
 * evidence, edit and re-sign it, wrap it into a CSR and read the verdict.
 */
#ifndef PKIX_LAB_H
#define PKIX_LAB_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/pkix.h"
#include "attest/pkix_produce.h"
#include "attest/verdict.h"
#include "testutil.h" /* verdict_check and the verdict assertions */

typedef struct {
    EVP_PKEY *root_key;
    X509 *root;        /* the one trust anchor */
    EVP_PKEY *ak_key;  /* P-256 attestation key */
    X509 *ak;          /* its certificate: KU digitalSignature, EKU id-kp-attestationKey */
    EVP_PKEY *subject; /* P-256 subject key */
    attest_trust *trust;
} lab_t;

extern lab_t lab;
extern const unsigned char lab_nonce[8];

int lab_setup(void **state);
int lab_teardown(void **state);

/* EVP_PKEY_Q_keygen wrappers: ("EC", "P-256"), ("RSA", 2048), ("ED25519"). */
EVP_PKEY *lab_ec(const char *curve);
EVP_PKEY *lab_rsa(size_t bits);
EVP_PKEY *lab_ed25519(void);

enum {
    LAB_AK = 0,
    LAB_AK_NO_EKU = 1,
    LAB_AK_IS_CA = 2,
    LAB_ROOT = 4,
    LAB_AK_TPM_EKU = 8,   /* EKU tcg-kp-AIKCertificate instead of id-kp-attestationKey */
    LAB_AK_BOTH_EKU = 16, /* both AK EKUs */
    LAB_AK_TPM_SAN = 32,  /* TCG TPM attributes in a subjectAltName directoryName */
    LAB_AK_OTHER_EKU = 64 /* EKU codeSigning only */
};
/* A certificate for key issued by ikey/issuer (issuer NULL: self-signed). */
X509 *lab_cert(EVP_PKEY *key, const char *cn, EVP_PKEY *ikey, X509 *issuer, int flags);

/* Good claims about lab.subject: key-id "k1", non-exportable, local, a platform, the lab nonce. */
void lab_claims(attest_pkix_claims *c);
/* lab_claims, signed by one AK (sid = SPKI); asserts success. */
unsigned char *lab_evidence(EVP_PKEY *ak_key, const char *md, int pss, size_t *len);

/* Decode (asserting success); re-sign block i with key+md after editing the tbs; encode. */
attest_pkix *lab_decode(const unsigned char *der, size_t len);
void lab_resign(attest_pkix *p, int i, EVP_PKEY *key, const char *md);
unsigned char *lab_encode(const attest_pkix *p, size_t *len);

/* Element / claim editing. */
ATTEST_PKIX_ELEMENT *lab_element(attest_pkix *p, attest_oid_id type);
ATTEST_PKIX_CLAIM *lab_claim(ATTEST_PKIX_ELEMENT *el, attest_oid_id id);
void lab_drop_claim(ATTEST_PKIX_ELEMENT *el, attest_oid_id id);

/* Wrap evidence into a CSR for lab.subject with certs in the bundle; verify against lab.trust. */
attest_verdict *lab_verify_csr(const unsigned char *ev, size_t len, X509 *const *certs, size_t ncerts,
                               const unsigned char *nonce, size_t nonce_len, unsigned allow);

/* The policy's require_all_signatures for lab_verify_csr (default 0). */
extern int lab_require_all_signatures;
/* "SHA256", or NULL for keys that sign the message itself (EdDSA, ML-DSA, SLH-DSA). */
const char *lab_md_for(const EVP_PKEY *k);

void lab_expect(const attest_verdict *v, const char *id, attest_check_result r);
/* id failed with error severity, each id at most once, and nothing else is an error. */
void lab_only_fails(const attest_verdict *v, const char *id);
void lab_dump(const attest_verdict *v);

#endif
