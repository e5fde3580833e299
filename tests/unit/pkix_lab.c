/* The in-memory PKI and verdict helpers of the PKIX evidence tests (see pkix_lab.h). */
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "attest/bundle.h"
#include "attest/checks.h"
#include "attest/csr.h"
#include "attest/oids.h"
#include "pkix_lab.h"

lab_t lab;
const unsigned char lab_nonce[8] = { 0xde, 0xad, 0xbe, 0xef, 0xca, 0xfe, 0xba, 0xbe };

EVP_PKEY *lab_ec(const char *curve)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);

    assert_non_null(k);
    return k;
}

EVP_PKEY *lab_rsa(size_t bits)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", bits);

    assert_non_null(k);
    return k;
}

EVP_PKEY *lab_ed25519(void)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

    assert_non_null(k);
    return k;
}

static void add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);

    assert_non_null(e);
    assert_true(X509_add_ext(x, e, -1));
    X509_EXTENSION_free(e);
}

/* subjectAltName directoryName {tcg-at-tpmManufacturer, tcg-at-tpmModel, tcg-at-tpmVersion}, as TPM certificates carry. */
static void add_san_tpm(X509 *x)
{
    GENERAL_NAMES *gens = GENERAL_NAMES_new();
    GENERAL_NAME *gn = GENERAL_NAME_new();
    X509_NAME *dn = X509_NAME_new();

    assert_non_null(gens);
    assert_non_null(gn);
    assert_non_null(dn);
    assert_true(
        X509_NAME_add_entry_by_txt(dn, "2.23.133.2.1", MBSTRING_ASC, (const unsigned char *)"id:53574D20", -1, -1, 0));
    assert_true(
        X509_NAME_add_entry_by_txt(dn, "2.23.133.2.2", MBSTRING_ASC, (const unsigned char *)"swtpm", -1, -1, 0));
    assert_true(
        X509_NAME_add_entry_by_txt(dn, "2.23.133.2.3", MBSTRING_ASC, (const unsigned char *)"id:20191023", -1, -1, 0));
    GENERAL_NAME_set0_value(gn, GEN_DIRNAME, dn);
    assert_true(sk_GENERAL_NAME_push(gens, gn) > 0);
    assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 1, 0), 1);
    GENERAL_NAMES_free(gens);
}

X509 *lab_cert(EVP_PKEY *key, const char *cn, EVP_PKEY *ikey, X509 *issuer, int flags)
{
    static long serial = 1;
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    X509V3_CTX ctx;
    char eku[96];

    assert_non_null(x);
    assert_non_null(n);
    assert_true(X509_set_version(x, X509_VERSION_3));
    assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++));
    assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0));
    assert_true(X509_set_subject_name(x, n));
    assert_true(X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : n));
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
    assert_true(X509_set_pubkey(x, key));
    X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    add_ext(x, &ctx, NID_subject_key_identifier, "hash");
    if (flags & LAB_ROOT) {
        add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_ext(x, &ctx, NID_authority_key_identifier, "keyid");
        add_ext(x, &ctx, NID_basic_constraints, (flags & LAB_AK_IS_CA) ? "critical,CA:TRUE" : "critical,CA:FALSE");
        add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature");
        if (flags & LAB_AK_OTHER_EKU)
            snprintf(eku, sizeof(eku), "critical,codeSigning");
        else if (flags & LAB_AK_TPM_EKU)
            snprintf(eku, sizeof(eku), "critical,%s", attest_oid_info_get(ATTEST_OID_TCG_KP_AIK)->dotted);
        else if (flags & LAB_AK_BOTH_EKU)
            snprintf(eku, sizeof(eku), "critical,%s,%s", attest_oid_info_get(ATTEST_OID_KP_ATTESTATION_KEY)->dotted,
                     attest_oid_info_get(ATTEST_OID_TCG_KP_AIK)->dotted);
        else
            snprintf(eku, sizeof(eku), "critical,%s", attest_oid_info_get(ATTEST_OID_KP_ATTESTATION_KEY)->dotted);
        if (!(flags & LAB_AK_NO_EKU))
            add_ext(x, &ctx, NID_ext_key_usage, eku);
        if (flags & LAB_AK_TPM_SAN)
            add_san_tpm(x);
    }
    assert_true(X509_sign(x, ikey, lab_md_for(ikey) == NULL ? NULL : EVP_sha256()) > 0);
    X509_NAME_free(n);
    return x;
}

int lab_setup(void **state)
{
    (void)state;
    memset(&lab, 0, sizeof(lab));
    lab.root_key = lab_ec("P-256");
    lab.root = lab_cert(lab.root_key, "attest test root", lab.root_key, NULL, LAB_ROOT);
    lab.ak_key = lab_ec("P-256");
    lab.ak = lab_cert(lab.ak_key, "attest test AK", lab.root_key, lab.root, LAB_AK);
    lab.subject = lab_ec("P-256");
    lab.trust = attest_trust_new();
    assert_non_null(lab.trust);
    assert_int_equal(attest_trust_add_anchor(lab.trust, lab.root), 0);
    return 0;
}

int lab_teardown(void **state)
{
    (void)state;
    attest_trust_free(lab.trust);
    X509_free(lab.ak);
    X509_free(lab.root);
    EVP_PKEY_free(lab.ak_key);
    EVP_PKEY_free(lab.root_key);
    EVP_PKEY_free(lab.subject);
    return 0;
}

void lab_claims(attest_pkix_claims *c)
{
    static attest_pkix_platform pl;

    attest_pkix_platform_init(&pl);
    pl.vendor = "Acme Corp";
    pl.hwmodel = "HSM-9000";
    pl.fipsboot = 1;
    pl.fipslevel = 3;
    attest_pkix_claims_init(c);
    c->nonce = lab_nonce;
    c->nonce_len = sizeof(lab_nonce);
    c->timestamp = 1790000000;
    c->key = lab.subject;
    c->key_id = "k1";
    c->extractable = 0;
    c->sensitive = 1;
    c->never_extractable = 1;
    c->local = 1;
    c->purposes = ATTEST_PKIX_CAP_SIGN | ATTEST_PKIX_CAP_VERIFY;
    c->platform = &pl;
}

unsigned char *lab_evidence(EVP_PKEY *ak_key, const char *md, int pss, size_t *len)
{
    attest_pkix_claims c;
    attest_pkix_signer s = { ak_key, NULL, md, pss };
    unsigned char *der = NULL;
    attest_err err;

    lab_claims(&c);
    if (attest_pkix_build(&c, &s, 1, NULL, NULL, &der, len, &err) != 0)
        fail_msg("attest_pkix_build: %s", err.msg);
    return der;
}

attest_pkix *lab_decode(const unsigned char *der, size_t len)
{
    attest_pkix *p = NULL;
    attest_err err;

    if (attest_pkix_decode(der, len, &p, &err) != 0)
        fail_msg("attest_pkix_decode: %s", err.msg);
    return p;
}

void lab_resign(attest_pkix *p, int i, EVP_PKEY *key, const char *md)
{
    ATTEST_PKIX_SIGBLOCK *b = sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, i);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    unsigned char *tbs = NULL, sig[1024];
    size_t siglen = sizeof(sig);
    int n = i2d_ATTEST_PKIX_TBS(p->ev->tbs, &tbs);

    assert_non_null(b);
    assert_true(n > 0);
    assert_true(EVP_DigestSignInit_ex(m, NULL, md, NULL, NULL, key, NULL) > 0);
    assert_true(EVP_DigestSign(m, sig, &siglen, tbs, (size_t)n) > 0);
    assert_true(ASN1_OCTET_STRING_set(b->value, sig, (int)siglen));
    EVP_MD_CTX_free(m);
    OPENSSL_free(tbs);
}

unsigned char *lab_encode(const attest_pkix *p, size_t *len)
{
    unsigned char *der = NULL;
    attest_err err;

    assert_int_equal(attest_pkix_encode(p, &der, len, &err), 0);
    return der;
}

ATTEST_PKIX_ELEMENT *lab_element(attest_pkix *p, attest_oid_id type)
{
    int i;

    for (i = 0; i < sk_ATTEST_PKIX_ELEMENT_num(p->ev->tbs->elements); i++) {
        ATTEST_PKIX_ELEMENT *el = sk_ATTEST_PKIX_ELEMENT_value(p->ev->tbs->elements, i);

        if (OBJ_cmp(el->type, attest_oid_obj(type)) == 0)
            return el;
    }
    fail_msg("no element %s", attest_oid_info_get(type)->sn);
    return NULL;
}

ATTEST_PKIX_CLAIM *lab_claim(ATTEST_PKIX_ELEMENT *el, attest_oid_id id)
{
    int i;

    for (i = 0; i < sk_ATTEST_PKIX_CLAIM_num(el->claims); i++)
        if (OBJ_cmp(sk_ATTEST_PKIX_CLAIM_value(el->claims, i)->type, attest_oid_obj(id)) == 0)
            return sk_ATTEST_PKIX_CLAIM_value(el->claims, i);
    fail_msg("no claim %s", attest_oid_info_get(id)->sn);
    return NULL;
}

void lab_drop_claim(ATTEST_PKIX_ELEMENT *el, attest_oid_id id)
{
    ATTEST_PKIX_CLAIM *c = lab_claim(el, id);

    assert_non_null(sk_ATTEST_PKIX_CLAIM_delete_ptr(el->claims, c));
    ATTEST_PKIX_CLAIM_free(c);
}

int lab_require_all_signatures;

const char *lab_md_for(const EVP_PKEY *k)
{
    const char *t = EVP_PKEY_get0_type_name(k);

    return t != NULL && (strncmp(t, "ED", 2) == 0 || strncmp(t, "ML-DSA", 6) == 0 || strncmp(t, "SLH-DSA", 7) == 0)
        ? NULL
        : "SHA256";
}

attest_verdict *lab_verify_csr(const unsigned char *ev, size_t len, X509 *const *certs, size_t ncerts,
                               const unsigned char *nonce, size_t nonce_len, unsigned allow)
{
    X509_REQ *req = X509_REQ_new();
    X509_NAME *n = X509_NAME_new();
    attest_bundle *b = attest_bundle_new();
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    unsigned char *bder = NULL, *der = NULL;
    size_t blen = 0, i;
    int dlen;
    attest_err err;
    attest_policy pol;
    attest_verify_params p;
    attest_verdict *v;

    assert_non_null(req);
    assert_non_null(b);
    assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"subscriber", -1, -1, 0));
    assert_true(X509_REQ_set_subject_name(req, n));
    assert_true(X509_REQ_set_pubkey(req, lab.subject));
    assert_int_equal(attest_bundle_add_statement(b, attest_oid_obj(ATTEST_OID_PKIX_STATEMENT), ev, len, &err), 0);
    for (i = 0; i < ncerts; i++)
        assert_int_equal(attest_bundle_add_cert(b, certs[i]), 0);
    assert_int_equal(attest_bundle_encode(b, &bder, &blen, &err), 0);
    if (attest_csr_add_bundle(req, bder, blen, &err) != 0)
        fail_msg("attest_csr_add_bundle: %s", err.msg);
    assert_true(EVP_DigestSignInit_ex(m, NULL, lab_md_for(lab.subject), NULL, NULL, lab.subject, NULL) > 0);
    assert_true(X509_REQ_sign_ctx(req, m) > 0);
    assert_true((dlen = i2d_X509_REQ(req, &der)) > 0);

    attest_policy_default(&pol);
    pol.allow = allow;
    pol.require_all_signatures = lab_require_all_signatures;
    memset(&p, 0, sizeof(p));
    p.trust = lab.trust;
    p.policy = &pol;
    p.nonce = nonce;
    p.nonce_len = nonce_len;
    v = attest_verify_csr(&p, der, (size_t)dlen);
    assert_non_null(v);
    OPENSSL_free(der);
    OPENSSL_free(bder);
    EVP_MD_CTX_free(m);
    attest_bundle_free(b);
    X509_NAME_free(n);
    X509_REQ_free(req);
    return v;
}

void lab_dump(const attest_verdict *v)
{
    BIO *out = BIO_new_fp(stderr, BIO_NOCLOSE);

    attest_verdict_text(v, out);
    BIO_free(out);
}

void lab_expect(const attest_verdict *v, const char *id, attest_check_result r)
{
    const attest_check *c = verdict_check(v, id);

    if (c == NULL || c->result != r) {
        lab_dump(v);
        fail_msg("%s: %s, expected %s", id,
                 c == NULL                            ? "not recorded"
                     : c->result == ATTEST_CHECK_PASS ? "pass"
                     : c->result == ATTEST_CHECK_FAIL ? "fail"
                                                      : "skip",
                 r == ATTEST_CHECK_PASS       ? "pass"
                     : r == ATTEST_CHECK_FAIL ? "fail"
                                              : "skip");
    }
}

static void only_in(const attest_checks *cs, const char *id, int *hits, const attest_verdict *v)
{
    size_t i, j;

    for (i = 0; i < cs->n; i++) {
        const attest_check *c = &cs->v[i];

        for (j = 0; j < i; j++)
            if (strcmp(cs->v[j].id, c->id) == 0) {
                lab_dump(v);
                fail_msg("%s recorded twice", c->id);
            }
        if (strcmp(c->id, id) == 0) {
            (*hits)++;
            if (c->result != ATTEST_CHECK_FAIL || c->severity != ATTEST_SEV_ERROR) {
                lab_dump(v);
                fail_msg("%s did not fail", id);
            }
        } else if (c->severity == ATTEST_SEV_ERROR) {
            lab_dump(v);
            fail_msg("%s tripped as well: %s", c->id, c->detail);
        }
    }
}

void lab_only_fails(const attest_verdict *v, const char *id)
{
    int hits = 0;
    size_t i;

    only_in(&v->checks, id, &hits, v);
    for (i = 0; i < v->n_subs; i++)
        only_in(&v->subs[i].checks, id, &hits, v);
    assert_int_equal(hits, 1);
    assert_int_equal(attest_verdict_exit_code(v), 1);
}
