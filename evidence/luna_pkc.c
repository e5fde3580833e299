/*
 * Thales Luna Public Key Confirmation: the certificate profile (EKUs of the
 * Luna arc, the HSM serial extension) and the leaf signature defect the
 * negative-s quirk repairs (luna_pkc.h).
 */
#include <string.h>
#include <openssl/asn1.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "luna_pkc.h"

int attest_luna_has_eku(X509 *x, const char *oid)
{
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
    ASN1_OBJECT *want = OBJ_txt2obj(oid, 1);
    int i, found = 0;

    for (i = 0; want != NULL && i < sk_ASN1_OBJECT_num(eku); i++)
        found |= OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), want) == 0;
    ASN1_OBJECT_free(want);
    EXTENDED_KEY_USAGE_free(eku);
    return found;
}

/* The one extension with this OID: its value, or NULL (absent, or present twice: *dup = 1). */
static const ASN1_OCTET_STRING *one_ext(X509 *x, const char *oid, int *dup)
{
    ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
    int at = o != NULL ? X509_get_ext_by_OBJ(x, o, -1) : -1;

    *dup = at >= 0 && X509_get_ext_by_OBJ(x, o, at) >= 0;
    ASN1_OBJECT_free(o);
    if (at < 0 || *dup)
        return NULL;
    return X509_EXTENSION_get_data(X509_get_ext(x, at));
}

int attest_luna_leaf_parse(X509 *leaf, luna_leaf *out, char *why, size_t why_len)
{
    const ASN1_OCTET_STRING *sn, *fw;
    const unsigned char *b;
    int dup = 0;

    memset(out, 0, sizeof(*out));
    if (!attest_luna_has_eku(leaf, LUNA_EKU_PKC)) {
        snprintf(why, why_len, "the leaf has no extended key usage %s (a Luna PKC leaf)", LUNA_EKU_PKC);
        return -1;
    }
    /* The HSM serial is 4 raw bytes, little-endian (not DER): the Luna validator reads it that way. */
    sn = one_ext(leaf, LUNA_EXT_SERIAL, &dup);
    if (sn == NULL || ASN1_STRING_length(sn) != 4) {
        snprintf(why, why_len, "HSM serial extension %s %s", LUNA_EXT_SERIAL,
                 dup              ? "appears twice"
                     : sn == NULL ? "is missing"
                                  : "is not 4 bytes");
        return -1;
    }
    b = ASN1_STRING_get0_data(sn);
    out->serial =
        (unsigned long)b[0] | (unsigned long)b[1] << 8 | (unsigned long)b[2] << 16 | (unsigned long)b[3] << 24;
    fw = one_ext(leaf, LUNA_EXT_FIRMWARE, &dup);
    if (dup) {
        snprintf(why, why_len, "firmware extension %s appears twice", LUNA_EXT_FIRMWARE);
        return -1;
    }
    if (fw != NULL) {
        out->fw_len =
            (size_t)ASN1_STRING_length(fw) < sizeof(out->fw) ? (size_t)ASN1_STRING_length(fw) : sizeof(out->fw);
        memcpy(out->fw, ASN1_STRING_get0_data(fw), out->fw_len);
    }
    return 0;
}

/*
 * The content of the INTEGER at *p (end at end); 1 when its high bit is set
 * (no 0x00 pad): the Luna defect, an unsigned value written as is, so any
 * bytes may follow (FF 80.. too, one s in 256).  0 for a minimal positive
 * INTEGER; -1 malformed or a needless 0x00 pad.
 */
static int integer_at(const unsigned char **p, const unsigned char *end, const unsigned char **c, long *n)
{
    int tag, cls, inf = ASN1_get_object(p, n, &tag, &cls, end - *p);

    if ((inf & 0x80) || inf != 0 || tag != V_ASN1_INTEGER || cls != V_ASN1_UNIVERSAL || *n < 1)
        return -1;
    *c = *p;
    *p += *n;
    if (*n > 1 && (*c)[0] == 0x00 && !((*c)[1] & 0x80))
        return -1; /* not minimal: another defect, not this quirk's */
    return ((*c)[0] & 0x80) != 0;
}

/* sig as the ECDSA-Sig-Value it meant: r and s read as unsigned; NULL unless s or r was negative. */
static unsigned char *reencode(const unsigned char *sig, size_t len, int *out_len)
{
    const unsigned char *p = sig, *end = sig + len, *rc, *sc;
    long n, rn, sn;
    int tag, cls, inf, neg_r, neg_s;
    ECDSA_SIG *es = NULL;
    BIGNUM *r = NULL, *s = NULL;
    unsigned char *der = NULL;

    inf = ASN1_get_object(&p, &n, &tag, &cls, (long)len);
    if ((inf & 0x80) || inf != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE || p + n != end)
        return NULL;
    if ((neg_r = integer_at(&p, end, &rc, &rn)) < 0 || (neg_s = integer_at(&p, end, &sc, &sn)) < 0 || p != end
        || (!neg_r && !neg_s))
        return NULL;
    if ((es = ECDSA_SIG_new()) == NULL || (r = BN_bin2bn(rc, (int)rn, NULL)) == NULL
        || (s = BN_bin2bn(sc, (int)sn, NULL)) == NULL || !ECDSA_SIG_set0(es, r, s)) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(es);
        return NULL;
    }
    *out_len = i2d_ECDSA_SIG(es, &der);
    ECDSA_SIG_free(es);
    return *out_len > 0 ? der : NULL;
}

int attest_luna_negative_s_verifies(X509 *cert, EVP_PKEY *issuer_key)
{
    const ASN1_BIT_STRING *sig;
    const X509_ALGOR *alg;
    X509 *fixed = NULL;
    unsigned char *der = NULL;
    int len = 0, pknid = NID_undef, ok = 0;

    X509_get0_signature(&sig, &alg, cert);
    if (issuer_key == NULL || !OBJ_find_sigid_algs(OBJ_obj2nid(alg->algorithm), NULL, &pknid)
        || pknid != NID_X9_62_id_ecPublicKey || (sig->flags & 0x07) != 0)
        return 0;
    if ((der = reencode(ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig), &len)) == NULL)
        return 0;
    /* A copy with the repaired signature; its TBS keeps the bytes it was decoded from. */
    if ((fixed = X509_dup(cert)) != NULL) {
        const ASN1_BIT_STRING *fsig;

        X509_get0_signature(&fsig, NULL, fixed);
        /* X509 has no setter for a decoded signature: the copy is ours to change. */
        if (ASN1_BIT_STRING_set((ASN1_BIT_STRING *)fsig, der, len))
            ok = X509_verify(fixed, issuer_key) == 1;
    }
    ERR_clear_error();
    X509_free(fixed);
    OPENSSL_free(der);
    return ok;
}
