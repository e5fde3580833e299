/*
 * params.libctx is where verification happens: the request's key, its
 * signature, the bundle's certificates and the trust store's chains all use
 * the caller's library context.  A context with only the base provider has
 * no signature algorithms, so a verifier that honours it cannot verify the
 * request's self-signature there, while the default context can.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/provider.h>

#include "attest/certcache.h"
#include "attest/checks.h"
#include "attest/registry.h"
#include "attest/verdict.h"

/* A self-signed P-256 request (no attestation), made in the default context. */
static unsigned char *request_der(long *len)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509_REQ *r = X509_REQ_new();
    unsigned char *der = NULL;

    assert_non_null(k);
    assert_non_null(r);
    assert_true(X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(r), "CN", MBSTRING_ASC,
                                           (const unsigned char *)"libctx", -1, -1, 0));
    assert_true(X509_REQ_set_pubkey(r, k));
    assert_true(X509_REQ_sign(r, k, EVP_sha256()) > 0);
    *len = i2d_X509_REQ(r, &der);
    assert_true(*len > 0);
    X509_REQ_free(r);
    EVP_PKEY_free(k);
    return der;
}

static attest_check_result signature_in(OSSL_LIB_CTX *ctx)
{
    long len = 0;
    unsigned char *der = request_der(&len);
    attest_policy pol;
    attest_verify_params p = { 0 };
    attest_trust *t = attest_trust_new_ex(ctx, NULL);
    attest_verdict *v;
    const attest_check *c;
    attest_check_result r;

    attest_policy_default(&pol);
    p.libctx = ctx;
    p.trust = t;
    p.policy = &pol;
    v = attest_verify_csr(&p, der, (size_t)len);
    assert_non_null(v);
    c = attest_checks_find(&v->checks, CHK_CSR_SIGNATURE);
    assert_non_null(c);
    r = c->result;
    attest_verdict_free(v);
    attest_trust_free(t);
    OPENSSL_free(der);
    return r;
}

static void test_default_context_verifies(void **state)
{
    OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();
    OSSL_PROVIDER *def = OSSL_PROVIDER_load(ctx, "default");

    (void)state;
    assert_int_equal(signature_in(NULL), ATTEST_CHECK_PASS);
    assert_int_equal(signature_in(ctx), ATTEST_CHECK_PASS);
    OSSL_PROVIDER_unload(def);
    OSSL_LIB_CTX_free(ctx);
}

/* The caller's context has no signature algorithm: the check cannot pass there. */
static void test_base_only_context_is_used(void **state)
{
    OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();
    OSSL_PROVIDER *base = OSSL_PROVIDER_load(ctx, "base");

    (void)state;
    assert_non_null(base);
    assert_int_equal(signature_in(ctx), ATTEST_CHECK_FAIL);
    OSSL_PROVIDER_unload(base);
    OSSL_LIB_CTX_free(ctx);
}

static X509 *cert(EVP_PKEY *subject_key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key)
{
    X509 *x = X509_new();

    assert_non_null(x);
    assert_true(X509_set_version(x, X509_VERSION_3));
    assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), 1));
    assert_true(
        X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0));
    assert_true(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(x)));
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
    assert_true(X509_set_pubkey(x, subject_key));
    if (issuer == NULL) {
        X509V3_CTX v3;
        X509_EXTENSION *bc;

        X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
        bc = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE");
        assert_non_null(bc);
        assert_true(X509_add_ext(x, bc, -1));
        X509_EXTENSION_free(bc);
    }
    assert_true(X509_sign(x, issuer_key, EVP_sha256()) > 0);
    return x;
}

/*
 * Certificates are decoded in the caller's context (their signatures are
 * checked there), chains are built in the trust store's: a leaf decoded in a
 * context without signature algorithms does not validate.
 */
static void test_trust_store_context(void **state)
{
    EVP_PKEY *rk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), *lk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *root = cert(rk, "root", NULL, rk), *leaf = cert(lk, "leaf", root, rk);
    OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();
    OSSL_PROVIDER *base = OSSL_PROVIDER_load(ctx, "base");
    attest_trust *good = attest_trust_new_ex(NULL, NULL), *bare = attest_trust_new_ex(ctx, NULL);
    unsigned char *der = NULL;
    int n = i2d_X509(leaf, &der);
    X509 *in_default, *in_base;
    attest_err err;

    (void)state;
    assert_true(n > 0);
    in_default = attest_cert_from_der_ex(der, (size_t)n, NULL, NULL);
    in_base = attest_cert_from_der_ex(der, (size_t)n, ctx, NULL);
    assert_non_null(in_default);
    assert_non_null(in_base);
    assert_ptr_not_equal(in_default, in_base); /* the cache keeps contexts apart */
    assert_int_equal(attest_trust_add_anchor(good, root), 0);
    assert_int_equal(attest_trust_add_anchor(bare, root), 0);
    assert_int_equal(attest_trust_verify(good, in_default, NULL, &err), 0);
    assert_int_not_equal(attest_trust_verify(bare, in_base, NULL, &err), 0);
    X509_free(in_default);
    X509_free(in_base);
    OPENSSL_free(der);
    attest_trust_free(good);
    attest_trust_free(bare);
    OSSL_PROVIDER_unload(base);
    attest_certcache_set_enabled(0); /* in_base was cached with ctx: empty the cache before ctx goes */
    attest_certcache_set_enabled(1);
    OSSL_LIB_CTX_free(ctx);
    X509_free(root);
    X509_free(leaf);
    EVP_PKEY_free(rk);
    EVP_PKEY_free(lk);
}

/* PKIX evidence: its embedded signer certificate (and key) are decoded in the caller's context. */
static attest_check_result pkix_signature_in(OSSL_LIB_CTX *ctx)
{
    char path[1024];
    const char *vec = getenv("ATTEST_VECTORS");
    BIO *b;
    char *name = NULL, *hdr = NULL;
    unsigned char *der = NULL;
    long len = 0;
    attest_policy pol;
    attest_verify_params p = { 0 };
    attest_trust *t = attest_trust_new_ex(ctx, NULL);
    attest_verdict *v;
    const attest_check *c;
    attest_check_result r;

    snprintf(path, sizeof(path), "%s/pkix-evidence/evidence2.pem", vec != NULL ? vec : "tests/vectors");
    assert_non_null(b = BIO_new_file(path, "r"));
    assert_true(PEM_read_bio(b, &name, &hdr, &der, &len) > 0);
    attest_policy_default(&pol);
    p.libctx = ctx;
    p.trust = t;
    p.policy = &pol;
    v = attest_verify_evidence(&p, der, (size_t)len);
    assert_non_null(v);
    assert_int_equal(v->n_subs, 1);
    assert_non_null(c = attest_checks_find(&v->subs[0].checks, "pkix.signature"));
    r = c->result;
    attest_verdict_free(v);
    attest_trust_free(t);
    OPENSSL_free(name);
    OPENSSL_free(hdr);
    OPENSSL_free(der);
    BIO_free(b);
    return r;
}

static void test_pkix_evidence_context(void **state)
{
    OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();
    OSSL_PROVIDER *base = OSSL_PROVIDER_load(ctx, "base");

    (void)state;
    assert_int_equal(pkix_signature_in(NULL), ATTEST_CHECK_PASS);
    assert_int_not_equal(pkix_signature_in(ctx), ATTEST_CHECK_PASS);
    OSSL_PROVIDER_unload(base);
    OSSL_LIB_CTX_free(ctx);
}

/* A caller's queued error is still there, and still the last, after a verification. */
static void test_caller_error_queue_survives_verify(void **state)
{
    long len = 0;
    unsigned char *der = request_der(&len);
    attest_policy pol;
    attest_verify_params p = {0};
    attest_trust *t = attest_trust_new();
    attest_verdict *v;

    (void)state;
    attest_policy_default(&pol);
    p.trust = t;
    p.policy = &pol;
    ERR_clear_error();
    ERR_raise_data(ERR_LIB_USER, 42, "the caller's");
    v = attest_verify_any(&p, ATTEST_DT_NONE, der, (size_t)len);
    assert_non_null(v);
    assert_int_equal(ERR_GET_REASON(ERR_peek_last_error()), 42);
    assert_int_equal(ERR_GET_LIB(ERR_peek_last_error()), ERR_LIB_USER);
    attest_verdict_free(v);
    ERR_clear_error();
    attest_trust_free(t);
    OPENSSL_free(der);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_context_verifies),
        cmocka_unit_test(test_base_only_context_is_used),
        cmocka_unit_test(test_trust_store_context),
        cmocka_unit_test(test_pkix_evidence_context),
        cmocka_unit_test(test_caller_error_queue_survives_verify),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
