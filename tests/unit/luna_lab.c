/* Helpers of the luna engine's tests (luna_lab.h): trust set-ups, the real sample, test chains. */
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
#include "luna_lab.h"
#include "testutil.h"

/* ---------- verdict helpers ---------- */

/* Every check of v (request and statements) with this id: result and severity of the first. */
int luna_find(const attest_verdict *v, const char *id, attest_check_result *r, attest_severity *s)
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

void assert_result(const attest_verdict *v, const char *id, attest_check_result want, attest_severity sev)
{
    attest_check_result r;
    attest_severity s;

    if (!luna_find(v, id, &r, &s) || r != want || (want == ATTEST_CHECK_FAIL && s != sev))
        verdict_dump(v);
    assert_true(luna_find(v, id, &r, &s));
    assert_int_equal(r, want);
    if (want == ATTEST_CHECK_FAIL)
        assert_int_equal(s, sev);
}

/* id failed as an error and is the only check that did (warnings may remain: the sample's quirk). */
void assert_only_error(const attest_verdict *v, const char *id)
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

void run_init(run *r, time_t when)
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
void run_shipped(run *r, time_t when)
{
    char path[512];
    attest_err err;

    run_init(r, when);
    snprintf(path, sizeof(path), "%s/share/attest/anchors", getenv("ATTEST_SRC"));
    assert_int_equal(attest_trust_add_dir(r->trust, path, NULL, NULL, &err), 0);
}

/* A temporary trust directory whose luna/ holds root. */
void run_test_root(run *r, X509 *root)
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

void run_free(run *r)
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
attest_bundle *sample_bundle(void)
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
unsigned char *sample_csr(long *len)
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

attest_verdict *verify_sample_csr(run *r)
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

EVP_PKEY *ec_key(const char *curve)
{
    EVP_PKEY *k = EVP_EC_gen(curve);

    assert_non_null(k);
    return k;
}

void add_ext(X509 *x, X509 *issuer, const char *name, const char *value)
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
X509 *mk_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, const char *const *exts)
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

const char *const ROOT_EXTS[] = {
    "basicConstraints", "critical,CA:TRUE", "keyUsage", "critical,keyCertSign", "subjectKeyIdentifier", "hash", NULL
};
const char *const HOC_EXTS[] = { "basicConstraints",
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
const char *const LEAF_EXTS[] = { "extendedKeyUsage",      "critical," PKC_EKU, "keyUsage", "critical,digitalSignature",
                                  "1.3.6.1.4.1.12383.2.1", "DER:d6f30700",      NULL };
const char *const LEAF_3BYTE_SERIAL[] = { "extendedKeyUsage", "critical," PKC_EKU, "1.3.6.1.4.1.12383.2.1",
                                          "DER:d6f307", NULL };

/* root <- HOC named hoc_cn (NULL: no HOC, the leaf under the root) <- leaf with leaf_exts. */
void mk_chain(chain *c, const char *hoc_cn, const char *const *leaf_exts)
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

void chain_free(chain *c)
{
    X509_free(c->root);
    X509_free(c->hoc);
    X509_free(c->leaf);
    EVP_PKEY_free(c->root_key);
    EVP_PKEY_free(c->hoc_key);
    EVP_PKEY_free(c->leaf_key);
}

/* A bundle as import makes it: the leaf as a statement of type 12383.1.13, the others in the bag. */
attest_bundle *bundle_of(X509 *leaf, X509 *a, X509 *b2)
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

attest_verdict *verify_bundle_key(run *r, attest_bundle *b, EVP_PKEY *key)
{
    attest_verdict *v;

    r->p.subject_key = key;
    v = attest_verify_evidence_files(&r->p, b);
    assert_non_null(v);
    return v;
}

/*
 * Give x the Luna defect: re-sign until s has its high bit set (DER pads it
 * with 0x00), then drop the pad so s reads as negative.
 */
void make_negative_s(X509 *x, X509 *issuer_unused, EVP_PKEY *ikey)
{
    (void)issuer_unused;
    make_negative_s_as(x, ikey, 0);
}

void make_negative_s_as(X509 *x, EVP_PKEY *ikey, int ff80)
{
    const ASN1_BIT_STRING *sig;
    const unsigned char *p;
    ECDSA_SIG *es;
    const BIGNUM *r, *s;
    unsigned char rb[80], sb[80], out[200];
    int rl, sl, rpad, len, tries;

    for (tries = 0; tries < (ff80 ? 16384 : 64); tries++) {
        assert_true(X509_sign(x, ikey, EVP_sha384()) > 0);
        X509_get0_signature(&sig, NULL, x);
        p = ASN1_STRING_get0_data(sig);
        es = d2i_ECDSA_SIG(NULL, &p, ASN1_STRING_length(sig));
        assert_non_null(es);
        ECDSA_SIG_get0(es, &r, &s);
        rl = BN_bn2bin(r, rb);
        sl = BN_bn2bin(s, sb);
        ECDSA_SIG_free(es);
        if (sl == EVP_PKEY_get_bits(ikey) / 8 && (sb[0] & 0x80) && (!ff80 || (sb[0] == 0xff && (sb[1] & 0x80))))
            break;
    }
    assert_true(tries < (ff80 ? 16384 : 64));
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
