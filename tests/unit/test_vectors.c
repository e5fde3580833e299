/*
 * The published vectors (tests/vectors/README.md) decoded through the core
 * library: every value asserted here is one the README or specs §2.8/§3.8
 * states for the file, so a codec that misreads a field fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "attest/bundle.h"
#include "attest/csr.h"
#include "attest/registry.h"
#include "attest/oids.h"
#include "attest/pkix.h"
#include "attest/tpm2.h"
#include "testutil.h"

#define CSR_9245      "csr-attestation/tcgAttestTpmCertify.9245d16.pem"
#define CSR_HEAD      "csr-attestation/tcgAttestTpmCertify.HEAD-02aed20.pem"
#define LAMPS_HINT    "tpmverifier.example.com"
#define LAMPS_NAME    "000b46c3ee11b5ad3c0f9c5e21d5cfacdd9ba0df3985fcbabad15af2d60281245bc3"
#define LAMPS_QSIGNER "000b3b640a0cfa9397bee0d2ddc657592197a4acc47e7dc2fda5a1db3225366748bd"

/* ---------------------------------------------------------------- helpers */

static void assert_bytes(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
    assert_int_equal(alen, blen);
    assert_memory_equal(a, b, alen);
}

static int verify_sha256(EVP_PKEY *key, const unsigned char *sig, size_t siglen, const unsigned char *msg,
                         size_t msglen)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int rc;

    assert_non_null(md);
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key), 1);
    rc = EVP_DigestVerify(md, sig, siglen, msg, msglen);
    EVP_MD_CTX_free(md);
    return rc;
}

/* TPMT_SIGNATURE ECDSA r/s -> DER ECDSA-Sig-Value. */
static unsigned char *ecdsa_rs_to_der(const TPMS_SIGNATURE_ECC *e, size_t *len)
{
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(e->signatureR.buffer, e->signatureR.size, NULL);
    BIGNUM *ss = BN_bin2bn(e->signatureS.buffer, e->signatureS.size, NULL);
    unsigned char *der = NULL;
    int n;

    assert_non_null(s);
    assert_non_null(r);
    assert_non_null(ss);
    assert_int_equal(ECDSA_SIG_set0(s, r, ss), 1);
    n = i2d_ECDSA_SIG(s, &der);
    assert_true(n > 0);
    ECDSA_SIG_free(s);
    *len = (size_t)n;
    return der;
}

static const ASN1_TYPE *claim_value(const ATTEST_PKIX_ELEMENT *el, attest_oid_id id)
{
    int i;

    for (i = 0; i < sk_ATTEST_PKIX_CLAIM_num(el->claims); i++) {
        const ATTEST_PKIX_CLAIM *c = sk_ATTEST_PKIX_CLAIM_value(el->claims, i);

        if (OBJ_cmp(c->type, attest_oid_obj(id)) == 0)
            return c->value;
    }
    return NULL;
}

static int element_is(const ATTEST_PKIX_ELEMENT *el, attest_oid_id id)
{
    return OBJ_cmp(el->type, attest_oid_obj(id)) == 0;
}

static int count_elements(const attest_pkix *p, attest_oid_id id)
{
    int i, n = 0;

    for (i = 0; i < sk_ATTEST_PKIX_ELEMENT_num(p->ev->tbs->elements); i++)
        n += element_is(sk_ATTEST_PKIX_ELEMENT_value(p->ev->tbs->elements, i), id);
    return n;
}

static attest_pkix *decode_evidence(const char *rel, unsigned char **der, size_t *len)
{
    attest_pkix *p = NULL;
    attest_err err = { { 0 } };
    unsigned char *tbs = NULL;
    int tbs_len;

    *der = read_pem_der(rel, "EVIDENCE", len);
    if (attest_pkix_decode(*der, *len, &p, &err) != 0)
        fail_msg("%s: %s", rel, err.msg);
    assert_non_null(p);
    /* The signed bytes, cut from what was received, are what the tbs encodes to. */
    assert_true((tbs_len = i2d_ATTEST_PKIX_TBS(p->ev->tbs, &tbs)) > 0);
    assert_bytes(p->tbs_der, p->tbs_len, tbs, (size_t)tbs_len);
    OPENSSL_free(tbs);
    return p;
}

static attest_csr *decode_csr(const char *rel, unsigned char **der, size_t *len)
{
    attest_csr *c = NULL;
    attest_err err = { { 0 } };

    *der = read_pem_der(rel, "CERTIFICATE REQUEST", len);
    if (attest_csr_decode(*der, *len, &c, &err) != 0)
        fail_msg("%s: %s", rel, err.msg);
    assert_non_null(c);
    return c;
}

/* ------------------------------------------------------------ lamps CSRs */

static void check_lamps(const char *rel, unsigned legacy_flag)
{
    unsigned char *der, name[2 + EVP_MAX_MD_SIZE];
    size_t len;
    attest_csr *c = decode_csr(rel, &der, &len);
    attest_bundle *b = NULL;
    attest_tpm2_stmt s;
    attest_err err = { { 0 } };
    TPMS_ATTEST a;
    TPMT_PUBLIC pub;
    EVP_PKEY *tpm_key, *ak_key;
    X509_NAME *subj;
    char cn[64];
    int nl;

    assert_int_equal(len, 3487);
    assert_int_equal(c->n_attest_attrs, 1);
    assert_int_equal(c->n_values, 1);
    assert_int_equal(c->value_type, V_ASN1_SEQUENCE);
    assert_int_equal(c->in_ext_request, 0);
    /* specs §2.8: the bundle TLV is 30 82 0A C8 at offset 449 */
    assert_int_equal(c->bundle_len, 0x0AC8 + 4);
    assert_memory_equal(c->bundle_der, der + 449, c->bundle_len);

    if (attest_bundle_decode(c->bundle_der, c->bundle_len, &b, &err) != 0)
        fail_msg("bundle: %s", err.msg);
    assert_int_equal(b->n_stmts, 1);
    assert_string_equal(attest_engine_kind(attest_engine_for_type(b->stmts[0].type)), "tpm2-certify");
    assert_int_equal(OBJ_cmp(b->stmts[0].type, attest_oid_obj(ATTEST_OID_TPM_CERTIFY)), 0);
    assert_int_equal(b->legacy, legacy_flag);
    assert_int_equal(b->stmts[0].legacy, legacy_flag);
    assert_non_null(b->stmts[0].hint);
    assert_string_equal(b->stmts[0].hint, LAMPS_HINT);
    assert_int_equal(b->stmts[0].binds_public_key, -1);
    assert_int_equal(sk_X509_num(b->certs), 2);
    assert_int_equal(b->n_other_certs, 0);
    assert_int_equal(b->n_ignored_certs, 0);
    /* statement value: TcgAttestCertify at absolute offset 468, 30 82 02 B2 */
    assert_int_equal(b->stmts[0].stmt_len, 0x02B2 + 4);
    assert_memory_equal(b->stmts[0].stmt, der + 468, b->stmts[0].stmt_len);
    /* certs[0] is the AK (CN=test-ak), certs[1] the root */
    subj = X509_get_subject_name(sk_X509_value(b->certs, 0));
    assert_true(X509_NAME_get_text_by_NID(subj, NID_commonName, cn, sizeof(cn)) > 0);
    assert_string_equal(cn, "test-ak");
    subj = X509_get_subject_name(sk_X509_value(b->certs, 1));
    assert_true(X509_NAME_get_text_by_NID(subj, NID_commonName, cn, sizeof(cn)) > 0);
    assert_string_equal(cn, "test-rootCA");

    if (attest_tpm2_stmt_decode(b->stmts[0].stmt, b->stmts[0].stmt_len, &s, &err) != 0)
        fail_msg("stmt: %s", err.msg);
    assert_int_equal(s.attest_len, 145);
    assert_int_equal(s.sig_len, 256);
    assert_int_equal(s.pub_len, 278);
    assert_int_equal(s.pub_was_tpm2b, 0);
    assert_memory_equal(s.attest, der + 475, 145);
    assert_memory_equal(s.sig, der + 624, 256);
    assert_memory_equal(s.pub, der + 884, 278);

    if (attest_tpms_attest_parse(s.attest, s.attest_len, &a, &err) != 0)
        fail_msg("TPMS_ATTEST: %s", err.msg);
    assert_int_equal(a.magic, 0xff544347);
    assert_int_equal(a.type, 0x8017);
    assert_hex(a.extraData.buffer, a.extraData.size, "00ff55aa");
    assert_true(a.firmwareVersion == UINT64_C(0x2015011300154822));
    assert_int_equal(a.clockInfo.resetCount, 55);
    assert_int_equal(a.clockInfo.restartCount, 0);
    assert_int_equal(a.clockInfo.safe, 1);
    assert_true(a.clockInfo.clock == UINT64_C(2112523238));
    assert_hex(a.qualifiedSigner.name, a.qualifiedSigner.size, LAMPS_QSIGNER);

    /* Name(tpmTPublic) == attested.name == the value in specs §2.8 */
    nl = attest_tpm2_name(s.pub, s.pub_len, name, sizeof(name), &err);
    assert_int_equal(nl, 34);
    assert_int_equal(a.attested.certify.name.size, 34);
    assert_memory_equal(name, a.attested.certify.name.name, 34);
    assert_hex(name, 34, LAMPS_NAME);

    /* the TPMT_PUBLIC is the CSR's key */
    assert_int_equal(attest_tpmt_public_parse(s.pub, s.pub_len, &pub, &err), 0);
    assert_int_equal(pub.objectAttributes, 0x00060072);
    tpm_key = attest_tpmt_public_to_pkey(&pub, NULL, &err);
    assert_non_null(tpm_key);
    assert_int_equal(EVP_PKEY_eq(tpm_key, X509_REQ_get0_pubkey(c->req)), 1);

    /* the plain signature verifies with the AK certificate (RSA PKCS#1 SHA-256) */
    ak_key = X509_get0_pubkey(sk_X509_value(b->certs, 0));
    assert_non_null(ak_key);
    assert_int_equal(verify_sha256(ak_key, s.sig, s.sig_len, s.attest, s.attest_len), 1);
    /* and does not verify over anything else */
    s.attest[144] ^= 1;
    assert_int_not_equal(verify_sha256(ak_key, s.sig, s.sig_len, s.attest, s.attest_len), 1);

    EVP_PKEY_free(tpm_key);
    attest_tpm2_stmt_clear(&s);
    attest_bundle_free(b);
    attest_csr_free(c);
    free(der);
}

static void test_lamps_9245d16_is_utf8_legacy_bundle(void **state)
{
    (void)state;
    check_lamps(CSR_9245, ATTEST_LEGACY_HINT_UTF8);
}

static void test_lamps_head_is_ia5_legacy_bundle(void **state)
{
    (void)state;
    check_lamps(CSR_HEAD, ATTEST_LEGACY_HINT_IA5);
}

static void test_lamps_differ_at_1162(void **state)
{
    unsigned char *a, *b;
    size_t alen, blen, i;
    int diffs = 0;

    (void)state;
    a = read_pem_der(CSR_9245, NULL, &alen);
    b = read_pem_der(CSR_HEAD, NULL, &blen);
    assert_int_equal(alen, 3487);
    assert_int_equal(blen, 3487);
    for (i = 0; i < alen; i++) {
        if (a[i] != b[i]) {
            assert_int_equal(i, 1162);
            diffs++;
        }
    }
    assert_int_equal(diffs, 1);
    assert_int_equal(a[1162], 0x0C);
    assert_int_equal(b[1162], 0x16);
    free(a);
    free(b);
}

/* The 9245d16 CSR self-signature verifies; HEAD's does not (specs §2.8). */
static void test_lamps_csr_signatures(void **state)
{
    unsigned char *d1, *d2;
    size_t l1, l2;
    attest_csr *c1 = decode_csr(CSR_9245, &d1, &l1), *c2 = decode_csr(CSR_HEAD, &d2, &l2);

    (void)state;
    assert_int_equal(X509_REQ_verify(c1->req, X509_REQ_get0_pubkey(c1->req)), 1);
    assert_int_not_equal(X509_REQ_verify(c2->req, X509_REQ_get0_pubkey(c2->req)), 1);
    attest_csr_free(c1);
    attest_csr_free(c2);
    free(d1);
    free(d2);
}

/* ---------------------------------------------------------------- swtpm */

static void check_swtpm(const char *dir, int is_rsa)
{
    char rel[128];
    unsigned char *att[2], *keypub, *akpub, *sig1, *sig2, name[2 + EVP_MAX_MD_SIZE];
    size_t attlen[2], keypublen, akpublen, sig1len, sig2len;
    attest_err err = { { 0 } };
    TPMS_ATTEST a;
    TPMT_PUBLIC kp, akp;
    TPMT_SIGNATURE ts;
    EVP_PKEY *k_tpm, *k_pem, *ak_tpm, *ak_pem;
    int i, nl;

    for (i = 0; i < 2; i++) {
        snprintf(rel, sizeof(rel), "%s/certify%d.tpms_attest", dir, i + 1);
        att[i] = read_vec(rel, &attlen[i]);
    }
    snprintf(rel, sizeof(rel), "%s/key.tpmt_public", dir);
    keypub = read_vec(rel, &keypublen);
    snprintf(rel, sizeof(rel), "%s/ak.tpmt_public", dir);
    akpub = read_vec(rel, &akpublen);
    snprintf(rel, sizeof(rel), "%s/%s", dir, is_rsa ? "certify1.sig.plain" : "certify1.sig.plain_der");
    sig1 = read_vec(rel, &sig1len);
    snprintf(rel, sizeof(rel), "%s/certify2.sig.tpmt_signature", dir);
    sig2 = read_vec(rel, &sig2len);

    assert_int_equal(keypublen, is_rsa ? 278 : 86);
    assert_int_equal(akpublen, is_rsa ? 280 : 88);
    nl = attest_tpm2_name(keypub, keypublen, name, sizeof(name), &err);
    assert_int_equal(nl, 34);
    for (i = 0; i < 2; i++) {
        assert_int_equal(attlen[i], 145);
        if (attest_tpms_attest_parse(att[i], attlen[i], &a, &err) != 0)
            fail_msg("%s certify%d: %s", dir, i + 1, err.msg);
        assert_int_equal(a.magic, 0xff544347);
        assert_int_equal(a.type, 0x8017);
        assert_hex(a.extraData.buffer, a.extraData.size, "00ff55aa");
        assert_true(a.firmwareVersion == UINT64_C(0x2019102300163636));
        /* the certified object is key.tpmt_public */
        assert_int_equal(a.attested.certify.name.size, 34);
        assert_memory_equal(a.attested.certify.name.name, name, 34);
    }

    /* certify2 carries a TPMT_SIGNATURE, certify1 a plain one */
    assert_int_equal(attest_tpmt_signature_parse(sig2, sig2len, &ts), 1);
    if (is_rsa) {
        assert_int_equal(sig2len, 262);
        assert_int_equal(ts.sigAlg, 0x0014);
        assert_int_equal(ts.signature.rsassa.hash, 0x000b);
        assert_int_equal(ts.signature.rsassa.sig.size, 256);
    } else {
        assert_int_equal(sig2len, 72);
        assert_int_equal(ts.sigAlg, 0x0018);
        assert_int_equal(ts.signature.ecdsa.hash, 0x000b);
        assert_int_equal(ts.signature.ecdsa.signatureR.size, 32);
        assert_int_equal(ts.signature.ecdsa.signatureS.size, 32);
    }
    {
        TPMT_SIGNATURE t1;

        assert_int_equal(attest_tpmt_signature_parse(sig1, sig1len, &t1), 0);
    }

    /* key.tpmt_public is the key of key.spki.pem */
    assert_int_equal(attest_tpmt_public_parse(keypub, keypublen, &kp, &err), 0);
    assert_int_equal(kp.type, is_rsa ? TPM2_ALG_RSA : TPM2_ALG_ECC);
    k_tpm = attest_tpmt_public_to_pkey(&kp, NULL, &err);
    assert_non_null(k_tpm);
    snprintf(rel, sizeof(rel), "%s/key.spki.pem", dir);
    k_pem = read_spki(rel);
    assert_int_equal(EVP_PKEY_eq(k_tpm, k_pem), 1);

    /* the AK: restricted signing key, same key as ak.spki.pem */
    assert_int_equal(attest_tpmt_public_parse(akpub, akpublen, &akp, &err), 0);
    assert_int_equal(akp.objectAttributes, 0x00050072);
    ak_tpm = attest_tpmt_public_to_pkey(&akp, NULL, &err);
    assert_non_null(ak_tpm);
    snprintf(rel, sizeof(rel), "%s/ak.spki.pem", dir);
    ak_pem = read_spki(rel);
    assert_int_equal(EVP_PKEY_eq(ak_tpm, ak_pem), 1);
    /* the certified key is not the AK */
    assert_int_not_equal(EVP_PKEY_eq(k_tpm, ak_pem), 1);

    /* the vectors are sane: both signatures verify with the AK */
    assert_int_equal(verify_sha256(ak_pem, sig1, sig1len, att[0], attlen[0]), 1);
    if (is_rsa) {
        assert_int_equal(
            verify_sha256(ak_pem, ts.signature.rsassa.sig.buffer, ts.signature.rsassa.sig.size, att[1], attlen[1]), 1);
        /* the plain signature is over certify1, not certify2 */
        assert_int_not_equal(verify_sha256(ak_pem, sig1, sig1len, att[1], attlen[1]), 1);
    } else {
        size_t dl;
        unsigned char *d = ecdsa_rs_to_der(&ts.signature.ecdsa, &dl);

        assert_int_equal(verify_sha256(ak_pem, d, dl, att[1], attlen[1]), 1);
        assert_int_not_equal(verify_sha256(ak_pem, sig1, sig1len, att[1], attlen[1]), 1);
        OPENSSL_free(d);
    }

    EVP_PKEY_free(k_tpm);
    EVP_PKEY_free(k_pem);
    EVP_PKEY_free(ak_tpm);
    EVP_PKEY_free(ak_pem);
    for (i = 0; i < 2; i++)
        free(att[i]);
    free(keypub);
    free(akpub);
    free(sig1);
    free(sig2);
}

static void test_swtpm_rsa(void **state)
{
    (void)state;
    check_swtpm("swtpm-rsa", 1);
}

static void test_swtpm_ecc(void **state)
{
    (void)state;
    check_swtpm("swtpm-ecc", 0);
}

/* QN(EK) = 000b||H(4000000B||Name(EK)); QN(AK) = 000b||H(QN(EK)||Name(AK)) == qualifiedSigner. */
static void test_swtpm_rsa_qualified_signer(void **state)
{
    unsigned char *ek, *ak, *att, buf[4 + 2 * 34], ek_name[34], ak_name[34], qn_ek[34], qn_ak[34];
    size_t eklen, aklen, attlen;
    unsigned int dl;
    TPMS_ATTEST a;
    TPMT_PUBLIC ekp;
    attest_err err = { { 0 } };

    (void)state;
    ek = read_vec("swtpm-rsa/ek.tpm2b_public", &eklen);
    ak = read_vec("swtpm-rsa/ak.tpmt_public", &aklen);
    att = read_vec("swtpm-rsa/certify1.tpms_attest", &attlen);
    assert_int_equal(((size_t)ek[0] << 8 | ek[1]), eklen - 2);
    assert_int_equal(attest_tpmt_public_parse(ek + 2, eklen - 2, &ekp, &err), 0);
    assert_int_equal(ekp.objectAttributes, 0x000300B2);
    assert_int_equal(attest_tpm2_name(ek + 2, eklen - 2, ek_name, sizeof(ek_name), &err), 34);
    assert_int_equal(attest_tpm2_name(ak, aklen, ak_name, sizeof(ak_name), &err), 34);
    memcpy(buf, "\x40\x00\x00\x0b", 4);
    memcpy(buf + 4, ek_name, 34);
    qn_ek[0] = 0x00;
    qn_ek[1] = 0x0b;
    assert_int_equal(EVP_Digest(buf, 38, qn_ek + 2, &dl, EVP_sha256(), NULL), 1);
    memcpy(buf, qn_ek, 34);
    memcpy(buf + 34, ak_name, 34);
    qn_ak[0] = 0x00;
    qn_ak[1] = 0x0b;
    assert_int_equal(EVP_Digest(buf, 68, qn_ak + 2, &dl, EVP_sha256(), NULL), 1);
    assert_int_equal(attest_tpms_attest_parse(att, attlen, &a, &err), 0);
    assert_int_equal(a.qualifiedSigner.size, 34);
    assert_memory_equal(a.qualifiedSigner.name, qn_ak, 34);
    free(ek);
    free(ak);
    free(att);
}

/* A tpmTPublic carried as TPM2B_PUBLIC (hackathon shape) is unwrapped. */
static void test_tpm2b_public_stmt(void **state)
{
    unsigned char *att, *sig, *key, *ek, *prefixed, *der = NULL, *re = NULL;
    size_t attlen, siglen, keylen, eklen, derlen = 0, relen = 0;
    attest_tpm2_stmt in = { 0 }, out = { 0 };
    attest_err err = { { 0 } };

    (void)state;
    att = read_vec("swtpm-rsa/certify1.tpms_attest", &attlen);
    sig = read_vec("swtpm-rsa/certify1.sig.plain", &siglen);
    key = read_vec("swtpm-rsa/key.tpmt_public", &keylen);
    prefixed = malloc(keylen + 2);
    assert_non_null(prefixed);
    prefixed[0] = (unsigned char)(keylen >> 8);
    prefixed[1] = (unsigned char)keylen;
    memcpy(prefixed + 2, key, keylen);

    in.attest = att;
    in.attest_len = attlen;
    in.sig = sig;
    in.sig_len = siglen;
    in.pub = prefixed;
    in.pub_len = keylen + 2;
    assert_int_equal(attest_tpm2_stmt_encode(&in, &der, &derlen, &err), 0);
    if (attest_tpm2_stmt_decode(der, derlen, &out, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(out.pub_was_tpm2b, 1);
    assert_int_equal(out.pub_len, 278);
    assert_memory_equal(out.pub, key, keylen);
    assert_bytes(out.attest, out.attest_len, att, attlen);
    assert_bytes(out.sig, out.sig_len, sig, siglen);
    attest_tpm2_stmt_clear(&out);

    /* the unprefixed form is not flagged, and re-encodes byte for byte */
    in.pub = key;
    in.pub_len = keylen;
    OPENSSL_free(der);
    der = NULL;
    assert_int_equal(attest_tpm2_stmt_encode(&in, &der, &derlen, &err), 0);
    assert_int_equal(attest_tpm2_stmt_decode(der, derlen, &out, &err), 0);
    assert_int_equal(out.pub_was_tpm2b, 0);
    assert_int_equal(out.pub_len, 278);
    assert_int_equal(attest_tpm2_stmt_encode(&out, &re, &relen, &err), 0);
    assert_bytes(re, relen, der, derlen);
    attest_tpm2_stmt_clear(&out);
    OPENSSL_free(re);

    /* the EK file itself is a TPM2B_PUBLIC: 316 bytes carrying a 314-byte TPMT_PUBLIC */
    ek = read_vec("swtpm-rsa/ek.tpm2b_public", &eklen);
    assert_int_equal(eklen, 316);
    in.pub = ek;
    in.pub_len = eklen;
    OPENSSL_free(der);
    der = NULL;
    assert_int_equal(attest_tpm2_stmt_encode(&in, &der, &derlen, &err), 0);
    assert_int_equal(attest_tpm2_stmt_decode(der, derlen, &out, &err), 0);
    assert_int_equal(out.pub_was_tpm2b, 1);
    assert_int_equal(out.pub_len, 314);
    assert_memory_equal(out.pub, ek + 2, 314);
    attest_tpm2_stmt_clear(&out);

    /* a prefix that does not match the length is left alone (and the bytes are kept) */
    prefixed[1] ^= 1;
    in.pub = prefixed;
    in.pub_len = keylen + 2;
    OPENSSL_free(der);
    der = NULL;
    assert_int_equal(attest_tpm2_stmt_encode(&in, &der, &derlen, &err), 0);
    assert_int_equal(attest_tpm2_stmt_decode(der, derlen, &out, &err), 0);
    assert_int_equal(out.pub_was_tpm2b, 0);
    assert_int_equal(out.pub_len, keylen + 2);
    attest_tpm2_stmt_clear(&out);

    OPENSSL_free(der);
    free(att);
    free(sig);
    free(key);
    free(ek);
    free(prefixed);
}

/* ---------------------------------------------------------------- PKIX */

static void check_known_claims(const attest_pkix *p)
{
    int i, j, n = 0;

    for (i = 0; i < sk_ATTEST_PKIX_ELEMENT_num(p->ev->tbs->elements); i++) {
        const ATTEST_PKIX_ELEMENT *el = sk_ATTEST_PKIX_ELEMENT_value(p->ev->tbs->elements, i);

        assert_true(element_is(el, ATTEST_OID_PKIX_EL_TRANSACTION) || element_is(el, ATTEST_OID_PKIX_EL_PLATFORM)
                    || element_is(el, ATTEST_OID_PKIX_EL_KEY));
        for (j = 0; j < sk_ATTEST_PKIX_CLAIM_num(el->claims); j++) {
            const ATTEST_PKIX_CLAIM *c = sk_ATTEST_PKIX_CLAIM_value(el->claims, j);
            const attest_pkix_claim_def *def = attest_pkix_claim_def_find(c->type);
            char buf[96];

            OBJ_obj2txt(buf, sizeof(buf), c->type, 1);
            if (def == NULL)
                fail_msg("claim %s is not in the table", buf);
            /* the claim sits in the element the table says */
            assert_true(element_is(el, def->element));
            if (!attest_pkix_value_ok(def, c->value))
                fail_msg("claim %s: value has the wrong type", buf);
            n++;
        }
    }
    assert_true(n > 0);
}

static void test_pkix_evidence1(void **state)
{
    unsigned char *der;
    size_t len;
    attest_pkix *p = decode_evidence("pkix-evidence/evidence1.pem", &der, &len);
    const ATTEST_PKIX_ELEMENT *tx, *pl;
    const ASN1_TYPE *v;
    const ATTEST_PKIX_SIGBLOCK *sb;
    X509 *ak = read_cert("pkix-evidence/ak.crt");
    unsigned char *spki = NULL;
    int spkilen;

    (void)state;
    assert_int_equal(len, 448);
    assert_int_equal(ASN1_INTEGER_get(p->ev->tbs->version), 1);
    assert_int_equal(sk_ATTEST_PKIX_ELEMENT_num(p->ev->tbs->elements), 2);
    tx = sk_ATTEST_PKIX_ELEMENT_value(p->ev->tbs->elements, 0);
    pl = sk_ATTEST_PKIX_ELEMENT_value(p->ev->tbs->elements, 1);
    assert_true(element_is(tx, ATTEST_OID_PKIX_EL_TRANSACTION));
    assert_true(element_is(pl, ATTEST_OID_PKIX_EL_PLATFORM));

    v = claim_value(tx, ATTEST_OID_PKIX_TX_NONCE);
    assert_non_null(v);
    assert_int_equal(v->type, V_ASN1_OCTET_STRING);
    assert_hex(v->value.octet_string->data, (size_t)v->value.octet_string->length, "deadbeefcafebabe");
    /* ak-spki claim == SPKI of ak.crt */
    v = claim_value(tx, ATTEST_OID_PKIX_TX_AK_SPKI);
    assert_non_null(v);
    spkilen = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(ak), &spki);
    assert_true(spkilen > 0);
    assert_bytes(v->value.octet_string->data, (size_t)v->value.octet_string->length, spki, (size_t)spkilen);
    OPENSSL_free(spki);

    v = claim_value(pl, ATTEST_OID_PKIX_PL_VENDOR);
    assert_non_null(v);
    assert_int_equal(v->type, V_ASN1_UTF8STRING);
    assert_int_equal(v->value.utf8string->length, 9);
    assert_memory_equal(v->value.utf8string->data, "Acme Corp", 9);
    v = claim_value(pl, ATTEST_OID_PKIX_PL_FIPSLEVEL);
    assert_non_null(v);
    assert_int_equal(v->type, V_ASN1_INTEGER);
    assert_int_equal(ASN1_INTEGER_get(v->value.integer), 3);
    v = claim_value(pl, ATTEST_OID_PKIX_PL_FIPSBOOT);
    assert_non_null(v);
    assert_int_equal(v->type, V_ASN1_BOOLEAN);
    assert_int_not_equal(v->value.boolean, 0);
    v = claim_value(pl, ATTEST_OID_PKIX_PL_UPTIME);
    assert_non_null(v);
    assert_int_equal(ASN1_INTEGER_get(v->value.integer), 86400);
    /* not a transaction claim */
    assert_null(claim_value(pl, ATTEST_OID_PKIX_TX_NONCE));

    assert_int_equal(sk_ATTEST_PKIX_SIGBLOCK_num(p->ev->sigs), 1);
    sb = sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, 0);
    assert_non_null(sb->sid->key_id);
    assert_null(sb->sid->cert);
    assert_null(sb->sid->spki);
    assert_hex(sb->sid->key_id->data, (size_t)sb->sid->key_id->length, "1d0a7417fa5f0437a7334c932ce135b7f73419fe");
    /* keyId is the SKI of ak.crt */
    {
        const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(ak);

        assert_non_null(ski);
        assert_int_equal(ASN1_OCTET_STRING_cmp(ski, sb->sid->key_id), 0);
    }
    assert_int_equal(OBJ_obj2nid(sb->alg->algorithm), NID_ecdsa_with_SHA256);
    assert_null(p->ev->intermediates);

    /* tbs_der is the exact signed range: bytes 4..328 of the input */
    assert_int_equal(p->tbs_len, 329);
    assert_memory_equal(p->tbs_der, der + 4, p->tbs_len);
    assert_int_equal(
        verify_sha256(X509_get0_pubkey(ak), sb->value->data, (size_t)sb->value->length, p->tbs_der, p->tbs_len), 1);

    check_known_claims(p);
    X509_free(ak);
    attest_pkix_free(p);
    free(der);
}

static void test_pkix_evidence2(void **state)
{
    unsigned char *der;
    size_t len;
    attest_pkix *p = decode_evidence("pkix-evidence/evidence2.pem", &der, &len);
    X509 *ak = read_cert("pkix-evidence/ak.crt"), *intc = read_cert("pkix-evidence/int.crt");
    const ATTEST_PKIX_SIGBLOCK *sb;
    const ATTEST_PKIX_ELEMENT *k1 = NULL, *k2 = NULL;
    const ASN1_TYPE *v;
    int i;

    (void)state;
    assert_int_equal(len, 1832);
    assert_int_equal(p->intermediates_explicit, 0);
    assert_int_equal(sk_X509_num(p->ev->intermediates), 1);
    assert_int_equal(X509_cmp(sk_X509_value(p->ev->intermediates, 0), intc), 0);
    /* A0 wraps the certificate directly */
    assert_int_equal(der[1333], 0xA0);
    assert_int_equal(der[1337], 0x30);

    assert_int_equal(sk_ATTEST_PKIX_SIGBLOCK_num(p->ev->sigs), 1);
    sb = sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, 0);
    assert_null(sb->sid->key_id);
    assert_non_null(sb->sid->cert);
    assert_int_equal(X509_cmp(sb->sid->cert, ak), 0);
    assert_int_equal(
        verify_sha256(X509_get0_pubkey(ak), sb->value->data, (size_t)sb->value->length, p->tbs_der, p->tbs_len), 1);

    assert_int_equal(count_elements(p, ATTEST_OID_PKIX_EL_KEY), 2);
    assert_int_equal(count_elements(p, ATTEST_OID_PKIX_EL_TRANSACTION), 1);
    assert_int_equal(count_elements(p, ATTEST_OID_PKIX_EL_PLATFORM), 1);
    for (i = 0; i < sk_ATTEST_PKIX_ELEMENT_num(p->ev->tbs->elements); i++) {
        const ATTEST_PKIX_ELEMENT *el = sk_ATTEST_PKIX_ELEMENT_value(p->ev->tbs->elements, i);

        if (!element_is(el, ATTEST_OID_PKIX_EL_KEY))
            continue;
        if (k1 == NULL)
            k1 = el;
        else
            k2 = el;
    }
    assert_non_null(k1);
    assert_non_null(k2);
    v = claim_value(k1, ATTEST_OID_PKIX_KEY_EXTRACTABLE);
    assert_non_null(v);
    assert_int_equal(v->type, V_ASN1_BOOLEAN);
    assert_int_equal(v->value.boolean, 0);
    v = claim_value(k1, ATTEST_OID_PKIX_KEY_NEVER_EXTRACTABLE);
    assert_non_null(v);
    assert_int_not_equal(v->value.boolean, 0);
    v = claim_value(k2, ATTEST_OID_PKIX_KEY_EXTRACTABLE);
    assert_non_null(v);
    assert_int_not_equal(v->value.boolean, 0);
    /* first key: purpose [sign] */
    v = claim_value(k1, ATTEST_OID_PKIX_KEY_PURPOSE);
    assert_non_null(v);
    assert_int_equal(v->type, V_ASN1_SEQUENCE);
    {
        const unsigned char *q = v->value.sequence->data;
        ASN1_SEQUENCE_ANY *s = d2i_ASN1_SEQUENCE_ANY(NULL, &q, v->value.sequence->length);

        assert_non_null(s);
        assert_int_equal(sk_ASN1_TYPE_num(s), 1);
        assert_int_equal(OBJ_cmp(sk_ASN1_TYPE_value(s, 0)->value.object, attest_oid_obj(ATTEST_OID_PKIX_CAP_SIGN)), 0);
        sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
    }
    /* the key-spki claims are P-256 SPKIs */
    {
        const unsigned char *q;
        EVP_PKEY *k;

        v = claim_value(k1, ATTEST_OID_PKIX_KEY_SPKI);
        assert_non_null(v);
        q = v->value.octet_string->data;
        k = d2i_PUBKEY(NULL, &q, v->value.octet_string->length);
        assert_non_null(k);
        assert_int_equal(EVP_PKEY_get_bits(k), 256);
        EVP_PKEY_free(k);
    }

    check_known_claims(p);
    X509_free(ak);
    X509_free(intc);
    attest_pkix_free(p);
    free(der);
}

static void test_pkix_evidence3(void **state)
{
    unsigned char *der;
    size_t len;
    attest_pkix *p = decode_evidence("pkix-evidence/evidence3.pem", &der, &len);
    int i;

    (void)state;
    assert_int_equal(len, 2938);
    assert_int_equal(count_elements(p, ATTEST_OID_PKIX_EL_PLATFORM), 2);
    assert_int_equal(count_elements(p, ATTEST_OID_PKIX_EL_TRANSACTION), 1);
    assert_int_equal(count_elements(p, ATTEST_OID_PKIX_EL_KEY), 1);
    assert_int_equal(sk_ATTEST_PKIX_SIGBLOCK_num(p->ev->sigs), 2);
    /* both signatures verify with the certificates they carry */
    for (i = 0; i < 2; i++) {
        const ATTEST_PKIX_SIGBLOCK *sb = sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, i);

        assert_non_null(sb->sid->cert);
        assert_int_equal(verify_sha256(X509_get0_pubkey(sb->sid->cert), sb->value->data, (size_t)sb->value->length,
                                       p->tbs_der, p->tbs_len),
                         1);
    }
    /* two different signers */
    assert_int_not_equal(X509_cmp(sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, 0)->sid->cert,
                                  sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, 1)->sid->cert),
                         0);
    attest_pkix_free(p);
    free(der);
}

/* ------------------------------------------------------------ round trips */

static void test_roundtrip_csr(void **state)
{
    const char *files[] = { CSR_9245, CSR_HEAD };
    size_t f;

    (void)state;
    for (f = 0; f < 2; f++) {
        unsigned char *der, *re = NULL;
        size_t len;
        attest_csr *c = decode_csr(files[f], &der, &len);
        attest_err err = { { 0 } };
        X509_ATTRIBUTE *a;
        int n, loc;

        n = i2d_X509_REQ(c->req, &re);
        assert_bytes(re, (size_t)n, der, len);
        OPENSSL_free(re);
        re = NULL;

        /* adding a second attribute is refused */
        assert_int_equal(attest_csr_add_bundle(c->req, c->bundle_der, c->bundle_len, &err), -1);
        assert_true(err.msg[0] != '\0');

        /* delete the attribute and put it back: the request is the same bytes */
        loc = X509_REQ_get_attr_by_OBJ(c->req, attest_oid_obj(ATTEST_OID_AA_ATTESTATION), -1);
        assert_true(loc >= 0);
        a = X509_REQ_delete_attr(c->req, loc);
        assert_non_null(a);
        X509_ATTRIBUTE_free(a);
        assert_int_equal(X509_REQ_get_attr_count(c->req), 0);
        if (attest_csr_add_bundle(c->req, c->bundle_der, c->bundle_len, &err) != 0)
            fail_msg("%s", err.msg);
        n = i2d_X509_REQ(c->req, &re);
        assert_bytes(re, (size_t)n, der, len);
        OPENSSL_free(re);

        attest_csr_free(c);
        free(der);
    }
}

/*
 * The legacy bundles re-encode in the current shape: same bytes minus the
 * hint TLV (25 bytes at bundle offset 713) with the three enclosing lengths
 * shortened; that form decodes with legacy 0 and re-encodes to itself.
 */
static void test_roundtrip_bundle(void **state)
{
    const char *files[] = { CSR_9245, CSR_HEAD };
    size_t f;

    (void)state;
    for (f = 0; f < 2; f++) {
        unsigned char *der, *re = NULL, *re2 = NULL, *want;
        size_t len, relen = 0, re2len = 0, wantlen;
        attest_csr *c = decode_csr(files[f], &der, &len);
        attest_bundle *b = NULL, *b2 = NULL, *b3 = NULL;
        attest_err err = { { 0 } };
        const size_t hint_off = 1162 - 449, hint_len = 2 + 23;
        int i;

        assert_int_equal(attest_bundle_decode(c->bundle_der, c->bundle_len, &b, &err), 0);
        assert_int_not_equal(b->legacy, 0);
        assert_int_equal(attest_bundle_encode(b, &re, &relen, &err), 0);

        wantlen = c->bundle_len - hint_len;
        want = malloc(wantlen);
        assert_non_null(want);
        memcpy(want, c->bundle_der, hint_off);
        memcpy(want + hint_off, c->bundle_der + hint_off + hint_len, c->bundle_len - hint_off - hint_len);
        assert_int_equal(c->bundle_der[hint_off], f == 0 ? 0x0C : 0x16);
        want[2] = (unsigned char)((0x0AC8 - hint_len) >> 8);
        want[3] = (unsigned char)(0x0AC8 - hint_len);
        want[6] = (unsigned char)((0x02DA - hint_len) >> 8);
        want[7] = (unsigned char)(0x02DA - hint_len);
        want[10] = (unsigned char)((0x02D6 - hint_len) >> 8);
        want[11] = (unsigned char)(0x02D6 - hint_len);
        assert_bytes(re, relen, want, wantlen);

        assert_int_equal(attest_bundle_decode(re, relen, &b2, &err), 0);
        assert_int_equal(b2->legacy, 0);
        assert_int_equal(b2->n_stmts, 1);
        assert_null(b2->stmts[0].hint);
        assert_int_equal(b2->stmts[0].legacy, 0);
        assert_int_equal(OBJ_cmp(b2->stmts[0].type, b->stmts[0].type), 0);
        assert_bytes(b2->stmts[0].stmt, b2->stmts[0].stmt_len, b->stmts[0].stmt, b->stmts[0].stmt_len);
        assert_int_equal(sk_X509_num(b2->certs), 2);
        for (i = 0; i < 2; i++)
            assert_int_equal(X509_cmp(sk_X509_value(b2->certs, i), sk_X509_value(b->certs, i)), 0);

        /* the current shape round-trips exactly */
        assert_int_equal(attest_bundle_encode(b2, &re2, &re2len, &err), 0);
        assert_bytes(re2, re2len, re, relen);
        assert_int_equal(attest_bundle_decode(re2, re2len, &b3, &err), 0);
        assert_int_equal(b3->legacy, 0);

        attest_bundle_free(b);
        attest_bundle_free(b2);
        attest_bundle_free(b3);
        OPENSSL_free(re);
        OPENSSL_free(re2);
        free(want);
        attest_csr_free(c);
        free(der);
    }
}

static void test_roundtrip_tpm2_stmt(void **state)
{
    const char *files[] = { CSR_9245, CSR_HEAD };
    size_t f;

    (void)state;
    for (f = 0; f < 2; f++) {
        unsigned char *der, *re = NULL;
        size_t len, relen = 0;
        attest_csr *c = decode_csr(files[f], &der, &len);
        attest_bundle *b = NULL;
        attest_tpm2_stmt s;
        attest_err err = { { 0 } };

        assert_int_equal(attest_bundle_decode(c->bundle_der, c->bundle_len, &b, &err), 0);
        assert_int_equal(attest_tpm2_stmt_decode(b->stmts[0].stmt, b->stmts[0].stmt_len, &s, &err), 0);
        assert_int_equal(attest_tpm2_stmt_encode(&s, &re, &relen, &err), 0);
        assert_bytes(re, relen, b->stmts[0].stmt, b->stmts[0].stmt_len);
        OPENSSL_free(re);
        attest_tpm2_stmt_clear(&s);
        assert_null(s.attest);
        attest_bundle_free(b);
        attest_csr_free(c);
        free(der);
    }
}

static void test_roundtrip_pkix(void **state)
{
    const char *files[] = { "pkix-evidence/evidence1.pem", "pkix-evidence/evidence2.pem",
                            "pkix-evidence/evidence3.pem" };
    size_t f;

    (void)state;
    for (f = 0; f < 3; f++) {
        unsigned char *der, *re = NULL;
        size_t len, relen = 0;
        attest_pkix *p = decode_evidence(files[f], &der, &len);
        attest_err err = { { 0 } };

        assert_int_equal(attest_pkix_encode(p, &re, &relen, &err), 0);
        assert_bytes(re, relen, der, len);
        OPENSSL_free(re);
        attest_pkix_free(p);
        free(der);
    }
}

/* evidence2 re-wrapped by attest_pkix_wrap uses the explicit [0] form, and that decodes too. */
static void test_pkix_explicit_form(void **state)
{
    unsigned char *der, *re = NULL, *re2 = NULL;
    size_t len, relen = 0, re2len = 0;
    attest_pkix *p = decode_evidence("pkix-evidence/evidence2.pem", &der, &len), *w, *p2 = NULL;
    attest_err err = { { 0 } };
    ATTEST_PKIX_EVIDENCE *copy;

    (void)state;
    copy = ASN1_item_dup(ASN1_ITEM_rptr(ATTEST_PKIX_EVIDENCE), p->ev);
    assert_non_null(copy);
    w = attest_pkix_wrap(copy, &err);
    assert_non_null(w);
    assert_int_equal(w->intermediates_explicit, 1);
    assert_bytes(w->tbs_der, w->tbs_len, p->tbs_der, p->tbs_len);
    assert_int_equal(attest_pkix_encode(w, &re, &relen, &err), 0);
    /* A0 { 30 { cert } }: 4 bytes longer than the implicit input */
    assert_int_equal(relen, len + 4);
    assert_memory_equal(re + 4, der + 4, 1333 - 4);
    assert_int_equal(re[1333], 0xA0);
    assert_int_equal(re[1337], 0x30);
    assert_int_equal(re[1341], 0x30);
    assert_int_equal(attest_pkix_decode(re, relen, &p2, &err), 0);
    assert_int_equal(p2->intermediates_explicit, 1);
    assert_int_equal(sk_X509_num(p2->ev->intermediates), 1);
    assert_int_equal(attest_pkix_encode(p2, &re2, &re2len, &err), 0);
    assert_bytes(re2, re2len, re, relen);
    OPENSSL_free(re);
    OPENSSL_free(re2);
    attest_pkix_free(w);
    attest_pkix_free(p2);
    attest_pkix_free(p);
    free(der);
}

/* ---------------------------------------------------------------- encoder */

static void test_bundle_builder(void **state)
{
    unsigned char *att, *sig, *key, *stmt = NULL, *der = NULL, *bad;
    size_t attlen, siglen, keylen, stmtlen = 0, derlen = 0;
    attest_tpm2_stmt s = { 0 };
    attest_bundle *b = attest_bundle_new(), *d = NULL;
    attest_err err = { { 0 } };
    X509 *ak = read_cert("pkix-evidence/ak.crt"), *ca = read_cert("pkix-evidence/ca.crt");

    (void)state;
    assert_non_null(b);
    att = read_vec("swtpm-ecc/certify1.tpms_attest", &attlen);
    sig = read_vec("swtpm-ecc/certify1.sig.plain_der", &siglen);
    key = read_vec("swtpm-ecc/key.tpmt_public", &keylen);
    s.attest = att;
    s.attest_len = attlen;
    s.sig = sig;
    s.sig_len = siglen;
    s.pub = key;
    s.pub_len = keylen;
    assert_int_equal(attest_tpm2_stmt_encode(&s, &stmt, &stmtlen, &err), 0);

    /* nothing to encode yet */
    err.msg[0] = '\0';
    assert_int_equal(attest_bundle_encode(b, &der, &derlen, &err), -1);
    assert_true(err.msg[0] != '\0');

    /* stmt must be exactly one TLV */
    bad = malloc(2 * stmtlen);
    assert_non_null(bad);
    memcpy(bad, stmt, stmtlen);
    memcpy(bad + stmtlen, stmt, stmtlen);
    err.msg[0] = '\0';
    assert_int_equal(attest_bundle_add_statement(b, attest_oid_obj(ATTEST_OID_TPM_CERTIFY), bad, 2 * stmtlen, &err),
                     -1);
    assert_true(err.msg[0] != '\0');
    err.msg[0] = '\0';
    assert_int_equal(attest_bundle_add_statement(b, attest_oid_obj(ATTEST_OID_TPM_CERTIFY), bad, stmtlen - 1, &err),
                     -1);
    assert_true(err.msg[0] != '\0');
    err.msg[0] = '\0';
    assert_int_equal(attest_bundle_add_statement(b, attest_oid_obj(ATTEST_OID_TPM_CERTIFY), bad, 0, &err), -1);
    assert_true(err.msg[0] != '\0');
    assert_int_equal(b->n_stmts, 0);

    assert_int_equal(attest_bundle_add_statement(b, attest_oid_obj(ATTEST_OID_TPM_CERTIFY), stmt, stmtlen, &err), 0);
    assert_int_equal(b->n_stmts, 1);
    assert_string_equal(attest_engine_kind(attest_engine_for_type(b->stmts[0].type)), "tpm2-certify");
    assert_int_equal(attest_bundle_add_cert(b, ak), 0);
    assert_int_equal(attest_bundle_add_cert(b, ca), 0);
    assert_int_equal(attest_bundle_encode(b, &der, &derlen, &err), 0);

    assert_int_equal(attest_bundle_decode(der, derlen, &d, &err), 0);
    assert_int_equal(d->legacy, 0);
    assert_int_equal(d->n_stmts, 1);
    assert_string_equal(attest_engine_kind(attest_engine_for_type(d->stmts[0].type)), "tpm2-certify");
    assert_null(d->stmts[0].hint);
    assert_bytes(d->stmts[0].stmt, d->stmts[0].stmt_len, stmt, stmtlen);
    assert_int_equal(sk_X509_num(d->certs), 2);
    assert_int_equal(X509_cmp(sk_X509_value(d->certs, 0), ak), 0);
    assert_int_equal(X509_cmp(sk_X509_value(d->certs, 1), ca), 0);

    /* the bundle goes into a CSR and comes back */
    {
        X509_REQ *req = X509_REQ_new();
        unsigned char *rder = NULL;
        int rlen;
        attest_csr *c = NULL;

        assert_non_null(req);
        /* OpenSSL >= 3.4 verifies only v1 requests, as every real one is. */
        assert_int_equal(X509_REQ_set_version(req, X509_REQ_VERSION_1), 1);
        assert_int_equal(attest_csr_add_bundle(req, der, derlen, &err), 0);
        assert_int_equal(attest_csr_add_bundle(req, der, derlen, &err), -1);
        assert_int_equal(X509_REQ_get_attr_count(req), 1);
        EVP_PKEY *tk = EVP_EC_gen("P-256");

        assert_non_null(tk);
        assert_int_equal(X509_REQ_set_pubkey(req, tk), 1);
        assert_true(X509_REQ_sign(req, tk, EVP_sha256()) > 0);
        rlen = i2d_X509_REQ(req, &rder);
        assert_true(rlen > 0);
        assert_int_equal(attest_csr_decode(rder, (size_t)rlen, &c, &err), 0);
        assert_int_equal(c->n_attest_attrs, 1);
        assert_bytes(c->bundle_der, c->bundle_len, der, derlen);
        attest_csr_free(c);
        assert_int_equal(X509_REQ_verify(req, tk), 1);
        EVP_PKEY_free(tk);
        OPENSSL_free(rder);
        X509_REQ_free(req);
    }

    /* a PKIX statement: kind from the configured statement OID */
    {
        unsigned char *ev;
        size_t evlen;

        ev = read_pem_der("pkix-evidence/evidence1.pem", "EVIDENCE", &evlen);
        assert_int_equal(attest_bundle_add_statement(b, attest_oid_obj(ATTEST_OID_PKIX_STATEMENT), ev, evlen, &err), 0);
        assert_string_equal(attest_engine_kind(attest_engine_for_type(b->stmts[1].type)), "pkix-evidence");
        free(ev);
    }

    attest_bundle_free(b);
    attest_bundle_free(d);
    /* our references survive the bundles */
    assert_int_equal(X509_check_ca(ca) > 0, 1);
    X509_free(ak);
    X509_free(ca);
    OPENSSL_free(stmt);
    OPENSSL_free(der);
    free(bad);
    free(att);
    free(sig);
    free(key);
}

/* ---------------------------------------------------------------- OIDs */

static void test_oids(void **state)
{
    int i;
    char buf[128];
    const char *nm;
    ASN1_OBJECT *unknown;

    (void)state;
    assert_int_equal(attest_oids_init(), 1);
    for (i = 0; i < ATTEST_OID_COUNT; i++) {
        const attest_oid_info *info = attest_oid_info_get((attest_oid_id)i);
        ASN1_OBJECT *o;

        assert_non_null(info);
        assert_int_equal(info->id, i);
        assert_non_null(info->sn);
        assert_true(info->sn[0] != '\0');
        assert_non_null(info->ln);
        o = OBJ_txt2obj(info->dotted, 1);
        if (o == NULL)
            fail_msg("id %d: '%s' is not a dotted OID", i, info->dotted);
        assert_non_null(attest_oid_obj((attest_oid_id)i));
        assert_int_equal(OBJ_cmp(o, attest_oid_obj((attest_oid_id)i)), 0);
        /* find() gives back this id: also proves no two ids share an OID */
        assert_int_equal(attest_oid_find(attest_oid_obj((attest_oid_id)i)), i);
        assert_int_equal(attest_oid_find(o), i);
        assert_string_equal(attest_oid_name(o, buf, sizeof(buf)), info->sn);
        ASN1_OBJECT_free(o);
    }
    assert_null(attest_oid_info_get(ATTEST_OID_COUNT));
    assert_null(attest_oid_obj(ATTEST_OID_COUNT));

    assert_string_equal(attest_oid_info_get(ATTEST_OID_AA_ATTESTATION)->dotted, "1.2.840.113549.1.9.16.2.59");
    assert_string_equal(attest_oid_info_get(ATTEST_OID_TPM_CERTIFY)->dotted, "2.23.133.20.1");
    assert_string_equal(attest_oid_info_get(ATTEST_OID_TCG_KP_AIK)->dotted, "2.23.133.8.3");
    assert_string_equal(attest_oid_info_get(ATTEST_OID_PKIX_KEY_SPKI)->dotted, "1.3.6.1.5.5.999.1.2.1");
    assert_string_equal(attest_oid_info_get(ATTEST_OID_PKIX_EL_TRANSACTION)->dotted, "1.3.6.1.5.5.999.0.0");
    assert_string_equal(attest_oid_info_get(ATTEST_OID_PKIX_PL_FIPSBOOT)->dotted, "1.3.6.1.5.5.999.1.1.10");
    assert_string_equal(attest_oid_info_get(ATTEST_OID_PKIX_CAP_DERIVE)->dotted, "1.3.6.1.5.5.999.2.8");
    assert_string_equal(attest_oid_info_get(ATTEST_OID_KP_ATTESTATION_KEY)->dotted, "1.3.6.1.5.5.7.3.999");
    assert_int_equal(attest_oid_info_get(ATTEST_OID_KP_ATTESTATION_KEY)->placeholder, 1);
    assert_int_equal(attest_oid_info_get(ATTEST_OID_AA_ATTESTATION)->placeholder, 0);
    assert_int_equal(attest_oid_find(NULL), -1);

    /* unknown OIDs: -1, and attest_oid_name falls back to dotted text */
    unknown = OBJ_txt2obj("1.2.3.4.5.6.7", 1);
    assert_non_null(unknown);
    assert_int_equal(attest_oid_find(unknown), -1);
    assert_null(attest_pkix_claim_def_find(unknown));
    assert_null(attest_engine_for_type(unknown));
    assert_string_equal(attest_engine_kind(NULL), "other");
    nm = attest_oid_name(unknown, buf, sizeof(buf));
    assert_string_equal(nm, "1.2.3.4.5.6.7");
    ASN1_OBJECT_free(unknown);

    /* the table is fixed once used */
    assert_int_equal(attest_oids_configure("1.2.3.999", NULL, NULL), 0);
    assert_string_equal(attest_oid_info_get(ATTEST_OID_PKIX_KEY_SPKI)->dotted, "1.3.6.1.5.5.999.1.2.1");
}

static void test_legacy_describe(void **state)
{
    char buf[128];

    (void)state;
    attest_legacy_describe(0, buf, sizeof(buf));
    assert_string_equal(buf, "");
    attest_legacy_describe(ATTEST_LEGACY_HINT_UTF8, buf, sizeof(buf));
    assert_string_equal(buf, "hint-utf8string");
    attest_legacy_describe(ATTEST_LEGACY_BUNDLE_LIST | ATTEST_LEGACY_HINT_IA5, buf, sizeof(buf));
    assert_string_equal(buf, "list-of-bundles,hint-ia5string");
    assert_string_equal(attest_engine_kind(attest_engine_for_type(attest_oid_obj(ATTEST_OID_TPM_CERTIFY))),
                        "tpm2-certify");
    assert_string_equal(attest_engine_kind(attest_engine_for_type(attest_oid_obj(ATTEST_OID_PE_CMW))), "cmw");
    assert_string_equal(attest_engine_kind(attest_engine_for_type(attest_oid_obj(ATTEST_OID_DICE_CMW))), "cmw");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lamps_9245d16_is_utf8_legacy_bundle),
        cmocka_unit_test(test_lamps_head_is_ia5_legacy_bundle),
        cmocka_unit_test(test_lamps_differ_at_1162),
        cmocka_unit_test(test_lamps_csr_signatures),
        cmocka_unit_test(test_swtpm_rsa),
        cmocka_unit_test(test_swtpm_ecc),
        cmocka_unit_test(test_swtpm_rsa_qualified_signer),
        cmocka_unit_test(test_tpm2b_public_stmt),
        cmocka_unit_test(test_pkix_evidence1),
        cmocka_unit_test(test_pkix_evidence2),
        cmocka_unit_test(test_pkix_evidence3),
        cmocka_unit_test(test_roundtrip_csr),
        cmocka_unit_test(test_roundtrip_bundle),
        cmocka_unit_test(test_roundtrip_tpm2_stmt),
        cmocka_unit_test(test_roundtrip_pkix),
        cmocka_unit_test(test_pkix_explicit_form),
        cmocka_unit_test(test_bundle_builder),
        cmocka_unit_test(test_oids),
        cmocka_unit_test(test_legacy_describe),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
