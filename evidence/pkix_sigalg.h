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
    const char *md;       /* NULL: no separate digest (EdDSA) */
    const char *keytype;  /* what the signer key must be */
    int pss;
    const char *mgf1;
    int salt;
} sigalg;

/* 0, or -1 with why ("unsupported signature algorithm 1.2.3", bad parameters). */
int attest_pkix_sigalg_of(const X509_ALGOR *alg, sigalg *s, char *why, size_t cap);
/* 1 when key can make this signature. */
int attest_pkix_sigalg_key_fits(EVP_PKEY *key, const sigalg *s);
/* 1 when sig verifies over tbs. */
int attest_pkix_sigalg_verify(OSSL_LIB_CTX *libctx, const char *propq, EVP_PKEY *key, const sigalg *s,
                              const ASN1_OCTET_STRING *sig, const unsigned char *tbs, size_t tbslen);

#endif
