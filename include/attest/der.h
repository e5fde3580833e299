/* Strict DER checking of opaque encodings (see asn1/der_strict.c). */
#ifndef ATTEST_DER_H
#define ATTEST_DER_H

#include <stddef.h>
#include <openssl/asn1.h>

#include "attest/error.h"

/*
 * 0 when der[0..len) is a run of TLVs in strict DER all the way down:
 * definite minimal lengths, constructed contents made of whole TLVs,
 * universal types in their one allowed form, BOOLEAN 00 or FF.  OpenSSL
 * keeps ANY values opaque (and BOOLEAN bytes as found), so the codecs run
 * this over the ANY parts they carry.  -1 with a message otherwise.
 */
int attest_der_strict(const unsigned char *der, size_t len, attest_err *err);

/*
 * attest_der_strict, and the members of every universal SET in ascending
 * order of their encodings (X.690 11.6; SET OF is all X.509 has), and every
 * INTEGER and ENUMERATED in its shortest form.  For whole requests, whose
 * bytes OpenSSL hands back as received.  The TLVs starting
 * at the n_opaque offsets get their headers checked, not their contents
 * (an embedded bundle, which its own decoder judges and reports).
 */
int attest_der_strict_canonical(const unsigned char *der, size_t len, const size_t *opaque, size_t n_opaque,
                                attest_err *err);

/*
 * 1 when obj, encoded as it, gives back der[0..len) byte for byte: the check
 * that a template decode read DER (OpenSSL's decoder accepts BER) and that
 * what gets verified is what was sent.  0 otherwise, or when encoding fails.
 */
int attest_der_reencodes(const ASN1_ITEM *it, const void *obj, const unsigned char *der, size_t len);

#endif
