/*
 * Signature algorithms of PKIX evidence SignatureBlocks: what an
 * AlgorithmIdentifier asks for (digest, key type, RSASSA-PSS parameters),
 * and the verification itself.  Private to the PKIX engine.
 */
#ifndef ATTEST_PKIX_SIGALG_H
#define ATTEST_PKIX_SIGALG_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

typedef struct {
    const char *md;      /* NULL: no separate digest (EdDSA, ML-DSA, SLH-DSA) */
    const char *keytype; /* what the signer key must be */
    int pss;
    const char *mgf1;
    int salt;
} sigalg;

/* An algorithm this OpenSSL does not implement: the block cannot be verified here (not: it is wrong). */
#define ATTEST_SIGALG_UNSUPPORTED (-2)
/* 0; -1 with why (bad parameters); ATTEST_SIGALG_UNSUPPORTED with why ("unsupported-algorithm: ..."). */
int attest_pkix_sigalg_of(const X509_ALGOR *alg, sigalg *s, char *why, size_t cap);
/* 1 when key can make this signature. */
int attest_pkix_sigalg_key_fits(EVP_PKEY *key, const sigalg *s);
/* 1 when sig verifies over tbs. */
int attest_pkix_sigalg_verify(OSSL_LIB_CTX *libctx, const char *propq, EVP_PKEY *key, const sigalg *s,
                              const ASN1_OCTET_STRING *sig, const unsigned char *tbs, size_t tbslen);

#endif
