/* SHA-256 with the digest fetched once (see attest/digest.h). */
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "attest/digest.h"

static CRYPTO_ONCE once = CRYPTO_ONCE_STATIC_INIT;
static EVP_MD *sha256;

static void fetch(void)
{
    sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
}

const EVP_MD *attest_sha256_md(void)
{
    return CRYPTO_THREAD_run_once(&once, fetch) ? sha256 : NULL;
}

int attest_sha256(const void *b, size_t n, unsigned char out[32])
{
    const EVP_MD *md = attest_sha256_md();

    return md != NULL && EVP_Digest(b, n, out, NULL, md, NULL) == 1;
}
