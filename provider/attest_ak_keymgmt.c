/*
 * ATTEST-AK key management: the key object is a reference to an attestation
 * key that lives in any provider (loaded through OSSL_STORE in the
 * provider's child library context, which sees the caller's providers).
 */
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include "attest/engine.h"
#include "attest/keys.h"
#include "attest/provider.h"
#include "attest_prov.h"

static OSSL_FUNC_keymgmt_new_fn ak_new;
static OSSL_FUNC_keymgmt_free_fn ak_free;
static OSSL_FUNC_keymgmt_has_fn ak_has;
static OSSL_FUNC_keymgmt_import_fn ak_import;
static OSSL_FUNC_keymgmt_import_types_fn ak_import_types;
static OSSL_FUNC_keymgmt_get_params_fn ak_get_params;
static OSSL_FUNC_keymgmt_gettable_params_fn ak_gettable_params;

static void *ak_new(void *provctx)
{
    ATTEST_AK *ak = OPENSSL_zalloc(sizeof(*ak));

    if (ak != NULL)
        ak->prov = provctx;
    return ak;
}

static void ak_free(void *keydata)
{
    ATTEST_AK *ak = keydata;

    if (ak == NULL)
        return;
    EVP_PKEY_free(ak->key);
    X509_free(ak->cert);
    OPENSSL_free(ak->propq);
    OPENSSL_free(ak);
}

static int ak_has(const void *keydata, int selection)
{
    const ATTEST_AK *ak = keydata;

    (void)selection;
    return ak != NULL && ak->key != NULL;
}

static int ak_import(void *keydata, int selection, const OSSL_PARAM params[])
{
    ATTEST_AK *ak = keydata;
    const OSSL_PARAM *p;
    const char *uri = NULL, *propq = NULL;
    const void *der = NULL;
    size_t der_len = 0;

    if (ak == NULL || (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) == 0)
        return 0;
    if ((p = OSSL_PARAM_locate_const(params, ATTEST_AK_PARAM_URI)) == NULL
        || !OSSL_PARAM_get_utf8_string_ptr(p, &uri)) {
        attest_prov_raise(ak->prov, ATTEST_R_KEY_LOAD, "an ATTEST-AK key needs the \"uri\" of the real key");
        return 0;
    }
    if ((p = OSSL_PARAM_locate_const(params, ATTEST_AK_PARAM_PROPQ)) != NULL
        && (!OSSL_PARAM_get_utf8_string_ptr(p, &propq) || (ak->propq = OPENSSL_strdup(propq)) == NULL))
        return 0;
    if ((p = OSSL_PARAM_locate_const(params, ATTEST_AK_PARAM_CERT)) != NULL) {
        const unsigned char *q;

        if (!OSSL_PARAM_get_octet_string_ptr(p, &der, &der_len))
            return 0;
        q = der;
        if ((ak->cert = d2i_X509(NULL, &q, (long)der_len)) == NULL || q != (const unsigned char *)der + der_len) {
            attest_prov_raise(ak->prov, ATTEST_R_KEY_LOAD, "the \"cert\" parameter is not one DER certificate");
            return 0;
        }
        /* A TPM AK signs whatever digest it is handed: it cannot vouch for PKIX claims (design §6). */
        if (attest_ak_cert_is_tpm(ak->cert)) {
            attest_prov_raise(ak->prov, ATTEST_R_KEY_LOAD,
                              "the \"cert\" parameter is a TPM AK certificate: a TPM AK "
                              "cannot sign PKIX evidence (use TPM certify evidence)");
            return 0;
        }
    }
    if ((ak->key = attest_load_private_key(uri, ak->prov->libctx, ak->propq)) == NULL) {
        attest_prov_raise(ak->prov, ATTEST_R_KEY_LOAD, "%s: no private key found", uri);
        return 0;
    }
    if (ak->cert != NULL && attest_key_public_eq(X509_get0_pubkey(ak->cert), ak->key) != 1) {
        attest_prov_raise(ak->prov, ATTEST_R_KEY_LOAD, "%s: the certificate is for another key", uri);
        return 0;
    }
    return 1;
}

static const OSSL_PARAM import_types[] = { OSSL_PARAM_utf8_string(ATTEST_AK_PARAM_URI, NULL, 0),
                                           OSSL_PARAM_utf8_string(ATTEST_AK_PARAM_PROPQ, NULL, 0),
                                           OSSL_PARAM_octet_string(ATTEST_AK_PARAM_CERT, NULL, 0), OSSL_PARAM_END };

static const OSSL_PARAM *ak_import_types(int selection)
{
    (void)selection;
    return import_types;
}

static int ak_get_params(void *keydata, OSSL_PARAM params[])
{
    ATTEST_AK *ak = keydata;
    OSSL_PARAM *p;
    int extra;

    if (ak == NULL || ak->key == NULL)
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_BITS)) != NULL
        && !OSSL_PARAM_set_int(p, EVP_PKEY_get_bits(ak->key)))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_SECURITY_BITS)) != NULL
        && !OSSL_PARAM_set_int(p, EVP_PKEY_get_security_bits(ak->key)))
        return 0;
    /* A SignatureBlock: the signature, the signer (certificate or SPKI), the algorithm. */
    extra = ak->cert != NULL ? i2d_X509(ak->cert, NULL) : i2d_PUBKEY(ak->key, NULL);
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_MAX_SIZE)) != NULL
        && !OSSL_PARAM_set_int(p, EVP_PKEY_get_size(ak->key) + (extra > 0 ? extra : 0) + 256))
        return 0;
    /* The public half, so callers need not load the key a second time. */
    if ((p = OSSL_PARAM_locate(params, ATTEST_AK_PARAM_SPKI)) != NULL) {
        unsigned char *der = NULL;
        int n = i2d_PUBKEY(ak->key, &der), ok = n > 0 && OSSL_PARAM_set_octet_string(p, der, (size_t)n);

        OPENSSL_free(der);
        if (!ok)
            return 0;
    }
    return 1;
}

static const OSSL_PARAM gettable[] = { OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
                                       OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
                                       OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
                                       OSSL_PARAM_octet_string(ATTEST_AK_PARAM_SPKI, NULL, 0), OSSL_PARAM_END };

static const OSSL_PARAM *ak_gettable_params(void *provctx)
{
    (void)provctx;
    return gettable;
}

const OSSL_DISPATCH attest_ak_keymgmt_functions[] = {
    { OSSL_FUNC_KEYMGMT_NEW, (void (*)(void))ak_new },
    { OSSL_FUNC_KEYMGMT_FREE, (void (*)(void))ak_free },
    { OSSL_FUNC_KEYMGMT_HAS, (void (*)(void))ak_has },
    { OSSL_FUNC_KEYMGMT_IMPORT, (void (*)(void))ak_import },
    { OSSL_FUNC_KEYMGMT_IMPORT_TYPES, (void (*)(void))ak_import_types },
    { OSSL_FUNC_KEYMGMT_GET_PARAMS, (void (*)(void))ak_get_params },
    { OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, (void (*)(void))ak_gettable_params },
    { 0, NULL }
};
