/*
 * CRMF placement of the bundle (draft-ietf-lamps-csr-attestation): the same
 * AttestationBundle travels as an extension id-aa-attestation in
 * CertTemplate.extensions, extnValue = DER of the bundle (RFC 5280: at most
 * one extension of a type).
 *
 * Input is either a CRMF CertReqMessages (RFC 4211) or a CMP PKIMessage
 * (RFC 4210/9810) whose body is ir, cr or kur (CertReqMessages) or p10cr (a
 * PKCS#10 request).  Every CertReqMsg is a request of its own: its
 * template's public key is its subject key, and its proof of possession is
 * checked as OSSL_CRMF_MSGS_verify_popo does (attest_crmf_verify_popo).  CMP
 * message protection is not looked at.
 */
#ifndef ATTEST_CRMF_H
#define ATTEST_CRMF_H

#include <stddef.h>
#include <openssl/cmp.h>
#include <openssl/crmf.h>
#include <openssl/x509.h>

#include "attest/error.h"

/* bodytype of a bare CertReqMessages (a PKIMessage body is OSSL_CMP_IR, _CR, _P10CR or _KUR). */
#define ATTEST_CRMF_BARE     (-1)
/* CertReqMsg entries verified per message; more is refused (work per input stays bounded). */
#define ATTEST_CRMF_MAX_REQS 8

typedef struct attest_crmf_view attest_crmf_view;

/* One CertReqMsg: its template and proof of possession. */
typedef struct {
    long cert_req_id;                     /* 0..INT_MAX, distinct within the message */
    const X509_NAME *subject;             /* template subject, or NULL */
    const X509_PUBKEY *spki;              /* template publicKey, or NULL */
    EVP_PKEY *pubkey;                     /* spki decoded in the caller's library context, or NULL */
    int popo_type;                        /* OSSL_CRMF_POPO_*, or -1 when the request has none */
    const X509_ALGOR *popo_alg;           /* signature POPO: its signature algorithm */
    int popo_input;                       /* signature POPO over a POPOSigningKeyInput (not the certReq) */
    const STACK_OF(X509_EXTENSION) *exts; /* template extensions, or NULL */
    int n_attest_exts;                    /* id-aa-attestation extensions among them */
    int attest_critical;                  /* the first one is marked critical */
    unsigned char *bundle_der;            /* extnValue of the first one */
    size_t bundle_len;
} attest_crmf_req;

typedef struct {
    int bodytype; /* ATTEST_CRMF_BARE or OSSL_CMP_IR/CR/P10CR/KUR */
    /* p10cr: the embedded request, for attest_verify_csr (nothing below is set) */
    unsigned char *p10_der;
    size_t p10_len;
    /* CertReqMessages */
    int n_reqs; /* CertReqMsg entries, 1..ATTEST_CRMF_MAX_REQS */
    attest_crmf_req reqs[ATTEST_CRMF_MAX_REQS];
    /* The first request again (borrowed from reqs[0]), for callers that show one. */
    long cert_req_id;
    const X509_NAME *subject;
    const X509_PUBKEY *spki;
    EVP_PKEY *pubkey;
    int popo_type;
    const X509_ALGOR *popo_alg;
    int popo_input;
    const STACK_OF(X509_EXTENSION) *exts;
    int n_attest_exts;
    int attest_critical;
    unsigned char *bundle_der;
    size_t bundle_len;
    attest_crmf_view *view; /* internal: the decoded templates and POPOs */
} attest_crmf;

/*
 * Strict: DER all the way down (the strictness walk of der.h with SET OF
 * order, and the re-encoding matches), no trailing bytes, size cap, 1 to
 * ATTEST_CRMF_MAX_REQS CertReqMsgs with distinct certReqIds in 0..INT_MAX.
 * libctx/propq (may be NULL) decode the templates' public keys.
 */
int attest_crmf_decode(const unsigned char *der, size_t len, OSSL_LIB_CTX *libctx, const char *propq, attest_crmf **out,
                       attest_err *err);
void attest_crmf_free(attest_crmf *c);
/*
 * Request i's signature proof of possession (RFC 4211 §4.1): 1 when it
 * verifies with the template key, 0 with the reason in err otherwise.
 */
int attest_crmf_verify_popo(const attest_crmf *c, int i, OSSL_LIB_CTX *libctx, const char *propq, attest_err *err);

/* "ir", "cr", "p10cr", "kur", "CertReqMessages". */
const char *attest_crmf_body_name(int bodytype);
/* "signature", "raVerified", "keyEncipherment", "keyAgreement", "none". */
const char *attest_crmf_popo_name(int popo_type);

#endif
