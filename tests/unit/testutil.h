/*
 * Helpers shared by the unit tests: the published vectors (tests/vectors,
 * found through ATTEST_VECTORS) read into exact-size heap blocks so that ASan
 * sees any over-read, and hex / byte helpers.  Each one asserts (cmocka) on
 * failure, so a caller gets a usable result or the test stops there.
 * testutil.c needs libcrypto and cmocka only (test_provider_api links no
 * attestcore); the verdict assertions below are in testutil_verdict.c.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* ATTEST_VECTORS/rel, in a static buffer that the next call overwrites. */
char *vec_path(const char *rel);

/* A whole vector file in an exact-size heap block; free() it. */
unsigned char *read_vec(const char *rel, size_t *len);

/* The DER of the first PEM block of a vector, in an exact-size heap block; free() it.
 * want_label, unless NULL, must be the block's label (e.g. "EVIDENCE"). */
unsigned char *read_pem_der(const char *rel, const char *want_label, size_t *len);

/* The first certificate / SubjectPublicKeyInfo of a PEM vector. */
X509 *read_cert(const char *rel);
EVP_PKEY *read_spki(const char *rel);

/* n bytes as lowercase hex into out (2n + 1 bytes); assert that they are want. */
void hex_of(const unsigned char *b, size_t n, char *out);
void assert_hex(const unsigned char *b, size_t n, const char *want);

/* A copy of n bytes in an exact-size heap block (1 byte for n = 0); free() it. */
unsigned char *dup_bytes(const unsigned char *b, size_t n);

/*
 * Verdict assertions (testutil_verdict.c, linked into every attest_unit_test;
 * they need attestcore).  Checks are looked up in the top level, then in each
 * statement's sub-verdict.  On failure the verdict goes to stderr.
 */
#include "attest/verdict.h"

/* The first check with this id, whatever its result; NULL if none. */
const attest_check *verdict_check(const attest_verdict *v, const char *id);
/* A check with this id that FAILed (any severity); NULL if none. */
const attest_check *verdict_failed(const attest_verdict *v, const char *id);
/* 1 when id failed exactly once, with severity sev (and detail in its text unless NULL), and no other
 * check errors or warns. */
int verdict_only_failed(const attest_verdict *v, const char *id, attest_severity sev, const char *detail);
void verdict_dump(const attest_verdict *v);
/* The verdict's exit code is want (0 affirming, 1 contraindicated, 3 warning, 4 none). */
void assert_verdict_exit(const attest_verdict *v, int want);
/* Check id failed (somewhere). */
void assert_check_failed(const attest_verdict *v, const char *id);
/* Exactly check id failed, as an error, and nothing else errors or warns. */
void assert_only_failed(const attest_verdict *v, const char *id);

#endif
