/*
 * TPM 2.0 credential protection done in software (TPM 2.0 Part 1 §24):
 * what TPM2_MakeCredential computes, so that an authority without a TPM can
 * send a secret that only the TPM holding a given EK opens with
 * TPM2_ActivateCredential, and only for an object of a given Name.
 *
 * All hashes are the EK's nameAlg and the symmetric key size the EK's
 * symmetric.keyBits, as the TPM does (go-tpm's choice of the AK Name's hash
 * fails on SHA-384 EKs).  Output formats are the TPM's:
 *   id_object: TPM2B_ID_OBJECT = UINT16 size || TPM2B_DIGEST integrityHMAC || encIdentity
 *   secret:    TPM2B_ENCRYPTED_SECRET (RSA-OAEP ciphertext, or the ephemeral TPMS_ECC_POINT)
 */
#ifndef ATTEST_CREDENTIAL_H
#define ATTEST_CREDENTIAL_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>

#include "attest/error.h"

#define ATTEST_CREDENTIAL_MAX 64 /* TPM2B_DIGEST */

/* KDFa (SP 800-108 counter mode, HMAC); outlen in bytes; label without its NUL. */
int attest_kdfa(OSSL_LIB_CTX *libctx, uint16_t hash_alg, const unsigned char *key, size_t keylen, const char *label,
                const unsigned char *u, size_t ulen, const unsigned char *v, size_t vlen, unsigned char *out,
                size_t outlen, attest_err *err);
/* KDFe (SP 800-56A concatenation KDF as the TPM uses it). */
int attest_kdfe(OSSL_LIB_CTX *libctx, uint16_t hash_alg, const unsigned char *z, size_t zlen, const char *label,
                const unsigned char *u, size_t ulen, const unsigned char *v, size_t vlen, unsigned char *out,
                size_t outlen, attest_err *err);

/*
 * The symmetric half, from a given seed: symKey = KDFa(STORAGE, name),
 * hmacKey = KDFa(INTEGRITY), AES-CFB (zero IV) over TPM2B(credential),
 * HMAC over encIdentity || name.  Deterministic: the unit tests check it
 * against worked values.
 */
int attest_credential_wrap(OSSL_LIB_CTX *libctx, uint16_t name_alg, uint16_t sym_bits, const unsigned char *seed,
                           size_t seedlen, const unsigned char *name, size_t namelen, const unsigned char *cred,
                           size_t credlen, unsigned char **id_object, size_t *id_len, attest_err *err);

/*
 * TPM2_MakeCredential in software.  ek_pub: the EK's marshaled TPMT_PUBLIC
 * (a restricted decryption key, RSA or NIST ECC, AES-CFB symmetric).
 * name: the Name of the object to bind (nameAlg || digest, no size prefix).
 * Buffers are OPENSSL_malloc'd.  0 or -1 (err says why).
 */
int attest_make_credential(OSSL_LIB_CTX *libctx, const unsigned char *ek_pub, size_t ek_pub_len,
                           const unsigned char *name, size_t namelen, const unsigned char *cred, size_t credlen,
                           unsigned char **id_object, size_t *id_len, unsigned char **secret, size_t *secret_len,
                           attest_err *err);

#endif
