/*
 * The one escaper for text that came from input (names, key ids, claims,
 * hints, file names), below every layer that prints.
 */
#ifndef ATTEST_ESCAPE_H
#define ATTEST_ESCAPE_H

#include <stddef.h>
#include <openssl/x509.h>

/*
 * The escaper for text that came from input (names, key ids, claims,
 * hints, file names): control characters (C0, DEL, C1), bidi controls and
 * bytes that are not well-formed UTF-8 become \XX per byte, and a backslash
 * becomes \\ (the convention of RFC 2253 names).  Output is valid UTF-8 with
 * nothing a terminal acts on, NUL-terminated, cut at cap only between whole
 * characters or escapes; returns its length.  KEEP_BACKSLASH leaves
 * backslashes alone, so escaped text is unchanged by a second pass.
 */
#define ATTEST_ESC_KEEP_BACKSLASH 1u
size_t attest_escape(const unsigned char *in, size_t len, char *out, size_t cap, unsigned flags);
/* Length of the run of printable ASCII (0x20..0x7e) that p[0..n) starts with. */
size_t attest_printable_span(const unsigned char *p, size_t n);
char *attest_escape_dup(const unsigned char *in, size_t len, unsigned flags); /* OPENSSL_free */
/* A name as `openssl req -subject` prints it ("C = US, O = Ex, CN = x"), UTF-8 kept, escaped; OPENSSL_free. */
char *attest_name_oneline(const X509_NAME *name);

/*
 * Lowercase hex of b[0..n) (OpenSSL's OPENSSL_buf2hexstr_ex, lowercased: our
 * output has always been lowercase).  attest_hex writes as many whole bytes
 * as fit in cap, NUL-terminated, and returns out; attest_hex_dup returns an
 * OPENSSL_malloc'd string, NULL when out of memory.
 */
char *attest_hex(const unsigned char *b, size_t n, char *out, size_t cap);
char *attest_hex_dup(const unsigned char *b, size_t n);
/* base64url without padding (RFC 7515 §2) of b[0..n), OPENSSL_malloc'd; NULL when out of memory. */
char *attest_b64url(const unsigned char *b, size_t n);
/* Its inverse: no padding, no other characters, at most max characters; OPENSSL_free. */
unsigned char *attest_b64url_decode(const char *s, size_t n, size_t max, size_t *out_len);

#endif
