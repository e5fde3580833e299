/*
 * The request signature `new` makes with TPM2_Sign, without a TPM: a
 * software key signs the CertificationRequestInfo digest, the result is
 * put in a TPMT_SIGNATURE as a TPM returns it, and attest_tpm_sig_bytes
 * plus attest_request_build's external signer turn it into the X.509
 * signature.  A flipped byte in the TPMT_SIGNATURE must never give a
 * request that verifies: the builder refuses it, and a request carrying
 * it fails csr.signature in the verifier.  Also attest_tpm_sign_plan and
 * the encoder-free SubjectPublicKeyInfo (attest_request_set_spki).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <tss2/tss2_mu.h>

#include "attest/checks.h"
#include "attest/oids.h"
#include "attest/request.h"
#include "attest/tpm2_device.h"
#include "attest/verdict.h"

typedef struct {
    EVP_PKEY *priv;  /* stands in for the TPM's key */
    uint16_t scheme; /* TPM2_ALG_RSASSA / RSAPSS / ECDSA */
    size_t flip;     /* 0: none; else flip byte flip-1 of the R (ECDSA) or signature (RSA) */
} tpm_stub;

/* What TPM2_Sign would answer for this digest, as a TPMT_SIGNATURE. */
static void stub_sign(const tpm_stub *s, const unsigned char *dg, size_t dlen, TPMT_SIGNATURE *ts)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(s->priv, NULL);
    unsigned char sig[512];
    size_t slen = sizeof(sig);

    memset(ts, 0, sizeof(*ts));
    ts->sigAlg = s->scheme;
    assert_non_null(ctx);
    assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
    assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
    if (s->scheme == TPM2_ALG_RSAPSS) {
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST), 1);
    }
    assert_int_equal(EVP_PKEY_sign(ctx, sig, &slen, dg, dlen), 1);
    EVP_PKEY_CTX_free(ctx);
    if (s->scheme == TPM2_ALG_ECDSA) {
        const unsigned char *p = sig;
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)slen);
        const BIGNUM *r, *sv;

        assert_non_null(es);
        ECDSA_SIG_get0(es, &r, &sv);
        ts->signature.ecdsa.hash = TPM2_ALG_SHA256;
        ts->signature.ecdsa.signatureR.size = 32;
        ts->signature.ecdsa.signatureS.size = 32;
        assert_int_equal(BN_bn2binpad(r, ts->signature.ecdsa.signatureR.buffer, 32), 32);
        assert_int_equal(BN_bn2binpad(sv, ts->signature.ecdsa.signatureS.buffer, 32), 32);
        ECDSA_SIG_free(es);
        if (s->flip)
            ts->signature.ecdsa.signatureR.buffer[s->flip - 1] ^= 0x01;
    } else {
        TPM2B_PUBLIC_KEY_RSA *b = s->scheme == TPM2_ALG_RSASSA ? &ts->signature.rsassa.sig : &ts->signature.rsapss.sig;

        ts->signature.rsassa.hash = TPM2_ALG_SHA256;
        b->size = (UINT16)slen;
        memcpy(b->buffer, sig, slen);
        if (s->flip)
            b->buffer[s->flip - 1] ^= 0x01;
    }
}

static int stub_signer(void *arg, const unsigned char *dg, size_t dlen, unsigned char **sig, size_t *sig_len,
                       attest_err *err)
{
    const tpm_stub *s = arg;
    TPMT_SIGNATURE ts;

    stub_sign(s, dg, dlen, &ts);
    return attest_tpm_sig_bytes(&ts, s->scheme, sig, sig_len, err);
}

/* The public half only, as `new` has it from the certified TPMT_PUBLIC. */
static EVP_PKEY *public_of(EVP_PKEY *k)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    int n = i2d_PUBKEY(k, &der);
    EVP_PKEY *pub;

    assert_true(n > 0);
    p = der;
    pub = d2i_PUBKEY(NULL, &p, n);
    OPENSSL_free(der);
    assert_non_null(pub);
    return pub;
}

static int build(tpm_stub *s, EVP_PKEY *pub, unsigned char **der, size_t *len, attest_err *err)
{
    static const char *const ext[] = { "keyUsage=critical,digitalSignature" };
    attest_request_opts o;

    memset(&o, 0, sizeof(o));
    o.subject = "/CN=tpm signed/O=attest";
    o.addext = ext;
    o.n_addext = 1;
    o.pss = s->scheme == TPM2_ALG_RSAPSS;
    o.signer = stub_signer;
    o.signer_arg = s;
    return attest_request_build(pub, &o, NULL, 0, der, len, err);
}

static attest_check_result csr_signature(const unsigned char *der, size_t len)
{
    attest_trust *trust = attest_trust_new();
    attest_policy policy;
    attest_verify_params vp;
    attest_verdict *v;
    attest_check_result r;

    memset(&vp, 0, sizeof(vp));
    assert_non_null(trust);
    attest_policy_default(&policy);
    vp.trust = trust;
    vp.policy = &policy;
    assert_non_null(v = attest_verify_csr(&vp, der, len));
    assert_non_null(attest_checks_find(&v->checks, CHK_CSR_SIGNATURE));
    r = attest_checks_find(&v->checks, CHK_CSR_SIGNATURE)->result;
    attest_verdict_free(v);
    attest_trust_free(trust);
    return r;
}

static int openssl_verifies(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)len);
    int ok = req != NULL && X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) == 1;

    X509_REQ_free(req);
    return ok;
}

/* Good signature: both OpenSSL and our verifier accept; a flipped byte: refused, and caught by csr.signature. */
static void round_trip(EVP_PKEY *priv, uint16_t scheme, size_t flip_at)
{
    tpm_stub s = { priv, scheme, 0 };
    EVP_PKEY *pub = public_of(priv);
    unsigned char *good = NULL, *bad = NULL, *sig = NULL;
    size_t good_len = 0, bad_len = 0, sig_len = 0;
    const unsigned char *p;
    X509_REQ *req;
    ASN1_BIT_STRING *bits;
    TPMT_SIGNATURE ts;
    unsigned char dg[32], *tbs = NULL;
    attest_err err;
    int n;

    if (build(&s, pub, &good, &good_len, &err) != 0)
        fail_msg("attest_request_build: %s", err.msg);
    assert_true(openssl_verifies(good, good_len));
    assert_int_equal(csr_signature(good, good_len), ATTEST_CHECK_PASS);

    /* the builder's own check refuses a corrupted TPM signature */
    s.flip = flip_at;
    assert_int_not_equal(build(&s, pub, &bad, &bad_len, &err), 0);
    assert_non_null(strstr(err.msg, "does not verify"));
    assert_null(bad);

    /* the same corruption put on the good request's bytes: csr.signature fails */
    p = good;
    assert_non_null(req = d2i_X509_REQ(NULL, &p, (long)good_len));
    assert_true((n = i2d_re_X509_REQ_tbs(req, &tbs)) > 0);
    assert_int_equal(EVP_Digest(tbs, (size_t)n, dg, NULL, EVP_sha256(), NULL), 1);
    stub_sign(&s, dg, sizeof(dg), &ts);
    assert_int_equal(attest_tpm_sig_bytes(&ts, scheme, &sig, &sig_len, &err), 0);
    assert_non_null(bits = ASN1_BIT_STRING_new());
    assert_true(ASN1_BIT_STRING_set(bits, sig, (int)sig_len));
    bits->flags = ASN1_STRING_FLAG_BITS_LEFT;
    X509_REQ_set0_signature(req, bits);
    assert_true((n = i2d_X509_REQ(req, &bad)) > 0);
    assert_false(openssl_verifies(bad, (size_t)n));
    assert_int_equal(csr_signature(bad, (size_t)n), ATTEST_CHECK_FAIL);

    X509_REQ_free(req);
    OPENSSL_free(tbs);
    OPENSSL_free(sig);
    OPENSSL_free(bad);
    OPENSSL_free(good);
    EVP_PKEY_free(pub);
}

static void test_ecdsa(void **state)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

    (void)state;
    assert_non_null(k);
    round_trip(k, TPM2_ALG_ECDSA, 1);
    round_trip(k, TPM2_ALG_ECDSA, 32);
    EVP_PKEY_free(k);
}

static void test_rsa(void **state)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);

    (void)state;
    assert_non_null(k);
    round_trip(k, TPM2_ALG_RSASSA, 1);
    round_trip(k, TPM2_ALG_RSASSA, 256);
    round_trip(k, TPM2_ALG_RSAPSS, 100);
    EVP_PKEY_free(k);
}

/* A TPM answer of another scheme than asked for is not converted. */
static void test_scheme_mismatch(void **state)
{
    TPMT_SIGNATURE ts;
    unsigned char *out = NULL;
    size_t len = 0;
    attest_err err = { "" };

    (void)state;
    memset(&ts, 0, sizeof(ts));
    ts.sigAlg = TPM2_ALG_RSASSA;
    ts.signature.rsassa.sig.size = 4;
    assert_int_equal(attest_tpm_sig_bytes(&ts, TPM2_ALG_RSAPSS, &out, &len, &err), -1);
    assert_null(out);
    assert_non_null(strstr(err.msg, "asked for 0x0016"));
    ts.signature.rsassa.sig.size = 0;
    assert_int_equal(attest_tpm_sig_bytes(&ts, TPM2_ALG_RSASSA, &out, &len, &err), -1);
}

static size_t marshal(const TPMT_PUBLIC *p, unsigned char *buf, size_t cap)
{
    size_t off = 0;

    assert_int_equal(Tss2_MU_TPMT_PUBLIC_Marshal(p, buf, cap, &off), TSS2_RC_SUCCESS);
    return off;
}

/* Which keys TPM2_Sign may sign a request with, and with what scheme. */
static void test_plan(void **state)
{
    TPMT_PUBLIC p;
    attest_tpm_signer s;
    unsigned char buf[sizeof(TPMT_PUBLIC)];
    size_t n;
    attest_err why;

    (void)state;
    memset(&p, 0, sizeof(p));
    p.type = TPM2_ALG_ECC;
    p.nameAlg = TPM2_ALG_SHA256;
    p.objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_USERWITHAUTH;
    p.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
    p.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
    p.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
    p.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
    p.unique.ecc.x.size = p.unique.ecc.y.size = 32;
    n = marshal(&p, buf, sizeof(buf));
    assert_int_equal(attest_tpm_sign_plan(buf, n, "SHA256", 0, &s, &why), 0);
    assert_int_equal(s.scheme, TPM2_ALG_ECDSA);
    assert_int_equal(s.hash, TPM2_ALG_SHA256);
    assert_int_equal(attest_tpm_sign_plan(buf, n, "sha384", 0, &s, &why), 0);
    assert_int_equal(s.hash, TPM2_ALG_SHA384);
    assert_int_equal(attest_tpm_sign_plan(buf, n, "SHA3-256", 0, &s, &why), -1);
    /* no --md: the request's default for the curve */
    assert_int_equal(attest_tpm_sign_plan(buf, n, NULL, 0, &s, &why), 0);
    assert_string_equal(s.md, "SHA256");
    p.parameters.eccDetail.curveID = TPM2_ECC_NIST_P384;
    p.unique.ecc.x.size = p.unique.ecc.y.size = 48;
    n = marshal(&p, buf, sizeof(buf));
    assert_int_equal(attest_tpm_sign_plan(buf, n, NULL, 0, &s, &why), 0);
    assert_string_equal(s.md, "SHA384");
    assert_int_equal(s.hash, TPM2_ALG_SHA384);

    /* a fixed ECDSA/SHA-256 scheme: only that */
    p.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
    p.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
    n = marshal(&p, buf, sizeof(buf));
    assert_int_equal(attest_tpm_sign_plan(buf, n, "SHA256", 0, &s, &why), 0);
    assert_int_equal(attest_tpm_sign_plan(buf, n, "SHA384", 0, &s, &why), -1);
    assert_non_null(strstr(why.msg, "scheme"));

    /* restricted (an AK): the provider's hash-in-TPM path, not TPM2_Sign */
    p.objectAttributes |= TPMA_OBJECT_RESTRICTED;
    n = marshal(&p, buf, sizeof(buf));
    assert_int_equal(attest_tpm_sign_plan(buf, n, "SHA256", 0, &s, &why), -1);
    assert_non_null(strstr(why.msg, "restricted"));

    /* RSA: RSASSA, or RSAPSS when asked */
    memset(&p, 0, sizeof(p));
    p.type = TPM2_ALG_RSA;
    p.nameAlg = TPM2_ALG_SHA256;
    p.objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT;
    p.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
    p.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
    p.parameters.rsaDetail.keyBits = 2048;
    p.unique.rsa.size = 256;
    n = marshal(&p, buf, sizeof(buf));
    assert_int_equal(attest_tpm_sign_plan(buf, n, "SHA256", 0, &s, &why), 0);
    assert_int_equal(s.scheme, TPM2_ALG_RSASSA);
    assert_int_equal(attest_tpm_sign_plan(buf, n, "SHA256", 1, &s, &why), 0);
    assert_int_equal(s.scheme, TPM2_ALG_RSAPSS);
    p.objectAttributes = TPMA_OBJECT_DECRYPT;
    n = marshal(&p, buf, sizeof(buf));
    assert_int_equal(attest_tpm_sign_plan(buf, n, "SHA256", 0, &s, &why), -1);
    assert_non_null(strstr(why.msg, "not a signing key"));
}

/* The encoder-free SubjectPublicKeyInfo is byte for byte what X509_REQ_set_pubkey writes. */
static void spki_same(EVP_PKEY *k)
{
    X509_REQ *a = X509_REQ_new(), *b = X509_REQ_new();
    unsigned char *da = NULL, *db = NULL;
    int la, lb;

    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(attest_request_set_spki(a, k), 1);
    assert_int_equal(X509_REQ_set_pubkey(b, k), 1);
    la = i2d_X509_PUBKEY(X509_REQ_get_X509_PUBKEY(a), &da);
    lb = i2d_X509_PUBKEY(X509_REQ_get_X509_PUBKEY(b), &db);
    assert_true(la > 0);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, (size_t)la);
    OPENSSL_free(da);
    OPENSSL_free(db);
    X509_REQ_free(a);
    X509_REQ_free(b);
}

static void test_spki(void **state)
{
    static const char *const curves[] = { "P-256", "P-384", "P-521" };
    EVP_PKEY *k;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
        assert_non_null(k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curves[i]));
        spki_same(k);
        EVP_PKEY_free(k);
    }
    assert_non_null(k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048));
    spki_same(k);
    EVP_PKEY_free(k);
    /* other key types are left to X509_REQ_set_pubkey */
    assert_non_null(k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"));
    {
        X509_REQ *r = X509_REQ_new();

        assert_int_equal(attest_request_set_spki(r, k), 0);
        X509_REQ_free(r);
    }
    EVP_PKEY_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ecdsa), cmocka_unit_test(test_rsa),  cmocka_unit_test(test_scheme_mismatch),
        cmocka_unit_test(test_plan),  cmocka_unit_test(test_spki),
    };

    if (!attest_oids_init())
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
