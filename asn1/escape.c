/*
 * The one escaper for text that came from input, and names in the form
 * `openssl req -subject` prints them.
 */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/escape.h"

/*
 * Length of the well-formed UTF-8 character at p (shortest form, no
 * surrogates, at most U+10FFFF) and its code point; 0 when p starts none.
 */
static size_t utf8_char(const unsigned char *p, size_t n, unsigned long *cp)
{
    size_t len, i;
    unsigned long c;

    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        len = 2;
        c = p[0] & 0x1f;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        len = 3;
        c = p[0] & 0x0f;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        len = 4;
        c = p[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (p[i] & 0x3f);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Characters a terminal acts on, or that reorder what is shown (bidi controls). */
static int unsafe_cp(unsigned long c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069);
}

/*
 * Eight bytes at a time (SWAR, as in "Bit Twiddling Hacks"): a byte below
 * 0x20 borrows into its top bit in w - 0x20..., one at 0x7f or above has it
 * set in w | w + 0x01....  Text is mostly printable ASCII, so this is the
 * common path of both the escaper and the JSON backstop, and one branch per
 * eight bytes is also what fuzzing builds trace instead of one per byte.
 */
size_t attest_printable_span(const unsigned char *p, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;

    for (; n - i >= 8; i += 8) {
        uint64_t w;

        memcpy(&w, p + i, 8);
        if ((((w - 0x20 * ones) & ~w) | w | (w + ones)) & highs)
            break;
    }
    while (i < n && p[i] >= 0x20 && p[i] < 0x7f)
        i++;
    return i;
}

size_t attest_escape(const unsigned char *in, size_t len, char *out, size_t cap, unsigned flags)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t i = 0, o = 0, n, k;
    unsigned long cp;

    if (cap == 0)
        return 0;
    while (i < len) {
        /* Printable ASCII, most of any text, in runs (one byte, one character: a cut splits none). */
        n = attest_printable_span(in + i, len - i);
        if (!(flags & ATTEST_ESC_KEEP_BACKSLASH)) {
            const unsigned char *bs = memchr(in + i, '\\', n);

            n = bs != NULL ? (size_t)(bs - (in + i)) : n;
        }
        if (n > 0) {
            k = n < cap - 1 - o ? n : cap - 1 - o;
            memcpy(out + o, in + i, k);
            o += k;
            i += k;
            if (k < n)
                break;
            continue;
        }
        n = utf8_char(in + i, len - i, &cp);
        if (n == 0 || unsafe_cp(cp)) {
            /* Every byte of it as \XX, the convention of RFC 2253 names. */
            n = n == 0 ? 1 : n;
            if (o + 3 * n >= cap)
                break;
            for (k = 0; k < n; k++) {
                out[o++] = '\\';
                out[o++] = digits[in[i + k] >> 4];
                out[o++] = digits[in[i + k] & 15];
            }
        } else if (cp == '\\' && !(flags & ATTEST_ESC_KEEP_BACKSLASH)) {
            if (o + 2 >= cap)
                break;
            out[o++] = '\\';
            out[o++] = '\\';
        } else {
            /* Whole characters only: a cut never splits one. */
            if (o + n >= cap)
                break;
            memcpy(out + o, in + i, n);
            o += n;
        }
        i += n;
    }
    out[o] = '\0';
    return o;
}

char *attest_escape_dup(const unsigned char *in, size_t len, unsigned flags)
{
    char *s = OPENSSL_malloc(3 * len + 1); /* \XX: three per byte at most */

    if (s != NULL)
        attest_escape(in, len, s, 3 * len + 1, flags);
    return s;
}

char *attest_name_oneline(const X509_NAME *name)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data = NULL, *e = NULL;
    long len;

    if (b == NULL)
        return NULL;
    /*
     * `openssl req -subject`'s order and syntax (its default -nameopt oneline), with
     * UTF-8 kept as characters (-esc_msb off): the escaper handles the controls left.
     */
    if (X509_NAME_print_ex(b, name, 0, (XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT) >= 0) {
        len = BIO_get_mem_data(b, &data);
        e = attest_escape_dup((const unsigned char *)data, (size_t)len, ATTEST_ESC_KEEP_BACKSLASH);
    }
    BIO_free(b);
    return e;
}

char *attest_hex(const unsigned char *b, size_t n, char *out, size_t cap)
{
    size_t fit = cap > 0 ? (cap - 1) / 2 : 0, i;

    if (cap == 0)
        return out;
    out[0] = '\0';
    if (n > fit)
        n = fit;
    ERR_set_mark();
    if (n > 0 && !OPENSSL_buf2hexstr_ex(out, cap, NULL, b, n, '\0'))
        out[0] = '\0';
    ERR_pop_to_mark();
    for (i = 0; out[i] != '\0'; i++)
        out[i] = (char)tolower((unsigned char)out[i]);
    return out;
}

char *attest_hex_dup(const unsigned char *b, size_t n)
{
    char *s = n < ((size_t)-1 - 1) / 2 ? OPENSSL_malloc(2 * n + 1) : NULL;

    return s != NULL ? attest_hex(b, n, s, 2 * n + 1) : NULL;
}

/* '+' and '/' to '-' and '_' (memchr: no per-character branch, which fuzzing builds trace). */
static void swap_chars(char *s, size_t n, char from, char to)
{
    char *p = s, *end = s + n;

    while (p < end && (p = memchr(p, from, (size_t)(end - p))) != NULL)
        *p++ = to;
}

char *attest_b64url(const unsigned char *b, size_t n)
{
    char *s = n < (size_t)INT_MAX / 4 * 3 - 2 ? OPENSSL_malloc(4 * ((n + 2) / 3) + 1) : NULL;
    int len;

    if (s == NULL)
        return NULL;
    len = EVP_EncodeBlock((unsigned char *)s, b, (int)n);
    while (len > 0 && s[len - 1] == '=')
        len--;
    s[len] = '\0';
    swap_chars(s, (size_t)len, '+', '-');
    swap_chars(s, (size_t)len, '/', '_');
    return s;
}

/* base64url without padding (RFC 7515 §2); NULL for any other character, a bad length or over max characters. */
unsigned char *attest_b64url_decode(const char *s, size_t n, size_t max, size_t *out_len)
{
    size_t i, padded = (n + 3) / 4 * 4;
    char *t;
    unsigned char *out;
    int len;

    if (n % 4 == 1 || n > max || (t = OPENSSL_malloc(padded + 1)) == NULL)
        return NULL;
    /* Checked and translated by libc's scans, not a loop per character (which fuzzing builds trace). */
    memcpy(t, s, n);
    t[n] = '\0';
    if (strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != n) { /* a NUL stops it short */
        OPENSSL_free(t);
        return NULL;
    }
    swap_chars(t, n, '-', '+');
    swap_chars(t, n, '_', '/');
    for (i = n; i < padded; i++)
        t[i] = '=';
    t[padded] = '\0';
    if ((out = OPENSSL_malloc(padded / 4 * 3 + 1)) == NULL) {
        OPENSSL_free(t);
        return NULL;
    }
    len = padded ? EVP_DecodeBlock(out, (unsigned char *)t, (int)padded) : 0;
    OPENSSL_free(t);
    if (len < 0) {
        OPENSSL_free(out);
        return NULL;
    }
    /* EVP_DecodeBlock counts the padding as zero bytes. */
    *out_len = (size_t)len - (padded - n);
    return out;
}
