/*
 * Finding the AttestationBundle in a PKCS#10 request.  The attribute value is
 * carried as an ASN1_TYPE of type SEQUENCE whose content is the complete DER
 * of the bundle (OpenSSL keeps the header for V_ASN1_SEQUENCE).
 *
 * The request is read with a template shaped like OpenSSL's X509_REQ except
 * that the SubjectPublicKeyInfo stays algorithm + BIT STRING: X509_PUBKEY's
 * d2i decodes the key through a fresh decoder context, which on OpenSSL 3.0
 * costs several signature checks.  The X509_REQ itself is decoded only for
 * callers that ask for it (attest_csr_decode).
 */
#include <string.h>
#include <openssl/asn1t.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "attest/csr.h"
#include "attest/der.h"
#include "attest/limits.h"
#include "attest/oids.h"
#include "attest/spki_key.h"

/* As X509_REQ_INFO: the received encoding is kept (enc) and signed over; attributes OPTIONAL, empty when absent. */
typedef struct {
    ASN1_ENCODING enc;
    ASN1_INTEGER *version;
    X509_NAME *subject;
    ATTEST_RAW_SPKI *spki;
    STACK_OF(X509_ATTRIBUTE) *attributes;
} ATTEST_REQ_INFO;

static int rinf_cb(int op, ASN1_VALUE **pval, const ASN1_ITEM *it, void *exarg)
{
    ATTEST_REQ_INFO *ri = (ATTEST_REQ_INFO *)*pval;

    (void)it;
    (void)exarg;
    if (op == ASN1_OP_NEW_POST && (ri->attributes = sk_X509_ATTRIBUTE_new_null()) == NULL)
        return 0;
    return 1;
}

ASN1_SEQUENCE_enc(ATTEST_REQ_INFO, enc, rinf_cb) = {
    ASN1_SIMPLE(ATTEST_REQ_INFO, version, ASN1_INTEGER),
    ASN1_SIMPLE(ATTEST_REQ_INFO, subject, X509_NAME),
    ASN1_SIMPLE(ATTEST_REQ_INFO, spki, ATTEST_RAW_SPKI),
    ASN1_IMP_SET_OF_OPT(ATTEST_REQ_INFO, attributes, X509_ATTRIBUTE, 0),
} static_ASN1_SEQUENCE_END_ref(ATTEST_REQ_INFO, ATTEST_REQ_INFO)

typedef struct attest_csr_light {
    ATTEST_REQ_INFO *info;
    X509_ALGOR *sig_alg;
    ASN1_BIT_STRING *signature;
} ATTEST_REQ;

ASN1_SEQUENCE(ATTEST_REQ) = {
    ASN1_SIMPLE(ATTEST_REQ, info, ATTEST_REQ_INFO),
    ASN1_SIMPLE(ATTEST_REQ, sig_alg, X509_ALGOR),
    ASN1_SIMPLE(ATTEST_REQ, signature, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(ATTEST_REQ)


void attest_csr_free(attest_csr *c)
{
    if (c == NULL)
        return;
    X509_REQ_free(c->req);
    ASN1_item_free((ASN1_VALUE *)c->light, ASN1_ITEM_rptr(ATTEST_REQ));
    X509_PUBKEY_free(c->spki);
    EVP_PKEY_free(c->pkey);
    OPENSSL_free(c->bundle_der);
    OPENSSL_free(c);
}

/* Reads the TLV at *p (definite length): *p moves to its contents, which end at *in_end; *start is its first byte. */
static int enter(const unsigned char **p, const unsigned char *end, const unsigned char **in_end,
                 const unsigned char **start, int *tag, int *cls)
{
    long plen;
    int r;

    *start = *p;
    r = ASN1_get_object(p, &plen, tag, cls, (long)(end - *p));
    if ((r & 0x80) || r == 0x21)
        return 0;
    *in_end = *p + plen;
    return 1;
}

/*
 * Offsets in der of the values of every id-aa-attestation attribute, at
 * most cap: bundle.parse judges their contents (with the same walk), so a
 * bad bundle is reported there and not as a bad request.
 */
static size_t attestation_values(const unsigned char *der, size_t len, size_t *off, size_t cap)
{
    const ASN1_OBJECT *oid = attest_oid_obj(ATTEST_OID_AA_ATTESTATION);
    const unsigned char *p = der, *end = der + len, *cri_end, *attrs_end, *a_end, *s, *o;
    unsigned char *oid_der = NULL;
    int tag, cls, i, oid_len = i2d_ASN1_OBJECT(oid, &oid_der);
    size_t n = 0;

    if (oid_len <= 0 || !enter(&p, end, &end, &s, &tag, &cls) || !enter(&p, end, &cri_end, &s, &tag, &cls))
        goto done;
    for (i = 0; i < 3; i++) /* version, subject, subjectPKInfo */
        if (!enter(&p, cri_end, &a_end, &s, &tag, &cls) || (p = a_end) > cri_end)
            goto done;
    if (p >= cri_end || !enter(&p, cri_end, &attrs_end, &s, &tag, &cls) || cls != V_ASN1_CONTEXT_SPECIFIC)
        goto done;
    while (p < attrs_end && enter(&p, attrs_end, &a_end, &s, &tag, &cls)) {
        const unsigned char *set_end, *v_end;

        o = p;
        if (!enter(&p, a_end, &v_end, &s, &tag, &cls) || tag != V_ASN1_OBJECT)
            goto done;
        p = v_end;
        if (v_end - o == oid_len && memcmp(o, oid_der, (size_t)oid_len) == 0
            && enter(&p, a_end, &set_end, &s, &tag, &cls)) {
            while (p < set_end && n < cap && enter(&p, set_end, &v_end, &s, &tag, &cls)) {
                off[n++] = (size_t)(s - der);
                p = v_end;
            }
        }
        p = a_end;
    }
done:
    OPENSSL_free(oid_der);
    return n;
}

/*
 * The CertificationRequestInfo as OpenSSL would write it from the parsed
 * fields equals the one received.  OpenSSL caches the received CRI and
 * writes it back on i2d (so re-encoding cannot see inside it); this catches
 * what its templates normalise, e.g. the [0] IMPLICIT SET OF attributes
 * out of order, which the walk cannot tell from any other [0].
 */
static int same_cri(ATTEST_REQ *req, const unsigned char *der, size_t len)
{
    const unsigned char *p = der, *cri;
    unsigned char *re = NULL;
    long plen;
    int tag, cls, n, ok;

    if (ASN1_get_object(&p, &plen, &tag, &cls, (long)len) & 0x80)
        return 0;
    cri = p;
    if (ASN1_get_object(&p, &plen, &tag, &cls, (long)(der + len - p)) & 0x80)
        return 0;
    req->info->enc.modified = 1; /* as i2d_re_X509_REQ_tbs: from the fields, not the kept bytes */
    n = ASN1_item_i2d((ASN1_VALUE *)req->info, &re, ASN1_ITEM_rptr(ATTEST_REQ_INFO));
    req->info->enc.modified = 0; /* equal or refused: the kept bytes stay what is signed over */
    ok = n > 0 && n == (long)(p - cri) + plen && memcmp(re, cri, (size_t)n) == 0;
    OPENSSL_free(re);
    return ok;
}

/* The extensions of the first extensionRequest (or Microsoft's) attribute, as X509_REQ_get_extensions reads them. */
static STACK_OF(X509_EXTENSION) *requested_extensions(const STACK_OF(X509_ATTRIBUTE) *attrs)
{
    static const int nids[] = { NID_ext_req, NID_ms_ext_req };
    const unsigned char *p;
    ASN1_TYPE *t = NULL;
    size_t k;
    int i;

    for (k = 0; k < sizeof(nids) / sizeof(nids[0]) && t == NULL; k++)
        if ((i = X509at_get_attr_by_NID(attrs, nids[k], -1)) >= 0)
            t = X509_ATTRIBUTE_get0_type(X509at_get_attr(attrs, i), 0);
    if (t == NULL || t->type != V_ASN1_SEQUENCE)
        return NULL;
    p = t->value.sequence->data;
    return (STACK_OF(X509_EXTENSION) *)ASN1_item_d2i(NULL, &p, t->value.sequence->length,
                                                     ASN1_ITEM_rptr(X509_EXTENSIONS));
}

STACK_OF(X509_EXTENSION) *attest_csr_requested_extensions(const attest_csr *c)
{
    return c->light != NULL ? requested_extensions(c->light->info->attributes)
         : c->req != NULL   ? X509_REQ_get_extensions(c->req)
                            : NULL;
}

/* Whether the DER of oid (tag, length, contents) occurs anywhere in b[0..n). */
static int holds_oid(const unsigned char *b, size_t n, const ASN1_OBJECT *oid)
{
    const unsigned char *body = OBJ_get0_data(oid), *p = b, *end = b + n;
    size_t len = OBJ_length(oid);

    if (body == NULL || len == 0 || len > 127)
        return 1; /* cannot tell: decode */
    while (end - p >= (ptrdiff_t)len + 2 && (p = memchr(p, V_ASN1_OBJECT, (size_t)(end - p) - len - 1)) != NULL) {
        if (p[1] == len && memcmp(p + 2, body, len) == 0)
            return 1;
        p++;
    }
    return 0;
}

/* Whether an extensionRequest attribute (or Microsoft's) holds oid's DER at all: most requests' do not. */
static int ext_request_may_hold(const STACK_OF(X509_ATTRIBUTE) *attrs, const ASN1_OBJECT *oid)
{
    static const int nids[] = { NID_ext_req, NID_ms_ext_req };
    size_t k;
    int i = -1, j;

    for (k = 0; k < sizeof(nids) / sizeof(nids[0]); k++) {
        while ((i = X509at_get_attr_by_NID(attrs, nids[k], i)) >= 0) {
            X509_ATTRIBUTE *a = X509at_get_attr(attrs, i);

            for (j = 0; j < X509_ATTRIBUTE_count(a); j++) {
                const ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(a, j);

                if (t == NULL || t->type != V_ASN1_SEQUENCE
                    || holds_oid(t->value.sequence->data, (size_t)t->value.sequence->length, oid))
                    return 1;
            }
        }
        i = -1;
    }
    return 0;
}

/* Evidence put inside extensionRequest is not the draft's PKCS#10 form; note it. */
static int find_in_ext_request(const STACK_OF(X509_ATTRIBUTE) *attrs)
{
    STACK_OF(X509_EXTENSION) *exts;
    int found = 0, i;

    /* Decoding the extensions costs a sixth of a request's decode; their bytes say first whether it can matter. */
    if (!ext_request_may_hold(attrs, attest_oid_obj(ATTEST_OID_AA_ATTESTATION)))
        return 0;
    exts = requested_extensions(attrs);

    for (i = 0; i < sk_X509_EXTENSION_num(exts); i++)
        if (OBJ_cmp(X509_EXTENSION_get_object(sk_X509_EXTENSION_value(exts, i)),
                    attest_oid_obj(ATTEST_OID_AA_ATTESTATION))
            == 0)
            found = 1;
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return found;
}

int attest_csr_decode_light(const unsigned char *der, size_t len, attest_csr **out, attest_err *err)
{
    const unsigned char *p = der;
    attest_csr *c = NULL;
    const ASN1_OBJECT *oid = attest_oid_obj(ATTEST_OID_AA_ATTESTATION);
    const STACK_OF(X509_ATTRIBUTE) *attrs;
    size_t opaque[16], n_opaque;
    int i, first = -1;

    *out = NULL;
    if (oid == NULL) {
        attest_err_set(err, "OID table failed to initialise");
        return -1;
    }
    if (len == 0 || len > ATTEST_MAX_INPUT) {
        attest_err_set(err, "request: size %zu outside 1..%d bytes", len, ATTEST_MAX_INPUT);
        return -1;
    }
    if ((c = OPENSSL_zalloc(sizeof(*c))) == NULL)
        goto oom;
    c->light = (ATTEST_REQ *)ASN1_item_d2i(NULL, &p, (long)len, ASN1_ITEM_rptr(ATTEST_REQ));
    if (c->light == NULL) {
        attest_err_set(err, "request: not a PKCS#10 CertificationRequest");
        goto fail;
    }
    if (p != der + len) {
        attest_err_set(err, "request: %zu trailing bytes", len - (size_t)(p - der));
        goto fail;
    }
    if (!attest_der_reencodes(ASN1_ITEM_rptr(ATTEST_REQ), c->light, der, len)) {
        attest_err_set(err, "request: not DER (re-encoding differs)");
        goto fail;
    }
    /* Strict DER all the way down: the walk for what OpenSSL keeps as received, the CRI re-encoded for the rest. */
    n_opaque = attestation_values(der, len, opaque, sizeof(opaque) / sizeof(opaque[0]));
    if (attest_der_strict_canonical(der, len, opaque, n_opaque, err) != 0) {
        attest_err_prefix(err, "request");
        goto fail;
    }
    if (!same_cri(c->light, der, len)) {
        attest_err_set(
            err,
            "request: not DER (the CertificationRequestInfo re-encodes differently, e.g. attributes out of order)");
        goto fail;
    }
    if ((c->spki = attest_spki_from_raw(c->light->info->spki)) == NULL)
        goto oom;
    c->subject = c->light->info->subject;
    c->sig_alg = c->light->sig_alg;
    attrs = c->light->info->attributes;
    for (i = 0; i < X509at_get_attr_count(attrs); i++) {
        X509_ATTRIBUTE *a = X509at_get_attr(attrs, i);

        if (OBJ_cmp(X509_ATTRIBUTE_get0_object(a), oid) == 0) {
            if (c->n_attest_attrs++ == 0)
                first = i;
        }
    }
    c->in_ext_request = find_in_ext_request(attrs);
    if (first >= 0) {
        X509_ATTRIBUTE *a = X509at_get_attr(attrs, first);
        ASN1_TYPE *v;

        c->n_values = X509_ATTRIBUTE_count(a);
        v = X509_ATTRIBUTE_get0_type(a, 0);
        c->value_type = v != NULL ? v->type : -1;
        if (v != NULL && v->type == V_ASN1_SEQUENCE) {
            c->bundle_len = (size_t)v->value.sequence->length;
            c->bundle_der = OPENSSL_memdup(v->value.sequence->data, c->bundle_len);
            if (c->bundle_der == NULL)
                goto oom;
        }
    }
    *out = c;
    return 0;
oom:
    attest_err_set(err, "request: out of memory");
fail:
    attest_csr_free(c);
    return -1;
}

int attest_csr_decode(const unsigned char *der, size_t len, attest_csr **out, attest_err *err)
{
    const unsigned char *p = der;

    if (attest_csr_decode_light(der, len, out, err) != 0)
        return -1;
    /* Same template shape, so this succeeds wherever the light form did (bar memory). */
    if (((*out)->req = d2i_X509_REQ(NULL, &p, (long)len)) == NULL) {
        attest_csr_free(*out);
        *out = NULL;
        attest_err_set(err, "request: not a PKCS#10 CertificationRequest");
        return -1;
    }
    (*out)->subject = X509_REQ_get_subject_name((*out)->req);
    return 0;
}

EVP_PKEY *attest_csr_get0_pubkey(attest_csr *c, OSSL_LIB_CTX *libctx, const char *propq)
{
    if (c->pkey == NULL && !c->pkey_tried) {
        c->pkey_tried = 1;
        c->pkey = attest_spki_pkey(c->spki, libctx, propq);
    }
    return c->pkey;
}

int attest_csr_verify_signature(const attest_csr *c, EVP_PKEY *key, OSSL_LIB_CTX *libctx, const char *propq)
{
    /* What X509_REQ_verify_ex does: over the received CertificationRequestInfo, whatever the algorithm. */
    return ASN1_item_verify_ex(ASN1_ITEM_rptr(ATTEST_REQ_INFO), c->light->sig_alg, c->light->signature, c->light->info,
                               NULL, key, libctx, propq);
}

int attest_csr_add_bundle(X509_REQ *req, const unsigned char *bundle_der, size_t len, attest_err *err)
{
    const ASN1_OBJECT *oid = attest_oid_obj(ATTEST_OID_AA_ATTESTATION);
    X509_ATTRIBUTE *a;
    ASN1_STRING *s;
    int ok;

    if (oid == NULL || X509_REQ_get_attr_by_OBJ(req, oid, -1) >= 0) {
        attest_err_set(err, "request already carries an id-aa-attestation attribute");
        return -1;
    }
    if ((s = ASN1_STRING_new()) == NULL || !ASN1_STRING_set(s, bundle_der, (int)len)) {
        ASN1_STRING_free(s);
        attest_err_set(err, "out of memory");
        return -1;
    }
    a = X509_ATTRIBUTE_create_by_OBJ(NULL, oid, V_ASN1_SEQUENCE, s->data, s->length);
    ASN1_STRING_free(s);
    ok = a != NULL && X509_REQ_add1_attr(req, a);
    X509_ATTRIBUTE_free(a);
    if (!ok) {
        attest_err_set(err, "could not add the id-aa-attestation attribute");
        return -1;
    }
    return 0;
}
