/*
 * SHA-256 for the records and caches, with the digest fetched once.  On
 * OpenSSL 3 every EVP_Digest(..., EVP_sha256(), ...) fetches the algorithm
 * anew (a few microseconds each; several times per input of a batch).
 */
#ifndef ATTEST_DIGEST_H
#define ATTEST_DIGEST_H

#include <stddef.h>
#include <openssl/evp.h>

/* SHA-256 from the default library context, fetched on first use and kept for the process; NULL if none. */
const EVP_MD *attest_sha256_md(void);
/* SHA-256 of b[0..n) into out: 1, or 0 (no digest, out of memory). */
int attest_sha256(const void *b, size_t n, unsigned char out[32]);

#endif
