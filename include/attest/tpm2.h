/*
 * TPM 2.0 certify evidence (tcg-attest-tpm-certify, 2.23.133.20.1):
 *
 *   TcgAttestCertify ::= SEQUENCE {
 *       tpmSAttest  OCTET STRING,           -- marshaled TPMS_ATTEST
 *       signature   OCTET STRING,           -- TPMT_SIGNATURE or "plain"
 *       tpmTPublic  OCTET STRING OPTIONAL } -- marshaled TPMT_PUBLIC
 *
 * plus the TPM structures inside it, unmarshaled with tss2-mu.
 */
#ifndef ATTEST_TPM2_H
#define ATTEST_TPM2_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include "attest/error.h"

typedef struct {
    unsigned char *attest; /* TPMS_ATTEST bytes */
    size_t attest_len;
    unsigned char *sig; /* signature octets as carried */
    size_t sig_len;
    unsigned char *pub; /* TPMT_PUBLIC bytes, NULL when absent */
    size_t pub_len;
    int pub_was_tpm2b; /* legacy: a TPM2B_PUBLIC size prefix was stripped */
} attest_tpm2_stmt;

int attest_tpm2_stmt_decode(const unsigned char *der, size_t len, attest_tpm2_stmt *out, attest_err *err);
/* Encodes attest/sig/pub (pub optional) as given. */
int attest_tpm2_stmt_encode(const attest_tpm2_stmt *s, unsigned char **der, size_t *len, attest_err *err);
void attest_tpm2_stmt_clear(attest_tpm2_stmt *s);

/* Strict unmarshaling: every byte consumed, sizes inside the buffer. */
int attest_tpms_attest_parse(const unsigned char *b, size_t n, TPMS_ATTEST *out, attest_err *err);
int attest_tpmt_public_parse(const unsigned char *b, size_t n, TPMT_PUBLIC *out, attest_err *err);
/* 1: the bytes are exactly one TPMT_SIGNATURE; 0: treat them as "plain". */
int attest_tpmt_signature_parse(const unsigned char *b, size_t n, TPMT_SIGNATURE *out);

/* Name = nameAlg || H_nameAlg(TPMT_PUBLIC bytes).  Returns the length or -1. */
int attest_tpm2_name(const unsigned char *pub, size_t pub_len, unsigned char *name, size_t cap, attest_err *err);
const EVP_MD *attest_tpm2_md(TPMI_ALG_HASH alg);
const char *attest_tpm2_alg_name(uint16_t alg);
const char *attest_tpm2_curve_name(uint16_t curve);
/* "fixedTPM|fixedParent|..." */
void attest_tpma_object_str(uint32_t attrs, char *buf, size_t cap);

/* A TPM ECDSA signature (R, S) as a DER ECDSA-Sig-Value; 0 or -1. */
int attest_tpm2_ecdsa_der(const TPMS_SIGNATURE_ECC *e, unsigned char **der, size_t *len);

/* The public key of a TPMT_PUBLIC as an EVP_PKEY (RSA or NIST ECC). */
EVP_PKEY *attest_tpmt_public_to_pkey(const TPMT_PUBLIC *pub, OSSL_LIB_CTX *libctx, attest_err *err);
/* The SubjectPublicKeyInfo an encoder writes for that key (RSA, or a named curve, point uncompressed); 0 or -1. */
int attest_tpmt_public_spki_der(const TPMT_PUBLIC *pub, unsigned char **der, size_t *len);

#endif
