/* Signing with keys from any provider (see attest/keys.h). */
#include <stdio.h>
#include <string.h>
#include <openssl/x509.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/provider.h>
#include <openssl/store.h>

#include "attest/keys.h"

const char *attest_key_propq(const EVP_PKEY *key, const char *propq, char *buf, size_t len)
{
    const OSSL_PROVIDER *prov = EVP_PKEY_get0_provider(key);

    if (propq != NULL || prov == NULL)
        return propq;
    snprintf(buf, len, "?provider=%s", OSSL_PROVIDER_get0_name(prov));
    return buf;
}

static int is_rsa(const EVP_PKEY *k)
{
    return EVP_PKEY_is_a(k, "RSA") || EVP_PKEY_is_a(k, "RSA-PSS");
}

/* The subjectPublicKey bits: RSAPublicKey for both RSA and RSA-PSS. */
static int public_bits(const EVP_PKEY *k, unsigned char **der, const unsigned char **bits, int *len)
{
    const unsigned char *p;
    X509_PUBKEY *pub;
    int n;

    *der = NULL;
    if ((n = i2d_PUBKEY(k, der)) <= 0)
        return 0;
    p = *der;
    if ((pub = d2i_X509_PUBKEY(NULL, &p, n)) == NULL)
        return 0;
    /* bits point into pub; copy them out before it goes. */
    if (!X509_PUBKEY_get0_param(NULL, bits, len, NULL, pub) || *len <= 0) {
        X509_PUBKEY_free(pub);
        return 0;
    }
    memmove(*der, *bits, (size_t)*len);
    *bits = *der;
    X509_PUBKEY_free(pub);
    return 1;
}

int attest_key_public_eq(const EVP_PKEY *a, const EVP_PKEY *b)
{
    unsigned char *da = NULL, *db = NULL;
    const unsigned char *ba, *bb;
    int la = 0, lb = 0, same;

    if (a == NULL || b == NULL)
        return 0;
    ERR_set_mark(); /* keys of different types are "not equal", not an error */
    same = EVP_PKEY_eq(a, b) == 1
        || (is_rsa(a) && is_rsa(b) && public_bits(a, &da, &ba, &la) && public_bits(b, &db, &bb, &lb) && la == lb
            && memcmp(ba, bb, (size_t)la) == 0);
    ERR_pop_to_mark();
    OPENSSL_free(da);
    OPENSSL_free(db);
    return same;
}

EVP_PKEY *attest_load_private_key(const char *uri, OSSL_LIB_CTX *libctx, const char *propq)
{
    OSSL_STORE_CTX *st = OSSL_STORE_open_ex(uri, libctx, propq, NULL, NULL, NULL, NULL, NULL);
    EVP_PKEY *key = NULL;

    if (st == NULL)
        return NULL;
    /* The store tries decoder after decoder: only a failure's reasons are worth keeping. */
    ERR_set_mark();
    OSSL_STORE_expect(st, OSSL_STORE_INFO_PKEY);
    while (key == NULL && !OSSL_STORE_eof(st)) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(st);

        if (info == NULL)
            break;
        if (OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_PKEY)
            key = OSSL_STORE_INFO_get1_PKEY(info);
        OSSL_STORE_INFO_free(info);
    }
    OSSL_STORE_close(st);
    if (key != NULL)
        ERR_pop_to_mark();
    else
        ERR_clear_last_mark();
    return key;
}

void attest_sigalg_canonical(X509_ALGOR *alg)
{
    int pk_nid = NID_undef;

    /* ecdsa-with-SHA* take no parameters (RFC 5758); some providers write NULL. */
    if (alg != NULL && OBJ_find_sigid_algs(OBJ_obj2nid(alg->algorithm), NULL, &pk_nid)
        && pk_nid == NID_X9_62_id_ecPublicKey)
        X509_ALGOR_set0(alg, OBJ_dup(alg->algorithm), V_ASN1_UNDEF, NULL);
}

const char *attest_default_md(const EVP_PKEY *key)
{
    const char *t = EVP_PKEY_get0_type_name(key);
    int bits = EVP_PKEY_get_bits(key);

    if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448")
        || (t != NULL && (strncmp(t, "ML-DSA-", 7) == 0 || strncmp(t, "SLH-DSA-", 8) == 0)))
        return NULL;
    if (EVP_PKEY_is_a(key, "EC"))
        return bits > 384 ? "SHA512" : bits > 256 ? "SHA384" : "SHA256";
    return "SHA256";
}
