/*
 * Forged TPM 2.0 certify evidence (see forge_tpm2.h).  Nothing here talks
 * to a TPM: the structures are built as tss2 structs and marshaled with
 * tss2-mu, the "AK" is a software key and its certificate comes from an
 * in-memory CA.  Internal failures are test failures (cmocka asserts).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <tss2/tss2_mu.h>

#include "attest/bundle.h"
#include "attest/checks.h"
#include "attest/csr.h"
#include "attest/oids.h"
#include "attest/request.h"
#include "attest/tpm2.h"
#include "forge_tpm2.h"

#define DEFAULT_ATTRS 0x00040072u /* fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|sign */
#define ATTEST_CAP    4096

const unsigned char FORGE_NONCE[16] = { 0x6e, 0x6f, 0x6e, 0x63, 0x65, 0x2d, 0x66, 0x6f,
                                        0x72, 0x67, 0x65, 0x2d, 0x74, 0x65, 0x73, 0x74 };

static forge_env *env;
static long serial = 1;

/* ------------------------------------------------------------ certificates */

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;

    X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    e = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
    assert_non_null(e);
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
}

static X509 *new_cert(const char *cn, EVP_PKEY *pub, X509 *issuer, long from, long to)
{
    X509 *x = X509_new();

    assert_non_null(x);
    assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++), 1);
    assert_int_equal(
        X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0),
        1);
    assert_int_equal(X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : X509_get_subject_name(x)),
                     1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), from));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), to));
    assert_int_equal(X509_set_pubkey(x, pub), 1);
    add_ext(x, issuer, NID_subject_key_identifier, "hash");
    return x;
}

static X509 *new_ca(const char *cn, EVP_PKEY *key)
{
    X509 *x = new_cert(cn, key, NULL, -3600, 3650L * 86400);

    add_ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(x, NULL, NID_key_usage, "critical,keyCertSign,cRLSign");
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    return x;
}

static X509 *new_ak_cert(const forge_opts *o, EVP_PKEY *ak)
{
    X509 *issuer = o->ak_other_ca ? env->other_ca : env->root;
    EVP_PKEY *ikey = o->ak_other_ca ? env->other_ca_key : env->ca_key;
    X509 *x = o->ak_expired ? new_cert("Forge AK", ak, issuer, -2 * 86400, -86400)
                            : new_cert("Forge AK", ak, issuer, -3600, 365L * 86400);

    add_ext(x, issuer, NID_authority_key_identifier, "keyid");
    add_ext(x, issuer, NID_basic_constraints, o->ak_ca_true ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_ext(x, issuer, NID_key_usage, o->ak_ku != NULL ? o->ak_ku : "critical,digitalSignature");
    if (!o->ak_no_eku) {
        EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();

        assert_non_null(eku);
        assert_true(
            sk_ASN1_OBJECT_push(
                eku, OBJ_dup(attest_oid_obj(o->ak_eku_pkix ? ATTEST_OID_KP_ATTESTATION_KEY : ATTEST_OID_TCG_KP_AIK)))
            > 0);
        assert_int_equal(X509_add1_ext_i2d(x, NID_ext_key_usage, eku, 0, 0), 1);
        sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
    }
    assert_true(X509_sign(x, ikey, EVP_sha256()) > 0);
    return x;
}

const forge_env *forge_env_get(void)
{
    forge_env *e;

    if (env != NULL)
        return env;
    assert_true(attest_oids_init()); /* 1 on success */
    assert_non_null(e = OPENSSL_zalloc(sizeof(*e)));
    env = e;
    assert_non_null(env->ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
    assert_non_null(env->other_ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
    assert_non_null(env->ak_ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
    assert_non_null(env->ak_rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048));
    assert_non_null(env->key_ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
    assert_non_null(env->key_ec2 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
    assert_non_null(env->key_rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048));
    assert_non_null(env->key_rsa1024 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024));
    env->root = new_ca("Forge Test Root CA", env->ca_key);
    env->other_ca = new_ca("Forge Other CA", env->other_ca_key);
    return env;
}

void forge_env_free(void)
{
    if (env == NULL)
        return;
    X509_free(env->root);
    X509_free(env->other_ca);
    EVP_PKEY_free(env->ca_key);
    EVP_PKEY_free(env->other_ca_key);
    EVP_PKEY_free(env->ak_ec);
    EVP_PKEY_free(env->ak_rsa);
    EVP_PKEY_free(env->key_ec);
    EVP_PKEY_free(env->key_ec2);
    EVP_PKEY_free(env->key_rsa);
    EVP_PKEY_free(env->key_rsa1024);
    OPENSSL_free(env);
    env = NULL;
}

/* ---------------------------------------------------------- TPM structures */

static const EVP_MD *tpm_md(uint16_t alg)
{
    switch (alg) {
    case TPM2_ALG_SHA1: return EVP_sha1();
    case TPM2_ALG_SHA384: return EVP_sha384();
    case TPM2_ALG_SHA512: return EVP_sha512();
    default: return EVP_sha256();
    }
}

/* The TPMT_PUBLIC exponent field of RSA keys for the forge_build under way (forge_opts.rsa_exponent). */
static uint32_t tpmt_rsa_exponent;

unsigned char *forge_tpmt_public(EVP_PKEY *key, uint32_t attrs, uint16_t name_alg, size_t *len)
{
    TPMT_PUBLIC p;
    unsigned char *buf = OPENSSL_malloc(sizeof(TPMT_PUBLIC));
    size_t off = 0;
    int bits = EVP_PKEY_get_bits(key);

    assert_non_null(buf);
    memset(&p, 0, sizeof(p));
    p.nameAlg = name_alg;
    p.objectAttributes = attrs;
    if (EVP_PKEY_is_a(key, "RSA")) {
        BIGNUM *n = NULL;

        p.type = TPM2_ALG_RSA;
        p.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
        p.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
        p.parameters.rsaDetail.keyBits = (uint16_t)bits;
        p.parameters.rsaDetail.exponent = tpmt_rsa_exponent; /* 0: 65537 */
        assert_int_equal(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n), 1);
        assert_int_equal(BN_bn2binpad(n, p.unique.rsa.buffer, bits / 8), bits / 8);
        p.unique.rsa.size = (uint16_t)(bits / 8);
        BN_free(n);
    } else {
        unsigned char pt[1 + 2 * 66];
        size_t ptlen = 0, cb = (size_t)(bits + 7) / 8;

        p.type = TPM2_ALG_ECC;
        p.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
        p.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
        p.parameters.eccDetail.curveID = bits == 256 ? TPM2_ECC_NIST_P256
            : bits == 384                            ? TPM2_ECC_NIST_P384
                                                     : TPM2_ECC_NIST_P521;
        p.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
        assert_int_equal(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &ptlen), 1);
        assert_int_equal(ptlen, 1 + 2 * cb);
        memcpy(p.unique.ecc.x.buffer, pt + 1, cb);
        memcpy(p.unique.ecc.y.buffer, pt + 1 + cb, cb);
        p.unique.ecc.x.size = p.unique.ecc.y.size = (uint16_t)cb;
    }
    assert_int_equal(Tss2_MU_TPMT_PUBLIC_Marshal(&p, buf, sizeof(TPMT_PUBLIC), &off), TSS2_RC_SUCCESS);
    *len = off;
    return buf;
}

/* nameAlg || H(bytes) into a TPM2B_NAME. */
static void set_name(TPM2B_NAME *n, uint16_t alg, const unsigned char *b, size_t len)
{
    unsigned int dl = 0;

    n->name[0] = (unsigned char)(alg >> 8);
    n->name[1] = (unsigned char)alg;
    assert_int_equal(EVP_Digest(b, len, n->name + 2, &dl, tpm_md(alg), NULL), 1);
    n->size = (uint16_t)(2 + dl);
}

size_t forge_clock_offset(const unsigned char *a, size_t len)
{
    size_t qs, ed;

    assert_true(len >= 10);
    qs = (size_t)a[6] << 8 | a[7];
    assert_true(len >= 8 + qs + 2);
    ed = (size_t)a[8 + qs] << 8 | a[9 + qs];
    return 8 + qs + 2 + ed;
}

static void put_be(unsigned char *p, uint32_t v, int n)
{
    int i;

    for (i = n - 1; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

static unsigned char *make_attest(const forge_opts *o, EVP_PKEY *ak, EVP_PKEY *name_key, uint32_t attrs, uint16_t alg,
                                  size_t *len)
{
    TPMS_ATTEST a;
    unsigned char *buf = OPENSSL_zalloc(ATTEST_CAP), *spki = NULL, *npub, qn[4 + sizeof(TPMU_NAME)];
    size_t off = 0, nlen;
    int n;

    assert_non_null(buf);
    memset(&a, 0, sizeof(a));
    a.magic = TPM2_GENERATED_VALUE;
    a.type = TPM2_ST_ATTEST_CERTIFY;
    /* qualifiedSigner: some 34-byte name (the real one is QN(AK), unverifiable here). */
    assert_true((n = i2d_PUBKEY(ak, &spki)) > 0);
    set_name(&a.qualifiedSigner, TPM2_ALG_SHA256, spki, (size_t)n);
    OPENSSL_free(spki);
    if (!o->empty_nonce) {
        const unsigned char *nonce = o->nonce != NULL ? o->nonce : FORGE_NONCE;
        size_t nl = o->nonce != NULL ? o->nonce_len : sizeof(FORGE_NONCE);

        assert_true(nl <= sizeof(a.extraData.buffer));
        memcpy(a.extraData.buffer, nonce, nl);
        a.extraData.size = (uint16_t)nl;
    }
    a.clockInfo.clock = 0x0000001234567890ull;
    a.clockInfo.resetCount = 3;
    a.clockInfo.restartCount = 1;
    a.clockInfo.safe = 1;
    a.firmwareVersion = 0x2023031600000000ull;
    npub = forge_tpmt_public(name_key, attrs, alg, &nlen);
    set_name(&a.attested.certify.name, alg, npub, nlen);
    OPENSSL_free(npub);
    memcpy(qn, "\x40\x00\x00\x01", 4);
    memcpy(qn + 4, a.attested.certify.name.name, a.attested.certify.name.size);
    set_name(&a.attested.certify.qualifiedName, alg, qn, 4 + (size_t)a.attested.certify.name.size);
    assert_int_equal(Tss2_MU_TPMS_ATTEST_Marshal(&a, buf, ATTEST_CAP, &off), TSS2_RC_SUCCESS);
    if (o->magic != 0)
        put_be(buf, o->magic, 4);
    if (o->st_type != 0)
        put_be(buf + 4, o->st_type, 2);
    if (o->post_attest != NULL)
        o->post_attest(buf, &off, ATTEST_CAP, o->edit_arg);
    *len = off;
    return buf;
}

/* The signature octets as a TPM's caller would carry them. */
static unsigned char *make_sig(const forge_opts *o, EVP_PKEY *ak, const unsigned char *msg, size_t msglen, size_t *len)
{
    uint16_t hash = o->sig_hash != 0 ? o->sig_hash : TPM2_ALG_SHA256;
    int is_rsa = EVP_PKEY_is_a(ak, "RSA");
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char *raw, *out;
    size_t rawlen = 0, off = 0;
    TPMT_SIGNATURE ts;

    assert_non_null(mctx);
    assert_int_equal(EVP_DigestSignInit_ex(mctx, &pctx, EVP_MD_get0_name(tpm_md(hash)), NULL, NULL, ak, NULL), 1);
    if (is_rsa && o->sig_pss) {
        assert_true(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0);
        assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0);
    }
    assert_int_equal(EVP_DigestSign(mctx, NULL, &rawlen, msg, msglen), 1);
    assert_non_null(raw = OPENSSL_malloc(rawlen));
    assert_int_equal(EVP_DigestSign(mctx, raw, &rawlen, msg, msglen), 1);
    EVP_MD_CTX_free(mctx);
    if (o->sig_form == FORGE_SIG_PLAIN) {
        *len = rawlen;
        return raw;
    }
    memset(&ts, 0, sizeof(ts));
    if (is_rsa) {
        ts.sigAlg = o->sig_pss ? TPM2_ALG_RSAPSS : TPM2_ALG_RSASSA;
        ts.signature.rsassa.hash = hash;
        assert_true(rawlen <= sizeof(ts.signature.rsassa.sig.buffer));
        memcpy(ts.signature.rsassa.sig.buffer, raw, rawlen);
        ts.signature.rsassa.sig.size = (uint16_t)rawlen;
    } else {
        const unsigned char *p = raw;
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)rawlen);
        int cb = (EVP_PKEY_get_bits(ak) + 7) / 8;

        assert_non_null(es);
        ts.sigAlg = TPM2_ALG_ECDSA;
        ts.signature.ecdsa.hash = hash;
        assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_r(es), ts.signature.ecdsa.signatureR.buffer, cb), cb);
        assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_s(es), ts.signature.ecdsa.signatureS.buffer, cb), cb);
        ts.signature.ecdsa.signatureR.size = ts.signature.ecdsa.signatureS.size = (uint16_t)cb;
        ECDSA_SIG_free(es);
    }
    OPENSSL_free(raw);
    assert_non_null(out = OPENSSL_malloc(sizeof(TPMT_SIGNATURE)));
    assert_int_equal(Tss2_MU_TPMT_SIGNATURE_Marshal(&ts, out, sizeof(TPMT_SIGNATURE), &off), TSS2_RC_SUCCESS);
    *len = off;
    return out;
}

/* ------------------------------------------------------ bundle and request */

/* SEQUENCE { bundle }: the list-of-bundles shape of drafts <= -12. */
static unsigned char *wrap_list(const unsigned char *der, size_t len, size_t *outlen)
{
    const unsigned char *p = der;
    ASN1_SEQUENCE_ANY *seq = sk_ASN1_TYPE_new_null();
    ASN1_TYPE *t = d2i_ASN1_TYPE(NULL, &p, (long)len);
    unsigned char *out = NULL;
    int n;

    assert_non_null(seq);
    assert_non_null(t);
    assert_true(sk_ASN1_TYPE_push(seq, t) > 0);
    assert_true((n = i2d_ASN1_SEQUENCE_ANY(seq, &out)) > 0);
    sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
    *outlen = (size_t)n;
    return out;
}

/* The same SEQUENCE with one more content byte 0x00 (still one TLV outside). */
static unsigned char *append_inside(const unsigned char *der, size_t len, size_t *outlen)
{
    const unsigned char *p = der;
    long clen = 0;
    int tag = 0, xclass = 0, total;
    unsigned char *out, *w;

    assert_int_equal(ASN1_get_object(&p, &clen, &tag, &xclass, (long)len), V_ASN1_CONSTRUCTED);
    assert_true((total = ASN1_object_size(1, clen + 1, V_ASN1_SEQUENCE)) > 0);
    assert_non_null(out = w = OPENSSL_malloc((size_t)total));
    ASN1_put_object(&w, 1, (int)clen + 1, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
    memcpy(w, p, (size_t)clen);
    w[clen] = 0x00;
    *outlen = (size_t)total;
    return out;
}

static void add_dup_attr(X509_REQ *req, const unsigned char *b, size_t len)
{
    /* OpenSSL refuses a duplicate attribute: add it under another OID and rename it. */
    ASN1_OBJECT *other = OBJ_txt2obj("1.2.3.4.5", 1);
    X509_ATTRIBUTE *a;

    assert_non_null(other);
    assert_int_equal(X509_REQ_add1_attr_by_OBJ(req, other, V_ASN1_SEQUENCE, b, (int)len), 1);
    a = X509_REQ_get_attr(req, X509_REQ_get_attr_count(req) - 1);
    assert_int_equal(X509_ATTRIBUTE_set1_object(a, attest_oid_obj(ATTEST_OID_AA_ATTESTATION)), 1);
    ASN1_OBJECT_free(other);
    ERR_clear_error();
}

static unsigned char *make_csr(const forge_opts *o, EVP_PKEY *subject, const unsigned char *b, size_t blen, size_t *len)
{
    EVP_PKEY *signer = o->csr_signer != NULL ? o->csr_signer : subject;
    X509_REQ *req;
    unsigned char *der = NULL;
    attest_err err;
    int n;

    if (signer == subject && !o->dup_attr && !o->dup_value) {
        attest_request_opts ro;

        memset(&ro, 0, sizeof(ro));
        ro.subject = "/CN=forged tpm2 key/O=attest tests";
        ro.md = o->csr_md;
        if (attest_request_build(subject, &ro, b, blen, &der, len, &err) != 0)
            fail_msg("attest_request_build: %s", err.msg);
        return der;
    }
    assert_non_null(req = X509_REQ_new());
    assert_int_equal(X509_REQ_set_version(req, X509_REQ_VERSION_1), 1);
    assert_int_equal(X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN", MBSTRING_ASC,
                                                (const unsigned char *)"forged tpm2 key", -1, -1, 0),
                     1);
    assert_int_equal(X509_REQ_set_pubkey(req, subject), 1);
    if (o->dup_value) {
        X509_ATTRIBUTE *a = X509_ATTRIBUTE_create_by_OBJ(NULL, attest_oid_obj(ATTEST_OID_AA_ATTESTATION),
                                                         V_ASN1_SEQUENCE, b, (int)blen);

        assert_non_null(a);
        assert_int_equal(X509_ATTRIBUTE_set1_data(a, V_ASN1_SEQUENCE, b, (int)blen), 1);
        assert_int_equal(X509_ATTRIBUTE_count(a), 2);
        assert_int_equal(X509_REQ_add1_attr(req, a), 1);
        X509_ATTRIBUTE_free(a);
    } else if (attest_csr_add_bundle(req, b, blen, &err) != 0) {
        fail_msg("attest_csr_add_bundle: %s", err.msg);
    }
    if (o->dup_attr)
        add_dup_attr(req, b, blen);
    assert_true(X509_REQ_sign(req, signer, o->csr_md != NULL ? EVP_get_digestbyname(o->csr_md) : EVP_sha256()) > 0);
    assert_true((n = i2d_X509_REQ(req, &der)) > 0);
    X509_REQ_free(req);
    *len = (size_t)n;
    return der;
}

int forge_build(const forge_opts *o, forge_out *out)
{
    const forge_env *e = forge_env_get();
    EVP_PKEY *ak = o->ak != NULL ? o->ak : e->ak_ec;
    EVP_PKEY *subject = o->subject != NULL ? o->subject : e->key_ec;
    EVP_PKEY *tpm_key = o->tpm_key != NULL ? o->tpm_key : subject;
    EVP_PKEY *name_key = o->name_key != NULL ? o->name_key : tpm_key;
    uint32_t attrs = (DEFAULT_ATTRS | o->attrs_set) & ~o->attrs_clear;
    uint16_t alg = o->name_alg != 0 ? o->name_alg : TPM2_ALG_SHA256;
    attest_tpm2_stmt s;
    attest_bundle *b;
    ASN1_OBJECT *type = NULL;
    attest_err err;
    unsigned char *tmp;
    size_t tlen;

    memset(out, 0, sizeof(*out));
    tpmt_rsa_exponent = o->rsa_exponent;
    out->pub = forge_tpmt_public(tpm_key, attrs, alg, &out->pub_len);
    out->attest = make_attest(o, ak, name_key, attrs, alg, &out->attest_len);
    tpmt_rsa_exponent = 0;
    out->sig = make_sig(o, ak, out->attest, out->attest_len, &out->sig_len);
    if (o->post_sign != NULL)
        o->post_sign(out->attest, &out->attest_len, ATTEST_CAP, o->edit_arg);
    out->ak_cert = new_ak_cert(o, ak);

    memset(&s, 0, sizeof(s));
    s.attest = out->attest;
    s.attest_len = out->attest_len;
    s.sig = out->sig;
    s.sig_len = out->sig_len;
    /* tmp = TPM2B_PUBLIC (size prefix + TPMT_PUBLIC); the statement carries either form. */
    assert_non_null(tmp = OPENSSL_malloc(out->pub_len + 2));
    tmp[0] = (unsigned char)(out->pub_len >> 8);
    tmp[1] = (unsigned char)out->pub_len;
    memcpy(tmp + 2, out->pub, out->pub_len);
    if (!o->omit_pub) {
        s.pub = o->pub_tpm2b ? tmp : tmp + 2;
        s.pub_len = o->pub_tpm2b ? out->pub_len + 2 : out->pub_len;
    }
    if (attest_tpm2_stmt_encode(&s, &out->stmt, &out->stmt_len, &err) != 0)
        fail_msg("%s", err.msg);
    OPENSSL_free(tmp);

    assert_non_null(b = attest_bundle_new());
    if (o->stmt_oid != NULL)
        assert_non_null(type = OBJ_txt2obj(o->stmt_oid, 1));
    if (attest_bundle_add_statement(b, type != NULL ? type : attest_oid_obj(ATTEST_OID_TPM_CERTIFY),
                                    o->stmt_der != NULL ? o->stmt_der : out->stmt,
                                    o->stmt_der != NULL ? o->stmt_len : out->stmt_len, &err)
        != 0)
        fail_msg("%s", err.msg);
    ASN1_OBJECT_free(type);
    if (!o->no_certs) {
        assert_int_equal(attest_bundle_add_cert(b, out->ak_cert), 0);
        if (o->root_in_bundle)
            assert_int_equal(attest_bundle_add_cert(b, e->root), 0);
    }
    if (attest_bundle_encode(b, &out->bundle, &out->bundle_len, &err) != 0)
        fail_msg("%s", err.msg);
    attest_bundle_free(b);
    if (o->legacy_list || o->bundle_trailing) {
        tmp = o->legacy_list ? wrap_list(out->bundle, out->bundle_len, &tlen)
                             : append_inside(out->bundle, out->bundle_len, &tlen);
        OPENSSL_free(out->bundle);
        out->bundle = tmp;
        out->bundle_len = tlen;
    }
    out->csr = make_csr(o, subject, out->bundle, out->bundle_len, &out->csr_len);
    ERR_clear_error();
    return 0;
}

void forge_out_free(forge_out *out)
{
    OPENSSL_free(out->attest);
    OPENSSL_free(out->sig);
    OPENSSL_free(out->pub);
    OPENSSL_free(out->stmt);
    OPENSSL_free(out->bundle);
    OPENSSL_free(out->csr);
    X509_free(out->ak_cert);
    memset(out, 0, sizeof(*out));
}

/* ------------------------------------------------------- verdict helpers */

static void dump(const attest_verdict *v)
{
    BIO *b = BIO_new_fp(stderr, BIO_NOCLOSE);

    if (b != NULL)
        attest_verdict_text(v, b);
    BIO_free(b);
}

attest_verdict *forge_verify(const forge_opts *o, const forge_vparams *vp)
{
    static const forge_vparams defaults;
    const forge_env *e = forge_env_get();
    attest_trust *t = attest_trust_new();
    attest_verify_params p;
    attest_policy pol;
    attest_verdict *v;
    forge_out out;

    if (vp == NULL)
        vp = &defaults;
    assert_non_null(t);
    assert_int_equal(attest_trust_add_anchor(t, e->root), 0);
    attest_policy_default(&pol);
    pol.allow = vp->allow;
    pol.strict_shape = vp->strict_shape;
    memset(&p, 0, sizeof(p));
    p.trust = t;
    p.policy = &pol;
    if (!vp->no_nonce) {
        p.nonce = vp->nonce != NULL ? vp->nonce : FORGE_NONCE;
        p.nonce_len = vp->nonce != NULL ? vp->nonce_len : sizeof(FORGE_NONCE);
    }
    assert_int_equal(forge_build(o, &out), 0);
    if (vp->bare) {
        p.subject_key = vp->bare_key;
        v = attest_verify_bundle(&p, out.bundle, out.bundle_len);
    } else {
        v = attest_verify_csr(&p, out.csr, out.csr_len);
    }
    assert_non_null(v);
    if (getenv("FORGE_DUMP") != NULL) /* debugging aid: print every verdict */
        dump(v);
    forge_out_free(&out);
    attest_trust_free(t);
    return v;
}

static int listed(const char *const *ids, const char *id)
{
    for (; ids != NULL && *ids != NULL; ids++)
        if (strcmp(*ids, id) == 0)
            return 1;
    return 0;
}

static const char *const tpm2_ids[] = { CHK_BUNDLE_TYPE,      CHK_TPM2_MAGIC,  CHK_TPM2_TYPE,        CHK_TPM2_PARSE,
                                        CHK_TPM2_SIGNATURE,   CHK_CHAIN_TRUST, CHK_CHAIN_AK_PROFILE, CHK_TPM2_NAME,
                                        CHK_TPM2_KEY_BINDING, CHK_TPM2_NONCE,  CHK_TPM2_ATTRIBUTES,  NULL };
static const char *const top_ids[] = { CHK_CSR_PARSE,           CHK_CSR_SIGNATURE,
                                       CHK_BUNDLE_COUNT,        CHK_BUNDLE_PARSE,
                                       CHK_BUNDLE_SHAPE,        CHK_POLICY_WEAK_ALGS,
                                       CHK_POLICY_KEY_ATTESTED, NULL };

void forge_expect_affirming(const attest_verdict *v, const char *const *skip)
{
    const char *bad = NULL;
    size_t i, j;

    for (i = 0; top_ids[i] != NULL && bad == NULL; i++)
        if (attest_checks_find(&v->checks, top_ids[i]) == NULL)
            bad = top_ids[i];
    if (v->n_subs == 0)
        bad = "no statement";
    for (i = 0; i < v->n_subs && bad == NULL; i++)
        for (j = 0; tpm2_ids[j] != NULL && bad == NULL; j++)
            if (attest_checks_find(&v->subs[i].checks, tpm2_ids[j]) == NULL)
                bad = tpm2_ids[j];
    for (i = 0; i <= v->n_subs && bad == NULL; i++) {
        const attest_checks *c = i == 0 ? &v->checks : &v->subs[i - 1].checks;

        for (j = 0; j < c->n && bad == NULL; j++) {
            const attest_check *k = &c->v[j];

            if (listed(skip, k->id) ? !(k->result == ATTEST_CHECK_SKIP && k->severity == ATTEST_SEV_INFO)
                                    : k->result != ATTEST_CHECK_PASS)
                bad = k->id;
        }
    }
    if (bad != NULL || attest_verdict_exit_code(v) != 0) {
        dump(v);
        fail_msg("expected an affirming verdict; offending check: %s", bad != NULL ? bad : "(exit code)");
    }
}

void forge_expect_only(const attest_verdict *v, const char *id, attest_severity sev, const char *const *also_warn)
{
    forge_expect_only_r(v, id, ATTEST_CHECK_FAIL, sev, also_warn);
}

void forge_expect_only_r(const attest_verdict *v, const char *id, attest_check_result r, attest_severity sev,
                         const char *const *also_warn)
{
    const char *bad = NULL;
    int found = 0, want_exit = sev == ATTEST_SEV_ERROR ? 1 : 3;
    size_t i, j;

    for (i = 0; i <= v->n_subs && bad == NULL; i++) {
        const attest_checks *c = i == 0 ? &v->checks : &v->subs[i - 1].checks;

        for (j = 0; j < c->n && bad == NULL; j++) {
            const attest_check *k = &c->v[j];

            if (strcmp(k->id, id) == 0) {
                if (found++ || k->result != r || k->severity != sev)
                    bad = k->id;
            } else if (k->severity == ATTEST_SEV_ERROR
                       || (k->severity == ATTEST_SEV_WARNING && !listed(also_warn, k->id))) {
                bad = k->id;
            }
        }
    }
    if (bad == NULL && !found)
        bad = "(target check missing)";
    if (bad != NULL || attest_verdict_exit_code(v) != want_exit) {
        dump(v);
        fail_msg("expected only %s to %s (%s); offending: %s, exit %d", id,
                 r == ATTEST_CHECK_FAIL ? "fail" : "be skipped", sev == ATTEST_SEV_ERROR ? "error" : "warning",
                 bad != NULL ? bad : "(exit code)", attest_verdict_exit_code(v));
    }
}
