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

typedef struct {
    int version;                 /* ATTEST_ENCODER_OBJECT_VERSION */
    const char *data_type;       /* one of the names above */
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

/* Provider reason codes (ERR_GET_REASON of errors raised by the provider). */
#define ATTEST_R_MALFORMED     100
#define ATTEST_R_WRONG_TYPE    101
#define ATTEST_R_TOO_LARGE     102
#define ATTEST_R_ENCODE_FAILED 103
#define ATTEST_R_BAD_OBJECT    104

#endif
