/*
 * The attest provider's key attestation signature (ATTEST-AK) through public
 * OpenSSL APIs only: this file is the example to copy when an HSM tool signs
 * PKIX evidence with an attestation key (AK) held by any provider.  It links
 * libcrypto, nothing of attest but <attest/provider.h> (names), and finds
 * attest.so through OPENSSL_MODULES.
 *
 *   1. an "ATTEST-AK" key: EVP_PKEY_fromdata with the real key's URI (a PEM
 *      file here; handle:0x81008001 through tpm2-openssl, pkcs11:...) and,
 *      optionally, the AK certificate's DER;
 *   2. EVP_PKEY_sign over the DER of a TbsEvidence: the "signature" is the DER
 *      of a complete SignatureBlock { sid, signatureAlgorithm, signatureValue }.
 *
 * The TbsEvidence below is built by hand with ASN1_SEQUENCE_ANY, the way a
 * program without attest's ASN.1 templates would do it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/asn1.h>
#include <openssl/x509v3.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "attest/compat.h"
#include "attest/provider.h"

/* The draft's placeholder arc: key element, key-identifier claim. */
#define OID_KEY_ELEMENT "1.3.6.1.5.5.999.0.2"
#define OID_KEY_ID      "1.3.6.1.5.5.999.1.2.0"

typedef struct {
    OSSL_LIB_CTX *libctx;
    OSSL_PROVIDER *attest, *dflt;
    char dir[256];
    char ec_path[300], rsa_path[300];               /* the AKs' private keys, PEM */
    EVP_PKEY *ec, *rsa, *other;                     /* other: a key no AK file holds */
    unsigned char *ec_cert, *rsa_cert, *other_cert; /* self-signed certificates, DER */
    int ec_cert_len, rsa_cert_len, other_cert_len;
} fixture;

/* ------------------------------------------------------------- test keys */

static int write_pem(const char *path, EVP_PKEY *key)
{
    FILE *f = fopen(path, "w");
    int ok = f != NULL && PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);

    if (f != NULL)
        fclose(f);
    return ok;
}

/* A self-signed certificate for key, DER; its length or -1. */
static int self_signed(OSSL_LIB_CTX *libctx, EVP_PKEY *key, const char *cn, unsigned char **der)
{
    X509 *x = X509_new_ex(libctx, NULL);
    X509_NAME *name = X509_NAME_new();
    int n = -1;

    *der = NULL;
    if (x != NULL && name != NULL && X509_set_version(x, X509_VERSION_3)
        && ASN1_INTEGER_set(X509_get_serialNumber(x), 1)
        && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0)
        && X509_set_subject_name(x, name) && X509_set_issuer_name(x, name) && X509_gmtime_adj(X509_getm_notBefore(x), 0)
        && X509_gmtime_adj(X509_getm_notAfter(x), 86400L) && X509_set_pubkey(x, key)
        && X509_sign(x, key, EVP_sha256()) > 0)
        n = i2d_X509(x, der);
    X509_NAME_free(name);
    X509_free(x);
    return n;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");

    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "%s/test_provider_sign.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->ec_path, sizeof(f->ec_path), "%s/ak-ec.pem", f->dir);
    snprintf(f->rsa_path, sizeof(f->rsa_path), "%s/ak-rsa.pem", f->dir);
    /* The AK's provider (default, for a file) must be in the same library context. */
    if ((f->libctx = OSSL_LIB_CTX_new()) == NULL
        || (f->attest = OSSL_PROVIDER_load(f->libctx, ATTEST_PROVIDER_NAME)) == NULL
        || (f->dflt = OSSL_PROVIDER_load(f->libctx, "default")) == NULL
        || (f->ec = EVP_PKEY_Q_keygen(f->libctx, NULL, "EC", "P-256")) == NULL
        || (f->rsa = EVP_PKEY_Q_keygen(f->libctx, NULL, "RSA", (size_t)2048)) == NULL
        || (f->other = EVP_PKEY_Q_keygen(f->libctx, NULL, "EC", "P-256")) == NULL || !write_pem(f->ec_path, f->ec)
        || !write_pem(f->rsa_path, f->rsa)
        || (f->ec_cert_len = self_signed(f->libctx, f->ec, "test AK EC", &f->ec_cert)) <= 0
        || (f->rsa_cert_len = self_signed(f->libctx, f->rsa, "test AK RSA", &f->rsa_cert)) <= 0
        || (f->other_cert_len = self_signed(f->libctx, f->other, "another key", &f->other_cert)) <= 0) {
        ERR_print_errors_fp(stderr);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    unlink(f->ec_path);
    unlink(f->rsa_path);
    rmdir(f->dir);
    OPENSSL_free(f->ec_cert);
    OPENSSL_free(f->rsa_cert);
    OPENSSL_free(f->other_cert);
    EVP_PKEY_free(f->ec);
    EVP_PKEY_free(f->rsa);
    EVP_PKEY_free(f->other);
    OSSL_PROVIDER_unload(f->attest);
    OSSL_PROVIDER_unload(f->dflt);
    OSSL_LIB_CTX_free(f->libctx);
    free(f);
    return 0;
}

/* ------------------------------------------------- the example: the AK */

/* An ATTEST-AK key for the key at uri, with its certificate (cert may be NULL). */
static EVP_PKEY *load_ak(OSSL_LIB_CTX *libctx, const char *uri, const unsigned char *cert, size_t cert_len)
{
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_from_name(libctx, ATTEST_AK_NAME, "provider=attest");
    EVP_PKEY *ak = NULL;
    OSSL_PARAM params[3];
    int i = 0;

    params[i++] = OSSL_PARAM_construct_utf8_string(ATTEST_AK_PARAM_URI, (char *)uri, 0);
    if (cert != NULL)
        params[i++] = OSSL_PARAM_construct_octet_string(ATTEST_AK_PARAM_CERT, (void *)cert, cert_len);
    params[i] = OSSL_PARAM_construct_end();
    if (kctx == NULL || EVP_PKEY_fromdata_init(kctx) <= 0
        || EVP_PKEY_fromdata(kctx, &ak, EVP_PKEY_KEYPAIR, params) <= 0)
        ak = NULL; /* the reason is in the error queue */
    EVP_PKEY_CTX_free(kctx);
    return ak;
}

/* One SignatureBlock over tbs: size query, then sign.  params: "pss", "digest" or NULL. */
static int sign_tbs(OSSL_LIB_CTX *libctx, EVP_PKEY *ak, const OSSL_PARAM *params, const unsigned char *tbs,
                    size_t tbs_len, unsigned char **block, size_t *len)
{
    EVP_PKEY_CTX *sctx = EVP_PKEY_CTX_new_from_pkey(libctx, ak, "provider=attest");
    int ok = 0;

    *block = NULL;
    if (sctx != NULL && EVP_PKEY_sign_init_ex(sctx, params) > 0
        && EVP_PKEY_sign(sctx, NULL, len, tbs, tbs_len) > 0 /* an upper bound */
        && (*block = OPENSSL_malloc(*len)) != NULL
        && EVP_PKEY_sign(sctx, *block, len, tbs, tbs_len) > 0) /* *len: the real size */
        ok = 1;
    if (!ok) {
        OPENSSL_free(*block);
        *block = NULL;
    }
    EVP_PKEY_CTX_free(sctx);
    return ok;
}

/* -------------------------------------- a TbsEvidence with ASN1_SEQUENCE_ANY */

static ASN1_TYPE *oid(const char *txt)
{
    ASN1_TYPE *t = ASN1_TYPE_new();
    ASN1_OBJECT *o = OBJ_txt2obj(txt, 1);

    assert_non_null(t);
    assert_non_null(o);
    ASN1_TYPE_set(t, V_ASN1_OBJECT, o);
    return t;
}

static ASN1_TYPE *integer(long v)
{
    ASN1_TYPE *t = ASN1_TYPE_new();
    ASN1_INTEGER *i = ASN1_INTEGER_new();

    assert_non_null(t);
    assert_non_null(i);
    assert_true(ASN1_INTEGER_set(i, v));
    ASN1_TYPE_set(t, V_ASN1_INTEGER, i);
    return t;
}

static ASN1_TYPE *utf8(const char *s)
{
    ASN1_TYPE *t = ASN1_TYPE_new();
    ASN1_UTF8STRING *u = ASN1_UTF8STRING_new();

    assert_non_null(t);
    assert_non_null(u);
    assert_true(ASN1_STRING_set(u, s, -1));
    ASN1_TYPE_set(t, V_ASN1_UTF8STRING, u);
    return t;
}

/* SEQUENCE { items... } as an ASN1_TYPE; takes the items.  A V_ASN1_SEQUENCE
 * ASN1_TYPE holds the whole encoding, tag and length included. */
static ASN1_TYPE *seq(int n, ...)
{
    STACK_OF(ASN1_TYPE) *sk = sk_ASN1_TYPE_new_null();
    ASN1_TYPE *t = ASN1_TYPE_new();
    ASN1_STRING *s = ASN1_STRING_new();
    unsigned char *der = NULL;
    va_list ap;
    int i, len;

    assert_non_null(sk);
    assert_non_null(t);
    assert_non_null(s);
    va_start(ap, n);
    for (i = 0; i < n; i++)
        assert_true(sk_ASN1_TYPE_push(sk, va_arg(ap, ASN1_TYPE *)) > 0);
    va_end(ap);
    assert_true((len = i2d_ASN1_SEQUENCE_ANY(sk, &der)) > 0);
    ASN1_STRING_set0(s, der, len);
    ASN1_TYPE_set(t, V_ASN1_SEQUENCE, s);
    sk_ASN1_TYPE_pop_free(sk, ASN1_TYPE_free);
    return t;
}

/*
 * TbsEvidence ::= SEQUENCE { version INTEGER (1), reportedEntities SEQUENCE OF
 *   SEQUENCE { entityType OID, claims SEQUENCE OF SEQUENCE { claimType OID, value ANY } } }
 * with one key element holding one key-identifier claim "k1".
 */
static unsigned char *make_tbs(size_t *len)
{
    ASN1_TYPE *claim = seq(2, oid(OID_KEY_ID), utf8("k1"));
    ASN1_TYPE *element = seq(2, oid(OID_KEY_ELEMENT), seq(1, claim));
    ASN1_TYPE *tbs = seq(2, integer(1), seq(1, element));
    unsigned char *der = OPENSSL_memdup(tbs->value.sequence->data, (size_t)tbs->value.sequence->length);

    assert_non_null(der);
    *len = (size_t)tbs->value.sequence->length;
    ASN1_TYPE_free(tbs);
    return der;
}

/* ---------------------------------------------- reading a SignatureBlock */

typedef struct {
    X509 *cert; /* sid: [2] EXPLICIT Certificate */
    X509_ALGOR *alg;
    unsigned char alg_der[128];
    int alg_len;
    ASN1_OCTET_STRING *sig;
} sigblock;

static void sigblock_free(sigblock *b)
{
    X509_free(b->cert);
    X509_ALGOR_free(b->alg);
    ASN1_OCTET_STRING_free(b->sig);
    memset(b, 0, sizeof(*b));
}

/*
 * SignatureBlock ::= SEQUENCE { sid SignerIdentifier, signatureAlgorithm
 *   AlgorithmIdentifier, signatureValue OCTET STRING }
 * SignerIdentifier ::= SEQUENCE { keyId [0] EXPLICIT OCTET STRING OPTIONAL,
 *   subjectPublicKeyInfo [1] EXPLICIT SPKI OPTIONAL, certificate [2] EXPLICIT Certificate OPTIONAL }
 */
static void parse_block(const unsigned char *der, size_t len, sigblock *b)
{
    const unsigned char *p = der, *q;
    STACK_OF(ASN1_TYPE) *top, *sid;
    ASN1_TYPE *t;
    long n;
    int tag, cls;

    memset(b, 0, sizeof(*b));
    assert_non_null(top = d2i_ASN1_SEQUENCE_ANY(NULL, &p, (long)len));
    assert_ptr_equal(p, der + len); /* nothing after it */
    assert_int_equal(sk_ASN1_TYPE_num(top), 3);

    t = sk_ASN1_TYPE_value(top, 0); /* sid */
    assert_int_equal(t->type, V_ASN1_SEQUENCE);
    q = t->value.sequence->data;
    assert_non_null(sid = d2i_ASN1_SEQUENCE_ANY(NULL, &q, t->value.sequence->length));
    assert_int_equal(sk_ASN1_TYPE_num(sid), 1);
    t = sk_ASN1_TYPE_value(sid, 0); /* a context tag: V_ASN1_OTHER, whole TLV */
    assert_int_equal(t->type, V_ASN1_OTHER);
    q = t->value.asn1_string->data;
    assert_int_equal(ASN1_get_object(&q, &n, &tag, &cls, t->value.asn1_string->length) & 0x80, 0);
    assert_int_equal(cls, V_ASN1_CONTEXT_SPECIFIC);
    assert_int_equal(tag, 2);
    assert_non_null(b->cert = d2i_X509(NULL, &q, n));
    sk_ASN1_TYPE_pop_free(sid, ASN1_TYPE_free);

    t = sk_ASN1_TYPE_value(top, 1); /* signatureAlgorithm */
    assert_int_equal(t->type, V_ASN1_SEQUENCE);
    assert_true(t->value.sequence->length <= (int)sizeof(b->alg_der));
    memcpy(b->alg_der, t->value.sequence->data, (size_t)t->value.sequence->length);
    b->alg_len = t->value.sequence->length;
    q = b->alg_der;
    assert_non_null(b->alg = d2i_X509_ALGOR(NULL, &q, b->alg_len));

    t = sk_ASN1_TYPE_value(top, 2); /* signatureValue */
    assert_int_equal(t->type, V_ASN1_OCTET_STRING);
    assert_non_null(b->sig = ASN1_OCTET_STRING_dup(t->value.octet_string));
    sk_ASN1_TYPE_pop_free(top, ASN1_TYPE_free);
}

/* The provider's text for the last error: reason and data. */
/* The provider's own error (OpenSSL >= 3.2 queues a generic EVP one after it); empties the queue. */
static unsigned long last_code;
static const char *last_error(int *reason)
{
    static char why[256];

    last_code = attest_ossl_reason(why, sizeof(why));
    *reason = ERR_GET_REASON(last_code);
    return why;
}

/* ------------------------------------------------------------------ tests */

static void test_ec_ak_signs_tbs(void **state)
{
    fixture *f = *state;
    EVP_PKEY *ak = load_ak(f->libctx, f->ec_path, f->ec_cert, (size_t)f->ec_cert_len);
    unsigned char spki[1024], *mine = NULL, *tbs, *block = NULL, *cert_der = NULL;
    size_t tbs_len, block_len = 0;
    OSSL_PARAM get[2];
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    sigblock b;
    int n, cert_len;
    static const unsigned char ecdsa_sha256[] = { /* SEQUENCE { OID ecdsa-with-SHA256 }: no parameters */
                                                  0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02
    };

    if (ak == NULL)
        ERR_print_errors_fp(stderr);
    assert_non_null(ak);
    assert_true(EVP_PKEY_is_a(ak, ATTEST_AK_NAME));

    /* The AK's public half, without loading the key a second time. */
    get[0] = OSSL_PARAM_construct_octet_string(ATTEST_AK_PARAM_SPKI, spki, sizeof(spki));
    get[1] = OSSL_PARAM_construct_end();
    assert_int_equal(EVP_PKEY_get_params(ak, get), 1);
    assert_true((n = i2d_PUBKEY(f->ec, &mine)) > 0);
    assert_int_equal(get[0].return_size, (size_t)n);
    assert_memory_equal(spki, mine, (size_t)n);
    OPENSSL_free(mine);

    tbs = make_tbs(&tbs_len);
    assert_true(sign_tbs(f->libctx, ak, NULL, tbs, tbs_len, &block, &block_len));
    parse_block(block, block_len, &b);

    /* sid = the certificate given at fromdata */
    assert_true((cert_len = i2d_X509(b.cert, &cert_der)) > 0);
    assert_int_equal(cert_len, f->ec_cert_len);
    assert_memory_equal(cert_der, f->ec_cert, (size_t)cert_len);
    OPENSSL_free(cert_der);
    /* ecdsa-with-SHA256, parameters absent (RFC 5758), not NULL */
    assert_int_equal(OBJ_obj2nid(b.alg->algorithm), NID_ecdsa_with_SHA256);
    assert_int_equal(b.alg_len, (int)sizeof(ecdsa_sha256));
    assert_memory_equal(b.alg_der, ecdsa_sha256, sizeof(ecdsa_sha256));
    /* the value is an ECDSA signature over exactly the TbsEvidence bytes */
    assert_non_null(md);
    assert_int_equal(EVP_DigestVerifyInit_ex(md, NULL, "SHA256", f->libctx, NULL, f->ec, NULL), 1);
    assert_int_equal(EVP_DigestVerify(md, b.sig->data, (size_t)b.sig->length, tbs, tbs_len), 1);

    EVP_MD_CTX_free(md);
    sigblock_free(&b);
    OPENSSL_free(block);
    OPENSSL_free(tbs);
    EVP_PKEY_free(ak);
}

static void test_digest_param(void **state)
{
    fixture *f = *state;
    EVP_PKEY *ak = load_ak(f->libctx, f->ec_path, f->ec_cert, (size_t)f->ec_cert_len);
    unsigned char *tbs, *block = NULL;
    size_t tbs_len, block_len = 0;
    OSSL_PARAM params[2];
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    sigblock b;

    assert_non_null(ak);
    assert_non_null(md);
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, "SHA384", 0);
    params[1] = OSSL_PARAM_construct_end();
    tbs = make_tbs(&tbs_len);
    assert_true(sign_tbs(f->libctx, ak, params, tbs, tbs_len, &block, &block_len));
    parse_block(block, block_len, &b);
    assert_int_equal(OBJ_obj2nid(b.alg->algorithm), NID_ecdsa_with_SHA384);
    assert_int_equal(EVP_DigestVerifyInit_ex(md, NULL, "SHA384", f->libctx, NULL, f->ec, NULL), 1);
    assert_int_equal(EVP_DigestVerify(md, b.sig->data, (size_t)b.sig->length, tbs, tbs_len), 1);
    EVP_MD_CTX_free(md);
    sigblock_free(&b);
    OPENSSL_free(block);
    OPENSSL_free(tbs);
    EVP_PKEY_free(ak);
}

/* The AK signs attestations only: other bytes are refused, and the provider says why. */
static void test_refuses_non_tbs(void **state)
{
    fixture *f = *state;
    EVP_PKEY *ak = load_ak(f->libctx, f->ec_path, f->ec_cert, (size_t)f->ec_cert_len);
    static const unsigned char hello[] = "hello";
    unsigned char *tbs, *block = NULL, *longer;
    size_t tbs_len, block_len = 0;
    const char *why;
    int reason = 0;

    assert_non_null(ak);
    ERR_clear_error();
    assert_false(sign_tbs(f->libctx, ak, NULL, hello, sizeof(hello) - 1, &block, &block_len));
    assert_null(block);
    why = last_error(&reason);
    assert_int_equal(reason, ATTEST_R_SIGN_FAILED);
    assert_non_null(strstr(why, "TbsEvidence"));
    assert_string_equal(ERR_reason_error_string(last_code), "key attestation signature failed");
    ERR_clear_error();

    /* A TbsEvidence with a byte after it is not one DER TbsEvidence either. */
    tbs = make_tbs(&tbs_len);
    assert_non_null(longer = OPENSSL_malloc(tbs_len + 1));
    memcpy(longer, tbs, tbs_len);
    longer[tbs_len] = 0;
    assert_false(sign_tbs(f->libctx, ak, NULL, longer, tbs_len + 1, &block, &block_len));
    why = last_error(&reason);
    assert_int_equal(reason, ATTEST_R_SIGN_FAILED);
    assert_non_null(strstr(why, "TbsEvidence"));
    ERR_clear_error();
    OPENSSL_free(longer);
    OPENSSL_free(tbs);
    EVP_PKEY_free(ak);
}

static void test_cert_of_another_key(void **state)
{
    fixture *f = *state;
    const char *why;
    int reason = 0;

    ERR_clear_error();
    assert_null(load_ak(f->libctx, f->ec_path, f->other_cert, (size_t)f->other_cert_len));
    why = last_error(&reason);
    assert_int_equal(reason, ATTEST_R_KEY_LOAD);
    assert_non_null(strstr(why, "another key"));
    ERR_clear_error();

    /* "cert" that is not one DER certificate */
    assert_null(load_ak(f->libctx, f->ec_path, (const unsigned char *)"junk", 4));
    why = last_error(&reason);
    assert_int_equal(reason, ATTEST_R_KEY_LOAD);
    assert_non_null(strstr(why, "cert"));
    ERR_clear_error();
}

/* A certificate that marks a TPM AK (EKU tcg-kp-AIKCertificate) never makes an ATTEST-AK key. */
static void test_cert_of_tpm_ak(void **state)
{
    fixture *f = *state;
    X509 *x = NULL;
    EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();
    const unsigned char *p = f->ec_cert;
    unsigned char *der = NULL;
    const char *why;
    int reason = 0, n;

    assert_non_null(eku);
    assert_non_null(x = d2i_X509(NULL, &p, f->ec_cert_len));
    assert_true(sk_ASN1_OBJECT_push(eku, OBJ_txt2obj("2.23.133.8.3", 1)) > 0);
    assert_int_equal(X509_add1_ext_i2d(x, NID_ext_key_usage, eku, 0, 0), 1);
    assert_true(X509_sign(x, f->ec, EVP_sha256()) > 0);
    assert_true((n = i2d_X509(x, &der)) > 0);
    ERR_clear_error();
    assert_null(load_ak(f->libctx, f->ec_path, der, (size_t)n));
    why = last_error(&reason);
    assert_int_equal(reason, ATTEST_R_KEY_LOAD);
    assert_non_null(strstr(why, "TPM AK certificate"));
    ERR_clear_error();
    OPENSSL_free(der);
    X509_free(x);
    sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
}

static void test_rsa_pss(void **state)
{
    fixture *f = *state;
    EVP_PKEY *ak = load_ak(f->libctx, f->rsa_path, f->rsa_cert, (size_t)f->rsa_cert_len);
    unsigned char *tbs, *block = NULL;
    size_t tbs_len, block_len = 0;
    OSSL_PARAM params[2];
    int pss = 1;
    int64_t salt = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *vctx = NULL;
    RSA_PSS_PARAMS *pp;
    X509_ALGOR *mgf1md;
    sigblock b;

    assert_non_null(ak);
    assert_non_null(md);
    params[0] = OSSL_PARAM_construct_int(ATTEST_AK_PARAM_PSS, &pss);
    params[1] = OSSL_PARAM_construct_end();
    tbs = make_tbs(&tbs_len);
    assert_true(sign_tbs(f->libctx, ak, params, tbs, tbs_len, &block, &block_len));
    parse_block(block, block_len, &b);

    /* rsassaPss with RSASSA-PSS-params: SHA-256, MGF1 with SHA-256, salt 32 */
    assert_int_equal(OBJ_obj2nid(b.alg->algorithm), NID_rsassaPss);
    assert_non_null(b.alg->parameter);
    assert_non_null(pp = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS), b.alg->parameter));
    assert_non_null(pp->hashAlgorithm);
    assert_int_equal(OBJ_obj2nid(pp->hashAlgorithm->algorithm), NID_sha256);
    assert_non_null(pp->maskGenAlgorithm);
    assert_int_equal(OBJ_obj2nid(pp->maskGenAlgorithm->algorithm), NID_mgf1);
    assert_non_null(mgf1md = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR), pp->maskGenAlgorithm->parameter));
    assert_int_equal(OBJ_obj2nid(mgf1md->algorithm), NID_sha256);
    assert_non_null(pp->saltLength);
    assert_true(ASN1_INTEGER_get_int64(&salt, pp->saltLength));
    assert_int_equal(salt, 32);
    X509_ALGOR_free(mgf1md);
    RSA_PSS_PARAMS_free(pp);

    /* verifies with PSS over the TbsEvidence bytes */
    assert_int_equal(EVP_DigestVerifyInit_ex(md, &vctx, "SHA256", f->libctx, NULL, f->rsa, NULL), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(vctx, RSA_PKCS1_PSS_PADDING), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md_name(vctx, "SHA256", NULL), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(vctx, 32), 1);
    assert_int_equal(EVP_DigestVerify(md, b.sig->data, (size_t)b.sig->length, tbs, tbs_len), 1);

    EVP_MD_CTX_free(md);
    sigblock_free(&b);
    OPENSSL_free(block);
    OPENSSL_free(tbs);
    EVP_PKEY_free(ak);
}

static void test_missing_uri(void **state)
{
    fixture *f = *state;
    char path[400];
    const char *why;
    int reason = 0;

    snprintf(path, sizeof(path), "%s/no-such-key.pem", f->dir);
    ERR_clear_error();
    assert_null(load_ak(f->libctx, path, NULL, 0));
    why = last_error(&reason);
    assert_int_equal(reason, ATTEST_R_KEY_LOAD);
    assert_non_null(strstr(why, "no-such-key.pem"));
    ERR_clear_error();
}

/* Loading an AK and signing with it leave the caller's error queue as they found it. */
static void test_caller_queue_survives(void **state)
{
    fixture *f = *state;
    EVP_PKEY *ak;
    unsigned char *tbs, *block = NULL;
    size_t tbs_len, block_len = 0;

    ERR_clear_error();
    ERR_raise_data(ERR_LIB_USER, 4242, "the caller's own error");
    ak = load_ak(f->libctx, f->ec_path, f->ec_cert, (size_t)f->ec_cert_len);
    assert_non_null(ak);
    tbs = make_tbs(&tbs_len);
    assert_true(sign_tbs(f->libctx, ak, NULL, tbs, tbs_len, &block, &block_len));
    /* still there, and alone: nothing wiped it, nothing piled on top */
    assert_int_equal(ERR_GET_LIB(ERR_peek_error()), ERR_LIB_USER);
    assert_int_equal(ERR_GET_REASON(ERR_peek_error()), 4242);
    assert_int_equal(ERR_peek_last_error(), ERR_peek_error());
    ERR_clear_error();
    OPENSSL_free(block);
    OPENSSL_free(tbs);
    EVP_PKEY_free(ak);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ec_ak_signs_tbs), cmocka_unit_test(test_digest_param),
        cmocka_unit_test(test_refuses_non_tbs), cmocka_unit_test(test_cert_of_another_key),
        cmocka_unit_test(test_cert_of_tpm_ak),  cmocka_unit_test(test_rsa_pss),
        cmocka_unit_test(test_missing_uri),     cmocka_unit_test(test_caller_queue_survives),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
