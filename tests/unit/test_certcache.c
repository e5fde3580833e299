/*
 * The certificate cache's switch: on (the default), the same bytes give the
 * same decoded certificate; off, each call decodes afresh and nothing stays
 * cached (the fuzz targets rely on that for balanced iterations); on again,
 * caching resumes.  Frozen, the cached certificates stay through any number
 * of others; those others are kept only until the scratch is dropped.  A
 * certificate's SHA-256 is kept with it and equals X509_digest's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/certcache.h"

static unsigned char *der, *der2;
static int der_len, der2_len;

static int cert_der(const char *cn, unsigned char **out)
{
    X509 *x = X509_new();
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509_NAME *n = X509_NAME_new();
    int len;

    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_version(x, 2);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, n);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, k);
    X509_sign(x, k, EVP_sha256());
    len = i2d_X509(x, out);
    X509_NAME_free(n);
    EVP_PKEY_free(k);
    X509_free(x);
    return len;
}

static int make_cert(void **state)
{
    (void)state;
    der_len = cert_der("cache", &der);
    der2_len = cert_der("scratch", &der2);
    return der_len > 0 && der2_len > 0 ? 0 : -1;
}

static int free_cert(void **state)
{
    (void)state;
    OPENSSL_free(der);
    OPENSSL_free(der2);
    return 0;
}

static void test_switch(void **state)
{
    X509 *a, *b;

    (void)state;
    a = attest_cert_from_der(der, (size_t)der_len);
    b = attest_cert_from_der(der, (size_t)der_len);
    assert_non_null(a);
    assert_ptr_equal(a, b); /* cached */
    X509_free(b);

    attest_certcache_set_enabled(0);
    b = attest_cert_from_der(der, (size_t)der_len);
    assert_non_null(b);
    assert_ptr_not_equal(a, b); /* decoded afresh */
    X509_free(b);

    /* Turning it off dropped a: on again, the first call decodes anew and caches that. */
    attest_certcache_set_enabled(1);
    b = attest_cert_from_der(der, (size_t)der_len);
    assert_ptr_not_equal(a, b);
    X509_free(a);
    a = attest_cert_from_der(der, (size_t)der_len);
    assert_ptr_equal(a, b);
    X509_free(a);
    X509_free(b);
    attest_certcache_set_enabled(0); /* nothing left for the leak checker */
}

static void test_frozen_scratch(void **state)
{
    X509 *kept, *a, *b, *c;
    int i;

    (void)state;
    attest_certcache_set_enabled(1);
    kept = attest_cert_from_der(der, (size_t)der_len);
    attest_certcache_freeze();
    a = attest_cert_from_der(der2, (size_t)der2_len);
    b = attest_cert_from_der(der2, (size_t)der2_len);
    assert_non_null(a);
    assert_ptr_equal(a, b); /* kept in the scratch */
    X509_free(b);
    attest_certcache_drop_scratch();
    b = attest_cert_from_der(der2, (size_t)der2_len);
    assert_non_null(b);
    assert_ptr_not_equal(a, b); /* dropped: decoded afresh */
    X509_free(a);
    X509_free(b);
    /* Bytes that do not decode are noted in the scratch, and refused again; other bytes of the same length are not. */
    {
        unsigned char *broken = OPENSSL_memdup(der2, (size_t)der2_len), *resigned = OPENSSL_memdup(der2, (size_t)der2_len);

        broken[0] = 0x31;                  /* a SET: not a certificate */
        resigned[der2_len - 1] ^= 0xff;    /* inside the signature: still a certificate */
        assert_null(attest_cert_from_der(broken, (size_t)der2_len));
        assert_null(attest_cert_from_der(broken, (size_t)der2_len));
        assert_non_null(a = attest_cert_from_der(resigned, (size_t)der2_len));
        X509_free(a);
        assert_non_null(a = attest_cert_from_der(der2, (size_t)der2_len));
        X509_free(a);
        attest_certcache_drop_scratch();
        assert_null(attest_cert_from_der(broken, (size_t)der2_len));
        OPENSSL_free(broken);
        OPENSSL_free(resigned);
    }
    attest_certcache_drop_scratch();
    /* More new certificates than all the slots: the frozen one stays. */
    for (i = 0; i < 64; i++) {
        unsigned char *d = NULL;
        char cn[16];
        int n;

        snprintf(cn, sizeof(cn), "churn %d", i);
        assert_true((n = cert_der(cn, &d)) > 0);
        X509_free(attest_cert_from_der(d, (size_t)n));
        OPENSSL_free(d);
    }
    attest_certcache_drop_scratch();
    c = attest_cert_from_der(der, (size_t)der_len);
    assert_ptr_equal(c, kept);
    X509_free(c);
    X509_free(kept);
    attest_certcache_set_enabled(0);
}

static void digest_is_x509_digest(X509 *x)
{
    unsigned char want[32], got[32];
    unsigned int n = 0;

    assert_true(X509_digest(x, EVP_sha256(), want, &n));
    assert_int_equal(attest_cert_sha256(x, got), 1);
    assert_memory_equal(got, want, sizeof(want));
}

/*
 * A certificate's SHA-256: kept with a cached certificate, computed for any
 * other, the same as X509_digest either way; two certificates, two digests.
 */
static void test_sha256(void **state)
{
    X509 *a, *b, *loose;
    const unsigned char *p = der2;
    unsigned char da[32], db[32];

    (void)state;
    attest_certcache_set_enabled(1);
    a = attest_cert_from_der(der, (size_t)der_len);
    b = attest_cert_from_der(der2, (size_t)der2_len);
    assert_non_null(a);
    assert_non_null(b);
    digest_is_x509_digest(a);
    digest_is_x509_digest(b);
    assert_int_equal(attest_cert_sha256(a, da), 1);
    assert_int_equal(attest_cert_sha256(b, db), 1);
    assert_memory_not_equal(da, db, sizeof(da));
    assert_non_null(loose = d2i_X509(NULL, &p, der2_len)); /* the same bytes, not from the cache */
    digest_is_x509_digest(loose);
    X509_free(loose);
    attest_certcache_set_enabled(0); /* a and b leave the cache: their digests are computed now */
    digest_is_x509_digest(a);
    digest_is_x509_digest(b);
    assert_int_equal(attest_cert_sha256(NULL, da), 0);
    X509_free(a);
    X509_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_switch),
        cmocka_unit_test(test_frozen_scratch),
        cmocka_unit_test(test_sha256),
    };

    return cmocka_run_group_tests(tests, make_cert, free_cert);
}
