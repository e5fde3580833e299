/* dladdr (glibc) names the frames of an injected failure */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "alloc_inject.h"

long fail_at = -1;
int injected;
const char *inject_watch;
int injected_in_watch;
static long count;

/* Is one of the functions named in inject_watch (space-separated) on the stack of this (failing) allocation? */
static int watched(const char *name)
{
    size_t n = strlen(name);
    const char *w;

    for (w = inject_watch; (w = strstr(w, name)) != NULL; w += n)
        if ((w == inject_watch || w[-1] == ' ') && (w[n] == ' ' || w[n] == '\0'))
            return 1;
    return 0;
}

static void watch(void)
{
    void *frames[128];
    int i, n;

    if (inject_watch == NULL)
        return;
    n = backtrace(frames, 128);
    for (i = 0; i < n; i++) {
        Dl_info info;

        if (dladdr(frames[i], &info) != 0 && info.dli_sname != NULL && watched(info.dli_sname)) {
            injected_in_watch = 1;
            return;
        }
    }
}

static int fail_now(void)
{
    if (fail_at < 0 || count++ != fail_at)
        return 0;
    injected = 1;
    watch();
    return 1;
}

static void *t_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    return fail_now() ? NULL : malloc(n);
}

static void *t_realloc(void *p, size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    return fail_now() ? NULL : realloc(p, n);
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
    injected_in_watch = 0;
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
