/*
 * Bounded work per input (limits.h): RSA public exponents are checked before
 * any signature operation with their key, and the signature operations of
 * one input share one budget in its attest_vctx.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>

#include "attest/checks.h"
#include "attest/engine.h"
#include "attest/limits.h"

int attest_vctx_key_usable(attest_vctx *v, const EVP_PKEY *key, const char *where)
{
    int bits = attest_rsa_exponent_bits(key);
    size_t used = strlen(v->big_e);

    if (bits <= ATTEST_MAX_RSA_EXPONENT_BITS)
        return 1;
    v->n_big_e++;
    snprintf(v->big_e + used, sizeof(v->big_e) - used, "%s%s (%d-bit exponent)", used ? ", " : "", where, bits);
    return 0;
}

int attest_vctx_sig_op(attest_vctx *v)
{
    if (v->sig_ops >= ATTEST_MAX_SIG_OPS) {
        v->sig_ops_refused++;
        return 0;
    }
    v->sig_ops++;
    return 1;
}

void attest_vctx_limits_checks(const attest_vctx *v, attest_checks *c)
{
    if (v->n_big_e > 0)
        attest_fail(c, CHK_LIMITS_RSA_EXPONENT, "%d key(s) refused, RSA public exponent over %d bits: %s", v->n_big_e,
                    ATTEST_MAX_RSA_EXPONENT_BITS, v->big_e);
    else
        attest_pass(c, CHK_LIMITS_RSA_EXPONENT, "no RSA public exponent over %d bits", ATTEST_MAX_RSA_EXPONENT_BITS);
    if (v->sig_ops_refused > 0)
        attest_fail(c, CHK_LIMITS_SIGNATURES,
                    "the cap of %d signature operations per input is spent; %d more were "
                    "refused and what needed them is not verified",
                    ATTEST_MAX_SIG_OPS, v->sig_ops_refused);
    else
        attest_pass(c, CHK_LIMITS_SIGNATURES, "%d of at most %d signature operations", v->sig_ops, ATTEST_MAX_SIG_OPS);
}
