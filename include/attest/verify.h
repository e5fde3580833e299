/*
 * The verifier: trust store, policy, checks and the verdict.
 *
 * A verdict has top-level checks (the CSR and the bundle) and one submodule
 * per AttestationStatement with its own checks.  Each check passes, fails or
 * is skipped; a failure or skip is either an error (contraindicated) or a
 * warning (a relaxation in force, or a check that could not run).
 */
#ifndef ATTEST_VERIFY_H
#define ATTEST_VERIFY_H

#include <stddef.h>
#include <time.h>
#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/x509.h>

#include "attest/error.h"

/* ---- policy: every relaxation is named, off by default ---- */
enum {
    ATTEST_ALLOW_SHA1           = 1u << 0, /* "sha1" */
    ATTEST_ALLOW_SMALL_RSA      = 1u << 1, /* "small-rsa": RSA < 2048 */
    ATTEST_ALLOW_EXPORTABLE_KEY = 1u << 2, /* "exportable-key" */
    ATTEST_ALLOW_IMPORTED_KEY   = 1u << 3, /* "imported-key": not generated in the module */
    ATTEST_ALLOW_RESTRICTED_KEY = 1u << 4, /* "restricted-key" */
    ATTEST_ALLOW_AK_WITHOUT_EKU = 1u << 5  /* "ak-without-eku" */
};

typedef struct {
    unsigned allow;
    int strict_shape;            /* legacy bundle shapes fail instead of warning */
    int require_key_attestation; /* some statement must bind the subject key (default 1) */
    int require_all_signatures;  /* PKIX: a signature block that cannot be verified here fails (default 0) */
} attest_policy;

void attest_policy_default(attest_policy *p);
/* "sha1" -> ATTEST_ALLOW_SHA1; 0 when unknown. */
unsigned attest_policy_allow_flag(const char *name);
const char *attest_policy_allow_names(void); /* "sha1, small-rsa, ..." */

/* ---- trust anchors and intermediates ---- */
typedef struct attest_trust attest_trust;
typedef void (*attest_notice_fn)(void *arg, const char *msg);

attest_trust *attest_trust_new(void);
void attest_trust_free(attest_trust *t);
/* Every PEM/DER certificate file in dir becomes an anchor; others get a notice. */
int attest_trust_add_dir(attest_trust *t, const char *dir, attest_notice_fn notice, void *arg,
                         attest_err *err);
int attest_trust_add_anchor(attest_trust *t, X509 *x);
/* Every certificate of one PEM (one or more) or DER file becomes an anchor (like openssl -CAfile). */
int attest_trust_add_file(attest_trust *t, const char *file, attest_err *err);
/* Intermediates only, never anchors. */
int attest_trust_add_untrusted_file(attest_trust *t, const char *file, attest_err *err);
int attest_trust_add_untrusted(attest_trust *t, X509 *x);
/* The verification time, any second of 1950..9999 (0 included); unset: the clock at first use. */
void attest_trust_set_time(attest_trust *t, time_t when);
/* The run's verification time (pinned on first call); 1 if it was set, 0 if read from the clock. */
int attest_trust_time(const attest_trust *t, time_t *when);
/* RFC 3339 UTC, "2024-11-01T00:00:00Z" (len >= 32). */
void attest_time_text(time_t when, char *buf, size_t len);
size_t attest_trust_anchor_count(const attest_trust *t);
/* Build and validate a path from leaf to an anchor; extra are more intermediates. */
int attest_trust_verify(const attest_trust *t, X509 *leaf, STACK_OF(X509) *extra, attest_err *err);
/* The same; on success anchor (32 bytes, may be NULL) gets the SHA-256 of the anchor the path ended at. */
int attest_trust_verify_anchor(const attest_trust *t, X509 *leaf, STACK_OF(X509) *extra, attest_err *err,
                               unsigned char *anchor);
/* Chain results served from the per-run cache, and computed. */
void attest_trust_cache_stats(const attest_trust *t, size_t *hits, size_t *misses);
/* on = 0: no chain result is looked up or stored, every chain goes to X509_verify_cert (tests). */
void attest_trust_set_cache(attest_trust *t, int on);
/* Find a certificate by subject key identifier among anchors and intermediates. */
X509 *attest_trust_find_by_skid(const attest_trust *t, const unsigned char *kid, size_t len);
/* Find a certificate whose public key equals key among anchors and intermediates. */
X509 *attest_trust_find_by_pubkey(const attest_trust *t, EVP_PKEY *key);

/* ---- the verdict ---- */
#define ATTEST_RECORD_NONCE 64  /* nonces are recorded up to this many bytes */
typedef enum { ATTEST_CHECK_PASS, ATTEST_CHECK_FAIL, ATTEST_CHECK_SKIP } attest_check_result;
typedef enum { ATTEST_SEV_INFO, ATTEST_SEV_WARNING, ATTEST_SEV_ERROR } attest_severity;
typedef enum {
    ATTEST_STATUS_AFFIRMING, ATTEST_STATUS_WARNING, ATTEST_STATUS_CONTRAINDICATED, ATTEST_STATUS_NONE
} attest_status;

typedef struct {
    char id[32];
    attest_check_result result;
    attest_severity severity;
    char detail[320];
} attest_check;

typedef struct {
    attest_check *v;
    size_t n, cap;
    int lost;                   /* a check could not be recorded: never affirm */
} attest_checks;

/* One AK certificate path a statement relied on (records for an audit). */
typedef struct {
    unsigned char ak_sha256[32];     /* the AK certificate (DER) */
    unsigned char anchor_sha256[32]; /* the anchor the path ended at, when it validated */
    int has_anchor;
} attest_chain_record;

#define ATTEST_MAX_CHAIN_RECORDS 4

typedef struct {
    char name[48];              /* "attestations[0]" */
    char type[64];              /* statement type name */
    char kind[24];              /* tpm2-certify, pkix-evidence, cmw, other */
    /* SPKI DER of the key the evidence attests (the subject key when bound), if known.
     * Not the attestation key: the JSON calls it attested_key. */
    unsigned char *akpub;
    size_t akpub_len;
    int binds_subject_key;      /* key-binding passed */
    int verifiable;             /* an engine judged it (not an unknown type) */
    attest_checks checks;
    unsigned char nonce_found[ATTEST_RECORD_NONCE]; /* the evidence's nonce (extraData, transaction nonce) */
    size_t nonce_found_len;
    int has_nonce_found;
    attest_chain_record chains[ATTEST_MAX_CHAIN_RECORDS];
    int n_chains;
    int nonce_found_long;       /* the evidence's nonce is longer than any issued one (nonce.state) */
} attest_submod;

typedef struct {
    attest_checks checks;       /* csr.*, bundle.*, policy.* */
    attest_submod *subs;
    size_t n_subs;
    int no_attestation;         /* no id-aa-attestation attribute at all */
    char input[256];
    int has_time;               /* the evidence was judged at at_time: */
    time_t at_time;
    int time_given;             /* the caller's time (--at-time), not the clock */
    /* Records for an audit (core/records.c), rendered in the EAR's "attest-req" member. */
    unsigned char input_sha256[32];  /* the DER judged */
    int has_input_sha256;
    char *subject;              /* the request's subject, openssl -subject syntax, escaped; OPENSSL_malloc'd */
    unsigned char subject_spki_sha256[32];
    int has_subject_key;
    unsigned char nonce[ATTEST_RECORD_NONCE]; /* the nonce demanded */
    size_t nonce_len;
    int nonce_demanded;
    char policy_id[192];        /* ear.appraisal-policy-id */
} attest_verdict;

void attest_check_add(attest_checks *c, const char *id, attest_check_result r, attest_severity s,
                      const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
#define attest_pass(c, id, ...) attest_check_add((c), (id), ATTEST_CHECK_PASS, ATTEST_SEV_INFO, __VA_ARGS__)
#define attest_fail(c, id, ...) attest_check_add((c), (id), ATTEST_CHECK_FAIL, ATTEST_SEV_ERROR, __VA_ARGS__)
#define attest_warn(c, id, ...) attest_check_add((c), (id), ATTEST_CHECK_FAIL, ATTEST_SEV_WARNING, __VA_ARGS__)
#define attest_skip(c, id, ...) attest_check_add((c), (id), ATTEST_CHECK_SKIP, ATTEST_SEV_INFO, __VA_ARGS__)
#define attest_skip_warn(c, id, ...) attest_check_add((c), (id), ATTEST_CHECK_SKIP, ATTEST_SEV_WARNING, __VA_ARGS__)

const attest_check *attest_checks_find(const attest_checks *c, const char *id);
attest_status attest_checks_status(const attest_checks *c);
attest_verdict *attest_verdict_new(void);
attest_submod *attest_verdict_add_submod(attest_verdict *v, const char *name);
attest_status attest_verdict_status(const attest_verdict *v);
const char *attest_status_name(attest_status s);
/* 0 affirming, 1 contraindicated, 3 warning, 4 none. */
int attest_verdict_exit_code(const attest_verdict *v);
/* The EAR claims-set (draft-ietf-rats-ear, Veraison profile; verifier/ear.c). */
json_object *attest_verdict_json(const attest_verdict *v);
/* The same shape for an input that could not be judged (unreadable, ...): contraindicated, with the reason. */
json_object *attest_verdict_error_json(const char *input, const char *reason, const attest_policy *policy);
/* ear.appraisal-policy-id: "policy:attest-req", then "+allow-NAME" per relaxation (table order), "+strict". */
void attest_policy_id(const attest_policy *p, char *buf, size_t len);

void attest_verdict_text(const attest_verdict *v, BIO *out);
/* Every failed check as "id: detail", one per line (for stderr). */
void attest_verdict_failures(const attest_verdict *v, BIO *out);
void attest_verdict_free(attest_verdict *v);

/* ---- verification ---- */
typedef struct {
    OSSL_LIB_CTX *libctx;
    const char *propq;
    const attest_trust *trust;
    const attest_policy *policy;
    const unsigned char *nonce;  /* NULL: no nonce demanded */
    size_t nonce_len;
    int nonce_by_state;          /* nonce judged afterwards by nonce.state (--nonce-state) */
    EVP_PKEY *subject_key;       /* for a bare bundle: the key the evidence must bind to */
} attest_verify_params;

/*
 * policy.verification-time, and the time recorded in the verdict: a time
 * the caller set is a relaxation (a warning), the clock's passes.
 */
void attest_verdict_check_time(attest_verdict *v, const attest_verify_params *p);

/* A DER CSR, or a bare AttestationBundle (then params->subject_key is required). */
attest_verdict *attest_verify_csr(const attest_verify_params *p, const unsigned char *der, size_t len);
attest_verdict *attest_verify_bundle(const attest_verify_params *p, const unsigned char *der, size_t len);
/*
 * A CRMF CertReqMessages or a CMP PKIMessage (ir, cr, kur, p10cr), DER: the
 * bundle is the id-aa-attestation extension of the first request's template
 * and binds to the template's public key; a p10cr's request is verified as a
 * CSR.  CMP message protection is not checked.
 */
attest_verdict *attest_verify_crmf(const attest_verify_params *p, const unsigned char *der, size_t len);
/* A standalone PKIX Evidence (DER); params->subject_key may be NULL (key binding is then skipped). */
attest_verdict *attest_verify_evidence(const attest_verify_params *p, const unsigned char *der, size_t len);
/* A standalone statement of engine e (one whose evidence carries its certificates, e.g. PKIX). */
struct attest_engine;
attest_verdict *attest_verify_statement(const attest_verify_params *p, const struct attest_engine *e,
                                       const unsigned char *der, size_t len);

/* Records (core/records.c). */
void attest_verdict_record_params(attest_verdict *v, const attest_verify_params *p);
void attest_verdict_record_input(attest_verdict *v, const unsigned char *der, size_t len);
/* name may be NULL; spki NULL: the SPKI is encoded from key. */
void attest_verdict_record_subject(attest_verdict *v, const X509_NAME *name, const X509_PUBKEY *spki, EVP_PKEY *key);
void attest_submod_record_nonce(attest_submod *s, const unsigned char *nonce, size_t len);
/* 1 when the evidence reported a nonce nonce.state can judge (non-empty, not over-long). */
int attest_submod_has_nonce(const attest_submod *s);
void attest_submod_record_chain(attest_submod *s, X509 *ak, const unsigned char *anchor);

#endif
