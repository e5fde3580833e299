/* Producing TcgAttestCertify statements with a TPM (see evidence/tpm2_produce.c). */
#ifndef ATTEST_TPM2_PRODUCE_H
#define ATTEST_TPM2_PRODUCE_H

#include "attest/error.h"
#include "attest/tpm2_device.h"

/* 0, -1, or ATTEST_TPM_UNREACHABLE.  *stmt is the DER of the statement. */
int attest_tpm2_produce(attest_tpm *t, const attest_tpm_keyref *key, uint32_t ak_handle, const unsigned char *nonce,
                        size_t nonce_len, unsigned char **stmt, size_t *stmt_len, uint32_t *key_attributes,
                        attest_err *err);

/* The same, keeping the certify result (the key's and the AK's TPMT_PUBLIC): clear co after a 0. */
int attest_tpm2_produce_certified(attest_tpm *t, const attest_tpm_keyref *key, uint32_t ak_handle,
                                  const unsigned char *nonce, size_t nonce_len, attest_tpm_certify_out *co,
                                  unsigned char **stmt, size_t *stmt_len, attest_err *err);

#endif
