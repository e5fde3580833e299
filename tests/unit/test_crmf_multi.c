/*
 * Several CertReqMsgs in one CRMF message (hole 7), built with OpenSSL's CRMF
 * API, each with real PKIX evidence from the in-memory lab (pkix_lab.c):
 * every request is verified; an unattested request riding along, a shared
 * certReqId, another key's evidence, a bad POPO in a later request and one
 * request over the cap each fail exactly one check; two attested requests
 * are affirming, one EAR object with a submodule per request and statement.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/crmf.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/bundle.h"
#include "attest/checks.h"
#include "attest/crmf.h"
#include "attest/oids.h"
#include "attest/verdict.h"
#include "der_edit.h"
#include "pkix_lab.h"
#include "testutil.h"

static X509_NAME *cn_x(void)
{
    X509_NAME *n = X509_NAME_new();

    assert_non_null(n);
    assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"x", -1, -1, 0));
    return n;
}

static const attest_check *top(const attest_verdict *v, const char *id)
{
    return attest_checks_find(&v->checks, id);
}

static void decode_fails(const unsigned char *der, size_t len, const char *want)
{
    attest_crmf *c = NULL;
    attest_err err;
    unsigned char *p = dup_bytes(der, len);

    err.msg[0] = '\0';
    assert_int_equal(attest_crmf_decode(p, len, NULL, NULL, &c, &err), -1);
    assert_null(c);
    if (strstr(err.msg, want) == NULL)
        fail_msg("error '%s' does not say '%s'", err.msg, want);
    free(p);
}

static int setup(void **state)
{
    assert_true(attest_oids_init());
    return lab_setup(state);
}

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
    assert_int_equal(top(v, CHK_CRMF_PARSE)->result, ATTEST_CHECK_PASS);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_several_attested),      cmocka_unit_test(test_several_unattested_rider),
        cmocka_unit_test(test_several_duplicate_ids), cmocka_unit_test(test_several_wrong_key),
        cmocka_unit_test(test_several_bad_popo),      cmocka_unit_test(test_several_cap),
    };

    return cmocka_run_group_tests(tests, setup, lab_teardown);
}
