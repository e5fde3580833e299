/* gzip members as vendors ship evidence (Google Cloud HSM attestations), bounded. */
#ifndef ATTEST_GZIP_H
#define ATTEST_GZIP_H

#include <stddef.h>

#include "attest/error.h"

/* 1 when data starts with the gzip magic. */
int attest_is_gzip(const unsigned char *data, size_t len);
/* One gzip member, nothing after it, at most max bytes inflated; OPENSSL_free(*out).  0 or -1 (err). */
int attest_gunzip(const unsigned char *in, size_t len, size_t max, unsigned char **out, size_t *out_len,
                  attest_err *err);

#endif
