/*
 * Rendering describe trees: JSON through json-c, text as indented key: value
 * lines; the JSON helpers the describers share.
 */
#include <string.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>

#include "attest/describe.h"

json_object *attest_json_text(const unsigned char *s, size_t len)
{
    char *e = attest_escape_dup(s, len, 0);
    json_object *o = e != NULL ? json_object_new_string(e) : NULL;

    OPENSSL_free(e);
    return o;
}

json_object *attest_json_hex(const unsigned char *b, size_t n)
{
    char *s = attest_hex_dup(b, n);
    json_object *o = s != NULL ? json_object_new_string(s) : NULL;

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

static void add(json_object *o, const char *key, json_object *v, unsigned flags)
{
    if (o != NULL && v != NULL)
        json_object_object_add_ex(o, key, v, flags);
    else
        json_object_put(v);
}

void attest_json_add_literal(json_object *o, const char *key, json_object *v)
{
    add(o, key, v, JSON_C_OBJECT_KEY_IS_CONSTANT); /* kept, not copied: a verdict has about a hundred keys */
}

void attest_json_add_copy(json_object *o, const char *key, json_object *v)
{
    add(o, key, v, 0);
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
    return attest_escape_dup((const unsigned char *)json_object_get_string(v), (size_t)json_object_get_string_len(v),
                             ATTEST_ESC_KEEP_BACKSLASH);
}

/*
 * Printable ASCII is what the escaper leaves alone (backslashes kept): most
 * strings, nothing to do.  Over json-c's length, so a NUL inside is seen.
 */
static int plain_ascii(json_object *v)
{
    const char *p = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);

    return p != NULL && attest_printable_span((const unsigned char *)p, n) == n;
}

static void sanitize(json_object *v)
{
    size_t i, n;
    char *s;

    if (json_object_is_type(v, json_type_object)) {
        json_object_object_foreach(v, key, val)
        {
            (void)key;
            sanitize(val);
        }
    } else if (json_object_is_type(v, json_type_array)) {
        n = json_object_array_length(v);
        for (i = 0; i < n; i++)
            sanitize(json_object_array_get_idx(v, i));
    } else if (json_object_is_type(v, json_type_string) && !plain_ascii(v) && (s = safe_dup(v)) != NULL) {
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
    json_object_object_foreach(o, key, val)
    {
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

/*
 * Whether what json-c wrote may hold a string the backstop would change: a
 * byte outside printable ASCII (json-c passes those through), or a control
 * character, which json-c writes as \n, \t, \u0001 ... -- a backslash
 * followed by anything but a backslash or a quote.  Newlines are the pretty
 * layout's (json-c escapes those in strings).  One pass over the text is
 * cheaper than walking the tree before every render.
 */
static int needs_backstop(const char *s, size_t n)
{
    const char *p = s, *end = s + n;
    size_t i = 0;

    while ((i += attest_printable_span((const unsigned char *)s + i, n - i)) < n)
        if (s[i++] != '\n')
            return 1;
    while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
        if (p + 1 >= end || (p[1] != '\\' && p[1] != '"'))
            return 1;
        p += 2;
    }
    return 0;
}

int attest_render_json(json_object *o, BIO *out, int pretty)
{
    const int flags = (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN)
        | JSON_C_TO_STRING_NOSLASHESCAPE;
    const char *s;
    size_t n = 0;

    if (o == NULL || out == NULL)
        return 0;
    s = json_object_to_json_string_length(o, flags, &n);
    if (s != NULL && needs_backstop(s, n)) {
        sanitize(o); /* json-c passes invalid UTF-8 through: the result would not be JSON */
        s = json_object_to_json_string_length(o, flags, &n);
    }
    return s != NULL && BIO_write(out, s, (int)n) == (int)n && BIO_puts(out, "\n") >= 0;
}
