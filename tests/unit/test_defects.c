/*
 * Error-path defects (issue 11 item 6), one test each: messages on every
 * bundle failure, NULL err accepted, out-of-memory never cached as a chain
 * verdict, and the caller's OpenSSL error queue left alone when signing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "alloc_inject.h"
#include "attest/bundle.h"
#include "attest/csr.h"
#include "attest/oids.h"
#include "attest/pkix_produce.h"
#include "attest/tpm2_produce.h"
#include "attest/verdict.h"

#define SAMPLE   "csr-attestation/tcgAttestTpmCertify.9245d16.pem"
#define SENTINEL "uninitialised-text"

/* Every failed bundle decode writes its own whole message (none prefixes stale text). */
static void test_bundle_failure_always_has_message(void **state)
{
    size_t len;
    unsigned char *der = load_der(SAMPLE, &len);
    attest_csr *c = NULL;
    attest_err err;
    long n;
    int failures = 0;

    (void)state;
    assert_int_equal(attest_csr_decode(der, len, &c, &err), 0);
    for (n = 0; n < 100000; n++) {
        attest_bundle *b = NULL;
        int r;

        snprintf(err.msg, sizeof(err.msg), SENTINEL);
        arm(n);
        r = attest_bundle_decode(c->bundle_der, c->bundle_len, &b, &err);
        fail_at = -1;
        attest_bundle_free(b);
        if (!injected) {
            assert_int_equal(r, 0);
            break;
        }
        if (r != 0) {
            failures++;
            if (strstr(err.msg, SENTINEL) != NULL || strncmp(err.msg, "bundle", 6) != 0)
                fail_msg("allocation %ld: message \"%s\"", n, err.msg);
        }
    }
    assert_true(failures > 0);
    attest_csr_free(c);
    OPENSSL_free(der);
}

/*
 * A chain check that ran out of memory is no verdict: the next check of the
 * same chain in the batch must reach the real answer.  err = NULL is allowed.
 */
static void test_trust_oom_not_cached(void **state)
{
    size_t len;
    unsigned char *der = load_der(SAMPLE, &len);
    attest_csr *c = NULL;
    attest_bundle *b = NULL;
    attest_err err;
    long n;

    (void)state;
    assert_int_equal(attest_csr_decode(der, len, &c, &err), 0);
    assert_int_equal(attest_bundle_decode(c->bundle_der, c->bundle_len, &b, &err), 0);
    for (n = 0; n < 100000; n++) {
        attest_trust *t = attest_trust_new();
        int r;

        assert_non_null(t);
        assert_int_equal(attest_trust_add_anchor(t, sk_X509_value(b->certs, 1)), 0);
        attest_trust_set_time(t, 1730419200);
        arm(n);
        r = attest_trust_verify(t, sk_X509_value(b->certs, 0), b->certs, NULL);
        fail_at = -1;
        if (!injected) {
            assert_int_equal(r, 0);
            attest_trust_free(t);
            break;
        }
        if (attest_trust_verify(t, sk_X509_value(b->certs, 0), b->certs, &err) != 0)
            fail_msg("allocation %ld: the retry failed: %s", n, err.msg);
        attest_trust_free(t);
    }
    attest_bundle_free(b);
    attest_csr_free(c);
    OPENSSL_free(der);
}

/* Argument errors with err = NULL: a plain failure, no dereference (UBSan watches). */
static void test_tpm2_produce_null_err(void **state)
{
    unsigned char *stmt = NULL;
    size_t stmt_len = 0;
    attest_err err;

    (void)state;
    assert_int_not_equal(attest_tpm2_produce(NULL, NULL, 0, NULL, 0, &stmt, &stmt_len, NULL, NULL), 0);
    assert_int_not_equal(attest_tpm2_produce(NULL, NULL, 0, NULL, 0, &stmt, &stmt_len, NULL, &err), 0);
    assert_non_null(strstr(err.msg, "invalid argument"));
    assert_null(stmt);
}

/* Signing must not wipe errors the caller (the provider's caller) already queued. */
static void test_sign_keeps_caller_error_queue(void **state)
{
    EVP_PKEY *subject = EVP_EC_gen("P-256"), *ak = EVP_EC_gen("P-256");
    attest_pkix_claims cl;
    attest_pkix_signer s = { ak, NULL, NULL, 0 };
    unsigned char *tbs = NULL, *block = NULL, *der = NULL;
    size_t tbs_len = 0, block_len = 0, der_len = 0;
    attest_err err;

    (void)state;
    assert_non_null(subject);
    assert_non_null(ak);
    attest_pkix_claims_init(&cl);
    cl.key = subject;
    cl.key_id = "k1";
    ERR_clear_error();
    assert_int_equal(attest_pkix_make_tbs(&cl, &ak, 1, &tbs, &tbs_len, &err), 0);

    ERR_raise_data(ERR_LIB_USER, 4711, "caller's error");
    assert_int_equal(attest_pkix_sign_tbs(tbs, tbs_len, &s, NULL, NULL, &block, &block_len, &err), 0);
    assert_int_equal(ERR_GET_REASON(ERR_peek_last_error()), 4711);
    assert_int_equal(attest_pkix_make_tbs(&cl, &ak, 1, &der, &der_len, &err), 0);
    assert_int_equal(ERR_GET_REASON(ERR_peek_last_error()), 4711);
    OPENSSL_free(der);
    assert_int_equal(attest_pkix_build(&cl, &s, 1, NULL, NULL, &der, &der_len, &err), 0);
    assert_int_equal(ERR_GET_REASON(ERR_peek_last_error()), 4711);
    ERR_clear_error();

    OPENSSL_free(der);
    OPENSSL_free(block);
    OPENSSL_free(tbs);
    EVP_PKEY_free(subject);
    EVP_PKEY_free(ak);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundle_failure_always_has_message),
        cmocka_unit_test(test_trust_oom_not_cached),
        cmocka_unit_test(test_tpm2_produce_null_err),
        cmocka_unit_test(test_sign_keeps_caller_error_queue),
    };

    /* Must come before OpenSSL allocates anything. */
    if (!alloc_inject_install() || !attest_oids_init())
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
