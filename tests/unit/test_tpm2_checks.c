/*
 * The verifier's TPM 2.0 certify checks on forged evidence (software AK, test
 * CA; see forge_tpm2.h): affirming baselines for every signature form, then
 * one negative per check id that trips exactly that id.  Policy-driven checks
 * (attributes, weak algorithms, key-attested, shape) are in test_tpm2_policy.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/x509.h>

#include "attest/checks.h"
#include "attest/tpm2.h"
#include "attest/verdict.h"
#include "forge_tpm2.h"

/* Forge with o, verify with vp, expect exactly id to fail with an error. */
static void expect_error(const forge_opts *o, const forge_vparams *vp, const char *id)
{
    attest_verdict *v = forge_verify(o, vp);

    forge_expect_only(v, id, ATTEST_SEV_ERROR, NULL);
    attest_verdict_free(v);
}

static void expect_affirming(const forge_opts *o, const forge_vparams *vp, const char *const *skip)
{
    attest_verdict *v = forge_verify(o, vp);

    forge_expect_affirming(v, skip);
    attest_verdict_free(v);
}

/* ------------------------------------------------------------- baselines */

static void test_baseline_ec_tpmt(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    expect_affirming(&o, NULL, NULL);
}

static void test_baseline_ec_plain(void **state)
{
    forge_opts o = { 0 };
    attest_verdict *v;

    (void)state;
    o.sig_form = FORGE_SIG_PLAIN;
    v = forge_verify(&o, NULL);
    forge_expect_affirming(v, NULL);
    assert_non_null(strstr(verdict_check(v, CHK_TPM2_SIGNATURE)->detail, "plain ECDSA"));
    attest_verdict_free(v);
}

static void test_baseline_rsa_tpmt(void **state)
{
    const forge_env *e = forge_env_get();
    forge_opts o = { 0 };
    attest_verdict *v;

    (void)state;
    o.ak = e->ak_rsa;
    o.subject = e->key_rsa;
    v = forge_verify(&o, NULL);
    forge_expect_affirming(v, NULL);
    assert_non_null(strstr(verdict_check(v, CHK_TPM2_SIGNATURE)->detail, "TPMT_SIGNATURE rsassa"));
    assert_non_null(strstr(verdict_check(v, CHK_TPM2_KEY_BINDING)->detail, "RSA-2048"));
    attest_verdict_free(v);
}

static void test_baseline_rsa_plain(void **state)
{
    const forge_env *e = forge_env_get();
    forge_opts o = { 0 };
    attest_verdict *v;

    (void)state;
    o.ak = e->ak_rsa;
    o.subject = e->key_rsa;
    o.sig_form = FORGE_SIG_PLAIN;
    v = forge_verify(&o, NULL);
    forge_expect_affirming(v, NULL);
    assert_non_null(strstr(verdict_check(v, CHK_TPM2_SIGNATURE)->detail, "plain RSASSA-PKCS1-v1_5"));
    attest_verdict_free(v);
}

/* RSASSA-PSS, as TPMT_SIGNATURE and plain (verified with salt length auto). */
static void test_baseline_rsa_pss(void **state)
{
    const forge_env *e = forge_env_get();
    forge_opts o = { 0 };

    (void)state;
    o.ak = e->ak_rsa;
    o.subject = e->key_rsa;
    o.sig_pss = 1;
    expect_affirming(&o, NULL, NULL);
    o.sig_form = FORGE_SIG_PLAIN;
    expect_affirming(&o, NULL, NULL);
}

/* AK and subject key of different families; the legacy TPM2B_PUBLIC prefix. */
static void test_baseline_mixed_and_tpm2b(void **state)
{
    const forge_env *e = forge_env_get();
    forge_opts o = { 0 };
    attest_verdict *v;

    (void)state;
    o.ak = e->ak_rsa;
    expect_affirming(&o, NULL, NULL);
    memset(&o, 0, sizeof(o));
    o.subject = e->key_rsa;
    o.pub_tpm2b = 1;
    o.root_in_bundle = 1;
    v = forge_verify(&o, NULL);
    forge_expect_affirming(v, NULL);
    assert_non_null(strstr(verdict_check(v, CHK_TPM2_PARSE)->detail, "legacy TPM2B prefix stripped"));
    attest_verdict_free(v);
}

static void test_baseline_no_nonce(void **state)
{
    forge_opts o = { 0 };
    forge_vparams vp = { 0 };
    attest_verdict *v;

    (void)state;
    vp.no_nonce = 1;
    v = forge_verify(&o, &vp);
    forge_expect_only_r(v, CHK_TPM2_NONCE, ATTEST_CHECK_SKIP, ATTEST_SEV_WARNING, NULL);
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);
}

/* -------------------------------------------------------- bare bundle path */

static void test_bare_bundle(void **state)
{
    const forge_env *e = forge_env_get();
    static const char *const skip[] = { CHK_CSR_SIGNATURE, CHK_BUNDLE_COUNT, NULL };
    forge_opts o = { 0 };
    forge_vparams vp = { 0 };

    (void)state;
    vp.bare = 1;
    vp.bare_key = e->key_ec;
    expect_affirming(&o, &vp, skip);
    vp.bare_key = e->key_ec2; /* the evidence is about key_ec */
    expect_error(&o, &vp, CHK_TPM2_KEY_BINDING);
}

static void test_bare_bundle_no_key(void **state)
{
    forge_opts o = { 0 };
    forge_vparams vp = { 0 };
    attest_verdict *v;

    (void)state;
    vp.bare = 1;
    v = forge_verify(&o, &vp);
    forge_expect_only(v, CHK_CSR_PARSE, ATTEST_SEV_ERROR, NULL);
    assert_int_equal(v->checks.n, 1);
    assert_int_equal(v->n_subs, 0);
    attest_verdict_free(v);
}

/* ------------------------------------------------------ request / bundle */

static void test_csr_signature(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.csr_signer = forge_env_get()->key_ec2; /* SPKI is key_ec */
    expect_error(&o, NULL, CHK_CSR_SIGNATURE);
}

static void test_bundle_count_two_attributes(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.dup_attr = 1;
    expect_error(&o, NULL, CHK_BUNDLE_COUNT);
}

static void test_bundle_count_two_values(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.dup_value = 1;
    expect_error(&o, NULL, CHK_BUNDLE_COUNT);
}

static void test_bundle_parse_trailing_inside(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.bundle_trailing = 1;
    expect_error(&o, NULL, CHK_BUNDLE_PARSE);
}

/* ------------------------------------------------------------ TPM checks */

static void test_tpm2_parse_no_public(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.omit_pub = 1;
    expect_error(&o, NULL, CHK_TPM2_PARSE);
}

static void append_zero(unsigned char *b, size_t *len, size_t cap, void *arg)
{
    (void)arg;
    assert_true(*len < cap);
    b[(*len)++] = 0x00;
}

/* A trailing byte after a correct TPMS_ATTEST, signed by the AK. */
static void test_tpm2_parse_trailing_attest(void **state)
{
    forge_opts o = { 0 };
    attest_verdict *v;

    (void)state;
    o.post_attest = append_zero;
    v = forge_verify(&o, NULL);
    forge_expect_only(v, CHK_TPM2_PARSE, ATTEST_SEV_ERROR, NULL);
    assert_non_null(strstr(verdict_check(v, CHK_TPM2_PARSE)->detail, "trailing"));
    assert_int_equal(verdict_check(v, CHK_TPM2_SIGNATURE)->result, ATTEST_CHECK_PASS);
    attest_verdict_free(v);
}

static void test_tpm2_magic(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.magic = 0xff544348; /* re-signed: only the magic is wrong */
    expect_error(&o, NULL, CHK_TPM2_MAGIC);
}

static void test_tpm2_type(void **state)
{
    forge_opts o = { 0 };
    attest_verdict *v;

    (void)state;
    o.st_type = 0x8018; /* quote, re-signed */
    v = forge_verify(&o, NULL);
    forge_expect_only(v, CHK_TPM2_TYPE, ATTEST_SEV_ERROR, NULL);
    /* The type as read from the header (tss2-mu), in the message. */
    assert_non_null(strstr(verdict_check(v, CHK_TPM2_TYPE)->detail, "type is 8018"));
    attest_verdict_free(v);
}

static void flip_clock(unsigned char *b, size_t *len, size_t cap, void *arg)
{
    size_t off = forge_clock_offset(b, *len) + 7;

    (void)cap;
    (void)arg;
    assert_true(off < *len);
    b[off] ^= 0x01;
}

/* A clock byte changed after signing: structure intact, signature broken. */
static void test_tpm2_signature(void **state)
{
    const forge_env *e = forge_env_get();
    forge_opts o = { 0 };

    (void)state;
    o.post_sign = flip_clock;
    expect_error(&o, NULL, CHK_TPM2_SIGNATURE);
    o.ak = e->ak_rsa;
    expect_error(&o, NULL, CHK_TPM2_SIGNATURE);
    o.sig_form = FORGE_SIG_PLAIN;
    expect_error(&o, NULL, CHK_TPM2_SIGNATURE);
}

static void test_chain_trust_other_ca(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.ak_other_ca = 1;
    expect_error(&o, NULL, CHK_CHAIN_TRUST);
}

static void test_chain_trust_expired(void **state)
{
    forge_opts o = { 0 };
    attest_verdict *v;

    (void)state;
    o.ak_expired = 1;
    o.root_in_bundle = 1;
    v = forge_verify(&o, NULL);
    forge_expect_only(v, CHK_CHAIN_TRUST, ATTEST_SEV_ERROR, NULL);
    assert_non_null(strstr(verdict_check(v, CHK_CHAIN_TRUST)->detail, "expired"));
    attest_verdict_free(v);
}

static void test_chain_ak_profile_ca(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.ak_ca_true = 1; /* keyUsage stays digitalSignature only */
    expect_error(&o, NULL, CHK_CHAIN_AK_PROFILE);
    o.ak_ku = "critical,digitalSignature,keyCertSign";
    expect_error(&o, NULL, CHK_CHAIN_AK_PROFILE);
}

static void test_chain_ak_profile_no_eku(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.ak_no_eku = 1;
    expect_error(&o, NULL, CHK_CHAIN_AK_PROFILE);
}

/* An AK certificate for PKIX evidence does not admit TPM certify evidence, even with --allow ak-without-eku. */
static void test_chain_ak_profile_pkix_eku(void **state)
{
    forge_opts o = { 0 };
    forge_vparams vp = { 0 };
    attest_verdict *v;

    (void)state;
    o.ak_eku_pkix = 1;
    expect_error(&o, NULL, CHK_CHAIN_AK_PROFILE);
    vp.allow = ATTEST_ALLOW_AK_WITHOUT_EKU;
    v = forge_verify(&o, &vp);
    forge_expect_only(v, CHK_CHAIN_AK_PROFILE, ATTEST_SEV_ERROR, NULL);
    assert_non_null(strstr(verdict_check(v, CHK_CHAIN_AK_PROFILE)->detail, "other evidence format"));
    attest_verdict_free(v);
}

static void test_chain_ak_profile_key_usage(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.ak_ku = "critical,keyEncipherment";
    expect_error(&o, NULL, CHK_CHAIN_AK_PROFILE);
}

static void test_tpm2_name(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.name_key = forge_env_get()->key_ec2; /* attested.name is another key's */
    expect_error(&o, NULL, CHK_TPM2_NAME);
}

static void test_tpm2_key_binding(void **state)
{
    const forge_env *e = forge_env_get();
    forge_opts o = { 0 };

    (void)state;
    o.tpm_key = e->key_ec;  /* evidence correct for key A */
    o.subject = e->key_ec2; /* request for key B */
    expect_error(&o, NULL, CHK_TPM2_KEY_BINDING);
    o.tpm_key = e->key_rsa; /* another family */
    expect_error(&o, NULL, CHK_TPM2_KEY_BINDING);
}

/* The SPKI built from TPMT_PUBLIC's fields is what an encoder writes for the key made from them. */
static void test_tpmt_public_spki_der(void **state)
{
    const forge_env *e = forge_env_get();
    EVP_PKEY *keys[] = { e->key_ec, e->key_rsa }, *k;
    unsigned char *pub, *mine = NULL, *theirs = NULL;
    size_t i, len, mlen = 0;
    TPMT_PUBLIC tp;
    attest_err err;
    int n;

    (void)state;
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        pub = forge_tpmt_public(keys[i], 0x00040072, TPM2_ALG_SHA256, &len);
        assert_int_equal(attest_tpmt_public_parse(pub, len, &tp, &err), 0);
        assert_non_null(k = attest_tpmt_public_to_pkey(&tp, NULL, &err));
        assert_int_equal(attest_tpmt_public_spki_der(&tp, &mine, &mlen), 0);
        assert_true((n = i2d_PUBKEY(k, &theirs)) > 0);
        assert_int_equal((size_t)n, mlen);
        assert_memory_equal(mine, theirs, mlen);
        OPENSSL_free(mine);
        OPENSSL_free(theirs);
        OPENSSL_free(pub);
        EVP_PKEY_free(k);
        mine = theirs = NULL;
    }
}

/* The exponent is part of the key: the request's modulus with exponent 3 in TPMT_PUBLIC is another key. */
static void test_tpm2_key_binding_exponent(void **state)
{
    const forge_env *e = forge_env_get();
    forge_opts o = { 0 };
    attest_verdict *v;

    (void)state;
    o.ak = e->ak_rsa;
    o.subject = e->key_rsa;
    o.rsa_exponent = 3;
    expect_error(&o, NULL, CHK_TPM2_KEY_BINDING);
    o.rsa_exponent = 65537; /* spelt out rather than 0: the same key */
    v = forge_verify(&o, NULL);
    forge_expect_affirming(v, NULL);
    attest_verdict_free(v);
}

static void test_tpm2_nonce(void **state)
{
    static const unsigned char other[16] = "a different one";
    forge_opts o = { 0 };
    forge_vparams vp = { 0 };

    (void)state;
    vp.nonce = other;
    vp.nonce_len = sizeof(other);
    expect_error(&o, &vp, CHK_TPM2_NONCE);
    vp.nonce = FORGE_NONCE; /* a prefix of the right nonce is not the nonce */
    vp.nonce_len = sizeof(FORGE_NONCE) - 1;
    expect_error(&o, &vp, CHK_TPM2_NONCE);
}

static int teardown(void **state)
{
    (void)state;
    forge_env_free();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_baseline_ec_tpmt),
        cmocka_unit_test(test_baseline_ec_plain),
        cmocka_unit_test(test_baseline_rsa_tpmt),
        cmocka_unit_test(test_baseline_rsa_plain),
        cmocka_unit_test(test_baseline_rsa_pss),
        cmocka_unit_test(test_baseline_mixed_and_tpm2b),
        cmocka_unit_test(test_baseline_no_nonce),
        cmocka_unit_test(test_bare_bundle),
        cmocka_unit_test(test_bare_bundle_no_key),
        cmocka_unit_test(test_csr_signature),
        cmocka_unit_test(test_bundle_count_two_attributes),
        cmocka_unit_test(test_bundle_count_two_values),
        cmocka_unit_test(test_bundle_parse_trailing_inside),
        cmocka_unit_test(test_tpm2_parse_no_public),
        cmocka_unit_test(test_tpm2_parse_trailing_attest),
        cmocka_unit_test(test_tpm2_magic),
        cmocka_unit_test(test_tpm2_type),
        cmocka_unit_test(test_tpm2_signature),
        cmocka_unit_test(test_chain_trust_other_ca),
        cmocka_unit_test(test_chain_trust_expired),
        cmocka_unit_test(test_chain_ak_profile_ca),
        cmocka_unit_test(test_chain_ak_profile_no_eku),
        cmocka_unit_test(test_chain_ak_profile_pkix_eku),
        cmocka_unit_test(test_chain_ak_profile_key_usage),
        cmocka_unit_test(test_tpm2_name),
        cmocka_unit_test(test_tpm2_key_binding),
        cmocka_unit_test(test_tpm2_key_binding_exponent),
        cmocka_unit_test(test_tpmt_public_spki_der),
        cmocka_unit_test(test_tpm2_nonce),
    };

    return cmocka_run_group_tests(tests, NULL, teardown);
}
