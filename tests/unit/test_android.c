/*
 * The android engine on the real samples (google/android-key-attestation):
 * the TEE chain today (re-issued root) and with the expired 2016 root, the
 * StrongBox chains (unknown root; the issuer-name quirk under a test trust
 * directory), wrong nonce, wrong key, the decoded claims.
 */
#include "android_lab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "attest/checks.h"
#include "attest/engine.h"
#include "attest/registry.h"

static void test_nonce_and_key(void **state)
{
    attest_trust *t = shipped_trust();
    X509 *c[4];
    run_opts o;
    attest_verdict *v;
    EVP_PKEY *other = EVP_EC_gen("P-256");
    int i;
    (void)state;

    for (i = 0; i < 4; i++) {
        char name[64];

        snprintf(name, sizeof(name), "RSA_SecurityLevel_TEE_cert%d.der", i);
        c[i] = sample(name);
    }
    opts_default(&o, t);
    o.nonce = abd;
    v = run(&o, c[0], c + 1, 3);
    only_error(v, CHK_ANDROID_NONCE);
    attest_verdict_free(v);

    opts_default(&o, t);
    o.key = other;
    v = run(&o, c[0], c + 1, 3);
    only_error(v, CHK_ANDROID_KEY_BINDING);
    assert_verdict_exit(v, 1);
    attest_verdict_free(v);
    for (i = 0; i < 4; i++)
        X509_free(c[i]);
    EVP_PKEY_free(other);
    attest_trust_free(t);
}

static X509 **strongbox(const char *alg, X509 **c)
{
    int i;

    for (i = 0; i < 4; i++) {
        char name[64];

        snprintf(name, sizeof(name), "%s_SecurityLevel_StrongBox_cert%d.der", alg, i);
        c[i] = sample(name);
    }
    return c;
}

/* StrongBox samples end at a non-Google root: contraindicated with the shipped anchors. */
static void test_unknown_root(void **state)
{
    attest_trust *t = shipped_trust();
    X509 *c[4];
    run_opts o;
    attest_verdict *v;
    const char *algs[] = { "EC", "RSA" };
    int i, a;
    (void)state;

    for (a = 0; a < 2; a++) {
        strongbox(algs[a], c);
        opts_default(&o, t);
        o.nonce = NULL;
        v = run(&o, c[0], c + 1, 3);
        only_error(v, CHK_ANDROID_CHAIN);
        assert_verdict_exit(v, 1);
        attest_verdict_free(v);
        for (i = 0; i < 4; i++)
            X509_free(c[i]);
    }
    attest_trust_free(t);

    /* the same root as a global anchor of the trust directory, not in android/: still no anchor for android */
    {
        tmp_trust tt;

        strongbox("RSA", c);
        tmp_trust_new(&tt);
        tmp_trust_add_top(&tt, "e35d38c6897d47e8.pem", c[3]);
        assert_int_equal(rmdir(tt.sub), 0); /* an empty scope directory is refused */
        t = trust_of_dir(tt.dir);
        opts_default(&o, t);
        o.nonce = NULL;
        v = run(&o, c[0], c + 1, 3);
        only_error(v, CHK_ANDROID_CHAIN);
        attest_verdict_free(v);
        attest_trust_free(t);
        tmp_trust_free(&tt);
        for (i = 0; i < 4; i++)
            X509_free(c[i]);
    }
}

/* The EC StrongBox leaf names cert2 as issuer but cert1 signed it: the quirk, refused by --strict. */
static void test_issuer_name_quirk(void **state)
{
    X509 *c[4], *r[4];
    tmp_trust tt;
    attest_trust *t;
    run_opts o;
    attest_verdict *v;
    const attest_check *q;
    int i;
    (void)state;

    strongbox("EC", c);
    strongbox("RSA", r);
    tmp_trust_new(&tt);
    tmp_trust_add(&tt, "e35d38c6897d47e8.pem", c[3]);
    t = trust_of_dir(tt.dir);

    opts_default(&o, t);
    o.nonce = NULL;
    v = run(&o, c[0], c + 1, 3);
    expect(v, CHK_ANDROID_CHAIN, ATTEST_CHECK_PASS, ATTEST_SEV_INFO);
    q = sub_check(v, CHK_POLICY_QUIRKS);
    assert_int_equal(q->severity, ATTEST_SEV_WARNING);
    assert_non_null(strstr(q->detail, "android-issuer-name-mismatch"));
    attest_verdict_free(v);

    /* --strict refuses it */
    o.pol.strict_shape = 1;
    v = run(&o, c[0], c + 1, 3);
    assert_check_failed(v, CHK_ANDROID_CHAIN);
    assert_check_failed(v, CHK_POLICY_QUIRKS);
    attest_verdict_free(v);

    /* not used where names agree: the RSA StrongBox chain */
    opts_default(&o, t);
    o.nonce = NULL;
    v = run(&o, r[0], r + 1, 3);
    expect(v, CHK_ANDROID_CHAIN, ATTEST_CHECK_PASS, ATTEST_SEV_INFO);
    assert_null(verdict_check(v, CHK_POLICY_QUIRKS));
    attest_verdict_free(v);

    /* nor without the certificate whose key signed the leaf: the named issuer's key did not */
    v = run(&o, c[0], c + 2, 2);
    only_error(v, CHK_ANDROID_CHAIN);
    attest_verdict_free(v);

    attest_trust_free(t);
    tmp_trust_free(&tt);
    for (i = 0; i < 4; i++) {
        X509_free(c[i]);
        X509_free(r[i]);
    }
}

/* ---- positive ---- */

static void tee_chain(X509 **c)
{
    int i;

    for (i = 0; i < 4; i++) {
        char name[64];

        snprintf(name, sizeof(name), "RSA_SecurityLevel_TEE_cert%d.der", i);
        c[i] = sample(name);
    }
}

/* Today (after 2026-05-24) with the shipped anchors: the chain ends at the 2022 re-issue. */
static void test_tee_today(void **state)
{
    attest_trust *t = shipped_trust();
    X509 *c[4];
    run_opts o;
    attest_verdict *v;
    const attest_check *k;
    int i;
    (void)state;

    tee_chain(c);
    opts_default(&o, t);
    v = run(&o, c[0], c + 1, 3);
    expect(v, CHK_ANDROID_PARSE, ATTEST_CHECK_PASS, ATTEST_SEV_INFO);
    expect(v, CHK_ANDROID_CHAIN, ATTEST_CHECK_PASS, ATTEST_SEV_INFO);
    k = sub_check(v, CHK_CHAIN_ANCHOR_EXPIRY);
    assert_int_equal(k->result, ATTEST_CHECK_PASS);
    assert_non_null(strstr(k->detail, "2042"));
    expect(v, CHK_ANDROID_SECURITY_LEVEL, ATTEST_CHECK_PASS, ATTEST_SEV_INFO);
    expect(v, CHK_ANDROID_ORIGIN, ATTEST_CHECK_PASS, ATTEST_SEV_INFO);
    expect(v, CHK_ANDROID_NONCE, ATTEST_CHECK_PASS, ATTEST_SEV_INFO);
    expect(v, CHK_ANDROID_KEY_BINDING, ATTEST_CHECK_PASS, ATTEST_SEV_INFO);
    /* unlocked, unverified boot: the one warning */
    assert_only(v, CHK_ANDROID_BOOT_STATE, ATTEST_SEV_WARNING);
    assert_non_null(strstr(verdict_failed(v, CHK_ANDROID_BOOT_STATE)->detail, "unlocked"));
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);
    for (i = 0; i < 4; i++)
        X509_free(c[i]);
    attest_trust_free(t);
}

/* Only the 2016 root: accepted today with chain.anchor-expiry warning (fails under --strict); in 2020 valid. */
static void test_tee_old_root(void **state)
{
    tmp_trust tt;
    attest_trust *t;
    X509 *c[4];
    run_opts o;
    attest_verdict *v;
    const attest_check *k;
    int i;
    (void)state;

    tee_chain(c);
    tmp_trust_new(&tt);
    tmp_trust_add(&tt, "google-2016.pem", c[3]);
    t = trust_of_dir(tt.dir);
    opts_default(&o, t);
    v = run(&o, c[0], c + 1, 3);
    expect(v, CHK_ANDROID_CHAIN, ATTEST_CHECK_PASS, ATTEST_SEV_INFO);
    k = sub_check(v, CHK_CHAIN_ANCHOR_EXPIRY);
    assert_int_equal(k->severity, ATTEST_SEV_WARNING);
    assert_non_null(strstr(k->detail, "2026-05-24"));
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);
    o.pol.strict_shape = 1;
    v = run(&o, c[0], c + 1, 3);
    expect(v, CHK_CHAIN_ANCHOR_EXPIRY, ATTEST_CHECK_FAIL, ATTEST_SEV_ERROR);
    attest_verdict_free(v);
    attest_trust_free(t);

    t = trust_of_dir(tt.dir);
    attest_trust_set_time(t, 1577836800); /* 2020-01-01 */
    opts_default(&o, t);
    v = run(&o, c[0], c + 1, 3);
    expect(v, CHK_ANDROID_CHAIN, ATTEST_CHECK_PASS, ATTEST_SEV_INFO);
    expect(v, CHK_CHAIN_ANCHOR_EXPIRY, ATTEST_CHECK_PASS, ATTEST_SEV_INFO);
    attest_verdict_free(v);
    attest_trust_free(t);
    tmp_trust_free(&tt);
    for (i = 0; i < 4; i++)
        X509_free(c[i]);
}

/* The decoded claims of the TEE sample (tests/vectors/vendors/SOURCES.md) and the engine's describe/claims_cert. */
static void test_keydesc_claims(void **state)
{
    X509 *leaf = sample("RSA_SecurityLevel_TEE_cert0.der"), *mid = sample("RSA_SecurityLevel_TEE_cert1.der");
    attest_android_keydesc kd;
    attest_err err;
    const attest_engine *e = NULL;
    unsigned char *der = NULL;
    int n;
    size_t i;
    json_object *o, *hw, *x;
    (void)state;

    assert_int_equal(attest_android_keydesc_of_cert(leaf, &kd, &err), 1);
    assert_int_equal(kd.attestation_version, 3);
    assert_int_equal(kd.attestation_security_level, ATTEST_ANDROID_TEE);
    assert_int_equal(kd.keymint_version, 4);
    assert_int_equal(kd.challenge_len, 3);
    assert_memory_equal(kd.challenge, "abc", 3);
    assert_int_equal(kd.hw.purposes, (1u << 2) | (1u << 3));
    assert_int_equal(kd.hw.algorithm, 1);
    assert_int_equal(kd.hw.key_size, 2048);
    assert_int_equal(kd.hw.origin, ATTEST_ANDROID_GENERATED);
    assert_true(kd.hw.has_root_of_trust);
    assert_false(kd.hw.device_locked);
    assert_int_equal(kd.hw.boot_state, ATTEST_ANDROID_UNVERIFIED);
    assert_int_equal(kd.hw.boot_key_len, 32);
    assert_int_equal(kd.hw.os_patch_level, 201907);
    assert_int_equal(kd.sw.creation_time, 1531381246735LL);
    assert_int_equal(kd.sw.origin, -1);
    assert_int_equal(attest_android_keydesc_of_cert(mid, &kd, &err), 0);

    for (i = 0; i < attest_engine_count(); i++)
        if (strcmp(attest_engine_at(i)->name, "android") == 0)
            e = attest_engine_at(i);
    assert_non_null(e);
    assert_true(e->claims_cert(leaf));
    assert_false(e->claims_cert(mid));
    assert_true((n = i2d_X509(leaf, &der)) > 0);
    assert_non_null(o = e->describe(der, (size_t)n, &err));
    assert_true(json_object_object_get_ex(o, "key_description", &x));
    assert_true(json_object_object_get_ex(x, "attestation_security_level", &hw));
    assert_string_equal(json_object_get_string(hw), "TrustedEnvironment");
    assert_true(json_object_object_get_ex(x, "hardware_enforced", &hw));
    assert_true(json_object_object_get_ex(hw, "origin", &x));
    assert_string_equal(json_object_get_string(x), "GENERATED");
    json_object_put(o);
    OPENSSL_free(der);
    X509_free(leaf);
    X509_free(mid);
}

/* The shipped anchors are the files PROVENANCE.md describes (SHA-256 of the DER). */
static void test_shipped_anchors(void **state)
{
    static const struct {
        const char *file, *sha256;
    } want[] = {
        { "google-hardware-attestation-root-rsa4096-2016.pem",
          "c1984a3ef45c1e2a918551de10603c86f7051b2249c4891cae3230eabd0c97d5" },
        { "google-hardware-attestation-root-rsa4096-2022.pem",
          "cedb1cb6dc896ae5ec797348bce9286753c2b38ee71ce0fbe34a9a1248800dfc" },
        { "google-key-attestation-ca1-p384-2025.pem",
          "6d9db4ce6c5c0b293166d08986e05774a8776ceb525d9e4329520de12ba4bcc0" },
    };
    const char *src = getenv("ATTEST_SRC");
    char path[512];
    unsigned char md[32];
    unsigned int n;
    size_t i;
    X509 *x;
    FILE *f;
    (void)state;

    assert_non_null(src);
    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        snprintf(path, sizeof(path), "%s/share/attest/anchors/android/%s", src, want[i].file);
        assert_non_null(f = fopen(path, "r"));
        assert_non_null(x = PEM_read_X509(f, NULL, NULL, NULL));
        fclose(f);
        assert_true(X509_digest(x, EVP_sha256(), md, &n));
        assert_hex(md, n, want[i].sha256);
        assert_int_equal(X509_self_signed(x, 1), 1);
        X509_free(x);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nonce_and_key),     cmocka_unit_test(test_unknown_root),
        cmocka_unit_test(test_issuer_name_quirk), cmocka_unit_test(test_tee_today),
        cmocka_unit_test(test_tee_old_root),      cmocka_unit_test(test_keydesc_claims),
        cmocka_unit_test(test_shipped_anchors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
