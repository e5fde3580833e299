/*
 * AttestationBundle (draft-ietf-lamps-csr-attestation -28) decoded into one
 * in-memory model.  Older shapes met in the wild decode into the same model
 * and set legacy flags; encoding always emits the current shape.
 */
#ifndef ATTEST_BUNDLE_H
#define ATTEST_BUNDLE_H

#include <stddef.h>
#include <openssl/x509.h>

#include "attest/error.h"

/* Which older wire shapes were seen (bit set). */
enum {
    ATTEST_LEGACY_BUNDLE_LIST = 1u << 0,  /* SEQUENCE OF bundle, drafts <= -12 */
    ATTEST_LEGACY_HINT_UTF8 = 1u << 1,    /* hint UTF8String, -09 .. -16 */
    ATTEST_LEGACY_HINT_IA5 = 1u << 2,     /* hint IA5String, -17 .. -21 */
    ATTEST_LEGACY_HINT_CHOICE = 1u << 3,  /* hint EvidenceHint [0..3], -03 .. -08 */
    ATTEST_LEGACY_BINDS_PUBKEY = 1u << 4, /* bindsPublicKey [0] BOOLEAN, -22/-23 */
    ATTEST_LEGACY_STMT_ATTRS = 1u << 5,   /* attrs [1], -22/-23 */
    ATTEST_LEGACY_CERT_A0 = 1u << 6,      /* cert bag [0] implicit Certificate, -03 .. -08 */
    ATTEST_LEGACY_CERT_ATTRCERT = 1u << 7 /* cert bag [1]/[2] (attribute certs / typed certs) */
};

typedef struct {
    ASN1_OBJECT *type;
    unsigned char *stmt; /* the exact stmt TLV */
    size_t stmt_len;
    char *hint;           /* legacy hint text, or NULL */
    int binds_public_key; /* -1 absent, else 0/1 (legacy -22/-23) */
    unsigned legacy;
} attest_statement;

typedef struct {
    attest_statement *stmts;
    size_t n_stmts;
    STACK_OF(X509) *certs;  /* certificate choice of the cert bag */
    size_t n_other_certs;   /* [3] OtherCertificateFormat entries (kept opaque) */
    size_t n_ignored_certs; /* legacy [1]/[2] entries */
    unsigned legacy;        /* union of all legacy flags */
    OSSL_LIB_CTX *libctx;   /* decoding: the context certificates are decoded in */
    const char *propq;
} attest_bundle;

attest_bundle *attest_bundle_new(void);
void attest_bundle_free(attest_bundle *b);

/* Strict DER, no trailing bytes, caps from limits.h.  Returns 0 or -1. */
int attest_bundle_decode(const unsigned char *der, size_t len, attest_bundle **out, attest_err *err);
/* The same, with the certificates decoded in libctx with propq. */
int attest_bundle_decode_ex(const unsigned char *der, size_t len, OSSL_LIB_CTX *libctx, const char *propq,
                            attest_bundle **out, attest_err *err);
/* Current (-28) shape. */
int attest_bundle_encode(const attest_bundle *b, unsigned char **der, size_t *len, attest_err *err);

/* Builder: type is copied, stmt_tlv must be one complete DER TLV. */
int attest_bundle_add_statement(attest_bundle *b, const ASN1_OBJECT *type, const unsigned char *stmt_tlv, size_t len,
                                attest_err *err);
int attest_bundle_add_cert(attest_bundle *b, X509 *cert); /* takes a reference */

/* Human-readable list of legacy flags ("list-of-bundles, hint-ia5"), "" when none. */
void attest_legacy_describe(unsigned legacy, char *buf, size_t buflen);

#endif
