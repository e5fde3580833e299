/*
 * A public key from a SubjectPublicKeyInfo without OpenSSL 3.0's per-key
 * decoder context (d2i_PUBKEY builds one for every key: ~170 µs, more than
 * the signature check it is for).  RSA and named-curve EC keys are made with
 * EVP_PKEY_fromdata from their fields (~5 µs); every other algorithm goes
 * through d2i_PUBKEY_ex as before.  The RSAPublicKey is read with an ASN.1
 * template and must re-encode to its bytes (DER), as OpenSSL's decoder demands.
 */
#include <string.h>
#include <openssl/asn1t.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "attest/spki_key.h"

typedef struct {
    ASN1_INTEGER *n;
    ASN1_INTEGER *e;
} ATTEST_RSA_PUB_FIELDS;

ASN1_SEQUENCE(ATTEST_RSA_PUB_FIELDS) = {
    ASN1_SIMPLE(ATTEST_RSA_PUB_FIELDS, n, ASN1_INTEGER),
    ASN1_SIMPLE(ATTEST_RSA_PUB_FIELDS, e, ASN1_INTEGER),
} ASN1_SEQUENCE_END(ATTEST_RSA_PUB_FIELDS)
IMPLEMENT_ASN1_FUNCTIONS(ATTEST_RSA_PUB_FIELDS)

static EVP_PKEY *from_params(OSSL_LIB_CTX *libctx, const char *propq, const char *type, OSSL_PARAM *params)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(libctx, type, propq);
    EVP_PKEY *key = NULL;

    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0
        || EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        key = NULL;
    EVP_PKEY_CTX_free(ctx);
    return key;
}

static EVP_PKEY *rsa_key(const unsigned char *bits, int len, OSSL_LIB_CTX *libctx, const char *propq)
{
    const unsigned char *p = bits;
    ATTEST_RSA_PUB_FIELDS *f = d2i_ATTEST_RSA_PUB_FIELDS(NULL, &p, len);
    unsigned char *re = NULL;
    BIGNUM *n = NULL, *e = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY *key = NULL;
    int relen;

    if (f == NULL || p != bits + len || (relen = i2d_ATTEST_RSA_PUB_FIELDS(f, &re)) != len
        || memcmp(re, bits, (size_t)len) != 0 || f->n->type != V_ASN1_INTEGER
        || f->e->type != V_ASN1_INTEGER) /* positive, DER */
        goto done;
    if ((n = ASN1_INTEGER_to_BN(f->n, NULL)) == NULL || (e = ASN1_INTEGER_to_BN(f->e, NULL)) == NULL
        || (bld = OSSL_PARAM_BLD_new()) == NULL || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n)
        || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) || (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
        goto done;
    key = from_params(libctx, propq, "RSA", params);
done:
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    OPENSSL_free(re);
    ATTEST_RSA_PUB_FIELDS_free(f);
    return key;
}

static EVP_PKEY *ec_key(const ASN1_OBJECT *curve, const unsigned char *bits, int len, OSSL_LIB_CTX *libctx,
                        const char *propq)
{
    const char *group = OBJ_nid2sn(OBJ_obj2nid(curve));
    OSSL_PARAM params[3];

    if (group == NULL || OBJ_obj2nid(curve) == NID_undef || len < 1)
        return NULL;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)bits, (size_t)len);
    params[2] = OSSL_PARAM_construct_end();
    return from_params(libctx, propq, "EC", params);
}

EVP_PKEY *attest_spki_pkey(const X509_PUBKEY *spki, OSSL_LIB_CTX *libctx, const char *propq)
{
    ASN1_OBJECT *alg = NULL;
    const unsigned char *bits = NULL, *p;
    unsigned char *der = NULL;
    int ptype = 0, len = 0, n;
    const void *pval = NULL;
    const X509_ALGOR *a = NULL;
    EVP_PKEY *key = NULL;

    if (spki == NULL || !X509_PUBKEY_get0_param(&alg, &bits, &len, (X509_ALGOR **)&a, (X509_PUBKEY *)spki))
        return NULL;
    X509_ALGOR_get0(NULL, &ptype, &pval, a);
    ERR_set_mark();
    switch (OBJ_obj2nid(alg)) {
    case NID_rsaEncryption:
        /* Parameters NULL (RFC 3279) or absent, as OpenSSL's own decoder takes them. */
        if (ptype == V_ASN1_NULL || ptype == V_ASN1_UNDEF)
            key = rsa_key(bits, len, libctx, propq);
        break;
    case NID_X9_62_id_ecPublicKey:
        if (ptype == V_ASN1_OBJECT)
            key = ec_key(pval, bits, len, libctx, propq);
        break;
    default: break;
    }
    ERR_pop_to_mark();
    if (key != NULL)
        return key;
    /* Everything else, and anything the fast path refused: OpenSSL's decoder, with its errors. */
    if ((n = i2d_X509_PUBKEY((X509_PUBKEY *)spki, &der)) <= 0)
        return NULL;
    p = der;
    key = d2i_PUBKEY_ex(NULL, &p, n, libctx, propq);
    OPENSSL_free(der);
    return key;
}
