/* PKIX Evidence codec (ASN.1 templates). */
#include <string.h>
#include <openssl/asn1t.h>

#include "attest/bundle.h"
#include "attest/certcache.h"
#include "attest/der.h"
#include "attest/limits.h"
#include "attest/pkix.h"
#include "attest/spki_key.h"

ASN1_SEQUENCE(ATTEST_PKIX_CLAIM) = {
    ASN1_SIMPLE(ATTEST_PKIX_CLAIM, type, ASN1_OBJECT),
    ASN1_OPT(ATTEST_PKIX_CLAIM, value, ASN1_ANY),
} ASN1_SEQUENCE_END(ATTEST_PKIX_CLAIM)
IMPLEMENT_ASN1_FUNCTIONS(ATTEST_PKIX_CLAIM)

ASN1_SEQUENCE(ATTEST_PKIX_ELEMENT) = {
    ASN1_SIMPLE(ATTEST_PKIX_ELEMENT, type, ASN1_OBJECT),
    ASN1_SEQUENCE_OF(ATTEST_PKIX_ELEMENT, claims, ATTEST_PKIX_CLAIM),
} ASN1_SEQUENCE_END(ATTEST_PKIX_ELEMENT)
IMPLEMENT_ASN1_FUNCTIONS(ATTEST_PKIX_ELEMENT)

ASN1_SEQUENCE(ATTEST_PKIX_TBS) = {
    ASN1_SIMPLE(ATTEST_PKIX_TBS, version, ASN1_INTEGER),
    ASN1_SEQUENCE_OF(ATTEST_PKIX_TBS, elements, ATTEST_PKIX_ELEMENT),
} ASN1_SEQUENCE_END(ATTEST_PKIX_TBS)
IMPLEMENT_ASN1_FUNCTIONS(ATTEST_PKIX_TBS)

ASN1_SEQUENCE(ATTEST_PKIX_SID) = {
    ASN1_EXP_OPT(ATTEST_PKIX_SID, key_id, ASN1_OCTET_STRING, 0),
    ASN1_EXP_OPT(ATTEST_PKIX_SID, spki, ATTEST_LAZY_X509_PUBKEY, 1), /* key made on use (attest_spki_pkey) */
    ASN1_EXP_OPT(ATTEST_PKIX_SID, cert, ATTEST_CACHED_X509, 2), /* through the certificate cache */
} ASN1_SEQUENCE_END(ATTEST_PKIX_SID)
IMPLEMENT_ASN1_FUNCTIONS(ATTEST_PKIX_SID)

ASN1_SEQUENCE(ATTEST_PKIX_SIGBLOCK) = {
    ASN1_SIMPLE(ATTEST_PKIX_SIGBLOCK, sid, ATTEST_PKIX_SID),
    ASN1_SIMPLE(ATTEST_PKIX_SIGBLOCK, alg, X509_ALGOR),
    ASN1_SIMPLE(ATTEST_PKIX_SIGBLOCK, value, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(ATTEST_PKIX_SIGBLOCK)
IMPLEMENT_ASN1_FUNCTIONS(ATTEST_PKIX_SIGBLOCK)

/* The form the reference tools and samples emit: A0 { Certificate... }. */
ASN1_SEQUENCE(ATTEST_PKIX_EVIDENCE) = {
    ASN1_SIMPLE(ATTEST_PKIX_EVIDENCE, tbs, ATTEST_PKIX_TBS),
    ASN1_SEQUENCE_OF(ATTEST_PKIX_EVIDENCE, sigs, ATTEST_PKIX_SIGBLOCK),
    ASN1_IMP_SEQUENCE_OF_OPT(ATTEST_PKIX_EVIDENCE, intermediates, ATTEST_CACHED_X509, 0),
} ASN1_SEQUENCE_END(ATTEST_PKIX_EVIDENCE)
IMPLEMENT_ASN1_FUNCTIONS(ATTEST_PKIX_EVIDENCE)

/* The form the -07 module (EXPLICIT TAGS) specifies: A0 { 30 { Certificate... } }. */
typedef ATTEST_PKIX_EVIDENCE ATTEST_PKIX_EVIDENCE_EXP;
ASN1_SEQUENCE(ATTEST_PKIX_EVIDENCE_EXP) = {
    ASN1_SIMPLE(ATTEST_PKIX_EVIDENCE_EXP, tbs, ATTEST_PKIX_TBS),
    ASN1_SEQUENCE_OF(ATTEST_PKIX_EVIDENCE_EXP, sigs, ATTEST_PKIX_SIGBLOCK),
    ASN1_EXP_SEQUENCE_OF_OPT(ATTEST_PKIX_EVIDENCE_EXP, intermediates, ATTEST_CACHED_X509, 0),
} ASN1_SEQUENCE_END(ATTEST_PKIX_EVIDENCE_EXP)

void attest_pkix_free(attest_pkix *p)
{
    if (p == NULL)
        return;
    ATTEST_PKIX_EVIDENCE_free(p->ev);
    OPENSSL_free(p->tbs_der);
    OPENSSL_free(p);
}

static const ASN1_ITEM *item_for(int explicit_form)
{
    return explicit_form ? ASN1_ITEM_rptr(ATTEST_PKIX_EVIDENCE_EXP) : ASN1_ITEM_rptr(ATTEST_PKIX_EVIDENCE);
}

/* Parse with one tagging of [0]; 1 when it consumed everything. */
static ATTEST_PKIX_EVIDENCE *try_form(const unsigned char *der, size_t len, int explicit_form, OSSL_LIB_CTX *libctx,
                                      const char *propq)
{
    const unsigned char *p = der;
    /* _ex: the certificates and keys inside are decoded in the caller's library context */
    ATTEST_PKIX_EVIDENCE *ev =
        (ATTEST_PKIX_EVIDENCE *)ASN1_item_d2i_ex(NULL, &p, (long)len, item_for(explicit_form), libctx, propq);

    if (ev != NULL && p != der + len) {
        ASN1_item_free((ASN1_VALUE *)ev, item_for(explicit_form));
        return NULL;
    }
    return ev;
}

static int cache_tbs(attest_pkix *p, attest_err *err)
{
    int n;

    OPENSSL_free(p->tbs_der);
    p->tbs_der = NULL;
    if ((n = i2d_ATTEST_PKIX_TBS(p->ev->tbs, &p->tbs_der)) <= 0) {
        attest_err_set(err, "evidence: cannot encode tbs");
        return 0;
    }
    p->tbs_len = (size_t)n;
    return 1;
}

/*
 * The signed bytes of received evidence: its first element.  Called once the
 * whole re-encodes to der, so they are exactly what i2d of the tbs would write.
 */
static int tbs_of_received(attest_pkix *p, const unsigned char *der, size_t len, attest_err *err)
{
    const unsigned char *q = der, *tbs;
    long n;
    int tag, cls;

    if (ASN1_get_object(&q, &n, &tag, &cls, (long)len) & 0x80)
        goto bad;
    tbs = q;
    if (ASN1_get_object(&q, &n, &tag, &cls, (long)(der + len - q)) & 0x80)
        goto bad;
    p->tbs_len = (size_t)(q - tbs) + (size_t)n;
    if ((p->tbs_der = OPENSSL_memdup(tbs, p->tbs_len)) != NULL)
        return 1;
bad:
    attest_err_set(err, "evidence: cannot read tbs");
    return 0;
}

static int within_caps(const ATTEST_PKIX_EVIDENCE *ev, attest_err *err)
{
    int i;

    if (sk_ATTEST_PKIX_ELEMENT_num(ev->tbs->elements) > ATTEST_MAX_ELEMENTS) {
        attest_err_set(err, "evidence: more than %d reported elements", ATTEST_MAX_ELEMENTS);
        return 0;
    }
    for (i = 0; i < sk_ATTEST_PKIX_ELEMENT_num(ev->tbs->elements); i++) {
        if (sk_ATTEST_PKIX_CLAIM_num(sk_ATTEST_PKIX_ELEMENT_value(ev->tbs->elements, i)->claims) > ATTEST_MAX_CLAIMS) {
            attest_err_set(err, "evidence: element %d has more than %d claims", i, ATTEST_MAX_CLAIMS);
            return 0;
        }
    }
    if (sk_ATTEST_PKIX_SIGBLOCK_num(ev->sigs) > ATTEST_MAX_SIGNATURES) {
        attest_err_set(err, "evidence: more than %d signature blocks", ATTEST_MAX_SIGNATURES);
        return 0;
    }
    if (sk_X509_num(ev->intermediates) > ATTEST_MAX_BUNDLE_CERTS) {
        attest_err_set(err, "evidence: more than %d intermediate certificates", ATTEST_MAX_BUNDLE_CERTS);
        return 0;
    }
    return 1;
}

int attest_pkix_decode(const unsigned char *der, size_t len, attest_pkix **out, attest_err *err)
{
    return attest_pkix_decode_ex(der, len, NULL, NULL, out, err);
}

int attest_pkix_decode_ex(const unsigned char *der, size_t len, OSSL_LIB_CTX *libctx, const char *propq,
                          attest_pkix **out, attest_err *err)
{
    attest_pkix *p = NULL;
    int ok = -1;

    *out = NULL;
    if (len == 0 || len > ATTEST_MAX_INPUT) {
        attest_err_set(err, "evidence: size %zu outside 1..%d bytes", len, ATTEST_MAX_INPUT);
        return -1;
    }
    if ((p = OPENSSL_zalloc(sizeof(*p))) == NULL)
        goto fail;
    if ((p->ev = try_form(der, len, 0, libctx, propq)) == NULL) {
        if ((p->ev = try_form(der, len, 1, libctx, propq)) == NULL) {
            attest_err_set(err, "evidence: not a PKIX Evidence (SEQUENCE { tbs, signatures, [0] certs })");
            goto fail;
        }
        p->intermediates_explicit = 1;
    }
    if (!attest_der_reencodes(item_for(p->intermediates_explicit), p->ev, der, len)) {
        attest_err_set(err, "evidence: not DER (re-encoding differs)");
        goto fail;
    }
    if (!within_caps(p->ev, err) || !tbs_of_received(p, der, len, err))
        goto fail;
    /* Claim values are opaque ANYs to OpenSSL: the signed part must be DER all the way down. */
    if (attest_der_strict(p->tbs_der, p->tbs_len, err) != 0) {
        attest_err_prefix(err, "evidence: tbs");
        goto fail;
    }
    *out = p;
    p = NULL;
    ok = 0;
fail:
    attest_pkix_free(p);
    return ok;
}

attest_pkix *attest_pkix_wrap(ATTEST_PKIX_EVIDENCE *ev, attest_err *err)
{
    attest_pkix *p = OPENSSL_zalloc(sizeof(*p));

    if (p == NULL) {
        ATTEST_PKIX_EVIDENCE_free(ev);
        attest_err_set(err, "evidence: out of memory");
        return NULL;
    }
    p->ev = ev;
    p->intermediates_explicit = 1;
    if (!cache_tbs(p, err)) {
        attest_pkix_free(p);
        return NULL;
    }
    return p;
}

int attest_pkix_encode(const attest_pkix *p, unsigned char **der, size_t *len, attest_err *err)
{
    int n;

    *der = NULL;
    n = ASN1_item_i2d((ASN1_VALUE *)p->ev, der, item_for(p->intermediates_explicit));
    if (n <= 0) {
        attest_err_set(err, "evidence: encoding failed");
        return -1;
    }
    *len = (size_t)n;
    return 0;
}
