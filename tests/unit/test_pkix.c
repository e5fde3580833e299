/*
 * PKIX evidence engine, positive side: the published samples through
 * attest_verify_evidence, produce -> verify round trips for every signature
 * algorithm, several signers, the claims file.  The negative test per check
 * id is in test_pkix_neg.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "attest/checks.h"
#include "attest/describe.h"
#include "attest/registry.h"
#include "attest/oids.h"
#include "pkix_lab.h"
#include "testutil.h"

/* ---------------------------------------------------------------- samples */

#define SAMPLES "pkix-evidence/"

/* The DER of a sample's EVIDENCE block. */
static unsigned char *read_evidence(const char *rel, size_t *len)
{
    char path[256];

    snprintf(path, sizeof(path), SAMPLES "%s", rel);
    return read_pem_der(path, "EVIDENCE", len);
}

/* ca.crt as the anchor; int.crt (and ak.crt unless without_ak) as untrusted. */
static attest_trust *sample_trust(int without_ak)
{
    attest_trust *t = attest_trust_new();
    X509 *ca = read_cert(SAMPLES "ca.crt"), *in = read_cert(SAMPLES "int.crt"), *ak = read_cert(SAMPLES "ak.crt");

    assert_int_equal(attest_trust_add_anchor(t, ca), 0);
    assert_int_equal(attest_trust_add_untrusted(t, in), 0);
    if (!without_ak)
        assert_int_equal(attest_trust_add_untrusted(t, ak), 0);
    X509_free(ca);
    X509_free(in);
    X509_free(ak);
    return t;
}

static attest_verdict *verify_sample(const char *rel, int without_ak, const unsigned char *nonce, size_t nlen,
                                     EVP_PKEY *subject)
{
    attest_trust *t = sample_trust(without_ak);
    attest_policy pol;
    attest_verify_params p;
    attest_verdict *v;
    unsigned char *der;
    size_t len;

    der = read_evidence(rel, &len);
    attest_policy_default(&pol);
    memset(&p, 0, sizeof(p));
    p.trust = t;
    p.policy = &pol;
    p.nonce = nonce;
    p.nonce_len = nlen;
    p.subject_key = subject;
    v = attest_verify_evidence(&p, der, len);
    assert_non_null(v);
    free(der);
    attest_trust_free(t);
    return v;
}

static void test_evidence1_warns_unbound_and_fails_wrong_nonce(void **state)
{
    static const unsigned char other[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    attest_verdict *v;

    (void)state;
    v = verify_sample("evidence1.pem", 0, NULL, 0, NULL);
    lab_expect(v, CHK_PKIX_STRUCTURE, ATTEST_CHECK_PASS);
    lab_expect(v, CHK_PKIX_SIGNATURE, ATTEST_CHECK_PASS);
    lab_expect(v, CHK_CHAIN_TRUST, ATTEST_CHECK_PASS);
    lab_expect(v, CHK_CHAIN_AK_PROFILE, ATTEST_CHECK_PASS);
    lab_expect(v, CHK_PKIX_KEY_BINDING, ATTEST_CHECK_SKIP);
    lab_expect(v, CHK_PKIX_NONCE, ATTEST_CHECK_SKIP);
    lab_expect(v, CHK_POLICY_KEY_ATTESTED, ATTEST_CHECK_SKIP);
    lab_expect(v, CHK_POLICY_WEAK_ALGS, ATTEST_CHECK_PASS);
    assert_non_null(strstr(verdict_check(v, CHK_PKIX_SIGNATURE)->detail, "ecdsa-with-SHA256 verified"));
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);

    /* With the nonce: everything that can be checked passes, but no key is given to bind to,
     * so the verdict is a warning (3), never affirming. */
    v = verify_sample("evidence1.pem", 0, lab_nonce, sizeof(lab_nonce), NULL);
    lab_expect(v, CHK_PKIX_NONCE, ATTEST_CHECK_PASS);
    assert_int_equal(verdict_check(v, CHK_PKIX_KEY_BINDING)->severity, ATTEST_SEV_WARNING);
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);

    v = verify_sample("evidence1.pem", 0, other, sizeof(other), NULL);
    lab_only_fails(v, CHK_PKIX_NONCE);
    attest_verdict_free(v);

    /* The keyId is ak.crt's SKI: without ak.crt it cannot be resolved. */
    v = verify_sample("evidence1.pem", 1, NULL, 0, NULL);
    lab_expect(v, CHK_PKIX_SIGNATURE, ATTEST_CHECK_FAIL);
    assert_non_null(strstr(verdict_check(v, CHK_PKIX_SIGNATURE)->detail, "cannot be resolved"));
    lab_expect(v, CHK_CHAIN_TRUST, ATTEST_CHECK_SKIP);
    attest_verdict_free(v);
}

/* The SPKI of the n-th key element of a sample. */
static EVP_PKEY *sample_key(const char *rel, int n)
{
    size_t len;
    unsigned char *der = read_evidence(rel, &len);
    attest_pkix *p = lab_decode(der, len);
    int i, seen = 0;
    EVP_PKEY *k = NULL;

    for (i = 0; i < sk_ATTEST_PKIX_ELEMENT_num(p->ev->tbs->elements) && k == NULL; i++) {
        ATTEST_PKIX_ELEMENT *el = sk_ATTEST_PKIX_ELEMENT_value(p->ev->tbs->elements, i);

        if (OBJ_cmp(el->type, attest_oid_obj(ATTEST_OID_PKIX_EL_KEY)) == 0 && seen++ == n) {
            const ASN1_OCTET_STRING *os = lab_claim(el, ATTEST_OID_PKIX_KEY_SPKI)->value->value.octet_string;
            const unsigned char *q = os->data;

            k = d2i_PUBKEY(NULL, &q, os->length);
        }
    }
    assert_non_null(k);
    attest_pkix_free(p);
    free(der);
    return k;
}

static void test_evidence2_binds_key1_and_refuses_exportable_key2(void **state)
{
    EVP_PKEY *k1 = sample_key("evidence2.pem", 0), *k2 = sample_key("evidence2.pem", 1);
    attest_verdict *v;

    (void)state;
    v = verify_sample("evidence2.pem", 1, NULL, 0, k1);
    lab_expect(v, CHK_PKIX_STRUCTURE, ATTEST_CHECK_PASS);
    lab_expect(v, CHK_PKIX_SIGNATURE, ATTEST_CHECK_PASS);
    lab_expect(v, CHK_CHAIN_TRUST, ATTEST_CHECK_PASS);
    lab_expect(v, CHK_CHAIN_AK_PROFILE, ATTEST_CHECK_PASS);
    lab_expect(v, CHK_PKIX_KEY_BINDING, ATTEST_CHECK_PASS);
    lab_expect(v, CHK_PKIX_KEY_POLICY, ATTEST_CHECK_PASS);
    lab_expect(v, CHK_POLICY_KEY_ATTESTED, ATTEST_CHECK_PASS);
    assert_non_null(v->subs[0].akpub);
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);

    /* The second key is extractable and not sensitive. */
    v = verify_sample("evidence2.pem", 1, NULL, 0, k2);
    lab_expect(v, CHK_PKIX_KEY_BINDING, ATTEST_CHECK_PASS);
    lab_only_fails(v, CHK_PKIX_KEY_POLICY);
    assert_non_null(strstr(verdict_check(v, CHK_PKIX_KEY_POLICY)->detail, "exportable"));
    attest_verdict_free(v);
    EVP_PKEY_free(k1);
    EVP_PKEY_free(k2);
}

static void test_evidence3_fails_structure_and_chain(void **state)
{
    attest_verdict *v = verify_sample("evidence3.pem", 0, NULL, 0, NULL);

    (void)state;
    lab_expect(v, CHK_PKIX_STRUCTURE, ATTEST_CHECK_FAIL);
    assert_non_null(strstr(verdict_check(v, CHK_PKIX_STRUCTURE)->detail, "2 platform elements"));
    /* Both blocks verify; the chain goes to an older root than ca.crt. */
    lab_expect(v, CHK_PKIX_SIGNATURE, ATTEST_CHECK_PASS);
    assert_non_null(strstr(verdict_check(v, CHK_PKIX_SIGNATURE)->detail, "2 of 2"));
    lab_expect(v, CHK_CHAIN_TRUST, ATTEST_CHECK_FAIL);
    attest_verdict_free(v);
}

/* ---------------------------------------------------------------- round trips */

/* Build with one AK, check decode + describe, then CSR verify with and without the nonce. */
static void round_trip(EVP_PKEY *ak_key, const char *md, int pss, int sid_cert, const char *alg_name)
{
    X509 *ak = lab_cert(ak_key, "round-trip AK", lab.root_key, lab.root, LAB_AK);
    attest_pkix_claims c;
    attest_pkix_signer s = { ak_key, sid_cert ? ak : NULL, md, pss };
    unsigned char *der = NULL;
    size_t len = 0;
    attest_pkix *p;
    json_object *j;
    attest_verdict *v;
    attest_err err;
    size_t i;

    lab_claims(&c);
    if (attest_pkix_build(&c, &s, 1, NULL, NULL, &der, &len, &err) != 0)
        fail_msg("build: %s", err.msg);
    p = lab_decode(der, len);
    assert_int_equal(sk_ATTEST_PKIX_SIGBLOCK_num(p->ev->sigs), 1);
    attest_pkix_free(p);
    j = attest_describe(ATTEST_DT_PKIX, der, len, &err);
    assert_non_null(j);
    json_object_put(j);

    v = lab_verify_csr(der, len, &ak, 1, NULL, 0, 0);
    assert_non_null(strstr(verdict_check(v, CHK_PKIX_SIGNATURE)->detail, alg_name));
    /* Only the nonce check may warn. */
    for (i = 0; i < v->subs[0].checks.n; i++)
        if (v->subs[0].checks.v[i].result != ATTEST_CHECK_PASS)
            assert_string_equal(v->subs[0].checks.v[i].id, CHK_PKIX_NONCE);
    if (attest_verdict_exit_code(v) != 3)
        lab_dump(v);
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);

    v = lab_verify_csr(der, len, &ak, 1, lab_nonce, sizeof(lab_nonce), 0);
    if (attest_verdict_exit_code(v) != 0)
        lab_dump(v);
    assert_verdict_exit(v, 0);
    attest_verdict_free(v);
    OPENSSL_free(der);
    X509_free(ak);
}

static void test_rt_p256(void **state)
{
    EVP_PKEY *k = lab_ec("P-256");

    (void)state;
    round_trip(k, NULL, 0, 0, "ecdsa-with-SHA256");
    round_trip(k, NULL, 0, 1, "ecdsa-with-SHA256");
    EVP_PKEY_free(k);
}

static void test_rt_p384(void **state)
{
    EVP_PKEY *k = lab_ec("P-384");

    (void)state;
    round_trip(k, NULL, 0, 1, "ecdsa-with-SHA384");
    round_trip(k, "SHA512", 0, 0, "ecdsa-with-SHA512");
    EVP_PKEY_free(k);
}

static void test_rt_rsa_pkcs1(void **state)
{
    EVP_PKEY *k = lab_rsa(2048);

    (void)state;
    round_trip(k, NULL, 0, 0, "sha256WithRSAEncryption");
    round_trip(k, "SHA384", 0, 1, "sha384WithRSAEncryption");
    EVP_PKEY_free(k);
}

static void test_rt_rsa_pss(void **state)
{
    EVP_PKEY *k = lab_rsa(2048);
    size_t len;
    unsigned char *der;
    attest_pkix *p;
    const X509_ALGOR *a;
    RSA_PSS_PARAMS *pp;

    (void)state;
    round_trip(k, NULL, 1, 1, "rsassaPss");
    /* SHA-256, MGF1-SHA-256, salt 32 in the AlgorithmIdentifier. */
    der = lab_evidence(k, NULL, 1, &len);
    p = lab_decode(der, len);
    a = sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, 0)->alg;
    assert_int_equal(OBJ_obj2nid(a->algorithm), NID_rsassaPss);
    pp = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS), a->parameter);
    assert_non_null(pp);
    assert_int_equal(OBJ_obj2nid(pp->hashAlgorithm->algorithm), NID_sha256);
    assert_int_equal(ASN1_INTEGER_get(pp->saltLength), 32);
    RSA_PSS_PARAMS_free(pp);
    attest_pkix_free(p);
    OPENSSL_free(der);
    EVP_PKEY_free(k);
}

static void test_rt_ed25519(void **state)
{
    EVP_PKEY *k = lab_ed25519();

    (void)state;
    round_trip(k, NULL, 0, 0, "ED25519");
    EVP_PKEY_free(k);
}

/* Two AKs, two blocks over the same tbs; then one block with an algorithm we do not know. */
static void test_two_signers(void **state)
{
    EVP_PKEY *k2 = lab_ed25519();
    X509 *ak2 = lab_cert(k2, "second AK", lab.root_key, lab.root, LAB_AK);
    X509 *certs[2] = { lab.ak, ak2 };
    attest_pkix_claims c;
    attest_pkix_signer s[2] = { { lab.ak_key, lab.ak, NULL, 0 }, { k2, NULL, NULL, 0 } };
    unsigned char *der = NULL, *der2;
    size_t len = 0, len2;
    attest_pkix *p;
    attest_verdict *v;
    attest_err err;
    const char *lms = "1.2.840.113549.1.9.16.3.17";

    (void)state;
    lab_claims(&c);
    assert_int_equal(attest_pkix_build(&c, s, 2, NULL, NULL, &der, &len, &err), 0);
    p = lab_decode(der, len);
    assert_int_equal(sk_ATTEST_PKIX_SIGBLOCK_num(p->ev->sigs), 2);
    v = lab_verify_csr(der, len, certs, 2, lab_nonce, sizeof(lab_nonce), 0);
    assert_non_null(strstr(verdict_check(v, CHK_PKIX_SIGNATURE)->detail, "2 of 2"));
    assert_verdict_exit(v, 0);
    attest_verdict_free(v);

    /* HSS/LMS: reported, not fatal, the other block still carries the evidence. */
    assert_true(
        X509_ALGOR_set0(sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, 1)->alg, OBJ_txt2obj(lms, 1), V_ASN1_UNDEF, NULL));
    der2 = lab_encode(p, &len2);
    v = lab_verify_csr(der2, len2, certs, 2, lab_nonce, sizeof(lab_nonce), 0);
    assert_non_null(strstr(verdict_check(v, CHK_PKIX_SIGNATURE)->detail, "1 of 2"));
    assert_non_null(strstr(verdict_check(v, CHK_PKIX_SIGNATURE)->detail,
                           "unsupported-algorithm: signature algorithm 1.2.840.113549.1.9.16.3.17"));
    assert_verdict_exit(v, 0);
    attest_verdict_free(v);

    /* The same key twice would repeat an ak-spki value. */
    s[1] = s[0];
    OPENSSL_free(der);
    assert_int_equal(attest_pkix_build(&c, s, 2, NULL, NULL, &der, &len, &err), -1);
    attest_pkix_free(p);
    OPENSSL_free(der2);
    X509_free(ak2);
    EVP_PKEY_free(k2);
}

/* Unknown claims are left out, and the AK cert found through the trust store works too. */
static void test_unknown_left_out(void **state)
{
    attest_pkix_claims c;
    attest_pkix_signer s = { lab.ak_key, NULL, NULL, 0 };
    unsigned char *der = NULL;
    size_t len = 0;
    attest_pkix *p;
    attest_err err;

    (void)state;
    attest_pkix_claims_init(&c);
    c.key = lab.subject;
    c.key_id = "bare";
    assert_int_equal(attest_pkix_build(&c, &s, 1, NULL, NULL, &der, &len, &err), 0);
    p = lab_decode(der, len);
    /* transaction {ak-spki}, key {identifier, spki}: no platform, nothing guessed. */
    assert_int_equal(sk_ATTEST_PKIX_ELEMENT_num(p->ev->tbs->elements), 2);
    assert_int_equal(sk_ATTEST_PKIX_CLAIM_num(sk_ATTEST_PKIX_ELEMENT_value(p->ev->tbs->elements, 0)->claims), 1);
    assert_int_equal(sk_ATTEST_PKIX_CLAIM_num(sk_ATTEST_PKIX_ELEMENT_value(p->ev->tbs->elements, 1)->claims), 2);
    attest_pkix_free(p);
    OPENSSL_free(der);

    c.key_id = NULL;
    assert_int_equal(attest_pkix_build(&c, &s, 1, NULL, NULL, &der, &len, &err), -1);
    assert_non_null(strstr(err.msg, "key-id"));
}

/* ---------------------------------------------------------------- claims file */

static char *write_tmp(const char *text)
{
    static char path[64];
    int fd;

    snprintf(path, sizeof(path), "/tmp/attest-claims-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static int load_text(const char *text, attest_pkix_claims *c, attest_pkix_platform *pl, attest_pkix_strings *h,
                     attest_err *err)
{
    char *path = write_tmp(text);
    int rc;

    attest_pkix_claims_init(c);
    attest_pkix_platform_init(pl);
    rc = attest_pkix_claims_load(path, c, pl, h, err);
    unlink(path);
    return rc;
}

static void test_claims_file(void **state)
{
    attest_pkix_claims c;
    attest_pkix_platform pl;
    attest_pkix_strings h = { { NULL }, 0 };
    attest_pkix_signer s = { lab.ak_key, NULL, NULL, 0 };
    attest_err err;
    unsigned char *der = NULL;
    size_t len = 0;
    attest_pkix *p;
    ATTEST_PKIX_ELEMENT *el;
    static const struct {
        const char *text, *want;
    } bad[] = {
        { "# c\nvendor = x\ncolour = blue\n", ":3: unknown claim name \"colour\"" },
        { "local = yes\n", ":1: \"local\" must be true or false" },
        { "fipslevel = 5\n", ":1: fipslevel must be" },
        { "purpose = sign, fly\n", ":1: unknown key purpose \"fly\"" },
        { "vendor = a\nvendor = b\n", ":2: \"vendor\" given twice" },
        { "\nkey-id\n", ":2: expected \"name = value\"" },
        { "swname =   \n", ":1: \"swname\" has an empty value" },
    };
    size_t i;

    (void)state;
    assert_int_equal(load_text("# an HSM\n\n vendor = Acme Corp \nhwmodel=HSM-9000\nhwversion = 2.1\nhwserial = 42\n"
                               "swname = fw\nswversion = 7.0\nfipsboot = true\nfipslevel = 3\nfipsver = FIPS 140-3\n"
                               "fipsmodule = acme-crypto\nkey-id = 9a25f603\nextractable = false\nsensitive = TRUE\n"
                               "never-extractable = true\nlocal = true\npurpose = sign, verify,derive\n",
                               &c, &pl, &h, &err),
                     0);
    assert_ptr_equal(c.platform, &pl);
    assert_string_equal(pl.vendor, "Acme Corp");
    assert_string_equal(pl.fipsver, "FIPS 140-3");
    assert_int_equal(pl.fipsboot, 1);
    assert_int_equal(pl.fipslevel, 3);
    assert_string_equal(c.key_id, "9a25f603");
    assert_int_equal(c.extractable, 0);
    assert_int_equal(c.sensitive, 1);
    assert_int_equal(c.purposes, ATTEST_PKIX_CAP_SIGN | ATTEST_PKIX_CAP_VERIFY | ATTEST_PKIX_CAP_DERIVE);
    c.key = lab.subject;
    assert_int_equal(attest_pkix_build(&c, &s, 1, NULL, NULL, &der, &len, &err), 0);
    p = lab_decode(der, len);
    el = lab_element(p, ATTEST_OID_PKIX_EL_PLATFORM);
    assert_int_equal(sk_ATTEST_PKIX_CLAIM_num(el->claims), 10);
    assert_int_equal(lab_claim(el, ATTEST_OID_PKIX_PL_HWMODEL)->value->type, V_ASN1_OCTET_STRING);
    el = lab_element(p, ATTEST_OID_PKIX_EL_KEY);
    assert_int_equal(sk_ATTEST_PKIX_CLAIM_num(el->claims), 7);
    attest_pkix_free(p);
    OPENSSL_free(der);
    attest_pkix_strings_free(&h);

    /* Only key claims: no platform element. */
    assert_int_equal(load_text("key-id = k\nlocal = false\n", &c, &pl, &h, &err), 0);
    assert_null(c.platform);
    assert_int_equal(c.local, 0);
    assert_int_equal(c.sensitive, -1);
    attest_pkix_strings_free(&h);

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(load_text(bad[i].text, &c, &pl, &h, &err), -1);
        if (strstr(err.msg, bad[i].want) == NULL || strstr(err.msg, "/tmp/attest-claims-") == NULL)
            fail_msg("\"%s\" gave \"%s\"", bad[i].text, err.msg);
        assert_int_equal(h.n, 0);
        assert_null(c.key_id);
    }
    assert_int_equal(attest_pkix_claims_load("/nonexistent/claims", &c, &pl, &h, &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evidence1_warns_unbound_and_fails_wrong_nonce),
        cmocka_unit_test(test_evidence2_binds_key1_and_refuses_exportable_key2),
        cmocka_unit_test(test_evidence3_fails_structure_and_chain),
        cmocka_unit_test(test_rt_p256),
        cmocka_unit_test(test_rt_p384),
        cmocka_unit_test(test_rt_rsa_pkcs1),
        cmocka_unit_test(test_rt_rsa_pss),
        cmocka_unit_test(test_rt_ed25519),
        cmocka_unit_test(test_two_signers),
        cmocka_unit_test(test_unknown_left_out),
        cmocka_unit_test(test_claims_file),
    };

    return cmocka_run_group_tests(tests, lab_setup, lab_teardown);
}
