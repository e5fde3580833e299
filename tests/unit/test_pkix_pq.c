/*
 * Post-quantum signatures in PKIX evidence and requests (issue 14 §2).
 * Each test asks OpenSSL whether it implements the algorithm and then
 * asserts one of two outcomes, never a skip: with ML-DSA (OpenSSL >= 3.5)
 * the evidence signs and verifies; without it (3.0) the same place gives a
 * clean "unsupported-algorithm" check result, never an accept or a crash.
 * The 3.0 inputs are hand-built DER with the FIPS 204 OIDs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "attest/checks.h"
#include "der_edit.h"
#include "pkix_lab.h"

static const char *const mldsa[3] = { "ML-DSA-44", "ML-DSA-65", "ML-DSA-87" };
static const char *const mldsa_oid[3] = { "2.16.840.1.101.3.4.3.17", "2.16.840.1.101.3.4.3.18",
                                          "2.16.840.1.101.3.4.3.19" };
static const size_t mldsa_pub_len[3] = { 1312, 1952, 2592 };

/* NULL when this OpenSSL has no such key type (3.0). */
static EVP_PKEY *pq_key(const char *alg)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, alg);

    ERR_clear_error();
    return k;
}

static void expect_detail(const attest_verdict *v, const char *id, const char *want)
{
    const attest_check *c = verdict_check(v, id);

    assert_non_null(c);
    if (strstr(c->detail, want) == NULL)
        fail_msg("%s: \"%s\" does not say \"%s\"", id, c->detail, want);
}

/* An ML-DSA SubjectPublicKeyInfo by hand: SEQ { SEQ { OID }, BIT STRING (pub) }, pub bytes arbitrary. */
static unsigned char *mldsa_spki_der(int i, size_t *len)
{
    size_t pub = mldsa_pub_len[i], n = 0;
    unsigned char *d = OPENSSL_malloc(pub + 32);

    assert_non_null(d);
    d[n++] = 0x30;
    d[n++] = 0x82;
    d[n++] = (unsigned char)((pub + 18) >> 8);
    d[n++] = (unsigned char)(pub + 18);
    d[n++] = 0x30;
    d[n++] = 0x0b;
    d[n++] = 0x06;
    d[n++] = 0x09;
    memcpy(d + n, "\x60\x86\x48\x01\x65\x03\x04\x03", 8);
    n += 8;
    d[n++] = (unsigned char)(0x11 + i);
    d[n++] = 0x03;
    d[n++] = 0x82;
    d[n++] = (unsigned char)((pub + 1) >> 8);
    d[n++] = (unsigned char)(pub + 1);
    d[n++] = 0x00;
    memset(d + n, 0x5a, pub);
    *len = n + pub;
    return d;
}

/* Lab evidence (EC AK), block 0's signature algorithm replaced by oid. */
static attest_verdict *ec_evidence_with_alg(const char *oid)
{
    size_t len, len2;
    unsigned char *der = lab_evidence(lab.ak_key, NULL, 0, &len), *der2;
    attest_pkix *p = lab_decode(der, len);
    attest_verdict *v;

    assert_true(
        X509_ALGOR_set0(sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, 0)->alg, OBJ_txt2obj(oid, 1), V_ASN1_UNDEF, NULL));
    der2 = lab_encode(p, &len2);
    v = lab_verify_csr(der2, len2, &lab.ak, 1, lab_nonce, sizeof(lab_nonce), 0);
    attest_pkix_free(p);
    OPENSSL_free(der);
    OPENSSL_free(der2);
    return v;
}

/* ML-DSA-44/65/87 AKs sign evidence and verify (3.5); the OIDs alone are a clean refusal (3.0). */
static void test_mldsa_signature_block(void **state)
{
    int i;

    (void)state;
    for (i = 0; i < 3; i++) {
        EVP_PKEY *k = pq_key(mldsa[i]);
        attest_verdict *v;

        if (k != NULL) {
            X509 *cert = lab_cert(k, "ML-DSA AK", lab.root_key, lab.root, LAB_AK);
            attest_pkix_claims c;
            attest_pkix_signer s = { k, cert, NULL, 0 };
            unsigned char *der = NULL;
            size_t len = 0;
            attest_err err;
            char want[64];

            lab_claims(&c);
            if (attest_pkix_build(&c, &s, 1, NULL, NULL, &der, &len, &err) != 0)
                fail_msg("%s: %s", mldsa[i], err.msg);
            v = lab_verify_csr(der, len, &cert, 1, lab_nonce, sizeof(lab_nonce), 0);
            snprintf(want, sizeof(want), "%s verified", mldsa[i]);
            expect_detail(v, CHK_PKIX_SIGNATURE, want);
            lab_expect(v, CHK_CHAIN_TRUST, ATTEST_CHECK_PASS);
            assert_int_equal(attest_verdict_exit_code(v), 0);
            attest_verdict_free(v);
            /* An ML-DSA md is a caller mistake, not a silent pre-hash. */
            s.md = "SHA256";
            OPENSSL_free(der);
            der = NULL;
            assert_int_equal(attest_pkix_build(&c, &s, 1, NULL, NULL, &der, &len, &err), -1);
            X509_free(cert);
            EVP_PKEY_free(k);
        } else {
            char want[80];

            v = ec_evidence_with_alg(mldsa_oid[i]);
            snprintf(want, sizeof(want), "unsupported-algorithm: signature algorithm %s", mldsa_oid[i]);
            lab_only_fails(v, CHK_PKIX_SIGNATURE);
            expect_detail(v, CHK_PKIX_SIGNATURE, want);
            attest_verdict_free(v);
        }
    }
}

/* A signer SPKI of an ML-DSA key: verified (3.5) or unsupported-algorithm (3.0), both clean. */
static void test_mldsa_signer_spki(void **state)
{
    int i;

    (void)state;
    for (i = 0; i < 3; i++) {
        size_t slen, len, len2;
        unsigned char *spki = mldsa_spki_der(i, &slen), *der = lab_evidence(lab.ak_key, NULL, 0, &len), *der2;
        const unsigned char *q = spki;
        attest_pkix *p = lab_decode(der, len);
        ATTEST_PKIX_SIGBLOCK *b = sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, 0);
        EVP_PKEY *k = pq_key(mldsa[i]);
        attest_verdict *v;
        char want[80];

        X509_PUBKEY_free(b->sid->spki);
        b->sid->spki = d2i_X509_PUBKEY(NULL, &q, (long)slen);
        assert_non_null(b->sid->spki);
        ERR_clear_error();
        der2 = lab_encode(p, &len2);
        v = lab_verify_csr(der2, len2, &lab.ak, 1, lab_nonce, sizeof(lab_nonce), 0);
        lab_only_fails(v, CHK_PKIX_SIGNATURE);
        if (k != NULL)
            snprintf(want, sizeof(want), "with a %s key", mldsa[i]);
        else
            snprintf(want, sizeof(want), "unsupported-algorithm: signer key algorithm %s", mldsa_oid[i]);
        expect_detail(v, CHK_PKIX_SIGNATURE, want);
        attest_verdict_free(v);
        EVP_PKEY_free(k);
        attest_pkix_free(p);
        OPENSSL_free(der);
        OPENSSL_free(der2);
        OPENSSL_free(spki);
    }
}

/* An AK certificate signed by an ML-DSA CA chains (3.5); on 3.0 the same certificate fails chain.trust. */
static void test_mldsa_ak_certificate(void **state)
{
    EVP_PKEY *ca_key = pq_key("ML-DSA-65");
    attest_verdict *v;

    (void)state;
    if (ca_key != NULL) {
        X509 *ca = lab_cert(ca_key, "ML-DSA root", ca_key, NULL, LAB_ROOT);
        X509 *ak = lab_cert(lab.ak_key, "AK under ML-DSA", ca_key, ca, LAB_AK);
        size_t len;
        unsigned char *der = lab_evidence(lab.ak_key, NULL, 0, &len);

        attest_trust *saved = lab.trust;

        lab.trust = attest_trust_new(); /* the ML-DSA root its only anchor */
        assert_non_null(lab.trust);
        assert_int_equal(attest_trust_add_anchor(lab.trust, ca), 0);
        v = lab_verify_csr(der, len, &ak, 1, lab_nonce, sizeof(lab_nonce), 0);
        attest_trust_free(lab.trust);
        lab.trust = saved;
        lab_expect(v, CHK_CHAIN_TRUST, ATTEST_CHECK_PASS);
        assert_int_equal(attest_verdict_exit_code(v), 0);
        attest_verdict_free(v);
        OPENSSL_free(der);
        X509_free(ak);
        X509_free(ca);
        EVP_PKEY_free(ca_key);
    } else {
        /* The lab AK certificate with its signatureAlgorithm (inner and outer) made ML-DSA-65. */
        static const unsigned char ecdsa256[] = {
            0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02
        };
        static const unsigned char ml65[] = { 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
                                              0x01, 0x65, 0x03, 0x04, 0x03, 0x12 };
        unsigned char *c0 = NULL, *c1, *c2;
        int n0 = i2d_X509(lab.ak, &c0);
        size_t n1, n2, len;
        const unsigned char *q;
        unsigned char *der = lab_evidence(lab.ak_key, NULL, 0, &len);
        X509 *ak;

        assert_true(n0 > 0);
        c1 = der_splice(c0, (size_t)n0, der_find(c0, (size_t)n0, ecdsa256, sizeof(ecdsa256)), sizeof(ecdsa256), ml65,
                        sizeof(ml65), &n1);
        c2 =
            der_splice(c1, n1, der_find(c1, n1, ecdsa256, sizeof(ecdsa256)), sizeof(ecdsa256), ml65, sizeof(ml65), &n2);
        q = c2;
        ak = d2i_X509(NULL, &q, (long)n2);
        assert_non_null(ak);
        v = lab_verify_csr(der, len, &ak, 1, lab_nonce, sizeof(lab_nonce), 0);
        lab_only_fails(v, CHK_CHAIN_TRUST);
        attest_verdict_free(v);
        X509_free(ak);
        OPENSSL_free(der);
        OPENSSL_free(c0);
        free(c1);
        free(c2);
    }
}

/* An ML-DSA subject key: the request verifies (3.5), or csr.signature says unsupported-algorithm (3.0). */
static void test_mldsa_subject_key(void **state)
{
    EVP_PKEY *k = pq_key("ML-DSA-44"), *saved = lab.subject;
    attest_verdict *v;

    (void)state;
    if (k != NULL) {
        size_t len;
        unsigned char *der;

        lab.subject = k; /* lab_claims and lab_verify_csr use it */
        der = lab_evidence(lab.ak_key, NULL, 0, &len);
        v = lab_verify_csr(der, len, &lab.ak, 1, lab_nonce, sizeof(lab_nonce), 0);
        lab.subject = saved;
        expect_detail(v, CHK_CSR_SIGNATURE, "self-signature verifies with the subject key (ML-DSA-44");
        lab_expect(v, CHK_PKIX_KEY_BINDING, ATTEST_CHECK_PASS);
        assert_int_equal(attest_verdict_exit_code(v), 0);
        attest_verdict_free(v);
        OPENSSL_free(der);
        EVP_PKEY_free(k);
    } else {
        /* An EC request with its SPKI and signatureAlgorithm swapped for ML-DSA-44 ones. */
        static const unsigned char ecdsa256[] = {
            0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02
        };
        static const unsigned char ml44[] = { 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
                                              0x01, 0x65, 0x03, 0x04, 0x03, 0x11 };
        X509_REQ *req = X509_REQ_new();
        unsigned char *r0 = NULL, *r1, *r2, *ec = NULL, *spki;
        int n0, ne;
        size_t n1, n2, slen;
        attest_policy pol;
        attest_verify_params p;

        assert_true(X509_REQ_set_pubkey(req, lab.subject));
        assert_true(X509_REQ_sign(req, lab.subject, EVP_sha256()) > 0);
        assert_true((n0 = i2d_X509_REQ(req, &r0)) > 0);
        assert_true((ne = i2d_PUBKEY(lab.subject, &ec)) > 0);
        spki = mldsa_spki_der(0, &slen);
        r1 = der_splice(r0, (size_t)n0, der_find(r0, (size_t)n0, ec, (size_t)ne), (size_t)ne, spki, slen, &n1);
        r2 =
            der_splice(r1, n1, der_find(r1, n1, ecdsa256, sizeof(ecdsa256)), sizeof(ecdsa256), ml44, sizeof(ml44), &n2);
        attest_policy_default(&pol);
        memset(&p, 0, sizeof(p));
        p.trust = lab.trust;
        p.policy = &pol;
        v = attest_verify_csr(&p, r2, n2);
        assert_non_null(v);
        lab_expect(v, CHK_CSR_PARSE, ATTEST_CHECK_PASS);
        lab_expect(v, CHK_CSR_SIGNATURE, ATTEST_CHECK_FAIL);
        expect_detail(v, CHK_CSR_SIGNATURE, "unsupported-algorithm: subject key algorithm 2.16.840.1.101.3.4.3.17");
        assert_int_not_equal(attest_verdict_exit_code(v), 0);
        attest_verdict_free(v);
        X509_REQ_free(req);
        OPENSSL_free(r0);
        OPENSSL_free(ec);
        OPENSSL_free(spki);
        free(r1);
        free(r2);
    }
}

/* Two blocks over one tbs: the lab EC AK (with its certificate) and second. */
static attest_pkix *hybrid(EVP_PKEY *second, X509 *second_cert)
{
    attest_pkix_claims c;
    attest_pkix_signer s[2] = { { lab.ak_key, lab.ak, NULL, 0 }, { second, second_cert, NULL, 0 } };
    unsigned char *der = NULL;
    size_t len = 0;
    attest_err err;
    attest_pkix *p;

    lab_claims(&c);
    if (attest_pkix_build(&c, s, 2, NULL, NULL, &der, &len, &err) != 0)
        fail_msg("attest_pkix_build: %s", err.msg);
    p = lab_decode(der, len);
    OPENSSL_free(der);
    return p;
}

static attest_verdict *verify_pkix(const attest_pkix *p, X509 *second_cert, int require_all)
{
    X509 *certs[2] = { lab.ak, second_cert };
    size_t len;
    unsigned char *der = lab_encode(p, &len);
    attest_verdict *v;

    lab_require_all_signatures = require_all;
    v = lab_verify_csr(der, len, certs, second_cert != NULL ? 2 : 1, lab_nonce, sizeof(lab_nonce), 0);
    lab_require_all_signatures = 0;
    OPENSSL_free(der);
    return v;
}

/*
 * Hybrid policy: every block whose algorithm is supported must verify, and
 * at least one must; --require-all-signatures also refuses a block that
 * cannot be verified here.  ECDSA + ML-DSA where 3.5 has it, ECDSA + Ed25519
 * with the second block's algorithm unknown otherwise.
 */
static void test_hybrid_policy(void **state)
{
    EVP_PKEY *k2 = pq_key("ML-DSA-65");
    int pq = k2 != NULL;
    X509 *c2;
    attest_pkix *p;
    attest_verdict *v;
    ATTEST_PKIX_SIGBLOCK *b;

    (void)state;
    if (!pq)
        k2 = lab_ed25519();
    c2 = lab_cert(k2, "second AK", lab.root_key, lab.root, LAB_AK);
    p = hybrid(k2, c2);
    b = sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, 1);

    /* Both verify. */
    v = verify_pkix(p, c2, 1);
    expect_detail(v, CHK_PKIX_SIGNATURE, "2 of 2");
    assert_int_equal(attest_verdict_exit_code(v), 0);
    attest_verdict_free(v);

    /* A supported block that does not verify fails the evidence, though the other one verifies. */
    b->value->data[b->value->length / 2] ^= 0x01;
    v = verify_pkix(p, c2, 0);
    lab_only_fails(v, CHK_PKIX_SIGNATURE);
    expect_detail(v, CHK_PKIX_SIGNATURE,
                  "1 of 2 signature block(s) accepted, a block with a supported algorithm does not verify");
    attest_verdict_free(v);
    b->value->data[b->value->length / 2] ^= 0x01;

    /* A block this OpenSSL cannot verify: fine by default, refused with require-all. */
    if (!pq)
        assert_true(X509_ALGOR_set0(b->alg, OBJ_txt2obj(mldsa_oid[1], 1), V_ASN1_UNDEF, NULL));
    else
        assert_true(X509_ALGOR_set0(b->alg, OBJ_txt2obj("1.2.840.113549.1.9.16.3.17", 1), V_ASN1_UNDEF, NULL));
    v = verify_pkix(p, c2, 0);
    expect_detail(v, CHK_PKIX_SIGNATURE, "1 of 2");
    expect_detail(v, CHK_PKIX_SIGNATURE, "unsupported-algorithm");
    assert_int_equal(attest_verdict_exit_code(v), 0);
    attest_verdict_free(v);
    v = verify_pkix(p, c2, 1);
    lab_only_fails(v, CHK_PKIX_SIGNATURE);
    expect_detail(v, CHK_PKIX_SIGNATURE, "a block is not accepted (--require-all-signatures)");
    attest_verdict_free(v);

    attest_pkix_free(p);
    X509_free(c2);
    EVP_PKEY_free(k2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mldsa_signature_block), cmocka_unit_test(test_mldsa_signer_spki),
        cmocka_unit_test(test_mldsa_ak_certificate),  cmocka_unit_test(test_mldsa_subject_key),
        cmocka_unit_test(test_hybrid_policy),
    };

    return cmocka_run_group_tests(tests, lab_setup, lab_teardown);
}
