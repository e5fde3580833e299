/*
 * Forged TPM 2.0 certify evidence for the verifier tests: a software "AK"
 * with a certificate from an in-memory test CA signs a TPMS_ATTEST about a
 * software subject key, wrapped as TcgAttestCertify -> AttestationBundle ->
 * PKCS#10 request.  Every knob is a field of forge_opts whose zero value is
 * the well-formed default, so a test changes exactly one thing.
 */
#ifndef FORGE_TPM2_H
#define FORGE_TPM2_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/verdict.h"
#include "testutil.h" /* verdict_check and the verdict assertions */

/* Keys and CAs made once per process (RSA key generation is slow under ASan). */
typedef struct {
    EVP_PKEY *ca_key, *other_ca_key;
    X509 *root;     /* "Forge Test Root CA", the anchor the tests trust */
    X509 *other_ca; /* "Forge Other CA", trusted by nobody */
    EVP_PKEY *ak_ec, *ak_rsa;
    EVP_PKEY *key_ec, *key_ec2, *key_rsa, *key_rsa1024;
} forge_env;

const forge_env *forge_env_get(void);
void forge_env_free(void);

/* The default qualifyingData (16 bytes) put into extraData. */
extern const unsigned char FORGE_NONCE[16];

enum { FORGE_SIG_TPMT = 0, FORGE_SIG_PLAIN };

/* Edit the TPMS_ATTEST bytes in place (len may change, up to cap). */
typedef void (*forge_edit_fn)(unsigned char *b, size_t *len, size_t cap, void *arg);

typedef struct {
    /* keys: NULL means the default noted */
    EVP_PKEY *ak;         /* signs TPMS_ATTEST; default env->ak_ec */
    EVP_PKEY *subject;    /* the CSR's SPKI; default env->key_ec */
    EVP_PKEY *tpm_key;    /* the key tpmTPublic describes; default subject */
    EVP_PKEY *name_key;   /* the key whose Name is attested; default tpm_key */
    EVP_PKEY *csr_signer; /* signs the CSR; default subject */

    /* TPMT_PUBLIC */
    uint32_t attrs_set, attrs_clear; /* applied to 0x00040072 */
    uint16_t name_alg;               /* 0: SHA-256 (0x000b) */
    int omit_pub;                    /* tpmTPublic absent */
    int pub_tpm2b;                   /* legacy TPM2B_PUBLIC size prefix */
    uint32_t rsa_exponent;           /* RSA keys' exponent field; 0: 0 (meaning 65537) */

    /* TPMS_ATTEST */
    uint32_t magic;             /* 0: 0xff544347 (patched after marshaling) */
    uint16_t st_type;           /* 0: 0x8017 (patched after marshaling) */
    const unsigned char *nonce; /* NULL: FORGE_NONCE */
    size_t nonce_len;
    int empty_nonce;           /* extraData of size 0 */
    forge_edit_fn post_attest; /* after marshaling, before signing */
    forge_edit_fn post_sign;   /* after signing (the signature no longer matches) */
    void *edit_arg;

    /* signature */
    int sig_form;      /* FORGE_SIG_TPMT / FORGE_SIG_PLAIN */
    uint16_t sig_hash; /* 0: SHA-256; 0x0004 SHA-1 */
    int sig_pss;       /* RSA AK: RSASSA-PSS instead of PKCS#1 v1.5 */

    /* AK certificate */
    int ak_other_ca;   /* issued by env->other_ca */
    int ak_ca_true;    /* basicConstraints critical,CA:TRUE */
    int ak_no_eku;     /* no extendedKeyUsage at all */
    int ak_eku_pkix;   /* EKU id-kp-attestationKey (the PKIX format's) instead of tcg-kp-AIKCertificate */
    const char *ak_ku; /* NULL: "critical,digitalSignature" */
    int ak_expired;    /* notAfter yesterday */

    /* bundle */
    int no_certs;                  /* no cert bag */
    int root_in_bundle;            /* the root also in the cert bag */
    const char *stmt_oid;          /* NULL: tcg-attest-tpm-certify */
    const unsigned char *stmt_der; /* replaces the TcgAttestCertify TLV */
    size_t stmt_len;
    int legacy_list; /* SEQUENCE OF AttestationBundle (drafts <= -12) */

    /* request */
    const char *csr_md;  /* NULL: SHA-256 */
    int dup_attr;        /* two id-aa-attestation attributes */
    int dup_value;       /* one attribute, two (identical) values */
    int bundle_trailing; /* a 0x00 byte inside the bundle SEQUENCE */
} forge_opts;

typedef struct {
    unsigned char *attest;
    size_t attest_len; /* TPMS_ATTEST as carried */
    unsigned char *sig;
    size_t sig_len;
    unsigned char *pub;
    size_t pub_len; /* TPMT_PUBLIC (no prefix) */
    unsigned char *stmt;
    size_t stmt_len; /* TcgAttestCertify */
    unsigned char *bundle;
    size_t bundle_len; /* as put into the request */
    unsigned char *csr;
    size_t csr_len;
    X509 *ak_cert;
} forge_out;

/* 0 on success; asserts (cmocka) on internal failures. */
int forge_build(const forge_opts *o, forge_out *out);
void forge_out_free(forge_out *out);

/* Marshaled TPMT_PUBLIC of key (OPENSSL_malloc'd). */
unsigned char *forge_tpmt_public(EVP_PKEY *key, uint32_t attrs, uint16_t name_alg, size_t *len);
/* Offset of TPMS_ATTEST.clockInfo.clock in marshaled bytes. */
size_t forge_clock_offset(const unsigned char *attest, size_t len);

/* ---- running the verifier on forged evidence ---- */
typedef struct {
    unsigned allow; /* policy.allow bits */
    int strict_shape;
    int no_nonce;               /* the verifier demands no nonce */
    const unsigned char *nonce; /* NULL: FORGE_NONCE */
    size_t nonce_len;
    int bare;           /* attest_verify_bundle on the bundle instead of the CSR */
    EVP_PKEY *bare_key; /* subject_key for the bare path (may be NULL) */
} forge_vparams;

/* Forge with o, verify with vp (NULL: default policy, FORGE_NONCE, trust = env->root). */
attest_verdict *forge_verify(const forge_opts *o, const forge_vparams *vp);
/*
 * Exit 0 and every check PASS, except the ids in skip (NULL-terminated, may be
 * NULL) which must be SKIP/INFO.  A TPM statement must carry all its checks.
 */
void forge_expect_affirming(const attest_verdict *v, const char *const *skip);
/*
 * id occurs once, FAIL with severity sev; every other check is PASS or SKIP
 * with severity INFO, except the ids in also_warn (NULL-terminated, may be
 * NULL) which may carry a WARNING.  The exit code is 1 for ERROR, 3 for WARNING.
 */
void forge_expect_only(const attest_verdict *v, const char *id, attest_severity sev, const char *const *also_warn);
/* The same with the target's result given (ATTEST_CHECK_SKIP for a check that could not run). */
void forge_expect_only_r(const attest_verdict *v, const char *id, attest_check_result r, attest_severity sev,
                         const char *const *also_warn);

#endif
