/*
 * The yubikey engine on made-up certificates and requests: extension forms
 * yubikey.parse refuses, BER in a carried slot certificate, malformed
 * yubico-piv-tool carriers, the U2F-root quirks not applied under another
 * root, and the firmware advisory table.
 */
#include <stdlib.h>
#include <string.h>

#include "yubikey_util.h"

/* Malformed carriers: both .3.1 and .3.11, a duplicate, an undecodable certificate, F9 alone. */
static void test_request_carrier_malformed(void **state)
{
    X509 *slot = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_SLOT);
    unsigned char *s = NULL, *req;
    int sl = der_of(slot, &s);
    static const unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
    const struct {
        ext_t e[2];
        size_t n;
        const char *why;
    } cases[] = {
        { { { ATTEST_YK_OID_SLOT, s, sl }, { ATTEST_YK_OID_CSPN, s, sl } }, 2, "under both" },
        { { { ATTEST_YK_OID_SLOT, s, sl }, { ATTEST_YK_OID_SLOT, s, sl } }, 2, "more than once" },
        { { { ATTEST_YK_OID_SLOT, junk, sizeof(junk) } }, 1, "is not one certificate" },
        { { { ATTEST_YK_OID_F9, s, sl } }, 1, "without a slot attestation certificate" },
    };
    attest_policy pol;
    attest_verdict *v;
    size_t i, len;

    (void)state;
    default_policy(&pol);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        req = request_with(cases[i].e, cases[i].n, &len);
        v = verify_csr(req, len, shipped, &pol);
        if (verdict_failed(v, CHK_BUNDLE_PARSE) == NULL || strstr(verdict_failed(v, CHK_BUNDLE_PARSE)->detail, cases[i].why) == NULL) {
            verdict_dump(v);
            fail_msg("case %zu: want bundle.parse to fail with \"%s\"", i, cases[i].why);
        }
        assert_verdict_exit(v, 1);
        attest_verdict_free(v);
        free(req);
    }
    OPENSSL_free(s);
    X509_free(slot);
}

/* Extension forms yubikey.parse refuses; parse fails before the chain, so a made-up issuer will do. */
static void test_parse_forms(void **state)
{
    static const unsigned char fw2[] = { 5, 7 }, pol_bad[] = { 2, 9 }, ser_ber[] = { 0x02, 0x05, 0x00, 0x01, 0xf8,
                                                                                      0x84, 0x5f },
                               ser_neg[] = { 0x02, 0x01, 0xff }, ff2[] = { 3, 0 };
    const struct {
        ext_t e[4];
        size_t n;
        int ca;
        const char *why;
    } cases[] = {
        { { { ATTEST_YK_OID_POLICY, pol_23, 2 } }, 1, -1, "no firmware extension" },
        { { { ATTEST_YK_OID_FIRMWARE, fw_574, 3 } }, 1, -1, "no PIN/touch policy extension" },
        { { { ATTEST_YK_OID_FIRMWARE, fw2, 2 }, { ATTEST_YK_OID_POLICY, pol_23, 2 } }, 2, -1, "want 3 raw bytes" },
        { { { ATTEST_YK_OID_FIRMWARE, fw_574, 3 }, { ATTEST_YK_OID_POLICY, pol_bad, 2 } }, 2, -1,
          "unknown PIN/touch policy bytes 02 09" },
        { { { ATTEST_YK_OID_FIRMWARE, fw_574, 3 }, { ATTEST_YK_OID_POLICY, pol_23, 2 }, { ATTEST_YK_OID_SERIAL, ser_ber, 7 } },
          3, -1, "not one non-negative DER INTEGER" },
        { { { ATTEST_YK_OID_FIRMWARE, fw_574, 3 }, { ATTEST_YK_OID_POLICY, pol_23, 2 }, { ATTEST_YK_OID_SERIAL, ser_neg, 3 } },
          3, -1, "not one non-negative DER INTEGER" },
        { { { ATTEST_YK_OID_FIRMWARE, fw_574, 3 }, { ATTEST_YK_OID_POLICY, pol_23, 2 }, { ATTEST_YK_OID_FORM, ff2, 2 } },
          3, -1, "want 1 raw bytes" },
        { { { ATTEST_YK_OID_FIRMWARE, fw_574, 3 }, { ATTEST_YK_OID_POLICY, pol_23, 2 }, { ATTEST_YK_OID_POLICY, pol_23, 2 } },
          3, -1, "occurs more than once" },
        { { { ATTEST_YK_OID_FIRMWARE, fw_574, 3 }, { ATTEST_YK_OID_POLICY, pol_23, 2 } }, 2, 0, "is a CA certificate" },
    };
    attest_policy pol;
    size_t i;

    (void)state;
    default_policy(&pol);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        X509 *x = make_cert(tkey, "YubiKey PIV Attestation 9a", NULL, NULL, cases[i].ca, cases[i].e, cases[i].n);
        attest_verdict *v = verify_slot(x, NULL, 0, tkey, shipped, &pol);

        if (!verdict_only_failed(v, CHK_YUBIKEY_PARSE, ATTEST_SEV_ERROR, cases[i].why)) {
            verdict_dump(v);
            fail_msg("case %zu: want only yubikey.parse to fail with \"%s\"", i, cases[i].why);
        }
        assert_int_equal(attest_engine_yubikey.claims_cert(x), 0);
        attest_verdict_free(v);
        X509_free(x);
    }
}

/* A BER length in the slot certificate as a request carries it (the bundle codec itself refuses BER). */
static void test_parse_not_der(void **state)
{
    X509 *slot = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_SLOT);
    X509 *f9 = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_F9);
    unsigned char *der = NULL, *f = NULL, *ber, *req;
    int n = der_of(slot, &der), fl = der_of(f9, &f);
    ext_t exts[2];
    attest_policy pol;
    attest_verdict *v;
    size_t len;

    (void)state;
    default_policy(&pol);
    /* 30 82 LL LL -> 30 83 00 LL LL: a non-minimal length */
    assert_int_equal(der[1], 0x82);
    ber = malloc((size_t)n + 1);
    ber[0] = 0x30;
    ber[1] = 0x83;
    ber[2] = 0x00;
    memcpy(ber + 3, der + 2, (size_t)n - 2);
    exts[0] = (ext_t){ ATTEST_YK_OID_SLOT, ber, n + 1 };
    exts[1] = (ext_t){ ATTEST_YK_OID_F9, f, fl };
    req = request_with(exts, 2, &len);
    v = verify_csr(req, len, shipped, &pol);
    expect_only(v, CHK_YUBIKEY_PARSE, ATTEST_SEV_ERROR, NULL);
    attest_verdict_free(v);
    free(req);
    free(ber);
    OPENSSL_free(der);
    OPENSSL_free(f);
    X509_free(slot);
    X509_free(f9);
}

/*
 * The quirks belong to the U2F root: the same shape (F9 without
 * basicConstraints under a pathlen-0 root) under any other yubikey anchor
 * fails the chain and uses no quirk.
 */
static void test_quirk_only_under_u2f_root(void **state)
{
    EVP_PKEY *rk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048), *fk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ext_t slot_ext[] = { { ATTEST_YK_OID_FIRMWARE, fw_574, 3 },
                         { ATTEST_YK_OID_POLICY, pol_23, 2 },
                         { ATTEST_YK_OID_SERIAL, serial_der, sizeof(serial_der) },
                         { ATTEST_YK_OID_FORM, ff_03, 1 } };
    ext_t f9_ext[] = { { ATTEST_YK_OID_FIRMWARE, fw_574, 3 } };
    X509 *root = make_cert(rk, "Yubico PIV Root CA Serial 263751", NULL, NULL, 0, NULL, 0);
    X509 *f9 = make_cert(fk, "Yubico PIV Attestation", rk, root, -2, f9_ext, 1);
    X509 *slot = make_cert(tkey, "YubiKey PIV Attestation 9a", fk, f9, -2, slot_ext, 4);
    char dir[256];
    attest_trust *t = trust_with(root, dir);
    attest_policy pol;
    attest_verdict *v;

    (void)state;
    default_policy(&pol);
    v = verify_slot(slot, &f9, 1, tkey, t, &pol);
    expect_only(v, CHK_YUBIKEY_CHAIN, ATTEST_SEV_ERROR, "invalid CA certificate");
    assert_null(verdict_check(v, CHK_POLICY_QUIRKS));
    attest_verdict_free(v);
    /* the positive twin: with basicConstraints on F9 and pathlen 1 the made-up chain verifies */
    X509_free(root);
    X509_free(f9);
    X509_free(slot);
    root = make_cert(rk, "Yubico PIV Root CA Serial 263751", NULL, NULL, 1, NULL, 0);
    f9 = make_cert(fk, "Yubico PIV Attestation", rk, root, 0, f9_ext, 1);
    slot = make_cert(tkey, "YubiKey PIV Attestation 9a", fk, f9, -2, slot_ext, 4);
    attest_trust_free(t);
    trust_dir_remove(dir);
    t = trust_with(root, dir);
    v = verify_slot(slot, &f9, 1, tkey, t, &pol);
    assert_verdict_exit(v, 0);
    expect_pass(v, CHK_YUBIKEY_PARSE, "serial 33064031, PIN once, touch cached, form factor usb-c-keychain");
    attest_verdict_free(v);
    attest_trust_free(t);
    trust_dir_remove(dir);
    X509_free(root);
    X509_free(f9);
    X509_free(slot);
    EVP_PKEY_free(rk);
    EVP_PKEY_free(fk);
}

/* A made-up ECC slot certificate on 4.2.6..4.3.4 is not YSA-2017-01's (RSA only); an RSA one is. */
static void test_firmware_table(void **state)
{
    static const unsigned char fw_433[] = { 4, 3, 3 };
    EVP_PKEY *rk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    ext_t slot_ext[] = { { ATTEST_YK_OID_FIRMWARE, fw_433, 3 }, { ATTEST_YK_OID_POLICY, pol_23, 2 } };
    X509 *root = make_cert(rk, "test root", NULL, NULL, 1, NULL, 0);
    X509 *ec = make_cert(tkey, "YubiKey PIV Attestation 9a", rk, root, -2, slot_ext, 2);
    X509 *rsa = make_cert(rk, "YubiKey PIV Attestation 9c", rk, root, -2, slot_ext, 2);
    char dir[256];
    attest_trust *t = trust_with(root, dir);
    attest_policy pol;
    attest_verdict *v;

    (void)state;
    default_policy(&pol);
    v = verify_slot(rsa, NULL, 0, rk, t, &pol);
    expect_only(v, CHK_YUBIKEY_FIRMWARE, ATTEST_SEV_WARNING, "4.3.3: YSA-2017-01");
    attest_verdict_free(v);
    v = verify_slot(ec, NULL, 0, tkey, t, &pol);
    expect_only(v, CHK_YUBIKEY_FIRMWARE, ATTEST_SEV_WARNING, "4.3.3: YSA-2024-03");
    attest_verdict_free(v);
    attest_trust_free(t);
    trust_dir_remove(dir);
    X509_free(root);
    X509_free(ec);
    X509_free(rsa);
    EVP_PKEY_free(rk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_carrier_malformed),
        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_not_der),
        cmocka_unit_test(test_quirk_only_under_u2f_root),
        cmocka_unit_test(test_firmware_table),
    };

    return cmocka_run_group_tests(tests, yk_setup, yk_teardown);
}
