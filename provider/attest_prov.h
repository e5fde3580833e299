/* The provider's registry: context, dispatch tables and error helper. */
#ifndef ATTEST_PROV_H
#define ATTEST_PROV_H

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/types.h>
#include <openssl/x509.h>

typedef struct {
    const OSSL_CORE_HANDLE *handle;
    OSSL_LIB_CTX *libctx; /* child of the loading library context */
} ATTEST_PROV_CTX;

/* Made from the object table on first query. */
const OSSL_ALGORITHM *attest_decoders(void);
const OSSL_ALGORITHM *attest_encoders(void);
extern const OSSL_DISPATCH attest_ak_keymgmt_functions[];
extern const OSSL_DISPATCH attest_ak_signature_functions[];

/* An ATTEST-AK key: the real attestation key, loaded from its provider. */
typedef struct {
    ATTEST_PROV_CTX *prov;
    EVP_PKEY *key; /* any provider's key, in the provider's child context */
    X509 *cert;    /* optional: its certificate */
    char *propq;
} ATTEST_AK;

/* Raise an error in the caller's queue through the core's upcalls. */
void attest_prov_raise(const ATTEST_PROV_CTX *ctx, int reason, const char *fmt, ...);
/* Read a whole core BIO, up to cap bytes (more is an error). */
int attest_prov_read_all(const ATTEST_PROV_CTX *ctx, OSSL_CORE_BIO *cin, size_t cap, unsigned char **out,
                         size_t *outlen);

#endif
