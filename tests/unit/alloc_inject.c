#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "alloc_inject.h"

long fail_at = -1;
int injected;
static long count;

static void *t_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    if (fail_at >= 0 && count++ == fail_at) {
        injected = 1;
        return NULL;
    }
    return malloc(n);
}

static void *t_realloc(void *p, size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    if (fail_at >= 0 && count++ == fail_at) {
        injected = 1;
        return NULL;
    }
    return realloc(p, n);
}

static void t_free(void *p, const char *file, int line)
{
    (void)file;
    (void)line;
    free(p);
}

int alloc_inject_install(void)
{
    return CRYPTO_set_mem_functions(t_malloc, t_realloc, t_free);
}

void arm(long n)
{
    count = 0;
    injected = 0;
    fail_at = n;
}

unsigned char *load_der(const char *rel, size_t *n)
{
    char path[1024];
    FILE *f;
    char *name = NULL, *hdr = NULL;
    unsigned char *der = NULL;
    long len = 0;

    snprintf(path, sizeof(path), "%s/%s", getenv("ATTEST_VECTORS"), rel);
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_true(PEM_read(f, &name, &hdr, &der, &len) > 0);
    fclose(f);
    OPENSSL_free(name);
    OPENSSL_free(hdr);
    *n = (size_t)len;
    return der;
}
