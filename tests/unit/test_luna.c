/*
 * The luna engine on the real sample (ecc-pkc.p7b + ecc-test.csr): its
 * verdict, --strict, and one negative test per check id it can trip
 * (chains made with OpenSSL for the others: test_luna_chains.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/x509v3.h>
#include <json-c/json.h>

#include "attest/engine.h"
#include "attest/registry.h"
#include "luna_lab.h"
#include "testutil.h"

/* ---------- the real sample ---------- */

/* Wrong key first: the sample's chain and origin hold, the binding fails. */
static void sample_wrong_key(void **state)
{
    run r;
    EVP_PKEY *other = ec_key("P-256");
    attest_bundle *b = sample_bundle();
    attest_verdict *v;

    (void)state;
    run_shipped(&r, T_TODAY);
    v = verify_bundle_key(&r, b, other);
    assert_only_error(v, "luna.key-binding");
    assert_result(v, "luna.hardware-origin", ATTEST_CHECK_PASS, 0);
    attest_verdict_free(v);
    attest_bundle_free(b);
    EVP_PKEY_free(other);
    run_free(&r);
}

/* A trust directory whose luna/ holds another root: luna.chain fails. */
static void sample_unknown_root(void **state)
{
    run r;
    chain c;
    attest_bundle *b = sample_bundle();
    attest_verdict *v;

    (void)state;
    mk_chain(&c, "521174", LEAF_EXTS);
    run_test_root(&r, c.root);
    v = verify_bundle_key(&r, b, NULL);
    assert_only_error(v, "luna.chain");
    assert_result(v, "luna.hardware-origin", ATTEST_CHECK_SKIP, 0);
    attest_verdict_free(v);
    attest_bundle_free(b);
    chain_free(&c);
    run_free(&r);
}

/* The sample's leaf with one TBS byte changed: the defect is still there, the repaired signature fails. */
static void sample_tampered_leaf(void **state)
{
    run r;
    attest_bundle *b = sample_bundle(), *t;
    unsigned char *der = dup_bytes(b->stmts[0].stmt, b->stmts[0].stmt_len);
    const unsigned char *p = der;
    X509 *leaf;
    attest_verdict *v;
    size_t i;

    (void)state;
    /* The leaf's CN "43000000ae000002d6f30700": its first byte becomes '5'. */
    for (i = 0; i + 4 < b->stmts[0].stmt_len && memcmp(der + i, "4300", 4) != 0; i++)
        ;
    assert_true(i + 4 < b->stmts[0].stmt_len);
    der[i] = '5';
    leaf = d2i_X509(NULL, &p, (long)b->stmts[0].stmt_len);
    assert_non_null(leaf);
    t = bundle_of(leaf, sk_X509_value(b->certs, 0), sk_X509_value(b->certs, 1));
    run_shipped(&r, T_TODAY);
    v = verify_bundle_key(&r, t, NULL);
    assert_only_error(v, "luna.chain");
    assert_false(luna_find(v, "policy.quirks", NULL, NULL)); /* not consulted: no quirk used */
    attest_verdict_free(v);
    attest_bundle_free(t);
    attest_bundle_free(b);
    X509_free(leaf);
    free(der);
    run_free(&r);
}

/* --strict refuses the negative-s quirk the sample needs. */
static void sample_strict(void **state)
{
    run r;
    attest_verdict *v;

    (void)state;
    run_shipped(&r, T_TODAY);
    r.pol.strict_shape = 1;
    v = verify_sample_csr(&r);
    assert_result(v, "luna.chain", ATTEST_CHECK_FAIL, ATTEST_SEV_ERROR);
    assert_result(v, "policy.quirks", ATTEST_CHECK_FAIL, ATTEST_SEV_ERROR);
    assert_verdict_exit(v, 1);
    attest_verdict_free(v);
    run_free(&r);
}

/* The CSR with the PKC beside it: warning (the quirk), chain, origin in HSM 521174, the key binds. */
static void sample_csr_warning(void **state)
{
    run r;
    attest_verdict *v;

    (void)state;
    run_shipped(&r, T_TODAY);
    v = verify_sample_csr(&r);
    assert_result(v, "csr.signature", ATTEST_CHECK_PASS, 0);
    assert_result(v, "luna.parse", ATTEST_CHECK_PASS, 0);
    assert_result(v, "luna.chain", ATTEST_CHECK_PASS, 0);
    assert_result(v, "chain.anchor-expiry", ATTEST_CHECK_PASS, 0);
    assert_result(v, "luna.hardware-origin", ATTEST_CHECK_PASS, 0);
    assert_result(v, "luna.key-binding", ATTEST_CHECK_PASS, 0);
    assert_result(v, "policy.key-attested", ATTEST_CHECK_PASS, 0);
    assert_result(v, "policy.quirks", ATTEST_CHECK_FAIL, ATTEST_SEV_WARNING);
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);
    run_free(&r);
}

/* Near the ECC root's end (2030-08-12): chain.anchor-expiry warns. */
static void sample_anchor_expiring(void **state)
{
    run r;
    attest_verdict *v;

    (void)state;
    run_shipped(&r, T_MID_2030);
    v = verify_sample_csr(&r);
    assert_result(v, "chain.anchor-expiry", ATTEST_CHECK_FAIL, ATTEST_SEV_WARNING);
    assert_result(v, "luna.key-binding", ATTEST_CHECK_PASS, 0);
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);
    run_free(&r);
}

static void sample_nonce_demanded(void **state)
{
    static const unsigned char nonce[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    run r;
    attest_verdict *v;

    (void)state;
    run_shipped(&r, T_TODAY);
    r.p.nonce = nonce;
    r.p.nonce_len = sizeof(nonce);
    v = verify_sample_csr(&r);
    assert_only_error(v, "luna.nonce");
    assert_result(v, "luna.key-binding", ATTEST_CHECK_PASS, 0);
    attest_verdict_free(v);
    run_free(&r);
}

/* show: the claims a CA reads (serial, OUID) from the sample leaf. */
static void sample_describe(void **state)
{
    const attest_engine *e = NULL;
    attest_bundle *b = sample_bundle();
    json_object *o, *f;
    attest_err err;
    size_t i;

    (void)state;
    for (i = 0; i < attest_engine_count(); i++)
        if (strcmp(attest_engine_at(i)->name, "luna") == 0)
            e = attest_engine_at(i);
    assert_non_null(e);
    assert_string_equal(e->oid_text, PKC_EKU);
    o = e->describe(b->stmts[0].stmt, b->stmts[0].stmt_len, &err);
    assert_non_null(o);
    assert_true(json_object_object_get_ex(o, "hsm_serial", &f));
    assert_int_equal(json_object_get_int64(f), 521174);
    assert_true(json_object_object_get_ex(o, "ouid", &f));
    assert_string_equal(json_object_get_string(f), "43000000ae000002d6f30700");
    json_object_put(o);
    assert_null(e->describe((const unsigned char *)"\x30\x00", 2, &err));
    attest_bundle_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sample_wrong_key),      cmocka_unit_test(sample_unknown_root),
        cmocka_unit_test(sample_tampered_leaf),  cmocka_unit_test(sample_strict),
        cmocka_unit_test(sample_csr_warning),    cmocka_unit_test(sample_anchor_expiring),
        cmocka_unit_test(sample_nonce_demanded), cmocka_unit_test(sample_describe),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
