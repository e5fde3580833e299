/*
 * evidence/tpm2_device.c against a real (software) TPM.
 *
 * Needs SWTPM_LAB_TCTI (set by the swtpm lab wrapper); without it every
 * TPM test calls skip().  The group setup provisions, through its own
 * ESAPI connection, everything the tests use:
 *   0x81000001 SRK   ECC P-256 storage primary (tpm2_createprimary defaults)
 *   0x81008001 AK    ECC P-256 restricted signing, ECDSA/SHA-256, endorsement
 *   0x81008002 AK    RSA-2048 restricted signing, RSASSA/SHA-256, endorsement
 *   0x81000010 key   ECC P-256 unrestricted signing, NULL scheme, under SRK
 *   0x81000011 key   RSA-2048 unrestricted signing, NULL scheme, under SRK
 * and shells out to `openssl genpkey -provider tpm2` for TSS2 PRIVATE KEYs.
 * Every test opens and closes its own attest_tpm, and checks that no
 * transient object is left behind.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tctildr.h>

#include "attest/tpm2_device.h"
#include "attest/tss2_privkey.h"

#define H_SRK     0x81000001u
#define H_AK_ECC  0x81008001u
#define H_AK_RSA  0x81008002u
#define H_KEY_ECC 0x81000010u
#define H_KEY_RSA 0x81000011u
#define H_MISSING 0x81000099u

#define KEY_ATTRS                                                                                                \
    (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH \
     | TPMA_OBJECT_SIGN_ENCRYPT)
#define AK_ATTRS (KEY_ATTRS | TPMA_OBJECT_RESTRICTED)

struct blob {
    unsigned char *buf;
    size_t len;
};

static struct {
    const char *tcti;
    struct blob pem_ec;     /* tpm2-openssl, parent owner */
    struct blob pem_rsa;    /* tpm2-openssl, parent owner */
    struct blob pem_ec_srk; /* tpm2-openssl, parent 0x81000001 */
    struct blob pem_ec_pw;  /* tpm2-openssl, user-auth set */
} lab;

/* ---------- provisioning through a private ESAPI connection ---------- */

static int esys_open(ESYS_CONTEXT **esys, TSS2_TCTI_CONTEXT **tcti)
{
    if (Tss2_TctiLdr_Initialize(lab.tcti, tcti) != TSS2_RC_SUCCESS)
        return -1;
    if (Esys_Initialize(esys, *tcti, NULL) != TSS2_RC_SUCCESS) {
        Tss2_TctiLdr_Finalize(tcti);
        return -1;
    }

    return 0;
}

static void esys_close(ESYS_CONTEXT **esys, TSS2_TCTI_CONTEXT **tcti)
{
    Esys_Finalize(esys);
    Tss2_TctiLdr_Finalize(tcti);
}

static TPM2B_PUBLIC tmpl_ecc(TPMA_OBJECT attrs, TPMI_ALG_ECC_SCHEME scheme, int storage)
{
    TPM2B_PUBLIC p;

    memset(&p, 0, sizeof(p));
    p.publicArea.type = TPM2_ALG_ECC;
    p.publicArea.nameAlg = TPM2_ALG_SHA256;
    p.publicArea.objectAttributes = attrs;
    p.publicArea.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
    if (storage) {
        p.publicArea.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
        p.publicArea.parameters.eccDetail.symmetric.keyBits.aes = 128;
        p.publicArea.parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
    }
    p.publicArea.parameters.eccDetail.scheme.scheme = scheme;
    if (scheme != TPM2_ALG_NULL)
        p.publicArea.parameters.eccDetail.scheme.details.anySig.hashAlg = TPM2_ALG_SHA256;
    p.publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
    p.publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;

    return p;
}

static TPM2B_PUBLIC tmpl_rsa(TPMA_OBJECT attrs, TPMI_ALG_RSA_SCHEME scheme)
{
    TPM2B_PUBLIC p;

    memset(&p, 0, sizeof(p));
    p.publicArea.type = TPM2_ALG_RSA;
    p.publicArea.nameAlg = TPM2_ALG_SHA256;
    p.publicArea.objectAttributes = attrs;
    p.publicArea.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
    p.publicArea.parameters.rsaDetail.scheme.scheme = scheme;
    if (scheme != TPM2_ALG_NULL)
        p.publicArea.parameters.rsaDetail.scheme.details.anySig.hashAlg = TPM2_ALG_SHA256;
    p.publicArea.parameters.rsaDetail.keyBits = 2048;

    return p;
}

/* Evict whatever sits at h (a rerun against the same TPM), then persist. */
static int persist(ESYS_CONTEXT *esys, ESYS_TR obj, TPM2_HANDLE h)
{
    ESYS_TR old = ESYS_TR_NONE, out = ESYS_TR_NONE;

    if (Esys_TR_FromTPMPublic(esys, h, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &old) == TSS2_RC_SUCCESS
        && Esys_EvictControl(esys, ESYS_TR_RH_OWNER, old, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, h, &out)
            != TSS2_RC_SUCCESS)
        return -1;
    if (Esys_EvictControl(esys, ESYS_TR_RH_OWNER, obj, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, h, &out)
        != TSS2_RC_SUCCESS)
        return -1;

    return Esys_TR_Close(esys, &out) == TSS2_RC_SUCCESS ? 0 : -1;
}

static int make_primary(ESYS_CONTEXT *esys, ESYS_TR hier, const TPM2B_PUBLIC *tmpl, TPM2_HANDLE h, ESYS_TR *keep)
{
    TPM2B_SENSITIVE_CREATE sens;
    TPM2B_DATA outside;
    TPML_PCR_SELECTION pcrs;
    ESYS_TR obj = ESYS_TR_NONE;
    int ok;

    memset(&sens, 0, sizeof(sens));
    memset(&outside, 0, sizeof(outside));
    memset(&pcrs, 0, sizeof(pcrs));
    if (Esys_CreatePrimary(esys, hier, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sens, tmpl, &outside, &pcrs, &obj,
                           NULL, NULL, NULL, NULL)
        != TSS2_RC_SUCCESS)
        return -1;
    ok = persist(esys, obj, h);
    if (keep != NULL && ok == 0)
        *keep = obj;
    else
        Esys_FlushContext(esys, obj);

    return ok;
}

static int make_child(ESYS_CONTEXT *esys, ESYS_TR parent, const TPM2B_PUBLIC *tmpl, TPM2_HANDLE h)
{
    TPM2B_SENSITIVE_CREATE sens;
    TPM2B_DATA outside;
    TPML_PCR_SELECTION pcrs;
    TPM2B_PRIVATE *priv = NULL;
    TPM2B_PUBLIC *pub = NULL;
    ESYS_TR obj = ESYS_TR_NONE;
    int ok = -1;

    memset(&sens, 0, sizeof(sens));
    memset(&outside, 0, sizeof(outside));
    memset(&pcrs, 0, sizeof(pcrs));
    if (Esys_Create(esys, parent, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sens, tmpl, &outside, &pcrs, &priv,
                    &pub, NULL, NULL, NULL)
        != TSS2_RC_SUCCESS)
        goto fail;
    if (Esys_Load(esys, parent, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, priv, pub, &obj) != TSS2_RC_SUCCESS)
        goto fail;
    ok = persist(esys, obj, h);
fail:
    if (obj != ESYS_TR_NONE)
        Esys_FlushContext(esys, obj);
    Esys_Free(priv);
    Esys_Free(pub);

    return ok;
}

static int provision(void)
{
    ESYS_CONTEXT *esys = NULL;
    TSS2_TCTI_CONTEXT *tcti = NULL;
    ESYS_TR srk = ESYS_TR_NONE;
    TPM2B_PUBLIC t;
    int ok = -1;

    if (esys_open(&esys, &tcti) < 0)
        return -1;
    /* like tpm2_createprimary -C o -G ecc256:aes128cfb: no noDA */
    t = tmpl_ecc(TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN
                     | TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT,
                 TPM2_ALG_NULL, 1);
    if (make_primary(esys, ESYS_TR_RH_OWNER, &t, H_SRK, &srk) < 0)
        goto fail;
    t = tmpl_ecc(AK_ATTRS, TPM2_ALG_ECDSA, 0);
    if (make_primary(esys, ESYS_TR_RH_ENDORSEMENT, &t, H_AK_ECC, NULL) < 0)
        goto fail;
    t = tmpl_rsa(AK_ATTRS, TPM2_ALG_RSASSA);
    if (make_primary(esys, ESYS_TR_RH_ENDORSEMENT, &t, H_AK_RSA, NULL) < 0)
        goto fail;
    t = tmpl_ecc(KEY_ATTRS, TPM2_ALG_NULL, 0);
    if (make_child(esys, srk, &t, H_KEY_ECC) < 0)
        goto fail;
    t = tmpl_rsa(KEY_ATTRS, TPM2_ALG_NULL);
    if (make_child(esys, srk, &t, H_KEY_RSA) < 0)
        goto fail;
    ok = 0;
fail:
    if (srk != ESYS_TR_NONE)
        Esys_FlushContext(esys, srk);
    esys_close(&esys, &tcti);

    return ok;
}

/*
 * Run `openssl genpkey -provider tpm2 ARGS` and keep its output.  ctest
 * points OPENSSL_MODULES at our own provider, so name tpm2.so's directory.
 */
static int genpkey(const char *args, struct blob *out)
{
    const char *mods = OPENSSL_info(OPENSSL_INFO_MODULES_DIR);
    char cmd[768];
    unsigned char buf[4096];
    size_t n, len = 0;
    FILE *f;

    if (mods == NULL || strchr(mods, '\'') != NULL)
        return -1;
    snprintf(cmd, sizeof(cmd),
             "openssl genpkey -provider-path '%s' "
             "-provider tpm2 -provider default %s 2>&1",
             mods, args);
    if ((f = popen(cmd, "r")) == NULL)
        return -1;
    while ((n = fread(buf + len, 1, sizeof(buf) - 1 - len, f)) > 0)
        len += n;
    buf[len] = '\0';
    if (pclose(f) != 0 || strstr((char *)buf, "BEGIN TSS2") == NULL) {
        fprintf(stderr, "%s failed:\n%s\n", cmd, (char *)buf);
        return -1;
    }
    if ((out->buf = OPENSSL_memdup(buf, len)) == NULL)
        return -1;
    out->len = len;

    return 0;
}

static int group_setup(void **state)
{
    (void)state;
    memset(&lab, 0, sizeof(lab));
    if ((lab.tcti = getenv("SWTPM_LAB_TCTI")) == NULL || *lab.tcti == '\0') {
        lab.tcti = NULL;
        return 0;
    }
    /* tpm2-openssl 1.1.1 reads its TCTI only from this variable */
    if (setenv("TPM2OPENSSL_TCTI", lab.tcti, 1) != 0)
        return -1;
    if (provision() < 0) {
        fprintf(stderr, "provisioning the TPM at %s failed\n", lab.tcti);
        return -1;
    }
    if (genpkey("-algorithm EC -pkeyopt group:P-256", &lab.pem_ec) < 0
        || genpkey("-algorithm RSA -pkeyopt bits:2048", &lab.pem_rsa) < 0
        || genpkey("-algorithm EC -pkeyopt group:P-256 -pkeyopt "
                   "parent:0x81000001",
                   &lab.pem_ec_srk)
            < 0
        || genpkey("-algorithm EC -pkeyopt group:P-256 -pkeyopt "
                   "user-auth:secret",
                   &lab.pem_ec_pw)
            < 0)
        return -1;

    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    OPENSSL_free(lab.pem_ec.buf);
    OPENSSL_free(lab.pem_rsa.buf);
    OPENSSL_free(lab.pem_ec_srk.buf);
    OPENSSL_free(lab.pem_ec_pw.buf);

    return 0;
}

/* ---------- helpers ---------- */

static attest_tpm *tpm_open(void)
{
    attest_tpm *t = NULL;
    attest_err err = { "" };

    if (lab.tcti == NULL)
        skip();
    if (attest_tpm_open(lab.tcti, &t, &err) != 0)
        fail_msg("attest_tpm_open: %s", err.msg);

    return t;
}

static void assert_no_transients(attest_tpm *t)
{
    attest_err err = { "" };
    size_t n = 99;

    assert_int_equal(attest_tpm_count_transients(t, &n, &err), 0);
    assert_int_equal(n, 0);
}

static attest_tpm_keyref href(uint32_t h)
{
    attest_tpm_keyref k = { h, NULL, 0 };

    return k;
}

static attest_tpm_keyref bref(const struct blob *b)
{
    attest_tpm_keyref k = { 0, b->buf, b->len };

    return k;
}

static const EVP_MD *md_of(TPMI_ALG_HASH h)
{
    switch (h) {
    case TPM2_ALG_SHA1: return EVP_sha1();
    case TPM2_ALG_SHA256: return EVP_sha256();
    case TPM2_ALG_SHA384: return EVP_sha384();
    case TPM2_ALG_SHA512: return EVP_sha512();
    }
    fail_msg("unexpected hash 0x%04x", h);
    return NULL;
}

static TPMT_PUBLIC tpmt_of(const unsigned char *pub, size_t len)
{
    TPMT_PUBLIC p;
    size_t off = 0;

    memset(&p, 0, sizeof(p));
    assert_int_equal(Tss2_MU_TPMT_PUBLIC_Unmarshal(pub, len, &off, &p), TSS2_RC_SUCCESS);
    assert_int_equal(off, len);

    return p;
}

/* A public EVP_PKEY from a marshaled TPMT_PUBLIC (RSA or ECC P-256). */
static EVP_PKEY *pkey_of(const unsigned char *pub, size_t len)
{
    TPMT_PUBLIC p = tpmt_of(pub, len);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pk = NULL;
    BIGNUM *n = NULL, *e = NULL;
    unsigned char pt[1 + 2 * 32];
    const TPMS_ECC_POINT *q;

    assert_non_null(bld);
    if (p.type == TPM2_ALG_RSA) {
        n = BN_bin2bn(p.unique.rsa.buffer, p.unique.rsa.size, NULL);
        e = BN_new();
        assert_true(n != NULL && e != NULL);
        assert_true(BN_set_word(e, p.parameters.rsaDetail.exponent ? p.parameters.rsaDetail.exponent : 65537));
        assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n));
        assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e));
        ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    } else {
        assert_int_equal(p.type, TPM2_ALG_ECC);
        assert_int_equal(p.parameters.eccDetail.curveID, TPM2_ECC_NIST_P256);
        q = &p.unique.ecc;
        assert_true(q->x.size <= 32 && q->y.size <= 32);
        memset(pt, 0, sizeof(pt));
        pt[0] = 0x04;
        memcpy(pt + 1 + 32 - q->x.size, q->x.buffer, q->x.size);
        memcpy(pt + 1 + 64 - q->y.size, q->y.buffer, q->y.size);
        assert_true(OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0));
        assert_true(OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt)));
        ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    }
    assert_non_null(params = OSSL_PARAM_BLD_to_param(bld));
    assert_non_null(ctx);
    assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
    assert_int_equal(EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params), 1);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);

    return pk;
}

static unsigned char *ecdsa_der(const TPMS_SIGNATURE_ECC *s, size_t *len)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r, *v;
    unsigned char *der = NULL;
    int n;

    r = BN_bin2bn(s->signatureR.buffer, s->signatureR.size, NULL);
    v = BN_bin2bn(s->signatureS.buffer, s->signatureS.size, NULL);
    assert_true(sig != NULL && r != NULL && v != NULL);
    assert_int_equal(ECDSA_SIG_set0(sig, r, v), 1);
    assert_true((n = i2d_ECDSA_SIG(sig, &der)) > 0);
    *len = (size_t)n;
    ECDSA_SIG_free(sig);

    return der;
}

/* Verify a marshaled TPMT_SIGNATURE over msg with the key ak_pub. */
static int verify_tpmt_sig(const unsigned char *ak_pub, size_t ak_len, const unsigned char *msg, size_t mlen,
                           const unsigned char *tsig, size_t tlen, TPMI_ALG_SIG_SCHEME want_alg)
{
    EVP_PKEY *pk = pkey_of(ak_pub, ak_len);
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    TPMT_SIGNATURE s;
    unsigned char *der = NULL;
    const unsigned char *sig;
    size_t off = 0, slen;
    int r;

    memset(&s, 0, sizeof(s));
    assert_int_equal(Tss2_MU_TPMT_SIGNATURE_Unmarshal(tsig, tlen, &off, &s), TSS2_RC_SUCCESS);
    assert_int_equal(off, tlen);
    assert_int_equal(s.sigAlg, want_alg);
    assert_int_equal(s.signature.any.hashAlg, TPM2_ALG_SHA256);
    if (s.sigAlg == TPM2_ALG_ECDSA) {
        der = ecdsa_der(&s.signature.ecdsa, &slen);
        sig = der;
    } else {
        sig = s.signature.rsassa.sig.buffer;
        slen = s.signature.rsassa.sig.size;
    }
    assert_non_null(mctx);
    assert_int_equal(EVP_DigestVerifyInit(mctx, &pctx, md_of(s.signature.any.hashAlg), NULL, pk), 1);
    if (s.sigAlg == TPM2_ALG_RSAPSS) {
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO);
    }
    r = EVP_DigestVerify(mctx, sig, slen, msg, mlen);
    OPENSSL_free(der);
    EVP_MD_CTX_free(mctx);
    EVP_PKEY_free(pk);

    return r;
}

/* The TPMS_ATTEST checks a verifier makes, and that the name matches. */
static void check_attest(const attest_tpm_certify_out *o, const unsigned char *nonce, size_t nonce_len)
{
    TPMS_ATTEST a;
    TPMT_PUBLIC p = tpmt_of(o->pub, o->pub_len);
    unsigned char name[2 + 32];
    size_t off = 0;

    memset(&a, 0, sizeof(a));
    assert_int_equal(Tss2_MU_TPMS_ATTEST_Unmarshal(o->attest, o->attest_len, &off, &a), TSS2_RC_SUCCESS);
    assert_int_equal(off, o->attest_len);
    assert_int_equal(a.magic, 0xff544347);
    assert_int_equal(a.type, 0x8017);
    assert_int_equal(a.extraData.size, nonce_len);
    if (nonce_len > 0)
        assert_memory_equal(a.extraData.buffer, nonce, nonce_len);
    /* Name = nameAlg || SHA-256(TPMT_PUBLIC bytes) */
    assert_int_equal(p.nameAlg, TPM2_ALG_SHA256);
    name[0] = o->pub[2];
    name[1] = o->pub[3];
    assert_int_equal(EVP_Digest(o->pub, o->pub_len, name + 2, NULL, EVP_sha256(), NULL), 1);
    assert_int_equal(a.attested.certify.name.size, sizeof(name));
    assert_memory_equal(a.attested.certify.name.name, name, sizeof(name));
    assert_int_equal(o->object_attributes, p.objectAttributes);
}

/* Certify key with ak, then check attestation, signature and name. */
static void certify_and_check(attest_tpm *t, const attest_tpm_keyref *key, uint32_t ak, TPMI_ALG_SIG_SCHEME want_alg,
                              size_t want_pub_len)
{
    attest_tpm_certify_out o;
    attest_tpm_keyref akref = href(ak);
    unsigned char nonce[32], *akpub = NULL, *kpub = NULL;
    size_t aklen = 0, klen = 0;
    attest_err err = { "" };

    assert_int_equal(RAND_bytes(nonce, sizeof(nonce)), 1);
    if (attest_tpm_certify(t, key, ak, nonce, sizeof(nonce), &o, &err) != 0)
        fail_msg("attest_tpm_certify: %s", err.msg);
    assert_int_equal(o.pub_len, want_pub_len);
    check_attest(&o, nonce, sizeof(nonce));
    assert_int_equal(attest_tpm_read_public(t, &akref, &akpub, &aklen, &err), 0);
    assert_int_equal(verify_tpmt_sig(akpub, aklen, o.attest, o.attest_len, o.sig, o.sig_len, want_alg), 1);
    /* one flipped bit in the attestation must break the signature */
    o.attest[o.attest_len - 1] ^= 1;
    assert_int_not_equal(verify_tpmt_sig(akpub, aklen, o.attest, o.attest_len, o.sig, o.sig_len, want_alg), 1);
    /* read_public gives the very bytes that were certified */
    assert_int_equal(attest_tpm_read_public(t, key, &kpub, &klen, &err), 0);
    assert_int_equal(klen, o.pub_len);
    assert_memory_equal(kpub, o.pub, klen);
    OPENSSL_free(akpub);
    OPENSSL_free(kpub);
    attest_tpm_certify_out_clear(&o);
    assert_null(o.attest);
    assert_no_transients(t);
}

/* ---------- tests ---------- */

/* A TCP port nobody listens on: bind an ephemeral one, then close it. */
static unsigned closed_port(void)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    int fd;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    close(fd);

    return ntohs(sa.sin_port);
}

static void test_open_unreachable(void **state)
{
    attest_tpm *t = (attest_tpm *)0x1;
    char tcti[128];
    attest_err err = { "" };

    (void)state;
    snprintf(tcti, sizeof(tcti), "swtpm:host=127.0.0.1,port=%u", closed_port());
    assert_int_equal(attest_tpm_open(tcti, &t, &err), -2);
    assert_null(t);
    assert_non_null(strstr(err.msg, "TPM unreachable"));
    assert_non_null(strstr(err.msg, tcti));

    err.msg[0] = 0;
    assert_int_equal(attest_tpm_open("swtpm:path=/nonexistent/swtpm.sock", &t, &err), -2);
    assert_non_null(strstr(err.msg, "TPM unreachable"));
    assert_int_equal(attest_tpm_open("nosuchtcti:x", &t, NULL), -2);
}

/* tcti NULL or "": ATTEST_TCTI, then TPM2TOOLS_TCTI, then TCTI. */
static void test_open_env(void **state)
{
    static const char *const vars[] = { "ATTEST_TCTI", "TPM2TOOLS_TCTI", "TCTI" };
    char *saved[3], closed[128];
    attest_err err = { "" };
    attest_tpm *t = NULL;
    size_t i;

    (void)state;
    if (lab.tcti == NULL)
        skip();
    for (i = 0; i < 3; i++) {
        saved[i] = getenv(vars[i]) ? strdup(getenv(vars[i])) : NULL;
        unsetenv(vars[i]);
    }
    snprintf(closed, sizeof(closed), "swtpm:host=127.0.0.1,port=%u", closed_port());
    setenv("TCTI", closed, 1);
    setenv("TPM2TOOLS_TCTI", lab.tcti, 1);
    assert_int_equal(attest_tpm_open(NULL, &t, &err), 0);
    attest_tpm_close(t);
    setenv("ATTEST_TCTI", closed, 1);
    assert_int_equal(attest_tpm_open("", &t, &err), -2);
    assert_non_null(strstr(err.msg, closed));
    /* an explicit string beats the environment */
    assert_int_equal(attest_tpm_open(lab.tcti, &t, &err), 0);
    attest_tpm_close(t);
    for (i = 0; i < 3; i++) {
        if (saved[i] != NULL)
            setenv(vars[i], saved[i], 1);
        else
            unsetenv(vars[i]);
        free(saved[i]);
    }
}

static void test_certify_ecc(void **state)
{
    attest_tpm *t = tpm_open();
    attest_tpm_keyref k = href(H_KEY_ECC);

    (void)state;
    certify_and_check(t, &k, H_AK_ECC, TPM2_ALG_ECDSA, 86);
    attest_tpm_close(t);
}

static void test_certify_rsa(void **state)
{
    attest_tpm *t = tpm_open();
    attest_tpm_keyref k = href(H_KEY_RSA);

    (void)state;
    certify_and_check(t, &k, H_AK_RSA, TPM2_ALG_RSASSA, 278);
    attest_tpm_close(t);
}

static void test_certify_cross(void **state)
{
    attest_tpm *t = tpm_open();
    attest_tpm_keyref ke = href(H_KEY_ECC), kr = href(H_KEY_RSA);

    (void)state;
    certify_and_check(t, &ke, H_AK_RSA, TPM2_ALG_RSASSA, 86);
    certify_and_check(t, &kr, H_AK_ECC, TPM2_ALG_ECDSA, 278);
    attest_tpm_close(t);
}

/* Signing keys without a scheme as AKs: the device layer must pick one. */
static void test_certify_null_scheme_ak(void **state)
{
    attest_tpm *t = tpm_open();
    attest_tpm_keyref ke = href(H_KEY_ECC), kr = href(H_KEY_RSA);

    (void)state;
    certify_and_check(t, &kr, H_KEY_ECC, TPM2_ALG_ECDSA, 278);
    certify_and_check(t, &ke, H_KEY_RSA, TPM2_ALG_RSASSA, 86);
    /* a key certifying itself: one ESYS_TR for both roles */
    certify_and_check(t, &ke, H_KEY_ECC, TPM2_ALG_ECDSA, 86);
    attest_tpm_close(t);
}

static void test_nonce_limits(void **state)
{
    attest_tpm *t = tpm_open();
    attest_tpm_keyref k = href(H_KEY_ECC);
    attest_tpm_certify_out o;
    unsigned char nonce[65];
    attest_err err = { "" };

    (void)state;
    memset(nonce, 0xa5, sizeof(nonce));
    /* no nonce at all: extraData is empty */
    assert_int_equal(attest_tpm_certify(t, &k, H_AK_ECC, NULL, 0, &o, &err), 0);
    check_attest(&o, NULL, 0);
    attest_tpm_certify_out_clear(&o);
    /* 64 bytes: the cap, and within swtpm's 66-byte TPM2B_DATA */
    assert_int_equal(attest_tpm_certify(t, &k, H_AK_ECC, nonce, 64, &o, &err), 0);
    check_attest(&o, nonce, 64);
    attest_tpm_certify_out_clear(&o);
    /* 65 bytes: refused before the TPM sees it, outputs stay empty */
    assert_int_equal(attest_tpm_certify(t, &k, H_AK_ECC, nonce, 65, &o, &err), -1);
    assert_non_null(strstr(err.msg, "qualifyingData"));
    assert_non_null(strstr(err.msg, "65 bytes"));
    assert_non_null(strstr(err.msg, "at most 64"));
    assert_null(o.attest);
    assert_null(o.sig);
    assert_null(o.pub);
    /* a length without a buffer */
    assert_int_equal(attest_tpm_certify(t, &k, H_AK_ECC, NULL, 4, &o, &err), -1);
    assert_no_transients(t);
    attest_tpm_close(t);
}

static void test_missing_handles(void **state)
{
    attest_tpm *t = tpm_open();
    attest_tpm_keyref missing = href(H_MISSING), k = href(H_KEY_ECC);
    attest_tpm_keyref hier = href(TPM2_RH_OWNER), blob = bref(&lab.pem_ec);
    attest_tpm_certify_out o;
    unsigned char *pub = NULL, dg[32];
    size_t len = 0;
    attest_err err = { "" };

    (void)state;
    assert_int_equal(attest_tpm_certify(t, &missing, H_AK_ECC, NULL, 0, &o, &err), -1);
    assert_non_null(strstr(err.msg, "key handle 0x81000099"));
    /* What to do, not the raw code; the code and its decoding only when verbose. */
    assert_non_null(strstr(err.msg, "no object at this handle"));
    assert_null(strstr(err.msg, "0x18b"));
    attest_tpm_set_verbose(1);
    assert_int_equal(attest_tpm_certify(t, &missing, H_AK_ECC, NULL, 0, &o, &err), -1);
    attest_tpm_set_verbose(0);
    if (strstr(err.msg, "no object at this handle") == NULL || strstr(err.msg, ", 0x18b]") == NULL)
        fail_msg("verbose: %s", err.msg);

    err.msg[0] = 0;
    assert_int_equal(attest_tpm_certify(t, &k, H_MISSING, NULL, 0, &o, &err), -1);
    assert_non_null(strstr(err.msg, "AK handle 0x81000099"));
    /* the blob is loaded before the AK lookup fails: must be flushed */
    err.msg[0] = 0;
    assert_int_equal(attest_tpm_certify(t, &blob, H_MISSING, NULL, 0, &o, &err), -1);
    assert_non_null(strstr(err.msg, "AK handle 0x81000099"));
    assert_no_transients(t);

    err.msg[0] = 0;
    assert_int_equal(attest_tpm_read_public(t, &missing, &pub, &len, &err), -1);
    assert_non_null(strstr(err.msg, "0x81000099"));
    assert_null(pub);
    err.msg[0] = 0;
    assert_int_equal(attest_tpm_read_public(t, &hier, &pub, &len, &err), -1);
    assert_non_null(strstr(err.msg, "0x40000001"));
    err.msg[0] = 0;
    memset(dg, 0, sizeof(dg));
    assert_int_equal(
        attest_tpm_sign_digest(t, &missing, TPM2_ALG_ECDSA, TPM2_ALG_SHA256, dg, sizeof(dg), &pub, &len, &err), -1);
    assert_non_null(strstr(err.msg, "0x81000099"));
    /* an AK that is not a signing key: the TPM says so, in words */
    err.msg[0] = 0;
    assert_int_equal(attest_tpm_certify(t, &k, H_SRK, NULL, 0, &o, &err), -1);
    if (strstr(err.msg, "TPM2_Certify: the key is not usable") == NULL
        && strstr(err.msg, "TPM2_Certify: the object's attributes forbid") == NULL)
        fail_msg("%s", err.msg);
    assert_no_transients(t);
    attest_tpm_close(t);
}

static void test_tss2_pem_certify(void **state)
{
    attest_tpm *t = tpm_open();
    attest_tpm_keyref ke = bref(&lab.pem_ec), kr = bref(&lab.pem_rsa);
    attest_tpm_keyref ks = bref(&lab.pem_ec_srk);
    unsigned char *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    attest_err err = { "" };

    (void)state;
    certify_and_check(t, &ke, H_AK_ECC, TPM2_ALG_ECDSA, 86);
    certify_and_check(t, &kr, H_AK_RSA, TPM2_ALG_RSASSA, 278);
    certify_and_check(t, &ks, H_AK_ECC, TPM2_ALG_ECDSA, 86);
    /* public area of a blob without any TPM */
    assert_int_equal(attest_tpm_read_public(NULL, &ke, &a, &alen, &err), 0);
    assert_int_equal(attest_tpm_read_public(t, &ke, &b, &blen, &err), 0);
    assert_int_equal(alen, 86);
    assert_int_equal(alen, blen);
    assert_memory_equal(a, b, alen);
    /* tpm2-openssl 1.1.1 keys: sign|decrypt, not restricted */
    assert_int_equal(tpmt_of(a, alen).objectAttributes, 0x00060072);
    OPENSSL_free(a);
    OPENSSL_free(b);
    assert_no_transients(t);
    attest_tpm_close(t);
}

/* PEM -> DER -> struct, so a test can edit one field and re-encode. */
static ATTEST_TSS2_PRIVKEY *tss2_parse(const struct blob *b)
{
    BIO *bio = BIO_new_mem_buf(b->buf, (int)b->len);
    unsigned char *der = NULL;
    const unsigned char *p;
    char *name = NULL;
    long len = 0;
    ATTEST_TSS2_PRIVKEY *k;

    assert_non_null(bio);
    assert_int_equal(PEM_bytes_read_bio(&der, &len, &name, ATTEST_TSS2_PEM_NAME, bio, NULL, NULL), 1);
    p = der;
    assert_non_null(k = d2i_ATTEST_TSS2_PRIVKEY(NULL, &p, len));
    assert_ptr_equal(p, der + len);
    OPENSSL_free(der);
    OPENSSL_free(name);
    BIO_free(bio);

    return k;
}

/* Try a certify with the edited key; it must fail mentioning want. */
static void expect_bad_key(attest_tpm *t, ATTEST_TSS2_PRIVKEY *k, const char *want)
{
    unsigned char *der = NULL;
    attest_tpm_keyref ref;
    attest_tpm_certify_out o;
    attest_err err = { "" };
    int n;

    assert_true((n = i2d_ATTEST_TSS2_PRIVKEY(k, &der)) > 0);
    ref.handle = 0;
    ref.tss2_pem = der;
    ref.tss2_pem_len = (size_t)n;
    assert_int_equal(attest_tpm_certify(t, &ref, H_AK_ECC, NULL, 0, &o, &err), -1);
    if (strstr(err.msg, want) == NULL)
        fail_msg("error \"%s\" lacks \"%s\"", err.msg, want);
    OPENSSL_free(der);
    ATTEST_TSS2_PRIVKEY_free(k);
    assert_no_transients(t);
}

static void test_tss2_pem_bad(void **state)
{
    attest_tpm *t = tpm_open();
    ATTEST_TSS2_PRIVKEY *k;
    attest_tpm_keyref ref;
    attest_tpm_certify_out o;
    unsigned char buf[1024], *der = NULL;
    unsigned char junk[] = "-----BEGIN TSS2 PRIVATE KEY-----"
                           "\nAAAA\n-----END TSS2 PRIVATE KEY-----\n";
    attest_err err = { "" };
    int n;

    (void)state;
    /* the unmodified DER round trip still works */
    k = tss2_parse(&lab.pem_ec);
    assert_int_equal(k->empty_auth, 1); /* 0x01, not DER's 0xff */
    assert_true((n = i2d_ATTEST_TSS2_PRIVKEY(k, &der)) > 0);
    ref.handle = 0;
    ref.tss2_pem = der;
    ref.tss2_pem_len = (size_t)n;
    assert_int_equal(attest_tpm_certify(t, &ref, H_AK_ECC, NULL, 0, &o, &err), 0);
    attest_tpm_certify_out_clear(&o);
    OPENSSL_free(der);
    ATTEST_TSS2_PRIVKEY_free(k);

    /* one trailing byte after the TPM2B_PUBLIC */
    k = tss2_parse(&lab.pem_ec);
    n = k->pubkey->length;
    assert_true(n > 0 && (size_t)n < sizeof(buf));
    memcpy(buf, k->pubkey->data, (size_t)n);
    buf[n] = 0;
    assert_int_equal(ASN1_OCTET_STRING_set(k->pubkey, buf, n + 1), 1);
    expect_bad_key(t, k, "pubkey is not exactly one TPM2B_PUBLIC");

    /* a TPM2B_PRIVATE cut short */
    k = tss2_parse(&lab.pem_ec);
    n = k->privkey->length;
    assert_true(n > 1 && (size_t)n < sizeof(buf));
    memcpy(buf, k->privkey->data, (size_t)n);
    assert_int_equal(ASN1_OCTET_STRING_set(k->privkey, buf, n - 1), 1);
    expect_bad_key(t, k, "privkey is not exactly one TPM2B_PRIVATE");

    /* importable, not loadable */
    k = tss2_parse(&lab.pem_ec);
    ASN1_OBJECT_free(k->type);
    k->type = OBJ_txt2obj(ATTEST_TSS2_OID_IMPORTABLE, 1);
    expect_bad_key(t, k, "importable");

    /* a key written for the owner SRK, told its parent is 0x81000001:
     * our SRK lacks tpm2-openssl's noDA, so the TPM refuses the blob */
    k = tss2_parse(&lab.pem_ec);
    assert_int_equal(ASN1_INTEGER_set_uint64(k->parent, H_SRK), 1);
    expect_bad_key(t, k, "TPM2_Load under parent 0x81000001");

    /* parent that is not a storage key */
    k = tss2_parse(&lab.pem_ec);
    assert_int_equal(ASN1_INTEGER_set_uint64(k->parent, H_AK_ECC), 1);
    expect_bad_key(t, k, "TPM2_Load under parent 0x81008001: tpm:");

    /* parent that does not exist */
    k = tss2_parse(&lab.pem_ec);
    assert_int_equal(ASN1_INTEGER_set_uint64(k->parent, H_MISSING), 1);
    expect_bad_key(t, k, "parent handle 0x81000099");

    /* parent in the endorsement hierarchy: not supported */
    k = tss2_parse(&lab.pem_ec);
    assert_int_equal(ASN1_INTEGER_set_uint64(k->parent, TPM2_RH_ENDORSEMENT), 1);
    expect_bad_key(t, k, "parent 0x4000000b");

    /* emptyAuth absent */
    k = tss2_parse(&lab.pem_ec);
    k->empty_auth = -1;
    expect_bad_key(t, k, "emptyAuth");

    /* a key written with a user-auth password (emptyAuth FALSE) */
    k = tss2_parse(&lab.pem_ec_pw);
    assert_int_equal(k->empty_auth, 0);
    expect_bad_key(t, k, "password");

    /* garbage in a well-formed PEM envelope, and no PEM at all */
    ref.tss2_pem = junk;
    ref.tss2_pem_len = sizeof(junk) - 1;
    assert_int_equal(attest_tpm_certify(t, &ref, H_AK_ECC, NULL, 0, &o, &err), -1);
    assert_non_null(strstr(err.msg, "TSS2 key"));
    ref.tss2_pem = (const unsigned char *)"hello";
    ref.tss2_pem_len = 5;
    assert_int_equal(attest_tpm_certify(t, &ref, H_AK_ECC, NULL, 0, &o, &err), -1);
    assert_non_null(strstr(err.msg, "BEGIN TSS2 PRIVATE KEY"));
    assert_no_transients(t);
    attest_tpm_close(t);
}

/* Verify a signature over a precomputed SHA-256 digest. */
static int verify_digest(const unsigned char *pub, size_t pub_len, int pad, const unsigned char *dg,
                         const unsigned char *sig, size_t slen)
{
    EVP_PKEY *pk = pkey_of(pub, pub_len);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
    int r;

    assert_non_null(ctx);
    assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
    assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
    if (pad != 0)
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, pad), 1);
    if (pad == RSA_PKCS1_PSS_PADDING)
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_AUTO), 1);
    r = EVP_PKEY_verify(ctx, sig, slen, dg, 32);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pk);

    return r;
}

static void sign_and_check(attest_tpm *t, const attest_tpm_keyref *k, uint16_t scheme, int pad)
{
    unsigned char dg[32], *sig = NULL, *pub = NULL;
    size_t slen = 0, plen = 0;
    attest_err err = { "" };

    assert_int_equal(RAND_bytes(dg, sizeof(dg)), 1);
    if (attest_tpm_sign_digest(t, k, scheme, TPM2_ALG_SHA256, dg, sizeof(dg), &sig, &slen, &err) != 0)
        fail_msg("attest_tpm_sign_digest: %s", err.msg);
    assert_int_equal(attest_tpm_read_public(t, k, &pub, &plen, &err), 0);
    if (scheme == TPM2_ALG_ECDSA)
        assert_int_equal(sig[0], 0x30); /* DER SEQUENCE */
    else
        assert_int_equal(slen, 256);
    assert_int_equal(verify_digest(pub, plen, pad, dg, sig, slen), 1);
    dg[0] ^= 1;
    assert_int_not_equal(verify_digest(pub, plen, pad, dg, sig, slen), 1);
    OPENSSL_free(sig);
    OPENSSL_free(pub);
}

static void test_sign_digest(void **state)
{
    attest_tpm *t = tpm_open();
    attest_tpm_keyref ke = href(H_KEY_ECC), kr = href(H_KEY_RSA);
    attest_tpm_keyref be = bref(&lab.pem_ec), br = bref(&lab.pem_rsa);
    attest_tpm_keyref ak = href(H_AK_ECC);
    unsigned char dg[32], *sig = NULL;
    size_t slen = 0;
    attest_err err = { "" };

    (void)state;
    sign_and_check(t, &ke, TPM2_ALG_ECDSA, 0);
    sign_and_check(t, &kr, TPM2_ALG_RSASSA, RSA_PKCS1_PADDING);
    sign_and_check(t, &kr, TPM2_ALG_RSAPSS, RSA_PKCS1_PSS_PADDING);
    sign_and_check(t, &be, TPM2_ALG_ECDSA, 0);
    sign_and_check(t, &br, TPM2_ALG_RSAPSS, RSA_PKCS1_PSS_PADDING);
    assert_no_transients(t);

    memset(dg, 0x11, sizeof(dg));
    assert_int_equal(
        attest_tpm_sign_digest(t, &ke, TPM2_ALG_RSASSA, TPM2_ALG_SHA256, dg, sizeof(dg), &sig, &slen, &err), -1);
    assert_non_null(strstr(err.msg, "needs an RSA key"));
    assert_int_equal(attest_tpm_sign_digest(t, &ke, TPM2_ALG_ECDSA, TPM2_ALG_SHA384, dg, sizeof(dg), &sig, &slen, &err),
                     -1);
    assert_non_null(strstr(err.msg, "digest is 32 bytes"));
    assert_int_equal(attest_tpm_sign_digest(t, &ke, TPM2_ALG_ECDAA, TPM2_ALG_SHA256, dg, sizeof(dg), &sig, &slen, &err),
                     -1);
    assert_non_null(strstr(err.msg, "scheme 0x001a"));
    /* a restricted AK must not sign an outside digest with a NULL ticket */
    assert_int_equal(attest_tpm_sign_digest(t, &ak, TPM2_ALG_ECDSA, TPM2_ALG_SHA256, dg, sizeof(dg), &sig, &slen, &err),
                     -1);
    assert_non_null(strstr(err.msg, "TPM2_Sign: tpm:"));
    assert_null(sig);
    /* the blob load + failure path also flushes */
    assert_int_equal(
        attest_tpm_sign_digest(t, &be, TPM2_ALG_RSAPSS, TPM2_ALG_SHA256, dg, sizeof(dg), &sig, &slen, &err), -1);
    assert_no_transients(t);
    attest_tpm_close(t);
}

/* Last: nothing any test did may have left an object in the TPM. */
static void test_no_transients_left(void **state)
{
    attest_tpm *t = tpm_open();

    (void)state;
    assert_no_transients(t);
    attest_tpm_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_unreachable), cmocka_unit_test(test_open_env),
        cmocka_unit_test(test_certify_ecc),      cmocka_unit_test(test_certify_rsa),
        cmocka_unit_test(test_certify_cross),    cmocka_unit_test(test_certify_null_scheme_ak),
        cmocka_unit_test(test_nonce_limits),     cmocka_unit_test(test_missing_handles),
        cmocka_unit_test(test_tss2_pem_certify), cmocka_unit_test(test_tss2_pem_bad),
        cmocka_unit_test(test_sign_digest),      cmocka_unit_test(test_no_transients_left),
    };

    /* the failure tests make tss2 log to stderr; TSS2_LOG=all+warning shows it */
    setenv("TSS2_LOG", "all+none", 0);

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
