/*
 * ATTEST_CACHED_X509: a Certificate inside our ASN.1 templates, decoded
 * through the certificate cache (asn1/certcache.c) instead of d2i_X509.
 * PKIX evidence carries its AK certificate in every request of a batch; on
 * OpenSSL 3.0 each d2i_X509 builds a decoder context for the key, which
 * costs more than the request's signature checks.  The field is still an
 * X509 * (one reference), encoded with i2d_X509.
 */
#include <openssl/asn1t.h>
#include <openssl/x509.h>

#include "attest/certcache.h"

static int cached_new(ASN1_VALUE **pval, const ASN1_ITEM *it)
{
    (void)it;
    *pval = NULL;
    return 1;
}

static void cached_free(ASN1_VALUE **pval, const ASN1_ITEM *it)
{
    (void)it;
    X509_free((X509 *)*pval);
    *pval = NULL;
}

static int cached_d2i_ex(ASN1_VALUE **pval, const unsigned char **in, long len, const ASN1_ITEM *it, int tag,
                         int aclass, char opt, ASN1_TLC *ctx, OSSL_LIB_CTX *libctx, const char *propq)
{
    const unsigned char *p = *in;
    long body = 0;
    int ptag, pclass, r;
    X509 *x;

    (void)it;
    (void)aclass;
    if (tag != -1) /* never implicitly tagged in our templates */
        return 0;
    r = ASN1_get_object(&p, &body, &ptag, &pclass, len);
    if ((r & 0x80) || r == 0x21 || !(r & V_ASN1_CONSTRUCTED) || ptag != V_ASN1_SEQUENCE || pclass != V_ASN1_UNIVERSAL)
        return opt && !(r & 0x80) ? -1 : 0;
    if ((x = attest_cert_from_der_ex(*in, (size_t)(p - *in) + (size_t)body, libctx, propq)) == NULL)
        return 0;
    X509_free((X509 *)*pval);
    *pval = (ASN1_VALUE *)x;
    *in = p + body;
    if (ctx != NULL)
        ctx->valid = 0;
    return 1;
}

static int cached_d2i(ASN1_VALUE **pval, const unsigned char **in, long len, const ASN1_ITEM *it, int tag, int aclass,
                      char opt, ASN1_TLC *ctx)
{
    return cached_d2i_ex(pval, in, len, it, tag, aclass, opt, ctx, NULL, NULL);
}

static int cached_i2d(const ASN1_VALUE **pval, unsigned char **out, const ASN1_ITEM *it, int tag, int aclass)
{
    (void)it;
    (void)aclass;
    return tag == -1 ? i2d_X509((const X509 *)*pval, out) : -1;
}

static const ASN1_EXTERN_FUNCS cached_x509_funcs = {
    NULL, cached_new, cached_free, NULL, cached_d2i, cached_i2d, NULL, NULL, cached_d2i_ex,
};

IMPLEMENT_EXTERN_ASN1(ATTEST_CACHED_X509, V_ASN1_SEQUENCE, cached_x509_funcs)
