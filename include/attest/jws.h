/*
 * Signed verdicts: an EAR as a compact JWS (RFC 7515), the JWT form of
 * draft-ietf-rats-ear.  The algorithm follows the key: ES256 / ES384 /
 * ES512 for P-256 / P-384 / P-521, PS256 for RSA, EdDSA for Ed25519 and
 * Ed448; "kid" is the hex SHA-256 of the signer's SubjectPublicKeyInfo.
 */
#ifndef ATTEST_JWS_H
#define ATTEST_JWS_H

#include <stddef.h>
#include <openssl/evp.h>

#include "attest/error.h"

/* The JWS algorithm name for key, or NULL when the key type has none here. */
const char *attest_jws_alg(EVP_PKEY *key);
/* "header.payload.signature", NUL-terminated, OPENSSL_malloc'd; NULL and err on failure. */
char *attest_jws_sign(EVP_PKEY *key, OSSL_LIB_CTX *libctx, const char *propq, const char *payload, size_t len,
                      attest_err *err);
/*
 * Verify a compact JWS with key: the header's alg must be the one key
 * implies (no "none", no other algorithm).  Returns the payload,
 * NUL-terminated, OPENSSL_malloc'd (*len its length); NULL and err on failure.
 */
char *attest_jws_verify(const char *jws, size_t jws_len, EVP_PKEY *key, OSSL_LIB_CTX *libctx, const char *propq,
                        size_t *len, attest_err *err);

#endif
