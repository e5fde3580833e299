/*
 * Caps on hostile input, checked before any expensive work.  A CA verifies
 * requests from strangers: nothing here may grow without bound.
 */
#ifndef ATTEST_LIMITS_H
#define ATTEST_LIMITS_H

#define ATTEST_MAX_INPUT        (1024 * 1024) /* bytes of one CSR/bundle/evidence */
#define ATTEST_MAX_STATEMENTS   16
#define ATTEST_MAX_BUNDLE_CERTS 32
#define ATTEST_MAX_ELEMENTS     64 /* PKIX reported elements */
#define ATTEST_MAX_CLAIMS       64 /* claims per element */
#define ATTEST_MAX_SIGNATURES   8  /* PKIX signature blocks */
#define ATTEST_MAX_CHAIN_DEPTH  8
#define ATTEST_MAX_NONCE        64

/*
 * Work per input.  OpenSSL bounds RSA public exponents (64 bits) only for
 * moduli over 3072 bits; an RSA-3072 key with a 3070-bit exponent costs a
 * private-key operation per verification.  Exponents over 32 bits are
 * refused before any signature operation (limits.rsa-exponent).
 */
#define ATTEST_MAX_RSA_EXPONENT_BITS 32
/* Signature operations per input, all statements together (limits.signatures):
 * a TPM statement whose AK is the first fitting certificate costs 1-2. */
#define ATTEST_MAX_SIG_OPS           64
/* Bundle certificates whose key fits a TPM signature's scheme and size, tried per statement. */
#define ATTEST_MAX_AK_CANDIDATES     8

#include <openssl/evp.h>
/* The RSA public exponent's size in bits; 0 for other keys. */
int attest_rsa_exponent_bits(const EVP_PKEY *key);

#endif
