/*
 * attest_spki_pkey against d2i_PUBKEY_ex, the reference: the key reader
 * that skips OpenSSL 3.0's per-key decoder context makes a key exactly when
 * OpenSSL's decoder makes one, and the same key.  For named-curve EC keys it
 * never asks the decoder again after refusing one, so every way a point can
 * be wrong is tried here on several curves (each byte changed, other lengths,
 * compressed, hybrid and infinity forms, the point under another curve);
 * RSA keys the decoder takes though they are not DER must still be taken;
 * and an algorithm nobody knows is refused without the decoder.  Each in the
 * default library context (where EC keys are copies of a kept key) and in a
 * context of its own (each key made from its fields).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "attest/spki_key.h"

static OSSL_LIB_CTX *own_ctx;

static int setup(void **state)
{
    (void)state;
    return (own_ctx = OSSL_LIB_CTX_new()) == NULL;
}

static int teardown(void **state)
{
    (void)state;
    OSSL_LIB_CTX_free(own_ctx);
    return 0;
}

/* An SPKI of algorithm alg with parameters (ptype, pval: copied) and bits. */
static X509_PUBKEY *spki_of(int alg, int ptype, const ASN1_OBJECT *param, const unsigned char *bits, int len)
{
    X509_PUBKEY *pk = X509_PUBKEY_new();
    unsigned char *copy = OPENSSL_malloc(len > 0 ? (size_t)len : 1);

    assert_non_null(pk);
    assert_non_null(copy);
    if (len > 0)
        memcpy(copy, bits, (size_t)len);
    assert_int_equal(
        X509_PUBKEY_set0_param(pk, OBJ_nid2obj(alg), ptype, param != NULL ? OBJ_dup(param) : NULL, copy, len), 1);
    return pk;
}

/* The same outcome as OpenSSL's decoder in ctx: no key from either, or equal keys.  Returns 1 if a key. */
static int agrees_in(const X509_PUBKEY *pk, OSSL_LIB_CTX *ctx)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    int n = i2d_X509_PUBKEY((X509_PUBKEY *)pk, &der);
    EVP_PKEY *ref, *ours;

    assert_true(n > 0);
    p = der;
    ref = d2i_PUBKEY_ex(NULL, &p, n, ctx, NULL);
    ours = attest_spki_pkey(pk, ctx, NULL);
    if (ref == NULL || ours == NULL)
        assert_ptr_equal(ref == NULL, ours == NULL); /* one made a key, the other did not */
    else
        assert_int_equal(EVP_PKEY_eq(ref, ours), 1);
    n = ours != NULL;
    EVP_PKEY_free(ref);
    EVP_PKEY_free(ours);
    OPENSSL_free(der);
    ERR_clear_error();
    return n;
}

static int agrees(const X509_PUBKEY *pk)
{
    int a = agrees_in(pk, NULL);

    assert_int_equal(agrees_in(pk, own_ctx), a);
    return a;
}

static int ec_agrees(const ASN1_OBJECT *curve, const unsigned char *pt, int len)
{
    X509_PUBKEY *pk = spki_of(NID_X9_62_id_ecPublicKey, V_ASN1_OBJECT, curve, pt, len);
    int r = agrees(pk);

    X509_PUBKEY_free(pk);
    return r;
}

/* The uncompressed point (04 x y) of a fresh key on curve. */
static int ec_point(const char *curve, unsigned char *out, size_t cap)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
    size_t n = 0;

    assert_non_null(k);
    assert_int_equal(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, cap, &n), 1);
    assert_int_equal(out[0], 0x04);
    EVP_PKEY_free(k);
    return (int)n;
}

static void test_ec_points(void **state)
{
    static const struct {
        const char *name;
        int nid;
    } curves[] = { { "P-256", NID_X9_62_prime256v1 },
                   { "P-384", NID_secp384r1 },
                   { "P-521", NID_secp521r1 },
                   { "secp256k1", NID_secp256k1 } };
    static const unsigned char changes[] = { 0x00, 0xff, 0x01, 0x80 };
    unsigned char pt[140], bad[141];
    size_t c, k;
    int n, i, taken = 0;

    (void)state;
    for (c = 0; c < sizeof(curves) / sizeof(curves[0]); c++) {
        const ASN1_OBJECT *curve = OBJ_nid2obj(curves[c].nid);

        assert_non_null(curve);
        n = ec_point(curves[c].name, pt, sizeof(pt));
        assert_int_equal(ec_agrees(curve, pt, n), 1);
        for (i = 0; i < n; i++) /* each byte changed: off the curve, mostly, or another point */
            for (k = 0; k < sizeof(changes); k++) {
                memcpy(bad, pt, (size_t)n);
                bad[i] = k < 2 ? changes[k] : (unsigned char)(bad[i] ^ changes[k]);
                taken += ec_agrees(curve, bad, n);
            }
        for (i = 0; i < 256; i++) { /* every form byte: 02/03 compressed, 06/07 hybrid */
            memcpy(bad, pt, (size_t)n);
            bad[0] = (unsigned char)i;
            taken += ec_agrees(curve, bad, n);
        }
        memcpy(bad, pt, (size_t)n);
        bad[n] = 0x00;
        ec_agrees(curve, bad, n + 1); /* a byte too many */
        ec_agrees(curve, pt, n - 1);  /* one too few */
        ec_agrees(curve, pt, 1);      /* 04 alone */
        bad[0] = 0x00;
        ec_agrees(curve, bad, 1);                         /* the point at infinity */
        ec_agrees(curve, pt, 0);                          /* nothing */
        bad[0] = (unsigned char)(0x02 | (pt[n - 1] & 1)); /* compressed: x and the parity of y */
        memcpy(bad + 1, pt + 1, (size_t)(n - 1) / 2);
        assert_int_equal(ec_agrees(curve, bad, 1 + (n - 1) / 2), 1);
        bad[0] ^= 0x01; /* the other y: still a point */
        assert_int_equal(ec_agrees(curve, bad, 1 + (n - 1) / 2), 1);
        memcpy(bad, pt, (size_t)n);
        bad[0] = (unsigned char)(0x06 | (pt[n - 1] & 1)); /* hybrid, the right parity */
        assert_int_equal(ec_agrees(curve, bad, n), 1);
        bad[0] ^= 0x01;
        assert_int_equal(ec_agrees(curve, bad, n), 0);
    }
    assert_true(taken > 0); /* some changes still name points (the hybrid form byte, for one) */
}

/* A point of one curve under another curve's name, and curves that are not curves. */
static void test_ec_curves(void **state)
{
    unsigned char pt[140];
    int n = ec_point("P-256", pt, sizeof(pt));
    ASN1_OBJECT *unknown = OBJ_txt2obj("1.3.6.1.4.1.55555.1.2", 1);

    (void)state;
    assert_int_equal(ec_agrees(OBJ_nid2obj(NID_secp384r1), pt, n), 0);
    assert_int_equal(ec_agrees(OBJ_nid2obj(NID_secp256k1), pt, n), 0);
    assert_int_equal(ec_agrees(OBJ_nid2obj(NID_sha256), pt, n), 0);
    assert_int_equal(ec_agrees(unknown, pt, n), 0);
    ASN1_OBJECT_free(unknown);
}

/* RSA keys OpenSSL's decoder takes though the fast path does not (a BER length, a negative modulus): taken. */
static void test_rsa_not_der(void **state)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    X509_PUBKEY *pk = NULL, *bad;
    const unsigned char *bits;
    unsigned char ber[200];
    int len;

    (void)state;
    assert_int_equal(X509_PUBKEY_set(&pk, k), 1);
    assert_int_equal(X509_PUBKEY_get0_param(NULL, &bits, &len, NULL, pk), 1);
    assert_int_equal(len, 140); /* 30 81 89 02 81 81 00 <128> 02 03 01 00 01 */
    assert_int_equal(agrees(pk), 1);
    memcpy(ber, bits, (size_t)len);
    ber[6] = 0xff; /* the modulus negative */
    bad = spki_of(NID_rsaEncryption, V_ASN1_NULL, NULL, ber, len);
    assert_int_equal(agrees(bad), 1);
    assert_null(attest_spki_pkey_to_describe(bad)); /* describing does not ask the decoder */
    X509_PUBKEY_free(bad);
    memcpy(ber, bits, (size_t)len - 5);
    memcpy(ber + len - 5, "\x02\x81\x03\x01\x00\x01", 6); /* the exponent's length in long form */
    ber[2]++;
    bad = spki_of(NID_rsaEncryption, V_ASN1_NULL, NULL, ber, len + 1);
    assert_int_equal(agrees(bad), 1);
    X509_PUBKEY_free(bad);
    X509_PUBKEY_free(pk);
    EVP_PKEY_free(k);
}

/* An algorithm no provider knows: no key, from either. */
static void test_unknown_algorithm(void **state)
{
    static const unsigned char bits[] = { 0x04, 0x01, 0x02, 0x03 };
    ASN1_OBJECT *alg = OBJ_txt2obj("1.3.6.1.4.1.55555.9.9", 1);
    X509_PUBKEY *pk = X509_PUBKEY_new();
    unsigned char *copy = OPENSSL_memdup(bits, sizeof(bits));

    (void)state;
    assert_int_equal(X509_PUBKEY_set0_param(pk, alg, V_ASN1_NULL, NULL, copy, sizeof(bits)), 1);
    assert_int_equal(agrees(pk), 0);
    X509_PUBKEY_free(pk);
}

/* Other algorithms still go to the decoder: an Ed25519 key is made. */
static void test_other_algorithms(void **state)
{
    EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    X509_PUBKEY *pk = NULL;

    (void)state;
    assert_int_equal(X509_PUBKEY_set(&pk, ed), 1);
    assert_int_equal(agrees(pk), 1);
    X509_PUBKEY_free(pk);
    EVP_PKEY_free(ed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ec_points),        cmocka_unit_test(test_ec_curves),
        cmocka_unit_test(test_rsa_not_der),      cmocka_unit_test(test_unknown_algorithm),
        cmocka_unit_test(test_other_algorithms),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
