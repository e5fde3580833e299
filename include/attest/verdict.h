/*
 * The verdict's insides, for the library's own layers: checks recorded by
 * the engines and the driver, submodules, records for an audit, the JSON
 * tree.  Not installed: programs use attest/verify.h's accessors.
 */
#ifndef ATTEST_VERDICT_H
#define ATTEST_VERDICT_H

#include <json-c/json.h>

#include "attest/verify.h"

/* Find a certificate by subject key identifier among anchors and intermediates. */
X509 *attest_trust_find_by_skid(const attest_trust *t, const unsigned char *kid, size_t len);
/* Find a certificate whose public key equals key among anchors and intermediates. */
X509 *attest_trust_find_by_pubkey(const attest_trust *t, EVP_PKEY *key);

#define ATTEST_RECORD_NONCE 64 /* nonces are recorded up to this many bytes */
typedef struct {
    char id[32];
    attest_check_result result;
    attest_severity severity;
    char detail[320];
} attest_check;

typedef struct {
    attest_check *v;
    size_t n, cap;
    int lost; /* a check could not be recorded: never affirm */
} attest_checks;

/* One AK certificate path a statement relied on (records for an audit). */
typedef struct {
    unsigned char ak_sha256[32];     /* the AK certificate (DER) */
    unsigned char anchor_sha256[32]; /* the anchor the path ended at, when it validated */
    int has_anchor;
} attest_chain_record;

#define ATTEST_MAX_CHAIN_RECORDS 4

typedef struct {
    char name[48]; /* "attestations[0]" */
    char type[64]; /* statement type name */
    char kind[24]; /* tpm2-certify, pkix-evidence, cmw, other */
    /* SPKI DER of the key the evidence attests (the subject key when bound), if known.
     * Not the attestation key: the JSON calls it attested_key. */
    unsigned char *akpub;
    size_t akpub_len;
    int binds_subject_key; /* key-binding passed */
    int verifiable;        /* an engine judged it (not an unknown type) */
    attest_checks checks;
    unsigned char nonce_found[ATTEST_RECORD_NONCE]; /* the evidence's nonce (extraData, transaction nonce) */
    size_t nonce_found_len;
    int has_nonce_found;
    attest_chain_record chains[ATTEST_MAX_CHAIN_RECORDS];
    int n_chains;
    int nonce_found_long; /* the evidence's nonce is longer than any issued one (nonce.state) */
} attest_submod;

struct attest_verdict {
    attest_checks checks; /* csr.*, bundle.*, policy.* */
    attest_submod *subs;
    size_t n_subs;
    int no_attestation; /* no id-aa-attestation attribute at all */
    char input[256];
    int has_time; /* the evidence was judged at at_time: */
    time_t at_time;
    int time_given; /* the caller's time (--at-time), not the clock */
    /* Records for an audit (core/records.c), rendered in the EAR's "attest-req" member. */
    unsigned char input_sha256[32]; /* the DER judged */
    int has_input_sha256;
    char *subject; /* the request's subject, openssl -subject syntax, escaped; OPENSSL_malloc'd */
    unsigned char subject_spki_sha256[32];
    int has_subject_key;
    unsigned char nonce[ATTEST_RECORD_NONCE]; /* the nonce demanded */
    size_t nonce_len;
    int nonce_demanded;
    char policy_id[192]; /* ear.appraisal-policy-id */
};

void attest_check_add(attest_checks *c, const char *id, attest_check_result r, attest_severity s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
#define attest_pass(c, id, ...)      attest_check_add((c), (id), ATTEST_CHECK_PASS, ATTEST_SEV_INFO, __VA_ARGS__)
#define attest_fail(c, id, ...)      attest_check_add((c), (id), ATTEST_CHECK_FAIL, ATTEST_SEV_ERROR, __VA_ARGS__)
#define attest_warn(c, id, ...)      attest_check_add((c), (id), ATTEST_CHECK_FAIL, ATTEST_SEV_WARNING, __VA_ARGS__)
#define attest_skip(c, id, ...)      attest_check_add((c), (id), ATTEST_CHECK_SKIP, ATTEST_SEV_INFO, __VA_ARGS__)
#define attest_skip_warn(c, id, ...) attest_check_add((c), (id), ATTEST_CHECK_SKIP, ATTEST_SEV_WARNING, __VA_ARGS__)

const attest_check *attest_checks_find(const attest_checks *c, const char *id);
/* Every check of from, in order, added to to. */
void attest_checks_append(attest_checks *to, const attest_checks *from);
attest_status attest_checks_status(const attest_checks *c);
attest_verdict *attest_verdict_new(void);
attest_submod *attest_verdict_add_submod(attest_verdict *v, const char *name);
/* The EAR claims-set (draft-ietf-rats-ear, Veraison profile; verifier/ear.c). */
json_object *attest_verdict_json(const attest_verdict *v);
/* The same shape for an input that could not be judged (unreadable, ...): contraindicated, with the reason. */
json_object *attest_verdict_error_json(const char *input, const char *reason, const attest_policy *policy);
/* ear.appraisal-policy-id: "policy:attest-req", then "+allow-NAME" per relaxation (table order), "+strict". */
void attest_policy_id(const attest_policy *p, char *buf, size_t len);

/*
 * policy.verification-time, and the time recorded in the verdict: a time
 * the caller set is a relaxation (a warning), the clock's passes.
 */
void attest_verdict_check_time(attest_verdict *v, const attest_verify_params *p);

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
