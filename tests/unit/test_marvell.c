/*
 * The marvell engine on the Cloud HSM samples (smallstep): warning with
 * reasons today (expired Cavium root, v1 card quirk), refused by --strict,
 * negatives on the real bytes; describe.  test_marvell_neg: synthetic blobs.
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

#define ANCHORS "../../share/attest/anchors"
#define MV      "vendors/marvell/"

/* ---------- verdict helpers ---------- */

/* id is the verdict's one error (warnings from the real samples' quirks allowed). */
static void assert_only_error(const attest_verdict *v, const char *id)
{
    const attest_check *c = verdict_failed(v, id);

    if (c == NULL || c->severity != ATTEST_SEV_ERROR || error_count(v) != 1)
        verdict_dump(v);
    assert_non_null(c);
    assert_int_equal(c->severity, ATTEST_SEV_ERROR);
    assert_int_equal(error_count(v), 1);
    assert_verdict_exit(v, 1);
}

static void assert_passed(const attest_verdict *v, const char *id)
{
    const attest_check *c = verdict_check(v, id);

    if (c == NULL || c->result != ATTEST_CHECK_PASS)
        verdict_dump(v);
    assert_non_null(c);
    assert_int_equal(c->result, ATTEST_CHECK_PASS);
}

/* ---------- the real samples ---------- */

static unsigned char *inflate_vec(const char *rel, size_t *len)
{
    size_t n;
    unsigned char *gz = read_vec(rel, &n), *plain = NULL;
    attest_err err;

    assert_int_equal(attest_gunzip(gz, n, 1 << 20, &plain, len, &err), 0);
    free(gz);
    return plain;
}

/* The key the sample attests (the .pem files beside it are not: SOURCES.md errata). */
static EVP_PKEY *attested_key(const char *dat)
{
    size_t n, spki_len;
    unsigned char *plain = inflate_vec(dat, &n), *spki = NULL;
    const unsigned char *p;
    attest_mv_blob b;
    attest_err err;
    char what[32];
    EVP_PKEY *k;

    assert_int_equal(attest_mv_parse(plain, n, &b, &err), 0);
    assert_int_equal(attest_mv_object_spki(attest_mv_object_of(&b, MV_CKO_PUBLIC_KEY), &spki, &spki_len, what,
                                           sizeof(what), &err),
                     0);
    p = spki;
    k = d2i_PUBKEY(NULL, &p, (long)spki_len);
    assert_non_null(k);
    OPENSSL_free(spki);
    OPENSSL_free(plain);
    return k;
}

/* The sample through the --evidence-file import (dat's bytes: gzip, or flipped when flip). */
static attest_verdict *verify_sample(run *r, const char *dat, const char *certs, int flip)
{
    attest_evidence_file f[2];
    unsigned char *d, *c;
    size_t dn, cn;
    attest_bundle *b = NULL;
    attest_verdict *v;
    attest_err err;

    d = read_vec(dat, &dn);
    c = read_vec(certs, &cn);
    if (flip) { /* a signature byte of the inflated blob, gzip'd again is not needed: the engine reads raw too */
        free(d);
        d = inflate_vec(dat, &dn);
        d[dn - 1] ^= 1;
    }
    f[0] = (attest_evidence_file){ "blob", d, dn };
    f[1] = (attest_evidence_file){ "certs", c, cn };
    assert_int_equal(attest_evidence_import(f, 2, NULL, NULL, &b, &err), 0);
    v = attest_verify_evidence_files(&r->p, b);
    assert_non_null(v);
    attest_bundle_free(b);
    if (flip)
        OPENSSL_free(d);
    else
        free(d);
    free(c);
    return v;
}

static void sample_today(const char *dat, const char *certs)
{
    run r;
    attest_verdict *v;

    run_init(&r, vec_path(ANCHORS));
    r.p.subject_key = attested_key(dat);
    v = verify_sample(&r, dat, certs, 0);
    /* Warning with reasons: the expired Cavium root and the v1 card certificate. */
    assert_passed(v, CHK_MARVELL_PARSE);
    assert_passed(v, CHK_MARVELL_SIGNATURE);
    assert_passed(v, CHK_MARVELL_CHAIN_MANUFACTURER);
    assert_passed(v, CHK_MARVELL_CHAIN_OWNER);
    assert_passed(v, CHK_MARVELL_SAME_KEY);
    assert_passed(v, CHK_MARVELL_KEY_ATTRIBUTES);
    assert_passed(v, CHK_MARVELL_KEY_BINDING);
    assert_non_null(strstr(verdict_failed(v, CHK_CHAIN_ANCHOR_EXPIRY)->detail, "expired on 2025-11-16"));
    assert_non_null(strstr(verdict_failed(v, CHK_POLICY_QUIRKS)->detail, "marvell-v1-card-cert"));
    assert_int_equal(error_count(v), 0);
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);
    EVP_PKEY_free(r.p.subject_key);
    attest_trust_free(r.trust);
}

static void test_sample_ec_today(void **state)
{
    (void)state;
    sample_today(MV "smallstep_ec.dat", MV "smallstep_ec.certs");
}

static void test_sample_rsa_today(void **state)
{
    (void)state;
    sample_today(MV "smallstep_rsa.dat", MV "smallstep_rsa.certs");
}

/* Before the Cavium root expired: only the quirk (and the caller's time) warn. */
static void test_sample_before_expiry(void **state)
{
    run r;
    attest_verdict *v;

    (void)state;
    run_init(&r, vec_path(ANCHORS));
    attest_trust_set_time(r.trust, 1700000000); /* 2023-11-14 */
    r.p.subject_key = attested_key(MV "smallstep_ec.dat");
    v = verify_sample(&r, MV "smallstep_ec.dat", MV "smallstep_ec.certs", 0);
    assert_null(verdict_failed(v, CHK_CHAIN_ANCHOR_EXPIRY));
    assert_non_null(verdict_failed(v, CHK_POLICY_QUIRKS));
    assert_int_equal(error_count(v), 0);
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);
    EVP_PKEY_free(r.p.subject_key);
    attest_trust_free(r.trust);
}

/* --strict refuses the v1 card certificate (and the expired root would be refused too). */
static void test_sample_strict(void **state)
{
    run r;
    attest_verdict *v;

    (void)state;
    run_init(&r, vec_path(ANCHORS));
    r.policy.strict_shape = 1;
    r.p.subject_key = attested_key(MV "smallstep_rsa.dat");
    v = verify_sample(&r, MV "smallstep_rsa.dat", MV "smallstep_rsa.certs", 0);
    assert_non_null(verdict_failed(v, CHK_MARVELL_CHAIN_MANUFACTURER));
    assert_int_equal(verdict_failed(v, CHK_POLICY_QUIRKS)->severity, ATTEST_SEV_ERROR);
    assert_passed(v, CHK_MARVELL_CHAIN_OWNER);
    assert_verdict_exit(v, 1);
    attest_verdict_free(v);
    EVP_PKEY_free(r.p.subject_key);
    attest_trust_free(r.trust);
}

static void test_sample_flipped_signature(void **state)
{
    run r;
    attest_verdict *v;

    (void)state;
    run_init(&r, vec_path(ANCHORS));
    r.p.subject_key = attested_key(MV "smallstep_ec.dat");
    v = verify_sample(&r, MV "smallstep_ec.dat", MV "smallstep_ec.certs", 1);
    assert_only_error(v, CHK_MARVELL_SIGNATURE);
    attest_verdict_free(v);
    EVP_PKEY_free(r.p.subject_key);
    attest_trust_free(r.trust);
}

/* smallstep_pub.pem is a P-256 key, but not the attested one. */
static void test_sample_wrong_key(void **state)
{
    run r;
    attest_verdict *v;

    (void)state;
    run_init(&r, vec_path(ANCHORS));
    r.p.subject_key = read_spki(MV "smallstep_pub.pem");
    v = verify_sample(&r, MV "smallstep_ec.dat", MV "smallstep_ec.certs", 0);
    assert_non_null(verdict_failed(v, CHK_MARVELL_KEY_BINDING));
    assert_verdict_exit(v, 1);
    attest_verdict_free(v);
    EVP_PKEY_free(r.p.subject_key);
    attest_trust_free(r.trust);
}

/* Without a key the evidence is judged but binds nothing: at best a warning. */
static void test_sample_unbound(void **state)
{
    run r;
    attest_verdict *v;
    const attest_check *c;

    (void)state;
    run_init(&r, vec_path(ANCHORS));
    v = verify_sample(&r, MV "smallstep_ec.dat", MV "smallstep_ec.certs", 0);
    c = verdict_check(v, CHK_MARVELL_KEY_BINDING);
    assert_non_null(c);
    assert_int_equal(c->result, ATTEST_CHECK_SKIP);
    assert_int_equal(error_count(v), 0);
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);
    attest_trust_free(r.trust);
}

/* Only Marvell's anchors end a Marvell chain: the samples' roots as top-level anchors are not marvell/. */
static void test_sample_unscoped_roots(void **state)
{
    char dir[] = "/tmp/attest-mv-XXXXXX", path[64];
    run r;
    attest_verdict *v;
    X509 *x = read_cert(MV "pv_owner-root_hawksbill-root-v1-prod.pem");
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/hawksbill.pem", dir);
    assert_non_null(f = fopen(path, "w"));
    PEM_write_X509(f, x);
    fclose(f);
    run_init(&r, dir);
    r.p.subject_key = attested_key(MV "smallstep_ec.dat");
    v = verify_sample(&r, MV "smallstep_ec.dat", MV "smallstep_ec.certs", 0);
    assert_non_null(verdict_failed(v, CHK_MARVELL_CHAIN_OWNER));
    assert_non_null(verdict_failed(v, CHK_MARVELL_CHAIN_MANUFACTURER));
    assert_verdict_exit(v, 1);
    attest_verdict_free(v);
    EVP_PKEY_free(r.p.subject_key);
    attest_trust_free(r.trust);
    X509_free(x);
    unlink(path);
    rmdir(dir);
}

static void test_claims_and_describe(void **state)
{
    size_t n, cn;
    unsigned char *gz = read_vec(MV "smallstep_rsa.dat", &n), *der = NULL;
    const attest_engine *e = attest_engine_for_media_type(ATTEST_MARVELL_CMW_TYPE);
    unsigned char junk[600];
    attest_evidence_file f = { "junk", junk, sizeof(junk) };
    attest_bundle *b = NULL;
    json_object *j;
    const char *s;
    attest_err err;

    (void)state;
    assert_non_null(e);
    memset(junk, 0x41, sizeof(junk));
    assert_int_not_equal(attest_evidence_import(&f, 1, NULL, NULL, &b, &err), 0);
    assert_int_equal(attest_cmw_record_encode(ATTEST_MARVELL_CMW_TYPE, gz, n, &der, &cn, &err), 0);
    j = e->describe(der, cn, &err);
    assert_non_null(j);
    s = json_object_to_json_string(j);
    assert_non_null(strstr(s, "\"CAVIUM_V2\""));
    assert_non_null(strstr(s, "\"RSA-2048\""));
    assert_non_null(strstr(s, "\"label\""));
    assert_non_null(strstr(s, "\"local\": true"));
    json_object_put(j);
    OPENSSL_free(der);
    free(gz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_ec_today),
        cmocka_unit_test(test_sample_rsa_today),
        cmocka_unit_test(test_sample_before_expiry),
        cmocka_unit_test(test_sample_strict),
        cmocka_unit_test(test_sample_flipped_signature),
        cmocka_unit_test(test_sample_wrong_key),
        cmocka_unit_test(test_sample_unbound),
        cmocka_unit_test(test_sample_unscoped_roots),
        cmocka_unit_test(test_claims_and_describe),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
