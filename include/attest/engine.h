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
    int sig_ops, sig_ops_refused; /* this input's signature operations, for limits.signatures */
    attest_submod *sub;           /* the statement being judged: its records (AK paths) */
} attest_vctx;

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
