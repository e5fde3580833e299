/*
 * The key-attestation signature: an ATTEST-AK key signs a DER TbsEvidence
 * and returns the DER of a complete PKIX SignatureBlock.  The work is the
 * core library's (attest_pkix_sign_tbs); this file is only the provider's
 * door to it.
 */
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include "attest/pkix_produce.h"
#include "attest/provider.h"
#include "attest_prov.h"

typedef struct {
    ATTEST_PROV_CTX *prov;
    ATTEST_AK *ak;
    char md[32];
    int pss;
} SIG_CTX;

static OSSL_FUNC_signature_newctx_fn sig_newctx;
static OSSL_FUNC_signature_freectx_fn sig_freectx;
static OSSL_FUNC_signature_sign_init_fn sig_sign_init;
static OSSL_FUNC_signature_sign_fn sig_sign;
static OSSL_FUNC_signature_set_ctx_params_fn sig_set_ctx_params;
static OSSL_FUNC_signature_settable_ctx_params_fn sig_settable_ctx_params;

static void *sig_newctx(void *provctx, const char *propq)
{
    SIG_CTX *c = OPENSSL_zalloc(sizeof(*c));

    (void)propq;
    if (c != NULL)
        c->prov = provctx;
    return c;
}

static void sig_freectx(void *vctx)
{
    OPENSSL_free(vctx);
}

static int sig_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    SIG_CTX *c = vctx;
    const OSSL_PARAM *p;
    char *md = c->md;

    if ((p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST)) != NULL
        && !OSSL_PARAM_get_utf8_string(p, &md, sizeof(c->md)))
        return 0;
    if ((p = OSSL_PARAM_locate_const(params, ATTEST_AK_PARAM_PSS)) != NULL && !OSSL_PARAM_get_int(p, &c->pss))
        return 0;
    return 1;
}

static const OSSL_PARAM settable[] = { OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
                                       OSSL_PARAM_int(ATTEST_AK_PARAM_PSS, NULL), OSSL_PARAM_END };

static const OSSL_PARAM *sig_settable_ctx_params(void *vctx, void *provctx)
{
    (void)vctx;
    (void)provctx;
    return settable;
}

static int sig_sign_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
    SIG_CTX *c = vctx;

    c->ak = provkey;
    c->md[0] = '\0';
    c->pss = 0;
    if (c->ak == NULL || c->ak->key == NULL)
        return 0;
    return sig_set_ctx_params(c, params);
}

static int sig_sign(void *vctx, unsigned char *sig, size_t *siglen, size_t sigsize, const unsigned char *tbs,
                    size_t tbslen)
{
    SIG_CTX *c = vctx;
    attest_pkix_signer s;
    unsigned char *block = NULL;
    size_t len = 0;
    attest_err err;
    int extra;

    if (sig == NULL) {
        /* An upper bound, without signing twice. */
        extra = c->ak->cert != NULL ? i2d_X509(c->ak->cert, NULL) : i2d_PUBKEY(c->ak->key, NULL);
        *siglen = (size_t)EVP_PKEY_get_size(c->ak->key) + (extra > 0 ? (size_t)extra : 0) + 256;
        return 1;
    }
    memset(&s, 0, sizeof(s));
    s.key = c->ak->key;
    s.cert = c->ak->cert;
    s.md = c->md[0] ? c->md : NULL;
    s.pss = c->pss;
    if (attest_pkix_sign_tbs(tbs, tbslen, &s, c->prov->libctx, c->ak->propq, &block, &len, &err) != 0) {
        attest_prov_raise(c->prov, ATTEST_R_SIGN_FAILED, "%s", err.msg);
        return 0;
    }
    if (len > sigsize) {
        attest_prov_raise(c->prov, ATTEST_R_SIGN_FAILED, "signature block of %zu bytes, buffer of %zu", len, sigsize);
        OPENSSL_free(block);
        return 0;
    }
    memcpy(sig, block, len);
    *siglen = len;
    OPENSSL_free(block);
    return 1;
}

const OSSL_DISPATCH attest_ak_signature_functions[] = {
    { OSSL_FUNC_SIGNATURE_NEWCTX, (void (*)(void))sig_newctx },
    { OSSL_FUNC_SIGNATURE_FREECTX, (void (*)(void))sig_freectx },
    { OSSL_FUNC_SIGNATURE_SIGN_INIT, (void (*)(void))sig_sign_init },
    { OSSL_FUNC_SIGNATURE_SIGN, (void (*)(void))sig_sign },
    { OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, (void (*)(void))sig_set_ctx_params },
    { OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, (void (*)(void))sig_settable_ctx_params },
    { 0, NULL }
};
