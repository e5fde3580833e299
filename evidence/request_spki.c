/*
 * A request's SubjectPublicKeyInfo set from the key's parameters with
 * X509_PUBKEY_set0_param, not X509_REQ_set_pubkey: on OpenSSL 3.0 the
 * latter builds an OSSL_ENCODER context per call, a fifth of all `new`
 * does for a TPM key.  The RSAPublicKey inside is an ASN.1 template (attest_rsa_public_der).
 */
#include <string.h>
#include <openssl/asn1t.h>
#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "attest/request.h"
#include "attest/spki_key.h"

static int rsa_public_der(EVP_PKEY *key, unsigned char **der)
{
    BIGNUM *n = NULL, *e = NULL;
    int len = -1;

    *der = NULL;
    if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) && EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e))
        len = attest_rsa_public_der(n, e, der);
    BN_free(n);
    BN_free(e);
    return len;
}

static int ec_public(EVP_PKEY *key, unsigned char **point, int *curve)
{
    char group[64];
    size_t len = 0;

    if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL)
        || (*curve = OBJ_sn2nid(group)) == NID_undef
        || !EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0, &len) || len == 0
        || (*point = OPENSSL_malloc(len)) == NULL)
        return -1;
    if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, *point, len, &len)) {
        OPENSSL_free(*point);
        *point = NULL;
        return -1;
    }
    return (int)len;
}

int attest_request_set_spki(X509_REQ *req, EVP_PKEY *key)
{
    X509_PUBKEY *pk = X509_REQ_get_X509_PUBKEY(req);
    unsigned char *der = NULL;
    int len, curve = NID_undef, ok;

    if (pk == NULL)
        return 0;
    if (EVP_PKEY_is_a(key, "RSA")) {
        if ((len = rsa_public_der(key, &der)) <= 0)
            return 0;
        ok = X509_PUBKEY_set0_param(pk, OBJ_nid2obj(NID_rsaEncryption), V_ASN1_NULL, NULL, der, len);
    } else if (EVP_PKEY_is_a(key, "EC")) {
        if ((len = ec_public(key, &der, &curve)) <= 0)
            return 0;
        ok = X509_PUBKEY_set0_param(pk, OBJ_nid2obj(NID_X9_62_id_ecPublicKey), V_ASN1_OBJECT, OBJ_nid2obj(curve), der,
                                    len);
    } else {
        return 0;
    }
    if (!ok)
        OPENSSL_free(der);
    return ok;
}
