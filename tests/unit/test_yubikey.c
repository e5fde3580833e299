/*
 * The yubikey engine on the real samples (tests/vectors/vendors/yubikey):
 * the verdicts SOURCES.md implies, the U2F-root quirks on the 2018 chain
 * and --strict refusing them, and a negative per check id built from the
 * samples (wrong key, no yubikey anchors, a tampered slot certificate,
 * minimum policies).  Made-up forms: test_yubikey_forms.c.
 */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "yubikey_util.h"

/* 5.7.4 (BOM, new PKI): slot <- F9 <- PIV Attestation B 1 <- Intermediate B 1 (shipped) <- Attestation Root 1. */
static void test_sample_574_affirming(void **state)
{
    attest_policy pol;
    attest_verdict *v;

    (void)state;
    default_policy(&pol);
    v = verify_sample(YK "tmc_csr_5_7_4_standard.pem", shipped, &pol);
    assert_verdict_exit(v, 0);
    expect_pass(v, CHK_YUBIKEY_PARSE, "firmware 5.7.4, serial 33064031, PIN once, touch cached, form factor usb-c-keychain");
    expect_pass(v, CHK_YUBIKEY_CHAIN, "5 certificate(s) to yubikey anchor /CN=Yubico Attestation Root 1");
    expect_pass(v, CHK_CHAIN_ANCHOR_EXPIRY, "9999-12-31");
    expect_pass(v, CHK_YUBIKEY_KEY_BINDING, NULL);
    expect_pass(v, CHK_YUBIKEY_FIRMWARE, "FIPS no, CSPN no");
    assert_null(verdict_check(v, CHK_POLICY_QUIRKS));
    assert_string_equal(attest_verdict_statement_kind(v, 0), "yubikey-piv");
    attest_verdict_free(v);
}

/* 5.4.3, P-384, PIV root: YSA-2024-03 warns; with vulnerable_firmware_fails it fails. */
static void test_sample_attestation_1_firmware(void **state)
{
    attest_policy pol;
    attest_verdict *v;

    (void)state;
    default_policy(&pol);
    v = verify_sample(YK "tmc_attestation_1.pem", shipped, &pol);
    assert_verdict_exit(v, 3);
    expect_only(v, CHK_YUBIKEY_FIRMWARE, ATTEST_SEV_WARNING, "firmware 5.4.3: YSA-2024-03");
    expect_pass(v, CHK_YUBIKEY_CHAIN, "Yubico PIV Root CA Serial 263751");
    expect_pass(v, CHK_YUBIKEY_PARSE, "serial 19661687");
    attest_verdict_free(v);
    pol.vulnerable_firmware_fails = 1;
    v = verify_sample(YK "tmc_attestation_1.pem", shipped, &pol);
    assert_verdict_exit(v, 1);
    expect_only(v, CHK_YUBIKEY_FIRMWARE, ATTEST_SEV_ERROR, "YSA-2024-03");
    attest_verdict_free(v);
}

/* 5.7.2, RSA-2048: the slot certificate under .3.11 in the request. */
static void test_sample_572_dot11(void **state)
{
    attest_policy pol;
    attest_verdict *v;

    (void)state;
    default_policy(&pol);
    v = verify_sample(YK "tmc_5_7_2.pem", shipped, &pol);
    assert_verdict_exit(v, 0);
    expect_pass(v, CHK_YUBIKEY_PARSE, "firmware 5.7.2, serial 30000948, PIN once, touch never, form factor usb-c-bio");
    expect_pass(v, CHK_YUBIKEY_KEY_BINDING, NULL);
    attest_verdict_free(v);
}

/* piv-go 2018: F9 under the U2F root, both quirks named in policy.quirks; ECC on 4.3.7 warns too. */
static void test_sample_2018_quirks(void **state)
{
    X509 *slot = read_cert(YK "piv-go_slot9a-key-cert-2018.pem"), *f9 = read_cert(YK "piv-go_f9-device-cert-2018.pem");
    const attest_check *q, *fw;
    attest_policy pol;
    attest_verdict *v;

    (void)state;
    default_policy(&pol);
    v = verify_slot(slot, &f9, 1, X509_get0_pubkey(slot), shipped, &pol);
    assert_verdict_exit(v, 3);
    expect_pass(v, CHK_YUBIKEY_CHAIN, "Yubico U2F Root CA Serial 457200631");
    expect_pass(v, CHK_YUBIKEY_KEY_BINDING, NULL);
    expect_pass(v, CHK_YUBIKEY_POLICY, "PIN policy once, touch policy never");
    expect_pass(v, CHK_YUBIKEY_PARSE, "firmware 4.3.7, serial absent, PIN once, touch never, form factor absent");
    q = verdict_check(v, CHK_POLICY_QUIRKS);
    assert_non_null(q);
    assert_int_equal(q->severity, ATTEST_SEV_WARNING);
    assert_non_null(strstr(q->detail, "yubikey-f9-no-basic-constraints"));
    assert_non_null(strstr(q->detail, "yubikey-u2f-root-pathlen"));
    fw = verdict_check(v, CHK_YUBIKEY_FIRMWARE);
    assert_int_equal(fw->severity, ATTEST_SEV_WARNING);
    assert_non_null(strstr(fw->detail, "4.3.7: YSA-2024-03"));
    attest_verdict_free(v);
    X509_free(slot);
    X509_free(f9);
}

/* --strict refuses the F9 quirk: the chain fails there and policy.quirks names it. */
static void test_2018_strict_refuses(void **state)
{
    X509 *slot = read_cert(YK "piv-go_slot9a-key-cert-2018.pem"), *f9 = read_cert(YK "piv-go_f9-device-cert-2018.pem");
    const attest_check *q, *c;
    attest_policy pol;
    attest_verdict *v;

    (void)state;
    default_policy(&pol);
    pol.strict_shape = 1;
    v = verify_slot(slot, &f9, 1, X509_get0_pubkey(slot), shipped, &pol);
    assert_verdict_exit(v, 1);
    c = verdict_failed(v, CHK_YUBIKEY_CHAIN);
    assert_non_null(c);
    assert_non_null(strstr(c->detail, "invalid CA certificate"));
    q = verdict_failed(v, CHK_POLICY_QUIRKS);
    assert_non_null(q);
    assert_int_equal(q->severity, ATTEST_SEV_ERROR);
    assert_non_null(strstr(q->detail, "refused by --strict: yubikey-f9-no-basic-constraints"));
    attest_verdict_free(v);
    X509_free(slot);
    X509_free(f9);
}

/* The 2018 chain judged at a set time, and before its certificates were valid. */
static void test_2018_at_time(void **state)
{
    X509 *slot = read_cert(YK "piv-go_slot9a-key-cert-2018.pem"), *f9 = read_cert(YK "piv-go_f9-device-cert-2018.pem");
    char dir[1024];
    const char *src = getenv("ATTEST_SRC");
    attest_trust *t = attest_trust_new();
    attest_policy pol;
    attest_verdict *v;
    attest_err err;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/share/attest/anchors", src);
    assert_int_equal(attest_trust_add_dir(t, dir, NULL, NULL, &err), 0);
    attest_trust_set_time(t, 1530403200); /* 2018-07-01 */
    default_policy(&pol);
    v = verify_slot(slot, &f9, 1, X509_get0_pubkey(slot), t, &pol);
    expect_pass(v, CHK_YUBIKEY_CHAIN, "at 2018-07-01T00:00:00Z");
    attest_verdict_free(v);
    attest_trust_free(t);
    t = attest_trust_new();
    assert_int_equal(attest_trust_add_dir(t, dir, NULL, NULL, &err), 0);
    attest_trust_set_time(t, 1388534400); /* 2014-01-01: not yet valid */
    v = verify_slot(slot, &f9, 1, X509_get0_pubkey(slot), t, &pol);
    assert_non_null(verdict_failed(v, CHK_YUBIKEY_CHAIN));
    attest_verdict_free(v);
    attest_trust_free(t);
    X509_free(slot);
    X509_free(f9);
}

/* The 5.7.4 slot and F9 certificates judged against another key. */
static void test_wrong_key(void **state)
{
    X509 *slot = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_SLOT);
    X509 *f9 = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_F9);
    X509 *other = carried(YK "tmc_5_7_2.pem", ATTEST_YK_OID_CSPN);
    attest_policy pol;
    attest_verdict *v;

    (void)state;
    default_policy(&pol);
    v = verify_slot(slot, &f9, 1, tkey, shipped, &pol);
    expect_only(v, CHK_YUBIKEY_KEY_BINDING, ATTEST_SEV_ERROR, "not the subject key");
    assert_verdict_exit(v, 1);
    attest_verdict_free(v);
    /* another YubiKey's slot key (RSA) */
    v = verify_slot(slot, &f9, 1, X509_get0_pubkey(other), shipped, &pol);
    expect_only(v, CHK_YUBIKEY_KEY_BINDING, ATTEST_SEV_ERROR, NULL);
    attest_verdict_free(v);
    X509_free(other);
    X509_free(slot);
    X509_free(f9);
}

static void test_wrong_key_request(void **state)
{
    X509 *slot = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_SLOT);
    X509 *f9 = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_F9);
    unsigned char *s = NULL, *f = NULL, *req;
    ext_t exts[2];
    attest_policy pol;
    attest_verdict *v;
    size_t len;

    (void)state;
    exts[0] = (ext_t){ ATTEST_YK_OID_SLOT, s, der_of(slot, &s) };
    exts[0].val = s;
    exts[1] = (ext_t){ ATTEST_YK_OID_F9, f, der_of(f9, &f) };
    exts[1].val = f;
    req = request_with(exts, 2, &len);
    default_policy(&pol);
    v = verify_csr(req, len, shipped, &pol);
    expect_only(v, CHK_YUBIKEY_KEY_BINDING, ATTEST_SEV_ERROR, NULL);
    attest_verdict_free(v);
    free(req);
    OPENSSL_free(s);
    OPENSSL_free(f);
    X509_free(slot);
    X509_free(f9);
}

/* Anchors: none for yubikey, or only the U2F root for the 5.7.4 chain. */
static void test_unknown_root(void **state)
{
    X509 *slot = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_SLOT);
    X509 *f9 = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_F9);
    X509 *u2f = read_cert(YK "piv-go_yubico-u2f-root-ca-457200631.pem");
    attest_trust *none = attest_trust_new(), *t;
    attest_policy pol;
    attest_verdict *v;
    char dir[256];

    (void)state;
    default_policy(&pol);
    assert_int_equal(attest_trust_add_anchor(none, u2f), 0); /* an anchor, but not in the yubikey scope */
    v = verify_slot(slot, &f9, 1, X509_get0_pubkey(slot), none, &pol);
    expect_only(v, CHK_YUBIKEY_CHAIN, ATTEST_SEV_ERROR, "no yubikey anchors");
    attest_verdict_free(v);
    /* the binding is still judged (new --evidence-file asks it without anchors); policy and firmware are not */
    v = verify_slot(slot, &f9, 1, tkey, none, &pol);
    assert_non_null(verdict_failed(v, CHK_YUBIKEY_KEY_BINDING));
    assert_int_equal(verdict_check(v, CHK_YUBIKEY_FIRMWARE)->result, ATTEST_CHECK_SKIP);
    assert_int_equal(verdict_check(v, CHK_YUBIKEY_POLICY)->result, ATTEST_CHECK_SKIP);
    attest_verdict_free(v);
    t = trust_with(u2f, dir);
    v = verify_slot(slot, &f9, 1, X509_get0_pubkey(slot), t, &pol);
    expect_only(v, CHK_YUBIKEY_CHAIN, ATTEST_SEV_ERROR, "unable to get local issuer certificate");
    attest_verdict_free(v);
    attest_trust_free(t);
    trust_dir_remove(dir);
    attest_trust_free(none);
    X509_free(u2f);
    X509_free(slot);
    X509_free(f9);
}

/* A slot certificate with one bit changed: in its signature, and in a claim. */
static void test_tampered_slot(void **state)
{
    X509 *slot = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_SLOT);
    X509 *f9 = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_F9);
    unsigned char *der = NULL, *at;
    static const unsigned char policy_ext[] = { 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xc4, 0x0a, 0x03,
                                                0x08, 0x04, 0x02, 0x02, 0x03 };
    int n = der_of(slot, &der);
    attest_policy pol;
    attest_verdict *v;

    (void)state;
    default_policy(&pol);
    der[n - 1] ^= 0x01;
    v = verify_slot_der(der, (size_t)n, &f9, 1, X509_get0_pubkey(slot), shipped, &pol);
    expect_only(v, CHK_YUBIKEY_CHAIN, ATTEST_SEV_ERROR, "signature");
    attest_verdict_free(v);
    der[n - 1] ^= 0x01;
    /* touch policy cached -> always, a stronger claim the device did not sign */
    at = memmem(der, (size_t)n, policy_ext, sizeof(policy_ext));
    assert_non_null(at);
    at[sizeof(policy_ext) - 1] = 0x02;
    v = verify_slot_der(der, (size_t)n, &f9, 1, X509_get0_pubkey(slot), shipped, &pol);
    expect_only(v, CHK_YUBIKEY_CHAIN, ATTEST_SEV_ERROR, "signature");
    attest_verdict_free(v);
    OPENSSL_free(der);
    X509_free(slot);
    X509_free(f9);
}

/* Minimum PIN/touch policies against the 5.7.4 sample (PIN once, touch cached). */
static void test_policy_minimums(void **state)
{
    const struct {
        int pin, touch, fails;
    } cases[] = {
        { ATTEST_YK_PIN_ONCE, ATTEST_YK_TOUCH_CACHED, 0 },
        { ATTEST_YK_PIN_ALWAYS, 0, 1 },
        { 0, ATTEST_YK_TOUCH_ALWAYS, 1 },
    };
    attest_policy pol;
    attest_verdict *v;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        default_policy(&pol);
        pol.yubikey_min_pin_policy = cases[i].pin;
        pol.yubikey_min_touch_policy = cases[i].touch;
        v = verify_sample(YK "tmc_csr_5_7_4_standard.pem", shipped, &pol);
        if (cases[i].fails)
            expect_only(v, CHK_YUBIKEY_POLICY, ATTEST_SEV_ERROR, "below the required");
        else
            assert_verdict_exit(v, 0);
        attest_verdict_free(v);
    }
}

/* claims_cert takes slot certificates only; describe reports the claims. */
static void test_claims_and_describe(void **state)
{
    X509 *slot = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_SLOT);
    X509 *f9 = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_F9);
    X509 *root = read_cert(YK "piv-go_yubico-piv-root-ca-263751.pem");
    unsigned char *der = NULL;
    int n = der_of(slot, &der);
    attest_err err;
    json_object *o, *x;

    (void)state;
    assert_int_equal(attest_engine_yubikey.claims_cert(slot), 1);
    assert_int_equal(attest_engine_yubikey.claims_cert(f9), 0);
    assert_int_equal(attest_engine_yubikey.claims_cert(root), 0);
    o = attest_engine_yubikey.describe(der, (size_t)n, &err);
    assert_non_null(o);
    assert_true(json_object_object_get_ex(o, "firmware", &x));
    assert_string_equal(json_object_get_string(x), "5.7.4");
    assert_true(json_object_object_get_ex(o, "serial", &x));
    assert_int_equal(json_object_get_int64(x), 33064031);
    assert_true(json_object_object_get_ex(o, "pin_policy", &x));
    assert_string_equal(json_object_get_string(x), "once");
    assert_true(json_object_object_get_ex(o, "touch_policy", &x));
    assert_string_equal(json_object_get_string(x), "cached");
    assert_true(json_object_object_get_ex(o, "form_factor", &x));
    assert_string_equal(json_object_get_string(x), "usb-c-keychain");
    assert_true(json_object_object_get_ex(o, "slot", &x));
    assert_string_equal(json_object_get_string(x), "9a");
    json_object_put(o);
    assert_null(attest_engine_yubikey.describe(der, (size_t)n - 1, &err));
    OPENSSL_free(der);
    X509_free(slot);
    X509_free(f9);
    X509_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_574_affirming),
        cmocka_unit_test(test_sample_attestation_1_firmware),
        cmocka_unit_test(test_sample_572_dot11),
        cmocka_unit_test(test_sample_2018_quirks),
        cmocka_unit_test(test_2018_strict_refuses),
        cmocka_unit_test(test_2018_at_time),
        cmocka_unit_test(test_wrong_key),
        cmocka_unit_test(test_wrong_key_request),
        cmocka_unit_test(test_unknown_root),
        cmocka_unit_test(test_tampered_slot),
        cmocka_unit_test(test_policy_minimums),
        cmocka_unit_test(test_claims_and_describe),
    };

    return cmocka_run_group_tests(tests, yk_setup, yk_teardown);
}
