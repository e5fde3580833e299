/*
 * Helpers shared by the unit tests (testutil.h).
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
#include <openssl/pem.h>

#include "testutil.h"

char *vec_path(const char *rel)
{
    const char *dir = getenv("ATTEST_VECTORS");
    static char path[4096];

    assert_non_null(dir);
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    return path;
}

/* Whole file into an exact-size heap buffer (ASan sees any over-read). */
unsigned char *read_vec(const char *rel, size_t *len)
{
    FILE *f = fopen(vec_path(rel), "rb");
    unsigned char *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* The DER of the first PEM block of a vector. */
unsigned char *read_pem_der(const char *rel, const char *want_label, size_t *len)
{
    BIO *b = BIO_new_file(vec_path(rel), "r");
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL, *copy;
    long n = 0;

    assert_non_null(b);
    assert_true(PEM_read_bio(b, &name, &header, &data, &n) > 0);
    if (want_label != NULL)
        assert_string_equal(name, want_label);
    copy = malloc((size_t)n);
    assert_non_null(copy);
    memcpy(copy, data, (size_t)n);
    *len = (size_t)n;
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    BIO_free(b);
    return copy;
}

X509 *read_cert(const char *rel)
{
    BIO *b = BIO_new_file(vec_path(rel), "r");
    X509 *x;

    assert_non_null(b);
    x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    assert_non_null(x);
    return x;
}

EVP_PKEY *read_spki(const char *rel)
{
    BIO *b = BIO_new_file(vec_path(rel), "r");
    EVP_PKEY *k;

    assert_non_null(b);
    k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
    BIO_free(b);
    assert_non_null(k);
    return k;
}

void hex_of(const unsigned char *b, size_t n, char *out)
{
    size_t i;

    for (i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
    out[2 * n] = '\0';
}

void assert_hex(const unsigned char *b, size_t n, const char *want)
{
    char *s = malloc(2 * n + 1);

    assert_non_null(s);
    hex_of(b, n, s);
    assert_string_equal(s, want);
    free(s);
}

unsigned char *dup_bytes(const unsigned char *b, size_t n)
{
    unsigned char *d = malloc(n ? n : 1);

    assert_non_null(d);
    if (n)
        memcpy(d, b, n);
    return d;
}
