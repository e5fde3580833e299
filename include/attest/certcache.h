/*
 * Decoded certificates, cached by their exact bytes.  Batches meet the same
 * AK and intermediate certificates again and again, and on OpenSSL 3.0 each
 * decode builds a decoder context for the public key, which costs more than
 * the signature checks of a whole request.  Bounded: a few entries, reused
 * round robin.  Thread-safe.
 */
#ifndef ATTEST_CERTCACHE_H
#define ATTEST_CERTCACHE_H

#include <stddef.h>
#include <openssl/x509.h>

/*
 * The certificate for exactly these bytes (no trailing bytes), with a new
 * reference; NULL if not one.  It may be shared with other callers (and its
 * SHA-256 kept beside it): read it, never modify it.
 */
X509 *attest_cert_from_der(const unsigned char *der, size_t len);
/*
 * The same, decoded in libctx with propq (cached per context, by its address).  Cached certificates refer
 * to libctx: before freeing a context used here, empty the cache (attest_certcache_set_enabled(0), then 1).
 */
X509 *attest_cert_from_der_ex(const unsigned char *der, size_t len, OSSL_LIB_CTX *libctx, const char *propq);

/*
 * SHA-256 of x's encoding (X509_digest), kept with a cached certificate so a
 * batch hashes each distinct certificate once; 1, or 0 on failure.
 */
int attest_cert_sha256(const X509 *x, unsigned char out[32]);

/*
 * On by default.  Off: every call decodes afresh and nothing is kept, so a
 * caller's work allocates exactly what it frees (fuzz targets, whose leak
 * checks run when an input leaves memory behind).  Turning it off drops
 * what is cached.
 */
void attest_certcache_set_enabled(int on);
/*
 * Keep what is cached, replace none of it (until attest_certcache_set_enabled):
 * a fuzz target warms the cache on its seeds, then each input's unchanged
 * certificates are found without any allocation kept past the input.  What
 * is decoded while frozen goes to a few scratch entries, found again until
 * attest_certcache_drop_scratch empties them (a fuzz target, after each
 * input: one input's repeated decodes of its own certificates are one);
 * bytes that do not decode are noted there too, and refused at once.
 */
void attest_certcache_freeze(void);
void attest_certcache_drop_scratch(void);

/* For ASN.1 templates: a Certificate field (an X509 *) decoded through this cache (asn1/cert_item.c). */
#include <openssl/asn1.h>
DECLARE_ASN1_ITEM(ATTEST_CACHED_X509)

#endif
