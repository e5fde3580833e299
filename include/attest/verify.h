/*
 * attest's public API: verify an attested request (PKCS#10, CRMF/CMP), a
 * bare AttestationBundle or standalone evidence against a trust store and a
 * policy, and read the verdict.
 *
 * A verdict has top-level checks (the request and the bundle) and one entry
 * per AttestationStatement with its own checks.  Each check passes, fails or
 * is skipped; a failure or skip is either an error (contraindicated) or a
 * warning (a relaxation in force, or a check that could not run).  Verdicts
 * are opaque: read them with the accessors below, or as an EAR JSON document.
 */
#ifndef ATTEST_VERIFY_H
#define ATTEST_VERIFY_H

#include "attest/export.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/error.h"

/* ---- policy: every relaxation is named, off by default ---- */
enum {
    ATTEST_ALLOW_SHA1 = 1u << 0,           /* "sha1" */
    ATTEST_ALLOW_SMALL_RSA = 1u << 1,      /* "small-rsa": RSA < 2048 */
    ATTEST_ALLOW_EXPORTABLE_KEY = 1u << 2, /* "exportable-key" */
    ATTEST_ALLOW_IMPORTED_KEY = 1u << 3,   /* "imported-key": not generated in the module */
    ATTEST_ALLOW_RESTRICTED_KEY = 1u << 4, /* "restricted-key" */
    ATTEST_ALLOW_AK_WITHOUT_EKU = 1u << 5  /* "ak-without-eku" */
};

typedef struct {
    unsigned allow;
    int strict_shape;            /* legacy bundle shapes fail instead of warning */
    int require_key_attestation; /* some statement must bind the subject key (default 1) */
    int require_all_signatures;  /* PKIX: a signature block that cannot be verified here fails (default 0) */
    /* Vendor evidence (see attest(7)); strict_shape (--strict) also refuses vendor quirks. */
    int yubikey_min_pin_policy;   /* YubiKey PIN policy at least: 0 any, 2 once, 3 always */
    int yubikey_min_touch_policy; /* YubiKey touch policy at least: 0 any, 3 cached, 2 always */
    int vulnerable_firmware_fails; /* known-vulnerable firmware (e.g. YSA-2024-03) fails instead of warning */
    int android_require_verified_boot; /* Android: a locked device with verified boot, else fail (default: warn) */
} attest_policy;

ATTEST_EXPORT void attest_policy_default(attest_policy *p);
/* "sha1" -> ATTEST_ALLOW_SHA1; 0 when unknown. */
ATTEST_EXPORT unsigned attest_policy_allow_flag(const char *name);
ATTEST_EXPORT const char *attest_policy_allow_names(void); /* "sha1, small-rsa, ..." */

/* ---- trust anchors and intermediates ---- */
typedef struct attest_trust attest_trust;
typedef void (*attest_notice_fn)(void *arg, const char *msg);

ATTEST_EXPORT attest_trust *attest_trust_new(void);
/* The same, with anchors decoded and chains verified in libctx with propq (NULL, NULL: the default). */
ATTEST_EXPORT attest_trust *attest_trust_new_ex(OSSL_LIB_CTX *libctx, const char *propq);
ATTEST_EXPORT void attest_trust_free(attest_trust *t);
/* Every PEM/DER certificate file in dir becomes an anchor; others get a notice. */
ATTEST_EXPORT int attest_trust_add_dir(attest_trust *t, const char *dir, attest_notice_fn notice, void *arg,
                                       attest_err *err);
ATTEST_EXPORT int attest_trust_add_anchor(attest_trust *t, X509 *x);
/* Every certificate of one PEM (one or more) or DER file becomes an anchor (like openssl -CAfile). */
ATTEST_EXPORT int attest_trust_add_file(attest_trust *t, const char *file, attest_err *err);
/* Intermediates only, never anchors. */
ATTEST_EXPORT int attest_trust_add_untrusted_file(attest_trust *t, const char *file, attest_err *err);
ATTEST_EXPORT int attest_trust_add_untrusted(attest_trust *t, X509 *x);
/* The verification time, any second of 1950..9999 (0 included); unset: the clock at first use. */
ATTEST_EXPORT void attest_trust_set_time(attest_trust *t, time_t when);
/* The run's verification time (pinned on first call); 1 if it was set, 0 if read from the clock. */
ATTEST_EXPORT int attest_trust_time(const attest_trust *t, time_t *when);
/* RFC 3339 UTC, "2024-11-01T00:00:00Z" (len >= 32). */
ATTEST_EXPORT void attest_time_text(time_t when, char *buf, size_t len);
ATTEST_EXPORT size_t attest_trust_anchor_count(const attest_trust *t);
/* Build and validate a path from leaf to an anchor; extra are more intermediates. */
ATTEST_EXPORT int attest_trust_verify(const attest_trust *t, X509 *leaf, STACK_OF(X509) *extra, attest_err *err);
/* The same; on success anchor (32 bytes, may be NULL) gets the SHA-256 of the anchor the path ended at. */
ATTEST_EXPORT int attest_trust_verify_anchor(const attest_trust *t, X509 *leaf, STACK_OF(X509) *extra, attest_err *err,
                                             unsigned char *anchor);
/* Chain results served from the per-run cache, and computed. */
ATTEST_EXPORT void attest_trust_cache_stats(const attest_trust *t, size_t *hits, size_t *misses);
/* on = 0: no chain result is looked up or stored, every chain goes to X509_verify_cert (tests). */
ATTEST_EXPORT void attest_trust_set_cache(attest_trust *t, int on);
/*
 * Serve the chain results cached so far, store no more (until attest_trust_set_cache):
 * warmed on known chains, the cache then keeps no memory past each judgement (the
 * fuzz targets warm it on their seeds).
 */
ATTEST_EXPORT void attest_trust_freeze_cache(attest_trust *t);

/* ---- the verdict ---- */
typedef enum { ATTEST_CHECK_PASS, ATTEST_CHECK_FAIL, ATTEST_CHECK_SKIP } attest_check_result;
typedef enum { ATTEST_SEV_INFO, ATTEST_SEV_WARNING, ATTEST_SEV_ERROR } attest_severity;
typedef enum {
    ATTEST_STATUS_AFFIRMING,
    ATTEST_STATUS_WARNING,
    ATTEST_STATUS_CONTRAINDICATED,
    ATTEST_STATUS_NONE
} attest_status;
typedef struct attest_verdict attest_verdict;

ATTEST_EXPORT attest_status attest_verdict_status(const attest_verdict *v);
ATTEST_EXPORT const char *attest_status_name(attest_status s);
/* 0 affirming, 1 contraindicated, 3 warning, 4 none. */
ATTEST_EXPORT int attest_verdict_exit_code(const attest_verdict *v);
/* The EAR claims-set (draft-ietf-rats-ear) as JSON text; OPENSSL_free.  pretty: indented. */
ATTEST_EXPORT char *attest_verdict_to_json(const attest_verdict *v, int pretty);
/* The verdict as attest-req verify prints it; every failed check as "id: detail" lines. */
ATTEST_EXPORT void attest_verdict_text(const attest_verdict *v, BIO *out);
ATTEST_EXPORT void attest_verdict_failures(const attest_verdict *v, BIO *out);
ATTEST_EXPORT void attest_verdict_free(attest_verdict *v);

/* Its statements ("attestations[0]", ..., "evidence", "certReq[0]"): name, kind ("tpm2-certify"), status. */
ATTEST_EXPORT size_t attest_verdict_statement_count(const attest_verdict *v);
ATTEST_EXPORT const char *attest_verdict_statement_name(const attest_verdict *v, size_t i);
ATTEST_EXPORT const char *attest_verdict_statement_kind(const attest_verdict *v, size_t i);
ATTEST_EXPORT attest_status attest_verdict_statement_status(const attest_verdict *v, size_t i);
/* Checks of the request (where = ATTEST_VERDICT_TOP) or of statement where. */
#define ATTEST_VERDICT_TOP SIZE_MAX
ATTEST_EXPORT size_t attest_verdict_check_count(const attest_verdict *v, size_t where);
/* Check i: 1 and its fields (any pointer may be NULL; strings live as long as v), 0 if out of range. */
ATTEST_EXPORT int attest_verdict_check(const attest_verdict *v, size_t where, size_t i, const char **id,
                                       attest_check_result *result, attest_severity *severity, const char **detail);

/* ---- verification ---- */
/* ---- verification ---- */
typedef struct {
    OSSL_LIB_CTX *libctx;
    const char *propq;
    const attest_trust *trust;
    const attest_policy *policy;
    const unsigned char *nonce; /* NULL: no nonce demanded */
    size_t nonce_len;
    int nonce_by_state;    /* nonce judged afterwards by nonce.state (--nonce-state) */
    EVP_PKEY *subject_key; /* for a bare bundle: the key the evidence must bind to */
} attest_verify_params;

/* A DER CSR, or a bare AttestationBundle (then params->subject_key is required). */
ATTEST_EXPORT attest_verdict *attest_verify_csr(const attest_verify_params *p, const unsigned char *der, size_t len);
ATTEST_EXPORT attest_verdict *attest_verify_bundle(const attest_verify_params *p, const unsigned char *der, size_t len);
/*
 * A CRMF CertReqMessages or a CMP PKIMessage (ir, cr, kur, p10cr), DER: the
 * bundle is the id-aa-attestation extension of the first request's template
 * and binds to the template's public key; a p10cr's request is verified as a
 * CSR.  CMP message protection is not checked.
 */
ATTEST_EXPORT attest_verdict *attest_verify_crmf(const attest_verify_params *p, const unsigned char *der, size_t len);
/* A standalone PKIX Evidence (DER); params->subject_key may be NULL (key binding is then skipped). */
ATTEST_EXPORT attest_verdict *attest_verify_evidence(const attest_verify_params *p, const unsigned char *der,
                                                     size_t len);

#endif
