/*
 * Finding the AttestationBundle in a PKCS#10 request.  The attribute value is
 * carried as an ASN1_TYPE of type SEQUENCE whose content is the complete DER
 * of the bundle (OpenSSL keeps the header for V_ASN1_SEQUENCE).
 */
#include <string.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "attest/csr.h"
#include "attest/der.h"
#include "attest/limits.h"
#include "attest/oids.h"

void attest_csr_free(attest_csr *c)
{
    if (c == NULL)
        return;
    X509_REQ_free(c->req);
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
static int same_cri(X509_REQ *req, const unsigned char *der, size_t len)
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
    n = i2d_re_X509_REQ_tbs(req, &re);
    ok = n > 0 && n == (long)(p - cri) + plen && memcmp(re, cri, (size_t)n) == 0;
    OPENSSL_free(re);
    return ok;
}

/* Evidence put inside extensionRequest is not the draft's PKCS#10 form; note it. */
static int find_in_ext_request(X509_REQ *req)
{
    STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
    int found = 0, i;

    for (i = 0; i < sk_X509_EXTENSION_num(exts); i++)
        if (OBJ_cmp(X509_EXTENSION_get_object(sk_X509_EXTENSION_value(exts, i)),
                    attest_oid_obj(ATTEST_OID_AA_ATTESTATION)) == 0)
            found = 1;
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return found;
}

int attest_csr_decode(const unsigned char *der, size_t len, attest_csr **out, attest_err *err)
{
    const unsigned char *p = der;
    attest_csr *c = NULL;
    const ASN1_OBJECT *oid = attest_oid_obj(ATTEST_OID_AA_ATTESTATION);
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
    c->req = d2i_X509_REQ(NULL, &p, (long)len);
    if (c->req == NULL) {
        attest_err_set(err, "request: not a PKCS#10 CertificationRequest");
        goto fail;
    }
    if (p != der + len) {
        attest_err_set(err, "request: %zu trailing bytes", len - (size_t)(p - der));
        goto fail;
    }
    if (!attest_der_reencodes(ASN1_ITEM_rptr(X509_REQ), c->req, der, len)) {
        attest_err_set(err, "request: not DER (re-encoding differs)");
        goto fail;
    }
    /* Strict DER all the way down: the walk for what OpenSSL keeps as received, the CRI re-encoded for the rest. */
    n_opaque = attestation_values(der, len, opaque, sizeof(opaque) / sizeof(opaque[0]));
    if (attest_der_strict_canonical(der, len, opaque, n_opaque, err) != 0) {
        attest_err_prefix(err, "request");
        goto fail;
    }
    if (!same_cri(c->req, der, len)) {
        attest_err_set(err, "request: not DER (the CertificationRequestInfo re-encodes differently, e.g. attributes out of order)");
        goto fail;
    }
    for (i = 0; i < X509_REQ_get_attr_count(c->req); i++) {
        X509_ATTRIBUTE *a = X509_REQ_get_attr(c->req, i);

        if (OBJ_cmp(X509_ATTRIBUTE_get0_object(a), oid) == 0) {
            if (c->n_attest_attrs++ == 0)
                first = i;
        }
    }
    c->in_ext_request = find_in_ext_request(c->req);
    if (first >= 0) {
        X509_ATTRIBUTE *a = X509_REQ_get_attr(c->req, first);
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
