/*
 * PKIX key attestation Evidence (draft-ietf-rats-pkix-key-attestation -07):
 *
 *   Evidence ::= SEQUENCE { tbs TbsEvidence, signatures SEQUENCE OF SignatureBlock,
 *                           intermediateCertificates [0] SEQUENCE OF Certificate OPTIONAL }
 *   TbsEvidence ::= SEQUENCE { version INTEGER, reportedElements SEQUENCE OF ReportedElement }
 *   ReportedElement ::= SEQUENCE { elementType OID, claims SEQUENCE OF ReportedClaim }
 *   ReportedClaim ::= SEQUENCE { claimType OID, value ANY OPTIONAL }
 *   SignatureBlock ::= SEQUENCE { sid SignerIdentifier, signatureAlgorithm AlgorithmIdentifier,
 *                                 signatureValue OCTET STRING }
 *   SignerIdentifier ::= SEQUENCE { keyId [0] EXPLICIT OCTET STRING OPTIONAL,
 *       subjectPublicKeyInfo [1] EXPLICIT SPKI OPTIONAL, certificate [2] EXPLICIT Certificate OPTIONAL }
 *
 * intermediateCertificates is accepted tagged implicitly (what the samples and
 * reference tools emit) or explicitly (what the -07 module says).
 */
#ifndef ATTEST_PKIX_H
#define ATTEST_PKIX_H

#include <stddef.h>
#include <openssl/asn1.h>
#include <openssl/x509.h>

#include "attest/error.h"
#include "attest/oids.h"

typedef struct {
    ASN1_OBJECT *type;
    ASN1_TYPE *value;
} ATTEST_PKIX_CLAIM;
DEFINE_STACK_OF(ATTEST_PKIX_CLAIM)
typedef struct {
    ASN1_OBJECT *type;
    STACK_OF(ATTEST_PKIX_CLAIM) *claims;
} ATTEST_PKIX_ELEMENT;
DEFINE_STACK_OF(ATTEST_PKIX_ELEMENT)
typedef struct {
    ASN1_INTEGER *version;
    STACK_OF(ATTEST_PKIX_ELEMENT) *elements;
} ATTEST_PKIX_TBS;
typedef struct {
    ASN1_OCTET_STRING *key_id;
    X509_PUBKEY *spki;
    X509 *cert;
} ATTEST_PKIX_SID;
typedef struct {
    ATTEST_PKIX_SID *sid;
    X509_ALGOR *alg;
    ASN1_OCTET_STRING *value;
} ATTEST_PKIX_SIGBLOCK;
DEFINE_STACK_OF(ATTEST_PKIX_SIGBLOCK)
typedef struct {
    ATTEST_PKIX_TBS *tbs;
    STACK_OF(ATTEST_PKIX_SIGBLOCK) *sigs;
    STACK_OF(X509) *intermediates;
} ATTEST_PKIX_EVIDENCE;

DECLARE_ASN1_FUNCTIONS(ATTEST_PKIX_CLAIM)
DECLARE_ASN1_FUNCTIONS(ATTEST_PKIX_ELEMENT)
DECLARE_ASN1_FUNCTIONS(ATTEST_PKIX_TBS)
DECLARE_ASN1_FUNCTIONS(ATTEST_PKIX_SID)
DECLARE_ASN1_FUNCTIONS(ATTEST_PKIX_SIGBLOCK)
DECLARE_ASN1_FUNCTIONS(ATTEST_PKIX_EVIDENCE)

typedef struct {
    ATTEST_PKIX_EVIDENCE *ev;
    int intermediates_explicit; /* 1: A0 { 30 { certs } }, 0: A0 { certs } */
    unsigned char *tbs_der;     /* the exact signed bytes */
    size_t tbs_len;
} attest_pkix;

/* Strict DER, no trailing bytes, caps.  Structure rules are the verifier's. */
int attest_pkix_decode(const unsigned char *der, size_t len, attest_pkix **out, attest_err *err);
/* The same, with the certificates and keys inside decoded in libctx with propq. */
int attest_pkix_decode_ex(const unsigned char *der, size_t len, OSSL_LIB_CTX *libctx, const char *propq,
                          attest_pkix **out, attest_err *err);
/* Encodes ev; intermediates use the explicit form unless the decoded input was implicit. */
int attest_pkix_encode(const attest_pkix *p, unsigned char **der, size_t *len, attest_err *err);
void attest_pkix_free(attest_pkix *p);
/* Wrap an evidence we built (takes ownership of ev) and cache its tbs DER. */
attest_pkix *attest_pkix_wrap(ATTEST_PKIX_EVIDENCE *ev, attest_err *err);

/* The claim table: which element a claim belongs to and what its value is. */
typedef enum {
    PKIX_VALUE_OCTETS,
    PKIX_VALUE_TIME,
    PKIX_VALUE_UTF8,
    PKIX_VALUE_INT,
    PKIX_VALUE_BOOL,
    PKIX_VALUE_OID_SEQ,
    PKIX_VALUE_SPKI
} attest_pkix_value_kind;

typedef struct {
    attest_oid_id claim;
    attest_oid_id element;
    attest_pkix_value_kind kind;
    int repeatable;
} attest_pkix_claim_def;

const attest_pkix_claim_def *attest_pkix_claim_def_find(const ASN1_OBJECT *claim);
/* 1 when value has the kind's universal type (and content, for OID lists / SPKIs). */
int attest_pkix_value_ok(const attest_pkix_claim_def *def, const ASN1_TYPE *value);

/*
 * The key-spki claim of a key element (the first, as the verifier reads it)
 * when it is an OCTET STRING; NULL for any other element or value.
 */
const ASN1_OCTET_STRING *attest_pkix_key_spki(const ATTEST_PKIX_ELEMENT *el);

/* Helpers for building evidence. */
int attest_pkix_add_claim(ATTEST_PKIX_ELEMENT *el, attest_oid_id claim, ASN1_TYPE *value /* owned */);
ATTEST_PKIX_ELEMENT *attest_pkix_element_new(attest_oid_id type);

#endif
