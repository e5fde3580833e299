/*
 * CMW statements (RATS conceptual message wrappers, X.509 form): CHOICE {
 * json UTF8String, cbor OCTET STRING }.  Vendor evidence without an OID of
 * its own travels as a JSON record ["media/type", "base64url"].
 */
#ifndef ATTEST_CMW_H
#define ATTEST_CMW_H

#include <stddef.h>

#include "attest/error.h"

/* The statement value (a UTF8String TLV) for data of media_type; OPENSSL_free(*der). */
int attest_cmw_record_encode(const char *media_type, const unsigned char *data, size_t len, unsigned char **der,
                             size_t *der_len, attest_err *err);
/*
 * A statement value holding a JSON record: its media type and its decoded
 * value (both OPENSSL_free).  0, or -1 (err) when der is not exactly that:
 * strict DER, a two-element array of a string and unpadded base64url.
 * data NULL: the media type only (the value is neither decoded nor checked).
 */
int attest_cmw_record_decode(const unsigned char *der, size_t len, char **media_type, unsigned char **data,
                             size_t *data_len, attest_err *err);

#endif
