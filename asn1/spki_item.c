/*
 * A SubjectPublicKeyInfo in our ASN.1 templates without its key decoded.
 * ATTEST_RAW_SPKI is the algorithm and the BIT STRING; ATTEST_LAZY_X509_PUBKEY
 * an X509_PUBKEY field read that way (X509_PUBKEY_get0 gives NULL: the key is
 * made on use by attest_spki_pkey).  On OpenSSL 3.0 X509_PUBKEY's own d2i
 * builds a decoder context per key, more work than the signature it serves.
 */
#include <string.h>
#include <openssl/asn1t.h>
#include <openssl/x509.h>

#include "attest/spki_key.h"

ASN1_SEQUENCE(ATTEST_RAW_SPKI) = {
    ASN1_SIMPLE(ATTEST_RAW_SPKI, algor, X509_ALGOR),
    ASN1_SIMPLE(ATTEST_RAW_SPKI, public_key, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(ATTEST_RAW_SPKI)

X509_PUBKEY *attest_spki_from_raw(const ATTEST_RAW_SPKI *r)
{
    const ASN1_OBJECT *obj = NULL;
    const void *pval = NULL;
    ASN1_OBJECT *o = NULL;
    ASN1_STRING *pv = NULL;
    unsigned char *bits = NULL, *der = NULL;
    const unsigned char *q;
    X509_PUBKEY *pk = NULL;
    int ptype = V_ASN1_UNDEF, n;

    X509_ALGOR_get0(&obj, &ptype, &pval, r->algor);
    if ((r->public_key->flags & ASN1_STRING_FLAG_BITS_LEFT && (r->public_key->flags & 0x07) != 0)
        || (ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL && ptype != V_ASN1_OBJECT && ptype != V_ASN1_SEQUENCE)) {
        /* What set0_param would not keep exactly (unused bits, odd parameters): the slow way; no real key has them. */
        if ((n = ASN1_item_i2d((ASN1_VALUE *)r, &der, ASN1_ITEM_rptr(ATTEST_RAW_SPKI))) > 0) {
            q = der;
            pk = d2i_X509_PUBKEY(NULL, &q, n);
        }
        OPENSSL_free(der);
        return pk;
    }
    if ((pk = X509_PUBKEY_new()) == NULL || (o = OBJ_dup(obj)) == NULL)
        goto fail;
    if (ptype == V_ASN1_OBJECT) {
        if ((pval = OBJ_dup(pval)) == NULL)
            goto fail;
    } else if (ptype == V_ASN1_SEQUENCE) {
        if ((pv = ASN1_STRING_dup(pval)) == NULL)
            goto fail;
        pval = pv;
    } else {
        pval = NULL;
    }
    if (r->public_key->length > 0
        && (bits = OPENSSL_memdup(r->public_key->data, (size_t)r->public_key->length)) == NULL)
        goto fail_pval;
    if (!X509_PUBKEY_set0_param(pk, o, ptype, (void *)pval, bits, r->public_key->length))
        goto fail_pval;
    return pk;
fail_pval:
    if (ptype == V_ASN1_OBJECT)
        ASN1_OBJECT_free((ASN1_OBJECT *)pval);
    else
        ASN1_STRING_free(pv);
    OPENSSL_free(bits);
fail:
    ASN1_OBJECT_free(o);
    X509_PUBKEY_free(pk);
    return NULL;
}

/* ATTEST_LAZY_X509_PUBKEY: d2i reads the fields (ATTEST_RAW_SPKI), i2d is i2d_X509_PUBKEY. */
static int lazy_new(ASN1_VALUE **pval, const ASN1_ITEM *it)
{
    (void)it;
    *pval = NULL;
    return 1;
}

static void lazy_free(ASN1_VALUE **pval, const ASN1_ITEM *it)
{
    (void)it;
    X509_PUBKEY_free((X509_PUBKEY *)*pval);
    *pval = NULL;
}

/* Tagging (an IMPLICIT [6] in CRMF's CertTemplate) is the raw template's to read, then X509_PUBKEY's to write. */
static int lazy_d2i(ASN1_VALUE **pval, const unsigned char **in, long len, const ASN1_ITEM *it, int tag, int aclass,
                    char opt, ASN1_TLC *ctx)
{
    ASN1_VALUE *raw = NULL;
    const unsigned char *p = *in;
    X509_PUBKEY *pk;
    int r;

    (void)it;
    if ((r = ASN1_item_ex_d2i(&raw, &p, len, ASN1_ITEM_rptr(ATTEST_RAW_SPKI), tag, aclass, opt, ctx)) <= 0)
        return r; /* -1: an OPTIONAL field that is absent */
    pk = attest_spki_from_raw((ATTEST_RAW_SPKI *)raw);
    ASN1_item_free(raw, ASN1_ITEM_rptr(ATTEST_RAW_SPKI));
    if (pk == NULL)
        return 0;
    X509_PUBKEY_free((X509_PUBKEY *)*pval);
    *pval = (ASN1_VALUE *)pk;
    *in = p;
    return 1;
}

static int lazy_i2d(const ASN1_VALUE **pval, unsigned char **out, const ASN1_ITEM *it, int tag, int aclass)
{
    (void)it;
    return ASN1_item_ex_i2d(pval, out, ASN1_ITEM_rptr(X509_PUBKEY), tag, aclass);
}

static const ASN1_EXTERN_FUNCS lazy_pubkey_funcs = {
    NULL, lazy_new, lazy_free, NULL, lazy_d2i, lazy_i2d, NULL, NULL, NULL,
};

IMPLEMENT_EXTERN_ASN1(ATTEST_LAZY_X509_PUBKEY, V_ASN1_SEQUENCE, lazy_pubkey_funcs)
