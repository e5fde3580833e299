/* Vendor evidence files into one AttestationBundle (include/attest/import.h). */
#include <string.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>

#include "attest/certfile.h"
#include "attest/certcache.h"
#include "attest/cmw.h"
#include "attest/engine.h"
#include "attest/gzip.h"
#include "attest/import.h"
#include "attest/limits.h"
#include "attest/oids.h"
#include "attest/registry.h"

/* The certificates of a certs-only PKCS#7 (DER), pushed onto into; -1 when der is not one. */
static int pkcs7_certs(const unsigned char *der, size_t len, STACK_OF(X509) *into)
{
    const unsigned char *p = der;
    PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)len);
    STACK_OF(X509) *certs = NULL;
    int i, r = -1;

    if (p7 == NULL || p != der + len || !PKCS7_type_is_signed(p7) || p7->d.sign == NULL)
        goto done;
    certs = p7->d.sign->cert;
    for (i = 0; i < sk_X509_num(certs); i++) {
        X509 *x = sk_X509_value(certs, i);

        if (!X509_up_ref(x))
            goto done;
        if (!sk_X509_push(into, x)) {
            X509_free(x);
            goto done;
        }
    }
    r = 0;
done:
    PKCS7_free(p7);
    return r;
}

static int one_cert(const unsigned char *der, size_t len, OSSL_LIB_CTX *libctx, const char *propq, STACK_OF(X509) *into)
{
    X509 *x = attest_cert_from_der_ex(der, len, libctx, propq);

    if (x == NULL)
        return -1;
    if (!sk_X509_push(into, x)) {
        X509_free(x);
        return -1;
    }
    return 0;
}

/* PEM text: every block a certificate or a PKCS#7; anything else is an error. */
static int pem_certs(const attest_evidence_file *f, const unsigned char *data, size_t len, OSSL_LIB_CTX *libctx,
                     const char *propq, STACK_OF(X509) *into, attest_err *err)
{
    BIO *b = BIO_new_mem_buf(data, (int)len);
    char *name = NULL, *header = NULL;
    unsigned char *der = NULL;
    long n;
    int r = 0, blocks = 0;

    if (b == NULL) {
        attest_err_set(err, "out of memory");
        return -1;
    }
    while (r == 0 && PEM_read_bio(b, &name, &header, &der, &n) == 1) {
        blocks++;
        if (strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CERTIFICATE") == 0)
            r = one_cert(der, (size_t)n, libctx, propq, into);
        else if (strcmp(name, "PKCS7") == 0)
            r = pkcs7_certs(der, (size_t)n, into);
        else {
            attest_err_set(err, "%s: a PEM block labelled %s is not vendor evidence", f->name, name);
            r = -2;
        }
        if (r == -1)
            attest_err_set(err, "%s: PEM block %d (%s) does not decode", f->name, blocks, name);
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(der);
        name = header = NULL;
        der = NULL;
    }
    BIO_free(b);
    if (r == 0 && blocks == 0) {
        attest_err_set(err, "%s: no PEM block in it", f->name);
        r = -1;
    } else if (r == 0 && blocks != attest_pem_begins(data, len)) {
        /* PEM_read_bio stops at a block it cannot read: that block is an error, not the end. */
        attest_err_set(err, "%s: PEM block %d does not decode", f->name, blocks + 1);
        r = -1;
    }
    return r == 0 ? 0 : -1;
}

static int add_statement(attest_bundle *b, const char *oid_text, const unsigned char *der, size_t len, attest_err *err)
{
    ASN1_OBJECT *type = OBJ_txt2obj(oid_text, 1);
    int r = type != NULL ? attest_bundle_add_statement(b, type, der, len, err) : -1;

    if (type == NULL)
        attest_err_set(err, "bad statement type %s", oid_text);
    ASN1_OBJECT_free(type);
    return r;
}

static int in_bag(const attest_bundle *b, X509 *x)
{
    int i;

    for (i = 0; i < sk_X509_num(b->certs); i++)
        if (X509_cmp(sk_X509_value(b->certs, i), x) == 0)
            return 1;
    return 0;
}

/* The first certificate is a statement when an engine claims it; the others join the cert bag. */
static int add_certs(const attest_evidence_file *f, STACK_OF(X509) *certs, attest_bundle *b, attest_err *err)
{
    const attest_engine *e = NULL;
    unsigned char *der = NULL;
    size_t i;
    int n, k;

    for (i = 0; i < attest_engine_count() && e == NULL; i++)
        if (attest_engine_at(i)->claims_cert != NULL && attest_engine_at(i)->claims_cert(sk_X509_value(certs, 0)))
            e = attest_engine_at(i);
    if (e != NULL) {
        if ((n = i2d_X509(sk_X509_value(certs, 0), &der)) <= 0) {
            attest_err_set(err, "%s: cannot encode its first certificate", f->name);
            return -1;
        }
        k = add_statement(b, e->oid_text, der, (size_t)n, err);
        OPENSSL_free(der);
        if (k != 0)
            return -1;
    }
    for (k = e != NULL ? 1 : 0; k < sk_X509_num(certs); k++) {
        X509 *x = sk_X509_value(certs, k);

        if (in_bag(b, x))
            continue;
        if (sk_X509_num(b->certs) >= ATTEST_MAX_BUNDLE_CERTS) {
            attest_err_set(err, "%s: more than %d certificates in all", f->name, ATTEST_MAX_BUNDLE_CERTS);
            return -1;
        }
        if (attest_bundle_add_cert(b, x) != 0) {
            attest_err_set(err, "out of memory");
            return -1;
        }
    }
    return 0;
}

/* A file without certificates: the engine that claims its bytes (inflated when gzip) wraps it in CMW. */
static int add_blob(const attest_evidence_file *f, const unsigned char *data, size_t len, attest_bundle **bp,
                    attest_err *err)
{
    unsigned char *plain = NULL, *der = NULL;
    size_t plain_len = 0, der_len = 0, i;
    const attest_engine *e = NULL;
    attest_err gz;
    int r = -1;

    if (attest_is_gzip(data, len) && attest_gunzip(data, len, ATTEST_MAX_INPUT, &plain, &plain_len, &gz) != 0) {
        attest_err_set(err, "%s: %s", f->name, gz.msg);
        return -1;
    }
    for (i = 0; i < attest_engine_count() && e == NULL; i++) {
        const attest_engine *c = attest_engine_at(i);

        if (c->claims_blob != NULL && c->cmw_type != NULL
            && c->claims_blob(plain != NULL ? plain : data, plain != NULL ? plain_len : len))
            e = c;
    }
    if (e == NULL) {
        attest_err_set(err, "%s: neither certificates (PEM, DER, PKCS#7) nor vendor evidence this verifier knows",
                       f->name);
        goto done;
    }
    /* The vendor's bytes as they came (gzip included): the engine reads both forms. */
    if (attest_cmw_record_encode(e->cmw_type, data, len, &der, &der_len, err) != 0
        || attest_bundle_add_statement(*bp, attest_oid_obj(ATTEST_OID_PE_CMW), der, der_len, err) != 0)
        goto done;
    r = 0;
done:
    OPENSSL_free(plain);
    OPENSSL_free(der);
    return r;
}

static int import_one(const attest_evidence_file *f, OSSL_LIB_CTX *libctx, const char *propq, attest_bundle **bp,
                      attest_err *err)
{
    const unsigned char *d = f->data;
    size_t n = f->len;
    STACK_OF(X509) *certs = sk_X509_new_null();
    int r = -1;

    if (certs == NULL) {
        attest_err_set(err, "out of memory");
        return -1;
    }
    if (n == 0 || n > ATTEST_MAX_INPUT) {
        attest_err_set(err, "%s: size %zu outside 1..%d bytes", f->name, n, ATTEST_MAX_INPUT);
        goto done;
    }
    if (n >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf) { /* a UTF-8 byte order mark (Windows tools) */
        d += 3;
        n -= 3;
    }
    ERR_set_mark();
    if (attest_pem_begins(d, n) > 0)
        r = pem_certs(f, d, n, libctx, propq, certs, err);
    else if (pkcs7_certs(d, n, certs) == 0 || one_cert(d, n, libctx, propq, certs) == 0)
        r = 0;
    else
        r = add_blob(f, d, n, bp, err);
    ERR_pop_to_mark();
    if (r == 0 && sk_X509_num(certs) > 0)
        r = add_certs(f, certs, *bp, err);
done:
    sk_X509_pop_free(certs, X509_free);
    return r;
}

int attest_evidence_import(const attest_evidence_file *files, size_t n, OSSL_LIB_CTX *libctx, const char *propq,
                           attest_bundle **out, attest_err *err)
{
    attest_bundle *b = attest_bundle_new();
    size_t i;

    *out = NULL;
    if (b == NULL) {
        attest_err_set(err, "out of memory");
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (import_one(&files[i], libctx, propq, &b, err) != 0) {
            attest_bundle_free(b);
            return -1;
        }
    }
    if (b->n_stmts == 0) {
        attest_err_set(err,
                       "no vendor evidence in the %zu file(s): only certificates no engine claims as its "
                       "statement (a YubiKey slot, Luna PKC or Android leaf certificate, a Cloud HSM attestation)",
                       n);
        attest_bundle_free(b);
        return -1;
    }
    if (b->n_stmts > ATTEST_MAX_STATEMENTS) {
        attest_err_set(err, "more than %d statements", ATTEST_MAX_STATEMENTS);
        attest_bundle_free(b);
        return -1;
    }
    *out = b;
    return 0;
}
