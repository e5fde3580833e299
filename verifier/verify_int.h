/*
 * Shared between the request formats of the verifier (verify.c: PKCS#10 and
 * bare bundles; verify_crmf.c: CRMF / CMP).  Not installed.
 */
#ifndef ATTEST_VERIFY_INT_H
#define ATTEST_VERIFY_INT_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/registry.h"
#include "attest/verdict.h"

/*
 * The bundle-level checks (bundle.parse, bundle.shape), one engine per
 * statement, then the policy checks, with subject as the key the evidence
 * must bind to.  subject_spki: the request's SubjectPublicKeyInfo as sent
 * (NULL if none); request_md: the digest of the request's own signature
 * (NULL if unknown), for policy.weak-algorithms.
 */
void attest_verify_bundle_into(attest_verdict *v, const attest_verify_params *p, EVP_PKEY *subject,
                               const X509_PUBKEY *subject_spki, const EVP_MD *request_md, const unsigned char *der,
                               size_t len);

/* limits.rsa-exponent for the subject key when no bundle check recorded it. */
void attest_limits_subject(attest_verdict *v, const EVP_PKEY *key);

/* The request containers, the head of the object table (objects.c). */
const attest_object_type *attest_container_objects(size_t *n);

#endif
