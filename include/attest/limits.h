/*
 * Caps on hostile input, checked before any expensive work.  A CA verifies
 * requests from strangers: nothing here may grow without bound.
 */
#ifndef ATTEST_LIMITS_H
#define ATTEST_LIMITS_H

#define ATTEST_MAX_INPUT        (1024 * 1024)  /* bytes of one CSR/bundle/evidence */
#define ATTEST_MAX_STATEMENTS   16
#define ATTEST_MAX_BUNDLE_CERTS 32
#define ATTEST_MAX_ELEMENTS     64             /* PKIX reported elements */
#define ATTEST_MAX_CLAIMS       64             /* claims per element */
#define ATTEST_MAX_SIGNATURES   8              /* PKIX signature blocks */
#define ATTEST_MAX_CHAIN_DEPTH  8
#define ATTEST_MAX_NONCE        64

#endif
