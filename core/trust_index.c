/*
 * Trust anchors kept as DER and indexed by subject name until a chain needs
 * them.  Reading a certificate with d2i_X509 decodes its public key, which on
 * OpenSSL 3.0 builds a decoder context per key; a trust directory of many
 * files would pay that at every start-up for anchors no chain reaches.  The
 * files are read with a template shaped like X509_CINF whose
 * SubjectPublicKeyInfo stays algorithm + BIT STRING: enough to know a file
 * holds certificates (the notices stay at start-up) and to know their names.
 */
#include <string.h>
#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "attest/limits.h"
#include "trust_index.h"

typedef struct {
    X509_ALGOR *algor;
    ASN1_BIT_STRING *public_key;
} IDX_SPKI;

ASN1_SEQUENCE(IDX_SPKI) = {
    ASN1_SIMPLE(IDX_SPKI, algor, X509_ALGOR),
    ASN1_SIMPLE(IDX_SPKI, public_key, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(IDX_SPKI)

typedef struct {
    ASN1_INTEGER *version;
    ASN1_INTEGER *serial;
    X509_ALGOR *signature;
    X509_NAME *issuer;
    X509_VAL *validity;
    X509_NAME *subject;
    IDX_SPKI *spki;
    ASN1_BIT_STRING *issuer_uid;
    ASN1_BIT_STRING *subject_uid;
    STACK_OF(X509_EXTENSION) *extensions;
} IDX_TBS;

ASN1_SEQUENCE(IDX_TBS) = {
    ASN1_EXP_OPT(IDX_TBS, version, ASN1_INTEGER, 0),
    ASN1_SIMPLE(IDX_TBS, serial, ASN1_INTEGER),
    ASN1_SIMPLE(IDX_TBS, signature, X509_ALGOR),
    ASN1_SIMPLE(IDX_TBS, issuer, X509_NAME),
    ASN1_SIMPLE(IDX_TBS, validity, X509_VAL),
    ASN1_SIMPLE(IDX_TBS, subject, X509_NAME),
    ASN1_SIMPLE(IDX_TBS, spki, IDX_SPKI),
    ASN1_IMP_OPT(IDX_TBS, issuer_uid, ASN1_BIT_STRING, 1),
    ASN1_IMP_OPT(IDX_TBS, subject_uid, ASN1_BIT_STRING, 2),
    ASN1_EXP_SEQUENCE_OF_OPT(IDX_TBS, extensions, X509_EXTENSION, 3),
} static_ASN1_SEQUENCE_END(IDX_TBS)

typedef struct {
    IDX_TBS *tbs;
    X509_ALGOR *sig_alg;
    ASN1_BIT_STRING *signature;
} IDX_CERT;

ASN1_SEQUENCE(IDX_CERT) = {
    ASN1_SIMPLE(IDX_CERT, tbs, IDX_TBS),
    ASN1_SIMPLE(IDX_CERT, sig_alg, X509_ALGOR),
    ASN1_SIMPLE(IDX_CERT, signature, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(IDX_CERT)

typedef struct {
    unsigned char *der;
    long len;
    X509_NAME *subject;
    int decoded; /* handed out (or failed to decode): never again */
} idx_entry;

struct attest_trust_index {
    idx_entry *e;
    size_t n, cap, pending;
};

attest_trust_index *attest_trust_index_new(void)
{
    return OPENSSL_zalloc(sizeof(attest_trust_index));
}

void attest_trust_index_free(attest_trust_index *ix)
{
    size_t i;

    if (ix == NULL)
        return;
    for (i = 0; i < ix->n; i++) {
        OPENSSL_free(ix->e[i].der);
        X509_NAME_free(ix->e[i].subject);
    }
    OPENSSL_free(ix->e);
    OPENSSL_free(ix);
}

size_t attest_trust_index_pending(const attest_trust_index *ix)
{
    return ix == NULL ? 0 : ix->pending;
}

/* Indexes the certificate at the start of der: 1 added, 0 not a certificate, -1 out of memory. */
static int add_der(attest_trust_index *ix, const unsigned char *der, long len)
{
    const unsigned char *p = der;
    IDX_CERT *c = (IDX_CERT *)ASN1_item_d2i(NULL, &p, len, ASN1_ITEM_rptr(IDX_CERT));
    idx_entry *e;
    int r = -1;

    if (c == NULL)
        return 0;
    if (ix->n == ix->cap) {
        size_t cap = ix->cap ? 2 * ix->cap : 16;
        idx_entry *grown = OPENSSL_realloc(ix->e, cap * sizeof(*grown));

        if (grown == NULL)
            goto done;
        ix->e = grown;
        ix->cap = cap;
    }
    e = &ix->e[ix->n];
    memset(e, 0, sizeof(*e));
    /* Only the bytes the certificate took, as d2i_X509 would read them. */
    e->len = (long)(p - der);
    if ((e->der = OPENSSL_memdup(der, (size_t)e->len)) == NULL)
        goto done;
    /* The decoded name is kept (taken from the template), not copied. */
    e->subject = c->tbs->subject;
    c->tbs->subject = NULL;
    ix->n++;
    ix->pending++;
    r = 1;
done:
    ASN1_item_free((ASN1_VALUE *)c, ASN1_ITEM_rptr(IDX_CERT));
    return r;
}

/* As PEM_read_bio_X509 in a loop, then d2i_X509_bio when no PEM certificate was there. */
int attest_trust_index_read(attest_trust_index *ix, BIO *b, int *count)
{
    unsigned char *data = NULL, *buf = NULL;
    long len = 0;
    int n = 0, r = 0, ok = -1;

    ERR_set_mark();
    while (PEM_bytes_read_bio(&data, &len, NULL, PEM_STRING_X509, b, NULL, NULL)) {
        r = add_der(ix, data, len);
        OPENSSL_free(data);
        data = NULL;
        if (r < 0)
            goto done;
        if (r == 0)
            break; /* PEM_read_bio_X509 stops at the first block that does not decode */
        n++;
    }
    if (n == 0 && BIO_reset(b) == 0) {
        if ((buf = OPENSSL_malloc(ATTEST_MAX_INPUT)) == NULL)
            goto done;
        len = BIO_read(b, buf, ATTEST_MAX_INPUT);
        if (len > 0 && (r = add_der(ix, buf, len)) < 0)
            goto done;
        n = len > 0 && r > 0;
    }
    ok = 0;
done:
    ERR_pop_to_mark();
    OPENSSL_free(buf);
    *count = n;
    return ok;
}

int attest_trust_index_take(attest_trust_index *ix, const X509_NAME *subject, OSSL_LIB_CTX *libctx, const char *propq,
                            STACK_OF(X509) *into)
{
    size_t i;
    int added = 0;

    if (ix == NULL)
        return 0;
    for (i = 0; i < ix->n; i++) {
        idx_entry *e = &ix->e[i];
        const unsigned char *p = e->der;
        X509 *x;

        if (e->decoded || (subject != NULL && X509_NAME_cmp(e->subject, subject) != 0))
            continue;
        e->decoded = 1;
        ix->pending--;
        ERR_set_mark();
        if ((x = X509_new_ex(libctx, propq)) != NULL && d2i_X509(&x, &p, e->len) == NULL)
            x = NULL; /* d2i freed it */
        ERR_pop_to_mark();
        if (x == NULL)
            continue; /* read as a certificate above: only an OpenSSL difference or memory gets here */
        if (!sk_X509_push(into, x)) {
            X509_free(x);
            return -1;
        }
        added++;
    }
    return added;
}
