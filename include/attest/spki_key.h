/* A public key from a SubjectPublicKeyInfo, without a decoder context per key (asn1/spki_key.c). */
#ifndef ATTEST_SPKI_KEY_H
#define ATTEST_SPKI_KEY_H

#include <openssl/evp.h>
#include <openssl/x509.h>

/* The key of spki (RSA and named-curve EC built from their fields, others decoded); NULL if none. */
EVP_PKEY *attest_spki_pkey(const X509_PUBKEY *spki, OSSL_LIB_CTX *libctx, const char *propq);

#endif
