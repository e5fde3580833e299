/*
 * attest_pem_plain against PEM_read_bio, the reference: whenever the plain
 * reader takes a file, OpenSSL reads the same label and bytes from it.  Over
 * blocks of every length from OpenSSL's own writer, CRLF files, long lines,
 * every prefix and single-byte changes of a block, and the forms the plain
 * reader must leave to OpenSSL (headers, text around the block, blank or
 * over-long lines, padding inside, another END label).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "attest/pem_fast.h"

/* 1 when the plain reader took in[0..len) (and then OpenSSL agrees), 0 when it left it. */
static int agrees(const unsigned char *in, size_t len)
{
    char label[ATTEST_PEM_LABEL_MAX + 1], *name = NULL, *hdr = NULL;
    unsigned char *der = NULL, *ref = NULL;
    size_t der_len = 0;
    long ref_len = 0;
    BIO *b;
    int r = attest_pem_plain(in, len, label, &der, &der_len);

    assert_true(r == 0 || r == 1);
    if (r == 0) {
        assert_null(der);
        return 0;
    }
    assert_non_null(b = BIO_new_mem_buf(in, (int)len));
    if (PEM_read_bio(b, &name, &hdr, &ref, &ref_len) <= 0)
        fail_msg("the plain reader took a block PEM_read_bio refuses (%zu bytes)", len);
    assert_string_equal(label, name);
    assert_string_equal(hdr, "");
    assert_int_equal(der_len, (size_t)ref_len);
    assert_memory_equal(der, ref, der_len);
    OPENSSL_free(der);
    OPENSSL_free(ref);
    OPENSSL_free(name);
    OPENSSL_free(hdr);
    BIO_free(b);
    ERR_clear_error();
    return 1;
}

/* OpenSSL's PEM of n random bytes, NUL-terminated; *len without the NUL. */
static char *pem_of(size_t n, const char *label, size_t *len)
{
    unsigned char *d = malloc(n + 1);
    BIO *b = BIO_new(BIO_s_mem());
    char *p = NULL, *s;
    long m;

    assert_non_null(d);
    assert_non_null(b);
    assert_int_equal(RAND_bytes(d, (int)n), 1);
    assert_true(PEM_write_bio(b, label, "", d, (long)n) > 0);
    m = BIO_get_mem_data(b, &p);
    assert_non_null(s = malloc((size_t)m + 1));
    memcpy(s, p, (size_t)m);
    s[m] = '\0';
    *len = (size_t)m;
    BIO_free(b);
    free(d);
    return s;
}

/* s with every "\n" made "\r\n". */
static char *crlf(const char *s, size_t *len)
{
    size_t n = strlen(s), i, o = 0;
    char *t = malloc(2 * n + 1);

    assert_non_null(t);
    for (i = 0; i < n; i++) {
        if (s[i] == '\n')
            t[o++] = '\r';
        t[o++] = s[i];
    }
    t[o] = '\0';
    *len = o;
    return t;
}

/* Every length a request or bundle may have around the line and quantum boundaries, as OpenSSL writes it. */
static void test_openssl_blocks(void **state)
{
    size_t n, len, clen;

    (void)state;
    for (n = 1; n < 400; n++) {
        char *s = pem_of(n, "CERTIFICATE REQUEST", &len), *c = crlf(s, &clen);

        assert_int_equal(agrees((unsigned char *)s, len), 1);
        assert_int_equal(agrees((unsigned char *)c, clen), 1);
        free(s);
        free(c);
    }
    {
        char *s = pem_of(4000, "ATTESTATION BUNDLE", &len);

        assert_int_equal(agrees((unsigned char *)s, len), 1);
        assert_int_equal(agrees((unsigned char *)s, len - 1), 1); /* the last line end is optional */
        free(s);
    }
}

/* Every prefix, and every byte changed to a few telling values: taken only where OpenSSL agrees. */
static void test_prefixes_and_changes(void **state)
{
    static const unsigned char values[] = { 0x00, '\n', '\r', ' ', '-', '=', 'A', ':', 0xff };
    size_t len, i, k;
    char *s = pem_of(200, "CERTIFICATE REQUEST", &len);
    unsigned char *m = malloc(len);

    (void)state;
    assert_non_null(m);
    for (i = 0; i <= len; i++)
        (void)agrees((unsigned char *)s, i);
    for (i = 0; i < len; i++) {
        for (k = 0; k < sizeof(values); k++) {
            memcpy(m, s, len);
            m[i] = values[k];
            (void)agrees(m, len);
        }
    }
    free(m);
    free(s);
}

static void expect_left(const char *s)
{
    assert_int_equal(agrees((const unsigned char *)s, strlen(s)), 0);
}

static void expect_taken(const char *s)
{
    assert_int_equal(agrees((const unsigned char *)s, strlen(s)), 1);
}

/* What the plain reader leaves to PEM_read_bio. */
static void test_left_to_openssl(void **state)
{
    (void)state;
    expect_left("text\n-----BEGIN X-----\nQUJD\n-----END X-----\n");
    expect_left("-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\n\nQUJD\n-----END X-----\n");
    expect_left("-----BEGIN X-----\nQUJD\n-----END X-----\nmore text\n");
    expect_left("-----BEGIN X-----\nQUJD\n-----END Y-----\n");
    expect_left("-----BEGIN X-----\nQUJD\n\n-----END X-----\n");
    expect_left("-----BEGIN X-----\nQQ==\nQUJD\n-----END X-----\n");
    expect_left("-----BEGIN X-----\nQ=Q=\n-----END X-----\n");
    expect_left("-----BEGIN X-----\nQUJ\n-----END X-----\n");
    expect_left("-----BEGIN X-----\nQUJD \n-----END X-----\n");
    expect_left("-----BEGIN X-----\n-----END X-----\n");
    expect_left("-----BEGIN X-----\nQUJD\n");
    expect_left("-----BEGIN X----- \nQUJD\n-----END X-----\n");
    expect_left("-----BEGIN -----\nQUJD\n-----END -----\n");
    expect_left("-----BEGIN A-B-----\nQUJD\n-----END A-B-----\n");
    /* found by fuzz_pem: a NUL or a byte over 0x7e in the label (OpenSSL reads such a line differently) */
    {
        static const unsigned char nul[] = "-----BEGIN CERTI\xc0+\0\0 a\0\0EQUEST-----\n+BA1\n"
                                           "-----END CERTI\xc0+\0\0 a\0\0EQUEST-----\n\n\r\t\t";

        assert_int_equal(agrees(nul, sizeof(nul) - 1), 0);
        expect_left("-----BEGIN CERT\xc0-----\nQUJD\n-----END CERT\xc0-----\n");
        expect_left("-----BEGIN CERT\tX-----\nQUJD\n-----END CERT\tX-----\n");
    }
    /* 80 characters on a line: over the 76 the plain reader takes */
    expect_left("-----BEGIN X-----\n"
                "QUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJD\n"
                "-----END X-----\n");
    /* and what it takes */
    expect_taken("-----BEGIN X-----\nQUJD\n-----END X-----");
    expect_taken("-----BEGIN X-----\r\nQQ==\r\n-----END X-----\r\n \n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openssl_blocks),
        cmocka_unit_test(test_prefixes_and_changes),
        cmocka_unit_test(test_left_to_openssl),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
