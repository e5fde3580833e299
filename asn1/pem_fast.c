/*
 * A file that is one PEM block in its plainest form, read without
 * PEM_read_bio: OpenSSL reads a block a line at a time through a BIO and
 * decodes base64 with EVP_DecodeUpdate (a few dozen instructions a
 * character), which was the largest piece of a batch input left after the
 * signatures.  Only the plainest form is taken -- the BEGIN line first,
 * lines of base64 alone, the END line with the same label, nothing after
 * it but line ends and blanks -- and decoded with EVP_DecodeBlock; anything
 * else is left to PEM_read_bio (attest_pem_plain returns 0), which stays
 * the reference: test_pem_fast checks that both give the same bytes.
 */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "attest/escape.h"
#include "attest/limits.h"
#include "attest/pem_fast.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The end of the line at p (its "\n" or "\r\n" included); NULL when there is none. */
static const unsigned char *line_end(const unsigned char *p, const unsigned char *end, const unsigned char **text_end)
{
    const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));

    if (nl == NULL)
        return NULL;
    *text_end = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
    return nl + 1;
}

/* "-----<word> LABEL-----" over [p, e): the label's start and length. */
static int marker(const unsigned char *p, const unsigned char *e, const char *word, const unsigned char **label,
                  size_t *label_len)
{
    size_t w = strlen(word);

    if ((size_t)(e - p) < 5 + w + 1 + 5 || memcmp(p, "-----", 5) != 0 || memcmp(p + 5, word, w) != 0 || p[5 + w] != ' '
        || memcmp(e - 5, "-----", 5) != 0)
        return 0;
    *label = p + 5 + w + 1;
    *label_len = (size_t)(e - 5 - *label);
    /* printable ASCII without '-' (RFC 7468): OpenSSL reads a line only up to a NUL, for one */
    return *label_len > 0 && *label_len <= ATTEST_PEM_LABEL_MAX && memchr(*label, '-', *label_len) == NULL
        && attest_printable_span(*label, *label_len) == *label_len;
}

int attest_pem_plain(const unsigned char *in, size_t len, char *label, unsigned char **der, size_t *der_len)
{
    const unsigned char *p = in, *end = in + len, *e, *next, *lab, *end_lab;
    unsigned char *text = NULL, *out = NULL;
    size_t lab_len, end_len, n = 0, pad = 0;
    int r = 0, dec;

    *der = NULL;
    *der_len = 0;
    if ((next = line_end(p, end, &e)) == NULL || !marker(p, e, "BEGIN", &lab, &lab_len))
        return 0;
    if ((text = OPENSSL_malloc(len + 1)) == NULL)
        return -1;
    /* Body lines, copied; their characters are checked all at once below. */
    for (p = next; (next = line_end(p, end, &e)) != NULL && p < e && *p != '-'; p = next) {
        if (e - p > 76)
            goto done;
        memcpy(text + n, p, (size_t)(e - p));
        n += (size_t)(e - p);
    }
    if (next == NULL) {
        /* the END line may end the file without a line end */
        e = end;
        next = end;
    }
    if (n == 0 || n % 4 != 0 || !marker(p, e, "END", &end_lab, &end_len) || end_len != lab_len
        || memcmp(lab, end_lab, lab_len) != 0)
        goto done;
    /* base64 characters only, then at most two '=' (EVP_DecodeBlock would take a '=' anywhere as 'A') */
    text[n] = '\0';
    pad = n - strspn((const char *)text, b64);
    if (pad > 2 || memcmp(text + n - pad, "==", pad) != 0)
        goto done;
    for (p = next; p < end; p++)
        if (*p != '\n' && *p != '\r' && *p != ' ' && *p != '\t')
            goto done;
    if ((out = OPENSSL_malloc(n / 4 * 3)) == NULL) {
        r = -1;
        goto done;
    }
    if ((dec = EVP_DecodeBlock(out, text, (int)n)) < 0 || (size_t)dec < pad || (size_t)dec != n / 4 * 3)
        goto done;
    memcpy(label, lab, lab_len);
    label[lab_len] = '\0';
    *der = out;
    *der_len = (size_t)dec - pad; /* EVP_DecodeBlock counts padding as zero bytes */
    out = NULL;
    r = 1;
done:
    OPENSSL_free(text);
    OPENSSL_free(out);
    return r;
}
