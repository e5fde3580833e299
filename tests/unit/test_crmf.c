/*
 * asn1/crmf.c and attest_verify_crmf on requests built with OpenSSL's own
 * CRMF and CMP APIs (a CMP context whose transfer callback keeps the request
 * instead of sending it): the fields read back, then hostile variants -
 * every truncation, trailing bytes, a non-minimal length, every byte flipped,
 * duplicate extensions, a raVerified POPO, a body that is not a request,
 * BER in a template's subject.  Several requests in one message are in
 * test_crmf_multi.c.  Inputs sit in exact-size heap blocks so that ASan
 * catches an over-read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/cmp.h>
#include <openssl/crmf.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/checks.h"
#include "attest/crmf.h"
#include "attest/oids.h"
#include "attest/verdict.h"
#include "der_edit.h"
#include "testutil.h"

/* Any DER will do for the extension: these tests are about where it sits. */
static const unsigned char fake_bundle[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };

typedef struct {
    EVP_PKEY *key;
    attest_trust *trust;
    attest_policy policy;
    attest_verify_params vp;
} fixture;

/* ---------------------------------------------------------------- helpers */

static X509_EXTENSION *attest_ext(void)
{
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *x;

    assert_non_null(os);
    assert_true(ASN1_OCTET_STRING_set(os, fake_bundle, sizeof(fake_bundle)));
    x = X509_EXTENSION_create_by_OBJ(NULL, attest_oid_obj(ATTEST_OID_AA_ATTESTATION), 0, os);
    assert_non_null(x);
    ASN1_OCTET_STRING_free(os);
    return x;
}

static X509_NAME *cn_x(void)
{
    X509_NAME *n = X509_NAME_new();

    assert_non_null(n);
    assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"x", -1, -1, 0));
    return n;
}

/* A bare CertReqMessages: n_reqs requests with n_ext attestation extensions each. */
static unsigned char *crmf_msgs(EVP_PKEY *key, int n_ext, int popo, int n_reqs, size_t *len)
{
    OSSL_CRMF_MSGS *msgs = OSSL_CRMF_MSGS_new();
    X509_NAME *subj = cn_x();
    unsigned char *der = NULL;
    int r, e, n;

    assert_non_null(msgs);
    for (r = 0; r < n_reqs; r++) {
        OSSL_CRMF_MSG *m = OSSL_CRMF_MSG_new();

        assert_non_null(m);
        assert_true(OSSL_CRMF_MSG_set_certReqId(m, r));
        assert_true(OSSL_CRMF_CERTTEMPLATE_fill(OSSL_CRMF_MSG_get0_tmpl(m), key, subj, NULL, NULL));
        for (e = 0; e < n_ext; e++)
            assert_true(OSSL_CRMF_MSG_push0_extension(m, attest_ext()));
        assert_true(OSSL_CRMF_MSG_create_popo(popo, m, key, EVP_sha256(), NULL, NULL));
        assert_true(sk_OSSL_CRMF_MSG_push(msgs, m) > 0);
    }
    n = i2d_OSSL_CRMF_MSGS(msgs, &der);
    assert_true(n > 0);
    *len = (size_t)n;
    X509_NAME_free(subj);
    OSSL_CRMF_MSGS_free(msgs);
    return der;
}

typedef struct {
    unsigned char *der;
    int len;
} capture;

/* Quiet: the sessions below fail on purpose. */
static int no_log(const char *func, const char *file, int line, OSSL_CMP_severity level, const char *msg)
{
    (void)func;
    (void)file;
    (void)line;
    (void)level;
    (void)msg;
    return 1;
}

/* The transfer callback: keep the request, answer nothing (the session then fails). */
static OSSL_CMP_MSG *keep_request(OSSL_CMP_CTX *ctx, const OSSL_CMP_MSG *req)
{
    capture *c = OSSL_CMP_CTX_get_transfer_cb_arg(ctx);

    if (c->der == NULL)
        c->len = i2d_OSSL_CMP_MSG(req, &c->der);
    return NULL;
}

/* A PKIMessage as `openssl cmp` makes it: PBM-protected, body ir/cr/p10cr, or genm (body < 0). */
static unsigned char *cmp_request(EVP_PKEY *key, int body, int n_ext, size_t *len)
{
    OSSL_CMP_CTX *ctx = OSSL_CMP_CTX_new(NULL, NULL);
    X509_NAME *subj = cn_x();
    capture cap = { NULL, 0 };
    X509_EXTENSIONS *exts = sk_X509_EXTENSION_new_null();
    X509_REQ *csr = NULL;
    int e;

    assert_non_null(ctx);
    assert_non_null(exts);
    assert_true(OSSL_CMP_CTX_set_log_cb(ctx, no_log));
    assert_true(OSSL_CMP_CTX_set1_referenceValue(ctx, (const unsigned char *)"1234", 4));
    assert_true(OSSL_CMP_CTX_set1_secretValue(ctx, (const unsigned char *)"pass", 4));
    assert_true(OSSL_CMP_CTX_set1_recipient(ctx, subj));
    assert_true(OSSL_CMP_CTX_set1_subjectName(ctx, subj));
    assert_true(EVP_PKEY_up_ref(key));
    assert_true(OSSL_CMP_CTX_set0_newPkey(ctx, 1, key));
    for (e = 0; e < n_ext; e++)
        assert_true(sk_X509_EXTENSION_push(exts, attest_ext()) > 0);
    assert_true(OSSL_CMP_CTX_set0_reqExtensions(ctx, exts));
    if (body == OSSL_CMP_P10CR) {
        assert_non_null(csr = X509_REQ_new());
        assert_true(X509_REQ_set_subject_name(csr, subj));
        assert_true(X509_REQ_set_pubkey(csr, key));
        assert_true(X509_REQ_sign(csr, key, EVP_sha256()) > 0);
        assert_true(OSSL_CMP_CTX_set1_p10CSR(ctx, csr));
    }
    assert_true(OSSL_CMP_CTX_set_transfer_cb(ctx, keep_request));
    assert_true(OSSL_CMP_CTX_set_transfer_cb_arg(ctx, &cap));
    if (body < 0)
        assert_null(OSSL_CMP_exec_GENM_ses(ctx));
    else
        assert_null(OSSL_CMP_exec_certreq(ctx, body, NULL));
    ERR_clear_error();
    assert_non_null(cap.der);
    assert_true(cap.len > 0);
    *len = (size_t)cap.len;
    X509_REQ_free(csr);
    X509_NAME_free(subj);
    OSSL_CMP_CTX_free(ctx);
    return cap.der;
}

static attest_crmf *decode_ok(const unsigned char *der, size_t len)
{
    attest_crmf *c = NULL;
    attest_err err;

    if (attest_crmf_decode(der, len, NULL, NULL, &c, &err) != 0)
        fail_msg("decode failed: %s", err.msg);
    return c;
}

static void decode_fails(const unsigned char *der, size_t len, const char *want)
{
    attest_crmf *c = NULL;
    attest_err err;
    unsigned char *p = dup_bytes(der, len);

    err.msg[0] = '\0';
    assert_int_equal(attest_crmf_decode(p, len, NULL, NULL, &c, &err), -1);
    assert_null(c);
    assert_true(err.msg[0] != '\0');
    if (want != NULL && strstr(err.msg, want) == NULL)
        fail_msg("error '%s' does not say '%s'", err.msg, want);
    free(p);
}

static const attest_check *top(const attest_verdict *v, const char *id)
{
    return attest_checks_find(&v->checks, id);
}

static void assert_check(const attest_verdict *v, const char *id, attest_check_result r)
{
    const attest_check *k = top(v, id);

    if (k == NULL)
        fail_msg("no check %s", id);
    if (k->result != r)
        fail_msg("%s: result %d, want %d (%s)", id, k->result, r, k->detail);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    assert_true(attest_oids_init()); /* 1 on success */
    assert_non_null(f->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
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
    attest_trust_free(f->trust);
    free(f);
    return 0;
}

/* ---------------------------------------------------------------- tests */

/* What a bare CertReqMessages decodes to: template key, subject, POPO, the extension's value. */
static void test_bare_fields(void **state)
{
    fixture *f = *state;
    size_t len;
    unsigned char *der = crmf_msgs(f->key, 1, OSSL_CRMF_POPO_SIGNATURE, 1, &len);
    attest_crmf *c = decode_ok(der, len);
    attest_verdict *v;

    assert_int_equal(c->bodytype, ATTEST_CRMF_BARE);
    assert_int_equal(c->n_reqs, 1);
    assert_int_equal(c->cert_req_id, 0);
    assert_non_null(c->subject);
    assert_non_null(c->pubkey);
    assert_int_equal(EVP_PKEY_eq(c->pubkey, f->key), 1);
    assert_int_equal(c->popo_type, OSSL_CRMF_POPO_SIGNATURE);
    assert_non_null(c->popo_alg);
    assert_int_equal(OBJ_obj2nid(c->popo_alg->algorithm), NID_ecdsa_with_SHA256);
    assert_int_equal(c->n_attest_exts, 1);
    assert_int_equal(c->bundle_len, sizeof(fake_bundle));
    assert_memory_equal(c->bundle_der, fake_bundle, sizeof(fake_bundle));
    attest_crmf_free(c);

    assert_non_null(v = attest_verify_crmf(&f->vp, der, len));
    assert_check(v, CHK_CRMF_PARSE, ATTEST_CHECK_PASS);
    assert_check(v, CHK_CRMF_POPO, ATTEST_CHECK_PASS);
    assert_check(v, CHK_BUNDLE_COUNT, ATTEST_CHECK_PASS);
    assert_check(v, CHK_BUNDLE_PARSE, ATTEST_CHECK_FAIL); /* the fake bundle */
    attest_verdict_free(v);
    OPENSSL_free(der);
}

/* The PKIMessages of `openssl cmp`: ir and cr keep CertReqMessages, p10cr a CSR. */
static void test_cmp_bodies(void **state)
{
    fixture *f = *state;
    static const int bodies[] = { OSSL_CMP_IR, OSSL_CMP_CR };
    size_t i, len;

    for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        unsigned char *der = cmp_request(f->key, bodies[i], 1, &len);
        attest_crmf *c = decode_ok(der, len);
        attest_verdict *v;

        assert_int_equal(c->bodytype, bodies[i]);
        assert_int_equal(c->n_reqs, 1);
        assert_int_equal(EVP_PKEY_eq(c->pubkey, f->key), 1);
        assert_int_equal(c->n_attest_exts, 1);
        assert_memory_equal(c->bundle_der, fake_bundle, sizeof(fake_bundle));
        attest_crmf_free(c);
        assert_non_null(v = attest_verify_crmf(&f->vp, der, len));
        assert_check(v, CHK_CRMF_PARSE, ATTEST_CHECK_PASS);
        assert_check(v, CHK_CRMF_POPO, ATTEST_CHECK_PASS);
        assert_check(v, CHK_BUNDLE_COUNT, ATTEST_CHECK_PASS);
        attest_verdict_free(v);
        OPENSSL_free(der);
    }
}

static void test_cmp_p10cr(void **state)
{
    fixture *f = *state;
    size_t len;
    unsigned char *der = cmp_request(f->key, OSSL_CMP_P10CR, 0, &len);
    attest_crmf *c = decode_ok(der, len);
    attest_verdict *v;
    const unsigned char *p;
    X509_REQ *req;

    assert_int_equal(c->bodytype, OSSL_CMP_P10CR);
    assert_non_null(c->p10_der);
    p = c->p10_der;
    assert_non_null(req = d2i_X509_REQ(NULL, &p, (long)c->p10_len));
    assert_ptr_equal(p, c->p10_der + c->p10_len);
    assert_int_equal(EVP_PKEY_eq(X509_REQ_get0_pubkey(req), f->key), 1);
    X509_REQ_free(req);
    attest_crmf_free(c);
    /* The CSR's own checks, crmf.parse in front; no attribute: none. */
    assert_non_null(v = attest_verify_crmf(&f->vp, der, len));
    assert_string_equal(v->checks.v[0].id, CHK_CRMF_PARSE);
    assert_check(v, CHK_CRMF_PARSE, ATTEST_CHECK_PASS);
    assert_check(v, CHK_CSR_SIGNATURE, ATTEST_CHECK_PASS);
    assert_null(top(v, CHK_CRMF_POPO));
    assert_int_equal(attest_verdict_exit_code(v), 4);
    attest_verdict_free(v);
    OPENSSL_free(der);
}

/* A CMP message that is not a certificate request. */
static void test_cmp_genm(void **state)
{
    fixture *f = *state;
    size_t len;
    unsigned char *der = cmp_request(f->key, -1, 0, &len);
    attest_verdict *v;

    decode_fails(der, len, "not a certificate request");
    assert_non_null(v = attest_verify_crmf(&f->vp, der, len));
    assert_check(v, CHK_CRMF_PARSE, ATTEST_CHECK_FAIL);
    assert_int_equal(attest_verdict_exit_code(v), 1);
    attest_verdict_free(v);
    OPENSSL_free(der);
}

/* Every proper prefix is refused; a byte after the message is refused. */
static void truncations_and_trailing(const unsigned char *der, size_t len)
{
    unsigned char *more = malloc(len + 1);
    size_t n;

    for (n = 0; n < len; n++)
        decode_fails(der, n, NULL);
    assert_non_null(more);
    memcpy(more, der, len);
    more[len] = 0x00;
    decode_fails(more, len + 1, "trailing");
    free(more);
}

static void test_truncated_trailing(void **state)
{
    fixture *f = *state;
    size_t len;
    unsigned char *bare = crmf_msgs(f->key, 1, OSSL_CRMF_POPO_SIGNATURE, 1, &len);
    unsigned char *cmp;

    truncations_and_trailing(bare, len);
    OPENSSL_free(bare);
    cmp = cmp_request(f->key, OSSL_CMP_IR, 1, &len);
    truncations_and_trailing(cmp, len);
    OPENSSL_free(cmp);
}

/* BER, not DER: the outer length with a leading zero octet (81 LL -> 82 00 LL). */
static void ber_length(const unsigned char *der, size_t len, const char *want)
{
    unsigned char *ber = malloc(len + 1);

    assert_non_null(ber);
    assert_true(der[1] == 0x81 || der[1] == 0x82);
    ber[0] = der[0];
    ber[1] = (unsigned char)(der[1] + 1);
    ber[2] = 0x00;
    memcpy(ber + 3, der + 2, len - 2);
    decode_fails(ber, len + 1, want);
    free(ber);
}

static void test_not_der(void **state)
{
    fixture *f = *state;
    size_t len;
    unsigned char *der = crmf_msgs(f->key, 1, OSSL_CRMF_POPO_SIGNATURE, 1, &len);

    ber_length(der, len, "not DER");
    OPENSSL_free(der);
    der = cmp_request(f->key, OSSL_CMP_IR, 1, &len);
    ber_length(der, len, "not DER");
    OPENSSL_free(der);
}

/*
 * Two id-aa-attestation extensions: decoded, counted, and bundle.count fails.
 * (OpenSSL's CMP client merges duplicate request extensions, so only a bare
 * CertReqMessages can carry them.)
 */
static void test_duplicate_extension(void **state)
{
    fixture *f = *state;
    size_t len;
    unsigned char *bare = crmf_msgs(f->key, 2, OSSL_CRMF_POPO_SIGNATURE, 1, &len);
    attest_crmf *c = decode_ok(bare, len);
    attest_verdict *v;

    assert_int_equal(c->n_attest_exts, 2);
    attest_crmf_free(c);
    assert_non_null(v = attest_verify_crmf(&f->vp, bare, len));
    assert_check(v, CHK_CRMF_POPO, ATTEST_CHECK_PASS);
    assert_check(v, CHK_BUNDLE_COUNT, ATTEST_CHECK_FAIL);
    assert_int_equal(attest_verdict_exit_code(v), 1);
    attest_verdict_free(v);
    OPENSSL_free(bare);
}

/* No extension: none (4), after a passing POPO. */
static void test_no_extension(void **state)
{
    fixture *f = *state;
    size_t len;
    unsigned char *der = crmf_msgs(f->key, 0, OSSL_CRMF_POPO_SIGNATURE, 1, &len);
    attest_verdict *v = attest_verify_crmf(&f->vp, der, len);

    assert_non_null(v);
    assert_check(v, CHK_CRMF_POPO, ATTEST_CHECK_PASS);
    assert_check(v, CHK_BUNDLE_COUNT, ATTEST_CHECK_SKIP);
    assert_int_equal(attest_verdict_exit_code(v), 4);
    attest_verdict_free(v);
    OPENSSL_free(der);
}

/* raVerified is an RA's word, not a proof: crmf.popo fails. */
static void test_ra_verified(void **state)
{
    fixture *f = *state;
    size_t len;
    unsigned char *der = crmf_msgs(f->key, 1, OSSL_CRMF_POPO_RAVERIFIED, 1, &len);
    attest_crmf *c = decode_ok(der, len);
    attest_verdict *v;

    assert_int_equal(c->popo_type, OSSL_CRMF_POPO_RAVERIFIED);
    assert_null(c->popo_alg);
    attest_crmf_free(c);
    assert_non_null(v = attest_verify_crmf(&f->vp, der, len));
    assert_check(v, CHK_CRMF_POPO, ATTEST_CHECK_FAIL);
    assert_non_null(strstr(top(v, CHK_CRMF_POPO)->detail, "raVerified"));
    attest_verdict_free(v);
    OPENSSL_free(der);
}

/* BER in the template's subject (kept as received by OpenSSL's X509_NAME): crmf.parse, not DER. */
static void test_subject_long_form(void **state)
{
    fixture *f = *state;
    static const unsigned char x[] = { 0x0c, 0x01, 'x' }, ber[] = { 0x0c, 0x81, 0x01, 'x' };
    size_t len, n;
    unsigned char *der = crmf_msgs(f->key, 1, OSSL_CRMF_POPO_SIGNATURE, 1, &len), *bad;

    bad = der_splice(der, len, der_find(der, len, x, sizeof(x)), sizeof(x), ber, sizeof(ber), &n);
    decode_fails(bad, n, "not DER (non-minimal header");
    free(bad);
    OPENSSL_free(der);
}

/* Every byte flipped in turn: decode and verify never crash; a flipped POPO never passes. */
static void test_every_byte_flipped(void **state)
{
    fixture *f = *state;
    size_t len, i;
    unsigned char *der = crmf_msgs(f->key, 1, OSSL_CRMF_POPO_SIGNATURE, 1, &len);

    for (i = 0; i < len; i++) {
        unsigned char *m = dup_bytes(der, len);
        attest_crmf *c = NULL;
        attest_err err;
        attest_verdict *v;

        m[i] ^= 0x01;
        if (attest_crmf_decode(m, len, NULL, NULL, &c, &err) == 0)
            attest_crmf_free(c);
        assert_non_null(v = attest_verify_crmf(&f->vp, m, len));
        assert_int_not_equal(attest_verdict_exit_code(v), 0);
        attest_verdict_free(v);
        free(m);
        ERR_clear_error();
    }
    OPENSSL_free(der);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bare_fields),         cmocka_unit_test(test_cmp_bodies),
        cmocka_unit_test(test_cmp_p10cr),           cmocka_unit_test(test_cmp_genm),
        cmocka_unit_test(test_truncated_trailing),  cmocka_unit_test(test_not_der),
        cmocka_unit_test(test_duplicate_extension), cmocka_unit_test(test_no_extension),
        cmocka_unit_test(test_ra_verified),         cmocka_unit_test(test_subject_long_form),
        cmocka_unit_test(test_every_byte_flipped),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
