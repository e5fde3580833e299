/* Bounded gzip inflation through zlib (include/attest/gzip.h). */
#include <limits.h>
#include <string.h>
#include <zlib.h>
#include <openssl/crypto.h>

#include "attest/gzip.h"

int attest_is_gzip(const unsigned char *data, size_t len)
{
    return len >= 3 && data[0] == 0x1f && data[1] == 0x8b && data[2] == 0x08;
}

int attest_gunzip(const unsigned char *in, size_t len, size_t max, unsigned char **out, size_t *out_len,
                  attest_err *err)
{
    z_stream z;
    unsigned char *buf;
    int r;

    *out = NULL;
    if (!attest_is_gzip(in, len) || len > (size_t)UINT_MAX || max > (size_t)UINT_MAX) {
        attest_err_set(err, "not gzip data");
        return -1;
    }
    if ((buf = OPENSSL_malloc(max + 1)) == NULL) {
        attest_err_set(err, "out of memory");
        return -1;
    }
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        OPENSSL_free(buf);
        attest_err_set(err, "cannot start inflating gzip data");
        return -1;
    }
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)len;
    z.next_out = buf;
    z.avail_out = (uInt)(max + 1); /* one more than allowed: a full buffer means too big */
    r = inflate(&z, Z_FINISH);
    if (r != Z_STREAM_END || z.avail_in != 0 || z.total_out > max) {
        attest_err_set(err, "%s",
                       z.total_out > max       ? "gzip data inflates past the size cap"
                           : r == Z_STREAM_END ? "bytes after the gzip member"
                                               : "corrupt or truncated gzip data");
        inflateEnd(&z);
        OPENSSL_free(buf);
        return -1;
    }
    *out_len = z.total_out;
    *out = buf;
    inflateEnd(&z);
    return 0;
}
