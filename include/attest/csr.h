/*
 * PKCS#10 placement of the bundle: one attribute id-aa-attestation whose
 * SET holds exactly one AttestationBundle (COUNTS MAX 1).
 */
#ifndef ATTEST_CSR_H
#define ATTEST_CSR_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/error.h"

typedef struct {
    X509_REQ *req;             /* attest_csr_decode only; NULL from attest_csr_decode_light */
    X509_NAME *subject;        /* owned by the decoded request */
    X509_PUBKEY *spki;         /* the SubjectPublicKeyInfo as received, its key not decoded */
    const X509_ALGOR *sig_alg; /* the outer signatureAlgorithm */
    int n_attest_attrs;        /* id-aa-attestation attributes found */
    int n_values;              /* values in the first such attribute */
    int value_type;            /* ASN.1 type of its first value */
    unsigned char *bundle_der; /* DER of the first value when it is a SEQUENCE */
    size_t bundle_len;
    int in_ext_request;             /* an id-aa-attestation extension sits in extensionRequest */
    struct attest_csr_light *light; /* the template form (asn1/csr.c) */
    EVP_PKEY *pkey;                 /* from attest_csr_get0_pubkey */
    int pkey_tried;
} attest_csr;

/* Strict: DER (re-encoding matches), no trailing bytes, size cap.  Also decodes c->req (and its key). */
int attest_csr_decode(const unsigned char *der, size_t len, attest_csr **out, attest_err *err);
/* The same checks and fields without an X509_REQ, so without OpenSSL's per-key decoder (c->req is NULL). */
int attest_csr_decode_light(const unsigned char *der, size_t len, attest_csr **out, attest_err *err);
void attest_csr_free(attest_csr *c);

/* The subject key (attest_spki_pkey), made once and owned by c; NULL if it cannot be decoded. */
EVP_PKEY *attest_csr_get0_pubkey(attest_csr *c, OSSL_LIB_CTX *libctx, const char *propq);
/* The self-signature as X509_REQ_verify_ex checks it: 1 verifies, 0 or -1 not. */
int attest_csr_verify_signature(const attest_csr *c, EVP_PKEY *key, OSSL_LIB_CTX *libctx, const char *propq);

/* The request's extensionRequest extensions (a new stack, the caller frees it), NULL when none. */
STACK_OF(X509_EXTENSION) *attest_csr_requested_extensions(const attest_csr *c);

/* Adds the one id-aa-attestation attribute; refuses if one is there already. */
int attest_csr_add_bundle(X509_REQ *req, const unsigned char *bundle_der, size_t len, attest_err *err);

#endif
