/* Keys that may live in any provider. */
#ifndef ATTEST_KEYS_H
#define ATTEST_KEYS_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/*
 * The property query to sign with key: the caller's when given, else one
 * preferring the key's own provider.  A TPM or PKCS#11 key cannot be
 * exported to the default provider's signer (the "missing private key"
 * failure), so its own provider must do the signing.
 */
const char *attest_key_propq(const EVP_PKEY *key, const char *propq, char *buf, size_t len);

/*
 * Same public key?  EVP_PKEY_eq, except that an RSA key and an RSA-PSS
 * restricted key with the same modulus and exponent are the same key (a TPM
 * AK with an RSAPSS scheme is RSA-PSS to tpm2-openssl and rsaEncryption in
 * its certificate).  1 yes, 0 no.
 */
int attest_key_public_eq(const EVP_PKEY *a, const EVP_PKEY *b);

/* The first private key behind a file path or provider URI (OSSL_STORE), or NULL. */
EVP_PKEY *attest_load_private_key(const char *uri, OSSL_LIB_CTX *libctx, const char *propq);

/*
 * The digest to sign with key when none was asked for: NULL for keys that
 * sign the message itself (EdDSA; ML-DSA, SLH-DSA where OpenSSL has them),
 * SHA-384 / SHA-512 for EC keys over 256 / 384 bits, else SHA-256.
 */
const char *attest_default_md(const EVP_PKEY *key);

/* Drop the parameters a signature AlgorithmIdentifier must not carry (ECDSA). */
void attest_sigalg_canonical(X509_ALGOR *alg);

#endif
