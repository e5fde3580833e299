/*
 * The marvell engine on synthetic blobs under test roots (a temporary
 * marvell/ anchor directory): each check id tripped alone, the relaxations
 * --allow gives, the v1-card quirk refused outside the Cavium root, parse
 * bounds on every truncation, the V1 layout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/bundle.h"
#include "attest/cmw.h"
#include "attest/engine.h"
#include "attest/gzip.h"
#include "attest/import.h"
#include "attest/marvell.h"
#include "attest/oids.h"
#include "testutil.h"
#include "marvell_lab.h"

typedef struct {
    char dir[32], sub[48], f1[64], f2[64];
    EVP_PKEY *mroot_k, *card_k, *part_k, *oroot_k, *other_k, *rogue_k, *subject;
    X509 *mroot, *card, *card_v1, *mpart, *oroot, *opart, *opart_other, *opart_rogue, *rogue, *card_rogue,
        *mpart_rogue, *mpart_v1, *opart_by_mroot;
} lab;

static lab L;

static void write_pem(const char *path, X509 *x)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    PEM_write_X509(f, x);
    fclose(f);
}

static int lab_setup(void **state)
{
    const char *pn = "HSM:TEST0001:PARTN:7, for FIPS mode";

    (void)state;
    snprintf(L.dir, sizeof(L.dir), "/tmp/attest-mv-XXXXXX");
    assert_non_null(mkdtemp(L.dir));
    snprintf(L.sub, sizeof(L.sub), "%s/marvell", L.dir);
    assert_int_equal(mkdir(L.sub, 0700), 0);
    L.mroot_k = gen("EC"), L.card_k = gen("EC"), L.oroot_k = gen("EC"), L.rogue_k = gen("EC");
    L.part_k = gen("RSA"), L.other_k = gen("RSA"), L.subject = gen("EC");
    L.mroot = mkcert("Test LiquidSecurity Root", L.mroot_k, NULL, NULL, 1, 0);
    L.oroot = mkcert("Test Owner Root", L.oroot_k, NULL, NULL, 1, 0);
    L.rogue = mkcert("Test Rogue Root", L.rogue_k, NULL, NULL, 1, 0);
    L.card = mkcert("HSM:TEST0001, for FIPS mode", L.card_k, L.mroot, L.mroot_k, 1, 0);
    L.card_v1 = mkcert("HSM:TEST0001, for FIPS mode", L.card_k, L.mroot, L.mroot_k, 1, 1);
    L.card_rogue = mkcert("HSM:TEST0001, for FIPS mode", L.card_k, L.rogue, L.rogue_k, 1, 0);
    L.mpart = mkcert(pn, L.part_k, L.card, L.card_k, 0, 0);
    L.mpart_v1 = mkcert(pn, L.part_k, L.card_v1, L.card_k, 0, 0);
    L.mpart_rogue = mkcert(pn, L.part_k, L.card_rogue, L.card_k, 0, 0);
    L.opart = mkcert(pn, L.part_k, L.oroot, L.oroot_k, 0, 0);
    L.opart_other = mkcert(pn, L.other_k, L.oroot, L.oroot_k, 0, 0);
    L.opart_rogue = mkcert(pn, L.part_k, L.rogue, L.rogue_k, 0, 0);
    L.opart_by_mroot = mkcert(pn, L.part_k, L.mroot, L.mroot_k, 0, 0);
    snprintf(L.f1, sizeof(L.f1), "%s/root.pem", L.sub);
    snprintf(L.f2, sizeof(L.f2), "%s/owner.pem", L.sub);
    write_pem(L.f1, L.mroot);
    write_pem(L.f2, L.oroot);
    return 0;
}

static int lab_teardown(void **state)
{
    (void)state;
    unlink(L.f1);
    unlink(L.f2);
    rmdir(L.sub);
    rmdir(L.dir);
    EVP_PKEY_free(L.mroot_k), EVP_PKEY_free(L.card_k), EVP_PKEY_free(L.part_k), EVP_PKEY_free(L.oroot_k);
    EVP_PKEY_free(L.other_k), EVP_PKEY_free(L.rogue_k), EVP_PKEY_free(L.subject);
    X509_free(L.mroot), X509_free(L.card), X509_free(L.card_v1), X509_free(L.mpart), X509_free(L.oroot);
    X509_free(L.opart), X509_free(L.opart_other), X509_free(L.opart_rogue), X509_free(L.rogue);
    X509_free(L.card_rogue), X509_free(L.mpart_rogue), X509_free(L.mpart_v1), X509_free(L.opart_by_mroot);
    return 0;
}

typedef struct {
    int local, ext, flip, truncate;
    EVP_PKEY *subject; /* NULL: L.subject */
    unsigned allow;
    X509 *card, *mpart, *opart; /* NULL: the lab's; (X509 *)1: left out */
} synth;

#define LEFT_OUT ((X509 *)1)

static attest_verdict *verify_synth(const synth *s)
{
    buf blob;
    unsigned char *der = NULL;
    size_t len = 0;
    attest_bundle *b = attest_bundle_new();
    X509 *certs[5] = { L.mroot, s->card ? s->card : L.card, s->mpart ? s->mpart : L.mpart, L.oroot,
                       s->opart ? s->opart : L.opart };
    run r;
    attest_err err;
    attest_verdict *v;
    int i;

    make_blob(&blob, L.subject, L.part_k, s->local, s->ext);
    if (s->flip)
        blob.b[blob.n - 7] ^= 0x20;
    if (s->truncate)
        blob.n -= (size_t)s->truncate;
    assert_int_equal(attest_cmw_record_encode(ATTEST_MARVELL_CMW_TYPE, blob.b, blob.n, &der, &len, &err), 0);
    assert_int_equal(attest_bundle_add_statement(b, attest_oid_obj(ATTEST_OID_PE_CMW), der, len, &err), 0);
    OPENSSL_free(der);
    for (i = 0; i < 5; i++)
        if (certs[i] != LEFT_OUT)
            assert_int_equal(attest_bundle_add_cert(b, certs[i]), 0);
    assert_int_equal(attest_bundle_encode(b, &der, &len, &err), 0);
    attest_bundle_free(b);
    run_init(&r, L.dir);
    r.policy.allow = s->allow;
    r.p.subject_key = s->subject != NULL ? s->subject : L.subject;
    v = attest_verify_bundle(&r.p, der, len);
    assert_non_null(v);
    OPENSSL_free(der);
    attest_trust_free(r.trust);
    return v;
}

static void expect_only(const synth *s, const char *id)
{
    attest_verdict *v = verify_synth(s);

    if (!verdict_only_failed(v, id, ATTEST_SEV_ERROR, NULL))
        verdict_dump(v);
    assert_true(verdict_only_failed(v, id, ATTEST_SEV_ERROR, NULL));
    attest_verdict_free(v);
}

static void test_synth_affirming(void **state)
{
    synth s = { .local = 1 };
    attest_verdict *v;

    (void)state;
    v = verify_synth(&s);
    if (attest_verdict_status(v) != ATTEST_STATUS_AFFIRMING)
        verdict_dump(v);
    assert_int_equal(attest_verdict_status(v), ATTEST_STATUS_AFFIRMING);
    assert_non_null(strstr(verdict_check(v, CHK_MARVELL_KEY_ATTRIBUTES)->detail, "HSM TEST0001 partition 7"));
    attest_verdict_free(v);
}

static void test_neg_parse(void **state)
{
    synth s = { .local = 1, .truncate = 1 };

    (void)state;
    expect_only(&s, CHK_MARVELL_PARSE);
}

static void test_neg_signature(void **state)
{
    synth s = { .local = 1, .flip = 1 };

    (void)state;
    expect_only(&s, CHK_MARVELL_SIGNATURE);
}

static void test_neg_wrong_key(void **state)
{
    EVP_PKEY *k = gen("EC");
    synth s = { .local = 1, .subject = k };

    (void)state;
    expect_only(&s, CHK_MARVELL_KEY_BINDING);
    EVP_PKEY_free(k);
}

static void test_neg_imported(void **state)
{
    synth s = { .local = 0 };
    attest_verdict *v;

    (void)state;
    expect_only(&s, CHK_MARVELL_KEY_ATTRIBUTES);
    s.allow = ATTEST_ALLOW_IMPORTED_KEY;
    v = verify_synth(&s);
    assert_true(verdict_only_failed(v, CHK_MARVELL_KEY_ATTRIBUTES, ATTEST_SEV_WARNING, "imported"));
    attest_verdict_free(v);
    s.allow = ATTEST_ALLOW_EXPORTABLE_KEY; /* the other relaxation does not cover it */
    expect_only(&s, CHK_MARVELL_KEY_ATTRIBUTES);
}

static void test_neg_extractable(void **state)
{
    synth s = { .local = 1, .ext = 1 };
    attest_verdict *v;

    (void)state;
    expect_only(&s, CHK_MARVELL_KEY_ATTRIBUTES);
    s.allow = ATTEST_ALLOW_EXPORTABLE_KEY;
    v = verify_synth(&s);
    assert_true(verdict_only_failed(v, CHK_MARVELL_KEY_ATTRIBUTES, ATTEST_SEV_WARNING, "extractable"));
    attest_verdict_free(v);
}

static void test_neg_owner_missing(void **state)
{
    synth s = { .local = 1, .opart = LEFT_OUT };

    (void)state;
    expect_only(&s, CHK_MARVELL_CHAIN_OWNER);
}

static void test_neg_owner_unknown_root(void **state)
{
    synth s = { .local = 1, .opart = L.opart_rogue };

    (void)state;
    expect_only(&s, CHK_MARVELL_CHAIN_OWNER);
}

/* The owner chain must end at another anchor than the manufacturer's. */
static void test_neg_owner_is_manufacturer(void **state)
{
    synth s = { .local = 1, .opart = L.opart_by_mroot };

    (void)state;
    expect_only(&s, CHK_MARVELL_CHAIN_OWNER);
}

static void test_neg_manufacturer_unknown_root(void **state)
{
    synth s = { .local = 1, .card = L.card_rogue, .mpart = L.mpart_rogue };

    (void)state;
    expect_only(&s, CHK_MARVELL_CHAIN_MANUFACTURER);
}

/* The v1 card relaxation holds under the Cavium root key only, not under another marvell anchor. */
static void test_neg_v1_card_other_root(void **state)
{
    synth s = { .local = 1, .card = L.card_v1, .mpart = L.mpart_v1 };

    (void)state;
    expect_only(&s, CHK_MARVELL_CHAIN_MANUFACTURER);
}

static void test_neg_different_keys(void **state)
{
    synth s = { .local = 1, .opart = L.opart_other };

    (void)state;
    expect_only(&s, CHK_MARVELL_SAME_KEY);
}

/* Every truncation and every one-byte size change is refused by the parser, without a crash. */
static void test_parse_bounds(void **state)
{
    buf blob;
    attest_mv_blob b;
    size_t n, i;

    (void)state;
    make_blob(&blob, L.subject, L.part_k, 1, 0);
    assert_int_equal(attest_mv_parse(blob.b, blob.n, &b, NULL), 0);
    assert_int_equal(b.version, 2);
    for (n = 0; n < blob.n; n++) {
        unsigned char *d = dup_bytes(blob.b, n);

        assert_int_not_equal(attest_mv_parse(d, n, &b, NULL), 0);
        free(d);
    }
    for (i = 0; i < 48; i++) { /* header, info header, first object header */
        unsigned char *d = dup_bytes(blob.b, blob.n);

        d[i] ^= 0x01;
        if ((i >= 4 && i < 8) || (i >= 16 && i < 36) || (i >= 40 && i < 44)) /* flags, handles, versions: no sizes */
            ;
        else
            assert_int_not_equal(attest_mv_parse(d, blob.n, &b, NULL), 0);
        free(d);
    }
}

static void test_v1_layout(void **state)
{
    buf blob;
    attest_mv_blob b;
    unsigned char *d;

    (void)state;
    make_blob_v1(&blob, L.subject, L.part_k);
    assert_int_equal(attest_mv_parse(blob.b, blob.n, &b, NULL), 0);
    assert_int_equal(b.version, 1);
    assert_int_equal(b.n_obj, 2);
    assert_int_equal(b.obj[1].handle, 0x202);
    assert_int_equal(attest_mv_uint(attest_mv_object_of(&b, MV_CKO_PRIVATE_KEY), MV_CKA_LOCAL), 1);
    d = dup_bytes(blob.b, blob.n - 1); /* one byte short: the objects no longer end at the signature */
    assert_int_not_equal(attest_mv_parse(d, blob.n - 1, &b, NULL), 0);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synth_affirming),
        cmocka_unit_test(test_neg_parse),
        cmocka_unit_test(test_neg_signature),
        cmocka_unit_test(test_neg_wrong_key),
        cmocka_unit_test(test_neg_imported),
        cmocka_unit_test(test_neg_extractable),
        cmocka_unit_test(test_neg_owner_missing),
        cmocka_unit_test(test_neg_owner_unknown_root),
        cmocka_unit_test(test_neg_owner_is_manufacturer),
        cmocka_unit_test(test_neg_manufacturer_unknown_root),
        cmocka_unit_test(test_neg_v1_card_other_root),
        cmocka_unit_test(test_neg_different_keys),
        cmocka_unit_test(test_parse_bounds),
        cmocka_unit_test(test_v1_layout),
    };

    return cmocka_run_group_tests(tests, lab_setup, lab_teardown);
}
