/*
 * Helpers of the output tests (test_output.c, test_verify_time.c): checks
 * that printed text is safe and JSON valid, and builders for requests that
 * carry lab evidence.
 */
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include <openssl/pem.h>

#include "attest/bundle.h"
#include "attest/csr.h"
#include "json_strict.h"
#include "output_util.h"

char *bio_string(BIO *b)
{
    char *p = NULL;
    long n = BIO_get_mem_data(b, &p);
    char *s = OPENSSL_malloc((size_t)n + 1);

    assert_non_null(s);
    memcpy(s, p, (size_t)n);
    s[n] = '\0';
    return s;
}

/*
 * Printable and valid UTF-8 by glibc's decoder: no C0 control but the line
 * ends, no DEL, no C1 control, no invalid or truncated sequence.
 */
void assert_safe_text(const char *s)
{
    mbstate_t st;
    size_t n = strlen(s), i = 0, k;
    wchar_t wc;

    memset(&st, 0, sizeof(st));
    while (i < n) {
        k = mbrtowc(&wc, s + i, n - i, &st);
        if (k == (size_t)-1 || k == (size_t)-2)
            fail_msg("invalid UTF-8 at byte %zu of:\n%s", i, s);
        if ((wc < 0x20 && wc != '\n') || (wc >= 0x7f && wc <= 0x9f))
            fail_msg("control character U+%04X at byte %zu of:\n%s", (unsigned)wc, i, s);
        i += k;
    }
}

/* No line of out equals or starts with a forged one. */
void assert_no_line(const char *out, const char *forged)
{
    const char *p = out;
    size_t n = strlen(forged);

    while (p != NULL && *p != '\0') {
        if (strncmp(p, forged, n) == 0)
            fail_msg("forged line \"%s\" in:\n%s", forged, out);
        p = strchr(p, '\n');
        p = p != NULL ? p + 1 : NULL;
    }
}

/* JSON that json-c parses strictly, as valid UTF-8; returned for inspection. */
json_object *assert_json(const char *s)
{
    const char *why = NULL;
    json_object *o = json_strict_utf8_parse(s, &why);

    if (o == NULL)
        fail_msg("not JSON (%s):\n%s", why, s);
    assert_safe_text(s);
    return o;
}

char *verdict_text(const attest_verdict *v)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *s;

    assert_non_null(b);
    attest_verdict_text(v, b);
    attest_verdict_failures(v, b);
    s = bio_string(b);
    BIO_free(b);
    return s;
}

json_object *verdict_json(const attest_verdict *v)
{
    json_object *o = attest_verdict_json(v), *back;
    BIO *b = BIO_new(BIO_s_mem());
    char *s;

    assert_non_null(b);
    assert_true(attest_render_json(o, b, 1));
    s = bio_string(b);
    back = assert_json(s);
    OPENSSL_free(s);
    BIO_free(b);
    json_object_put(o);
    return back;
}

/* `show`: the describe tree as text and as JSON, both checked; the parsed JSON is returned. */
json_object *show(attest_datatype dt, const unsigned char *der, size_t len, char **text)
{
    attest_err err;
    json_object *o = attest_describe(dt, der, len, &err), *back;
    BIO *t = BIO_new(BIO_s_mem()), *j = BIO_new(BIO_s_mem());
    char *s;

    if (o == NULL)
        fail_msg("describe: %s", err.msg);
    assert_true(attest_render_text(o, t));
    assert_true(attest_render_json(o, j, 1));
    *text = bio_string(t);
    assert_safe_text(*text);
    s = bio_string(j);
    back = assert_json(s);
    OPENSSL_free(s);
    BIO_free(t);
    BIO_free(j);
    json_object_put(o);
    return back;
}

/* The first value of key anywhere in o (depth first), or NULL. */
json_object *find_key(json_object *o, const char *key)
{
    json_object *r = NULL;
    size_t i;

    if (json_object_is_type(o, json_type_object)) {
        json_object_object_foreach(o, k, v)
        {
            if (strcmp(k, key) == 0)
                return v;
            if ((r = find_key(v, key)) != NULL)
                return r;
        }
    } else if (json_object_is_type(o, json_type_array)) {
        for (i = 0; i < json_object_array_length(o); i++)
            if ((r = find_key(json_object_array_get_idx(o, i), key)) != NULL)
                return r;
    }
    return NULL;
}

/* The JSON value of claim name (its "value"), or NULL. */
const char *claim_string(json_object *o, const char *name)
{
    json_object *c, *v;
    size_t i;

    if (json_object_is_type(o, json_type_object)) {
        if (json_object_object_get_ex(o, "claim", &c) && strcmp(json_object_get_string(c), name) == 0
            && json_object_object_get_ex(o, "value", &v))
            return json_object_get_string(v);
        json_object_object_foreach(o, k, val)
        {
            const char *r = claim_string(val, name);

            (void)k;
            if (r != NULL)
                return r;
        }
    } else if (json_object_is_type(o, json_type_array)) {
        for (i = 0; i < json_object_array_length(o); i++) {
            const char *r = claim_string(json_object_array_get_idx(o, i), name);

            if (r != NULL)
                return r;
        }
    }
    return NULL;
}

/* Lab evidence with key-id and vendor replaced; extractable makes pkix.key-policy fail. */
unsigned char *evidence_with(const char *key_id, const char *vendor, int extractable, size_t *len)
{
    attest_pkix_claims c;
    attest_pkix_platform pl;
    attest_pkix_signer s = { lab.ak_key, NULL, NULL, 0 };
    unsigned char *der = NULL;
    attest_err err;

    lab_claims(&c);
    pl = *c.platform;
    pl.vendor = vendor;
    c.platform = &pl;
    c.key_id = key_id;
    if (extractable) {
        c.extractable = 1;
        c.never_extractable = 0;
    }
    if (attest_pkix_build(&c, &s, 1, NULL, NULL, &der, len, &err) != 0)
        fail_msg("attest_pkix_build: %s", err.msg);
    return der;
}

unsigned char *bundle_of(const ASN1_OBJECT *type, const unsigned char *stmt, size_t len, X509 *cert, size_t *blen)
{
    attest_bundle *b = attest_bundle_new();
    unsigned char *der = NULL;
    attest_err err;

    assert_non_null(b);
    assert_int_equal(attest_bundle_add_statement(b, type, stmt, len, &err), 0);
    if (cert != NULL)
        assert_int_equal(attest_bundle_add_cert(b, cert), 0);
    assert_int_equal(attest_bundle_encode(b, &der, blen, &err), 0);
    attest_bundle_free(b);
    return der;
}

/* A CSR for lab.subject with subject CN=cn (UTF-8) carrying the bundle. */
unsigned char *csr_of(const unsigned char *bundle, size_t blen, const char *cn, size_t *len)
{
    X509_REQ *req = X509_REQ_new();
    X509_NAME *n = X509_NAME_new();
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    unsigned char *der = NULL;
    attest_err err;
    int dlen;

    assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0));
    assert_true(X509_REQ_set_subject_name(req, n));
    assert_true(X509_REQ_set_pubkey(req, lab.subject));
    if (attest_csr_add_bundle(req, bundle, blen, &err) != 0)
        fail_msg("attest_csr_add_bundle: %s", err.msg);
    assert_true(EVP_DigestSignInit_ex(m, NULL, "SHA256", NULL, NULL, lab.subject, NULL) > 0);
    assert_true(X509_REQ_sign_ctx(req, m) > 0);
    assert_true((dlen = i2d_X509_REQ(req, &der)) > 0);
    *len = (size_t)dlen;
    EVP_MD_CTX_free(m);
    X509_NAME_free(n);
    X509_REQ_free(req);
    return der;
}

attest_verdict *verify_with(const attest_trust *trust, const unsigned char *der, size_t len)
{
    attest_policy pol;
    attest_verify_params p;
    attest_verdict *v;

    attest_policy_default(&pol);
    memset(&p, 0, sizeof(p));
    p.trust = trust;
    p.policy = &pol;
    p.nonce = lab_nonce;
    p.nonce_len = sizeof(lab_nonce);
    v = attest_verify_csr(&p, der, len);
    assert_non_null(v);
    return v;
}
