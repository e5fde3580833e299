/*
 * A public key from a SubjectPublicKeyInfo without OpenSSL 3.0's per-key
 * decoder context (d2i_PUBKEY builds one for every key: ~170 µs, more than
 * the signature check it is for).  RSA and named-curve EC keys are made with
 * EVP_PKEY_fromdata from their fields (~5 µs); every other algorithm goes
 * through d2i_PUBKEY_ex as before.  The RSAPublicKey is read with an ASN.1
 * template and must re-encode to its bytes (DER); OpenSSL's decoder takes
 * some that do not (BER lengths, a negative modulus), so those go to it.
 * The way back, an RSA or EC key's SPKI from its parameters, skips the
 * encoder context i2d_PUBKEY builds.  (Templates that keep an SPKI undecoded:
 * asn1/spki_item.c.)
 */
#include <limits.h>
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

/*
 * Making an EC key from its fields builds its curve afresh (OpenSSL 3.0:
 * about as much work as verifying a signature with it).  In the default
 * library context a key of the same curve is kept, and each new key is a
 * copy of it with the new point set (decoded and checked on the curve, as
 * from fields).  Other contexts might be freed: no copy is kept for them.
 */
#define EC_TEMPLATES 4

static struct {
    int nid;
    EVP_PKEY *key;
} ec_templates[EC_TEMPLATES];
static CRYPTO_RWLOCK *ec_lock;
static CRYPTO_ONCE ec_once = CRYPTO_ONCE_STATIC_INIT;

static void ec_lock_init(void)
{
    ec_lock = CRYPTO_THREAD_lock_new();
}

static EVP_PKEY *ec_from_template(int nid, const unsigned char *bits, int len)
{
    EVP_PKEY *copy = NULL;
    size_t i;

    if (!CRYPTO_THREAD_run_once(&ec_once, ec_lock_init) || ec_lock == NULL || !CRYPTO_THREAD_read_lock(ec_lock))
        return NULL;
    for (i = 0; i < EC_TEMPLATES && copy == NULL; i++)
        if (ec_templates[i].key != NULL && ec_templates[i].nid == nid)
            copy = EVP_PKEY_dup(ec_templates[i].key);
    CRYPTO_THREAD_unlock(ec_lock);
    if (copy != NULL && EVP_PKEY_set1_encoded_public_key(copy, bits, (size_t)len) != 1) {
        EVP_PKEY_free(copy); /* never the template's point instead */
        copy = NULL;
    }
    return copy;
}

static void ec_keep_template(int nid, EVP_PKEY *key)
{
    size_t i;

    if (!CRYPTO_THREAD_run_once(&ec_once, ec_lock_init) || ec_lock == NULL || !CRYPTO_THREAD_write_lock(ec_lock))
        return;
    for (i = 0; i < EC_TEMPLATES; i++) {
        if (ec_templates[i].key != NULL && ec_templates[i].nid == nid)
            break;
        if (ec_templates[i].key == NULL) {
            if ((ec_templates[i].key = EVP_PKEY_dup(key)) != NULL)
                ec_templates[i].nid = nid;
            break;
        }
    }
    CRYPTO_THREAD_unlock(ec_lock);
}

static EVP_PKEY *ec_key(const ASN1_OBJECT *curve, const unsigned char *bits, int len, OSSL_LIB_CTX *libctx,
                        const char *propq)
{
    int nid = OBJ_obj2nid(curve);
    const char *group = OBJ_nid2sn(nid);
    OSSL_PARAM params[3];
    EVP_PKEY *key;

    if (group == NULL || nid == NID_undef || len < 1)
        return NULL;
    if (libctx == NULL && propq == NULL && (key = ec_from_template(nid, bits, len)) != NULL)
        return key;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)bits, (size_t)len);
    params[2] = OSSL_PARAM_construct_end();
    key = from_params(libctx, propq, "EC", params);
    if (key != NULL && libctx == NULL && propq == NULL)
        ec_keep_template(nid, key);
    return key;
}

/*
 * An algorithm OBJ does not know, which no key management in libctx names
 * either: OpenSSL's decoder would look for one by the same numeric name,
 * find none and make no key, after building its context for nothing.
 */
static int no_key_management(const ASN1_OBJECT *alg, OSSL_LIB_CTX *libctx)
{
    char name[128];
    int n;
    EVP_KEYMGMT *km;

    if (OBJ_obj2nid(alg) != NID_undef || (n = OBJ_obj2txt(name, sizeof(name), alg, 0)) <= 0
        || (size_t)n >= sizeof(name))
        return 0;                               /* the decoder decides */
    km = EVP_KEYMGMT_fetch(libctx, name, NULL); /* any provider's, as the decoder collects them */
    EVP_KEYMGMT_free(km);
    return km == NULL;
}

/*
 * A key the field path refused is final where that path reads the key as
 * OpenSSL's decoder does: a named-curve EC point goes through the same
 * EC_KEY_oct2key.  An RSA key it refused (not DER, or negative) goes to the
 * decoder when retry_rsa is set, since that decoder takes some of those;
 * describing has no use for them.
 */
static EVP_PKEY *spki_pkey(const X509_PUBKEY *spki, OSSL_LIB_CTX *libctx, const char *propq, int retry_rsa)
{
    ASN1_OBJECT *alg = NULL;
    const unsigned char *bits = NULL, *p;
    unsigned char *der = NULL;
    int ptype = 0, len = 0, n, final = 0;
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
        if (ptype == V_ASN1_NULL || ptype == V_ASN1_UNDEF) {
            key = rsa_key(bits, len, libctx, propq);
            final = !retry_rsa;
        }
        break;
    case NID_X9_62_id_ecPublicKey:
        if ((final = ptype == V_ASN1_OBJECT))
            key = ec_key(pval, bits, len, libctx, propq);
        break;
    default: final = no_key_management(alg, libctx); break;
    }
    ERR_pop_to_mark();
    if (key != NULL || final)
        return key;
    /* Every other algorithm, explicit curves, and RSA keys the fast path refused: OpenSSL's decoder. */
    if ((n = i2d_X509_PUBKEY((X509_PUBKEY *)spki, &der)) <= 0)
        return NULL;
    p = der;
    key = d2i_PUBKEY_ex(NULL, &p, n, libctx, propq);
    OPENSSL_free(der);
    return key;
}

EVP_PKEY *attest_spki_pkey(const X509_PUBKEY *spki, OSSL_LIB_CTX *libctx, const char *propq)
{
    return spki_pkey(spki, libctx, propq, 1);
}

EVP_PKEY *attest_spki_pkey_to_describe(const X509_PUBKEY *spki)
{
    return spki_pkey(spki, NULL, NULL, 0);
}

X509_PUBKEY *attest_spki_read(const unsigned char *der, size_t len)
{
    const unsigned char *q = der;
    X509_PUBKEY *spki;

    if (der == NULL || len == 0 || len > LONG_MAX)
        return NULL;
    spki = (X509_PUBKEY *)ASN1_item_d2i(NULL, &q, (long)len, ASN1_ITEM_rptr(ATTEST_LAZY_X509_PUBKEY));
    if (spki != NULL && q != der + len) {
        X509_PUBKEY_free(spki);
        spki = NULL;
    }
    return spki;
}

EVP_PKEY *attest_spki_der_pkey(const unsigned char *der, size_t len, OSSL_LIB_CTX *libctx, const char *propq)
{
    X509_PUBKEY *spki = attest_spki_read(der, len);
    EVP_PKEY *k = spki != NULL ? attest_spki_pkey(spki, libctx, propq) : NULL;

    X509_PUBKEY_free(spki);
    return k;
}

int attest_rsa_public_der(const BIGNUM *n, const BIGNUM *e, unsigned char **der)
{
    ATTEST_RSA_PUB_FIELDS *f = ATTEST_RSA_PUB_FIELDS_new();
    int len = -1;

    *der = NULL;
    if (f != NULL && BN_to_ASN1_INTEGER(n, f->n) != NULL && BN_to_ASN1_INTEGER(e, f->e) != NULL)
        len = i2d_ATTEST_RSA_PUB_FIELDS(f, der);
    ATTEST_RSA_PUB_FIELDS_free(f);
    return len > 0 ? len : -1;
}

int attest_spki_der_of_fields(int alg_nid, int curve_nid, const unsigned char *bits, int len, unsigned char **der)
{
    ATTEST_RAW_SPKI *r = (ATTEST_RAW_SPKI *)ASN1_item_new(ASN1_ITEM_rptr(ATTEST_RAW_SPKI));
    int n = -1, ok;

    *der = NULL;
    if (r == NULL)
        return -1;
    ok = curve_nid != NID_undef ? X509_ALGOR_set0(r->algor, OBJ_nid2obj(alg_nid), V_ASN1_OBJECT, OBJ_nid2obj(curve_nid))
                                : X509_ALGOR_set0(r->algor, OBJ_nid2obj(alg_nid), V_ASN1_NULL, NULL);
    if (ok && ASN1_BIT_STRING_set(r->public_key, (unsigned char *)bits, len)) {
        /* No unused bits: a key's BIT STRING is whole bytes (set it, or i2d would trim trailing zero bits). */
        r->public_key->flags &= ~0x07;
        r->public_key->flags |= ASN1_STRING_FLAG_BITS_LEFT;
        n = ASN1_item_i2d((ASN1_VALUE *)r, der, ASN1_ITEM_rptr(ATTEST_RAW_SPKI));
    }
    ASN1_item_free((ASN1_VALUE *)r, ASN1_ITEM_rptr(ATTEST_RAW_SPKI));
    return n > 0 ? n : -1;
}

int attest_pkey_spki_fields(EVP_PKEY *key, int *alg_nid, int *curve_nid, unsigned char **bits, int *len)
{
    BIGNUM *n = NULL, *e = NULL;
    char group[64];
    size_t plen = 0;

    *bits = NULL;
    *len = -1;
    *curve_nid = NID_undef;
    ERR_set_mark(); /* probes: a key without these parameters is simply not one of these */
    if (EVP_PKEY_is_a(key, "RSA")) {
        *alg_nid = NID_rsaEncryption;
        if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n)
            && EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e))
            *len = attest_rsa_public_der(n, e, bits);
    } else if (EVP_PKEY_is_a(key, "EC")) {
        *alg_nid = NID_X9_62_id_ecPublicKey;
        if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL)
            && (*curve_nid = OBJ_sn2nid(group)) != NID_undef
            && EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0, &plen) && plen > 0
            && plen <= INT_MAX && (*bits = OPENSSL_malloc(plen)) != NULL
            && EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, *bits, plen, &plen))
            *len = (int)plen;
    }
    ERR_pop_to_mark();
    BN_free(n);
    BN_free(e);
    if (*len > 0)
        return 0;
    OPENSSL_free(*bits);
    *bits = NULL;
    return -1;
}

int attest_pkey_spki_der(EVP_PKEY *key, unsigned char **der)
{
    unsigned char *bits = NULL;
    int alg, curve, len, n;

    *der = NULL;
    if (key == NULL)
        return -1;
    if (attest_pkey_spki_fields(key, &alg, &curve, &bits, &len) == 0) {
        n = attest_spki_der_of_fields(alg, curve, bits, len, der);
        OPENSSL_free(bits);
        if (n > 0)
            return n;
    }
    return (n = i2d_PUBKEY(key, der)) > 0 ? n : -1;
}
