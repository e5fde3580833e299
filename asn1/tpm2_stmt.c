/* TcgAttestCertify codec (ASN.1 template); the TPM bytes stay opaque here. */
#include <string.h>
#include <openssl/asn1t.h>

#include "attest/der.h"
#include "attest/limits.h"
#include "attest/tpm2.h"

typedef struct {
    ASN1_OCTET_STRING *attest;
    ASN1_OCTET_STRING *signature;
    ASN1_OCTET_STRING *pub;
} ATTEST_TCG_ATTEST_CERTIFY;

ASN1_SEQUENCE(ATTEST_TCG_ATTEST_CERTIFY) = {
    ASN1_SIMPLE(ATTEST_TCG_ATTEST_CERTIFY, attest, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ATTEST_TCG_ATTEST_CERTIFY, signature, ASN1_OCTET_STRING),
    ASN1_OPT(ATTEST_TCG_ATTEST_CERTIFY, pub, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(ATTEST_TCG_ATTEST_CERTIFY)
IMPLEMENT_ASN1_FUNCTIONS(ATTEST_TCG_ATTEST_CERTIFY)

void attest_tpm2_stmt_clear(attest_tpm2_stmt *s)
{
    if (s == NULL)
        return;
    OPENSSL_free(s->attest);
    OPENSSL_free(s->sig);
    OPENSSL_free(s->pub);
    memset(s, 0, sizeof(*s));
}

static unsigned char *dup_octets(const ASN1_OCTET_STRING *o, size_t *len)
{
    *len = (size_t)o->length;
    return OPENSSL_memdup(o->length ? o->data : (const unsigned char *)"", o->length ? (size_t)o->length : 1);
}

/*
 * Hackathon-era statements carried a TPM2B_PUBLIC (2-byte size prefix).
 * Strip it when the prefix equals the rest and the rest parses.
 */
static void strip_tpm2b_public(attest_tpm2_stmt *s)
{
    TPMT_PUBLIC pub;

    if (s->pub_len < 2 || ((size_t)s->pub[0] << 8 | s->pub[1]) != s->pub_len - 2)
        return;
    if (attest_tpmt_public_parse(s->pub + 2, s->pub_len - 2, &pub, NULL) != 0)
        return;
    memmove(s->pub, s->pub + 2, s->pub_len - 2);
    s->pub_len -= 2;
    s->pub_was_tpm2b = 1;
}

int attest_tpm2_stmt_decode(const unsigned char *der, size_t len, attest_tpm2_stmt *out, attest_err *err)
{
    const unsigned char *p = der;
    ATTEST_TCG_ATTEST_CERTIFY *t = NULL;
    int ok = -1;

    memset(out, 0, sizeof(*out));
    if (len == 0 || len > ATTEST_MAX_INPUT) {
        attest_err_set(err, "TcgAttestCertify: size %zu outside 1..%d bytes", len, ATTEST_MAX_INPUT);
        return -1;
    }
    t = d2i_ATTEST_TCG_ATTEST_CERTIFY(NULL, &p, (long)len);
    if (t == NULL) {
        attest_err_set(err,
                       "TcgAttestCertify: expected SEQUENCE { OCTET STRING tpmSAttest, OCTET STRING signature, OCTET "
                       "STRING tpmTPublic OPTIONAL }");
        goto fail;
    }
    if (p != der + len) {
        attest_err_set(err, "TcgAttestCertify: %zu trailing bytes", len - (size_t)(p - der));
        goto fail;
    }
    if (!attest_der_reencodes(ASN1_ITEM_rptr(ATTEST_TCG_ATTEST_CERTIFY), t, der, len)) {
        attest_err_set(err, "TcgAttestCertify: not DER (re-encoding differs)");
        goto fail;
    }
    if ((out->attest = dup_octets(t->attest, &out->attest_len)) == NULL
        || (out->sig = dup_octets(t->signature, &out->sig_len)) == NULL
        || (t->pub != NULL && (out->pub = dup_octets(t->pub, &out->pub_len)) == NULL)) {
        attest_err_set(err, "TcgAttestCertify: out of memory");
        goto fail;
    }
    if (out->pub != NULL)
        strip_tpm2b_public(out);
    ok = 0;
fail:
    if (ok != 0)
        attest_tpm2_stmt_clear(out);
    ATTEST_TCG_ATTEST_CERTIFY_free(t);
    return ok;
}

int attest_tpm2_stmt_encode(const attest_tpm2_stmt *s, unsigned char **der, size_t *len, attest_err *err)
{
    ATTEST_TCG_ATTEST_CERTIFY *t = ATTEST_TCG_ATTEST_CERTIFY_new();
    int n, ok = -1;

    if (t == NULL || !ASN1_OCTET_STRING_set(t->attest, s->attest, (int)s->attest_len)
        || !ASN1_OCTET_STRING_set(t->signature, s->sig, (int)s->sig_len))
        goto fail;
    if (s->pub != NULL) {
        if ((t->pub = ASN1_OCTET_STRING_new()) == NULL || !ASN1_OCTET_STRING_set(t->pub, s->pub, (int)s->pub_len))
            goto fail;
    }
    *der = NULL;
    if ((n = i2d_ATTEST_TCG_ATTEST_CERTIFY(t, der)) <= 0)
        goto fail;
    *len = (size_t)n;
    ok = 0;
fail:
    if (ok != 0)
        attest_err_set(err, "TcgAttestCertify: encoding failed");
    ATTEST_TCG_ATTEST_CERTIFY_free(t);
    return ok;
}
