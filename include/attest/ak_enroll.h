/*
 * AK enrollment by credential activation: the messages between a TPM owner
 * and an enrolling authority, and the authority's own state record.
 * DER, defined here (asn1/ak_enroll.c, OpenSSL ASN.1 templates):
 *
 *   AkEnrollRequest ::= SEQUENCE {            -- owner -> authority
 *       version          INTEGER (0),
 *       ekCertificate    Certificate,         -- from the TPM's NV (or a file)
 *       ekPublic         OCTET STRING,        -- the EK's TPMT_PUBLIC
 *       akPublic         OCTET STRING,        -- the AK's TPMT_PUBLIC
 *       akName           OCTET STRING }       -- nameAlg || H(akPublic)
 *   AkChallenge ::= SEQUENCE {                -- authority -> owner
 *       version          INTEGER (0),
 *       id               OCTET STRING (SIZE(16)),  -- names the state entry
 *       ekPublic         OCTET STRING,        -- which EK must open it
 *       credentialBlob   OCTET STRING,        -- TPM2B_ID_OBJECT
 *       encryptedSecret  OCTET STRING }       -- TPM2B_ENCRYPTED_SECRET
 *   AkResponse ::= SEQUENCE {                 -- owner -> authority
 *       version          INTEGER (0),
 *       id               OCTET STRING (SIZE(16)),
 *       credential       OCTET STRING }       -- what ActivateCredential returned
 *   AkEnrollState ::= SEQUENCE {              -- the authority's private file
 *       version          INTEGER (0),
 *       notAfter         INTEGER,             -- Unix seconds: the entry's end
 *       credential       OCTET STRING,
 *       akPublic         OCTET STRING,
 *       ekCertificate    Certificate }
 *
 * Decoders accept DER only (the re-encoding must give the same bytes) and
 * copy every field out; bytes are OPENSSL_malloc'd.
 */
#ifndef ATTEST_AK_ENROLL_H
#define ATTEST_AK_ENROLL_H

#include <stddef.h>
#include <stdint.h>

#include "attest/error.h"

#define ATTEST_AK_ID_LEN 16

typedef struct {
    unsigned char *p;
    size_t n;
} attest_bytes;

typedef struct {
    attest_bytes ek_cert, ek_pub, ak_pub, ak_name;
} attest_ak_request;

typedef struct {
    attest_bytes id, ek_pub, blob, secret;
} attest_ak_challenge;

typedef struct {
    attest_bytes id, credential;
} attest_ak_response;

typedef struct {
    int64_t not_after;
    attest_bytes credential, ak_pub, ek_cert;
} attest_ak_state;

int attest_ak_request_encode(const attest_ak_request *r, unsigned char **der, size_t *len, attest_err *err);
int attest_ak_request_decode(const unsigned char *der, size_t len, attest_ak_request *r, attest_err *err);
void attest_ak_request_clear(attest_ak_request *r);

int attest_ak_challenge_encode(const attest_ak_challenge *c, unsigned char **der, size_t *len, attest_err *err);
int attest_ak_challenge_decode(const unsigned char *der, size_t len, attest_ak_challenge *c, attest_err *err);
void attest_ak_challenge_clear(attest_ak_challenge *c);

int attest_ak_response_encode(const attest_ak_response *r, unsigned char **der, size_t *len, attest_err *err);
int attest_ak_response_decode(const unsigned char *der, size_t len, attest_ak_response *r, attest_err *err);
void attest_ak_response_clear(attest_ak_response *r);

int attest_ak_state_encode(const attest_ak_state *s, unsigned char **der, size_t *len, attest_err *err);
int attest_ak_state_decode(const unsigned char *der, size_t len, attest_ak_state *s, attest_err *err);
void attest_ak_state_clear(attest_ak_state *s);

#endif
