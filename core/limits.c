/* Sizes the per-input limits look at, shared by the trust store and the engines. */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "attest/limits.h"

int attest_rsa_exponent_bits(const EVP_PKEY *key)
{
    BIGNUM *e = NULL;
    unsigned char small[8];
    OSSL_PARAM params[2];
    int bits, got;

    if (key == NULL || !(EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS")))
        return 0;
    ERR_set_mark(); /* a probe */
    /*
     * Into 8 bytes first: EVP_PKEY_get_bn_param pads into a 2 KiB buffer byte
     * by byte, more work than the rest of the check.  Longer exponents (the
     * refused kind) take that way for their exact size.
     */
    params[0] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_E, small, sizeof(small));
    params[1] = OSSL_PARAM_construct_end();
    got = EVP_PKEY_get_params((EVP_PKEY *)key, params) && OSSL_PARAM_modified(params) && OSSL_PARAM_get_BN(params, &e);
    if (!got) {
        BN_free(e);
        e = NULL;
        got = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
    }
    ERR_pop_to_mark();
    if (!got)
        return 0; /* no exponent to read: OpenSSL cannot use the key either */
    bits = BN_num_bits(e);
    BN_free(e);
    return bits;
}
