/*
 * The whole PKCS#10 request is strict DER (hole 5).  OpenSSL keeps the
 * CertificationRequestInfo's original bytes (and a Name's) and writes them
 * back on i2d, so re-encode-and-compare is blind inside them.  Each case
 * below edits a well-formed CRI in one BER way, signs the edited bytes with
 * the request's own key (so OpenSSL's X509_REQ_verify is happy) and expects
 * csr.parse, and nothing else, to refuse it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "attest/checks.h"
#include "attest/csr.h"
#include "attest/oids.h"
#include "attest/verdict.h"
#include "der_edit.h"

typedef struct {
    EVP_PKEY *key;
    unsigned char *cri; /* DER of a CRI with a two-valued RDN, two attributes, a critical extension */
    size_t cri_len;
    attest_trust *trust;
    attest_policy policy;
    attest_verify_params vp;
} fixture;

static const unsigned char hello[] = { 0x0c, 0x05, 'h', 'e', 'l', 'l', 'o' };

/* The CRI as OpenSSL encodes it: sorted, minimal, DER. */
static unsigned char *make_cri(EVP_PKEY *key, size_t *len)
{
    X509_REQ *req = X509_REQ_new();
    X509_NAME *n = X509_REQ_get_subject_name(req);
    STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
    X509_EXTENSION *ku = X509V3_EXT_conf_nid(NULL, NULL, NID_key_usage, "critical,digitalSignature");
    unsigned char *der = NULL;
    int dlen;

    assert_non_null(req);
    assert_non_null(ku);
    assert_true(X509_REQ_set_pubkey(req, key));
    assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"hello", -1, -1, 0));
    /* O and OU in one RDN: a SET OF with two members */
    assert_true(X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"acme", -1, -1, 0));
    assert_true(X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_ASC, (const unsigned char *)"ops", -1, -1, -1));
    assert_true(sk_X509_EXTENSION_push(exts, ku) > 0);
    assert_true(X509_REQ_add_extensions(req, exts));
    assert_true(
        X509_REQ_add1_attr_by_NID(req, NID_pkcs9_challengePassword, MBSTRING_ASC, (const unsigned char *)"secret", -1));
    assert_true((dlen = i2d_re_X509_REQ_tbs(req, &der)) > 0);
    *len = (size_t)dlen;
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_REQ_free(req);
    return der;
}

/* SEQUENCE { cri, ecdsa-with-SHA256, BIT STRING sig(cri) }, signed over exactly the cri bytes. */
static unsigned char *sign_cri(EVP_PKEY *key, const unsigned char *cri, size_t cri_len, size_t *len)
{
    static const unsigned char alg[] = { 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 };
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    unsigned char sig[160], *body, *out, *p;
    size_t siglen = sizeof(sig), blen;
    int bs, total;

    assert_non_null(m);
    assert_true(EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, key) > 0);
    assert_true(EVP_DigestSign(m, sig, &siglen, cri, cri_len) > 0);
    EVP_MD_CTX_free(m);
    bs = ASN1_object_size(0, (int)siglen + 1, V_ASN1_BIT_STRING);
    blen = cri_len + sizeof(alg) + (size_t)bs;
    total = ASN1_object_size(1, (int)blen, V_ASN1_SEQUENCE);
    assert_non_null(out = malloc((size_t)total));
    p = out;
    ASN1_put_object(&p, 1, (int)blen, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
    body = p;
    memcpy(body, cri, cri_len);
    memcpy(body + cri_len, alg, sizeof(alg));
    p = body + cri_len + sizeof(alg);
    ASN1_put_object(&p, 0, (int)siglen + 1, V_ASN1_BIT_STRING, V_ASN1_UNIVERSAL);
    *p++ = 0x00;
    memcpy(p, sig, siglen);
    *len = (size_t)total;
    return out;
}

/* What OpenSSL alone makes of the bytes: 1 when it parses them and the signature verifies. */
static int openssl_accepts(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)len);
    int ok = req != NULL && p == der + len && X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) == 1;

    X509_REQ_free(req);
    ERR_clear_error();
    return ok;
}

/* der is refused by attest_csr_decode (saying want) and its verdict fails csr.parse only. */
static void refused(fixture *f, const unsigned char *der, size_t len, const char *want, const char *what)
{
    attest_csr *c = NULL;
    attest_err err;
    attest_verdict *v;
    size_t i;

    err.msg[0] = '\0';
    if (attest_csr_decode(der, len, &c, &err) == 0) {
        attest_csr_free(c);
        fail_msg("%s: accepted", what);
    }
    if (strstr(err.msg, want) == NULL)
        fail_msg("%s: refused for another reason: %s", what, err.msg);
    assert_non_null(v = attest_verify_csr(&f->vp, der, len));
    for (i = 0; i < v->checks.n; i++)
        if (v->checks.v[i].severity == ATTEST_SEV_ERROR && strcmp(v->checks.v[i].id, CHK_CSR_PARSE) != 0)
            fail_msg("%s: %s failed too", what, v->checks.v[i].id);
    assert_non_null(attest_checks_find(&v->checks, CHK_CSR_PARSE));
    assert_int_equal(attest_checks_find(&v->checks, CHK_CSR_PARSE)->result, ATTEST_CHECK_FAIL);
    assert_int_equal(attest_verdict_exit_code(v), 1);
    attest_verdict_free(v);
}

/* cri (owned) signed; refused by us; OpenSSL's own verdict on the bytes is want_openssl. */
static void expect_refused(fixture *f, unsigned char *cri, size_t cri_len, int want_openssl, const char *want,
                           const char *what)
{
    size_t len;
    unsigned char *der = sign_cri(f->key, cri, cri_len, &len);

    if (openssl_accepts(der, len) != want_openssl)
        fail_msg("%s: OpenSSL %s it", what, want_openssl ? "refuses" : "accepts");
    refused(f, der, len, want, what);
    free(der);
    free(cri);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    assert_true(attest_oids_init());
    assert_non_null(f->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
    f->cri = make_cri(f->key, &f->cri_len);
    assert_non_null(f->trust = attest_trust_new());
    attest_policy_default(&f->policy);
    f->vp.trust = f->trust;
    f->vp.policy = &f->policy;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    EVP_PKEY_free(f->key);
    OPENSSL_free(f->cri);
    attest_trust_free(f->trust);
    free(f);
    return 0;
}

/* The unedited CRI, signed the same way: parsed, signature verifies, no attestation (4). */
static void test_control(void **state)
{
    fixture *f = *state;
    size_t len;
    unsigned char *der = sign_cri(f->key, f->cri, f->cri_len, &len);
    attest_csr *c = NULL;
    attest_err err;
    attest_verdict *v;

    assert_true(openssl_accepts(der, len));
    if (attest_csr_decode(der, len, &c, &err) != 0)
        fail_msg("%s", err.msg);
    attest_csr_free(c);
    assert_non_null(v = attest_verify_csr(&f->vp, der, len));
    assert_int_equal(attest_checks_find(&v->checks, CHK_CSR_PARSE)->result, ATTEST_CHECK_PASS);
    assert_int_equal(attest_checks_find(&v->checks, CHK_CSR_SIGNATURE)->result, ATTEST_CHECK_PASS);
    assert_int_equal(attest_verdict_exit_code(v), 4);
    attest_verdict_free(v);
    free(der);
}

/* 0c 05 "hello" written 0c 81 05 "hello": BER, and OpenSSL keeps the bytes. */
static void test_subject_long_form_length(void **state)
{
    fixture *f = *state;
    static const unsigned char ber[] = { 0x0c, 0x81, 0x05, 'h', 'e', 'l', 'l', 'o' };
    size_t at = der_find(f->cri, f->cri_len, hello, sizeof(hello)), n;
    unsigned char *cri = der_splice(f->cri, f->cri_len, at, sizeof(hello), ber, sizeof(ber), &n);

    expect_refused(f, cri, n, 1, "not DER", "a long-form length in the subject");
}

/* version INTEGER 0 as 02 02 00 00. */
static void test_version_not_minimal(void **state)
{
    fixture *f = *state;
    static const unsigned char ber[] = { 0x02, 0x02, 0x00, 0x00 };
    size_t vlen, at = der_child(f->cri, f->cri_len, 0, 0, &vlen), n;
    unsigned char *cri;

    assert_int_equal(vlen, 3);
    cri = der_splice(f->cri, f->cri_len, at, vlen, ber, sizeof(ber), &n);
    /* OpenSSL's INTEGER decoder refuses the padding itself */
    expect_refused(f, cri, n, 0, "not a PKCS#10", "a non-minimal INTEGER version");
}

/* The subject Name with an indefinite length (30 80 ... 00 00). */
static void test_subject_indefinite(void **state)
{
    fixture *f = *state;
    size_t nlen, at = der_child(f->cri, f->cri_len, 0, 1, &nlen), hl, n;
    unsigned char *ber, *cri;

    hl = f->cri[at + 1] & 0x80 ? 2 + (f->cri[at + 1] & 0x7f) : 2;
    assert_non_null(ber = malloc(nlen - hl + 4));
    ber[0] = 0x30;
    ber[1] = 0x80;
    memcpy(ber + 2, f->cri + at + hl, nlen - hl);
    ber[2 + nlen - hl] = 0x00;
    ber[3 + nlen - hl] = 0x00;
    cri = der_splice(f->cri, f->cri_len, at, nlen, ber, nlen - hl + 4, &n);
    free(ber);
    expect_refused(f, cri, n, 1, "not DER", "an indefinite-length subject");
}

/* keyUsage's critical BOOLEAN inside extensionRequest written 01 01 01. */
static void test_ext_request_boolean(void **state)
{
    fixture *f = *state;
    static const unsigned char crit[] = { 0x06, 0x03, 0x55, 0x1d, 0x0f, 0x01, 0x01, 0xff };
    unsigned char *cri = malloc(f->cri_len);
    size_t at = der_find(f->cri, f->cri_len, crit, sizeof(crit));

    assert_non_null(cri);
    memcpy(cri, f->cri, f->cri_len);
    cri[at + sizeof(crit) - 1] = 0x01;
    expect_refused(f, cri, f->cri_len, 1, "not DER", "BOOLEAN 01 in extensionRequest");
}

/* The two attributes of [0] swapped: a SET OF out of DER order. */
static void test_attributes_unsorted(void **state)
{
    fixture *f = *state;
    size_t alen, at = der_child(f->cri, f->cri_len, 0, 3, &alen), l0, l1;
    size_t a0 = der_child(f->cri, f->cri_len, at, 0, &l0), a1 = der_child(f->cri, f->cri_len, at, 1, &l1);
    unsigned char *cri = malloc(f->cri_len);

    assert_non_null(cri);
    assert_int_equal(a0 + l0, a1);
    memcpy(cri, f->cri, f->cri_len);
    memcpy(cri + a0, f->cri + a1, l1);
    memcpy(cri + a0 + l1, f->cri + a0, l0);
    expect_refused(f, cri, f->cri_len, 1, "not DER", "attributes out of DER order");
}

/* The two members of the O+OU RDN swapped: a SET OF in the subject out of order. */
static void test_rdn_unsorted(void **state)
{
    fixture *f = *state;
    size_t nlen, name = der_child(f->cri, f->cri_len, 0, 1, &nlen), slen, set, l0, l1, m0, m1;
    unsigned char *cri = malloc(f->cri_len);

    assert_non_null(cri);
    set = der_child(f->cri, f->cri_len, name, 1, &slen); /* CN, then {O, OU} */
    m0 = der_child(f->cri, f->cri_len, set, 0, &l0);
    m1 = der_child(f->cri, f->cri_len, set, 1, &l1);
    memcpy(cri, f->cri, f->cri_len);
    memcpy(cri + m0, f->cri + m1, l1);
    memcpy(cri + m0 + l1, f->cri + m0, l0);
    expect_refused(f, cri, f->cri_len, 1, "not DER", "a multi-valued RDN out of DER order");
}

/* An attribute value OpenSSL keeps opaque, SEQUENCE { INTEGER 00 05 }: the padding is BER. */
static void test_opaque_integer_padded(void **state)
{
    fixture *f = *state;
    static const unsigned char val[] = { 0x30, 0x04, 0x02, 0x02, 0x00, 0x05 };
    X509_REQ *req = X509_REQ_new();
    ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1);
    unsigned char *re = NULL, *cri;
    int n;

    (void)state;
    assert_non_null(req);
    assert_non_null(oid);
    assert_true(X509_REQ_set_pubkey(req, f->key));
    assert_true(X509_REQ_add1_attr_by_OBJ(req, oid, V_ASN1_SEQUENCE, val, sizeof(val)));
    assert_true((n = i2d_re_X509_REQ_tbs(req, &re)) > 0);
    assert_non_null(cri = malloc((size_t)n));
    memcpy(cri, re, (size_t)n);
    OPENSSL_free(re);
    expect_refused(f, cri, (size_t)n, 1, "INTEGER not in its shortest form", "a padded INTEGER in an attribute value");
    ASN1_OBJECT_free(oid);
    X509_REQ_free(req);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control),
        cmocka_unit_test(test_subject_long_form_length),
        cmocka_unit_test(test_version_not_minimal),
        cmocka_unit_test(test_subject_indefinite),
        cmocka_unit_test(test_ext_request_boolean),
        cmocka_unit_test(test_attributes_unsorted),
        cmocka_unit_test(test_rdn_unsorted),
        cmocka_unit_test(test_opaque_integer_padded),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
