/*
 * Finding the AttestationBundle in a CRMF request (RFC 4211), bare or inside
 * a CMP PKIMessage (RFC 4210/9810).
 *
 * OpenSSL parses both (d2i_OSSL_CMP_MSG, d2i_OSSL_CRMF_MSGS) and verifies the
 * proof of possession (OSSL_CRMF_MSGS_verify_popo), but 3.0 has no getter for
 * a PKIMessage's body, a template's publicKey or a request's POPO.  The
 * templates below read just that, with OpenSSL's own item types inside:
 *
 *   PKIMessage ::= SEQUENCE { header PKIHeader, body PKIBody,
 *       protection [0] PKIProtection OPTIONAL, extraCerts [1] SEQUENCE OF CMPCertificate OPTIONAL }
 *   PKIBody ::= CHOICE { ir [0] CertReqMessages, cr [2] CertReqMessages,
 *       p10cr [4] CertificationRequest, kur [7] CertReqMessages, ... }     -- EXPLICIT
 *   CertReqMsg ::= SEQUENCE { certReq CertRequest, popo ProofOfPossession OPTIONAL,
 *       regInfo SEQUENCE OF AttributeTypeAndValue OPTIONAL }              -- IMPLICIT TAGS
 *   CertRequest ::= SEQUENCE { certReqId INTEGER, certTemplate CertTemplate, controls Controls OPTIONAL }
 *   CertTemplate ::= SEQUENCE { version [0], serialNumber [1], signingAlg [2], issuer [3] Name,
 *       validity [4], subject [5] Name, publicKey [6] SubjectPublicKeyInfo, issuerUID [7],
 *       subjectUID [8], extensions [9] Extensions }                         -- all OPTIONAL
 *   ProofOfPossession ::= CHOICE { raVerified [0] NULL, signature [1] POPOSigningKey,
 *       keyEncipherment [2] POPOPrivKey, keyAgreement [3] POPOPrivKey }
 *   POPOSigningKey ::= SEQUENCE { poposkInput [0] POPOSigningKeyInput OPTIONAL,
 *       algorithmIdentifier AlgorithmIdentifier, signature BIT STRING }
 */
#include <string.h>
#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "attest/crmf.h"
#include "attest/limits.h"
#include "attest/oids.h"

/* ---- PKIMessage with a request body ---- */
typedef struct {
    int type;                    /* index of the arm below */
    union {
        OSSL_CRMF_MSGS *ir;
        OSSL_CRMF_MSGS *cr;
        X509_REQ *p10cr;
        OSSL_CRMF_MSGS *kur;
    } value;
} CMP_REQ_BODY;

ASN1_CHOICE(CMP_REQ_BODY) = {
    ASN1_EXP(CMP_REQ_BODY, value.ir, OSSL_CRMF_MSGS, OSSL_CMP_IR),
    ASN1_EXP(CMP_REQ_BODY, value.cr, OSSL_CRMF_MSGS, OSSL_CMP_CR),
    ASN1_EXP(CMP_REQ_BODY, value.p10cr, X509_REQ, OSSL_CMP_P10CR),
    ASN1_EXP(CMP_REQ_BODY, value.kur, OSSL_CRMF_MSGS, OSSL_CMP_KUR),
} static_ASN1_CHOICE_END(CMP_REQ_BODY)

static const int arm_bodytype[] = {OSSL_CMP_IR, OSSL_CMP_CR, OSSL_CMP_P10CR, OSSL_CMP_KUR};

typedef struct {
    OSSL_CMP_PKIHEADER *header;
    CMP_REQ_BODY *body;
    ASN1_BIT_STRING *protection;
    STACK_OF(X509) *extra_certs;
} CMP_REQ_MSG;

ASN1_SEQUENCE(CMP_REQ_MSG) = {
    ASN1_SIMPLE(CMP_REQ_MSG, header, OSSL_CMP_PKIHEADER),
    ASN1_SIMPLE(CMP_REQ_MSG, body, CMP_REQ_BODY),
    ASN1_EXP_OPT(CMP_REQ_MSG, protection, ASN1_BIT_STRING, 0),
    ASN1_EXP_SEQUENCE_OF_OPT(CMP_REQ_MSG, extra_certs, X509, 1),
} static_ASN1_SEQUENCE_END(CMP_REQ_MSG)

/* ---- CertReqMsg: the template's publicKey and the POPO ---- */
typedef struct {
    ASN1_TYPE *auth_info;        /* sender [0] GeneralName | publicKeyMAC PKMACValue */
    X509_PUBKEY *public_key;
} POPOSK_INPUT;

ASN1_SEQUENCE(POPOSK_INPUT) = {
    ASN1_SIMPLE(POPOSK_INPUT, auth_info, ASN1_ANY),
    ASN1_SIMPLE(POPOSK_INPUT, public_key, X509_PUBKEY),
} static_ASN1_SEQUENCE_END(POPOSK_INPUT)

typedef struct {
    POPOSK_INPUT *input;
    X509_ALGOR *alg;
    ASN1_BIT_STRING *sig;
} POPOSK;

ASN1_SEQUENCE(POPOSK) = {
    ASN1_IMP_OPT(POPOSK, input, POPOSK_INPUT, 0),
    ASN1_SIMPLE(POPOSK, alg, X509_ALGOR),
    ASN1_SIMPLE(POPOSK, sig, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(POPOSK)

typedef struct {
    int type;                    /* = OSSL_CRMF_POPO_* */
    union {
        ASN1_NULL *ra_verified;
        POPOSK *signature;
        ASN1_TYPE *key_encipherment;
        ASN1_TYPE *key_agreement;
    } value;
} POPO;

ASN1_CHOICE(POPO) = {
    ASN1_IMP(POPO, value.ra_verified, ASN1_NULL, OSSL_CRMF_POPO_RAVERIFIED),
    ASN1_IMP(POPO, value.signature, POPOSK, OSSL_CRMF_POPO_SIGNATURE),
    ASN1_EXP(POPO, value.key_encipherment, ASN1_ANY, OSSL_CRMF_POPO_KEYENC),
    ASN1_EXP(POPO, value.key_agreement, ASN1_ANY, OSSL_CRMF_POPO_KEYAGREE),
} static_ASN1_CHOICE_END(POPO)

typedef struct {
    ASN1_TIME *not_before, *not_after;
} OPT_VALIDITY;

ASN1_SEQUENCE(OPT_VALIDITY) = {
    ASN1_EXP_OPT(OPT_VALIDITY, not_before, ASN1_TIME, 0),
    ASN1_EXP_OPT(OPT_VALIDITY, not_after, ASN1_TIME, 1),
} static_ASN1_SEQUENCE_END(OPT_VALIDITY)

typedef struct {
    ASN1_INTEGER *version, *serial;
    X509_ALGOR *signing_alg;
    X509_NAME *issuer;
    OPT_VALIDITY *validity;
    X509_NAME *subject;
    X509_PUBKEY *public_key;
    ASN1_BIT_STRING *issuer_uid, *subject_uid;
    STACK_OF(X509_EXTENSION) *extensions;
} CERT_TEMPLATE;

ASN1_SEQUENCE(CERT_TEMPLATE) = {
    ASN1_IMP_OPT(CERT_TEMPLATE, version, ASN1_INTEGER, 0),
    ASN1_IMP_OPT(CERT_TEMPLATE, serial, ASN1_INTEGER, 1),
    ASN1_IMP_OPT(CERT_TEMPLATE, signing_alg, X509_ALGOR, 2),
    ASN1_EXP_OPT(CERT_TEMPLATE, issuer, X509_NAME, 3),
    ASN1_IMP_OPT(CERT_TEMPLATE, validity, OPT_VALIDITY, 4),
    ASN1_EXP_OPT(CERT_TEMPLATE, subject, X509_NAME, 5),
    ASN1_IMP_OPT(CERT_TEMPLATE, public_key, X509_PUBKEY, 6),
    ASN1_IMP_OPT(CERT_TEMPLATE, issuer_uid, ASN1_BIT_STRING, 7),
    ASN1_IMP_OPT(CERT_TEMPLATE, subject_uid, ASN1_BIT_STRING, 8),
    ASN1_IMP_SEQUENCE_OF_OPT(CERT_TEMPLATE, extensions, X509_EXTENSION, 9),
} static_ASN1_SEQUENCE_END(CERT_TEMPLATE)

typedef struct {
    ASN1_INTEGER *cert_req_id;
    CERT_TEMPLATE *tmpl;
    STACK_OF(ASN1_TYPE) *controls;
} CERT_REQUEST;

ASN1_SEQUENCE(CERT_REQUEST) = {
    ASN1_SIMPLE(CERT_REQUEST, cert_req_id, ASN1_INTEGER),
    ASN1_SIMPLE(CERT_REQUEST, tmpl, CERT_TEMPLATE),
    ASN1_SEQUENCE_OF_OPT(CERT_REQUEST, controls, ASN1_ANY),
} static_ASN1_SEQUENCE_END(CERT_REQUEST)

typedef struct {
    CERT_REQUEST *cert_req;
    POPO *popo;
    STACK_OF(ASN1_TYPE) *reg_info;
} CERT_REQ_MSG;

ASN1_SEQUENCE(CERT_REQ_MSG) = {
    ASN1_SIMPLE(CERT_REQ_MSG, cert_req, CERT_REQUEST),
    ASN1_OPT(CERT_REQ_MSG, popo, POPO),
    ASN1_SEQUENCE_OF_OPT(CERT_REQ_MSG, reg_info, ASN1_ANY),
} static_ASN1_SEQUENCE_END(CERT_REQ_MSG)

struct attest_crmf_view {
    CMP_REQ_MSG *cmp;            /* a PKIMessage: owns msgs */
    CERT_REQ_MSG *first;         /* the first CertReqMsg, read again through our template */
};

const char *attest_crmf_body_name(int bodytype)
{
    switch (bodytype) {
    case ATTEST_CRMF_BARE: return "CertReqMessages";
    case OSSL_CMP_IR: return "ir";
    case OSSL_CMP_CR: return "cr";
    case OSSL_CMP_P10CR: return "p10cr";
    case OSSL_CMP_KUR: return "kur";
    default: return "other";
    }
}

const char *attest_crmf_popo_name(int popo_type)
{
    switch (popo_type) {
    case OSSL_CRMF_POPO_RAVERIFIED: return "raVerified";
    case OSSL_CRMF_POPO_SIGNATURE: return "signature";
    case OSSL_CRMF_POPO_KEYENC: return "keyEncipherment";
    case OSSL_CRMF_POPO_KEYAGREE: return "keyAgreement";
    default: return "none";
    }
}

void attest_crmf_free(attest_crmf *c)
{
    if (c == NULL)
        return;
    if (c->view != NULL) {
        if (c->view->cmp != NULL)
            ASN1_item_free((ASN1_VALUE *)c->view->cmp, ASN1_ITEM_rptr(CMP_REQ_MSG));
        else
            OSSL_CRMF_MSGS_free(c->msgs);
        ASN1_item_free((ASN1_VALUE *)c->view->first, ASN1_ITEM_rptr(CERT_REQ_MSG));
        OPENSSL_free(c->view);
    }
    EVP_PKEY_free(c->pubkey);
    OPENSSL_free(c->p10_der);
    OPENSSL_free(c->bundle_der);
    OPENSSL_free(c);
}

/* Parse der as item, all of it; NULL (and the error queue as it was) otherwise. */
static ASN1_VALUE *d2i_all(const unsigned char *der, size_t len, const ASN1_ITEM *it, int *trailing)
{
    const unsigned char *p = der;
    ASN1_VALUE *v;

    ERR_set_mark();
    v = ASN1_item_d2i(NULL, &p, (long)len, it);
    ERR_pop_to_mark();
    *trailing = v != NULL && p != der + len;
    return v;
}

/* The re-encoding equals the input: DER, and what OpenSSL verifies is what was sent. */
static int same_der(const ASN1_VALUE *v, const ASN1_ITEM *it, const unsigned char *der, size_t len)
{
    unsigned char *re = NULL;
    int n = ASN1_item_i2d(v, &re, it);
    int ok = n > 0 && (size_t)n == len && memcmp(re, der, len) == 0;

    OPENSSL_free(re);
    return ok;
}

/* A PKIMessage: its body must be a certificate request; keeps the view. */
static int read_cmp(attest_crmf *c, OSSL_CMP_MSG *msg, const unsigned char *der, size_t len, attest_err *err)
{
    int bt = OSSL_CMP_MSG_get_bodytype(msg), trailing;
    CMP_REQ_MSG *m;
    int n;

    if (bt != OSSL_CMP_IR && bt != OSSL_CMP_CR && bt != OSSL_CMP_P10CR && bt != OSSL_CMP_KUR) {
        attest_err_set(err, "CMP PKIMessage: body type %d is not a certificate request (ir, cr, kur, p10cr)", bt);
        return -1;
    }
    m = (CMP_REQ_MSG *)d2i_all(der, len, ASN1_ITEM_rptr(CMP_REQ_MSG), &trailing);
    if (m == NULL || trailing || m->body->type < 0 || m->body->type > 3 || arm_bodytype[m->body->type] != bt) {
        ASN1_item_free((ASN1_VALUE *)m, ASN1_ITEM_rptr(CMP_REQ_MSG));
        attest_err_set(err, "CMP PKIMessage: cannot read its %s body", attest_crmf_body_name(bt));
        return -1;
    }
    c->view->cmp = m;
    c->bodytype = bt;
    if (bt == OSSL_CMP_P10CR) {
        if ((n = i2d_X509_REQ(m->body->value.p10cr, &c->p10_der)) <= 0) {
            attest_err_set(err, "CMP p10cr: cannot encode the embedded request");
            return -1;
        }
        c->p10_len = (size_t)n;
        return 0;
    }
    c->msgs = m->body->value.ir; /* ir, cr and kur share the union slot */
    return 0;
}

/* The first CertReqMsg: template, public key, POPO and the attestation extension(s). */
static int read_first(attest_crmf *c, OSSL_LIB_CTX *libctx, const char *propq, attest_err *err)
{
    const ASN1_OBJECT *oid = attest_oid_obj(ATTEST_OID_AA_ATTESTATION);
    OSSL_CRMF_MSG *first = sk_OSSL_CRMF_MSG_value(c->msgs, 0);
    OSSL_CRMF_CERTTEMPLATE *tmpl = first != NULL ? OSSL_CRMF_MSG_get0_tmpl(first) : NULL;
    unsigned char *buf = NULL, *spki = NULL;
    const unsigned char *p;
    int n, i, trailing;

    if (tmpl == NULL) {
        attest_err_set(err, "CertReqMessages: no CertReqMsg");
        return -1;
    }
    c->cert_req_id = OSSL_CRMF_MSG_get_certReqId(first);
    c->subject = OSSL_CRMF_CERTTEMPLATE_get0_subject(tmpl);
    c->exts = OSSL_CRMF_CERTTEMPLATE_get0_extensions(tmpl);
    for (i = 0; i < sk_X509_EXTENSION_num(c->exts); i++) {
        X509_EXTENSION *x = sk_X509_EXTENSION_value(c->exts, i);
        const ASN1_OCTET_STRING *v;

        if (OBJ_cmp(X509_EXTENSION_get_object(x), oid) != 0 || c->n_attest_exts++ > 0)
            continue;
        v = X509_EXTENSION_get_data(x);
        c->attest_critical = X509_EXTENSION_get_critical(x);
        c->bundle_len = (size_t)ASN1_STRING_length(v);
        if ((c->bundle_der = OPENSSL_memdup(ASN1_STRING_get0_data(v), c->bundle_len ? c->bundle_len : 1)) == NULL)
            goto oom;
    }
    if ((n = i2d_OSSL_CRMF_MSG(first, &buf)) <= 0)
        goto oom;
    c->view->first = (CERT_REQ_MSG *)d2i_all(buf, (size_t)n, ASN1_ITEM_rptr(CERT_REQ_MSG), &trailing);
    OPENSSL_free(buf);
    if (c->view->first == NULL || trailing) {
        attest_err_set(err, "CertReqMsg: cannot read its template and proof of possession");
        return -1;
    }
    c->spki = c->view->first->cert_req->tmpl->public_key;
    if (c->spki != NULL && (n = i2d_X509_PUBKEY(c->spki, &spki)) > 0) {
        /* A key OpenSSL cannot decode stays NULL: crmf.popo says so. */
        ERR_set_mark();
        p = spki;
        c->pubkey = d2i_PUBKEY_ex(NULL, &p, n, libctx, propq);
        ERR_pop_to_mark();
    }
    OPENSSL_free(spki);
    if (c->view->first->popo != NULL) {
        c->popo_type = c->view->first->popo->type;
        if (c->popo_type == OSSL_CRMF_POPO_SIGNATURE) {
            c->popo_alg = c->view->first->popo->value.signature->alg;
            c->popo_input = c->view->first->popo->value.signature->input != NULL;
        }
    }
    return 0;
oom:
    attest_err_set(err, "CertReqMsg: out of memory");
    return -1;
}

int attest_crmf_decode(const unsigned char *der, size_t len, OSSL_LIB_CTX *libctx, const char *propq,
                       attest_crmf **out, attest_err *err)
{
    attest_crmf *c = NULL;
    OSSL_CMP_MSG *msg = NULL;
    int trailing;

    *out = NULL;
    if (attest_oid_obj(ATTEST_OID_AA_ATTESTATION) == NULL) {
        attest_err_set(err, "OID table failed to initialise");
        return -1;
    }
    if (len == 0 || len > ATTEST_MAX_INPUT) {
        attest_err_set(err, "CRMF request: size %zu outside 1..%d bytes", len, ATTEST_MAX_INPUT);
        return -1;
    }
    if ((c = OPENSSL_zalloc(sizeof(*c))) == NULL || (c->view = OPENSSL_zalloc(sizeof(*c->view))) == NULL) {
        OPENSSL_free(c);
        attest_err_set(err, "CRMF request: out of memory");
        return -1;
    }
    c->bodytype = ATTEST_CRMF_BARE;
    c->popo_type = -1;
    if ((msg = (OSSL_CMP_MSG *)d2i_all(der, len, ASN1_ITEM_rptr(OSSL_CMP_MSG), &trailing)) != NULL) {
        if (trailing) {
            attest_err_set(err, "CMP PKIMessage: trailing bytes after the message");
            goto fail;
        }
        if (!same_der((ASN1_VALUE *)msg, ASN1_ITEM_rptr(OSSL_CMP_MSG), der, len)) {
            attest_err_set(err, "CMP PKIMessage: not DER (re-encoding differs)");
            goto fail;
        }
        if (read_cmp(c, msg, der, len, err) != 0)
            goto fail;
    } else if ((c->msgs = (OSSL_CRMF_MSGS *)d2i_all(der, len, ASN1_ITEM_rptr(OSSL_CRMF_MSGS), &trailing)) != NULL) {
        if (trailing) {
            attest_err_set(err, "CRMF CertReqMessages: trailing bytes after the message");
            goto fail;
        }
        if (!same_der((ASN1_VALUE *)c->msgs, ASN1_ITEM_rptr(OSSL_CRMF_MSGS), der, len)) {
            attest_err_set(err, "CRMF CertReqMessages: not DER (re-encoding differs)");
            goto fail;
        }
    } else {
        attest_err_set(err, "not a CMP PKIMessage or a CRMF CertReqMessages");
        goto fail;
    }
    if (c->bodytype != OSSL_CMP_P10CR) {
        if ((c->n_reqs = sk_OSSL_CRMF_MSG_num(c->msgs)) < 1) {
            attest_err_set(err, "CertReqMessages: empty (SIZE (1..MAX))");
            goto fail;
        }
        if (read_first(c, libctx, propq, err) != 0)
            goto fail;
    }
    OSSL_CMP_MSG_free(msg);
    *out = c;
    return 0;
fail:
    OSSL_CMP_MSG_free(msg);
    attest_crmf_free(c);
    return -1;
}
