/* Signature algorithms of PKIX evidence (see pkix_sigalg.h). */
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "pkix_sigalg.h"

static const char *md_name_of(const X509_ALGOR *a, const char *dflt)
{
    int nid = a == NULL ? NID_undef : OBJ_obj2nid(a->algorithm);

    return a == NULL ? dflt : nid == NID_undef ? NULL : OBJ_nid2sn(nid);
}

/* RSASSA-PSS-params (RFC 4055) with their defaults: SHA-1, MGF1-SHA-1, salt 20, trailer 1. */
static int pss_params(const X509_ALGOR *alg, sigalg *s, char *why, size_t cap)
{
    const ASN1_TYPE *t = alg->parameter;
    RSA_PSS_PARAMS *pp = NULL;
    X509_ALGOR *mgfmd = NULL;
    int64_t salt = 20, trailer = 1;
    int ok = -1;

    if (t == NULL || t->type != V_ASN1_SEQUENCE
        || (pp = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS), t)) == NULL) {
        snprintf(why, cap, "RSASSA-PSS parameters missing or malformed");
        goto fail;
    }
    s->md = md_name_of(pp->hashAlgorithm, "SHA1");
    s->mgf1 = "SHA1";
    if (pp->maskGenAlgorithm != NULL) {
        if (OBJ_obj2nid(pp->maskGenAlgorithm->algorithm) != NID_mgf1 || pp->maskGenAlgorithm->parameter == NULL
            || (mgfmd = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR), pp->maskGenAlgorithm->parameter))
                == NULL) {
            snprintf(why, cap, "RSASSA-PSS mask generation is not MGF1");
            goto fail;
        }
        s->mgf1 = md_name_of(mgfmd, "SHA1");
    }
    if ((pp->saltLength != NULL && !ASN1_INTEGER_get_int64(&salt, pp->saltLength))
        || (pp->trailerField != NULL && !ASN1_INTEGER_get_int64(&trailer, pp->trailerField)) || salt < 0 || salt > 1024
        || trailer != 1 || s->md == NULL || s->mgf1 == NULL) {
        snprintf(why, cap, "RSASSA-PSS parameters not supported");
        goto fail;
    }
    s->salt = (int)salt;
    ok = 0;
fail:
    X509_ALGOR_free(mgfmd);
    RSA_PSS_PARAMS_free(pp);
    return ok;
}

/* The AlgorithmIdentifier as a digest + key type; -1 with why when unsupported. */
int attest_pkix_sigalg_of(const X509_ALGOR *alg, sigalg *s, char *why, size_t cap)
{
    int nid = OBJ_obj2nid(alg->algorithm), ptype;
    char oid[80];

    memset(s, 0, sizeof(*s));
    X509_ALGOR_get0(NULL, &ptype, NULL, alg);
    switch (nid) {
    case NID_ecdsa_with_SHA1:
        s->md = "SHA1";
        s->keytype = "EC";
        break;
    case NID_ecdsa_with_SHA256:
        s->md = "SHA256";
        s->keytype = "EC";
        break;
    case NID_ecdsa_with_SHA384:
        s->md = "SHA384";
        s->keytype = "EC";
        break;
    case NID_ecdsa_with_SHA512:
        s->md = "SHA512";
        s->keytype = "EC";
        break;
    case NID_sha1WithRSAEncryption:
        s->md = "SHA1";
        s->keytype = "RSA";
        break;
    case NID_sha256WithRSAEncryption:
        s->md = "SHA256";
        s->keytype = "RSA";
        break;
    case NID_sha384WithRSAEncryption:
        s->md = "SHA384";
        s->keytype = "RSA";
        break;
    case NID_sha512WithRSAEncryption:
        s->md = "SHA512";
        s->keytype = "RSA";
        break;
    case NID_ED25519: s->keytype = "ED25519"; break;
    case NID_ED448: s->keytype = "ED448"; break;
#ifdef NID_ML_DSA_44
    /* FIPS 204 / 205 (OpenSSL >= 3.5): pure mode, no separate digest, absent parameters (RFC 9881). */
    case NID_ML_DSA_44:
    case NID_ML_DSA_65:
    case NID_ML_DSA_87:
#endif
#ifdef NID_SLH_DSA_SHA2_128s
    case NID_SLH_DSA_SHA2_128s:
    case NID_SLH_DSA_SHA2_128f:
    case NID_SLH_DSA_SHA2_192s:
    case NID_SLH_DSA_SHA2_192f:
    case NID_SLH_DSA_SHA2_256s:
    case NID_SLH_DSA_SHA2_256f:
    case NID_SLH_DSA_SHAKE_128s:
    case NID_SLH_DSA_SHAKE_128f:
    case NID_SLH_DSA_SHAKE_192s:
    case NID_SLH_DSA_SHAKE_192f:
    case NID_SLH_DSA_SHAKE_256s:
    case NID_SLH_DSA_SHAKE_256f:
#endif
#if defined(NID_ML_DSA_44) || defined(NID_SLH_DSA_SHA2_128s)
        s->keytype = OBJ_nid2ln(nid);
        break;
#endif
    case NID_rsassaPss:
        s->keytype = "RSA";
        s->pss = 1;
        return pss_params(alg, s, why, cap);
    default:
        OBJ_obj2txt(oid, sizeof(oid), alg->algorithm, 1);
        /* Also ML-DSA / SLH-DSA on an OpenSSL that does not know them: a clean refusal, never a guess. */
        snprintf(why, cap, "unsupported-algorithm: signature algorithm %s", oid);
        return ATTEST_SIGALG_UNSUPPORTED;
    }
    /* RFC 5758 / 8410: absent parameters; RFC 4055: NULL (absent tolerated). */
    if (ptype != V_ASN1_UNDEF && !(ptype == V_ASN1_NULL && strcmp(s->keytype, "RSA") == 0)) {
        snprintf(why, cap, "unexpected parameters in the %s AlgorithmIdentifier", OBJ_nid2ln(nid));
        return -1;
    }
    return 0;
}

int attest_pkix_sigalg_key_fits(EVP_PKEY *key, const sigalg *s)
{
    if (strcmp(s->keytype, "RSA") == 0)
        return EVP_PKEY_is_a(key, "RSA") || (s->pss && EVP_PKEY_is_a(key, "RSA-PSS"));
    return EVP_PKEY_is_a(key, s->keytype);
}

int attest_pkix_sigalg_verify(OSSL_LIB_CTX *libctx, const char *propq, EVP_PKEY *key, const sigalg *s,
                              const ASN1_OCTET_STRING *sig, const unsigned char *tbs, size_t tbslen)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok = 0;

    if (mctx == NULL)
        return 0;
    ERR_set_mark(); /* a signature that does not verify is an answer, not an error */
    if (EVP_DigestVerifyInit_ex(mctx, &pctx, s->md, libctx, propq, key, NULL) <= 0)
        goto done;
    if (s->pss
        && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0
            || EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, s->mgf1, NULL) <= 0
            || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, s->salt) <= 0))
        goto done;
    ok = EVP_DigestVerify(mctx, sig->data, (size_t)sig->length, tbs, tbslen) == 1;
done:
    EVP_MD_CTX_free(mctx);
    ERR_pop_to_mark();
    return ok;
}
