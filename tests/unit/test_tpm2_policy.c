/*
 * Policy-driven verifier checks on forged TPM 2.0 evidence (see
 * forge_tpm2.h): tpm2.attributes, policy.weak-algorithms,
 * policy.key-attested, bundle.shape and the AK EKU relaxation.  Each
 * default-policy case trips exactly its check as an error; the named
 * relaxation turns the same evidence into a warning (exit 3, nonce given)
 * and nothing else.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "attest/checks.h"
#include "attest/verdict.h"
#include "forge_tpm2.h"

#define TPMA_FIXED_TPM        0x00000002u
#define TPMA_FIXED_PARENT     0x00000010u
#define TPMA_SENSITIVE_ORIGIN 0x00000020u
#define TPMA_RESTRICTED       0x00010000u
#define TPMA_SIGN             0x00040000u

/* Under allow (0: default policy) exactly id is reported with severity sev. */
static void expect(const forge_opts *o, unsigned allow, const char *id, attest_severity sev)
{
    forge_vparams vp = { 0 };
    attest_verdict *v;

    vp.allow = allow;
    v = forge_verify(o, &vp);
    forge_expect_only(v, id, sev, NULL);
    attest_verdict_free(v);
}

/* Refused by default, a warning with the relaxation, still refused with the others. */
static void expect_relaxed_by(const forge_opts *o, const char *id, unsigned flag)
{
    unsigned all = ATTEST_ALLOW_SHA1 | ATTEST_ALLOW_SMALL_RSA | ATTEST_ALLOW_EXPORTABLE_KEY | ATTEST_ALLOW_IMPORTED_KEY
        | ATTEST_ALLOW_RESTRICTED_KEY | ATTEST_ALLOW_AK_WITHOUT_EKU;

    expect(o, 0, id, ATTEST_SEV_ERROR);
    expect(o, flag, id, ATTEST_SEV_WARNING);
    expect(o, all & ~flag, id, ATTEST_SEV_ERROR);
}

/* --------------------------------------------------------- tpm2.attributes */

static void test_attributes_restricted(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.attrs_set = TPMA_RESTRICTED; /* 0x00050072: what tpm2_createak makes */
    expect_relaxed_by(&o, CHK_TPM2_ATTRIBUTES, ATTEST_ALLOW_RESTRICTED_KEY);
}

static void test_attributes_fixed_tpm_clear(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.attrs_clear = TPMA_FIXED_TPM;
    expect_relaxed_by(&o, CHK_TPM2_ATTRIBUTES, ATTEST_ALLOW_EXPORTABLE_KEY);
}

static void test_attributes_fixed_parent_clear(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.attrs_clear = TPMA_FIXED_PARENT;
    expect_relaxed_by(&o, CHK_TPM2_ATTRIBUTES, ATTEST_ALLOW_EXPORTABLE_KEY);
}

static void test_attributes_sensitive_origin_clear(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.attrs_clear = TPMA_SENSITIVE_ORIGIN;
    expect_relaxed_by(&o, CHK_TPM2_ATTRIBUTES, ATTEST_ALLOW_IMPORTED_KEY);
}

/* No relaxation covers a key that cannot sign. */
static void test_attributes_sign_clear(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.attrs_clear = TPMA_SIGN;
    expect(&o, 0, CHK_TPM2_ATTRIBUTES, ATTEST_SEV_ERROR);
    expect(&o, ATTEST_ALLOW_EXPORTABLE_KEY | ATTEST_ALLOW_IMPORTED_KEY | ATTEST_ALLOW_RESTRICTED_KEY,
           CHK_TPM2_ATTRIBUTES, ATTEST_SEV_ERROR);
}

/* Two problems, one relaxed: the other still refuses the key. */
static void test_attributes_partly_relaxed(void **state)
{
    forge_opts o = { 0 };
    forge_vparams vp = { 0 };
    attest_verdict *v;

    (void)state;
    o.attrs_set = TPMA_RESTRICTED;
    o.attrs_clear = TPMA_SENSITIVE_ORIGIN;
    vp.allow = ATTEST_ALLOW_RESTRICTED_KEY;
    v = forge_verify(&o, &vp);
    forge_expect_only(v, CHK_TPM2_ATTRIBUTES, ATTEST_SEV_ERROR, NULL);
    assert_non_null(strstr(verdict_check(v, CHK_TPM2_ATTRIBUTES)->detail, "sensitiveDataOrigin"));
    assert_null(strstr(verdict_check(v, CHK_TPM2_ATTRIBUTES)->detail, "restricted"));
    attest_verdict_free(v);
    vp.allow |= ATTEST_ALLOW_IMPORTED_KEY;
    v = forge_verify(&o, &vp);
    forge_expect_only(v, CHK_TPM2_ATTRIBUTES, ATTEST_SEV_WARNING, NULL);
    attest_verdict_free(v);
}

/* -------------------------------------------------- policy.weak-algorithms */

static void test_weak_sha1_tpm_signature(void **state)
{
    const forge_env *e = forge_env_get();
    forge_opts o = { 0 };

    (void)state;
    o.sig_hash = 0x0004; /* TPMT_SIGNATURE ecdsa/sha1 */
    expect_relaxed_by(&o, CHK_POLICY_WEAK_ALGS, ATTEST_ALLOW_SHA1);
    o.ak = e->ak_rsa; /* rsassa/sha1 */
    expect_relaxed_by(&o, CHK_POLICY_WEAK_ALGS, ATTEST_ALLOW_SHA1);
    o.sig_form = FORGE_SIG_PLAIN; /* the DigestInfo names SHA-1 */
    expect_relaxed_by(&o, CHK_POLICY_WEAK_ALGS, ATTEST_ALLOW_SHA1);
}

static void test_weak_small_rsa_subject(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.subject = forge_env_get()->key_rsa1024;
    expect_relaxed_by(&o, CHK_POLICY_WEAK_ALGS, ATTEST_ALLOW_SMALL_RSA);
}

static void test_weak_small_rsa_ak(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.ak = forge_env_get()->key_rsa1024;
    expect_relaxed_by(&o, CHK_POLICY_WEAK_ALGS, ATTEST_ALLOW_SMALL_RSA);
}

static void test_weak_sha1_csr_signature(void **state)
{
    forge_opts o = { 0 };
    attest_verdict *v;

    (void)state;
    o.csr_md = "SHA1";
    expect_relaxed_by(&o, CHK_POLICY_WEAK_ALGS, ATTEST_ALLOW_SHA1);
    v = forge_verify(&o, NULL);
    assert_non_null(strstr(verdict_check(v, CHK_POLICY_WEAK_ALGS)->detail, "request signature"));
    attest_verdict_free(v);
}

static void test_weak_sha1_name_alg(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.name_alg = 0x0004; /* TPMT_PUBLIC.nameAlg and attested.name in SHA-1 */
    expect_relaxed_by(&o, CHK_POLICY_WEAK_ALGS, ATTEST_ALLOW_SHA1);
}

/* Both weaknesses: each relaxation alone is not enough. */
static void test_weak_both(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.subject = forge_env_get()->key_rsa1024;
    o.sig_hash = 0x0004;
    expect(&o, ATTEST_ALLOW_SHA1, CHK_POLICY_WEAK_ALGS, ATTEST_SEV_ERROR);
    expect(&o, ATTEST_ALLOW_SMALL_RSA, CHK_POLICY_WEAK_ALGS, ATTEST_SEV_ERROR);
    expect(&o, ATTEST_ALLOW_SHA1 | ATTEST_ALLOW_SMALL_RSA, CHK_POLICY_WEAK_ALGS, ATTEST_SEV_WARNING);
}

/* ----------------------------------------------------- policy.key-attested */

static void test_key_attested_unknown_type(void **state)
{
    static const unsigned char stmt[] = { 0x04, 0x03, 'a', 'b', 'c' };
    forge_opts o = { 0 };
    attest_verdict *v;
    const attest_check *t;

    (void)state;
    o.stmt_oid = "1.2.3.4";
    o.stmt_der = stmt;
    o.stmt_len = sizeof(stmt);
    v = forge_verify(&o, NULL);
    forge_expect_only(v, CHK_POLICY_KEY_ATTESTED, ATTEST_SEV_ERROR, NULL);
    assert_int_equal(v->n_subs, 1);
    assert_non_null(t = attest_checks_find(&v->subs[0].checks, CHK_BUNDLE_TYPE));
    assert_int_equal(t->result, ATTEST_CHECK_SKIP);
    assert_int_equal(t->severity, ATTEST_SEV_INFO);
    assert_int_equal(v->subs[0].checks.n, 1);
    attest_verdict_free(v);
}

/* ------------------------------------------------------------ bundle.shape */

static void test_bundle_shape_legacy_list(void **state)
{
    forge_opts o = { 0 };
    forge_vparams vp = { 0 };
    attest_verdict *v;

    (void)state;
    o.legacy_list = 1;
    v = forge_verify(&o, &vp);
    forge_expect_only(v, CHK_BUNDLE_SHAPE, ATTEST_SEV_WARNING, NULL);
    assert_non_null(strstr(verdict_check(v, CHK_BUNDLE_SHAPE)->detail, "list"));
    attest_verdict_free(v);
    vp.strict_shape = 1;
    v = forge_verify(&o, &vp);
    forge_expect_only(v, CHK_BUNDLE_SHAPE, ATTEST_SEV_ERROR, NULL);
    attest_verdict_free(v);
}

/* ------------------------------------------------- chain.ak-profile relaxed */

static void test_ak_without_eku_allowed(void **state)
{
    forge_opts o = { 0 };

    (void)state;
    o.ak_no_eku = 1;
    expect_relaxed_by(&o, CHK_CHAIN_AK_PROFILE, ATTEST_ALLOW_AK_WITHOUT_EKU);
    o.ak_no_eku = 0; /* the relaxation is about the EKU only */
    o.ak_ku = "critical,keyEncipherment";
    expect(&o, ATTEST_ALLOW_AK_WITHOUT_EKU, CHK_CHAIN_AK_PROFILE, ATTEST_SEV_ERROR);
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
        cmocka_unit_test(test_attributes_restricted),
        cmocka_unit_test(test_attributes_fixed_tpm_clear),
        cmocka_unit_test(test_attributes_fixed_parent_clear),
        cmocka_unit_test(test_attributes_sensitive_origin_clear),
        cmocka_unit_test(test_attributes_sign_clear),
        cmocka_unit_test(test_attributes_partly_relaxed),
        cmocka_unit_test(test_weak_sha1_tpm_signature),
        cmocka_unit_test(test_weak_small_rsa_subject),
        cmocka_unit_test(test_weak_small_rsa_ak),
        cmocka_unit_test(test_weak_sha1_csr_signature),
        cmocka_unit_test(test_weak_sha1_name_alg),
        cmocka_unit_test(test_weak_both),
        cmocka_unit_test(test_key_attested_unknown_type),
        cmocka_unit_test(test_bundle_shape_legacy_list),
        cmocka_unit_test(test_ak_without_eku_allowed),
    };

    return cmocka_run_group_tests(tests, NULL, teardown);
}
