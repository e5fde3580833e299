/*
 * TPM2_Sign of a precomputed digest with an unrestricted key (see
 * attest/tpm2_device.h), for signing paths that bypass tpm2-openssl.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include <tss2/tss2_mu.h>

#include "attest/error.h"
#include "attest/tpm2.h"
#include "attest/tpm2_device.h"
#include "tpm2_device_int.h"

static size_t hash_size(uint16_t alg)
{
    switch (alg) {
    case TPM2_ALG_SHA1: return TPM2_SHA1_DIGEST_SIZE;
    case TPM2_ALG_SHA256: return TPM2_SHA256_DIGEST_SIZE;
    case TPM2_ALG_SHA384: return TPM2_SHA384_DIGEST_SIZE;
    case TPM2_ALG_SHA512: return TPM2_SHA512_DIGEST_SIZE;
    default: return 0;
    }
}

static int sign_args_check(uint16_t scheme, uint16_t hash_alg, const unsigned char *digest, size_t dlen,
                           attest_err *err)
{
    size_t hlen;

    if (scheme != TPM2_ALG_RSASSA && scheme != TPM2_ALG_RSAPSS && scheme != TPM2_ALG_ECDSA) {
        attest_err_set(err,
                       "TPM2_Sign: scheme 0x%04x, expected "
                       "RSASSA (0x0014), RSAPSS (0x0016) or ECDSA (0x0018)",
                       scheme);
        return -1;
    }
    if ((hlen = hash_size(hash_alg)) == 0) {
        attest_err_set(err,
                       "TPM2_Sign: hash 0x%04x, expected SHA1, "
                       "SHA256, SHA384 or SHA512",
                       hash_alg);
        return -1;
    }
    if (digest == NULL || dlen != hlen) {
        attest_err_set(err,
                       "TPM2_Sign: digest is %zu bytes, hash "
                       "0x%04x needs %zu",
                       digest == NULL ? 0 : dlen, hash_alg, hlen);
        return -1;
    }

    return 0;
}

static int ecdsa_to_der(const TPMS_SIGNATURE_ECC *e, unsigned char **der, size_t *der_len, attest_err *err)
{
    if (attest_tpm2_ecdsa_der(e, der, der_len) != 0) {
        attest_err_set(err, "TPM2_Sign: cannot encode ECDSA-Sig-Value");
        return -1;
    }
    return 0;
}

int attest_tpm_sig_bytes(const TPMT_SIGNATURE *s, uint16_t scheme, unsigned char **out, size_t *out_len,
                         attest_err *err)
{
    const TPM2B_PUBLIC_KEY_RSA *rsa;

    if (s->sigAlg != scheme) {
        attest_err_set(err,
                       "TPM2_Sign: TPM answered with scheme "
                       "0x%04x, asked for 0x%04x",
                       s->sigAlg, scheme);
        return -1;
    }
    if (scheme == TPM2_ALG_ECDSA)
        return ecdsa_to_der(&s->signature.ecdsa, out, out_len, err);
    rsa = scheme == TPM2_ALG_RSASSA ? &s->signature.rsassa.sig : &s->signature.rsapss.sig;
    if (rsa->size == 0 || (*out = OPENSSL_memdup(rsa->buffer, rsa->size)) == NULL) {
        attest_err_set(err,
                       "TPM2_Sign: empty signature or out of "
                       "memory");
        return -1;
    }
    *out_len = rsa->size;

    return 0;
}

int attest_tpm_sign_digest(attest_tpm *t, const attest_tpm_keyref *key, uint16_t sig_scheme, uint16_t hash_alg,
                           const unsigned char *digest, size_t dlen, unsigned char **sig, size_t *sig_len,
                           attest_err *err)
{
    tpm_obj o = TPM_OBJ_INIT;
    TPMT_SIGNATURE *ts = NULL;
    TPMT_SIG_SCHEME scheme;
    TPMT_TK_HASHCHECK ticket;
    TPM2B_DIGEST dg;
    TPMI_ALG_PUBLIC want;
    TSS2_RC rc;
    int ok = -1;

    if (sig != NULL)
        *sig = NULL;
    if (sig_len != NULL)
        *sig_len = 0;
    if (t == NULL || key == NULL || sig == NULL || sig_len == NULL) {
        attest_err_set(err, "attest_tpm_sign_digest: invalid argument");
        goto fail;
    }
    if (sign_args_check(sig_scheme, hash_alg, digest, dlen, err) < 0)
        goto fail;
    if ((ok = attest_tpmdev_alive(t, err)) < 0 || (ok = attest_tpmdev_key_open(t, key, &o, err)) < 0)
        goto fail;
    ok = -1;
    want = sig_scheme == TPM2_ALG_ECDSA ? TPM2_ALG_ECC : TPM2_ALG_RSA;
    if (o.pub->publicArea.type != want) {
        attest_err_set(err,
                       "TPM2_Sign: scheme 0x%04x needs an %s key, "
                       "this key has type 0x%04x",
                       sig_scheme, want == TPM2_ALG_ECC ? "ECC" : "RSA", o.pub->publicArea.type);
        goto fail;
    }

    memset(&dg, 0, sizeof(dg));
    dg.size = (UINT16)dlen;
    memcpy(dg.buffer, digest, dlen);
    memset(&scheme, 0, sizeof(scheme));
    scheme.scheme = sig_scheme;
    scheme.details.any.hashAlg = hash_alg;
    /* a NULL ticket: only unrestricted keys sign outside digests */
    memset(&ticket, 0, sizeof(ticket));
    ticket.tag = TPM2_ST_HASHCHECK;
    ticket.hierarchy = TPM2_RH_NULL;

    rc = attest_tss2.Esys_Sign(t->esys, o.tr, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &dg, &scheme, &ticket, &ts);
    if (rc != TSS2_RC_SUCCESS) {
        ok = attest_tpmdev_fail(t, err, rc, "TPM2_Sign");
        goto fail;
    }
    if (attest_tpm_sig_bytes(ts, sig_scheme, sig, sig_len, err) < 0)
        goto fail;

    ok = 0;
fail:
    attest_esys_free(ts);
    if (t != NULL)
        attest_tpmdev_obj_close(t, &o);

    return ok;
}

static uint16_t tpm_hash_of(const char *md)
{
    const EVP_MD *m = md != NULL ? EVP_get_digestbyname(md) : NULL;

    switch (m != NULL ? EVP_MD_get_type(m) : NID_undef) {
    case NID_sha1: return TPM2_ALG_SHA1;
    case NID_sha256: return TPM2_ALG_SHA256;
    case NID_sha384: return TPM2_ALG_SHA384;
    case NID_sha512: return TPM2_ALG_SHA512;
    default: return TPM2_ALG_NULL;
    }
}

int attest_tpm_sign_plan(const unsigned char *pub, size_t pub_len, const char *md, int pss, attest_tpm_signer *s,
                         attest_err *why)
{
    TPMT_PUBLIC p;
    uint16_t fixed, fixed_hash;
    attest_err perr;
    uint16_t want;

    if (attest_tpmt_public_parse(pub, pub_len, &p, &perr) != 0) {
        attest_err_set(why, "%s", perr.msg);
        return -1;
    }
    if (p.type != TPM2_ALG_RSA && p.type != TPM2_ALG_ECC) {
        attest_err_set(why, "key type 0x%04x", p.type);
        return -1;
    }
    /* A restricted key signs only digests the TPM hashed itself. */
    if ((p.objectAttributes & TPMA_OBJECT_RESTRICTED) || !(p.objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT)) {
        attest_err_set(why, "the key is %s",
                       (p.objectAttributes & TPMA_OBJECT_RESTRICTED) ? "restricted" : "not a signing key");
        return -1;
    }
    /* as attest_default_md: SHA-384 for P-384, SHA-512 for P-521 */
    if (md == NULL)
        md = p.type == TPM2_ALG_ECC && p.parameters.eccDetail.curveID == TPM2_ECC_NIST_P384  ? "SHA384"
            : p.type == TPM2_ALG_ECC && p.parameters.eccDetail.curveID == TPM2_ECC_NIST_P521 ? "SHA512"
                                                                                             : "SHA256";
    s->md = md;
    if ((s->hash = tpm_hash_of(md)) == TPM2_ALG_NULL) {
        attest_err_set(why, "digest %s", md != NULL ? md : "(none)");
        return -1;
    }
    want = p.type == TPM2_ALG_ECC ? TPM2_ALG_ECDSA : pss ? TPM2_ALG_RSAPSS : TPM2_ALG_RSASSA;
    if (p.type == TPM2_ALG_ECC) {
        fixed = p.parameters.eccDetail.scheme.scheme;
        fixed_hash = p.parameters.eccDetail.scheme.details.anySig.hashAlg;
    } else {
        fixed = p.parameters.rsaDetail.scheme.scheme;
        fixed_hash = p.parameters.rsaDetail.scheme.details.anySig.hashAlg;
    }
    if (fixed != TPM2_ALG_NULL && (fixed != want || fixed_hash != s->hash)) {
        attest_err_set(why,
                       "the key's scheme 0x%04x/0x%04x is not "
                       "0x%04x/0x%04x",
                       fixed, fixed_hash, want, s->hash);
        return -1;
    }
    s->scheme = want;

    return 0;
}

int attest_tpm_request_signer(void *arg, const unsigned char *digest, size_t dlen, unsigned char **sig, size_t *sig_len,
                              attest_err *err)
{
    const attest_tpm_signer *s = arg;

    return attest_tpm_sign_digest(s->tpm, s->key, s->scheme, s->hash, digest, dlen, sig, sig_len, err);
}
