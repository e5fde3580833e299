/*
 * Rendering describe trees: JSON through json-c, text as indented key: value
 * lines; and the one escaper for text that came from input.
 */
#include <string.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>

#include "attest/describe.h"

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
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x200e || c == 0x200f
           || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

size_t attest_escape(const unsigned char *in, size_t len, char *out, size_t cap, unsigned flags)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t i = 0, o = 0, n, k;
    unsigned long cp;

    if (cap == 0)
        return 0;
    while (i < len) {
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

json_object *attest_json_text(const unsigned char *s, size_t len)
{
    char *e = attest_escape_dup(s, len, 0);
    json_object *o = e != NULL ? json_object_new_string(e) : NULL;

    OPENSSL_free(e);
    return o;
}

json_object *attest_json_hex(const unsigned char *b, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *s = OPENSSL_malloc(2 * n + 1);
    json_object *o;
    size_t i;

    if (s == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        s[2 * i] = digits[b[i] >> 4];
        s[2 * i + 1] = digits[b[i] & 15];
    }
    s[2 * n] = '\0';
    o = json_object_new_string(s);
    OPENSSL_free(s);
    return o;
}

json_object *attest_json_or_error(json_object *o, const attest_err *e)
{
    json_object *w;

    if (o != NULL)
        return o;
    w = json_object_new_object();
    attest_json_add(w, "error", json_object_new_string(e->msg));
    return w;
}

void attest_json_add(json_object *o, const char *key, json_object *v)
{
    if (o != NULL && v != NULL)
        json_object_object_add(o, key, v);
    else
        json_object_put(v);
}

/* RFC 3339 UTC, the form --at-time takes. */
json_object *attest_json_time(const ASN1_TIME *t)
{
    struct tm tm;
    char buf[32];

    if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
        return json_object_new_string("invalid");
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_object_new_string(buf);
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

json_object *attest_json_name(const X509_NAME *n)
{
    char *e = attest_name_oneline(n);
    json_object *o = e != NULL ? json_object_new_string(e) : NULL;

    OPENSSL_free(e);
    return o;
}

static void indent(BIO *out, int depth)
{
    int i;

    for (i = 0; i < depth; i++)
        BIO_puts(out, "  ");
}

static int is_scalar(json_object *v)
{
    return !json_object_is_type(v, json_type_object) && !json_object_is_type(v, json_type_array);
}

static void render_value(json_object *v, BIO *out, int depth);

/*
 * Input strings are escaped where the describers read them; this is the
 * backstop for any that was not (a no-op on escaped text: backslashes kept).
 */
static char *safe_dup(json_object *v)
{
    return attest_escape_dup((const unsigned char *)json_object_get_string(v),
                             (size_t)json_object_get_string_len(v), ATTEST_ESC_KEEP_BACKSLASH);
}

static void sanitize(json_object *v)
{
    size_t i, n;
    char *s;

    if (json_object_is_type(v, json_type_object)) {
        json_object_object_foreach(v, key, val) {
            (void)key;
            sanitize(val);
        }
    } else if (json_object_is_type(v, json_type_array)) {
        n = json_object_array_length(v);
        for (i = 0; i < n; i++)
            sanitize(json_object_array_get_idx(v, i));
    } else if (json_object_is_type(v, json_type_string) && (s = safe_dup(v)) != NULL) {
        if (strcmp(s, json_object_get_string(v)) != 0)
            json_object_set_string(v, s);
        OPENSSL_free(s);
    }
}

static void render_scalar(json_object *v, BIO *out)
{
    char *s;

    if (v == NULL) {
        BIO_puts(out, "null");
    } else if (json_object_is_type(v, json_type_string)) {
        s = safe_dup(v);
        BIO_puts(out, s != NULL ? s : "(out of memory)");
        OPENSSL_free(s);
    } else
        BIO_puts(out, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
}

static void render_object(json_object *o, BIO *out, int depth)
{
    json_object_object_foreach(o, key, val) {
        indent(out, depth);
        BIO_printf(out, "%s:", key);
        if (is_scalar(val)) {
            BIO_puts(out, " ");
            render_scalar(val, out);
            BIO_puts(out, "\n");
        } else {
            BIO_puts(out, "\n");
            render_value(val, out, depth + 1);
        }
    }
}

static void render_value(json_object *v, BIO *out, int depth)
{
    size_t i, n;

    if (json_object_is_type(v, json_type_object)) {
        render_object(v, out, depth);
    } else if (json_object_is_type(v, json_type_array)) {
        n = json_object_array_length(v);
        if (n == 0) {
            indent(out, depth);
            BIO_puts(out, "(none)\n");
        }
        for (i = 0; i < n; i++) {
            json_object *e = json_object_array_get_idx(v, i);

            indent(out, depth);
            if (is_scalar(e)) {
                BIO_puts(out, "- ");
                render_scalar(e, out);
                BIO_puts(out, "\n");
            } else {
                BIO_printf(out, "[%zu]\n", i);
                render_value(e, out, depth + 1);
            }
        }
    } else {
        indent(out, depth);
        render_scalar(v, out);
        BIO_puts(out, "\n");
    }
}

int attest_render_text(json_object *o, BIO *out)
{
    if (o == NULL || out == NULL)
        return 0;
    render_value(o, out, 0);
    return 1;
}

int attest_render_json(json_object *o, BIO *out, int pretty)
{
    const char *s;

    if (o == NULL || out == NULL)
        return 0;
    sanitize(o); /* json-c passes invalid UTF-8 through: the result would not be JSON */
    s = json_object_to_json_string_ext(o, (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN)
                                              | JSON_C_TO_STRING_NOSLASHESCAPE);
    return BIO_puts(out, s) >= 0 && BIO_puts(out, "\n") >= 0;
}
