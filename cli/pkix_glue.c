/*
 * PKIX evidence for `new --evidence pkix` and `evidence`: the claims come
 * from what the key's store can tell (TPMA_OBJECT for a TPM key; a key in a
 * file is extractable) plus a claims file, never from guesses; every AK
 * signs through the attest provider's ATTEST-AK signature.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include "attest/compat.h"
#include "attest/digest.h"
#include "attest/engine.h"
#include "attest/escape.h"
#include "attest/keys.h"
#include "attest/pkix.h"
#include "attest/pkix_produce.h"
#include "attest/provider.h"
#include "attest/tpm2.h"
#include "cli.h"

/* Set a claim the store knows; a claims file may only agree with it. */
static int know(const cli_app *app, int *field, int truth, const char *name, int from_file)
{
    if (from_file >= 0 && from_file != truth) {
        cli_error(app, "the claims file says %s = %s, but the key's store says %s", name, from_file ? "true" : "false",
                  truth ? "true" : "false");
        return -1;
    }
    *field = truth;
    return 0;
}

/* TPMA_OBJECT of a TPM key (handle or TSS2 key file): 0, -1 (message printed), -2 TPM unreachable. */
static int tpm_key_attributes(cli_app *app, const char *tcti, const char *opt, const char *spec, uint32_t *attrs)
{
    attest_tpm_keyref ref;
    attest_tpm *tpm = NULL;
    unsigned char *blob = NULL, *pub = NULL;
    size_t pub_len = 0;
    TPMT_PUBLIC tp;
    attest_err err;
    int rc;

    if (cli_tpm_keyref(app, spec, &ref, &blob) != 0)
        return -1;
    rc = ref.tss2_pem == NULL ? attest_tpm_open(tcti, &tpm, &err) : 0;
    if (rc == 0)
        rc = attest_tpm_read_public(tpm, &ref, &pub, &pub_len, &err);
    attest_tpm_close(tpm);
    OPENSSL_free(blob);
    if (rc != 0) {
        cli_error(app, "%s %s: %s", opt, spec, err.msg);
        return rc == ATTEST_TPM_UNREACHABLE ? -2 : -1;
    }
    rc = attest_tpmt_public_parse(pub, pub_len, &tp, &err);
    OPENSSL_free(pub);
    if (rc != 0) {
        cli_error(app, "%s %s: %s", opt, spec, err.msg);
        return -1;
    }
    *attrs = tp.objectAttributes;
    return 0;
}

/*
 * What the key's own store can prove about it.  A TPM key's attributes come
 * from the TPM; a key in a file can be copied, whichever way the file is
 * named (bare path, file: URI); a TPM object attest-req cannot read
 * (object:) proves nothing, so the claims file may not speak for it.  Other
 * provider URIs (pkcs11: ...) leave the claims to the claims file, which is
 * how an HSM SDK hands them over.
 */
static int key_facts(cli_app *app, const cli_pkix_opts *o, attest_pkix_claims *c, const attest_pkix_claims *file)
{
    if (cli_is_tpm_object_uri(o->key)) {
        if (file->extractable == 0 || file->never_extractable == 1 || file->sensitive == 1 || file->local == 1) {
            cli_error(app,
                      "--key %s: attest-req cannot read this TPM object's attributes, so the claims file may not "
                      "claim it non-extractable, sensitive or local (name it by handle: or its TSS2 key file)",
                      o->key);
            return -1;
        }
        return 0;
    }
    if (cli_is_tpm_key(o->key)) {
        uint32_t attrs = 0;
        int rc, fixed;

        if ((rc = tpm_key_attributes(app, o->tcti, "--key", o->key, &attrs)) != 0)
            return rc;
        fixed = (attrs & TPMA_OBJECT_FIXEDTPM) && (attrs & TPMA_OBJECT_FIXEDPARENT);
        /* Attributes are fixed at creation: a fixed key never was and never will be extractable. */
        if (know(app, &c->extractable, !fixed, "extractable", file->extractable) != 0
            || know(app, &c->never_extractable, fixed, "never-extractable", file->never_extractable) != 0
            || (fixed && know(app, &c->sensitive, 1, "sensitive", file->sensitive) != 0)
            || know(app, &c->local, (attrs & TPMA_OBJECT_SENSITIVEDATAORIGIN) != 0, "local", file->local) != 0)
            return -1;
        return 0;
    }
    if (cli_key_file(o->key) != NULL) {
        /* A private key in a file can be copied: that much is certain. */
        if (know(app, &c->extractable, 1, "extractable", file->extractable) != 0
            || know(app, &c->never_extractable, 0, "never-extractable", file->never_extractable) != 0
            || know(app, &c->sensitive, 0, "sensitive", file->sensitive) != 0)
            return -1;
    }
    return 0;
}

/*
 * A TPM AK is restricted: it vouches only for structures the TPM generated
 * and signs any other digest the host hands it (design §6), so PKIX claims
 * it signed would be the host's word.  Refuse it, and an AK certificate that
 * marks a TPM key; any other TPM key signs whatever it is given too, which
 * is said once.  0, -1 (message printed), -2 TPM unreachable.
 */
static int ak_may_sign_pkix(cli_app *app, const cli_pkix_opts *o, const char *spec, X509 *cert)
{
    uint32_t attrs = 0;
    int rc;

    if (cert != NULL && attest_ak_cert_is_tpm(cert)) {
        cli_error(app,
                  "--ak %s: its certificate is a TPM AK certificate; a TPM AK cannot vouch for PKIX claims "
                  "(use --evidence tpm2)",
                  spec);
        return -1;
    }
    if (cli_is_tpm_object_uri(spec)) {
        cli_error(app,
                  "--ak %s: attest-req cannot tell whether this TPM object is a restricted AK, which cannot vouch "
                  "for PKIX claims (use --evidence tpm2, or name the key by handle:)",
                  spec);
        return -1;
    }
    if (!cli_is_tpm_key(spec))
        return 0;
    if ((rc = tpm_key_attributes(app, o->tcti, "--ak", spec, &attrs)) != 0)
        return rc;
    if (attrs & TPMA_OBJECT_RESTRICTED) {
        cli_error(app,
                  "--ak %s: a restricted TPM AK vouches only for TPM-generated structures, not for PKIX claims "
                  "the host wrote (use --evidence tpm2)",
                  spec);
        return -1;
    }
    cli_notice(app,
               "--ak %s: a TPM key signs whatever the host hands it: these PKIX claims are the host's word "
               "(for interop and CA testing, not for enrolment)",
               spec);
    return 0;
}

/* An ATTEST-AK key in the provider for one --ak, and its public half. */
static EVP_PKEY *load_ak(cli_app *app, const char *spec, X509 *cert, EVP_PKEY **pub)
{
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_from_name(app->libctx, ATTEST_AK_NAME, "provider=attest");
    OSSL_PARAM params[4], get[2];
    unsigned char *der = NULL, spki[8192];
    char buf[64];
    const unsigned char *p = spki;
    EVP_PKEY *ak = NULL;
    int n = 0, i = 0;

    *pub = NULL;
    params[i++] = OSSL_PARAM_construct_utf8_string(ATTEST_AK_PARAM_URI, (char *)cli_key_uri(spec, buf, sizeof(buf)), 0);
    if (app->propq != NULL)
        params[i++] = OSSL_PARAM_construct_utf8_string(ATTEST_AK_PARAM_PROPQ, (char *)app->propq, 0);
    if (cert != NULL && (n = i2d_X509(cert, &der)) > 0)
        params[i++] = OSSL_PARAM_construct_octet_string(ATTEST_AK_PARAM_CERT, der, (size_t)n);
    params[i] = OSSL_PARAM_construct_end();
    if (kctx == NULL || EVP_PKEY_fromdata_init(kctx) <= 0
        || EVP_PKEY_fromdata(kctx, &ak, EVP_PKEY_KEYPAIR, params) <= 0) {
        char why[256];

        attest_ossl_reason(why, sizeof(why));
        cli_error(app, "--ak %s: %s", spec, *why ? why : "cannot load the attestation key");
        goto done;
    }
    get[0] = OSSL_PARAM_construct_octet_string(ATTEST_AK_PARAM_SPKI, spki, sizeof(spki));
    get[1] = OSSL_PARAM_construct_end();
    if (!EVP_PKEY_get_params(ak, get)
        || (*pub = d2i_PUBKEY_ex(NULL, &p, (long)get[0].return_size, app->libctx, NULL)) == NULL) {
        cli_error(app, "--ak %s: cannot read the attestation key's public key", spec);
        EVP_PKEY_free(ak);
        ak = NULL;
    }
done:
    OPENSSL_free(der);
    EVP_PKEY_CTX_free(kctx);
    return ak;
}

/* One SignatureBlock through the provider's key attestation signature. */
static int sign_with(cli_app *app, const cli_pkix_opts *o, EVP_PKEY *ak, const char *spec, const unsigned char *tbs,
                     size_t tbs_len, unsigned char **block, size_t *len)
{
    EVP_PKEY_CTX *sctx = EVP_PKEY_CTX_new_from_pkey(app->libctx, ak, "provider=attest");
    OSSL_PARAM params[3];
    int i = 0, pss = o->ak_pss, ok = -1;

    if (o->ak_md != NULL)
        params[i++] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, (char *)o->ak_md, 0);
    params[i++] = OSSL_PARAM_construct_int(ATTEST_AK_PARAM_PSS, &pss);
    params[i] = OSSL_PARAM_construct_end();
    *block = NULL;
    if (sctx == NULL || EVP_PKEY_sign_init_ex(sctx, params) <= 0 || EVP_PKEY_sign(sctx, NULL, len, tbs, tbs_len) <= 0
        || (*block = OPENSSL_malloc(*len)) == NULL || EVP_PKEY_sign(sctx, *block, len, tbs, tbs_len) <= 0) {
        char why[256];

        attest_ossl_reason(why, sizeof(why));
        cli_error(app, "--ak %s: %s", spec, *why ? why : "signing failed");
        OPENSSL_free(*block);
        *block = NULL;
    } else {
        ok = 0;
    }
    EVP_PKEY_CTX_free(sctx);
    return ok;
}

static void default_key_id(const cli_pkix_opts *o, EVP_PKEY *subject, char *buf, size_t len)
{
    unsigned char *der = NULL, md[32];
    int n = i2d_PUBKEY(subject, &der);

    if (strncmp(o->key, "handle:", 7) == 0 || strncmp(o->key, "0x81", 4) == 0) {
        snprintf(buf, len, "tpm:%s", strncmp(o->key, "handle:", 7) == 0 ? o->key + 7 : o->key);
    } else if (n > 0 && attest_sha256(der, (size_t)n, md)) {
        int used = snprintf(buf, len, "spki-sha256:");

        if (used > 0 && (size_t)used < len)
            attest_hex(md, 16, buf + used, len - (size_t)used);
    } else {
        snprintf(buf, len, "key");
    }
    OPENSSL_free(der);
}

int cli_make_pkix_evidence(cli_app *app, const cli_pkix_opts *o, EVP_PKEY *subject, X509 *const *ak_certs,
                           unsigned char **der, size_t *len)
{
    attest_pkix_claims c, file;
    attest_pkix_platform pl;
    attest_pkix_strings hold = { 0 };
    EVP_PKEY *aks[CLI_MAX_AKS] = { NULL }, *pubs[CLI_MAX_AKS] = { NULL };
    unsigned char *tbs = NULL, *blocks[CLI_MAX_AKS] = { NULL };
    size_t tbs_len = 0, blens[CLI_MAX_AKS] = { 0 };
    char key_id[80];
    attest_err err;
    int i, rc = -1, r;

    attest_pkix_claims_init(&file);
    attest_pkix_platform_init(&pl);
    if (o->claims != NULL && attest_pkix_claims_load(o->claims, &file, &pl, &hold, &err) != 0) {
        cli_error(app, "--claims %s", err.msg);
        goto done;
    }
    /* The AKs first: no claim counts when the signer cannot vouch for claims. */
    for (i = 0; i < o->n_aks; i++)
        if ((r = ak_may_sign_pkix(app, o, o->aks[i], ak_certs[i])) != 0) {
            rc = r;
            goto done;
        }
    c = file;
    if ((r = key_facts(app, o, &c, &file)) != 0) {
        rc = r;
        goto done;
    }
    c.key = subject;
    if (o->key_id != NULL)
        c.key_id = o->key_id;
    if (c.key_id == NULL) {
        default_key_id(o, subject, key_id, sizeof(key_id));
        c.key_id = key_id;
    }
    c.nonce = o->nonce_len ? o->nonce : NULL;
    c.nonce_len = o->nonce_len;
    c.timestamp = time(NULL);
    for (i = 0; i < o->n_aks; i++)
        if ((aks[i] = load_ak(app, o->aks[i], ak_certs[i], &pubs[i])) == NULL)
            goto done;
    if (attest_pkix_make_tbs(&c, pubs, (size_t)o->n_aks, &tbs, &tbs_len, &err) != 0) {
        cli_error(app, "%s", err.msg);
        goto done;
    }
    for (i = 0; i < o->n_aks; i++)
        if (sign_with(app, o, aks[i], o->aks[i], tbs, tbs_len, &blocks[i], &blens[i]) != 0)
            goto done;
    if (attest_pkix_assemble(tbs, tbs_len, (const unsigned char *const *)blocks, blens, (size_t)o->n_aks, der, len,
                             &err)
        != 0) {
        cli_error(app, "%s", err.msg);
        goto done;
    }
    rc = 0;
done:
    for (i = 0; i < CLI_MAX_AKS; i++) {
        EVP_PKEY_free(aks[i]);
        EVP_PKEY_free(pubs[i]);
        OPENSSL_free(blocks[i]);
    }
    OPENSSL_free(tbs);
    attest_pkix_strings_free(&hold);
    return rc;
}

int cli_check_evidence_names_key(cli_app *app, const unsigned char *der, size_t len, EVP_PKEY *subject,
                                 const char *what)
{
    attest_pkix *p = NULL;
    attest_err err;
    int i, found = 0;

    if (attest_pkix_decode(der, len, &p, &err) != 0) {
        cli_error(app, "%s: %s", what, err.msg);
        return -1;
    }
    ERR_set_mark(); /* a claim that is no key is a mismatch, not an error */
    for (i = 0; i < sk_ATTEST_PKIX_ELEMENT_num(p->ev->tbs->elements); i++) {
        const ASN1_OCTET_STRING *spki = attest_pkix_key_spki(sk_ATTEST_PKIX_ELEMENT_value(p->ev->tbs->elements, i));
        const unsigned char *q = spki != NULL ? spki->data : NULL;
        EVP_PKEY *k = q != NULL ? d2i_PUBKEY_ex(NULL, &q, spki->length, app->libctx, NULL) : NULL;

        found |= k != NULL && attest_key_public_eq(k, subject) == 1;
        EVP_PKEY_free(k);
    }
    ERR_pop_to_mark();
    attest_pkix_free(p);
    if (!found)
        cli_error(app, "%s: the evidence names no key-spki equal to the request's key", what);
    return found ? 0 : -1;
}
