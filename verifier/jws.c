/* Compact JWS (RFC 7515) over EVP: the signed form of a verdict. */
#include <string.h>
#include <json-c/json.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "attest/describe.h"
#include "attest/digest.h"
#include "attest/jws.h"

#define MAX_JWS (1u << 20) /* a verdict is a few KiB; anything near this is not one */

typedef struct {
    const char *alg;
    const char *md; /* NULL: EdDSA signs the message itself */
    int ecdsa_len;  /* ES*: bytes of r and of s */
    int pss;
} jws_alg;

static int alg_of(EVP_PKEY *key, jws_alg *a)
{
    int bits = EVP_PKEY_get_bits(key);

    memset(a, 0, sizeof(*a));
    if (EVP_PKEY_is_a(key, "EC")) {
        if (bits == 256)
            *a = (jws_alg){ "ES256", "SHA256", 32, 0 };
        else if (bits == 384)
            *a = (jws_alg){ "ES384", "SHA384", 48, 0 };
        else if (bits == 521)
            *a = (jws_alg){ "ES512", "SHA512", 66, 0 };
        else
            return -1;
        return 0;
    }
    if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS")) {
        *a = (jws_alg){ "PS256", "SHA256", 0, 1 };
        return 0;
    }
    if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448")) {
        *a = (jws_alg){ "EdDSA", NULL, 0, 0 };
        return 0;
    }
    return -1;
}

const char *attest_jws_alg(EVP_PKEY *key)
{
    jws_alg a;

    return alg_of(key, &a) == 0 ? a.alg : NULL;
}

static char *kid_of(EVP_PKEY *key)
{
    unsigned char *der = NULL, md[32];
    char *hex = NULL;
    int n = i2d_PUBKEY(key, &der);

    if (n > 0 && attest_sha256(der, (size_t)n, md))
        hex = attest_hex_dup(md, sizeof(md));
    OPENSSL_free(der);
    return hex;
}

static EVP_MD_CTX *md_ctx(EVP_PKEY *key, const jws_alg *a, OSSL_LIB_CTX *libctx, const char *propq, int sign)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok;

    if (ctx == NULL)
        return NULL;
    ok = sign ? EVP_DigestSignInit_ex(ctx, &pctx, a->md, libctx, propq, key, NULL)
              : EVP_DigestVerifyInit_ex(ctx, &pctx, a->md, libctx, propq, key, NULL);
    /* PS256: RSASSA-PSS, MGF1 with SHA-256, a salt as long as the digest (RFC 7518 §3.5). */
    if (ok == 1 && a->pss)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1
            && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1
            && EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, "SHA256", NULL) == 1;
    if (ok != 1) {
        EVP_MD_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* ECDSA: DER from the provider, r || s in JWS (RFC 7518 §3.4). */
static int der_to_raw(const unsigned char *der, size_t len, int n, unsigned char *raw)
{
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
    const BIGNUM *r, *s;
    int ok;

    if (sig == NULL)
        return -1;
    ECDSA_SIG_get0(sig, &r, &s);
    ok = BN_bn2binpad(r, raw, n) == n && BN_bn2binpad(s, raw + n, n) == n;
    ECDSA_SIG_free(sig);
    return ok ? 0 : -1;
}

static unsigned char *raw_to_der(const unsigned char *raw, size_t len, int n, size_t *der_len)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, n, NULL), *s = BN_bin2bn(raw + n, n, NULL);
    unsigned char *der = NULL;
    int l = -1;

    if ((size_t)2 * (size_t)n == len && sig != NULL && r != NULL && s != NULL && ECDSA_SIG_set0(sig, r, s) == 1) {
        r = s = NULL;
        l = i2d_ECDSA_SIG(sig, &der);
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    if (l <= 0)
        return NULL;
    *der_len = (size_t)l;
    return der;
}

char *attest_jws_sign(EVP_PKEY *key, OSSL_LIB_CTX *libctx, const char *propq, const char *payload, size_t len,
                      attest_err *err)
{
    jws_alg a;
    json_object *h = NULL;
    const char *hs;
    char *kid = NULL, *hb = NULL, *pb = NULL, *tbs = NULL, *sb = NULL, *out = NULL;
    unsigned char *sig = NULL, raw[2 * 66];
    size_t siglen = 0, tbslen;
    EVP_MD_CTX *ctx = NULL;

    if (alg_of(key, &a) != 0) {
        attest_err_set(err, "a %s key cannot sign a JWS here (EC P-256/P-384/P-521, RSA, Ed25519 or Ed448)",
                       EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) : "provider");
        return NULL;
    }
    ERR_set_mark(); /* failures are told through err */
    if ((kid = kid_of(key)) == NULL) {
        attest_err_set(err, "cannot encode the signing key's public key (for kid)");
        goto done;
    }
    h = json_object_new_object();
    attest_json_add(h, "alg", json_object_new_string(a.alg));
    attest_json_add(h, "typ", json_object_new_string("JWT"));
    attest_json_add(h, "kid", json_object_new_string(kid));
    hs = json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    hb = hs != NULL ? attest_b64url((const unsigned char *)hs, strlen(hs)) : NULL;
    pb = attest_b64url((const unsigned char *)payload, len);
    if (hb == NULL || pb == NULL || (tbs = OPENSSL_malloc(strlen(hb) + strlen(pb) + 2)) == NULL)
        goto oom;
    tbslen = (size_t)sprintf(tbs, "%s.%s", hb, pb);
    if ((ctx = md_ctx(key, &a, libctx, propq, 1)) == NULL
        || EVP_DigestSign(ctx, NULL, &siglen, (const unsigned char *)tbs, tbslen) != 1
        || (sig = OPENSSL_malloc(siglen)) == NULL
        || EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)tbs, tbslen) != 1) {
        attest_err_set(err, "the key did not sign (%s)", a.alg);
        goto done;
    }
    if (a.ecdsa_len > 0) {
        if (der_to_raw(sig, siglen, a.ecdsa_len, raw) != 0) {
            attest_err_set(err, "the key's ECDSA signature is not DER");
            goto done;
        }
        sb = attest_b64url(raw, 2 * (size_t)a.ecdsa_len);
    } else {
        sb = attest_b64url(sig, siglen);
    }
    if (sb == NULL || (out = OPENSSL_malloc(tbslen + strlen(sb) + 2)) == NULL)
        goto oom;
    sprintf(out, "%s.%s", tbs, sb);
    goto done;
oom:
    attest_err_set(err, "out of memory");
done:
    ERR_pop_to_mark();
    EVP_MD_CTX_free(ctx);
    json_object_put(h);
    OPENSSL_free(kid);
    OPENSSL_free(hb);
    OPENSSL_free(pb);
    OPENSSL_free(tbs);
    OPENSSL_free(sig);
    OPENSSL_free(sb);
    return out;
}

char *attest_jws_verify(const char *jws, size_t jws_len, EVP_PKEY *key, OSSL_LIB_CTX *libctx, const char *propq,
                        size_t *len, attest_err *err)
{
    const char *d1, *d2;
    unsigned char *hdr = NULL, *sig = NULL, *der = NULL, *payload = NULL;
    size_t hlen = 0, slen = 0, dlen = 0, plen = 0;
    json_object *h = NULL, *alg;
    EVP_MD_CTX *ctx = NULL;
    char *out = NULL;
    jws_alg a;

    while (jws_len > 0 && (jws[jws_len - 1] == '\n' || jws[jws_len - 1] == '\r'))
        jws_len--;
    d1 = memchr(jws, '.', jws_len);
    d2 = d1 != NULL ? memchr(d1 + 1, '.', jws_len - (size_t)(d1 + 1 - jws)) : NULL;
    if (jws_len > MAX_JWS || d2 == NULL || memchr(d2 + 1, '.', jws_len - (size_t)(d2 + 1 - jws)) != NULL) {
        attest_err_set(err, "not a compact JWS (header.payload.signature, one line)");
        return NULL;
    }
    ERR_set_mark(); /* failures are told through err */
    if ((hdr = attest_b64url_decode(jws, (size_t)(d1 - jws), MAX_JWS, &hlen)) == NULL
        || (payload = attest_b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), MAX_JWS, &plen)) == NULL
        || (sig = attest_b64url_decode(d2 + 1, jws_len - (size_t)(d2 + 1 - jws), MAX_JWS, &slen)) == NULL) {
        attest_err_set(err, "a JWS part is not base64url");
        goto done;
    }
    hdr[hlen] = '\0';
    if (alg_of(key, &a) != 0) {
        attest_err_set(err, "a %s key cannot verify a JWS here",
                       EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) : "provider");
        goto done;
    }
    if (strlen((char *)hdr) != hlen || (h = json_tokener_parse((char *)hdr)) == NULL
        || !json_object_is_type(h, json_type_object) || !json_object_object_get_ex(h, "alg", &alg)
        || !json_object_is_type(alg, json_type_string)) {
        attest_err_set(err, "the JWS header is not a JSON object with an alg");
        goto done;
    }
    /* The key decides the algorithm; the header only has to agree. */
    if (strcmp(json_object_get_string(alg), a.alg) != 0) {
        attest_err_set(err, "the JWS says alg %.32s, the key given signs %s", json_object_get_string(alg), a.alg);
        goto done;
    }
    if (a.ecdsa_len > 0) {
        if ((der = raw_to_der(sig, slen, a.ecdsa_len, &dlen)) == NULL) {
            attest_err_set(err, "the %s signature is not %d bytes", a.alg, 2 * a.ecdsa_len);
            goto done;
        }
    }
    if ((ctx = md_ctx(key, &a, libctx, propq, 0)) == NULL
        || EVP_DigestVerify(ctx, der != NULL ? der : sig, der != NULL ? dlen : slen, (const unsigned char *)jws,
                            (size_t)(d2 - jws))
            != 1) {
        attest_err_set(err, "the JWS signature does not verify with the key given (%s)", a.alg);
        goto done;
    }
    if ((out = OPENSSL_malloc(plen + 1)) != NULL) {
        memcpy(out, payload, plen);
        out[plen] = '\0';
        *len = plen;
    }
done:
    ERR_pop_to_mark();
    EVP_MD_CTX_free(ctx);
    json_object_put(h);
    OPENSSL_free(hdr);
    OPENSSL_free(payload);
    OPENSSL_free(sig);
    OPENSSL_free(der);
    return out;
}
