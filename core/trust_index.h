/* Trust anchors read as DER and indexed by subject; decoded only when a chain needs them (core/trust_index.c). */
#ifndef ATTEST_TRUST_INDEX_H
#define ATTEST_TRUST_INDEX_H

#include <stddef.h>
#include <openssl/bio.h>
#include <openssl/x509.h>

typedef struct attest_trust_index attest_trust_index;

attest_trust_index *attest_trust_index_new(void);
void attest_trust_index_free(attest_trust_index *ix);
/* The certificates of b (PEM blocks, else one DER), indexed, not decoded; *count of them.  -1: out of memory. */
int attest_trust_index_read(attest_trust_index *ix, BIO *b, int *count);
/* Certificates indexed and not yet taken. */
size_t attest_trust_index_pending(const attest_trust_index *ix);
/* Decodes the untaken entries with this subject (NULL: all) onto into (owned there); how many, -1 out of memory. */
int attest_trust_index_take(attest_trust_index *ix, const X509_NAME *subject, OSSL_LIB_CTX *libctx, const char *propq,
                            STACK_OF(X509) *into);

#endif
