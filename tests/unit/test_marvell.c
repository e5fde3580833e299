/*
 * The marvell engine: the Cloud HSM samples (smallstep) verify with their
 * quirks; synthetic blobs under test roots (a temporary marvell/ anchor
 * directory) trip each check id alone; parse bounds on every truncation.
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

#define ANCHORS "../../share/attest/anchors"
#define MV      "vendors/marvell/"

/* ---------- verdict helpers ---------- */

static int error_count(const attest_verdict *v)
{
    size_t i, j;
    int n = 0;

    for (i = 0; i <= v->n_subs; i++) {
        const attest_checks *c = i == 0 ? &v->checks : &v->subs[i - 1].checks;

        for (j = 0; j < c->n; j++)
            n += c->v[j].severity == ATTEST_SEV_ERROR;
    }
    return n;
}

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

typedef struct {
    attest_trust *trust;
    attest_policy policy;
    attest_verify_params p;
} run;

static void run_init(run *r, const char *dir)
{
    attest_err err;

    memset(r, 0, sizeof(*r));
    r->trust = attest_trust_new();
    assert_int_equal(attest_trust_add_dir(r->trust, dir, NULL, NULL, &err), 0);
    attest_policy_default(&r->policy);
    r->p.trust = r->trust;
    r->p.policy = &r->policy;
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

/* ---------- synthetic blobs under test roots ---------- */

static EVP_PKEY *gen(const char *alg)
{
    EVP_PKEY *k = strcmp(alg, "RSA") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)
                                          : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

    assert_non_null(k);
    return k;
}

/* A certificate for key named cn, by issuer (NULL: self-signed) with ikey; v1: no extensions. */
static X509 *mkcert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, int ca, int v1)
{
    static long serial = 1;
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    X509V3_CTX ctx;
    X509_EXTENSION *ext;

    assert_non_null(x);
    X509_set_version(x, v1 ? X509_VERSION_1 : X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : n);
    X509_gmtime_adj(X509_getm_notBefore(x), -86400);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 3650);
    X509_set_pubkey(x, key);
    if (!v1) {
        X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
        ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    }
    assert_true(X509_sign(x, ikey != NULL ? ikey : key, EVP_sha256()) > 0);
    X509_NAME_free(n);
    return x;
}

typedef struct {
    unsigned char b[4096];
    size_t n;
} buf;

static void put(buf *o, const void *p, size_t n)
{
    assert_true(o->n + n <= sizeof(o->b));
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void put32(buf *o, uint32_t v)
{
    unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                           (unsigned char)v };
    put(o, b, 4);
}

static void put16(buf *o, uint32_t v)
{
    unsigned char b[2] = { (unsigned char)(v >> 8), (unsigned char)v };
    put(o, b, 2);
}

static void attr(buf *o, uint32_t type, const void *v, uint32_t len)
{
    put32(o, type);
    put32(o, len);
    put(o, v, len);
}

static void attr1(buf *o, uint32_t type, unsigned char v)
{
    attr(o, type, &v, 1);
}

/* One key object: handle, count, size, then the TLVs. */
static void object(buf *o, uint32_t handle, int priv, const unsigned char *point, size_t plen, int local, int ext)
{
    buf t = { { 0 }, 0 };
    char label[128] = "test_key", id[128] = "0123456789abcdef";

    attr1(&t, MV_CKA_CLASS, priv ? MV_CKO_PRIVATE_KEY : MV_CKO_PUBLIC_KEY);
    attr1(&t, MV_CKA_KEY_TYPE, MV_CKK_EC);
    attr(&t, MV_CKA_LABEL, label, sizeof(label));
    attr(&t, MV_CKA_ID, id, sizeof(id));
    attr(&t, MV_CKA_MODULUS, point, (uint32_t)plen);
    attr1(&t, MV_CKA_LOCAL, (unsigned char)local);
    attr1(&t, MV_CKA_EXTRACTABLE, (unsigned char)(priv ? ext : 1));
    attr1(&t, MV_CKA_NEVER_EXTRACTABLE, (unsigned char)(priv ? !ext : 0));
    attr1(&t, MV_CKA_SENSITIVE, (unsigned char)priv);
    put32(o, handle);
    put32(o, 9);
    put32(o, (uint32_t)t.n);
    put(o, t.b, t.n);
}

/* A V2 blob for subject's key, signed by part. */
static void make_blob(buf *o, EVP_PKEY *subject, EVP_PKEY *part, int local, int ext)
{
    unsigned char point[133];
    size_t plen = 0, siglen = ATTEST_MARVELL_SIG_LEN;
    buf objs = { { 0 }, 0 };
    size_t first;
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    assert_true(EVP_PKEY_get_octet_string_param(subject, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof(point),
                                                &plen));
    object(&objs, 0x101, 0, point, plen, local, ext);
    first = objs.n;
    object(&objs, 0x102, 1, point, plen, local, ext);
    o->n = 0;
    put32(o, 0);
    put32(o, 3);
    put32(o, (uint32_t)(32 + 8 + objs.n + ATTEST_MARVELL_SIG_LEN));
    put32(o, (uint32_t)(8 + objs.n));
    put32(o, 0), put32(o, 0x101), put32(o, 0), put32(o, 0x102);
    put16(o, 1), put16(o, 3), put16(o, 8), put16(o, (uint32_t)(8 + first));
    put(o, objs.b, objs.n);
    assert_true(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, part) == 1);
    assert_true(EVP_DigestSign(md, o->b + o->n, &siglen, o->b, o->n) == 1);
    assert_int_equal(siglen, ATTEST_MARVELL_SIG_LEN);
    o->n += siglen;
    EVP_MD_CTX_free(md);
}

/* CAVIUM_V1: the same objects at the fixed offset 984 (smallstep parseAttestationV1), signed. */
static void make_blob_v1(buf *o, EVP_PKEY *subject, EVP_PKEY *part)
{
    unsigned char point[133];
    size_t plen = 0, siglen = ATTEST_MARVELL_SIG_LEN;
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    assert_true(EVP_PKEY_get_octet_string_param(subject, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof(point),
                                                &plen));
    memset(o->b, 0, 984);
    o->n = 984;
    object(o, 0x201, 0, point, plen, 1, 0);
    object(o, 0x202, 1, point, plen, 1, 0);
    assert_true(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, part) == 1);
    assert_true(EVP_DigestSign(md, o->b + o->n, &siglen, o->b, o->n) == 1);
    o->n += siglen;
    EVP_MD_CTX_free(md);
}

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
        cmocka_unit_test(test_sample_ec_today),
        cmocka_unit_test(test_sample_rsa_today),
        cmocka_unit_test(test_sample_before_expiry),
        cmocka_unit_test(test_sample_strict),
        cmocka_unit_test(test_sample_flipped_signature),
        cmocka_unit_test(test_sample_wrong_key),
        cmocka_unit_test(test_sample_unbound),
        cmocka_unit_test(test_sample_unscoped_roots),
        cmocka_unit_test(test_claims_and_describe),
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
