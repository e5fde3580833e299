/* The attested request builder (see attest/request.h). */
#include <stdio.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "attest/compat.h"
#include "attest/csr.h"
#include "attest/keys.h"
#include "attest/request.h"

/* openssl's form: "/type=value/type=value", "\/" escapes, "+" joins a multi-valued RDN. */
X509_NAME *attest_parse_subject(const char *s, attest_err *err)
{
    X509_NAME *n = X509_NAME_new();
    char *buf = NULL, *field, *w;
    const char *r;
    int next_set = 0;

    ERR_set_mark(); /* X509_NAME's refusals are told through err */
    if (n == NULL || s == NULL || *s != '/') {
        attest_err_set(err, "subject must look like /CN=name/O=org");
        goto fail;
    }
    if ((buf = OPENSSL_malloc(strlen(s) + 1)) == NULL)
        goto fail;
    r = s + 1;
    while (*r != '\0') {
        int plus = 0;
        char *eq;

        field = w = buf;
        while (*r != '\0' && *r != '/' && *r != '+') {
            if (*r == '\\' && r[1] != '\0')
                r++;
            *w++ = *r++;
        }
        *w = '\0';
        if (*r == '+')
            plus = 1;
        if (*r != '\0')
            r++;
        if ((eq = strchr(field, '=')) == NULL || eq == field) {
            attest_err_set(err, "subject field '%s' is not type=value", field);
            goto fail;
        }
        *eq = '\0';
        if (eq[1] == '\0') {
            attest_err_set(err, "subject field %s has an empty value", field);
            goto fail;
        }
        if (!X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8, (unsigned char *)eq + 1, -1, -1, next_set)) {
            attest_err_set(err, "subject: unknown attribute type '%s'", field);
            goto fail;
        }
        next_set = plus ? -1 : 0;
    }
    if (X509_NAME_entry_count(n) == 0) {
        attest_err_set(err, "subject is empty");
        goto fail;
    }
    OPENSSL_free(buf);
    ERR_pop_to_mark();
    return n;
fail:
    OPENSSL_free(buf);
    X509_NAME_free(n);
    ERR_pop_to_mark();
    return NULL;
}

static int add_extensions(X509_REQ *req, const attest_request_opts *o, attest_err *err)
{
    STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
    X509V3_CTX v3;
    size_t i;
    int ok = 0;

    if (exts == NULL)
        return 0;
    X509V3_set_ctx(&v3, NULL, NULL, req, NULL, 0);
    for (i = 0; i < o->n_addext; i++) {
        char *copy = OPENSSL_strdup(o->addext[i]), *eq, *name, *value, *end;
        X509_EXTENSION *ext;

        if (copy == NULL || (eq = strchr(copy, '=')) == NULL) {
            attest_err_set(err, "--addext '%s': expected name=value", o->addext[i]);
            OPENSSL_free(copy);
            goto done;
        }
        *eq = '\0';
        name = copy;
        value = eq + 1;
        while (*name == ' ')
            name++;
        for (end = eq; end > name && end[-1] == ' '; end--)
            end[-1] = '\0';
        while (*value == ' ')
            value++;
        ext = X509V3_EXT_nconf(NULL, &v3, name, value);
        if (ext == NULL || !sk_X509_EXTENSION_push(exts, ext)) {
            X509_EXTENSION_free(ext);
            attest_err_set(err, "--addext '%s': not a valid extension", o->addext[i]);
            OPENSSL_free(copy);
            goto done;
        }
        OPENSSL_free(copy);
    }
    ok = sk_X509_EXTENSION_num(exts) == 0 || X509_REQ_add_extensions(req, exts);
    if (!ok)
        attest_err_set(err, "cannot add the requested extensions");
done:
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return ok;
}

int attest_request_check_addext(const char *const *addext, size_t n, attest_err *err)
{
    X509_REQ *req = X509_REQ_new();
    attest_request_opts o;
    int ok;

    memset(&o, 0, sizeof(o));
    o.addext = addext;
    o.n_addext = n;
    ok = req != NULL && add_extensions(req, &o, err);
    if (req == NULL)
        attest_err_set(err, "out of memory");
    X509_REQ_free(req);
    return ok ? 0 : -1;
}

/*
 * Sign with the key's own provider when none was asked for: a TPM or
 * PKCS#11 key cannot be exported to the default provider's signer.
 */
static int sign_request(X509_REQ *req, EVP_PKEY *key, const attest_request_opts *o, attest_err *err)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    char buf[96];
    const char *pq = attest_key_propq(key, o->propq, buf, sizeof(buf));
    int ok = 0;

    if (mctx == NULL)
        return 0;
    if (EVP_DigestSignInit_ex(mctx, &pctx, o->md != NULL ? o->md : attest_default_md(key), o->libctx, pq, key, NULL)
        <= 0) {
        attest_err_set(err, "cannot start signing with the %s key", EVP_PKEY_get0_type_name(key));
        goto done;
    }
    if (o->pss
        && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0
            || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0)) {
        attest_err_set(err, "the key cannot sign with RSASSA-PSS");
        goto done;
    }
    if (X509_REQ_sign_ctx(req, mctx) <= 0) {
        unsigned long e = attest_ossl_reason(NULL, 0);
        const char *why = e ? ERR_reason_error_string(e) : NULL;

        attest_err_set(err, "signing the request failed%s%s", why ? ": " : "", why ? why : "");
        goto done;
    }
    {
        const X509_ALGOR *alg = NULL;

        X509_REQ_get0_signature(req, NULL, &alg);
        attest_sigalg_canonical((X509_ALGOR *)alg); /* the outer algorithm is not signed */
    }
    ok = 1;
done:
    EVP_MD_CTX_free(mctx);
    return ok;
}

/*
 * The AlgorithmIdentifier OpenSSL would put on a request signed with this
 * public key, digest and padding: asked of a verify context, which needs
 * no private key.
 */
static X509_ALGOR *sig_algor(EVP_PKEY *key, const char *md, const attest_request_opts *o, attest_err *err)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char buf[128];
    const unsigned char *p = buf;
    OSSL_PARAM params[2];
    X509_ALGOR *alg = NULL;

    params[0] = OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, buf, sizeof(buf));
    params[1] = OSSL_PARAM_construct_end();
    if (mctx == NULL || EVP_DigestVerifyInit_ex(mctx, &pctx, md, o->libctx, NULL, key, NULL) <= 0
        || (o->pss
            && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0
                || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0))
        || !EVP_PKEY_CTX_get_params(pctx, params) || !OSSL_PARAM_modified(&params[0])
        || (alg = d2i_X509_ALGOR(NULL, &p, (long)params[0].return_size)) == NULL)
        attest_err_set(err, "no signature AlgorithmIdentifier for %s with %s%s", EVP_PKEY_get0_type_name(key), md,
                       o->pss ? " and PSS" : "");
    EVP_MD_CTX_free(mctx);
    return alg;
}

/* Sign through o->signer: digest the CertificationRequestInfo here, set what it returns, check it. */
static int sign_external(X509_REQ *req, EVP_PKEY *key, const attest_request_opts *o, attest_err *err)
{
    const char *md = o->md != NULL ? o->md : attest_default_md(key);
    unsigned char *tbs = NULL, *sig = NULL, dg[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    size_t sig_len = 0;
    EVP_MD *m = NULL;
    X509_ALGOR *alg = NULL;
    ASN1_BIT_STRING *bits = NULL;
    int n, rc = -1;

    if (md == NULL || (alg = sig_algor(key, md, o, err)) == NULL) {
        if (md == NULL)
            attest_err_set(err, "an external signer needs a digest");
        goto done;
    }
    if ((m = EVP_MD_fetch(o->libctx, md, NULL)) == NULL || (n = i2d_re_X509_REQ_tbs(req, &tbs)) <= 0
        || !EVP_Digest(tbs, (size_t)n, dg, &dlen, m, NULL)) {
        attest_err_set(err, "cannot hash the request with %s", md);
        goto done;
    }
    if ((rc = o->signer(o->signer_arg, dg, dlen, &sig, &sig_len, err)) != 0)
        goto done;
    rc = -1;
    if ((bits = ASN1_BIT_STRING_new()) == NULL || !ASN1_BIT_STRING_set(bits, sig, (int)sig_len)) {
        attest_err_set(err, "out of memory");
        goto done;
    }
    /* No unused bits, as ASN1_item_sign sets it: else i2d counts the last byte's trailing zeros. */
    bits->flags = ASN1_STRING_FLAG_BITS_LEFT;
    attest_sigalg_canonical(alg);
    if (!X509_REQ_set1_signature_algo(req, alg)) {
        attest_err_set(err, "out of memory");
        goto done;
    }
    X509_REQ_set0_signature(req, bits);
    bits = NULL;
    /* A wrong signature (another key at the handle, a bad conversion) never leaves here. */
    if (X509_REQ_verify_ex(req, key, o->libctx, NULL) != 1) {
        attest_err_set(err, "the request signature does not verify with the request's public key");
        goto done;
    }
    rc = 0;
done:
    ASN1_BIT_STRING_free(bits);
    X509_ALGOR_free(alg);
    EVP_MD_free(m);
    OPENSSL_free(tbs);
    OPENSSL_free(sig);
    return rc;
}

int attest_request_build(EVP_PKEY *key, const attest_request_opts *o, const unsigned char *bundle, size_t bundle_len,
                         unsigned char **der, size_t *len, attest_err *err)
{
    X509_REQ *req = X509_REQ_new_ex(o->libctx, o->propq);
    X509_NAME *name = NULL;
    int n, ok = -1;

    *der = NULL;
    if (req == NULL) {
        attest_err_set(err, "out of memory");
        return -1;
    }
    ERR_set_mark(); /* what fails is told through err; the caller's queue stays as it was */
    if ((name = attest_parse_subject(o->subject, err)) == NULL)
        goto done;
    if (!X509_REQ_set_version(req, X509_REQ_VERSION_1) || !X509_REQ_set_subject_name(req, name)
        || !((o->signer != NULL && attest_request_set_spki(req, key)) || X509_REQ_set_pubkey(req, key))) {
        attest_err_set(err, "cannot set the request's subject or key");
        goto done;
    }
    if (!add_extensions(req, o, err))
        goto done;
    if (bundle != NULL && attest_csr_add_bundle(req, bundle, bundle_len, err) != 0)
        goto done;
    if (o->signer != NULL) {
        if ((n = sign_external(req, key, o, err)) != 0) {
            ok = n;
            goto done;
        }
    } else if (!sign_request(req, key, o, err))
        goto done;
    if ((n = i2d_X509_REQ(req, der)) <= 0) {
        attest_err_set(err, "cannot encode the request");
        goto done;
    }
    *len = (size_t)n;
    ok = 0;
done:
    ERR_pop_to_mark();
    X509_NAME_free(name);
    X509_REQ_free(req);
    return ok;
}
