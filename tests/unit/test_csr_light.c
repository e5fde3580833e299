/*
 * verify's light request form (no X509_REQ, the key from its SPKI fields)
 * must see what the X509_REQ form sees: the same SubjectPublicKeyInfo bytes,
 * subject, key and self-signature result, for RSA, RSA-PSS, EC and EdDSA
 * subject keys; a changed signature or another key must not verify.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "attest/csr.h"
#include "attest/oids.h"
#include "attest/spki_key.h"

/* A signed request for key, as DER. */
static unsigned char *request(EVP_PKEY *key, int *len)
{
    X509_REQ *req = X509_REQ_new();
    X509_NAME *name = X509_REQ_get_subject_name(req);
    unsigned char *der = NULL;

    assert_non_null(req);
    assert_true(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"light", -1, -1, 0));
    assert_true(X509_REQ_set_pubkey(req, key));
    assert_true(X509_REQ_sign(req, key, EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 ? NULL : EVP_sha256()) > 0);
    assert_true((*len = i2d_X509_REQ(req, &der)) > 0);
    X509_REQ_free(req);
    return der;
}

static void spki_der_is(EVP_PKEY *key, const unsigned char *want, int n)
{
    unsigned char *der = NULL;

    assert_int_equal(attest_pkey_spki_der(key, &der), n);
    assert_memory_equal(der, want, (size_t)n);
    OPENSSL_free(der);
}

static void same_as_full(EVP_PKEY *key)
{
    int len, n1, n2;
    unsigned char *der = request(key, &len), *a = NULL, *b = NULL;
    attest_csr *full = NULL, *light = NULL;
    attest_err err;
    EVP_PKEY *k;

    assert_int_equal(attest_csr_decode(der, (size_t)len, &full, &err), 0);
    assert_int_equal(attest_csr_decode_light(der, (size_t)len, &light, &err), 0);
    assert_null(light->req);
    assert_int_equal(X509_NAME_cmp(light->subject, X509_REQ_get_subject_name(full->req)), 0);
    n1 = i2d_X509_PUBKEY(light->spki, &a);
    n2 = i2d_X509_PUBKEY(X509_REQ_get_X509_PUBKEY(full->req), &b);
    assert_true(n1 > 0 && n1 == n2);
    assert_memory_equal(a, b, (size_t)n1);
    assert_non_null(k = attest_csr_get0_pubkey(light, NULL, NULL));
    assert_int_equal(EVP_PKEY_eq(k, X509_REQ_get0_pubkey(full->req)), 1);
    assert_int_equal(attest_csr_verify_signature(light, k, NULL, NULL), 1);
    assert_int_equal(X509_REQ_verify(full->req, k), 1);
    /* And back: the SPKI read from the key's fields (or encoded, for other types) is the request's. */
    spki_der_is(k, b, n2);
    spki_der_is(key, b, n2);
    OPENSSL_free(a);
    OPENSSL_free(b);
    attest_csr_free(full);
    attest_csr_free(light);
    OPENSSL_free(der);
}

static void test_rsa(void **state)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);

    (void)state;
    same_as_full(k);
    EVP_PKEY_free(k);
}

/* Restricted to SHA-256, so its SPKI carries parameters (a SEQUENCE). */
static void test_rsa_pss(void **state)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
    EVP_PKEY *k = NULL;

    (void)state;
    assert_true(ctx != NULL && EVP_PKEY_keygen_init(ctx) > 0 && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) > 0
                && EVP_PKEY_CTX_set_rsa_pss_keygen_md(ctx, EVP_sha256()) > 0 && EVP_PKEY_keygen(ctx, &k) > 0);
    EVP_PKEY_CTX_free(ctx);
    same_as_full(k);
    EVP_PKEY_free(k);
}

static void test_ec(void **state)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");

    (void)state;
    same_as_full(k);
    EVP_PKEY_free(k);
}

/*
 * attest_spki_pkey (or, describe set, attest_spki_pkey_to_describe) of key's
 * SPKI in the default context, bits optionally with the last byte flipped.
 */
static EVP_PKEY *spki_key_via(EVP_PKEY *key, int flip, int describe)
{
    X509_PUBKEY *pk = NULL, *raw;
    const unsigned char *bits;
    X509_ALGOR *alg;
    ASN1_OBJECT *obj, *curve;
    const void *pval;
    int ptype, len;
    unsigned char *copy;
    EVP_PKEY *k;

    assert_int_equal(X509_PUBKEY_set(&pk, key), 1);
    assert_int_equal(X509_PUBKEY_get0_param(&obj, &bits, &len, &alg, pk), 1);
    X509_ALGOR_get0(NULL, &ptype, &pval, alg);
    copy = OPENSSL_memdup(bits, (size_t)len);
    if (flip)
        copy[len - 1] ^= 0x01;
    curve = ptype == V_ASN1_OBJECT ? OBJ_dup(pval) : NULL; /* RSA: NULL parameters; EdDSA: none */
    raw = X509_PUBKEY_new();
    assert_int_equal(X509_PUBKEY_set0_param(raw, OBJ_dup(obj), ptype, curve, copy, len), 1);
    k = describe ? attest_spki_pkey_to_describe(raw) : attest_spki_pkey(raw, NULL, NULL);
    X509_PUBKEY_free(raw);
    X509_PUBKEY_free(pk);
    return k;
}

static EVP_PKEY *spki_key_of(EVP_PKEY *key, int flip)
{
    return spki_key_via(key, flip, 0);
}

/* EC keys after the first of their curve are copies with the new point: each is its own key, bad points refused. */
static void test_ec_copies(void **state)
{
    EVP_PKEY *a = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), *b = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY *ka, *kb, *kb2;

    (void)state;
    assert_non_null(ka = spki_key_of(a, 0));
    assert_non_null(kb = spki_key_of(b, 0));
    assert_non_null(kb2 = spki_key_of(b, 0));
    assert_int_equal(EVP_PKEY_eq(ka, a), 1);
    assert_int_equal(EVP_PKEY_eq(kb, b), 1);
    assert_int_equal(EVP_PKEY_eq(kb2, b), 1);
    assert_int_not_equal(EVP_PKEY_eq(kb, a), 1);
    assert_int_not_equal(EVP_PKEY_eq(ka, b), 1);
    /* A point off the curve: no key at all, never the kept key's point. */
    assert_null(spki_key_of(b, 1));
    EVP_PKEY_free(ka);
    EVP_PKEY_free(kb);
    EVP_PKEY_free(kb2);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
}

/*
 * The describing form makes the same keys, and refuses the same broken ones
 * (without asking OpenSSL's decoder); other algorithms still decode.
 */
static void test_describe_key(void **state)
{
    const char *types[][2] = { { "EC", "P-256" }, { "EC", "P-384" }, { "RSA", NULL }, { "ED25519", NULL } };
    EVP_PKEY *key, *k;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        key = types[i][1] != NULL             ? EVP_PKEY_Q_keygen(NULL, NULL, types[i][0], types[i][1])
            : strcmp(types[i][0], "RSA") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)
                                              : EVP_PKEY_Q_keygen(NULL, NULL, types[i][0]);
        assert_non_null(key);
        assert_non_null(k = spki_key_via(key, 0, 1));
        assert_int_equal(EVP_PKEY_eq(k, key), 1);
        EVP_PKEY_free(k);
        if (types[i][1] != NULL) /* a point off the curve */
            assert_null(spki_key_via(key, 1, 1));
        EVP_PKEY_free(key);
    }
}

static void test_ed25519(void **state)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

    (void)state;
    same_as_full(k);
    EVP_PKEY_free(k);
}

static void test_bad_signature_or_key(void **state)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), *other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    int len;
    unsigned char *der = request(k, &len);
    attest_csr *c = NULL;
    attest_err err;

    (void)state;
    assert_int_equal(attest_csr_decode_light(der, (size_t)len, &c, &err), 0);
    assert_int_not_equal(attest_csr_verify_signature(c, other, NULL, NULL), 1);
    attest_csr_free(c);
    der[len - 5] ^= 0x01; /* inside the ECDSA signature's s */
    assert_int_equal(attest_csr_decode_light(der, (size_t)len, &c, &err), 0);
    assert_int_not_equal(attest_csr_verify_signature(c, attest_csr_get0_pubkey(c, NULL, NULL), NULL, NULL), 1);
    attest_csr_free(c);
    OPENSSL_free(der);
    EVP_PKEY_free(k);
    EVP_PKEY_free(other);
}

/* A signed request whose extensionRequest holds one extension: oid with an OCTET STRING value of val. */
static unsigned char *request_with_ext(EVP_PKEY *key, const ASN1_OBJECT *oid, const unsigned char *val, int vlen,
                                       int *len)
{
    X509_REQ *req = X509_REQ_new();
    STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *ext;
    unsigned char *der = NULL;

    assert_true(ASN1_OCTET_STRING_set(os, val, vlen));
    assert_non_null(ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, os));
    assert_true(sk_X509_EXTENSION_push(exts, ext));
    assert_true(X509_REQ_add_extensions(req, exts));
    assert_true(X509_REQ_set_pubkey(req, key));
    assert_true(X509_REQ_sign(req, key, EVP_sha256()) > 0);
    assert_true((*len = i2d_X509_REQ(req, &der)) > 0);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    ASN1_OCTET_STRING_free(os);
    X509_REQ_free(req);
    return der;
}

static int in_ext_request(EVP_PKEY *key, const ASN1_OBJECT *oid, const unsigned char *val, int vlen)
{
    int len, r;
    unsigned char *der = request_with_ext(key, oid, val, vlen, &len);
    attest_csr *c = NULL;
    attest_err err;

    assert_int_equal(attest_csr_decode_light(der, (size_t)len, &c, &err), 0);
    assert_int_equal(c->n_attest_attrs, 0);
    r = c->in_ext_request;
    attest_csr_free(c);
    OPENSSL_free(der);
    return r;
}

/*
 * Evidence as an extension in extensionRequest is noted; the bytes of its
 * OID are looked for before the extensions are decoded, so the OID's DER
 * inside another extension's value must not count, nor must another OID.
 */
static void test_evidence_in_ext_request(void **state)
{
    const ASN1_OBJECT *att = attest_oid_obj(ATTEST_OID_AA_ATTESTATION);
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    unsigned char oid_der[64], *p = oid_der;
    int n = i2d_ASN1_OBJECT(att, &p);

    (void)state;
    assert_non_null(key);
    assert_true(n > 2 && n < (int)sizeof(oid_der));
    assert_int_equal(in_ext_request(key, att, (const unsigned char *)"\x05\x00", 2), 1);
    assert_int_equal(in_ext_request(key, OBJ_nid2obj(NID_subject_alt_name), oid_der, n), 0);
    assert_int_equal(in_ext_request(key, OBJ_nid2obj(NID_subject_alt_name), (const unsigned char *)"\x05\x00", 2), 0);
    EVP_PKEY_free(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa),          cmocka_unit_test(test_rsa_pss),
        cmocka_unit_test(test_ec),           cmocka_unit_test(test_ec_copies),
        cmocka_unit_test(test_ed25519),      cmocka_unit_test(test_bad_signature_or_key),
        cmocka_unit_test(test_describe_key), cmocka_unit_test(test_evidence_in_ext_request),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
