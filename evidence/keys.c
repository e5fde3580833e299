/* Signing with keys from any provider (see attest/keys.h). */
#include <stdio.h>
#include <string.h>
#include <openssl/bn.h>
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

/* Two RSA-family keys (RSA, RSA-PSS) hold the same public key when their modulus and exponent match. */
static int same_rsa_public(const EVP_PKEY *a, const EVP_PKEY *b)
{
    BIGNUM *na = NULL, *ea = NULL, *nb = NULL, *eb = NULL;
    int same = EVP_PKEY_get_bn_param(a, OSSL_PKEY_PARAM_RSA_N, &na) && EVP_PKEY_get_bn_param(a, OSSL_PKEY_PARAM_RSA_E, &ea)
            && EVP_PKEY_get_bn_param(b, OSSL_PKEY_PARAM_RSA_N, &nb) && EVP_PKEY_get_bn_param(b, OSSL_PKEY_PARAM_RSA_E, &eb)
            && BN_cmp(na, nb) == 0 && BN_cmp(ea, eb) == 0;

    BN_free(na);
    BN_free(ea);
    BN_free(nb);
    BN_free(eb);
    return same;
}

int attest_key_public_eq(const EVP_PKEY *a, const EVP_PKEY *b)
{
    int same;

    if (a == NULL || b == NULL)
        return 0;
    ERR_set_mark(); /* keys of different types are "not equal", not an error */
    same = EVP_PKEY_eq(a, b) == 1 || (is_rsa(a) && is_rsa(b) && same_rsa_public(a, b));
    ERR_pop_to_mark();
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
