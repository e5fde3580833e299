/*
 * The TPM side of AK enrollment by credential activation (ESAPI): make a
 * restricted signing AK, find the EK that an EK certificate certifies,
 * and answer TPM2_MakeCredential with TPM2_ActivateCredential.
 * Conventions as in attest/tpm2_device.h (0 / -1 / -2, err one line,
 * OPENSSL_malloc'd outputs, no transient object left behind).
 */
#ifndef ATTEST_TPM2_ENROLL_H
#define ATTEST_TPM2_ENROLL_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>

#include "attest/tpm2_device.h"

/* The TCG EK-profile certificate indices, in the order `ak request` tries them. */
extern const uint32_t attest_ek_cert_indices[];
extern const size_t attest_ek_cert_n_indices;

/*
 * A primary AK in the endorsement hierarchy (fixedTPM, fixedParent,
 * sensitiveDataOrigin, userWithAuth, restricted, sign; ECDSA P-256 or
 * RSASSA-2048, SHA-256; random unique so every call makes a new key),
 * persisted at handle.  An occupied handle is an error unless force, then
 * its object is evicted first.  Returns the AK's TPMT_PUBLIC.
 */
int attest_tpm_ak_create(attest_tpm *t, uint32_t handle, int rsa, int force, unsigned char **pub, size_t *pub_len,
                         attest_err *err);

/* The EK certificate from NV (index 0: the first of attest_ek_cert_indices present). */
int attest_tpm_ek_cert_read(attest_tpm *t, uint32_t index, unsigned char **der, size_t *len, uint32_t *found,
                            attest_err *err);

/*
 * The TPMT_PUBLIC of the EK whose key is cert_key: a persistent EK in
 * 0x81010000-0x810100ff, else one made from the TCG low-range default
 * templates (RSA-2048 L-1, ECC P-256 L-2) and flushed.
 */
int attest_tpm_ek_public(attest_tpm *t, EVP_PKEY *cert_key, unsigned char **pub, size_t *pub_len, attest_err *err);

/*
 * TPM2_ActivateCredential(activateHandle = ak, keyHandle = the EK whose
 * TPMT_PUBLIC is ek_pub, found as above).  The EK is authorized with a
 * PolicySecret(TPM_RH_ENDORSEMENT) policy session when its userWithAuth is
 * clear (low-range templates), by its empty password otherwise.
 * id_object: TPM2B_ID_OBJECT, secret: TPM2B_ENCRYPTED_SECRET (marshaled).
 */
int attest_tpm_activate(attest_tpm *t, uint32_t ak, const unsigned char *ek_pub, size_t ek_pub_len,
                        const unsigned char *id_object, size_t id_len, const unsigned char *secret, size_t secret_len,
                        unsigned char **cred, size_t *cred_len, attest_err *err);

#endif
