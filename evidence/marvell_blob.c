/*
 * Marvell LiquidSecurity attestation blobs: header, key objects, TLV
 * attributes.  Neither OpenSSL nor tss2-mu reads this big-endian TLV form,
 * so a small bounds-checked cursor (after BoringSSL's CBS) does it here.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "attest/cmw.h"
#include "attest/escape.h"
#include "attest/gzip.h"
#include "attest/limits.h"
#include "attest/marvell.h"

#define V1_ASYM_OFFSET 984 /* CAVIUM_V1: objects at fixed offsets (smallstep parseAttestationV1) */
#define V1_SYM_OFFSET  24

typedef struct {
    const unsigned char *p;
    size_t n;
} cursor;

static int get_u16(cursor *c, uint32_t *v)
{
    if (c->n < 2)
        return 0;
    *v = (uint32_t)c->p[0] << 8 | c->p[1];
    c->p += 2, c->n -= 2;
    return 1;
}

static int get_u32(cursor *c, uint32_t *v)
{
    if (c->n < 4)
        return 0;
    *v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 | (uint32_t)c->p[2] << 8 | c->p[3];
    c->p += 4, c->n -= 4;
    return 1;
}

static int get_bytes(cursor *c, size_t len, const unsigned char **out)
{
    if (c->n < len)
        return 0;
    *out = c->p;
    c->p += len, c->n -= len;
    return 1;
}

/* One object at d[off..end): header then exactly objectSize bytes of attributes; *next: its end. */
static int parse_object(const unsigned char *d, size_t off, size_t end, attest_mv_object *o, size_t *next,
                        attest_err *err)
{
    cursor c = { d + off, end - off }, a;
    uint32_t count, size, i;
    const unsigned char *body;

    if (off >= end || !get_u32(&c, &o->handle) || !get_u32(&c, &count) || !get_u32(&c, &size)
        || !get_bytes(&c, size, &body)) {
        attest_err_set(err, "key object at offset %zu runs past the attestation data", off);
        return -1;
    }
    if (count > ATTEST_MARVELL_MAX_ATTRS) {
        attest_err_set(err, "key object at offset %zu has %u attributes (at most %d)", off, count,
                       ATTEST_MARVELL_MAX_ATTRS);
        return -1;
    }
    a.p = body, a.n = size;
    for (i = 0; i < count; i++) {
        attest_mv_attr *t = &o->attrs[i];

        if (!get_u32(&a, &t->type) || !get_u32(&a, &t->len) || !get_bytes(&a, t->len, &t->val)) {
            attest_err_set(err, "attribute %u of the key object at offset %zu runs past its object", i, off);
            return -1;
        }
    }
    if (a.n != 0) {
        attest_err_set(err, "key object at offset %zu: %zu bytes after its %u attributes", off, a.n, count);
        return -1;
    }
    o->n_attrs = count;
    *next = (size_t)(c.p - d);
    return 0;
}

/* V2: code, flags, totalSize, bufferSize; the info header and objects fill bufferSize exactly. */
static int parse_v2(const unsigned char *d, size_t len, attest_mv_blob *b, attest_err *err)
{
    cursor c = { d, len };
    uint32_t code, flags, total, bufsize, over, iflags, off1, off2;
    size_t a, end, next;

    if (!get_u32(&c, &code) || !get_u32(&c, &flags) || !get_u32(&c, &total) || !get_u32(&c, &bufsize)) {
        attest_err_set(err, "shorter than the attestation header");
        return -1;
    }
    if (total != len || (size_t)bufsize + ATTEST_MARVELL_SIG_LEN + 16 > len) {
        attest_err_set(err, "header sizes (total %u, data %u) disagree with the %zu bytes", total, bufsize, len);
        return -1;
    }
    if (code != 0) {
        attest_err_set(err, "the HSM reported response code %u", code);
        return -1;
    }
    end = len - ATTEST_MARVELL_SIG_LEN;
    a = end - bufsize;
    c.p = d + a, c.n = bufsize;
    if (!get_u16(&c, &over) || !get_u16(&c, &iflags) || !get_u16(&c, &off1) || !get_u16(&c, &off2) || off1 < 8) {
        attest_err_set(err, "attestation info header at offset %zu is short or points into itself", a);
        return -1;
    }
    if (parse_object(d, a + off1, end, &b->obj[0], &next, err) != 0)
        return -1;
    b->n_obj = 1;
    if (off2 != 0) {
        if (a + off2 != next) {
            attest_err_set(err, "second key object at offset %zu, the first ends at %zu", a + off2, next);
            return -1;
        }
        if (parse_object(d, next, end, &b->obj[1], &next, err) != 0)
            return -1;
        b->n_obj = 2;
    }
    if (next != end) {
        attest_err_set(err, "%zu bytes between the key objects and the signature", end - next);
        return -1;
    }
    b->version = 2;
    return 0;
}

/* V1: public then private object at a fixed offset, or one (symmetric) object; ending at the signature. */
static int parse_v1(const unsigned char *d, size_t len, attest_mv_blob *b)
{
    size_t end = len - ATTEST_MARVELL_SIG_LEN, next;

    if (len > V1_ASYM_OFFSET + ATTEST_MARVELL_SIG_LEN && parse_object(d, V1_ASYM_OFFSET, end, &b->obj[0], &next, NULL) == 0
        && parse_object(d, next, end, &b->obj[1], &next, NULL) == 0 && next == end) {
        b->n_obj = 2;
    } else if (parse_object(d, V1_SYM_OFFSET, end, &b->obj[0], &next, NULL) == 0 && next == end) {
        b->n_obj = 1;
    } else {
        return -1;
    }
    b->version = 1;
    return 0;
}

int attest_mv_parse(const unsigned char *d, size_t len, attest_mv_blob *b, attest_err *err)
{
    attest_err v2;

    memset(b, 0, sizeof(*b));
    if (len < 16 + ATTEST_MARVELL_SIG_LEN) {
        attest_err_set(err, "%zu bytes: too short for a LiquidSecurity attestation", len);
        return -1;
    }
    if (parse_v2(d, len, b, &v2) != 0 && parse_v1(d, len, b) != 0) {
        attest_err_set(err, "not a LiquidSecurity V2 attestation (%s), nor V1", v2.msg);
        return -1;
    }
    b->sig = d + len - ATTEST_MARVELL_SIG_LEN;
    b->signed_len = len - ATTEST_MARVELL_SIG_LEN;
    return 0;
}

int attest_mv_statement(const unsigned char *der, size_t len, unsigned char **plain, size_t *plain_len, int *gzip,
                        attest_mv_blob *b, attest_err *err)
{
    char *media = NULL;
    unsigned char *data = NULL;
    size_t n = 0;
    int r = -1;

    *plain = NULL;
    *plain_len = 0;
    *gzip = 0;
    if (attest_cmw_record_decode(der, len, &media, &data, &n, err) != 0)
        return -1;
    if (strcmp(media, ATTEST_MARVELL_CMW_TYPE) != 0) {
        attest_err_set(err, "CMW record of another media type");
        goto done;
    }
    if (attest_is_gzip(data, n)) {
        *gzip = 1;
        if (attest_gunzip(data, n, ATTEST_MAX_INPUT, plain, plain_len, err) != 0)
            goto done;
        OPENSSL_free(data);
    } else {
        *plain = data;
        *plain_len = n;
    }
    data = NULL;
    r = attest_mv_parse(*plain, *plain_len, b, err);
done:
    OPENSSL_free(media);
    OPENSSL_free(data);
    return r;
}

const attest_mv_attr *attest_mv_find(const attest_mv_object *o, uint32_t type)
{
    size_t i;

    for (i = 0; o != NULL && i < o->n_attrs; i++)
        if (o->attrs[i].type == type)
            return &o->attrs[i];
    return NULL;
}

long attest_mv_uint(const attest_mv_object *o, uint32_t type)
{
    const attest_mv_attr *a = attest_mv_find(o, type);
    unsigned long v = 0;
    uint32_t i;

    if (a == NULL || a->len == 0 || a->len > 4)
        return -1;
    for (i = 0; i < a->len; i++)
        v = v << 8 | a->val[i];
    return (long)v;
}

const attest_mv_object *attest_mv_object_of(const attest_mv_blob *b, uint32_t cls)
{
    size_t i;

    for (i = 0; i < b->n_obj; i++)
        if (attest_mv_uint(&b->obj[i], MV_CKA_CLASS) == (long)cls)
            return &b->obj[i];
    return NULL;
}

void attest_mv_text(const attest_mv_object *o, uint32_t type, char *out, size_t cap)
{
    const attest_mv_attr *a = attest_mv_find(o, type);
    const unsigned char *nul;
    size_t n;

    if (a == NULL) {
        snprintf(out, cap, "-");
        return;
    }
    nul = memchr(a->val, 0, a->len);
    n = nul != NULL ? (size_t)(nul - a->val) : a->len;
    attest_escape(a->val, n, out, cap, 0);
}

static const char *curve_by_point(uint32_t len)
{
    switch (len) {
    case 65:
        return "P-256";
    case 97:
        return "P-384";
    case 133:
        return "P-521";
    default:
        return NULL;
    }
}

int attest_mv_object_spki(const attest_mv_object *o, unsigned char **der, size_t *len, char *what, size_t cap,
                          attest_err *err)
{
    const attest_mv_attr *m = attest_mv_find(o, MV_CKA_MODULUS), *e = attest_mv_find(o, MV_CKA_PUBLIC_EXPONENT);
    long type = attest_mv_uint(o, MV_CKA_KEY_TYPE);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *key = NULL;
    BIGNUM *n = NULL, *x = NULL;
    unsigned char *out = NULL;
    const char *curve = NULL;
    int r = -1, dlen;

    *der = NULL;
    *len = 0;
    if (bld == NULL)
        goto oom;
    if (m == NULL || (type != MV_CKK_RSA && type != MV_CKK_EC) || (type == MV_CKK_RSA && e == NULL)) {
        attest_err_set(err, "the public object holds no RSA or EC public key (key type %ld)", type);
        goto done;
    }
    if (type == MV_CKK_RSA) {
        if ((n = BN_bin2bn(m->val, (int)m->len, NULL)) == NULL || (x = BN_bin2bn(e->val, (int)e->len, NULL)) == NULL
            || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n)
            || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, x))
            goto oom;
        snprintf(what, cap, "RSA-%d", BN_num_bits(n));
    } else {
        if ((curve = curve_by_point(m->len)) == NULL) {
            attest_err_set(err, "EC point of %u bytes: not an uncompressed P-256/384/521 point", m->len);
            goto done;
        }
        if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve, 0)
            || !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, m->val, m->len))
            goto oom;
        snprintf(what, cap, "EC %s", curve);
    }
    if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL
        || (ctx = EVP_PKEY_CTX_new_from_name(NULL, type == MV_CKK_RSA ? "RSA" : "EC", NULL)) == NULL)
        goto oom;
    if (EVP_PKEY_fromdata_init(ctx) <= 0 || EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0
        || (dlen = i2d_PUBKEY(key, &out)) <= 0) {
        attest_err_set(err, "the attested %s key is not a valid public key", what);
        goto done;
    }
    *der = out;
    *len = (size_t)dlen;
    r = 0;
    goto done;
oom:
    attest_err_set(err, "out of memory");
done:
    BN_free(n);
    BN_free(x);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(key);
    return r;
}
