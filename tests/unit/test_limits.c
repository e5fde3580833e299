/*
 * The caps of include/attest/limits.h on crafted input, each at the cap
 * (accepted) and one over it (refused, naming the cap):
 *   - statements per bundle (also summed over the legacy list of bundles) -> bundle.parse;
 *   - certificates per bundle -> bundle.parse;
 *   - PKIX reported elements, claims per element, signature blocks,
 *     intermediate certificates -> pkix.structure;
 *   - chain depth (intermediate CAs between the AK and the anchor) -> chain.trust;
 *   - input size for a request, a bare bundle and standalone evidence;
 *   - work per input: RSA public exponents over 32 bits -> limits.rsa-exponent
 *     (bundle certificate, subject key, PKIX signer), before any signature
 *     operation; the signature budget shared by all statements ->
 *     limits.signatures; bundle certificates tried per TPM statement.
 * The builders refuse to go over the caps, so the oversized structures are
 * raw DER.  Evidence comes from forge_tpm2 (software AK, in-memory test CA).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/x509v3.h>

#include "attest/bundle.h"
#include "attest/checks.h"
#include "attest/limits.h"
#include "attest/oids.h"
#include "attest/pkix.h"
#include "attest/pkix_produce.h"
#include "attest/request.h"
#include "attest/verdict.h"
#include "forge_tpm2.h"

static forge_out base; /* a valid forged request: its statement and AK certificate */

static int setup(void **state)
{
    forge_opts o;

    (void)state;
    memset(&o, 0, sizeof(o));
    return forge_build(&o, &base);
}

static int teardown(void **state)
{
    (void)state;
    forge_out_free(&base);
    forge_env_free();
    return 0;
}

/* ------------------------------------------------------------ raw DER */

typedef struct {
    unsigned char *b;
    size_t n;
} buf_t;

static void put(buf_t *d, const unsigned char *p, size_t n)
{
    assert_non_null(d->b = OPENSSL_realloc(d->b, d->n + n + 1));
    memcpy(d->b + d->n, p, n);
    d->n += n;
}

/* tag { content }, content consumed */
static buf_t wrap(int tag, buf_t content)
{
    buf_t out = { 0 };
    int total = ASN1_object_size(1, (int)content.n, tag);
    unsigned char *p;

    assert_true(total > 0);
    assert_non_null(out.b = p = OPENSSL_malloc((size_t)total));
    ASN1_put_object(&p, 1, (int)content.n, tag, V_ASN1_UNIVERSAL);
    memcpy(p, content.b, content.n);
    out.n = (size_t)total;
    OPENSSL_free(content.b);
    return out;
}

static buf_t statement_tlv(void)
{
    buf_t s = { 0 };
    unsigned char *o = NULL;
    int n = i2d_ASN1_OBJECT(attest_oid_obj(ATTEST_OID_TPM_CERTIFY), &o);

    assert_true(n > 0);
    put(&s, o, (size_t)n);
    OPENSSL_free(o);
    put(&s, base.stmt, base.stmt_len);
    return wrap(V_ASN1_SEQUENCE, s);
}

static void put_cert(buf_t *d, X509 *x)
{
    unsigned char *c = NULL;
    int n = i2d_X509(x, &c);

    assert_true(n > 0);
    put(d, c, (size_t)n);
    OPENSSL_free(c);
}

/* AttestationBundle: n_stmts copies of the statement; the AK certificate, then extra certificates. */
static buf_t bundle_der(int n_stmts, X509 *const *extra, int n_extra)
{
    buf_t stmts = { 0 }, certs = { 0 }, b = { 0 }, one = statement_tlv();
    int i;

    for (i = 0; i < n_stmts; i++)
        put(&stmts, one.b, one.n);
    OPENSSL_free(one.b);
    put_cert(&certs, base.ak_cert);
    for (i = 0; i < n_extra; i++)
        put_cert(&certs, extra[i]);
    stmts = wrap(V_ASN1_SEQUENCE, stmts);
    certs = wrap(V_ASN1_SEQUENCE, certs);
    put(&b, stmts.b, stmts.n);
    put(&b, certs.b, certs.n);
    OPENSSL_free(stmts.b);
    OPENSSL_free(certs.b);
    return wrap(V_ASN1_SEQUENCE, b);
}

static buf_t request_with(buf_t bundle)
{
    attest_request_opts ro;
    attest_err err;
    buf_t r = { 0 };

    memset(&ro, 0, sizeof(ro));
    ro.subject = "/CN=limits/O=attest tests";
    if (attest_request_build(forge_env_get()->key_ec, &ro, bundle.b, bundle.n, &r.b, &r.n, &err) != 0)
        fail_msg("attest_request_build: %s", err.msg);
    OPENSSL_free(bundle.b);
    return r;
}

/* ------------------------------------------------------------ verifying */

static attest_verdict *verify(const buf_t *in, int kind)
{
    attest_trust *t = attest_trust_new();
    attest_verify_params p;
    attest_policy pol;
    attest_verdict *v;

    assert_non_null(t);
    assert_int_equal(attest_trust_add_anchor(t, forge_env_get()->root), 0);
    attest_policy_default(&pol);
    memset(&p, 0, sizeof(p));
    p.trust = t;
    p.policy = &pol;
    p.nonce = FORGE_NONCE;
    p.nonce_len = sizeof(FORGE_NONCE);
    if (kind == 1) {
        p.subject_key = forge_env_get()->key_ec;
        v = attest_verify_bundle(&p, in->b, in->n);
    } else if (kind == 2) {
        v = attest_verify_evidence(&p, in->b, in->n);
    } else {
        v = attest_verify_csr(&p, in->b, in->n);
    }
    attest_trust_free(t);
    assert_non_null(v);
    return v;
}

/* id fails (error) and its detail contains text. */
static void expect_fail(const attest_verdict *v, const char *id, const char *text)
{
    const attest_check *k = verdict_check(v, id);

    if (k == NULL || k->result != ATTEST_CHECK_FAIL || k->severity != ATTEST_SEV_ERROR
        || strstr(k->detail, text) == NULL) {
        BIO *b = BIO_new_fp(stderr, BIO_NOCLOSE);

        attest_verdict_text(v, b);
        BIO_free(b);
        fail_msg("expected %s to fail naming \"%s\"", id, text);
    }
    assert_verdict_exit(v, 1);
}

static void expect_affirming(const buf_t *in)
{
    attest_verdict *v = verify(in, 0);

    forge_expect_affirming(v, NULL);
    attest_verdict_free(v);
}

/* ------------------------------------------------------------ bundle caps */

static void test_statements(void **state)
{
    char cap[32];
    buf_t r;
    attest_verdict *v;

    (void)state;
    snprintf(cap, sizeof(cap), "more than %d statements", ATTEST_MAX_STATEMENTS);
    r = request_with(bundle_der(ATTEST_MAX_STATEMENTS, NULL, 0));
    expect_affirming(&r);
    OPENSSL_free(r.b);
    r = request_with(bundle_der(ATTEST_MAX_STATEMENTS + 1, NULL, 0));
    v = verify(&r, 0);
    expect_fail(v, CHK_BUNDLE_PARSE, cap);
    assert_int_equal(v->n_subs, 0);
    attest_verdict_free(v);
    OPENSSL_free(r.b);
}

/* The legacy list of bundles: the cap counts the statements of all of them. */
static void test_statements_summed_over_bundle_list(void **state)
{
    char cap[32];
    buf_t list = { 0 }, one, r;
    attest_verdict *v;
    int per = ATTEST_MAX_STATEMENTS / 2 + 1, i;

    (void)state;
    snprintf(cap, sizeof(cap), "more than %d statements", ATTEST_MAX_STATEMENTS);
    for (i = 0; i < 2; i++) {
        one = bundle_der(per, NULL, 0);
        put(&list, one.b, one.n);
        OPENSSL_free(one.b);
    }
    r = request_with(wrap(V_ASN1_SEQUENCE, list));
    v = verify(&r, 0);
    expect_fail(v, CHK_BUNDLE_PARSE, cap);
    attest_verdict_free(v);
    OPENSSL_free(r.b);
}

static void test_certs(void **state)
{
    X509 *extra[ATTEST_MAX_BUNDLE_CERTS];
    char cap[40];
    buf_t r;
    attest_verdict *v;
    int i;

    (void)state;
    snprintf(cap, sizeof(cap), "more than %d certificates", ATTEST_MAX_BUNDLE_CERTS);
    for (i = 0; i < ATTEST_MAX_BUNDLE_CERTS; i++)
        extra[i] = forge_env_get()->root;
    r = request_with(bundle_der(1, extra, ATTEST_MAX_BUNDLE_CERTS - 1));
    expect_affirming(&r);
    OPENSSL_free(r.b);
    r = request_with(bundle_der(1, extra, ATTEST_MAX_BUNDLE_CERTS));
    v = verify(&r, 0);
    expect_fail(v, CHK_BUNDLE_PARSE, cap);
    attest_verdict_free(v);
    OPENSSL_free(r.b);
    /* the builder refuses the same */
    {
        attest_bundle *b = attest_bundle_new();

        assert_non_null(b);
        for (i = 0; i < ATTEST_MAX_BUNDLE_CERTS; i++)
            assert_int_equal(attest_bundle_add_cert(b, forge_env_get()->root), 0);
        assert_int_equal(attest_bundle_add_cert(b, forge_env_get()->root), -1);
        attest_bundle_free(b);
    }
}

/* ------------------------------------------------------------ PKIX caps */

/* Signed evidence about key_ec by ak_ec, decoded for editing. */
static attest_pkix *pkix_base(void)
{
    const forge_env *e = forge_env_get();
    attest_pkix_claims c;
    attest_pkix_signer s;
    unsigned char *der = NULL;
    size_t len = 0;
    attest_pkix *p = NULL;
    attest_err err;

    attest_pkix_claims_init(&c);
    c.nonce = FORGE_NONCE;
    c.nonce_len = sizeof(FORGE_NONCE);
    c.key = e->key_ec;
    c.key_id = "limits";
    c.extractable = 0;
    c.never_extractable = 1;
    c.local = 1;
    memset(&s, 0, sizeof(s));
    s.key = e->ak_ec;
    if (attest_pkix_build(&c, &s, 1, NULL, NULL, &der, &len, &err) != 0)
        fail_msg("attest_pkix_build: %s", err.msg);
    if (attest_pkix_decode(der, len, &p, &err) != 0)
        fail_msg("attest_pkix_decode: %s", err.msg);
    OPENSSL_free(der);
    return p;
}

static buf_t pkix_der(attest_pkix *p)
{
    buf_t out = { 0 };
    attest_err err;

    assert_int_equal(attest_pkix_encode(p, &out.b, &out.n, &err), 0);
    attest_pkix_free(p);
    return out;
}

enum { GROW_ELEMENTS, GROW_CLAIMS, GROW_SIGS, GROW_CERTS };

/* The base evidence grown to total items of one kind. */
static buf_t pkix_grown(int what, int total)
{
    attest_pkix *p = pkix_base();
    ATTEST_PKIX_EVIDENCE *ev = p->ev;
    ATTEST_PKIX_ELEMENT *key_el =
        sk_ATTEST_PKIX_ELEMENT_value(ev->tbs->elements, sk_ATTEST_PKIX_ELEMENT_num(ev->tbs->elements) - 1);

    switch (what) {
    case GROW_ELEMENTS:
        while (sk_ATTEST_PKIX_ELEMENT_num(ev->tbs->elements) < total) {
            ATTEST_PKIX_ELEMENT *el = attest_pkix_element_new(ATTEST_OID_PKIX_EL_PLATFORM);

            assert_non_null(el);
            assert_true(sk_ATTEST_PKIX_ELEMENT_push(ev->tbs->elements, el) > 0);
        }
        break;
    case GROW_CLAIMS:
        while (sk_ATTEST_PKIX_CLAIM_num(key_el->claims) < total) {
            ASN1_TYPE *t = ASN1_TYPE_new();

            assert_non_null(t);
            ASN1_TYPE_set(t, V_ASN1_NULL, NULL);
            assert_true(attest_pkix_add_claim(key_el, ATTEST_OID_PKIX_PL_VENDOR, t));
        }
        break;
    case GROW_SIGS:
        while (sk_ATTEST_PKIX_SIGBLOCK_num(ev->sigs) < total) {
            ATTEST_PKIX_SIGBLOCK *sb =
                ASN1_item_dup(ASN1_ITEM_rptr(ATTEST_PKIX_SIGBLOCK), sk_ATTEST_PKIX_SIGBLOCK_value(ev->sigs, 0));

            assert_non_null(sb);
            assert_true(sk_ATTEST_PKIX_SIGBLOCK_push(ev->sigs, sb) > 0);
        }
        break;
    default:
        if (ev->intermediates == NULL)
            assert_non_null(ev->intermediates = sk_X509_new_null());
        while (sk_X509_num(ev->intermediates) < total) {
            X509 *x = forge_env_get()->root;

            assert_true(X509_up_ref(x));
            assert_true(sk_X509_push(ev->intermediates, x) > 0);
        }
        break;
    }
    return pkix_der(p);
}

/* Decoding at the cap gives no cap message; over it, pkix.structure names the cap. */
static void pkix_cap(int what, int cap, const char *text)
{
    buf_t at = pkix_grown(what, cap), over = pkix_grown(what, cap + 1), r;
    attest_pkix *p = NULL;
    attest_verdict *v;
    attest_err err;
    attest_bundle *b;
    size_t bl = 0;

    if (attest_pkix_decode(at.b, at.n, &p, &err) != 0)
        fail_msg("at the cap (%d): %s", cap, err.msg);
    attest_pkix_free(p);
    v = verify(&at, 2);
    assert_null(strstr(verdict_check(v, CHK_PKIX_STRUCTURE)->detail, text));
    attest_verdict_free(v);

    assert_int_equal(attest_pkix_decode(over.b, over.n, &p, &err), -1);
    assert_non_null(strstr(err.msg, text));
    v = verify(&over, 2);
    expect_fail(v, CHK_PKIX_STRUCTURE, text);
    attest_verdict_free(v);
    /* the same evidence as the statement of a request */
    assert_non_null(b = attest_bundle_new());
    assert_int_equal(attest_bundle_add_statement(b, attest_oid_obj(ATTEST_OID_PKIX_STATEMENT), over.b, over.n, &err),
                     0);
    r.b = NULL;
    assert_int_equal(attest_bundle_encode(b, &r.b, &bl, &err), 0);
    r.n = bl;
    attest_bundle_free(b);
    r = request_with(r);
    v = verify(&r, 0);
    expect_fail(v, CHK_PKIX_STRUCTURE, text);
    attest_verdict_free(v);
    OPENSSL_free(r.b);
    OPENSSL_free(at.b);
    OPENSSL_free(over.b);
}

static void test_pkix_elements(void **state)
{
    char t[48];

    (void)state;
    snprintf(t, sizeof(t), "more than %d reported elements", ATTEST_MAX_ELEMENTS);
    pkix_cap(GROW_ELEMENTS, ATTEST_MAX_ELEMENTS, t);
}

static void test_pkix_claims(void **state)
{
    char t[48];

    (void)state;
    snprintf(t, sizeof(t), "more than %d claims", ATTEST_MAX_CLAIMS);
    pkix_cap(GROW_CLAIMS, ATTEST_MAX_CLAIMS, t);
}

static void test_pkix_signatures(void **state)
{
    char t[48];

    (void)state;
    snprintf(t, sizeof(t), "more than %d signature blocks", ATTEST_MAX_SIGNATURES);
    pkix_cap(GROW_SIGS, ATTEST_MAX_SIGNATURES, t);
}

static void test_pkix_intermediates(void **state)
{
    char t[56];

    (void)state;
    snprintf(t, sizeof(t), "more than %d intermediate certificates", ATTEST_MAX_BUNDLE_CERTS);
    pkix_cap(GROW_CERTS, ATTEST_MAX_BUNDLE_CERTS, t);
}

/* ------------------------------------------------------------ chain depth */

static long serial = 5000;

static X509 *cert(const char *cn, EVP_PKEY *pub, X509 *issuer, EVP_PKEY *ikey, int ca)
{
    X509 *x = X509_new();
    X509V3_CTX ctx;
    const char *exts[3][2] = {
        { "basicConstraints", ca ? "critical,CA:TRUE" : "critical,CA:FALSE" },
        { "keyUsage", ca ? "critical,keyCertSign" : "critical,digitalSignature" },
        { "extendedKeyUsage", ca ? NULL : "2.23.133.8.3" },
    };
    int i;

    assert_non_null(x);
    assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++), 1);
    assert_int_equal(
        X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0),
        1);
    assert_int_equal(X509_set_issuer_name(x, X509_get_subject_name(issuer)), 1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
    assert_int_equal(X509_set_pubkey(x, pub), 1);
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    for (i = 0; i < 3; i++) {
        X509_EXTENSION *e;

        if (exts[i][1] == NULL)
            continue;
        assert_non_null(e = X509V3_EXT_nconf(NULL, &ctx, exts[i][0], exts[i][1]));
        assert_int_equal(X509_add_ext(x, e, -1), 1);
        X509_EXTENSION_free(e);
    }
    assert_true(X509_sign(x, ikey, EVP_sha256()) > 0);
    return x;
}

/* AK <- int_k <- ... <- int_1 <- root; the bag holds the AK and every intermediate. */
static attest_verdict *chain_of(int k)
{
    const forge_env *e = forge_env_get();
    X509 *ints[ATTEST_MAX_CHAIN_DEPTH + 2], *issuer = e->root, *ak;
    EVP_PKEY *key = NULL, *ikey = e->ca_key;
    buf_t certs = { 0 }, stmts = { 0 }, b = { 0 }, one = statement_tlv(), r;
    attest_verdict *v;
    char cn[32];
    int i;

    assert_true(k <= ATTEST_MAX_CHAIN_DEPTH + 2);
    assert_non_null(key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
    for (i = 0; i < k; i++) {
        snprintf(cn, sizeof(cn), "Limits CA %d", i + 1);
        ints[i] = cert(cn, key, issuer, ikey, 1);
        issuer = ints[i];
        ikey = key;
    }
    ak = cert("Limits AK", e->ak_ec, issuer, ikey, 0);
    put_cert(&certs, ak);
    for (i = k - 1; i >= 0; i--)
        put_cert(&certs, ints[i]);
    put(&stmts, one.b, one.n);
    OPENSSL_free(one.b);
    stmts = wrap(V_ASN1_SEQUENCE, stmts);
    certs = wrap(V_ASN1_SEQUENCE, certs);
    put(&b, stmts.b, stmts.n);
    put(&b, certs.b, certs.n);
    OPENSSL_free(stmts.b);
    OPENSSL_free(certs.b);
    r = request_with(wrap(V_ASN1_SEQUENCE, b));
    v = verify(&r, 0);
    OPENSSL_free(r.b);
    X509_free(ak);
    for (i = 0; i < k; i++)
        X509_free(ints[i]);
    EVP_PKEY_free(key);
    return v;
}

static void test_chain_depth(void **state)
{
    attest_verdict *v;

    (void)state;
    /* ATTEST_MAX_CHAIN_DEPTH intermediate CAs between the AK and the anchor: accepted */
    v = chain_of(ATTEST_MAX_CHAIN_DEPTH);
    forge_expect_affirming(v, NULL);
    attest_verdict_free(v);
    /* one more: too long */
    v = chain_of(ATTEST_MAX_CHAIN_DEPTH + 1);
    forge_expect_only(v, CHK_CHAIN_TRUST, ATTEST_SEV_ERROR, NULL);
    expect_fail(v, CHK_CHAIN_TRUST, "too long");
    attest_verdict_free(v);
}

/* ------------------------------------------------------------ input size */

static void test_input_size(void **state)
{
    static const struct {
        int kind;
        const char *id;
    } k[] = { { 0, CHK_CSR_PARSE }, { 1, CHK_BUNDLE_PARSE }, { 2, CHK_PKIX_STRUCTURE } };
    char cap[24];
    buf_t big;
    size_t i;

    (void)state;
    snprintf(cap, sizeof(cap), "%d", ATTEST_MAX_INPUT);
    /* one SEQUENCE of ATTEST_MAX_INPUT + 1 bytes: 30 83 10 00 00 + zeros */
    big.n = ATTEST_MAX_INPUT + 1;
    assert_non_null(big.b = OPENSSL_zalloc(big.n));
    memcpy(big.b, "\x30\x83\x0f\xff\xfc", 5);
    for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
        attest_verdict *v = verify(&big, k[i].kind);

        expect_fail(v, k[i].id, cap);
        attest_verdict_free(v);
    }
    OPENSSL_free(big.b);
}

/* ------------------------------------------------------------ work per input */

/* An RSA-3072 public "key": random odd modulus, exponent e (hex).  Never used to sign. */
static EVP_PKEY *rsa_with_e(const char *e_hex)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    OSSL_PARAM *params = NULL;
    BIGNUM *n = BN_new(), *e = NULL;
    EVP_PKEY *key = NULL;

    assert_non_null(bld);
    assert_non_null(ctx);
    assert_non_null(n);
    assert_true(BN_rand(n, 3072, BN_RAND_TOP_TWO, BN_RAND_BOTTOM_ODD));
    assert_true(BN_hex2bn(&e, e_hex) > 0);
    assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n));
    assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e));
    assert_non_null(params = OSSL_PARAM_BLD_to_param(bld));
    assert_true(EVP_PKEY_fromdata_init(ctx) > 0);
    assert_true(EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) > 0);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    BN_free(n);
    BN_free(e);
    return key;
}

/* A certificate from the test root for a key. */
static X509 *cert_for(const char *cn, EVP_PKEY *key)
{
    return cert(cn, key, forge_env_get()->root, forge_env_get()->ca_key, 0);
}

/* The valid request with one more bundle certificate, for an RSA key with exponent e. */
static attest_verdict *with_extra_e(const char *e_hex)
{
    EVP_PKEY *k = rsa_with_e(e_hex);
    X509 *x = cert_for("Limits exponent", k);
    buf_t r = request_with(bundle_der(1, &x, 1));
    attest_verdict *v = verify(&r, 0);

    OPENSSL_free(r.b);
    X509_free(x);
    EVP_PKEY_free(k);
    return v;
}

static const char *detail_of(const attest_verdict *v, const char *id)
{
    const attest_check *k = attest_checks_find(&v->checks, id);

    assert_non_null(k);
    return k->detail;
}

/* e = 2^32+1 in any bundle certificate: limits.rsa-exponent, and only it; 65537 and 2^32-1 pass. */
static void test_rsa_exponent_bundle_cert(void **state)
{
    attest_verdict *v;

    (void)state;
    v = with_extra_e("100000001");
    forge_expect_only(v, CHK_LIMITS_RSA_EXPONENT, ATTEST_SEV_ERROR, NULL);
    assert_non_null(
        strstr(detail_of(v, CHK_LIMITS_RSA_EXPONENT), "bundle certificate 1 /CN=Limits exponent (33-bit exponent)"));
    attest_verdict_free(v);
    v = with_extra_e("10001");
    forge_expect_affirming(v, NULL);
    attest_verdict_free(v);
    v = with_extra_e("FFFFFFFF");
    forge_expect_affirming(v, NULL);
    attest_verdict_free(v);
}

/* The hostile request of issue 10: 16 statements, 32 certificates with 3070-bit exponents.
 * Contraindicated by limits.rsa-exponent with no signature operation spent. */
static void test_rsa_exponent_hostile(void **state)
{
    X509 *certs[ATTEST_MAX_BUNDLE_CERTS];
    EVP_PKEY *k;
    BIGNUM *e = BN_new();
    char *e_hex, cn[32];
    buf_t stmts = { 0 }, bag = { 0 }, b = { 0 }, one = statement_tlv(), r;
    attest_verdict *v;
    size_t i;
    int j;

    (void)state;
    assert_non_null(e);
    for (j = 0; j < ATTEST_MAX_BUNDLE_CERTS; j++) {
        assert_true(BN_rand(e, 3070, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD));
        assert_non_null(e_hex = BN_bn2hex(e));
        k = rsa_with_e(e_hex);
        snprintf(cn, sizeof(cn), "Hostile %d", j);
        certs[j] = cert_for(cn, k);
        put_cert(&bag, certs[j]);
        OPENSSL_free(e_hex);
        EVP_PKEY_free(k);
    }
    for (j = 0; j < ATTEST_MAX_STATEMENTS; j++)
        put(&stmts, one.b, one.n);
    OPENSSL_free(one.b);
    stmts = wrap(V_ASN1_SEQUENCE, stmts);
    bag = wrap(V_ASN1_SEQUENCE, bag);
    put(&b, stmts.b, stmts.n);
    put(&b, bag.b, bag.n);
    OPENSSL_free(stmts.b);
    OPENSSL_free(bag.b);
    r = request_with(wrap(V_ASN1_SEQUENCE, b));
    v = verify(&r, 0);
    expect_fail(v, CHK_LIMITS_RSA_EXPONENT, "32 key(s) refused");
    /* Read at its full size (past the 8-byte fast read): the detail names it. */
    assert_non_null(strstr(detail_of(v, CHK_LIMITS_RSA_EXPONENT), "(3070-bit exponent)"));
    assert_non_null(strstr(detail_of(v, CHK_LIMITS_SIGNATURES), "0 of at most"));
    assert_int_equal(v->n_subs, ATTEST_MAX_STATEMENTS);
    for (i = 0; i < v->n_subs; i++)
        assert_non_null(
            strstr(attest_checks_find(&v->subs[i].checks, CHK_TPM2_SIGNATURE)->detail, "none with a usable key"));
    attest_verdict_free(v);
    OPENSSL_free(r.b);
    for (j = 0; j < ATTEST_MAX_BUNDLE_CERTS; j++)
        X509_free(certs[j]);
    BN_free(e);
}

/* A request whose own key has a 33-bit exponent: its self-signature is not even tried. */
static void test_rsa_exponent_subject(void **state)
{
    EVP_PKEY *k = rsa_with_e("100000001");
    X509_REQ *req = X509_REQ_new();
    buf_t r = { 0 };
    attest_verdict *v;
    const attest_check *sig;
    int n;

    (void)state;
    assert_non_null(req);
    assert_int_equal(X509_REQ_set_pubkey(req, k), 1);
    assert_true(X509_REQ_sign(req, forge_env_get()->key_ec, EVP_sha256()) > 0);
    assert_true((n = i2d_X509_REQ(req, &r.b)) > 0);
    r.n = (size_t)n;
    v = verify(&r, 0);
    expect_fail(v, CHK_LIMITS_RSA_EXPONENT, "the subject key (33-bit exponent)");
    assert_non_null(sig = attest_checks_find(&v->checks, CHK_CSR_SIGNATURE));
    assert_int_equal(sig->result, ATTEST_CHECK_SKIP);
    assert_int_equal(sig->severity, ATTEST_SEV_ERROR);
    attest_verdict_free(v);
    OPENSSL_free(r.b);
    X509_REQ_free(req);
    EVP_PKEY_free(k);
}

/* PKIX evidence whose SignatureBlock names a signer SPKI with a 33-bit exponent: refused before verifying. */
static void test_rsa_exponent_pkix_signer(void **state)
{
    attest_pkix *p = pkix_base();
    ATTEST_PKIX_SIGBLOCK *sb = sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, 0);
    EVP_PKEY *k = rsa_with_e("100000001");
    attest_verdict *v;
    buf_t ev;

    (void)state;
    X509_PUBKEY_free(sb->sid->spki);
    sb->sid->spki = NULL;
    assert_int_equal(X509_PUBKEY_set(&sb->sid->spki, k), 1);
    assert_int_equal(X509_ALGOR_set0(sb->alg, OBJ_nid2obj(NID_sha256WithRSAEncryption), V_ASN1_NULL, NULL), 1);
    ev = pkix_der(p);
    v = verify(&ev, 2);
    expect_fail(v, CHK_LIMITS_RSA_EXPONENT, "the evidence signer (bare SPKI) (33-bit exponent)");
    expect_fail(v, CHK_PKIX_SIGNATURE, "exponent is over 32 bits");
    assert_non_null(strstr(detail_of(v, CHK_LIMITS_SIGNATURES), "0 of at most"));
    attest_verdict_free(v);
    OPENSSL_free(ev.b);
    EVP_PKEY_free(k);
}

/* n_stmts statements; the bag: n_decoys P-256 certificates (they fit the signature, but do not verify it), then the AK. */
static attest_verdict *with_decoys(int n_stmts, int n_decoys)
{
    X509 *decoys[ATTEST_MAX_BUNDLE_CERTS];
    EVP_PKEY *k;
    buf_t stmts = { 0 }, bag = { 0 }, b = { 0 }, one = statement_tlv(), r;
    attest_verdict *v;
    int i;

    assert_true(n_decoys < ATTEST_MAX_BUNDLE_CERTS);
    for (i = 0; i < n_decoys; i++) {
        assert_non_null(k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
        decoys[i] = cert_for("Limits decoy", k);
        put_cert(&bag, decoys[i]);
        EVP_PKEY_free(k);
    }
    put_cert(&bag, base.ak_cert);
    for (i = 0; i < n_stmts; i++)
        put(&stmts, one.b, one.n);
    OPENSSL_free(one.b);
    stmts = wrap(V_ASN1_SEQUENCE, stmts);
    bag = wrap(V_ASN1_SEQUENCE, bag);
    put(&b, stmts.b, stmts.n);
    put(&b, bag.b, bag.n);
    OPENSSL_free(stmts.b);
    OPENSSL_free(bag.b);
    r = request_with(wrap(V_ASN1_SEQUENCE, b));
    v = verify(&r, 0);
    OPENSSL_free(r.b);
    for (i = 0; i < n_decoys; i++)
        X509_free(decoys[i]);
    return v;
}

/*
 * Valid statements whose AK is the 5th fitting certificate: 5 signature
 * operations each, 16 statements need 80 > ATTEST_MAX_SIG_OPS.  The budget is
 * shared: the first 12 verify, the rest are not tried; limits.signatures is
 * the only check that fails, the starved statements' tpm2.signature are
 * "not run" errors.  At the cap (4 per statement) all is affirmed.
 */
static void test_signature_cap(void **state)
{
    int per = ATTEST_MAX_SIG_OPS / ATTEST_MAX_STATEMENTS; /* 4 */
    attest_verdict *v;
    size_t i, starved = 0, j;

    (void)state;
    assert_int_equal(per * ATTEST_MAX_STATEMENTS, ATTEST_MAX_SIG_OPS);
    v = with_decoys(ATTEST_MAX_STATEMENTS, per - 1);
    forge_expect_affirming(v, NULL);
    assert_non_null(strstr(detail_of(v, CHK_LIMITS_SIGNATURES), "64 of at most 64"));
    attest_verdict_free(v);

    v = with_decoys(ATTEST_MAX_STATEMENTS, per);
    expect_fail(v, CHK_LIMITS_SIGNATURES, "cap of 64 signature operations");
    for (i = 0; i <= v->n_subs; i++) {
        const attest_checks *c = i == 0 ? &v->checks : &v->subs[i - 1].checks;

        for (j = 0; j < c->n; j++) {
            if (strcmp(c->v[j].id, CHK_LIMITS_SIGNATURES) == 0)
                continue;
            assert_int_not_equal(c->v[j].result, ATTEST_CHECK_FAIL);
            if (strcmp(c->v[j].id, CHK_TPM2_SIGNATURE) == 0 && c->v[j].result == ATTEST_CHECK_SKIP) {
                assert_int_equal(c->v[j].severity, ATTEST_SEV_ERROR);
                assert_false(v->subs[i - 1].binds_subject_key);
                starved++;
            }
        }
    }
    assert_int_equal(starved, ATTEST_MAX_STATEMENTS - ATTEST_MAX_SIG_OPS / (per + 1));
    attest_verdict_free(v);
}

/* At most ATTEST_MAX_AK_CANDIDATES fitting certificates are tried per TPM statement. */
static void test_ak_candidates(void **state)
{
    attest_verdict *v;

    (void)state;
    v = with_decoys(1, ATTEST_MAX_AK_CANDIDATES - 1);
    forge_expect_affirming(v, NULL);
    attest_verdict_free(v);
    v = with_decoys(1, ATTEST_MAX_AK_CANDIDATES);
    forge_expect_only(v, CHK_TPM2_SIGNATURE, ATTEST_SEV_ERROR, NULL);
    expect_fail(v, CHK_TPM2_SIGNATURE, "8 tried, more not tried: per-statement cap");
    attest_verdict_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statements),
        cmocka_unit_test(test_statements_summed_over_bundle_list),
        cmocka_unit_test(test_certs),
        cmocka_unit_test(test_pkix_elements),
        cmocka_unit_test(test_pkix_claims),
        cmocka_unit_test(test_pkix_signatures),
        cmocka_unit_test(test_pkix_intermediates),
        cmocka_unit_test(test_chain_depth),
        cmocka_unit_test(test_input_size),
        cmocka_unit_test(test_rsa_exponent_bundle_cert),
        cmocka_unit_test(test_rsa_exponent_hostile),
        cmocka_unit_test(test_rsa_exponent_subject),
        cmocka_unit_test(test_rsa_exponent_pkix_signer),
        cmocka_unit_test(test_signature_cap),
        cmocka_unit_test(test_ak_candidates),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
