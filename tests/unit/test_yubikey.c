/*
 * The yubikey engine: the real samples (tests/vectors/vendors/yubikey) give
 * the verdicts SOURCES.md implies, each check id has a negative that trips
 * exactly it, and the U2F-root quirks apply only to that root's 2018 path
 * and are refused by --strict.  Forms the samples lack are made here with a
 * throw-away key.
 */
#define _GNU_SOURCE /* memmem */
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

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/bundle.h"
#include "attest/checks.h"
#include "attest/engine.h"
#include "attest/verify.h"
#include "attest/yubikey.h"
#include "testutil.h"

#define YK "vendors/yubikey/"

extern const attest_engine attest_engine_yubikey;

static attest_trust *shipped; /* share/attest/anchors: the yubikey/ scope */
static EVP_PKEY *tkey;        /* a throw-away P-256 key for made-up certificates and requests */

static int setup(void **state)
{
    const char *src = getenv("ATTEST_SRC");
    char dir[1024];
    attest_err err;

    (void)state;
    assert_non_null(src);
    snprintf(dir, sizeof(dir), "%s/share/attest/anchors", src);
    shipped = attest_trust_new();
    assert_int_equal(attest_trust_add_dir(shipped, dir, NULL, NULL, &err), 0);
    tkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(tkey);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    attest_trust_free(shipped);
    EVP_PKEY_free(tkey);
    return 0;
}

/* ---- inputs ---- */

/* The DER of a PEM CSR vector; a UTF-8 BOM before it is skipped (tmc_csr_5_7_4_standard.pem has one). */
static unsigned char *csr_der(const char *rel, size_t *len)
{
    size_t n;
    unsigned char *pem = read_vec(rel, &n), *der = NULL, *out;
    size_t skip = n >= 3 && memcmp(pem, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    BIO *b = BIO_new_mem_buf(pem + skip, (int)(n - skip));
    char *name = NULL, *hdr = NULL;
    long dl = 0;

    assert_true(PEM_read_bio(b, &name, &hdr, &der, &dl) == 1);
    assert_string_equal(name, "CERTIFICATE REQUEST");
    out = dup_bytes(der, (size_t)dl);
    *len = (size_t)dl;
    OPENSSL_free(name);
    OPENSSL_free(hdr);
    OPENSSL_free(der);
    BIO_free(b);
    free(pem);
    return out;
}

/* The certificate a sample CSR carries under extension oid. */
static X509 *carried(const char *rel, const char *oid)
{
    size_t len;
    unsigned char *der = csr_der(rel, &len);
    const unsigned char *p = der;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)len);
    STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    int at = X509v3_get_ext_by_OBJ(exts, obj, -1);
    const ASN1_OCTET_STRING *v;
    X509 *x;

    assert_true(at >= 0);
    v = X509_EXTENSION_get_data(X509v3_get_ext(exts, at));
    p = ASN1_STRING_get0_data(v);
    x = d2i_X509(NULL, &p, ASN1_STRING_length(v));
    assert_non_null(x);
    ASN1_OBJECT_free(obj);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_REQ_free(req);
    free(der);
    return x;
}

static void default_policy(attest_policy *pol)
{
    attest_policy_default(pol);
}

static attest_verdict *verify_csr(const unsigned char *der, size_t len, const attest_trust *t, const attest_policy *pol)
{
    attest_verify_params p = { 0 };

    p.trust = t;
    p.policy = pol;
    return attest_verify_csr(&p, der, len);
}

static attest_verdict *verify_sample(const char *rel, const attest_trust *t, const attest_policy *pol)
{
    size_t len;
    unsigned char *der = csr_der(rel, &len);
    attest_verdict *v = verify_csr(der, len, t, pol);

    free(der);
    assert_non_null(v);
    return v;
}

/* A bundle of the slot certificate's DER (as given) and the cert bag, judged against key. */
static attest_verdict *verify_slot_der(const unsigned char *slot, size_t slot_len, X509 *const *bag, size_t n_bag,
                                       EVP_PKEY *key, const attest_trust *t, const attest_policy *pol)
{
    attest_bundle *b = attest_bundle_new();
    ASN1_OBJECT *type = OBJ_txt2obj(ATTEST_YK_OID_SLOT, 1);
    attest_verify_params p = { 0 };
    unsigned char *der = NULL;
    size_t len, i;
    attest_err err;
    attest_verdict *v;

    assert_int_equal(attest_bundle_add_statement(b, type, slot, slot_len, &err), 0);
    for (i = 0; i < n_bag; i++)
        assert_int_equal(attest_bundle_add_cert(b, bag[i]), 0);
    assert_int_equal(attest_bundle_encode(b, &der, &len, &err), 0);
    p.trust = t;
    p.policy = pol;
    p.subject_key = key;
    v = attest_verify_bundle(&p, der, len);
    assert_non_null(v);
    OPENSSL_free(der);
    ASN1_OBJECT_free(type);
    attest_bundle_free(b);
    return v;
}

static attest_verdict *verify_slot(X509 *slot, X509 *const *bag, size_t n_bag, EVP_PKEY *key, const attest_trust *t,
                                   const attest_policy *pol)
{
    unsigned char *der = NULL;
    int n = i2d_X509(slot, &der);
    attest_verdict *v;

    assert_true(n > 0);
    v = verify_slot_der(der, (size_t)n, bag, n_bag, key, t, pol);
    OPENSSL_free(der);
    return v;
}

static void expect_only(attest_verdict *v, const char *id, attest_severity sev, const char *detail)
{
    if (!verdict_only_failed(v, id, sev, detail)) {
        verdict_dump(v);
        fail_msg("expected exactly %s to fail (%s)", id, detail != NULL ? detail : "any detail");
    }
}

static void expect_pass(const attest_verdict *v, const char *id, const char *detail)
{
    const attest_check *c = verdict_check(v, id);

    assert_non_null(c);
    if (c->result != ATTEST_CHECK_PASS || (detail != NULL && strstr(c->detail, detail) == NULL)) {
        verdict_dump(v);
        fail_msg("%s: want a pass with \"%s\", got: %s", id, detail != NULL ? detail : "", c->detail);
    }
}

/* ---- made-up certificates ---- */

typedef struct {
    const char *oid;
    const void *val;
    int len;
} ext_t;

/* A certificate for key, issued by ikey/issuer (NULL: self-signed); ca: -2 no basicConstraints, -1 CA:FALSE,
 * >= 0 CA:TRUE with that pathlen. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, EVP_PKEY *ikey, X509 *issuer, int ca, const ext_t *exts,
                       size_t n)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    size_t i;

    assert_non_null(x);
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name);
    X509_gmtime_adj(X509_getm_notBefore(x), -86400);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 3650);
    X509_set_pubkey(x, key);
    if (ca >= -1) {
        char bc[40];
        X509_EXTENSION *e;

        if (ca >= 0)
            snprintf(bc, sizeof(bc), "critical,CA:TRUE,pathlen:%d", ca);
        else
            snprintf(bc, sizeof(bc), "CA:FALSE");
        e = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, bc);
        assert_non_null(e);
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
    for (i = 0; i < n; i++) {
        ASN1_OBJECT *obj = OBJ_txt2obj(exts[i].oid, 1);
        ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
        X509_EXTENSION *e;

        ASN1_OCTET_STRING_set(os, exts[i].val, exts[i].len);
        e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
        assert_non_null(e);
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
        ASN1_OCTET_STRING_free(os);
        ASN1_OBJECT_free(obj);
    }
    assert_true(X509_sign(x, ikey != NULL ? ikey : key, EVP_sha256()) > 0);
    X509_NAME_free(name);
    return x;
}

static const unsigned char fw_574[] = { 5, 7, 4 }, pol_23[] = { 2, 3 }, ff_03[] = { 3 };
static const unsigned char serial_der[] = { 0x02, 0x04, 0x01, 0xf8, 0x84, 0x5f };

/* A trust directory DIR/yubikey/ holding root: path in dir (size 256). */
static attest_trust *trust_with(X509 *root, char *dir)
{
    char sub[300], file[320];
    attest_trust *t = attest_trust_new();
    attest_err err;
    FILE *f;

    snprintf(dir, 256, "/tmp/test_yubikey.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(sub, sizeof(sub), "%s/yubikey", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(file, sizeof(file), "%s/root.pem", sub);
    assert_non_null(f = fopen(file, "w"));
    assert_true(PEM_write_X509(f, root) == 1);
    fclose(f);
    assert_int_equal(attest_trust_add_dir(t, dir, NULL, NULL, &err), 0);
    return t;
}

static void trust_dir_remove(const char *dir)
{
    char p[320];

    snprintf(p, sizeof(p), "%s/yubikey/root.pem", dir);
    unlink(p);
    snprintf(p, sizeof(p), "%s/yubikey", dir);
    rmdir(p);
    rmdir(dir);
}

/* ---- the real samples ---- */

/* 5.7.4 (BOM, new PKI): slot <- F9 <- PIV Attestation B 1 <- Intermediate B 1 (shipped) <- Attestation Root 1. */
static void test_sample_574_affirming(void **state)
{
    attest_policy pol;
    attest_verdict *v;

    (void)state;
    default_policy(&pol);
    v = verify_sample(YK "tmc_csr_5_7_4_standard.pem", shipped, &pol);
    assert_verdict_exit(v, 0);
    expect_pass(v, CHK_YUBIKEY_PARSE, "firmware 5.7.4, serial 33064031, PIN once, touch cached, form factor usb-c-keychain");
    expect_pass(v, CHK_YUBIKEY_CHAIN, "5 certificate(s) to yubikey anchor /CN=Yubico Attestation Root 1");
    expect_pass(v, CHK_CHAIN_ANCHOR_EXPIRY, "9999-12-31");
    expect_pass(v, CHK_YUBIKEY_KEY_BINDING, NULL);
    expect_pass(v, CHK_YUBIKEY_FIRMWARE, "FIPS no, CSPN no");
    assert_null(verdict_check(v, CHK_POLICY_QUIRKS));
    assert_string_equal(attest_verdict_statement_kind(v, 0), "yubikey-piv");
    attest_verdict_free(v);
}

/* 5.4.3, P-384, PIV root: YSA-2024-03 warns; with vulnerable_firmware_fails it fails. */
static void test_sample_attestation_1_firmware(void **state)
{
    attest_policy pol;
    attest_verdict *v;

    (void)state;
    default_policy(&pol);
    v = verify_sample(YK "tmc_attestation_1.pem", shipped, &pol);
    assert_verdict_exit(v, 3);
    expect_only(v, CHK_YUBIKEY_FIRMWARE, ATTEST_SEV_WARNING, "firmware 5.4.3: YSA-2024-03");
    expect_pass(v, CHK_YUBIKEY_CHAIN, "Yubico PIV Root CA Serial 263751");
    expect_pass(v, CHK_YUBIKEY_PARSE, "serial 19661687");
    attest_verdict_free(v);
    pol.vulnerable_firmware_fails = 1;
    v = verify_sample(YK "tmc_attestation_1.pem", shipped, &pol);
    assert_verdict_exit(v, 1);
    expect_only(v, CHK_YUBIKEY_FIRMWARE, ATTEST_SEV_ERROR, "YSA-2024-03");
    attest_verdict_free(v);
}

/* 5.7.2, RSA-2048: the slot certificate under .3.11 in the request. */
static void test_sample_572_dot11(void **state)
{
    attest_policy pol;
    attest_verdict *v;

    (void)state;
    default_policy(&pol);
    v = verify_sample(YK "tmc_5_7_2.pem", shipped, &pol);
    assert_verdict_exit(v, 0);
    expect_pass(v, CHK_YUBIKEY_PARSE, "firmware 5.7.2, serial 30000948, PIN once, touch never, form factor usb-c-bio");
    expect_pass(v, CHK_YUBIKEY_KEY_BINDING, NULL);
    attest_verdict_free(v);
}

/* piv-go 2018: F9 under the U2F root, both quirks named in policy.quirks; ECC on 4.3.7 warns too. */
static void test_sample_2018_quirks(void **state)
{
    X509 *slot = read_cert(YK "piv-go_slot9a-key-cert-2018.pem"), *f9 = read_cert(YK "piv-go_f9-device-cert-2018.pem");
    const attest_check *q, *fw;
    attest_policy pol;
    attest_verdict *v;

    (void)state;
    default_policy(&pol);
    v = verify_slot(slot, &f9, 1, X509_get0_pubkey(slot), shipped, &pol);
    assert_verdict_exit(v, 3);
    expect_pass(v, CHK_YUBIKEY_CHAIN, "Yubico U2F Root CA Serial 457200631");
    expect_pass(v, CHK_YUBIKEY_KEY_BINDING, NULL);
    expect_pass(v, CHK_YUBIKEY_POLICY, "PIN policy once, touch policy never");
    expect_pass(v, CHK_YUBIKEY_PARSE, "firmware 4.3.7, serial absent, PIN once, touch never, form factor absent");
    q = verdict_check(v, CHK_POLICY_QUIRKS);
    assert_non_null(q);
    assert_int_equal(q->severity, ATTEST_SEV_WARNING);
    assert_non_null(strstr(q->detail, "yubikey-f9-no-basic-constraints"));
    assert_non_null(strstr(q->detail, "yubikey-u2f-root-pathlen"));
    fw = verdict_check(v, CHK_YUBIKEY_FIRMWARE);
    assert_int_equal(fw->severity, ATTEST_SEV_WARNING);
    assert_non_null(strstr(fw->detail, "4.3.7: YSA-2024-03"));
    attest_verdict_free(v);
    X509_free(slot);
    X509_free(f9);
}

/* --strict refuses the F9 quirk: the chain fails there and policy.quirks names it. */
static void test_2018_strict_refuses(void **state)
{
    X509 *slot = read_cert(YK "piv-go_slot9a-key-cert-2018.pem"), *f9 = read_cert(YK "piv-go_f9-device-cert-2018.pem");
    const attest_check *q, *c;
    attest_policy pol;
    attest_verdict *v;

    (void)state;
    default_policy(&pol);
    pol.strict_shape = 1;
    v = verify_slot(slot, &f9, 1, X509_get0_pubkey(slot), shipped, &pol);
    assert_verdict_exit(v, 1);
    c = verdict_failed(v, CHK_YUBIKEY_CHAIN);
    assert_non_null(c);
    assert_non_null(strstr(c->detail, "invalid CA certificate"));
    q = verdict_failed(v, CHK_POLICY_QUIRKS);
    assert_non_null(q);
    assert_int_equal(q->severity, ATTEST_SEV_ERROR);
    assert_non_null(strstr(q->detail, "refused by --strict: yubikey-f9-no-basic-constraints"));
    attest_verdict_free(v);
    X509_free(slot);
    X509_free(f9);
}

/* The 2018 chain judged at a set time, and before its certificates were valid. */
static void test_2018_at_time(void **state)
{
    X509 *slot = read_cert(YK "piv-go_slot9a-key-cert-2018.pem"), *f9 = read_cert(YK "piv-go_f9-device-cert-2018.pem");
    char dir[1024];
    const char *src = getenv("ATTEST_SRC");
    attest_trust *t = attest_trust_new();
    attest_policy pol;
    attest_verdict *v;
    attest_err err;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/share/attest/anchors", src);
    assert_int_equal(attest_trust_add_dir(t, dir, NULL, NULL, &err), 0);
    attest_trust_set_time(t, 1530403200); /* 2018-07-01 */
    default_policy(&pol);
    v = verify_slot(slot, &f9, 1, X509_get0_pubkey(slot), t, &pol);
    expect_pass(v, CHK_YUBIKEY_CHAIN, "at 2018-07-01T00:00:00Z");
    attest_verdict_free(v);
    attest_trust_free(t);
    t = attest_trust_new();
    assert_int_equal(attest_trust_add_dir(t, dir, NULL, NULL, &err), 0);
    attest_trust_set_time(t, 1388534400); /* 2014-01-01: not yet valid */
    v = verify_slot(slot, &f9, 1, X509_get0_pubkey(slot), t, &pol);
    assert_non_null(verdict_failed(v, CHK_YUBIKEY_CHAIN));
    attest_verdict_free(v);
    attest_trust_free(t);
    X509_free(slot);
    X509_free(f9);
}

/* ---- negatives: each trips exactly its check ---- */

/* The 5.7.4 slot and F9 certificates judged against another key. */
static void test_wrong_key(void **state)
{
    X509 *slot = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_SLOT);
    X509 *f9 = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_F9);
    X509 *other = carried(YK "tmc_5_7_2.pem", ATTEST_YK_OID_CSPN);
    attest_policy pol;
    attest_verdict *v;

    (void)state;
    default_policy(&pol);
    v = verify_slot(slot, &f9, 1, tkey, shipped, &pol);
    expect_only(v, CHK_YUBIKEY_KEY_BINDING, ATTEST_SEV_ERROR, "not the subject key");
    assert_verdict_exit(v, 1);
    attest_verdict_free(v);
    /* another YubiKey's slot key (RSA) */
    v = verify_slot(slot, &f9, 1, X509_get0_pubkey(other), shipped, &pol);
    expect_only(v, CHK_YUBIKEY_KEY_BINDING, ATTEST_SEV_ERROR, NULL);
    attest_verdict_free(v);
    X509_free(other);
    X509_free(slot);
    X509_free(f9);
}

/* A request for another key carrying the 5.7.4 device's certificates (yubico-piv-tool's carrier). */
static unsigned char *request_with(const ext_t *exts, size_t n, size_t *len)
{
    X509_REQ *req = X509_REQ_new();
    STACK_OF(X509_EXTENSION) *sk = sk_X509_EXTENSION_new_null();
    unsigned char *der = NULL, *out;
    size_t i;
    int dl;

    X509_REQ_set_version(req, 0);
    X509_REQ_set_pubkey(req, tkey);
    for (i = 0; i < n; i++) {
        ASN1_OBJECT *obj = OBJ_txt2obj(exts[i].oid, 1);
        ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();

        ASN1_OCTET_STRING_set(os, exts[i].val, exts[i].len);
        sk_X509_EXTENSION_push(sk, X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os));
        ASN1_OCTET_STRING_free(os);
        ASN1_OBJECT_free(obj);
    }
    assert_int_equal(X509_REQ_add_extensions(req, sk), 1);
    assert_true(X509_REQ_sign(req, tkey, EVP_sha256()) > 0);
    dl = i2d_X509_REQ(req, &der);
    assert_true(dl > 0);
    out = dup_bytes(der, (size_t)dl);
    *len = (size_t)dl;
    OPENSSL_free(der);
    sk_X509_EXTENSION_pop_free(sk, X509_EXTENSION_free);
    X509_REQ_free(req);
    return out;
}

static int der_of(X509 *x, unsigned char **der)
{
    int n = i2d_X509(x, der);

    assert_true(n > 0);
    return n;
}

static void test_wrong_key_request(void **state)
{
    X509 *slot = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_SLOT);
    X509 *f9 = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_F9);
    unsigned char *s = NULL, *f = NULL, *req;
    ext_t exts[2];
    attest_policy pol;
    attest_verdict *v;
    size_t len;

    (void)state;
    exts[0] = (ext_t){ ATTEST_YK_OID_SLOT, s, der_of(slot, &s) };
    exts[0].val = s;
    exts[1] = (ext_t){ ATTEST_YK_OID_F9, f, der_of(f9, &f) };
    exts[1].val = f;
    req = request_with(exts, 2, &len);
    default_policy(&pol);
    v = verify_csr(req, len, shipped, &pol);
    expect_only(v, CHK_YUBIKEY_KEY_BINDING, ATTEST_SEV_ERROR, NULL);
    attest_verdict_free(v);
    free(req);
    OPENSSL_free(s);
    OPENSSL_free(f);
    X509_free(slot);
    X509_free(f9);
}

/* Malformed carriers: both .3.1 and .3.11, a duplicate, an undecodable certificate, F9 alone. */
static void test_request_carrier_malformed(void **state)
{
    X509 *slot = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_SLOT);
    unsigned char *s = NULL, *req;
    int sl = der_of(slot, &s);
    static const unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
    const struct {
        ext_t e[2];
        size_t n;
        const char *why;
    } cases[] = {
        { { { ATTEST_YK_OID_SLOT, s, sl }, { ATTEST_YK_OID_CSPN, s, sl } }, 2, "under both" },
        { { { ATTEST_YK_OID_SLOT, s, sl }, { ATTEST_YK_OID_SLOT, s, sl } }, 2, "more than once" },
        { { { ATTEST_YK_OID_SLOT, junk, sizeof(junk) } }, 1, "is not one certificate" },
        { { { ATTEST_YK_OID_F9, s, sl } }, 1, "without a slot attestation certificate" },
    };
    attest_policy pol;
    attest_verdict *v;
    size_t i, len;

    (void)state;
    default_policy(&pol);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        req = request_with(cases[i].e, cases[i].n, &len);
        v = verify_csr(req, len, shipped, &pol);
        if (verdict_failed(v, CHK_BUNDLE_PARSE) == NULL || strstr(verdict_failed(v, CHK_BUNDLE_PARSE)->detail, cases[i].why) == NULL) {
            verdict_dump(v);
            fail_msg("case %zu: want bundle.parse to fail with \"%s\"", i, cases[i].why);
        }
        assert_verdict_exit(v, 1);
        attest_verdict_free(v);
        free(req);
    }
    OPENSSL_free(s);
    X509_free(slot);
}

/* Anchors: none for yubikey, or only the U2F root for the 5.7.4 chain. */
static void test_unknown_root(void **state)
{
    X509 *slot = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_SLOT);
    X509 *f9 = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_F9);
    X509 *u2f = read_cert(YK "piv-go_yubico-u2f-root-ca-457200631.pem");
    attest_trust *none = attest_trust_new(), *t;
    attest_policy pol;
    attest_verdict *v;
    char dir[256];

    (void)state;
    default_policy(&pol);
    assert_int_equal(attest_trust_add_anchor(none, u2f), 0); /* an anchor, but not in the yubikey scope */
    v = verify_slot(slot, &f9, 1, X509_get0_pubkey(slot), none, &pol);
    expect_only(v, CHK_YUBIKEY_CHAIN, ATTEST_SEV_ERROR, "no yubikey anchors");
    attest_verdict_free(v);
    /* the binding is still judged (new --evidence-file asks it without anchors); policy and firmware are not */
    v = verify_slot(slot, &f9, 1, tkey, none, &pol);
    assert_non_null(verdict_failed(v, CHK_YUBIKEY_KEY_BINDING));
    assert_int_equal(verdict_check(v, CHK_YUBIKEY_FIRMWARE)->result, ATTEST_CHECK_SKIP);
    assert_int_equal(verdict_check(v, CHK_YUBIKEY_POLICY)->result, ATTEST_CHECK_SKIP);
    attest_verdict_free(v);
    t = trust_with(u2f, dir);
    v = verify_slot(slot, &f9, 1, X509_get0_pubkey(slot), t, &pol);
    expect_only(v, CHK_YUBIKEY_CHAIN, ATTEST_SEV_ERROR, "unable to get local issuer certificate");
    attest_verdict_free(v);
    attest_trust_free(t);
    trust_dir_remove(dir);
    attest_trust_free(none);
    X509_free(u2f);
    X509_free(slot);
    X509_free(f9);
}

/* A slot certificate with one bit changed: in its signature, and in a claim. */
static void test_tampered_slot(void **state)
{
    X509 *slot = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_SLOT);
    X509 *f9 = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_F9);
    unsigned char *der = NULL, *at;
    static const unsigned char policy_ext[] = { 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xc4, 0x0a, 0x03,
                                                0x08, 0x04, 0x02, 0x02, 0x03 };
    int n = der_of(slot, &der);
    attest_policy pol;
    attest_verdict *v;

    (void)state;
    default_policy(&pol);
    der[n - 1] ^= 0x01;
    v = verify_slot_der(der, (size_t)n, &f9, 1, X509_get0_pubkey(slot), shipped, &pol);
    expect_only(v, CHK_YUBIKEY_CHAIN, ATTEST_SEV_ERROR, "signature");
    attest_verdict_free(v);
    der[n - 1] ^= 0x01;
    /* touch policy cached -> always, a stronger claim the device did not sign */
    at = memmem(der, (size_t)n, policy_ext, sizeof(policy_ext));
    assert_non_null(at);
    at[sizeof(policy_ext) - 1] = 0x02;
    v = verify_slot_der(der, (size_t)n, &f9, 1, X509_get0_pubkey(slot), shipped, &pol);
    expect_only(v, CHK_YUBIKEY_CHAIN, ATTEST_SEV_ERROR, "signature");
    attest_verdict_free(v);
    OPENSSL_free(der);
    X509_free(slot);
    X509_free(f9);
}

/* Extension forms yubikey.parse refuses; parse fails before the chain, so a made-up issuer will do. */
static void test_parse_forms(void **state)
{
    static const unsigned char fw2[] = { 5, 7 }, pol_bad[] = { 2, 9 }, ser_ber[] = { 0x02, 0x05, 0x00, 0x01, 0xf8,
                                                                                      0x84, 0x5f },
                               ser_neg[] = { 0x02, 0x01, 0xff }, ff2[] = { 3, 0 };
    const struct {
        ext_t e[4];
        size_t n;
        int ca;
        const char *why;
    } cases[] = {
        { { { ATTEST_YK_OID_POLICY, pol_23, 2 } }, 1, -1, "no firmware extension" },
        { { { ATTEST_YK_OID_FIRMWARE, fw_574, 3 } }, 1, -1, "no PIN/touch policy extension" },
        { { { ATTEST_YK_OID_FIRMWARE, fw2, 2 }, { ATTEST_YK_OID_POLICY, pol_23, 2 } }, 2, -1, "want 3 raw bytes" },
        { { { ATTEST_YK_OID_FIRMWARE, fw_574, 3 }, { ATTEST_YK_OID_POLICY, pol_bad, 2 } }, 2, -1,
          "unknown PIN/touch policy bytes 02 09" },
        { { { ATTEST_YK_OID_FIRMWARE, fw_574, 3 }, { ATTEST_YK_OID_POLICY, pol_23, 2 }, { ATTEST_YK_OID_SERIAL, ser_ber, 7 } },
          3, -1, "not one non-negative DER INTEGER" },
        { { { ATTEST_YK_OID_FIRMWARE, fw_574, 3 }, { ATTEST_YK_OID_POLICY, pol_23, 2 }, { ATTEST_YK_OID_SERIAL, ser_neg, 3 } },
          3, -1, "not one non-negative DER INTEGER" },
        { { { ATTEST_YK_OID_FIRMWARE, fw_574, 3 }, { ATTEST_YK_OID_POLICY, pol_23, 2 }, { ATTEST_YK_OID_FORM, ff2, 2 } },
          3, -1, "want 1 raw bytes" },
        { { { ATTEST_YK_OID_FIRMWARE, fw_574, 3 }, { ATTEST_YK_OID_POLICY, pol_23, 2 }, { ATTEST_YK_OID_POLICY, pol_23, 2 } },
          3, -1, "occurs more than once" },
        { { { ATTEST_YK_OID_FIRMWARE, fw_574, 3 }, { ATTEST_YK_OID_POLICY, pol_23, 2 } }, 2, 0, "is a CA certificate" },
    };
    attest_policy pol;
    size_t i;

    (void)state;
    default_policy(&pol);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        X509 *x = make_cert(tkey, "YubiKey PIV Attestation 9a", NULL, NULL, cases[i].ca, cases[i].e, cases[i].n);
        attest_verdict *v = verify_slot(x, NULL, 0, tkey, shipped, &pol);

        if (!verdict_only_failed(v, CHK_YUBIKEY_PARSE, ATTEST_SEV_ERROR, cases[i].why)) {
            verdict_dump(v);
            fail_msg("case %zu: want only yubikey.parse to fail with \"%s\"", i, cases[i].why);
        }
        assert_int_equal(attest_engine_yubikey.claims_cert(x), 0);
        attest_verdict_free(v);
        X509_free(x);
    }
}

/* A BER length in the slot certificate as a request carries it (the bundle codec itself refuses BER). */
static void test_parse_not_der(void **state)
{
    X509 *slot = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_SLOT);
    X509 *f9 = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_F9);
    unsigned char *der = NULL, *f = NULL, *ber, *req;
    int n = der_of(slot, &der), fl = der_of(f9, &f);
    ext_t exts[2];
    attest_policy pol;
    attest_verdict *v;
    size_t len;

    (void)state;
    default_policy(&pol);
    /* 30 82 LL LL -> 30 83 00 LL LL: a non-minimal length */
    assert_int_equal(der[1], 0x82);
    ber = malloc((size_t)n + 1);
    ber[0] = 0x30;
    ber[1] = 0x83;
    ber[2] = 0x00;
    memcpy(ber + 3, der + 2, (size_t)n - 2);
    exts[0] = (ext_t){ ATTEST_YK_OID_SLOT, ber, n + 1 };
    exts[1] = (ext_t){ ATTEST_YK_OID_F9, f, fl };
    req = request_with(exts, 2, &len);
    v = verify_csr(req, len, shipped, &pol);
    expect_only(v, CHK_YUBIKEY_PARSE, ATTEST_SEV_ERROR, NULL);
    attest_verdict_free(v);
    free(req);
    free(ber);
    OPENSSL_free(der);
    OPENSSL_free(f);
    X509_free(slot);
    X509_free(f9);
}

/*
 * The quirks belong to the U2F root: the same shape (F9 without
 * basicConstraints under a pathlen-0 root) under any other yubikey anchor
 * fails the chain and uses no quirk.
 */
static void test_quirk_only_under_u2f_root(void **state)
{
    EVP_PKEY *rk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048), *fk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ext_t slot_ext[] = { { ATTEST_YK_OID_FIRMWARE, fw_574, 3 },
                         { ATTEST_YK_OID_POLICY, pol_23, 2 },
                         { ATTEST_YK_OID_SERIAL, serial_der, sizeof(serial_der) },
                         { ATTEST_YK_OID_FORM, ff_03, 1 } };
    ext_t f9_ext[] = { { ATTEST_YK_OID_FIRMWARE, fw_574, 3 } };
    X509 *root = make_cert(rk, "Yubico PIV Root CA Serial 263751", NULL, NULL, 0, NULL, 0);
    X509 *f9 = make_cert(fk, "Yubico PIV Attestation", rk, root, -2, f9_ext, 1);
    X509 *slot = make_cert(tkey, "YubiKey PIV Attestation 9a", fk, f9, -2, slot_ext, 4);
    char dir[256];
    attest_trust *t = trust_with(root, dir);
    attest_policy pol;
    attest_verdict *v;

    (void)state;
    default_policy(&pol);
    v = verify_slot(slot, &f9, 1, tkey, t, &pol);
    expect_only(v, CHK_YUBIKEY_CHAIN, ATTEST_SEV_ERROR, "invalid CA certificate");
    assert_null(verdict_check(v, CHK_POLICY_QUIRKS));
    attest_verdict_free(v);
    /* the positive twin: with basicConstraints on F9 and pathlen 1 the made-up chain verifies */
    X509_free(root);
    X509_free(f9);
    X509_free(slot);
    root = make_cert(rk, "Yubico PIV Root CA Serial 263751", NULL, NULL, 1, NULL, 0);
    f9 = make_cert(fk, "Yubico PIV Attestation", rk, root, 0, f9_ext, 1);
    slot = make_cert(tkey, "YubiKey PIV Attestation 9a", fk, f9, -2, slot_ext, 4);
    attest_trust_free(t);
    trust_dir_remove(dir);
    t = trust_with(root, dir);
    v = verify_slot(slot, &f9, 1, tkey, t, &pol);
    assert_verdict_exit(v, 0);
    expect_pass(v, CHK_YUBIKEY_PARSE, "serial 33064031, PIN once, touch cached, form factor usb-c-keychain");
    attest_verdict_free(v);
    attest_trust_free(t);
    trust_dir_remove(dir);
    X509_free(root);
    X509_free(f9);
    X509_free(slot);
    EVP_PKEY_free(rk);
    EVP_PKEY_free(fk);
}

/* Minimum PIN/touch policies against the 5.7.4 sample (PIN once, touch cached). */
static void test_policy_minimums(void **state)
{
    const struct {
        int pin, touch, fails;
    } cases[] = {
        { ATTEST_YK_PIN_ONCE, ATTEST_YK_TOUCH_CACHED, 0 },
        { ATTEST_YK_PIN_ALWAYS, 0, 1 },
        { 0, ATTEST_YK_TOUCH_ALWAYS, 1 },
    };
    attest_policy pol;
    attest_verdict *v;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        default_policy(&pol);
        pol.yubikey_min_pin_policy = cases[i].pin;
        pol.yubikey_min_touch_policy = cases[i].touch;
        v = verify_sample(YK "tmc_csr_5_7_4_standard.pem", shipped, &pol);
        if (cases[i].fails)
            expect_only(v, CHK_YUBIKEY_POLICY, ATTEST_SEV_ERROR, "below the required");
        else
            assert_verdict_exit(v, 0);
        attest_verdict_free(v);
    }
}

/* A made-up ECC slot certificate on 4.2.6..4.3.4 is not YSA-2017-01's (RSA only); an RSA one is. */
static void test_firmware_table(void **state)
{
    static const unsigned char fw_433[] = { 4, 3, 3 };
    EVP_PKEY *rk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    ext_t slot_ext[] = { { ATTEST_YK_OID_FIRMWARE, fw_433, 3 }, { ATTEST_YK_OID_POLICY, pol_23, 2 } };
    X509 *root = make_cert(rk, "test root", NULL, NULL, 1, NULL, 0);
    X509 *ec = make_cert(tkey, "YubiKey PIV Attestation 9a", rk, root, -2, slot_ext, 2);
    X509 *rsa = make_cert(rk, "YubiKey PIV Attestation 9c", rk, root, -2, slot_ext, 2);
    char dir[256];
    attest_trust *t = trust_with(root, dir);
    attest_policy pol;
    attest_verdict *v;

    (void)state;
    default_policy(&pol);
    v = verify_slot(rsa, NULL, 0, rk, t, &pol);
    expect_only(v, CHK_YUBIKEY_FIRMWARE, ATTEST_SEV_WARNING, "4.3.3: YSA-2017-01");
    attest_verdict_free(v);
    v = verify_slot(ec, NULL, 0, tkey, t, &pol);
    expect_only(v, CHK_YUBIKEY_FIRMWARE, ATTEST_SEV_WARNING, "4.3.3: YSA-2024-03");
    attest_verdict_free(v);
    attest_trust_free(t);
    trust_dir_remove(dir);
    X509_free(root);
    X509_free(ec);
    X509_free(rsa);
    EVP_PKEY_free(rk);
}

/* claims_cert takes slot certificates only; describe reports the claims. */
static void test_claims_and_describe(void **state)
{
    X509 *slot = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_SLOT);
    X509 *f9 = carried(YK "tmc_csr_5_7_4_standard.pem", ATTEST_YK_OID_F9);
    X509 *root = read_cert(YK "piv-go_yubico-piv-root-ca-263751.pem");
    unsigned char *der = NULL;
    int n = der_of(slot, &der);
    attest_err err;
    json_object *o, *x;

    (void)state;
    assert_int_equal(attest_engine_yubikey.claims_cert(slot), 1);
    assert_int_equal(attest_engine_yubikey.claims_cert(f9), 0);
    assert_int_equal(attest_engine_yubikey.claims_cert(root), 0);
    o = attest_engine_yubikey.describe(der, (size_t)n, &err);
    assert_non_null(o);
    assert_true(json_object_object_get_ex(o, "firmware", &x));
    assert_string_equal(json_object_get_string(x), "5.7.4");
    assert_true(json_object_object_get_ex(o, "serial", &x));
    assert_int_equal(json_object_get_int64(x), 33064031);
    assert_true(json_object_object_get_ex(o, "pin_policy", &x));
    assert_string_equal(json_object_get_string(x), "once");
    assert_true(json_object_object_get_ex(o, "touch_policy", &x));
    assert_string_equal(json_object_get_string(x), "cached");
    assert_true(json_object_object_get_ex(o, "form_factor", &x));
    assert_string_equal(json_object_get_string(x), "usb-c-keychain");
    assert_true(json_object_object_get_ex(o, "slot", &x));
    assert_string_equal(json_object_get_string(x), "9a");
    json_object_put(o);
    assert_null(attest_engine_yubikey.describe(der, (size_t)n - 1, &err));
    OPENSSL_free(der);
    X509_free(slot);
    X509_free(f9);
    X509_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_574_affirming),
        cmocka_unit_test(test_sample_attestation_1_firmware),
        cmocka_unit_test(test_sample_572_dot11),
        cmocka_unit_test(test_sample_2018_quirks),
        cmocka_unit_test(test_2018_strict_refuses),
        cmocka_unit_test(test_2018_at_time),
        cmocka_unit_test(test_wrong_key),
        cmocka_unit_test(test_wrong_key_request),
        cmocka_unit_test(test_request_carrier_malformed),
        cmocka_unit_test(test_unknown_root),
        cmocka_unit_test(test_tampered_slot),
        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_not_der),
        cmocka_unit_test(test_quirk_only_under_u2f_root),
        cmocka_unit_test(test_policy_minimums),
        cmocka_unit_test(test_firmware_table),
        cmocka_unit_test(test_claims_and_describe),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
