/*
 * Software TPM2_MakeCredential (see attest/credential.h): OpenSSL's KBKDF
 * and SSKDF are the TPM's KDFa and KDFe, EVP does OAEP, ECDH, AES-CFB and
 * HMAC; tss2-mu marshals the TPM structures.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <tss2/tss2_mu.h>

#include "attest/credential.h"
#include "attest/tpm2.h"

static const char *md_name(uint16_t alg)
{
    const EVP_MD *md = attest_tpm2_md(alg);

    return md != NULL ? EVP_MD_get0_name(md) : NULL;
}

static int run_kdf(OSSL_LIB_CTX *libctx, const char *kdf, OSSL_PARAM *params, unsigned char *out, size_t outlen,
                   attest_err *err)
{
    EVP_KDF *k = EVP_KDF_fetch(libctx, kdf, NULL);
    EVP_KDF_CTX *c = k != NULL ? EVP_KDF_CTX_new(k) : NULL;
    int ok = c != NULL && EVP_KDF_derive(c, out, outlen, params) > 0;

    EVP_KDF_CTX_free(c);
    EVP_KDF_free(k);
    if (!ok)
        attest_err_set(err, "%s failed", kdf);
    return ok ? 0 : -1;
}

/* Context = U || V (raw, no sizes), as the TPM concatenates them. */
static unsigned char *concat(const unsigned char *u, size_t ulen, const unsigned char *v, size_t vlen, size_t *len)
{
    unsigned char *c = OPENSSL_malloc(ulen + vlen + 1);

    if (c == NULL)
        return NULL;
    if (ulen)
        memcpy(c, u, ulen);
    if (vlen)
        memcpy(c + ulen, v, vlen);
    *len = ulen + vlen;
    return c;
}

int attest_kdfa(OSSL_LIB_CTX *libctx, uint16_t hash_alg, const unsigned char *key, size_t keylen, const char *label,
                const unsigned char *u, size_t ulen, const unsigned char *v, size_t vlen, unsigned char *out,
                size_t outlen, attest_err *err)
{
    const char *md = md_name(hash_alg);
    size_t clen = 0, n = 0;
    unsigned char *ctx;
    OSSL_PARAM p[7];
    int ok;

    if (md == NULL) {
        attest_err_set(err, "KDFa: unsupported hash 0x%04x", hash_alg);
        return -1;
    }
    if ((ctx = concat(u, ulen, v, vlen, &clen)) == NULL)
        return -1;
    /* SP 800-108 counter mode: [i]32 || Label || 0x00 || Context || [L]32, as KDFa. */
    p[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, "counter", 0);
    p[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, "HMAC", 0);
    p[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0);
    p[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, keylen);
    p[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)label, strlen(label));
    if (clen)
        p[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, ctx, clen);
    p[n] = OSSL_PARAM_construct_end();
    ok = run_kdf(libctx, "KBKDF", p, out, outlen, err);
    OPENSSL_free(ctx);
    return ok;
}

int attest_kdfe(OSSL_LIB_CTX *libctx, uint16_t hash_alg, const unsigned char *z, size_t zlen, const char *label,
                const unsigned char *u, size_t ulen, const unsigned char *v, size_t vlen, unsigned char *out,
                size_t outlen, attest_err *err)
{
    const char *md = md_name(hash_alg);
    size_t llen = strlen(label) + 1, ilen = 0;
    unsigned char *info, *lv = NULL;
    OSSL_PARAM p[4];
    int ok;

    if (md == NULL) {
        attest_err_set(err, "KDFe: unsupported hash 0x%04x", hash_alg);
        return -1;
    }
    /* FixedInfo = label || 0x00 || PartyUInfo || PartyVInfo */
    if ((lv = concat(u, ulen, v, vlen, &ilen)) == NULL || (info = OPENSSL_malloc(llen + ilen + 1)) == NULL) {
        OPENSSL_free(lv);
        return -1;
    }
    memcpy(info, label, llen);
    memcpy(info + llen, lv, ilen);
    p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0);
    p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)z, zlen);
    p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, llen + ilen);
    p[3] = OSSL_PARAM_construct_end();
    ok = run_kdf(libctx, "SSKDF", p, out, outlen, err);
    OPENSSL_free(lv);
    OPENSSL_free(info);
    return ok;
}

static int aes_cfb(OSSL_LIB_CTX *libctx, const unsigned char *key, size_t keylen, const unsigned char *in, size_t len,
                   unsigned char *out)
{
    static const unsigned char iv[16];
    EVP_CIPHER *c = EVP_CIPHER_fetch(libctx,
                                     keylen == 32       ? "AES-256-CFB"
                                         : keylen == 24 ? "AES-192-CFB"
                                                        : "AES-128-CFB",
                                     NULL);
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int n = 0, f = 0, ok = 0;

    if (c != NULL && x != NULL && EVP_EncryptInit_ex2(x, c, key, iv, NULL)
        && EVP_EncryptUpdate(x, out, &n, in, (int)len) && EVP_EncryptFinal_ex(x, out + n, &f) && (size_t)(n + f) == len)
        ok = 1;
    EVP_CIPHER_CTX_free(x);
    EVP_CIPHER_free(c);
    return ok ? 0 : -1;
}

static int hmac(OSSL_LIB_CTX *libctx, const char *md, const unsigned char *key, size_t keylen, const unsigned char *a,
                size_t alen, const unsigned char *b, size_t blen, unsigned char *out, size_t outcap, size_t *outlen)
{
    EVP_MAC *m = EVP_MAC_fetch(libctx, "HMAC", NULL);
    EVP_MAC_CTX *c = m != NULL ? EVP_MAC_CTX_new(m) : NULL;
    OSSL_PARAM p[2];
    int ok;

    p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)md, 0);
    p[1] = OSSL_PARAM_construct_end();
    ok = c != NULL && EVP_MAC_init(c, key, keylen, p) && EVP_MAC_update(c, a, alen) && EVP_MAC_update(c, b, blen)
        && EVP_MAC_final(c, out, outlen, outcap);
    EVP_MAC_CTX_free(c);
    EVP_MAC_free(m);
    return ok ? 0 : -1;
}

int attest_credential_wrap(OSSL_LIB_CTX *libctx, uint16_t name_alg, uint16_t sym_bits, const unsigned char *seed,
                           size_t seedlen, const unsigned char *name, size_t namelen, const unsigned char *cred,
                           size_t credlen, unsigned char **id_object, size_t *id_len, attest_err *err)
{
    const EVP_MD *md = attest_tpm2_md(name_alg);
    unsigned char sym[32], hkey[EVP_MAX_MD_SIZE], plain[2 + ATTEST_CREDENTIAL_MAX];
    unsigned char enc[2 + ATTEST_CREDENTIAL_MAX], mac[EVP_MAX_MD_SIZE], *out = NULL;
    size_t hlen, maclen = 0, plen = 2 + credlen, total;
    int ok = -1;

    *id_object = NULL;
    if (md == NULL || (sym_bits != 128 && sym_bits != 192 && sym_bits != 256)) {
        attest_err_set(err, "credential: unsupported EK nameAlg 0x%04x or AES-%u", name_alg, sym_bits);
        return -1;
    }
    hlen = (size_t)EVP_MD_get_size(md);
    if (credlen == 0 || credlen > ATTEST_CREDENTIAL_MAX) {
        attest_err_set(err, "credential: %zu bytes (1 to %d)", credlen, ATTEST_CREDENTIAL_MAX);
        return -1;
    }
    if (attest_kdfa(libctx, name_alg, seed, seedlen, "STORAGE", name, namelen, NULL, 0, sym, sym_bits / 8, err)
        || attest_kdfa(libctx, name_alg, seed, seedlen, "INTEGRITY", NULL, 0, NULL, 0, hkey, hlen, err))
        goto done;
    plain[0] = (unsigned char)(credlen >> 8);
    plain[1] = (unsigned char)credlen;
    memcpy(plain + 2, cred, credlen);
    if (aes_cfb(libctx, sym, sym_bits / 8, plain, plen, enc) != 0
        || hmac(libctx, EVP_MD_get0_name(md), hkey, hlen, enc, plen, name, namelen, mac, sizeof(mac), &maclen) != 0
        || maclen != hlen) {
        attest_err_set(err, "credential: AES-CFB or HMAC failed");
        goto done;
    }
    /* TPM2B_ID_OBJECT: size || TPM2B_DIGEST(HMAC) || encIdentity (no size of its own) */
    total = 2 + hlen + plen;
    if ((out = OPENSSL_malloc(2 + total)) == NULL)
        goto done;
    out[0] = (unsigned char)(total >> 8);
    out[1] = (unsigned char)total;
    out[2] = (unsigned char)(hlen >> 8);
    out[3] = (unsigned char)hlen;
    memcpy(out + 4, mac, hlen);
    memcpy(out + 4 + hlen, enc, plen);
    *id_object = out;
    *id_len = 2 + total;
    ok = 0;
done:
    OPENSSL_cleanse(sym, sizeof(sym));
    OPENSSL_cleanse(hkey, sizeof(hkey));
    OPENSSL_cleanse(plain, sizeof(plain));
    return ok;
}

/* RSA EK: seed = random hLen bytes, secret = OAEP(nameAlg, label "IDENTITY\0"). */
static int rsa_seed(OSSL_LIB_CTX *libctx, EVP_PKEY *ek, const EVP_MD *md, unsigned char *seed, size_t hlen,
                    TPM2B_ENCRYPTED_SECRET *sec, attest_err *err)
{
    static const char label[] = "IDENTITY";
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(libctx, ek, NULL);
    OSSL_PARAM p[5];
    size_t n = sizeof(sec->secret);
    int ok;

    p[0] = OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, OSSL_PKEY_RSA_PAD_MODE_OAEP, 0);
    p[1] = OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, (char *)EVP_MD_get0_name(md), 0);
    p[2] = OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, (char *)EVP_MD_get0_name(md), 0);
    p[3] = OSSL_PARAM_construct_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL, (void *)label, sizeof(label));
    p[4] = OSSL_PARAM_construct_end();
    ok = c != NULL && RAND_bytes_ex(libctx, seed, hlen, 0) > 0 && EVP_PKEY_encrypt_init_ex(c, p) > 0
        && EVP_PKEY_encrypt(c, sec->secret, &n, seed, hlen) > 0;
    EVP_PKEY_CTX_free(c);
    if (!ok) {
        attest_err_set(err, "credential: RSA-OAEP to the EK failed");
        return -1;
    }
    sec->size = (UINT16)n;
    return 0;
}

/* ECC EK: one-pass ECDH with an ephemeral key; seed = KDFe(Z, "IDENTITY", Qe.x, Qek.x). */
static int ecc_seed(OSSL_LIB_CTX *libctx, EVP_PKEY *ek, const TPMT_PUBLIC *pub, unsigned char *seed, size_t hlen,
                    TPM2B_ENCRYPTED_SECRET *sec, attest_err *err)
{
    const char *group = attest_tpm2_curve_name(pub->parameters.eccDetail.curveID);
    EVP_PKEY *eph = NULL;
    EVP_PKEY_CTX *c = NULL;
    unsigned char z[66], pt[1 + 2 * 66];
    size_t zlen = sizeof(z), ptlen = 0, cb = pub->unique.ecc.x.size;
    TPMS_ECC_POINT q;
    size_t off = 0;
    int ok = -1;

    if (group == NULL || (eph = EVP_PKEY_Q_keygen(libctx, NULL, "EC", group)) == NULL
        || (c = EVP_PKEY_CTX_new_from_pkey(libctx, eph, NULL)) == NULL || EVP_PKEY_derive_init(c) <= 0
        || EVP_PKEY_derive_set_peer(c, ek) <= 0 || EVP_PKEY_derive(c, z, &zlen) <= 0
        || !EVP_PKEY_get_octet_string_param(eph, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof(pt), &ptlen)
        || ptlen != 1 + 2 * cb || pt[0] != 0x04) {
        attest_err_set(err, "credential: ECDH with the EK failed");
        goto done;
    }
    memset(&q, 0, sizeof(q));
    q.x.size = q.y.size = (UINT16)cb;
    memcpy(q.x.buffer, pt + 1, cb);
    memcpy(q.y.buffer, pt + 1 + cb, cb);
    if (attest_kdfe(libctx, pub->nameAlg, z, zlen, "IDENTITY", q.x.buffer, cb, pub->unique.ecc.x.buffer,
                    pub->unique.ecc.x.size, seed, hlen, err)
        != 0)
        goto done;
    if (Tss2_MU_TPMS_ECC_POINT_Marshal(&q, sec->secret, sizeof(sec->secret), &off) != TSS2_RC_SUCCESS) {
        attest_err_set(err, "credential: cannot marshal the ephemeral point");
        goto done;
    }
    sec->size = (UINT16)off;
    ok = 0;
done:
    OPENSSL_cleanse(z, sizeof(z));
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(eph);
    return ok;
}

int attest_make_credential(OSSL_LIB_CTX *libctx, const unsigned char *ek_pub, size_t ek_pub_len,
                           const unsigned char *name, size_t namelen, const unsigned char *cred, size_t credlen,
                           unsigned char **id_object, size_t *id_len, unsigned char **secret, size_t *secret_len,
                           attest_err *err)
{
    const TPMT_SYM_DEF_OBJECT *sym;
    TPM2B_ENCRYPTED_SECRET sec;
    unsigned char seed[EVP_MAX_MD_SIZE], *s = NULL;
    TPMT_PUBLIC pub;
    const EVP_MD *md;
    EVP_PKEY *ek = NULL;
    size_t hlen, off = 0;
    int ok = -1;

    *id_object = *secret = NULL;
    memset(&sec, 0, sizeof(sec));
    if (attest_tpmt_public_parse(ek_pub, ek_pub_len, &pub, err) != 0)
        return -1;
    sym = pub.type == TPM2_ALG_RSA ? &pub.parameters.rsaDetail.symmetric
        : pub.type == TPM2_ALG_ECC ? &pub.parameters.eccDetail.symmetric
                                   : NULL;
    if ((md = attest_tpm2_md(pub.nameAlg)) == NULL || sym == NULL || sym->algorithm != TPM2_ALG_AES
        || sym->mode.aes != TPM2_ALG_CFB) {
        attest_err_set(err, "credential: the EK is not an RSA/ECC key with AES-CFB and a known nameAlg");
        return -1;
    }
    if ((pub.objectAttributes & (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT))
        != (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT)) {
        attest_err_set(err, "credential: the EK is not a restricted decryption key");
        return -1;
    }
    hlen = (size_t)EVP_MD_get_size(md);
    if ((ek = attest_tpmt_public_to_pkey(&pub, libctx, err)) == NULL)
        return -1;
    if ((pub.type == TPM2_ALG_RSA ? rsa_seed(libctx, ek, md, seed, hlen, &sec, err)
                                  : ecc_seed(libctx, ek, &pub, seed, hlen, &sec, err))
        != 0)
        goto done;
    if (attest_credential_wrap(libctx, pub.nameAlg, sym->keyBits.aes, seed, hlen, name, namelen, cred, credlen,
                               id_object, id_len, err)
        != 0)
        goto done;
    if ((s = OPENSSL_malloc(sizeof(sec))) == NULL
        || Tss2_MU_TPM2B_ENCRYPTED_SECRET_Marshal(&sec, s, sizeof(sec), &off) != TSS2_RC_SUCCESS) {
        attest_err_set(err, "credential: cannot marshal the secret");
        goto done;
    }
    *secret = s;
    *secret_len = off;
    s = NULL;
    ok = 0;
done:
    if (ok != 0) {
        OPENSSL_free(*id_object);
        *id_object = NULL;
    }
    OPENSSL_free(s);
    OPENSSL_cleanse(seed, sizeof(seed));
    EVP_PKEY_free(ek);
    return ok;
}
