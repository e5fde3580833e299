/*
 * attest-req new --evidence tpm2, the TPM side: one ESAPI connection from
 * TPM2_Certify to the request's TPM2_Sign, and the checks that tie the AK
 * certificate and the signing key to what the TPM certified.
 */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "attest/keys.h"
#include "attest/tpm2.h"
#include "attest/tpm2_produce.h"
#include "new_tpm2.h"

/* The AK's public area comes with the certify: no second read of it. */
static int check_ak_cert(cli_app *app, const attest_tpm_certify_out *co, uint32_t ak, X509 *cert, const char *path)
{
    TPMT_PUBLIC tp;
    EVP_PKEY *k = NULL;
    attest_err err;
    int ok = -1;

    if (attest_tpmt_public_parse(co->ak_pub, co->ak_pub_len, &tp, &err) != 0
        || (k = attest_tpmt_public_to_pkey(&tp, NULL, &err)) == NULL)
        cli_error(app, "--ak 0x%08x: %s", ak, err.msg);
    else if (attest_key_public_eq(k, X509_get0_pubkey(cert)) != 1)
        cli_error(app, "--ak-cert %s does not certify the AK at 0x%08x (different public key)", path, ak);
    else
        ok = 0;
    EVP_PKEY_free(k);
    return ok;
}

void new_tpm2_end(new_tpm2_session *ts)
{
    attest_tpm_close(ts->tpm);
    OPENSSL_free(ts->blob);
    OPENSSL_free(ts->pub);
    memset(ts, 0, sizeof(*ts));
}

int new_tpm2_certify(cli_app *app, const char *tcti, const char *ak_spec, const char *key_spec,
                     const unsigned char *nonce, size_t nonce_len, X509 *ak_cert, const char *ak_cert_path,
                     new_tpm2_session *ts, unsigned char **stmt, size_t *stmt_len)
{
    attest_tpm_certify_out co;
    uint32_t ak;
    attest_err err;
    int rc;

    if (cli_tpm_keyref(app, ak_spec, &ts->key, &ts->blob) != 0 || ts->key.tss2_pem != NULL) {
        if (ts->key.tss2_pem != NULL)
            cli_error(app, "--ak must be a persistent handle (0x81...)");
        return -1;
    }
    ak = ts->key.handle;
    if (cli_tpm_keyref(app, key_spec, &ts->key, &ts->blob) != 0)
        return -1;
    if ((rc = attest_tpm_open(tcti, &ts->tpm, &err)) != 0) {
        cli_error(app, "cannot reach the TPM: %s", err.msg);
        return rc == ATTEST_TPM_UNREACHABLE ? -2 : -1;
    }
    attest_tpm_hold_key(ts->tpm, 1);
    rc = attest_tpm2_produce_certified(ts->tpm, &ts->key, ak, nonce_len ? nonce : NULL, nonce_len, &co, stmt, stmt_len,
                                       &err);
    if (rc != 0) {
        cli_error(app, "%s", err.msg);
        return rc == ATTEST_TPM_UNREACHABLE ? -2 : rc;
    }
    rc = check_ak_cert(app, &co, ak, ak_cert, ak_cert_path);
    ts->pub = co.pub;
    ts->pub_len = co.pub_len;
    co.pub = NULL;
    attest_tpm_certify_out_clear(&co);
    return rc;
}

/* The certified key's public part (TPMT_PUBLIC) as an EVP_PKEY. */
EVP_PKEY *new_tpm2_certified_key(cli_app *app, const new_tpm2_session *ts, OSSL_LIB_CTX *libctx)
{
    TPMT_PUBLIC tp;
    attest_err err;
    EVP_PKEY *k = NULL;

    if (attest_tpmt_public_parse(ts->pub, ts->pub_len, &tp, &err) != 0
        || (k = attest_tpmt_public_to_pkey(&tp, libctx, &err)) == NULL)
        cli_error(app, "internal: cannot read back the certified key: %s", err.msg);
    return k;
}

/* Can TPM2_Sign sign the request?  1 yes (ts->signer set), 0 no (the tpm2 provider will). */
int new_tpm2_plan(cli_app *app, const char *md, int pss, new_tpm2_session *ts)
{
    attest_err why;

    ts->signer.tpm = ts->tpm;
    ts->signer.key = &ts->key;
    if (attest_tpm_sign_plan(ts->pub, ts->pub_len, md, pss, &ts->signer, &why) == 0)
        return 1;
    if (app->verbose)
        cli_notice(app, "TPM2_Sign cannot sign the request (%s): signing through the tpm2 provider", why.msg);
    return 0;
}

int new_tpm2_check_signing_key(cli_app *app, const unsigned char *stmt, size_t len, EVP_PKEY *key, const char *spec)
{
    attest_tpm2_stmt s;
    TPMT_PUBLIC tp;
    EVP_PKEY *certified = NULL;
    attest_err err;
    int ok = -1;

    if (attest_tpm2_stmt_decode(stmt, len, &s, &err) != 0 || attest_tpmt_public_parse(s.pub, s.pub_len, &tp, &err) != 0
        || (certified = attest_tpmt_public_to_pkey(&tp, app->libctx, &err)) == NULL)
        cli_error(app, "internal: cannot read back the evidence: %s", err.msg);
    else if (attest_key_public_eq(certified, key) != 1)
        cli_error(app, "--key %s: the signing key is not the key the TPM certified", spec);
    else
        ok = 0;
    EVP_PKEY_free(certified);
    attest_tpm2_stmt_clear(&s);
    return ok;
}
