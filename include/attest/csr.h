/*
 * PKCS#10 placement of the bundle: one attribute id-aa-attestation whose
 * SET holds exactly one AttestationBundle (COUNTS MAX 1).
 */
#ifndef ATTEST_CSR_H
#define ATTEST_CSR_H

#include <stddef.h>
#include <openssl/x509.h>

#include "attest/error.h"

typedef struct {
    X509_REQ *req;
    int n_attest_attrs;          /* id-aa-attestation attributes found */
    int n_values;                /* values in the first such attribute */
    int value_type;              /* ASN.1 type of its first value */
    unsigned char *bundle_der;   /* DER of the first value when it is a SEQUENCE */
    size_t bundle_len;
    int in_ext_request;          /* an id-aa-attestation extension sits in extensionRequest */
} attest_csr;

/* Strict: DER (re-encoding matches), no trailing bytes, size cap. */
int attest_csr_decode(const unsigned char *der, size_t len, attest_csr **out, attest_err *err);
void attest_csr_free(attest_csr *c);

/* Adds the one id-aa-attestation attribute; refuses if one is there already. */
int attest_csr_add_bundle(X509_REQ *req, const unsigned char *bundle_der, size_t len,
                          attest_err *err);

#endif
