/*
 * PKIX evidence engine, negative side: for every check id one or more
 * evidences that trip exactly that id (every other check passes or is
 * skipped without error), built with the lab PKI of pkix_lab.c.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/x509.h>

#include "attest/checks.h"
#include "attest/engine.h"
#include "attest/oids.h"
#include "pkix_lab.h"

static const unsigned char other_nonce[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static ASN1_TYPE *any_string(int type, const char *s)
{
    ASN1_STRING *str = ASN1_STRING_type_new(type);
    ASN1_TYPE *t = ASN1_TYPE_new();

    assert_non_null(str);
    assert_non_null(t);
    assert_true(ASN1_STRING_set(str, s, (int)strlen(s)));
    ASN1_TYPE_set(t, type, str);
    return t;
}

/* Replace a claim's value (owned). */
static void set_value(ATTEST_PKIX_CLAIM *c, ASN1_TYPE *v)
{
    ASN1_TYPE_free(c->value);
    c->value = v;
}

static ASN1_TYPE *spki_octets(EVP_PKEY *k)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k, &der);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    ASN1_TYPE *t = ASN1_TYPE_new();

    assert_true(n > 0);
    assert_true(ASN1_OCTET_STRING_set(os, der, n));
    ASN1_TYPE_set(t, V_ASN1_OCTET_STRING, os);
    OPENSSL_free(der);
    return t;
}

typedef void (*edit_fn)(attest_pkix *p);

/* Lab evidence, edited, re-signed by the lab AK (unless told not to), verified in a CSR;
 * id must be the one failure and its detail must say want. */
static void edited(edit_fn edit, int resign, const char *id, const char *want)
{
    size_t len, len2;
    unsigned char *der = lab_evidence(lab.ak_key, NULL, 0, &len), *der2;
    attest_pkix *p = lab_decode(der, len);
    attest_verdict *v;

    edit(p);
    if (resign)
        lab_resign(p, 0, lab.ak_key, "SHA256");
    der2 = lab_encode(p, &len2);
    v = lab_verify_csr(der2, len2, &lab.ak, 1, NULL, 0, 0);
    lab_only_fails(v, id);
    if (strstr(verdict_check(v, id)->detail, want) == NULL)
        fail_msg("%s: \"%s\" does not say \"%s\"", id, verdict_check(v, id)->detail, want);
    attest_verdict_free(v);
    attest_pkix_free(p);
    OPENSSL_free(der);
    OPENSSL_free(der2);
}

/* Evidence from claims c signed by ak_key (sid = SPKI, md), ak_cert in the bundle. */
static attest_verdict *run(const attest_pkix_claims *c, EVP_PKEY *ak_key, X509 *ak_cert, const char *md,
                           const unsigned char *nonce, unsigned allow)
{
    attest_pkix_signer s = { ak_key, NULL, md, 0 };
    unsigned char *der = NULL;
    size_t len = 0;
    attest_err err;
    attest_verdict *v;

    if (attest_pkix_build(c, &s, 1, NULL, NULL, &der, &len, &err) != 0)
        fail_msg("build: %s", err.msg);
    v = lab_verify_csr(der, len, &ak_cert, 1, nonce, nonce != NULL ? sizeof(lab_nonce) : 0, allow);
    OPENSSL_free(der);
    return v;
}

static void run_only(const attest_pkix_claims *c, EVP_PKEY *ak_key, X509 *ak_cert, const char *md,
                     const unsigned char *nonce, const char *id)
{
    attest_verdict *v = run(c, ak_key, ak_cert, md, nonce, 0);

    lab_only_fails(v, id);
    attest_verdict_free(v);
}

/* With the relaxation in force the same evidence only warns: exit 3 even with the right nonce. */
static void run_allowed(const attest_pkix_claims *c, EVP_PKEY *ak_key, X509 *ak_cert, const char *md, unsigned allow,
                        const char *id)
{
    attest_verdict *v = run(c, ak_key, ak_cert, md, lab_nonce, allow);
    const attest_check *k = verdict_check(v, id);

    assert_non_null(k);
    assert_int_equal(k->severity, ATTEST_SEV_WARNING);
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);
}

/* ---------------------------------------------------------------- pkix.structure */

static void e_dup_platform(attest_pkix *p)
{
    ATTEST_PKIX_ELEMENT *el =
        ASN1_item_dup(ASN1_ITEM_rptr(ATTEST_PKIX_ELEMENT), lab_element(p, ATTEST_OID_PKIX_EL_PLATFORM));

    assert_true(sk_ATTEST_PKIX_ELEMENT_push(p->ev->tbs->elements, el) > 0);
}

static void e_repeat_vendor(attest_pkix *p)
{
    assert_true(attest_pkix_add_claim(lab_element(p, ATTEST_OID_PKIX_EL_PLATFORM), ATTEST_OID_PKIX_PL_VENDOR,
                                      any_string(V_ASN1_UTF8STRING, "Other Corp")));
}

static void e_no_identifier(attest_pkix *p)
{
    lab_drop_claim(lab_element(p, ATTEST_OID_PKIX_EL_KEY), ATTEST_OID_PKIX_KEY_IDENTIFIER);
}

static void e_fipslevel5(attest_pkix *p)
{
    ATTEST_PKIX_CLAIM *c = lab_claim(lab_element(p, ATTEST_OID_PKIX_EL_PLATFORM), ATTEST_OID_PKIX_PL_FIPSLEVEL);

    assert_true(ASN1_INTEGER_set(c->value->value.integer, 5));
}

static void e_vendor_octets(attest_pkix *p)
{
    set_value(lab_claim(lab_element(p, ATTEST_OID_PKIX_EL_PLATFORM), ATTEST_OID_PKIX_PL_VENDOR),
              any_string(V_ASN1_OCTET_STRING, "Acme Corp"));
}

static void e_version2(attest_pkix *p)
{
    assert_true(ASN1_INTEGER_set(p->ev->tbs->version, 2));
}

static void e_nonce_in_platform(attest_pkix *p)
{
    assert_true(attest_pkix_add_claim(lab_element(p, ATTEST_OID_PKIX_EL_PLATFORM), ATTEST_OID_PKIX_TX_NONCE,
                                      any_string(V_ASN1_OCTET_STRING, "xx")));
}

static void e_swname_absent(attest_pkix *p)
{
    assert_true(attest_pkix_add_claim(lab_element(p, ATTEST_OID_PKIX_EL_PLATFORM), ATTEST_OID_PKIX_PL_SWNAME, NULL));
}

static void e_dup_ak_spki(attest_pkix *p)
{
    assert_true(attest_pkix_add_claim(lab_element(p, ATTEST_OID_PKIX_EL_TRANSACTION), ATTEST_OID_PKIX_TX_AK_SPKI,
                                      spki_octets(lab.ak_key)));
}

static void test_structure(void **state)
{
    static const struct {
        edit_fn fn;
        const char *what, *want;
    } edits[] = {
        { e_dup_platform, "two platform elements", "2 platform elements" },
        { e_repeat_vendor, "vendor repeated", "pkix-platform-vendor repeated" },
        { e_no_identifier, "key element without identifier", "has no key-identifier" },
        { e_fipslevel5, "fipslevel 5", "fipslevel outside 1..4" },
        { e_vendor_octets, "vendor as OCTET STRING", "pkix-platform-vendor has a value of the wrong type" },
        { e_version2, "version 2", "version is not 1" },
        { e_nonce_in_platform, "nonce in the platform element", "pkix-transaction-nonce does not belong" },
        { e_swname_absent, "swname without a value", "pkix-platform-swname has no value" },
        { e_dup_ak_spki, "ak-spki twice", "duplicate ak-spki" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        print_message("structure: %s\n", edits[i].what);
        edited(edits[i].fn, 1, CHK_PKIX_STRUCTURE, edits[i].want);
    }
}

/* Unknown elements and claims are ignored, and say so. */
static void e_unknown(attest_pkix *p)
{
    ATTEST_PKIX_ELEMENT *el = ATTEST_PKIX_ELEMENT_new();
    ATTEST_PKIX_CLAIM *c = ATTEST_PKIX_CLAIM_new();

    ASN1_OBJECT_free(el->type);
    el->type = OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1);
    c->type = OBJ_txt2obj("1.3.6.1.4.1.99999.2", 1);
    assert_true(sk_ATTEST_PKIX_CLAIM_push(el->claims, c) > 0);
    assert_true(sk_ATTEST_PKIX_ELEMENT_push(p->ev->tbs->elements, el) > 0);
    assert_true(attest_pkix_add_claim(lab_element(p, ATTEST_OID_PKIX_EL_KEY), ATTEST_OID_PKIX_KEY_IDENTIFIER,
                                      any_string(V_ASN1_UTF8STRING, "alias")));
}

static void test_structure_unknown_ignored(void **state)
{
    size_t len, len2;
    unsigned char *der = lab_evidence(lab.ak_key, NULL, 0, &len), *der2;
    attest_pkix *p = lab_decode(der, len);
    attest_verdict *v;

    (void)state;
    e_unknown(p);
    lab_resign(p, 0, lab.ak_key, "SHA256");
    der2 = lab_encode(p, &len2);
    v = lab_verify_csr(der2, len2, &lab.ak, 1, lab_nonce, sizeof(lab_nonce), 0);
    assert_non_null(strstr(verdict_check(v, CHK_PKIX_STRUCTURE)->detail, "ignored 1 unknown element"));
    assert_verdict_exit(v, 0);
    attest_verdict_free(v);
    attest_pkix_free(p);
    OPENSSL_free(der);
    OPENSSL_free(der2);
}

/* ---------------------------------------------------------------- pkix.signature */

static void e_flip_vendor(attest_pkix *p)
{
    lab_claim(lab_element(p, ATTEST_OID_PKIX_EL_PLATFORM), ATTEST_OID_PKIX_PL_VENDOR)
        ->value->value.utf8string->data[0] ^= 1;
}

static void e_no_blocks(attest_pkix *p)
{
    while (sk_ATTEST_PKIX_SIGBLOCK_num(p->ev->sigs) > 0)
        ATTEST_PKIX_SIGBLOCK_free(sk_ATTEST_PKIX_SIGBLOCK_pop(p->ev->sigs));
}

static void e_unknown_keyid(attest_pkix *p)
{
    ATTEST_PKIX_SID *sid = sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, 0)->sid;

    X509_PUBKEY_free(sid->spki);
    sid->spki = NULL;
    sid->key_id = ASN1_OCTET_STRING_new();
    assert_true(ASN1_OCTET_STRING_set(sid->key_id, (const unsigned char *)"twenty bytes of kid!", 20));
}

static void e_other_ak_spki(attest_pkix *p)
{
    EVP_PKEY *k = lab_ec("P-256");

    set_value(lab_claim(lab_element(p, ATTEST_OID_PKIX_EL_TRANSACTION), ATTEST_OID_PKIX_TX_AK_SPKI), spki_octets(k));
    EVP_PKEY_free(k);
}

/* sid carries the AK certificate and, beside it, the SPKI of another key. */
static void e_sid_cert_other_spki(attest_pkix *p)
{
    ATTEST_PKIX_SID *sid = sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, 0)->sid;
    EVP_PKEY *k = lab_ec("P-256");

    assert_true(X509_up_ref(lab.ak));
    sid->cert = lab.ak;
    assert_true(X509_PUBKEY_set(&sid->spki, k));
    EVP_PKEY_free(k);
}

/* The SPKI read back from DER (the key is made on use): a certificate beside it must agree with it. */
static void test_sid_cert_and_spki(void **state)
{
    size_t len, len2;
    unsigned char *der = lab_evidence(lab.ak_key, NULL, 0, &len), *der2;
    attest_pkix *p = lab_decode(der, len);
    ATTEST_PKIX_SID *sid = sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, 0)->sid;
    attest_verdict *v;

    (void)state;
    assert_true(X509_up_ref(lab.ak));
    sid->cert = lab.ak; /* the AK's own SPKI stays: they agree */
    der2 = lab_encode(p, &len2);
    v = lab_verify_csr(der2, len2, NULL, 0, lab_nonce, sizeof(lab_nonce), 0);
    assert_verdict_exit(v, 0);
    attest_verdict_free(v);
    attest_pkix_free(p);
    OPENSSL_free(der);
    OPENSSL_free(der2);
    edited(e_sid_cert_other_spki, 0, CHK_PKIX_SIGNATURE, "sid certificate and subjectPublicKeyInfo disagree");
}

static void test_signature(void **state)
{
    (void)state;
    edited(e_flip_vendor, 0, CHK_PKIX_SIGNATURE, "ecdsa-with-SHA256 signature does not verify");
    edited(e_no_blocks, 0, CHK_PKIX_SIGNATURE, "unsigned evidence");
    edited(e_unknown_keyid, 0, CHK_PKIX_SIGNATURE, "keyId 7477656e7479206279746573206f66206b696421 cannot be resolved");
    edited(e_other_ak_spki, 1, CHK_PKIX_SIGNATURE, "not among the ak-spki claims");
}

/* ---------------------------------------------------------------- chain.* */

static void test_chain_trust(void **state)
{
    EVP_PKEY *rk = lab_ec("P-256"), *ak = lab_ec("P-256");
    X509 *root = lab_cert(rk, "some other root", rk, NULL, LAB_ROOT);
    X509 *cert = lab_cert(ak, "AK of another CA", rk, root, LAB_AK);
    attest_pkix_claims c;

    (void)state;
    lab_claims(&c);
    run_only(&c, ak, cert, NULL, NULL, CHK_CHAIN_TRUST);
    X509_free(cert);
    X509_free(root);
    EVP_PKEY_free(ak);
    EVP_PKEY_free(rk);
}

static void test_chain_ak_profile(void **state)
{
    EVP_PKEY *ak = lab_ec("P-256");
    X509 *no_eku = lab_cert(ak, "AK without EKU", lab.root_key, lab.root, LAB_AK_NO_EKU);
    X509 *ca = lab_cert(ak, "AK that is a CA", lab.root_key, lab.root, LAB_AK_IS_CA);
    attest_pkix_claims c;

    (void)state;
    lab_claims(&c);
    run_only(&c, ak, no_eku, NULL, NULL, CHK_CHAIN_AK_PROFILE);
    run_allowed(&c, ak, no_eku, NULL, ATTEST_ALLOW_AK_WITHOUT_EKU, CHK_CHAIN_AK_PROFILE);
    run_only(&c, ak, ca, NULL, NULL, CHK_CHAIN_AK_PROFILE);
    X509_free(no_eku);
    X509_free(ca);
    EVP_PKEY_free(ak);
}

/*
 * A TPM AK certificate never admits PKIX evidence (design §6): a TPM AK signs
 * any digest the host hands it, so the claims would be the host's word.  The
 * regression: a restricted TPM AK signed host-written claims about a software
 * key and the verdict was affirming.  No --allow changes this.
 */
static void test_chain_ak_profile_tpm_ak(void **state)
{
    static const int marks[] = { LAB_AK_TPM_EKU, LAB_AK_BOTH_EKU, LAB_AK | LAB_AK_TPM_SAN,
                                 LAB_AK_NO_EKU | LAB_AK_TPM_SAN };
    EVP_PKEY *ak = lab_ec("P-256");
    attest_pkix_claims c;
    size_t i;

    (void)state;
    lab_claims(&c);
    for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
        X509 *cert = lab_cert(ak, "TPM AK", lab.root_key, lab.root, marks[i]);
        attest_verdict *v;

        assert_int_equal(attest_ak_cert_is_tpm(cert), 1);
        run_only(&c, ak, cert, NULL, NULL, CHK_CHAIN_AK_PROFILE);
        v = run(&c, ak, cert, NULL, lab_nonce, ATTEST_ALLOW_AK_WITHOUT_EKU);
        lab_only_fails(v, CHK_CHAIN_AK_PROFILE);
        assert_non_null(strstr(verdict_check(v, CHK_CHAIN_AK_PROFILE)->detail, "TPM AK certificate"));
        attest_verdict_free(v);
        X509_free(cert);
    }
    EVP_PKEY_free(ak);
}

/* An EKU for neither format (codeSigning) is what --allow ak-without-eku relaxes. */
static void test_chain_ak_profile_other_eku(void **state)
{
    EVP_PKEY *ak = lab_ec("P-256");
    X509 *cert = lab_cert(ak, "AK with codeSigning", lab.root_key, lab.root, LAB_AK_OTHER_EKU);
    attest_pkix_claims c;

    (void)state;
    lab_claims(&c);
    assert_int_equal(attest_ak_cert_is_tpm(cert), 0);
    run_only(&c, ak, cert, NULL, NULL, CHK_CHAIN_AK_PROFILE);
    run_allowed(&c, ak, cert, NULL, ATTEST_ALLOW_AK_WITHOUT_EKU, CHK_CHAIN_AK_PROFILE);
    X509_free(cert);
    EVP_PKEY_free(ak);
}

/* ---------------------------------------------------------------- pkix.key-binding */

/* A second key element about the same key, its SPKI in compressed form (byte-different, key-equal). */
static void e_same_key_twice(attest_pkix *p)
{
    ATTEST_PKIX_ELEMENT *el =
        ASN1_item_dup(ASN1_ITEM_rptr(ATTEST_PKIX_ELEMENT), lab_element(p, ATTEST_OID_PKIX_EL_KEY));
    EVP_PKEY *k = EVP_PKEY_dup(lab.subject);

    assert_non_null(k);
    assert_true(EVP_PKEY_set_utf8_string_param(k, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"));
    set_value(lab_claim(el, ATTEST_OID_PKIX_KEY_IDENTIFIER), any_string(V_ASN1_UTF8STRING, "k2"));
    set_value(lab_claim(el, ATTEST_OID_PKIX_KEY_SPKI), spki_octets(k));
    assert_true(sk_ATTEST_PKIX_ELEMENT_push(p->ev->tbs->elements, el) > 0);
    EVP_PKEY_free(k);
}

/* The key-spki claim in another encoding of the subject key: its point compressed. */
static void e_compressed_subject(attest_pkix *p)
{
    EVP_PKEY *k = EVP_PKEY_dup(lab.subject);

    assert_non_null(k);
    assert_true(EVP_PKEY_set_utf8_string_param(k, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"));
    set_value(lab_claim(lab_element(p, ATTEST_OID_PKIX_EL_KEY), ATTEST_OID_PKIX_KEY_SPKI), spki_octets(k));
    EVP_PKEY_free(k);
}

static void test_key_binding(void **state)
{
    EVP_PKEY *other = lab_ec("P-256");
    attest_pkix_claims c;

    (void)state;
    lab_claims(&c);
    c.key = other;
    run_only(&c, lab.ak_key, lab.ak, NULL, NULL, CHK_PKIX_KEY_BINDING);
    edited(e_same_key_twice, 1, CHK_PKIX_KEY_BINDING, "2 key elements report the subject key");
    EVP_PKEY_free(other);
    /* The same key spelled differently still binds (made from its fields and compared as keys). */
    {
        size_t len, len2;
        unsigned char *der = lab_evidence(lab.ak_key, NULL, 0, &len), *der2;
        attest_pkix *p = lab_decode(der, len);
        attest_verdict *v;

        e_compressed_subject(p);
        lab_resign(p, 0, lab.ak_key, "SHA256");
        der2 = lab_encode(p, &len2);
        v = lab_verify_csr(der2, len2, &lab.ak, 1, lab_nonce, sizeof(lab_nonce), 0);
        lab_expect(v, CHK_PKIX_KEY_BINDING, ATTEST_CHECK_PASS);
        attest_verdict_free(v);
        attest_pkix_free(p);
        OPENSSL_free(der);
        OPENSSL_free(der2);
    }
}

/* ---------------------------------------------------------------- pkix.nonce */

static void test_nonce(void **state)
{
    attest_pkix_claims c;

    (void)state;
    lab_claims(&c);
    run_only(&c, lab.ak_key, lab.ak, NULL, other_nonce, CHK_PKIX_NONCE);
    c.nonce = NULL;
    run_only(&c, lab.ak_key, lab.ak, NULL, lab_nonce, CHK_PKIX_NONCE);
}

/* ---------------------------------------------------------------- pkix.key-policy */

static void test_key_policy(void **state)
{
    attest_pkix_claims c;

    (void)state;
    lab_claims(&c);
    c.extractable = 1;
    c.never_extractable = -1;
    run_only(&c, lab.ak_key, lab.ak, NULL, NULL, CHK_PKIX_KEY_POLICY);
    run_allowed(&c, lab.ak_key, lab.ak, NULL, ATTEST_ALLOW_EXPORTABLE_KEY, CHK_PKIX_KEY_POLICY);

    lab_claims(&c);
    c.local = 0;
    run_only(&c, lab.ak_key, lab.ak, NULL, NULL, CHK_PKIX_KEY_POLICY);
    run_allowed(&c, lab.ak_key, lab.ak, NULL, ATTEST_ALLOW_IMPORTED_KEY, CHK_PKIX_KEY_POLICY);

    /* Nothing claimed: nothing proven. */
    lab_claims(&c);
    c.extractable = c.sensitive = c.never_extractable = c.local = -1;
    run_only(&c, lab.ak_key, lab.ak, NULL, NULL, CHK_PKIX_KEY_POLICY);
    run_allowed(&c, lab.ak_key, lab.ak, NULL, ATTEST_ALLOW_EXPORTABLE_KEY | ATTEST_ALLOW_IMPORTED_KEY,
                CHK_PKIX_KEY_POLICY);
}

/* ---------------------------------------------------------------- policy.weak-algorithms */

static void test_weak_algorithms(void **state)
{
    EVP_PKEY *small = lab_rsa(1024);
    X509 *cert = lab_cert(small, "RSA-1024 AK", lab.root_key, lab.root, LAB_AK);
    attest_pkix_claims c;

    (void)state;
    lab_claims(&c);
    run_only(&c, small, cert, NULL, NULL, CHK_POLICY_WEAK_ALGS);
    run_allowed(&c, small, cert, NULL, ATTEST_ALLOW_SMALL_RSA, CHK_POLICY_WEAK_ALGS);
    run_only(&c, lab.ak_key, lab.ak, "SHA1", NULL, CHK_POLICY_WEAK_ALGS);
    run_allowed(&c, lab.ak_key, lab.ak, "SHA1", ATTEST_ALLOW_SHA1, CHK_POLICY_WEAK_ALGS);
    X509_free(cert);
    EVP_PKEY_free(small);
}

/* ---------------------------------------------------------------- decoding */

static void test_not_evidence(void **state)
{
    static const unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
    attest_verdict *v = lab_verify_csr(junk, sizeof(junk), &lab.ak, 1, NULL, 0, 0);

    (void)state;
    lab_only_fails(v, CHK_PKIX_STRUCTURE);
    lab_expect(v, CHK_PKIX_SIGNATURE, ATTEST_CHECK_SKIP);
    attest_verdict_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_structure_unknown_ignored),
        cmocka_unit_test(test_signature),
        cmocka_unit_test(test_sid_cert_and_spki),
        cmocka_unit_test(test_chain_trust),
        cmocka_unit_test(test_chain_ak_profile),
        cmocka_unit_test(test_chain_ak_profile_tpm_ak),
        cmocka_unit_test(test_chain_ak_profile_other_eku),
        cmocka_unit_test(test_key_binding),
        cmocka_unit_test(test_nonce),
        cmocka_unit_test(test_key_policy),
        cmocka_unit_test(test_weak_algorithms),
        cmocka_unit_test(test_not_evidence),
    };

    return cmocka_run_group_tests(tests, lab_setup, lab_teardown);
}
