/* attest-req new --evidence tpm2: the TPM side (cli/new_tpm2.c). */
#ifndef ATTEST_CLI_NEW_TPM2_H
#define ATTEST_CLI_NEW_TPM2_H

#include <openssl/x509.h>

#include "attest/tpm2_device.h"
#include "cli.h"

/*
 * The TPM side of `new --evidence tpm2`: one ESAPI connection, open from the
 * certify to the request signature, holding the key object in between.
 */
typedef struct {
    attest_tpm *tpm;
    attest_tpm_keyref key;
    unsigned char *blob; /* the TSS2 key file behind key */
    unsigned char *pub;  /* the certified key's TPMT_PUBLIC */
    size_t pub_len;
    attest_tpm_signer signer;
} new_tpm2_session;

void new_tpm2_end(new_tpm2_session *ts);
/*
 * Open the TPM, certify the key by the AK with the nonce (the key object
 * held for the signature), check the AK certificate against the AK's public
 * area: 0, -1, or -2 (TPM unreachable); one line said on failure.
 */
int new_tpm2_certify(cli_app *app, const char *tcti, const char *ak_spec, const char *key_spec,
                     const unsigned char *nonce, size_t nonce_len, X509 *ak_cert, const char *ak_cert_path,
                     new_tpm2_session *ts, unsigned char **stmt, size_t *stmt_len);
/* The certified key's public part as an EVP_PKEY (NULL: said). */
EVP_PKEY *new_tpm2_certified_key(cli_app *app, const new_tpm2_session *ts, OSSL_LIB_CTX *libctx);
/* Can TPM2_Sign sign the request?  1 yes (ts->signer set), 0 no (the tpm2 provider will; said with --verbose). */
int new_tpm2_plan(cli_app *app, const char *md, int pss, new_tpm2_session *ts);
/* The provider's key is the key the TPM certified: 0, or -1 said. */
int new_tpm2_check_signing_key(cli_app *app, const unsigned char *stmt, size_t len, EVP_PKEY *key, const char *spec);

#endif
