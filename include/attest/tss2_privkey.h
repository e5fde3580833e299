/*
 * TSS2 PRIVATE KEY: the TPM key file written by tpm2-openssl and
 * openssl_tpm2_engine (draft-bottomley-tpm2-keys).
 *
 *   TPMKey ::= SEQUENCE {
 *       type        OBJECT IDENTIFIER,             -- 2.23.133.10.1.3 loadable
 *       emptyAuth   [0] EXPLICIT BOOLEAN OPTIONAL,
 *       policy      [1] EXPLICIT SEQUENCE OF TPMPolicy OPTIONAL,
 *       secret      [2] EXPLICIT OCTET STRING OPTIONAL,
 *       authPolicy  [3] EXPLICIT SEQUENCE OF TPMAuthPolicy OPTIONAL,
 *       description [4] EXPLICIT UTF8String OPTIONAL,
 *       rsaParent   [5] EXPLICIT BOOLEAN OPTIONAL,
 *       parent      INTEGER,          -- TPM handle of the parent
 *       pubkey      OCTET STRING,     -- TPM2B_PUBLIC, with its size prefix
 *       privkey     OCTET STRING }    -- TPM2B_PRIVATE, with its size prefix
 *
 * tpm2-openssl 1.1.1 writes only type, emptyAuth, parent, pubkey, privkey;
 * emptyAuth TRUE comes out as BER 01 01 01 (DER wants ff), FALSE as 00 when
 * a user-auth was set; parent is 0x40000001 unless -pkeyopt parent: is used,
 * and then means its ECC SRK (see evidence/tpm2_device.c), also for RSA keys.
 */
#ifndef ATTEST_TSS2_PRIVKEY_H
#define ATTEST_TSS2_PRIVKEY_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/asn1.h>
#include <tss2/tss2_tpm2_types.h>

#include "attest/error.h"

#define ATTEST_TSS2_PEM_NAME       "TSS2 PRIVATE KEY"
#define ATTEST_TSS2_OID_LOADABLE   "2.23.133.10.1.3"
#define ATTEST_TSS2_OID_IMPORTABLE "2.23.133.10.1.4"
#define ATTEST_TSS2_OID_SEALED     "2.23.133.10.1.5"

/* The ASN.1 type, for code that needs to read or write the raw structure. */
typedef struct ATTEST_TSS2_PRIVKEY_st {
    ASN1_OBJECT *type;
    ASN1_BOOLEAN empty_auth; /* -1 when absent */
    ASN1_TYPE *policy;       /* SEQUENCE OF TPMPolicy, kept opaque */
    ASN1_OCTET_STRING *secret;
    ASN1_TYPE *auth_policy; /* SEQUENCE OF TPMAuthPolicy, opaque */
    ASN1_UTF8STRING *description;
    ASN1_BOOLEAN rsa_parent; /* -1 when absent */
    ASN1_INTEGER *parent;
    ASN1_OCTET_STRING *pubkey;
    ASN1_OCTET_STRING *privkey;
} ATTEST_TSS2_PRIVKEY;

DECLARE_ASN1_FUNCTIONS(ATTEST_TSS2_PRIVKEY)

/* A loadable key, decoded and checked. */
typedef struct attest_tss2_key {
    uint32_t parent; /* 0x40000001 (owner) or 0x81xxxxxx */
    int empty_auth;  /* 1 if emptyAuth is TRUE */
    int rsa_parent;  /* 1 if rsaParent is TRUE (RSA SRK template) */
    TPM2B_PUBLIC pub;
    TPM2B_PRIVATE priv;
} attest_tss2_key;

/*
 * Decode a TSS2 PRIVATE KEY from PEM (the first "TSS2 PRIVATE KEY" block in
 * buf) or from DER (buf starts with a SEQUENCE tag).  Only loadable keys
 * without policies are accepted; pubkey and privkey must unmarshal exactly.
 * Parent 0 is read as owner, like tpm2-openssl does.
 * Returns 0 on success, -1 with one line in err otherwise.
 */
int attest_tss2_key_decode(const unsigned char *buf, size_t len, attest_tss2_key *out, attest_err *err);

#endif /* ATTEST_TSS2_PRIVKEY_H */
