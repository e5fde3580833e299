/*
 * One PEM block in its plainest form, decoded without PEM_read_bio (see
 * asn1/pem_fast.c); everything else is PEM_read_bio's.
 */
#ifndef ATTEST_PEM_FAST_H
#define ATTEST_PEM_FAST_H

#include <stddef.h>

#define ATTEST_PEM_LABEL_MAX 64 /* longer labels go to PEM_read_bio */

/*
 * in[0..len) is exactly one PEM block: "-----BEGIN LABEL-----", lines of
 * base64 alone (at most 76 characters each, padding only at the end), the
 * END line with the same label, then nothing but blanks and line ends.
 * 1: label (ATTEST_PEM_LABEL_MAX + 1 bytes) and *der (OPENSSL_malloc'd) set,
 * the same bytes PEM_read_bio gives; 0: not that form (nothing set: ask
 * PEM_read_bio); -1: out of memory.
 */
int attest_pem_plain(const unsigned char *in, size_t len, char *label, unsigned char **der, size_t *der_len);

#endif
