/* Sizes the per-input limits look at, shared by the trust store and the engines. */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "attest/limits.h"

int attest_rsa_exponent_bits(const EVP_PKEY *key)
{
    BIGNUM *e = NULL;
    int bits, got;

    if (key == NULL || !(EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS")))
        return 0;
    ERR_set_mark(); /* a probe */
    got = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
    ERR_pop_to_mark();
    if (!got)
        return 0; /* no exponent to read: OpenSSL cannot use the key either */
    bits = BN_num_bits(e);
    BN_free(e);
    return bits;
}
