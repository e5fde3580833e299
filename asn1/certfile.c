/* PEM-or-DER certificate files, for the trust directory and the CLI's --*-cert options alike. */
#include <string.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "attest/certfile.h"

static int push(STACK_OF(X509) *into, X509 *x)
{
    if (sk_X509_push(into, x) > 0)
        return 1;
    X509_free(x);
    return 0;
}

int attest_certs_read(BIO *b, STACK_OF(X509) *into)
{
    X509 *x;
    int n = 0, ok = 1;

    /* Reading until PEM runs out, and trying DER, are probes: their failures are not errors. */
    ERR_set_mark();
    while (ok && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
        if ((ok = push(into, x)))
            n++;
    if (ok && n == 0 && BIO_reset(b) >= 0 && (x = d2i_X509_bio(b, NULL)) != NULL && (ok = push(into, x)))
        n = 1;
    ERR_pop_to_mark();
    return ok ? n : -1;
}

int attest_pem_begins(const unsigned char *d, size_t len)
{
    static const char begin[] = "-----BEGIN ";
    const unsigned char *p = d, *end = d + len;
    int n = 0;

    /* Base64 has no '-': the search jumps over block bodies. */
    while ((size_t)(end - p) >= sizeof(begin) - 1 && (p = memchr(p, '-', (size_t)(end - p))) != NULL) {
        if ((size_t)(end - p) >= sizeof(begin) - 1 && memcmp(p, begin, sizeof(begin) - 1) == 0) {
            n++;
            p += sizeof(begin) - 1;
        } else {
            p++;
        }
    }
    return n;
}
