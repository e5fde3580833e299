/* Certificates as files hold them: PEM (any number) or one DER. */
#ifndef ATTEST_CERTFILE_H
#define ATTEST_CERTFILE_H

#include <openssl/bio.h>
#include <openssl/x509.h>

/*
 * Pushes onto into every certificate of the PEM text in b, or when there is
 * none the one DER certificate b starts with (b is read twice: a file BIO
 * or BIO_new_mem_buf's, not a writable memory BIO, which a reset empties).  Returns how many were pushed (0: none found), -1 out of
 * memory.  The decoding attempts leave the caller's error queue as it was.
 */
int attest_certs_read(BIO *b, STACK_OF(X509) *into);

/*
 * How many times "-----BEGIN " occurs in d, at the start of a line or not.
 * PEM_read_bio stops at a block it cannot decode as at the end, and skips a
 * BEGIN that does not start a line: a reader that read fewer blocks than
 * this met one it could not decode, or one another tool might take.
 */
int attest_pem_begins(const unsigned char *d, size_t len);

#endif
