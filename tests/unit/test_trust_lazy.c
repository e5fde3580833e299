/*
 * The trust directory is indexed at start-up and its anchors decoded only
 * when a chain names them: chains through PEM and DER anchors, anchors that
 * are named only by another anchor, searches by key and key id, and the
 * start-up notices for files that hold no certificate must all behave as
 * when every file was decoded up front.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "pkix_lab.h"

static char dir[400];
static EVP_PKEY *int_key, *int2_key, *other_key;
static X509 *int_ca, *int2_ca, *other_root;
static char notices[4][512];
static int n_notices;

static void notice(void *arg, const char *msg)
{
    (void)arg;
    if (n_notices < 4)
        snprintf(notices[n_notices], sizeof(notices[0]), "%s", msg);
    n_notices++;
}

static void write_file(const char *name, const void *data, size_t len)
{
    char path[600];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_non_null(f = fopen(path, "wb"));
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void write_pem(const char *name, X509 *a, X509 *b)
{
    BIO *m = BIO_new(BIO_s_mem());
    char *p;
    long n;

    assert_true(PEM_write_bio_X509(m, a) && (b == NULL || PEM_write_bio_X509(m, b)));
    n = BIO_get_mem_data(m, &p);
    write_file(name, p, (size_t)n);
    BIO_free(m);
}

/*
 * root.pem: the lab root.  int.der: an intermediate CA under it (DER).
 * pair.pem: a second intermediate under int, then an unrelated root.
 * notes.txt, key.pem: no certificate.
 */
static int setup(void **state)
{
    unsigned char *der = NULL;
    int n;
    BIO *m;
    char *p;
    long len;

    snprintf(dir, sizeof(dir), "%s/attest-trust-lazy.XXXXXX", getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
    if (lab_setup(state) != 0 || mkdtemp(dir) == NULL)
        return -1;
    int_key = lab_ec("P-256");
    int2_key = lab_ec("P-256");
    other_key = lab_ec("P-256");
    int_ca = lab_cert(int_key, "lazy intermediate", lab.root_key, lab.root, LAB_ROOT);
    int2_ca = lab_cert(int2_key, "lazy second intermediate", int_key, int_ca, LAB_ROOT);
    other_root = lab_cert(other_key, "lazy other root", other_key, NULL, LAB_ROOT);
    write_pem("root.pem", lab.root, NULL);
    n = i2d_X509(int_ca, &der);
    write_file("int.der", der, (size_t)n);
    OPENSSL_free(der);
    write_pem("pair.pem", int2_ca, other_root);
    write_file("notes.txt", "not a certificate\n", 18);
    m = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(m, other_key, NULL, NULL, 0, NULL, NULL);
    len = BIO_get_mem_data(m, &p);
    write_file("key.pem", p, (size_t)len);
    BIO_free(m);
    return 0;
}

static int teardown(void **state)
{
    const char *names[] = { "root.pem", "int.der", "pair.pem", "notes.txt", "key.pem" };
    char path[600];
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
    X509_free(int_ca);
    X509_free(int2_ca);
    X509_free(other_root);
    EVP_PKEY_free(int_key);
    EVP_PKEY_free(int2_key);
    EVP_PKEY_free(other_key);
    return lab_teardown(state);
}

static attest_trust *load(void)
{
    attest_trust *t = attest_trust_new();
    attest_err err;

    assert_non_null(t);
    n_notices = 0;
    assert_int_equal(attest_trust_add_dir(t, dir, notice, NULL, &err), 0);
    return t;
}

static int has_notice(const char *file)
{
    int i;

    for (i = 0; i < n_notices && i < 4; i++)
        if (strstr(notices[i], file) != NULL && strstr(notices[i], "no certificate in it") != NULL)
            return 1;
    return 0;
}

static void test_notices_at_startup(void **state)
{
    attest_trust *t;

    (void)state;
    t = load();
    assert_int_equal(n_notices, 2);
    assert_true(has_notice("notes.txt"));
    assert_true(has_notice("key.pem"));
    assert_int_equal(attest_trust_anchor_count(t), 4);
    attest_trust_free(t);
}

/* Each leaf needs a different anchor: the PEM root, the DER intermediate, the second block of a PEM file. */
static void test_chains_reach_indexed_anchors(void **state)
{
    EVP_PKEY *k = lab_ec("P-256");
    X509 *by_root = lab_cert(k, "leaf by root", lab.root_key, lab.root, 0);
    X509 *by_int = lab_cert(k, "leaf by int", int_key, int_ca, 0);
    X509 *by_other = lab_cert(k, "leaf by other", other_key, other_root, 0);
    attest_trust *t = load();
    attest_err err;

    (void)state;
    assert_int_equal(attest_trust_verify(t, by_root, NULL, &err), 0);
    assert_int_equal(attest_trust_verify(t, by_int, NULL, &err), 0);
    assert_int_equal(attest_trust_verify(t, by_other, NULL, &err), 0);
    attest_trust_free(t);
    X509_free(by_root);
    X509_free(by_int);
    X509_free(by_other);
    EVP_PKEY_free(k);
}

/*
 * Without the trust directory's anchor for its issuer the chain fails (what the index must not
 * invent); that anchor added afterwards is used, and the failure is not served again.
 */
static void test_unknown_issuer_fails(void **state)
{
    EVP_PKEY *ck = lab_ec("P-256"), *k = lab_ec("P-256");
    X509 *ca = lab_cert(ck, "lazy stranger", ck, NULL, LAB_ROOT);
    X509 *leaf = lab_cert(k, "leaf by stranger", ck, ca, 0);
    attest_trust *t = load();
    attest_err err;

    (void)state;
    assert_int_not_equal(attest_trust_verify(t, leaf, NULL, &err), 0);
    assert_non_null(strstr(err.msg, "no issuer of"));
    assert_int_equal(attest_trust_add_anchor(t, ca), 0);
    assert_int_equal(attest_trust_verify(t, leaf, NULL, &err), 0);
    attest_trust_free(t);
    X509_free(leaf);
    X509_free(ca);
    EVP_PKEY_free(k);
    EVP_PKEY_free(ck);
}

/*
 * The chain cache's key names the leaf even when no other certificate comes with it: a
 * validated chain must not answer for a leaf nobody vouches for (the EK check and
 * library callers pass no bundle certificates).
 */
static void test_cache_key_names_the_leaf(void **state)
{
    EVP_PKEY *k = lab_ec("P-256"), *ck = lab_ec("P-256");
    X509 *good = lab_cert(k, "leaf by root", lab.root_key, lab.root, 0);
    X509 *ca = lab_cert(ck, "cache stranger", ck, NULL, LAB_ROOT);
    X509 *forged = lab_cert(k, "leaf by stranger", ck, ca, 0);
    attest_trust *t = load();
    attest_err err;

    (void)state;
    assert_int_equal(attest_trust_verify(t, good, NULL, &err), 0);
    assert_int_not_equal(attest_trust_verify(t, forged, NULL, &err), 0);
    assert_non_null(strstr(err.msg, "no issuer of"));
    /* and in the other order, with an empty stack of others */
    attest_trust_free(t);
    t = load();
    {
        STACK_OF(X509) *none = sk_X509_new_null();

        assert_non_null(none);
        assert_int_not_equal(attest_trust_verify(t, forged, none, &err), 0);
        assert_int_equal(attest_trust_verify(t, good, none, &err), 0);
        assert_int_not_equal(attest_trust_verify(t, forged, NULL, &err), 0);
        sk_X509_free(none);
    }
    attest_trust_free(t);
    X509_free(forged);
    X509_free(ca);
    X509_free(good);
    EVP_PKEY_free(ck);
    EVP_PKEY_free(k);
}

/* A chain result holds for its verification time: set another and the chain is judged again. */
static void test_time_change_drops_cached_results(void **state)
{
    EVP_PKEY *k = lab_ec("P-256");
    X509 *leaf = lab_cert(k, "leaf for a day", lab.root_key, lab.root, 0);
    attest_trust *t = load();
    attest_err err;
    time_t now = time(NULL);

    (void)state;
    attest_trust_set_time(t, now);
    assert_int_equal(attest_trust_verify(t, leaf, NULL, &err), 0);
    attest_trust_set_time(t, now + 10 * 86400); /* after the leaf's notAfter */
    assert_int_not_equal(attest_trust_verify(t, leaf, NULL, &err), 0);
    assert_non_null(strstr(err.msg, "expired"));
    attest_trust_set_time(t, now);
    assert_int_equal(attest_trust_verify(t, leaf, NULL, &err), 0);
    attest_trust_free(t);
    X509_free(leaf);
    EVP_PKEY_free(k);
}

/* A frozen chain cache serves what it holds and stores nothing new; set_cache starts it again. */
static void test_frozen_cache(void **state)
{
    EVP_PKEY *k = lab_ec("P-256");
    X509 *warm = lab_cert(k, "leaf warmed", lab.root_key, lab.root, 0);
    X509 *cold = lab_cert(k, "leaf after freeze", int_key, int_ca, 0);
    attest_trust *t = load();
    attest_err err;
    size_t hits, misses;

    (void)state;
    assert_int_equal(attest_trust_verify(t, warm, NULL, &err), 0);
    attest_trust_freeze_cache(t);
    assert_int_equal(attest_trust_verify(t, warm, NULL, &err), 0);
    assert_int_equal(attest_trust_verify(t, cold, NULL, &err), 0);
    assert_int_equal(attest_trust_verify(t, cold, NULL, &err), 0);
    attest_trust_cache_stats(t, &hits, &misses);
    assert_int_equal(hits, 1);   /* the warmed chain */
    assert_int_equal(misses, 3); /* the warm-up, and the later chain both times: never stored */
    attest_trust_set_cache(t, 1);
    assert_int_equal(attest_trust_verify(t, cold, NULL, &err), 0);
    assert_int_equal(attest_trust_verify(t, cold, NULL, &err), 0);
    attest_trust_cache_stats(t, &hits, &misses);
    assert_int_equal(hits, 2);
    assert_int_equal(misses, 4);
    attest_trust_free(t);
    X509_free(warm);
    X509_free(cold);
    EVP_PKEY_free(k);
}

/* A search by key or key id sees anchors no chain has named yet. */
static void test_find_sees_indexed(void **state)
{
    attest_trust *t = load();
    const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(int2_ca);
    X509 *x;

    (void)state;
    assert_non_null(skid);
    assert_non_null(x = attest_trust_find_by_skid(t, skid->data, (size_t)skid->length));
    assert_int_equal(X509_cmp(x, int2_ca), 0);
    assert_non_null(x = attest_trust_find_by_pubkey(t, other_key));
    assert_int_equal(X509_cmp(x, other_root), 0);
    assert_null(attest_trust_find_by_pubkey(t, lab.subject));
    attest_trust_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notices_at_startup),
        cmocka_unit_test(test_chains_reach_indexed_anchors),
        cmocka_unit_test(test_unknown_issuer_fails),
        cmocka_unit_test(test_find_sees_indexed),
        cmocka_unit_test(test_cache_key_names_the_leaf),
        cmocka_unit_test(test_frozen_cache),
        cmocka_unit_test(test_time_change_drops_cached_results),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
