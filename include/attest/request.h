/*
 * Building an attested PKCS#10 request: subject in openssl's "/CN=x/O=y"
 * form, extensions as in `openssl req -addext`, the one id-aa-attestation
 * attribute, and the signature by a key from any provider.
 */
#ifndef ATTEST_REQUEST_H
#define ATTEST_REQUEST_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/error.h"

/*
 * Signs a digest of the CertificationRequestInfo outside OpenSSL (TPM2_Sign
 * over an open ESAPI connection).  sig: the X.509 signature value (DER
 * ECDSA-Sig-Value, or the raw RSA signature), OPENSSL_malloc'd.  Returns 0,
 * or a negative value attest_request_build passes on (-2: TPM unreachable).
 */
typedef int (*attest_request_signer)(void *arg, const unsigned char *digest, size_t dlen, unsigned char **sig,
                                     size_t *sig_len, attest_err *err);

typedef struct {
    const char *subject;       /* "/CN=code signer/O=Example" */
    const char *const *addext; /* "keyUsage=critical,digitalSignature", ... */
    size_t n_addext;
    const char *md; /* digest name; NULL: SHA-256 (SHA-384 for P-384, SHA-512 for P-521) */
    int pss;        /* RSA keys: RSASSA-PSS instead of PKCS#1 v1.5 */
    OSSL_LIB_CTX *libctx;
    const char *propq;            /* NULL: prefer the key's own provider */
    attest_request_signer signer; /* set: key is the public key, the signer signs; the result is verified */
    void *signer_arg;
} attest_request_opts;

X509_NAME *attest_parse_subject(const char *s, attest_err *err);
/* The --addext strings alone, as attest_request_build will take them: 0, or -1 with err (before any key is used). */
int attest_request_check_addext(const char *const *addext, size_t n, attest_err *err);
/* The request digest when o->md is NULL: SHA-256, SHA-384 for P-384, SHA-512 for P-521; NULL for EdDSA / ML-DSA. */
/*
 * The request's SubjectPublicKeyInfo from an RSA or EC public key's
 * parameters, without an encoder (rsaEncryption / id-ecPublicKey with a
 * named curve, uncompressed point).  1, or 0: not set (another key type).
 */
int attest_request_set_spki(X509_REQ *req, EVP_PKEY *key);
/* bundle may be NULL (a plain request).  Returns DER in *der. */
int attest_request_build(EVP_PKEY *key, const attest_request_opts *o, const unsigned char *bundle, size_t bundle_len,
                         unsigned char **der, size_t *len, attest_err *err);

#endif
