/*
 * The contract between the verifier and the evidence engines (one engine per
 * statement format, produce and verify side by side in evidence/).
 */
#ifndef ATTEST_ENGINE_H
#define ATTEST_ENGINE_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/bundle.h"
#include "attest/checks.h"
#include "attest/registry.h"
#include "attest/verdict.h"

typedef struct {
    const attest_verify_params *p;
    EVP_PKEY *subject_key;           /* the key the evidence must bind to */
    const X509_PUBKEY *subject_spki; /* the request's SubjectPublicKeyInfo; NULL for a bare bundle */
    STACK_OF(X509) *bundle_certs;    /* the bundle's cert bag: intermediates only */
    char weak[256];                  /* weak algorithm uses seen, for policy.weak-algorithms */
    int weak_sha1, weak_rsa;
    char big_e[256]; /* keys refused for their RSA exponent, for limits.rsa-exponent */
    int n_big_e;
    int sig_ops, sig_ops_refused;       /* this input's signature operations, for limits.signatures */
    attest_submod *sub;                 /* the statement being judged: its records (AK paths) */
    const struct attest_engine *engine; /* the engine judging it (its quirks) */
    char quirks_used[256];              /* vendor quirks relied on, for policy.quirks */
    char quirks_refused[256];           /* quirks a chain needed that --strict refused */
    int unbound_warns;                  /* no key to bind (evidence files alone): policy.key-attested warns */
} attest_vctx;

/*
 * A vendor quirk: a named relaxation real devices need (a root without
 * basicConstraints, a negative ECDSA s).  On by default, refused by --strict;
 * every use shows in policy.quirks.  name must be in the judging engine's
 * quirk list.  1: relax (recorded as used); 0: do not (refused, recorded).
 */
int attest_vctx_quirk(attest_vctx *v, const char *name);
/* policy.quirks for the finished input (nothing when no quirk was consulted). */
void attest_vctx_quirks_check(const attest_vctx *v, attest_checks *c);

/* Record algorithm uses; SHA-1 and RSA < 2048 are noted for the policy check. */
void attest_vctx_note_md(attest_vctx *v, const EVP_MD *md, const char *where);
void attest_vctx_note_key(attest_vctx *v, EVP_PKEY *key, const char *where);

/* Bounded work per input (evidence/bounds.c, limits.h). */
/* 1: key may be used.  0: its RSA exponent is over the cap; noted for limits.rsa-exponent under where. */
int attest_vctx_key_usable(attest_vctx *v, const EVP_PKEY *key, const char *where);
/* Take one signature operation from the input's budget: 1, or 0 when spent (noted for limits.signatures). */
int attest_vctx_sig_op(attest_vctx *v);
/* limits.rsa-exponent and limits.signatures for the finished input. */
void attest_vctx_limits_checks(const attest_vctx *v, attest_checks *c);

/* AK certificate checks shared by the engines: chain.trust and chain.ak-profile. */
void attest_ak_check_chain(attest_vctx *v, X509 *ak, attest_checks *c);
typedef enum { ATTEST_AK_FOR_TPM2, ATTEST_AK_FOR_PKIX } attest_ak_format;
void attest_ak_check_profile(attest_vctx *v, X509 *ak, attest_ak_format fmt, attest_checks *c);
/* 1 when the certificate marks a TPM key: EKU tcg-kp-AIKCertificate or TCG TPM attributes in its SAN. */
int attest_ak_cert_is_tpm(X509 *ak);

/*
 * An engine's nonce check (evidence/nonce.c): record the nonce the evidence
 * carries in sub (for nonce.state) and judge it against --nonce, or, with
 * --nonce-state, require one.  what names the field ("extraData").
 */
void attest_engine_nonce(attest_vctx *v, attest_submod *sub, const char *id, const char *what,
                         const unsigned char *nonce, size_t len, int present);

/*
 * A vendor chain (evidence/vendor_chain.c): leaf to an anchor of the trust
 * directory's subdirectory named scope (attest_trust_add_dir), through the
 * bundle's certificates and extra, by X509_verify_cert.  relax may accept an
 * OpenSSL verification error at a depth (it calls attest_vctx_quirk); a name
 * mismatch between a certificate's issuer and the certificate whose key signed
 * it is accepted only with issuer_by_signature (a quirk name).  Records
 * check_id (pass/fail) and chain.anchor-expiry; *path (may be NULL) gets the
 * validated path, leaf first, anchor last (sk_X509_pop_free it).  0 on a
 * valid chain.
 */
typedef struct {
    const char *scope;
    STACK_OF(X509) *extra;
    int (*relax)(void *arg, attest_vctx *v, int error, int depth, X509 *cert, X509 *issuer);
    void *arg;
    const char *issuer_by_signature;
} attest_vendor_chain;
int attest_vendor_chain_check(attest_vctx *v, attest_submod *sub, const char *check_id, X509 *leaf,
                              const attest_vendor_chain *opts, STACK_OF(X509) **path);

/* Key binding of vendor evidence: records check_id.  1 when spki (DER) is the subject key's;
 * skipped (0) without a subject key. */
int attest_vendor_key_binding(attest_vctx *v, attest_submod *sub, const char *check_id, const unsigned char *spki,
                              size_t spki_len);

/*
 * Which of an engine's checks support the EAR's AR4SI claims (verifier/ear.c);
 * NULL-terminated lists of check ids.
 */
typedef struct {
    const char *const *malformed; /* one failing: the evidence is malformed or its signature fails */
    const char *const *trust;     /* all passing: genuine hardware (a warning: relaxed); one failing: unrecognised */
    const char *profile;          /* failing: not an attester for this format; NULL: none */
    const char *const *binding;   /* all passing: about this key; one failing: about another key */
    const char *const *storage;   /* all passing: the key is held in the hardware (a warning: relaxed) */
} attest_ar4si_map;

typedef struct {
    const char *name; /* "yubikey-u2f-root-pathlen" */
    const char *what; /* one line for the man page */
} attest_quirk_doc;

/*
 * One evidence format.  Each engine defines one descriptor (evidence/
 * NAME_engine.c) and has one row in verifier/engines.inc; the registry
 * (verifier/registry.c) makes it appear in verify, show, the provider's
 * decoders and encoders, and the man page's check table.
 */
struct attest_engine {
    const char *name;    /* "tpm2": the prefix of its check ids */
    const char *kind;    /* "tpm2-certify": a statement's kind in verdicts and show */
    const char *summary; /* "TPM 2.0 certify evidence": bundle.type's text */
    const int *oids;     /* its statement types (attest_oid ids: configurable arcs) */
    size_t n_oids;
    const char *oid_text;              /* or a fixed dotted OID outside the table (a vendor's arc); NULL: none */
    const attest_object_type *objects; /* objects[0]: the statement's value, when it has a type */
    size_t n_objects;
    /*
     * Its checks in verdict order; what == NULL: a check documented once in the
     * core table (chain.*).  The driver records the ones verify did not reach
     * as skipped and puts them in this order.
     */
    const attest_check_doc *checks;
    size_t n_checks;
    int standalone; /* its statement verifies on its own (carries its certificates) */
    /* The statement value for show; NULL: raw DER. */
    json_object *(*describe)(const unsigned char *der, size_t len, attest_err *err);
    /* Judge st into sub->checks; 1 when its key binding passed.  NULL: shown, not verified. */
    int (*verify)(attest_vctx *v, const attest_statement *st, attest_submod *sub);
    /* The attest-req new --evidence NAME that produces it; NULL: verify-only. */
    const char *produce;
    /* Vendor evidence (verifier/import.c, --evidence-file). */
    const char *cmw_type; /* its media type when carried in a CMW statement (no OID of its own); NULL: none */
    /* leaf (the first certificate of a file) is this engine's statement: type oid_text, value the certificate */
    int (*claims_cert)(X509 *leaf);
    /* these bytes (a file that holds no certificate) are its evidence: a CMW statement of cmw_type */
    int (*claims_blob)(const unsigned char *data, size_t len);
    /* A de-facto carrier in the request's extensionRequest: its statement and certificates added to b; 1 found,
     * 0 none, -1 error. */
    int (*from_request)(const STACK_OF(X509_EXTENSION) *exts, attest_bundle *b, attest_err *err);
    const attest_quirk_doc *quirks;
    size_t n_quirks;
    const attest_ar4si_map *ar4si; /* NULL: the statement supports no AR4SI claim */
};

/* Engines' verify functions. */
int attest_tpm2_verify(attest_vctx *v, const attest_statement *st, attest_submod *sub);
int attest_pkix_verify(attest_vctx *v, const attest_statement *st, attest_submod *sub);

/* SPKI DER of a key (for akpub), malloc'd. */
int attest_spki_der(EVP_PKEY *key, unsigned char **der, size_t *len);
/* The same from the X509_PUBKEY the key was decoded from (no encoder); spki NULL: of key. */
int attest_spki_der_of(const X509_PUBKEY *spki, EVP_PKEY *key, unsigned char **der, size_t *len);
/* 1 when spki is rsaEncryption (NULL parameters) or id-ecPublicKey with a named curve and an
 * uncompressed point: the form OpenSSL's encoder writes, so an equal key encodes to its bytes. */
int attest_spki_is_canonical(const X509_PUBKEY *spki);

#endif
