/*
 * The android engine on generated evidence: KeyDescriptions built with
 * ASN1_generate_nconf in leaves signed by a test CA in a temporary android/
 * anchor directory.  Each case trips exactly one check id.
 */
#include "android_lab.h"

#include <stdio.h>
#include <string.h>

#include "attest/checks.h"
#include "attest/engine.h"
#include "attest/registry.h"

static void test_parse(void **state)
{
    lab l;
    X509 *x, *certs[1];
    attest_verdict *v;
    size_t n;
    unsigned char *der;
    kd_spec s = good_kd;
    (void)state;

    lab_new(&l);
    /* a certificate without the extension */
    x = cert_new("no KeyDescription", l.leaf_key, l.ca);
    assert_true(X509_sign(x, l.ca_key, EVP_sha256()) > 0);
    v = lab_run(&l, x, NULL);
    assert_only(v, CHK_ANDROID_PARSE, ATTEST_SEV_ERROR);
    attest_verdict_free(v);
    X509_free(x);

    /* a KeyDescription of 7 fields */
    {
        static const unsigned char seven[] = { 0x30, 0x11, 0x02, 0x01, 0x03, 0x0a, 0x01, 0x01, 0x02, 0x01,
                                               0x04, 0x0a, 0x01, 0x01, 0x04, 0x00, 0x04, 0x00, 0x30, 0x00 };
        x = leaf_with(&l, seven, sizeof(seven));
        v = lab_run(&l, x, NULL);
        assert_only(v, CHK_ANDROID_PARSE, ATTEST_SEV_ERROR);
        attest_verdict_free(v);
        X509_free(x);
    }

    /* a known tag twice in one AuthorizationList */
    s.hw_extra = "origin2 = EXP:702,INT:0\n";
    x = leaf_spec(&l, &s);
    v = lab_run(&l, x, NULL);
    assert_only(v, CHK_ANDROID_PARSE, ATTEST_SEV_ERROR);
    assert_non_null(strstr(verdict_failed(v, CHK_ANDROID_PARSE)->detail, "twice"));
    attest_verdict_free(v);
    X509_free(x);

    /* not DER: a BOOLEAN TRUE encoded as 01 (the good leaf's rootOfTrust, patched) */
    der = kd_der(&good_kd, &n);
    {
        size_t i;
        int patched = 0;

        for (i = 0; i + 2 < n && !patched; i++)
            if (der[i] == 0x01 && der[i + 1] == 0x01 && der[i + 2] == 0xff) {
                der[i + 2] = 0x01;
                patched = 1;
            }
        assert_true(patched);
    }
    x = leaf_with(&l, der, n);
    v = lab_run(&l, x, NULL);
    assert_only(v, CHK_ANDROID_PARSE, ATTEST_SEV_ERROR);
    attest_verdict_free(v);
    X509_free(x);

    /* a KeyDescription in a bundle certificate too: only the one nearest the root is KeyMint's */
    x = leaf_spec(&l, &good_kd);
    certs[0] = x;
    {
        run_opts o;

        opts_default(&o, l.trust);
        v = run(&o, x, certs, 1);
    }
    assert_only(v, CHK_ANDROID_PARSE, ATTEST_SEV_ERROR);
    attest_verdict_free(v);
    X509_free(x);
    OPENSSL_free(der);
    lab_free(&l);
}

static void test_security_level(void **state)
{
    lab l;
    kd_spec s = good_kd;
    X509 *x;
    attest_verdict *v;
    (void)state;

    lab_new(&l);
    s.level = s.km_level = 0; /* Software */
    x = leaf_spec(&l, &s);
    v = lab_run(&l, x, NULL);
    assert_only(v, CHK_ANDROID_SECURITY_LEVEL, ATTEST_SEV_ERROR);
    assert_verdict_exit(v, 1);
    attest_verdict_free(v);
    X509_free(x);

    s.level = 1; /* TEE attestation of a software KeyMint key */
    x = leaf_spec(&l, &s);
    v = lab_run(&l, x, NULL);
    assert_only(v, CHK_ANDROID_SECURITY_LEVEL, ATTEST_SEV_ERROR);
    attest_verdict_free(v);
    X509_free(x);
    lab_free(&l);
}

static void test_origin(void **state)
{
    lab l;
    kd_spec s = good_kd;
    X509 *x;
    attest_verdict *v;
    attest_policy pol;
    (void)state;

    lab_new(&l);
    s.origin = ATTEST_ANDROID_IMPORTED;
    x = leaf_spec(&l, &s);
    v = lab_run(&l, x, NULL);
    assert_only(v, CHK_ANDROID_ORIGIN, ATTEST_SEV_ERROR);
    assert_non_null(strstr(verdict_failed(v, CHK_ANDROID_ORIGIN)->detail, "IMPORTED"));
    attest_verdict_free(v);
    /* --allow imported-key: a warning */
    attest_policy_default(&pol);
    pol.allow |= ATTEST_ALLOW_IMPORTED_KEY;
    v = lab_run(&l, x, &pol);
    assert_only(v, CHK_ANDROID_ORIGIN, ATTEST_SEV_WARNING);
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);
    X509_free(x);

    /* origin only software-enforced: nobody in the hardware vouches for it */
    s = good_kd;
    s.sw_extra = "origin = EXP:702,INT:0\n";
    {
        size_t n;
        unsigned char *der = kd_der(&s, &n), *p;

        /* the hardware list comes last: its [702] becomes [703] (same length, a tag the engine ignores) */
        for (p = der + n - 1; p > der + 1 && !(p[-2] == 0xbf && p[-1] == 0x85 && p[0] == 0x3e); p--)
            ;
        assert_true(p > der + 1);
        p[0] = 0x3f;
        x = leaf_with(&l, der, n);
        OPENSSL_free(der);
    }
    v = lab_run(&l, x, NULL);
    assert_only(v, CHK_ANDROID_ORIGIN, ATTEST_SEV_ERROR);
    assert_non_null(strstr(verdict_failed(v, CHK_ANDROID_ORIGIN)->detail, "software-enforced"));
    attest_verdict_free(v);
    X509_free(x);
    lab_free(&l);
}

static void test_boot_state(void **state)
{
    lab l;
    kd_spec s = good_kd;
    X509 *x;
    attest_verdict *v;
    attest_policy pol;
    (void)state;

    lab_new(&l);
    attest_policy_default(&pol);
    pol.android_require_verified_boot = 1;
    s.locked = 0;
    s.boot_state = ATTEST_ANDROID_UNVERIFIED;
    x = leaf_spec(&l, &s);
    v = lab_run(&l, x, NULL);
    assert_only(v, CHK_ANDROID_BOOT_STATE, ATTEST_SEV_WARNING);
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);
    v = lab_run(&l, x, &pol);
    assert_only(v, CHK_ANDROID_BOOT_STATE, ATTEST_SEV_ERROR);
    attest_verdict_free(v);
    X509_free(x);

    s = good_kd;
    s.boot_state = ATTEST_ANDROID_FAILED;
    x = leaf_spec(&l, &s);
    v = lab_run(&l, x, NULL);
    assert_only(v, CHK_ANDROID_BOOT_STATE, ATTEST_SEV_ERROR);
    attest_verdict_free(v);
    X509_free(x);

    s = good_kd;
    s.no_rot = 1;
    x = leaf_spec(&l, &s);
    v = lab_run(&l, x, NULL);
    assert_only(v, CHK_ANDROID_BOOT_STATE, ATTEST_SEV_WARNING);
    attest_verdict_free(v);
    v = lab_run(&l, x, &pol);
    assert_only(v, CHK_ANDROID_BOOT_STATE, ATTEST_SEV_ERROR);
    attest_verdict_free(v);
    X509_free(x);
    lab_free(&l);
}

static void test_generated_affirming(void **state)
{
    lab l;
    X509 *x;
    attest_verdict *v;
    kd_spec s = good_kd;
    (void)state;

    lab_new(&l);
    x = leaf_spec(&l, &good_kd);
    v = lab_run(&l, x, NULL);
    assert_verdict_exit(v, 0);
    attest_verdict_free(v);
    X509_free(x);
    /* unknown tags (here [800] and [724]) are tolerated */
    s.hw_extra = "unknown = EXP:800,INT:5\nmodulehash = EXP:724,OCT:xyz\n";
    x = leaf_spec(&l, &s);
    v = lab_run(&l, x, NULL);
    assert_verdict_exit(v, 0);
    attest_verdict_free(v);
    X509_free(x);
    lab_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),      cmocka_unit_test(test_security_level),      cmocka_unit_test(test_origin),
        cmocka_unit_test(test_boot_state), cmocka_unit_test(test_generated_affirming),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
