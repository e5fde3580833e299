/*
 * The luna engine: the real PKC sample (ecc-pkc.p7b + ecc-test.csr) and
 * chains made here with OpenSSL, one negative test per check id, and the
 * negative-s quirk refused by --strict and not applied outside its defect.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/bundle.h"
#include "attest/engine.h"
#include "attest/import.h"
#include "attest/verify.h"
#include "testutil.h"

#define PKC_EKU    "1.3.6.1.4.1.12383.1.13"
#define T_TODAY    1796601600 /* 2026-12-07T00:00:00Z */
#define T_MID_2030 1909094400 /* 2030-07-01T00:00:00Z: the ECC root expires 2030-08-12 */

/* ---------- verdict helpers ---------- */

/* Every check of v (request and statements) with this id: result and severity of the first. */
static int find(const attest_verdict *v, const char *id, attest_check_result *r, attest_severity *s)
{
    size_t w, i, n_st = attest_verdict_statement_count(v);

    for (w = 0; w <= n_st; w++) {
        size_t where = w == n_st ? ATTEST_VERDICT_TOP : w;

        for (i = 0; i < attest_verdict_check_count(v, where); i++) {
            const char *cid;

            attest_verdict_check(v, where, i, &cid, r, s, NULL);
            if (strcmp(cid, id) == 0)
                return 1;
        }
    }
    return 0;
}

static void assert_result(const attest_verdict *v, const char *id, attest_check_result want, attest_severity sev)
{
    attest_check_result r;
    attest_severity s;

    if (!find(v, id, &r, &s) || r != want || (want == ATTEST_CHECK_FAIL && s != sev))
        verdict_dump(v);
    assert_true(find(v, id, &r, &s));
    assert_int_equal(r, want);
    if (want == ATTEST_CHECK_FAIL)
        assert_int_equal(s, sev);
}

/* id failed as an error and is the only check that did (warnings may remain: the sample's quirk). */
static void assert_only_error(const attest_verdict *v, const char *id)
{
    size_t w, i, n_st = attest_verdict_statement_count(v);
    int hit = 0;

    for (w = 0; w <= n_st; w++) {
        size_t where = w == n_st ? ATTEST_VERDICT_TOP : w;

        for (i = 0; i < attest_verdict_check_count(v, where); i++) {
            const char *cid;
            attest_check_result r;
            attest_severity s;

            attest_verdict_check(v, where, i, &cid, &r, &s, NULL);
            if (r != ATTEST_CHECK_FAIL || s != ATTEST_SEV_ERROR)
                continue;
            if (strcmp(cid, id) != 0)
                verdict_dump(v);
            assert_string_equal(cid, id);
            hit = 1;
        }
    }
    if (!hit)
        verdict_dump(v);
    assert_true(hit);
    assert_verdict_exit(v, 1);
}

/* ---------- set-up ---------- */

typedef struct {
    attest_trust *trust;
    attest_policy pol;
    attest_verify_params p;
    char dir[64]; /* a temporary trust directory with luna/ (test roots), or "" */
} run;

static void run_init(run *r, time_t when)
{
    memset(r, 0, sizeof(*r));
    r->trust = attest_trust_new();
    assert_non_null(r->trust);
    if (when != 0) /* 0: the clock (chains made here are valid around it) */
        attest_trust_set_time(r->trust, when);
    attest_policy_default(&r->pol);
    r->p.trust = r->trust;
    r->p.policy = &r->pol;
}

/* The shipped anchors (share/attest/anchors: luna/ is the engine's scope). */
static void run_shipped(run *r, time_t when)
{
    char path[512];
    attest_err err;

    run_init(r, when);
    snprintf(path, sizeof(path), "%s/share/attest/anchors", getenv("ATTEST_SRC"));
    assert_int_equal(attest_trust_add_dir(r->trust, path, NULL, NULL, &err), 0);
}

/* A temporary trust directory whose luna/ holds root. */
static void run_test_root(run *r, X509 *root)
{
    char path[128], scope[96];
    attest_err err;
    FILE *f;

    run_init(r, 0);
    snprintf(r->dir, sizeof(r->dir), "/tmp/test_luna.XXXXXX");
    assert_non_null(mkdtemp(r->dir));
    snprintf(scope, sizeof(scope), "%s/luna", r->dir);
    assert_int_equal(mkdir(scope, 0700), 0);
    snprintf(path, sizeof(path), "%s/test-root.pem", scope);
    assert_non_null(f = fopen(path, "w"));
    assert_int_equal(PEM_write_X509(f, root), 1);
    fclose(f);
    assert_int_equal(attest_trust_add_dir(r->trust, r->dir, NULL, NULL, &err), 0);
}

static void run_free(run *r)
{
    char path[160];

    attest_trust_free(r->trust);
    if (r->dir[0] != '\0') {
        snprintf(path, sizeof(path), "%s/luna/test-root.pem", r->dir);
        unlink(path);
        snprintf(path, sizeof(path), "%s/luna", r->dir);
        rmdir(path);
        rmdir(r->dir);
    }
}

/* The sample PKC imported as --evidence-file does it. */
static attest_bundle *sample_bundle(void)
{
    size_t len;
    unsigned char *der = read_vec("vendors/luna/ecc-pkc.p7b", &len);
    attest_evidence_file f = { "ecc-pkc.p7b", der, len };
    attest_bundle *b = NULL;
    attest_err err;

    assert_int_equal(attest_evidence_import(&f, 1, NULL, NULL, &b, &err), 0);
    assert_int_equal(b->n_stmts, 1);
    free(der);
    return b;
}

/* The sample CSR (CRLF, label NEW CERTIFICATE REQUEST) as DER. */
static unsigned char *sample_csr(long *len)
{
    BIO *in = BIO_new_file(vec_path("vendors/luna/ecc-test.csr"), "r");
    char *name = NULL, *hdr = NULL;
    unsigned char *der = NULL;

    assert_non_null(in);
    assert_int_equal(PEM_read_bio(in, &name, &hdr, &der, len), 1);
    assert_string_equal(name, "NEW CERTIFICATE REQUEST");
    OPENSSL_free(name);
    OPENSSL_free(hdr);
    BIO_free(in);
    return der;
}

static attest_verdict *verify_sample_csr(run *r)
{
    long len;
    unsigned char *csr = sample_csr(&len);
    attest_bundle *b = sample_bundle();
    attest_verdict *v = attest_verify_csr_evidence(&r->p, csr, (size_t)len, b);

    assert_non_null(v);
    attest_bundle_free(b);
    OPENSSL_free(csr);
    return v;
}

/* ---------- test chains made here ---------- */

static EVP_PKEY *ec_key(const char *curve)
{
    EVP_PKEY *k = EVP_EC_gen(curve);

    assert_non_null(k);
    return k;
}

static void add_ext(X509 *x, X509 *issuer, const char *name, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;

    X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    e = X509V3_EXT_nconf(NULL, &ctx, name, value);
    assert_non_null(e);
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
}

/* A certificate for key named cn, signed by ikey (issuer NULL: self-signed); exts: name, value pairs. */
static X509 *mk_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, const char *const *exts)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    static long serial = 1;

    assert_non_null(x);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : n);
    X509_NAME_free(n);
    ASN1_TIME_set(X509_getm_notBefore(x), T_TODAY - 86400 * 365);
    ASN1_TIME_set(X509_getm_notAfter(x), T_TODAY + 86400 * 3650);
    X509_set_pubkey(x, key);
    for (; exts != NULL && exts[0] != NULL; exts += 2)
        add_ext(x, issuer, exts[0], exts[1]);
    assert_true(X509_sign(x, ikey, EVP_sha384()) > 0);
    return x;
}

static const char *const ROOT_EXTS[] = {
    "basicConstraints", "critical,CA:TRUE", "keyUsage", "critical,keyCertSign", "subjectKeyIdentifier", "hash", NULL
};
static const char *const HOC_EXTS[] = { "basicConstraints",
                                        "critical,CA:TRUE",
                                        "keyUsage",
                                        "critical,keyCertSign",
                                        "extendedKeyUsage",
                                        "critical,1.3.6.1.4.1.12383.1.15",
                                        "subjectKeyIdentifier",
                                        "hash",
                                        "authorityKeyIdentifier",
                                        "keyid",
                                        NULL };
/* serial 521174 = 0x0007F3D6, little-endian */
static const char *const LEAF_EXTS[] = {
    "extendedKeyUsage",      "critical," PKC_EKU, "keyUsage", "critical,digitalSignature",
    "1.3.6.1.4.1.12383.2.1", "DER:d6f30700",      NULL
};
static const char *const LEAF_3BYTE_SERIAL[] = { "extendedKeyUsage", "critical," PKC_EKU, "1.3.6.1.4.1.12383.2.1",
                                                 "DER:d6f307", NULL };

typedef struct {
    EVP_PKEY *root_key, *hoc_key, *leaf_key;
    X509 *root, *hoc, *leaf;
} chain;

/* root <- HOC named hoc_cn (NULL: no HOC, the leaf under the root) <- leaf with leaf_exts. */
static void mk_chain(chain *c, const char *hoc_cn, const char *const *leaf_exts)
{
    memset(c, 0, sizeof(*c));
    c->root_key = ec_key("P-384");
    c->leaf_key = ec_key("P-256");
    c->root = mk_cert(c->root_key, "Test Luna Root", NULL, c->root_key, ROOT_EXTS);
    if (hoc_cn != NULL) {
        c->hoc_key = ec_key("P-384");
        c->hoc = mk_cert(c->hoc_key, hoc_cn, c->root, c->root_key, HOC_EXTS);
    }
    c->leaf = mk_cert(c->leaf_key, "43000000ae000002d6f30700", c->hoc ? c->hoc : c->root,
                      c->hoc ? c->hoc_key : c->root_key, leaf_exts);
}

static void chain_free(chain *c)
{
    X509_free(c->root);
    X509_free(c->hoc);
    X509_free(c->leaf);
    EVP_PKEY_free(c->root_key);
    EVP_PKEY_free(c->hoc_key);
    EVP_PKEY_free(c->leaf_key);
}

/* A bundle as import makes it: the leaf as a statement of type 12383.1.13, the others in the bag. */
static attest_bundle *bundle_of(X509 *leaf, X509 *a, X509 *b2)
{
    attest_bundle *b = attest_bundle_new();
    ASN1_OBJECT *type = OBJ_txt2obj(PKC_EKU, 1);
    unsigned char *der = NULL;
    int n = i2d_X509(leaf, &der);
    attest_err err;

    assert_true(n > 0);
    assert_int_equal(attest_bundle_add_statement(b, type, der, (size_t)n, &err), 0);
    if (a != NULL)
        assert_int_equal(attest_bundle_add_cert(b, a), 0);
    if (b2 != NULL)
        assert_int_equal(attest_bundle_add_cert(b, b2), 0);
    OPENSSL_free(der);
    ASN1_OBJECT_free(type);
    return b;
}

static attest_verdict *verify_bundle_key(run *r, attest_bundle *b, EVP_PKEY *key)
{
    attest_verdict *v;

    r->p.subject_key = key;
    v = attest_verify_evidence_files(&r->p, b);
    assert_non_null(v);
    return v;
}

/*
 * Give x the Luna defect: re-sign until s has its high bit set (DER pads it
 * with 0x00), then drop the pad so s reads as negative.  which: 's'.
 */
static void make_negative_s(X509 *x, X509 *issuer_unused, EVP_PKEY *ikey)
{
    const ASN1_BIT_STRING *sig;
    const unsigned char *p;
    ECDSA_SIG *es;
    const BIGNUM *r, *s;
    unsigned char rb[80], sb[80], out[200];
    int rl, sl, rpad, len, tries;

    (void)issuer_unused;
    for (tries = 0; tries < 64; tries++) {
        assert_true(X509_sign(x, ikey, EVP_sha384()) > 0);
        X509_get0_signature(&sig, NULL, x);
        p = ASN1_STRING_get0_data(sig);
        es = d2i_ECDSA_SIG(NULL, &p, ASN1_STRING_length(sig));
        assert_non_null(es);
        ECDSA_SIG_get0(es, &r, &s);
        rl = BN_bn2bin(r, rb);
        sl = BN_bn2bin(s, sb);
        ECDSA_SIG_free(es);
        if (sl == EVP_PKEY_get_bits(ikey) / 8 && (sb[0] & 0x80))
            break;
    }
    assert_true(tries < 64);
    /* SEQUENCE { INTEGER r (DER), INTEGER s without its pad }: lengths stay under 128 for P-384. */
    rpad = (rb[0] & 0x80) != 0;
    len = 0;
    out[len++] = 0x30;
    out[len++] = (unsigned char)(2 + rl + rpad + 2 + sl);
    out[len++] = 0x02;
    out[len++] = (unsigned char)(rl + rpad);
    if (rpad)
        out[len++] = 0x00;
    memcpy(out + len, rb, (size_t)rl);
    len += rl;
    out[len++] = 0x02;
    out[len++] = (unsigned char)sl;
    memcpy(out + len, sb, (size_t)sl);
    len += sl;
    /* The test owns x: no setter exists for a signature. */
    assert_int_equal(ASN1_BIT_STRING_set((ASN1_BIT_STRING *)sig, out, len), 1);
    assert_int_not_equal(X509_verify(x, ikey), 1); /* OpenSSL refuses the negative s */
}

/* ---------- the real sample ---------- */

/* Wrong key first: the sample's chain and origin hold, the binding fails. */
static void sample_wrong_key(void **state)
{
    run r;
    EVP_PKEY *other = ec_key("P-256");
    attest_bundle *b = sample_bundle();
    attest_verdict *v;

    (void)state;
    run_shipped(&r, T_TODAY);
    v = verify_bundle_key(&r, b, other);
    assert_only_error(v, "luna.key-binding");
    assert_result(v, "luna.hardware-origin", ATTEST_CHECK_PASS, 0);
    attest_verdict_free(v);
    attest_bundle_free(b);
    EVP_PKEY_free(other);
    run_free(&r);
}

/* A trust directory whose luna/ holds another root: luna.chain fails. */
static void sample_unknown_root(void **state)
{
    run r;
    chain c;
    attest_bundle *b = sample_bundle();
    attest_verdict *v;

    (void)state;
    mk_chain(&c, "521174", LEAF_EXTS);
    run_test_root(&r, c.root);
    v = verify_bundle_key(&r, b, NULL);
    assert_only_error(v, "luna.chain");
    assert_result(v, "luna.hardware-origin", ATTEST_CHECK_SKIP, 0);
    attest_verdict_free(v);
    attest_bundle_free(b);
    chain_free(&c);
    run_free(&r);
}

/* The sample's leaf with one TBS byte changed: the defect is still there, the repaired signature fails. */
static void sample_tampered_leaf(void **state)
{
    run r;
    attest_bundle *b = sample_bundle(), *t;
    unsigned char *der = dup_bytes(b->stmts[0].stmt, b->stmts[0].stmt_len);
    const unsigned char *p = der;
    X509 *leaf;
    attest_verdict *v;
    size_t i;

    (void)state;
    /* The leaf's CN "43000000ae000002d6f30700": its first byte becomes '5'. */
    for (i = 0; i + 4 < b->stmts[0].stmt_len && memcmp(der + i, "4300", 4) != 0; i++)
        ;
    assert_true(i + 4 < b->stmts[0].stmt_len);
    der[i] = '5';
    leaf = d2i_X509(NULL, &p, (long)b->stmts[0].stmt_len);
    assert_non_null(leaf);
    t = bundle_of(leaf, sk_X509_value(b->certs, 0), sk_X509_value(b->certs, 1));
    run_shipped(&r, T_TODAY);
    v = verify_bundle_key(&r, t, NULL);
    assert_only_error(v, "luna.chain");
    assert_false(find(v, "policy.quirks", NULL, NULL)); /* not consulted: no quirk used */
    attest_verdict_free(v);
    attest_bundle_free(t);
    attest_bundle_free(b);
    X509_free(leaf);
    free(der);
    run_free(&r);
}

/* --strict refuses the negative-s quirk the sample needs. */
static void sample_strict(void **state)
{
    run r;
    attest_verdict *v;

    (void)state;
    run_shipped(&r, T_TODAY);
    r.pol.strict_shape = 1;
    v = verify_sample_csr(&r);
    assert_result(v, "luna.chain", ATTEST_CHECK_FAIL, ATTEST_SEV_ERROR);
    assert_result(v, "policy.quirks", ATTEST_CHECK_FAIL, ATTEST_SEV_ERROR);
    assert_verdict_exit(v, 1);
    attest_verdict_free(v);
    run_free(&r);
}

/* The CSR with the PKC beside it: warning (the quirk), chain, origin in HSM 521174, the key binds. */
static void sample_csr_warning(void **state)
{
    run r;
    attest_verdict *v;

    (void)state;
    run_shipped(&r, T_TODAY);
    v = verify_sample_csr(&r);
    assert_result(v, "csr.signature", ATTEST_CHECK_PASS, 0);
    assert_result(v, "luna.parse", ATTEST_CHECK_PASS, 0);
    assert_result(v, "luna.chain", ATTEST_CHECK_PASS, 0);
    assert_result(v, "chain.anchor-expiry", ATTEST_CHECK_PASS, 0);
    assert_result(v, "luna.hardware-origin", ATTEST_CHECK_PASS, 0);
    assert_result(v, "luna.key-binding", ATTEST_CHECK_PASS, 0);
    assert_result(v, "policy.key-attested", ATTEST_CHECK_PASS, 0);
    assert_result(v, "policy.quirks", ATTEST_CHECK_FAIL, ATTEST_SEV_WARNING);
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);
    run_free(&r);
}

/* Near the ECC root's end (2030-08-12): chain.anchor-expiry warns. */
static void sample_anchor_expiring(void **state)
{
    run r;
    attest_verdict *v;

    (void)state;
    run_shipped(&r, T_MID_2030);
    v = verify_sample_csr(&r);
    assert_result(v, "chain.anchor-expiry", ATTEST_CHECK_FAIL, ATTEST_SEV_WARNING);
    assert_result(v, "luna.key-binding", ATTEST_CHECK_PASS, 0);
    assert_verdict_exit(v, 3);
    attest_verdict_free(v);
    run_free(&r);
}

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
    assert_false(find(v, "policy.quirks", NULL, NULL));
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
    assert_false(find(v, "policy.quirks", NULL, NULL));
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
    assert_false(find(v, "policy.quirks", NULL, NULL));
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
static void sample_nonce_demanded(void **state)
{
    static const unsigned char nonce[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    run r;
    attest_verdict *v;

    (void)state;
    run_shipped(&r, T_TODAY);
    r.p.nonce = nonce;
    r.p.nonce_len = sizeof(nonce);
    v = verify_sample_csr(&r);
    assert_only_error(v, "luna.nonce");
    assert_result(v, "luna.key-binding", ATTEST_CHECK_PASS, 0);
    attest_verdict_free(v);
    run_free(&r);
}

/* show: the claims a CA reads (serial, OUID) from the sample leaf. */
static void sample_describe(void **state)
{
    const attest_engine *e = NULL;
    attest_bundle *b = sample_bundle();
    json_object *o, *f;
    attest_err err;
    size_t i;

    (void)state;
    for (i = 0; i < attest_engine_count(); i++)
        if (strcmp(attest_engine_at(i)->name, "luna") == 0)
            e = attest_engine_at(i);
    assert_non_null(e);
    assert_string_equal(e->oid_text, PKC_EKU);
    o = e->describe(b->stmts[0].stmt, b->stmts[0].stmt_len, &err);
    assert_non_null(o);
    assert_true(json_object_object_get_ex(o, "hsm_serial", &f));
    assert_int_equal(json_object_get_int64(f), 521174);
    assert_true(json_object_object_get_ex(o, "ouid", &f));
    assert_string_equal(json_object_get_string(f), "43000000ae000002d6f30700");
    json_object_put(o);
    assert_null(e->describe((const unsigned char *)"\x30\x00", 2, &err));
    attest_bundle_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sample_wrong_key),     cmocka_unit_test(sample_unknown_root),
        cmocka_unit_test(sample_tampered_leaf), cmocka_unit_test(sample_strict),
        cmocka_unit_test(sample_csr_warning),   cmocka_unit_test(sample_anchor_expiring),
        cmocka_unit_test(made_bad_serial),      cmocka_unit_test(made_no_hoc),
        cmocka_unit_test(made_serial_mismatch), cmocka_unit_test(made_affirming),
        cmocka_unit_test(made_negative_s_leaf), cmocka_unit_test(made_negative_s_hoc),
        cmocka_unit_test(made_root_without_bc), cmocka_unit_test(sample_nonce_demanded),
        cmocka_unit_test(sample_describe),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
