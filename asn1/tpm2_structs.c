/*
 * TPM structures through tss2-mu.  tss2-mu advances its offset only on
 * success; we additionally require offset == size so trailing bytes are
 * refused, and check what the TPM itself would have enforced.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <tss2/tss2_mu.h>

#include "attest/tpm2.h"
#include "attest/spki_key.h"

/* TPMA_OBJECT bits defined up to rev 1.59; all others are reserved. */
#define TPMA_DEFINED                                                                                                \
    (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_STCLEAR | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN         \
     | TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_ADMINWITHPOLICY | TPMA_OBJECT_NODA | TPMA_OBJECT_ENCRYPTEDDUPLICATION \
     | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_X509SIGN)

int attest_tpms_attest_parse(const unsigned char *b, size_t n, TPMS_ATTEST *out, attest_err *err)
{
    size_t off = 0;
    TSS2_RC rc;

    memset(out, 0, sizeof(*out));
    /*
     * Field by field rather than Tss2_MU_TPMS_ATTEST_Unmarshal: tss2-mu 4
     * refuses a wrong magic there and tss2-mu 3 does not.  The magic is the
     * verifier's own check (tpm2.magic); this judges only the structure, the
     * same way on both.
     */
    rc = Tss2_MU_UINT32_Unmarshal(b, n, &off, &out->magic);
    if (rc == TSS2_RC_SUCCESS)
        rc = Tss2_MU_TPM2_ST_Unmarshal(b, n, &off, &out->type);
    if (rc == TSS2_RC_SUCCESS)
        rc = Tss2_MU_TPM2B_NAME_Unmarshal(b, n, &off, &out->qualifiedSigner);
    if (rc == TSS2_RC_SUCCESS)
        rc = Tss2_MU_TPM2B_DATA_Unmarshal(b, n, &off, &out->extraData);
    if (rc == TSS2_RC_SUCCESS)
        rc = Tss2_MU_TPMS_CLOCK_INFO_Unmarshal(b, n, &off, &out->clockInfo);
    if (rc == TSS2_RC_SUCCESS)
        rc = Tss2_MU_UINT64_Unmarshal(b, n, &off, &out->firmwareVersion);
    if (rc == TSS2_RC_SUCCESS)
        rc = Tss2_MU_TPMU_ATTEST_Unmarshal(b, n, &off, out->type, &out->attested);
    if (rc != TSS2_RC_SUCCESS) {
        attest_err_set(err, "TPMS_ATTEST: malformed (tss2-mu rc 0x%x)", (unsigned)rc);
        return -1;
    }
    if (off != n) {
        attest_err_set(err, "TPMS_ATTEST: %zu trailing bytes", n - off);
        return -1;
    }
    return 0;
}

static size_t curve_bytes(uint16_t curve)
{
    switch (curve) {
    case TPM2_ECC_NIST_P256: return 32;
    case TPM2_ECC_NIST_P384: return 48;
    case TPM2_ECC_NIST_P521: return 66;
    default: return 0;
    }
}

int attest_tpmt_public_parse(const unsigned char *b, size_t n, TPMT_PUBLIC *out, attest_err *err)
{
    size_t off = 0;
    TSS2_RC rc;

    memset(out, 0, sizeof(*out));
    rc = Tss2_MU_TPMT_PUBLIC_Unmarshal(b, n, &off, out);
    if (rc != TSS2_RC_SUCCESS) {
        attest_err_set(err, "TPMT_PUBLIC: malformed (tss2-mu rc 0x%x)", (unsigned)rc);
        return -1;
    }
    if (off != n) {
        attest_err_set(err, "TPMT_PUBLIC: %zu trailing bytes", n - off);
        return -1;
    }
    if (attest_tpm2_md(out->nameAlg) == NULL) {
        attest_err_set(err, "TPMT_PUBLIC: unsupported nameAlg 0x%04x", out->nameAlg);
        return -1;
    }
    if (out->objectAttributes & ~TPMA_DEFINED) {
        attest_err_set(err, "TPMT_PUBLIC: reserved objectAttributes bits set (0x%08x)", out->objectAttributes);
        return -1;
    }
    if (out->type == TPM2_ALG_RSA) {
        if ((size_t)out->unique.rsa.size * 8 != out->parameters.rsaDetail.keyBits) {
            attest_err_set(err, "TPMT_PUBLIC: RSA modulus is %u bytes, keyBits says %u", out->unique.rsa.size,
                           out->parameters.rsaDetail.keyBits);
            return -1;
        }
    } else if (out->type == TPM2_ALG_ECC) {
        size_t cb = curve_bytes(out->parameters.eccDetail.curveID);

        if (cb == 0) {
            attest_err_set(err, "TPMT_PUBLIC: unsupported curve 0x%04x", out->parameters.eccDetail.curveID);
            return -1;
        }
        if (out->unique.ecc.x.size != cb || out->unique.ecc.y.size != cb) {
            attest_err_set(err, "TPMT_PUBLIC: ECC point coordinates are not %zu bytes", cb);
            return -1;
        }
    } else {
        attest_err_set(err, "TPMT_PUBLIC: key type 0x%04x is not RSA or ECC", out->type);
        return -1;
    }
    return 0;
}

int attest_tpmt_signature_parse(const unsigned char *b, size_t n, TPMT_SIGNATURE *out)
{
    size_t off = 0;
    uint16_t alg;

    memset(out, 0, sizeof(*out));
    if (n < 2)
        return 0;
    alg = (uint16_t)(b[0] << 8 | b[1]);
    switch (alg) {
    case TPM2_ALG_RSASSA:
    case TPM2_ALG_RSAPSS:
    case TPM2_ALG_ECDSA:
    case TPM2_ALG_ECDAA:
    case TPM2_ALG_SM2:
    case TPM2_ALG_ECSCHNORR: break;
    default: return 0;
    }
    if (Tss2_MU_TPMT_SIGNATURE_Unmarshal(b, n, &off, out) != TSS2_RC_SUCCESS || off != n)
        return 0;
    return 1;
}

const EVP_MD *attest_tpm2_md(TPMI_ALG_HASH alg)
{
    switch (alg) {
    case TPM2_ALG_SHA1: return EVP_sha1();
    case TPM2_ALG_SHA256: return EVP_sha256();
    case TPM2_ALG_SHA384: return EVP_sha384();
    case TPM2_ALG_SHA512: return EVP_sha512();
    default: return NULL;
    }
}

int attest_tpm2_name(const unsigned char *pub, size_t pub_len, unsigned char *name, size_t cap, attest_err *err)
{
    const EVP_MD *md;
    unsigned int dlen = 0;
    uint16_t alg;

    if (pub_len < 4) {
        attest_err_set(err, "TPMT_PUBLIC too short for a Name");
        return -1;
    }
    alg = (uint16_t)(pub[2] << 8 | pub[3]);
    if ((md = attest_tpm2_md(alg)) == NULL) {
        attest_err_set(err, "unsupported nameAlg 0x%04x", alg);
        return -1;
    }
    if (cap < 2 + (size_t)EVP_MD_get_size(md)) {
        attest_err_set(err, "Name buffer too small");
        return -1;
    }
    name[0] = pub[2];
    name[1] = pub[3];
    if (!EVP_Digest(pub, pub_len, name + 2, &dlen, md, NULL)) {
        attest_err_set(err, "digest failed");
        return -1;
    }
    return (int)(2 + dlen);
}

const char *attest_tpm2_alg_name(uint16_t alg)
{
    switch (alg) {
    case TPM2_ALG_RSA: return "rsa";
    case TPM2_ALG_ECC: return "ecc";
    case TPM2_ALG_KEYEDHASH: return "keyedhash";
    case TPM2_ALG_SYMCIPHER: return "symcipher";
    case TPM2_ALG_SHA1: return "sha1";
    case TPM2_ALG_SHA256: return "sha256";
    case TPM2_ALG_SHA384: return "sha384";
    case TPM2_ALG_SHA512: return "sha512";
    case TPM2_ALG_SM3_256: return "sm3_256";
    case TPM2_ALG_SHA3_256: return "sha3_256";
    case TPM2_ALG_NULL: return "null";
    case TPM2_ALG_RSASSA: return "rsassa";
    case TPM2_ALG_RSAES: return "rsaes";
    case TPM2_ALG_RSAPSS: return "rsapss";
    case TPM2_ALG_OAEP: return "oaep";
    case TPM2_ALG_ECDSA: return "ecdsa";
    case TPM2_ALG_ECDH: return "ecdh";
    case TPM2_ALG_ECDAA: return "ecdaa";
    case TPM2_ALG_SM2: return "sm2";
    case TPM2_ALG_ECSCHNORR: return "ecschnorr";
    case TPM2_ALG_HMAC: return "hmac";
    case TPM2_ALG_AES: return "aes";
    case TPM2_ALG_CFB: return "cfb";
    case TPM2_ALG_KDF1_SP800_108: return "kdf1_sp800_108";
    default: return "unknown";
    }
}

const char *attest_tpm2_curve_name(uint16_t curve)
{
    switch (curve) {
    case TPM2_ECC_NIST_P256: return "P-256";
    case TPM2_ECC_NIST_P384: return "P-384";
    case TPM2_ECC_NIST_P521: return "P-521";
    case TPM2_ECC_BN_P256: return "BN-P256";
    case TPM2_ECC_SM2_P256: return "SM2-P256";
    default: return "unknown";
    }
}

void attest_tpma_object_str(uint32_t attrs, char *buf, size_t cap)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {
        { TPMA_OBJECT_FIXEDTPM, "fixedTPM" },
        { TPMA_OBJECT_STCLEAR, "stClear" },
        { TPMA_OBJECT_FIXEDPARENT, "fixedParent" },
        { TPMA_OBJECT_SENSITIVEDATAORIGIN, "sensitiveDataOrigin" },
        { TPMA_OBJECT_USERWITHAUTH, "userWithAuth" },
        { TPMA_OBJECT_ADMINWITHPOLICY, "adminWithPolicy" },
        { TPMA_OBJECT_NODA, "noDA" },
        { TPMA_OBJECT_ENCRYPTEDDUPLICATION, "encryptedDuplication" },
        { TPMA_OBJECT_RESTRICTED, "restricted" },
        { TPMA_OBJECT_DECRYPT, "decrypt" },
        { TPMA_OBJECT_SIGN_ENCRYPT, "sign" },
        { TPMA_OBJECT_X509SIGN, "x509sign" },
    };
    size_t i, used = 0;

    if (cap == 0)
        return;
    buf[0] = '\0';
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (attrs & names[i].bit) {
            int k = snprintf(buf + used, cap - used, "%s%s", used ? "|" : "", names[i].name);

            if (k < 0 || (size_t)k >= cap - used)
                return;
            used += (size_t)k;
        }
    }
}

static EVP_PKEY *pkey_fromdata(OSSL_LIB_CTX *libctx, const char *type, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(libctx, type, NULL);
    EVP_PKEY *pk = NULL;

    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0
        || EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        pk = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pk;
}

EVP_PKEY *attest_tpmt_public_to_pkey(const TPMT_PUBLIC *pub, OSSL_LIB_CTX *libctx, attest_err *err)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *n = NULL, *e = NULL;
    EVP_PKEY *pk = NULL;

    if (bld == NULL)
        goto fail;
    if (pub->type == TPM2_ALG_RSA) {
        uint32_t exp = pub->parameters.rsaDetail.exponent ? pub->parameters.rsaDetail.exponent : 65537;

        n = BN_bin2bn(pub->unique.rsa.buffer, pub->unique.rsa.size, NULL);
        e = BN_new();
        if (n == NULL || e == NULL || !BN_set_word(e, exp) || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n)
            || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
            goto fail;
        pk = pkey_fromdata(libctx, "RSA", bld);
    } else if (pub->type == TPM2_ALG_ECC) {
        unsigned char point[1 + 2 * 66];
        size_t cb = curve_bytes(pub->parameters.eccDetail.curveID);
        const char *group = attest_tpm2_curve_name(pub->parameters.eccDetail.curveID);

        if (cb == 0 || pub->unique.ecc.x.size != cb || pub->unique.ecc.y.size != cb)
            goto fail;
        point[0] = 0x04;
        memcpy(point + 1, pub->unique.ecc.x.buffer, cb);
        memcpy(point + 1 + cb, pub->unique.ecc.y.buffer, cb);
        if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0)
            || !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * cb))
            goto fail;
        pk = pkey_fromdata(libctx, "EC", bld);
    }
fail:
    if (pk == NULL)
        attest_err_set(err, "TPMT_PUBLIC: cannot build a public key (type 0x%04x)", pub->type);
    BN_free(n);
    BN_free(e);
    OSSL_PARAM_BLD_free(bld);
    return pk;
}

int attest_tpmt_public_spki_der(const TPMT_PUBLIC *pub, unsigned char **der, size_t *len)
{
    unsigned char point[1 + 2 * 66], *rsa = NULL;
    BIGNUM *n = NULL, *e = NULL;
    int r = -1, rlen;

    *der = NULL;
    if (pub->type == TPM2_ALG_RSA) {
        n = BN_bin2bn(pub->unique.rsa.buffer, pub->unique.rsa.size, NULL);
        e = BN_new();
        if (n != NULL && e != NULL
            && BN_set_word(e, pub->parameters.rsaDetail.exponent ? pub->parameters.rsaDetail.exponent : 65537)
            && (rlen = attest_rsa_public_der(n, e, &rsa)) > 0)
            r = attest_spki_der_of_fields(NID_rsaEncryption, NID_undef, rsa, rlen, der);
    } else if (pub->type == TPM2_ALG_ECC) {
        size_t cb = curve_bytes(pub->parameters.eccDetail.curveID);
        const char *group = attest_tpm2_curve_name(pub->parameters.eccDetail.curveID);
        int nid = group != NULL ? EC_curve_nist2nid(group) : NID_undef;

        if (cb != 0 && nid != NID_undef && pub->unique.ecc.x.size == cb && pub->unique.ecc.y.size == cb) {
            point[0] = 0x04; /* uncompressed, as the encoder writes it */
            memcpy(point + 1, pub->unique.ecc.x.buffer, cb);
            memcpy(point + 1 + cb, pub->unique.ecc.y.buffer, cb);
            r = attest_spki_der_of_fields(NID_X9_62_id_ecPublicKey, nid, point, (int)(1 + 2 * cb), der);
        }
    }
    OPENSSL_free(rsa);
    BN_free(n);
    BN_free(e);
    if (r <= 0)
        return -1;
    *len = (size_t)r;
    return 0;
}

int attest_tpm2_ecdsa_der(const TPMS_SIGNATURE_ECC *e, unsigned char **der, size_t *len)
{
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(e->signatureR.buffer, e->signatureR.size, NULL);
    BIGNUM *sv = BN_bin2bn(e->signatureS.buffer, e->signatureS.size, NULL);
    int n;

    *der = NULL;
    if (s == NULL || r == NULL || sv == NULL || !ECDSA_SIG_set0(s, r, sv)) {
        BN_free(r);
        BN_free(sv);
        ECDSA_SIG_free(s);
        return -1;
    }
    n = i2d_ECDSA_SIG(s, der);
    ECDSA_SIG_free(s);
    if (n <= 0)
        return -1;
    *len = (size_t)n;
    return 0;
}
