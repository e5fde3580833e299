/* DER hand edits for the hostile-input tests (see der_edit.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/asn1.h>

#include "der_edit.h"

/* Writes the rebuilt TLVs of [p, end) to out (NULL: only count them). */
static size_t splice(const unsigned char *p, const unsigned char *end, const unsigned char *at, size_t at_len,
                     const unsigned char *repl, size_t repl_len, unsigned char *out)
{
    size_t n = 0;

    while (p < end) {
        const unsigned char *t = p;
        long plen;
        int tag, cls, r;

        if (t == at) {
            if (out != NULL)
                memcpy(out + n, repl, repl_len);
            n += repl_len;
            p = t + at_len;
            continue;
        }
        r = ASN1_get_object(&p, &plen, &tag, &cls, (long)(end - p));
        assert_false(r & 0x80);
        if ((r & V_ASN1_CONSTRUCTED) && at > t && at < p + plen) {
            size_t inner = splice(p, p + plen, at, at_len, repl, repl_len, NULL);
            int total = ASN1_object_size(1, (int)inner, tag);

            if (out != NULL) {
                unsigned char *o = out + n;

                ASN1_put_object(&o, 1, (int)inner, tag, cls);
                splice(p, p + plen, at, at_len, repl, repl_len, o);
            }
            n += (size_t)total;
        } else {
            if (out != NULL)
                memcpy(out + n, t, (size_t)(p - t) + (size_t)plen);
            n += (size_t)(p - t) + (size_t)plen;
        }
        p += plen;
    }
    return n;
}

unsigned char *der_splice(const unsigned char *der, size_t len, size_t at, size_t at_len, const unsigned char *repl,
                          size_t repl_len, size_t *out_len)
{
    size_t n = splice(der, der + len, der + at, at_len, repl, repl_len, NULL);
    unsigned char *out = malloc(n ? n : 1);

    assert_non_null(out);
    assert_int_equal(splice(der, der + len, der + at, at_len, repl, repl_len, out), n);
    *out_len = n;
    return out;
}

size_t der_find(const unsigned char *der, size_t len, const unsigned char *pat, size_t plen)
{
    size_t i;

    for (i = 0; i + plen <= len; i++)
        if (memcmp(der + i, pat, plen) == 0)
            return i;
    fail_msg("pattern not found");
    return 0;
}

size_t der_child(const unsigned char *der, size_t len, size_t at, int idx, size_t *child_len)
{
    const unsigned char *p = der + at, *end;
    long plen;
    int tag, cls;

    assert_int_equal(ASN1_get_object(&p, &plen, &tag, &cls, (long)(len - at)) & 0xa0, V_ASN1_CONSTRUCTED);
    end = p + plen;
    for (;;) {
        const unsigned char *t = p;

        assert_true(p < end);
        assert_false(ASN1_get_object(&p, &plen, &tag, &cls, (long)(end - p)) & 0x80);
        p += plen;
        if (idx-- == 0) {
            *child_len = (size_t)(p - t);
            return (size_t)(t - der);
        }
    }
}
