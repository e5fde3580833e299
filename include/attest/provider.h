/*
 * What a C program needs to talk to the attest provider's encoders.
 *
 * Encoders take their object through OSSL_ENCODER_CTX_set_construct(): the
 * construct callback returns a pointer to an ATTEST_ENCODER_OBJECT that
 * holds the DER (or, for TPM structures, the marshaled bytes) and its data
 * type name.  Decoders hand objects back as OSSL_PARAMs: OSSL_OBJECT_PARAM_
 * DATA_TYPE (one of the names below) and OSSL_OBJECT_PARAM_DATA (the bytes).
 */
#ifndef ATTEST_PROVIDER_H
#define ATTEST_PROVIDER_H

#include <stddef.h>

#define ATTEST_PROVIDER_NAME "attest"

#define ATTEST_NAME_CSR            "AttestedCSR"
#define ATTEST_NAME_BUNDLE         "AttestationBundle"
#define ATTEST_NAME_TPM2_STMT      "TcgAttestCertify"
#define ATTEST_NAME_PKIX           "PkixEvidence"
#define ATTEST_NAME_TPMS_ATTEST    "TPMS_ATTEST"
#define ATTEST_NAME_TPMT_PUBLIC    "TPMT_PUBLIC"
#define ATTEST_NAME_TPMT_SIGNATURE "TPMT_SIGNATURE"
#define ATTEST_NAME_CRMF           "CrmfRequest" /* DER only: no PEM label, no PEM encoder */

typedef struct {
    int version;           /* ATTEST_ENCODER_OBJECT_VERSION */
    const char *data_type; /* one of the names above */
    const unsigned char *data;
    size_t len;
} ATTEST_ENCODER_OBJECT;
#define ATTEST_ENCODER_OBJECT_VERSION 1

/*
 * Decoder context parameter, an int, set with OSSL_DECODER_CTX_set_params()
 * after the decoders are added.  OpenSSL drops the errors of a decoder that
 * passes on its input so that the next one can try; with 1, a type decoder
 * that rejects its input ends the decode and leaves its reason in the error
 * queue (ERR_peek_last_error_all).  Use it when asking for exactly one type.
 */
#define ATTEST_DECODER_PARAM_STRICT "attest-strict"

/*
 * The key-attestation signature: an attestation key (AK) that may live in any
 * provider signs PKIX evidence.  Make the AK an "ATTEST-AK" key with
 * EVP_PKEY_fromdata (ATTEST_AK_PARAM_URI names the real key: a PEM file,
 * handle:0x81008001 through tpm2-openssl, pkcs11:...; ATTEST_AK_PARAM_CERT
 * optionally carries its certificate's DER for the signer identifier), then
 * EVP_PKEY_sign over the DER of a TbsEvidence.  The "signature" returned is
 * the DER of a complete SignatureBlock (signer, algorithm, value).  Anything
 * but one DER TbsEvidence is refused: the AK signs attestations only.
 */
#define ATTEST_AK_NAME        "ATTEST-AK"
#define ATTEST_AK_PARAM_URI   "uri"   /* utf8 string, required */
#define ATTEST_AK_PARAM_PROPQ "propq" /* utf8 string: property query to load and sign with */
#define ATTEST_AK_PARAM_CERT  "cert"  /* octet string: the AK certificate, DER */
#define ATTEST_AK_PARAM_PSS   "pss"   /* int, signature ctx: RSA keys sign with RSASSA-PSS */
#define ATTEST_AK_PARAM_SPKI  "spki"  /* octet string, gettable: the AK's SubjectPublicKeyInfo DER */
/* The digest is OSSL_SIGNATURE_PARAM_DIGEST ("digest"); default by key. */

/* Provider reason codes (ERR_GET_REASON of errors raised by the provider). */
#define ATTEST_R_MALFORMED     100
#define ATTEST_R_WRONG_TYPE    101
#define ATTEST_R_TOO_LARGE     102
#define ATTEST_R_ENCODE_FAILED 103
#define ATTEST_R_BAD_OBJECT    104
#define ATTEST_R_KEY_LOAD      105
#define ATTEST_R_SIGN_FAILED   106

#endif
