/* Fixtures of the android engine tests (android_lab.h). */
#include "android_lab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/conf.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/bundle.h"

#define VEC "vendors/android/"

const unsigned char abc[3] = { 'a', 'b', 'c' };
const unsigned char abd[3] = { 'a', 'b', 'd' };

X509 *sample(const char *name)
{
    char rel[128];
    size_t n;
    unsigned char *der;
    const unsigned char *p;
    X509 *x;

    snprintf(rel, sizeof(rel), VEC "%s", name);
    der = read_vec(rel, &n);
    p = der;
    x = d2i_X509(NULL, &p, (long)n);
    assert_non_null(x);
    free(der);
    return x;
}

void tmp_trust_new(tmp_trust *tt)
{
    const char *base = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";

    memset(tt, 0, sizeof(*tt));
    snprintf(tt->dir, sizeof(tt->dir), "%s/attest-android-XXXXXX", base);
    assert_non_null(mkdtemp(tt->dir));
    snprintf(tt->sub, sizeof(tt->sub), "%s/android", tt->dir);
    assert_int_equal(mkdir(tt->sub, 0700), 0);
}

static void write_pem(tmp_trust *tt, const char *dir, const char *name, X509 *x)
{
    FILE *f;

    char path[sizeof(tt->files[0])];

    assert_true(tt->n_files < 4);
    /* Through a local: dir is one of tt's own buffers (-Wrestrict at -O2). */
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    memcpy(tt->files[tt->n_files], path, sizeof(path));
    assert_non_null(f = fopen(tt->files[tt->n_files++], "w"));
    assert_int_equal(PEM_write_X509(f, x), 1);
    fclose(f);
}

void tmp_trust_add(tmp_trust *tt, const char *name, X509 *x)
{
    write_pem(tt, tt->sub, name, x);
}

void tmp_trust_add_top(tmp_trust *tt, const char *name, X509 *x)
{
    write_pem(tt, tt->dir, name, x);
}

void tmp_trust_free(tmp_trust *tt)
{
    int i;

    for (i = 0; i < tt->n_files; i++)
        unlink(tt->files[i]);
    rmdir(tt->sub);
    rmdir(tt->dir);
}

attest_trust *trust_of_dir(const char *dir)
{
    attest_trust *t = attest_trust_new();
    attest_err err;

    assert_non_null(t);
    assert_int_equal(attest_trust_add_dir(t, dir, NULL, NULL, &err), 0);
    return t;
}

/* The shipped anchors (share/attest/anchors: android/ is the scope). */
attest_trust *shipped_trust(void)
{
    char dir[512];
    const char *src = getenv("ATTEST_SRC");

    assert_non_null(src);
    snprintf(dir, sizeof(dir), "%s/share/attest/anchors", src);
    return trust_of_dir(dir);
}

/* A bundle: leaf as the statement (type 1.3.6.1.4.1.11129.2.1.17), certs in the bag. */
unsigned char *bundle_of(X509 *leaf, X509 **certs, int n, size_t *len)
{
    attest_bundle *b = attest_bundle_new();
    ASN1_OBJECT *type = OBJ_txt2obj(ATTEST_ANDROID_KEYDESC_OID, 1);
    unsigned char *der = NULL, *out = NULL;
    int k = i2d_X509(leaf, &der), i;
    attest_err err;

    assert_non_null(b);
    assert_true(k > 0);
    assert_int_equal(attest_bundle_add_statement(b, type, der, (size_t)k, &err), 0);
    for (i = 0; i < n; i++)
        assert_int_equal(attest_bundle_add_cert(b, certs[i]), 0);
    assert_int_equal(attest_bundle_encode(b, &out, len, &err), 0);
    OPENSSL_free(der);
    ASN1_OBJECT_free(type);
    attest_bundle_free(b);
    return out;
}

void opts_default(run_opts *o, const attest_trust *t)
{
    memset(o, 0, sizeof(*o));
    attest_policy_default(&o->pol);
    o->trust = t;
    o->nonce = abc;
    o->nonce_len = sizeof(abc);
}

attest_verdict *run(const run_opts *o, X509 *leaf, X509 **certs, int n)
{
    attest_verify_params p;
    size_t len;
    unsigned char *der = bundle_of(leaf, certs, n, &len);
    attest_verdict *v;

    memset(&p, 0, sizeof(p));
    p.trust = o->trust;
    p.policy = &o->pol;
    p.nonce = o->nonce;
    p.nonce_len = o->nonce_len;
    p.subject_key = o->key != NULL ? o->key : X509_get0_pubkey(leaf);
    v = attest_verify_bundle(&p, der, len);
    assert_non_null(v);
    OPENSSL_free(der);
    return v;
}

const attest_check *sub_check(const attest_verdict *v, const char *id)
{
    const attest_check *c = verdict_check(v, id);

    if (c == NULL) {
        verdict_dump(v);
        fail_msg("no check %s", id);
    }
    return c;
}

void expect(const attest_verdict *v, const char *id, attest_check_result r, attest_severity s)
{
    const attest_check *c = sub_check(v, id);

    if (c->result != r || c->severity != s) {
        verdict_dump(v);
        fail_msg("%s: result %d severity %d, expected %d %d", id, c->result, c->severity, r, s);
    }
}

/* id failed as an error and no other check did (warnings allowed: the real samples have some). */
void only_error(const attest_verdict *v, const char *id)
{
    size_t i, j;
    int found = 0;

    for (i = 0; i <= v->n_subs; i++) {
        const attest_checks *c = i == v->n_subs ? &v->checks : &v->subs[i].checks;

        for (j = 0; j < c->n; j++) {
            if (c->v[j].result != ATTEST_CHECK_FAIL || c->v[j].severity != ATTEST_SEV_ERROR)
                continue;
            if (strcmp(c->v[j].id, id) != 0) {
                verdict_dump(v);
                fail_msg("%s failed, expected only %s", c->v[j].id, id);
            }
            found++;
        }
    }
    if (found != 1) {
        verdict_dump(v);
        fail_msg("%s failed %d times", id, found);
    }
}

/* ---- generated evidence: a test CA, KeyDescriptions from ASN1_generate_nconf ---- */

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;

    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    assert_non_null(e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value));
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
}

X509 *cert_new(const char *cn, EVP_PKEY *key, X509 *issuer)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();

    assert_non_null(x);
    assert_true(X509_set_version(x, 2));
    assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), 7));
    assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0));
    assert_true(X509_set_subject_name(x, n));
    assert_true(X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : n));
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -86400));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3650L * 86400));
    assert_true(X509_set_pubkey(x, key));
    X509_NAME_free(n);
    if (issuer == NULL) {
        add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(x, x, NID_key_usage, "critical,keyCertSign");
    }
    return x;
}

void lab_new(lab *l)
{
    assert_non_null(l->ca_key = EVP_EC_gen("P-256"));
    assert_non_null(l->leaf_key = EVP_EC_gen("P-256"));
    l->ca = cert_new("attest test Android root", l->ca_key, NULL);
    assert_true(X509_sign(l->ca, l->ca_key, EVP_sha256()) > 0);
    tmp_trust_new(&l->tt);
    tmp_trust_add(&l->tt, "test-root.pem", l->ca);
    l->trust = trust_of_dir(l->tt.dir);
}

void lab_free(lab *l)
{
    attest_trust_free(l->trust);
    tmp_trust_free(&l->tt);
    X509_free(l->ca);
    EVP_PKEY_free(l->ca_key);
    EVP_PKEY_free(l->leaf_key);
}

const kd_spec good_kd = { 1, 1, 0, 0, 1, "616263", "", "", 0 };

/* A KeyDescription (DER) built by OpenSSL's ASN1_generate_nconf from spec. */
unsigned char *kd_der(const kd_spec *s, size_t *len)
{
    char cfg[2048];
    CONF *cnf = NCONF_new(NULL);
    BIO *b;
    long eline;
    ASN1_TYPE *t;
    unsigned char *der = NULL;
    int n;

    snprintf(cfg, sizeof(cfg),
             "asn1 = SEQUENCE:kd\n"
             "[kd]\n"
             "version = INT:200\nlevel = ENUM:%d\nkmversion = INT:200\nkmlevel = ENUM:%d\n"
             "challenge = FORMAT:HEX,OCT:%s\nuniqueid = OCT:\n"
             "sw = SEQUENCE:sw\nhw = SEQUENCE:hw\n"
             "[sw]\ncreated = EXP:701,INT:1531381246735\n%s\n"
             "[hw]\npurpose = EXP:1,SET:purposes\nalgorithm = EXP:2,INT:3\nkeysize = EXP:3,INT:256\n"
             "origin = EXP:702,INT:%d\n%s"
             "osversion = EXP:705,INT:150000\npatch = EXP:706,INT:202611\n%s\n"
             "[purposes]\np1 = INT:2\n"
             "[rot]\nkey = FORMAT:HEX,OCT:00112233\nlocked = BOOL:%s\nstate = ENUM:%d\nhash = FORMAT:HEX,OCT:aabb\n",
             s->level, s->km_level, s->challenge_hex, s->sw_extra, s->origin,
             s->no_rot ? "" : "rot = EXP:704,SEQUENCE:rot\n", s->hw_extra, s->locked ? "TRUE" : "FALSE", s->boot_state);
    assert_non_null(cnf);
    assert_non_null(b = BIO_new_mem_buf(cfg, -1));
    if (NCONF_load_bio(cnf, b, &eline) <= 0)
        fail_msg("config line %ld", eline);
    t = ASN1_generate_nconf("SEQUENCE:kd", cnf);
    if (t == NULL) {
        fprintf(stderr, "%s", cfg);
        fail_msg("ASN1_generate_nconf");
    }
    assert_true((n = i2d_ASN1_TYPE(t, &der)) > 0);
    *len = (size_t)n;
    ASN1_TYPE_free(t);
    BIO_free(b);
    NCONF_free(cnf);
    return der;
}

/* A leaf for l->leaf_key carrying the KeyDescription der, signed by the lab CA. */
X509 *leaf_with(lab *l, const unsigned char *der, size_t len)
{
    X509 *x = cert_new("Android Keystore Key", l->leaf_key, l->ca);
    ASN1_OBJECT *oid = OBJ_txt2obj(ATTEST_ANDROID_KEYDESC_OID, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *e;

    assert_true(ASN1_OCTET_STRING_set(os, der, (int)len));
    assert_non_null(e = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, os));
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    assert_true(X509_sign(x, l->ca_key, EVP_sha256()) > 0);
    X509_EXTENSION_free(e);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(oid);
    return x;
}

X509 *leaf_spec(lab *l, const kd_spec *s)
{
    size_t n;
    unsigned char *der = kd_der(s, &n);
    X509 *x = leaf_with(l, der, n);

    OPENSSL_free(der);
    return x;
}

/* Run a generated leaf with the lab anchor; the verdict. */
attest_verdict *lab_run(lab *l, X509 *leaf, const attest_policy *pol)
{
    run_opts o;

    opts_default(&o, l->trust);
    if (pol != NULL)
        o.pol = *pol;
    return run(&o, leaf, NULL, 0);
}

void assert_only(const attest_verdict *v, const char *id, attest_severity sev)
{
    if (!verdict_only_failed(v, id, sev, NULL)) {
        verdict_dump(v);
        fail_msg("expected exactly %s to fail", id);
    }
}
