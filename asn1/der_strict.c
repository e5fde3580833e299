/*
 * Strict DER over opaque values.  OpenSSL keeps an ANY-typed SEQUENCE as raw
 * bytes, so inner lengths, BOOLEAN encodings and header minimality there go
 * unchecked by the templates; this walk (over ASN1_get_object, OpenSSL's own
 * tokenizer) refuses what DER forbids.  Used for statement values and the
 * signed part of PKIX evidence; with the SET OF order rule, over whole
 * requests (OpenSSL writes a request's and a Name's bytes back as received).
 */
#include <string.h>
#include <openssl/asn1.h>
#include <openssl/err.h>

#include "attest/der.h"
#include "attest/limits.h"

#define DER_MAX_DEPTH 32

/* X.690 11.6: a <= b as octet strings, the shorter padded at its end with zero octets. */
static int enc_le(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen, i;
    int c = memcmp(a, b, n);

    if (c != 0)
        return c < 0;
    for (i = n; i < alen; i++)
        if (a[i] != 0)
            return 0;
    return 1;
}

/*
 * The members of a SET in ascending order.  The walk reached them first, so
 * they are well formed; a member that does not tokenize is refused all the same.
 */
static int set_sorted(const unsigned char *p, long len)
{
    const unsigned char *end = p + len, *prev = NULL;
    size_t prev_len = 0;

    while (p < end) {
        const unsigned char *t = p;
        long plen;
        int tag, cls;

        if ((ASN1_get_object(&p, &plen, &tag, &cls, (long)(end - p)) & 0x80) || plen > end - p)
            return 0;
        p += plen;
        if (prev != NULL && !enc_le(prev, prev_len, t, (size_t)(p - t)))
            return 0;
        prev = t;
        prev_len = (size_t)(p - t);
    }
    return 1;
}

typedef struct {
    int canonical;        /* SET members in order, INTEGER/ENUMERATED minimal */
    const size_t *opaque; /* offsets of TLVs whose contents are judged elsewhere */
    size_t n_opaque;
} walk_opts;

static int is_opaque(const walk_opts *o, long off)
{
    size_t i;

    for (i = 0; i < o->n_opaque; i++)
        if ((long)o->opaque[i] == off)
            return 1;
    return 0;
}

static int der_walk(const unsigned char *base, const unsigned char *p, long len, int depth, const walk_opts *o,
                    attest_err *err)
{
    const unsigned char *end = p + len;

    if (depth > DER_MAX_DEPTH) {
        attest_err_set(err, "not DER (nested deeper than %d levels)", DER_MAX_DEPTH);
        return 0;
    }
    while (p < end) {
        const unsigned char *t = p;
        long plen, off = (long)(p - base);
        int tag, cls, cons, want_cons, r;

        r = ASN1_get_object(&p, &plen, &tag, &cls, (long)(end - p));
        if (r & 0x80) {
            attest_err_set(err, "not DER (malformed TLV at offset %ld)", off);
            return 0;
        }
        if (r == 0x21) {
            attest_err_set(err, "not DER (indefinite length at offset %ld)", off);
            return 0;
        }
        cons = (r & V_ASN1_CONSTRUCTED) != 0;
        if ((long)ASN1_object_size(cons, plen, tag) != (long)(p - t) + plen) {
            attest_err_set(err, "not DER (non-minimal header at offset %ld)", off);
            return 0;
        }
        if (cls == V_ASN1_UNIVERSAL) {
            want_cons =
                tag == V_ASN1_SEQUENCE || tag == V_ASN1_SET || tag == V_ASN1_EXTERNAL || tag == 11 /* EMBEDDED PDV */;
            if (tag == 0 || cons != want_cons) {
                attest_err_set(err, "not DER (universal tag %d %s at offset %ld)", tag,
                               cons ? "constructed" : "primitive", off);
                return 0;
            }
            if (tag == V_ASN1_BOOLEAN && (plen != 1 || (p[0] != 0x00 && p[0] != 0xff))) {
                attest_err_set(err, "not DER (BOOLEAN is not 00 or ff at offset %ld)", off);
                return 0;
            }
        }
        if (cons && !is_opaque(o, off) && !der_walk(base, p, plen, depth + 1, o, err))
            return 0;
        if (o->canonical && cls == V_ASN1_UNIVERSAL && (tag == V_ASN1_INTEGER || tag == V_ASN1_ENUMERATED)
            && (plen == 0 || (plen > 1 && ((p[0] == 0x00 && !(p[1] & 0x80)) || (p[0] == 0xff && (p[1] & 0x80)))))) {
            attest_err_set(err, "not DER (INTEGER not in its shortest form at offset %ld)", off);
            return 0;
        }
        /* An opaque SET's members are judged with the rest of its contents, elsewhere. */
        if (o->canonical && cls == V_ASN1_UNIVERSAL && tag == V_ASN1_SET && !is_opaque(o, off)
            && !set_sorted(p, plen)) {
            attest_err_set(err, "not DER (SET OF members out of order at offset %ld)", off);
            return 0;
        }
        p += plen;
    }
    return 1;
}

int attest_der_strict(const unsigned char *der, size_t len, attest_err *err)
{
    walk_opts o = { 0, NULL, 0 };

    if (len > ATTEST_MAX_INPUT) {
        attest_err_set(err, "size %zu over the %d-byte cap", len, ATTEST_MAX_INPUT);
        return -1;
    }
    return der_walk(der, der, (long)len, 0, &o, err) ? 0 : -1;
}

int attest_der_strict_canonical(const unsigned char *der, size_t len, const size_t *opaque, size_t n_opaque,
                                attest_err *err)
{
    walk_opts o = { 1, opaque, n_opaque };

    if (len > ATTEST_MAX_INPUT) {
        attest_err_set(err, "size %zu over the %d-byte cap", len, ATTEST_MAX_INPUT);
        return -1;
    }
    return der_walk(der, der, (long)len, 0, &o, err) ? 0 : -1;
}

int attest_der_reencodes(const ASN1_ITEM *it, const void *obj, const unsigned char *der, size_t len)
{
    unsigned char *re = NULL;
    int n, same;

    ERR_set_mark(); /* a failed encoding is our verdict, not the caller's error */
    n = ASN1_item_i2d((const ASN1_VALUE *)obj, &re, it);
    ERR_pop_to_mark();
    same = n > 0 && (size_t)n == len && memcmp(re, der, len) == 0;
    OPENSSL_free(re);
    return same;
}
