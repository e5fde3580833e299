/*
 * Strict DER over opaque values.  OpenSSL keeps an ANY-typed SEQUENCE as raw
 * bytes, so inner lengths, BOOLEAN encodings and header minimality there go
 * unchecked by the templates; this walk (over ASN1_get_object, OpenSSL's own
 * tokenizer) refuses what DER forbids.  Used for statement values and the
 * signed part of PKIX evidence.
 */
#include <openssl/asn1.h>

#include "attest/der.h"
#include "attest/limits.h"

#define DER_MAX_DEPTH 32

static int der_walk(const unsigned char *base, const unsigned char *p, long len, int depth, attest_err *err)
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
            want_cons = tag == V_ASN1_SEQUENCE || tag == V_ASN1_SET || tag == V_ASN1_EXTERNAL
                        || tag == 11 /* EMBEDDED PDV */;
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
        if (cons && !der_walk(base, p, plen, depth + 1, err))
            return 0;
        p += plen;
    }
    return 1;
}

int attest_der_strict(const unsigned char *der, size_t len, attest_err *err)
{
    if (len > ATTEST_MAX_INPUT) {
        attest_err_set(err, "size %zu over the %d-byte cap", len, ATTEST_MAX_INPUT);
        return -1;
    }
    return der_walk(der, der, (long)len, 0, err) ? 0 : -1;
}

