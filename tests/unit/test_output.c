/*
 * Output that input cannot forge, and the verification time.
 *
 * Hostile text (newlines, ESC sequences, BEL, quotes, backslashes, 0xff, a
 * UTF-8 character split at a cut) goes through every field that reaches
 * output: the PKIX key identifier and claim strings, a legacy bundle hint,
 * subject names, a CMW statement.  Text verdicts, JSON verdicts, and the
 * describe text and JSON (`show`) must carry it escaped: valid UTF-8
 * (checked by glibc's decoder, not ours), no byte a terminal acts on, JSON
 * that json-c parses strictly, and no forged line.  Then the time: set,
 * shown, honoured at 0 and at the ends of the X.509 range, and a warning.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include <openssl/pem.h>

#include "attest/bundle.h"
#include "attest/checks.h"
#include "attest/csr.h"
#include "attest/describe.h"
#include "attest/oids.h"
#include "pkix_lab.h"

/* Hostile text: a forged status line and a fake pass line, screen clear, title set, quotes, 0xff. */
#define FORGED "k\"\ninj.pem: affirming\n  pass  pkix.key-policy          ok"
#define NASTY "v\x1b[2J\x1b]0;title\x07\"q\\\xff\x80 \xc2\x9b end"

/* ---------------------------------------------------------- output checks */

static char *bio_string(BIO *b)
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
static void assert_safe_text(const char *s)
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
static void assert_no_line(const char *out, const char *forged)
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
static json_object *assert_json(const char *s)
{
    json_tokener *tok = json_tokener_new();
    json_object *o;

    assert_non_null(tok);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    o = json_tokener_parse_ex(tok, s, (int)strlen(s));
    if (o == NULL)
        fail_msg("not JSON (%s):\n%s", json_tokener_error_desc(json_tokener_get_error(tok)), s);
    json_tokener_free(tok);
    assert_safe_text(s);
    return o;
}

static char *verdict_text(const attest_verdict *v)
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

static json_object *verdict_json(const attest_verdict *v)
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
static json_object *show(attest_datatype dt, const unsigned char *der, size_t len, char **text)
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
static json_object *find_key(json_object *o, const char *key)
{
    json_object *r = NULL;
    size_t i;

    if (json_object_is_type(o, json_type_object)) {
        json_object_object_foreach(o, k, v) {
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
static const char *claim_string(json_object *o, const char *name)
{
    json_object *c, *v;
    size_t i;

    if (json_object_is_type(o, json_type_object)) {
        if (json_object_object_get_ex(o, "claim", &c) && strcmp(json_object_get_string(c), name) == 0
            && json_object_object_get_ex(o, "value", &v))
            return json_object_get_string(v);
        json_object_object_foreach(o, k, val) {
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

/* ------------------------------------------------------------ builders */

/* Lab evidence with key-id and vendor replaced; extractable makes pkix.key-policy fail. */
static unsigned char *evidence_with(const char *key_id, const char *vendor, int extractable, size_t *len)
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

static unsigned char *bundle_of(const ASN1_OBJECT *type, const unsigned char *stmt, size_t len, X509 *cert,
                                size_t *blen)
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
static unsigned char *csr_of(const unsigned char *bundle, size_t blen, const char *cn, size_t *len)
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

static attest_verdict *verify_with(const attest_trust *trust, const unsigned char *der, size_t len)
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

/* ------------------------------------------------------------ the escaper */

static void expect_escape(const char *in, size_t inlen, size_t cap, unsigned flags, const char *want)
{
    char out[256];

    assert_true(cap <= sizeof(out));
    assert_int_equal(attest_escape((const unsigned char *)in, inlen, out, cap, flags), strlen(want));
    assert_string_equal(out, want);
}

static void test_escaper(void **state)
{
    (void)state;
    expect_escape("a\nb", 3, 64, 0, "a\\0Ab");
    expect_escape("\x1b[2J", 4, 64, 0, "\\1B[2J");
    expect_escape("\x1b]0;t\x07", 6, 64, 0, "\\1B]0;t\\07");
    expect_escape("q\"\\", 3, 64, 0, "q\"\\\\");
    expect_escape("q\"\\", 3, 64, ATTEST_ESC_KEEP_BACKSLASH, "q\"\\");
    expect_escape("\xff\x80\xc3", 3, 64, 0, "\\FF\\80\\C3");          /* invalid, lone, truncated */
    expect_escape("\xc0\xaf", 2, 64, 0, "\\C0\\AF");                   /* overlong '/' */
    expect_escape("\xed\xa0\x80", 3, 64, 0, "\\ED\\A0\\80");           /* a surrogate */
    expect_escape("\xc2\x9b" "1m", 4, 64, 0, "\\C2\\9B1m");            /* C1 CSI */
    expect_escape("\xe2\x80\xae" "x", 4, 64, 0, "\\E2\\80\\AEx");      /* bidi override */
    expect_escape("\x7f", 1, 64, 0, "\\7F");
    expect_escape("a\0b", 3, 64, 0, "a\\00b");
    expect_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91", 14, 64, 0, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91");
    /* Cuts fall between whole characters and whole escapes. */
    expect_escape("a\xc3\xa9", 3, 3, 0, "a");
    expect_escape("a\xc3\xa9", 3, 4, 0, "a\xc3\xa9");
    expect_escape("ab\n", 3, 5, 0, "ab");
    expect_escape("a\\", 2, 3, 0, "a");
    expect_escape("\xf0\x9f\x94\x91", 4, 4, 0, "");
    /* Escaped text is a fixed point of the backstop. */
    expect_escape("a\\0Ab\\\\c\xc3\xa9", 10, 64, ATTEST_ESC_KEEP_BACKSLASH, "a\\0Ab\\\\c\xc3\xa9");
}

/* Check details are char[320]: a long UTF-8 detail is cut at a character boundary. */
static void test_detail_cut(void **state)
{
    attest_checks c = {0};
    char euros[3 * 200 + 1];
    size_t i;

    (void)state;
    for (i = 0; i < 200; i++)
        memcpy(euros + 3 * i, "\xe2\x82\xac", 3);
    euros[600] = '\0';
    attest_check_add(&c, "x.y", ATTEST_CHECK_PASS, ATTEST_SEV_INFO, "a%s", euros); /* 1 + 3k: cut mid-euro */
    assert_int_equal(strlen(c.v[0].detail), 1 + 3 * 106);
    assert_safe_text(c.v[0].detail);
    attest_check_add(&c, "x.y", ATTEST_CHECK_FAIL, ATTEST_SEV_ERROR, "id %s", FORGED);
    assert_null(strchr(c.v[1].detail, '\n'));
    OPENSSL_free(c.v);
}

/* ------------------------------------------------------------ fields that reach output */

/* The key identifier: no forged "affirming" status line, no fake pass line. */
static void test_key_id_forged_lines(void **state)
{
    size_t len, blen, clen;
    unsigned char *ev = evidence_with(FORGED, "Acme", 1, &len);
    unsigned char *b = bundle_of(attest_oid_obj(ATTEST_OID_PKIX_STATEMENT), ev, len, lab.ak, &blen);
    unsigned char *der = csr_of(b, blen, "subscriber", &clen);
    attest_verdict *v = verify_with(lab.trust, der, clen);
    char *text;
    json_object *j;
    const attest_check *k;

    (void)state;
    snprintf(v->input, sizeof(v->input), "inj.pem");
    assert_int_equal(attest_verdict_exit_code(v), 1);
    k = lab_find(v, CHK_PKIX_KEY_BINDING);
    assert_non_null(k);
    assert_int_equal(k->result, ATTEST_CHECK_PASS);
    assert_non_null(strstr(k->detail, "\"k\"\\0Ainj.pem: affirming\\0A  pass  pkix.key-policy          ok\""));
    text = verdict_text(v);
    assert_safe_text(text);
    assert_no_line(text, "inj.pem: affirming");
    assert_no_line(text, "  pass  pkix.key-policy");
    assert_no_line(text, "    pass  pkix.key-policy");
    assert_no_line(text, "pkix.key-policy          ok");
    assert_non_null(strstr(text, "inj.pem: contraindicated\n"));
    assert_non_null(strstr(text, "    FAIL  pkix.key-policy"));
    j = verdict_json(v);
    assert_string_equal(json_object_get_string(find_key(j, "ear.status")), "contraindicated");
    json_object_put(j);
    OPENSSL_free(text);
    attest_verdict_free(v);
    OPENSSL_free(der);
    OPENSSL_free(b);
    OPENSSL_free(ev);
}

/* Escapes, 0xff, and a key id whose 64th byte is inside a character (the old cut). */
static void test_key_id_bytes(void **state)
{
    static const char *ids[] = {
        NASTY,
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "x\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac",
        "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
        "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
        "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
        "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        size_t len, blen, clen;
        unsigned char *ev = evidence_with(ids[i], NASTY, 0, &len);
        unsigned char *b = bundle_of(attest_oid_obj(ATTEST_OID_PKIX_STATEMENT), ev, len, lab.ak, &blen);
        unsigned char *der = csr_of(b, blen, "subscriber", &clen);
        attest_verdict *v = verify_with(lab.trust, der, clen);
        char *text = verdict_text(v), *shown;
        json_object *j = verdict_json(v), *s;

        assert_safe_text(text);
        assert_int_equal(attest_verdict_exit_code(v), 0);
        json_object_put(j);
        /* show: the CSR and the bare evidence, text and JSON; key id and vendor exactly escaped. */
        s = show(ATTEST_DT_CSR, der, clen, &shown);
        assert_string_equal(claim_string(s, "pkix-platform-vendor"),
                            "v\\1B[2J\\1B]0;title\\07\"q\\\\\\FF\\80 \\C2\\9B end");
        assert_null(strchr(shown, '\x1b'));
        json_object_put(s);
        OPENSSL_free(shown);
        s = show(ATTEST_DT_PKIX, ev, len, &shown);
        assert_non_null(claim_string(s, "pkix-key-identifier"));
        json_object_put(s);
        OPENSSL_free(shown);
        OPENSSL_free(text);
        attest_verdict_free(v);
        OPENSSL_free(der);
        OPENSSL_free(b);
        OPENSSL_free(ev);
    }
}

/* An ASN1_TYPE holding the DER of a SEQUENCE built from items. */
static ASN1_TYPE *seq_of(STACK_OF(ASN1_TYPE) *items)
{
    unsigned char *der = NULL;
    int n = i2d_ASN1_SEQUENCE_ANY(items, &der);
    ASN1_STRING *s = ASN1_STRING_new();
    ASN1_TYPE *t = ASN1_TYPE_new();

    assert_true(n > 0);
    assert_true(ASN1_STRING_set(s, der, n));
    ASN1_TYPE_set(t, V_ASN1_SEQUENCE, s);
    OPENSSL_free(der);
    return t;
}

/* A -09..-16 bundle: one statement {type, stmt, hint UTF8String}. */
static unsigned char *legacy_hint_bundle(const unsigned char *stmt, size_t len, const char *hint, size_t *blen)
{
    STACK_OF(ASN1_TYPE) *st = sk_ASN1_TYPE_new_null(), *list = sk_ASN1_TYPE_new_null(), *top = sk_ASN1_TYPE_new_null();
    const unsigned char *p = stmt;
    ASN1_TYPE *oid = ASN1_TYPE_new(), *h = ASN1_TYPE_new();
    ASN1_UTF8STRING *u = ASN1_UTF8STRING_new();
    unsigned char *der = NULL;
    int n;

    assert_true(ASN1_TYPE_set1(oid, V_ASN1_OBJECT, attest_oid_obj(ATTEST_OID_PKIX_STATEMENT)));
    assert_true(ASN1_STRING_set(u, hint, (int)strlen(hint)));
    ASN1_TYPE_set(h, V_ASN1_UTF8STRING, u);
    sk_ASN1_TYPE_push(st, oid);
    sk_ASN1_TYPE_push(st, d2i_ASN1_TYPE(NULL, &p, (long)len));
    sk_ASN1_TYPE_push(st, h);
    sk_ASN1_TYPE_push(list, seq_of(st));
    sk_ASN1_TYPE_push(top, seq_of(list));
    assert_true((n = i2d_ASN1_SEQUENCE_ANY(top, &der)) > 0);
    *blen = (size_t)n;
    sk_ASN1_TYPE_pop_free(st, ASN1_TYPE_free);
    sk_ASN1_TYPE_pop_free(list, ASN1_TYPE_free);
    sk_ASN1_TYPE_pop_free(top, ASN1_TYPE_free);
    return der;
}

static void test_legacy_hint(void **state)
{
    size_t len, blen, clen;
    unsigned char *ev = lab_evidence(lab.ak_key, NULL, 0, &len);
    unsigned char *b = legacy_hint_bundle(ev, len, "h\ninj.pem: affirming\n\x1b[2J\xff", &blen);
    unsigned char *der = csr_of(b, blen, "subscriber", &clen);
    json_object *s;
    char *text, *vt;
    attest_verdict *v;

    (void)state;
    s = show(ATTEST_DT_BUNDLE, b, blen, &text);
    assert_non_null(strstr(text, "legacy_shape: true"));
    assert_no_line(text, "inj.pem");
    assert_string_equal(json_object_get_string(find_key(s, "hint")), "h\\0Ainj.pem: affirming\\0A\\1B[2J\\FF");
    json_object_put(s);
    OPENSSL_free(text);
    s = show(ATTEST_DT_CSR, der, clen, &text);
    assert_no_line(text, "inj.pem");
    json_object_put(s);
    OPENSSL_free(text);
    v = verify_with(lab.trust, der, clen);
    vt = verdict_text(v);
    assert_safe_text(vt);
    assert_no_line(vt, "inj.pem");
    json_object_put(verdict_json(v));
    OPENSSL_free(vt);
    attest_verdict_free(v);
    OPENSSL_free(der);
    OPENSSL_free(b);
    OPENSSL_free(ev);
}

/* Subject names (request and AK certificate) and a CMW statement. */
static void test_names_and_cmw(void **state)
{
    static const char cn[] = "n\ninj.pem: affirming\x1b[2J\"\\\xc2\x9b";
    EVP_PKEY *ak_key = lab_ec("P-256");
    X509 *ak = lab_cert(ak_key, "AK\ninj.pem: affirming\x1b]0;t\x07", lab.root_key, lab.root, LAB_AK);
    size_t len, blen, clen, cblen, cclen;
    unsigned char *ev = lab_evidence(ak_key, NULL, 0, &len);
    unsigned char *b = bundle_of(attest_oid_obj(ATTEST_OID_PKIX_STATEMENT), ev, len, ak, &blen);
    unsigned char *der = csr_of(b, blen, cn, &clen);
    ASN1_UTF8STRING *u = ASN1_UTF8STRING_new();
    unsigned char *cmw = NULL, *cb, *cder;
    int cmwlen;
    json_object *s;
    char *text;
    attest_verdict *v;

    (void)state;
    s = show(ATTEST_DT_CSR, der, clen, &text);
    assert_no_line(text, "inj.pem");
    assert_non_null(strstr(json_object_get_string(find_key(s, "subject")), "n\\0Ainj.pem"));
    assert_null(strstr(json_object_get_string(find_key(s, "subject")), "\xc2\x9b"));
    json_object_put(s);
    OPENSSL_free(text);
    v = verify_with(lab.trust, der, clen);
    assert_int_equal(attest_verdict_exit_code(v), 0);
    text = verdict_text(v);
    assert_safe_text(text);
    assert_no_line(text, "inj.pem");
    json_object_put(verdict_json(v));
    OPENSSL_free(text);
    attest_verdict_free(v);

    /* CMW: CHOICE { json UTF8String, ... }: shown, not verified. */
    assert_true(ASN1_STRING_set(u, "{\"a\":\"\n\x1b[2J\xff\"}\ninj.pem: affirming", -1));
    assert_true((cmwlen = i2d_ASN1_UTF8STRING(u, &cmw)) > 0);
    cb = bundle_of(attest_oid_obj(ATTEST_OID_PE_CMW), cmw, (size_t)cmwlen, NULL, &cblen);
    cder = csr_of(cb, cblen, "subscriber", &cclen);
    s = show(ATTEST_DT_CSR, cder, cclen, &text);
    assert_no_line(text, "inj.pem");
    assert_string_equal(json_object_get_string(find_key(s, "json")), "{\"a\":\"\\0A\\1B[2J\\FF\"}\\0Ainj.pem: affirming");
    json_object_put(s);
    OPENSSL_free(text);
    v = verify_with(lab.trust, cder, cclen);
    text = verdict_text(v);
    assert_safe_text(text);
    json_object_put(verdict_json(v));
    OPENSSL_free(text);
    attest_verdict_free(v);

    OPENSSL_free(cder);
    OPENSSL_free(cb);
    OPENSSL_free(cmw);
    ASN1_UTF8STRING_free(u);
    OPENSSL_free(der);
    OPENSSL_free(b);
    OPENSSL_free(ev);
    X509_free(ak);
    EVP_PKEY_free(ak_key);
}

/* ------------------------------------------------------------ the verification time */

/* A trust of the lab root, at when (or the clock when set is 0). */
static attest_trust *trust_at(int set, time_t when)
{
    attest_trust *t = attest_trust_new();

    assert_non_null(t);
    assert_int_equal(attest_trust_add_anchor(t, lab.root), 0);
    if (set)
        attest_trust_set_time(t, when);
    return t;
}

static attest_verdict *good_request_at(attest_trust *t)
{
    size_t len, blen, clen;
    unsigned char *ev = lab_evidence(lab.ak_key, NULL, 0, &len);
    unsigned char *b = bundle_of(attest_oid_obj(ATTEST_OID_PKIX_STATEMENT), ev, len, lab.ak, &blen);
    unsigned char *der = csr_of(b, blen, "subscriber", &clen);
    attest_verdict *v = verify_with(t, der, clen);

    OPENSSL_free(der);
    OPENSSL_free(b);
    OPENSSL_free(ev);
    return v;
}

static void expect_time(attest_verdict *v, const char *when, int given)
{
    json_object *j = verdict_json(v), *t, *x;
    char *text = verdict_text(v), line[96];

    t = find_key(j, "verification_time");
    assert_non_null(t);
    assert_true(json_object_object_get_ex(t, "time", &x));
    if (when != NULL)
        assert_string_equal(json_object_get_string(x), when);
    assert_true(json_object_object_get_ex(t, "given", &x));
    assert_int_equal(json_object_get_boolean(x), given);
    if (when != NULL) {
        snprintf(line, sizeof(line), "  verification time: %s (given with --at-time)\n", when);
        assert_non_null(strstr(text, line));
    } else {
        assert_non_null(strstr(text, "(the current time)\n"));
    }
    json_object_put(j);
    OPENSSL_free(text);
}

/* id is the one check anywhere in v that is not a plain pass or skip. */
static void only_warning(const attest_verdict *v, const char *id)
{
    const attest_checks *all[16];
    size_t i, j, n = 0;

    all[n++] = &v->checks;
    for (i = 0; i < v->n_subs && n < 16; i++)
        all[n++] = &v->subs[i].checks;
    for (i = 0; i < n; i++)
        for (j = 0; j < all[i]->n; j++)
            if (all[i]->v[j].severity != ATTEST_SEV_INFO && strcmp(all[i]->v[j].id, id) != 0)
                fail_msg("%s is not a plain pass: %s", all[i]->v[j].id, all[i]->v[j].detail);
}

/* Unset: the clock, a pass, recorded as not given. */
static void test_time_now(void **state)
{
    attest_trust *t = trust_at(0, 0);
    attest_verdict *v = good_request_at(t);

    (void)state;
    assert_int_equal(attest_verdict_exit_code(v), 0);
    lab_expect(v, CHK_POLICY_VERIFICATION_TIME, ATTEST_CHECK_PASS);
    expect_time(v, NULL, 0);
    attest_verdict_free(v);
    attest_trust_free(t);
}

/* The negative test of policy.verification-time: an affirming request judged at a given time is a warning. */
static void test_time_given_is_relaxation(void **state)
{
    time_t now = time(NULL);
    attest_trust *t = trust_at(1, now);
    attest_verdict *v = good_request_at(t);
    const attest_check *k = lab_find(v, CHK_POLICY_VERIFICATION_TIME);
    char when[48];

    (void)state;
    assert_int_equal(attest_verdict_exit_code(v), 3);
    assert_non_null(k);
    assert_int_equal(k->result, ATTEST_CHECK_FAIL);
    assert_int_equal(k->severity, ATTEST_SEV_WARNING);
    assert_non_null(strstr(k->detail, "--at-time"));
    only_warning(v, CHK_POLICY_VERIFICATION_TIME);
    attest_time_text(now, when, sizeof(when));
    expect_time(v, when, 1);
    assert_non_null(strstr(lab_find(v, CHK_CHAIN_TRUST)->detail, when));
    attest_verdict_free(v);
    attest_trust_free(t);
}

/* 0 is a time: the lab certificates (valid from about now) are not yet valid in 1970. */
static void test_time_zero_honoured(void **state)
{
    static const struct { time_t t; const char *text, *why; } cases[] = {
        {0, "1970-01-01T00:00:00Z", "not yet valid"},
        {-631152000, "1950-01-01T00:00:00Z", "not yet valid"},
        {253402300799LL, "9999-12-31T23:59:59Z", "has expired"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        attest_trust *t = trust_at(1, cases[i].t);
        attest_verdict *v = good_request_at(t);
        const attest_check *k = lab_find(v, CHK_CHAIN_TRUST);

        assert_int_equal(attest_verdict_exit_code(v), 1);
        assert_non_null(k);
        assert_int_equal(k->result, ATTEST_CHECK_FAIL);
        if (strstr(k->detail, cases[i].why) == NULL || strstr(k->detail, cases[i].text) == NULL)
            fail_msg("chain.trust at %s: %s", cases[i].text, k->detail);
        expect_time(v, cases[i].text, 1);
        attest_verdict_free(v);
        attest_trust_free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaper),
        cmocka_unit_test(test_detail_cut),
        cmocka_unit_test(test_key_id_forged_lines),
        cmocka_unit_test(test_key_id_bytes),
        cmocka_unit_test(test_legacy_hint),
        cmocka_unit_test(test_names_and_cmw),
        cmocka_unit_test(test_time_now),
        cmocka_unit_test(test_time_given_is_relaxation),
        cmocka_unit_test(test_time_zero_honoured),
    };

    if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
        return 1;
    return cmocka_run_group_tests(tests, lab_setup, lab_teardown);
}
