/*
 * Finding the AttestationBundle in a CRMF request (RFC 4211), bare or inside
 * a CMP PKIMessage (RFC 4210/9810).
 *
 * OpenSSL parses both (d2i_OSSL_CMP_MSG, d2i_OSSL_CRMF_MSGS) and verifies the
 * proof of possession (OSSL_CRMF_MSGS_verify_popo), but 3.0 has no getter for
 * a PKIMessage's body, a template's publicKey or a request's POPO, and its
 * d2i decodes every template key through a decoder context of its own.  The
 * templates below read the messages with OpenSSL's item types for names,
 * extensions and algorithms but the keys left as bytes (made into keys on
 * use), and attest_crmf_verify_popo checks the proof of possession as
 * OSSL_CRMF_MSGS_verify_popo does over them:
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
#include <limits.h>
#include <string.h>
#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "attest/crmf.h"
#include "attest/der.h"
#include "attest/limits.h"
#include "attest/oids.h"
#include "attest/spki_key.h"

/* ---- CertReqMsg: the template's publicKey and the POPO ---- */
typedef struct {
    ASN1_TYPE *auth_info; /* sender [0] GeneralName | publicKeyMAC PKMACValue */
    X509_PUBKEY *public_key;
} POPOSK_INPUT;

ASN1_SEQUENCE(POPOSK_INPUT) = {
    ASN1_SIMPLE(POPOSK_INPUT, auth_info, ASN1_ANY),
    ASN1_SIMPLE(POPOSK_INPUT, public_key, ATTEST_LAZY_X509_PUBKEY), /* our view: no key decoded */
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
    int type; /* = OSSL_CRMF_POPO_* */
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
    ASN1_IMP_OPT(CERT_TEMPLATE, public_key, ATTEST_LAZY_X509_PUBKEY, 6),
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

/* CertReqMessages ::= SEQUENCE SIZE (1..MAX) OF CertReqMsg */
DEFINE_STACK_OF(CERT_REQ_MSG)

ASN1_ITEM_TEMPLATE(CERT_REQ_MSGS) = ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, CertReqMessages, CERT_REQ_MSG)
static_ASN1_ITEM_TEMPLATE_END(CERT_REQ_MSGS)

/* ---- PKIMessage with a request body ---- */
typedef struct {
    int type; /* index of the arm below */
    union {
        STACK_OF(CERT_REQ_MSG) *ir;
        STACK_OF(CERT_REQ_MSG) *cr;
        ASN1_TYPE *p10cr; /* the CertificationRequest's DER: the CSR decoder reads it */
        STACK_OF(CERT_REQ_MSG) *kur;
    } value;
} CMP_REQ_BODY;

ASN1_CHOICE(CMP_REQ_BODY) = {
    ASN1_EXP_SEQUENCE_OF(CMP_REQ_BODY, value.ir, CERT_REQ_MSG, OSSL_CMP_IR),
    ASN1_EXP_SEQUENCE_OF(CMP_REQ_BODY, value.cr, CERT_REQ_MSG, OSSL_CMP_CR),
    ASN1_EXP(CMP_REQ_BODY, value.p10cr, ASN1_ANY, OSSL_CMP_P10CR),
    ASN1_EXP_SEQUENCE_OF(CMP_REQ_BODY, value.kur, CERT_REQ_MSG, OSSL_CMP_KUR),
} static_ASN1_CHOICE_END(CMP_REQ_BODY)

static const int arm_bodytype[] = {OSSL_CMP_IR, OSSL_CMP_CR, OSSL_CMP_P10CR, OSSL_CMP_KUR};

typedef struct {
    OSSL_CMP_PKIHEADER *header;
    CMP_REQ_BODY *body;
    ASN1_BIT_STRING *protection;
    STACK_OF(ASN1_TYPE) *extra_certs; /* not read: protection is not checked */
} CMP_REQ_MSG;

ASN1_SEQUENCE(CMP_REQ_MSG) = {
    ASN1_SIMPLE(CMP_REQ_MSG, header, OSSL_CMP_PKIHEADER),
    ASN1_SIMPLE(CMP_REQ_MSG, body, CMP_REQ_BODY),
    ASN1_EXP_OPT(CMP_REQ_MSG, protection, ASN1_BIT_STRING, 0),
    ASN1_EXP_SEQUENCE_OF_OPT(CMP_REQ_MSG, extra_certs, ASN1_ANY, 1),
} static_ASN1_SEQUENCE_END(CMP_REQ_MSG)

struct attest_crmf_view {
    CMP_REQ_MSG *cmp;             /* a PKIMessage (owns msgs), or NULL */
    STACK_OF(CERT_REQ_MSG) *msgs; /* its CertReqMessages, or a bare one (then owned) */
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
    int i;

    if (c == NULL)
        return;
    if (c->view != NULL) {
        if (c->view->cmp != NULL)
            ASN1_item_free((ASN1_VALUE *)c->view->cmp, ASN1_ITEM_rptr(CMP_REQ_MSG));
        else
            ASN1_item_free((ASN1_VALUE *)c->view->msgs, ASN1_ITEM_rptr(CERT_REQ_MSGS));
        OPENSSL_free(c->view);
    }
    for (i = 0; i < ATTEST_CRMF_MAX_REQS; i++) {
        EVP_PKEY_free(c->reqs[i].pubkey);
        OPENSSL_free(c->reqs[i].bundle_der);
    }
    OPENSSL_free(c->p10_der);
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

/* A PKIMessage read through our view (request bodies only): keeps it. */
static int read_cmp(attest_crmf *c, CMP_REQ_MSG *m, attest_err *err)
{
    int n;

    c->view->cmp = m;
    if (m->body->type < 0 || m->body->type > 3) { /* the CHOICE has four arms: never, but checked */
        attest_err_set(err, "CMP PKIMessage: cannot read its body");
        return -1;
    }
    c->bodytype = arm_bodytype[m->body->type];
    if (c->bodytype == OSSL_CMP_P10CR) {
        if (m->body->value.p10cr->type != V_ASN1_SEQUENCE
            || (n = i2d_ASN1_TYPE(m->body->value.p10cr, &c->p10_der)) <= 0) {
            attest_err_set(err, "CMP p10cr: the body is not a SEQUENCE (CertificationRequest)");
            return -1;
        }
        c->p10_len = (size_t)n;
        return 0;
    }
    c->view->msgs = m->body->value.ir; /* ir, cr and kur share the union slot */
    return 0;
}

/*
 * Any PKIMessage, its body left unread: what a message the view above cannot
 * read is, by its body's tag (OpenSSL's whole-message decode would decode
 * every key in it to say the same).
 */
typedef struct {
    OSSL_CMP_PKIHEADER *header;
    ASN1_TYPE *body;
    ASN1_BIT_STRING *protection;
    STACK_OF(ASN1_TYPE) *extra_certs;
} CMP_ANY_MSG;

ASN1_SEQUENCE(CMP_ANY_MSG) = {
    ASN1_SIMPLE(CMP_ANY_MSG, header, OSSL_CMP_PKIHEADER),
    ASN1_SIMPLE(CMP_ANY_MSG, body, ASN1_ANY),
    ASN1_EXP_OPT(CMP_ANY_MSG, protection, ASN1_BIT_STRING, 0),
    ASN1_EXP_SEQUENCE_OF_OPT(CMP_ANY_MSG, extra_certs, ASN1_ANY, 1),
} static_ASN1_SEQUENCE_END(CMP_ANY_MSG)

static void why_not_request(const CMP_ANY_MSG *msg, attest_err *err)
{
    const ASN1_STRING *b = msg->body->type == V_ASN1_OTHER ? msg->body->value.asn1_string : NULL;
    int bt = b != NULL && b->length > 0 && (b->data[0] & 0xc0) == 0x80 ? b->data[0] & 0x1f : -1;

    if (bt < 0)
        attest_err_set(err, "CMP PKIMessage: its body is not a [n]-tagged PKIBody");
    else if (bt != OSSL_CMP_IR && bt != OSSL_CMP_CR && bt != OSSL_CMP_P10CR && bt != OSSL_CMP_KUR)
        attest_err_set(err, "CMP PKIMessage: body type %d is not a certificate request (ir, cr, kur, p10cr)", bt);
    else
        attest_err_set(err, "CMP PKIMessage: cannot read its %s body", attest_crmf_body_name(bt));
}

/* CertReqMsg i: template, public key, POPO and the attestation extension(s). */
static int read_req(attest_crmf *c, int i, OSSL_LIB_CTX *libctx, const char *propq, attest_err *err)
{
    const ASN1_OBJECT *oid = attest_oid_obj(ATTEST_OID_AA_ATTESTATION);
    CERT_REQ_MSG *view = sk_CERT_REQ_MSG_value(c->view->msgs, i);
    const CERT_TEMPLATE *tmpl = view != NULL ? view->cert_req->tmpl : NULL;
    attest_crmf_req *r = &c->reqs[i];
    int64_t id;
    int j, ok;

    r->popo_type = -1;
    if (tmpl == NULL) {
        attest_err_set(err, "certReq[%d]: no certificate template", i);
        return -1;
    }
    r->subject = tmpl->subject;
    r->exts = tmpl->extensions;
    for (j = 0; j < sk_X509_EXTENSION_num(r->exts); j++) {
        X509_EXTENSION *x = sk_X509_EXTENSION_value(r->exts, j);
        const ASN1_OCTET_STRING *v;

        if (OBJ_cmp(X509_EXTENSION_get_object(x), oid) != 0 || r->n_attest_exts++ > 0)
            continue;
        v = X509_EXTENSION_get_data(x);
        r->attest_critical = X509_EXTENSION_get_critical(x);
        r->bundle_len = (size_t)ASN1_STRING_length(v);
        if ((r->bundle_der = OPENSSL_memdup(ASN1_STRING_get0_data(v), r->bundle_len ? r->bundle_len : 1)) == NULL) {
            attest_err_set(err, "certReq[%d]: out of memory", i);
            return -1;
        }
    }
    ERR_set_mark(); /* too large for int64 is ours to report, below */
    ok = ASN1_INTEGER_get_int64(&id, view->cert_req->cert_req_id);
    ERR_pop_to_mark();
    if (!ok || id < 0 || id > INT_MAX) {
        attest_err_set(err, "certReq[%d]: certReqId outside 0..%d", i, INT_MAX);
        return -1;
    }
    r->cert_req_id = (long)id;
    r->spki = tmpl->public_key;
    if (r->spki != NULL) {
        /* A key that cannot be made stays NULL: crmf.popo says so. */
        ERR_set_mark();
        r->pubkey = attest_spki_pkey(r->spki, libctx, propq);
        ERR_pop_to_mark();
    }
    if (view->popo != NULL) {
        r->popo_type = view->popo->type;
        if (r->popo_type == OSSL_CRMF_POPO_SIGNATURE) {
            r->popo_alg = view->popo->value.signature->alg;
            r->popo_input = view->popo->value.signature->input != NULL;
        }
    }
    return 0;
}

/* The DER of two SubjectPublicKeyInfos is the same. */
static int same_spki(const X509_PUBKEY *a, const X509_PUBKEY *b)
{
    unsigned char *da = NULL, *db = NULL;
    int na = i2d_X509_PUBKEY(a, &da), nb = i2d_X509_PUBKEY(b, &db);
    int same = na > 0 && na == nb && memcmp(da, db, (size_t)na) == 0;

    OPENSSL_free(da);
    OPENSSL_free(db);
    return same;
}

/*
 * RFC 4211 §4.1, as OSSL_CRMF_MSGS_verify_popo reads it, for request i (by
 * position: 3.0's takes its rid argument as a position too, so a certReqId
 * other than the position failed there).  Over the CertRequest when there is
 * no POPOSigningKeyInput (the template must then name its subject), else over
 * that input, whose publicKey MUST be exactly the template's (compared as
 * DER: the RFC's "exactly the same value").  The encodings signed over are
 * re-encodings of our view, equal to the bytes received (the decoder checked
 * that the whole message re-encodes to itself).
 */
int attest_crmf_verify_popo(const attest_crmf *c, int i, OSSL_LIB_CTX *libctx, const char *propq, attest_err *err)
{
    const CERT_REQ_MSG *m = i >= 0 && i < c->n_reqs && c->view != NULL ? sk_CERT_REQ_MSG_value(c->view->msgs, i) : NULL;
    const POPOSK *sk;
    int ok;

    if (m == NULL || m->popo == NULL || m->popo->type != OSSL_CRMF_POPO_SIGNATURE) {
        attest_err_set(err, "no signature proof of possession");
        return 0;
    }
    if (m->cert_req->tmpl->public_key == NULL || c->reqs[i].pubkey == NULL) {
        attest_err_set(err, "the template carries no usable public key");
        return 0;
    }
    sk = m->popo->value.signature;
    ERR_set_mark();
    if (sk->input != NULL) {
        if (!same_spki(m->cert_req->tmpl->public_key, sk->input->public_key)) {
            ERR_pop_to_mark();
            attest_err_set(err, "the POPOSigningKeyInput names another public key than the template");
            return 0;
        }
        ok = ASN1_item_verify_ex(ASN1_ITEM_rptr(POPOSK_INPUT), sk->alg, sk->sig, sk->input, NULL, c->reqs[i].pubkey,
                                 libctx, propq)
            == 1;
    } else if (m->cert_req->tmpl->subject == NULL) {
        ERR_pop_to_mark();
        attest_err_set(err, "the template has no subject and there is no POPOSigningKeyInput (RFC 4211 §4.1)");
        return 0;
    } else {
        ok = ASN1_item_verify_ex(ASN1_ITEM_rptr(CERT_REQUEST), sk->alg, sk->sig, m->cert_req, NULL, c->reqs[i].pubkey,
                                 libctx, propq)
            == 1;
    }
    ERR_pop_to_mark();
    if (!ok)
        attest_err_set(err, "the signature does not verify with the template key");
    return ok;
}

/* Every request, bounded, with distinct certReqIds (the CA answers by id). */
static int read_reqs(attest_crmf *c, OSSL_LIB_CTX *libctx, const char *propq, attest_err *err)
{
    const attest_crmf_req *f = &c->reqs[0];
    int i, j;

    c->n_reqs = sk_CERT_REQ_MSG_num(c->view->msgs);
    if (c->n_reqs < 1) {
        attest_err_set(err, "CertReqMessages: empty (SIZE (1..MAX))");
        return -1;
    }
    if (c->n_reqs > ATTEST_CRMF_MAX_REQS) {
        attest_err_set(err, "CertReqMessages: %d requests, at most %d are verified", c->n_reqs, ATTEST_CRMF_MAX_REQS);
        return -1;
    }
    for (i = 0; i < c->n_reqs; i++) {
        if (read_req(c, i, libctx, propq, err) != 0)
            return -1;
        for (j = 0; j < i; j++)
            if (c->reqs[j].cert_req_id == c->reqs[i].cert_req_id) {
                attest_err_set(err, "CertReqMessages: certReq[%d] and certReq[%d] share certReqId %ld", j, i,
                               c->reqs[i].cert_req_id);
                return -1;
            }
    }
    c->cert_req_id = f->cert_req_id;
    c->subject = f->subject;
    c->spki = f->spki;
    c->pubkey = f->pubkey;
    c->popo_type = f->popo_type;
    c->popo_alg = f->popo_alg;
    c->popo_input = f->popo_input;
    c->exts = f->exts;
    c->n_attest_exts = f->n_attest_exts;
    c->attest_critical = f->attest_critical;
    c->bundle_der = f->bundle_der;
    c->bundle_len = f->bundle_len;
    return 0;
}

/* Offset of a p10cr's CertificationRequest: PKIMessage { header, [4] { here } }; 0 if not found. */
static size_t p10cr_offset(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    long plen;
    int tag, cls;

    if (ASN1_get_object(&p, &plen, &tag, &cls, (long)len) != V_ASN1_CONSTRUCTED
        || ASN1_get_object(&p, &plen, &tag, &cls, (long)(der + len - p)) != V_ASN1_CONSTRUCTED)
        return 0;
    p += plen; /* past the header */
    if (p >= der + len || ASN1_get_object(&p, &plen, &tag, &cls, (long)(der + len - p)) != V_ASN1_CONSTRUCTED
        || cls != V_ASN1_CONTEXT_SPECIFIC || tag != OSSL_CMP_P10CR)
        return 0;
    return (size_t)(p - der);
}

/*
 * Strict DER all the way down: OpenSSL writes a Name back as received, so
 * the re-encoding alone misses BER in a template's subject.  A p10cr's
 * request is left to the CSR decoder, which walks it the same way and
 * reports a bad bundle inside as bundle.parse.
 */
static int strict_walk(const attest_crmf *c, const unsigned char *der, size_t len, attest_err *err)
{
    size_t opaque[1];
    size_t n = 0;

    if (c->bodytype == OSSL_CMP_P10CR && (opaque[0] = p10cr_offset(der, len)) != 0)
        n = 1;
    if (attest_der_strict_canonical(der, len, opaque, n, err) != 0) {
        attest_err_prefix(err, "%s", c->bodytype == ATTEST_CRMF_BARE ? "CRMF CertReqMessages" : "CMP PKIMessage");
        return -1;
    }
    return 0;
}

int attest_crmf_decode(const unsigned char *der, size_t len, OSSL_LIB_CTX *libctx, const char *propq, attest_crmf **out,
                       attest_err *err)
{
    attest_crmf *c = NULL;
    CMP_ANY_MSG *msg = NULL;
    CMP_REQ_MSG *m;
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
    /*
     * A request PKIMessage is read once, through our view; a PKIMessage it
     * cannot read is read again with its body unread, to say what it is.
     */
    if ((m = (CMP_REQ_MSG *)d2i_all(der, len, ASN1_ITEM_rptr(CMP_REQ_MSG), &trailing)) != NULL) {
        if (read_cmp(c, m, err) != 0)
            goto fail;
        if (trailing) {
            attest_err_set(err, "CMP PKIMessage: trailing bytes after the message");
            goto fail;
        }
        if (!attest_der_reencodes(ASN1_ITEM_rptr(CMP_REQ_MSG), m, der, len)) {
            attest_err_set(err, "CMP PKIMessage: not DER (re-encoding differs)");
            goto fail;
        }
    } else if ((msg = (CMP_ANY_MSG *)d2i_all(der, len, ASN1_ITEM_rptr(CMP_ANY_MSG), &trailing)) != NULL) {
        if (trailing)
            attest_err_set(err, "CMP PKIMessage: trailing bytes after the message");
        else
            why_not_request(msg, err);
        goto fail;
    } else if ((c->view->msgs = (STACK_OF(CERT_REQ_MSG) *)d2i_all(der, len, ASN1_ITEM_rptr(CERT_REQ_MSGS), &trailing))
               != NULL) {
        if (trailing) {
            attest_err_set(err, "CRMF CertReqMessages: trailing bytes after the message");
            goto fail;
        }
        if (!attest_der_reencodes(ASN1_ITEM_rptr(CERT_REQ_MSGS), c->view->msgs, der, len)) {
            attest_err_set(err, "CRMF CertReqMessages: not DER (re-encoding differs)");
            goto fail;
        }
    } else {
        attest_err_set(err, "not a CMP PKIMessage or a CRMF CertReqMessages");
        goto fail;
    }
    if (strict_walk(c, der, len, err) != 0)
        goto fail;
    if (c->bodytype != OSSL_CMP_P10CR && read_reqs(c, libctx, propq, err) != 0)
        goto fail;
    ASN1_item_free((ASN1_VALUE *)msg, ASN1_ITEM_rptr(CMP_ANY_MSG));
    *out = c;
    return 0;
fail:
    ASN1_item_free((ASN1_VALUE *)msg, ASN1_ITEM_rptr(CMP_ANY_MSG));
    attest_crmf_free(c);
    return -1;
}
