/* The marvell tests' lab: verdict counting, a trust set-up, test certificates and synthetic blobs. */
#ifndef MARVELL_LAB_H
#define MARVELL_LAB_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/verdict.h"

/* Checks of any severity ERROR in the verdict (top level and statements). */
int error_count(const attest_verdict *v);

typedef struct {
    attest_trust *trust;
    attest_policy policy;
    attest_verify_params p;
} run;

/* A trust set-up from dir (its marvell/ subdirectory is the scope), default policy. */
void run_init(run *r, const char *dir);

typedef struct {
    unsigned char b[4096];
    size_t n;
} buf;

EVP_PKEY *gen(const char *alg); /* "RSA" (2048) or "EC" (P-256) */
/* A certificate for key named cn, by issuer (NULL: self-signed) with ikey; v1: no extensions. */
X509 *mkcert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, int ca, int v1);
/* A CAVIUM_V2 blob attesting subject's key (public and private object), signed by part. */
void make_blob(buf *o, EVP_PKEY *subject, EVP_PKEY *part, int local, int ext);
/* The same objects in the CAVIUM_V1 layout (fixed offset 984). */
void make_blob_v1(buf *o, EVP_PKEY *subject, EVP_PKEY *part);

#endif
