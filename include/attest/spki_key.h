/* A public key from a SubjectPublicKeyInfo, without a decoder context per key (asn1/spki_key.c). */
#ifndef ATTEST_SPKI_KEY_H
#define ATTEST_SPKI_KEY_H

#include <openssl/asn1t.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* SubjectPublicKeyInfo as received: the algorithm and the BIT STRING, no key decoded. */
typedef struct {
    X509_ALGOR *algor;
    ASN1_BIT_STRING *public_key;
} ATTEST_RAW_SPKI;
DECLARE_ASN1_ITEM(ATTEST_RAW_SPKI)

/* An X509_PUBKEY with r's fields and no key (X509_PUBKEY_get0 gives NULL: use attest_spki_pkey). */
X509_PUBKEY *attest_spki_from_raw(const ATTEST_RAW_SPKI *r);

/* A template field of type X509_PUBKEY * decoded as attest_spki_from_raw does. */
DECLARE_ASN1_ITEM(ATTEST_LAZY_X509_PUBKEY)

/* RSAPublicKey DER of n and e; its length, or -1. */
int attest_rsa_public_der(const BIGNUM *n, const BIGNUM *e, unsigned char **der);
/*
 * SubjectPublicKeyInfo DER from fields, no EVP_PKEY: algorithm alg_nid with
 * the named curve curve_nid as parameters (NID_undef: NULL parameters, as for
 * rsaEncryption) and bits as the key.  Its length, or -1.
 */
int attest_spki_der_of_fields(int alg_nid, int curve_nid, const unsigned char *bits, int len, unsigned char **der);

/*
 * The inverse, without OpenSSL 3.0's per-key encoder context: an RSA or
 * named-curve EC key's SPKI fields read through its parameters (0; -1 for
 * other keys; *bits allocated), and its SPKI DER (those fields, or
 * i2d_PUBKEY for other keys; the length, or -1).
 */
int attest_pkey_spki_fields(EVP_PKEY *key, int *alg_nid, int *curve_nid, unsigned char **bits, int *len);
int attest_pkey_spki_der(EVP_PKEY *key, unsigned char **der);

/* The key of spki (RSA and named-curve EC built from their fields, others decoded); NULL if none. */
EVP_PKEY *attest_spki_pkey(const X509_PUBKEY *spki, OSSL_LIB_CTX *libctx, const char *propq);
/* A SubjectPublicKeyInfo's DER, all len bytes of it, read as ATTEST_LAZY_X509_PUBKEY (no key made); NULL if not one. */
X509_PUBKEY *attest_spki_read(const unsigned char *der, size_t len);
/* The key of a SubjectPublicKeyInfo's DER (attest_spki_read, then attest_spki_pkey); NULL if none. */
EVP_PKEY *attest_spki_der_pkey(const unsigned char *der, size_t len, OSSL_LIB_CTX *libctx, const char *propq);
/*
 * The same key for a description (algorithm, size), in the default context:
 * an RSA or named-curve EC key its fields do not make is NULL at once, not
 * handed to OpenSSL's decoder, which refuses those keys too.
 */
EVP_PKEY *attest_spki_pkey_to_describe(const X509_PUBKEY *spki);

#endif
