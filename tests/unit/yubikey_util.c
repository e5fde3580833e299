/* What the yubikey engine's tests share (yubikey_util.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/bundle.h"
#include "yubikey_util.h"

attest_trust *shipped;
EVP_PKEY *tkey;

int yk_setup(void **state)
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

int yk_teardown(void **state)
{
    (void)state;
    attest_trust_free(shipped);
    EVP_PKEY_free(tkey);
    return 0;
}

/* ---- inputs ---- */

/* The DER of a PEM CSR vector; a UTF-8 BOM before it is skipped (tmc_csr_5_7_4_standard.pem has one). */
unsigned char *csr_der(const char *rel, size_t *len)
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
X509 *carried(const char *rel, const char *oid)
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

void default_policy(attest_policy *pol)
{
    attest_policy_default(pol);
}

attest_verdict *verify_csr(const unsigned char *der, size_t len, const attest_trust *t, const attest_policy *pol)
{
    attest_verify_params p = { 0 };

    p.trust = t;
    p.policy = pol;
    return attest_verify_csr(&p, der, len);
}

attest_verdict *verify_sample(const char *rel, const attest_trust *t, const attest_policy *pol)
{
    size_t len;
    unsigned char *der = csr_der(rel, &len);
    attest_verdict *v = verify_csr(der, len, t, pol);

    free(der);
    assert_non_null(v);
    return v;
}

/* A bundle of the slot certificate's DER (as given) and the cert bag, judged against key. */
attest_verdict *verify_slot_der(const unsigned char *slot, size_t slot_len, X509 *const *bag, size_t n_bag,
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

attest_verdict *verify_slot(X509 *slot, X509 *const *bag, size_t n_bag, EVP_PKEY *key, const attest_trust *t,
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

void expect_only(attest_verdict *v, const char *id, attest_severity sev, const char *detail)
{
    if (!verdict_only_failed(v, id, sev, detail)) {
        verdict_dump(v);
        fail_msg("expected exactly %s to fail (%s)", id, detail != NULL ? detail : "any detail");
    }
}

void expect_pass(const attest_verdict *v, const char *id, const char *detail)
{
    const attest_check *c = verdict_check(v, id);

    assert_non_null(c);
    if (c->result != ATTEST_CHECK_PASS || (detail != NULL && strstr(c->detail, detail) == NULL)) {
        verdict_dump(v);
        fail_msg("%s: want a pass with \"%s\", got: %s", id, detail != NULL ? detail : "", c->detail);
    }
}

/* A certificate for key, issued by ikey/issuer (NULL: self-signed); ca: -2 no basicConstraints, -1 CA:FALSE,
 * >= 0 CA:TRUE with that pathlen. */
X509 *make_cert(EVP_PKEY *key, const char *cn, EVP_PKEY *ikey, X509 *issuer, int ca, const ext_t *exts,
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

const unsigned char fw_574[3] = { 5, 7, 4 }, pol_23[2] = { 2, 3 }, ff_03[1] = { 3 };
const unsigned char serial_der[6] = { 0x02, 0x04, 0x01, 0xf8, 0x84, 0x5f };

/* A trust directory DIR/yubikey/ holding root: path in dir (size 256). */
attest_trust *trust_with(X509 *root, char *dir)
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

void trust_dir_remove(const char *dir)
{
    char p[320];

    snprintf(p, sizeof(p), "%s/yubikey/root.pem", dir);
    unlink(p);
    snprintf(p, sizeof(p), "%s/yubikey", dir);
    rmdir(p);
    rmdir(dir);
}

unsigned char *request_with(const ext_t *exts, size_t n, size_t *len)
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

int der_of(X509 *x, unsigned char **der)
{
    int n = i2d_X509(x, der);

    assert_true(n > 0);
    return n;
}

