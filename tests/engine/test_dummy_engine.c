/*
 * The test-only dummy engine (one file, one row) reaches every part of the
 * library that lists formats: the object table, detection, show's describe,
 * the verifier and its driver, and the check documentation.  With an
 * argument DIR it writes a request carrying dummy evidence (dir/req.der) and
 * a bare statement (dir/stmt.der) for test_dummy_engine.sh, which checks the
 * CLI and the provider built with the same engine.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "attest/bundle.h"
#include "attest/checks.h"
#include "attest/engine.h"
#include "attest/registry.h"
#include "attest/request.h"
#include "attest/verdict.h"

static EVP_PKEY *key_new(void)
{
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* The statement: an OCTET STRING of key's SPKI DER (or of junk). */
static unsigned char *stmt_for(EVP_PKEY *key, size_t *len)
{
    unsigned char *spki = NULL, *der = NULL;
    int n = i2d_PUBKEY(key, &spki), m;
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();

    assert_true(n > 0);
    assert_true(ASN1_OCTET_STRING_set(os, spki, n));
    m = i2d_ASN1_OCTET_STRING(os, &der);
    assert_true(m > 0);
    *len = (size_t)m;
    ASN1_OCTET_STRING_free(os);
    OPENSSL_free(spki);
    return der;
}

static unsigned char *request_with(EVP_PKEY *key, const unsigned char *stmt, size_t stmt_len, size_t *len)
{
    attest_bundle *b = attest_bundle_new();
    ASN1_OBJECT *type = OBJ_txt2obj("1.3.6.1.4.1.99999.77.1", 1);
    attest_request_opts o = { 0 };
    unsigned char *bder = NULL, *der = NULL;
    size_t blen = 0;
    attest_err err;

    assert_non_null(b);
    assert_int_equal(attest_bundle_add_statement(b, type, stmt, stmt_len, &err), 0);
    assert_int_equal(attest_bundle_encode(b, &bder, &blen, &err), 0);
    o.subject = "/CN=dummy";
    assert_int_equal(attest_request_build(key, &o, bder, blen, &der, len, &err), 0);
    OPENSSL_free(bder);
    ASN1_OBJECT_free(type);
    attest_bundle_free(b);
    return der;
}

static attest_verdict *verify(const unsigned char *der, size_t len, attest_trust **t)
{
    static attest_policy pol;
    attest_verify_params p = { 0 };

    attest_policy_default(&pol);
    *t = attest_trust_new();
    p.trust = *t;
    p.policy = &pol;
    return attest_verify_any(&p, ATTEST_DT_NONE, der, len);
}

static const attest_check *sub_check(const attest_verdict *v, const char *id)
{
    assert_int_equal(v->n_subs, 1);
    return attest_checks_find(&v->subs[0].checks, id);
}

static void test_registry_lists_it(void **state)
{
    attest_datatype dt = attest_object_find("dummy");

    (void)state;
    assert_int_not_equal(dt, ATTEST_DT_NONE);
    assert_int_equal(attest_object_find("DummyEvidence"), dt);
    assert_int_equal(attest_object_by_pem("DUMMY EVIDENCE"), dt);
    assert_string_equal(attest_engine_name(attest_object_engine(dt)), "dummy");
    /* The built-in positions do not move. */
    assert_int_equal(attest_object_find("pkix"), ATTEST_DT_PKIX);
    assert_int_equal(attest_object_find("tpmt-signature"), ATTEST_DT_TPMT_SIGNATURE);
}

static int find_doc(void *arg, const char *id, const char *what)
{
    int *found = arg;

    (void)what;
    *found += strcmp(id, "dummy.parse") == 0 || strcmp(id, "dummy.key-binding") == 0;
    return 0;
}

static void test_checks_documented(void **state)
{
    int found = 0;

    (void)state;
    attest_check_docs(find_doc, &found);
    assert_int_equal(found, 2);
}

static void test_describe(void **state)
{
    EVP_PKEY *k = key_new();
    size_t n;
    unsigned char *s = stmt_for(k, &n);
    attest_err err;
    json_object *o = attest_describe(attest_object_find("dummy"), s, n, &err);

    (void)state;
    assert_non_null(o);
    assert_non_null(strstr(json_object_to_json_string(o), "claimed_spki"));
    json_object_put(o);
    OPENSSL_free(s);
    EVP_PKEY_free(k);
}

static void test_binds_the_subject_key(void **state)
{
    EVP_PKEY *k = key_new();
    size_t n, rn;
    unsigned char *s = stmt_for(k, &n), *req = request_with(k, s, n, &rn);
    attest_trust *t;
    attest_verdict *v = verify(req, rn, &t);

    (void)state;
    assert_non_null(v);
    assert_string_equal(v->subs[0].kind, "dummy-evidence");
    assert_int_equal(sub_check(v, "dummy.parse")->result, ATTEST_CHECK_PASS);
    assert_int_equal(sub_check(v, "dummy.key-binding")->result, ATTEST_CHECK_PASS);
    assert_int_equal(attest_checks_find(&v->checks, CHK_POLICY_KEY_ATTESTED)->result, ATTEST_CHECK_PASS);
    attest_verdict_free(v);
    attest_trust_free(t);
    OPENSSL_free(req);
    OPENSSL_free(s);
    EVP_PKEY_free(k);
}

/* Negative first in spirit: another key's claim trips exactly dummy.key-binding. */
static void test_other_key_refused(void **state)
{
    EVP_PKEY *k = key_new(), *other = key_new();
    size_t n, rn;
    unsigned char *s = stmt_for(other, &n), *req = request_with(k, s, n, &rn);
    attest_trust *t;
    attest_verdict *v = verify(req, rn, &t);

    (void)state;
    assert_int_equal(sub_check(v, "dummy.parse")->result, ATTEST_CHECK_PASS);
    assert_int_equal(sub_check(v, "dummy.key-binding")->result, ATTEST_CHECK_FAIL);
    assert_int_equal(attest_verdict_status(v), ATTEST_STATUS_CONTRAINDICATED);
    attest_verdict_free(v);
    attest_trust_free(t);
    OPENSSL_free(req);
    OPENSSL_free(s);
    EVP_PKEY_free(k);
    EVP_PKEY_free(other);
}

/* A malformed statement: dummy.parse fails and the driver records dummy.key-binding as not reached. */
static void test_unparsed_skips_the_rest(void **state)
{
    static const unsigned char junk[] = { 0x02, 0x01, 0x05 }; /* INTEGER 5 */
    EVP_PKEY *k = key_new();
    size_t rn;
    unsigned char *req = request_with(k, junk, sizeof(junk), &rn);
    attest_trust *t;
    attest_verdict *v = verify(req, rn, &t);
    const attest_check *kb;

    (void)state;
    assert_int_equal(sub_check(v, "dummy.parse")->result, ATTEST_CHECK_FAIL);
    kb = sub_check(v, "dummy.key-binding");
    assert_non_null(kb);
    assert_int_equal(kb->result, ATTEST_CHECK_SKIP);
    assert_non_null(strstr(kb->detail, "not reached: dummy.parse"));
    /* Driver order: bundle.type, then the engine's list. */
    assert_string_equal(v->subs[0].checks.v[1].id, "dummy.parse");
    assert_string_equal(v->subs[0].checks.v[2].id, "dummy.key-binding");
    attest_verdict_free(v);
    attest_trust_free(t);
    OPENSSL_free(req);
    EVP_PKEY_free(k);
}

static int emit(const char *dir)
{
    EVP_PKEY *k = key_new();
    size_t n, rn;
    unsigned char *s = stmt_for(k, &n), *req = request_with(k, s, n, &rn);
    char path[4096];
    FILE *f;
    int ok = 1;

    snprintf(path, sizeof(path), "%s/req.der", dir);
    ok &= (f = fopen(path, "wb")) != NULL && fwrite(req, 1, rn, f) == rn && fclose(f) == 0;
    snprintf(path, sizeof(path), "%s/stmt.der", dir);
    ok &= (f = fopen(path, "wb")) != NULL && fwrite(s, 1, n, f) == n && fclose(f) == 0;
    OPENSSL_free(req);
    OPENSSL_free(s);
    EVP_PKEY_free(k);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_lists_it), cmocka_unit_test(test_checks_documented),
        cmocka_unit_test(test_describe),          cmocka_unit_test(test_binds_the_subject_key),
        cmocka_unit_test(test_other_key_refused), cmocka_unit_test(test_unparsed_skips_the_rest),
    };

    if (argc > 1)
        return emit(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
