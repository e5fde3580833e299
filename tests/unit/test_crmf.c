/*
 * asn1/crmf.c and attest_verify_crmf on requests built with OpenSSL's own
 * CRMF and CMP APIs (a CMP context whose transfer callback keeps the request
 * instead of sending it): the fields read back, then hostile variants -
 * every truncation, trailing bytes, a non-minimal length, every byte flipped,
 * duplicate extensions, a raVerified POPO, a body that is not a request.
 * Several requests in one message (hole 7), with real PKIX evidence from the
 * in-memory lab: every request is verified, an unattested one riding along,
 * a shared certReqId, another key's evidence and too many requests each fail
 * exactly one check.  Inputs sit in exact-size heap blocks so that ASan
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

#include "attest/bundle.h"
#include "attest/checks.h"
#include "attest/crmf.h"
#include "attest/oids.h"
#include "attest/verify.h"
#include "der_edit.h"
#include "pkix_lab.h"
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
    lab_setup(NULL);
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
    lab_teardown(NULL);
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

/* ------------------------------------------------ several requests (hole 7) */

/* One CertReqMsg of a message: template key, certReqId, and whose key the evidence is about (NULL: none). */
typedef struct {
    EVP_PKEY *key;
    int id;
    EVP_PKEY *evidence_for;
} req_spec;

/* An AttestationBundle with lab PKIX evidence (good claims, lab nonce) about key, and the AK certificate. */
static unsigned char *lab_bundle(EVP_PKEY *key, size_t *len)
{
    attest_pkix_claims c;
    attest_pkix_signer sg = { NULL, NULL, "SHA256", 0 };
    attest_bundle *b = attest_bundle_new();
    unsigned char *ev = NULL, *der = NULL;
    size_t evlen;
    attest_err err;

    assert_non_null(b);
    lab_claims(&c);
    c.key = key;
    sg.key = lab.ak_key;
    if (attest_pkix_build(&c, &sg, 1, NULL, NULL, &ev, &evlen, &err) != 0)
        fail_msg("attest_pkix_build: %s", err.msg);
    assert_int_equal(attest_bundle_add_statement(b, attest_oid_obj(ATTEST_OID_PKIX_STATEMENT), ev, evlen, &err), 0);
    assert_int_equal(attest_bundle_add_cert(b, lab.ak), 0);
    assert_int_equal(attest_bundle_encode(b, &der, len, &err), 0);
    attest_bundle_free(b);
    OPENSSL_free(ev);
    return der;
}

/* A bare CertReqMessages of n requests as specified, each with a signature POPO by its own key. */
static unsigned char *crmf_several(const req_spec *spec, int n, size_t *len)
{
    OSSL_CRMF_MSGS *msgs = OSSL_CRMF_MSGS_new();
    X509_NAME *subj = cn_x();
    unsigned char *der = NULL;
    int r, dlen;

    assert_non_null(msgs);
    for (r = 0; r < n; r++) {
        OSSL_CRMF_MSG *m = OSSL_CRMF_MSG_new();

        assert_non_null(m);
        assert_true(OSSL_CRMF_MSG_set_certReqId(m, spec[r].id));
        assert_true(OSSL_CRMF_CERTTEMPLATE_fill(OSSL_CRMF_MSG_get0_tmpl(m), spec[r].key, subj, NULL, NULL));
        if (spec[r].evidence_for != NULL) {
            size_t blen;
            unsigned char *bundle = lab_bundle(spec[r].evidence_for, &blen);
            ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
            X509_EXTENSION *x;

            assert_non_null(os);
            assert_true(ASN1_OCTET_STRING_set(os, bundle, (int)blen));
            x = X509_EXTENSION_create_by_OBJ(NULL, attest_oid_obj(ATTEST_OID_AA_ATTESTATION), 0, os);
            assert_non_null(x);
            assert_true(OSSL_CRMF_MSG_push0_extension(m, x));
            ASN1_OCTET_STRING_free(os);
            OPENSSL_free(bundle);
        }
        assert_true(OSSL_CRMF_MSG_create_popo(OSSL_CRMF_POPO_SIGNATURE, m, spec[r].key, EVP_sha256(), NULL, NULL));
        assert_true(sk_OSSL_CRMF_MSG_push(msgs, m) > 0);
    }
    assert_true((dlen = i2d_OSSL_CRMF_MSGS(msgs, &der)) > 0);
    *len = (size_t)dlen;
    X509_NAME_free(subj);
    OSSL_CRMF_MSGS_free(msgs);
    return der;
}

static attest_verdict *verify_lab(const unsigned char *der, size_t len)
{
    attest_policy pol;
    attest_verify_params p;
    unsigned char *buf = dup_bytes(der, len);
    attest_verdict *v;

    attest_policy_default(&pol);
    memset(&p, 0, sizeof(p));
    p.trust = lab.trust;
    p.policy = &pol;
    p.nonce = lab_nonce;
    p.nonce_len = sizeof(lab_nonce);
    assert_non_null(v = attest_verify_crmf(&p, buf, len));
    free(buf);
    return v;
}

static const attest_submod *sub_named(const attest_verdict *v, const char *name)
{
    size_t i;

    for (i = 0; i < v->n_subs; i++)
        if (strcmp(v->subs[i].name, name) == 0)
            return &v->subs[i];
    lab_dump(v);
    fail_msg("no submodule %s", name);
    return NULL;
}

/* Errors in one check list other than (want, id); duplicates of an id in a list. */
static int other_errors(const attest_checks *cs, int want, const char *id)
{
    size_t i, j;
    int n = 0;

    for (i = 0; i < cs->n; i++) {
        for (j = 0; j < i; j++)
            n += strcmp(cs->v[j].id, cs->v[i].id) == 0;
        n += cs->v[i].severity == ATTEST_SEV_ERROR && !(want && strcmp(cs->v[i].id, id) == 0);
    }
    return n;
}

/* id failed (error) in submodule sub, nothing else anywhere is an error, exit 1. */
static void only_fails_in(const attest_verdict *v, const char *sub, const char *id)
{
    const attest_check *k = attest_checks_find(&sub_named(v, sub)->checks, id);
    int n = other_errors(&v->checks, 0, id);
    size_t i;

    for (i = 0; i < v->n_subs; i++)
        n += other_errors(&v->subs[i].checks, strcmp(v->subs[i].name, sub) == 0, id);
    if (k == NULL || k->result != ATTEST_CHECK_FAIL || k->severity != ATTEST_SEV_ERROR || n != 0) {
        lab_dump(v);
        fail_msg("%s: %s did not fail alone", sub, id);
    }
    assert_int_equal(attest_verdict_exit_code(v), 1);
}

/* Two requests, each with valid evidence for its own key, ids 0 and 1: affirming, one submodule per statement. */
static void test_several_attested(void **state)
{
    EVP_PKEY *k2 = lab_ec("P-256");
    req_spec spec[] = { { lab.subject, 0, lab.subject }, { k2, 1, k2 } };
    size_t len;
    unsigned char *der = crmf_several(spec, 2, &len);
    attest_verdict *v = verify_lab(der, len);
    json_object *j, *subs;

    (void)state;
    if (attest_verdict_exit_code(v) != 0) {
        lab_dump(v);
        fail_msg("not affirming");
    }
    assert_check(v, CHK_CRMF_PARSE, ATTEST_CHECK_PASS);
    assert_null(top(v, CHK_CRMF_POPO)); /* per request, in certReq[i] */
    assert_int_equal(v->n_subs, 4);
    assert_int_equal(attest_checks_find(&sub_named(v, "certReq[1]")->checks, CHK_CRMF_POPO)->result, ATTEST_CHECK_PASS);
    assert_int_equal(attest_checks_find(&sub_named(v, "certReq[1]")->checks, CHK_POLICY_KEY_ATTESTED)->result,
                     ATTEST_CHECK_PASS);
    assert_true(sub_named(v, "certReq[0].attestations[0]")->binds_subject_key);
    assert_true(sub_named(v, "certReq[1].attestations[0]")->binds_subject_key);
    /* one EAR object; every submodule by name */
    j = attest_verdict_json(v);
    assert_true(json_object_object_get_ex(j, "submods", &subs));
    assert_int_equal(json_object_object_length(subs), 4);
    assert_true(json_object_object_get_ex(subs, "certReq[1].attestations[0]", NULL));
    json_object_put(j);
    attest_verdict_free(v);
    OPENSSL_free(der);
    EVP_PKEY_free(k2);
}

/* The attack: an attested request plus a software key's request with a valid POPO and the same certReqId 0. */
static void test_several_unattested_rider(void **state)
{
    EVP_PKEY *sw = lab_ec("P-256");
    req_spec same[] = { { lab.subject, 0, lab.subject }, { sw, 0, NULL } };
    req_spec distinct[] = { { lab.subject, 0, lab.subject }, { sw, 1, NULL } };
    size_t len;
    unsigned char *der = crmf_several(same, 2, &len);
    attest_verdict *v = verify_lab(der, len);

    (void)state;
    /* as sent: the shared id is refused before anything else */
    lab_only_fails(v, CHK_CRMF_PARSE);
    assert_non_null(strstr(top(v, CHK_CRMF_PARSE)->detail, "share certReqId 0"));
    attest_verdict_free(v);
    OPENSSL_free(der);
    /* with its own id: the rider is verified too, and has no evidence */
    der = crmf_several(distinct, 2, &len);
    v = verify_lab(der, len);
    only_fails_in(v, "certReq[1]", CHK_BUNDLE_COUNT);
    assert_int_equal(attest_checks_find(&sub_named(v, "certReq[1]")->checks, CHK_CRMF_POPO)->result, ATTEST_CHECK_PASS);
    attest_verdict_free(v);
    OPENSSL_free(der);
    EVP_PKEY_free(sw);
}

/* Two attested requests sharing certReqId 1: crmf.parse, and the decoder says so. */
static void test_several_duplicate_ids(void **state)
{
    EVP_PKEY *k2 = lab_ec("P-256");
    req_spec spec[] = { { lab.subject, 1, lab.subject }, { k2, 1, k2 } };
    size_t len;
    unsigned char *der = crmf_several(spec, 2, &len);
    attest_verdict *v = verify_lab(der, len);

    (void)state;
    lab_only_fails(v, CHK_CRMF_PARSE);
    decode_fails(der, len, "share certReqId 1");
    attest_verdict_free(v);
    OPENSSL_free(der);
    EVP_PKEY_free(k2);
}

/* The second request carries the first key's (valid) evidence: its key binding fails, nothing else. */
static void test_several_wrong_key(void **state)
{
    EVP_PKEY *k2 = lab_ec("P-256");
    req_spec spec[] = { { lab.subject, 0, lab.subject }, { k2, 1, lab.subject } };
    size_t len;
    unsigned char *der = crmf_several(spec, 2, &len);
    attest_verdict *v = verify_lab(der, len);

    (void)state;
    only_fails_in(v, "certReq[1].attestations[0]", CHK_PKIX_KEY_BINDING);
    assert_true(sub_named(v, "certReq[0].attestations[0]")->binds_subject_key);
    attest_verdict_free(v);
    OPENSSL_free(der);
    EVP_PKEY_free(k2);
}

/* Another request's POPO is checked with its own id: a bad signature there fails crmf.popo in certReq[1]. */
static void test_several_bad_popo(void **state)
{
    EVP_PKEY *k2 = lab_ec("P-256");
    req_spec spec[] = { { lab.subject, 0, lab.subject }, { k2, 7, k2 } };
    size_t len, at, blen;
    unsigned char *der = crmf_several(spec, 2, &len);
    attest_verdict *v;

    (void)state;
    /* the last BIT STRING of the message is the second POPO's signature: flip its last bit */
    at = der_child(der, len, 0, 1, &blen);
    assert_int_equal(at + blen, len);
    der[len - 1] ^= 0x01;
    v = verify_lab(der, len);
    only_fails_in(v, "certReq[1]", CHK_CRMF_POPO);
    attest_verdict_free(v);
    OPENSSL_free(der);
    EVP_PKEY_free(k2);
}

/* ATTEST_CRMF_MAX_REQS requests are verified; one more is refused by crmf.parse. */
static void test_several_cap(void **state)
{
    req_spec spec[ATTEST_CRMF_MAX_REQS + 1];
    size_t len;
    unsigned char *der;
    attest_verdict *v;
    int i;

    (void)state;
    for (i = 0; i <= ATTEST_CRMF_MAX_REQS; i++) {
        spec[i].key = lab.subject;
        spec[i].id = i;
        spec[i].evidence_for = lab.subject;
    }
    der = crmf_several(spec, ATTEST_CRMF_MAX_REQS, &len);
    v = verify_lab(der, len);
    assert_int_equal(attest_verdict_exit_code(v), 0);
    assert_int_equal(v->n_subs, 2 * ATTEST_CRMF_MAX_REQS);
    attest_verdict_free(v);
    OPENSSL_free(der);
    der = crmf_several(spec, ATTEST_CRMF_MAX_REQS + 1, &len);
    v = verify_lab(der, len);
    lab_only_fails(v, CHK_CRMF_PARSE);
    assert_non_null(strstr(top(v, CHK_CRMF_PARSE)->detail, "at most 8"));
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
        cmocka_unit_test(test_bare_fields),
        cmocka_unit_test(test_cmp_bodies),
        cmocka_unit_test(test_cmp_p10cr),
        cmocka_unit_test(test_cmp_genm),
        cmocka_unit_test(test_truncated_trailing),
        cmocka_unit_test(test_not_der),
        cmocka_unit_test(test_duplicate_extension),
        cmocka_unit_test(test_no_extension),
        cmocka_unit_test(test_ra_verified),
        cmocka_unit_test(test_several_attested),
        cmocka_unit_test(test_several_unattested_rider),
        cmocka_unit_test(test_several_duplicate_ids),
        cmocka_unit_test(test_several_wrong_key),
        cmocka_unit_test(test_several_bad_popo),
        cmocka_unit_test(test_several_cap),
        cmocka_unit_test(test_subject_long_form),
        cmocka_unit_test(test_every_byte_flipped),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
