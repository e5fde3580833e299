/* The AK enrollment messages (attest/ak_enroll.h) as OpenSSL ASN.1 templates. */
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "attest/ak_enroll.h"
#include "attest/limits.h"

typedef struct {
    ASN1_INTEGER *version;
    X509 *ek_cert;
    ASN1_OCTET_STRING *ek_pub, *ak_pub, *ak_name;
} ATTEST_AK_REQ;
ASN1_SEQUENCE(ATTEST_AK_REQ) = {
    ASN1_SIMPLE(ATTEST_AK_REQ, version, ASN1_INTEGER),
    ASN1_SIMPLE(ATTEST_AK_REQ, ek_cert, X509),
    ASN1_SIMPLE(ATTEST_AK_REQ, ek_pub, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ATTEST_AK_REQ, ak_pub, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ATTEST_AK_REQ, ak_name, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(ATTEST_AK_REQ)
IMPLEMENT_ASN1_FUNCTIONS(ATTEST_AK_REQ)

typedef struct {
    ASN1_INTEGER *version;
    ASN1_OCTET_STRING *id, *ek_pub, *blob, *secret;
} ATTEST_AK_CHAL;
ASN1_SEQUENCE(ATTEST_AK_CHAL) = {
    ASN1_SIMPLE(ATTEST_AK_CHAL, version, ASN1_INTEGER),
    ASN1_SIMPLE(ATTEST_AK_CHAL, id, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ATTEST_AK_CHAL, ek_pub, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ATTEST_AK_CHAL, blob, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ATTEST_AK_CHAL, secret, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(ATTEST_AK_CHAL)
IMPLEMENT_ASN1_FUNCTIONS(ATTEST_AK_CHAL)

typedef struct {
    ASN1_INTEGER *version;
    ASN1_OCTET_STRING *id, *credential;
} ATTEST_AK_RSP;
ASN1_SEQUENCE(ATTEST_AK_RSP) = {
    ASN1_SIMPLE(ATTEST_AK_RSP, version, ASN1_INTEGER),
    ASN1_SIMPLE(ATTEST_AK_RSP, id, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ATTEST_AK_RSP, credential, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(ATTEST_AK_RSP)
IMPLEMENT_ASN1_FUNCTIONS(ATTEST_AK_RSP)

typedef struct {
    ASN1_INTEGER *version, *not_after;
    ASN1_OCTET_STRING *credential, *ak_pub;
    X509 *ek_cert;
} ATTEST_AK_STATE;
ASN1_SEQUENCE(ATTEST_AK_STATE) = {
    ASN1_SIMPLE(ATTEST_AK_STATE, version, ASN1_INTEGER),
    ASN1_SIMPLE(ATTEST_AK_STATE, not_after, ASN1_INTEGER),
    ASN1_SIMPLE(ATTEST_AK_STATE, credential, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ATTEST_AK_STATE, ak_pub, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ATTEST_AK_STATE, ek_cert, X509),
} ASN1_SEQUENCE_END(ATTEST_AK_STATE)
IMPLEMENT_ASN1_FUNCTIONS(ATTEST_AK_STATE)

static void bytes_clear(attest_bytes *b)
{
    OPENSSL_clear_free(b->p, b->n);
    b->p = NULL;
    b->n = 0;
}

static int get_os(const ASN1_OCTET_STRING *o, attest_bytes *b)
{
    b->n = (size_t)o->length;
    b->p = OPENSSL_memdup(o->length ? o->data : (const unsigned char *)"", b->n ? b->n : 1);
    return b->p != NULL ? 0 : -1;
}

static int set_os(ASN1_OCTET_STRING *o, const attest_bytes *b)
{
    return ASN1_OCTET_STRING_set(o, b->p, (int)b->n) ? 0 : -1;
}

static int get_cert(X509 *x, attest_bytes *b)
{
    int n = i2d_X509(x, &b->p);

    if (n <= 0)
        return -1;
    b->n = (size_t)n;
    return 0;
}

static int set_cert(X509 **x, const attest_bytes *b)
{
    const unsigned char *p = b->p;
    X509 *c = b->p != NULL ? d2i_X509(NULL, &p, (long)b->n) : NULL;

    if (c == NULL || p != b->p + b->n) {
        X509_free(c);
        return -1;
    }
    X509_free(*x);
    *x = c;
    return 0;
}

/* d2i, every byte consumed, the re-encoding equal, version 0. */
#define DECODE_STRICT(T, what)                                                                               \
    static T *T##_strict(const unsigned char *der, size_t len, attest_err *err)                              \
    {                                                                                                        \
        const unsigned char *p = der;                                                                        \
        unsigned char *re = NULL;                                                                            \
        T *t = NULL;                                                                                         \
        int n;                                                                                               \
                                                                                                             \
        if (len == 0 || len > ATTEST_MAX_INPUT) {                                                            \
            attest_err_set(err, "%s: size %zu outside 1..%d bytes", what, len, ATTEST_MAX_INPUT);            \
            return NULL;                                                                                     \
        }                                                                                                    \
        if ((t = d2i_##T(NULL, &p, (long)len)) == NULL) {                                                    \
            attest_err_set(err, "%s: not a DER %s", what, what);                                             \
            return NULL;                                                                                     \
        }                                                                                                    \
        n = i2d_##T(t, &re);                                                                                 \
        if (p != der + len || n <= 0 || (size_t)n != len || memcmp(re, der, len) != 0) {                     \
            attest_err_set(err, "%s: not DER (trailing bytes or a re-encoding that differs)", what);         \
            T##_free(t);                                                                                     \
            t = NULL;                                                                                        \
        } else if (ASN1_INTEGER_get(t->version) != 0) {                                                      \
            attest_err_set(err, "%s: version %ld (this build knows 0)", what, ASN1_INTEGER_get(t->version)); \
            T##_free(t);                                                                                     \
            t = NULL;                                                                                        \
        }                                                                                                    \
        OPENSSL_free(re);                                                                                    \
        return t;                                                                                            \
    }
DECODE_STRICT(ATTEST_AK_REQ, "AkEnrollRequest")
DECODE_STRICT(ATTEST_AK_CHAL, "AkChallenge")
DECODE_STRICT(ATTEST_AK_RSP, "AkResponse")
DECODE_STRICT(ATTEST_AK_STATE, "AkEnrollState")

static int finish_encode(int n, unsigned char **der, size_t *len, const char *what, attest_err *err)
{
    if (n <= 0) {
        OPENSSL_free(*der);
        *der = NULL;
        attest_err_set(err, "%s: encoding failed", what);
        return -1;
    }
    *len = (size_t)n;
    return 0;
}

/* ---- request ---- */
int attest_ak_request_encode(const attest_ak_request *r, unsigned char **der, size_t *len, attest_err *err)
{
    ATTEST_AK_REQ *t = ATTEST_AK_REQ_new();
    int n = -1;

    *der = NULL;
    if (t != NULL && ASN1_INTEGER_set(t->version, 0) && set_cert(&t->ek_cert, &r->ek_cert) == 0
        && set_os(t->ek_pub, &r->ek_pub) == 0 && set_os(t->ak_pub, &r->ak_pub) == 0
        && set_os(t->ak_name, &r->ak_name) == 0)
        n = i2d_ATTEST_AK_REQ(t, der);
    ATTEST_AK_REQ_free(t);
    return finish_encode(n, der, len, "AkEnrollRequest", err);
}

int attest_ak_request_decode(const unsigned char *der, size_t len, attest_ak_request *r, attest_err *err)
{
    ATTEST_AK_REQ *t = ATTEST_AK_REQ_strict(der, len, err);
    int ok = -1;

    memset(r, 0, sizeof(*r));
    if (t == NULL)
        return -1;
    if (get_cert(t->ek_cert, &r->ek_cert) == 0 && get_os(t->ek_pub, &r->ek_pub) == 0
        && get_os(t->ak_pub, &r->ak_pub) == 0 && get_os(t->ak_name, &r->ak_name) == 0)
        ok = 0;
    else
        attest_err_set(err, "AkEnrollRequest: out of memory");
    ATTEST_AK_REQ_free(t);
    if (ok != 0)
        attest_ak_request_clear(r);
    return ok;
}

void attest_ak_request_clear(attest_ak_request *r)
{
    bytes_clear(&r->ek_cert);
    bytes_clear(&r->ek_pub);
    bytes_clear(&r->ak_pub);
    bytes_clear(&r->ak_name);
}

/* ---- challenge ---- */
int attest_ak_challenge_encode(const attest_ak_challenge *c, unsigned char **der, size_t *len, attest_err *err)
{
    ATTEST_AK_CHAL *t = ATTEST_AK_CHAL_new();
    int n = -1;

    *der = NULL;
    if (t != NULL && ASN1_INTEGER_set(t->version, 0) && set_os(t->id, &c->id) == 0 && set_os(t->ek_pub, &c->ek_pub) == 0
        && set_os(t->blob, &c->blob) == 0 && set_os(t->secret, &c->secret) == 0)
        n = i2d_ATTEST_AK_CHAL(t, der);
    ATTEST_AK_CHAL_free(t);
    return finish_encode(n, der, len, "AkChallenge", err);
}

int attest_ak_challenge_decode(const unsigned char *der, size_t len, attest_ak_challenge *c, attest_err *err)
{
    ATTEST_AK_CHAL *t = ATTEST_AK_CHAL_strict(der, len, err);
    int ok = -1;

    memset(c, 0, sizeof(*c));
    if (t == NULL)
        return -1;
    if (t->id->length != ATTEST_AK_ID_LEN)
        attest_err_set(err, "AkChallenge: id of %d bytes (want %d)", t->id->length, ATTEST_AK_ID_LEN);
    else if (get_os(t->id, &c->id) == 0 && get_os(t->ek_pub, &c->ek_pub) == 0 && get_os(t->blob, &c->blob) == 0
             && get_os(t->secret, &c->secret) == 0)
        ok = 0;
    else
        attest_err_set(err, "AkChallenge: out of memory");
    ATTEST_AK_CHAL_free(t);
    if (ok != 0)
        attest_ak_challenge_clear(c);
    return ok;
}

void attest_ak_challenge_clear(attest_ak_challenge *c)
{
    bytes_clear(&c->id);
    bytes_clear(&c->ek_pub);
    bytes_clear(&c->blob);
    bytes_clear(&c->secret);
}

/* ---- response ---- */
int attest_ak_response_encode(const attest_ak_response *r, unsigned char **der, size_t *len, attest_err *err)
{
    ATTEST_AK_RSP *t = ATTEST_AK_RSP_new();
    int n = -1;

    *der = NULL;
    if (t != NULL && ASN1_INTEGER_set(t->version, 0) && set_os(t->id, &r->id) == 0
        && set_os(t->credential, &r->credential) == 0)
        n = i2d_ATTEST_AK_RSP(t, der);
    ATTEST_AK_RSP_free(t);
    return finish_encode(n, der, len, "AkResponse", err);
}

int attest_ak_response_decode(const unsigned char *der, size_t len, attest_ak_response *r, attest_err *err)
{
    ATTEST_AK_RSP *t = ATTEST_AK_RSP_strict(der, len, err);
    int ok = -1;

    memset(r, 0, sizeof(*r));
    if (t == NULL)
        return -1;
    if (t->id->length != ATTEST_AK_ID_LEN)
        attest_err_set(err, "AkResponse: id of %d bytes (want %d)", t->id->length, ATTEST_AK_ID_LEN);
    else if (get_os(t->id, &r->id) == 0 && get_os(t->credential, &r->credential) == 0)
        ok = 0;
    else
        attest_err_set(err, "AkResponse: out of memory");
    ATTEST_AK_RSP_free(t);
    if (ok != 0)
        attest_ak_response_clear(r);
    return ok;
}

void attest_ak_response_clear(attest_ak_response *r)
{
    bytes_clear(&r->id);
    bytes_clear(&r->credential);
}

/* ---- state ---- */
int attest_ak_state_encode(const attest_ak_state *s, unsigned char **der, size_t *len, attest_err *err)
{
    ATTEST_AK_STATE *t = ATTEST_AK_STATE_new();
    int n = -1;

    *der = NULL;
    if (t != NULL && ASN1_INTEGER_set(t->version, 0) && ASN1_INTEGER_set_int64(t->not_after, s->not_after)
        && set_os(t->credential, &s->credential) == 0 && set_os(t->ak_pub, &s->ak_pub) == 0
        && set_cert(&t->ek_cert, &s->ek_cert) == 0)
        n = i2d_ATTEST_AK_STATE(t, der);
    ATTEST_AK_STATE_free(t);
    return finish_encode(n, der, len, "AkEnrollState", err);
}

int attest_ak_state_decode(const unsigned char *der, size_t len, attest_ak_state *s, attest_err *err)
{
    ATTEST_AK_STATE *t = ATTEST_AK_STATE_strict(der, len, err);
    int ok = -1;

    memset(s, 0, sizeof(*s));
    if (t == NULL)
        return -1;
    if (!ASN1_INTEGER_get_int64(&s->not_after, t->not_after))
        attest_err_set(err, "AkEnrollState: notAfter out of range");
    else if (get_os(t->credential, &s->credential) == 0 && get_os(t->ak_pub, &s->ak_pub) == 0
             && get_cert(t->ek_cert, &s->ek_cert) == 0)
        ok = 0;
    else
        attest_err_set(err, "AkEnrollState: out of memory");
    ATTEST_AK_STATE_free(t);
    if (ok != 0)
        attest_ak_state_clear(s);
    return ok;
}

void attest_ak_state_clear(attest_ak_state *s)
{
    bytes_clear(&s->credential);
    bytes_clear(&s->ak_pub);
    bytes_clear(&s->ek_cert);
}
