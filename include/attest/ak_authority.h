/*
 * The enrolling authority's half of AK enrollment (no TPM needed): judge an
 * AkEnrollRequest, make the credential-activation challenge, keep its
 * secret in a state directory, and issue the AK certificate once the
 * response proves that the TPM holding the certified EK also holds the AK.
 *
 * Every refusal names its check; the error line starts with the id:
 *   enroll.ek-chain       the EK certificate does not chain to the EK roots
 *   enroll.ek-public      the EK public area is not the certified key, or not a restricted decryption key
 *   enroll.ak-attributes  the AK is not fixedTPM, fixedParent, sensitiveDataOrigin, restricted, sign (and not decrypt), or is weak
 *   enroll.ak-name        the AK Name is not nameAlg || H(akPublic)
 *   enroll.state          no pending challenge with that id (unknown, or already used)
 *   enroll.expired        the challenge's time to live has passed
 *   enroll.credential     the response's credential is not the one sent
 *   enroll.ek-attributes  the EK certificate carries no TCG TPM manufacturer/model/version
 */
#ifndef ATTEST_AK_AUTHORITY_H
#define ATTEST_AK_AUTHORITY_H

#include <stdint.h>
#include <time.h>
#include <openssl/types.h>

#include "attest/ak_enroll.h"
#include "attest/verdict.h"

#define ATTEST_AK_TTL_DEFAULT 3600 /* seconds a challenge stays answerable */

/* The checks above on a request (chain, EK public, AK attributes and Name).  0 or -1. */
int attest_ak_request_check(OSSL_LIB_CTX *libctx, const attest_ak_request *r, const attest_trust *ek_roots,
                            attest_err *err);

/* Challenge + the state record to keep (MakeCredential with a fresh random credential). */
int attest_ak_challenge_make(OSSL_LIB_CTX *libctx, const attest_ak_request *r, int64_t not_after,
                             attest_ak_challenge *c, attest_ak_state *s, attest_err *err);

/*
 * State directory: one file per pending challenge, <hex id>.state, mode
 * 0600, written to a temporary name and linked into place (never
 * overwritten).  take claims the entry by renaming it (one taker wins),
 * reads it and deletes it: a challenge is answered at most once.
 */
int attest_ak_state_put(const char *dir, const unsigned char *id, size_t idlen, const unsigned char *der, size_t len,
                        attest_err *err);
int attest_ak_state_take(const char *dir, const unsigned char *id, size_t idlen, unsigned char **der, size_t *len,
                         attest_err *err);

/*
 * The AK certificate: subject empty, critical subjectAltName directoryName
 * with the TCG TPM manufacturer / model / version of the EK certificate,
 * basicConstraints CA:FALSE, keyUsage digitalSignature, EKU
 * tcg-kp-AIKCertificate, SKI/AKI, 16-byte random serial, valid from now
 * for days; signed by ca_key (any provider) with SHA-256 (SHA-384/512 for
 * larger EC keys).
 */
X509 *attest_ak_cert_issue(OSSL_LIB_CTX *libctx, const char *propq, const attest_ak_state *s, X509 *ca_cert,
                           EVP_PKEY *ca_key, int days, attest_err *err);

#endif
