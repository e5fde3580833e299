/*
 * The helpers that replaced hand-written copies (issue 11): strict
 * re-encoding, hex, the default digest, PEM-or-DER certificate files, the
 * key-spki claim; and that each leaves a caller's error queue alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "attest/certfile.h"
#include "attest/der.h"
#include "attest/escape.h"
#include "attest/keys.h"
#include "attest/pkix.h"
#include "attest/request.h"

#define SENTINEL 4242

static void push_sentinel(void)
{
    ERR_clear_error();
    ERR_raise_data(ERR_LIB_USER, SENTINEL, "the caller's own error");
}

/* The caller's error is still on the queue, and alone. */
static void assert_sentinel_alone(void)
{
    assert_int_equal(ERR_GET_LIB(ERR_peek_error()), ERR_LIB_USER);
    assert_int_equal(ERR_GET_REASON(ERR_peek_error()), SENTINEL);
    assert_int_equal(ERR_peek_last_error(), ERR_peek_error());
    ERR_clear_error();
}

/* ------------------------------------------------------------ re-encoding */

static void test_reencodes_refuses_ber(void **state)
{
    static const unsigned char ber[] = { 0x04, 0x81, 0x01, 0xaa }; /* non-minimal length */
    static const unsigned char der[] = { 0x04, 0x01, 0xaa };
    const unsigned char *p = ber;
    ASN1_OCTET_STRING *os;

    (void)state;
    /* OpenSSL's template decoder takes the BER form ... */
    assert_non_null(os = d2i_ASN1_OCTET_STRING(NULL, &p, sizeof(ber)));
    /* ... the re-encoding is not the input. */
    assert_false(attest_der_reencodes(ASN1_ITEM_rptr(ASN1_OCTET_STRING), os, ber, sizeof(ber)));
    /* A prefix, or the bytes with one more after them, is not the encoding either. */
    assert_false(attest_der_reencodes(ASN1_ITEM_rptr(ASN1_OCTET_STRING), os, der, sizeof(der) - 1));
    assert_false(attest_der_reencodes(ASN1_ITEM_rptr(ASN1_OCTET_STRING), os, ber, sizeof(ber) - 1));
    assert_true(attest_der_reencodes(ASN1_ITEM_rptr(ASN1_OCTET_STRING), os, der, sizeof(der)));
    ASN1_OCTET_STRING_free(os);
}

/* ------------------------------------------------------------ hex */

static void test_hex(void **state)
{
    static const unsigned char b[] = { 0x00, 0xff, 0x10, 0xab };
    char out[16], *s;

    (void)state;
    assert_string_equal(attest_hex(b, sizeof(b), out, sizeof(out)), "00ff10ab"); /* lowercase */
    assert_string_equal(attest_hex(b, sizeof(b), out, 6), "00ff");               /* whole bytes only */
    assert_string_equal(attest_hex(b, sizeof(b), out, 2), "");
    assert_string_equal(attest_hex(b, 0, out, sizeof(out)), "");
    assert_non_null(s = attest_hex_dup(b, sizeof(b)));
    assert_string_equal(s, "00ff10ab");
    OPENSSL_free(s);
    assert_non_null(s = attest_hex_dup(b, 0));
    assert_string_equal(s, "");
    OPENSSL_free(s);
}

static void test_b64url(void **state)
{
    static const unsigned char b[] = { 0xfb, 0xff, 0x00, 0x3e };
    char *s;

    (void)state;
    assert_non_null(s = attest_b64url(b, sizeof(b))); /* base64 "+/8APg==" */
    assert_string_equal(s, "-_8APg");
    OPENSSL_free(s);
    assert_non_null(s = attest_b64url(b, 0));
    assert_string_equal(s, "");
    OPENSSL_free(s);
}

/* Every length mod 3 and every byte value round-trips; each byte outside the alphabet is refused anywhere. */
static void test_b64url_decode(void **state)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char in[259], *out;
    char s[8];
    size_t n, len;
    int c, pos;

    (void)state;
    for (n = 0; n < sizeof(in); n++)
        in[n] = (unsigned char)(n * 7 + 3);
    for (n = 256; n < sizeof(in) + 1; n++) {
        char *e = attest_b64url(in, n);

        assert_non_null(e);
        assert_null(strpbrk(e, "+/="));
        assert_non_null(out = attest_b64url_decode(e, strlen(e), 1024, &len));
        assert_int_equal(len, n);
        assert_memory_equal(out, in, n);
        OPENSSL_free(out);
        OPENSSL_free(e);
    }
    for (c = 0; c < 256; c++)
        for (pos = 0; pos < 4; pos++) {
            memcpy(s, "QUJD", 4); /* "ABC" */
            s[pos] = (char)c;
            out = attest_b64url_decode(s, 4, 16, &len);
            if (c != 0 && strchr(alphabet, c) != NULL) {
                assert_non_null(out);
                assert_int_equal(len, 3);
            } else {
                assert_null(out);
            }
            OPENSSL_free(out);
        }
    assert_null(attest_b64url_decode("QUJDR", 5, 16, &len)); /* 4k+1 characters */
    assert_null(attest_b64url_decode("QUJDRA", 6, 5, &len)); /* over max */
}

/* ------------------------------------------------------------ default digest */

static EVP_PKEY *ec(const char *curve)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);

    assert_non_null(k);
    return k;
}

static void test_default_md(void **state)
{
    const char *curves[] = { "P-256", "P-384", "P-521" }, *want[] = { "SHA256", "SHA384", "SHA512" };
    EVP_PKEY *k;
    size_t i;

    (void)state;
    for (i = 0; i < 3; i++) {
        k = ec(curves[i]);
        assert_string_equal(attest_default_md(k), want[i]);
        EVP_PKEY_free(k);
    }
    assert_non_null(k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"));
    assert_null(attest_default_md(k)); /* signs the message itself */
    EVP_PKEY_free(k);
    assert_non_null(k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048));
    assert_string_equal(attest_default_md(k), "SHA256");
    EVP_PKEY_free(k);
}

/* ------------------------------------------------------------ certificate files */

static X509 *self_signed(EVP_PKEY *key, const char *cn)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_get_subject_name(x);

    assert_non_null(x);
    assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), 1));
    assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0));
    assert_true(X509_set_issuer_name(x, n));
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
    assert_true(X509_set_pubkey(x, key));
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    return x;
}

static int read_certs(BIO *b)
{
    STACK_OF(X509) *sk = sk_X509_new_null();
    int n;

    assert_non_null(sk);
    n = attest_certs_read(b, sk);
    assert_int_equal(sk_X509_num(sk), n < 0 ? sk_X509_num(sk) : n);
    sk_X509_pop_free(sk, X509_free);
    BIO_free(b);
    return n;
}

static void test_certs_read(void **state)
{
    EVP_PKEY *k = ec("P-256");
    X509 *a = self_signed(k, "a"), *b = self_signed(k, "b");
    BIO *pem = BIO_new(BIO_s_mem()), *der = BIO_new(BIO_s_mem());
    char *pem_data, *der_data;
    long pem_len, der_len;
    static const char junk[] = "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n";

    (void)state;
    assert_true(PEM_write_bio_X509(pem, a) && PEM_write_bio_X509(pem, b));
    assert_true(i2d_X509_bio(der, a));
    pem_len = BIO_get_mem_data(pem, &pem_data);
    der_len = BIO_get_mem_data(der, &der_data);
    push_sentinel();
    /* read-only memory, as the CLI reads a file */
    assert_int_equal(read_certs(BIO_new_mem_buf(pem_data, (int)pem_len)), 2);
    assert_int_equal(read_certs(BIO_new_mem_buf(der_data, (int)der_len)), 1);
    assert_int_equal(read_certs(BIO_new_mem_buf(junk, (int)strlen(junk))), 0);
    assert_int_equal(read_certs(BIO_new_mem_buf("\x30\x03\x02\x01\x01", 5)), 0);
    /* the failed PEM and DER attempts are not the caller's errors */
    assert_sentinel_alone();
    BIO_free(pem);
    BIO_free(der);
    X509_free(a);
    X509_free(b);
    EVP_PKEY_free(k);
}

/* ------------------------------------------------------------ key-spki */

static ATTEST_PKIX_ELEMENT *element(attest_oid_id type, ASN1_TYPE *spki)
{
    ATTEST_PKIX_ELEMENT *el = attest_pkix_element_new(type);

    assert_non_null(el);
    assert_true(attest_pkix_add_claim(el, ATTEST_OID_PKIX_KEY_SPKI, spki));
    return el;
}

static ASN1_TYPE *octets(int type)
{
    ASN1_TYPE *t = ASN1_TYPE_new();
    ASN1_STRING *s = ASN1_STRING_type_new(type);

    assert_true(t != NULL && s != NULL && ASN1_STRING_set(s, "\x30\x00", 2));
    ASN1_TYPE_set(t, type, s);
    return t;
}

static void test_key_spki(void **state)
{
    ATTEST_PKIX_ELEMENT *el;

    (void)state;
    /* only a key element's claim counts, as the verifier reads it */
    el = element(ATTEST_OID_PKIX_EL_PLATFORM, octets(V_ASN1_OCTET_STRING));
    assert_null(attest_pkix_key_spki(el));
    ATTEST_PKIX_ELEMENT_free(el);
    el = element(ATTEST_OID_PKIX_EL_KEY, octets(V_ASN1_UTF8STRING));
    assert_null(attest_pkix_key_spki(el));
    ATTEST_PKIX_ELEMENT_free(el);
    el = element(ATTEST_OID_PKIX_EL_KEY, octets(V_ASN1_OCTET_STRING));
    assert_non_null(attest_pkix_key_spki(el));
    assert_int_equal(attest_pkix_key_spki(el)->length, 2);
    ATTEST_PKIX_ELEMENT_free(el);
}

/* ------------------------------------------------------------ the caller's queue */

static void test_queue_survives_subject(void **state)
{
    attest_err err;

    (void)state;
    push_sentinel();
    /* X509_NAME refuses the attribute with an error of its own; we report it through err */
    assert_null(attest_parse_subject("/NoSuchAttribute=x", &err));
    assert_non_null(strstr(err.msg, "NoSuchAttribute"));
    assert_sentinel_alone();
}

static void test_queue_survives_key_compare(void **state)
{
    EVP_PKEY *a = ec("P-256"), *b = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

    (void)state;
    assert_non_null(b);
    push_sentinel();
    assert_int_equal(attest_key_public_eq(a, b), 0);
    assert_int_equal(attest_key_public_eq(a, a), 1);
    assert_sentinel_alone();
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
}

/* The public key of k (its n and e) as a key of the given type. */
static EVP_PKEY *as_type(EVP_PKEY *k, const char *type)
{
    BIGNUM *n = NULL, *e = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *out = NULL;

    assert_true(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) && EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e));
    assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e));
    assert_non_null(params = OSSL_PARAM_BLD_to_param(bld));
    assert_true(EVP_PKEY_fromdata_init(ctx) == 1 && EVP_PKEY_fromdata(ctx, &out, EVP_PKEY_PUBLIC_KEY, params) == 1);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    BN_free(n);
    BN_free(e);
    return out;
}

/* RSA and RSA-PSS keys are the same key when modulus and exponent are; a different modulus is not. */
static void test_rsa_family_key_eq(void **state)
{
    EVP_PKEY *a = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048), *b = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    EVP_PKEY *a_pss = as_type(a, "RSA-PSS"), *b_pss = as_type(b, "RSA-PSS"), *e = ec("P-256");

    (void)state;
    push_sentinel();
    assert_int_equal(attest_key_public_eq(a, a_pss), 1);
    assert_int_equal(attest_key_public_eq(a_pss, a), 1);
    assert_int_equal(attest_key_public_eq(a, b_pss), 0);
    assert_int_equal(attest_key_public_eq(b_pss, a_pss), 0);
    assert_int_equal(attest_key_public_eq(a, b), 0);
    assert_int_equal(attest_key_public_eq(a_pss, e), 0);
    assert_sentinel_alone();
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
    EVP_PKEY_free(a_pss);
    EVP_PKEY_free(b_pss);
    EVP_PKEY_free(e);
}

static void test_queue_survives_reencode(void **state)
{
    static const unsigned char der[] = { 0x04, 0x01, 0xaa };
    const unsigned char *p = der;
    ASN1_OCTET_STRING *os = d2i_ASN1_OCTET_STRING(NULL, &p, sizeof(der));

    (void)state;
    assert_non_null(os);
    push_sentinel();
    assert_true(attest_der_reencodes(ASN1_ITEM_rptr(ASN1_OCTET_STRING), os, der, sizeof(der)));
    assert_sentinel_alone();
    ASN1_OCTET_STRING_free(os);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reencodes_refuses_ber),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_b64url),
        cmocka_unit_test(test_b64url_decode),
        cmocka_unit_test(test_default_md),
        cmocka_unit_test(test_certs_read),
        cmocka_unit_test(test_key_spki),
        cmocka_unit_test(test_queue_survives_subject),
        cmocka_unit_test(test_queue_survives_key_compare),
        cmocka_unit_test(test_rsa_family_key_eq),
        cmocka_unit_test(test_queue_survives_reencode),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
