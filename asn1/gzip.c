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

/*
 * The output buffer grows with what inflates (from a few times the input,
 * doubling), up to max + 1 bytes: a member that fills that is too big.
 * Memory follows the data, not the cap (a 1 MiB block per small blob cost
 * more than inflating it).
 */
int attest_gunzip(const unsigned char *in, size_t len, size_t max, unsigned char **out, size_t *out_len,
                  attest_err *err)
{
    z_stream z;
    unsigned char *buf = NULL, *bigger;
    size_t cap;
    int r;

    *out = NULL;
    if (!attest_is_gzip(in, len) || len > (size_t)UINT_MAX || max > (size_t)UINT_MAX - 1) {
        attest_err_set(err, "not gzip data");
        return -1;
    }
    cap = 4 * len + 4096; /* len < 2^32: no overflow */
    if (cap > max + 1)
        cap = max + 1;
    memset(&z, 0, sizeof(z));
    if ((buf = OPENSSL_malloc(cap)) == NULL || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        OPENSSL_free(buf);
        attest_err_set(err, buf == NULL ? "out of memory" : "cannot start inflating gzip data");
        return -1;
    }
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)len;
    for (;;) {
        z.next_out = buf + z.total_out;
        z.avail_out = (uInt)(cap - z.total_out);
        r = inflate(&z, Z_FINISH);
        if (r == Z_STREAM_END || z.avail_out != 0 || cap == max + 1)
            break;
        /* Out of room, not of input: a bigger buffer, up to the cap. */
        cap = cap <= (max + 1) / 2 ? 2 * cap : max + 1;
        if ((bigger = OPENSSL_realloc(buf, cap)) == NULL) {
            attest_err_set(err, "out of memory");
            inflateEnd(&z);
            OPENSSL_free(buf);
            return -1;
        }
        buf = bigger;
    }
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
