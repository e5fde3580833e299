/*
 * The luna engine on chains made here with OpenSSL: the profile and origin
 * checks, a well-formed chain affirming without quirks, and each quirk
 * applied in its situation, refused by --strict, not applied outside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/x509v3.h>

#include "luna_lab.h"
#include "testutil.h"

/* ---------- chains made here ---------- */

/* A leaf without the 4-byte serial: luna.parse. */
static void made_bad_serial(void **state)
{
    run r;
    chain c;
    attest_bundle *b;
    attest_verdict *v;

    (void)state;
    mk_chain(&c, "521174", LEAF_3BYTE_SERIAL);
    run_test_root(&r, c.root);
    b = bundle_of(c.leaf, c.hoc, NULL);
    v = verify_bundle_key(&r, b, c.leaf_key);
    assert_only_error(v, "luna.parse");
    attest_verdict_free(v);
    attest_bundle_free(b);
    chain_free(&c);
    run_free(&r);
}

/* The PKC EKU directly under a root: a valid chain, but no Hardware Origin certificate on it. */
static void made_no_hoc(void **state)
{
    run r;
    chain c;
    attest_bundle *b;
    attest_verdict *v;

    (void)state;
    mk_chain(&c, NULL, LEAF_EXTS);
    run_test_root(&r, c.root);
    b = bundle_of(c.leaf, NULL, NULL);
    v = verify_bundle_key(&r, b, c.leaf_key);
    assert_only_error(v, "luna.hardware-origin");
    assert_result(v, "luna.chain", ATTEST_CHECK_PASS, 0);
    assert_result(v, "luna.key-binding", ATTEST_CHECK_PASS, 0);
    attest_verdict_free(v);
    attest_bundle_free(b);
    chain_free(&c);
    run_free(&r);
}

/* A HOC of another HSM: the leaf's serial is not the one the HOC names. */
static void made_serial_mismatch(void **state)
{
    run r;
    chain c;
    attest_bundle *b;
    attest_verdict *v;

    (void)state;
    mk_chain(&c, "111111", LEAF_EXTS);
    run_test_root(&r, c.root);
    b = bundle_of(c.leaf, c.hoc, NULL);
    v = verify_bundle_key(&r, b, c.leaf_key);
    assert_only_error(v, "luna.hardware-origin");
    attest_verdict_free(v);
    attest_bundle_free(b);
    chain_free(&c);
    run_free(&r);
}

/* A well-formed chain needs no quirk: affirming, policy.quirks not consulted. */
static void made_affirming(void **state)
{
    run r;
    chain c;
    attest_bundle *b;
    attest_verdict *v;

    (void)state;
    mk_chain(&c, "521174", LEAF_EXTS);
    run_test_root(&r, c.root);
    b = bundle_of(c.leaf, c.hoc, c.root);
    v = verify_bundle_key(&r, b, c.leaf_key);
    assert_result(v, "luna.hardware-origin", ATTEST_CHECK_PASS, 0);
    assert_false(luna_find(v, "policy.quirks", NULL, NULL));
    assert_verdict_exit(v, 0);
    attest_verdict_free(v);
    attest_bundle_free(b);
    chain_free(&c);
    run_free(&r);
}

/* The defect on the leaf: relaxed (warning); under --strict refused. */
static void made_negative_s_leaf(void **state)
{
    run r;
    chain c;
    attest_bundle *b;
    attest_verdict *v;

    (void)state;
    mk_chain(&c, "521174", LEAF_EXTS);
    make_negative_s(c.leaf, c.hoc, c.hoc_key);
    run_test_root(&r, c.root);
    b = bundle_of(c.leaf, c.hoc, NULL);
    v = verify_bundle_key(&r, b, c.leaf_key);
    assert_result(v, "luna.chain", ATTEST_CHECK_PASS, 0);
    assert_result(v, "luna.hardware-origin", ATTEST_CHECK_PASS, 0);
    assert_result(v, "policy.quirks", ATTEST_CHECK_FAIL, ATTEST_SEV_WARNING);
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);
    r.pol.strict_shape = 1;
    v = verify_bundle_key(&r, b, c.leaf_key);
    assert_result(v, "luna.chain", ATTEST_CHECK_FAIL, ATTEST_SEV_ERROR);
    assert_result(v, "policy.quirks", ATTEST_CHECK_FAIL, ATTEST_SEV_ERROR);
    attest_verdict_free(v);
    attest_bundle_free(b);
    chain_free(&c);
    run_free(&r);
}

/* An unsigned s that starts FF 8x is the same defect (it was refused as a non-minimal negative, 1 PKC in 256). */
static void made_negative_s_ff80(void **state)
{
    run r;
    chain c;
    attest_bundle *b;
    attest_verdict *v;

    (void)state;
    mk_chain(&c, "521174", LEAF_EXTS);
    make_negative_s_as(c.leaf, c.hoc_key, 1);
    run_test_root(&r, c.root);
    b = bundle_of(c.leaf, c.hoc, NULL);
    v = verify_bundle_key(&r, b, c.leaf_key);
    assert_result(v, "luna.chain", ATTEST_CHECK_PASS, 0);
    assert_result(v, "policy.quirks", ATTEST_CHECK_FAIL, ATTEST_SEV_WARNING);
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);
    attest_bundle_free(b);
    chain_free(&c);
    run_free(&r);
}

/* The same defect on the HOC (depth 1) is not the quirk's situation: luna.chain fails. */
static void made_negative_s_hoc(void **state)
{
    run r;
    chain c;
    attest_bundle *b;
    attest_verdict *v;

    (void)state;
    mk_chain(&c, "521174", LEAF_EXTS);
    make_negative_s(c.hoc, c.root, c.root_key);
    run_test_root(&r, c.root);
    b = bundle_of(c.leaf, c.hoc, NULL);
    v = verify_bundle_key(&r, b, c.leaf_key);
    assert_only_error(v, "luna.chain");
    assert_false(luna_find(v, "policy.quirks", NULL, NULL));
    attest_verdict_free(v);
    attest_bundle_free(b);
    chain_free(&c);
    run_free(&r);
}

/* A v3 self-signed root with no extension at all, named like the Chrysalis-ITS Root when chrysalis. */
static X509 *bare_root(EVP_PKEY *key, int chrysalis)
{
    static const char *const rdn[][2] = {
        { "C", "CA" },
        { "ST", "Ontario" },
        { "L", "Ottawa" },
        { "O", "Chrysalis-ITS Inc." },
        { "CN", "Chrysalis-ITS Root" },
    };
    X509 *x = mk_cert(key, "Test Luna Root", NULL, key, NULL);
    X509_NAME *n = X509_NAME_new();
    size_t i;

    for (i = 0; i < sizeof(rdn) / sizeof(rdn[0]); i++)
        X509_NAME_add_entry_by_txt(n, rdn[i][0], MBSTRING_ASC, (const unsigned char *)rdn[i][1], -1, -1, 0);
    if (chrysalis) {
        X509_set_subject_name(x, n);
        X509_set_issuer_name(x, n);
        assert_true(X509_sign(x, key, EVP_sha384()) > 0);
    }
    X509_NAME_free(n);
    assert_int_equal(X509_get_ext_count(x), 0);
    return x;
}

/* root (bare, Chrysalis-named or not) <- HOC (with or without basicConstraints) <- leaf. */
static void mk_bare_chain(chain *c, int chrysalis, int hoc_bc)
{
    static const char *const HOC_NO_BC[] = { "keyUsage", "critical,keyCertSign", "extendedKeyUsage",
                                             "critical,1.3.6.1.4.1.12383.1.15", NULL };
    static const char *const HOC_BC[] = { "basicConstraints",
                                          "critical,CA:TRUE",
                                          "keyUsage",
                                          "critical,keyCertSign",
                                          "extendedKeyUsage",
                                          "critical,1.3.6.1.4.1.12383.1.15",
                                          NULL };

    memset(c, 0, sizeof(*c));
    c->root_key = ec_key("P-384");
    c->hoc_key = ec_key("P-384");
    c->leaf_key = ec_key("P-256");
    c->root = bare_root(c->root_key, chrysalis);
    c->hoc = mk_cert(c->hoc_key, "521174", c->root, c->root_key, hoc_bc ? HOC_BC : HOC_NO_BC);
    c->leaf = mk_cert(c->leaf_key, "43000000ae000002d6f30700", c->hoc, c->hoc_key, LEAF_EXTS);
}

static attest_verdict *verify_bare(int chrysalis, int hoc_bc, int strict)
{
    run r;
    chain c;
    attest_bundle *b;
    attest_verdict *v;

    mk_bare_chain(&c, chrysalis, hoc_bc);
    run_test_root(&r, c.root);
    r.pol.strict_shape = strict;
    b = bundle_of(c.leaf, c.hoc, NULL);
    v = verify_bundle_key(&r, b, c.leaf_key);
    attest_bundle_free(b);
    chain_free(&c);
    run_free(&r);
    return v;
}

/* OpenSSL refuses a v3 root without basicConstraints as a CA (the Chrysalis-ITS Root's shape): the quirk. */
static void made_root_without_bc(void **state)
{
    attest_verdict *v;

    (void)state;
    /* Not under another anchor's name: refused, the quirk not consulted. */
    v = verify_bare(0, 1, 0);
    assert_only_error(v, "luna.chain");
    assert_false(luna_find(v, "policy.quirks", NULL, NULL));
    attest_verdict_free(v);
    /* Not for an intermediate without basicConstraints, even under the Chrysalis name. */
    v = verify_bare(1, 0, 0);
    assert_only_error(v, "luna.chain");
    attest_verdict_free(v);
    /* --strict refuses it. */
    v = verify_bare(1, 1, 1);
    assert_result(v, "luna.chain", ATTEST_CHECK_FAIL, ATTEST_SEV_ERROR);
    assert_result(v, "policy.quirks", ATTEST_CHECK_FAIL, ATTEST_SEV_ERROR);
    attest_verdict_free(v);
    /* Its situation: relaxed with a warning, the rest passes. */
    v = verify_bare(1, 1, 0);
    assert_result(v, "luna.chain", ATTEST_CHECK_PASS, 0);
    assert_result(v, "luna.hardware-origin", ATTEST_CHECK_PASS, 0);
    assert_result(v, "luna.key-binding", ATTEST_CHECK_PASS, 0);
    assert_result(v, "policy.quirks", ATTEST_CHECK_FAIL, ATTEST_SEV_WARNING);
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);
}

/* A demanded nonce cannot be met by a PKC: luna.nonce. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(made_bad_serial),      cmocka_unit_test(made_no_hoc),
        cmocka_unit_test(made_serial_mismatch), cmocka_unit_test(made_affirming),
        cmocka_unit_test(made_negative_s_leaf), cmocka_unit_test(made_negative_s_ff80),
        cmocka_unit_test(made_negative_s_hoc),  cmocka_unit_test(made_root_without_bc),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
