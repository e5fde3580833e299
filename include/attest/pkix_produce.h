/*
 * Producing PKIX key attestation Evidence (draft-ietf-rats-pkix-key-attestation
 * -07): a transaction, an optional platform and one key element, signed by one
 * or more attestation keys from any provider.
 *
 * Never claim what is unknown: every tri-state is -1 for "unknown", and an
 * unknown claim is left out of the evidence instead of being guessed.
 */
#ifndef ATTEST_PKIX_PRODUCE_H
#define ATTEST_PKIX_PRODUCE_H

#include <stddef.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/error.h"

/* Key capabilities, reported as key-purpose SEQUENCE OF OID. */
enum {
    ATTEST_PKIX_CAP_ENCRYPT = 1u << 0,
    ATTEST_PKIX_CAP_DECRYPT = 1u << 1,
    ATTEST_PKIX_CAP_WRAP = 1u << 2,
    ATTEST_PKIX_CAP_UNWRAP = 1u << 3,
    ATTEST_PKIX_CAP_SIGN = 1u << 4,
    ATTEST_PKIX_CAP_SIGN_RECOVER = 1u << 5,
    ATTEST_PKIX_CAP_VERIFY = 1u << 6,
    ATTEST_PKIX_CAP_VERIFY_RECOVER = 1u << 7,
    ATTEST_PKIX_CAP_DERIVE = 1u << 8
};

/* "sign" -> ATTEST_PKIX_CAP_SIGN; 0 when unknown. */
unsigned attest_pkix_cap_from_name(const char *name);

/* NULL strings, fipsboot -1 and fipslevel 0 are left out. */
typedef struct {
    const char *vendor, *hwmodel, *hwversion, *hwserial, *swname, *swversion, *fipsver, *fipsmodule;
    int fipsboot;  /* -1 unknown, 0, 1 */
    int fipslevel; /* 0 absent, else 1..4 */
} attest_pkix_platform;

typedef struct {
    const unsigned char *nonce; /* transaction nonce, NULL: none */
    size_t nonce_len;
    time_t timestamp;                                     /* 0: omitted */
    EVP_PKEY *key;                                        /* the attested (subject) key: required */
    const char *key_id;                                   /* its key-identifier: required */
    int extractable, sensitive, never_extractable, local; /* -1 unknown: omitted */
    unsigned purposes;                                    /* ATTEST_PKIX_CAP_* bits, 0: omitted */
    const attest_pkix_platform *platform;                 /* NULL: no platform element */
} attest_pkix_claims;

typedef struct {
    EVP_PKEY *key;  /* the attestation key, any provider */
    X509 *cert;     /* its certificate: sid = certificate; NULL: sid = subjectPublicKeyInfo */
    const char *md; /* "SHA256", ...; NULL: by key (P-384 -> SHA384, else SHA256; none for EdDSA) */
    int pss;        /* RSA only: RSASSA-PSS, MGF1 with the same digest, salt = digest length */
} attest_pkix_signer;

/* Everything unknown / absent. */
void attest_pkix_claims_init(attest_pkix_claims *c);
void attest_pkix_platform_init(attest_pkix_platform *pl);

/*
 * Build the Evidence and sign its tbs once per signer (SignatureBlocks in
 * signer order; one transaction ak-spki claim per signer).  n_signers may be
 * 0 for unsigned evidence.  *der is OPENSSL_malloc'd.  Returns 0 or -1.
 */
int attest_pkix_build(const attest_pkix_claims *c, const attest_pkix_signer *s, size_t n_signers, OSSL_LIB_CTX *libctx,
                      const char *propq, unsigned char **der, size_t *len, attest_err *err);

/*
 * The same in three steps, for signers that are not plain EVP keys (the
 * attest provider's ATTEST-AK signature, an HSM): the TbsEvidence with one
 * ak-spki per attestation key, a SignatureBlock over exactly those bytes,
 * and the Evidence put together.  attest_pkix_sign_tbs refuses anything but
 * one DER TbsEvidence: an attestation key signs attestations only.
 */
int attest_pkix_make_tbs(const attest_pkix_claims *c, EVP_PKEY *const *aks, size_t n_aks, unsigned char **tbs,
                         size_t *len, attest_err *err);
int attest_pkix_sign_tbs(const unsigned char *tbs, size_t tbs_len, const attest_pkix_signer *s, OSSL_LIB_CTX *libctx,
                         const char *propq, unsigned char **block, size_t *len, attest_err *err);
int attest_pkix_assemble(const unsigned char *tbs, size_t tbs_len, const unsigned char *const *blocks,
                         const size_t *block_lens, size_t n, unsigned char **der, size_t *len, attest_err *err);

/* The strings a loaded claims file points into. */
typedef struct {
    char *v[16];
    size_t n;
} attest_pkix_strings;

void attest_pkix_strings_free(attest_pkix_strings *s);

/*
 * A claims file: "name = value" lines, blank lines and "#" comment lines.
 * Names: vendor, hwmodel, hwversion, hwserial, swname, swversion, fipsver,
 * fipsmodule (text); fipsboot (true/false); fipslevel (1-4); key-id;
 * extractable, sensitive, never-extractable, local (true/false);
 * purpose (comma list of sign, verify, encrypt, decrypt, wrap, unwrap,
 * derive, sign-recover, verify-recover).  Each name at most once.
 *
 * Fills only what the file names: initialise c and pl first.  A platform
 * name sets c->platform = pl.  Strings are owned by hold.  An unknown name
 * or a bad value fails with "file:line: ...".  Returns 0 or -1.
 */
int attest_pkix_claims_load(const char *path, attest_pkix_claims *c, attest_pkix_platform *pl,
                            attest_pkix_strings *hold, attest_err *err);

#endif
