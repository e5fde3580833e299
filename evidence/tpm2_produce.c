/*
 * TPM 2.0 certify evidence, produce side: run TPM2_Certify with the caller's
 * nonce and wrap the result as a TcgAttestCertify statement.  The signature
 * is carried as a marshaled TPMT_SIGNATURE (scheme and hash travel with it).
 */
#include <string.h>

#include "attest/tpm2.h"
#include "attest/tpm2_produce.h"

int attest_tpm2_produce_certified(attest_tpm *t, const attest_tpm_keyref *key, uint32_t ak_handle,
                                  const unsigned char *nonce, size_t nonce_len, attest_tpm_certify_out *co,
                                  unsigned char **stmt, size_t *stmt_len, attest_err *err)
{
    attest_tpm2_stmt s;
    int rc;

    memset(co, 0, sizeof(*co));
    if ((rc = attest_tpm_certify(t, key, ak_handle, nonce, nonce_len, co, err)) != 0)
        return rc;
    memset(&s, 0, sizeof(s));
    s.attest = co->attest;
    s.attest_len = co->attest_len;
    s.sig = co->sig;
    s.sig_len = co->sig_len;
    s.pub = co->pub;
    s.pub_len = co->pub_len;
    if ((rc = attest_tpm2_stmt_encode(&s, stmt, stmt_len, err)) != 0)
        attest_tpm_certify_out_clear(co);
    return rc;
}

int attest_tpm2_produce(attest_tpm *t, const attest_tpm_keyref *key, uint32_t ak_handle, const unsigned char *nonce,
                        size_t nonce_len, unsigned char **stmt, size_t *stmt_len, uint32_t *key_attributes,
                        attest_err *err)
{
    attest_tpm_certify_out co;
    int rc = attest_tpm2_produce_certified(t, key, ak_handle, nonce, nonce_len, &co, stmt, stmt_len, err);

    if (rc == 0 && key_attributes != NULL)
        *key_attributes = co.object_attributes;
    attest_tpm_certify_out_clear(&co);
    return rc;
}
